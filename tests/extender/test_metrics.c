/* test_metrics.c: extender/metrics.h, Prometheus text exposition (format 0.0.4). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "source_file.h"
#include "support.h"

/* ---- a Prometheus text-format checker ----
 * What it enforces (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * every family opens with "# HELP name text" then "# TYPE name type", before its samples,
 * and its samples are contiguous; names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
 * [a-zA-Z_][a-zA-Z0-9_]*; label values are quoted with only \\, \" and \n escapes; a sample
 * belongs to the open family (histograms: name_bucket with le, name_sum, name_count); no
 * name+labels twice; a histogram's buckets have increasing le, non-decreasing counts, end at
 * le="+Inf", and +Inf equals _count; the text ends with a newline. */

#define CHK_MAX_SERIES 512
#define CHK_MAX_LABELS 8
#define CHK_KEY        512

struct chk_hist {
	char family[128];
	char labels[CHK_KEY]; /* canonical labels without le */
	double last_le, last_count, inf_count, count;
	bool has_inf, has_count, has_sum, has_bucket;
};

struct checker {
	char why[512];
	char family[128];
	char type[16];
	char families[64][128];
	size_t n_families;
	char series[CHK_MAX_SERIES][CHK_KEY];
	size_t n_series;
	struct chk_hist hist[CHK_MAX_SERIES];
	size_t n_hist;
};

static bool chk_fail(struct checker *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool chk_fail(struct checker *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->why, sizeof(c->why), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(c->why + n, sizeof(c->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static bool is_name_start(char ch, bool colon)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
	       (colon && ch == ':');
}

static bool is_name_char(char ch, bool colon)
{
	return is_name_start(ch, colon) || (ch >= '0' && ch <= '9');
}

/* Reads a metric name (colon allowed) or label name at *p into out. */
static bool read_name(const char **p, char *out, size_t out_size, bool colon)
{
	const char *s = *p;
	if (!is_name_start(*s, colon))
		return false;
	size_t n = 0;
	while (is_name_char(s[n], colon))
		n++;
	if (n >= out_size)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return true;
}

/* A sample value: a Go float ("1", "0.5", "1e-05", "+Inf", "-Inf", "NaN"). */
static bool read_value(const char *s, size_t n, double *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!strcmp(tmp, "+Inf") || !strcmp(tmp, "-Inf") || !strcmp(tmp, "NaN")) {
		*out = !strcmp(tmp, "NaN") ? NAN : (tmp[0] == '+' ? INFINITY : -INFINITY);
		return true;
	}
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789.eE+-", tmp[i]))
			return false;
	char *end;
	*out = strtod(tmp, &end);
	return *end == '\0';
}

struct chk_label {
	char name[64];
	char value[256]; /* unescaped */
};

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct chk_label *)a)->name, ((const struct chk_label *)b)->name);
}

/* Parses {a="x",b="y"} at *p. */
static bool read_labels(struct checker *c, int line, const char **p, struct chk_label *labels,
                        size_t *n_labels)
{
	const char *s = *p;
	*n_labels = 0;
	if (*s != '{')
		return true;
	s++;
	while (*s != '}') {
		if (*n_labels == CHK_MAX_LABELS)
			return chk_fail(c, line, "too many labels");
		struct chk_label *l = &labels[(*n_labels)++];
		if (!read_name(&s, l->name, sizeof(l->name), false))
			return chk_fail(c, line, "bad label name at \"%.20s\"", s);
		if (!strncmp(l->name, "__", 2))
			return chk_fail(c, line, "reserved label name %s", l->name);
		if (*s++ != '=' || *s++ != '"')
			return chk_fail(c, line, "label %s: want =\"", l->name);
		size_t n = 0;
		while (*s != '"') {
			char ch = *s++;
			if (ch == '\0' || ch == '\n')
				return chk_fail(c, line, "label %s: unterminated value", l->name);
			if (ch == '\\') {
				char e = *s++;
				if (e == '\\' || e == '"')
					ch = e;
				else if (e == 'n')
					ch = '\n';
				else
					return chk_fail(c, line, "label %s: invalid escape \\%c",
					                l->name, e);
			}
			if (n + 1 >= sizeof(l->value))
				return chk_fail(c, line, "label %s: value too long", l->name);
			l->value[n++] = ch;
		}
		l->value[n] = '\0';
		s++; /* closing quote */
		if (*s == ',')
			s++;
		else if (*s != '}')
			return chk_fail(c, line, "after label %s: want , or }", l->name);
	}
	*p = s + 1;
	for (size_t i = 0; i < *n_labels; i++)
		for (size_t k = i + 1; k < *n_labels; k++)
			if (!strcmp(labels[i].name, labels[k].name))
				return chk_fail(c, line, "label %s twice", labels[i].name);
	return true;
}

