/* reflector.h: keeps one kind of the store equal to the API server's state
 * (client-go's reflector, spec/extender-protocol.md §4.3).
 *
 * LIST with pagination (limit/continue; an expired continue token restarts
 * the list), replace the kind wholesale, then WATCH from the list's
 * resourceVersion with bookmarks, applying each event and remembering the
 * last resourceVersion. A stream that ends resumes from there; 410 Gone (as
 * an HTTP status or an ERROR event) relists; connection failures, timeouts,
 * 5xx and 429 back off exponentially with jitter (capped) and resume; a 401
 * re-reads the token. Pods are listed and watched with the field selector
 * status.phase!=Succeeded,status.phase!=Failed, so pods that turn terminal
 * arrive as DELETED. Optional kinds (Namespace, LimitRange, RuntimeClass)
 * whose LIST is answered 403/404 are emptied (objects listed before are
 * dropped) and listed again slowly; a 403/404 on their WATCH relists.
 * Thread-safety: one thread per reflector; status fields are atomics. */
#ifndef XT_REFLECTOR_H
#define XT_REFLECTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kube_client.h"
#include "metrics.h"
#include "store.h"

struct xt_reflector_config {
	int page_size;          /* LIST limit (500) */
	int watch_timeout_s;    /* timeoutSeconds, randomized in [t, 2t) */
	int backoff_min_ms;     /* first retry delay (800 ms) */
	int backoff_max_ms;     /* cap (30 s) */
	size_t max_event_bytes; /* longest watch line (64 MiB) */
};

struct xt_reflector {
	enum xt_kind kind;
	bool optional; /* may be absent or forbidden */
	struct xt_reflector_config cfg;
	struct xt_kube_client *client; /* borrowed */
	struct xt_store *store;        /* borrowed */
	struct xt_metrics *metrics;    /* borrowed, may be NULL */
	const atomic_bool *stop;       /* borrowed */
	pthread_t thread;
	bool started;
	/* status, read by /readyz and logs */
	atomic_llong failing_since_ms; /* CLOCK_MONOTONIC ms of the first failure in a row, 0 ok */
	atomic_ullong lists, watches, events;
	pthread_mutex_t lock; /* guards last_error */
	char last_error[512];
};

void xt_reflector_init(struct xt_reflector *r, enum xt_kind kind, struct xt_kube_client *client,
                       struct xt_store *store, struct xt_metrics *metrics, const atomic_bool *stop,
                       const struct xt_reflector_config *cfg);
/* Starts the thread. */
int xt_reflector_start(struct xt_reflector *r);
/* Joins the thread (set *stop first). */
void xt_reflector_join(struct xt_reflector *r);
void xt_reflector_fini(struct xt_reflector *r);

/* Milliseconds the reflector has been failing, 0 when healthy. */
int64_t xt_reflector_failing_ms(struct xt_reflector *r);
void xt_reflector_last_error(struct xt_reflector *r, char *out, size_t size);

/* The API path of a kind's collection ("/api/v1/pods"). */
const char *xt_reflector_path(enum xt_kind kind);

#endif
