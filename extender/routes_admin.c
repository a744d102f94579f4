/* routes_admin.c: probes and introspection, kube-scheduler style
 * (spec/extender-protocol.md §5.1): /healthz and /livez say the process
 * serves; /readyz is 200 only with a cluster snapshot and not shutting down;
 * "?verbose" lists the checks. /version, /configz (no secrets), /metrics. */
#include "http.h"

#include <civetweb.h>

#include <stdio.h>
#include <string.h>

static void text(struct xt_request *req, int status, const char *body)
{
	xt_http_reply(req, status, "text/plain; charset=utf-8", body, strlen(body));
}

static bool verbose(struct xt_request *req)
{
	const char *q = req->ri->query_string;
	return q && strstr(q, "verbose") != NULL;
}

void xt_route_healthz(struct xt_request *req)
{
	const char *name = strcmp(req->route, "/livez") == 0 ? "livez" : "healthz";
	if (!verbose(req)) {
		text(req, 200, "ok");
		return;
	}
	char body[128];
	snprintf(body, sizeof(body), "[+]ping ok\n%s check passed\n", name);
	text(req, 200, body);
}

void xt_route_readyz(struct xt_request *req)
{
	const char *why = xt_server_not_ready(req->server);
	bool shutting = atomic_load(&req->server->shutting_down);
	char body[512];
	if (!why && !verbose(req)) {
		text(req, 200, "ok");
		return;
	}
	snprintf(body, sizeof(body), "[+]ping ok\n[%c]shutdown %s\n[%c]cluster-snapshot %s\n%s\n",
	         shutting ? '-' : '+', shutting ? "failed: reason withheld" : "ok",
	         why && !shutting ? '-' : '+', why && !shutting ? "failed: reason withheld" : "ok",
	         why ? "readyz check failed" : "readyz check passed");
	text(req, why ? 500 : 200, body);
}

void xt_route_version(struct xt_request *req)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
	                 "{\"version\":\"%s\",\"revision\":\"%s\",\"kubeScheduler\":\"1.34\"}\n",
	                 HR_VERSION, HR_GIT_REV);
	xt_http_reply(req, 200, "application/json", body, (size_t)n);
}

static void json_field(struct hr_buf *b, const char *key, const char *value, bool last)
{
	hr_buf_json_str(b, hr_str_c(key));
	hr_buf_putc(b, ':');
	if (value)
		hr_buf_json_str(b, hr_str_c(value));
	else
		hr_buf_puts(b, "null");
	if (!last)
		hr_buf_putc(b, ',');
}

void xt_route_configz(struct xt_request *req)
{
	const struct xt_config *c = req->server->cfg;
	struct hr_buf b;
	hr_buf_init(&b, 1 << 16);
	hr_buf_puts(&b, "{\"headroom\":{");
	json_field(&b, "listen", c->listen, false);
	json_field(&b, "tlsCertFile", c->tls_cert, false);
	json_field(&b, "clientCAFile", c->client_ca, false);
	hr_buf_printf(&b, "\"anonymousRead\":%s,", c->anonymous_read ? "true" : "false");
	hr_buf_puts(&b, "\"allowedClientNames\":[");
	for (size_t i = 0; i < c->n_client_names; i++) {
		if (i)
			hr_buf_putc(&b, ',');
		hr_buf_json_str(&b, hr_str_c(c->client_names[i]));
	}
	hr_buf_puts(&b, "],");
	json_field(&b, "clusterSource",
	           c->n_snapshots  ? "snapshot"
	           : c->kubeconfig ? "kubeconfig"
	                           : "in-cluster",
	           false);
	json_field(&b, "kubeconfig", c->kubeconfig, false);
	json_field(&b, "context", c->context, false);
	json_field(&b, "serviceAccountDir", c->service_account_dir, false);
	json_field(&b, "admissionMode", c->admission_mode ? c->admission_mode : "warn", false);
	hr_buf_printf(&b,
	              "\"watchTimeoutSeconds\":%d,\"listPageSize\":%d,\"publishIntervalMs\":%d,"
	              "\"maxStalenessSeconds\":%d,\"backoffMaxMs\":%d,\"maxCapacityMs\":%d,",
	              c->watch_timeout_s, c->list_page_size, c->publish_interval_ms,
	              c->max_staleness_s, c->backoff_max_ms, c->max_capacity_ms);
	hr_buf_puts(&b, "\"snapshotFiles\":[");
	for (size_t i = 0; i < c->n_snapshots; i++) {
		if (i)
			hr_buf_putc(&b, ',');
		hr_buf_json_str(&b, hr_str_c(c->snapshots[i]));
	}
	hr_buf_printf(&b,
	              "],\"maxBodyBytes\":%zu,\"threads\":%d,\"requestTimeoutMs\":%d,"
	              "\"keepAliveTimeoutMs\":%d,\"certCheckSeconds\":%d,\"maxCopies\":%lld,"
	              "\"verbosity\":%d,\"logFormat\":\"%s\"}}\n",
	              c->max_body_bytes, c->threads, c->request_timeout_ms,
	              c->keep_alive_timeout_ms, c->cert_check_seconds, (long long)c->max_copies,
	              c->verbosity, c->log_json ? "json" : "text");
	xt_http_reply(req, 200, "application/json", b.p, b.len);
	hr_buf_fini(&b);
}

/* What the live cache holds: per kind, whether it is listed, its
 * resourceVersion and every object's key and resourceVersion. */
void xt_route_debug_cache(struct xt_request *req)
{
	struct xt_server *s = req->server;
	if (!s->describe_cache) {
		xt_http_error(req, 404, "/debug/cache exists only with the API server source");
		return;
	}
	struct hr_buf b;
	hr_buf_init(&b, 1u << 30);
	s->describe_cache(s->describe_ctx, &b);
	if (hr_buf_ok(&b))
		xt_http_reply(req, 200, "application/json", b.p, b.len);
	else
		xt_http_error(req, 500, "the cache description is too large");
	hr_buf_fini(&b);
}

void xt_route_metrics(struct xt_request *req)
{
	struct xt_snap *snap = xt_cache_acquire(req->server->cache);
	struct hr_buf b;
	hr_buf_init(&b, 1 << 22);
	xt_metrics_render(req->server->metrics, snap, &b);
	xt_snap_release(snap);
	xt_http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.p, b.len);
	hr_buf_fini(&b);
}
