/* test_store.c: extender/store.h, the live cache's reference-counted objects and the
 * snapshots built from them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* ---- helpers ---- */

static struct hr_arena scratch; /* decoding memory shared by the single-threaded tests */

static int setup(void **state)
{
	(void)state;
	hr_arena_init(&scratch, NULL, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hr_arena_fini(&scratch);
	return 0;
}

static void assert_str(struct hr_str s, const char *want)
{
	if (!hr_str_eq_c(s, want))
		fail_msg("\"%.*s\" != \"%s\"", (int)s.n, s.p ? s.p : "", want);
}

static int refs(struct xt_obj *o)
{
	return atomic_load(&o->refs);
}

/* Decodes json text into a new object (refs = 1), using scratch memory sc; NULL with err
 * filled on failure. No cmocka assertions: threads use it. */
static struct xt_obj *decode_obj(struct hr_arena *sc, enum xt_kind kind, const char *text,
                                 struct hr_err *err)
{
	hr_err_clear(err);
	cJSON *json = cJSON_Parse(text);
	if (!json) {
		hr_err_set(err, HR_EINVAL, NULL, "bad test JSON");
		return NULL;
	}
	struct xt_obj *o = NULL;
	enum hr_code rc = xt_obj_from_json(kind, json, sc, &o, err);
	cJSON_Delete(json);
	return rc == HR_OK ? o : NULL;
}

/* The same, failing the test on an error. */
static struct xt_obj *obj_in(struct hr_arena *sc, enum xt_kind kind, const char *text)
{
	struct hr_err err;
	struct xt_obj *o = decode_obj(sc, kind, text, &err);
	if (!o)
		fail_msg("unexpected error %d: where=\"%s\" msg=\"%s\"", err.code, err.where,
		         err.msg);
	assert_int_equal(refs(o), 1);
	assert_int_equal(o->kind, kind);
	return o;
}

static struct xt_obj *obj(enum xt_kind kind, const char *text)
{
	return obj_in(&scratch, kind, text);
}

static char *node_json(const char *name, const char *rv)
{
	static char text[1024];
	snprintf(text, sizeof(text),
	         "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\","
	         "\"resourceVersion\":\"%s\",\"labels\":{\"kubernetes.io/hostname\":\"%s\"}},"
	         "\"spec\":{},\"status\":{\"allocatable\":{\"cpu\":\"4\",\"memory\":\"8Gi\","
	         "\"pods\":\"110\",\"ephemeral-storage\":\"100Gi\"},"
	         "\"capacity\":{\"cpu\":\"4\",\"memory\":\"8Gi\",\"pods\":\"110\"}}}",
	         name, rv, name);
	return text;
}

/* A pod (namespace NULL: none written) on node (NULL: unbound) asking cpu and memory. */
static char *pod_json_into(char *text, size_t size, const char *ns, const char *name,
                           const char *node, const char *cpu, const char *mem, const char *phase,
                           const char *rv)
{
	char ns_field[300] = "", node_field[300] = "";
	if (ns)
		snprintf(ns_field, sizeof(ns_field), "\"namespace\":\"%s\",", ns);
	if (node)
		snprintf(node_field, sizeof(node_field), "\"nodeName\":\"%s\",", node);
	snprintf(text, size,
	         "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",%s"
	         "\"uid\":\"uid-%s\",\"resourceVersion\":\"%s\"},\"spec\":{%s\"containers\":[{"
	         "\"name\":\"app\",\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"%s\","
	         "\"memory\":\"%s\"}}}]},\"status\":{\"phase\":\"%s\"}}",
	         name, ns_field, name, rv, node_field, cpu, mem, phase);
	return text;
}

static char *pod_json(const char *ns, const char *name, const char *node, const char *cpu,
                      const char *mem, const char *phase, const char *rv)
{
	static char text[2048];
	return pod_json_into(text, sizeof(text), ns, name, node, cpu, mem, phase, rv);
}

static struct xt_obj *pod(const char *ns, const char *name, const char *node, const char *cpu,
                          const char *mem, const char *rv)
{
	return obj(XT_KIND_POD, pod_json(ns, name, node, cpu, mem, "Running", rv));
}

#define MI (1024 * 1024LL)

/* ---- xt_kind_name / xt_obj_key ---- */

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(xt_kind_name(XT_KIND_NODE), "Node");
	assert_string_equal(xt_kind_name(XT_KIND_POD), "Pod");
	assert_string_equal(xt_kind_name(XT_KIND_NAMESPACE), "Namespace");
	assert_string_equal(xt_kind_name(XT_KIND_LIMIT_RANGE), "LimitRange");
	assert_string_equal(xt_kind_name(XT_KIND_RUNTIME_CLASS), "RuntimeClass");
	assert_string_equal(xt_kind_name(XT_KIND_COUNT), "?");
}

static void test_obj_key(void **state)
{
	(void)state;
	char key[64];
	cJSON *j = cJSON_Parse("{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"shop\"}}");
	assert_true(xt_obj_key(XT_KIND_POD, j, key, sizeof(key)));
	assert_string_equal(key, "shop/web-0");
	assert_true(xt_obj_key(XT_KIND_LIMIT_RANGE, j, key, sizeof(key)));
	assert_string_equal(key, "shop/web-0");
	/* cluster-scoped kinds ignore a namespace */
	assert_true(xt_obj_key(XT_KIND_NODE, j, key, sizeof(key)));
	assert_string_equal(key, "web-0");
	assert_true(xt_obj_key(XT_KIND_NAMESPACE, j, key, sizeof(key)));
	assert_string_equal(key, "web-0");
	assert_true(xt_obj_key(XT_KIND_RUNTIME_CLASS, j, key, sizeof(key)));
	assert_string_equal(key, "web-0");
	/* exactly fits: "shop/web-0" is 10 bytes + NUL */
	assert_true(xt_obj_key(XT_KIND_POD, j, key, 11));
	assert_string_equal(key, "shop/web-0");
	assert_false(xt_obj_key(XT_KIND_POD, j, key, 10));
	cJSON_Delete(j);

	/* namespace defaults to "default" */
	j = cJSON_Parse("{\"metadata\":{\"name\":\"web-0\"}}");
	assert_true(xt_obj_key(XT_KIND_POD, j, key, sizeof(key)));
	assert_string_equal(key, "default/web-0");
	assert_true(xt_obj_key(XT_KIND_LIMIT_RANGE, j, key, sizeof(key)));
	assert_string_equal(key, "default/web-0");
	cJSON_Delete(j);

	/* no name, empty name, a name that is not a string, no metadata */
	static const char *const nameless[] = {"{\"metadata\":{\"namespace\":\"a\"}}",
	                                       "{\"metadata\":{\"name\":\"\"}}",
	                                       "{\"metadata\":{\"name\":7}}", "{}", "[]"};
	for (size_t i = 0; i < sizeof(nameless) / sizeof(nameless[0]); i++) {
		j = cJSON_Parse(nameless[i]);
		assert_false(xt_obj_key(XT_KIND_POD, j, key, sizeof(key)));
		assert_false(xt_obj_key(XT_KIND_NODE, j, key, sizeof(key)));
		cJSON_Delete(j);
	}
}

