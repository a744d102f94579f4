/* test_jsonspan.c: the JSON span scanner, iterators, lookups and splitter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonspan.h"

/* ---- helpers ---- */

static struct hr_json_span span_c(const char *s)
{
	return (struct hr_json_span){s, strlen(s)};
}

static enum hr_json_type skip_c(const char *s, size_t max_depth, struct hr_json_span *span,
                                size_t *consumed)
{
	return hr_json_skip(s, strlen(s), max_depth, span, consumed);
}

/* Each input must skip as type t, its span being the whole input minus
 * surrounding whitespace. */
static void expect_valid(const char *const *inputs, size_t count, enum hr_json_type t)
{
	for (size_t i = 0; i < count; i++) {
		struct hr_json_span span;
		size_t consumed;
		enum hr_json_type got = skip_c(inputs[i], 64, &span, &consumed);
		if (got != t)
			fail_msg("input %zu '%s': type %d, want %d", i, inputs[i], got, t);
		assert_int_equal(consumed, strlen(inputs[i]));
		assert_ptr_equal(span.p, inputs[i]);
		assert_int_equal(span.n, strlen(inputs[i]));
	}
}

static void expect_invalid(const char *const *inputs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct hr_json_span span = {"x", 1};
		if (skip_c(inputs[i], 64, &span, NULL) != HR_JSON_INVALID)
			fail_msg("input %zu '%s' accepted", i, inputs[i]);
		assert_null(span.p);
		assert_int_equal(span.n, 0);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* "[[[...]]]" or {"a":{"a":...}} nested depth levels deep, into buf. */
static char *nest(size_t depth, bool object)
{
	char *buf = malloc(depth * 6 + 2);
	size_t n = 0;
	assert_non_null(buf);
	for (size_t i = 0; i < depth; i++) {
		memcpy(buf + n, object ? "{\"a\":" : "[", object ? 5 : 1);
		n += object ? 5 : 1;
	}
	buf[n++] = '1';
	for (size_t i = 0; i < depth; i++)
		buf[n++] = object ? '}' : ']';
	buf[n] = '\0';
	return buf;
}

/* ---- hr_json_skip: scalars ---- */

static void test_json_skip_accepts_literals(void **state)
{
	(void)state;
	assert_int_equal(skip_c("true", 0, NULL, NULL), HR_JSON_TRUE);
	assert_int_equal(skip_c("false", 0, NULL, NULL), HR_JSON_FALSE);
	assert_int_equal(skip_c("null", 0, NULL, NULL), HR_JSON_NULL);
}

static void test_json_skip_rejects_bad_literals(void **state)
{
	static const char *const bad[] = {"tru",   "fals", "nul",   "True", "NULL",     "nulll",
	                                  "truex", "t",    "falsy", "nan",  "undefined"};
	(void)state;
	expect_invalid(bad, N(bad));
}

static void test_json_skip_accepts_numbers(void **state)
{
	static const char *const ok[] = {
	    "0",        "-0",    "7",    "123456789012345678901234567890",
	    "-1",       "1.5",   "-0.0", "1e5",
	    "1E5",      "1e+5",  "1e-5", "0.5e10",
	    "-12.5E-3", "1e007", "0e0",  "9.99",
	    "10"};
	(void)state;
	expect_valid(ok, N(ok), HR_JSON_NUMBER);
}

static void test_json_skip_rejects_bad_numbers(void **state)
{
	static const char *const bad[] = {"01",    "-01",      "00",  "-",   "+1",   "1.",   ".5",
	                                  "1e",    "1e+",      "1E-", "--1", "0x1",  "1.e5", "1e5.",
	                                  "1.5.3", "Infinity", "NaN", "-a",  "1ee5", "2-"};
	(void)state;
	expect_invalid(bad, N(bad));
}

/* ---- hr_json_skip: strings ---- */

static void test_json_skip_accepts_strings_with_every_escape(void **state)
{
	static const char *const ok[] = {"\"\"",
	                                 "\"plain text\"",
	                                 "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
	                                 "\"\\u0041\\u00e9\\uFFFF\\uabcd\"",
	                                 "\"\\ud83d\\ude00\"",
	                                 "\"del \x7f is allowed\"",
	                                 "\"{[,:]}\""};
	(void)state;
	expect_valid(ok, N(ok), HR_JSON_STRING);
}

static void test_json_skip_rejects_bad_escapes(void **state)
{
	static const char *const bad[] = {"\"\\x\"",     "\"\\'\"",   "\"\\u12\"", "\"\\u12G4\"",
	                                  "\"\\U1234\"", "\"\\u\"",   "\"\\ \"",   "\"\\0\"",
	                                  "\"\\",        "\"abc\\\"", "\"\\u123\""};
	(void)state;
	expect_invalid(bad, N(bad));
}

static void test_json_skip_rejects_raw_control_char(void **state)
{
	static const char *const bad[] = {"\"a\x01z\"", "\"line\nbreak\"", "\"tab\there\"",
	                                  "\"\x1f\"", "\"cr\r\""};
	(void)state;
	expect_invalid(bad, N(bad));
	/* A NUL byte inside the input is a raw control character too. */
	assert_int_equal(hr_json_skip("\"a\0b\"", 5, 8, NULL, NULL), HR_JSON_INVALID);
}

static void test_json_skip_accepts_valid_utf8(void **state)
{
	static const char *const ok[] = {
	    "\"\xc3\xa9\"",                 /* U+00E9 */
	    "\"\xdf\xbf\"",                 /* U+07FF */
	    "\"\xe0\xa0\x80\"",             /* U+0800 */
	    "\"\xe6\x97\xa5\xe6\x9c\xac\"", /* two CJK characters */
	    "\"\xed\x9f\xbf\"",             /* U+D7FF, just below the surrogates */
	    "\"\xee\x80\x80\"",             /* U+E000, just above them */
	    "\"\xf0\x9f\x98\x80\"",         /* U+1F600 */
	    "\"\xf4\x8f\xbf\xbf\"",         /* U+10FFFF */
	};
	(void)state;
	expect_valid(ok, N(ok), HR_JSON_STRING);
}

static void test_json_skip_rejects_invalid_utf8(void **state)
{
	static const char *const bad[] = {
	    "\"\x80\"",             /* lone continuation byte */
	    "\"\xc0\x80\"",         /* overlong NUL */
	    "\"\xc1\xbf\"",         /* overlong */
	    "\"\xe0\x80\x80\"",     /* overlong 3-byte */
	    "\"\xed\xa0\x80\"",     /* encoded surrogate U+D800 */
	    "\"\xf0\x80\x80\x80\"", /* overlong 4-byte */
	    "\"\xf4\x90\x80\x80\"", /* above U+10FFFF */
	    "\"\xf5\x80\x80\x80\"", /* invalid lead */
	    "\"\xff\"",             /* invalid byte */
	    "\"\xc3\"",             /* cut before the quote */
	    "\"\xe6\x97\"",         /* cut 3-byte sequence */
	    "\"\xc3\x41\"",         /* ASCII where a continuation belongs */
	};
	(void)state;
	expect_invalid(bad, N(bad));
}

static void test_json_skip_accepts_lone_surrogate_escape(void **state)
{
	static const char *const ok[] = {"\"\\ud800\"", "\"\\udc00\"", "\"\\ude00\\ud83d\""};
	(void)state;
	expect_valid(ok, N(ok), HR_JSON_STRING);
}

/* ---- hr_json_skip: containers, depth, whitespace, truncation ---- */

static void test_json_skip_accepts_containers(void **state)
{
	static const char *const arrays[] = {
	    "[]", "[ ]", "[1]", "[1,\"a\",true,false,null,{},[]]", "[[[]],[{}]]", "[ 1 , 2 ]"};
	static const char *const objects[] = {"{}",
	                                      "{ }",
	                                      "{\"a\":1}",
	                                      "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"e\"}",
	                                      "{ \"a\" : 1 , \"b\" : [ ] }",
	                                      "{\"\":0}",
	                                      "{\"a\":1,\"a\":2}"};
	(void)state;
	expect_valid(arrays, N(arrays), HR_JSON_ARRAY);
	expect_valid(objects, N(objects), HR_JSON_OBJECT);
}

static void test_json_skip_rejects_bad_containers(void **state)
{
	static const char *const bad[] = {
	    "[1,]",       "[,1]",      "[,]",        "[1 2]",     "[}",
	    "{]",         "{\"a\"}",   "{\"a\":}",   "{a:1}",     "{1:2}",
	    "{\"a\":1,}", "{\"a\" 1}", "{\"a\"::1}", "{,}",       "{\"a\":1 \"b\":2}",
	    "[1:2]",      "{'a':1}",   "[1,,2]",     "{\"a\",1}", "[truefalse]",
	    "[1true]",    "{\"a\":01}"};
	(void)state;
	expect_invalid(bad, N(bad));
}

static void test_json_skip_depth_exactly_max_accepted(void **state)
{
	(void)state;
	for (size_t depth = 1; depth <= 40; depth++) {
		char *a = nest(depth, false), *o = nest(depth, true);
		assert_int_equal(skip_c(a, depth, NULL, NULL), HR_JSON_ARRAY);
		assert_int_equal(skip_c(o, depth, NULL, NULL), HR_JSON_OBJECT);
		free(a);
		free(o);
	}
}

static void test_json_skip_depth_max_plus_one_rejected(void **state)
{
	(void)state;
	for (size_t depth = 1; depth <= 40; depth++) {
		char *a = nest(depth + 1, false), *o = nest(depth + 1, true);
		assert_int_equal(skip_c(a, depth, NULL, NULL), HR_JSON_INVALID);
		assert_int_equal(skip_c(o, depth, NULL, NULL), HR_JSON_INVALID);
		free(a);
		free(o);
	}
}

static void test_json_skip_depth_zero_allows_scalars_only(void **state)
{
	(void)state;
	assert_int_equal(skip_c("1", 0, NULL, NULL), HR_JSON_NUMBER);
	assert_int_equal(skip_c("\"s\"", 0, NULL, NULL), HR_JSON_STRING);
	assert_int_equal(skip_c("[]", 0, NULL, NULL), HR_JSON_INVALID);
	assert_int_equal(skip_c("{}", 0, NULL, NULL), HR_JSON_INVALID);
}

static void test_json_skip_depth_capped_at_depth_max(void **state)
{
	char *ok = nest(HR_JSON_DEPTH_MAX, false), *deep = nest(HR_JSON_DEPTH_MAX + 1, false);
	(void)state;
	assert_int_equal(skip_c(ok, SIZE_MAX, NULL, NULL), HR_JSON_ARRAY);
	assert_int_equal(skip_c(deep, SIZE_MAX, NULL, NULL), HR_JSON_INVALID);
	free(ok);
	free(deep);
}

static void test_json_skip_rejects_every_truncation(void **state)
{
	static const char doc[] = "{\"a\": [1, -2.5e+3, \"x\\u00e9\\n\xc3\xa9\", true, false, "
	                          "null, {\"b\": {}}, []], \"c\": \"d\"}";
	(void)state;
	assert_int_equal(hr_json_skip(doc, sizeof(doc) - 1, 8, NULL, NULL), HR_JSON_OBJECT);
	for (size_t n = 0; n < sizeof(doc) - 1; n++) {
		/* A copy of exactly n bytes, so ASan catches any read past it. */
		char *cut = malloc(n ? n : 1);
		size_t consumed = 0;
		assert_non_null(cut);
		memcpy(cut, doc, n);
		if (hr_json_skip(cut, n, 8, NULL, &consumed) != HR_JSON_INVALID)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_true(consumed <= n);
		free(cut);
	}
}

static void test_json_skip_whitespace_around_value(void **state)
{
	struct hr_json_span span;
	size_t consumed;
	const char *in = " \t\r\n[ \t\r\n1 \t\r\n, \n{ \"a\" \n: \n2 } ] \n\t ";
	(void)state;
	assert_int_equal(skip_c(in, 8, &span, &consumed), HR_JSON_ARRAY);
	assert_ptr_equal(span.p, in + 4);
	assert_int_equal(consumed, strlen(in) - 4); /* trailing whitespace is not read */
	assert_int_equal(span.n, consumed - 4);
	assert_int_equal(span.p[span.n - 1], ']');
}

static void test_json_skip_rejects_non_json_whitespace(void **state)
{
	static const char *const bad[] = {"\f1", "\v1", "[1,\f2]",
	                                  "\xc2\xa0"
	                                  "1",
	                                  "[\xc2\xa0]"};
	(void)state;
	expect_invalid(bad, N(bad));
}

static void test_json_skip_rejects_empty_input(void **state)
{
	size_t consumed = 99;
	(void)state;
	assert_int_equal(hr_json_skip("", 0, 8, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 0);
	assert_int_equal(skip_c("  \n ", 8, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 4);
	assert_int_equal(hr_json_skip(NULL, 5, 8, NULL, NULL), HR_JSON_INVALID);
}

static void test_json_skip_reports_error_offset(void **state)
{
	size_t consumed;
	(void)state;
	assert_int_equal(skip_c("[1, 2x]", 8, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 5);
	assert_int_equal(skip_c("{\"a\":\"b\\q\"}", 8, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 8);
	assert_int_equal(skip_c("[[[", 8, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 3);
	assert_int_equal(skip_c("[[[1]]]", 2, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 2);
	assert_int_equal(skip_c("\"\xe6\x97", 8, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 3); /* a character cut by the end: the input ended */
	assert_int_equal(skip_c("\"\xe6\x41\"", 8, NULL, &consumed), HR_JSON_INVALID);
	assert_int_equal(consumed, 1); /* a broken character: where it starts */
}

static void test_json_skip_scalar_must_end_at_delimiter(void **state)
{
	struct hr_json_span span;
	size_t consumed;
	(void)state;
	static const char *const bad[] = {"1x", "truex", "null1", "0-", "12a", "1\"", "1[", "1{"};
	expect_invalid(bad, N(bad));
	static const char *const ends[] = {"1 x", "1,", "1]", "1}", "1\n", "true,", "null]"};
	for (size_t i = 0; i < N(ends); i++) {
		assert_int_not_equal(skip_c(ends[i], 8, &span, &consumed), HR_JSON_INVALID);
		assert_int_equal(consumed, span.n);
	}
	/* Strings and containers are self-delimiting. */
	assert_int_equal(skip_c("\"a\"x", 8, &span, &consumed), HR_JSON_STRING);
	assert_int_equal(consumed, 3);
}

static void test_json_skip_stops_after_first_value(void **state)
{
	struct hr_json_span span;
	size_t consumed;
	(void)state;
	assert_int_equal(skip_c("[1] [2]", 8, &span, &consumed), HR_JSON_ARRAY);
	assert_int_equal(consumed, 3);
	assert_int_equal(skip_c("{}garbage", 8, &span, &consumed), HR_JSON_OBJECT);
	assert_int_equal(consumed, 2);
}

static void test_json_skip_does_not_read_past_n(void **state)
{
	struct hr_json_span span;
	size_t consumed;
	(void)state;
	assert_int_equal(hr_json_skip("truex", 4, 8, &span, &consumed), HR_JSON_TRUE);
	assert_int_equal(consumed, 4);
	assert_int_equal(hr_json_skip("1234", 2, 8, &span, &consumed), HR_JSON_NUMBER);
	assert_int_equal(span.n, 2);
	assert_int_equal(hr_json_skip("[1]", 2, 8, NULL, NULL), HR_JSON_INVALID);
	assert_int_equal(hr_json_skip("\"ab\"", 3, 8, NULL, NULL), HR_JSON_INVALID);
	assert_int_equal(hr_json_skip("nul", 3, 8, NULL, NULL), HR_JSON_INVALID);
}

static void test_json_span_type_reads_first_byte(void **state)
{
	(void)state;
	assert_int_equal(hr_json_span_type(span_c("{x")), HR_JSON_OBJECT);
	assert_int_equal(hr_json_span_type(span_c("[")), HR_JSON_ARRAY);
	assert_int_equal(hr_json_span_type(span_c("\"")), HR_JSON_STRING);
	assert_int_equal(hr_json_span_type(span_c("-1")), HR_JSON_NUMBER);
	assert_int_equal(hr_json_span_type(span_c("9")), HR_JSON_NUMBER);
	assert_int_equal(hr_json_span_type(span_c("true")), HR_JSON_TRUE);
	assert_int_equal(hr_json_span_type(span_c("false")), HR_JSON_FALSE);
	assert_int_equal(hr_json_span_type(span_c("null")), HR_JSON_NULL);
	assert_int_equal(hr_json_span_type(span_c("x")), HR_JSON_INVALID);
	assert_int_equal(hr_json_span_type(span_c("")), HR_JSON_INVALID);
	assert_int_equal(hr_json_span_type((struct hr_json_span){NULL, 0}), HR_JSON_INVALID);
}

static void test_json_is_null(void **state)
{
	(void)state;
	assert_true(hr_json_is_null(span_c("null")));
	assert_false(hr_json_is_null(span_c("nul")));
	assert_false(hr_json_is_null(span_c("null ")));
	assert_false(hr_json_is_null(span_c("\"null\"")));
	assert_false(hr_json_is_null((struct hr_json_span){NULL, 0}));
}

/* ---- iterators ---- */

static void test_json_iter_walks_members_in_order(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span k, v;
	(void)state;
	hr_json_iter_init(&it, span_c("{\"a\": 1, \"b\" : [2, 3] ,\"c\":{\"d\":\"e\"}}"), 8);
	assert_true(hr_json_next_member(&it, &k, &v));
	assert_true(hr_json_string_eq(k, "a", 1));
	assert_int_equal(k.n, 3);
	assert_memory_equal(v.p, "1", v.n);
	assert_true(hr_json_next_member(&it, &k, &v));
	assert_memory_equal(k.p, "\"b\"", k.n);
	assert_int_equal(v.n, 6);
	assert_memory_equal(v.p, "[2, 3]", v.n);
	assert_true(hr_json_next_member(&it, &k, &v));
	assert_memory_equal(v.p, "{\"d\":\"e\"}", v.n);
	assert_false(hr_json_next_member(&it, &k, &v));
	assert_false(hr_json_iter_failed(&it));
	assert_false(hr_json_next_member(&it, &k, &v)); /* stays at the end */
	assert_false(hr_json_iter_failed(&it));
}

static void test_json_iter_walks_elements_in_order(void **state)
{
	static const char *const want[] = {"1", "\"two\"", "{\"three\":3}", "[4]", "null", "-5e1"};
	struct hr_json_iter it;
	struct hr_json_span v;
	size_t i = 0;
	(void)state;
	hr_json_iter_init(&it, span_c("[1,\"two\" , {\"three\":3},[4],null,\n-5e1]"), 8);
	while (hr_json_next_element(&it, &v)) {
		assert_true(i < N(want));
		assert_int_equal(v.n, strlen(want[i]));
		assert_memory_equal(v.p, want[i], v.n);
		i++;
	}
	assert_int_equal(i, N(want));
	assert_false(hr_json_iter_failed(&it));
}

static void test_json_iter_empty_containers(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span k, v;
	(void)state;
	hr_json_iter_init(&it, span_c("{ }"), 8);
	assert_false(hr_json_next_member(&it, &k, &v));
	assert_false(hr_json_iter_failed(&it));
	hr_json_iter_init(&it, span_c("[]"), 8);
	assert_false(hr_json_next_element(&it, &v));
	assert_false(hr_json_iter_failed(&it));
}

static void test_json_iter_member_on_array_fails(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span k, v;
	(void)state;
	hr_json_iter_init(&it, span_c("[1]"), 8);
	assert_false(hr_json_next_member(&it, &k, &v));
	assert_true(hr_json_iter_failed(&it));
}

static void test_json_iter_element_on_object_fails(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span v;
	(void)state;
	hr_json_iter_init(&it, span_c("{\"a\":1}"), 8);
	assert_false(hr_json_next_element(&it, &v));
	assert_true(hr_json_iter_failed(&it));
}

static void test_json_iter_fails_on_non_container(void **state)
{
	static const char *const bad[] = {"1", "\"s\"", "null", "", "  "};
	struct hr_json_iter it;
	struct hr_json_span v;
	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		hr_json_iter_init(&it, span_c(bad[i]), 8);
		assert_false(hr_json_next_element(&it, &v));
		assert_true(hr_json_iter_failed(&it));
	}
	hr_json_iter_init(&it, (struct hr_json_span){NULL, 0}, 8);
	assert_false(hr_json_next_element(&it, &v));
	assert_true(hr_json_iter_failed(&it));
}

static void test_json_iter_fails_on_malformed_member(void **state)
{
	static const char *const bad[] = {
	    "{\"a\":1,}",       "{\"a\":1 \"b\":2}", "{\"a\" 1}",      "{a:1}",
	    "{\"a\":1,\"b\":}", "{\"a\":1,\"b\":[}", "{\"a\":1,\"b\"", "{\"a\":1,\"b\":\"\\x\"}"};
	struct hr_json_iter it;
	struct hr_json_span k, v;
	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		size_t got = 0;
		hr_json_iter_init(&it, span_c(bad[i]), 8);
		while (hr_json_next_member(&it, &k, &v))
			got++;
		if (!hr_json_iter_failed(&it))
			fail_msg("'%s' did not fail", bad[i]);
		assert_true(got <= 1);
	}
}

/* A span that ends right after a comma (a truncated body) fails without
 * reading the byte after the span, validating or trusted (found by
 * fuzz/fuzz_extender_args: the member's opening quote was read at the end). */
static void test_json_iter_fails_on_comma_at_end_of_span(void **state)
{
	static const char *const bad[] = {"{\"a\":1,", "{\"a\":1, \n", "[1,", "[1 , "};
	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		for (int trusted = 0; trusted < 2; trusted++) {
			size_t n = strlen(bad[i]);
			char *copy = malloc(n); /* no NUL: ASan catches a read at n */
			assert_non_null(copy);
			memcpy(copy, bad[i], n);
			struct hr_json_iter it;
			struct hr_json_span k, v;
			if (trusted)
				hr_json_iter_init_trusted(&it, (struct hr_json_span){copy, n});
			else
				hr_json_iter_init(&it, (struct hr_json_span){copy, n}, 8);
			bool object = copy[0] == '{';
			assert_true(object ? hr_json_next_member(&it, &k, &v)
			                   : hr_json_next_element(&it, &v));
			assert_false(object ? hr_json_next_member(&it, &k, &v)
			                    : hr_json_next_element(&it, &v));
			assert_true(hr_json_iter_failed(&it));
			free(copy);
		}
	}
}

static void test_json_iter_fails_on_trailing_bytes(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span v;
	(void)state;
	hr_json_iter_init(&it, span_c("[1] x"), 8);
	assert_true(hr_json_next_element(&it, &v));
	assert_false(hr_json_next_element(&it, &v));
	assert_true(hr_json_iter_failed(&it));
}

static void test_json_iter_tolerates_surrounding_whitespace(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span v;
	(void)state;
	hr_json_iter_init(&it, span_c(" \n[ 1 ]\r\n "), 8);
	assert_true(hr_json_next_element(&it, &v));
	assert_memory_equal(v.p, "1", 1);
	assert_false(hr_json_next_element(&it, &v));
	assert_false(hr_json_iter_failed(&it));
}

static void test_json_iter_depth_limit(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span v;
	(void)state;
	hr_json_iter_init(&it, span_c("[[1]]"), 2);
	assert_true(hr_json_next_element(&it, &v));
	assert_false(hr_json_next_element(&it, &v));
	assert_false(hr_json_iter_failed(&it));
	hr_json_iter_init(&it, span_c("[[[1]]]"), 2);
	assert_false(hr_json_next_element(&it, &v));
	assert_true(hr_json_iter_failed(&it));
	hr_json_iter_init(&it, span_c("[]"), 0);
	assert_false(hr_json_next_element(&it, &v));
	assert_true(hr_json_iter_failed(&it));
}

static void test_json_iter_stays_failed(void **state)
{
	struct hr_json_iter it;
	struct hr_json_span v;
	(void)state;
	hr_json_iter_init(&it, span_c("[1,,2]"), 8);
	assert_true(hr_json_next_element(&it, &v));
	assert_false(hr_json_next_element(&it, &v));
	assert_true(hr_json_iter_failed(&it));
	assert_false(hr_json_next_element(&it, &v));
	assert_true(hr_json_iter_failed(&it));
}

/* ---- lookups ---- */

static const char node_json[] =
    "{\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\","
    "\"resourceVersion\":\"4711\",\"labels\":{\"kubernetes.io/"
    "hostname\":\"node-1\"}},\"status\":{\"allocatable\":{\"cpu\":\"4\"}}}";

static void expect_span(struct hr_json_span v, const char *want)
{
	assert_int_equal(v.n, strlen(want));
	assert_memory_equal(v.p, want, v.n);
}

/* Trusted iteration returns the same spans as validating iteration on valid
 * input, including strings with escaped quotes and backslashes. */
static void test_json_iter_trusted_matches_validating(void **state)
{
	(void)state;
	const char *doc = " { \"a\\\"}\" : [1, {\"x\": \"]\\\\\"}, \"\\\\\"], \"b\":true,"
	                  "\"c\":-1.5e3 , \"d\" : {\"e\":[[]]}, \"f\":null } ";
	struct hr_json_iter v, t;
	struct hr_json_span kv, vv, kt, vt;
	hr_json_iter_init(&v, span_c(doc), 16);
	hr_json_iter_init_trusted(&t, span_c(doc));
	size_t n = 0;
	while (hr_json_next_member(&v, &kv, &vv)) {
		assert_true(hr_json_next_member(&t, &kt, &vt));
		assert_ptr_equal(kv.p, kt.p);
		assert_int_equal(kv.n, kt.n);
		assert_ptr_equal(vv.p, vt.p);
		assert_int_equal(vv.n, vt.n);
		n++;
	}
	assert_false(hr_json_iter_failed(&v));
	assert_false(hr_json_next_member(&t, &kt, &vt));
	assert_false(hr_json_iter_failed(&t));
	assert_int_equal(n, 5);
}

/* On malformed input a trusted iterator may return odd spans but stays
 * inside the container (run under ASan, this is the check). */
static void test_json_iter_trusted_stays_in_bounds(void **state)
{
	(void)state;
	const char *bad[] = {"{\"a\":\"unterminated", "{\"a\":[[[", "[\"\\", "{\"a\":}}}}", "[1,2",
	                     "{\"a\" \"b\"}",         "[\"x\\\"]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]);
		char *copy = malloc(n); /* no NUL: reading past n would be caught */
		assert_non_null(copy);
		memcpy(copy, bad[i], n);
		struct hr_json_iter it;
		struct hr_json_span k, v;
		hr_json_iter_init_trusted(&it, (struct hr_json_span){copy, n});
		for (int guard = 0; guard < 16; guard++) {
			bool more = copy[0] == '{' ? hr_json_next_member(&it, &k, &v)
			                           : hr_json_next_element(&it, &v);
			if (!more)
				break;
			assert_true(v.p >= copy && v.p + v.n <= copy + n);
		}
		free(copy);
	}
}

/* find_trusted gives the rest of the object from the value on, and a trusted
 * iterator over it stops at the value's own closing bracket. */
static void test_json_find_trusted_leaves_the_value_unskipped(void **state)
{
	(void)state;
	const char *doc = "{\"metadata\":{\"a\":\"}\"},\"items\": [1, [2], \"]\"] , \"z\":0}";
	struct hr_json_span rest, v;
	assert_true(hr_json_find_trusted(span_c(doc), "items", &rest));
	assert_ptr_equal(rest.p, strchr(doc, '['));
	assert_ptr_equal(rest.p + rest.n, doc + strlen(doc));
	struct hr_json_iter it;
	hr_json_iter_init_trusted(&it, rest);
	const char *want[] = {"1", "[2]", "\"]\""};
	for (size_t i = 0; i < 3; i++) {
		assert_true(hr_json_next_element(&it, &v));
		assert_int_equal(v.n, strlen(want[i]));
		assert_memory_equal(v.p, want[i], v.n);
	}
	assert_false(hr_json_next_element(&it, &v));
	assert_false(hr_json_iter_failed(&it));
	assert_false(hr_json_find_trusted(span_c(doc), "absent", &rest));
	assert_false(hr_json_find_trusted(span_c("[1]"), "items", &rest));
}

/* Too deep or malformed: the depth error is told apart, even past the
 * scanner's own limit. */
static void test_json_too_deep_tells_depth_from_malformed(void **state)
{
	(void)state;
	static char deep[4001];
	for (int i = 0; i < 2000; i++) {
		deep[i] = '[';
		deep[2000 + i] = ']';
	}
	size_t at;
	const char *cases[] = {"[[[[1]]]]", "[[1]", "[[1,]]"};
	bool want[] = {true, false, false};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(skip_c(cases[i], 3, NULL, &at), HR_JSON_INVALID);
		assert_int_equal(hr_json_too_deep(cases[i], strlen(cases[i]), 3, at), want[i]);
	}
	assert_int_equal(skip_c(deep, 64, NULL, &at), HR_JSON_INVALID);
	assert_true(hr_json_too_deep(deep, strlen(deep), 64, at));
}

static void test_json_get_finds_key(void **state)
{
	struct hr_json_span v;
	(void)state;
	assert_true(hr_json_get(span_c(node_json), "kind", &v));
	expect_span(v, "\"Node\"");
	assert_true(hr_json_get(span_c(node_json), "status", &v));
	expect_span(v, "{\"allocatable\":{\"cpu\":\"4\"}}");
	assert_true(hr_json_get(span_c(node_json), "kind", NULL));
}

static void test_json_get_matches_escaped_key(void **state)
{
	struct hr_json_span v;
	(void)state;
	assert_true(hr_json_get(span_c("{\"na\\u006de\":\"x\"}"), "name", &v));
	expect_span(v, "\"x\"");
	assert_true(hr_json_get(span_c("{\"a\\/b\":1}"), "a/b", &v));
	assert_true(hr_json_get(span_c("{\"\\u00e9t\\u00e9\":1}"), "\xc3\xa9t\xc3\xa9", &v));
	assert_true(hr_json_get(span_c("{\"\\ud83d\\ude00\":1}"), "\xf0\x9f\x98\x80", &v));
}

static void test_json_get_is_case_sensitive(void **state)
{
	(void)state;
	assert_false(hr_json_get(span_c(node_json), "Kind", NULL));
	assert_false(hr_json_get(span_c(node_json), "KIND", NULL));
}

static void test_json_get_absent_key(void **state)
{
	(void)state;
	assert_false(hr_json_get(span_c(node_json), "spec", NULL));
	assert_false(hr_json_get(span_c(node_json), "name", NULL)); /* only at the top */
	assert_false(hr_json_get(span_c("{}"), "a", NULL));
	assert_false(hr_json_get(span_c("{\"names\":1,\"nam\":2}"), "name", NULL));
	assert_false(hr_json_get(span_c("{\"a\":1}"), "", NULL));
	assert_true(hr_json_get(span_c("{\"\":1}"), "", NULL));
}

static void test_json_get_not_object(void **state)
{
	(void)state;
	assert_false(hr_json_get(span_c("[\"a\"]"), "a", NULL));
	assert_false(hr_json_get(span_c("\"a\""), "a", NULL));
	assert_false(hr_json_get(span_c("{\"b\":1,\"a\"}"), "a", NULL)); /* malformed */
}

static void test_json_get_first_duplicate_wins(void **state)
{
	struct hr_json_span v;
	(void)state;
	assert_true(hr_json_get(span_c("{\"a\":1,\"a\":2}"), "a", &v));
	expect_span(v, "1");
}

static void test_json_get_n_takes_view(void **state)
{
	struct hr_json_span v;
	(void)state;
	assert_true(hr_json_get_n(span_c(node_json), "kindness", 4, &v));
	expect_span(v, "\"Node\"");
}

static void test_json_get_path_follows_dots(void **state)
{
	struct hr_json_span v;
	(void)state;
	assert_true(hr_json_get_path(span_c(node_json), "metadata.name", &v));
	expect_span(v, "\"node-1\"");
	assert_true(hr_json_get_path(span_c(node_json), "metadata.resourceVersion", &v));
	expect_span(v, "\"4711\"");
	assert_true(hr_json_get_path(span_c(node_json), "status.allocatable.cpu", &v));
	expect_span(v, "\"4\"");
	assert_true(hr_json_get_path(span_c(node_json), "kind", &v));
	expect_span(v, "\"Node\"");
	assert_false(hr_json_get_path(span_c(node_json), "metadata.uid", &v));
	/* A key with a dot cannot be named by a path, only by hr_json_get. */
	assert_false(
	    hr_json_get_path(span_c(node_json), "metadata.labels.kubernetes.io/hostname", &v));
}

static void test_json_get_path_rejects_empty_segments(void **state)
{
	(void)state;
	assert_false(hr_json_get_path(span_c(node_json), "", NULL));
	assert_false(hr_json_get_path(span_c(node_json), ".kind", NULL));
	assert_false(hr_json_get_path(span_c(node_json), "kind.", NULL));
	assert_false(hr_json_get_path(span_c(node_json), "metadata..name", NULL));
}

static void test_json_get_path_stops_at_non_object(void **state)
{
	(void)state;
	assert_false(hr_json_get_path(span_c(node_json), "kind.x", NULL));
	assert_false(hr_json_get_path(span_c("{\"a\":[{\"b\":1}]}"), "a.b", NULL));
	assert_false(hr_json_get_path(span_c("{\"a\":null}"), "a.b", NULL));
}

static const char filter_body[] =
    "{\"Pod\": {\"metadata\": {\"name\": \"p\"}},\n"
    " \"Nodes\": {\"metadata\": {}, \"items\": [\n"
    "  {\"metadata\": {\"name\": \"n1\", \"resourceVersion\": \"10\"}},\n"
    "  {\"metadata\":{\"name\":\"n\\u0032\",\"annotations\":{\"x\":\"{\\\"y\\\": [1]}\"}}}\n"
    " ]},\n"
    " \"NodeNames\": null}";

static void test_json_get_path_node_items_from_filter_body(void **state)
{
	static const char *const want[] = {
	    "{\"metadata\": {\"name\": \"n1\", \"resourceVersion\": \"10\"}}",
	    "{\"metadata\":{\"name\":\"n\\u0032\",\"annotations\":{\"x\":\"{\\\"y\\\": [1]}\"}}}"};
	static const char *const names[] = {"n1", "n2"};
	struct hr_json_span items, node, name;
	struct hr_json_iter it;
	size_t i = 0;
	(void)state;
	assert_true(hr_json_get_path(span_c(filter_body), "Nodes.items", &items));
	assert_true(hr_json_get(span_c(filter_body), "NodeNames", &name));
	assert_true(hr_json_is_null(name));
	hr_json_iter_init(&it, items, 64);
	while (hr_json_next_element(&it, &node)) {
		char buf[16];
		size_t len;
		assert_true(i < N(want));
		expect_span(node, want[i]); /* byte for byte, no re-serialisation */
		assert_true(node.p >= filter_body && node.p < filter_body + sizeof(filter_body));
		assert_true(hr_json_get_path(node, "metadata.name", &name));
		assert_true(hr_json_string_decode(name, buf, sizeof(buf), &len));
		assert_string_equal(buf, names[i]);
		i++;
	}
	assert_false(hr_json_iter_failed(&it));
	assert_int_equal(i, 2);
}

/* ---- decoding ---- */

static void expect_decode(const char *json, const char *want, size_t want_len)
{
	char buf[64];
	size_t len = 999;
	if (!hr_json_string_decode(span_c(json), buf, sizeof(buf), &len))
		fail_msg("'%s' did not decode", json);
	assert_int_equal(len, want_len);
	assert_memory_equal(buf, want, want_len);
	assert_int_equal(buf[len], '\0');
}

static void expect_no_decode(const char *json)
{
	char buf[64];
	if (hr_json_string_decode(span_c(json), buf, sizeof(buf), NULL))
		fail_msg("'%s' decoded", json);
}

static void test_json_string_decode_plain(void **state)
{
	(void)state;
	expect_decode("\"\"", "", 0);
	expect_decode("\"node-1\"", "node-1", 6);
}

static void test_json_string_decode_simple_escapes(void **state)
{
	(void)state;
	expect_decode("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	expect_decode("\"a\\nb\"", "a\nb", 3);
}

static void test_json_string_decode_unicode_escapes(void **state)
{
	(void)state;
	expect_decode("\"\\u0041\"", "A", 1);
	expect_decode("\"\\u00e9\"", "\xc3\xa9", 2);
	expect_decode("\"\\u07FF\"", "\xdf\xbf", 2);
	expect_decode("\"\\u0800\"", "\xe0\xa0\x80", 3);
	expect_decode("\"\\u20AC\"", "\xe2\x82\xac", 3);
	expect_decode("\"\\uffff\"", "\xef\xbf\xbf", 3);
}

static void test_json_string_decode_surrogate_pair(void **state)
{
	(void)state;
	expect_decode("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	expect_decode("\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80", 4); /* U+10000 */
	expect_decode("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4); /* U+10FFFF */
	expect_decode("\"a\\ud83d\\ude00b\"",
	              "a\xf0\x9f\x98\x80"
	              "b",
	              6);
}

static void test_json_string_decode_rejects_lone_high_surrogate(void **state)
{
	(void)state;
	expect_no_decode("\"\\ud83d\"");
	expect_no_decode("\"\\ud83dx\"");
	expect_no_decode("\"\\ud83d\\u0041\"");
	expect_no_decode("\"\\ud83d\\ud83d\"");
	expect_no_decode("\"\\ud83d\\n\"");
}

static void test_json_string_decode_rejects_lone_low_surrogate(void **state)
{
	(void)state;
	expect_no_decode("\"\\udc00\"");
	expect_no_decode("\"\\ude00\\ud83d\""); /* reversed pair */
}

static void test_json_string_decode_keeps_raw_utf8(void **state)
{
	(void)state;
	expect_decode("\"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\"",
	              "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", 9);
	expect_no_decode("\"\xed\xa0\x80\"");
}

static void test_json_string_decode_embedded_nul(void **state)
{
	(void)state;
	expect_decode("\"a\\u0000b\"", "a\0b", 3);
}

static void test_json_string_decode_exact_fit_and_one_short(void **state)
{
	char buf[8];
	size_t len;
	struct hr_json_span s = span_c("\"abc\\u00e9\""); /* 5 bytes decoded */
	(void)state;
	assert_true(hr_json_string_decode(s, buf, 6, &len));
	assert_int_equal(len, 5);
	assert_false(hr_json_string_decode(s, buf, 5, &len));
	assert_false(hr_json_string_decode(s, buf, 0, &len));
	/* s.n - 1 always suffices */
	assert_true(hr_json_string_decode(span_c("\"\\u0041\""), buf, 7, &len));
	assert_true(hr_json_string_decode(span_c("\"\""), buf, 1, &len));
	assert_int_equal(len, 0);
}

static void test_json_string_decode_rejects_non_string(void **state)
{
	(void)state;
	expect_no_decode("12");
	expect_no_decode("\"");
	expect_no_decode("\"abc");
	expect_no_decode("\"a\"b");
	expect_no_decode("\"a\" ");
	expect_no_decode("\"a\x01\"");
	expect_no_decode("\"\\x\"");
	expect_no_decode("\"\\u12\"");
	expect_no_decode("");
}

static void test_json_string_eq_compares_decoded(void **state)
{
	(void)state;
	assert_true(hr_json_string_eq(span_c("\"name\""), "name", 4));
	assert_true(hr_json_string_eq(span_c("\"n\\u0061me\""), "name", 4));
	assert_false(hr_json_string_eq(span_c("\"name\""), "nam", 3));
	assert_false(hr_json_string_eq(span_c("\"nam\""), "name", 4));
	assert_false(hr_json_string_eq(span_c("\"Name\""), "name", 4));
	assert_true(hr_json_string_eq(span_c("\"a\\u0000b\""), "a\0b", 3));
	assert_false(hr_json_string_eq(span_c("name"), "name", 4));
	assert_false(hr_json_string_eq(span_c("\"\\ud800\""), "x", 1));
}

/* ---- splitter ---- */

#define REC_MAX 64

/* Records what the splitter reports. */
struct rec {
	char data[16384]; /* elements, then members as key=value, concatenated */
	size_t len;
	size_t n;
	size_t off[REC_MAX], lens[REC_MAX];
	char members[1024];
	size_t members_len;
	size_t stop_at; /* the element index whose callback fails; SIZE_MAX for none */
};

static enum hr_code rec_element(void *ctx, struct hr_json_span e, size_t index)
{
	struct rec *r = ctx;
	if (index == r->stop_at)
		return HR_EINVAL;
	assert_int_equal(index, r->n);
	assert_true(r->n < REC_MAX && r->len + e.n <= sizeof(r->data));
	r->off[r->n] = r->len;
	r->lens[r->n] = e.n;
	memcpy(r->data + r->len, e.p, e.n);
	r->len += e.n;
	r->n++;
	return HR_OK;
}

static enum hr_code rec_member(void *ctx, struct hr_json_span key, struct hr_json_span value)
{
	struct rec *r = ctx;
	assert_true(r->members_len + key.n + value.n + 2 <= sizeof(r->members));
	memcpy(r->members + r->members_len, key.p, key.n);
	r->members_len += key.n;
	r->members[r->members_len++] = '=';
	memcpy(r->members + r->members_len, value.p, value.n);
	r->members_len += value.n;
	r->members[r->members_len++] = ';';
	r->members[r->members_len] = '\0';
	return HR_OK;
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->stop_at = SIZE_MAX;
}

static struct hr_json_splitter_config split_cfg(const char *path, struct rec *r, bool members)
{
	return (struct hr_json_splitter_config){
	    .path = path,
	    .max_element_bytes = 4096,
	    .max_depth = 32,
	    .on_element = rec_element,
	    .on_member = members ? rec_member : NULL,
	    .ctx = r,
	};
}

/* Feeds doc[0..n) in chunks of cs bytes, each chunk a separate allocation
 * freed right after feeding (ASan then catches any span kept past the call),
 * then finishes. Returns the first non-OK code. */
static enum hr_code feed_chunks(struct hr_json_splitter *sp, const char *doc, size_t n, size_t cs)
{
	for (size_t at = 0; at < n; at += cs) {
		size_t len = n - at < cs ? n - at : cs;
		char *chunk = malloc(len);
		assert_non_null(chunk);
		memcpy(chunk, doc + at, len);
		enum hr_code rc = hr_json_splitter_feed(sp, chunk, len);
		free(chunk);
		if (rc != HR_OK)
			return rc;
	}
	return hr_json_splitter_finish(sp);
}

/* Runs a whole document through a fresh splitter in chunks of cs. */
static enum hr_code split_doc(const struct hr_json_splitter_config *cfg,
                              struct hr_json_splitter *sp, const char *doc, size_t cs)
{
	assert_int_equal(hr_json_splitter_init(sp, cfg), HR_OK);
	enum hr_code rc = feed_chunks(sp, doc, strlen(doc), cs);
	hr_json_splitter_fini(sp);
	return rc;
}

/* The elements of the array at path, by the in-memory iterator. */
static void expected_elements(const char *doc, const char *path, struct rec *want)
{
	struct hr_json_span arr, e;
	struct hr_json_iter it;
	rec_init(want);
	if (path[0])
		assert_true(hr_json_get_path(span_c(doc), path, &arr));
	else
		arr = span_c(doc);
	hr_json_iter_init(&it, arr, 32);
	while (hr_json_next_element(&it, &e))
		assert_int_equal(rec_element(want, e, want->n), HR_OK);
	assert_false(hr_json_iter_failed(&it));
}

static void expect_same_elements(const struct rec *got, const struct rec *want)
{
	assert_int_equal(got->n, want->n);
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->lens, want->lens, want->n * sizeof(size_t));
	assert_memory_equal(got->data, want->data, want->len);
}

static const char list_doc[] =
    "{\n"
    "    \"apiVersion\": \"v1\",\n"
    "    \"kind\": \"List\",\n"
    "    \"metadata\": {\"resourceVersion\": \"12\\u003345\", \"selfLink\": \"\"},\n"
    "    \"items\": [\n"
    "        {\n"
    "            \"kind\": \"Node\",\n"
    "            \"metadata\": {\"name\": \"node-\\u00e9\\ud83d\\ude00\",\n"
    "                         \"labels\": {\"a.b/c\": \"x\\\"y\\\\z]}\"}},\n"
    "            \"status\": {\"capacity\": {\"cpu\": \"4\", \"memory\": \"16Gi\"}}\n"
    "        },\n"
    "        12,\n"
    "        -0.5e+3,\n"
    "        0,\n"
    "        \"str\\u0041ing \xc3\xbc \xe6\x97\xa5 \xf0\x9f\x98\x80\",\n"
    "        true, false, null,\n"
    "        [],\n"
    "        {},\n"
    "        [1, [2, [3]], {\"k\": [4, \"]\"]}],\n"
    "        1E9\n"
    "    ]\n"
    "}\n";

static void test_json_splitter_every_chunk_size_gives_same_elements(void **state)
{
	static struct rec want, got;
	size_t n = strlen(list_doc);
	(void)state;
	expected_elements(list_doc, "items", &want);
	assert_int_equal(want.n, 12);
	for (size_t cs = 1; cs <= n; cs++) {
		struct hr_json_splitter sp;
		struct hr_json_splitter_config cfg = split_cfg("items", &got, false);
		rec_init(&got);
		if (split_doc(&cfg, &sp, list_doc, cs) != HR_OK)
			fail_msg("chunk size %zu: %s", cs, sp.err.msg);
		expect_same_elements(&got, &want);
		assert_int_equal(sp.elements, 12);
		assert_true(sp.found);
		assert_int_equal(sp.offset, n);
	}
}

static void test_json_splitter_kind_and_rv_before_items(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	for (size_t cs = 1; cs <= 64; cs++) {
		rec_init(&r);
		assert_int_equal(split_doc(&cfg, &sp, list_doc, cs), HR_OK);
		assert_true(sp.has_kind);
		assert_string_equal(sp.kind, "List");
		assert_true(sp.has_resource_version);
		assert_string_equal(sp.resource_version, "12345");
	}
}

/* Checks kind and resourceVersion are not yet known when the elements arrive. */
static enum hr_code check_not_yet(void *ctx, struct hr_json_span e, size_t index)
{
	const struct hr_json_splitter *sp = ctx;
	(void)e;
	(void)index;
	assert_false(sp->has_kind);
	assert_false(sp->has_resource_version);
	return HR_OK;
}

static void test_json_splitter_kind_and_rv_after_items(void **state)
{
	static const char doc[] = "{\"items\": [{\"a\": 1}, {\"b\": 2}], \"kind\": \"NodeList\", "
	                          "\"apiVersion\": \"v1\", \"metadata\": {\"continue\": \"\", "
	                          "\"resourceVersion\": \"987654\"}}";
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = {
	    .path = "items", .max_element_bytes = 64, .max_depth = 8, .on_element = check_not_yet};
	(void)state;
	for (size_t cs = 1; cs <= sizeof(doc); cs++) {
		cfg.ctx = &sp;
		assert_int_equal(split_doc(&cfg, &sp, doc, cs), HR_OK);
		assert_int_equal(sp.elements, 2);
		assert_true(sp.has_kind);
		assert_string_equal(sp.kind, "NodeList");
		assert_true(sp.has_resource_version);
		assert_string_equal(sp.resource_version, "987654");
	}
}

static void test_json_splitter_reports_other_members(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, true);
	static const char doc[] =
	    "{\"a\": 1, \"items\": [2], \"b\": {\"c\": [3]}, \"d\\u0031\": \"e\"}";
	(void)state;
	for (size_t cs = 1; cs <= sizeof(doc); cs++) {
		rec_init(&r);
		assert_int_equal(split_doc(&cfg, &sp, doc, cs), HR_OK);
		assert_string_equal(r.members, "\"a\"=1;\"b\"={\"c\": [3]};\"d\\u0031\"=\"e\";");
		assert_int_equal(r.n, 1);
		assert_false(sp.has_kind);
		assert_false(sp.has_resource_version);
	}
}

static void test_json_splitter_element_exactly_max_accepted(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	static const char doc[] = "{\"items\": [\"0123456789\", [1,2,3,4,5,6,7,8], 3]}";
	(void)state;
	cfg.max_element_bytes = 17; /* the second element */
	for (size_t cs = 1; cs <= sizeof(doc); cs++) {
		rec_init(&r);
		assert_int_equal(split_doc(&cfg, &sp, doc, cs), HR_OK);
		assert_int_equal(r.n, 3);
		assert_int_equal(r.lens[1], 17);
	}
}

static void test_json_splitter_element_over_max_fails(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	static const char doc[] = "{\"items\": [\"0123456789\", [1,2,3,4,5,6,7,8], 3]}";
	(void)state;
	cfg.max_element_bytes = 16;
	for (size_t cs = 1; cs <= sizeof(doc); cs++) {
		rec_init(&r);
		assert_int_equal(split_doc(&cfg, &sp, doc, cs), HR_ENOMEM);
		assert_int_equal(r.n, 1);
		assert_string_equal(sp.err.where, "items[1]");
		assert_non_null(strstr(sp.err.msg, "larger than 16 bytes"));
		assert_true(sp.buf == NULL); /* fini freed it */
	}
}

static void test_json_splitter_member_over_max_fails(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	static const char doc[] = "{\"metadata\": {\"resourceVersion\": \"1\"}, \"items\": []}";
	(void)state;
	cfg.max_element_bytes = 20;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, doc, 5), HR_ENOMEM);
	assert_string_equal(sp.err.where, "");
	/* A key is capped too. */
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"a-very-long-key-indeed\": 1, \"items\": []}", 5),
	                 HR_ENOMEM);
	/* Members nobody asked for are not buffered, whatever their size. */
	static const char big[] = "{\"other\": {\"resourceVersion\": \"1\"}, \"items\": [1]}";
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, big, 5), HR_OK);
	assert_int_equal(r.n, 1);
}

