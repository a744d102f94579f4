/* test_admit.c: what the API server does to a new pod before the scheduler
 * sees it, as the capacity verb emulates it (admit.h, incoming.h;
 * spec/predicates.md §6): defaulting, DefaultTolerationSeconds, LimitRanger,
 * RuntimeClass, the matchLabelKeys / mismatchLabelKeys merge, and the API
 * validation that rejects a pod naming the field.
 * Pods go through hr_incoming_pod(admit = true) as the capacity verb does;
 * some cases then filter or count to show the effect on scheduling.
 * JSON is written with single quotes and converted before parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "capacity.h"
#include "filter.h"
#include "incoming.h"
#include "snapshot.h"
#include "support.h"

#define LIST(items) "{'kind':'List','apiVersion':'v1','items':[" items "]}"
#define NODE(name, labels, spec, alloc)                                                            \
	"{'kind':'Node','metadata':{'name':'" name "','labels':{" labels "}},'spec':{" spec        \
	"},'status':{'allocatable':{" alloc "}}}"
#define POD(name, node, labels, spec)                                                              \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'default','labels':{" labels      \
	"}},'spec':{'nodeName':'" node "'," spec "},'status':{'phase':'Running'}}"
#define PODNS(ns, labels, spec)                                                                    \
	"{'kind':'Pod','metadata':{'name':'incoming','namespace':'" ns "','labels':{" labels       \
	"}},'spec':{" spec "}}"
/* any pod: extra metadata after the labels, node ("" = unbound), status fields */
#define POD_X(name, meta, node, labels, spec, status)                                              \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'default','labels':{" labels      \
	"}" meta "},'spec':{'nodeName':'" node "'," spec "},'status':{" status "}}"
#define PODIN(labels, spec) PODNS("default", labels, spec)
#define CTR(res)            "'containers':[{'name':'c','resources':{" res "}}]"
#define STD                 "'cpu':'4','memory':'32Gi','pods':'110'"
#define HOST                "kubernetes.io/hostname"
#define MI(n)               ((int64_t)(n)*1024 * 1024)

/* ---- fixture -------------------------------------------------------------- */

struct fx {
	bool live;
	struct hr_arena arena;
	struct hr_err err;
	const struct hr_snapshot *snap;
	struct hr_pod *pod;
	unsigned admitted;
};

static struct fx F;

static cJSON *parse_quoted(const char *text)
{
	size_t n = strlen(text);
	char *copy = malloc(n + 1);
	assert_non_null(copy);
	for (size_t i = 0; i <= n; i++)
		copy[i] = text[i] == '\'' ? '"' : text[i];
	cJSON *doc = cJSON_ParseWithLength(copy, n);
	if (!doc) {
		fprintf(stderr, "bad test JSON: %s\n", copy);
		free(copy);
		fail_msg("test JSON does not parse");
	}
	free(copy);
	return doc;
}

static void fx_reset(struct fx *f)
{
	if (f->live)
		hr_arena_fini(&f->arena);
	memset(f, 0, sizeof(*f));
}

static int fx_teardown(void **state)
{
	(void)state;
	fx_reset(&F);
	hr_test_free_lists();
	return 0;
}

/* Decodes the cluster and the pod (admitted when `admit`); returns the code. */
static enum hr_code try_load(const char *cluster, const char *pod, bool admit)
{
	fx_reset(&F);
	F.live = true;
	hr_arena_init(&F.arena, NULL, 0);
	hr_err_clear(&F.err);
	cJSON *cdoc = parse_quoted(cluster);
	cJSON *pdoc = parse_quoted(pod);
	enum hr_code rc = hr_snapshot_from_json(cdoc, &F.arena, &F.snap, &F.err);
	if (rc != HR_OK) {
		char msg[512];
		hr_err_format(&F.err, msg, sizeof(msg));
		cJSON_Delete(cdoc);
		cJSON_Delete(pdoc);
		fail_msg("the test cluster does not load: %s", msg);
	}
	rc = hr_incoming_pod(pdoc, F.snap, admit, NULL, &F.arena, &F.pod, &F.admitted, &F.err);
	cJSON_Delete(cdoc);
	cJSON_Delete(pdoc);
	return rc;
}

static void load(const char *cluster, const char *pod)
{
	if (try_load(cluster, pod, true) != HR_OK) {
		char msg[512];
		hr_err_format(&F.err, msg, sizeof(msg));
		fail_msg("admission rejected the pod: %s", msg);
	}
}

/* The pod must be rejected with HR_EINVAL at exactly `where`, the message
 * containing each of the NULL-terminated fragments. */
static void expect_rejected(const char *cluster, const char *pod, const char *where, ...)
{
	enum hr_code rc = try_load(cluster, pod, true);
	if (rc != HR_EINVAL)
		fail_msg("want HR_EINVAL at %s, got %s (%s: %s)", where, hr_code_name(rc),
		         F.err.where, F.err.msg);
	assert_string_equal(F.err.where, where);
	va_list ap;
	va_start(ap, where);
	for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *))
		if (!strstr(F.err.msg, frag)) {
			va_end(ap);
			fail_msg("message \"%s\" does not mention \"%s\"", F.err.msg, frag);
		}
	va_end(ap);
	/* the filter verb does not validate: the same pod decodes without admission */
	assert_int_equal(try_load(cluster, pod, false), HR_OK);
}

static int64_t milli_of(struct hr_qty_list l, const char *name)
{
	const struct hr_qty_entry *e = hr_qty_list_get(l, hr_str_c(name));
	return e ? e->milli : -1;
}

static const struct hr_toleration *toleration(const struct hr_pod *pod, const char *key,
                                              enum hr_effect effect)
{
	const struct hr_toleration *found = NULL;
	for (size_t i = 0; i < pod->n_tolerations; i++)
		if (hr_str_eq_c(pod->tolerations[i].key, key) &&
		    pod->tolerations[i].effect == effect) {
			assert_null(found); /* never twice */
			found = &pod->tolerations[i];
		}
	return found;
}

static const char *label(struct hr_labels l, const char *key)
{
	static char out[256];
	const struct hr_str *v = hr_labels_get(l, hr_str_c(key));
	if (!v)
		return "(absent)";
	snprintf(out, sizeof(out), "%.*s", (int)v->n, v->p);
	return out;
}

