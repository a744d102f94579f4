/* test_capacity_api.c: extender/capacity_api.h, one capacity question from body bytes to answer
 * bytes, on the real 2-node EKS snapshot in examples/clusters (see its README: a 100m/100Mi pod
 * fits 7 more times on eks-node-a and 9 on eks-node-b, bound by the 11-pod limit). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity_api.h"
#include "support.h"
#include "yaml_json.h"

/* ---- fixture: the snapshot, built once per test ---- */

static int setup_snapshot(void **state)
{
	size_t len;
	char *text = hr_test_read_file("examples/clusters/eks-2node-t3small.json", &len);
	cJSON *doc = cJSON_ParseWithLength(text, len);
	free(text);
	if (!doc)
		return -1;
	struct xt_snap *s = xt_snap_new("file:examples/clusters/eks-2node-t3small.json");
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = hr_snapshot_from_json(doc, &s->arena, &s->snap, &err);
	cJSON_Delete(doc);
	if (rc != HR_OK) {
		fprintf(stderr, "snapshot: %s: %s\n", err.where, err.msg);
		xt_snap_release(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown_snapshot(void **state)
{
	xt_snap_release(*state);
	return 0;
}

/* ---- helpers ---- */

static const char web_pod_json[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":"
    "\"default\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"web\","
    "\"image\":\"nginx:1.27\",\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":"
    "\"100Mi\"}}}]}}";

#define WEB_TEMPLATE                                                                               \
	"{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":"        \
	"\"web\","                                                                                 \
	"\"image\":\"nginx:1.27\",\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":"       \
	"\"100Mi\"}}}]}}"

static const char web_deployment_json[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"default\"},\"spec\":{\"replicas\":20,\"selector\":{\"matchLabels\":{"
    "\"app\":\"web\"}},\"template\":" WEB_TEMPLATE "}}";

static const char want_message[] = "0/2 nodes are available: 2 Too many pods.";

static struct xt_capacity_params params_default(enum xt_output output)
{
	struct xt_capacity_params p = {.has_replicas = false,
	                               .replicas = 0,
	                               .max_copies = 100000,
	                               .output = output,
	                               .per_node = true};
	return p;
}

struct answer {
	enum hr_code rc;
	struct hr_err err;
	struct xt_capacity_outcome outcome;
	char *text; /* malloc'd, NUL-terminated */
	size_t len;
};

static struct answer ask_len(const struct xt_snap *snap, const char *body, size_t len,
                             const struct xt_capacity_params *params, size_t max_out)
{
	struct answer a;
	memset(&a, 0, sizeof(a));
	a.outcome.count = -1;
	hr_err_clear(&a.err);
	struct hr_buf out;
	hr_buf_init(&out, max_out);
	a.rc = xt_capacity_answer(snap, body, len, params, &out, &a.outcome, &a.err);
	a.len = out.len;
	a.text = strdup(out.p && hr_buf_ok(&out) ? out.p : "");
	hr_buf_fini(&out);
	return a;
}

static struct answer ask(const struct xt_snap *snap, const char *body,
                         const struct xt_capacity_params *params)
{
	return ask_len(snap, body, strlen(body), params, 1u << 20);
}

static cJSON *ask_json(const struct xt_snap *snap, const char *body,
                       const struct xt_capacity_params *params, struct xt_capacity_outcome *oc)
{
	struct answer a = ask(snap, body, params);
	if (a.rc != HR_OK) {
		char msg[512];
		snprintf(msg, sizeof(msg), "unexpected error %d: where=\"%s\" msg=\"%s\"", a.rc,
		         a.err.where, a.err.msg);
		free(a.text);
		fail_msg("%s", msg);
	}
	assert_int_equal(a.err.code, HR_OK);
	assert_true(a.len > 0 && a.text[a.len - 1] == '\n');
	cJSON *j = cJSON_Parse(a.text);
	if (!j) {
		fprintf(stderr, "%s\n", a.text);
		free(a.text);
		fail_msg("the answer is not JSON");
	}
	free(a.text);
	if (oc)
		*oc = a.outcome;
	return j;
}

/* Expects failure: code, exact where, and msg containing part (NULL: not checked). */
static void expect_error(const struct xt_snap *snap, const char *body, size_t len,
                         enum hr_code code, const char *where, const char *part)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct answer a = ask_len(snap, body, len, &p, 1u << 20);
	if (a.rc == HR_OK) {
		fprintf(stderr, "%s\n", a.text);
		free(a.text);
		fail_msg("expected an error");
	}
	free(a.text);
	assert_int_equal(a.rc, code);
	assert_int_equal(a.err.code, code);
	if (strcmp(a.err.where, where) != 0)
		fail_msg("where \"%s\" (msg \"%s\"), want \"%s\"", a.err.where, a.err.msg, where);
	if (part && !strstr(a.err.msg, part))
		fail_msg("message \"%s\" lacks \"%s\"", a.err.msg, part);
}

static void expect_error_text(const struct xt_snap *snap, const char *body, enum hr_code code,
                              const char *where, const char *part)
{
	expect_error(snap, body, strlen(body), code, where, part);
}

static const cJSON *get(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!v)
		fail_msg("no \"%s\" in the answer", key);
	return v;
}

static void assert_num(const cJSON *obj, const char *key, double want)
{
	const cJSON *v = get(obj, key);
	if (!cJSON_IsNumber(v) || v->valuedouble != want)
		fail_msg("\"%s\" is not %g", key, want);
}

static void assert_bool(const cJSON *obj, const char *key, bool want)
{
	const cJSON *v = get(obj, key);
	if (!cJSON_IsBool(v) || cJSON_IsTrue(v) != want)
		fail_msg("\"%s\" is not %s", key, want ? "true" : "false");
}

static void assert_str(const cJSON *obj, const char *key, const char *want)
{
	const cJSON *v = get(obj, key);
	if (!cJSON_IsString(v))
		fail_msg("\"%s\" is not a string", key);
	assert_string_equal(v->valuestring, want);
}

/* The perNode list is [{node, count, reason}] with these values. */
static void assert_per_node(const cJSON *answer, size_t n, const char *const *nodes,
                            const int *counts, const char *const *reasons)
{
	const cJSON *list = get(answer, "perNode");
	assert_true(cJSON_IsArray(list));
	assert_int_equal(cJSON_GetArraySize(list), n);
	for (size_t i = 0; i < n; i++) {
		const cJSON *e = cJSON_GetArrayItem(list, (int)i);
		assert_str(e, "node", nodes[i]);
		assert_num(e, "count", counts[i]);
		if (reasons[i])
			assert_str(e, "reason", reasons[i]);
		else
			assert_null(cJSON_GetObjectItemCaseSensitive(e, "reason"));
	}
}

static const char *const eks_nodes[] = {"eks-node-a", "eks-node-b"};
static const char *const too_many_pods[] = {"Too many pods", "Too many pods"};
static const int eks_counts[] = {7, 9};

/* The common part of every answer about the web pod on the EKS snapshot. */
static void assert_web_answer(const cJSON *j, const char *kind)
{
	assert_num(j, "count", 16);
	assert_bool(j, "exact", true);
	assert_bool(j, "limited", false);
	assert_per_node(j, 2, eks_nodes, eks_counts, too_many_pods);
	assert_str(j, "message", want_message);
	const cJSON *pod = get(j, "pod");
	assert_str(pod, "kind", kind);
	assert_str(pod, "name", "web");
	assert_str(pod, "namespace", "default");
	const cJSON *adm = get(j, "admission");
	assert_int_equal(cJSON_GetArraySize(adm), 1);
	assert_string_equal(cJSON_GetArrayItem(adm, 0)->valuestring, "DefaultTolerationSeconds");
	assert_int_equal(cJSON_GetArraySize(get(j, "notes")), 0);
	const cJSON *snap = get(j, "snapshot");
	assert_str(snap, "resourceVersion", "");
	assert_num(snap, "nodes", 2);
	assert_num(snap, "pods", 6);
	const cJSON *age = get(snap, "ageSeconds");
	assert_true(cJSON_IsNumber(age) && age->valuedouble >= 0 && age->valuedouble < 60);
}

/* ---- JSON answers ---- */

static void test_capacity_pod_json(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct xt_capacity_outcome oc;
	cJSON *j = ask_json(*state, web_pod_json, &p, &oc);
	assert_web_answer(j, "Pod");
	/* no replicas asked: no "replicas", no "fits" */
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "replicas"));
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "fits"));
	assert_int_equal(oc.count, 16);
	assert_false(oc.coupled);
	assert_false(oc.limited);
	cJSON_Delete(j);
}

