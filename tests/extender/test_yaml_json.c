/* test_yaml_json.c: extender/yaml_json.h, YAML to cJSON as Kubernetes converts it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yaml_json.h"

/* ---- helpers ---- */

static cJSON *parse_ok(const char *text)
{
	struct hr_err err;
	hr_err_clear(&err);
	cJSON *j = xt_yaml_to_json(text, strlen(text), NULL, &err);
	if (!j)
		fail_msg("unexpected error: where=\"%s\" msg=\"%s\"", err.where, err.msg);
	return j;
}

/* Expects failure with code; where must match exactly and msg contain part (NULLs skip). */
static void expect_error_lim(const char *text, const struct xt_yaml_limits *lim, enum hr_code code,
                             const char *where, const char *part)
{
	struct hr_err err;
	hr_err_clear(&err);
	cJSON *j = xt_yaml_to_json(text, strlen(text), lim, &err);
	if (j) {
		char *s = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		fail_msg("expected an error for <%s>, got %s", text, s);
	}
	assert_int_equal(err.code, code);
	if (where)
		assert_string_equal(err.where, where);
	if (part && !strstr(err.msg, part))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
}

static void expect_error(const char *text, enum hr_code code, const char *where, const char *part)
{
	expect_error_lim(text, NULL, code, where, part);
}

/* Follows a path of space-separated segments (keys hold dots and slashes); a segment indexes
 * an array when the node is one: "spec containers 0 name". */
static const cJSON *at(const cJSON *node, const char *path)
{
	char seg[128];
	while (node && *path) {
		size_t n = strcspn(path, " ");
		assert_true(n < sizeof(seg));
		memcpy(seg, path, n);
		seg[n] = '\0';
		path += n + (path[n] == ' ');
		if (cJSON_IsArray(node))
			node = cJSON_GetArrayItem(node, (int)strtol(seg, NULL, 10));
		else
			node = cJSON_GetObjectItemCaseSensitive(node, seg);
	}
	if (!node)
		fail_msg("no value at the path");
	return node;
}

static void assert_str_at(const cJSON *root, const char *path, const char *want)
{
	const cJSON *v = at(root, path);
	if (!cJSON_IsString(v))
		fail_msg("%s is not a string", path);
	assert_string_equal(v->valuestring, want);
}

static void assert_num_at(const cJSON *root, const char *path, double want)
{
	const cJSON *v = at(root, path);
	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", path);
	if (v->valuedouble != want)
		fail_msg("%s is %.17g, want %.17g", path, v->valuedouble, want);
}

/* Parses "v: <text>" and returns the value of v (the tree is returned in *root). */
static const cJSON *value_of(const char *text, cJSON **root)
{
	char doc[256];
	snprintf(doc, sizeof(doc), "v: %s\n", text);
	*root = parse_ok(doc);
	return at(*root, "v");
}

/* ---- documents as people write them ---- */

static const char pod_yaml[] = "# a pod as kubectl users write it\n"
                               "apiVersion: v1\n"
                               "kind: Pod\n"
                               "metadata:\n"
                               "  name: web-0\n"
                               "  namespace: default\n"
                               "  labels:\n"
                               "    app: web\n"
                               "    tier: \"frontend\"\n"
                               "spec:\n"
                               "  containers:\n"
                               "  - name: app\n"
                               "    image: nginx:1.25\n"
                               "    ports:\n"
                               "    - containerPort: 8080\n"
                               "      protocol: TCP\n"
                               "    resources:\n"
                               "      requests:\n"
                               "        cpu: 250m\n"
                               "        memory: 1Gi\n"
                               "      limits:\n"
                               "        cpu: 2\n"
                               "        memory: 2Gi\n"
                               "  - name: sidecar\n"
                               "    image: busybox\n"
                               "    command: [\"sh\", \"-c\", \"sleep 3600\"]\n"
                               "    resources:\n"
                               "      requests: {cpu: 0.5, memory: 64Mi}\n"
                               "      limits:\n"
                               "        cpu: \"2\"\n"
                               "  nodeSelector:\n"
                               "    disktype: ssd\n"
                               "    kubernetes.io/os: linux\n"
                               "  tolerations:\n"
                               "  - key: node.kubernetes.io/not-ready\n"
                               "    operator: Exists\n"
                               "    effect: NoExecute\n"
                               "    tolerationSeconds: 300\n"
                               "  - key: dedicated\n"
                               "    operator: Equal\n"
                               "    value: gpu\n"
                               "    effect: NoSchedule\n"
                               "  affinity:\n"
                               "    nodeAffinity:\n"
                               "      requiredDuringSchedulingIgnoredDuringExecution:\n"
                               "        nodeSelectorTerms:\n"
                               "        - matchExpressions:\n"
                               "          - key: topology.kubernetes.io/zone\n"
                               "            operator: In\n"
                               "            values: [eu-west-1a, eu-west-1b]\n"
                               "    podAntiAffinity:\n"
                               "      preferredDuringSchedulingIgnoredDuringExecution:\n"
                               "      - weight: 100\n"
                               "        podAffinityTerm:\n"
                               "          topologyKey: kubernetes.io/hostname\n"
                               "          labelSelector:\n"
                               "            matchLabels: {app: web}\n";