static void test_json_splitter_garbage_after_document_fails(void **state)
{
	static const char *const docs[] = {"{\"items\": []} x", "{\"items\": []}{}",
	                                   "{\"items\": [1]}]", "{\"items\": []}\n\nnull"};
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	for (size_t i = 0; i < N(docs); i++) {
		for (size_t cs = 1; cs <= strlen(docs[i]); cs++) {
			rec_init(&r);
			assert_int_equal(split_doc(&cfg, &sp, docs[i], cs), HR_EINVAL);
			assert_non_null(strstr(sp.err.msg, "expected the end of the document"));
		}
	}
	/* Trailing whitespace is fine. */
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\": []} \n\t\r ", 3), HR_OK);
}

static void test_json_splitter_empty_items(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"kind\":\"List\",\"items\":[ ]}", 1), HR_OK);
	assert_true(sp.found);
	assert_int_equal(sp.elements, 0);
	assert_int_equal(r.n, 0);
	assert_string_equal(sp.kind, "List");
}

static void test_json_splitter_missing_items(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	rec_init(&r);
	assert_int_equal(
	    split_doc(&cfg, &sp, "{\"kind\":\"List\",\"itemz\":[1],\"x\":{\"items\":[2]}}", 2),
	    HR_OK);
	assert_false(sp.found);
	assert_int_equal(sp.elements, 0);
	assert_int_equal(r.n, 0);
	assert_true(sp.has_kind);
}

