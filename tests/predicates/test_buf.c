/* test_buf.c: the capped output buffer (buf.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void test_appends_grow_and_stay_terminated(void **state)
{
	(void)state;
	struct hr_buf b;
	hr_buf_init(&b, 1 << 20);
	for (int i = 0; i < 1000; i++)
		hr_buf_append(&b, "abc", 3);
	hr_buf_putc(&b, '!');
	assert_true(hr_buf_ok(&b));
	assert_int_equal(b.len, 3001);
	assert_int_equal(strlen(b.p), 3001);
	assert_int_equal(b.p[3000], '!');
	hr_buf_fini(&b);
}

static void test_cap_fails_and_sticks(void **state)
{
	(void)state;
	struct hr_buf b;
	hr_buf_init(&b, 5);
	hr_buf_puts(&b, "12345");
	assert_true(hr_buf_ok(&b));
	hr_buf_putc(&b, '6');
	assert_false(hr_buf_ok(&b));
	hr_buf_puts(&b, ""); /* even an empty append stays failed */
	assert_false(hr_buf_ok(&b));
	assert_null(hr_buf_take(&b, NULL));
	hr_buf_reset(&b);
	assert_true(hr_buf_ok(&b));
	hr_buf_puts(&b, "ok");
	assert_string_equal(b.p, "ok");
	hr_buf_fini(&b);
}

static void expect_i64(int64_t v, const char *want)
{
	struct hr_buf b;
	hr_buf_init(&b, 64);
	hr_buf_i64(&b, v);
	assert_string_equal(b.p, want);
	hr_buf_fini(&b);
}

static void test_i64_formats_every_range(void **state)
{
	(void)state;
	expect_i64(0, "0");
	expect_i64(7, "7");
	expect_i64(-1, "-1");
	expect_i64(1000000, "1000000");
	expect_i64(INT64_MAX, "9223372036854775807");
	expect_i64(INT64_MIN, "-9223372036854775808");
}

static void test_json_str_escapes(void **state)
{
	(void)state;
	struct hr_buf b;
	hr_buf_init(&b, 256);
	const char raw[] = "a\"b\\c\nd\te\x01\x1f/\xc3\xa9";
	hr_buf_json_str(&b, (struct hr_str){raw, sizeof(raw) - 1});
	assert_string_equal(b.p, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f/\xc3\xa9\"");
	hr_buf_fini(&b);
}

static void expect_json_str(const char *raw, const char *want)
{
	struct hr_buf b;
	hr_buf_init(&b, 256);
	hr_buf_json_str(&b, hr_str_c(raw));
	assert_string_equal(b.p, want);
	hr_buf_fini(&b);
}

static void test_json_str_replaces_bytes_that_are_not_utf8(void **state)
{
	(void)state;
	/* well-formed 2, 3 and 4 byte sequences pass through */
	expect_json_str("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	                "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	expect_json_str("a\xff"
	                "b",
	                "\"a\\ufffdb\"");                                        /* never UTF-8 */
	expect_json_str("\xc0\xaf", "\"\\ufffd\\ufffd\"");                       /* overlong '/' */
	expect_json_str("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");            /* surrogate */
	expect_json_str("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* past U+10FFFF */
	expect_json_str("x\xe2\x82", "\"x\\ufffd\\ufffd\"");                     /* cut short */
	expect_json_str("\xe2\x82\"", "\"\\ufffd\\ufffd\\\"\""); /* cut short by a quote */
}

static void test_printf_longer_than_the_stack_buffer(void **state)
{
	(void)state;
	struct hr_buf b;
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hr_buf_init(&b, 4096);
	hr_buf_printf(&b, "<%s>%d", big, 42);
	assert_int_equal(b.len, 999 + 4);
	assert_memory_equal(b.p + 1000, ">42", 3);
	size_t len;
	char *taken = hr_buf_take(&b, &len);
	assert_non_null(taken);
	assert_int_equal(len, 1003);
	assert_null(b.p);
	free(taken);
	hr_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_appends_grow_and_stay_terminated),
	    cmocka_unit_test(test_cap_fails_and_sticks),
	    cmocka_unit_test(test_i64_formats_every_range),
	    cmocka_unit_test(test_json_str_escapes),
	    cmocka_unit_test(test_json_str_replaces_bytes_that_are_not_utf8),
	    cmocka_unit_test(test_printf_longer_than_the_stack_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