/* "name{a=...,b=...}" with labels sorted by name, le left out when skip_le. */
static void canonical(char *out, size_t size, const char *name, struct chk_label *labels,
                      size_t n_labels, bool skip_le)
{
	struct chk_label sorted[CHK_MAX_LABELS];
	memcpy(sorted, labels, n_labels * sizeof(*labels));
	qsort(sorted, n_labels, sizeof(*sorted), label_cmp);
	size_t n = (size_t)snprintf(out, size, "%s{", name);
	for (size_t i = 0; i < n_labels && n < size; i++) {
		if (skip_le && !strcmp(sorted[i].name, "le"))
			continue;
		n += (size_t)snprintf(out + n, size - n, "%s=%s\x1f", sorted[i].name,
		                      sorted[i].value);
	}
	if (n < size)
		snprintf(out + n, size - n, "}");
}

static struct chk_hist *hist_of(struct checker *c, const char *labels)
{
	for (size_t i = 0; i < c->n_hist; i++)
		if (!strcmp(c->hist[i].family, c->family) && !strcmp(c->hist[i].labels, labels))
			return &c->hist[i];
	if (c->n_hist == CHK_MAX_SERIES)
		return NULL;
	struct chk_hist *h = &c->hist[c->n_hist++];
	memset(h, 0, sizeof(*h));
	snprintf(h->family, sizeof(h->family), "%s", c->family);
	snprintf(h->labels, sizeof(h->labels), "%s", labels);
	h->last_le = -INFINITY;
	return h;
}

static bool has_suffix(const char *s, const char *suffix, char *base, size_t base_size)
{
	size_t n = strlen(s), k = strlen(suffix);
	if (n <= k || strcmp(s + n - k, suffix) != 0 || n - k >= base_size)
		return false;
	memcpy(base, s, n - k);
	base[n - k] = '\0';
	return true;
}

static bool check_sample(struct checker *c, int line, const char *text)
{
	char name[128];
	struct chk_label labels[CHK_MAX_LABELS];
	size_t n_labels;
	const char *p = text;
	if (!read_name(&p, name, sizeof(name), true))
		return chk_fail(c, line, "bad metric name in \"%.40s\"", text);
	if (!read_labels(c, line, &p, labels, &n_labels))
		return false;
	if (*p++ != ' ')
		return chk_fail(c, line, "want one space before the value");
	const char *v = p;
	while (*p && *p != ' ')
		p++;
	double value;
	if (!read_value(v, (size_t)(p - v), &value))
		return chk_fail(c, line, "bad value \"%.*s\"", (int)(p - v), v);
	if (*p == ' ') { /* an optional timestamp: an integer */
		p++;
		if (!*p)
			return chk_fail(c, line, "trailing space");
		for (; *p; p++)
			if (!((*p >= '0' && *p <= '9') || *p == '-'))
				return chk_fail(c, line, "bad timestamp");
	}
	if (!c->family[0])
		return chk_fail(c, line, "sample %s before any # HELP / # TYPE", name);

	char key[CHK_KEY];
	canonical(key, sizeof(key), name, labels, n_labels, false);
	for (size_t i = 0; i < c->n_series; i++)
		if (!strcmp(c->series[i], key))
			return chk_fail(c, line, "series %s twice", name);
	if (c->n_series == CHK_MAX_SERIES)
		return chk_fail(c, line, "too many series for the checker");
	snprintf(c->series[c->n_series++], CHK_KEY, "%s", key);

	if (strcmp(c->type, "histogram") != 0) {
		if (strcmp(name, c->family) != 0)
			return chk_fail(c, line, "sample %s outside its family (open: %s)", name,
			                c->family);
		if (!strcmp(c->type, "counter") && !(value >= 0))
			return chk_fail(c, line, "counter %s is %g", name, value);
		return true;
	}
	char base[128];
	char series_labels[CHK_KEY];
	canonical(series_labels, sizeof(series_labels), "", labels, n_labels, true);
	struct chk_hist *h = hist_of(c, series_labels);
	if (!h)
		return chk_fail(c, line, "too many histograms for the checker");
	if (has_suffix(name, "_bucket", base, sizeof(base)) && !strcmp(base, c->family)) {
		const char *le = NULL;
		for (size_t i = 0; i < n_labels; i++)
			if (!strcmp(labels[i].name, "le"))
				le = labels[i].value;
		double bound;
		if (!le || !read_value(le, strlen(le), &bound) || isnan(bound))
			return chk_fail(c, line, "bucket without a valid le");
		if (h->has_inf)
			return chk_fail(c, line, "bucket after le=\"+Inf\"");
		if (bound <= h->last_le)
			return chk_fail(c, line, "le=%s does not increase", le);
		if (h->has_bucket && value < h->last_count)
			return chk_fail(c, line, "bucket le=%s: %g < %g, not cumulative", le, value,
			                h->last_count);
		h->has_bucket = true;
		h->last_le = bound;
		h->last_count = value;
		if (isinf(bound)) {
			h->has_inf = true;
			h->inf_count = value;
		}
		return true;
	}
	if (has_suffix(name, "_count", base, sizeof(base)) && !strcmp(base, c->family)) {
		h->has_count = true;
		h->count = value;
		return true;
	}
	if (has_suffix(name, "_sum", base, sizeof(base)) && !strcmp(base, c->family)) {
		h->has_sum = true;
		return true;
	}
	return chk_fail(c, line, "sample %s outside histogram %s", name, c->family);
}

