/* kube_client.h: HTTPS requests to the Kubernetes API server with libcurl.
 *
 * Applies a target's TLS trust, client certificate and credentials to each
 * request: a bearer token (a token file is re-read every minute and after a
 * 401, as client-go does for rotated service-account tokens) or basic auth.
 * xt_kube_get reads a whole (capped) body; xt_kube_stream hands a streaming
 * body (WATCH) to a callback as bytes arrive. Both stop early when the
 * client's stop flag turns true.
 * Thread-safety: the client is shared; each thread uses its own
 * struct xt_kube_conn (one libcurl handle, reused for keep-alive). */
#ifndef XT_KUBE_CLIENT_H
#define XT_KUBE_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "kubeconfig.h"

struct xt_kube_client {
	struct xt_kube_target target;  /* owned */
	pthread_mutex_t lock;          /* guards token* */
	char *token;                   /* the current bearer token, or NULL */
	struct timespec token_read_at; /* CLOCK_MONOTONIC */
	bool token_stale;              /* re-read before the next request */
	const atomic_bool *stop;       /* borrowed; requests abort when true */
	long connect_timeout_s;
};

struct xt_kube_conn {
	void *easy; /* CURL * */
};

struct xt_kube_response {
	long status;        /* HTTP status, 0 when no response */
	long retry_after_s; /* Retry-After header, 0 when absent */
	struct hr_buf body; /* GET: the body (caller inits and frees) */
};

/* Takes ownership of target (its fields are moved; target is zeroed). */
enum hr_code xt_kube_client_init(struct xt_kube_client *c, struct xt_kube_target *target,
                                 const atomic_bool *stop, struct hr_err *err);
void xt_kube_client_fini(struct xt_kube_client *c);

void xt_kube_conn_init(struct xt_kube_conn *conn);
void xt_kube_conn_fini(struct xt_kube_conn *conn);

/* GET path (with query) into resp->body (capped by its max). HR_OK means a
 * response arrived (any status); errors are transport failures. */
enum hr_code xt_kube_get(struct xt_kube_client *c, struct xt_kube_conn *conn, const char *path,
                         long timeout_s, struct xt_kube_response *resp, struct hr_err *err);

/* Streams GET path: on_data(ctx, bytes, n) returns false to stop. Returns
 * when the server ends the stream, on_data stops, the timeout passes or
 * the client is stopped. *status gets the HTTP status; for a non-200
 * answer the body goes to `error_body` (capped) instead of on_data. */
enum hr_code xt_kube_stream(struct xt_kube_client *c, struct xt_kube_conn *conn, const char *path,
                            long timeout_s, bool (*on_data)(void *ctx, const char *p, size_t n),
                            void *ctx, long *status, struct hr_buf *error_body, struct hr_err *err);

/* After a 401: the token file is read again before the next request. */
void xt_kube_token_stale(struct xt_kube_client *c);

#endif
