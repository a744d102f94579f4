/* test_watch_stream.c: extender/watch_stream.h, newline-delimited WATCH events
 * (spec/extender-protocol.md §4.2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch_stream.h"

/* ---- helpers ---- */

/* One delivered event, copied out of the callback. */
struct rec {
	enum xt_watch_type type;
	char rv[64];
	long error_code;
	char reason[64];
	char *object; /* the object, printed compact */
};

struct recorder {
	struct rec v[32];
	size_t n;
	size_t stop_after; /* the callback returns false on this event (1-based); 0 = never */
};

static bool record(void *ctx, const struct xt_watch_event *ev)
{
	struct recorder *r = ctx;
	assert_true(r->n < sizeof(r->v) / sizeof(r->v[0]));
	struct rec *e = &r->v[r->n++];
	e->type = ev->type;
	assert_non_null(ev->resource_version);
	snprintf(e->rv, sizeof(e->rv), "%s", ev->resource_version);
	e->error_code = ev->error_code;
	snprintf(e->reason, sizeof(e->reason), "%s", ev->error_reason ? ev->error_reason : "");
	assert_non_null(ev->object);
	e->object = cJSON_PrintUnformatted(ev->object);
	assert_non_null(e->object);
	return !(r->stop_after && r->n == r->stop_after);
}

static void recorder_init(struct recorder *r)
{
	memset(r, 0, sizeof(*r));
}

static void recorder_fini(struct recorder *r)
{
	for (size_t i = 0; i < r->n; i++)
		cJSON_free(r->v[i].object);
	memset(r, 0, sizeof(*r));
}

static void assert_same_events(const struct recorder *a, const struct recorder *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].type, b->v[i].type);
		assert_string_equal(a->v[i].rv, b->v[i].rv);
		assert_int_equal(a->v[i].error_code, b->v[i].error_code);
		assert_string_equal(a->v[i].reason, b->v[i].reason);
		assert_string_equal(a->v[i].object, b->v[i].object);
	}
}

/* Feeds text in chunks of `chunk` bytes; returns what the last feed returned. */
static bool feed_chunks(struct xt_watch_stream *w, const char *text, size_t len, size_t chunk)
{
	bool go_on = true;
	for (size_t off = 0; off < len && go_on; off += chunk)
		go_on = xt_watch_feed(w, text + off, len - off < chunk ? len - off : chunk);
	return go_on;
}

#define ADDED_A                                                                                    \
	"{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{"    \
	"\"name\":\"web-0\",\"namespace\":\"shop\",\"uid\":\"u-1\",\"resourceVersion\":\"101\","   \
	"\"annotations\":{\"note\":\"line one\\nline two \\u00e9 {not json}\"}},\"spec\":{"        \
	"\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\",\"image\":\"nginx\",\"resources\":{"  \
	"\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\"}}}]},\"status\":{\"phase\":"           \
	"\"Running\"}}}"
#define MODIFIED_A                                                                                 \
	"{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{" \
	"\"name\":\"web-0\",\"namespace\":\"shop\",\"uid\":\"u-1\",\"resourceVersion\":\"102\"},"  \
	"\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"phase\":\"Running\"}}}"
#define BOOKMARK                                                                                   \
	"{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{" \
	"\"resourceVersion\":\"103\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}},"   \
	"\"spec\":{\"containers\":null},\"status\":{}}}"
#define DELETED_A                                                                                  \
	"{\"type\":\"DELETED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{"  \
	"\"name\":\"web-0\",\"namespace\":\"shop\",\"uid\":\"u-1\",\"resourceVersion\":\"104\"},"  \
	"\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"phase\":\"Succeeded\"}}}"
#define ERROR_410                                                                                  \
	"{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{" \
	"},"                                                                                       \
	"\"status\":\"Failure\",\"message\":\"too old resource version: 48213 (50122)\","          \
	"\"reason\":\"Expired\",\"code\":410}}"

static const char STREAM[] =
    ADDED_A "\n" MODIFIED_A "\n" BOOKMARK "\n" DELETED_A "\n" ERROR_410 "\n";

