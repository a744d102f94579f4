/* source_api.c: reflectors, store and publisher. */
#include "source_api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static bool all_synced(struct xt_source_api *src)
{
	for (int k = 0; k < XT_KIND_COUNT; k++)
		if (!xt_store_synced(&src->store, k))
			return false;
	return true;
}

static void publish(struct xt_source_api *src)
{
	uint64_t version = xt_store_version(&src->store);
	if (version == src->published_version || !all_synced(src))
		return;
	struct xt_snap *snap;
	struct hr_err err;
	hr_err_clear(&err);
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (xt_store_snapshot(&src->store, src->description, &snap, &err) != HR_OK) {
		xt_log_error("cannot build a snapshot from the live cache: %s: %s", err.where,
		             err.msg);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	snap->build_seconds =
	    (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	bool first = src->published_version == 0;
	src->published_version = version;
	if (first)
		xt_log_info(
		    "live cache synced: nodes=%zu pods=%zu resourceVersion=%.*s build=%.3fs",
		    snap->snap->n_nodes, snap->snap->n_pods, (int)snap->snap->resource_version.n,
		    snap->snap->resource_version.p, snap->build_seconds);
	else
		atomic_fetch_add(&src->metrics->snapshot_reloads, 1);
	xt_cache_publish(src->cache, snap);
}

static void *publisher(void *arg)
{
	struct xt_source_api *src = arg;
	while (!atomic_load(&src->stop)) {
		publish(src);
		usleep((useconds_t)src->publish_interval_ms * 1000);
	}
	return NULL;
}

enum hr_code xt_source_api_start(struct xt_source_api *src, const struct xt_config *cfg,
                                 struct xt_cache *cache, struct xt_metrics *metrics,
                                 struct hr_err *err)
{
	struct xt_kube_target target;
	memset(src, 0, sizeof(*src));
	pthread_mutex_init(&src->lock, NULL);
	atomic_init(&src->stop, false);
	src->cache = cache;
	src->metrics = metrics;
	src->publish_interval_ms = cfg->publish_interval_ms;
	src->max_staleness_s = cfg->max_staleness_s;
	enum hr_code rc = cfg->kubeconfig
	                      ? xt_kubeconfig_load(cfg->kubeconfig, cfg->context, &target, err)
	                      : xt_kube_in_cluster(cfg->service_account_dir, &target, err);
	if (rc != HR_OK)
		return rc;
	snprintf(src->description, sizeof(src->description), "api:%s", target.server);
	xt_log_info("cluster source: %s (%s)", target.description, target.server);
	if ((rc = xt_kube_client_init(&src->client, &target, &src->stop, err)) != HR_OK) {
		xt_kube_target_fini(&target);
		return rc;
	}
	xt_store_init(&src->store);
	struct xt_reflector_config rcfg = {.page_size = cfg->list_page_size,
	                                   .watch_timeout_s = cfg->watch_timeout_s,
	                                   .backoff_min_ms = 800,
	                                   .backoff_max_ms = cfg->backoff_max_ms,
	                                   .max_event_bytes = 64u << 20};
	for (int k = 0; k < XT_KIND_COUNT; k++) {
		xt_reflector_init(&src->reflectors[k], k, &src->client, &src->store, metrics,
		                  &src->stop, &rcfg);
		if (xt_reflector_start(&src->reflectors[k]) != 0) {
			xt_source_api_stop(src);
			return hr_err_set(err, HR_ENOMEM, NULL, "cannot start a reflector thread");
		}
	}
	src->publisher_started = pthread_create(&src->publisher, NULL, publisher, src) == 0;
	if (!src->publisher_started) {
		xt_source_api_stop(src);
		return hr_err_set(err, HR_ENOMEM, NULL, "cannot start the publisher thread");
	}
	return HR_OK;
}

void xt_source_api_stop(struct xt_source_api *src)
{
	atomic_store(&src->stop, true);
	for (int k = 0; k < XT_KIND_COUNT; k++) {
		xt_reflector_join(&src->reflectors[k]);
		xt_reflector_fini(&src->reflectors[k]);
	}
	if (src->publisher_started)
		pthread_join(src->publisher, NULL);
	src->publisher_started = false;
	xt_store_fini(&src->store);
	xt_kube_client_fini(&src->client);
	pthread_mutex_destroy(&src->lock);
}

const char *xt_source_api_not_ready(void *ctx)
{
	struct xt_source_api *src = ctx;
	for (int k = 0; k < XT_KIND_COUNT; k++) {
		if (!xt_store_synced(&src->store, k))
			return "the cluster has not been listed yet";
		if (xt_reflector_failing_ms(&src->reflectors[k]) >
		    (int64_t)src->max_staleness_s * 1000)
			return "a watch has been failing for longer than --max-staleness-seconds";
	}
	if (src->published_version == 0)
		return "no snapshot published yet";
	return NULL;
}

void xt_source_api_describe(void *ctx, struct hr_buf *out)
{
	struct xt_source_api *src = ctx;
	xt_store_describe(&src->store, out);
}