/* ---- xt_obj_from_json ---- */

static void test_obj_node(void **state)
{
	(void)state;
	struct xt_obj *o = obj(XT_KIND_NODE, node_json("worker-1", "4711"));
	assert_str(o->key, "worker-1");
	assert_str(o->resource_version, "4711");
	assert_str(o->m.node->name, "worker-1");
	assert_str(o->m.node->resource_version, "4711");
	assert_int_equal(o->m.node->allocatable.cpu_milli, 4000);
	assert_int_equal(o->m.node->allocatable.mem_bytes, 8192 * MI);
	assert_int_equal(o->m.node->allocatable.pods, 110);
	assert_int_equal(o->m.node->allocatable.eph_bytes, 100 * 1024 * MI);
	assert_int_equal(o->m.node->labels.n, 1);
	assert_str(o->m.node->labels.v[0].key, "kubernetes.io/hostname");
	assert_str(o->m.node->labels.v[0].value, "worker-1");
	assert_false(o->m.node->unschedulable);
	xt_obj_release(o);
}

static void test_obj_pod_request_vector_computed(void **state)
{
	(void)state;
	/* containers 250m+500m+none, an init container of 1 cpu, overhead 100m/10Mi */
	const char *text =
	    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"db-0\","
	    "\"namespace\":\"shop\",\"uid\":\"u-db\",\"resourceVersion\":\"900\","
	    "\"labels\":{\"app\":\"db\",\"tier\":\"data\"}},"
	    "\"spec\":{\"nodeName\":\"n1\",\"priority\":1000,"
	    "\"overhead\":{\"cpu\":\"100m\",\"memory\":\"10Mi\"},"
	    "\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\",\"resources\":{"
	    "\"requests\":{\"cpu\":\"1\",\"memory\":\"32Mi\"}}}],"
	    "\"containers\":["
	    "{\"name\":\"a\",\"image\":\"db\",\"ports\":[{\"containerPort\":5432,\"hostPort\":5432}"
	    "],"
	    "\"resources\":{\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\","
	    "\"ephemeral-storage\":\"1Gi\"},\"limits\":{\"example.com/gpu\":\"2\"}}},"
	    "{\"name\":\"b\",\"image\":\"sidecar\",\"resources\":{\"requests\":{\"cpu\":\"500m\","
	    "\"memory\":\"128Mi\"}}},"
	    "{\"name\":\"c\",\"image\":\"logger\"}]},"
	    "\"status\":{\"phase\":\"Running\"}}";
	struct xt_obj *o = obj(XT_KIND_POD, text);
	const struct hr_pod *p = o->m.pod;
	assert_str(o->key, "shop/db-0");
	assert_str(o->resource_version, "900");
	assert_str(p->name, "db-0");
	assert_str(p->namespace, "shop");
	assert_str(p->uid, "u-db");
	assert_str(p->node_name, "n1");
	assert_int_equal(p->phase, HR_PHASE_RUNNING);
	assert_int_equal(p->priority, 1000);
	assert_true(p->finalized);
	/* max(250m+500m, 1) + 100m; max(64Mi+128Mi, 32Mi) + 10Mi */
	assert_int_equal(p->request.cpu_milli, 1100);
	assert_int_equal(p->request.mem_bytes, 202 * MI);
	assert_int_equal(p->request.eph_bytes, 1024 * MI);
	assert_int_equal(p->request.n_scalars, 1);
	assert_str(p->request.scalars[0].name, "example.com/gpu");
	assert_int_equal(p->request.scalars[0].value, 2);
	assert_int_equal(hr_resources_scalar(&p->request, HR_STR_LIT("example.com/gpu")), 2);
	/* scoring: container c counts 100m / 200Mi; max(850m, 1) + 100m; 392Mi + 10Mi */
	assert_int_equal(p->nonzero_cpu_milli, 1100);
	assert_int_equal(p->nonzero_mem_bytes, 402 * MI);
	assert_int_equal(p->n_host_ports, 1);
	assert_int_equal(p->host_ports[0].port, 5432);
	assert_str(p->host_ports[0].protocol, "TCP");
	assert_str(p->host_ports[0].ip, "0.0.0.0");
	assert_int_equal(p->labels.n, 2);
	assert_str(p->labels.v[0].key, "app");
	assert_str(p->labels.v[1].value, "data");
	/* compact: the containers are not kept */
	assert_int_equal(p->n_containers, 0);
	assert_int_equal(p->n_init_containers, 0);
	xt_obj_release(o);
}

static void test_obj_pod_namespace_defaults(void **state)
{
	(void)state;
	struct xt_obj *o = pod(NULL, "lonely", "n1", "10m", "1Mi", "5");
	assert_str(o->key, "default/lonely");
	assert_str(o->m.pod->namespace, "default");
	assert_str(o->m.pod->name, "lonely");
	assert_int_equal(o->m.pod->request.cpu_milli, 10);
	assert_int_equal(o->m.pod->request.mem_bytes, MI);
	xt_obj_release(o);
}

static void test_obj_namespace(void **state)
{
	(void)state;
	struct xt_obj *o = obj(XT_KIND_NAMESPACE,
	                       "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{"
	                       "\"name\":\"shop\",\"resourceVersion\":\"77\",\"labels\":{"
	                       "\"kubernetes.io/metadata.name\":\"shop\",\"team\":\"payments\"}},"
	                       "\"spec\":{\"finalizers\":[\"kubernetes\"]},"
	                       "\"status\":{\"phase\":\"Active\"}}");
	assert_str(o->key, "shop");
	assert_str(o->resource_version, "77");
	assert_str(o->m.ns->name, "shop");
	assert_int_equal(o->m.ns->labels.n, 2);
	assert_str(o->m.ns->labels.v[0].key, "kubernetes.io/metadata.name");
	assert_str(o->m.ns->labels.v[1].key, "team");
	assert_str(o->m.ns->labels.v[1].value, "payments");
	xt_obj_release(o);
}