static void test_json_splitter_null_items(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":null,\"kind\":\"List\"}", 1), HR_OK);
	assert_false(sp.found);
	assert_int_equal(r.n, 0);
}

static void test_json_splitter_items_not_array_fails(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":{}}", 1), HR_EINVAL);
	assert_non_null(strstr(sp.err.msg, "\"items\" is not an array"));
	assert_int_equal(sp.err_offset, 9);
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "[1]", 1), HR_EINVAL);
	assert_non_null(strstr(sp.err.msg, "the document is not an object"));
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "null", 1), HR_EINVAL);
}

static void test_json_splitter_duplicate_items_first_wins(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, true);
	(void)state;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":[1],\"items\":[2,3]}", 1), HR_OK);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.members, "");
}

static void test_json_splitter_truncated_document_fails(void **state)
{
	static struct rec r;
	size_t n = strlen(list_doc);
	(void)state;
	for (size_t cut = 0; cut < n - 1; cut++) { /* n - 1: the final newline is optional */
		struct hr_json_splitter sp;
		struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
		rec_init(&r);
		assert_int_equal(hr_json_splitter_init(&sp, &cfg), HR_OK);
		enum hr_code rc = feed_chunks(&sp, list_doc, cut, 7);
		hr_json_splitter_fini(&sp);
		if (rc != HR_EINVAL)
			fail_msg("cut at %zu gave %d", cut, rc);
		assert_int_equal(sp.err_offset, cut);
	}
}