static void test_capacity_pod_json_key_order(void **state)
{
	/* the JSON names and their order are a contract (answer.h) */
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	p.has_replicas = true;
	p.replicas = 20;
	cJSON *j = ask_json(*state, web_pod_json, &p, NULL);
	static const char *const keys[] = {"count",     "replicas", "fits",    "exact",
	                                   "limited",   "perNode",  "message", "pod",
	                                   "admission", "notes",    "snapshot"};
	const cJSON *it = j->child;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++, it = it->next) {
		assert_non_null(it);
		assert_string_equal(it->string, keys[i]);
	}
	assert_null(it);
	cJSON_Delete(j);
}

static void test_capacity_pod_yaml_input(void **state)
{
	size_t len;
	char *yaml = hr_test_read_file("examples/pods/web.yaml", &len);
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct answer a = ask_len(*state, yaml, len, &p, 1u << 20);
	free(yaml);
	assert_int_equal(a.rc, HR_OK);
	cJSON *j = cJSON_Parse(a.text);
	free(a.text);
	assert_non_null(j);
	assert_web_answer(j, "Pod");
	cJSON_Delete(j);
}

static void test_capacity_pod_without_kind(void **state)
{
	/* a bare object with spec.containers is a pod */
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	cJSON *j = ask_json(*state,
	                    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":"
	                    "{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"resources\":"
	                    "{\"requests\":{\"cpu\":\"100m\",\"memory\":\"100Mi\"}}}]}}",
	                    &p, NULL);
	assert_web_answer(j, "Pod");
	cJSON_Delete(j);
}