static void test_obj_limit_range(void **state)
{
	(void)state;
	struct xt_obj *o =
	    obj(XT_KIND_LIMIT_RANGE,
	        "{\"apiVersion\":\"v1\",\"kind\":\"LimitRange\",\"metadata\":{"
	        "\"name\":\"defaults\",\"namespace\":\"shop\",\"resourceVersion\":\"31\"},"
	        "\"spec\":{\"limits\":[{\"type\":\"Pod\",\"max\":{\"cpu\":\"8\"}},"
	        "{\"type\":\"Container\",\"default\":{\"cpu\":\"500m\",\"memory\":"
	        "\"512Mi\"},\"defaultRequest\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},"
	        "\"max\":{\"cpu\":\"2\"},\"min\":{\"memory\":\"4Mi\"}}]}}");
	assert_str(o->key, "shop/defaults");
	assert_str(o->resource_version, "31");
	const struct hr_limit_range *lr = o->m.lr;
	assert_str(lr->name, "defaults");
	assert_str(lr->namespace, "shop");
	assert_int_equal(lr->n_items, 1); /* only type: Container */
	const struct hr_limit_range_item *it = &lr->items[0];
	assert_int_equal(it->default_limits.n, 2);
	assert_str(it->default_limits.v[0].name, "cpu");
	assert_int_equal(it->default_limits.v[0].milli, 500);
	assert_str(it->default_limits.v[1].name, "memory");
	assert_int_equal(it->default_limits.v[1].milli, 512 * MI * 1000);
	assert_int_equal(it->default_requests.n, 2);
	assert_int_equal(it->default_requests.v[0].milli, 100);
	assert_int_equal(it->default_requests.v[1].milli, 128 * MI * 1000);
	assert_int_equal(it->max.n, 1);
	assert_int_equal(it->max.v[0].milli, 2000);
	assert_int_equal(it->min.n, 1);
	assert_int_equal(it->min.v[0].milli, 4 * MI * 1000);
	xt_obj_release(o);

	/* no namespace: the key and the model say "default" */
	o = obj(XT_KIND_LIMIT_RANGE, "{\"metadata\":{\"name\":\"lr\"},\"spec\":{\"limits\":[]}}");
	assert_str(o->key, "default/lr");
	assert_str(o->m.lr->namespace, "default");
	assert_int_equal(o->m.lr->n_items, 0);
	assert_str(o->resource_version, "");
	xt_obj_release(o);
}

static void test_obj_runtime_class(void **state)
{
	(void)state;
	struct xt_obj *o = obj(XT_KIND_RUNTIME_CLASS,
	                       "{\"apiVersion\":\"node.k8s.io/v1\",\"kind\":\"RuntimeClass\","
	                       "\"metadata\":{\"name\":\"gvisor\",\"resourceVersion\":\"12\"},"
	                       "\"handler\":\"runsc\",\"overhead\":{\"podFixed\":{\"cpu\":\"250m\","
	                       "\"memory\":\"120Mi\"}},\"scheduling\":{\"nodeSelector\":{"
	                       "\"runtime\":\"gvisor\"},\"tolerations\":[{\"key\":\"sandbox\","
	                       "\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}}");
	assert_str(o->key, "gvisor");
	assert_str(o->resource_version, "12");
	const struct hr_runtime_class *rc = o->m.rc;
	assert_str(rc->name, "gvisor");
	assert_str(rc->handler, "runsc");
	assert_int_equal(rc->overhead.n, 2);
	assert_str(rc->overhead.v[0].name, "cpu");
	assert_int_equal(rc->overhead.v[0].milli, 250);
	assert_str(rc->overhead.v[1].name, "memory");
	assert_int_equal(rc->overhead.v[1].milli, 120 * MI * 1000);
	assert_int_equal(rc->node_selector.n, 1);
	assert_str(rc->node_selector.v[0].key, "runtime");
	assert_str(rc->node_selector.v[0].value, "gvisor");
	assert_int_equal(rc->n_tolerations, 1);
	assert_str(rc->tolerations[0].key, "sandbox");
	assert_int_equal(rc->tolerations[0].op, HR_TOL_EXISTS);
	assert_int_equal(rc->tolerations[0].effect, HR_EFFECT_NO_SCHEDULE);
	xt_obj_release(o);
}

static void test_obj_owns_its_memory(void **state)
{
	(void)state;
	/* the object must not point into the scratch arena (ASan checks after it is freed) */
	struct hr_arena sc;
	hr_arena_init(&sc, NULL, 0);
	struct xt_obj *a = obj_in(&sc, XT_KIND_POD,
	                          pod_json("ns-a", "first", "n1", "300m", "3Mi", "Running", "1"));
	struct xt_obj *b = obj_in(&sc, XT_KIND_NODE, node_json("second", "2"));
	hr_arena_fini(&sc);
	assert_str(a->key, "ns-a/first");
	assert_str(a->m.pod->name, "first");
	assert_str(a->m.pod->namespace, "ns-a");
	assert_str(a->m.pod->node_name, "n1");
	assert_str(a->m.pod->uid, "uid-first");
	assert_int_equal(a->m.pod->request.cpu_milli, 300);
	assert_str(a->resource_version, "1");
	assert_str(b->key, "second");
	assert_str(b->m.node->labels.v[0].value, "second");
	xt_obj_release(a);
	xt_obj_release(b);
}

static void expect_obj_error(enum xt_kind kind, const char *text, enum hr_code code,
                             const char *where, const char *msg)
{
	cJSON *json = cJSON_Parse(text);
	assert_non_null(json);
	struct xt_obj *o = (struct xt_obj *)(uintptr_t)0x1; /* must stay untouched */
	struct hr_err err;
	hr_err_clear(&err);
	enum hr_code rc = xt_obj_from_json(kind, json, &scratch, &o, &err);
	cJSON_Delete(json);
	assert_int_equal(rc, code);
	assert_int_equal(err.code, code);
	assert_ptr_equal(o, (struct xt_obj *)(uintptr_t)0x1);
	assert_string_equal(err.where, where);
	if (msg)
		assert_string_equal(err.msg, msg);
}

static void test_obj_without_name_is_an_error(void **state)
{
	(void)state;
	expect_obj_error(XT_KIND_POD, "{\"metadata\":{\"namespace\":\"a\"},\"spec\":{}}", HR_EINVAL,
	                 "metadata.name", "Pod without a name");
	expect_obj_error(XT_KIND_NODE, "{\"metadata\":{\"name\":\"\"}}", HR_EINVAL, "metadata.name",
	                 "Node without a name");
	expect_obj_error(XT_KIND_NAMESPACE, "{}", HR_EINVAL, "metadata.name",
	                 "Namespace without a name");
	expect_obj_error(XT_KIND_LIMIT_RANGE, "{\"metadata\":{}}", HR_EINVAL, "metadata.name",
	                 "LimitRange without a name");
	expect_obj_error(XT_KIND_RUNTIME_CLASS, "{\"metadata\":{\"name\":null}}", HR_EINVAL,
	                 "metadata.name", "RuntimeClass without a name");
}

static void test_obj_decode_error_names_the_field(void **state)
{
	(void)state;
	expect_obj_error(XT_KIND_POD,
	                 "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\","
	                 "\"resources\":{\"requests\":{\"cpu\":\"12x\"}}}]}}",
	                 HR_EINVAL, "spec.containers[0].resources.requests.cpu", NULL);
	/* a good object decodes afterwards with the same scratch */
	struct xt_obj *o = pod("a", "ok", "n1", "1", "1Gi", "3");
	assert_int_equal(o->m.pod->request.cpu_milli, 1000);
	xt_obj_release(o);
}

/* ---- the store ---- */

