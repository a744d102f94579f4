/* routes_admission.c: POST /admission, the scale-up pre-check
 * (spec/extender-protocol.md §3; predicates/review.h for what is checked).
 *
 * Mode: the workload's headroom.io/enforce annotation, else its
 * namespace's, else --admission-mode: "warn" (default) allows with a
 * warning when not every new replica fits, "deny" rejects with 403 and the
 * same message, "off" allows without checking. Fail-safe: when the answer
 * cannot be computed (no snapshot yet, the workload cannot be fetched, a
 * template that does not decode) the request is allowed with a warning that
 * says why. The webhook never changes anything (sideEffects: None), so
 * dryRun requests are answered the same way. */
#include "http.h"

#include <civetweb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capacity.h"
#include "capacity_api.h"
#include "incoming.h"
#include "kube_client.h"
#include "log.h"
#include "review.h"
#include "workload.h"

#define ADMISSION_MAX_MS 2000
#define WARNING_MAX      250 /* the API server may cut warnings longer than 256 bytes */

enum mode { MODE_WARN, MODE_DENY, MODE_OFF };

/* snprintf that marks a cut text with "..." (messages quote long names). */
static void text_printf(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void text_printf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n >= (int)size && size > 4)
		memcpy(dst + size - 4, "...", 4);
}

static enum mode parse_mode(const char *s, enum mode fallback)
{
	if (!s || !s[0])
		return fallback;
	if (!strcmp(s, "deny"))
		return MODE_DENY;
	if (!strcmp(s, "off"))
		return MODE_OFF;
	if (!strcmp(s, "warn"))
		return MODE_WARN;
	return fallback;
}

static enum mode effective_mode(const struct xt_server *s, const struct hr_review *r,
                                const struct hr_snapshot *snap)
{
	enum mode m = parse_mode(s->cfg->admission_mode, MODE_WARN);
	const struct hr_namespace *ns =
	    snap ? hr_snap_find_namespace(snap, hr_str_c(r->namespace)) : NULL;
	if (ns && ns->enforce.n) {
		char v[16];
		snprintf(v, sizeof(v), "%.*s", (int)ns->enforce.n, ns->enforce.p);
		m = parse_mode(v, m);
	}
	return r->workload ? parse_mode(hr_review_enforce_annotation(r->workload), m) : m;
}

static void reply(struct xt_request *req, const struct hr_review *r,
                  const struct hr_review_answer *a, const char *decision)
{
	struct hr_buf b;
	hr_buf_init(&b, 1 << 16);
	hr_review_respond(r->uid, a, &b);
	xt_http_reply(req, 200, "application/json", b.p, b.len);
	hr_buf_fini(&b);
	xt_metrics_admission(req->server->metrics, decision);
	xt_vlog(2, "admission id=%lu uid=%s %s %s/%s %s replicas %lld->%lld decision=%s%s", req->id,
	        r->uid, r->operation, r->namespace, r->name, r->workload_kind,
	        (long long)r->old_replicas, (long long)r->new_replicas, decision,
	        r->dry_run ? " dryRun" : "");
}

/* Allowed, with one warning saying why the capacity was not checked. */
static void allow_unchecked(struct xt_request *req, const struct hr_review *r, const char *why)
{
	char w[WARNING_MAX + 1];
	text_printf(w, sizeof(w), "headroom: capacity not checked: %s", why);
	struct hr_review_answer a = {.allowed = true, .warnings = {w}, .n_warnings = 1};
	reply(req, r, &a, "unchecked");
}

/* Fetches the scaled workload; false with why filled when it cannot. */
static bool fetch_workload(struct xt_request *req, struct hr_review *r, cJSON **fetched, char *why,
                           size_t why_size)
{
	struct xt_kube_client *kube = req->server->kube;
	if (!kube) {
		text_printf(why, why_size, "no API server to fetch %s %s/%s from (--snapshot mode)",
		            r->workload_kind, r->namespace, r->name);
		return false;
	}
	struct xt_kube_conn conn;
	struct xt_kube_response resp;
	struct hr_err err;
	hr_err_clear(&err);
	xt_kube_conn_init(&conn);
	hr_buf_init(&resp.body, 16u << 20);
	enum hr_code rc = xt_kube_get(kube, &conn, r->fetch_path, 3, &resp, &err);
	xt_kube_conn_fini(&conn);
	if (rc != HR_OK || resp.status != 200) {
		if (rc != HR_OK)
			text_printf(why, why_size, "cannot fetch %s %s/%s: %s", r->workload_kind,
			            r->namespace, r->name, err.msg);
		else
			text_printf(why, why_size, "cannot fetch %s %s/%s: HTTP %ld",
			            r->workload_kind, r->namespace, r->name, resp.status);
		hr_buf_fini(&resp.body);
		return false;
	}
	*fetched = cJSON_ParseWithLength(resp.body.p ? resp.body.p : "", resp.body.len);
	hr_buf_fini(&resp.body);
	if (!*fetched) {
		text_printf(why, why_size, "the API server's %s is not JSON", r->workload_kind);
		return false;
	}
	hr_review_use_fetched(r, *fetched);
	return true;
}