static bool check_histograms(struct checker *c)
{
	for (size_t i = 0; i < c->n_hist; i++) {
		struct chk_hist *h = &c->hist[i];
		if (!h->has_inf)
			return chk_fail(c, 0, "histogram %s%s has no le=\"+Inf\"", h->family,
			                h->labels);
		if (!h->has_count || !h->has_sum)
			return chk_fail(c, 0, "histogram %s%s lacks _count or _sum", h->family,
			                h->labels);
		if (h->inf_count != h->count)
			return chk_fail(c, 0, "histogram %s%s: +Inf %g != _count %g", h->family,
			                h->labels, h->inf_count, h->count);
	}
	return true;
}

/* HELP/TYPE lines. */
static bool check_comment(struct checker *c, int line, const char *text, bool *want_type)
{
	bool help = !strncmp(text, "# HELP ", 7), type = !strncmp(text, "# TYPE ", 7);
	if (!help && !type) {
		if (*want_type)
			return chk_fail(c, line, "# HELP not followed by # TYPE");
		return true; /* another comment */
	}
	const char *p = text + 7;
	char name[128];
	if (!read_name(&p, name, sizeof(name), true) || (*p != ' '))
		return chk_fail(c, line, "bad family name");
	p++;
	if (help) {
		if (*want_type)
			return chk_fail(c, line, "# HELP not followed by # TYPE");
		for (size_t i = 0; i < c->n_families; i++)
			if (!strcmp(c->families[i], name))
				return chk_fail(c, line, "family %s twice", name);
		for (const char *q = p; *q; q++)
			if (*q == '\\' && q[1] != '\\' && q[1] != 'n')
				return chk_fail(c, line, "HELP %s: invalid escape", name);
		if (!*p)
			return chk_fail(c, line, "HELP %s: empty text", name);
		snprintf(c->families[c->n_families++], sizeof(c->families[0]), "%s", name);
		snprintf(c->family, sizeof(c->family), "%s", name);
		c->type[0] = '\0';
		*want_type = true;
		return true;
	}
	if (!*want_type || strcmp(name, c->family) != 0)
		return chk_fail(c, line, "# TYPE %s not right after its # HELP", name);
	if (strcmp(p, "counter") && strcmp(p, "gauge") && strcmp(p, "histogram") &&
	    strcmp(p, "summary") && strcmp(p, "untyped"))
		return chk_fail(c, line, "unknown type \"%s\"", p);
	snprintf(c->type, sizeof(c->type), "%s", p);
	*want_type = false;
	return true;
}

/* Checks a whole exposition; on failure c->why says where. c must be zeroed. */
static bool prom_check(struct checker *c, const char *text, size_t len)
{
	if (len == 0)
		return chk_fail(c, 0, "empty exposition");
	if (text[len - 1] != '\n')
		return chk_fail(c, 0, "the last line does not end with \\n");
	if (strlen(text) != len)
		return chk_fail(c, 0, "NUL byte in the text");
	bool want_type = false;
	int line = 0;
	for (const char *p = text; p < text + len;) {
		const char *nl = strchr(p, '\n');
		char buf[1024];
		size_t n = (size_t)(nl - p);
		line++;
		if (n >= sizeof(buf))
			return chk_fail(c, line, "line too long for the checker");
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = nl + 1;
		if (n == 0)
			return chk_fail(c, line, "empty line");
		bool ok = buf[0] == '#' ? check_comment(c, line, buf, &want_type)
		                        : (want_type ? chk_fail(c, line, "sample before # TYPE")
		                                     : check_sample(c, line, buf));
		if (!ok)
			return false;
	}
	if (want_type)
		return chk_fail(c, line, "# HELP at the end without # TYPE");
	return check_histograms(c);
}

