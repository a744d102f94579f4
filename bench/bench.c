/* bench.c: in-process timings of headroom's hot paths on one cluster file.
 *
 *   headroom-bench --cluster FILE [--pod NAME=FILE ...] [--filter NAME=FILE ...]
 *                  [--runs N] [--slow-runs N]
 *
 * Loads the snapshot the way `headroom serve --snapshot` does (time, RSS),
 * then times xt_capacity_answer for each --pod (the whole per-request work
 * of POST /capacity: parse, admission emulation, count, JSON answer) and
 * hr_extender_filter for each --filter body (the per-request work of
 * POST /filter). Prints one tab-separated row per measurement:
 *   row  name  runs  median_ms  p99_ms  result
 * bench/run.sh turns the rows into the table of bench/RESULTS.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "cache.h"
#include "capacity_api.h"
#include "extender_filter.h"
#include "jsonspan.h"
#include "source_file.h"

#define MAX_CASES 16

struct bench_case {
	const char *name;
	const char *path;
	char *body;
	size_t len;
};

struct bench_args {
	const char *cluster;
	struct bench_case pods[MAX_CASES];
	size_t n_pods;
	struct bench_case filters[MAX_CASES];
	size_t n_filters;
	int runs;      /* for sub-millisecond paths */
	int slow_runs; /* for paths that may take seconds (coupled capacity) */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double percentile(const double *sorted, int n, double p)
{
	int rank = (int)(p / 100.0 * n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

/* VmRSS or VmHWM of this process in MiB, from /proc/self/status. */
static double proc_mib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kib = -1;
	size_t n = strlen(field);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kib = strtod(line + n + 1, NULL);
	fclose(f);
	return kib / 1024.0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "headroom-bench: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap);
	size_t got;
	while (p && (got = fread(p + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			p = realloc(p, cap *= 2);
	}
	fclose(f);
	if (!p) {
		fprintf(stderr, "headroom-bench: out of memory reading %s\n", path);
		exit(2);
	}
	*len = n;
	return p;
}

static void usage(void)
{
	fprintf(stderr, "usage: headroom-bench --cluster FILE [--pod NAME=FILE]... "
	                "[--filter NAME=FILE]... [--runs N] [--slow-runs N]\n");
	exit(2);
}

static void add_case(struct bench_case *cases, size_t *n, const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq || *n == MAX_CASES)
		usage();
	struct bench_case *c = &cases[(*n)++];
	c->name = strndup(spec, (size_t)(eq - spec));
	c->path = eq + 1;
	c->body = read_file(c->path, &c->len);
}

static void free_cases(struct bench_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)cases[i].name);
		free(cases[i].body);
	}
}

static void parse_args(int argc, char **argv, struct bench_args *a)
{
	a->runs = 200;
	a->slow_runs = 3;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		if (!strcmp(argv[i], "--cluster"))
			a->cluster = v;
		else if (!strcmp(argv[i], "--pod"))
			add_case(a->pods, &a->n_pods, v);
		else if (!strcmp(argv[i], "--filter"))
			add_case(a->filters, &a->n_filters, v);
		else if (!strcmp(argv[i], "--runs"))
			a->runs = atoi(v);
		else if (!strcmp(argv[i], "--slow-runs"))
			a->slow_runs = atoi(v);
		else
			usage();
		i++;
	}
	if (!a->cluster || a->runs < 1 || a->slow_runs < 1)
		usage();
}

static void print_row(const char *name, double *ms, int n, const char *result)
{
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	printf("row\t%s\t%d\t%.3f\t%.3f\t%s\n", name, n, percentile(ms, n, 50),
	       percentile(ms, n, 99), result);
	fflush(stdout);
}

static struct xt_snap *load_cluster(const char *path)
{
	struct hr_err err;
	struct xt_snap *snap = NULL;
	hr_err_clear(&err);
	double rss0 = proc_mib("VmRSS");
	double t0 = now_ms();
	if (xt_source_file_load(&path, 1, &snap, &err) != 0) {
		fprintf(stderr, "headroom-bench: %s: %s\n", path, err.msg);
		exit(1);
	}
	double ms = now_ms() - t0;
	char result[160];
	snprintf(result, sizeof(result), "%zu nodes, %zu pods; rss %.0f MiB (+%.0f), peak %.0f MiB",
	         snap->snap->n_nodes, snap->snap->n_pods, proc_mib("VmRSS"),
	         proc_mib("VmRSS") - rss0, proc_mib("VmHWM"));
	print_row("snapshot build", &ms, 1, result);
	return snap;
}