static void test_capacity_deployment_with_replicas(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct xt_capacity_outcome oc;
	cJSON *j = ask_json(*state, web_deployment_json, &p, &oc);
	assert_web_answer(j, "Deployment");
	assert_num(j, "replicas", 20);
	assert_bool(j, "fits", false);
	assert_int_equal(oc.count, 16);
	cJSON_Delete(j);
}

static void test_capacity_deployment_yaml_input(void **state)
{
	size_t len;
	char *yaml = hr_test_read_file("examples/pods/web-deployment.yaml", &len);
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct answer a = ask_len(*state, yaml, len, &p, 1u << 20);
	free(yaml);
	assert_int_equal(a.rc, HR_OK);
	cJSON *j = cJSON_Parse(a.text);
	free(a.text);
	assert_non_null(j);
	assert_web_answer(j, "Deployment");
	assert_num(j, "replicas", 20);
	assert_bool(j, "fits", false);
	cJSON_Delete(j);
}

static void test_capacity_other_workload_kinds(void **state)
{
	static const char *const kinds[] = {"ReplicaSet", "StatefulSet", "ReplicationController"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char body[2048];
		snprintf(
		    body, sizeof(body),
		    "{\"kind\":\"%s\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
		    "\"spec\":{\"replicas\":3,\"template\":" WEB_TEMPLATE "}}",
		    kinds[i]);
		struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
		cJSON *j = ask_json(*state, body, &p, NULL);
		assert_web_answer(j, kinds[i]);
		assert_num(j, "replicas", 3);
		assert_bool(j, "fits", true);
		cJSON_Delete(j);
	}
	/* a Job's spec.replicas is not a thing; CronJob's template is deeper */
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	cJSON *job =
	    ask_json(*state,
	             "{\"kind\":\"Job\",\"metadata\":{\"name\":\"web\",\"namespace\":"
	             "\"default\"},\"spec\":{\"parallelism\":2,\"template\":" WEB_TEMPLATE "}}",
	             &p, NULL);
	assert_web_answer(job, "Job");
	assert_null(cJSON_GetObjectItemCaseSensitive(job, "replicas"));
	cJSON_Delete(job);
	cJSON *cron = ask_json(*state,
	                       "{\"kind\":\"CronJob\",\"metadata\":{\"name\":\"web\",\"namespace\":"
	                       "\"default\"},\"spec\":{\"schedule\":\"* * * * *\",\"jobTemplate\":{"
	                       "\"spec\":{\"template\":" WEB_TEMPLATE "}}}}",
	                       &p, NULL);
	assert_web_answer(cron, "CronJob");
	cJSON_Delete(cron);
}

static void test_capacity_params_replicas_override_body(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	p.has_replicas = true;
	p.replicas = 10;
	cJSON *j = ask_json(*state, web_deployment_json, &p, NULL);
	assert_num(j, "replicas", 10);
	assert_bool(j, "fits", true);
	assert_num(j, "count", 16);
	cJSON_Delete(j);

	p.replicas = 16; /* exactly what fits */
	j = ask_json(*state, web_deployment_json, &p, NULL);
	assert_num(j, "replicas", 16);
	assert_bool(j, "fits", true);
	cJSON_Delete(j);

	p.replicas = 17;
	j = ask_json(*state, web_pod_json, &p, NULL);
	assert_num(j, "replicas", 17);
	assert_bool(j, "fits", false);
	cJSON_Delete(j);

	p.replicas = 0;
	j = ask_json(*state, web_deployment_json, &p, NULL);
	assert_num(j, "replicas", 0);
	assert_bool(j, "fits", true);
	cJSON_Delete(j);
}