static void test_yaml_pod_resources(void **state)
{
	(void)state;
	cJSON *pod = parse_ok(pod_yaml);
	assert_str_at(pod, "kind", "Pod");
	assert_str_at(pod, "metadata labels tier", "frontend");
	assert_str_at(pod, "spec containers 0 resources requests cpu", "250m");
	assert_str_at(pod, "spec containers 0 resources requests memory", "1Gi");
	assert_num_at(pod, "spec containers 0 resources limits cpu", 2);
	assert_num_at(pod, "spec containers 0 ports 0 containerPort", 8080);
	assert_num_at(pod, "spec containers 1 resources requests cpu", 0.5);
	assert_str_at(pod, "spec containers 1 resources requests memory", "64Mi");
	assert_str_at(pod, "spec containers 1 resources limits cpu", "2");
	assert_str_at(pod, "spec containers 1 command 2", "sleep 3600");
	assert_int_equal(cJSON_GetArraySize(at(pod, "spec containers")), 2);
	cJSON_Delete(pod);
}

static void test_yaml_pod_scheduling_fields(void **state)
{
	(void)state;
	cJSON *pod = parse_ok(pod_yaml);
	assert_str_at(pod, "spec nodeSelector disktype", "ssd");
	assert_str_at(pod, "spec nodeSelector kubernetes.io/os", "linux");
	assert_str_at(pod, "spec tolerations 0 key", "node.kubernetes.io/not-ready");
	assert_num_at(pod, "spec tolerations 0 tolerationSeconds", 300);
	assert_str_at(pod, "spec tolerations 1 effect", "NoSchedule");
	assert_str_at(pod,
	              "spec affinity nodeAffinity requiredDuringSchedulingIgnoredDuringExecution "
	              "nodeSelectorTerms 0 matchExpressions 0 values 1",
	              "eu-west-1b");
	assert_num_at(
	    pod,
	    "spec affinity podAntiAffinity preferredDuringSchedulingIgnoredDuringExecution 0 "
	    "weight",
	    100);
	assert_str_at(
	    pod,
	    "spec affinity podAntiAffinity preferredDuringSchedulingIgnoredDuringExecution 0 "
	    "podAffinityTerm labelSelector matchLabels app",
	    "web");
	cJSON_Delete(pod);
}

static void test_yaml_deployment(void **state)
{
	(void)state;
	cJSON *d = parse_ok("apiVersion: apps/v1\n"
	                    "kind: Deployment\n"
	                    "metadata:\n"
	                    "  name: api\n"
	                    "spec:\n"
	                    "  replicas: 3\n"
	                    "  selector:\n"
	                    "    matchLabels:\n"
	                    "      app: api\n"
	                    "  strategy:\n"
	                    "    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}\n"
	                    "  template:\n"
	                    "    metadata:\n"
	                    "      labels:\n"
	                    "        app: api\n"
	                    "    spec:\n"
	                    "      priorityClassName: high\n"
	                    "      containers:\n"
	                    "      - name: api\n"
	                    "        image: registry.example.com/api:v1.2.3\n"
	                    "        resources:\n"
	                    "          requests:\n"
	                    "            cpu: 100m\n"
	                    "            memory: 128Mi\n"
	                    "            nvidia.com/gpu: 1\n");
	assert_str_at(d, "kind", "Deployment");
	assert_num_at(d, "spec replicas", 3);
	assert_str_at(d, "spec strategy rollingUpdate maxSurge", "25%");
	assert_num_at(d, "spec strategy rollingUpdate maxUnavailable", 0);
	assert_str_at(d, "spec template spec containers 0 image",
	              "registry.example.com/api:v1.2.3");
	assert_str_at(d, "spec template spec containers 0 resources requests cpu", "100m");
	assert_num_at(d, "spec template spec containers 0 resources requests nvidia.com/gpu", 1);
	cJSON_Delete(d);
}