/* Times one capacity question; the first run decides whether it is slow. */
static void bench_capacity(const struct xt_snap *snap, const struct bench_case *c, int runs,
                           int slow_runs)
{
	struct xt_capacity_params params = {.output = XT_OUTPUT_JSON, .per_node = true};
	struct xt_capacity_outcome outcome = {0};
	struct hr_buf out;
	struct hr_err err;
	double *ms = calloc((size_t)runs, sizeof(*ms));
	int n = 0;
	hr_buf_init(&out, (size_t)1 << 30);
	for (int i = 0; i < runs; i++) {
		hr_buf_reset(&out);
		hr_err_clear(&err);
		double t0 = now_ms();
		enum hr_code rc =
		    xt_capacity_answer(snap, c->body, c->len, &params, &out, &outcome, &err);
		ms[n++] = now_ms() - t0;
		if (rc != HR_OK) {
			fprintf(stderr, "headroom-bench: %s: %s\n", c->path, err.msg);
			exit(1);
		}
		if (ms[0] > 50 && n >= slow_runs)
			break;
	}
	char result[160], name[96];
	snprintf(result, sizeof(result), "count %lld%s%s", (long long)outcome.count,
	         outcome.coupled ? ", coupled" : "", outcome.limited ? ", limited" : "");
	snprintf(name, sizeof(name), "capacity %s", c->name);
	print_row(name, ms, n, result);
	hr_buf_fini(&out);
	free(ms);
}

static void bench_filter(const struct xt_snap *snap, const struct bench_case *c, int runs)
{
	struct hr_filter_stats stats;
	struct hr_arena arena;
	struct hr_buf out;
	struct hr_err err;
	double *ms = calloc((size_t)runs, sizeof(*ms));
	hr_buf_init(&out, (size_t)1 << 30);
	for (int i = 0; i < runs; i++) {
		hr_arena_init(&arena, NULL, 0);
		hr_buf_reset(&out);
		hr_err_clear(&err);
		memset(&stats, 0, sizeof(stats));
		double t0 = now_ms();
		enum hr_code rc =
		    hr_extender_filter(snap->snap, c->body, c->len, &arena, &out, &stats, &err);
		ms[i] = now_ms() - t0;
		hr_arena_fini(&arena);
		if (rc != HR_OK) {
			fprintf(stderr, "headroom-bench: %s: %s\n", c->path, err.msg);
			exit(1);
		}
	}
	char result[160], name[96];
	snprintf(result, sizeof(result), "%zu of %zu nodes pass; request %.1f KiB, answer %.1f KiB",
	         stats.nodes_passed, stats.nodes_in, (double)c->len / 1024.0,
	         (double)out.len / 1024.0);
	snprintf(name, sizeof(name), "filter %s", c->name);
	print_row(name, ms, runs, result);
	/* The floor for this body: one validating pass over its bytes. */
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		if (hr_json_skip(c->body, c->len, 64, NULL, NULL) == HR_JSON_INVALID)
			exit(1);
		ms[i] = now_ms() - t0;
	}
	snprintf(name, sizeof(name), "scan %s", c->name);
	snprintf(result, sizeof(result), "one validating pass over the request (the floor)");
	print_row(name, ms, runs, result);
	hr_buf_fini(&out);
	free(ms);
}

int main(int argc, char **argv)
{
	struct bench_args a = {0};
	parse_args(argc, argv, &a);
	struct xt_snap *snap = load_cluster(a.cluster);
	for (size_t i = 0; i < a.n_pods; i++)
		bench_capacity(snap, &a.pods[i], a.runs, a.slow_runs);
	for (size_t i = 0; i < a.n_filters; i++)
		bench_filter(snap, &a.filters[i], a.runs);
	xt_snap_release(snap);
	free_cases(a.pods, a.n_pods);
	free_cases(a.filters, a.n_filters);
	return 0;
}