/* The five events of STREAM, as delivered. */
static void check_stream_events(const struct recorder *r)
{
	assert_int_equal(r->n, 5);
	assert_int_equal(r->v[0].type, XT_WATCH_ADDED);
	assert_string_equal(r->v[0].rv, "101");
	assert_non_null(strstr(r->v[0].object, "\"name\":\"web-0\""));
	assert_non_null(strstr(r->v[0].object, "line one\\nline two"));
	assert_int_equal(r->v[1].type, XT_WATCH_MODIFIED);
	assert_string_equal(r->v[1].rv, "102");
	assert_int_equal(r->v[2].type, XT_WATCH_BOOKMARK);
	assert_string_equal(r->v[2].rv, "103");
	assert_int_equal(r->v[3].type, XT_WATCH_DELETED);
	assert_string_equal(r->v[3].rv, "104");
	assert_non_null(strstr(r->v[3].object, "\"phase\":\"Succeeded\""));
	assert_int_equal(r->v[4].type, XT_WATCH_ERROR);
	assert_string_equal(r->v[4].rv, "");
	assert_int_equal(r->v[4].error_code, 410);
	assert_string_equal(r->v[4].reason, "Expired");
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(r->v[i].error_code, 0);
		assert_string_equal(r->v[i].reason, "");
	}
}

/* Parses one line that must be an event; the caller deletes *tree. */
static struct xt_watch_event parse_ok(const char *line, cJSON **tree)
{
	struct xt_watch_event ev;
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = xt_watch_parse_line(line, strlen(line), &ev, tree, &err);
	if (rc != HR_OK)
		fail_msg("unexpected error %d: where=\"%s\" msg=\"%s\"", rc, err.where, err.msg);
	assert_int_equal(err.code, HR_OK);
	assert_non_null(*tree);
	return ev;
}

static void expect_bad_line(const char *line, const char *msg)
{
	struct xt_watch_event ev;
	struct hr_err err;
	cJSON *tree = NULL;
	hr_err_clear(&err);
	enum hr_code rc = xt_watch_parse_line(line, strlen(line), &ev, &tree, &err);
	cJSON_Delete(tree);
	if (rc == HR_OK)
		fail_msg("expected <%s> to be rejected", line);
	assert_int_equal(rc, HR_EINVAL);
	assert_int_equal(err.code, HR_EINVAL);
	assert_string_equal(err.where, "watch");
	if (msg)
		assert_string_equal(err.msg, msg);
}

/* ---- xt_watch_parse_line ---- */

static void test_parse_added(void **state)
{
	(void)state;
	cJSON *tree;
	struct xt_watch_event ev = parse_ok(ADDED_A, &tree);
	assert_int_equal(ev.type, XT_WATCH_ADDED);
	assert_string_equal(ev.resource_version, "101");
	assert_int_equal(ev.error_code, 0);
	assert_non_null(ev.object);
	assert_true(cJSON_IsObject(ev.object));
	assert_ptr_equal(ev.object, cJSON_GetObjectItemCaseSensitive(tree, "object"));
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(ev.object, "metadata");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "name")->valuestring, "web-0");
	const cJSON *note = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(meta, "annotations"), "note");
	assert_string_equal(note->valuestring, "line one\nline two \xc3\xa9 {not json}");
	cJSON_Delete(tree);
}

static void test_parse_modified_deleted_bookmark(void **state)
{
	(void)state;
	cJSON *tree;
	struct xt_watch_event ev = parse_ok(MODIFIED_A, &tree);
	assert_int_equal(ev.type, XT_WATCH_MODIFIED);
	assert_string_equal(ev.resource_version, "102");
	cJSON_Delete(tree);

	ev = parse_ok(DELETED_A, &tree);
	assert_int_equal(ev.type, XT_WATCH_DELETED);
	assert_string_equal(ev.resource_version, "104");
	cJSON_Delete(tree);

	ev = parse_ok(BOOKMARK, &tree);
	assert_int_equal(ev.type, XT_WATCH_BOOKMARK);
	assert_string_equal(ev.resource_version, "103");
	assert_int_equal(ev.error_code, 0);
	cJSON_Delete(tree);
}

