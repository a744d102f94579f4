/* test_extender_filter.c: ExtenderArgs -> ExtenderFilterResult (both modes,
 * the byte-for-byte pass-through of Node objects, and bad bodies). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extender_filter.h"

/* two nodes: n1 has room, n2 is full (1 cpu, a pod asking 1 cpu) */
static const char *const CLUSTER =
    "{\"kind\":\"List\",\"items\":["
    "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"resourceVersion\":\"7\"},"
    "\"status\":{\"allocatable\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"}}},"
    "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\",\"resourceVersion\":\"8\"},"
    "\"status\":{\"allocatable\":{\"cpu\":\"1\",\"memory\":\"8Gi\",\"pods\":\"110\"}}},"
    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"big\",\"namespace\":\"default\"},"
    "\"spec\":{\"nodeName\":\"n2\",\"containers\":[{\"name\":\"c\",\"resources\":"
    "{\"requests\":{\"cpu\":\"1\"}}}]},\"status\":{\"phase\":\"Running\"}}]}";

#define POD                                                                                        \
	"{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},\"spec\":{\"containers\":"       \
	"[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"500m\"}}}]}}"

struct fx {
	struct hr_arena snap_arena;
	const struct hr_snapshot *snap;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hr_err err;
	hr_err_clear(&err);
	hr_arena_init(&f->snap_arena, NULL, 0);
	cJSON *doc = cJSON_Parse(CLUSTER);
	assert_non_null(doc);
	assert_int_equal(hr_snapshot_from_json(doc, &f->snap_arena, &f->snap, &err), HR_OK);
	cJSON_Delete(doc);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	hr_arena_fini(&f->snap_arena);
	free(f);
	return 0;
}

/* Filters body; returns the answer (caller frees) or NULL with err set. */
static char *filter(void **state, const char *body, struct hr_filter_stats *stats,
                    struct hr_err *err)
{
	struct fx *f = *state;
	struct hr_arena arena;
	struct hr_buf out;
	hr_arena_init(&arena, NULL, 0);
	hr_buf_init(&out, 1 << 20);
	hr_err_clear(err);
	enum hr_code rc = hr_extender_filter(f->snap, body, strlen(body), &arena, &out, stats, err);
	hr_arena_fini(&arena);
	char *answer = rc == HR_OK ? hr_buf_take(&out, NULL) : NULL;
	hr_buf_fini(&out);
	return answer;
}

static void expect_answer(void **state, const char *body, const char *want)
{
	struct hr_filter_stats stats;
	struct hr_err err;
	char *got = filter(state, body, &stats, &err);
	if (!got)
		fail_msg("filter failed: %s", err.msg);
	assert_string_equal(got, want);
	free(got);
}

static void expect_error(void **state, const char *body, const char *where, const char *text)
{
	struct hr_filter_stats stats;
	struct hr_err err;
	char *got = filter(state, body, &stats, &err);
	if (got)
		fail_msg("filter accepted a bad body: %s", got);
	assert_int_equal(err.code, HR_EINVAL);
	assert_string_equal(err.where, where);
	if (!strstr(err.msg, text))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, text);
}

static void test_names_mode(void **state)
{
	expect_answer(state,
	              "{\"Pod\":" POD ",\"NodeNames\":[\"n1\",\"n2\",\"gone\",\"n\\u0031\"]}",
	              "{\"Nodes\":null,\"NodeNames\":[\"n1\",\"n1\"],\"FailedNodes\":{\"n2\":"
	              "\"Insufficient cpu\",\"gone\":\"node(s) were not found in headroom's "
	              "cluster snapshot\"},"
	              "\"FailedAndUnresolvableNodes\":{},\"Error\":\"\"}");
}