static void test_json_splitter_reports_error_offset(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	static const char doc[] = "{\"items\":[1,2x]}";
	(void)state;
	for (size_t cs = 1; cs <= sizeof(doc); cs++) {
		rec_init(&r);
		assert_int_equal(split_doc(&cfg, &sp, doc, cs), HR_EINVAL);
		assert_int_equal(sp.err_offset, 13);
		assert_string_equal(sp.err.where, "");
		assert_int_equal(r.n, 2);
	}
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":[1,{\"a\":tru}]}", 4), HR_EINVAL);
	assert_int_equal(sp.err_offset, 20);
	assert_string_equal(sp.err.where, "items[1]");
	/* Once failed, it stays failed. */
	assert_int_equal(hr_json_splitter_feed(&sp, "1", 1), HR_EINVAL);
	assert_int_equal(hr_json_splitter_finish(&sp), HR_EINVAL);
}

static void test_json_splitter_depth_limit(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	cfg.max_depth = 3;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":[[1],{\"a\":1}]}", 1), HR_OK);
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":[[[1]]]}", 1), HR_ERANGE);
	assert_string_equal(sp.err.where, "items[0]");
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"x\":[[[1]]],\"items\":[]}", 1), HR_ERANGE);
}

static void test_json_splitter_callback_can_stop(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	rec_init(&r);
	r.stop_at = 1;
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":[1,2,3]}", 1), HR_EINVAL);
	assert_int_equal(sp.elements, 1);
	assert_string_equal(sp.err.where, "items[1]");
	assert_non_null(strstr(sp.err.msg, "callback"));
}

