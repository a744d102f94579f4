/* test_decode.c: Kubernetes JSON -> model (predicates/decode.h) with the API
 * server's defaulting (spec/predicates.md §6.1–6.5): Node, Pod, Namespace,
 * LimitRange and RuntimeClass objects, and errors that name the exact JSON
 * path. Every test decodes into an arena owned by its fixture and deletes
 * the cJSON tree before looking at the model, so the model must not point
 * into cJSON memory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "selector.h"

#define N(a)   (sizeof(a) / sizeof((a)[0]))
#define S(lit) HR_STR_LIT(lit)
#define GI     (1024LL * 1024 * 1024)
#define MI     (1024LL * 1024)

/* ---- fixture ---- */

struct ctx {
	struct hr_arena arena;
	struct hr_err err;
	struct hr_decoder d;
	struct hr_intern intern;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	hr_arena_init(&c->arena, NULL, 0);
	hr_err_clear(&c->err);
	hr_decoder_init(&c->d, &c->arena, NULL, &c->err);
	*state = c;
	return 0;
}

static int setup_interned(void **state)
{
	int rc = setup(state);
	if (rc == 0) {
		struct ctx *c = *state;
		hr_intern_init(&c->intern, &c->arena);
		c->d.intern = &c->intern;
	}
	return rc;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	hr_arena_fini(&c->arena);
	free(c);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static cJSON *parse(const char *json)
{
	cJSON *doc = cJSON_Parse(json);
	if (!doc)
		fail_msg("test JSON does not parse: %s", json);
	return doc;
}

static enum hr_code pod_json(struct ctx *c, const char *json, struct hr_pod *pod)
{
	cJSON *doc = parse(json);
	enum hr_code rc = hr_decode_pod(&c->d, doc, pod);
	cJSON_Delete(doc);
	return rc;
}

static enum hr_code node_json(struct ctx *c, const char *json, struct hr_node *node)
{
	cJSON *doc = parse(json);
	enum hr_code rc = hr_decode_node(&c->d, doc, node);
	cJSON_Delete(doc);
	return rc;
}

static void pod_ok(struct ctx *c, const char *json, struct hr_pod *pod)
{
	if (pod_json(c, json, pod) != HR_OK)
		fail_msg("pod rejected: %s: %s", c->err.where, c->err.msg);
}

static void node_ok(struct ctx *c, const char *json, struct hr_node *node)
{
	if (node_json(c, json, node) != HR_OK)
		fail_msg("node rejected: %s: %s", c->err.where, c->err.msg);
}

/* The pod must be rejected with code at exactly `where`. */
static void pod_fails_at(struct ctx *c, const char *json, enum hr_code code, const char *where)
{
	struct hr_pod pod;
	enum hr_code rc = pod_json(c, json, &pod);
	if (rc != code)
		fail_msg("code %d, want %d (%s: %s)", rc, code, c->err.where, c->err.msg);
	assert_int_equal(c->err.code, code);
	assert_string_equal(c->err.where, where);
	assert_true(c->err.msg[0] != '\0');
}

static void node_fails_at(struct ctx *c, const char *json, enum hr_code code, const char *where)
{
	struct hr_node node;
	enum hr_code rc = node_json(c, json, &node);
	if (rc != code)
		fail_msg("code %d, want %d (%s: %s)", rc, code, c->err.where, c->err.msg);
	assert_int_equal(c->err.code, code);
	assert_string_equal(c->err.where, where);
}

/* milli amount of name in a quantity list; fails the test when absent */
static int64_t qty(struct hr_qty_list l, const char *name)
{
	const struct hr_qty_entry *e = hr_qty_list_get(l, hr_str_c(name));
	if (!e)
		fail_msg("no '%s' in the list", name);
	return e->milli;
}

static bool has_qty(struct hr_qty_list l, const char *name)
{
	return hr_qty_list_get(l, hr_str_c(name)) != NULL;
}

static void assert_str(struct hr_str s, const char *want)
{
	if (!hr_str_eq_c(s, want))
		fail_msg("got '%.*s', want '%s'", (int)s.n, s.p ? s.p : "", want);
}

static const char *label(struct hr_labels l, const char *key)
{
	static char buf[256];
	const struct hr_str *v = hr_labels_get(l, hr_str_c(key));
	if (!v)
		return "<absent>";
	snprintf(buf, sizeof(buf), "%.*s", (int)v->n, v->p);
	return buf;
}

/* ---- Node ---- */

static void test_decode_node_allocatable_defaults_to_capacity(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(
	    c,
	    "{\"metadata\":{\"name\":\"n1\"},\"status\":{\"capacity\":"
	    "{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\",\"ephemeral-storage\":\"100Gi\"}}}",
	    &node);
	assert_str(node.name, "n1");
	assert_int_equal(node.allocatable.cpu_milli, 4000);
	assert_int_equal(node.allocatable.mem_bytes, 8 * GI);
	assert_int_equal(node.allocatable.pods, 110);
	assert_int_equal(node.allocatable.eph_bytes, 100 * GI);
}

static void test_decode_node_uses_allocatable_not_capacity(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c,
	        "{\"metadata\":{\"name\":\"n1\"},\"status\":{"
	        "\"capacity\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"},"
	        "\"allocatable\":{\"cpu\":\"3500m\",\"memory\":\"7Gi\",\"pods\":\"100\"}}}",
	        &node);
	assert_int_equal(node.allocatable.cpu_milli, 3500);
	assert_int_equal(node.allocatable.mem_bytes, 7 * GI);
	assert_int_equal(node.allocatable.pods, 100);
	assert_int_equal(node.allocatable.eph_bytes, 0);
}

static void test_decode_node_without_status_has_nothing_allocatable(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c, "{\"metadata\":{\"name\":\"n1\"}}", &node);
	assert_int_equal(node.allocatable.cpu_milli, 0);
	assert_int_equal(node.allocatable.mem_bytes, 0);
	assert_int_equal(node.allocatable.pods, 0);
	assert_int_equal(node.allocatable.n_scalars, 0);
	assert_int_equal(node.n_taints, 0);
	assert_false(node.unschedulable);
}

static void test_decode_node_keeps_scalars_drops_unknown_names(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c,
	        "{\"metadata\":{\"name\":\"n1\"},\"status\":{\"allocatable\":{"
	        "\"cpu\":\"2\",\"foo\":\"3\",\"example.com/gpu\":\"4\",\"hugepages-2Mi\":\"20Mi\","
	        "\"attachable-volumes-csi-x\":\"39\",\"foo.kubernetes.io/bar\":\"1\","
	        "\"requests.example.com/x\":\"5\",\"storage\":\"7\"}}}",
	        &node);
	assert_int_equal(node.allocatable.cpu_milli, 2000);
	assert_int_equal(node.allocatable.n_scalars, 4);
	/* sorted by name */
	assert_str(node.allocatable.scalars[0].name, "attachable-volumes-csi-x");
	assert_int_equal(node.allocatable.scalars[0].value, 39);
	assert_str(node.allocatable.scalars[1].name, "example.com/gpu");
	assert_int_equal(node.allocatable.scalars[1].value, 4);
	assert_str(node.allocatable.scalars[2].name, "foo.kubernetes.io/bar");
	assert_int_equal(node.allocatable.scalars[2].value, 1);
	assert_str(node.allocatable.scalars[3].name, "hugepages-2Mi");
	assert_int_equal(node.allocatable.scalars[3].value, 20 * MI);
	assert_int_equal(hr_resources_scalar(&node.allocatable, S("foo")), 0);
	assert_int_equal(hr_resources_scalar(&node.allocatable, S("requests.example.com/x")), 0);
}