static void test_store_empty(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	assert_int_equal(xt_store_version(&s), 0);
	for (int k = 0; k < XT_KIND_COUNT; k++) {
		assert_false(xt_store_synced(&s, k));
		assert_int_equal(s.kinds[k].count, 0);
		assert_string_equal(s.kinds[k].resource_version, "");
	}
	/* deleting from an empty table */
	xt_store_delete(&s, XT_KIND_POD, "default/nothing", NULL);
	assert_int_equal(s.kinds[XT_KIND_POD].count, 0);
	xt_store_fini(&s);
}

static void test_store_upsert_replaces_by_key(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	struct xt_obj *v1 = pod("shop", "web-0", "n1", "100m", "1Mi", "10");
	xt_obj_retain(v1); /* ours, to watch it */
	xt_store_upsert(&s, v1, "10");
	assert_int_equal(refs(v1), 2);
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1);
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "10");
	assert_int_equal(xt_store_version(&s), 1);

	struct xt_obj *v2 = pod("shop", "web-0", "n1", "200m", "1Mi", "11");
	xt_obj_retain(v2);
	xt_store_upsert(&s, v2, "11");
	assert_int_equal(refs(v1), 1); /* the store let go of the old one */
	assert_int_equal(refs(v2), 2);
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1);
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "11");
	assert_int_equal(xt_store_version(&s), 2);

	/* another namespace, same name: another key */
	struct xt_obj *other = pod("blog", "web-0", "n1", "100m", "1Mi", "12");
	xt_store_upsert(&s, other, "12");
	assert_int_equal(s.kinds[XT_KIND_POD].count, 2);
	assert_int_equal(refs(v2), 2);
	/* the same key in another kind is another table */
	xt_store_upsert(&s, obj(XT_KIND_NODE, node_json("shop/web-0", "13")), "13");
	assert_int_equal(s.kinds[XT_KIND_NODE].count, 1);
	assert_int_equal(s.kinds[XT_KIND_POD].count, 2);
	assert_string_equal(s.kinds[XT_KIND_NODE].resource_version, "13");
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "12");
	assert_int_equal(xt_store_version(&s), 4);

	/* an upsert without a resourceVersion keeps the kind's */
	xt_store_upsert(&s, pod("shop", "web-1", "n1", "1m", "1Mi", "14"), NULL);
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "12");
	xt_store_upsert(&s, pod("shop", "web-2", "n1", "1m", "1Mi", "15"), "");
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "12");
	assert_int_equal(s.kinds[XT_KIND_POD].count, 4);
	assert_int_equal(xt_store_version(&s), 6);

	xt_obj_release(v1); /* freed now */
	xt_store_fini(&s);
	assert_int_equal(refs(v2), 1); /* fini released the store's references */
	xt_obj_release(v2);
}

static void test_store_delete(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	struct xt_obj *a = pod("shop", "a", "n1", "100m", "1Mi", "20");
	xt_obj_retain(a);
	xt_store_upsert(&s, a, "20");
	xt_store_upsert(&s, pod("shop", "b", "n1", "100m", "1Mi", "21"), "21");
	assert_int_equal(s.kinds[XT_KIND_POD].count, 2);
	uint64_t v = xt_store_version(&s);

	xt_store_delete(&s, XT_KIND_POD, "shop/a", "22");
	assert_int_equal(refs(a), 1);
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1);
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "22");
	assert_int_equal(xt_store_version(&s), v + 1);

	/* absent keys: nothing removed */
	xt_store_delete(&s, XT_KIND_POD, "shop/a", "23");
	xt_store_delete(&s, XT_KIND_POD, "b", "24");       /* a pod key needs the namespace */
	xt_store_delete(&s, XT_KIND_NODE, "shop/b", "25"); /* the wrong kind */
	xt_store_delete(&s, XT_KIND_POD, "shop/bb", "26"); /* a longer key */
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1);
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "26");

	xt_store_delete(&s, XT_KIND_POD, "shop/b", NULL);
	assert_int_equal(s.kinds[XT_KIND_POD].count, 0);
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "26");
	xt_obj_release(a);
	xt_store_fini(&s);
}

static void test_store_replace_is_a_relist(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	struct xt_obj *gone = pod("shop", "gone", "n1", "100m", "1Mi", "30");
	struct xt_obj *kept = pod("shop", "kept", "n1", "100m", "1Mi", "31");
	xt_obj_retain(gone);
	xt_obj_retain(kept);
	xt_store_upsert(&s, gone, "30");
	xt_store_upsert(&s, kept, "31");
	xt_store_upsert(&s, obj(XT_KIND_NODE, node_json("n1", "32")), "32");
	assert_false(xt_store_synced(&s, XT_KIND_POD));
	uint64_t v = xt_store_version(&s);

	struct xt_obj *list[3] = {
	    pod("shop", "kept", "n1", "300m", "1Mi", "40"),
	    pod("shop", "new", "n1", "100m", "1Mi", "41"),
	    pod(NULL, "x", NULL, "100m", "1Mi", "42"),
	};
	struct xt_obj *new_kept = list[0];
	xt_obj_retain(new_kept);
	xt_store_replace(&s, XT_KIND_POD, list, 3, "45");
	assert_true(xt_store_synced(&s, XT_KIND_POD));
	assert_false(xt_store_synced(&s, XT_KIND_NODE));
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "45");
	assert_int_equal(s.kinds[XT_KIND_POD].count, 3);
	assert_int_equal(s.kinds[XT_KIND_NODE].count, 1); /* other kinds untouched */
	assert_int_equal(xt_store_version(&s), v + 1);
	assert_int_equal(refs(gone), 1);
	assert_int_equal(refs(kept), 1);
	assert_int_equal(refs(new_kept), 2);

	/* the store has the listed objects: a snapshot shows kept with 300m */
	struct xt_snap *snap = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "test", &snap, &err), HR_OK);
	const struct hr_node_info *n1 = hr_snap_find_node(snap->snap, HR_STR_LIT("n1"));
	assert_non_null(n1);
	assert_int_equal(n1->n_pods, 2);
	assert_int_equal(n1->requested.cpu_milli, 400);
	assert_int_equal(snap->snap->stats.pods_total, 3);
	assert_int_equal(snap->snap->stats.pods_unbound, 1);
	xt_snap_release(snap);

	/* a relist to nothing empties the kind */
	xt_store_replace(&s, XT_KIND_POD, NULL, 0, "50");
	assert_int_equal(s.kinds[XT_KIND_POD].count, 0);
	assert_int_equal(refs(new_kept), 1);
	assert_true(xt_store_synced(&s, XT_KIND_POD));
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "50");

	/* a list repeating a key keeps the later object */
	struct xt_obj *dup1 = pod("a", "same", NULL, "1m", "1Mi", "51");
	struct xt_obj *dup2 = pod("a", "same", NULL, "2m", "1Mi", "52");
	xt_obj_retain(dup1);
	xt_obj_retain(dup2);
	struct xt_obj *dups[2] = {dup1, dup2};
	xt_store_replace(&s, XT_KIND_POD, dups, 2, "53");
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1);
	assert_int_equal(refs(dup1), 1);
	assert_int_equal(refs(dup2), 2);

	xt_obj_release(gone);
	xt_obj_release(kept);
	xt_obj_release(new_kept);
	xt_obj_release(dup1);
	xt_obj_release(dup2);
	xt_store_fini(&s);
}