static void test_json_splitter_nested_path(void **state)
{
	static struct rec want, got;
	size_t n = strlen(filter_body);
	(void)state;
	expected_elements(filter_body, "Nodes.items", &want);
	assert_int_equal(want.n, 2);
	for (size_t cs = 1; cs <= n; cs++) {
		struct hr_json_splitter sp;
		struct hr_json_splitter_config cfg = split_cfg("Nodes.items", &got, true);
		rec_init(&got);
		assert_int_equal(split_doc(&cfg, &sp, filter_body, cs), HR_OK);
		expect_same_elements(&got, &want);
		assert_string_equal(
		    got.members, "\"Pod\"={\"metadata\": {\"name\": \"p\"}};\"NodeNames\"=null;");
	}
}

static void test_json_splitter_empty_path_takes_document_array(void **state)
{
	static struct rec want, got;
	static const char doc[] = " [1, {\"a\": [2]}, \"3\"] ";
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("", &got, false);
	(void)state;
	expected_elements(doc, "", &want);
	for (size_t cs = 1; cs <= sizeof(doc); cs++) {
		rec_init(&got);
		assert_int_equal(split_doc(&cfg, &sp, doc, cs), HR_OK);
		expect_same_elements(&got, &want);
	}
	rec_init(&got);
	assert_int_equal(split_doc(&cfg, &sp, "{\"items\":[]}", 1), HR_EINVAL);
	assert_non_null(strstr(sp.err.msg, "the document is not an array"));
}

