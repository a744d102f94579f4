/* test_yaml_out.c: extender/yaml_out.h, cJSON trees printed as block-style YAML. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_json.h"
#include "yaml_out.h"

/* ---- helpers ---- */

/* The YAML of a JSON text; the caller frees it. */
static char *yaml_of_json(const char *json)
{
	cJSON *tree = cJSON_Parse(json);
	if (!tree)
		fail_msg("test bug: bad JSON %s", json);
	struct hr_buf b;
	hr_buf_init(&b, 1u << 20);
	xt_yaml_write(tree, &b);
	cJSON_Delete(tree);
	assert_true(hr_buf_ok(&b));
	char *out = hr_buf_take(&b, NULL);
	hr_buf_fini(&b);
	return out ? out : strdup("");
}

static void assert_yaml(const char *json, const char *want)
{
	char *got = yaml_of_json(json);
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "json: %s\ngot:\n%s\nwant:\n%s\n", json, got, want);
		free(got);
		fail_msg("YAML differs for %s", json);
	}
	free(got);
}

/* Prints tree as YAML, parses it back, and returns whether the trees are equal; on a
 * difference, *why says what came back. */
static bool round_trips(const cJSON *tree, char *why, size_t why_size)
{
	struct hr_buf b;
	hr_buf_init(&b, 16u << 20);
	xt_yaml_write(tree, &b);
	if (!hr_buf_ok(&b)) {
		hr_buf_fini(&b);
		snprintf(why, why_size, "the YAML did not fit");
		return false;
	}
	struct hr_err err;
	hr_err_clear(&err);
	cJSON *back = xt_yaml_to_json(b.p ? b.p : "", b.len, NULL, &err);
	bool same = back && cJSON_Compare(tree, back, true);
	if (!back)
		snprintf(why, why_size, "YAML <%s> does not parse: %s: %s", b.p ? b.p : "",
		         err.where, err.msg);
	else if (!same) {
		char *text = cJSON_PrintUnformatted(back);
		snprintf(why, why_size, "YAML <%s> parses back as %s", b.p, text);
		free(text);
	}
	cJSON_Delete(back);
	hr_buf_fini(&b);
	return same;
}

static void assert_round_trip_json(const char *json)
{
	cJSON *tree = cJSON_Parse(json);
	if (!tree)
		fail_msg("test bug: bad JSON %s", json);
	char why[4096];
	bool ok = round_trips(tree, why, sizeof(why));
	cJSON_Delete(tree);
	if (!ok)
		fail_msg("%s", why);
}

/* ---- exact output ---- */

static void test_yaml_out_top_level_scalars(void **state)
{
	(void)state;
	assert_yaml("\"hello\"", "\"hello\"\n");
	assert_yaml("42", "42\n");
	assert_yaml("-7", "-7\n");
	assert_yaml("0.5", "0.5\n");
	assert_yaml("1e300", "1e+300\n");
	assert_yaml("true", "true\n");
	assert_yaml("false", "false\n");
	assert_yaml("null", "null\n");
}

/* Whole numbers print as integers ("20", not "2e+01"): YAML readers type them as ints. */
static void test_yaml_out_whole_numbers_as_integers(void **state)
{
	(void)state;
	assert_yaml("{\"a\":20,\"b\":100,\"c\":1000000,\"d\":-30,\"e\":0,\"f\":9007199254740992}",
	            "a: 20\n"
	            "b: 100\n"
	            "c: 1000000\n"
	            "d: -30\n"
	            "e: 0\n"
	            "f: 9007199254740992\n");
	assert_yaml("[16, 7, 11]", "- 16\n- 7\n- 11\n");
}

static void test_yaml_out_fractions(void **state)
{
	(void)state;
	assert_yaml("{\"a\":0.4,\"b\":1.5e-07,\"c\":0.001,\"d\":-2.25}", "a: 0.4\n"
	                                                                 "b: 1.5e-07\n"
	                                                                 "c: 0.001\n"
	                                                                 "d: -2.25\n");
}