/* ---- scalar typing (go-yaml v2 resolve.go) ---- */

static void test_yaml_plain_null(void **state)
{
	static const char *const cases[] = {"null", "Null", "NULL", "~", ""};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *root;
		if (!cJSON_IsNull(value_of(cases[i], &root)))
			fail_msg("<%s> is not null", cases[i]);
		cJSON_Delete(root);
	}
}

static void test_yaml_plain_bool(void **state)
{
	static const struct {
		const char *text;
		bool want;
	} cases[] = {
	    {"true", true},   {"True", true},   {"TRUE", true}, {"false", false},
	    {"False", false}, {"FALSE", false}, {"yes", true},  {"No", false},
	    {"on", true},     {"OFF", false},   {"y", true},    {"N", false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *root;
		const cJSON *v = value_of(cases[i].text, &root);
		if (!cJSON_IsBool(v) || (bool)cJSON_IsTrue(v) != cases[i].want)
			fail_msg("<%s> is not %d", cases[i].text, cases[i].want);
		cJSON_Delete(root);
	}
}

static const struct {
	const char *text;
	double want;
} number_cases[] = {
    {"0", 0},
    {"42", 42},
    {"-7", -7},
    {"+5", 5},
    {"0x1F", 31},
    {"0X1f", 31},
    {"-0x10", -16},
    {"0o17", 15},
    {"017", 15}, /* Go's ParseInt(s, 0, 64): a leading 0 is octal */
    {"0b101", 5},
    {"-0b101", -5},
    {"1_000", 1000},
    {"1__", 1},
    {"9223372036854775807", 9223372036854775807.0},
    {"-9223372036854775808", -9223372036854775808.0},
    {"18446744073709551615", 18446744073709551615.0},
    {"99999999999999999999", 1e20}, /* too big for uint64: a float */
    {"0.35", 0.35},
    {"1e3", 1000},
    {".5", 0.5},
    {"+.5", 0.5},
    {"-1.5E-3", -1.5e-3},
    {"1.", 1},
    {"08", 8}, /* not octal, but a float */
    {"1_0.2_5", 10.25},
    {"1e-400", 0},
};

static void test_yaml_plain_numbers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(number_cases) / sizeof(number_cases[0]); i++) {
		cJSON *root;
		const cJSON *v = value_of(number_cases[i].text, &root);
		if (!cJSON_IsNumber(v) || v->valuedouble != number_cases[i].want)
			fail_msg("<%s> is not %.17g", number_cases[i].text, number_cases[i].want);
		cJSON_Delete(root);
	}
}

static void test_yaml_plain_strings(void **state)
{
	static const char *const cases[] = {
	    "250m", "1Gi",  "1.2.3", "0x",  "0xZZ",       "1e",    "1e400", ".",
	    "+",    "_1",   "<<",    "abc", "2024-01-02", "nulls", "yess",  "0o",
	    "1/2",  "1:30", "12e3x", "0b2", ".5.",        "--1",   "1_a",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *root;
		const cJSON *v = value_of(cases[i], &root);
		if (!cJSON_IsString(v) || strcmp(v->valuestring, cases[i]) != 0)
			fail_msg("<%s> is not the same string", cases[i]);
		cJSON_Delete(root);
	}
}

static void test_yaml_plain_nonfinite_rejected(void **state)
{
	static const char *const cases[] = {".inf", ".Inf", "-.inf", "+.INF", ".nan", ".NaN"};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[64];
		char want[64];
		snprintf(doc, sizeof(doc), "cpu: %s\n", cases[i]);
		snprintf(want, sizeof(want), "line 1 column 6: \"%s\" is not a valid JSON number",
		         cases[i]);
		expect_error(doc, HR_EINVAL, "cpu", want);
	}
}

static void test_yaml_quoted_scalars_stay_strings(void **state)
{
	(void)state;
	cJSON *j = parse_ok("a: \"2\"\nb: '0.5'\nc: \"true\"\nd: 'null'\ne: \"\"\nf: '0x1F'\n"
	                    "g: \"~\"\n");
	assert_str_at(j, "a", "2");
	assert_str_at(j, "b", "0.5");
	assert_str_at(j, "c", "true");
	assert_str_at(j, "d", "null");
	assert_str_at(j, "e", "");
	assert_str_at(j, "f", "0x1F");
	assert_str_at(j, "g", "~");
	cJSON_Delete(j);
}