static void test_decode_node_quantities_round_up(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c,
	        "{\"metadata\":{\"name\":\"n1\"},\"status\":{\"allocatable\":{"
	        "\"cpu\":\"0.4m\",\"memory\":\"0.5\",\"ephemeral-storage\":\"1500m\","
	        "\"example.com/gpu\":\"0.0004\"}}}",
	        &node);
	assert_int_equal(node.allocatable.cpu_milli, 1);
	assert_int_equal(node.allocatable.mem_bytes, 1);
	assert_int_equal(node.allocatable.eph_bytes, 2);
	assert_int_equal(hr_resources_scalar(&node.allocatable, S("example.com/gpu")), 1);
}

static void test_decode_node_accepts_json_number_quantities(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c,
	        "{\"metadata\":{\"name\":\"n1\"},\"status\":{\"allocatable\":{"
	        "\"cpu\":4,\"memory\":0.5,\"pods\":110,\"ephemeral-storage\":1e3}}}",
	        &node);
	assert_int_equal(node.allocatable.cpu_milli, 4000);
	assert_int_equal(node.allocatable.mem_bytes, 1);
	assert_int_equal(node.allocatable.pods, 110);
	assert_int_equal(node.allocatable.eph_bytes, 1000);
}

static void test_decode_node_taints_keep_order_and_effects(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c,
	        "{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"taints\":["
	        "{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"},"
	        "{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoExecute\"},"
	        "{\"key\":\"soft\",\"value\":\"x\",\"effect\":\"PreferNoSchedule\"},"
	        "{\"key\":\"odd\",\"effect\":\"Sometimes\"}]}}",
	        &node);
	assert_int_equal(node.n_taints, 4);
	assert_str(node.taints[0].key, "dedicated");
	assert_str(node.taints[0].value, "gpu");
	assert_int_equal(node.taints[0].effect, HR_EFFECT_NO_SCHEDULE);
	assert_str(node.taints[1].key, "node.kubernetes.io/not-ready");
	assert_str(node.taints[1].value, "");
	assert_int_equal(node.taints[1].effect, HR_EFFECT_NO_EXECUTE);
	assert_str(node.taints[2].key, "soft");
	assert_int_equal(node.taints[2].effect, HR_EFFECT_PREFER_NO_SCHEDULE);
	assert_int_equal(node.taints[3].effect, HR_EFFECT_UNKNOWN);
}

static void test_decode_node_unschedulable(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c, "{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"unschedulable\":true}}", &node);
	assert_true(node.unschedulable);
	node_ok(c, "{\"metadata\":{\"name\":\"n2\"},\"spec\":{\"unschedulable\":false}}", &node);
	assert_false(node.unschedulable);
	node_ok(c, "{\"metadata\":{\"name\":\"n3\"},\"spec\":{}}", &node);
	assert_false(node.unschedulable);
}

static void test_decode_node_labels_sorted_and_identity(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	node_ok(c,
	        "{\"metadata\":{\"name\":\"n1\",\"uid\":\"u-1\",\"resourceVersion\":\"42\","
	        "\"labels\":{\"zone\":\"z1\",\"app\":\"web\",\"kubernetes.io/hostname\":\"n1\"}}}",
	        &node);
	assert_str(node.uid, "u-1");
	assert_str(node.resource_version, "42");
	assert_int_equal(node.labels.n, 3);
	assert_str(node.labels.v[0].key, "app");
	assert_str(node.labels.v[1].key, "kubernetes.io/hostname");
	assert_str(node.labels.v[2].key, "zone");
	assert_string_equal(label(node.labels, "zone"), "z1");
	assert_string_equal(label(node.labels, "app"), "web");
}

static void test_decode_node_requires_name(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	assert_int_equal(node_json(c, "{\"metadata\":{}}", &node), HR_EINVAL);
	assert_int_equal(c->err.code, HR_EINVAL);
}

static void test_decode_node_rejects_non_object(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	assert_int_equal(node_json(c, "[1,2]", &node), HR_EINVAL);
}

static void test_decode_node_wrong_type_names_path(void **state)
{
	struct ctx *c = *state;
	node_fails_at(c, "{\"metadata\":{\"name\":\"n\"},\"status\":{\"capacity\":{\"cpu\":true}}}",
	              HR_EINVAL, "status.capacity.cpu");
}

static void test_decode_node_wrong_type_taints(void **state)
{
	struct ctx *c = *state;
	node_fails_at(c, "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"taints\":{}}}", HR_EINVAL,
	              "spec.taints");
}

static void test_decode_node_wrong_type_taint_key(void **state)
{
	struct ctx *c = *state;
	node_fails_at(c,
	              "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"taints\":[{\"key\":\"a\"},"
	              "{\"key\":7}]}}",
	              HR_EINVAL, "spec.taints[1].key");
}

static void test_decode_node_wrong_type_unschedulable(void **state)
{
	struct ctx *c = *state;
	node_fails_at(c, "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"unschedulable\":\"yes\"}}",
	              HR_EINVAL, "spec.unschedulable");
}

static void test_decode_node_wrong_type_label_value(void **state)
{
	struct ctx *c = *state;
	node_fails_at(c, "{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"x\",\"b\":1}}}",
	              HR_EINVAL, "metadata.labels.b");
}

static void test_decode_node_bad_quantity_names_field_and_value(void **state)
{
	struct ctx *c = *state;
	node_fails_at(c,
	              "{\"metadata\":{\"name\":\"n\"},\"status\":{\"allocatable\":"
	              "{\"cpu\":\"1\",\"memory\":\"4GB\"}}}",
	              HR_EINVAL, "status.allocatable.memory");
	assert_non_null(strstr(c->err.msg, "\"4GB\""));
}

static void test_decode_node_error_path_keeps_caller_prefix(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	hr_path_push_key(&c->d.path, "items");
	hr_path_push_index(&c->d.path, 3);
	assert_int_equal(node_json(c,
	                           "{\"metadata\":{\"name\":\"n\"},\"status\":{\"capacity\":"
	                           "{\"cpu\":\"lots\"}}}",
	                           &node),
	                 HR_EINVAL);
	assert_string_equal(c->err.where, "items[3].status.capacity.cpu");
	assert_string_equal(c->d.path.buf, "items[3]");
}

static void test_decode_node_path_restored_after_success(void **state)
{
	struct ctx *c = *state;
	struct hr_node node;
	hr_path_push_key(&c->d.path, "items");
	hr_path_push_index(&c->d.path, 0);
	node_ok(c,
	        "{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"b\"}},\"spec\":{\"taints\":[]},"
	        "\"status\":{\"capacity\":{\"cpu\":\"1\"}}}",
	        &node);
	assert_string_equal(c->d.path.buf, "items[0]");
	assert_int_equal(c->d.path.len, strlen("items[0]"));
}

/* ---- Pod: identity and defaults ---- */

static void test_decode_pod_namespace_defaults_to_default(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]}}", &pod);
	assert_str(pod.name, "p");
	assert_str(pod.namespace, "default");
	pod_ok(c, "{\"metadata\":{\"name\":\"p\",\"namespace\":\"\"},\"spec\":{\"containers\":[]}}",
	       &pod);
	assert_str(pod.namespace, "default");
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\",\"namespace\":\"team-a\"},\"spec\":"
	       "{\"containers\":[]}}",
	       &pod);
	assert_str(pod.namespace, "team-a");
}

