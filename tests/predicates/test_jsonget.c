/* test_jsonget.c: typed reads from a cJSON tree (jsonget.h), here the
 * duplicate-key check capacity bodies go through. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "jsonget.h"

/* HR_OK, or the path of the duplicate found in text. */
static const char *duplicate_in(const char *text, char *where, size_t size)
{
	cJSON *doc = cJSON_Parse(text);
	if (!doc)
		fail_msg("test JSON does not parse: %s", text);
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = hr_cj_no_duplicate_keys(doc, &err);
	cJSON_Delete(doc);
	if (rc == HR_OK)
		return NULL;
	assert_int_equal(rc, HR_EINVAL);
	assert_string_equal(err.msg, "duplicate field");
	snprintf(where, size, "%s", err.where);
	return where;
}

static void test_no_duplicates_is_ok(void **state)
{
	(void)state;
	char where[256];
	assert_null(duplicate_in("{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":1},{\"a\":2}]}", where,
	                         sizeof(where)));
	assert_null(duplicate_in("[1,2,{}]", where, sizeof(where)));
	assert_null(duplicate_in("\"text\"", where, sizeof(where)));
}

static void test_duplicate_in_a_small_object_names_its_path(void **state)
{
	(void)state;
	char where[256];
	assert_non_null(duplicate_in("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\","
	                             "\"image\":\"x\",\"name\":\"c\"}]}}",
	                             where, sizeof(where)));
	assert_string_equal(where, "spec.containers[1].name");
}

static void test_duplicate_in_a_large_object_is_found(void **state)
{
	(void)state;
	/* 40 annotations, the 2nd and the 37th with the same key: the sorted path */
	char text[4096], where[256];
	size_t n = (size_t)snprintf(text, sizeof(text), "{\"metadata\":{\"annotations\":{");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"k%d\":\"v\"", i ? "," : "",
		                      i == 36 ? 1 : i);
	snprintf(text + n, sizeof(text) - n, "}}}");
	assert_non_null(duplicate_in(text, where, sizeof(where)));
	assert_string_equal(where, "metadata.annotations.k1");
	/* the same 40 without the repeat */
	n = (size_t)snprintf(text, sizeof(text), "{\"a\":{");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"k%d\":%d", i ? "," : "", i,
		                      i);
	snprintf(text + n, sizeof(text) - n, "}}");
	assert_null(duplicate_in(text, where, sizeof(where)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_duplicates_is_ok),
	    cmocka_unit_test(test_duplicate_in_a_small_object_names_its_path),
	    cmocka_unit_test(test_duplicate_in_a_large_object_is_found),
	};
	return cmocka_run_group_tests_name("jsonget", tests, NULL, NULL);
}