static void test_capacity_per_node_false(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	p.per_node = false;
	cJSON *j = ask_json(*state, web_pod_json, &p, NULL);
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "perNode"));
	assert_num(j, "count", 16);
	assert_str(j, "message", want_message);
	cJSON_Delete(j);
}

/* ---- the envelope and max ---- */

static void test_capacity_envelope_with_max_is_limited(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct xt_capacity_outcome oc;
	cJSON *j =
	    ask_json(*state,
	             "{\"template\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\","
	             "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"web\","
	             "\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"100m\","
	             "\"memory\":\"100Mi\"}}}]}},\"replicas\":3,\"max\":5}",
	             &p, &oc);
	assert_num(j, "count", 5);
	assert_num(j, "replicas", 3);
	assert_bool(j, "fits", true);
	assert_bool(j, "limited", true);
	/* no FitError when counting stopped early */
	assert_str(j, "message", "");
	const cJSON *notes = get(j, "notes");
	assert_int_equal(cJSON_GetArraySize(notes), 1);
	assert_string_equal(cJSON_GetArrayItem(notes, 0)->valuestring,
	                    "counting stopped at 5 copies (the limit): more may fit");
	const char *const reasons[] = {NULL, NULL};
	const int counts[] = {5, 0};
	assert_per_node(j, 2, eks_nodes, counts, reasons);
	assert_str(get(j, "pod"), "kind", "Pod");
	assert_int_equal(oc.count, 5);
	assert_true(oc.limited);
	assert_false(oc.coupled);
	cJSON_Delete(j);
}

static void test_capacity_envelope_max_above_count_is_not_limited(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	char body[2048];
	snprintf(body, sizeof(body), "{\"template\":%s,\"max\":16}", web_deployment_json);
	struct xt_capacity_outcome oc;
	cJSON *j = ask_json(*state, body, &p, &oc);
	/* 16 copies fit and 16 is the max: counting may stop there */
	assert_num(j, "count", 16);
	assert_num(j, "replicas", 20); /* from the Deployment inside */
	cJSON_Delete(j);
	snprintf(body, sizeof(body), "{\"template\":%s,\"max\":17}", web_deployment_json);
	j = ask_json(*state, body, &p, &oc);
	assert_web_answer(j, "Deployment");
	assert_false(oc.limited);
	cJSON_Delete(j);
}

static void test_capacity_operator_max_wins_when_smaller(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	p.max_copies = 3;
	char body[2048];
	snprintf(body, sizeof(body), "{\"template\":%s,\"max\":5}", web_pod_json);
	struct xt_capacity_outcome oc;
	cJSON *j = ask_json(*state, body, &p, &oc);
	assert_num(j, "count", 3);
	assert_bool(j, "limited", true);
	assert_true(oc.limited);
	cJSON_Delete(j);
	/* and the operator's bound applies without an envelope */
	j = ask_json(*state, web_pod_json, &p, &oc);
	assert_num(j, "count", 3);
	assert_bool(j, "limited", true);
	cJSON_Delete(j);
}

static void test_capacity_envelope_replicas_overridden_by_params(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	p.has_replicas = true;
	p.replicas = 30;
	char body[2048];
	snprintf(body, sizeof(body), "{\"template\":%s,\"replicas\":4}", web_pod_json);
	cJSON *j = ask_json(*state, body, &p, NULL);
	assert_num(j, "replicas", 30);
	assert_bool(j, "fits", false);
	cJSON_Delete(j);
}

/* ---- table and YAML ---- */

static const char want_table[] = "NODE        COPIES  WHY NOT MORE\n"
                                 "eks-node-a       7  Too many pods\n"
                                 "eks-node-b       9  Too many pods\n"
                                 "\n"
                                 "Deployment web in default: 16 more copies fit; 20 asked: does "
                                 "not fit\n"
                                 "next copy: 0/2 nodes are available: 2 Too many pods.\n";

static void test_capacity_table_output(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_TABLE);
	struct answer a = ask(*state, web_deployment_json, &p);
	assert_int_equal(a.rc, HR_OK);
	assert_string_equal(a.text, want_table);
	free(a.text);
}