static void test_store_bookmark_moves_only_the_resource_version(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	xt_store_upsert(&s, pod("a", "p", "n1", "1m", "1Mi", "60"), "60");
	uint64_t v = xt_store_version(&s);
	xt_store_set_resource_version(&s, XT_KIND_POD, "61");
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "61");
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1);
	assert_int_equal(xt_store_version(&s), v);
	/* an empty or missing one is ignored */
	xt_store_set_resource_version(&s, XT_KIND_POD, "");
	xt_store_set_resource_version(&s, XT_KIND_POD, NULL);
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "61");
	/* other kinds are separate */
	xt_store_set_resource_version(&s, XT_KIND_NODE, "n-7");
	assert_string_equal(s.kinds[XT_KIND_NODE].resource_version, "n-7");
	assert_string_equal(s.kinds[XT_KIND_POD].resource_version, "61");
	/* the snapshot carries the pods' resourceVersion */
	struct xt_snap *snap = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "rv", &snap, &err), HR_OK);
	assert_str(snap->snap->resource_version, "61");
	xt_snap_release(snap);
	/* a long resourceVersion is cut to the field, NUL-terminated */
	char long_rv[300];
	memset(long_rv, '7', sizeof(long_rv) - 1);
	long_rv[sizeof(long_rv) - 1] = '\0';
	xt_store_set_resource_version(&s, XT_KIND_POD, long_rv);
	assert_int_equal(strlen(s.kinds[XT_KIND_POD].resource_version),
	                 sizeof(s.kinds[XT_KIND_POD].resource_version) - 1);
	xt_store_fini(&s);
}

static void test_store_mark_synced_and_version(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	xt_store_mark_synced(&s, XT_KIND_RUNTIME_CLASS);
	assert_true(xt_store_synced(&s, XT_KIND_RUNTIME_CLASS));
	assert_false(xt_store_synced(&s, XT_KIND_LIMIT_RANGE));
	assert_int_equal(xt_store_version(&s), 1);
	xt_store_mark_synced(&s, XT_KIND_RUNTIME_CLASS); /* already: no change */
	assert_int_equal(xt_store_version(&s), 1);

	/* every change moves the version by one */
	xt_store_upsert(&s, pod("a", "p", NULL, "1m", "1Mi", "1"), "1");
	assert_int_equal(xt_store_version(&s), 2);
	xt_store_upsert(&s, pod("a", "p", NULL, "2m", "1Mi", "2"), "2");
	assert_int_equal(xt_store_version(&s), 3);
	xt_store_delete(&s, XT_KIND_POD, "a/p", "3");
	assert_int_equal(xt_store_version(&s), 4);
	xt_store_replace(&s, XT_KIND_NODE, NULL, 0, "4");
	assert_int_equal(xt_store_version(&s), 5);
	xt_store_fini(&s);
}

static void test_store_many_objects_grow_the_table(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	char name[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "p-%04d", i);
		xt_store_upsert(&s, pod("many", name, "n1", "1m", "1Mi", "1"), "1");
	}
	assert_int_equal(s.kinds[XT_KIND_POD].count, 3000);
	assert_true(s.kinds[XT_KIND_POD].n_buckets >= 3000);
	for (int i = 0; i < 3000; i += 2) {
		snprintf(name, sizeof(name), "many/p-%04d", i);
		xt_store_delete(&s, XT_KIND_POD, name, NULL);
	}
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1500);
	/* every remaining key is found again (each replaced once, count unchanged) */
	for (int i = 1; i < 3000; i += 2) {
		snprintf(name, sizeof(name), "p-%04d", i);
		xt_store_upsert(&s, pod("many", name, "n1", "2m", "1Mi", "2"), "2");
	}
	assert_int_equal(s.kinds[XT_KIND_POD].count, 1500);
	xt_store_fini(&s);
}

/* ---- snapshots ---- */

static void test_snapshot_of_an_empty_store(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	struct xt_snap *snap = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "api:https://x", &snap, &err), HR_OK);
	assert_non_null(snap);
	assert_non_null(snap->snap);
	assert_string_equal(snap->source, "api:https://x");
	assert_int_equal(atomic_load(&snap->refs), 1);
	assert_int_equal(snap->snap->n_nodes, 0);
	assert_int_equal(snap->snap->n_pods, 0);
	assert_int_equal(snap->snap->stats.pods_total, 0);
	assert_str(snap->snap->resource_version, "");
	xt_snap_release(snap);
	xt_store_fini(&s);
}