static void test_parse_error_status_410_expired(void **state)
{
	(void)state;
	cJSON *tree;
	struct xt_watch_event ev = parse_ok(ERROR_410, &tree);
	assert_int_equal(ev.type, XT_WATCH_ERROR);
	assert_int_equal(ev.error_code, 410);
	assert_non_null(ev.error_reason);
	assert_string_equal(ev.error_reason, "Expired");
	assert_string_equal(ev.resource_version, "");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev.object, "kind")->valuestring,
	                    "Status");
	cJSON_Delete(tree);

	/* 410 Gone */
	ev =
	    parse_ok("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
	             "\"metadata\":{},\"status\":\"Failure\",\"message\":\"The resourceVersion for "
	             "the provided watch is too old.\",\"reason\":\"Gone\",\"code\":410}}",
	             &tree);
	assert_int_equal(ev.error_code, 410);
	assert_string_equal(ev.error_reason, "Gone");
	cJSON_Delete(tree);

	/* a Status without code and reason */
	ev = parse_ok(
	    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"status\":\"Failure\"}}", &tree);
	assert_int_equal(ev.type, XT_WATCH_ERROR);
	assert_int_equal(ev.error_code, 0);
	assert_string_equal(ev.error_reason, "");
	cJSON_Delete(tree);

	/* 500 InternalError */
	ev = parse_ok("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500,"
	              "\"reason\":\"InternalError\"}}",
	              &tree);
	assert_int_equal(ev.error_code, 500);
	assert_string_equal(ev.error_reason, "InternalError");
	cJSON_Delete(tree);

	/* a code no int32 can hold is no code, not a float-to-integer overflow (found by
	 * fuzz/fuzz_watch; UBSan: 1e+300 is outside the range of 'long') */
	static const char *const huge[] = {"1e300", "-1e300", "9223372036854775808", "2147483648"};
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		char line[160];
		snprintf(line, sizeof(line),
		         "{\"type\":\"ERROR\",\"object\":{\"code\":%s,\"reason\":\"x\"}}", huge[i]);
		ev = parse_ok(line, &tree);
		assert_int_equal(ev.error_code, 0);
		cJSON_Delete(tree);
	}
	ev = parse_ok("{\"type\":\"ERROR\",\"object\":{\"code\":-2147483648}}", &tree);
	assert_int_equal(ev.error_code, INT32_MIN);
	cJSON_Delete(tree);
}

static void test_parse_resource_version(void **state)
{
	(void)state;
	cJSON *tree;
	/* no metadata, metadata without resourceVersion, a non-string one */
	struct xt_watch_event ev = parse_ok("{\"type\":\"ADDED\",\"object\":{}}", &tree);
	assert_string_equal(ev.resource_version, "");
	cJSON_Delete(tree);
	ev = parse_ok("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}", &tree);
	assert_string_equal(ev.resource_version, "");
	cJSON_Delete(tree);
	ev = parse_ok("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":7}}}",
	              &tree);
	assert_string_equal(ev.resource_version, "");
	cJSON_Delete(tree);
	/* opaque: kept as text */
	ev = parse_ok("{\"object\":{\"metadata\":{\"resourceVersion\":\"0009999999999999999999\"}},"
	              "\"type\":\"MODIFIED\"}",
	              &tree);
	assert_int_equal(ev.type, XT_WATCH_MODIFIED);
	assert_string_equal(ev.resource_version, "0009999999999999999999");
	cJSON_Delete(tree);
}

static void test_parse_uses_len_not_nul(void **state)
{
	(void)state;
	char buf[sizeof(BOOKMARK) + 16];
	snprintf(buf, sizeof(buf), "%sXYZ garbage", BOOKMARK);
	struct xt_watch_event ev;
	struct hr_err err;
	cJSON *tree = NULL;
	hr_err_clear(&err);
	assert_int_equal(xt_watch_parse_line(buf, strlen(BOOKMARK), &ev, &tree, &err), HR_OK);
	assert_int_equal(ev.type, XT_WATCH_BOOKMARK);
	assert_string_equal(ev.resource_version, "103");
	cJSON_Delete(tree);
}