/* ---- helpers ---- */

static void assert_valid(const struct hr_buf *b)
{
	assert_true(hr_buf_ok(b));
	assert_non_null(b->p);
	struct checker *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	if (!prom_check(c, b->p, b->len)) {
		fprintf(stderr, "%s\n", b->p);
		char why[sizeof(c->why)];
		memcpy(why, c->why, sizeof(why));
		free(c);
		fail_msg("invalid exposition: %s", why);
	}
	free(c);
}

static bool checker_accepts(const char *text)
{
	struct checker *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	bool ok = prom_check(c, text, strlen(text));
	free(c);
	return ok;
}

static void render(struct xt_metrics *m, const struct xt_snap *snap, struct hr_buf *b)
{
	hr_buf_init(b, 1u << 20);
	xt_metrics_render(m, snap, b);
	assert_valid(b);
}

/* The line "<series> <value>" (series with its labels, exactly as rendered). */
static const char *find_series(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, series, n) && p[n] == ' ')
			return p + n + 1;
	return NULL;
}

static double value_of(const char *text, const char *series)
{
	const char *v = find_series(text, series);
	if (!v)
		fail_msg("no series %s", series);
	return strtod(v, NULL);
}

static void assert_value(const char *text, const char *series, double want)
{
	double got = value_of(text, series);
	if (got != want)
		fail_msg("%s is %.17g, want %.17g", series, got, want);
}

static void assert_absent(const char *text, const char *series)
{
	if (find_series(text, series))
		fail_msg("series %s should not be there", series);
}

static const char *const le_labels[] = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025",
                                        "0.005",  "0.01",    "0.025",  "0.05",  "0.1",
                                        "0.25",   "0.5",     "1",      "5",     "+Inf"};

/* Asserts the cumulative bucket counts of a route's histogram (15 values, +Inf last). */
static void assert_buckets(const char *text, const char *route, const unsigned want[15])
{
	for (size_t i = 0; i < 15; i++) {
		char series[160];
		snprintf(series, sizeof(series),
		         "headroom_http_request_duration_seconds_bucket{route=\"%s\",le=\"%s\"}",
		         route, le_labels[i]);
		assert_value(text, series, want[i]);
	}
}

/* ---- the checker itself ---- */

static void test_checker_accepts_valid_text(void **state)
{
	(void)state;
	assert_true(checker_accepts("# HELP a_total Things.\n# TYPE a_total counter\n"
	                            "a_total{x=\"1\",y=\"q\\\"\\\\\\n\"} 3\n"
	                            "# HELP g A gauge.\n# TYPE g gauge\ng 1.5e-05\n"
	                            "# HELP h Latency.\n# TYPE h histogram\n"
	                            "h_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
	                            "h_sum 0.3\nh_count 2\n"));
	/* a family may have no samples */
	assert_true(checker_accepts("# HELP a_total Things.\n# TYPE a_total counter\n"));
}

static void test_checker_rejects_broken_text(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "a 1\n",                                                    /* no HELP/TYPE */
	    "# HELP a x\na 1\n",                                        /* no TYPE */
	    "# TYPE a gauge\n# HELP a x\na 1\n",                        /* TYPE before HELP */
	    "# HELP a x\n# TYPE a gauge\na 1",                          /* no final newline */
	    "# HELP 1a x\n# TYPE 1a gauge\n1a 1\n",                     /* bad name */
	    "# HELP a x\n# TYPE a gauge\na{1x=\"v\"} 1\n",              /* bad label name */
	    "# HELP a x\n# TYPE a gauge\na{x=v} 1\n",                   /* unquoted value */
	    "# HELP a x\n# TYPE a gauge\na{x=\"v\\t\"} 1\n",            /* invalid escape */
	    "# HELP a x\n# TYPE a gauge\na{x=\"v\" 1\n",                /* unclosed labels */
	    "# HELP a x\n# TYPE a gauge\na 1\na 2\n",                   /* duplicate series */
	    "# HELP a x\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",       /* duplicate label */
	    "# HELP a x\n# TYPE a gauge\nb 1\n",                        /* outside its family */
	    "# HELP a x\n# TYPE a gauge\na one\n",                      /* bad value */
	    "# HELP a x\n# TYPE a gauge\n# HELP a y\n# TYPE a gauge\n", /* family twice */
	    "# HELP a x\n# TYPE a widget\n",                            /* unknown type */
	    "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\n"
	    "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n", /* not cumulative */
	    "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n", /* no
	                                                                                       +Inf
	                                                                                   */
	    "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
	    "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n"
	    "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", /* le decreasing */
	    "# HELP a x\n# TYPE a counter\na -1\n",          /* negative counter */
	    "# HELP a x\n# TYPE a gauge\n\na 1\n",           /* empty line */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (checker_accepts(bad[i]))
			fail_msg("the checker accepted bad case %zu: %s", i, bad[i]);
}