/* Filters node `name` with the loaded pod and returns the reason text ("" = fits). */
static const char *filter_text(const char *name)
{
	static char out[512];
	struct hr_filter_ctx ctx;
	assert_int_equal(hr_filter_prepare(&ctx, F.snap, F.pod, false, &F.arena, &F.err), HR_OK);
	assert_false(ctx.prefilter_rejected);
	const struct hr_node_info *info = hr_snap_find_node(F.snap, hr_str_c(name));
	assert_non_null(info);
	struct hr_node_status st;
	hr_filter_node(&ctx, info, &st);
	struct hr_buf b;
	hr_buf_init(&b, 4096);
	if (st.code != HR_STATUS_SUCCESS)
		hr_status_text(&st, F.pod, &b);
	snprintf(out, sizeof(out), "%s", b.p ? b.p : "");
	hr_buf_fini(&b);
	return out;
}

static void capacity(int64_t count, const char *message)
{
	struct hr_capacity_result r;
	struct hr_capacity_opts opts = {.mode = HR_CAPACITY_AUTO};
	assert_int_equal(hr_capacity(F.snap, F.pod, &opts, &F.arena, &r, &F.err), HR_OK);
	assert_int_equal(r.count, count);
	assert_string_equal(r.message, message);
}

static const char *const one_node = LIST(NODE("n1", "", "", STD));

/* ---- API defaulting (§6.1, §6.2) --------------------------------------------------- */

static void test_requests_default_to_limits(void **state)
{
	(void)state;
	load(one_node,
	     PODIN("", "'initContainers':[{'name':'i','resources':{'limits':{'cpu':'2'}}}]," CTR(
	                   "'limits':{'cpu':'1','memory':'1Gi'},'requests':{'cpu':'250m'}")));
	assert_int_equal(milli_of(F.pod->containers[0].requests, "cpu"), 250);
	assert_int_equal(milli_of(F.pod->containers[0].requests, "memory"), MI(1024) * 1000);
	assert_int_equal(milli_of(F.pod->init_containers[0].requests, "cpu"), 2000);
	/* R = max(250m, init 2) = 2000m; memory from the limit */
	assert_int_equal(F.pod->request.cpu_milli, 2000);
	assert_int_equal(F.pod->request.mem_bytes, MI(1024));
}

static void test_quantities_round_up_to_milli(void **state)
{
	(void)state;
	/* cpu 0.4m is stored as 1m: two containers need 2m; memory 0.4 (= 400m) is exact,
	 * two make 800m bytes, which the scheduler rounds up to 1 byte */
	load(one_node,
	     PODIN("",
	           "'containers':[{'name':'a','resources':{'requests':{'cpu':'0.4m','memory':'0.4'}"
	           "}},{'name':'b','resources':{'requests':{'cpu':'0.4m','memory':'0.4'}}}]"));
	assert_int_equal(F.pod->request.cpu_milli, 2);
	assert_int_equal(F.pod->request.mem_bytes, 1);
}

static void test_pod_level_requests_default(void **state)
{
	(void)state;
	/* pod-level limits set: a missing pod-level cpu request := the containers' aggregate
	 * (500m); memory, which no container requests, := the pod-level limit (1Gi) */
	load(one_node, PODIN("", CTR("'requests':{'cpu':'500m'}") ",'resources':{'limits':{'cpu':'"
	                                                          "2','memory':'1Gi'}}"));
	assert_int_equal(F.pod->request.cpu_milli, 500);
	assert_int_equal(F.pod->request.mem_bytes, MI(1024));
	/* a container memory request is the aggregate instead */
	load(one_node, PODIN("", CTR("'requests':{'memory':'256Mi'}") ",'resources':{'limits':{'"
	                                                              "cpu':'2','memory':'1Gi'}}"));
	assert_int_equal(F.pod->request.cpu_milli, 2000);
	assert_int_equal(F.pod->request.mem_bytes, MI(256));
	/* explicit pod-level requests replace the container aggregate */
	load(one_node,
	     PODIN("", CTR("'requests':{'cpu':'100m','memory':'64Mi'}") ",'resources':{'requests':{"
	                                                                "'cpu':'300m'}}"));
	assert_int_equal(F.pod->request.cpu_milli, 300);
	assert_int_equal(F.pod->request.mem_bytes, MI(64));
}

/* ---- DefaultTolerationSeconds (§6.6) ---------------------------------------------- */

#define NOT_READY   "node.kubernetes.io/not-ready"
#define UNREACHABLE "node.kubernetes.io/unreachable"

static void expect_default_toleration(const char *key)
{
	const struct hr_toleration *t = toleration(F.pod, key, HR_EFFECT_NO_EXECUTE);
	if (!t)
		fail_msg("no default toleration for %s", key);
	assert_int_equal(t->op, HR_TOL_EXISTS);
	assert_true(t->has_seconds);
	assert_int_equal(t->seconds, 300);
	assert_int_equal(t->value.n, 0);
}

static void test_default_tolerations_added(void **state)
{
	(void)state;
	load(one_node, PODIN("", CTR("")));
	assert_int_equal(F.pod->n_tolerations, 2);
	expect_default_toleration(NOT_READY);
	expect_default_toleration(UNREACHABLE);
	assert_true(F.admitted & HR_ADMIT_DEFAULT_TOLERATIONS);
	/* the filter verb's pod was admitted elsewhere: nothing is added */
	assert_int_equal(try_load(one_node, PODIN("", CTR("")), false), HR_OK);
	assert_int_equal(F.pod->n_tolerations, 0);
}