static void test_parse_bad_lines(void **state)
{
	(void)state;
	expect_bad_line("not json", "a line of 8 bytes is not JSON");
	expect_bad_line("{\"type\":\"ADDED\",", "a line of 16 bytes is not JSON");
	expect_bad_line("", "a line of 0 bytes is not JSON");
	expect_bad_line("{\"type\":\"UPSERTED\",\"object\":{}}", "event without a known \"type\"");
	expect_bad_line("{\"type\":\"added\",\"object\":{}}", "event without a known \"type\"");
	expect_bad_line("{\"Type\":\"ADDED\",\"object\":{}}", "event without a known \"type\"");
	expect_bad_line("{\"object\":{}}", "event without a known \"type\"");
	expect_bad_line("{\"type\":1,\"object\":{}}", "event without a known \"type\"");
	expect_bad_line("[1,2]", "event without a known \"type\"");
	expect_bad_line("\"ADDED\"", "event without a known \"type\"");
	expect_bad_line("{\"type\":\"ADDED\"}", "ADDED event without an \"object\"");
	expect_bad_line("{\"type\":\"DELETED\",\"object\":null}",
	                "DELETED event without an \"object\"");
	expect_bad_line("{\"type\":\"MODIFIED\",\"object\":\"pod\"}",
	                "MODIFIED event without an \"object\"");
	expect_bad_line("{\"type\":\"ERROR\",\"object\":[]}", "ERROR event without an \"object\"");
	expect_bad_line("{\"type\":\"BOOKMARK\",\"object\":7}",
	                "BOOKMARK event without an \"object\"");
}

/* A line holding more than one JSON value is not an event either (nothing may be dropped
 * silently). */
static void test_parse_trailing_bytes_rejected(void **state)
{
	(void)state;
	expect_bad_line(ADDED_A DELETED_A, NULL);
	expect_bad_line(BOOKMARK " trailing", NULL);
}

/* ---- xt_watch_feed ---- */

static void test_feed_whole_stream(void **state)
{
	(void)state;
	struct recorder r;
	struct xt_watch_stream w;
	recorder_init(&r);
	xt_watch_init(&w, 1 << 20, record, &r);
	assert_true(xt_watch_feed(&w, STREAM, strlen(STREAM)));
	check_stream_events(&r);
	assert_int_equal(w.events, 5);
	assert_false(w.failed);
	assert_int_equal(w.err.code, HR_OK);
	assert_int_equal(w.line.len, 0);
	xt_watch_fini(&w);
	recorder_fini(&r);
}

static void test_feed_every_chunk_size_gives_same_events(void **state)
{
	(void)state;
	size_t len = strlen(STREAM);
	struct recorder want;
	struct xt_watch_stream w;
	recorder_init(&want);
	xt_watch_init(&w, 1 << 20, record, &want);
	assert_true(xt_watch_feed(&w, STREAM, len));
	xt_watch_fini(&w);
	check_stream_events(&want);
	for (size_t chunk = 1; chunk <= len; chunk++) {
		struct recorder got;
		recorder_init(&got);
		xt_watch_init(&w, 1 << 20, record, &got);
		assert_true(feed_chunks(&w, STREAM, len, chunk));
		assert_int_equal(w.events, 5);
		assert_false(w.failed);
		assert_int_equal(w.line.len, 0);
		assert_same_events(&want, &got);
		xt_watch_fini(&w);
		recorder_fini(&got);
	}
	recorder_fini(&want);
}

static void test_feed_irregular_chunks(void **state)
{
	(void)state;
	size_t len = strlen(STREAM);
	struct recorder want, got;
	struct xt_watch_stream w;
	recorder_init(&want);
	xt_watch_init(&w, 1 << 20, record, &want);
	assert_true(xt_watch_feed(&w, STREAM, len));
	xt_watch_fini(&w);
	srand(7);
	for (int round = 0; round < 200; round++) {
		recorder_init(&got);
		xt_watch_init(&w, 1 << 20, record, &got);
		for (size_t off = 0; off < len;) {
			size_t n = (size_t)(rand() % 300);
			if (n > len - off)
				n = len - off;
			assert_true(xt_watch_feed(&w, STREAM + off, n)); /* n may be 0 */
			off += n;
		}
		assert_same_events(&want, &got);
		xt_watch_fini(&w);
		recorder_fini(&got);
	}
	recorder_fini(&want);
}