static void test_decode_pod_metadata_and_status_fields(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(
	    c,
	    "{\"metadata\":{\"name\":\"p\",\"uid\":\"u\",\"resourceVersion\":\"9\","
	    "\"deletionTimestamp\":\"2024-01-01T00:00:00Z\",\"labels\":{\"b\":\"2\",\"a\":\"1\"}},"
	    "\"spec\":{\"nodeName\":\"node-a\",\"priority\":1000,"
	    "\"preemptionPolicy\":\"Never\",\"runtimeClassName\":\"kata\",\"containers\":[]},"
	    "\"status\":{\"phase\":\"Running\"}}",
	    &pod);
	assert_str(pod.uid, "u");
	assert_str(pod.resource_version, "9");
	assert_true(pod.terminating);
	assert_str(pod.node_name, "node-a");
	assert_int_equal(pod.priority, 1000);
	assert_true(pod.preemption_never);
	assert_str(pod.runtime_class_name, "kata");
	assert_int_equal(pod.phase, HR_PHASE_RUNNING);
	assert_int_equal(pod.labels.n, 2);
	assert_str(pod.labels.v[0].key, "a");
	assert_str(pod.labels.v[1].key, "b");
	assert_str(pod.scheduler_name, "default-scheduler");
}

static void test_decode_pod_phases(void **state)
{
	static const struct {
		const char *phase;
		enum hr_pod_phase want;
	} cases[] = {{"Pending", HR_PHASE_PENDING},     {"Running", HR_PHASE_RUNNING},
	             {"Succeeded", HR_PHASE_SUCCEEDED}, {"Failed", HR_PHASE_FAILED},
	             {"Unknown", HR_PHASE_UNKNOWN},     {"running", HR_PHASE_UNKNOWN}};
	struct ctx *c = *state;
	for (size_t i = 0; i < N(cases); i++) {
		char json[256];
		struct hr_pod pod;
		snprintf(json, sizeof(json),
		         "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]},"
		         "\"status\":{\"phase\":\"%s\"}}",
		         cases[i].phase);
		pod_ok(c, json, &pod);
		assert_int_equal(pod.phase, cases[i].want);
	}
}

static void test_decode_pod_without_spec_is_invalid(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	assert_int_equal(pod_json(c, "{\"metadata\":{\"name\":\"p\"}}", &pod), HR_EINVAL);
	assert_int_equal(pod_json(c, "\"pod\"", &pod), HR_EINVAL);
}

static void test_decode_pod_scheduler_name_kept(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"schedulerName\":\"headroom\","
	       "\"containers\":[]}}",
	       &pod);
	assert_str(pod.scheduler_name, "headroom");
	assert_false(pod.terminating);
	assert_false(pod.preemption_never);
}

/* ---- Pod: containers and resources ---- */

static void test_decode_pod_requests_default_from_limits_per_container(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":["
	       "{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"},"
	       "\"requests\":{\"cpu\":\"100m\"}}},"
	       "{\"name\":\"b\"},"
	       "{\"name\":\"c\",\"resources\":{\"limits\":{\"example.com/gpu\":\"2\"}}},"
	       "{\"name\":\"d\",\"resources\":{\"requests\":{\"memory\":\"64Mi\"}}}]}}",
	       &pod);
	assert_int_equal(pod.n_containers, 4);
	const struct hr_container *a = &pod.containers[0], *b = &pod.containers[1];
	const struct hr_container *cc = &pod.containers[2], *d = &pod.containers[3];
	assert_str(a->name, "a");
	assert_int_equal(a->requests.n, 2);
	assert_int_equal(qty(a->requests, "cpu"), 100);              /* explicit request kept */
	assert_int_equal(qty(a->requests, "memory"), 1 * GI * 1000); /* from the limit */
	assert_int_equal(qty(a->limits, "cpu"), 500);
	assert_int_equal(b->requests.n, 0);
	assert_int_equal(b->limits.n, 0);
	assert_int_equal(cc->requests.n, 1);
	assert_int_equal(qty(cc->requests, "example.com/gpu"), 2000);
	assert_int_equal(d->requests.n, 1);
	assert_int_equal(qty(d->requests, "memory"), 64 * MI * 1000);
	assert_false(has_qty(d->requests, "cpu"));
}

static void test_decode_pod_init_requests_default_from_limits(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"initContainers\":["
	       "{\"name\":\"i\",\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]}}",
	       &pod);
	assert_int_equal(pod.n_init_containers, 1);
	assert_int_equal(qty(pod.init_containers[0].requests, "cpu"), 2000);
}

static void test_decode_pod_request_lists_sorted_by_name(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\","
	       "\"resources\":{\"requests\":{\"memory\":\"1\",\"cpu\":\"1\"},"
	       "\"limits\":{\"example.com/gpu\":\"1\",\"ephemeral-storage\":\"1\"}}}]}}",
	       &pod);
	const struct hr_qty_list r = pod.containers[0].requests;
	assert_int_equal(r.n, 4);
	assert_str(r.v[0].name, "cpu");
	assert_str(r.v[1].name, "ephemeral-storage");
	assert_str(r.v[2].name, "example.com/gpu");
	assert_str(r.v[3].name, "memory");
}

static void test_decode_pod_quantities_round_up_to_milli(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\","
	       "\"resources\":{\"requests\":{\"cpu\":\"0.4m\",\"memory\":\"0.4\","
	       "\"ephemeral-storage\":\"1n\"}}},"
	       "{\"name\":\"b\",\"resources\":{\"requests\":{\"cpu\":0.35,\"memory\":1024}}}]}}",
	       &pod);
	assert_int_equal(qty(pod.containers[0].requests, "cpu"), 1);
	assert_int_equal(qty(pod.containers[0].requests, "memory"), 400);
	assert_int_equal(qty(pod.containers[0].requests, "ephemeral-storage"), 1);
	assert_int_equal(qty(pod.containers[1].requests, "cpu"), 350);
	assert_int_equal(qty(pod.containers[1].requests, "memory"), 1024000);
}

static void test_decode_pod_overhead_and_pod_level_resources(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	       "\"overhead\":{\"cpu\":\"250m\",\"memory\":\"120Mi\"},"
	       "\"resources\":{\"requests\":{\"cpu\":\"1\"},\"limits\":{\"cpu\":\"2\","
	       "\"memory\":\"1Gi\"}}}}",
	       &pod);
	assert_int_equal(pod.overhead.n, 2);
	assert_int_equal(qty(pod.overhead, "cpu"), 250);
	assert_int_equal(qty(pod.overhead, "memory"), 120 * MI * 1000);
	assert_int_equal(pod.pod_requests.n, 1);
	assert_int_equal(qty(pod.pod_requests, "cpu"), 1000);
	assert_int_equal(pod.pod_limits.n, 2);
	assert_int_equal(qty(pod.pod_limits, "memory"), 1 * GI * 1000);
}

static void test_decode_pod_container_identity(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"web\","
	       "\"image\":\"nginx:1.25\"}]}}",
	       &pod);
	assert_str(pod.containers[0].name, "web");
	assert_str(pod.containers[0].image, "nginx:1.25");
	assert_false(pod.containers[0].restartable);
	assert_false(pod.containers[0].has_status_resources);
}

static void test_decode_pod_sidecar_init_containers_are_restartable(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{"
	       "\"containers\":[{\"name\":\"main\",\"restartPolicy\":\"Always\"}],"
	       "\"initContainers\":[{\"name\":\"setup\"},"
	       "{\"name\":\"proxy\",\"restartPolicy\":\"Always\"},"
	       "{\"name\":\"other\",\"restartPolicy\":\"OnFailure\"}]}}",
	       &pod);
	assert_int_equal(pod.n_init_containers, 3);
	assert_false(pod.init_containers[0].restartable);
	assert_true(pod.init_containers[1].restartable);
	assert_false(pod.init_containers[2].restartable);
	/* restartPolicy on a regular container does not make it a sidecar */
	assert_false(pod.containers[0].restartable);
}