static void test_capacity_table_from_yaml_deployment(void **state)
{
	/* the README's example, byte for byte */
	size_t len;
	char *yaml = hr_test_read_file("examples/pods/web-deployment.yaml", &len);
	struct xt_capacity_params p = params_default(XT_OUTPUT_TABLE);
	struct answer a = ask_len(*state, yaml, len, &p, 1u << 20);
	free(yaml);
	assert_int_equal(a.rc, HR_OK);
	assert_string_equal(a.text, want_table);
	free(a.text);
}

static void test_capacity_manifest_with_several_documents(void **state)
{
	/* a Deployment between its Service and ConfigMap: the Deployment is used */
	static const char yaml[] = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
	                           "---\n"
	                           "kind: Deployment\nmetadata: {name: web, namespace: default}\n"
	                           "spec:\n  replicas: 20\n  template:\n    spec:\n"
	                           "      containers: [{name: c, resources: {requests: {cpu: "
	                           "100m, memory: 100Mi}}}]\n"
	                           "---\n"
	                           "kind: ConfigMap\nmetadata: {name: cfg}\n---\n";
	struct xt_capacity_params p = params_default(XT_OUTPUT_TABLE);
	p.per_node = false;
	struct answer a = ask(*state, yaml, &p);
	assert_int_equal(a.rc, HR_OK);
	assert_string_equal(
	    a.text, "Deployment web in default: 16 more copies fit; 20 asked: does not fit\n"
	            "next copy: 0/2 nodes are available: 2 Too many pods.\n"
	            "note: the YAML held 2 other document(s) without a pod template: skipped\n");
	free(a.text);
	/* two candidates: which one is meant is not guessed */
	expect_error_text(*state,
	                  "kind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c}]}\n---\n"
	                  "kind: Deployment\nmetadata: {name: b}\nspec: {template: {spec: "
	                  "{containers: [{name: c}]}}}\n",
	                  HR_EINVAL, "",
	                  "the YAML holds 2 objects with a pod (Pod a, Deployment b): send one of "
	                  "them");
	/* none: the first document's own error */
	expect_error_text(*state, "kind: Service\nmetadata: {name: s}\n---\nkind: ConfigMap\n",
	                  HR_EINVAL, "kind", "\"Service\" has no pod template");
}

static void test_capacity_table_pod_without_replicas(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_TABLE);
	struct answer a = ask(*state, web_pod_json, &p);
	assert_int_equal(a.rc, HR_OK);
	assert_string_equal(a.text, "NODE        COPIES  WHY NOT MORE\n"
	                            "eks-node-a       7  Too many pods\n"
	                            "eks-node-b       9  Too many pods\n"
	                            "\n"
	                            "Pod web in default: 16 more copies fit\n"
	                            "next copy: 0/2 nodes are available: 2 Too many pods.\n");
	free(a.text);
}

static void test_capacity_table_without_per_node(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_TABLE);
	p.per_node = false;
	struct answer a = ask(*state, web_deployment_json, &p);
	assert_int_equal(a.rc, HR_OK);
	assert_string_equal(
	    a.text, "Deployment web in default: 16 more copies fit; 20 asked: does not fit\n"
	            "next copy: 0/2 nodes are available: 2 Too many pods.\n");
	free(a.text);
}

static void test_capacity_table_limited(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_TABLE);
	p.max_copies = 5;
	struct answer a = ask(*state, web_pod_json, &p);
	assert_int_equal(a.rc, HR_OK);
	assert_string_equal(a.text,
	                    "NODE        COPIES  WHY NOT MORE\n"
	                    "eks-node-a       5  (counting stopped)\n"
	                    "eks-node-b       0  (counting stopped)\n"
	                    "\n"
	                    "Pod web in default: 5 more copies fit (at least)\n"
	                    "note: counting stopped at 5 copies (the limit): more may fit\n");
	free(a.text);
}