static void test_snapshot_aggregates(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	xt_store_upsert(&s, obj(XT_KIND_NODE, node_json("n2", "2")), "2");
	xt_store_upsert(&s, obj(XT_KIND_NODE, node_json("n1", "1")), "3");
	xt_store_upsert(&s, pod("shop", "a", "n1", "250m", "64Mi", "10"), "10");
	xt_store_upsert(&s, pod("shop", "b", "n1", "500m", "128Mi", "11"), "11");
	xt_store_upsert(&s, pod("blog", "c", "n2", "1", "1Gi", "12"), "12");
	xt_store_upsert(&s, pod("shop", "ghost", "n9", "2", "2Gi", "13"), "13");
	xt_store_upsert(&s, pod("shop", "pending", NULL, "3", "3Gi", "14"), "14");
	xt_store_upsert(
	    &s, obj(XT_KIND_POD, pod_json("shop", "done", "n1", "4", "4Gi", "Succeeded", "15")),
	    "15");
	xt_store_upsert(&s,
	                obj(XT_KIND_NAMESPACE, "{\"metadata\":{\"name\":\"shop\",\"labels\":{\"a\":"
	                                       "\"b\"}}}"),
	                "16");
	xt_store_upsert(&s, obj(XT_KIND_NAMESPACE, "{\"metadata\":{\"name\":\"blog\"}}"), "17");
	xt_store_upsert(
	    &s,
	    obj(XT_KIND_LIMIT_RANGE,
	        "{\"metadata\":{\"name\":\"lr\",\"namespace\":\"shop\"},\"spec\":{"
	        "\"limits\":[{\"type\":\"Container\",\"defaultRequest\":{\"cpu\":\"50m\"}}]}}"),
	    "18");
	xt_store_upsert(&s,
	                obj(XT_KIND_RUNTIME_CLASS,
	                    "{\"metadata\":{\"name\":\"kata\"},\"handler\":\"kata\",\"overhead\":{"
	                    "\"podFixed\":{\"cpu\":\"1\"}}}"),
	                "19");
	xt_store_set_resource_version(&s, XT_KIND_POD, "99");

	struct xt_snap *snap = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "api:https://10.0.0.1:6443", &snap, &err), HR_OK);
	const struct hr_snapshot *ss = snap->snap;
	assert_int_equal(ss->n_nodes, 2);
	assert_str(ss->nodes[0].node->name, "n1"); /* sorted by name */
	assert_str(ss->nodes[1].node->name, "n2");
	const struct hr_node_info *n1 = hr_snap_find_node(ss, HR_STR_LIT("n1"));
	assert_ptr_equal(n1, &ss->nodes[0]);
	assert_int_equal(n1->n_pods, 2);
	assert_int_equal(n1->requested.cpu_milli, 750);
	assert_int_equal(n1->requested.mem_bytes, 192 * MI);
	assert_int_equal(n1->nonzero_cpu_milli, 750);
	assert_int_equal(n1->nonzero_mem_bytes, 192 * MI);
	assert_int_equal(n1->node->allocatable.cpu_milli, 4000);
	bool saw_a = false, saw_b = false;
	for (size_t i = 0; i < n1->n_pods; i++) {
		saw_a |= hr_str_eq_c(n1->pods[i]->name, "a");
		saw_b |= hr_str_eq_c(n1->pods[i]->name, "b");
	}
	assert_true(saw_a && saw_b);
	const struct hr_node_info *n2 = hr_snap_find_node(ss, HR_STR_LIT("n2"));
	assert_non_null(n2);
	assert_int_equal(n2->n_pods, 1);
	assert_str(n2->pods[0]->name, "c");
	assert_int_equal(n2->requested.cpu_milli, 1000);
	assert_int_equal(n2->requested.mem_bytes, 1024 * MI);
	assert_null(hr_snap_find_node(ss, HR_STR_LIT("n9")));
	assert_int_equal(ss->n_pods, 3);
	assert_int_equal(ss->stats.pods_total, 6);
	assert_int_equal(ss->stats.pods_unknown_node, 1);
	assert_int_equal(ss->stats.pods_unbound, 1);
	assert_int_equal(ss->stats.pods_terminal, 1);
	assert_int_equal(ss->stats.nodes_duplicate, 0);
	assert_int_equal(ss->n_namespaces, 2);
	assert_str(ss->namespaces[0].name, "blog");
	assert_str(ss->namespaces[1].name, "shop");
	assert_non_null(hr_snap_find_namespace(ss, HR_STR_LIT("shop")));
	assert_int_equal(ss->n_limit_ranges, 1);
	assert_str(ss->limit_ranges[0].namespace, "shop");
	assert_int_equal(ss->limit_ranges[0].items[0].default_requests.v[0].milli, 50);
	assert_int_equal(ss->n_runtime_classes, 1);
	assert_str(ss->runtime_classes[0].handler, "kata");
	assert_str(ss->resource_version, "99");
	assert_string_equal(snap->source, "api:https://10.0.0.1:6443");
	xt_snap_release(snap);
	xt_store_fini(&s);
}

static void test_snapshot_keeps_objects_alive(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	struct xt_obj *n1 = obj(XT_KIND_NODE, node_json("n1", "1"));
	struct xt_obj *a = pod("shop", "a", "n1", "250m", "64Mi", "10");
	struct xt_obj *b = pod("shop", "b", "n1", "500m", "128Mi", "11");
	xt_obj_retain(a); /* ours, to watch the count */
	xt_store_upsert(&s, n1, "1");
	xt_store_upsert(&s, a, "10");
	xt_store_upsert(&s, b, "11");
	assert_int_equal(refs(a), 2);

	struct xt_snap *s1 = NULL, *s2 = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "one", &s1, &err), HR_OK);
	assert_int_equal(refs(a), 3);
	assert_int_equal(refs(b), 2);
	assert_int_equal(refs(n1), 2);

	/* the store drops everything: the snapshot still holds them */
	xt_store_delete(&s, XT_KIND_POD, "shop/a", "20");
	xt_store_delete(&s, XT_KIND_POD, "shop/b", "21");
	xt_store_replace(&s, XT_KIND_NODE, NULL, 0, "22");
	assert_int_equal(refs(a), 2);
	assert_int_equal(refs(b), 1);
	assert_int_equal(refs(n1), 1);
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "two", &s2, &err), HR_OK);
	assert_int_equal(s2->snap->n_nodes, 0);
	assert_int_equal(refs(a), 2);

	/* read everything through the old snapshot (ASan: nothing freed yet) */
	const struct hr_node_info *info = hr_snap_find_node(s1->snap, HR_STR_LIT("n1"));
	assert_non_null(info);
	assert_str(info->node->name, "n1");
	assert_int_equal(info->node->allocatable.cpu_milli, 4000);
	assert_int_equal(info->n_pods, 2);
	int64_t cpu = 0;
	for (size_t i = 0; i < info->n_pods; i++) {
		cpu += info->pods[i]->request.cpu_milli;
		assert_str(info->pods[i]->namespace, "shop");
		assert_str(info->pods[i]->node_name, "n1");
	}
	assert_int_equal(cpu, 750);
	assert_int_equal(info->requested.cpu_milli, 750);

	xt_snap_release(s1); /* b and n1 are freed here */
	assert_int_equal(refs(a), 1);
	assert_str(a->m.pod->name, "a");
	xt_snap_release(s2);
	xt_obj_release(a);
	xt_store_fini(&s);
}

static void test_snapshot_outlives_the_store(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	xt_store_upsert(&s, obj(XT_KIND_NODE, node_json("n1", "1")), "1");
	xt_store_upsert(&s, pod("shop", "a", "n1", "250m", "64Mi", "10"), "10");
	struct xt_snap *snap = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "x", &snap, &err), HR_OK);
	xt_store_fini(&s);
	assert_int_equal(snap->snap->nodes[0].n_pods, 1);
	assert_str(snap->snap->nodes[0].pods[0]->name, "a");
	assert_int_equal(snap->snap->nodes[0].requested.cpu_milli, 250);
	xt_snap_release(snap);
}

static void test_snapshot_replaced_object_stays_with_old_snapshot(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	xt_store_upsert(&s, obj(XT_KIND_NODE, node_json("n1", "1")), "1");
	xt_store_upsert(&s, pod("shop", "a", "n1", "250m", "64Mi", "10"), "10");
	struct xt_snap *old = NULL, *cur = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&s, "old", &old, &err), HR_OK);
	xt_store_upsert(&s, pod("shop", "a", "n1", "2", "1Gi", "11"), "11");
	assert_int_equal(xt_store_snapshot(&s, "cur", &cur, &err), HR_OK);
	assert_int_equal(old->snap->nodes[0].requested.cpu_milli, 250);
	assert_str(old->snap->nodes[0].pods[0]->resource_version, "10");
	assert_int_equal(cur->snap->nodes[0].requested.cpu_milli, 2000);
	assert_str(cur->snap->nodes[0].pods[0]->resource_version, "11");
	xt_store_fini(&s);
	xt_snap_release(cur);
	assert_int_equal(old->snap->nodes[0].pods[0]->request.mem_bytes, 64 * MI);
	xt_snap_release(old);
}

/* ---- description ---- */