/* ---- Pod: ports ---- */

static void test_decode_pod_port_protocol_defaults_to_tcp(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(
	    c,
	    "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":["
	    "{\"containerPort\":80,\"hostPort\":8080},"
	    "{\"containerPort\":53,\"hostPort\":53,\"protocol\":\"UDP\"},"
	    "{\"containerPort\":9,\"protocol\":\"SCTP\",\"hostIP\":\"10.0.0.1\"},"
	    "{\"containerPort\":81,\"protocol\":\"\"}]}]}}",
	    &pod);
	const struct hr_container *a = &pod.containers[0];
	assert_int_equal(a->n_ports, 4);
	assert_int_equal(a->ports[0].container_port, 80);
	assert_int_equal(a->ports[0].host_port, 8080);
	assert_str(a->ports[0].protocol, "TCP");
	assert_str(a->ports[1].protocol, "UDP");
	assert_int_equal(a->ports[1].host_port, 53);
	assert_str(a->ports[2].protocol, "SCTP");
	assert_str(a->ports[2].host_ip, "10.0.0.1");
	assert_int_equal(a->ports[2].host_port, 0); /* no hostNetwork: stays 0 */
	assert_str(a->ports[3].protocol, "TCP");
}

static void test_decode_pod_host_network_sets_host_port(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(
	    c,
	    "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"hostNetwork\":true,"
	    "\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":8080},"
	    "{\"containerPort\":9090,\"hostPort\":9090},{\"containerPort\":70,\"hostPort\":0}]}],"
	    "\"initContainers\":[{\"name\":\"i\",\"ports\":[{\"containerPort\":7070}]}]}}",
	    &pod);
	assert_true(pod.host_network);
	assert_int_equal(pod.containers[0].ports[0].host_port, 8080);
	assert_int_equal(pod.containers[0].ports[1].host_port, 9090);
	assert_int_equal(pod.containers[0].ports[2].host_port, 70);
	assert_int_equal(pod.init_containers[0].ports[0].host_port, 7070);
}

/* ---- Pod: tolerations ---- */

static void test_decode_pod_tolerations(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"tolerations\":["
	       "{\"key\":\"k\",\"operator\":\"Equal\",\"value\":\"v\",\"effect\":\"NoSchedule\"},"
	       "{\"key\":\"k2\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
	       "\"tolerationSeconds\":300},"
	       "{\"key\":\"k3\",\"value\":\"v3\"},"
	       "{\"operator\":\"Exists\"},"
	       "{\"key\":\"k5\",\"operator\":\"Gt\",\"value\":\"1\",\"effect\":"
	       "\"PreferNoSchedule\"}]}}",
	       &pod);
	assert_int_equal(pod.n_tolerations, 5);
	const struct hr_toleration *t = pod.tolerations;
	assert_str(t[0].key, "k");
	assert_str(t[0].value, "v");
	assert_int_equal(t[0].op, HR_TOL_EQUAL);
	assert_int_equal(t[0].effect, HR_EFFECT_NO_SCHEDULE);
	assert_false(t[0].has_seconds);
	assert_int_equal(t[1].op, HR_TOL_EXISTS);
	assert_int_equal(t[1].effect, HR_EFFECT_NO_EXECUTE);
	assert_true(t[1].has_seconds);
	assert_int_equal(t[1].seconds, 300);
	assert_int_equal(t[2].op, HR_TOL_EQUAL); /* empty operator means Equal */
	assert_int_equal(t[2].effect, HR_EFFECT_ANY);
	assert_str(t[3].key, "");
	assert_int_equal(t[3].op, HR_TOL_EXISTS);
	assert_int_equal(t[4].op, HR_TOL_INVALID);
	assert_int_equal(t[4].effect, HR_EFFECT_PREFER_NO_SCHEDULE);
}

/* ---- Pod: affinity ---- */

static void test_decode_pod_node_affinity_terms(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(
	    c,
	    "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"affinity\":{"
	    "\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{"
	    "\"nodeSelectorTerms\":[{\"matchExpressions\":["
	    "{\"key\":\"disk\",\"operator\":\"In\",\"values\":[\"ssd\",\"nvme\"]},"
	    "{\"key\":\"gen\",\"operator\":\"Gt\",\"values\":[\"0204\"]}]},"
	    "{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\","
	    "\"values\":[\"node-a\"]}]}]},"
	    "\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":7,"
	    "\"preference\":{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"Exists\"}]}}]"
	    "}}}}",
	    &pod);
	const struct hr_node_selector *ns = &pod.node_affinity;
	assert_true(ns->present);
	assert_int_equal(ns->n_terms, 2);
	assert_int_equal(ns->terms[0].n_exprs, 2);
	assert_int_equal(ns->terms[0].n_fields, 0);
	assert_false(ns->terms[0].malformed);
	assert_str(ns->terms[0].exprs[0].key, "disk");
	assert_int_equal(ns->terms[0].exprs[0].op, HR_OP_IN);
	assert_int_equal(ns->terms[0].exprs[0].n_values, 2);
	assert_str(ns->terms[0].exprs[0].values[1], "nvme");
	assert_int_equal(ns->terms[0].exprs[1].op, HR_OP_GT);
	assert_int_equal(ns->terms[0].exprs[1].number, 204);
	assert_int_equal(ns->terms[1].n_exprs, 0);
	assert_int_equal(ns->terms[1].n_fields, 1);
	assert_str(ns->terms[1].fields[0].key, "metadata.name");
	assert_str(ns->terms[1].fields[0].values[0], "node-a");
	assert_int_equal(pod.n_preferred_node_affinity, 1);
	assert_int_equal(pod.preferred_node_affinity[0].weight, 7);
	assert_int_equal(pod.preferred_node_affinity[0].term.n_exprs, 1);
	assert_int_equal(pod.preferred_node_affinity[0].term.exprs[0].op, HR_OP_EXISTS);
}

static void test_decode_pod_node_affinity_malformed_term_is_not_an_error(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"affinity\":{"
	       "\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{"
	       "\"nodeSelectorTerms\":[{\"matchExpressions\":["
	       "{\"key\":\"disk\",\"operator\":\"In\",\"values\":[]}]},"
	       "{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":\"Exists\"}]}]}}}}}",
	       &pod);
	assert_int_equal(pod.node_affinity.n_terms, 2);
	assert_true(pod.node_affinity.terms[0].malformed);
	assert_non_null(pod.node_affinity.terms[0].malformed_reason);
	assert_false(pod.node_affinity.terms[1].malformed);
}

static void test_decode_pod_node_selector_map(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	       "\"nodeSelector\":{\"zone\":\"z1\",\"disk\":\"ssd\"}}}",
	       &pod);
	assert_int_equal(pod.node_selector.n, 2);
	assert_str(pod.node_selector.v[0].key, "disk");
	assert_str(pod.node_selector.v[1].key, "zone");
	assert_false(pod.node_affinity.present);
}