static void test_feed_crlf_and_blank_lines(void **state)
{
	(void)state;
	static const char text[] = "\n\r\n" ADDED_A "\r\n"
	                           "\r\n"
	                           "   \r\n" MODIFIED_A "\n"
	                           "\n\n" BOOKMARK "  \r\n" DELETED_A "\r\n" ERROR_410 "\r\n\r\n";
	size_t len = strlen(text);
	for (size_t chunk = 1; chunk <= len; chunk++) {
		struct recorder r;
		struct xt_watch_stream w;
		recorder_init(&r);
		xt_watch_init(&w, 1 << 20, record, &r);
		assert_true(feed_chunks(&w, text, len, chunk));
		check_stream_events(&r);
		assert_int_equal(w.events, 5);
		assert_false(w.failed);
		xt_watch_fini(&w);
		recorder_fini(&r);
	}
}

static void test_feed_event_split_across_feeds(void **state)
{
	(void)state;
	struct recorder r;
	struct xt_watch_stream w;
	recorder_init(&r);
	xt_watch_init(&w, 1 << 20, record, &r);
	size_t a = strlen(ADDED_A);
	/* the first half, then the rest without the newline: nothing yet */
	assert_true(xt_watch_feed(&w, ADDED_A, a / 2));
	assert_int_equal(r.n, 0);
	assert_int_equal(w.line.len, a / 2);
	assert_true(xt_watch_feed(&w, ADDED_A + a / 2, a - a / 2));
	assert_int_equal(r.n, 0);
	assert_int_equal(w.line.len, a);
	/* the newline completes it, and the next event starts in the same chunk */
	char chunk[64];
	snprintf(chunk, sizeof(chunk), "\n%.20s", MODIFIED_A);
	assert_true(xt_watch_feed(&w, chunk, strlen(chunk)));
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0].type, XT_WATCH_ADDED);
	assert_string_equal(r.v[0].rv, "101");
	assert_int_equal(w.line.len, 20);
	assert_true(xt_watch_feed(&w, MODIFIED_A + 20, strlen(MODIFIED_A) - 20));
	assert_int_equal(r.n, 1);
	assert_true(xt_watch_feed(&w, "\n", 1));
	assert_int_equal(r.n, 2);
	assert_int_equal(r.v[1].type, XT_WATCH_MODIFIED);
	assert_string_equal(r.v[1].rv, "102");
	assert_int_equal(w.events, 2);
	assert_int_equal(w.line.len, 0);
	/* an empty feed changes nothing */
	assert_true(xt_watch_feed(&w, "", 0));
	assert_int_equal(w.events, 2);
	xt_watch_fini(&w);
	recorder_fini(&r);
}

static void test_feed_callback_false_stops(void **state)
{
	(void)state;
	size_t len = strlen(STREAM);
	/* one chunk, and byte by byte: the events after the second are not delivered */
	for (size_t chunk = 1; chunk <= len; chunk += len - 1) {
		struct recorder r;
		struct xt_watch_stream w;
		recorder_init(&r);
		r.stop_after = 2;
		xt_watch_init(&w, 1 << 20, record, &r);
		assert_false(feed_chunks(&w, STREAM, len, chunk));
		assert_int_equal(r.n, 2);
		assert_int_equal(w.events, 2);
		assert_int_equal(r.v[0].type, XT_WATCH_ADDED);
		assert_int_equal(r.v[1].type, XT_WATCH_MODIFIED);
		assert_false(w.failed); /* stopped, not failed */
		assert_int_equal(w.err.code, HR_OK);
		xt_watch_fini(&w);
		recorder_fini(&r);
	}
}

