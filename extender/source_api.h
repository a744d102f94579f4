/* source_api.h: the live cluster source: reflectors into a store, and a
 * publisher that turns the store into snapshots for the cache.
 *
 * One reflector thread per kind (Nodes, Pods, Namespaces, LimitRanges,
 * RuntimeClasses) and one publisher thread, which publishes a new snapshot
 * when the store changed, at most every publish interval, once every kind
 * has been listed. Requests never wait for any of this: they read the last
 * published snapshot. Readiness: every kind listed and no reflector failing
 * for longer than the staleness limit. How stale an answer can be: the
 * watch delivers a change within the API server's own latency; then the
 * publisher includes it within one publish interval (100 ms by default).
 * Thread-safety: start/stop from main; xt_source_api_not_ready and
 * xt_source_api_describe from any thread. */
#ifndef XT_SOURCE_API_H
#define XT_SOURCE_API_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "buf.h"
#include "cache.h"
#include "config.h"
#include "kube_client.h"
#include "metrics.h"
#include "reflector.h"
#include "store.h"

struct xt_source_api {
	struct xt_kube_client client;
	struct xt_store store;
	struct xt_reflector reflectors[XT_KIND_COUNT];
	struct xt_cache *cache;     /* borrowed */
	struct xt_metrics *metrics; /* borrowed */
	atomic_bool stop;
	pthread_t publisher;
	bool publisher_started;
	int publish_interval_ms;
	int max_staleness_s;
	uint64_t published_version;
	char description[1100];
	pthread_mutex_t lock;
};

/* Loads the target (kubeconfig or in-cluster) and starts every thread. */
enum hr_code xt_source_api_start(struct xt_source_api *src, const struct xt_config *cfg,
                                 struct xt_cache *cache, struct xt_metrics *metrics,
                                 struct hr_err *err);
/* Stops and joins every thread, frees the store. */
void xt_source_api_stop(struct xt_source_api *src);

/* NULL when ready, else why not (an xt_ready_fn for the server). */
const char *xt_source_api_not_ready(void *src);

/* Appends /debug/cache's JSON. */
void xt_source_api_describe(void *src, struct hr_buf *out);

#endif