static void test_decode_pod_pod_affinity_terms(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns1\"},\"spec\":{\"containers\":[],"
	       "\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":["
	       "{\"labelSelector\":{\"matchLabels\":{\"app\":\"db\"}},"
	       "\"topologyKey\":\"topology.kubernetes.io/zone\","
	       "\"namespaces\":[\"ns1\",\"ns2\"],\"matchLabelKeys\":[\"rev\"]}],"
	       "\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":50,"
	       "\"podAffinityTerm\":{\"labelSelector\":{},\"namespaceSelector\":{},"
	       "\"topologyKey\":\"kubernetes.io/hostname\"}}]},"
	       "\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":["
	       "{\"topologyKey\":\"kubernetes.io/hostname\",\"mismatchLabelKeys\":[\"team\"]}],"
	       "\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":3,"
	       "\"podAffinityTerm\":{\"labelSelector\":{\"matchExpressions\":[{\"key\":\"app\","
	       "\"operator\":\"NotIn\",\"values\":[\"x\"]}]},\"topologyKey\":\"zone\"}}]}}}}",
	       &pod);
	assert_int_equal(pod.pod_affinity.n, 1);
	const struct hr_affinity_term *a = &pod.pod_affinity.v[0];
	assert_true(a->selector.present);
	assert_false(a->selector.invalid);
	assert_int_equal(a->selector.n_reqs, 1);
	assert_int_equal(a->selector.reqs[0].op, HR_OP_EQUALS);
	assert_str(a->topology_key, "topology.kubernetes.io/zone");
	assert_int_equal(a->n_namespaces, 2);
	assert_str(a->namespaces[1], "ns2");
	assert_false(a->ns_selector.present);
	assert_int_equal(a->n_match_label_keys, 1);
	assert_str(a->match_label_keys[0], "rev");

	assert_int_equal(pod.pref_pod_affinity.n, 1);
	const struct hr_affinity_term *pa = &pod.pref_pod_affinity.v[0];
	assert_int_equal(pa->weight, 50);
	assert_true(pa->selector.present);
	assert_int_equal(pa->selector.n_reqs, 0);
	assert_true(pa->ns_selector.present); /* {} = all namespaces */
	assert_int_equal(pa->ns_selector.n_reqs, 0);

	assert_int_equal(pod.pod_anti_affinity.n, 1);
	const struct hr_affinity_term *aa = &pod.pod_anti_affinity.v[0];
	assert_false(aa->selector.present); /* nil selector matches no pod */
	assert_int_equal(aa->n_mismatch_label_keys, 1);
	assert_str(aa->mismatch_label_keys[0], "team");

	assert_int_equal(pod.pref_pod_anti_affinity.n, 1);
	assert_int_equal(pod.pref_pod_anti_affinity.v[0].weight, 3);
	assert_int_equal(pod.pref_pod_anti_affinity.v[0].selector.reqs[0].op, HR_OP_NOT_IN);
}

static void test_decode_pod_affinity_invalid_selector_is_marked(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"affinity\":{"
	       "\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":["
	       "{\"labelSelector\":{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\","
	       "\"values\":[]}]},\"topologyKey\":\"zone\"}]}}}}",
	       &pod);
	assert_true(pod.pod_affinity.v[0].selector.present);
	assert_true(pod.pod_affinity.v[0].selector.invalid);
	assert_non_null(pod.pod_affinity.v[0].selector.invalid_reason);
}

/* ---- Pod: topology spread ---- */

static void test_decode_pod_spread_defaults(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	       "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\","
	       "\"whenUnsatisfiable\":\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":"
	       "{\"app\":\"web\"}}}]}}",
	       &pod);
	assert_int_equal(pod.n_spread, 1);
	const struct hr_spread_constraint *s = &pod.spread[0];
	assert_int_equal(s->max_skew, 1);
	assert_str(s->topology_key, "zone");
	assert_int_equal(s->when, HR_DO_NOT_SCHEDULE);
	assert_int_equal(s->min_domains, 1);
	assert_int_equal(s->node_affinity_policy, HR_POLICY_HONOR);
	assert_int_equal(s->node_taints_policy, HR_POLICY_IGNORE);
	assert_true(s->selector.present);
	assert_int_equal(s->selector.n_reqs, 1);
	assert_int_equal(s->n_match_label_keys, 0);
}

static void test_decode_pod_spread_explicit_fields(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	       "\"topologySpreadConstraints\":[{\"maxSkew\":3,\"topologyKey\":\"zone\","
	       "\"whenUnsatisfiable\":\"ScheduleAnyway\",\"minDomains\":4,"
	       "\"nodeAffinityPolicy\":\"Ignore\",\"nodeTaintsPolicy\":\"Honor\","
	       "\"matchLabelKeys\":[\"pod-template-hash\"]}]}}",
	       &pod);
	const struct hr_spread_constraint *s = &pod.spread[0];
	assert_int_equal(s->max_skew, 3);
	assert_int_equal(s->when, HR_SCHEDULE_ANYWAY);
	assert_int_equal(s->min_domains, 4);
	assert_int_equal(s->node_affinity_policy, HR_POLICY_IGNORE);
	assert_int_equal(s->node_taints_policy, HR_POLICY_HONOR);
	assert_false(s->selector.present); /* nil selector */
	assert_int_equal(s->n_match_label_keys, 1);
	assert_str(s->match_label_keys[0], "pod-template-hash");
}

static void test_decode_pod_spread_rejects_bad_when(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	             "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\","
	             "\"whenUnsatisfiable\":\"Sometimes\"}]}}",
	             HR_EINVAL, "spec.topologySpreadConstraints[0]");
}

static void test_decode_pod_spread_rejects_zero_max_skew(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	             "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\","
	             "\"whenUnsatisfiable\":\"DoNotSchedule\"},{\"maxSkew\":0,\"topologyKey\":"
	             "\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}]}}",
	             HR_EINVAL, "spec.topologySpreadConstraints[1].maxSkew");
}

/* ---- Pod: status (in-place resize) ---- */

static void test_decode_pod_status_resources_matched_by_name(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":["
	       "{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"200m\"}}},"
	       "{\"name\":\"b\",\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}],"
	       "\"initContainers\":[{\"name\":\"side\",\"restartPolicy\":\"Always\"}]},"
	       "\"status\":{\"containerStatuses\":["
	       "{\"name\":\"b\",\"resources\":{\"requests\":{\"cpu\":\"300m\"}},"
	       "\"allocatedResources\":{\"cpu\":\"400m\"}},"
	       "{\"name\":\"a\",\"allocatedResources\":{\"cpu\":\"900m\"}}],"
	       "\"initContainerStatuses\":[{\"name\":\"side\",\"resources\":{\"requests\":"
	       "{\"memory\":\"1Mi\"}}}]}}",
	       &pod);
	const struct hr_container *a = &pod.containers[0], *b = &pod.containers[1];
	assert_false(a->has_status_resources); /* no resources: ignored */
	assert_true(b->has_status_resources);
	assert_int_equal(qty(b->status_requests, "cpu"), 300);
	assert_int_equal(qty(b->status_allocated, "cpu"), 400);
	assert_true(pod.init_containers[0].has_status_resources);
	assert_int_equal(qty(pod.init_containers[0].status_requests, "memory"), 1 * MI * 1000);
	assert_false(pod.resize_infeasible);
}

static void test_decode_pod_resize_infeasible_condition(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]},\"status\":{"
	       "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
	       "{\"type\":\"PodResizePending\",\"status\":\"True\",\"reason\":\"Infeasible\"}]}}",
	       &pod);
	assert_true(pod.resize_infeasible);
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]},\"status\":{"
	       "\"conditions\":[{\"type\":\"PodResizePending\",\"status\":\"True\","
	       "\"reason\":\"Deferred\"}]}}",
	       &pod);
	assert_false(pod.resize_infeasible);
}

/* ---- Pod: what is not modelled is reported ---- */

