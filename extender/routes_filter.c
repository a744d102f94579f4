/* routes_filter.c: POST /filter, the scheduler extender's filter verb
 * (spec/extender-protocol.md §1.4). The work is in predicates/
 * extender_filter.c; this handler holds the snapshot reference and maps
 * failures to HTTP. A server that has no snapshot yet answers 200 with
 * "Error" set, which the scheduler treats as a failed extender call. */
#include "http.h"

#include <civetweb.h>

#include "extender_filter.h"
#include "log.h"

#define FILTER_ARENA_CAP (1u << 30)

static void not_ready(struct xt_request *req, const char *why)
{
	struct hr_buf b;
	hr_buf_init(&b, 4096);
	hr_buf_puts(&b, "{\"Nodes\":null,\"NodeNames\":null,\"FailedNodes\":{},"
	                "\"FailedAndUnresolvableNodes\":{},\"Error\":");
	hr_buf_json_str(&b, hr_str_c(why));
	hr_buf_puts(&b, "}\n");
	xt_http_reply(req, 200, "application/json", b.p, b.len);
	hr_buf_fini(&b);
}

void xt_route_filter(struct xt_request *req)
{
	if (!xt_http_read_body(req))
		return;
	struct xt_snap *snap = xt_cache_acquire(req->server->cache);
	if (!snap) {
		not_ready(req, "headroom has no cluster snapshot yet");
		return;
	}
	struct hr_arena arena;
	struct hr_buf out;
	struct hr_err err;
	struct hr_filter_stats stats;
	hr_arena_init(&arena, NULL, FILTER_ARENA_CAP);
	hr_buf_init(&out, req->server->cfg->max_body_bytes + (1u << 20));
	hr_err_clear(&err);
	enum hr_code rc =
	    hr_extender_filter(snap->snap, req->body, req->body_len, &arena, &out, &stats, &err);
	if (rc == HR_OK) {
		hr_buf_putc(&out, '\n');
		xt_http_reply(req, 200, "application/json", out.p, out.len);
		xt_vlog(3, "filter id=%lu nodes=%zu passed=%zu unknown=%zu decoded=%zu mode=%s",
		        req->id, stats.nodes_in, stats.nodes_passed, stats.nodes_unknown,
		        stats.nodes_decoded, stats.full_nodes ? "Nodes" : "NodeNames");
	} else {
		xt_http_error_from(req, &err);
	}
	hr_buf_fini(&out);
	hr_arena_fini(&arena);
	xt_snap_release(snap);
}