/* ---- rendering ---- */

static void test_metrics_fresh_render_is_valid(void **state)
{
	(void)state;
	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	render(&m, NULL, &b);
	assert_true(b.p[b.len - 1] == '\n');
	/* build info carries the VERSION file's version */
	char *version = hr_test_read_file("VERSION", NULL);
	version[strcspn(version, "\r\n")] = '\0';
	char want[128];
	snprintf(want, sizeof(want), "headroom_build_info{version=\"%s\",revision=\"", version);
	free(version);
	assert_non_null(strstr(b.p, want));
	/* counters start at zero and are always present */
	assert_value(b.p, "headroom_capacity_answers_total", 0);
	assert_value(b.p, "headroom_capacity_coupled_answers_total", 0);
	assert_value(b.p, "headroom_snapshot_reloads_total", 0);
	assert_value(b.p, "headroom_snapshot_reload_failures_total", 0);
	assert_value(b.p, "headroom_tls_reloads_total", 0);
	assert_value(b.p, "headroom_tls_reload_failures_total", 0);
	assert_value(b.p, "headroom_watch_restarts_total", 0);
	assert_value(b.p, "headroom_relists_total", 0);
	/* the request families are announced even with no samples */
	assert_non_null(strstr(b.p, "# TYPE headroom_http_requests_total counter\n"));
	assert_non_null(strstr(b.p, "# TYPE headroom_http_request_duration_seconds histogram\n"));
	assert_null(strstr(b.p, "headroom_http_requests_total{"));
	assert_null(strstr(b.p, "headroom_http_request_duration_seconds_bucket{"));
	/* no snapshot, no snapshot gauges */
	assert_null(strstr(b.p, "headroom_snapshot_nodes"));
	assert_null(strstr(b.p, "headroom_snapshot_info"));
	hr_buf_fini(&b);
}

static void test_metrics_requests_counted_by_route_and_code(void **state)
{
	(void)state;
	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	xt_metrics_observe(&m, "/filter", 200, 0.0003);
	xt_metrics_observe(&m, "/filter", 200, 0.0004);
	xt_metrics_observe(&m, "/filter", 400, 0.0001);
	xt_metrics_observe(&m, "/capacity", 413, 0.002);
	xt_metrics_observe(&m, "/statistics/user/add_pod", 200, 0.01);
	xt_metrics_observe(&m, "/readyz", 503, 0.00001);
	render(&m, NULL, &b);
	assert_value(b.p, "headroom_http_requests_total{route=\"/filter\",code=\"200\"}", 2);
	assert_value(b.p, "headroom_http_requests_total{route=\"/filter\",code=\"400\"}", 1);
	assert_value(b.p, "headroom_http_requests_total{route=\"/capacity\",code=\"413\"}", 1);
	assert_value(
	    b.p, "headroom_http_requests_total{route=\"/statistics/user/add_pod\",code=\"200\"}",
	    1);
	assert_value(b.p, "headroom_http_requests_total{route=\"/readyz\",code=\"503\"}", 1);
	assert_absent(b.p, "headroom_http_requests_total{route=\"/filter\",code=\"500\"}");
	assert_absent(b.p, "headroom_http_requests_total{route=\"/capacity\",code=\"200\"}");
	assert_value(b.p, "headroom_http_request_duration_seconds_count{route=\"/filter\"}", 3);
	assert_value(b.p, "headroom_http_request_duration_seconds_count{route=\"/capacity\"}", 1);
	/* routes without requests have no histogram */
	assert_absent(b.p, "headroom_http_request_duration_seconds_count{route=\"/healthz\"}");
	hr_buf_fini(&b);
}