static void test_yaml_out_flat_object(void **state)
{
	(void)state;
	assert_yaml("{\"count\":16,\"exact\":true,\"message\":\"0/2 nodes\",\"x\":null}",
	            "count: 16\n"
	            "exact: true\n"
	            "message: \"0/2 nodes\"\n"
	            "x: null\n");
}

static void test_yaml_out_strings_always_quoted(void **state)
{
	(void)state;
	/* text that plain YAML would type as something else stays a string */
	assert_yaml("{\"a\":\"16\",\"b\":\"true\",\"c\":\"null\",\"d\":\"\",\"e\":\"yes\"}",
	            "a: \"16\"\n"
	            "b: \"true\"\n"
	            "c: \"null\"\n"
	            "d: \"\"\n"
	            "e: \"yes\"\n");
}

static void test_yaml_out_string_escapes(void **state)
{
	(void)state;
	assert_yaml("{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\"}", "s: \"a\\\"b\\\\c\\nd\\te\\x01\"\n");
	/* UTF-8 is written as is */
	assert_yaml("{\"s\":\"caf\\u00e9\"}", "s: \"caf\xc3\xa9\"\n");
}

static void test_yaml_out_nested_objects(void **state)
{
	(void)state;
	assert_yaml("{\"a\":{\"b\":{\"c\":true},\"d\":1},\"e\":2}", "a:\n"
	                                                            "  b:\n"
	                                                            "    c: true\n"
	                                                            "  d: 1\n"
	                                                            "e: 2\n");
}

static void test_yaml_out_arrays_of_scalars(void **state)
{
	(void)state;
	assert_yaml("{\"l\":[1,\"two\",null,false]}", "l:\n"
	                                              "  - 1\n"
	                                              "  - \"two\"\n"
	                                              "  - null\n"
	                                              "  - false\n");
	assert_yaml("[1,2]", "- 1\n- 2\n");
}

static void test_yaml_out_arrays_of_objects(void **state)
{
	(void)state;
	assert_yaml("{\"perNode\":[{\"node\":\"a\",\"count\":7},{\"node\":\"b\",\"count\":9,"
	            "\"x\":{\"y\":[1]}}]}",
	            "perNode:\n"
	            "  - node: \"a\"\n"
	            "    count: 7\n"
	            "  - node: \"b\"\n"
	            "    count: 9\n"
	            "    x:\n"
	            "      \"y\":\n" /* y alone reads as a boolean in YAML 1.1 */
	            "        - 1\n");
}

static void test_yaml_out_nested_arrays(void **state)
{
	(void)state;
	/* "-" opens the inner sequence, which starts on the next, deeper line */
	assert_yaml("[[1,2],[[3]]]", "- \n"
	                             "  - 1\n"
	                             "  - 2\n"
	                             "- \n"
	                             "  - \n"
	                             "    - 3\n");
	assert_round_trip_json("[[1,2],[[3]]]");
}

static void test_yaml_out_empty_containers_as_values(void **state)
{
	(void)state;
	assert_yaml("{\"o\":{},\"a\":[],\"n\":{\"notes\":[]}}", "o: {}\n"
	                                                        "a: []\n"
	                                                        "\"n\":\n"
	                                                        "  notes: []\n");
	assert_yaml("[{},[],{\"k\":{}}]", "- {}\n"
	                                  "- []\n"
	                                  "- k: {}\n");
}

static void test_yaml_out_empty_top_level_containers(void **state)
{
	(void)state;
	/* an empty document would parse as nothing: the container is written as flow */
	assert_yaml("{}", "{}\n");
	assert_yaml("[]", "[]\n");
	assert_round_trip_json("{}");
	assert_round_trip_json("[]");
}

static void test_yaml_out_plain_keys_stay_bare(void **state)
{
	(void)state;
	assert_yaml("{\"apiVersion\":1,\"snake_case\":2,\"k8s\":3,\"A\":4}", "apiVersion: 1\n"
	                                                                     "snake_case: 2\n"
	                                                                     "k8s: 3\n"
	                                                                     "A: 4\n");
}