static void test_capacity_yaml_output(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_YAML);
	struct answer a = ask(*state, web_deployment_json, &p);
	assert_int_equal(a.rc, HR_OK);
	static const char want_head[] = "count: 16\n"
	                                "replicas: 20\n"
	                                "fits: false\n"
	                                "exact: true\n"
	                                "limited: false\n"
	                                "perNode:\n"
	                                "  - node: \"eks-node-a\"\n"
	                                "    count: 7\n"
	                                "    reason: \"Too many pods\"\n"
	                                "  - node: \"eks-node-b\"\n"
	                                "    count: 9\n"
	                                "    reason: \"Too many pods\"\n"
	                                "message: \"0/2 nodes are available: 2 Too many pods.\"\n"
	                                "pod:\n"
	                                "  kind: \"Deployment\"\n"
	                                "  name: \"web\"\n"
	                                "  namespace: \"default\"\n"
	                                "admission:\n"
	                                "  - \"DefaultTolerationSeconds\"\n"
	                                "notes: []\n"
	                                "snapshot:\n"
	                                "  resourceVersion: \"\"\n"
	                                "  nodes: 2\n"
	                                "  pods: 6\n"
	                                "  ageSeconds: ";
	/* it reads back as the JSON answer */
	struct hr_err err;
	hr_err_clear(&err);
	cJSON *back = xt_yaml_to_json(a.text, a.len, NULL, &err);
	assert_non_null(back);
	assert_web_answer(back, "Deployment");
	assert_num(back, "replicas", 20);
	assert_bool(back, "fits", false);
	cJSON_Delete(back);
	/* and reads as a person would write it */
	if (strncmp(a.text, want_head, strlen(want_head)) != 0) {
		fprintf(stderr, "%s\n", a.text);
		free(a.text);
		fail_msg("the YAML answer differs");
	}
	free(a.text);
}

/* ---- errors ---- */

static void test_capacity_error_empty_body(void **state)
{
	expect_error(*state, "", 0, HR_EINVAL, "",
	             "empty body: send a Pod or workload (JSON or YAML)");
}

static void test_capacity_error_non_object_json(void **state)
{
	expect_error_text(*state, "[1,2,3]", HR_EINVAL, "", "body is not a JSON object");
	expect_error_text(*state, "[{\"kind\":\"Pod\"}]", HR_EINVAL, "",
	                  "body is not a JSON object");
}

static void test_capacity_error_malformed_json(void **state)
{
	expect_error_text(*state, "{\"kind\":\"Pod\",}", HR_EINVAL, "", "near byte 14");
	expect_error_text(*state, "{\"kind\":\"Pod\"", HR_EINVAL, "", "near byte 13");
}

/* n nested objects: {"a":{"a":...{}...}} */
static char *nested(size_t depth)
{
	char *s = malloc(depth * 6 + 1);
	assert_non_null(s);
	size_t n = 0;
	for (size_t i = 0; i + 1 < depth; i++) {
		memcpy(s + n, "{\"a\":", 5);
		n += 5;
	}
	s[n++] = '{';
	for (size_t i = 0; i < depth; i++)
		s[n++] = '}';
	s[n] = '\0';
	return s;
}

static void test_capacity_error_too_deep_json(void **state)
{
	char *deep = nested(65);
	expect_error_text(*state, deep, HR_EINVAL, "", "nests deeper than 64");
	free(deep);
	deep = nested(5000);
	expect_error_text(*state, deep, HR_EINVAL, "", "nests deeper than 64");
	free(deep);
	/* 64 levels are allowed by the parser: the error is then about the content */
	deep = nested(64);
	expect_error_text(*state, deep, HR_EINVAL, "kind", "missing");
	free(deep);
}

static void test_capacity_error_unknown_kind(void **state)
{
	expect_error_text(*state,
	                  "{\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"d\"},\"spec\":{"
	                  "\"template\":" WEB_TEMPLATE "}}",
	                  HR_EINVAL, "kind",
	                  "\"DaemonSet\" has no pod template headroom can use (expected Pod, "
	                  "Deployment, ReplicaSet, StatefulSet, ReplicationController, Job or "
	                  "CronJob)");
	expect_error_text(*state, "{\"kind\":\"ConfigMap\",\"data\":{}}", HR_EINVAL, "kind",
	                  "\"ConfigMap\" has no pod template");
	expect_error_text(*state, "{\"metadata\":{\"name\":\"x\"}}", HR_EINVAL, "kind",
	                  "missing: expected Pod, Deployment");
}

static void test_capacity_error_workload_without_template(void **state)
{
	expect_error_text(*state, "{\"kind\":\"Deployment\",\"spec\":{\"replicas\":2}}", HR_EINVAL,
	                  "spec.template", "a Deployment needs a pod template object");
	expect_error_text(*state, "{\"kind\":\"CronJob\",\"spec\":{\"jobTemplate\":{}}}", HR_EINVAL,
	                  "spec.jobTemplate.spec.template",
	                  "a CronJob needs a pod template object");
}