static void test_feed_garbage_line_fails(void **state)
{
	(void)state;
	static const char text[] = ADDED_A "\n"
	                                   "<html>502 Bad Gateway</html>\n" MODIFIED_A "\n";
	size_t len = strlen(text);
	for (size_t chunk = 1; chunk <= len; chunk += (chunk < 40 ? 1 : 97)) {
		struct recorder r;
		struct xt_watch_stream w;
		recorder_init(&r);
		xt_watch_init(&w, 1 << 20, record, &r);
		assert_false(feed_chunks(&w, text, len, chunk));
		assert_true(w.failed);
		assert_int_equal(w.err.code, HR_EINVAL);
		assert_string_equal(w.err.where, "watch");
		assert_string_equal(w.err.msg, "a line of 28 bytes is not JSON");
		assert_int_equal(r.n, 1);
		assert_int_equal(w.events, 1);
		/* a failed stream stays stopped */
		assert_false(xt_watch_feed(&w, MODIFIED_A "\n", strlen(MODIFIED_A) + 1));
		assert_int_equal(r.n, 1);
		xt_watch_fini(&w);
		recorder_fini(&r);
	}

	/* an unknown type */
	struct recorder r;
	struct xt_watch_stream w;
	recorder_init(&r);
	xt_watch_init(&w, 1 << 20, record, &r);
	static const char bad[] = "{\"type\":\"SYNC\",\"object\":{}}\n";
	assert_false(xt_watch_feed(&w, bad, strlen(bad)));
	assert_true(w.failed);
	assert_int_equal(w.err.code, HR_EINVAL);
	assert_string_equal(w.err.msg, "event without a known \"type\"");
	assert_int_equal(r.n, 0);
	xt_watch_fini(&w);
	recorder_fini(&r);
}

/* A line of `len` bytes (without the newline) that is a valid BOOKMARK event, then "\n",
 * in a static buffer. */
static char *padded_event(size_t len)
{
	static char s[4096];
	static const char head[] = "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{"
	                           "\"resourceVersion\":\"55\"},\"pad\":\"";
	static const char tail[] = "\"}}";
	assert_true(len >= sizeof(head) + sizeof(tail) && len + 2 <= sizeof(s));
	size_t h = sizeof(head) - 1, t = sizeof(tail) - 1;
	memcpy(s, head, h);
	memset(s + h, 'x', len - h - t);
	memcpy(s + len - t, tail, t);
	s[len] = '\n';
	s[len + 1] = '\0';
	return s;
}

static void test_feed_line_of_exactly_max_bytes_passes(void **state)
{
	(void)state;
	const size_t max = 200;
	char *line = padded_event(max);
	for (size_t chunk = 1; chunk <= max + 1; chunk++) {
		struct recorder r;
		struct xt_watch_stream w;
		recorder_init(&r);
		xt_watch_init(&w, max, record, &r);
		assert_true(feed_chunks(&w, line, max + 1, chunk));
		assert_false(w.failed);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.v[0].type, XT_WATCH_BOOKMARK);
		assert_string_equal(r.v[0].rv, "55");
		xt_watch_fini(&w);
		recorder_fini(&r);
	}
}

static void check_too_long(size_t max, const char *text, size_t len, size_t chunk)
{
	struct recorder r;
	struct xt_watch_stream w;
	recorder_init(&r);
	xt_watch_init(&w, max, record, &r);
	bool go_on = feed_chunks(&w, text, len, chunk);
	size_t delivered = r.n;
	if (go_on || !w.failed) {
		xt_watch_fini(&w);
		recorder_fini(&r);
		fail_msg(
		    "a line over %zu bytes was accepted when fed in chunks of %zu (%zu events)",
		    max, chunk, delivered);
	}
	assert_int_equal(w.err.code, HR_ERANGE);
	assert_string_equal(w.err.where, "watch");
	char msg[80];
	snprintf(msg, sizeof(msg), "an event line is longer than %zu bytes", max);
	assert_string_equal(w.err.msg, msg);
	assert_int_equal(r.n, 0);
	assert_int_equal(w.events, 0);
	assert_false(xt_watch_feed(&w, "\n", 1)); /* stays stopped */
	assert_int_equal(r.n, 0);
	xt_watch_fini(&w);
	recorder_fini(&r);
}

static void test_feed_line_over_max_fails_in_small_chunks(void **state)
{
	(void)state;
	const size_t max = 200;
	char *line = padded_event(max + 1);
	for (size_t chunk = 1; chunk <= max; chunk++)
		check_too_long(max, line, max + 2, chunk);
	/* never completed: the buffer itself is what is too long */
	check_too_long(max, line, max + 1, 1);
	check_too_long(max, line, max + 1, max + 1);
}

/* The cap holds however the bytes arrive, also when a whole line and its newline come in one
 * chunk. */
static void test_feed_line_over_max_fails_in_one_chunk(void **state)
{
	(void)state;
	const size_t max = 200;
	char *line = padded_event(max + 1);
	check_too_long(max, line, max + 2, max + 2);
	line = padded_event(5 * max);
	check_too_long(max, line, 5 * max + 1, 5 * max + 1);
}