static void test_default_tolerations_respect_existing(void **state)
{
	(void)state;
	static const struct {
		const char *tols;
		size_t n_after;
		bool not_ready_added, unreachable_added;
	} cases[] = {
	    /* empty key, empty effect: covers both */
	    {"{'operator':'Exists'}", 1, false, false},
	    /* empty key, NoExecute: covers both */
	    {"{'operator':'Exists','effect':'NoExecute'}", 1, false, false},
	    /* empty key, NoSchedule: covers neither */
	    {"{'operator':'Exists','effect':'NoSchedule'}", 3, true, true},
	    /* the not-ready key with NoExecute: only unreachable is added */
	    {"{'key':'" NOT_READY
	     "','operator':'Exists','effect':'NoExecute','tolerationSeconds':60}",
	     2, false, true},
	    /* with an empty effect: the same */
	    {"{'key':'" NOT_READY "','operator':'Exists'}", 2, false, true},
	    /* the not-ready key with NoSchedule does not count */
	    {"{'key':'" NOT_READY "','operator':'Exists','effect':'NoSchedule'}", 3, true, true},
	    /* only key and effect are looked at, not operator or value */
	    {"{'key':'" UNREACHABLE "','operator':'Equal','value':'x'}", 2, true, false},
	    /* another key: both added */
	    {"{'key':'other','operator':'Exists','effect':'NoExecute'}", 3, true, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char pod[1024];
		snprintf(pod, sizeof(pod), PODIN("", CTR("") ",'tolerations':[%s]"), cases[i].tols);
		load(one_node, pod);
		if (F.pod->n_tolerations != cases[i].n_after)
			fail_msg("case %zu: %zu tolerations, want %zu", i, F.pod->n_tolerations,
			         cases[i].n_after);
		const struct hr_toleration *nr = toleration(F.pod, NOT_READY, HR_EFFECT_NO_EXECUTE);
		const struct hr_toleration *ur =
		    toleration(F.pod, UNREACHABLE, HR_EFFECT_NO_EXECUTE);
		if (cases[i].not_ready_added)
			expect_default_toleration(NOT_READY);
		if (cases[i].unreachable_added)
			expect_default_toleration(UNREACHABLE);
		if (!cases[i].not_ready_added && nr)
			assert_false(nr->has_seconds && nr->seconds == 300);
		if (!cases[i].unreachable_added && ur)
			assert_false(ur->has_seconds && ur->seconds == 300);
		assert_int_equal(!!(F.admitted & HR_ADMIT_DEFAULT_TOLERATIONS),
		                 cases[i].not_ready_added || cases[i].unreachable_added);
	}
	/* the pod's own toleration keeps its seconds */
	load(one_node,
	     PODIN("",
	           CTR("") ",'tolerations':[{'key':'" NOT_READY
	                   "','operator':'Exists','effect':'NoExecute','tolerationSeconds':60}]"));
	assert_int_equal(toleration(F.pod, NOT_READY, HR_EFFECT_NO_EXECUTE)->seconds, 60);
}

static void test_default_tolerations_effect_on_scheduling(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(
	    NODE("ne", "", "'taints':[{'key':'" UNREACHABLE "','effect':'NoExecute'}]", STD),
	    NODE("ns", "", "'taints':[{'key':'" UNREACHABLE "','effect':'NoSchedule'}]", STD),
	    NODE("nr", "", "'taints':[{'key':'" NOT_READY "','effect':'NoExecute'}]", STD), NULL);
	const char *pod = PODIN("", CTR("'requests':{'cpu':'1'}"));
	/* admitted: the NoExecute taints are tolerated, the NoSchedule one is not */
	load(cluster, pod);
	assert_string_equal(filter_text("ne"), "");
	assert_string_equal(filter_text("nr"), "");
	assert_string_equal(filter_text("ns"),
	                    "node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
	/* 4 cpus / 1 cpu on each of ne and nr */
	capacity(8, "0/3 nodes are available: 1 node(s) had untolerated taint "
	            "{node.kubernetes.io/unreachable: }, 2 Insufficient cpu.");
	/* not admitted (filter verb): NoExecute filters too */
	assert_int_equal(try_load(cluster, pod, false), HR_OK);
	assert_string_equal(filter_text("ne"),
	                    "node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
	assert_string_equal(filter_text("nr"),
	                    "node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
}

/* ---- LimitRanger (§6.7) ---------------------------------------------------------- */

#define LIMIT_RANGE(ns, items)                                                                     \
	"{'kind':'LimitRange','metadata':{'name':'lr-" ns "','namespace':'" ns "'},'spec':{"       \
	"'limits':[" items "]}}"
#define LR_STD                                                                                     \
	"{'type':'Container','default':{'cpu':'500m','memory':'256Mi'},'defaultRequest':{'cpu':"   \
	"'100m'}}"

static void test_limit_ranger_defaults(void **state)
{
	(void)state;
	const char *cluster =
	    hr_test_list(NODE("n1", "", "", STD), LIMIT_RANGE("default", LR_STD), NULL);
	/* no resources: limits from default, requests from defaultRequest, and memory's
	 * defaultRequest := default */
	load(cluster, PODIN("", "'containers':[{'name':'c'}]"));
	assert_true(F.admitted & HR_ADMIT_LIMIT_RANGER);
	const struct hr_container *c = &F.pod->containers[0];
	assert_int_equal(milli_of(c->limits, "cpu"), 500);
	assert_int_equal(milli_of(c->limits, "memory"), MI(256) * 1000);
	assert_int_equal(milli_of(c->requests, "cpu"), 100);
	assert_int_equal(milli_of(c->requests, "memory"), MI(256) * 1000);
	assert_int_equal(F.pod->request.cpu_milli, 100);
	assert_int_equal(F.pod->request.mem_bytes, MI(256));

	/* pod-level limits: API defaulting sets the pod-level requests when the pod is
	 * decoded, before LimitRanger gives the container its defaultRequest, so they
	 * come from the pod-level limits (2, 1Gi), not from LimitRanger's 100m/256Mi */
	load(cluster, PODIN("", "'containers':[{'name':'c'}],'resources':{'limits':{'cpu':'2',"
	                        "'memory':'1Gi'}}"));
	assert_int_equal(milli_of(F.pod->containers[0].requests, "cpu"), 100);
	assert_int_equal(F.pod->request.cpu_milli, 2000);
	assert_int_equal(F.pod->request.mem_bytes, MI(1024));

	/* an explicit request stays; the missing limit is filled */
	load(cluster, PODIN("", CTR("'requests':{'cpu':'200m'}")));
	c = &F.pod->containers[0];
	assert_int_equal(milli_of(c->requests, "cpu"), 200);
	assert_int_equal(milli_of(c->limits, "cpu"), 500);
	assert_int_equal(milli_of(c->requests, "memory"), MI(256) * 1000);

	/* a limit without a request: API defaulting made request := limit before
	 * LimitRanger, so defaultRequest does not apply */
	load(cluster, PODIN("", CTR("'limits':{'cpu':'400m'}")));
	c = &F.pod->containers[0];
	assert_int_equal(milli_of(c->requests, "cpu"), 400);
	assert_int_equal(milli_of(c->limits, "cpu"), 400);
	assert_int_equal(F.pod->request.cpu_milli, 400);

	/* init containers are defaulted too */
	load(cluster, PODIN("", "'initContainers':[{'name':'i'}],'containers':[{'name':'c','"
	                        "resources':{'requests':{'cpu':'50m'}}}]"));
	assert_int_equal(milli_of(F.pod->init_containers[0].requests, "cpu"), 100);
	assert_int_equal(milli_of(F.pod->init_containers[0].limits, "memory"), MI(256) * 1000);
	assert_int_equal(F.pod->request.cpu_milli, 100); /* max(50m, init 100m) */
}

static void test_limit_ranger_namespace_scope(void **state)
{
	(void)state;
	const char *cluster =
	    hr_test_list(NODE("n1", "", "", STD), LIMIT_RANGE("other", LR_STD), NULL);
	load(cluster, PODIN("", "'containers':[{'name':'c'}]"));
	assert_false(F.admitted & HR_ADMIT_LIMIT_RANGER);
	assert_int_equal(F.pod->containers[0].requests.n, 0);
	assert_int_equal(F.pod->containers[0].limits.n, 0);
	assert_int_equal(F.pod->request.cpu_milli, 0);
	load(cluster, PODNS("other", "", "'containers':[{'name':'c'}]"));
	assert_true(F.admitted & HR_ADMIT_LIMIT_RANGER);
	assert_int_equal(F.pod->request.cpu_milli, 100);
}

static void test_limit_ranger_item_defaulting(void **state)
{
	(void)state;
	/* default := max when absent, and defaultRequest := default */
	load(hr_test_list(NODE("n1", "", "", STD),
	                  LIMIT_RANGE("default", "{'type':'Container','max':{'cpu':'2'}}"), NULL),
	     PODIN("", "'containers':[{'name':'c'}]"));
	assert_int_equal(milli_of(F.pod->containers[0].limits, "cpu"), 2000);
	assert_int_equal(milli_of(F.pod->containers[0].requests, "cpu"), 2000);
	/* defaultRequest := min when there is no default: a request but no limit */
	load(hr_test_list(NODE("n1", "", "", STD),
	                  LIMIT_RANGE("default", "{'type':'Container','min':{'memory':'64Mi'}}"),
	                  NULL),
	     PODIN("", "'containers':[{'name':'c'}]"));
	assert_int_equal(milli_of(F.pod->containers[0].requests, "memory"), MI(64) * 1000);
	assert_int_equal(milli_of(F.pod->containers[0].limits, "memory"), -1);
	assert_int_equal(F.pod->request.mem_bytes, MI(64));
	/* default wins over min for defaultRequest */
	load(hr_test_list(
	         NODE("n1", "", "", STD),
	         LIMIT_RANGE("default",
	                     "{'type':'Container','default':{'cpu':'1'},'min':{'cpu':'100m'}}"),
	         NULL),
	     PODIN("", "'containers':[{'name':'c'}]"));
	assert_int_equal(milli_of(F.pod->containers[0].requests, "cpu"), 1000);
	/* defaultRequest wins over default */
	load(hr_test_list(NODE("n1", "", "", STD),
	                  LIMIT_RANGE("default",
	                              "{'type':'Container','default':{'cpu':'1'},'defaultRequest'"
	                              ":{'cpu':'300m'},'max':{'cpu':'4'},'min':{'cpu':'100m'}}"),
	                  NULL),
	     PODIN("", "'containers':[{'name':'c'}]"));
	assert_int_equal(milli_of(F.pod->containers[0].requests, "cpu"), 300);
	assert_int_equal(milli_of(F.pod->containers[0].limits, "cpu"), 1000);
}

static void test_limit_ranger_only_container_items(void **state)
{
	(void)state;
	load(
	    hr_test_list(NODE("n1", "", "", STD),
	                 LIMIT_RANGE("default", "{'type':'Pod','max':{'cpu':'2'}},{'type':'"
	                                        "PersistentVolumeClaim','max':{'storage':'10Gi'}}"),
	                 NULL),
	    PODIN("", "'containers':[{'name':'c'}]"));
	assert_false(F.admitted & HR_ADMIT_LIMIT_RANGER);
	assert_int_equal(F.pod->containers[0].limits.n, 0);
	assert_int_equal(F.pod->containers[0].requests.n, 0);
	/* a Container item beside a Pod item still applies */
	load(hr_test_list(NODE("n1", "", "", STD),
	                  LIMIT_RANGE("default", "{'type':'Pod','max':{'cpu':'8'}}," LR_STD), NULL),
	     PODIN("", "'containers':[{'name':'c'}]"));
	assert_int_equal(milli_of(F.pod->containers[0].limits, "cpu"), 500);
	assert_int_equal(milli_of(F.pod->containers[0].requests, "cpu"), 100);
}

static void test_limit_ranger_several_ranges(void **state)
{
	(void)state;
	load(hr_test_list(
	         NODE("n1", "", "", STD),
	         LIMIT_RANGE(
	             "default",
	             "{'type':'Container','default':{'cpu':'500m'}}") ",{'kind':'LimitRange','"
	                                                              "metadata':{'name':'second',"
	                                                              "'namespace':'default'},'"
	                                                              "spec':{'limits':[{'type':'"
	                                                              "Container','default':{'"
	                                                              "memory':'128Mi'}}]}}",
	         NULL),
	     PODIN("", "'containers':[{'name':'c'}]"));
	assert_int_equal(milli_of(F.pod->containers[0].requests, "cpu"), 500);
	assert_int_equal(milli_of(F.pod->containers[0].requests, "memory"), MI(128) * 1000);
}

static void test_limit_ranger_then_validation(void **state)
{
	(void)state;
	/* request 1 cpu, LimitRanger's default limit 500m: requests > limits */
	expect_rejected(hr_test_list(NODE("n1", "", "", STD), LIMIT_RANGE("default", LR_STD), NULL),
	                PODIN("", CTR("'requests':{'cpu':'1'}")),
	                "spec.containers[0].resources.requests", "cpu", NULL);
}

/* ---- RuntimeClass (§6.8) --------------------------------------------------------- */

#define KATA                                                                                       \
	"{'kind':'RuntimeClass','apiVersion':'node.k8s.io/v1','metadata':{'name':'kata'},"         \
	"'handler':'kata','overhead':{'podFixed':{'cpu':'250m','memory':'120Mi'}},'scheduling':{"  \
	"'nodeSelector':{'runtime':'kata'},'tolerations':[{'key':'kata','operator':'Exists',"      \
	"'effect':'NoSchedule'}]}}"
#define RUNC "{'kind':'RuntimeClass','metadata':{'name':'runc'},'handler':'runc'}"
/* clang-format off */
#define RC_CLUSTER                                                               \
	LIST(NODE("k1", "'runtime':'kata'",                                       \
		  "'taints':[{'key':'kata','value':'yes','effect':'NoSchedule'}]", \
		  "'cpu':'1','memory':'4Gi','pods':'110'") ","                     \
	     NODE("p1", "", "", STD) ","                                           \
	     KATA "," RUNC)
/* clang-format on */

static void test_runtime_class_overhead_selector_tolerations(void **state)
{
	(void)state;
	load(RC_CLUSTER, PODIN("", "'runtimeClassName':'kata'," CTR("'requests':{'cpu':'100m'}")));
	assert_true(F.admitted & HR_ADMIT_RUNTIME_CLASS);
	assert_false(F.admitted & HR_ADMIT_RUNTIME_CLASS_UNKNOWN);
	assert_int_equal(milli_of(F.pod->overhead, "cpu"), 250);
	assert_int_equal(milli_of(F.pod->overhead, "memory"), MI(120) * 1000);
	/* request = containers + overhead */
	assert_int_equal(F.pod->request.cpu_milli, 350);
	assert_int_equal(F.pod->request.mem_bytes, MI(120));
	assert_string_equal(label(F.pod->node_selector, "runtime"), "kata");
	const struct hr_toleration *t = toleration(F.pod, "kata", HR_EFFECT_NO_SCHEDULE);
	assert_non_null(t);
	assert_int_equal(t->op, HR_TOL_EXISTS);
	/* the default NoExecute tolerations are still there */
	expect_default_toleration(NOT_READY);
	/* scheduling: only k1 (label + taint tolerated); 350m copies: 1000m / 350m = 2 */
	assert_string_equal(filter_text("k1"), "");
	assert_string_equal(filter_text("p1"), "node(s) didn't match Pod's node affinity/selector");
	capacity(2, "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's "
	            "node affinity/selector.");
}

static void test_runtime_class_overhead_conflict(void **state)
{
	(void)state;
	/* the same overhead is accepted */
	load(RC_CLUSTER,
	     PODIN("", "'runtimeClassName':'kata','overhead':{'cpu':'250m','memory':'120Mi'}," CTR(
	                   "")));
	assert_int_equal(milli_of(F.pod->overhead, "cpu"), 250);
	/* a different one is rejected */
	expect_rejected(RC_CLUSTER,
	                PODIN("", "'runtimeClassName':'kata','overhead':{'cpu':'100m'}," CTR("")),
	                "spec.overhead", "kata", NULL);
}

static void test_runtime_class_node_selector_merge(void **state)
{
	(void)state;
	load(RC_CLUSTER,
	     PODIN("", "'runtimeClassName':'kata','nodeSelector':{'disk':'ssd'}," CTR("")));
	assert_int_equal(F.pod->node_selector.n, 2);
	assert_string_equal(label(F.pod->node_selector, "disk"), "ssd");
	assert_string_equal(label(F.pod->node_selector, "runtime"), "kata");
	/* the same key with the same value is fine */
	load(RC_CLUSTER,
	     PODIN("", "'runtimeClassName':'kata','nodeSelector':{'runtime':'kata'}," CTR("")));
	assert_int_equal(F.pod->node_selector.n, 1);
	/* a different value conflicts */
	expect_rejected(
	    RC_CLUSTER,
	    PODIN("", "'runtimeClassName':'kata','nodeSelector':{'runtime':'runc'}," CTR("")),
	    "spec.nodeSelector", "runtime", NULL);
}

static void test_runtime_class_toleration_merge_no_duplicates(void **state)
{
	(void)state;
	load(RC_CLUSTER, PODIN("", "'runtimeClassName':'kata','tolerations':[{'key':'kata','"
	                           "operator':'Exists','effect':'NoSchedule'}]," CTR("")));
	/* kata once, plus the two default tolerations */
	assert_non_null(toleration(F.pod, "kata", HR_EFFECT_NO_SCHEDULE));
	assert_int_equal(F.pod->n_tolerations, 3);
}

static void test_runtime_class_without_scheduling_or_overhead(void **state)
{
	(void)state;
	load(RC_CLUSTER, PODIN("", "'runtimeClassName':'runc'," CTR("'requests':{'cpu':'100m'}")));
	assert_int_equal(F.pod->overhead.n, 0);
	assert_int_equal(F.pod->node_selector.n, 0);
	assert_int_equal(F.pod->request.cpu_milli, 100);
	assert_int_equal(F.pod->n_tolerations, 2);
}

static void test_runtime_class_unknown(void **state)
{
	(void)state;
	/* RuntimeClasses exist but not this one: the API server would reject the pod */
	expect_rejected(RC_CLUSTER, PODIN("", "'runtimeClassName':'gvisor'," CTR("")),
	                "spec.runtimeClassName", "gvisor", NULL);
	/* the snapshot carries no RuntimeClasses at all: noted, not rejected */
	load(one_node, PODIN("", "'runtimeClassName':'gvisor'," CTR("'requests':{'cpu':'1'}")));
	assert_true(F.admitted & HR_ADMIT_RUNTIME_CLASS_UNKNOWN);
	assert_false(F.admitted & HR_ADMIT_RUNTIME_CLASS);
	assert_int_equal(F.pod->overhead.n, 0);
	assert_int_equal(F.pod->request.cpu_milli, 1000);
	/* no runtimeClassName: nothing to do */
	load(RC_CLUSTER, PODIN("", CTR("")));
	assert_false(F.admitted & (HR_ADMIT_RUNTIME_CLASS | HR_ADMIT_RUNTIME_CLASS_UNKNOWN));
}

/* ---- matchLabelKeys / mismatchLabelKeys (§2.7, §6.10) ------------------------------ */

static const struct hr_requirement *requirement(const struct hr_label_selector *sel,
                                                const char *key, enum hr_sel_op op)
{
	for (size_t i = 0; i < sel->n_reqs; i++)
		if (hr_str_eq_c(sel->reqs[i].key, key) && sel->reqs[i].op == op)
			return &sel->reqs[i];
	return NULL;
}

static void test_label_keys_merged_into_selector(void **state)
{
	(void)state;
	load(one_node,
	     PODIN("'app':'web','version':'v1','tier':'fe'",
	           CTR("") ",'affinity':{'podAntiAffinity':{'"
	                   "requiredDuringSchedulingIgnoredDuringExecution':[{'labelSelector':{'"
	                   "matchLabels':{'app':'web'}},'topologyKey':'" HOST
	                   "','matchLabelKeys':['version','absent'],'mismatchLabelKeys':['tier']}],"
	                   "'preferredDuringSchedulingIgnoredDuringExecution':[{'weight':10,'"
	                   "podAffinityTerm':{'labelSelector':{'matchLabels':{'app':'web'}},'"
	                   "topologyKey':'zone','matchLabelKeys':['version']}}]}}"));
	assert_true(F.admitted & HR_ADMIT_LABEL_KEYS);
	const struct hr_label_selector *sel = &F.pod->pod_anti_affinity.v[0].selector;
	/* app=web, version In [v1], tier NotIn [fe]; "absent" is not on the pod */
	assert_int_equal(sel->n_reqs, 3);
	const struct hr_requirement *r = requirement(sel, "version", HR_OP_IN);
	assert_non_null(r);
	assert_int_equal(r->n_values, 1);
	assert_true(hr_str_eq_c(r->values[0], "v1"));
	r = requirement(sel, "tier", HR_OP_NOT_IN);
	assert_non_null(r);
	assert_int_equal(r->n_values, 1);
	assert_true(hr_str_eq_c(r->values[0], "fe"));
	assert_null(requirement(sel, "absent", HR_OP_IN));
	/* preferred terms are merged too */
	sel = &F.pod->pref_pod_anti_affinity.v[0].selector;
	assert_int_equal(sel->n_reqs, 2);
	assert_non_null(requirement(sel, "version", HR_OP_IN));
}

static void test_label_keys_need_a_selector(void **state)
{
	(void)state;
	/* labelSelector nil: nothing is merged (the term still matches no pod) */
	load(one_node,
	     PODIN("'version':'v1'",
	           CTR("") ",'affinity':{'podAntiAffinity':{'"
	                   "requiredDuringSchedulingIgnoredDuringExecution':[{'topologyKey':'" HOST
	                   "','matchLabelKeys':['version']}]}}"));
	assert_false(F.pod->pod_anti_affinity.v[0].selector.present);
	assert_int_equal(F.pod->pod_anti_affinity.v[0].selector.n_reqs, 0);
}

/* clang-format off */
#define LK_CLUSTER                                                          \
	LIST(NODE("n1", "'" HOST "':'n1'", "", STD) ","                      \
	     NODE("n2", "'" HOST "':'n2'", "", STD) ","                      \
	     NODE("n3", "'" HOST "':'n3'", "", STD) ","                      \
	     POD("old1", "n1", "'app':'web','version':'v1'", CTR("")) ","    \
	     POD("old2", "n2", "'app':'web','version':'v2'", CTR("")))
/* clang-format on */
#define WEB_ANTI(extra)                                                                            \
	",'affinity':{'podAntiAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':[{"      \
	"'labelSelector':{'matchLabels':{'app':'web'}},'topologyKey':'" HOST "'" extra "}]}}"

static void test_label_keys_effect_on_scheduling(void **state)
{
	(void)state;
	/* without matchLabelKeys every web pod repels: only n3 */
	load(LK_CLUSTER, PODIN("'app':'web','version':'v1'", CTR("") WEB_ANTI("")));
	assert_string_equal(filter_text("n1"), "node(s) didn't match pod anti-affinity rules");
	assert_string_equal(filter_text("n2"), "node(s) didn't match pod anti-affinity rules");
	capacity(1, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
	/* matchLabelKeys [version]: only v1 pods repel a v1 pod: n2 and n3 */
	load(LK_CLUSTER, PODIN("'app':'web','version':'v1'",
	                       CTR("") WEB_ANTI(",'matchLabelKeys':['version']")));
	assert_string_equal(filter_text("n1"), "node(s) didn't match pod anti-affinity rules");
	assert_string_equal(filter_text("n2"), "");
	assert_string_equal(filter_text("n3"), "");
	capacity(2, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
	/* mismatchLabelKeys on affinity: go next to web pods of another version */
	load(LK_CLUSTER,
	     PODIN("'app':'web','version':'v1'",
	           CTR("") ",'affinity':{'podAffinity':{'"
	                   "requiredDuringSchedulingIgnoredDuringExecution':[{'labelSelector':{'"
	                   "matchLabels':{'app':'web'}},'topologyKey':'" HOST
	                   "','mismatchLabelKeys':['version']}]}}"));
	assert_string_equal(filter_text("n1"), "node(s) didn't match pod affinity rules");
	assert_string_equal(filter_text("n2"), "");
	assert_string_equal(filter_text("n3"), "node(s) didn't match pod affinity rules");
}

/* ---- validation (§6, last paragraph) ---------------------------------------------- */

static void test_validation_requests_above_limits(void **state)
{
	(void)state;
	expect_rejected(one_node, PODIN("", CTR("'requests':{'cpu':'2'},'limits':{'cpu':'1'}")),
	                "spec.containers[0].resources.requests", "cpu", "limit", NULL);
	expect_rejected(one_node,
	                PODIN("", "'containers':[{'name':'a'},{'name':'b','resources':{'requests':{"
	                          "'memory':'2Gi'},'limits':{'memory':'1Gi'}}}]"),
	                "spec.containers[1].resources.requests", "memory", NULL);
	expect_rejected(one_node,
	                PODIN("", "'initContainers':[{'name':'i','resources':{'requests':{'cpu':'2'"
	                          "},'limits':{'cpu':'1'}}}],'containers':[{'name':'c'}]"),
	                "spec.initContainers[0].resources.requests", "cpu", NULL);
	/* pod-level resources too */
	expect_rejected(
	    one_node,
	    PODIN("", CTR("") ",'resources':{'requests':{'cpu':'2'},'limits':{'cpu':'1'}}"),
	    "spec.resources.requests", "cpu", NULL);
	/* a pod-level request that API defaulting fills from the containers' aggregate is
	 * validated too: 100m requested under a 99m pod-level limit is rejected (found by
	 * fuzz/fuzz_pod: it was accepted, as validation ran before that defaulting) */
	expect_rejected(one_node,
	                PODIN("", CTR("'requests':{'cpu':'100m'}") ",'resources':{'limits':{'cpu':"
	                                                           "'99m'}}"),
	                "spec.resources.requests", "cpu", "limit", NULL);
	/* equal is fine */
	load(one_node, PODIN("", CTR("'requests':{'cpu':'1'},'limits':{'cpu':'1'}")));
}

static void test_validation_extended_and_hugepages(void **state)
{
	(void)state;
	/* extended resources need request == limit */
	expect_rejected(one_node, PODIN("", CTR("'requests':{'example.com/gpu':'1'}")),
	                "spec.containers[0].resources.requests", "example.com/gpu", NULL);
	expect_rejected(
	    one_node,
	    PODIN("", CTR("'requests':{'example.com/gpu':'1'},'limits':{'example.com/gpu':'2'}")),
	    "spec.containers[0].resources.requests", "example.com/gpu", NULL);
	/* and must be integers */
	expect_rejected(
	    one_node,
	    PODIN("",
	          CTR("'requests':{'example.com/gpu':'500m'},'limits':{'example.com/gpu':'500m'}")),
	    "spec.containers[0].resources.requests", "example.com/gpu", "whole", NULL);
	/* a limit alone is fine: the request defaults to it */
	load(one_node, PODIN("", CTR("'limits':{'example.com/gpu':'2'}")));
	assert_int_equal(F.pod->request.n_scalars, 1);
	assert_int_equal(F.pod->request.scalars[0].value, 2);
	/* hugepages: request == limit and a whole number of pages */
	expect_rejected(one_node, PODIN("", CTR("'limits':{'hugepages-2Mi':'10'}")),
	                "spec.containers[0].resources.requests", "hugepages-2Mi", "page size",
	                NULL);
	expect_rejected(one_node, PODIN("", CTR("'limits':{'hugepages-2Mi':'3Mi'}")),
	                "spec.containers[0].resources.requests", "hugepages-2Mi", NULL);
	expect_rejected(one_node, PODIN("", CTR("'requests':{'hugepages-2Mi':'2Mi'}")),
	                "spec.containers[0].resources.requests", "hugepages-2Mi", NULL);
	load(one_node, PODIN("", CTR("'limits':{'hugepages-2Mi':'20Mi','hugepages-1Gi':'2Gi'}")));
	assert_int_equal(F.pod->request.n_scalars, 2);
}

static void test_validation_hugepages_any_page_size(void **state)
{
	(void)state;
	/* the page size comes from the resource name (s390x uses 1Mi pages):
	 * 1536Ki is not a whole number of 1Mi pages, 2Mi is */
	load(one_node, PODIN("", CTR("'limits':{'hugepages-1Mi':'2Mi'}")));
	expect_rejected(one_node, PODIN("", CTR("'limits':{'hugepages-1Mi':'1536Ki'}")),
	                "spec.containers[0].resources.requests", "hugepages-1Mi", NULL);
	expect_rejected(one_node, PODIN("", CTR("'limits':{'hugepages-8Mi':'4Mi'}")),
	                "spec.containers[0].resources.requests", "hugepages-8Mi", NULL);
}

static void test_validation_negative(void **state)
{
	(void)state;
	expect_rejected(one_node, PODIN("", CTR("'requests':{'cpu':'-1'}")),
	                "spec.containers[0].resources.requests", "cpu", "negative", NULL);
	expect_rejected(one_node,
	                PODIN("", CTR("'requests':{'memory':'0'},'limits':{'memory':'-1Gi'}")),
	                "spec.containers[0].resources.limits", "memory", "negative", NULL);
	expect_rejected(one_node, PODIN("", CTR("") ",'overhead':{'cpu':'-10m'}"), "spec.overhead",
	                "cpu", "negative", NULL);
	/* zero is fine */
	load(one_node, PODIN("", CTR("'requests':{'cpu':'0','memory':'0'}")));
}

static void test_validation_node_affinity_needs_terms(void **state)
{
	(void)state;
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'affinity':{'nodeAffinity':{'"
	                                  "requiredDuringSchedulingIgnoredDuringExecution':{'"
	                                  "nodeSelectorTerms':[]}}}"),
	                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
	                "nodeSelectorTerms", NULL);
	/* an invalid label value in a term is rejected too */
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'affinity':{'nodeAffinity':{'"
	                                  "requiredDuringSchedulingIgnoredDuringExecution':{'"
	                                  "nodeSelectorTerms':[{'matchExpressions':[{'key':'zone','"
	                                  "operator':'In','values':['not a value!']}]}]}}}"),
	                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
	                "nodeSelectorTerms[0]", NULL);
}

static void test_validation_namespace_names(void **state)
{
	(void)state;
	expect_rejected(one_node, PODNS("Bad_NS", "", CTR("")), "metadata.namespace", "Bad_NS",
	                NULL);
	expect_rejected(one_node, PODNS("a.b", "", CTR("")), "metadata.namespace", "a.b", NULL);
	load(one_node, PODNS("team-1", "", CTR("")));
	assert_true(hr_str_eq_c(F.pod->namespace, "team-1"));
	/* DNS labels are at most 63 characters */
#define NS63 "a23456789b123456789c123456789d123456789e123456789f123456789g123"
	load(one_node, PODNS(NS63, "", CTR("")));
	assert_int_equal(F.pod->namespace.n, 63);
	expect_rejected(one_node, PODNS(NS63 "x", "", CTR("")), "metadata.namespace", NULL);
	expect_rejected(one_node, PODNS("-a", "", CTR("")), "metadata.namespace", NULL);
	/* no namespace: "default" */
	load(one_node, "{'kind':'Pod','metadata':{'name':'x'},'spec':{" CTR("") "}}");
	assert_true(hr_str_eq_c(F.pod->namespace, "default"));
	/* affinity namespaces must be DNS labels too */
	enum hr_code rc = try_load(
	    one_node,
	    PODIN("", CTR("") ",'affinity':{'podAffinity':{'"
	                      "requiredDuringSchedulingIgnoredDuringExecution':[{'labelSelector':{}"
	                      ",'topologyKey':'zone','namespaces':['Other']}]}}"),
	    true);
	assert_int_equal(rc, HR_EINVAL);
	assert_true(strncmp(F.err.where, "spec.affinity.podAffinity", 25) == 0);
	assert_non_null(strstr(F.err.msg, "Other"));
	/* and pod affinity label values */
	rc = try_load(
	    one_node,
	    PODIN("", CTR("") ",'affinity':{'podAntiAffinity':{'"
	                      "requiredDuringSchedulingIgnoredDuringExecution':[{'labelSelector':{'"
	                      "matchLabels':{'app':'bad value!'}},'topologyKey':'zone'}]}}"),
	    true);
	assert_int_equal(rc, HR_EINVAL);
	assert_true(strncmp(F.err.where, "spec.affinity.podAntiAffinity", 29) == 0);
}

static void test_validation_needs_containers(void **state)
{
	(void)state;
	expect_rejected(one_node, PODIN("", "'containers':[]"), "spec.containers", NULL);
	expect_rejected(one_node, PODIN("", "'initContainers':[{'name':'i'}]"), "spec.containers",
	                NULL);
}

static void test_validation_container_names_ports_resources(void **state)
{
	(void)state;
	/* what the API server refuses, so no such pod can exist */
	expect_rejected(one_node, PODIN("", "'containers':[{'name':'a'},{'name':'a'}]"),
	                "spec.containers[1].name", "Duplicate value: \"a\"", NULL);
	expect_rejected(one_node,
	                PODIN("", "'initContainers':[{'name':'a'}],'containers':[{'name':'a'}]"),
	                "spec.containers[0].name", "Duplicate value", NULL);
	expect_rejected(one_node,
	                PODIN("", "'containers':[{'name':'a','ports':[{'containerPort':80,"
	                          "'hostPort':99999}]}]"),
	                "spec.containers[0].ports[0].hostPort", "between 0 and 65535", NULL);
	expect_rejected(one_node,
	                PODIN("", "'containers':[{'name':'a','ports':[{'containerPort':80,"
	                          "'hostPort':-1}]}]"),
	                "spec.containers[0].ports[0].hostPort", NULL);
	expect_rejected(one_node,
	                PODIN("", "'containers':[{'name':'a','ports':[{'hostPort':8080}]}]"),
	                "spec.containers[0].ports[0].containerPort", "between 1 and 65535", NULL);
	expect_rejected(one_node,
	                PODIN("", "'containers':[{'name':'a','ports':[{'containerPort':53,"
	                          "'protocol':'ICMP'}]}]"),
	                "spec.containers[0].ports[0].protocol", "\"UDP\"", NULL);
	expect_rejected(one_node, PODIN("", CTR("'requests':{'pods':'1'}")),
	                "spec.containers[0].resources.requests", "\"pods\" must be a standard",
	                NULL);
	/* requests are defaulted from limits first, so the request is named */
	expect_rejected(one_node, PODIN("", CTR("'limits':{'not a name!!':'1'}")),
	                "spec.containers[0].resources.requests", "standard resource", NULL);
	expect_rejected(one_node, PODIN("", CTR("'requests':{'kubernetes.io/foo':'1'}")),
	                "spec.containers[0].resources.requests", NULL);
	/* accepted: extended resources and hugepages by their rules */
	assert_int_equal(try_load(one_node,
	                          PODIN("", CTR("'requests':{'example.com/gpu':'1'},'limits':{"
	                                        "'example.com/gpu':'1'}")),
	                          true),
	                 HR_OK);
	assert_int_equal(try_load(one_node,
	                          PODIN("", "'containers':[{'name':'a','ports':[{'containerPort':"
	                                    "53,'protocol':'UDP','hostPort':53}]}]"),
	                          true),
	                 HR_OK);
}

static void test_validation_tolerations(void **state)
{
	(void)state;
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'tolerations':[{'key':'k','operator':'Frob'}]"),
	                "spec.tolerations[0].operator", "\"Equal\", \"Exists\"", NULL);
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'tolerations':[{'operator':'Equal','value':'v'}]"),
	                "spec.tolerations[0].operator", "must be Exists when `key` is empty", NULL);
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'tolerations':[{'key':'k','operator':'Exists','value':"
	                                  "'v'}]"),
	                "spec.tolerations[0].value", NULL);
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'tolerations':[{'key':'k','effect':'NoEverything'}]"),
	                "spec.tolerations[0].effect", "PreferNoSchedule", NULL);
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'tolerations':[{'key':'k','effect':'NoSchedule',"
	                                  "'tolerationSeconds':5}]"),
	                "spec.tolerations[0].effect", "NoExecute", NULL);
	expect_rejected(one_node, PODIN("", CTR("") ",'tolerations':[{'key':'bad key!'}]"),
	                "spec.tolerations[0].key", NULL);
	assert_int_equal(try_load(one_node,
	                          PODIN("", CTR("") ",'tolerations':[{'operator':'Exists'},{'key':"
	                                            "'k','value':'v','effect':'NoExecute',"
	                                            "'tolerationSeconds':30}]"),
	                          true),
	                 HR_OK);
}

static void test_validation_match_fields_key(void **state)
{
	(void)state;
	expect_rejected(one_node,
	                PODIN("", CTR("") ",'affinity':{'nodeAffinity':{"
	                                  "'requiredDuringSchedulingIgnoredDuringExecution':{"
	                                  "'nodeSelectorTerms':[{'matchFields':[{'key':'metadata."
	                                  "labels','operator':'In','values':['a']}]}]}}}"),
	                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
	                "metadata.name", NULL);
}

static void test_hr_admit_and_validate_direct(void **state)
{
	(void)state;
	/* the two entry points on a pod decoded without admission (hr_incoming_pod has
	 * finalized it; admission here only touches tolerations, which finalize ignores) */
	assert_int_equal(try_load(one_node, PODIN("", CTR("'requests':{'cpu':'-1'}")), false),
	                 HR_OK);
	struct hr_err err;
	hr_err_clear(&err);
	assert_int_equal(hr_validate_pod(F.pod, &err), HR_EINVAL);
	assert_string_equal(err.where, "spec.containers[0].resources.requests");

	assert_int_equal(try_load(one_node, PODIN("", CTR("")), false), HR_OK);
	unsigned admitted = 0;
	hr_err_clear(&err);
	assert_int_equal(hr_admit_pod(F.pod, F.snap, &F.arena, &admitted, &err), HR_OK);
	assert_int_equal(admitted, HR_ADMIT_DEFAULT_TOLERATIONS);
	assert_int_equal(F.pod->n_tolerations, 2);
	hr_err_clear(&err);
	assert_int_equal(hr_validate_pod(F.pod, &err), HR_OK);
}

#define T(f) cmocka_unit_test_teardown(f, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_requests_default_to_limits),
	    T(test_validation_container_names_ports_resources),
	    T(test_validation_tolerations),
	    T(test_validation_match_fields_key),
	    T(test_quantities_round_up_to_milli),
	    T(test_pod_level_requests_default),
	    T(test_default_tolerations_added),
	    T(test_default_tolerations_respect_existing),
	    T(test_default_tolerations_effect_on_scheduling),
	    T(test_limit_ranger_defaults),
	    T(test_limit_ranger_namespace_scope),
	    T(test_limit_ranger_item_defaulting),
	    T(test_limit_ranger_only_container_items),
	    T(test_limit_ranger_several_ranges),
	    T(test_limit_ranger_then_validation),
	    T(test_runtime_class_overhead_selector_tolerations),
	    T(test_runtime_class_overhead_conflict),
	    T(test_runtime_class_node_selector_merge),
	    T(test_runtime_class_toleration_merge_no_duplicates),
	    T(test_runtime_class_without_scheduling_or_overhead),
	    T(test_runtime_class_unknown),
	    T(test_label_keys_merged_into_selector),
	    T(test_label_keys_need_a_selector),
	    T(test_label_keys_effect_on_scheduling),
	    T(test_validation_requests_above_limits),
	    T(test_validation_extended_and_hugepages),
	    T(test_validation_hugepages_any_page_size),
	    T(test_validation_negative),
	    T(test_validation_node_affinity_needs_terms),
	    T(test_validation_namespace_names),
	    T(test_validation_needs_containers),
	    T(test_hr_admit_and_validate_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