static void test_decode_pod_marks_unmodelled_features(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	       "\"volumes\":[{\"name\":\"v\",\"persistentVolumeClaim\":{\"claimName\":\"c\"}},"
	       "{\"name\":\"e\",\"emptyDir\":{}}],"
	       "\"schedulingGates\":[{\"name\":\"g1\"},{\"name\":\"g2\"}],"
	       "\"resourceClaims\":[{\"name\":\"r\"}]}}",
	       &pod);
	assert_true(pod.unmodelled & HR_UNMODELLED_PVC);
	assert_true(pod.unmodelled & HR_UNMODELLED_SCHEDULING_GATES);
	assert_true(pod.unmodelled & HR_UNMODELLED_RESOURCE_CLAIMS);
	assert_false(pod.unmodelled & HR_UNMODELLED_EPHEMERAL_VOLUME);
	assert_int_equal(pod.n_scheduling_gates, 2);
	assert_str(pod.scheduling_gates[1], "g2");
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	       "\"volumes\":[{\"name\":\"e\",\"emptyDir\":{}}]}}",
	       &pod);
	assert_int_equal(pod.unmodelled, 0);
}

/* ---- Pod: errors name the exact path ---- */

static void test_decode_pod_wrong_type_request_names_path(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":["
	             "{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}},"
	             "{\"name\":\"b\",\"resources\":{\"requests\":{\"memory\":\"1Gi\","
	             "\"cpu\":true}}}]}}",
	             HR_EINVAL, "spec.containers[1].resources.requests.cpu");
}

static void test_decode_pod_wrong_type_containers(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":{}}}", HR_EINVAL,
	             "spec.containers");
}

static void test_decode_pod_wrong_type_container_item(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{},\"x\"]}}",
	             HR_EINVAL, "spec.containers[1]");
}

static void test_decode_pod_wrong_type_host_network(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"hostNetwork\":\"true\","
	             "\"containers\":[]}}",
	             HR_EINVAL, "spec.hostNetwork");
}

static void test_decode_pod_wrong_type_toleration_seconds(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"tolerations\":["
	             "{\"key\":\"a\"},{\"key\":\"b\",\"tolerationSeconds\":\"300\"}]}}",
	             HR_EINVAL, "spec.tolerations[1].tolerationSeconds");
}

/* An int64 field given a number that became 2^63 as a double (9223372036854775807 does)
 * is out of range, not an undefined float-to-integer conversion (found by fuzz/fuzz_pod
 * and fuzz_node; UBSan: 9.22337e+18 is outside the range of 'long'). */
static void test_decode_int64_fields_reject_two_to_the_63(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"tolerations\":["
	             "{\"key\":\"b\",\"tolerationSeconds\":9223372036854775807}]}}",
	             HR_EINVAL, "spec.tolerations[0].tolerationSeconds");
	hr_err_clear(&c->err);
	node_fails_at(c,
	              "{\"metadata\":{\"name\":\"n\"},\"status\":{\"images\":[{\"names\":[\"i\"],"
	              "\"sizeBytes\":9223372036854775808}]}}",
	              HR_EINVAL, "status.images[0].sizeBytes");
	/* the largest double below 2^63 still fits */
	hr_err_clear(&c->err);
	struct hr_pod pod;
	assert_int_equal(pod_json(c,
	                          "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	                          "\"tolerations\":[{\"key\":\"b\",\"tolerationSeconds\":"
	                          "-9223372036854775808},{\"key\":\"c\",\"tolerationSeconds\":"
	                          "9223372036854774784}]}}",
	                          &pod),
	                 HR_OK);
	assert_int_equal(pod.tolerations[0].seconds, INT64_MIN);
	assert_int_equal(pod.tolerations[1].seconds, 9223372036854774784LL);
}

static void test_decode_pod_wrong_type_container_port(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\","
	             "\"ports\":[{\"containerPort\":\"80\"}]}]}}",
	             HR_EINVAL, "spec.containers[0].ports[0].containerPort");
}

static void test_decode_pod_wrong_type_init_port_host_ip(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(
	    c,
	    "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"initContainers\":["
	    "{\"name\":\"i\"},{\"name\":\"j\",\"ports\":[{\"containerPort\":1},"
	    "{\"containerPort\":2,\"hostIP\":[]}]}]}}",
	    HR_EINVAL, "spec.initContainers[1].ports[1].hostIP");
}

static void test_decode_pod_wrong_type_node_selector_value(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	             "\"nodeSelector\":{\"disk\":1}}}",
	             HR_EINVAL, "spec.nodeSelector.disk");
}

static void test_decode_pod_wrong_type_affinity_value(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"affinity\":{"
	             "\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{"
	             "\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"a\","
	             "\"operator\":\"In\",\"values\":[\"x\",5]}]}]}}}}}",
	             HR_EINVAL,
	             "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
	             "nodeSelectorTerms[0].matchExpressions[0].values[1]");
}

static void test_decode_pod_wrong_type_pod_affinity_topology_key(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(
	    c,
	    "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"affinity\":{"
	    "\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":["
	    "{\"topologyKey\":\"zone\"},{\"topologyKey\":false}]}}}}",
	    HR_EINVAL,
	    "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[1]"
	    ".topologyKey");
}

static void test_decode_pod_wrong_type_namespace(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c, "{\"metadata\":{\"name\":\"p\",\"namespace\":5},\"spec\":{}}", HR_EINVAL,
	             "metadata.namespace");
}

static void test_decode_pod_wrong_type_spec(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c, "{\"metadata\":{\"name\":\"p\"},\"spec\":[]}", HR_EINVAL, "spec");
}

static void test_decode_pod_wrong_type_status_phase(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]},"
	             "\"status\":{\"phase\":1}}",
	             HR_EINVAL, "status.phase");
}

static void test_decode_pod_priority_out_of_int32_range(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"priority\":3000000000,"
	             "\"containers\":[]}}",
	             HR_EINVAL, "spec.priority");
}

static void test_decode_pod_bad_quantity_names_field_and_value(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(
	    c,
	    "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],\"initContainers\":["
	    "{\"name\":\"i\",\"resources\":{\"limits\":{\"memory\":\"1GB\"}}}]}}",
	    HR_EINVAL, "spec.initContainers[0].resources.limits.memory");
	assert_non_null(strstr(c->err.msg, "\"1GB\""));
}

static void test_decode_pod_bad_overhead_quantity(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	             "\"overhead\":{\"cpu\":\"1KI\"}}}",
	             HR_EINVAL, "spec.overhead.cpu");
	assert_non_null(strstr(c->err.msg, "\"1KI\""));
}

static void test_decode_pod_bad_pod_level_quantity(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[],"
	             "\"resources\":{\"requests\":{\"memory\":\"\"}}}}",
	             HR_EINVAL, "spec.resources.requests.memory");
}

static void test_decode_pod_quantity_beyond_int64_is_held_at_the_cap(void **state)
{
	struct ctx *c = *state;
	/* 1e20 cores is 1e23 milli: the API server accepts it; held at the cap
	 * (sat.h) it fits no node instead of failing the pod */
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\","
	       "\"resources\":{\"requests\":{\"cpu\":\"1e20\",\"memory\":\"-1e20\"}}}]}}",
	       &pod);
	assert_int_equal(pod.containers[0].requests.n, 2);
	assert_int_equal(pod.containers[0].requests.v[0].milli, INT64_MAX);
	assert_int_equal(pod.containers[0].requests.v[1].milli, INT64_MIN);
}

static void test_decode_pod_status_quantity_error_names_path(void **state)
{
	struct ctx *c = *state;
	pod_fails_at(c,
	             "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\"}]},"
	             "\"status\":{\"containerStatuses\":[{\"name\":\"a\",\"resources\":"
	             "{\"requests\":{\"cpu\":\"x\"}}}]}}",
	             HR_EINVAL, "status.containerStatuses[0].resources.requests.cpu");
}

