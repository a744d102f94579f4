/* http.h: the HTTPS server (civetweb) and what route handlers use.
 *
 * One civetweb handler receives every request and dispatches on the exact
 * path (query strings are ignored for routing, as the API server appends
 * ?timeout=...); unknown paths get a JSON 404, wrong methods a 405. Route
 * access: "gate" routes (filter, admission) need a verified client
 * certificate when --client-ca is set, and with --allowed-client-names one
 * whose CN or a DNS SAN is listed; "read" routes (capacity, metrics, configz,
 * debug/cache) need a verified one unless --anonymous-read; probes (healthz,
 * livez, readyz, version) never do. Each open connection holds a civetweb
 * worker thread; handshake, headers and body each have --request-timeout-ms.
 * Every answered request is logged at -v 2 and counted in metrics. Errors are
 * JSON: {"error": "<where>: <what>"}.
 * Thread-safety: handlers run on civetweb worker threads; everything they
 * share (cache, metrics, tls) is thread-safe. */
#ifndef XT_HTTP_H
#define XT_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cache.h"
#include "config.h"
#include "err.h"
#include "metrics.h"
#include "tls.h"

struct mg_context;
struct xt_kube_client;
struct mg_connection;
struct mg_request_info;

/* Why the server is not ready, or NULL when it is (set by the source). */
typedef const char *(*xt_ready_fn)(void *ctx);

struct xt_server {
	const struct xt_config *cfg; /* borrowed */
	struct xt_cache *cache;      /* borrowed */
	struct xt_tls *tls;          /* borrowed */
	struct xt_metrics *metrics;  /* borrowed */
	xt_ready_fn not_ready;       /* NULL: ready once a snapshot exists */
	void *not_ready_ctx;
	/* /debug/cache: the live cache's contents (NULL without one) */
	void (*describe_cache)(void *ctx, struct hr_buf *out);
	void *describe_ctx;
	struct xt_kube_client *kube; /* fetches workloads for /admission (NULL: --snapshot) */
	atomic_bool shutting_down;
	struct mg_context *mg;
	int port; /* the bound port (useful with :0) */
};

/* One request being answered. */
struct xt_request {
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	struct xt_server *server;
	const char *route; /* the matched route path */
	char *body;        /* read by xt_http_read_body; freed after the handler */
	size_t body_len;
	bool body_read;   /* the whole body was read: the connection may be kept alive */
	bool body_broken; /* reading it failed (too slow, reset): not worth discarding */
	struct timespec start;
	int status;         /* status sent, 0 until then */
	const char *allow;  /* methods for an Allow header (405), NULL otherwise */
	bool sent_continue; /* "100 Continue" went out: the reply is written raw */
	unsigned long id;   /* for log lines */
};

enum hr_code xt_server_start(struct xt_server *s, struct hr_err *err);
void xt_server_stop(struct xt_server *s);

/* Reads the whole body: at most --max-body-bytes, arriving within
 * --request-timeout-ms of the headers (a total deadline, see read_deadline.h).
 * On failure an error reply has been sent (413 too large, 408 too slow, 400
 * cut short), the connection closes after it, and false is returned. */
bool xt_http_read_body(struct xt_request *req);

/* Sends a complete reply. When the request has a body that was not read in
 * full, the reply says "Connection: close" and the connection is closed. */
void xt_http_reply(struct xt_request *req, int status, const char *content_type, const char *body,
                   size_t len);
/* Sends {"error": "..."} with status. */
void xt_http_error(struct xt_request *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an hr_err to a 4xx/5xx reply. */
void xt_http_error_from(struct xt_request *req, const struct hr_err *err);

/* A decoded query parameter; false when absent (or too long for out). */
bool xt_http_query(const struct xt_request *req, const char *name, char *out, size_t size);
/* Same into a malloc'd buffer (free it); NULL when absent. */
char *xt_http_query_alloc(const struct xt_request *req, const char *name, size_t *len);

/* Route handlers (routes_*.c). */
void xt_route_filter(struct xt_request *req);
void xt_route_capacity(struct xt_request *req);
void xt_route_healthz(struct xt_request *req);
void xt_route_readyz(struct xt_request *req);
void xt_route_version(struct xt_request *req);
void xt_route_configz(struct xt_request *req);
void xt_route_metrics(struct xt_request *req);
void xt_route_debug_cache(struct xt_request *req);
void xt_route_admission(struct xt_request *req);

/* Why the server cannot answer yet (NULL = ready). */
const char *xt_server_not_ready(struct xt_server *s);

#endif