static void test_metrics_every_known_code_has_its_label(void **state)
{
	(void)state;
	static const int known[] = {200, 400, 401, 403, 404, 405, 408, 413, 422, 500, 503};
	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		for (size_t k = 0; k <= i; k++)
			xt_metrics_observe(&m, "/metrics", known[i], 0.001);
	render(&m, NULL, &b);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		char series[128];
		snprintf(series, sizeof(series),
		         "headroom_http_requests_total{route=\"/metrics\",code=\"%d\"}", known[i]);
		assert_value(b.p, series, (double)(i + 1));
	}
	assert_absent(b.p, "headroom_http_requests_total{route=\"/metrics\",code=\"other\"}");
	hr_buf_fini(&b);
}

static void test_metrics_unknown_route_and_code_count_as_other(void **state)
{
	(void)state;
	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	xt_metrics_observe(&m, "/nope", 404, 0.001);
	xt_metrics_observe(&m, NULL, 404, 0.001);
	xt_metrics_observe(&m, "/filter", 302, 0.001);
	xt_metrics_observe(&m, "/filter", 0, 0.001);
	xt_metrics_observe(&m, "/FILTER", 200, 0.001); /* routes are case-sensitive */
	render(&m, NULL, &b);
	assert_value(b.p, "headroom_http_requests_total{route=\"other\",code=\"404\"}", 2);
	assert_value(b.p, "headroom_http_requests_total{route=\"other\",code=\"200\"}", 1);
	assert_value(b.p, "headroom_http_requests_total{route=\"/filter\",code=\"other\"}", 2);
	assert_value(b.p, "headroom_http_request_duration_seconds_count{route=\"other\"}", 3);
	assert_absent(b.p, "headroom_http_requests_total{route=\"/nope\",code=\"404\"}");
	hr_buf_fini(&b);
}

static void test_metrics_bucket_placement(void **state)
{
	(void)state;
	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	/* a bucket holds values <= its bound */
	const double seconds[] = {
	    0,       /* le 0.0001 */
	    0.0001,  /* le 0.0001: on the bound */
	    0.00011, /* le 0.00025 */
	    0.001,   /* le 0.001: on the bound */
	    0.0011,  /* le 0.0025 */
	    0.3,     /* le 0.5 */
	    0.7,     /* le 1 */
	    5,       /* le 5: on the bound */
	    5.5,     /* only +Inf */
	    120,     /* only +Inf */
	};
	for (size_t i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++)
		xt_metrics_observe(&m, "/capacity", 200, seconds[i]);
	render(&m, NULL, &b);
	/*                          .0001 .00025 .0005 .001 .0025 .005 .01 .025 .05 .1 .25 .5 1 5
	 * +Inf */
	const unsigned want[15] = {2, 3, 3, 4, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 10};
	assert_buckets(b.p, "/capacity", want);
	assert_value(b.p, "headroom_http_request_duration_seconds_count{route=\"/capacity\"}", 10);
	double sum =
	    value_of(b.p, "headroom_http_request_duration_seconds_sum{route=\"/capacity\"}");
	double want_sum = 0;
	for (size_t i = 0; i < sizeof(seconds) / sizeof(seconds[0]); i++)
		want_sum += seconds[i];
	/* the sum is kept in whole microseconds */
	assert_true(fabs(sum - want_sum) <= 10e-6);
	hr_buf_fini(&b);
}

static void test_metrics_bucket_edges_of_every_bound(void **state)
{
	(void)state;
	static const double bounds[14] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	                                  0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};
	for (size_t k = 0; k < 14; k++) {
		struct xt_metrics m;
		struct hr_buf b;
		xt_metrics_init(&m);
		xt_metrics_observe(&m, "/filter", 200, bounds[k]);                      /* in k */
		xt_metrics_observe(&m, "/filter", 200, nextafter(bounds[k], INFINITY)); /* k+1 */
		render(&m, NULL, &b);
		unsigned want[15];
		for (size_t i = 0; i < 15; i++)
			want[i] = i < k ? 0 : (i == k ? 1 : 2);
		assert_buckets(b.p, "/filter", want);
		hr_buf_fini(&b);
	}
}