static void test_yaml_block_scalars_are_strings(void **state)
{
	(void)state;
	cJSON *j = parse_ok("literal: |\n  line one\n  42\nfolded: >\n  folded\n  text\n"
	                    "stripped: |-\n  123\nnumber: >-\n  0.5\n");
	assert_str_at(j, "literal", "line one\n42\n");
	assert_str_at(j, "folded", "folded text\n");
	assert_str_at(j, "stripped", "123");
	assert_str_at(j, "number", "0.5");
	cJSON_Delete(j);
}

static void test_yaml_tagged_scalars(void **state)
{
	(void)state;
	cJSON *j = parse_ok("s: !!str 42\ni: !!int \"7\"\nf: !!float 3\nb: !!bool yes\n"
	                    "nil: !!null \"\"\nlocal: !custom 5\nt: !!timestamp 2024-01-02\n");
	assert_str_at(j, "s", "42");
	assert_num_at(j, "i", 7);
	assert_num_at(j, "f", 3);
	assert_true(cJSON_IsTrue(at(j, "b")));
	assert_true(cJSON_IsNull(at(j, "nil")));
	assert_str_at(j, "local", "5");
	assert_str_at(j, "t", "2024-01-02");
	cJSON_Delete(j);
}

static void test_yaml_tag_mismatch_rejected(void **state)
{
	(void)state;
	expect_error("a: !!int abc\n", HR_EINVAL, "a",
	             "line 1 column 4: cannot decode \"abc\" as !!int");
	expect_error("a: !!bool 1\n", HR_EINVAL, "a", "as !!bool");
	expect_error("a: !!int 0.5\n", HR_EINVAL, "a", "as !!int");
	expect_error("a: !!binary aGk=\n", HR_EUNSUPPORTED, "a", "!!binary");
}

static void test_yaml_nul_in_string_rejected(void **state)
{
	(void)state;
	expect_error("a: \"x\\0y\"\n", HR_EUNSUPPORTED, "a", "NUL byte");
}

/* ---- keys ---- */

static void test_yaml_keys_converted_like_kubernetes(void **state)
{
	(void)state;
	cJSON *j = parse_ok("1: a\nyes: b\n0x10: c\n\"x.y\": d\n-3: e\n");
	assert_str_at(j, "1", "a");
	assert_str_at(j, "true", "b");
	assert_str_at(j, "16", "c");
	assert_str_at(j, "x.y", "d");
	assert_str_at(j, "-3", "e");
	assert_int_equal(cJSON_GetArraySize(j), 5);
	cJSON_Delete(j);
}

static void test_yaml_unsupported_keys_rejected(void **state)
{
	(void)state;
	expect_error("~: a\n", HR_EINVAL, "", "line 1 column 1: a mapping key must be a string");
	expect_error("18446744073709551615: a\n", HR_EINVAL, "", "mapping key must be");
	expect_error("1.5: a\n", HR_EUNSUPPORTED, "", "floating-point mapping key");
	expect_error("a: 1\n<<: {b: 2}\n", HR_EUNSUPPORTED, "", "line 2 column 1: merge keys");
	expect_error("a: &x k\n*x : v\n", HR_EUNSUPPORTED, "", "line 2 column 1: an alias as");
	expect_error("&x k: v\n", HR_EUNSUPPORTED, "", "an anchor on a mapping key");
}

static void test_yaml_quoted_merge_key_is_a_string(void **state)
{
	(void)state;
	cJSON *j = parse_ok("\"<<\": x\n");
	assert_str_at(j, "<<", "x");
	cJSON_Delete(j);
}

static void test_yaml_non_scalar_key_rejected(void **state)
{
	(void)state;
	expect_error("a: 1\n? [x, y]\n: b\n", HR_EINVAL, "",
	             "line 2 column 3: a mapping key must be a scalar");
	expect_error("spec:\n  {a: 1}: x\n", HR_EINVAL, "spec",
	             "line 2 column 3: a mapping key must be a scalar");
}

static void test_yaml_duplicate_key_rejected(void **state)
{
	(void)state;
	expect_error("spec:\n  cpu: 1\n  memory: 2\n  cpu: 3\n", HR_EINVAL, "spec",
	             "line 4 column 3: duplicate key \"cpu\"");
	/* compared as JSON text, after conversion */
	expect_error("1: a\n\"1\": b\n", HR_EINVAL, "", "line 2 column 1: duplicate key \"1\"");
}

