/* metrics.h: Prometheus counters and histograms for /metrics (text format
 * 0.0.4). Requests by route and status code, answer latencies per route,
 * capacity answers, snapshot gauges (filled from the cache at scrape time).
 * Thread-safety: observations are atomic; any thread may record or render. */
#ifndef XT_METRICS_H
#define XT_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "buf.h"
#include "cache.h"

#define XT_METRICS_ROUTES  12
#define XT_METRICS_CODES   12
#define XT_METRICS_BUCKETS 14

struct xt_route_metrics {
	const char *route;
	atomic_ullong by_code[XT_METRICS_CODES];   /* indexes of xt_metrics_codes */
	atomic_ullong buckets[XT_METRICS_BUCKETS]; /* non-cumulative counts per bound */
	atomic_ullong count;
	atomic_ullong sum_us; /* latency sum in microseconds */
};

struct xt_metrics {
	struct xt_route_metrics routes[XT_METRICS_ROUTES];
	atomic_ullong capacity_answers;
	atomic_ullong capacity_coupled;
	atomic_ullong snapshot_reloads;
	atomic_ullong snapshot_reload_failures;
	atomic_ullong cert_reloads;
	atomic_ullong cert_reload_failures;
	atomic_ullong watch_restarts;
	atomic_ullong relists;
	atomic_ullong admission[5]; /* allowed, warned, denied, unchecked, off */
};

void xt_metrics_init(struct xt_metrics *m);
/* Records one answered request. Unknown routes count under "other". */
void xt_metrics_observe(struct xt_metrics *m, const char *route, int status, double seconds);
/* Counts one admission decision ("allowed", "warned", "denied", "unchecked", "off"). */
void xt_metrics_admission(struct xt_metrics *m, const char *decision);
/* Renders the exposition text, with gauges from the current snapshot (may be NULL). */
void xt_metrics_render(struct xt_metrics *m, const struct xt_snap *snap, struct hr_buf *out);

#endif
