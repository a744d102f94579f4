/* metrics.c: Prometheus text exposition. */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

#include "selector.h"

static const char *const route_names[XT_METRICS_ROUTES] = {
    "/filter",    "/capacity",    "/statistics/user/add_pod",
    "/admission", "/healthz",     "/livez",
    "/readyz",    "/metrics",     "/configz",
    "/version",   "/debug/cache", "other"};
static const int codes[XT_METRICS_CODES] = {200, 400, 401, 403, 404, 405,
                                            408, 413, 422, 500, 503, 0 /* other */};
/* seconds: filter answers are sub-millisecond, capacity loops can take seconds */
static const double bounds[XT_METRICS_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

void xt_metrics_init(struct xt_metrics *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < XT_METRICS_ROUTES; i++)
		m->routes[i].route = route_names[i];
}

static struct xt_route_metrics *route_of(struct xt_metrics *m, const char *route)
{
	for (size_t i = 0; i + 1 < XT_METRICS_ROUTES; i++)
		if (route && strcmp(route_names[i], route) == 0)
			return &m->routes[i];
	return &m->routes[XT_METRICS_ROUTES - 1];
}

void xt_metrics_observe(struct xt_metrics *m, const char *route, int status, double seconds)
{
	struct xt_route_metrics *r = route_of(m, route);
	size_t c = XT_METRICS_CODES - 1;
	for (size_t i = 0; i + 1 < XT_METRICS_CODES; i++)
		if (codes[i] == status)
			c = i;
	atomic_fetch_add(&r->by_code[c], 1);
	size_t b = 0;
	while (b < XT_METRICS_BUCKETS && seconds > bounds[b])
		b++;
	if (b < XT_METRICS_BUCKETS)
		atomic_fetch_add(&r->buckets[b], 1);
	atomic_fetch_add(&r->count, 1);
	atomic_fetch_add(&r->sum_us, (unsigned long long)(seconds * 1e6));
}

/* A label value: only backslash, double quote and newline are escaped
 * (Prometheus text format 0.0.4). */
static void label_value(struct hr_buf *b, const char *v)
{
	hr_buf_putc(b, '"');
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			hr_buf_putc(b, '\\');
		if (*v == '\n')
			hr_buf_puts(b, "\\n");
		else
			hr_buf_putc(b, *v);
	}
	hr_buf_putc(b, '"');
}

static const char *const admission_decisions[5] = {"allowed", "warned", "denied", "unchecked",
                                                   "off"};

void xt_metrics_admission(struct xt_metrics *m, const char *decision)
{
	for (size_t i = 0; i < 5; i++)
		if (strcmp(decision, admission_decisions[i]) == 0)
			atomic_fetch_add(&m->admission[i], 1);
}