static void test_yaml_many_keys_no_false_duplicates(void **state)
{
	char doc[8192];
	size_t o = 0;
	(void)state;
	for (int i = 0; i < 500; i++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o, "k%d: %d\n", i, i);
	cJSON *j = parse_ok(doc);
	assert_int_equal(cJSON_GetArraySize(j), 500);
	assert_num_at(j, "k499", 499);
	cJSON_Delete(j);
	memcpy(doc + o, "k250: x\n", 9);
	expect_error(doc, HR_EINVAL, "", "line 501 column 1: duplicate key \"k250\"");
}

/* ---- anchors and aliases ---- */

static void test_yaml_aliases_deep_copy(void **state)
{
	(void)state;
	cJSON *j = parse_ok("base: &res {cpu: 250m, memory: 1Gi, ports: [80, 443]}\n"
	                    "name: &n web\n"
	                    "a: *res\n"
	                    "b: [*res, *n]\n");
	const cJSON *base = at(j, "base");
	const cJSON *a = at(j, "a");
	assert_ptr_not_equal(a, base);
	assert_true(cJSON_Compare(a, base, true));
	assert_true(cJSON_Compare(at(j, "b 0"), base, true));
	assert_str_at(j, "a cpu", "250m");
	assert_num_at(j, "a ports 1", 443);
	assert_str_at(j, "b 1", "web");
	cJSON_Delete(j);
}