static void test_yaml_out_keys_that_need_quotes(void **state)
{
	(void)state;
	assert_yaml("{\"app.kubernetes.io/name\":1}", "\"app.kubernetes.io/name\": 1\n");
	assert_yaml("{\"with space\":1}", "\"with space\": 1\n");
	assert_yaml("{\"\":1}", "\"\": 1\n");
	assert_yaml("{\"123\":1}", "\"123\": 1\n");
	assert_yaml("{\"-x\":1}", "\"-x\": 1\n");
	assert_yaml("{\"a:b\":1}", "\"a:b\": 1\n");
	assert_yaml("{\"#c\":1}", "\"#c\": 1\n");
	assert_yaml("{\"_x\":1}", "\"_x\": 1\n");
	assert_yaml("{\"true\":1,\"false\":2,\"null\":3}",
	            "\"true\": 1\n\"false\": 2\n\"null\": 3\n");
	assert_yaml("{\"yes\":1,\"no\":2,\"on\":3,\"off\":4}",
	            "\"yes\": 1\n\"no\": 2\n\"on\": 3\n\"off\": 4\n");
	assert_yaml("{\"q\\\"k\":1}", "\"q\\\"k\": 1\n");
}

/* A key longer than YAML's 1024-character limit on implicit keys is written as an
 * explicit "? key" line, at any depth and as the first key of a list item, and reads
 * back (found by fuzz/fuzz_yaml: libyaml rejected the output). */
static void test_yaml_out_long_keys_round_trip(void **state)
{
	(void)state;
	char key[1202]; /* 1200 bytes with a JSON \t escape, which YAML escapes too */
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	memcpy(key + 500, "\\t", 2);
	char json[4096];
	snprintf(json, sizeof(json), "{\"%s\":{\"%s\":[{\"%s\":1,\"b\":[]}],\"x\":\"y\"},\"s\":2}",
	         key, key, key);
	assert_round_trip_json(json);
	/* short keys keep the implicit form */
	char *yaml = yaml_of_json("{\"a\":1}");
	assert_string_equal(yaml, "a: 1\n");
	free(yaml);
}

/* Every key YAML 1.1 (go-yaml v2, what Kubernetes reads) types as a bool or null must be
 * quoted, in every casing it recognises, or it comes back as another key. */
static void test_yaml_out_keys_typed_by_yaml_round_trip(void **state)
{
	(void)state;
	static const char *const keys[] = {
	    "true", "True", "TRUE", "false", "False", "FALSE", "yes",  "Yes", "YES", "no",
	    "No",   "NO",   "on",   "On",    "ON",    "off",   "Off",  "OFF", "y",   "Y",
	    "n",    "N",    "null", "Null",  "NULL",  "~",     "0x10", "1e3", ".5",  "0o7"};
	char failed[1024] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cJSON *tree = cJSON_CreateObject();
		cJSON_AddNumberToObject(tree, keys[i], 1);
		char why[512];
		if (!round_trips(tree, why, sizeof(why)))
			n += (size_t)snprintf(failed + n, sizeof(failed) - n, " %s", keys[i]);
		cJSON_Delete(tree);
	}
	if (n)
		fail_msg("keys that do not come back as themselves:%s", failed);
}

static void test_yaml_out_buffer_limit_fails_cleanly(void **state)
{
	(void)state;
	cJSON *tree = cJSON_Parse("{\"a\":[1,2,3],\"b\":{\"c\":\"a long enough string\"}}");
	assert_non_null(tree);
	struct hr_buf b;
	hr_buf_init(&b, 10);
	xt_yaml_write(tree, &b);
	assert_false(hr_buf_ok(&b));
	hr_buf_fini(&b);
	cJSON_Delete(tree);
}

/* ---- round trips through xt_yaml_to_json ---- */