static void test_json_splitter_rejects_wrong_kind_types(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"kind\":1,\"items\":[]}", 1), HR_EINVAL);
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"metadata\":[],\"items\":[]}", 1), HR_EINVAL);
	rec_init(&r);
	assert_int_equal(
	    split_doc(&cfg, &sp, "{\"metadata\":{\"resourceVersion\":5},\"items\":[]}", 1),
	    HR_EINVAL);
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "{\"metadata\":null,\"items\":[]}", 1), HR_OK);
	assert_false(sp.has_resource_version);
}

static void test_json_splitter_empty_document_fails(void **state)
{
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "", 1), HR_EINVAL);
	assert_non_null(strstr(sp.err.msg, "empty document"));
	rec_init(&r);
	assert_int_equal(split_doc(&cfg, &sp, "  \n", 1), HR_EINVAL);
	assert_non_null(strstr(sp.err.msg, "empty document"));
}

static void test_json_splitter_init_rejects_bad_config(void **state)
{
	static const char *const paths[] = {
	    ".items", "items.", "a..b", "a.b.c.d.e.f.g.h.i",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
	static struct rec r;
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = split_cfg("items", &r, false);
	(void)state;
	for (size_t i = 0; i < N(paths); i++) {
		cfg.path = paths[i];
		assert_int_equal(hr_json_splitter_init(&sp, &cfg), HR_EINVAL);
		hr_json_splitter_fini(&sp);
	}
	cfg.path = "a.b.c.d.e.f.g.h";
	assert_int_equal(hr_json_splitter_init(&sp, &cfg), HR_OK);
	hr_json_splitter_fini(&sp);
	cfg.path = "items";
	cfg.on_element = NULL;
	assert_int_equal(hr_json_splitter_init(&sp, &cfg), HR_EINVAL);
	cfg.on_element = rec_element;
	cfg.max_element_bytes = 0;
	assert_int_equal(hr_json_splitter_init(&sp, &cfg), HR_EINVAL);
	cfg.max_element_bytes = 1;
	cfg.max_depth = 1; /* the elements would sit at depth 2 */
	assert_int_equal(hr_json_splitter_init(&sp, &cfg), HR_EINVAL);
	/* A failed init fails every feed. */
	assert_int_equal(hr_json_splitter_feed(&sp, "{}", 2), HR_EINVAL);
	hr_json_splitter_fini(&sp);
}

/* Mutates every byte of a valid array document in turn and checks that the
 * splitter (with path "", fed whole and byte by byte) accepts exactly what
 * hr_json_skip accepts, with the same elements. */
static void test_json_splitter_agrees_with_skip_on_mutations(void **state)
{
	static const char base[] = "[{\"a\": [1, -2.5e+3, \"x\\u00e9\\n\xc3\xa9\"]}, true, false, "
	                           "null, 0, \"\\ud83d\\ude00\", {\"b\": {}}, [[]], 12e-1]";
	static const char repl[] = {'"', '\\', '{', '}', '[', ']',    ',',    ':',    '0',    '-',
	                            'e', '.',  ' ', 'x', 'u', '\x01', '\xc3', '\x80', '\xed', '\n'};
	static struct rec want, got;
	char doc[sizeof(base)];
	size_t n = sizeof(base) - 1;
	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(repl); k++) {
			memcpy(doc, base, sizeof(base));
			doc[i] = repl[k];
			size_t consumed;
			enum hr_json_type t = hr_json_skip(doc, n, 32, NULL, &consumed);
			bool valid = t == HR_JSON_ARRAY;
			for (size_t j = consumed; valid && j < n; j++)
				valid = doc[j] == ' ' || doc[j] == '\n';
			if (valid)
				expected_elements(doc, "", &want);
			for (size_t cs = 1; cs <= n; cs += n - 1) {
				struct hr_json_splitter sp;
				struct hr_json_splitter_config cfg = split_cfg("", &got, false);
				rec_init(&got);
				assert_int_equal(hr_json_splitter_init(&sp, &cfg), HR_OK);
				enum hr_code rc = feed_chunks(&sp, doc, n, cs);
				hr_json_splitter_fini(&sp);
				if ((rc == HR_OK) != valid)
					fail_msg(
					    "byte %zu -> 0x%02x, chunk %zu: skip %d, splitter %d "
					    "(%s)",
					    i, (unsigned char)repl[k], cs, valid, rc, sp.err.msg);
				if (valid)
					expect_same_elements(&got, &want);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_skip_accepts_literals),
	    cmocka_unit_test(test_json_skip_rejects_bad_literals),
	    cmocka_unit_test(test_json_skip_accepts_numbers),
	    cmocka_unit_test(test_json_skip_rejects_bad_numbers),
	    cmocka_unit_test(test_json_skip_accepts_strings_with_every_escape),
	    cmocka_unit_test(test_json_skip_rejects_bad_escapes),
	    cmocka_unit_test(test_json_skip_rejects_raw_control_char),
	    cmocka_unit_test(test_json_skip_accepts_valid_utf8),
	    cmocka_unit_test(test_json_skip_rejects_invalid_utf8),
	    cmocka_unit_test(test_json_skip_accepts_lone_surrogate_escape),
	    cmocka_unit_test(test_json_skip_accepts_containers),
	    cmocka_unit_test(test_json_skip_rejects_bad_containers),
	    cmocka_unit_test(test_json_skip_depth_exactly_max_accepted),
	    cmocka_unit_test(test_json_skip_depth_max_plus_one_rejected),
	    cmocka_unit_test(test_json_skip_depth_zero_allows_scalars_only),
	    cmocka_unit_test(test_json_skip_depth_capped_at_depth_max),
	    cmocka_unit_test(test_json_skip_rejects_every_truncation),
	    cmocka_unit_test(test_json_skip_whitespace_around_value),
	    cmocka_unit_test(test_json_skip_rejects_non_json_whitespace),
	    cmocka_unit_test(test_json_skip_rejects_empty_input),
	    cmocka_unit_test(test_json_skip_reports_error_offset),
	    cmocka_unit_test(test_json_skip_scalar_must_end_at_delimiter),
	    cmocka_unit_test(test_json_skip_stops_after_first_value),
	    cmocka_unit_test(test_json_skip_does_not_read_past_n),
	    cmocka_unit_test(test_json_span_type_reads_first_byte),
	    cmocka_unit_test(test_json_is_null),
	    cmocka_unit_test(test_json_iter_walks_members_in_order),
	    cmocka_unit_test(test_json_iter_walks_elements_in_order),
	    cmocka_unit_test(test_json_iter_empty_containers),
	    cmocka_unit_test(test_json_iter_member_on_array_fails),
	    cmocka_unit_test(test_json_iter_element_on_object_fails),
	    cmocka_unit_test(test_json_iter_fails_on_non_container),
	    cmocka_unit_test(test_json_iter_fails_on_malformed_member),
	    cmocka_unit_test(test_json_iter_fails_on_comma_at_end_of_span),
	    cmocka_unit_test(test_json_iter_fails_on_trailing_bytes),
	    cmocka_unit_test(test_json_iter_tolerates_surrounding_whitespace),
	    cmocka_unit_test(test_json_iter_depth_limit),
	    cmocka_unit_test(test_json_iter_stays_failed),
	    cmocka_unit_test(test_json_iter_trusted_matches_validating),
	    cmocka_unit_test(test_json_iter_trusted_stays_in_bounds),
	    cmocka_unit_test(test_json_find_trusted_leaves_the_value_unskipped),
	    cmocka_unit_test(test_json_too_deep_tells_depth_from_malformed),
	    cmocka_unit_test(test_json_get_finds_key),
	    cmocka_unit_test(test_json_get_matches_escaped_key),
	    cmocka_unit_test(test_json_get_is_case_sensitive),
	    cmocka_unit_test(test_json_get_absent_key),
	    cmocka_unit_test(test_json_get_not_object),
	    cmocka_unit_test(test_json_get_first_duplicate_wins),
	    cmocka_unit_test(test_json_get_n_takes_view),
	    cmocka_unit_test(test_json_get_path_follows_dots),
	    cmocka_unit_test(test_json_get_path_rejects_empty_segments),
	    cmocka_unit_test(test_json_get_path_stops_at_non_object),
	    cmocka_unit_test(test_json_get_path_node_items_from_filter_body),
	    cmocka_unit_test(test_json_string_decode_plain),
	    cmocka_unit_test(test_json_string_decode_simple_escapes),
	    cmocka_unit_test(test_json_string_decode_unicode_escapes),
	    cmocka_unit_test(test_json_string_decode_surrogate_pair),
	    cmocka_unit_test(test_json_string_decode_rejects_lone_high_surrogate),
	    cmocka_unit_test(test_json_string_decode_rejects_lone_low_surrogate),
	    cmocka_unit_test(test_json_string_decode_keeps_raw_utf8),
	    cmocka_unit_test(test_json_string_decode_embedded_nul),
	    cmocka_unit_test(test_json_string_decode_exact_fit_and_one_short),
	    cmocka_unit_test(test_json_string_decode_rejects_non_string),
	    cmocka_unit_test(test_json_string_eq_compares_decoded),
	    cmocka_unit_test(test_json_splitter_every_chunk_size_gives_same_elements),
	    cmocka_unit_test(test_json_splitter_kind_and_rv_before_items),
	    cmocka_unit_test(test_json_splitter_kind_and_rv_after_items),
	    cmocka_unit_test(test_json_splitter_reports_other_members),
	    cmocka_unit_test(test_json_splitter_element_exactly_max_accepted),
	    cmocka_unit_test(test_json_splitter_element_over_max_fails),
	    cmocka_unit_test(test_json_splitter_member_over_max_fails),
	    cmocka_unit_test(test_json_splitter_garbage_after_document_fails),
	    cmocka_unit_test(test_json_splitter_empty_items),
	    cmocka_unit_test(test_json_splitter_missing_items),
	    cmocka_unit_test(test_json_splitter_null_items),
	    cmocka_unit_test(test_json_splitter_items_not_array_fails),
	    cmocka_unit_test(test_json_splitter_duplicate_items_first_wins),
	    cmocka_unit_test(test_json_splitter_truncated_document_fails),
	    cmocka_unit_test(test_json_splitter_reports_error_offset),
	    cmocka_unit_test(test_json_splitter_depth_limit),
	    cmocka_unit_test(test_json_splitter_callback_can_stop),
	    cmocka_unit_test(test_json_splitter_nested_path),
	    cmocka_unit_test(test_json_splitter_empty_path_takes_document_array),
	    cmocka_unit_test(test_json_splitter_rejects_wrong_kind_types),
	    cmocka_unit_test(test_json_splitter_empty_document_fails),
	    cmocka_unit_test(test_json_splitter_init_rejects_bad_config),
	    cmocka_unit_test(test_json_splitter_agrees_with_skip_on_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