/* The webhook's timeoutSeconds is 5: the count must stop well before, even
 * when --max-capacity-ms gives /capacity longer or no limit. */
static int admission_bound_ms(const struct xt_config *cfg)
{
	int ms = cfg->max_capacity_ms;
	return ms > 0 && ms < ADMISSION_MAX_MS ? ms : ADMISSION_MAX_MS;
}

/* How many of the new replicas fit; false with why when it cannot tell. */
static bool count_fitting(const struct hr_review *r, const struct hr_snapshot *snap, int bound_ms,
                          struct hr_capacity_result *res, struct hr_arena *arena, char *why,
                          size_t why_size)
{
	struct hr_workload w;
	struct hr_err err;
	struct hr_pod *pod;
	hr_err_clear(&err);
	enum hr_code rc = hr_workload_resolve(r->workload, &w, &err);
	if (rc == HR_OK)
		rc = hr_incoming_pod(w.pod, snap, true, "spec.template", arena, &pod, NULL, &err);
	if (rc == HR_OK) {
		struct xt_deadline deadline;
		xt_deadline_start(&deadline, bound_ms);
		struct hr_capacity_opts opts = {.max_copies = r->delta,
		                                .should_stop = xt_deadline_passed,
		                                .stop_ctx = &deadline};
		rc = hr_capacity(snap, pod, &opts, arena, res, &err);
	}
	hr_workload_fini(&w);
	if (rc != HR_OK)
		text_printf(why, why_size, "%s%s%s", err.where, err.where[0] ? ": " : "", err.msg);
	return rc == HR_OK;
}

static void decide(struct xt_request *req, struct hr_review *r)
{
	char why[400];
	cJSON *fetched = NULL;
	struct xt_snap *snap = NULL;
	struct hr_arena arena;
	hr_arena_init(&arena, NULL, 256u << 20);
	if (r->need == HR_REVIEW_FETCH && !fetch_workload(req, r, &fetched, why, sizeof(why))) {
		allow_unchecked(req, r, why);
		goto out;
	}
	if (r->need == HR_REVIEW_ALLOW) {
		struct hr_review_answer a = {.allowed = true};
		reply(req, r, &a, "allowed");
		goto out;
	}
	const char *not_ready = xt_server_not_ready(req->server);
	snap = xt_cache_acquire(req->server->cache);
	enum mode mode = effective_mode(req->server, r, snap ? snap->snap : NULL);
	if (mode == MODE_OFF) {
		struct hr_review_answer a = {.allowed = true};
		reply(req, r, &a, "off");
		goto out;
	}
	if (!snap || not_ready) {
		allow_unchecked(req, r, not_ready ? not_ready : "no cluster snapshot yet");
		goto out;
	}
	struct hr_capacity_result res;
	if (!count_fitting(r, snap->snap, admission_bound_ms(req->server->cfg), &res, &arena, why,
	                   sizeof(why))) {
		allow_unchecked(req, r, why);
		goto out;
	}
	if (res.count >= r->delta) {
		struct hr_review_answer a = {.allowed = true};
		reply(req, r, &a, "allowed");
		goto out;
	}
	if (res.limited) { /* stopped by the time bound: a lower bound, not a "no" */
		text_printf(why, sizeof(why),
		            "the check ran out of time after placing %lld of %lld new replicas",
		            (long long)res.count, (long long)r->delta);
		allow_unchecked(req, r, why);
		goto out;
	}
	char msg[1200], warning[WARNING_MAX + 1];
	text_printf(msg, sizeof(msg), "only %lld of %lld new replicas of %s/%s fit now: %s",
	            (long long)res.count, (long long)r->delta, r->namespace, r->name, res.message);
	text_printf(warning, sizeof(warning), "headroom: %s", msg);
	struct hr_review_answer a = {.allowed = mode != MODE_DENY, .code = 403, .message = msg};
	if (mode == MODE_WARN) {
		a.warnings[0] = warning;
		a.n_warnings = 1;
	}
	reply(req, r, &a, mode == MODE_DENY ? "denied" : "warned");
out:
	xt_snap_release(snap);
	cJSON_Delete(fetched);
	hr_arena_fini(&arena);
}

void xt_route_admission(struct xt_request *req)
{
	if (!xt_http_read_body(req))
		return;
	struct hr_review r;
	struct hr_err err;
	cJSON *tree = NULL;
	hr_err_clear(&err);
	if (hr_review_parse(req->body, req->body_len, &r, &tree, &err) != HR_OK)
		xt_http_error_from(req, &err);
	else
		decide(req, &r);
	cJSON_Delete(tree);
}