static void test_yaml_out_round_trip_scalars(void **state)
{
	(void)state;
	assert_round_trip_json(
	    "{\"s\":\"plain\",\"num\":42,\"f\":0.25,\"neg\":-1.5e-7,\"big\":1e300,"
	    "\"t\":true,\"fl\":false,\"z\":null,\"i\":123456789012345}");
}

static void test_yaml_out_round_trip_tricky_strings(void **state)
{
	(void)state;
	static const char *const strings[] = {"",
	                                      "16",
	                                      "1.5",
	                                      "1e3",
	                                      "0x1F",
	                                      "true",
	                                      "yes",
	                                      "Off",
	                                      "~",
	                                      "null",
	                                      ".inf",
	                                      "- a",
	                                      "a: b",
	                                      "#c",
	                                      "[x]",
	                                      "{x}",
	                                      "'single'",
	                                      "\"double\"",
	                                      "back\\slash",
	                                      "multi\nline",
	                                      "trailing \n",
	                                      "tab\there",
	                                      "cr\rlf",
	                                      " lead",
	                                      "trail ",
	                                      "\x01\x1f",
	                                      "caf\xc3\xa9",
	                                      "\xf0\x9f\x98\x80",
	                                      "---",
	                                      "...",
	                                      "* alias",
	                                      "&anchor",
	                                      "!tag",
	                                      "%dir",
	                                      "@at",
	                                      "`b"};
	char failed[2048] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		cJSON *tree = cJSON_CreateObject();
		cJSON_AddStringToObject(tree, "v", strings[i]);
		cJSON *arr = cJSON_AddArrayToObject(tree, "in_array");
		cJSON_AddItemToArray(arr, cJSON_CreateString(strings[i]));
		char why[512];
		if (!round_trips(tree, why, sizeof(why)))
			n +=
			    (size_t)snprintf(failed + n, sizeof(failed) - n, "\n  %zu: %s", i, why);
		cJSON_Delete(tree);
	}
	if (n)
		fail_msg("strings that do not come back:%s", failed);
}

/* Characters libyaml treats specially inside double quotes: DEL and C1 controls are not
 * allowed raw, and NEL, LS, PS are line breaks that would be folded into spaces. */
static void test_yaml_out_round_trip_special_characters(void **state)
{
	(void)state;
	static const char *const strings[] = {"del\x7f",        "c1\xc2\x80",
	                                      "nel\xc2\x85",    "ls\xe2\x80\xa8",
	                                      "ps\xe2\x80\xa9", "bom\xef\xbb\xbf"};
	char failed[2048] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		cJSON *tree = cJSON_CreateObject();
		cJSON_AddStringToObject(tree, "v", strings[i]);
		char why[512];
		if (!round_trips(tree, why, sizeof(why)))
			n +=
			    (size_t)snprintf(failed + n, sizeof(failed) - n, "\n  %zu: %s", i, why);
		cJSON_Delete(tree);
	}
	if (n)
		fail_msg("strings that do not come back:%s", failed);
}

static void test_yaml_out_round_trip_pod(void **state)
{
	(void)state;
	assert_round_trip_json(
	    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":"
	    "\"default\",\"labels\":{\"app\":\"web\",\"app.kubernetes.io/part-of\":\"shop\"},"
	    "\"annotations\":{}},\"spec\":{\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"},"
	    "\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"web\","
	    "\"effect\":\"NoSchedule\",\"tolerationSeconds\":300}],\"containers\":[{\"name\":"
	    "\"web\",\"image\":\"nginx:1.27\",\"args\":[],\"ports\":[{\"containerPort\":8080,"
	    "\"hostPort\":80,\"protocol\":\"TCP\"}],\"resources\":{\"requests\":{\"cpu\":\"100m\","
	    "\"memory\":\"100Mi\"},\"limits\":{\"cpu\":1,\"memory\":\"1Gi\"}}}],"
	    "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
	    "[{\"labelSelector\":{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\","
	    "\"values\":[\"web\",\"api\"]}]},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}}");
}