static void test_decode_pod_interned_strings_are_shared(void **state)
{
	struct ctx *c = *state;
	struct hr_pod pod;
	pod_ok(c,
	       "{\"metadata\":{\"name\":\"p\",\"labels\":{\"app\":\"web\"}},\"spec\":{"
	       "\"nodeSelector\":{\"app\":\"web\"},\"containers\":[]}}",
	       &pod);
	assert_ptr_equal(pod.labels.v[0].key.p, pod.node_selector.v[0].key.p);
	assert_ptr_equal(pod.labels.v[0].value.p, pod.node_selector.v[0].value.p);
}

/* ---- hr_decode_quantity_milli / hr_decode_label_selector ---- */

static void test_decode_quantity_milli_string_and_number(void **state)
{
	struct ctx *c = *state;
	cJSON *doc = parse("{\"a\":\"250m\",\"b\":0.35,\"c\":\"0.4m\",\"d\":\"1Gi\",\"e\":2}");
	int64_t v[5] = {0};
	static const char *const keys[] = {"a", "b", "c", "d", "e"};
	enum hr_code rc[5];
	for (size_t i = 0; i < 5; i++)
		rc[i] = hr_decode_quantity_milli(
		    &c->d, cJSON_GetObjectItemCaseSensitive(doc, keys[i]), &v[i]);
	cJSON_Delete(doc);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(rc[i], HR_OK);
	assert_int_equal(v[0], 250);
	assert_int_equal(v[1], 350);
	assert_int_equal(v[2], 1);
	assert_int_equal(v[3], 1 * GI * 1000);
	assert_int_equal(v[4], 2000);
}

static void test_decode_quantity_milli_rejects_non_scalar(void **state)
{
	struct ctx *c = *state;
	cJSON *doc = parse("{\"a\":[1]}");
	int64_t v = 0;
	hr_path_push_key(&c->d.path, "x");
	enum hr_code rc =
	    hr_decode_quantity_milli(&c->d, cJSON_GetObjectItemCaseSensitive(doc, "a"), &v);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_EINVAL);
	assert_string_equal(c->err.where, "x");
}

static void test_decode_label_selector_match_labels_first(void **state)
{
	struct ctx *c = *state;
	struct hr_label_selector sel;
	cJSON *doc = parse("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"Exists\"}],"
	                   "\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"}}");
	enum hr_code rc = hr_decode_label_selector(&c->d, doc, &sel);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_OK);
	assert_true(sel.present);
	assert_false(sel.invalid);
	assert_int_equal(sel.n_reqs, 3);
	assert_str(sel.reqs[0].key, "a");
	assert_int_equal(sel.reqs[0].op, HR_OP_EQUALS);
	assert_str(sel.reqs[0].values[0], "1");
	assert_str(sel.reqs[1].key, "b");
	assert_str(sel.reqs[2].key, "tier");
	assert_int_equal(sel.reqs[2].op, HR_OP_EXISTS);
}

static void test_decode_label_selector_wrong_type_names_path(void **state)
{
	struct ctx *c = *state;
	struct hr_label_selector sel;
	cJSON *doc = parse("{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":7}]}");
	enum hr_code rc = hr_decode_label_selector(&c->d, doc, &sel);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_EINVAL);
	assert_string_equal(c->err.where, "matchExpressions[0].operator");
}

/* ---- Namespace ---- */

static void test_decode_namespace(void **state)
{
	struct ctx *c = *state;
	struct hr_namespace ns;
	cJSON *doc = parse("{\"metadata\":{\"name\":\"team-a\",\"labels\":{\"env\":\"prod\"}}}");
	enum hr_code rc = hr_decode_namespace(&c->d, doc, &ns);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_OK);
	assert_str(ns.name, "team-a");
	assert_int_equal(ns.labels.n, 1);
	assert_string_equal(label(ns.labels, "env"), "prod");
}

static void test_decode_namespace_requires_name(void **state)
{
	struct ctx *c = *state;
	struct hr_namespace ns;
	cJSON *doc = parse("{\"metadata\":{\"labels\":{}}}");
	enum hr_code rc = hr_decode_namespace(&c->d, doc, &ns);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_EINVAL);
}

/* ---- LimitRange ---- */

static void test_decode_limit_range_container_items_only(void **state)
{
	struct ctx *c = *state;
	struct hr_limit_range lr;
	cJSON *doc =
	    parse("{\"metadata\":{\"name\":\"lr\"},\"spec\":{\"limits\":["
	          "{\"type\":\"Pod\",\"max\":{\"cpu\":\"4\"}},"
	          "{\"type\":\"Container\",\"default\":{\"cpu\":\"500m\",\"memory\":\"512Mi\"},"
	          "\"defaultRequest\":{\"cpu\":\"100m\"},\"max\":{\"cpu\":\"2\"},\"min\":{\"cpu\":"
	          "\"0.4m\"}},"
	          "{\"type\":\"PersistentVolumeClaim\",\"min\":{\"storage\":\"1Gi\"}}]}}");
	enum hr_code rc = hr_decode_limit_range(&c->d, doc, &lr);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_OK);
	assert_str(lr.name, "lr");
	assert_str(lr.namespace, "default");
	assert_int_equal(lr.n_items, 1);
	const struct hr_limit_range_item *it = &lr.items[0];
	assert_int_equal(qty(it->default_limits, "cpu"), 500);
	assert_int_equal(qty(it->default_limits, "memory"), 512 * MI * 1000);
	assert_int_equal(qty(it->default_requests, "cpu"), 100);
	assert_int_equal(qty(it->max, "cpu"), 2000);
	assert_int_equal(qty(it->min, "cpu"), 1);
}

static void test_decode_limit_range_namespace_kept(void **state)
{
	struct ctx *c = *state;
	struct hr_limit_range lr;
	cJSON *doc = parse("{\"metadata\":{\"name\":\"lr\",\"namespace\":\"team-a\"},"
	                   "\"spec\":{\"limits\":[]}}");
	enum hr_code rc = hr_decode_limit_range(&c->d, doc, &lr);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_OK);
	assert_str(lr.namespace, "team-a");
	assert_int_equal(lr.n_items, 0);
}

static void test_decode_limit_range_bad_quantity_names_path(void **state)
{
	struct ctx *c = *state;
	struct hr_limit_range lr;
	cJSON *doc = parse("{\"metadata\":{\"name\":\"lr\"},\"spec\":{\"limits\":["
	                   "{\"type\":\"Container\"},"
	                   "{\"type\":\"Container\",\"defaultRequest\":{\"memory\":\"1 Gi\"}}]}}");
	enum hr_code rc = hr_decode_limit_range(&c->d, doc, &lr);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_EINVAL);
	assert_string_equal(c->err.where, "spec.limits[1].defaultRequest.memory");
	assert_non_null(strstr(c->err.msg, "\"1 Gi\""));
}

/* ---- RuntimeClass ---- */