#define BAD_CPU_CONTAINERS                                                                         \
	"\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"resources\":{\"requests\":{"      \
	"\"cpu\":\"12x\"}}}]"

static void test_capacity_error_bad_quantity_in_pod(void **state)
{
	expect_error_text(
	    *state,
	    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{" BAD_CPU_CONTAINERS "}}",
	    HR_EINVAL, "spec.containers[0].resources.requests.cpu", "\"12x\"");
}

static void test_capacity_error_bad_quantity_in_deployment(void **state)
{
	expect_error_text(*state,
	                  "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{"
	                  "\"template\":{\"spec\":{" BAD_CPU_CONTAINERS "}}}}",
	                  HR_EINVAL, "spec.template.spec.containers[0].resources.requests.cpu",
	                  "\"12x\"");
}

static void test_capacity_error_bad_quantity_in_cronjob(void **state)
{
	expect_error_text(
	    *state,
	    "{\"kind\":\"CronJob\",\"metadata\":{\"name\":\"c\"},\"spec\":{\"jobTemplate\":{"
	    "\"spec\":{\"template\":{\"spec\":{" BAD_CPU_CONTAINERS "}}}}}}",
	    HR_EINVAL, "spec.jobTemplate.spec.template.spec.containers[0].resources.requests.cpu",
	    "\"12x\"");
}

static void test_capacity_error_bad_quantity_in_envelope(void **state)
{
	expect_error_text(
	    *state, "{\"template\":{\"kind\":\"Pod\",\"spec\":{" BAD_CPU_CONTAINERS "}}}",
	    HR_EINVAL, "template.spec.containers[0].resources.requests.cpu", "\"12x\"");
	expect_error_text(*state,
	                  "{\"template\":{\"kind\":\"Deployment\",\"spec\":{\"template\":{\"spec\":"
	                  "{" BAD_CPU_CONTAINERS "}}}},\"replicas\":2}",
	                  HR_EINVAL,
	                  "template.spec.template.spec.containers[0].resources.requests.cpu",
	                  "\"12x\"");
}

static void test_capacity_error_bad_quantity_in_yaml(void **state)
{
	expect_error_text(*state,
	                  "kind: Deployment\n"
	                  "metadata:\n"
	                  "  name: d\n"
	                  "spec:\n"
	                  "  template:\n"
	                  "    spec:\n"
	                  "      containers:\n"
	                  "        - name: web\n"
	                  "          resources:\n"
	                  "            requests:\n"
	                  "              memory: 1Qi\n",
	                  HR_EINVAL, "spec.template.spec.containers[0].resources.requests.memory",
	                  "\"1Qi\"");
}

static void test_capacity_error_envelope_bad_numbers(void **state)
{
	char body[2048];
	snprintf(body, sizeof(body), "{\"template\":%s,\"replicas\":-1}", web_pod_json);
	expect_error_text(*state, body, HR_EINVAL, "replicas",
	                  "must be an integer in [0, 100000000], got -1");
	snprintf(body, sizeof(body), "{\"template\":%s,\"max\":2.5}", web_pod_json);
	expect_error_text(*state, body, HR_EINVAL, "max",
	                  "must be an integer in [1, 100000000], got 2.5");
	/* max 0 is refused, as ?max=0 is, not taken as "no limit" */
	snprintf(body, sizeof(body), "{\"template\":%s,\"max\":0}", web_pod_json);
	expect_error_text(*state, body, HR_EINVAL, "max",
	                  "must be an integer in [1, 100000000], got 0");
	expect_error_text(
	    *state, "{\"replicas\":3}", HR_EINVAL, "template",
	    "required: the Pod or workload to count (with replicas and max beside it)");
	expect_error_text(*state, "{\"template\":null}", HR_EINVAL, "template",
	                  "required: the Pod or workload to count");
	/* duplicate keys: cJSON would read the first, the API server the last */
	expect_error_text(*state,
	                  "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"a\","
	                  "\"resources\":{\"requests\":{\"cpu\":\"1\",\"cpu\":\"2\"}}}]}}",
	                  HR_EINVAL, "spec.containers[0].resources.requests.cpu",
	                  "duplicate field");
	snprintf(body, sizeof(body), "%s garbage", web_pod_json);
	expect_error_text(*state, body, HR_EINVAL, "", "unexpected bytes after the JSON object");
	snprintf(body, sizeof(body), "%s}", web_pod_json);
	expect_error_text(*state, body, HR_EINVAL, "", "unexpected bytes after the JSON object");
	expect_error_text(*state, "{\"kind\":5,\"spec\":{\"containers\":[]}}", HR_EINVAL, "kind",
	                  "must be a string, got number");
	snprintf(body, sizeof(body), "{\"template\":%s,\"replicas\":\"3\"}", web_pod_json);
	expect_error_text(*state, body, HR_EINVAL, "replicas", NULL);
}