/* Node objects come back exactly as sent, spacing and field order included. */
static void test_nodes_mode_passes_objects_through(void **state)
{
	expect_answer(
	    state,
	    "{\"Pod\":" POD ",\"Nodes\":{\"metadata\":{},\"items\":[ {\"metadata\": {\"name\":"
	    "\"n1\",\"resourceVersion\":\"7\"}, \"zz\": [1, 2]},{\"metadata\":{\"name\":\"n2\","
	    "\"resourceVersion\":\"8\"}}]},\"NodeNames\":null}",
	    "{\"Nodes\":{\"metadata\":{},\"items\":[{\"metadata\": {\"name\":\"n1\","
	    "\"resourceVersion\":\"7\"}, \"zz\": [1, 2]}]},\"NodeNames\":null,\"FailedNodes\":"
	    "{\"n2\":\"Insufficient cpu\"},\"FailedAndUnresolvableNodes\":{},\"Error\":\"\"}");
}

/* A Node object newer than the snapshot's is decoded from the request. */
static void test_nodes_mode_decodes_a_changed_node(void **state)
{
	struct hr_filter_stats stats;
	struct hr_err err;
	char *got = filter(state,
	                   "{\"Pod\":" POD ",\"Nodes\":{\"items\":[{\"metadata\":{\"name\":\"n2\","
	                   "\"resourceVersion\":\"9\"},\"status\":{\"allocatable\":{\"cpu\":\"2\","
	                   "\"pods\":\"110\"}}}]}}",
	                   &stats, &err);
	assert_non_null(got);
	assert_int_equal(stats.nodes_decoded, 1);
	assert_int_equal(stats.nodes_passed, 1); /* 2 cpu now: 1 used, 500m fits */
	free(got);
}

static void test_nodes_mode_items_absent_or_null_is_empty(void **state)
{
	const char *want = "{\"Nodes\":{\"metadata\":{},\"items\":[]},\"NodeNames\":null,"
	                   "\"FailedNodes\":{},\"FailedAndUnresolvableNodes\":{},\"Error\":\"\"}";
	expect_answer(state, "{\"Pod\":" POD ",\"Nodes\":{\"items\":null}}", want);
	expect_answer(state, "{\"Pod\":" POD ",\"Nodes\":{\"metadata\":{}}}", want);
}

static void test_bad_bodies_name_what_is_wrong(void **state)
{
	expect_error(state, "{\"Pod\":" POD ",\"Nodes\":{\"items\":{}}}", "Nodes.items",
	             "must be an array of Node objects");
	expect_error(state, "{\"Pod\":" POD ",\"Nodes\":{\"items\":[{\"metadata\":{}}]}}",
	             "Nodes.items", "item 0 has no metadata.name string");
	expect_error(state, "{\"Pod\":" POD ",\"NodeNames\":[\"n1\",7]}", "NodeNames",
	             "element 1 must be a node name string");
	expect_error(state, "{\"Pod\":" POD ",\"NodeNames\":[]} x", "",
	             "unexpected bytes after the JSON object");
	expect_error(state, "{\"Pod\":" POD ",\"NodeNames\":[\"n1\",]}", "", "not valid JSON");
	expect_error(state, "[1]", "", "ExtenderArgs must be a JSON object");
	char deep[600];
	int n = snprintf(deep, sizeof(deep), "{\"Pod\":" POD ",\"NodeNames\":");
	for (int i = 0; i < 130; i++)
		deep[n++] = '[';
	for (int i = 0; i < 130; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	expect_error(state, deep, "", "nests deeper than 128 levels");
	expect_error(state, "{\"NodeNames\":[]}", "Pod", "required");
	expect_error(state, "{\"Pod\":" POD "}", "NodeNames", "one of NodeNames or Nodes");
}

/* kube-scheduler's Go encoder is case-insensitive on field names, and so are we. */
static void test_keys_ignore_case_and_whitespace(void **state)
{
	expect_answer(state, " \n{\"pod\":" POD ",\"nodenames\":[\"n1\"]}\n",
	              "{\"Nodes\":null,\"NodeNames\":[\"n1\"],\"FailedNodes\":{},"
	              "\"FailedAndUnresolvableNodes\":{},\"Error\":\"\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_mode),
	    cmocka_unit_test(test_nodes_mode_passes_objects_through),
	    cmocka_unit_test(test_nodes_mode_decodes_a_changed_node),
	    cmocka_unit_test(test_nodes_mode_items_absent_or_null_is_empty),
	    cmocka_unit_test(test_bad_bodies_name_what_is_wrong),
	    cmocka_unit_test(test_keys_ignore_case_and_whitespace),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