static void test_yaml_out_round_trip_deployment(void **state)
{
	(void)state;
	assert_round_trip_json(
	    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
	    "\"spec\":{\"replicas\":20,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
	    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
	    "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":"
	    "\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
	    "\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}},\"matchLabelKeys\":["
	    "\"pod-template-hash\"]}],\"containers\":[{\"name\":\"web\",\"image\":\"nginx\","
	    "\"env\":[{\"name\":\"A\",\"value\":\"yes\"},{\"name\":\"B\",\"value\":\"0x10\"}]}]}}}"
	    "}");
}

static void test_yaml_out_round_trip_capacity_answer(void **state)
{
	(void)state;
	assert_round_trip_json(
	    "{\"count\":16,\"replicas\":20,\"fits\":false,\"exact\":true,\"limited\":false,"
	    "\"perNode\":[{\"node\":\"eks-node-a\",\"count\":7,\"reason\":\"Too many pods\"},"
	    "{\"node\":\"eks-node-b\",\"count\":9,\"reason\":\"Too many pods\"}],"
	    "\"message\":\"0/2 nodes are available: 2 Too many pods.\","
	    "\"pod\":{\"kind\":\"Deployment\",\"name\":\"web\",\"namespace\":\"default\"},"
	    "\"admission\":[\"DefaultTolerationSeconds\"],\"notes\":[],"
	    "\"snapshot\":{\"resourceVersion\":\"\",\"nodes\":2,\"pods\":6,\"ageSeconds\":0.4}}");
}

static void test_yaml_out_round_trip_nesting_and_empties(void **state)
{
	(void)state;
	assert_round_trip_json("{\"a\":[[1,[2,[3,{}]]],[],{}],\"b\":{\"c\":{\"d\":{\"e\":[{\"f\":"
	                       "[{\"g\":null}]}]}}},\"h\":[{\"i\":[],\"j\":{}}]}");
	assert_round_trip_json("[[[]],[{}],[[{\"x\":[[]]}]]]");
	assert_round_trip_json("[{\"a\":1,\"b\":[{\"c\":2},{\"d\":[3,4]}]},5]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yaml_out_top_level_scalars),
	    cmocka_unit_test(test_yaml_out_whole_numbers_as_integers),
	    cmocka_unit_test(test_yaml_out_fractions),
	    cmocka_unit_test(test_yaml_out_flat_object),
	    cmocka_unit_test(test_yaml_out_strings_always_quoted),
	    cmocka_unit_test(test_yaml_out_string_escapes),
	    cmocka_unit_test(test_yaml_out_nested_objects),
	    cmocka_unit_test(test_yaml_out_arrays_of_scalars),
	    cmocka_unit_test(test_yaml_out_arrays_of_objects),
	    cmocka_unit_test(test_yaml_out_nested_arrays),
	    cmocka_unit_test(test_yaml_out_empty_containers_as_values),
	    cmocka_unit_test(test_yaml_out_empty_top_level_containers),
	    cmocka_unit_test(test_yaml_out_plain_keys_stay_bare),
	    cmocka_unit_test(test_yaml_out_keys_that_need_quotes),
	    cmocka_unit_test(test_yaml_out_long_keys_round_trip),
	    cmocka_unit_test(test_yaml_out_keys_typed_by_yaml_round_trip),
	    cmocka_unit_test(test_yaml_out_buffer_limit_fails_cleanly),
	    cmocka_unit_test(test_yaml_out_round_trip_scalars),
	    cmocka_unit_test(test_yaml_out_round_trip_tricky_strings),
	    cmocka_unit_test(test_yaml_out_round_trip_special_characters),
	    cmocka_unit_test(test_yaml_out_round_trip_pod),
	    cmocka_unit_test(test_yaml_out_round_trip_deployment),
	    cmocka_unit_test(test_yaml_out_round_trip_capacity_answer),
	    cmocka_unit_test(test_yaml_out_round_trip_nesting_and_empties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