static void test_yaml_anchor_redefinition_uses_latest(void **state)
{
	(void)state;
	cJSON *j = parse_ok("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
	assert_num_at(j, "b", 1);
	assert_num_at(j, "d", 2);
	cJSON_Delete(j);
}

static void test_yaml_unknown_or_recursive_alias_rejected(void **state)
{
	(void)state;
	expect_error("a: *nope\n", HR_EINVAL, "a", "line 1 column 4: unknown anchor \"nope\"");
	expect_error("a: &x [1, *x]\n", HR_EINVAL, "a[1]", "alias \"x\" refers to a node that");
}

static void test_yaml_anchors_end_with_their_document(void **state)
{
	static const char doc[] = "a: &x 1\n---\nb: *x\n";
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_null(xt_yaml_to_json_all(doc, strlen(doc), NULL, &err));
	assert_int_equal(err.code, HR_EINVAL);
	assert_string_equal(err.msg, "line 3 column 4: unknown anchor \"x\"");
}

static void test_yaml_billion_laughs_rejected(void **state)
{
	char doc[2048];
	size_t o = 0;
	struct hr_err err;
	(void)state;
	o += (size_t)snprintf(doc + o, sizeof(doc) - o,
	                      "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
	for (char c = 'b'; c <= 'i'; c++) {
		char p = (char)(c - 1);
		o += (size_t)snprintf(doc + o, sizeof(doc) - o,
		                      "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", c, c, p, p,
		                      p, p, p, p, p, p, p);
	}
	hr_err_clear(&err);
	clock_t start = clock();
	cJSON *j = xt_yaml_to_json(doc, o, NULL, &err);
	double cpu_s = (double)(clock() - start) / CLOCKS_PER_SEC;
	assert_null(j);
	assert_int_equal(err.code, HR_ERANGE);
	assert_non_null(strstr(err.msg, "aliases expand to more than 100000 values"));
	if (cpu_s > 2.0)
		fail_msg("took %.2f s of CPU to reject", cpu_s);
}

static void test_yaml_alias_limit_boundary(void **state)
{
	/* *x copies 3 values: the sequence and its two items */
	static const char doc[] = "a: &x [1, 2]\nb: *x\n";
	struct xt_yaml_limits lim = XT_YAML_LIMITS_DEFAULT;
	struct hr_err err;
	(void)state;
	lim.max_alias_nodes = 3;
	hr_err_clear(&err);
	cJSON *j = xt_yaml_to_json(doc, strlen(doc), &lim, &err);
	assert_non_null(j);
	cJSON_Delete(j);
	lim.max_alias_nodes = 2;
	expect_error_lim(doc, &lim, HR_ERANGE, "b",
	                 "line 2 column 4: aliases expand to more than 2");
	lim.max_alias_nodes = 0;
	expect_error_lim(doc, &lim, HR_ERANGE, "b", "aliases expand to more than 0");
}

static void test_yaml_node_limit_boundary(void **state)
{
	/* the mapping, the sequence and three items: 5 values */
	static const char doc[] = "a: [1, 2, 3]\n";
	struct xt_yaml_limits lim = XT_YAML_LIMITS_DEFAULT;
	struct hr_err err;
	(void)state;
	lim.max_nodes = 5;
	hr_err_clear(&err);
	cJSON *j = xt_yaml_to_json(doc, strlen(doc), &lim, &err);
	assert_non_null(j);
	cJSON_Delete(j);
	lim.max_nodes = 4;
	expect_error_lim(doc, &lim, HR_ERANGE, "a[2]",
	                 "line 1 column 11: document has more than 4 values");
}

/* ---- depth ---- */

static char *nested_flow(size_t depth)
{
	char *s = malloc(2 * depth + 1);
	assert_non_null(s);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = '\0';
	return s;
}

static void test_yaml_depth_limit_boundary(void **state)
{
	(void)state;
	char *ok = nested_flow(XT_YAML_MAX_DEPTH);
	cJSON *j = parse_ok(ok);
	assert_true(cJSON_IsArray(j));
	cJSON_Delete(j);
	free(ok);
	char *deep = nested_flow(XT_YAML_MAX_DEPTH + 1);
	expect_error(deep, HR_ERANGE, NULL, "line 1 column 65: nesting deeper than 64 levels");
	free(deep);
}

static void test_yaml_very_deep_input_rejected(void **state)
{
	(void)state;
	char *deep = nested_flow(200000);
	expect_error(deep, HR_ERANGE, NULL, "nesting deeper than 64 levels");
	free(deep);
}

static void test_yaml_depth_limit_counts_alias_copies(void **state)
{
	/* x is 2 deep at depth 2; copied under b's sequence it would reach 4 */
	static const char doc[] = "a: &x [[1]]\nb: [*x]\n";
	struct xt_yaml_limits lim = XT_YAML_LIMITS_DEFAULT;
	(void)state;
	lim.max_depth = 3;
	expect_error_lim(doc, &lim, HR_ERANGE, "b[0]", "nesting deeper than 3 levels");
	lim.max_depth = 4;
	struct hr_err err;
	hr_err_clear(&err);
	cJSON *j = xt_yaml_to_json(doc, strlen(doc), &lim, &err);
	assert_non_null(j);
	assert_num_at(j, "b 0 0 0", 1);
	cJSON_Delete(j);
}

/* ---- syntax errors ---- */

static void test_yaml_syntax_error_reports_line_and_column(void **state)
{
	(void)state;
	expect_error("a: 1\nb: [1, 2\nc: 3\n", HR_EINVAL, "b",
	             "line 3 column 2: did not find expected ',' or ']' (while parsing a flow "
	             "sequence at line 2 column 4)");
	expect_error("a: b: c\n", HR_EINVAL, "",
	             "line 1 column 5: mapping values are not allowed in this context");
	expect_error("a:\n  - b\n c: d\n", HR_EINVAL, "",
	             "line 3 column 2: did not find expected key");
}

static void test_yaml_invalid_utf8_rejected(void **state)
{
	(void)state;
	expect_error("a: \xff\n", HR_EINVAL, NULL, "byte offset 3: invalid leading UTF-8 octet");
}

/* ---- streams, encodings, layout ---- */

static void test_yaml_multi_document_first_non_empty(void **state)
{
	(void)state;
	cJSON *j = parse_ok("# header\n---\n---\n~\n---\nkind: Pod\n---\nkind: Node\n");
	assert_str_at(j, "kind", "Pod");
	cJSON_Delete(j);
}

static void test_yaml_multi_document_stops_after_first(void **state)
{
	(void)state;
	/* later documents are not read, so a broken one after the first does not matter */
	cJSON *j = parse_ok("kind: Pod\n---\nkind: [\n");
	assert_str_at(j, "kind", "Pod");
	cJSON_Delete(j);
}

static void test_yaml_multi_document_all(void **state)
{
	static const char doc[] = "kind: Pod\n---\n---\nnull\n...\n--- [1, 2]\n---\nkind: Node\n";
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	cJSON *j = xt_yaml_to_json_all(doc, strlen(doc), NULL, &err);
	assert_non_null(j);
	assert_true(cJSON_IsArray(j));
	assert_int_equal(cJSON_GetArraySize(j), 3);
	assert_str_at(j, "0 kind", "Pod");
	assert_num_at(j, "1 1", 2);
	assert_str_at(j, "2 kind", "Node");
	cJSON_Delete(j);
}

static void test_yaml_multi_document_all_reports_later_error(void **state)
{
	static const char doc[] = "kind: Pod\n---\nkind: [\n";
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	assert_null(xt_yaml_to_json_all(doc, strlen(doc), NULL, &err));
	assert_int_equal(err.code, HR_EINVAL);
	assert_non_null(strstr(err.msg, "line 4 column 1:"));
}

static void test_yaml_empty_input_rejected(void **state)
{
	static const char *const cases[] = {"", "   \n", "# only a comment\n", "---\n",
	                                    "--- ~\n...\n"};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hr_err err;
		expect_error(cases[i], HR_EINVAL, "", "empty document");
		hr_err_clear(&err);
		assert_null(xt_yaml_to_json_all(cases[i], strlen(cases[i]), NULL, &err));
		/* with the hint for a file sent with curl -d, which strips its newlines */
		assert_non_null(strstr(err.msg, "empty document"));
		assert_non_null(strstr(err.msg, "use --data-binary @FILE"));
	}
	struct hr_err err;
	hr_err_clear(&err);
	assert_null(xt_yaml_to_json(NULL, 0, NULL, &err));
	assert_non_null(strstr(err.msg, "empty document"));
}

static void test_yaml_bom_skipped(void **state)
{
	(void)state;
	cJSON *j = parse_ok("\xEF\xBB\xBF"
	                    "kind: Pod\nspec: {}\n");
	assert_str_at(j, "kind", "Pod");
	cJSON_Delete(j);
}

static void test_yaml_crlf_line_ends(void **state)
{
	(void)state;
	cJSON *j = parse_ok("kind: Pod\r\nmetadata:\r\n  name: x\r\nnote: |\r\n  one\r\n  two\r\n");
	assert_str_at(j, "metadata name", "x");
	assert_str_at(j, "note", "one\ntwo\n");
	cJSON_Delete(j);
}

static void test_yaml_text_needs_no_nul(void **state)
{
	static const char doc[] = "a: 1\nb: 2";
	struct hr_err err;
	(void)state;
	hr_err_clear(&err);
	cJSON *j = xt_yaml_to_json(doc, 4, NULL, &err); /* "a: 1" only */
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	assert_num_at(j, "a", 1);
	cJSON_Delete(j);
}

static void test_yaml_flow_style_and_comments(void **state)
{
	(void)state;
	cJSON *j = parse_ok("# comment\n{a: 1, b: [x, y], c: {d: \"e\"}} # trailing\n");
	assert_num_at(j, "a", 1);
	assert_str_at(j, "b 0", "x");
	assert_true(cJSON_IsTrue(at(j, "b 1"))); /* YAML 1.1's y, as in Kubernetes */
	assert_str_at(j, "c d", "e");
	cJSON_Delete(j);
}

static void test_yaml_json_input_gives_same_tree(void **state)
{
	static const char text[] = "{\"a\": [1, \"2\", true, null, 0.5], \"b\": {\"c\": -3e2}}";
	(void)state;
	cJSON *from_yaml = parse_ok(text);
	cJSON *from_json = cJSON_Parse(text);
	assert_non_null(from_json);
	assert_true(cJSON_Compare(from_yaml, from_json, true));
	cJSON_Delete(from_yaml);
	cJSON_Delete(from_json);
}

static void test_yaml_error_where_is_json_path(void **state)
{
	(void)state;
	expect_error("spec:\n  containers:\n  - name: a\n  - name: b\n    resources:\n"
	             "      limits:\n        cpu: .inf\n",
	             HR_EINVAL, "spec.containers[1].resources.limits.cpu", "line 7 column 14:");
}

static void test_yaml_looks_like_json(void **state)
{
	(void)state;
	assert_true(xt_looks_like_json("{}", 2));
	assert_true(xt_looks_like_json(" \r\n\t[1]", 7));
	assert_false(xt_looks_like_json("kind: Pod", 9));
	assert_false(xt_looks_like_json("", 0));
	assert_false(xt_looks_like_json("   ", 3));
	assert_false(xt_looks_like_json("\xEF\xBB\xBF{}", 5));
	assert_false(xt_looks_like_json("# c\n{}", 6));
	assert_false(xt_looks_like_json(" {", 1)); /* only len bytes are read */
}

/* ---- allocation failures: every cJSON_malloc of the module fails in turn ---- */

static size_t alloc_count;
static size_t alloc_fail_at; /* 0 = never */

static void *failing_malloc(size_t size)
{
	if (++alloc_count == alloc_fail_at)
		return NULL;
	return malloc(size);
}

static const char alloc_doc[] =
    "a: &x {cpu: 1_000, memory: 1Gi, list: [1, 2, {k: v}]}\n"
    "b: *x\n"
    "c: [*x, yes, \"q\", 0.5]\n"
    "d: {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8,\n"
    "    k9: 9, k10: 10, k11: 11, k12: 12, k13: 13, k14: 14}\n"
    "---\n"
    "e: [1, 2]\n";

static void run_until_success(bool all)
{
	cJSON_Hooks hooks = {failing_malloc, free};
	cJSON_InitHooks(&hooks);
	for (alloc_fail_at = 1;; alloc_fail_at++) {
		struct hr_err err;
		hr_err_clear(&err);
		alloc_count = 0;
		cJSON *j = all ? xt_yaml_to_json_all(alloc_doc, strlen(alloc_doc), NULL, &err)
		               : xt_yaml_to_json(alloc_doc, strlen(alloc_doc), NULL, &err);
		if (j) {
			assert_true(alloc_count < alloc_fail_at);
			cJSON_Delete(j);
			break;
		}
		if (err.code != HR_ENOMEM)
			fail_msg("allocation %zu: code %d, \"%s\"", alloc_fail_at, err.code,
			         err.msg);
		assert_true(alloc_fail_at < 100000);
	}
	cJSON_InitHooks(NULL);
	alloc_fail_at = 0;
}

static void test_yaml_every_allocation_failure_is_enomem(void **state)
{
	(void)state;
	run_until_success(false);
	run_until_success(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yaml_pod_resources),
	    cmocka_unit_test(test_yaml_pod_scheduling_fields),
	    cmocka_unit_test(test_yaml_deployment),
	    cmocka_unit_test(test_yaml_plain_null),
	    cmocka_unit_test(test_yaml_plain_bool),
	    cmocka_unit_test(test_yaml_plain_numbers),
	    cmocka_unit_test(test_yaml_plain_strings),
	    cmocka_unit_test(test_yaml_plain_nonfinite_rejected),
	    cmocka_unit_test(test_yaml_quoted_scalars_stay_strings),
	    cmocka_unit_test(test_yaml_block_scalars_are_strings),
	    cmocka_unit_test(test_yaml_tagged_scalars),
	    cmocka_unit_test(test_yaml_tag_mismatch_rejected),
	    cmocka_unit_test(test_yaml_nul_in_string_rejected),
	    cmocka_unit_test(test_yaml_keys_converted_like_kubernetes),
	    cmocka_unit_test(test_yaml_unsupported_keys_rejected),
	    cmocka_unit_test(test_yaml_quoted_merge_key_is_a_string),
	    cmocka_unit_test(test_yaml_non_scalar_key_rejected),
	    cmocka_unit_test(test_yaml_duplicate_key_rejected),
	    cmocka_unit_test(test_yaml_many_keys_no_false_duplicates),
	    cmocka_unit_test(test_yaml_aliases_deep_copy),
	    cmocka_unit_test(test_yaml_anchor_redefinition_uses_latest),
	    cmocka_unit_test(test_yaml_unknown_or_recursive_alias_rejected),
	    cmocka_unit_test(test_yaml_anchors_end_with_their_document),
	    cmocka_unit_test(test_yaml_billion_laughs_rejected),
	    cmocka_unit_test(test_yaml_alias_limit_boundary),
	    cmocka_unit_test(test_yaml_node_limit_boundary),
	    cmocka_unit_test(test_yaml_depth_limit_boundary),
	    cmocka_unit_test(test_yaml_very_deep_input_rejected),
	    cmocka_unit_test(test_yaml_depth_limit_counts_alias_copies),
	    cmocka_unit_test(test_yaml_syntax_error_reports_line_and_column),
	    cmocka_unit_test(test_yaml_invalid_utf8_rejected),
	    cmocka_unit_test(test_yaml_multi_document_first_non_empty),
	    cmocka_unit_test(test_yaml_multi_document_stops_after_first),
	    cmocka_unit_test(test_yaml_multi_document_all),
	    cmocka_unit_test(test_yaml_multi_document_all_reports_later_error),
	    cmocka_unit_test(test_yaml_empty_input_rejected),
	    cmocka_unit_test(test_yaml_bom_skipped),
	    cmocka_unit_test(test_yaml_crlf_line_ends),
	    cmocka_unit_test(test_yaml_text_needs_no_nul),
	    cmocka_unit_test(test_yaml_flow_style_and_comments),
	    cmocka_unit_test(test_yaml_json_input_gives_same_tree),
	    cmocka_unit_test(test_yaml_error_where_is_json_path),
	    cmocka_unit_test(test_yaml_looks_like_json),
	    cmocka_unit_test(test_yaml_every_allocation_failure_is_enomem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