static void test_describe(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	/* inserted out of order, with keys that sort differently by length and byte */
	static const char *const names[] = {"web-10", "web-2", "api", "web-1", "Zeta", "web-1a"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char rv[16];
		snprintf(rv, sizeof(rv), "%zu", 100 + i);
		xt_store_upsert(&s, pod("shop", names[i], "n1", "1m", "1Mi", rv), rv);
	}
	xt_store_upsert(&s, pod("a\\\"q", "x", "n1", "1m", "1Mi", "200"), "200");
	xt_store_upsert(&s, obj(XT_KIND_NODE, node_json("n1", "7")), "7");
	xt_store_mark_synced(&s, XT_KIND_LIMIT_RANGE);
	xt_store_set_resource_version(&s, XT_KIND_NODE, "8");

	struct hr_buf out;
	hr_buf_init(&out, 1 << 20);
	xt_store_describe(&s, &out);
	assert_true(hr_buf_ok(&out));
	assert_true(out.len > 0);
	assert_int_equal(out.p[out.len - 1], '\n');
	cJSON *root = cJSON_ParseWithLength(out.p, out.len);
	if (!root)
		fail_msg("not JSON: %s", out.p);
	assert_true(cJSON_IsObject(root));
	assert_int_equal(cJSON_GetArraySize(root), XT_KIND_COUNT);
	for (int k = 0; k < XT_KIND_COUNT; k++) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, xt_kind_name(k));
		if (!cJSON_IsObject(kind))
			fail_msg("no object for %s", xt_kind_name(k));
		assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(kind, "synced")));
		assert_true(
		    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(kind, "resourceVersion")));
		assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(kind, "objects")));
	}
	const cJSON *pods = cJSON_GetObjectItemCaseSensitive(root, "Pod");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(pods, "synced")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(pods, "resourceVersion")->valuestring,
	                    "200");
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(pods, "objects");
	static const char *const want_keys[] = {"a\"q/x",     "shop/Zeta",   "shop/api",
	                                        "shop/web-1", "shop/web-10", "shop/web-1a",
	                                        "shop/web-2"};
	static const char *const want_rvs[] = {"200", "104", "102", "103", "100", "105", "101"};
	assert_int_equal(cJSON_GetArraySize(objs), 7);
	for (int i = 0; i < 7; i++) {
		const cJSON *pair = cJSON_GetArrayItem(objs, i);
		assert_int_equal(cJSON_GetArraySize(pair), 2);
		assert_string_equal(cJSON_GetArrayItem(pair, 0)->valuestring, want_keys[i]);
		assert_string_equal(cJSON_GetArrayItem(pair, 1)->valuestring, want_rvs[i]);
	}
	const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(root, "Node");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(nodes, "resourceVersion")->valuestring,
	                    "8");
	const cJSON *n1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(nodes, "objects"), 0);
	assert_string_equal(cJSON_GetArrayItem(n1, 0)->valuestring, "n1");
	assert_string_equal(cJSON_GetArrayItem(n1, 1)->valuestring, "7");
	const cJSON *lrs = cJSON_GetObjectItemCaseSensitive(root, "LimitRange");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lrs, "synced")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(lrs, "resourceVersion")->valuestring,
	                    "");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(lrs, "objects")), 0);
	cJSON_Delete(root);
	hr_buf_fini(&out);

	/* the empty store */
	struct xt_store e;
	xt_store_init(&e);
	hr_buf_init(&out, 4096);
	xt_store_describe(&e, &out);
	assert_string_equal(
	    out.p,
	    "{\"Node\":{\"synced\":false,\"resourceVersion\":\"\",\"objects\":[]},"
	    "\"Pod\":{\"synced\":false,\"resourceVersion\":\"\",\"objects\":[]},"
	    "\"Namespace\":{\"synced\":false,\"resourceVersion\":\"\",\"objects\":[]},"
	    "\"LimitRange\":{\"synced\":false,\"resourceVersion\":\"\",\"objects\":[]},"
	    "\"RuntimeClass\":{\"synced\":false,\"resourceVersion\":\"\",\"objects\":[]}}\n");
	hr_buf_fini(&out);
	xt_store_fini(&e);
	xt_store_fini(&s);
}

static void test_describe_many_objects_sorted(void **state)
{
	(void)state;
	struct xt_store s;
	xt_store_init(&s);
	srand(11);
	for (int i = 0; i < 1500; i++) {
		char name[32];
		snprintf(name, sizeof(name), "p%d", rand() % 100000);
		xt_store_upsert(&s, pod("ns", name, NULL, "1m", "1Mi", "1"), "1");
	}
	size_t count = s.kinds[XT_KIND_POD].count;
	struct hr_buf out;
	hr_buf_init(&out, 1 << 22);
	xt_store_describe(&s, &out);
	cJSON *root = cJSON_ParseWithLength(out.p, out.len);
	assert_non_null(root);
	const cJSON *objs = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "Pod"), "objects");
	assert_int_equal((size_t)cJSON_GetArraySize(objs), count);
	const char *prev = NULL;
	const cJSON *pair;
	cJSON_ArrayForEach(pair, objs)
	{
		const char *key = cJSON_GetArrayItem(pair, 0)->valuestring;
		if (prev && strcmp(prev, key) >= 0)
			fail_msg("\"%s\" listed after \"%s\"", key, prev);
		prev = key;
	}
	cJSON_Delete(root);
	hr_buf_fini(&out);
	xt_store_fini(&s);
}

/* ---- concurrency ---- */

#define KEYS      400
#define NODES     4
#define WRITES    6000
#define READERS   2
#define POD_MILLI 100

struct race {
	struct xt_store store;
	atomic_bool done;
	atomic_int snapshots;
	bool present[KEYS]; /* writer's view of which keys the store holds */
	uint64_t changes;   /* writer's count of store changes */
	/* threads do not call cmocka: the first failure is written here */
	pthread_mutex_t fail_lock;
	char failure[256];
};

static void race_fail(struct race *r, const char *why)
{
	pthread_mutex_lock(&r->fail_lock);
	if (!r->failure[0])
		snprintf(r->failure, sizeof(r->failure), "%s", why);
	pthread_mutex_unlock(&r->fail_lock);
}

static void key_parts(int k, char *ns, size_t ns_size, char *name, size_t name_size)
{
	snprintf(ns, ns_size, "ns%d", k % 7);
	snprintf(name, name_size, "pod-%d", k);
}