static void family(struct hr_buf *b, const char *name, const char *type, const char *help)
{
	hr_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void requests(struct xt_metrics *m, struct hr_buf *b)
{
	family(b, "headroom_http_requests_total", "counter",
	       "HTTP requests answered, by route and status code.");
	for (size_t i = 0; i < XT_METRICS_ROUTES; i++)
		for (size_t c = 0; c < XT_METRICS_CODES; c++) {
			unsigned long long v = atomic_load(&m->routes[i].by_code[c]);
			if (!v)
				continue;
			if (codes[c])
				hr_buf_printf(
				    b,
				    "headroom_http_requests_total{route=\"%s\",code=\"%d\"} %llu\n",
				    route_names[i], codes[c], v);
			else
				hr_buf_printf(b,
				              "headroom_http_requests_total{route=\"%s\",code="
				              "\"other\"} %llu\n",
				              route_names[i], v);
		}
}

static void latencies(struct xt_metrics *m, struct hr_buf *b)
{
	family(b, "headroom_http_request_duration_seconds", "histogram",
	       "Time to answer a request, by route.");
	for (size_t i = 0; i < XT_METRICS_ROUTES; i++) {
		struct xt_route_metrics *r = &m->routes[i];
		unsigned long long count = atomic_load(&r->count), cum = 0;
		if (!count)
			continue;
		for (size_t k = 0; k < XT_METRICS_BUCKETS; k++) {
			cum += atomic_load(&r->buckets[k]);
			hr_buf_printf(b,
			              "headroom_http_request_duration_seconds_bucket{route=\"%s\","
			              "le=\"%g\"} %llu\n",
			              r->route, bounds[k], cum);
		}
		hr_buf_printf(b,
		              "headroom_http_request_duration_seconds_bucket{route=\"%s\",le=\"+"
		              "Inf\"} %llu\n",
		              r->route, count);
		hr_buf_printf(b, "headroom_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
		              r->route, (double)atomic_load(&r->sum_us) / 1e6);
		hr_buf_printf(b,
		              "headroom_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
		              r->route, count);
	}
}

static void counter(struct hr_buf *b, const char *name, const char *help, atomic_ullong *v)
{
	family(b, name, "counter", help);
	hr_buf_printf(b, "%s %llu\n", name, atomic_load(v));
}

/* A resourceVersion is opaque to clients, but the API server's are etcd
 * revisions: decimal, growing. As a gauge it shows progress without making a
 * new series per event, as a label would; one that is not a number (or past
 * 2^53, where a double is no longer exact) is left out. */
static bool resource_version_number(struct hr_str rv, double *out)
{
	int64_t n;
	/* digits only: hr_parse_int64 would also take a sign */
	if (rv.n == 0 || rv.n > 15 || rv.p[0] < '0' || rv.p[0] > '9' || !hr_parse_int64(rv, &n))
		return false;
	*out = (double)n;
	return true;
}

static void gauge(struct hr_buf *b, const char *name, const char *help, double v)
{
	family(b, name, "gauge", help);
	hr_buf_printf(b, "%s %.17g\n", name, v);
}

void xt_metrics_render(struct xt_metrics *m, const struct xt_snap *snap, struct hr_buf *b)
{
	family(b, "headroom_build_info", "gauge", "Build information; the value is always 1.");
	hr_buf_printf(b, "headroom_build_info{version=\"%s\",revision=\"%s\"} 1\n", HR_VERSION,
	              HR_GIT_REV);
	requests(m, b);
	latencies(m, b);
	counter(b, "headroom_capacity_answers_total", "Capacity answers computed.",
	        &m->capacity_answers);
	counter(b, "headroom_capacity_coupled_answers_total",
	        "Capacity answers that placed copies one at a time (coupled pods).",
	        &m->capacity_coupled);
	counter(b, "headroom_snapshot_reloads_total", "Snapshots published after the first.",
	        &m->snapshot_reloads);
	counter(b, "headroom_snapshot_reload_failures_total",
	        "Snapshot reloads refused (the old snapshot was kept).",
	        &m->snapshot_reload_failures);
	counter(b, "headroom_tls_reloads_total", "Serving credentials reloaded from disk.",
	        &m->cert_reloads);
	counter(b, "headroom_tls_reload_failures_total",
	        "Credential reloads refused (the old credentials were kept).",
	        &m->cert_reload_failures);
	counter(b, "headroom_watch_restarts_total", "Watch streams restarted.", &m->watch_restarts);
	counter(b, "headroom_relists_total", "Full LISTs after the first.", &m->relists);
	family(b, "headroom_admission_reviews_total", "counter",
	       "Scale-up admission reviews answered, by decision.");
	for (size_t i = 0; i < 5; i++)
		hr_buf_printf(b, "headroom_admission_reviews_total{decision=\"%s\"} %llu\n",
		              admission_decisions[i], atomic_load(&m->admission[i]));
	if (!snap)
		return;
	gauge(b, "headroom_snapshot_nodes", "Nodes in the current snapshot.",
	      (double)snap->snap->n_nodes);
	gauge(b, "headroom_snapshot_pods", "Pods counted on nodes in the current snapshot.",
	      (double)snap->snap->n_pods);
	gauge(b, "headroom_snapshot_age_seconds",
	      "Seconds since the current snapshot was published.", xt_snap_age_seconds(snap));
	gauge(b, "headroom_snapshot_build_seconds", "Time taken to build the current snapshot.",
	      snap->build_seconds);
	gauge(b, "headroom_snapshot_generation", "How many snapshots have been published.",
	      (double)snap->generation);
	double rv;
	if (resource_version_number(snap->snap->resource_version, &rv))
		gauge(b, "headroom_snapshot_resource_version",
		      "The newest resourceVersion the current snapshot holds (an etcd revision).",
		      rv);
	family(b, "headroom_snapshot_info", "gauge",
	       "The current snapshot's source; the value is always 1.");
	hr_buf_puts(b, "headroom_snapshot_info{source=");
	label_value(b, snap->source);
	hr_buf_puts(b, "} 1\n");
}