/* spec.replicas of a workload is an int32 >= 0 to the API server. */
static void test_capacity_error_workload_bad_replicas(void **state)
{
	static const char *const bad[] = {"-1", "2.5", "1e30", "\"3\""};
	char accepted[256] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[2048];
		snprintf(body, sizeof(body),
		         "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"namespace\":"
		         "\"default\"},\"spec\":{\"replicas\":%s,\"template\":" WEB_TEMPLATE "}}",
		         bad[i]);
		struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
		struct answer a = ask(*state, body, &p);
		free(a.text);
		if (a.rc != HR_EINVAL || strcmp(a.err.where, "spec.replicas") != 0)
			n += (size_t)snprintf(accepted + n, sizeof(accepted) - n,
			                      " %s (rc %d, where \"%s\")", bad[i], a.rc,
			                      a.err.where);
	}
	if (n)
		fail_msg("spec.replicas values not rejected at spec.replicas:%s", accepted);
}

static void test_capacity_error_yaml_syntax(void **state)
{
	/* where is the JSON path the parser had reached */
	expect_error_text(*state, "kind: Pod\nspec: [\n", HR_EINVAL, "spec",
	                  "line 3 column 1: did not find expected node content");
}

static void test_capacity_error_answer_too_large(void **state)
{
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct answer a = ask_len(*state, web_pod_json, strlen(web_pod_json), &p, 64);
	free(a.text);
	assert_int_equal(a.rc, HR_ENOMEM);
	assert_int_equal(a.err.code, HR_ENOMEM);
	assert_string_equal(a.err.msg, "the answer is larger than allowed");
}

static void test_capacity_body_need_not_be_nul_terminated(void **state)
{
	size_t n = strlen(web_pod_json);
	char *copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, web_pod_json, n); /* no NUL: ASan catches a read past the end */
	struct xt_capacity_params p = params_default(XT_OUTPUT_JSON);
	struct answer a = ask_len(*state, copy, n, &p, 1u << 20);
	free(copy);
	assert_int_equal(a.rc, HR_OK);
	free(a.text);
	assert_int_equal(a.outcome.count, 16);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_snapshot, teardown_snapshot)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_capacity_pod_json),
	    T(test_capacity_pod_json_key_order),
	    T(test_capacity_pod_yaml_input),
	    T(test_capacity_pod_without_kind),
	    T(test_capacity_deployment_with_replicas),
	    T(test_capacity_deployment_yaml_input),
	    T(test_capacity_other_workload_kinds),
	    T(test_capacity_params_replicas_override_body),
	    T(test_capacity_per_node_false),
	    T(test_capacity_envelope_with_max_is_limited),
	    T(test_capacity_envelope_max_above_count_is_not_limited),
	    T(test_capacity_operator_max_wins_when_smaller),
	    T(test_capacity_envelope_replicas_overridden_by_params),
	    T(test_capacity_table_output),
	    T(test_capacity_table_from_yaml_deployment),
	    T(test_capacity_manifest_with_several_documents),
	    T(test_capacity_table_pod_without_replicas),
	    T(test_capacity_table_without_per_node),
	    T(test_capacity_table_limited),
	    T(test_capacity_yaml_output),
	    T(test_capacity_error_empty_body),
	    T(test_capacity_error_non_object_json),
	    T(test_capacity_error_malformed_json),
	    T(test_capacity_error_too_deep_json),
	    T(test_capacity_error_unknown_kind),
	    T(test_capacity_error_workload_without_template),
	    T(test_capacity_error_bad_quantity_in_pod),
	    T(test_capacity_error_bad_quantity_in_deployment),
	    T(test_capacity_error_bad_quantity_in_cronjob),
	    T(test_capacity_error_bad_quantity_in_envelope),
	    T(test_capacity_error_bad_quantity_in_yaml),
	    T(test_capacity_error_envelope_bad_numbers),
	    T(test_capacity_error_workload_bad_replicas),
	    T(test_capacity_error_yaml_syntax),
	    T(test_capacity_error_answer_too_large),
	    T(test_capacity_body_need_not_be_nul_terminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