static void test_metrics_sum_in_seconds(void **state)
{
	(void)state;
	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	xt_metrics_observe(&m, "/filter", 200, 0.25);
	xt_metrics_observe(&m, "/filter", 200, 0.5);
	xt_metrics_observe(&m, "/filter", 200, 2);
	render(&m, NULL, &b);
	assert_value(b.p, "headroom_http_request_duration_seconds_sum{route=\"/filter\"}", 2.75);
	hr_buf_fini(&b);
}

static void test_metrics_counters_move_by_exact_amounts(void **state)
{
	(void)state;
	struct xt_metrics m;
	struct hr_buf before, after;
	xt_metrics_init(&m);
	xt_metrics_observe(&m, "/capacity", 200, 0.01);
	render(&m, NULL, &before);
	for (int i = 0; i < 37; i++)
		xt_metrics_observe(&m, "/capacity", 200, 0.01);
	atomic_fetch_add(&m.capacity_answers, 5);
	atomic_fetch_add(&m.capacity_coupled, 2);
	atomic_fetch_add(&m.snapshot_reloads, 3);
	atomic_fetch_add(&m.snapshot_reload_failures, 1);
	atomic_fetch_add(&m.cert_reloads, 4);
	atomic_fetch_add(&m.cert_reload_failures, 6);
	atomic_fetch_add(&m.watch_restarts, 7);
	atomic_fetch_add(&m.relists, 8);
	render(&m, NULL, &after);
	const char *req = "headroom_http_requests_total{route=\"/capacity\",code=\"200\"}";
	assert_value(before.p, req, 1);
	assert_value(after.p, req, 38);
	assert_value(after.p, "headroom_http_request_duration_seconds_count{route=\"/capacity\"}",
	             38);
	assert_value(after.p, "headroom_capacity_answers_total", 5);
	assert_value(after.p, "headroom_capacity_coupled_answers_total", 2);
	assert_value(after.p, "headroom_snapshot_reloads_total", 3);
	assert_value(after.p, "headroom_snapshot_reload_failures_total", 1);
	assert_value(after.p, "headroom_tls_reloads_total", 4);
	assert_value(after.p, "headroom_tls_reload_failures_total", 6);
	assert_value(after.p, "headroom_watch_restarts_total", 7);
	assert_value(after.p, "headroom_relists_total", 8);
	hr_buf_fini(&before);
	hr_buf_fini(&after);
}

static void test_metrics_every_route_renders_valid(void **state)
{
	(void)state;
	static const char *const routes[] = {
	    "/filter",    "/capacity",    "/statistics/user/add_pod",
	    "/admission", "/healthz",     "/livez",
	    "/readyz",    "/metrics",     "/configz",
	    "/version",   "/debug/cache", "/unknown"};
	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		xt_metrics_observe(&m, routes[i], 200, 0.001 * (double)i);
		xt_metrics_observe(&m, routes[i], 500, 10);
		xt_metrics_observe(&m, routes[i], 999, 0);
	}
	render(&m, NULL, &b);
	assert_value(b.p, "headroom_http_request_duration_seconds_count{route=\"/version\"}", 3);
	assert_value(b.p, "headroom_http_request_duration_seconds_count{route=\"other\"}", 3);
	assert_value(b.p, "headroom_http_requests_total{route=\"/admission\",code=\"other\"}", 1);
	hr_buf_fini(&b);
}

/* ---- with a snapshot ---- */

static struct xt_snap *load_example(void)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/examples/clusters/eks-2node-t3small.json", hr_test_top());
	const char *paths[] = {path};
	struct xt_snap *s = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	if (xt_source_file_load(paths, 1, &s, &err) != HR_OK)
		fail_msg("cannot load the example: %s: %s", err.where, err.msg);
	return s;
}