/* A 3 MiB annotation in one event. */
static char *huge_event(size_t annotation_bytes, size_t *len)
{
	static const char head[] =
	    "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
	    "\"metadata\":"
	    "{\"name\":\"big\",\"namespace\":\"default\",\"resourceVersion\":\"9001\","
	    "\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"";
	static const char tail[] = "\"}},\"spec\":{\"nodeName\":\"n1\"}}}\n";
	size_t h = sizeof(head) - 1, t = sizeof(tail) - 1;
	*len = h + annotation_bytes + t;
	char *s = malloc(*len + 1);
	assert_non_null(s);
	memcpy(s, head, h);
	for (size_t i = 0; i < annotation_bytes; i++)
		s[h + i] = (char)('a' + i % 26);
	memcpy(s + h + annotation_bytes, tail, t + 1);
	return s;
}

static size_t big_annotation_len;

static bool check_big(void *ctx, const struct xt_watch_event *ev)
{
	size_t *seen = ctx;
	assert_int_equal(ev->type, XT_WATCH_MODIFIED);
	assert_string_equal(ev->resource_version, "9001");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(ev->object, "metadata"), "annotations"),
	    "kubectl.kubernetes.io/last-applied-configuration");
	assert_true(cJSON_IsString(a));
	big_annotation_len = strlen(a->valuestring);
	assert_int_equal(a->valuestring[0], 'a');
	assert_int_equal(a->valuestring[big_annotation_len - 1],
	                 'a' + (big_annotation_len - 1) % 26);
	(*seen)++;
	return true;
}

static void test_feed_multi_megabyte_event(void **state)
{
	(void)state;
	const size_t ann = 3u << 20;
	size_t len;
	char *text = huge_event(ann, &len);
	static const size_t chunks[] = {16384, 65536 + 7, 1u << 20};
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		size_t seen = 0;
		struct xt_watch_stream w;
		big_annotation_len = 0;
		xt_watch_init(&w, 4u << 20, check_big, &seen);
		assert_true(feed_chunks(&w, text, len, chunks[i]));
		assert_int_equal(seen, 1);
		assert_int_equal(big_annotation_len, ann);
		assert_int_equal(w.events, 1);
		assert_false(w.failed);
		xt_watch_fini(&w);
	}
	/* whole, in one feed */
	size_t seen = 0;
	struct xt_watch_stream w;
	xt_watch_init(&w, 4u << 20, check_big, &seen);
	assert_true(xt_watch_feed(&w, text, len));
	assert_int_equal(seen, 1);
	xt_watch_fini(&w);
	/* the same event over a 1 MiB limit fails */
	seen = 0;
	xt_watch_init(&w, 1u << 20, check_big, &seen);
	assert_false(feed_chunks(&w, text, len, 65536));
	assert_true(w.failed);
	assert_int_equal(w.err.code, HR_ERANGE);
	assert_int_equal(seen, 0);
	xt_watch_fini(&w);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_added),
	    cmocka_unit_test(test_parse_modified_deleted_bookmark),
	    cmocka_unit_test(test_parse_error_status_410_expired),
	    cmocka_unit_test(test_parse_resource_version),
	    cmocka_unit_test(test_parse_uses_len_not_nul),
	    cmocka_unit_test(test_parse_bad_lines),
	    cmocka_unit_test(test_parse_trailing_bytes_rejected),
	    cmocka_unit_test(test_feed_whole_stream),
	    cmocka_unit_test(test_feed_every_chunk_size_gives_same_events),
	    cmocka_unit_test(test_feed_irregular_chunks),
	    cmocka_unit_test(test_feed_crlf_and_blank_lines),
	    cmocka_unit_test(test_feed_event_split_across_feeds),
	    cmocka_unit_test(test_feed_callback_false_stops),
	    cmocka_unit_test(test_feed_garbage_line_fails),
	    cmocka_unit_test(test_feed_line_of_exactly_max_bytes_passes),
	    cmocka_unit_test(test_feed_line_over_max_fails_in_small_chunks),
	    cmocka_unit_test(test_feed_line_over_max_fails_in_one_chunk),
	    cmocka_unit_test(test_feed_multi_megabyte_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