static void *writer(void *arg)
{
	struct race *r = arg;
	struct hr_arena sc;
	hr_arena_init(&sc, NULL, 0);
	struct hr_err err;
	char ns[16], name[32], node[16], rv[24], key[64], text[2048];
	unsigned seed = 12345;
	for (int i = 0; i < WRITES; i++) {
		seed = seed * 1103515245u + 12345u;
		int k = (int)((seed >> 8) % KEYS);
		key_parts(k, ns, sizeof(ns), name, sizeof(name));
		snprintf(rv, sizeof(rv), "%d", 1000 + i);
		if (i % 1500 == 1499) {
			/* a relist: the first 50 keys only */
			struct xt_obj *list[50];
			for (int j = 0; j < 50; j++) {
				key_parts(j, ns, sizeof(ns), name, sizeof(name));
				snprintf(node, sizeof(node), "n%d", j % NODES);
				pod_json_into(text, sizeof(text), ns, name, node, "100m", "1Mi",
				              "Running", rv);
				list[j] = decode_obj(&sc, XT_KIND_POD, text, &err);
				if (!list[j]) {
					race_fail(r, err.msg);
					break;
				}
			}
			if (r->failure[0])
				break;
			xt_store_replace(&r->store, XT_KIND_POD, list, 50, rv);
			for (int j = 0; j < KEYS; j++)
				r->present[j] = j < 50;
		} else if ((seed >> 4) % 3 == 0) {
			snprintf(key, sizeof(key), "%s/%s", ns, name);
			xt_store_delete(&r->store, XT_KIND_POD, key, rv);
			r->present[k] = false;
		} else {
			/* some pods land on a node the store does not have */
			snprintf(node, sizeof(node), "n%d", (int)((seed >> 12) % (NODES + 1)));
			pod_json_into(text, sizeof(text), ns, name, node, "100m", "1Mi", "Running",
			              rv);
			struct xt_obj *o = decode_obj(&sc, XT_KIND_POD, text, &err);
			if (!o) {
				race_fail(r, err.msg);
				break;
			}
			xt_store_upsert(&r->store, o, rv);
			r->present[k] = true;
		}
		r->changes++;
	}
	hr_arena_fini(&sc);
	atomic_store(&r->done, true);
	return NULL;
}

/* A snapshot must be internally consistent: per node, the sum of its pods. NULL when it is,
 * else what is wrong. */
static const char *snapshot_problem(const struct xt_snap *snap)
{
	const struct hr_snapshot *ss = snap->snap;
	if (ss->n_nodes != NODES)
		return "wrong node count";
	size_t counted = 0;
	for (size_t i = 0; i < ss->n_nodes; i++) {
		const struct hr_node_info *info = &ss->nodes[i];
		if (info->requested.cpu_milli != (int64_t)info->n_pods * POD_MILLI ||
		    info->requested.mem_bytes != (int64_t)info->n_pods * MI)
			return "node requests are not the sum of its pods";
		for (size_t j = 0; j < info->n_pods; j++) {
			if (!hr_str_eq(info->pods[j]->node_name, info->node->name))
				return "pod on the wrong node";
			if (info->pods[j]->request.cpu_milli != POD_MILLI)
				return "pod with a wrong request";
		}
		counted += info->n_pods;
	}
	if (ss->n_pods != counted)
		return "n_pods is not the sum over nodes";
	if (ss->stats.pods_total != counted + ss->stats.pods_unknown_node)
		return "pods_total does not add up";
	if (ss->stats.pods_total > KEYS)
		return "more pods than keys";
	return NULL;
}

static void check_snapshot(const struct xt_snap *snap)
{
	const char *why = snapshot_problem(snap);
	if (why)
		fail_msg("%s", why);
}

static void *reader(void *arg)
{
	struct race *r = arg;
	struct xt_snap *held[4] = {NULL};
	unsigned n = 0;
	const char *why;
	while (!atomic_load(&r->done)) {
		struct xt_snap *snap = NULL;
		struct hr_err err;
		hr_err_clear(&err);
		if (xt_store_snapshot(&r->store, "race", &snap, &err) != HR_OK) {
			race_fail(r, err.msg);
			break;
		}
		if ((why = snapshot_problem(snap)) != NULL)
			race_fail(r, why);
		/* keep a few alive while the writer replaces their objects */
		xt_snap_release(held[n % 4]);
		held[n % 4] = snap;
		n++;
		atomic_fetch_add(&r->snapshots, 1);
	}
	for (int i = 0; i < 4; i++) {
		/* still readable after the writer finished */
		if (held[i] && (why = snapshot_problem(held[i])) != NULL)
			race_fail(r, why);
		xt_snap_release(held[i]);
	}
	return NULL;
}

static void test_concurrent_writer_and_snapshot_readers(void **state)
{
	(void)state;
	struct race *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	pthread_mutex_init(&r->fail_lock, NULL);
	xt_store_init(&r->store);
	atomic_init(&r->done, false);
	atomic_init(&r->snapshots, 0);
	for (int i = 0; i < NODES; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		xt_store_upsert(&r->store, obj(XT_KIND_NODE, node_json(name, "1")), "1");
	}
	pthread_t w, rd[READERS];
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&rd[i], NULL, reader, r), 0);
	assert_int_equal(pthread_create(&w, NULL, writer, r), 0);
	assert_int_equal(pthread_join(w, NULL), 0);
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_join(rd[i], NULL), 0);
	if (r->failure[0])
		fail_msg("%s", r->failure);
	assert_true(atomic_load(&r->snapshots) > 0);

	/* the store ends as the writer saw it */
	size_t want = 0;
	for (int k = 0; k < KEYS; k++)
		want += r->present[k];
	assert_int_equal(r->store.kinds[XT_KIND_POD].count, want);
	assert_int_equal(xt_store_version(&r->store), NODES + r->changes);
	struct xt_snap *snap = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(xt_store_snapshot(&r->store, "final", &snap, &err), HR_OK);
	check_snapshot(snap);
	assert_int_equal(snap->snap->stats.pods_total, want);
	xt_snap_release(snap);
	xt_store_fini(&r->store);
	pthread_mutex_destroy(&r->fail_lock);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_obj_key),
	    cmocka_unit_test(test_obj_node),
	    cmocka_unit_test(test_obj_pod_request_vector_computed),
	    cmocka_unit_test(test_obj_pod_namespace_defaults),
	    cmocka_unit_test(test_obj_namespace),
	    cmocka_unit_test(test_obj_limit_range),
	    cmocka_unit_test(test_obj_runtime_class),
	    cmocka_unit_test(test_obj_owns_its_memory),
	    cmocka_unit_test(test_obj_without_name_is_an_error),
	    cmocka_unit_test(test_obj_decode_error_names_the_field),
	    cmocka_unit_test(test_store_empty),
	    cmocka_unit_test(test_store_upsert_replaces_by_key),
	    cmocka_unit_test(test_store_delete),
	    cmocka_unit_test(test_store_replace_is_a_relist),
	    cmocka_unit_test(test_store_bookmark_moves_only_the_resource_version),
	    cmocka_unit_test(test_store_mark_synced_and_version),
	    cmocka_unit_test(test_store_many_objects_grow_the_table),
	    cmocka_unit_test(test_snapshot_of_an_empty_store),
	    cmocka_unit_test(test_snapshot_aggregates),
	    cmocka_unit_test(test_snapshot_keeps_objects_alive),
	    cmocka_unit_test(test_snapshot_outlives_the_store),
	    cmocka_unit_test(test_snapshot_replaced_object_stays_with_old_snapshot),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_describe_many_objects_sorted),
	    cmocka_unit_test(test_concurrent_writer_and_snapshot_readers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