static void test_metrics_snapshot_gauges(void **state)
{
	(void)state;
	struct xt_cache cache;
	xt_cache_init(&cache);
	struct xt_snap *first = load_example();
	xt_cache_publish(&cache, first);
	struct xt_snap *s = load_example();
	xt_cache_publish(&cache, s); /* generation 2 */
	struct xt_snap *held = xt_cache_acquire(&cache);

	struct xt_metrics m;
	struct hr_buf b;
	xt_metrics_init(&m);
	xt_metrics_observe(&m, "/filter", 200, 0.001);
	render(&m, held, &b);
	assert_value(b.p, "headroom_snapshot_nodes", 2);
	assert_value(b.p, "headroom_snapshot_pods", 6);
	assert_value(b.p, "headroom_snapshot_generation", 2);
	assert_value(b.p, "headroom_snapshot_build_seconds", held->build_seconds);
	double age = value_of(b.p, "headroom_snapshot_age_seconds");
	assert_true(age >= 0 && age < 60);
	char info[4400];
	snprintf(info, sizeof(info), "headroom_snapshot_info{source=\"%s\"}", held->source);
	assert_value(b.p, info, 1);
	/* a file snapshot has no resourceVersion: no gauge for it */
	assert_null(strstr(b.p, "headroom_snapshot_resource_version"));
	assert_non_null(strstr(b.p, "# TYPE headroom_snapshot_nodes gauge\n"));
	/* the same text without a snapshot lacks exactly the snapshot families */
	struct hr_buf without;
	render(&m, NULL, &without);
	assert_true(without.len < b.len);
	assert_memory_equal(without.p, b.p, without.len);
	assert_true(!strncmp(b.p + without.len, "# HELP headroom_snapshot_nodes ", 31));
	hr_buf_fini(&without);
	hr_buf_fini(&b);
	xt_snap_release(held);
	xt_cache_fini(&cache);
}

/* Label values are escaped as the text format wants: \\, \" and \n, nothing else. */
static void test_metrics_snapshot_labels_escaped(void **state)
{
	(void)state;
	struct xt_snap *s = load_example();
	static const char *const sources[] = {
	    "file:/tmp/quote\"d.json", "file:C:\\snap.json", "file:/tmp/new\nline.json",
	    "file:/tmp/caf\xc3\xa9.json", "file:/tmp/tab\there.json"};
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		snprintf(s->source, sizeof(s->source), "%s", sources[i]);
		struct xt_metrics m;
		struct hr_buf b;
		xt_metrics_init(&m);
		hr_buf_init(&b, 1u << 20);
		xt_metrics_render(&m, s, &b);
		struct checker *c = calloc(1, sizeof(*c));
		assert_non_null(c);
		bool ok = prom_check(c, b.p, b.len);
		char why[sizeof(c->why)];
		memcpy(why, c->why, sizeof(why));
		free(c);
		hr_buf_fini(&b);
		if (!ok) {
			xt_snap_release(s);
			fail_msg("source \"%s\": %s", sources[i], why);
		}
	}
	xt_snap_release(s);
}

/* ---- threads ---- */

#define OBSERVERS    4
#define OBSERVATIONS 20000

static void *observer(void *arg)
{
	struct xt_metrics *m = arg;
	for (int i = 0; i < OBSERVATIONS; i++)
		xt_metrics_observe(m, (i & 1) ? "/filter" : "/capacity", 200, 0.002);
	return NULL;
}

static void test_metrics_observe_from_many_threads(void **state)
{
	(void)state;
	struct xt_metrics m;
	xt_metrics_init(&m);
	pthread_t t[OBSERVERS];
	for (int i = 0; i < OBSERVERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, observer, &m), 0);
	for (int i = 0; i < OBSERVERS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	struct hr_buf b;
	render(&m, NULL, &b);
	double half = OBSERVERS * OBSERVATIONS / 2;
	assert_value(b.p, "headroom_http_requests_total{route=\"/filter\",code=\"200\"}", half);
	assert_value(b.p, "headroom_http_requests_total{route=\"/capacity\",code=\"200\"}", half);
	assert_value(
	    b.p, "headroom_http_request_duration_seconds_bucket{route=\"/filter\",le=\"0.0025\"}",
	    half);
	assert_value(
	    b.p, "headroom_http_request_duration_seconds_bucket{route=\"/filter\",le=\"0.001\"}",
	    0);
	hr_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checker_accepts_valid_text),
	    cmocka_unit_test(test_checker_rejects_broken_text),
	    cmocka_unit_test(test_metrics_fresh_render_is_valid),
	    cmocka_unit_test(test_metrics_requests_counted_by_route_and_code),
	    cmocka_unit_test(test_metrics_every_known_code_has_its_label),
	    cmocka_unit_test(test_metrics_unknown_route_and_code_count_as_other),
	    cmocka_unit_test(test_metrics_bucket_placement),
	    cmocka_unit_test(test_metrics_bucket_edges_of_every_bound),
	    cmocka_unit_test(test_metrics_sum_in_seconds),
	    cmocka_unit_test(test_metrics_counters_move_by_exact_amounts),
	    cmocka_unit_test(test_metrics_every_route_renders_valid),
	    cmocka_unit_test(test_metrics_snapshot_gauges),
	    cmocka_unit_test(test_metrics_snapshot_labels_escaped),
	    cmocka_unit_test(test_metrics_observe_from_many_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