static void test_decode_runtime_class(void **state)
{
	struct ctx *c = *state;
	struct hr_runtime_class rc_obj;
	cJSON *doc =
	    parse("{\"apiVersion\":\"node.k8s.io/v1\",\"kind\":\"RuntimeClass\","
	          "\"metadata\":{\"name\":\"kata\"},\"handler\":\"kata-qemu\","
	          "\"overhead\":{\"podFixed\":{\"cpu\":\"250m\",\"memory\":\"120Mi\"}},"
	          "\"scheduling\":{\"nodeSelector\":{\"runtime\":\"kata\"},\"tolerations\":["
	          "{\"key\":\"kata\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}}");
	enum hr_code rc = hr_decode_runtime_class(&c->d, doc, &rc_obj);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_OK);
	assert_str(rc_obj.name, "kata");
	assert_str(rc_obj.handler, "kata-qemu");
	assert_int_equal(qty(rc_obj.overhead, "cpu"), 250);
	assert_int_equal(qty(rc_obj.overhead, "memory"), 120 * MI * 1000);
	assert_int_equal(rc_obj.node_selector.n, 1);
	assert_string_equal(label(rc_obj.node_selector, "runtime"), "kata");
	assert_int_equal(rc_obj.n_tolerations, 1);
	assert_str(rc_obj.tolerations[0].key, "kata");
	assert_int_equal(rc_obj.tolerations[0].op, HR_TOL_EXISTS);
	assert_int_equal(rc_obj.tolerations[0].effect, HR_EFFECT_NO_SCHEDULE);
}

static void test_decode_runtime_class_without_overhead_or_scheduling(void **state)
{
	struct ctx *c = *state;
	struct hr_runtime_class rc_obj;
	cJSON *doc = parse("{\"metadata\":{\"name\":\"runc\"},\"handler\":\"runc\"}");
	enum hr_code rc = hr_decode_runtime_class(&c->d, doc, &rc_obj);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_OK);
	assert_int_equal(rc_obj.overhead.n, 0);
	assert_int_equal(rc_obj.node_selector.n, 0);
	assert_int_equal(rc_obj.n_tolerations, 0);
}

static void test_decode_runtime_class_wrong_type_names_path(void **state)
{
	struct ctx *c = *state;
	struct hr_runtime_class rc_obj;
	cJSON *doc = parse("{\"metadata\":{\"name\":\"kata\"},\"handler\":\"k\","
	                   "\"scheduling\":{\"tolerations\":[{\"key\":5}]}}");
	enum hr_code rc = hr_decode_runtime_class(&c->d, doc, &rc_obj);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_EINVAL);
	assert_string_equal(c->err.where, "scheduling.tolerations[0].key");
}

static void test_decode_runtime_class_bad_overhead_names_path(void **state)
{
	struct ctx *c = *state;
	struct hr_runtime_class rc_obj;
	cJSON *doc = parse("{\"metadata\":{\"name\":\"kata\"},\"handler\":\"k\","
	                   "\"overhead\":{\"podFixed\":{\"memory\":\"12q\"}}}");
	enum hr_code rc = hr_decode_runtime_class(&c->d, doc, &rc_obj);
	cJSON_Delete(doc);
	assert_int_equal(rc, HR_EINVAL);
	assert_string_equal(c->err.where, "overhead.podFixed.memory");
	assert_non_null(strstr(c->err.msg, "\"12q\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_decode_node_allocatable_defaults_to_capacity),
	    T(test_decode_node_uses_allocatable_not_capacity),
	    T(test_decode_node_without_status_has_nothing_allocatable),
	    T(test_decode_node_keeps_scalars_drops_unknown_names),
	    T(test_decode_node_quantities_round_up),
	    T(test_decode_node_accepts_json_number_quantities),
	    T(test_decode_node_taints_keep_order_and_effects),
	    T(test_decode_node_unschedulable),
	    T(test_decode_node_labels_sorted_and_identity),
	    T(test_decode_node_requires_name),
	    T(test_decode_node_rejects_non_object),
	    T(test_decode_node_wrong_type_names_path),
	    T(test_decode_node_wrong_type_taints),
	    T(test_decode_node_wrong_type_taint_key),
	    T(test_decode_node_wrong_type_unschedulable),
	    T(test_decode_node_wrong_type_label_value),
	    T(test_decode_node_bad_quantity_names_field_and_value),
	    T(test_decode_node_error_path_keeps_caller_prefix),
	    T(test_decode_node_path_restored_after_success),
	    T(test_decode_pod_namespace_defaults_to_default),
	    T(test_decode_pod_metadata_and_status_fields),
	    T(test_decode_pod_phases),
	    T(test_decode_pod_without_spec_is_invalid),
	    T(test_decode_pod_scheduler_name_kept),
	    T(test_decode_pod_requests_default_from_limits_per_container),
	    T(test_decode_pod_init_requests_default_from_limits),
	    T(test_decode_pod_request_lists_sorted_by_name),
	    T(test_decode_pod_quantities_round_up_to_milli),
	    T(test_decode_pod_overhead_and_pod_level_resources),
	    T(test_decode_pod_container_identity),
	    T(test_decode_pod_sidecar_init_containers_are_restartable),
	    T(test_decode_pod_port_protocol_defaults_to_tcp),
	    T(test_decode_pod_host_network_sets_host_port),
	    T(test_decode_pod_tolerations),
	    T(test_decode_pod_node_affinity_terms),
	    T(test_decode_pod_node_affinity_malformed_term_is_not_an_error),
	    T(test_decode_pod_node_selector_map),
	    T(test_decode_pod_pod_affinity_terms),
	    T(test_decode_pod_affinity_invalid_selector_is_marked),
	    T(test_decode_pod_spread_defaults),
	    T(test_decode_pod_spread_explicit_fields),
	    T(test_decode_pod_spread_rejects_bad_when),
	    T(test_decode_pod_spread_rejects_zero_max_skew),
	    T(test_decode_pod_status_resources_matched_by_name),
	    T(test_decode_pod_resize_infeasible_condition),
	    T(test_decode_pod_marks_unmodelled_features),
	    T(test_decode_pod_wrong_type_request_names_path),
	    T(test_decode_pod_wrong_type_containers),
	    T(test_decode_pod_wrong_type_container_item),
	    T(test_decode_pod_wrong_type_host_network),
	    T(test_decode_pod_wrong_type_toleration_seconds),
	    T(test_decode_int64_fields_reject_two_to_the_63),
	    T(test_decode_pod_wrong_type_container_port),
	    T(test_decode_pod_wrong_type_init_port_host_ip),
	    T(test_decode_pod_wrong_type_node_selector_value),
	    T(test_decode_pod_wrong_type_affinity_value),
	    T(test_decode_pod_wrong_type_pod_affinity_topology_key),
	    T(test_decode_pod_wrong_type_namespace),
	    T(test_decode_pod_wrong_type_spec),
	    T(test_decode_pod_wrong_type_status_phase),
	    T(test_decode_pod_priority_out_of_int32_range),
	    T(test_decode_pod_bad_quantity_names_field_and_value),
	    T(test_decode_pod_bad_overhead_quantity),
	    T(test_decode_pod_bad_pod_level_quantity),
	    T(test_decode_pod_quantity_beyond_int64_is_held_at_the_cap),
	    T(test_decode_pod_status_quantity_error_names_path),
	    cmocka_unit_test_setup_teardown(test_decode_pod_interned_strings_are_shared,
	                                    setup_interned, teardown),
	    T(test_decode_quantity_milli_string_and_number),
	    T(test_decode_quantity_milli_rejects_non_scalar),
	    T(test_decode_label_selector_match_labels_first),
	    T(test_decode_label_selector_wrong_type_names_path),
	    T(test_decode_namespace),
	    T(test_decode_namespace_requires_name),
	    T(test_decode_limit_range_container_items_only),
	    T(test_decode_limit_range_namespace_kept),
	    T(test_decode_limit_range_bad_quantity_names_path),
	    T(test_decode_runtime_class),
	    T(test_decode_runtime_class_without_overhead_or_scheduling),
	    T(test_decode_runtime_class_wrong_type_names_path),
	    T(test_decode_runtime_class_bad_overhead_names_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
