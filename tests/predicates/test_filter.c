/* test_filter.c: the Filter plugins (filter.h) against spec/predicates.md §1–§2.
 *
 * Each case builds a small cluster (a v1 List of Nodes, Pods and Namespaces)
 * and an incoming pod from inline JSON, prepares a filter context exactly as
 * the extender's filter verb does (no admission: the scheduler's pod was
 * admitted already) and checks, node by node, the status code, the rejecting
 * plugin and the reason text rendered by hr_status_text — byte for byte the
 * strings of spec §2. JSON is written with single quotes for readability and
 * converted to double quotes before parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "incoming.h"
#include "snapshot.h"
#include "support.h"

/* ---- JSON building blocks ------------------------------------------------ */

/* clang-format off */
#define LIST(items) "{'kind':'List','apiVersion':'v1','items':[" items "]}"
#define NODE(name, labels, spec, alloc)                                        \
	"{'kind':'Node','metadata':{'name':'" name "','labels':{" labels "}}," \
	"'spec':{" spec "},'status':{'allocatable':{" alloc "}}}"
/* an existing pod bound to `node` in namespace `ns` */
#define POD_NS(name, ns, node, labels, spec)                                      \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'" ns "',"       \
	"'labels':{" labels "}},'spec':{'nodeName':'" node "'," spec "},"        \
	"'status':{'phase':'Running'}}"
#define POD(name, node, labels, spec) POD_NS(name, "default", node, labels, spec)
#define NAMESPACE(name, labels) \
	"{'kind':'Namespace','metadata':{'name':'" name "','labels':{" labels "}}}"
/* the incoming pod */
/* any pod: extra metadata after the labels, node ("" = unbound), status fields */
#define POD_X(name, meta, node, labels, spec, status)                                   \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'default','labels':{" \
	labels "}" meta "},'spec':{'nodeName':'" node "'," spec "},'status':{" status "}}"
#define PODIN(labels, spec)                                                  \
	"{'kind':'Pod','metadata':{'name':'incoming','namespace':'default'," \
	"'labels':{" labels "}},'spec':{" spec "}}"
/* one container with these requests */
#define CTR(req) "'containers':[{'name':'c','resources':{'requests':{" req "}}}]"
#define STD      "'cpu':'4','memory':'32Gi','pods':'110'"
/* clang-format on */

/* ---- fixture -------------------------------------------------------------- */

struct fx {
	bool live;
	struct hr_arena arena;
	struct hr_err err;
	const struct hr_snapshot *snap;
	struct hr_pod *pod;
	struct hr_filter_ctx ctx;
};

static struct fx F;
static char g_case[512]; /* describes the current table case in failure messages */

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
	g_case[0] = '\0';
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

/* Builds the snapshot and the (non-admitted) incoming pod, then prepares the
 * filter context. */
static void load(const char *cluster, const char *pod)
{
	fx_reset(&F);
	F.live = true;
	hr_arena_init(&F.arena, NULL, 0);
	hr_err_clear(&F.err);
	cJSON *cdoc = parse_quoted(cluster);
	cJSON *pdoc = parse_quoted(pod);
	enum hr_code rc = hr_snapshot_from_json(cdoc, &F.arena, &F.snap, &F.err);
	if (rc == HR_OK)
		rc = hr_incoming_pod(pdoc, F.snap, false, NULL, &F.arena, &F.pod, NULL, &F.err);
	if (rc == HR_OK)
		rc = hr_filter_prepare(&F.ctx, F.snap, F.pod, false, &F.arena, &F.err);
	cJSON_Delete(cdoc);
	cJSON_Delete(pdoc);
	if (rc != HR_OK) {
		char msg[512];
		hr_err_format(&F.err, msg, sizeof(msg));
		fail_msg("loading the case failed: %s", msg);
	}
}

static void loadf(const char *cluster, const char *pod_fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void loadf(const char *cluster, const char *pod_fmt, ...)
{
	char pod[8192];
	va_list ap;
	va_start(ap, pod_fmt);
	int n = vsnprintf(pod, sizeof(pod), pod_fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(pod));
	load(cluster, pod);
}

static const char *code_name(enum hr_status_code c)
{
	switch (c) {
	case HR_STATUS_SUCCESS:
		return "Success";
	case HR_STATUS_UNSCHEDULABLE:
		return "Unschedulable";
	case HR_STATUS_UNRESOLVABLE:
		return "UnschedulableAndUnresolvable";
	}
	return "?";
}

/* Filters `node` and compares code, plugin and the rendered reasons. */
static void check(const char *node, enum hr_status_code code, enum hr_plugin plugin,
                  const char *text, int line)
{
	const struct hr_node_info *info = hr_snap_find_node(F.snap, hr_str_c(node));
	if (!info)
		fail_msg("line %d: node %s is not in the snapshot", line, node);
	if (F.ctx.prefilter_rejected)
		fail_msg("line %d: PreFilter rejected the pod: %s", line, F.ctx.prefilter_message);
	struct hr_node_status st;
	hr_filter_node(&F.ctx, info, &st);
	struct hr_buf b;
	hr_buf_init(&b, 1 << 16);
	if (st.code != HR_STATUS_SUCCESS)
		hr_status_text(&st, F.pod, &b);
	char got[2048];
	snprintf(got, sizeof(got), "%s", b.p ? b.p : "");
	hr_buf_fini(&b);
	if (st.code != code || st.plugin != plugin || strcmp(got, text) != 0)
		fail_msg("line %d%s%s: node %s\n  got:  %s %s \"%s\"\n  want: %s %s \"%s\"", line,
		         g_case[0] ? ", case " : "", g_case, node, code_name(st.code),
		         hr_plugin_name(st.plugin), got, code_name(code), hr_plugin_name(plugin),
		         text);
}

#define PASS(node)                  check(node, HR_STATUS_SUCCESS, HR_PLUGIN_NONE, "", __LINE__)
#define FAIL_U(node, plugin, text)  check(node, HR_STATUS_UNSCHEDULABLE, plugin, text, __LINE__)
#define FAIL_UU(node, plugin, text) check(node, HR_STATUS_UNRESOLVABLE, plugin, text, __LINE__)

/* reason texts, spec §2 */
#define R_UNSCHEDULABLE "node(s) were unschedulable"
#define R_NODE_NAME     "node(s) didn't match the requested node name"
#define R_TAINT(kv)     "node(s) had untolerated taint {" kv "}"
#define R_AFFINITY_SEL  "node(s) didn't match Pod's node affinity/selector"
#define R_PREFILTER     "node(s) didn't satisfy plugin(s) [NodeAffinity]"
#define R_PORTS         "node(s) didn't have free ports for the requested pod ports"
#define R_SPREAD        "node(s) didn't match pod topology spread constraints"
#define R_SPREAD_LABEL                                                                             \
	"node(s) didn't match pod topology spread constraints (missing required label)"
#define R_POD_AFFINITY  "node(s) didn't match pod affinity rules"
#define R_POD_ANTI      "node(s) didn't match pod anti-affinity rules"
#define R_EXISTING_ANTI "node(s) didn't satisfy existing pods anti-affinity rules"

#define P_UNSCHED HR_PLUGIN_NODE_UNSCHEDULABLE
#define P_NAME    HR_PLUGIN_NODE_NAME
#define P_TAINT   HR_PLUGIN_TAINT_TOLERATION
#define P_AFF     HR_PLUGIN_NODE_AFFINITY
#define P_PORTS   HR_PLUGIN_NODE_PORTS
#define P_FIT     HR_PLUGIN_NODE_RESOURCES_FIT
#define P_SPREAD  HR_PLUGIN_POD_TOPOLOGY_SPREAD
#define P_IPA     HR_PLUGIN_INTER_POD_AFFINITY

/* ---- framework basics ------------------------------------------------------ */

static void test_plugin_names(void **state)
{
	(void)state;
	assert_string_equal(hr_plugin_name(HR_PLUGIN_NODE_UNSCHEDULABLE), "NodeUnschedulable");
	assert_string_equal(hr_plugin_name(HR_PLUGIN_NODE_NAME), "NodeName");
	assert_string_equal(hr_plugin_name(HR_PLUGIN_TAINT_TOLERATION), "TaintToleration");
	assert_string_equal(hr_plugin_name(HR_PLUGIN_NODE_AFFINITY), "NodeAffinity");
	assert_string_equal(hr_plugin_name(HR_PLUGIN_NODE_PORTS), "NodePorts");
	assert_string_equal(hr_plugin_name(HR_PLUGIN_NODE_RESOURCES_FIT), "NodeResourcesFit");
	assert_string_equal(hr_plugin_name(HR_PLUGIN_POD_TOPOLOGY_SPREAD), "PodTopologySpread");
	assert_string_equal(hr_plugin_name(HR_PLUGIN_INTER_POD_AFFINITY), "InterPodAffinity");
}

static void test_plain_pod_passes_plain_node(void **state)
{
	(void)state;
	load(hr_test_list(NODE("n1", "", "", STD), NULL), PODIN("", CTR("'cpu':'1'")));
	assert_false(F.ctx.prefilter_rejected);
	assert_null(F.ctx.allowed);
	PASS("n1");
}

/* ---- NodeUnschedulable (§2.1) ---------------------------------------------- */

static void test_unschedulable_node_rejected(void **state)
{
	(void)state;
	load(hr_test_list(NODE("n1", "", "'unschedulable':true", STD), NODE("n2", "", "", STD),
	                  NODE("n3", "", "'unschedulable':false", STD), NULL),
	     PODIN("", CTR("")));
	FAIL_UU("n1", P_UNSCHED, R_UNSCHEDULABLE);
	PASS("n2");
	PASS("n3");
}

static void test_unschedulable_toleration_rules(void **state)
{
	(void)state;
	/* the synthetic taint is {node.kubernetes.io/unschedulable, "", NoSchedule} */
	static const struct {
		const char *tol;
		bool tolerated;
	} cases[] = {
	    {"{'key':'node.kubernetes.io/unschedulable','operator':'Exists','effect':'NoSchedule'}",
	     true},
	    {"{'key':'node.kubernetes.io/unschedulable','operator':'Exists'}", true},
	    {"{'operator':'Exists'}", true},
	    {"{'operator':'Exists','effect':'NoSchedule'}", true},
	    /* Equal (explicit or empty operator) with the empty value matches "" */
	    {"{'key':'node.kubernetes.io/unschedulable','operator':'Equal','effect':'NoSchedule'}",
	     true},
	    {"{'key':'node.kubernetes.io/unschedulable','effect':'NoSchedule'}", true},
	    {"{'key':'node.kubernetes.io/unschedulable','operator':'Exists','effect':'NoExecute'}",
	     false},
	    {"{'key':'node.kubernetes.io/"
	     "unschedulable','operator':'Exists','effect':'PreferNoSchedule'}",
	     false},
	    {"{'key':'node.kubernetes.io/unschedulable','operator':'Equal','value':'true'}", false},
	    {"{'key':'node.kubernetes.io/not-ready','operator':'Exists'}", false},
	    {"{'key':'node.kubernetes.io/unschedulable','operator':'Bogus'}", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		loadf(hr_test_list(NODE("n1", "", "'unschedulable':true", STD), NULL),
		      PODIN("", CTR("") ",'tolerations':[%s]"), cases[i].tol);
		snprintf(g_case, sizeof(g_case), "%s", cases[i].tol);
		if (cases[i].tolerated)
			PASS("n1");
		else
			FAIL_UU("n1", P_UNSCHED, R_UNSCHEDULABLE);
	}
}

/* ---- NodeName (§2.2) --------------------------------------------------------- */

static void test_node_name(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(NODE("n1", "", "", STD), NODE("n2", "", "", STD), NULL);
	load(cluster, PODIN("", "'nodeName':'n2'," CTR("")));
	FAIL_UU("n1", P_NAME, R_NODE_NAME);
	PASS("n2");
	load(cluster, PODIN("", "'nodeName':'elsewhere'," CTR("")));
	FAIL_UU("n1", P_NAME, R_NODE_NAME);
	FAIL_UU("n2", P_NAME, R_NODE_NAME);
	load(cluster, PODIN("", "'nodeName':''," CTR("")));
	PASS("n1");
	PASS("n2");
}

/* ---- TaintToleration (§2.3) ---------------------------------------------------- */

/* clang-format off */
#define TAINTED_CLUSTER                                                                          \
	LIST(NODE("n1", "", "'taints':["                                                         \
	          "{'key':'soft','value':'x','effect':'PreferNoSchedule'},"                      \
	          "{'key':'b','value':'2','effect':'NoSchedule'},"                               \
	          "{'key':'c','value':'3','effect':'NoExecute'}]", STD) ","                      \
	     NODE("n2", "", "'taints':[{'key':'dedicated','effect':'NoSchedule'}]", STD) ","     \
	     NODE("n3", "", "'taints':["                                                         \
	          "{'key':'c','value':'3','effect':'NoExecute'},"                                \
	          "{'key':'b','value':'2','effect':'NoSchedule'}]", STD) ","                     \
	     NODE("n4", "", "'taints':[{'key':'soft','value':'x','effect':'PreferNoSchedule'}]", \
	          STD))
/* clang-format on */

static void test_taint_first_untolerated_in_spec_order(void **state)
{
	(void)state;
	load(TAINTED_CLUSTER, PODIN("", CTR("")));
	/* PreferNoSchedule is skipped; the first NoSchedule/NoExecute one is reported */
	FAIL_UU("n1", P_TAINT, R_TAINT("b: 2"));
	/* empty value renders as "{k: }" */
	FAIL_UU("n2", P_TAINT, R_TAINT("dedicated: "));
	/* spec order, not effect order */
	FAIL_UU("n3", P_TAINT, R_TAINT("c: 3"));
	/* PreferNoSchedule alone never filters */
	PASS("n4");
}

static void test_taint_partially_tolerated(void **state)
{
	(void)state;
	load(TAINTED_CLUSTER, PODIN("", CTR("") ",'tolerations':[{'key':'b','operator':'Equal','"
	                                        "value':'2','effect':'NoSchedule'}]"));
	FAIL_UU("n1", P_TAINT, R_TAINT("c: 3"));
	FAIL_UU("n2", P_TAINT, R_TAINT("dedicated: "));
	FAIL_UU("n3", P_TAINT, R_TAINT("c: 3"));
	PASS("n4");

	load(TAINTED_CLUSTER, PODIN("", CTR("") ",'tolerations':[{'key':'b','value':'2'},{'key':'c'"
	                                        ",'operator':'Exists'}]"));
	PASS("n1");
	FAIL_UU("n2", P_TAINT, R_TAINT("dedicated: "));
	PASS("n3");
	PASS("n4");

	/* the empty-value taint needs an empty value (or Exists) */
	load(
	    TAINTED_CLUSTER,
	    PODIN("",
	          CTR("") ",'tolerations':[{'key':'dedicated','value':'','effect':'NoSchedule'}]"));
	PASS("n2");
	load(TAINTED_CLUSTER,
	     PODIN(
	         "",
	         CTR("") ",'tolerations':[{'key':'dedicated','value':'x','effect':'NoSchedule'}]"));
	FAIL_UU("n2", P_TAINT, R_TAINT("dedicated: "));

	/* tolerationSeconds does not matter to filtering, even 0 */
	load(TAINTED_CLUSTER,
	     PODIN("", CTR("") ",'tolerations':[{'key':'b','value':'2'},{'key':'c','value':'3','"
	                       "effect':'NoExecute','tolerationSeconds':0}]"));
	PASS("n1");
	PASS("n3");

	/* empty key + Exists tolerates everything */
	load(TAINTED_CLUSTER, PODIN("", CTR("") ",'tolerations':[{'operator':'Exists'}]"));
	PASS("n1");
	PASS("n2");
	PASS("n3");

	/* empty key + Exists limited to NoSchedule leaves the NoExecute taint */
	load(TAINTED_CLUSTER,
	     PODIN("", CTR("") ",'tolerations':[{'operator':'Exists','effect':'NoSchedule'}]"));
	FAIL_UU("n1", P_TAINT, R_TAINT("c: 3"));
	PASS("n2");
	FAIL_UU("n3", P_TAINT, R_TAINT("c: 3"));
}

static void test_taint_unknown_operator_tolerates_nothing(void **state)
{
	(void)state;
	load(TAINTED_CLUSTER, PODIN("", CTR("") ",'tolerations':[{'key':'b','operator':'Foo','"
	                                        "value':'2'},{'operator':'exists'}]"));
	FAIL_UU("n1", P_TAINT, R_TAINT("b: 2"));
	FAIL_UU("n2", P_TAINT, R_TAINT("dedicated: "));
}

static void test_toleration_rule_table(void **state)
{
	(void)state;
	const struct hr_taint ns = {HR_STR_LIT("k"), HR_STR_LIT("v"), HR_EFFECT_NO_SCHEDULE};
	const struct hr_taint ne_empty = {HR_STR_LIT("k"), HR_STR_LIT(""), HR_EFFECT_NO_EXECUTE};
	static const struct {
		const char *key, *value;
		enum hr_tol_op op;
		enum hr_effect effect;
		bool on_ns, on_ne_empty;
	} cases[] = {
	    {"k", "v", HR_TOL_EQUAL, HR_EFFECT_NO_SCHEDULE, true, false},
	    {"k", "v", HR_TOL_EQUAL, HR_EFFECT_ANY, true, false},
	    {"k", "v", HR_TOL_EQUAL, HR_EFFECT_NO_EXECUTE, false, false},
	    {"k", "w", HR_TOL_EQUAL, HR_EFFECT_ANY, false, false},
	    {"k", "", HR_TOL_EQUAL, HR_EFFECT_ANY, false, true},
	    {"k", "", HR_TOL_EXISTS, HR_EFFECT_ANY, true, true},
	    {"k", "zzz", HR_TOL_EXISTS, HR_EFFECT_ANY, true, true}, /* Exists ignores value */
	    {"", "", HR_TOL_EXISTS, HR_EFFECT_ANY, true, true},
	    {"", "", HR_TOL_EXISTS, HR_EFFECT_NO_EXECUTE, false, true},
	    {"", "v", HR_TOL_EQUAL, HR_EFFECT_ANY, true, false}, /* empty key: any key */
	    {"", "", HR_TOL_EQUAL, HR_EFFECT_ANY, false, true},
	    {"other", "", HR_TOL_EXISTS, HR_EFFECT_ANY, false, false},
	    {"k", "v", HR_TOL_EQUAL, HR_EFFECT_PREFER_NO_SCHEDULE, false, false},
	    {"k", "v", HR_TOL_INVALID, HR_EFFECT_ANY, false, false},
	    {"", "", HR_TOL_INVALID, HR_EFFECT_ANY, false, false},
	    {"K", "v", HR_TOL_EQUAL, HR_EFFECT_ANY, false, false}, /* keys are case-sensitive */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hr_toleration t = {.key = hr_str_c(cases[i].key),
		                          .value = hr_str_c(cases[i].value),
		                          .op = cases[i].op,
		                          .effect = cases[i].effect};
		if (hr_toleration_tolerates(&t, &ns) != cases[i].on_ns)
			fail_msg("case %zu vs {k: v}:NoSchedule: want %d", i, cases[i].on_ns);
		if (hr_toleration_tolerates(&t, &ne_empty) != cases[i].on_ne_empty)
			fail_msg("case %zu vs {k: }:NoExecute: want %d", i, cases[i].on_ne_empty);
	}
}

static void test_first_untolerated_taint_direct(void **state)
{
	(void)state;
	const struct hr_taint taints[] = {
	    {HR_STR_LIT("p"), HR_STR_LIT("1"), HR_EFFECT_PREFER_NO_SCHEDULE},
	    {HR_STR_LIT("a"), HR_STR_LIT("1"), HR_EFFECT_NO_EXECUTE},
	    {HR_STR_LIT("b"), HR_STR_LIT("2"), HR_EFFECT_NO_SCHEDULE},
	};
	assert_ptr_equal(hr_first_untolerated_taint(taints, 3, NULL, 0), &taints[1]);
	const struct hr_toleration tol_a = {.key = HR_STR_LIT("a"), .op = HR_TOL_EXISTS};
	assert_ptr_equal(hr_first_untolerated_taint(taints, 3, &tol_a, 1), &taints[2]);
	const struct hr_toleration both[] = {
	    {.key = HR_STR_LIT("a"), .op = HR_TOL_EXISTS},
	    {.key = HR_STR_LIT("b"), .value = HR_STR_LIT("2"), .op = HR_TOL_EQUAL},
	};
	assert_null(hr_first_untolerated_taint(taints, 3, both, 2));
	assert_null(hr_first_untolerated_taint(taints, 1, NULL, 0));
	assert_null(hr_first_untolerated_taint(NULL, 0, NULL, 0));
}

/* ---- NodeAffinity (§2.4) ------------------------------------------------------- */

/* clang-format off */
#define AFF_CLUSTER                                                          \
	LIST(NODE("n1", "'zone':'a','disk':'ssd','gen':'0206'", "", STD) "," \
	     NODE("n2", "'zone':'b','disk':'hdd','gen':'0204'", "", STD) "," \
	     NODE("n3", "'zone':'c','gen':'abc'", "", STD) ","               \
	     NODE("n4", "", "", STD) ","                                     \
	     NODE("n5", "'gen':'-3'", "", STD))
#define REQUIRED(terms)                                                                        \
	CTR("") ",'affinity':{'nodeAffinity':{"                                                \
	"'requiredDuringSchedulingIgnoredDuringExecution':{'nodeSelectorTerms':[" terms "]}}}"
#define EXPR(key, op, values) "{'key':'" key "','operator':'" op "','values':[" values "]}"
#define NAME_IN(node) "{'key':'metadata.name','operator':'In','values':['" node "']}"
/* clang-format on */

static void test_node_selector_map(void **state)
{
	(void)state;
	load(AFF_CLUSTER, PODIN("", CTR("") ",'nodeSelector':{'disk':'ssd'}"));
	PASS("n1");
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n3", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n4", P_AFF, R_AFFINITY_SEL);

	load(AFF_CLUSTER, PODIN("", CTR("") ",'nodeSelector':{'disk':'ssd','zone':'b'}"));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);

	load(AFF_CLUSTER, PODIN("", CTR("") ",'nodeSelector':{}"));
	PASS("n1");
	PASS("n4");
}

static void test_node_affinity_terms_or_and(void **state)
{
	(void)state;
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("zone", "In", "'a','b'") "]}")));
	assert_null(F.ctx.allowed);
	PASS("n1");
	PASS("n2");
	FAIL_UU("n3", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n4", P_AFF, R_AFFINITY_SEL);

	/* terms are ORed */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR(
	                   "zone", "In", "'a'") "]},{'matchExpressions':[" EXPR("zone", "In",
	                                                                        "'c'") "]}")));
	PASS("n1");
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);
	PASS("n3");
	FAIL_UU("n4", P_AFF, R_AFFINITY_SEL);

	/* requirements inside a term are ANDed */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("zone", "In", "'a','b'") "," EXPR(
	                   "disk", "In", "'hdd'") "]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	PASS("n2");
	FAIL_UU("n3", P_AFF, R_AFFINITY_SEL);

	/* nodeSelector AND required affinity */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR(
	                   "zone", "In", "'b'") "]}") ",'nodeSelector':{'disk':'ssd'}"));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);
}

static void test_node_affinity_operators(void **state)
{
	(void)state;
	/* NotIn matches an absent key */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("disk", "NotIn", "'ssd'") "]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	PASS("n2");
	PASS("n3");
	PASS("n4");

	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[{'key':'disk','operator':'Exists'}]}")));
	PASS("n1");
	PASS("n2");
	FAIL_UU("n3", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n4", P_AFF, R_AFFINITY_SEL);

	load(
	    AFF_CLUSTER,
	    PODIN("", REQUIRED("{'matchExpressions':[{'key':'disk','operator':'DoesNotExist'}]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);
	PASS("n3");
	PASS("n4");

	/* Gt/Lt parse base-10 with leading zeros; "abc" and absent never match */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("gen", "Gt", "'0205'") "]}")));
	PASS("n1");
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n3", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n4", P_AFF, R_AFFINITY_SEL);

	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("gen", "Lt", "'205'") "]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	PASS("n2");
	FAIL_UU("n3", P_AFF, R_AFFINITY_SEL);

	/* signs parse: -3 < 0 and -3 > -4 */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("gen", "Lt", "'0'") "]}")));
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);
	PASS("n5");
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("gen", "Gt", "'-4'") "]}")));
	PASS("n1");
	PASS("n5");

	/* strict comparison */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[" EXPR("gen", "Gt", "'206'") "]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);

	/* matchFields NotIn is a plain Filter requirement, not a PreFilter set */
	load(AFF_CLUSTER, PODIN("", REQUIRED("{'matchFields':[{'key':'metadata.name','operator':'"
	                                     "NotIn','values':['n1']}]}")));
	assert_null(F.ctx.allowed);
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	PASS("n2");
	PASS("n4");
}

static void test_node_affinity_empty_and_malformed_terms(void **state)
{
	(void)state;
	/* a term with neither matchExpressions nor matchFields matches nothing */
	load(AFF_CLUSTER, PODIN("", REQUIRED("{}")));
	assert_null(F.ctx.allowed);
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n4", P_AFF, R_AFFINITY_SEL);

	/* a malformed term never matches, but an ORed sibling still can */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[{'key':'zone','operator':'In','values':[]}]},"
	                        "{'matchExpressions':[" EXPR("zone", "In", "'b'") "]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	PASS("n2");

	/* Exists with values, unknown operator: malformed */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchExpressions':[{'key':'zone','operator':'Exists','values':['"
	                        "a']}]},{'matchExpressions':[" EXPR("zone", "Like", "'a'") "]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);

	/* Gt with a non-integer or two values, an invalid label value: malformed */
	/* clang-format off */
	load(AFF_CLUSTER, PODIN("", REQUIRED(
		"{'matchExpressions':[" EXPR("gen", "Gt", "'a'") "]},"
		"{'matchExpressions':[" EXPR("gen", "Gt", "'1','2'") "]},"
		"{'matchExpressions':[" EXPR("zone", "NotIn", "'bad value!'") "]},"
		"{'matchExpressions':[" EXPR("disk", "In", "'hdd'") "]}")));
	/* clang-format on */
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	PASS("n2");
	FAIL_UU("n3", P_AFF, R_AFFINITY_SEL);
}

static void test_node_affinity_prefilter_node_names(void **state)
{
	(void)state;
	load(AFF_CLUSTER, PODIN("", REQUIRED("{'matchFields':[" NAME_IN("n1") "]}")));
	assert_false(F.ctx.prefilter_rejected);
	assert_non_null(F.ctx.allowed);
	PASS("n1");
	FAIL_UU("n2", P_AFF, R_PREFILTER);
	FAIL_UU("n3", P_AFF, R_PREFILTER);
	FAIL_UU("n4", P_AFF, R_PREFILTER);

	/* union over terms */
	load(AFF_CLUSTER, PODIN("", REQUIRED("{'matchFields':[" NAME_IN(
	                                "n1") "]},{'matchFields':[" NAME_IN("n3") "]}")));
	PASS("n1");
	FAIL_UU("n2", P_AFF, R_PREFILTER);
	PASS("n3");
	FAIL_UU("n4", P_AFF, R_PREFILTER);

	/* in the set, but the term's label requirement fails: the Filter reason */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchFields':[" NAME_IN("n1") "],'matchExpressions':[" EXPR(
	                   "zone", "In", "'b'") "]}")));
	FAIL_UU("n1", P_AFF, R_AFFINITY_SEL);
	FAIL_UU("n2", P_AFF, R_PREFILTER);

	/* one term without a name requirement lifts the restriction */
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchFields':[" NAME_IN("n1") "]},{'matchExpressions':[" EXPR(
	                   "zone", "In", "'c'") "]}")));
	assert_null(F.ctx.allowed);
	PASS("n1");
	FAIL_UU("n2", P_AFF, R_AFFINITY_SEL);
	PASS("n3");
	FAIL_UU("n4", P_AFF, R_AFFINITY_SEL);

	/* an empty intersection in one term is fine while another term names nodes (1.34) */
	load(AFF_CLUSTER, PODIN("", REQUIRED("{'matchFields':[" NAME_IN("n1") "," NAME_IN(
	                                "n2") "]},{'matchFields':[" NAME_IN("n3") "]}")));
	assert_false(F.ctx.prefilter_rejected);
	FAIL_UU("n1", P_AFF, R_PREFILTER);
	FAIL_UU("n2", P_AFF, R_PREFILTER);
	PASS("n3");

	/* a name the snapshot does not know: not a conflict, every node is outside */
	load(AFF_CLUSTER, PODIN("", REQUIRED("{'matchFields':[" NAME_IN("ghost") "]}")));
	assert_false(F.ctx.prefilter_rejected);
	FAIL_UU("n1", P_AFF, R_PREFILTER);
	FAIL_UU("n2", P_AFF, R_PREFILTER);
	FAIL_UU("n3", P_AFF, R_PREFILTER);
	FAIL_UU("n4", P_AFF, R_PREFILTER);
}

static void test_node_affinity_prefilter_conflict(void **state)
{
	(void)state;
	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchFields':[" NAME_IN("n1") "," NAME_IN("n2") "]}")));
	assert_true(F.ctx.prefilter_rejected);
	assert_int_equal(F.ctx.prefilter_plugin, HR_PLUGIN_NODE_AFFINITY);
	assert_string_equal(F.ctx.prefilter_message, "pod affinity terms conflict");

	load(AFF_CLUSTER,
	     PODIN("", REQUIRED("{'matchFields':[" NAME_IN("n1") "," NAME_IN(
	                   "n2") "]},{'matchFields':[" NAME_IN("n3") "," NAME_IN("n4") "]}")));
	assert_true(F.ctx.prefilter_rejected);
	assert_string_equal(F.ctx.prefilter_message, "pod affinity terms conflict");

	/* the direct PreFilter entry point */
	const bool *allowed = (const bool *)1;
	bool conflict = false;
	assert_int_equal(
	    hr_node_affinity_prefilter(F.pod, F.snap, &F.arena, &allowed, &conflict, &F.err),
	    HR_OK);
	assert_true(conflict);
}

/* ---- NodePorts (§2.5) ------------------------------------------------------------ */

/* clang-format off */
#define PORTS(list) "'containers':[{'name':'c','ports':[" list "]}]"
#define HP(port, proto, ip)                                                  \
	"{'containerPort':9000,'hostPort':" #port ",'protocol':'" proto "'," \
	"'hostIP':'" ip "'}"
#define PORT_CLUSTER                                                                    \
	LIST(NODE("n1", "", "", STD) "," NODE("n2", "", "", STD) ","                    \
	     NODE("n3", "", "", STD) "," NODE("n4", "", "", STD) ","                    \
	     NODE("n5", "", "", STD) "," NODE("n6", "", "", STD) ","                    \
	     NODE("n7", "", "", STD) "," NODE("n8", "", "", STD) ","                    \
	     /* default IP and protocol: 0.0.0.0/TCP */                                 \
	     POD("p1", "n1", "", PORTS("{'containerPort':80,'hostPort':80}")) ","       \
	     POD("p2", "n2", "", PORTS(HP(80, "TCP", "127.0.0.1"))) ","                 \
	     POD("p3", "n3", "", PORTS(HP(80, "TCP", "::"))) ","                        \
	     POD("p4", "n4", "", PORTS(HP(80, "UDP", "0.0.0.0"))) ","                   \
	     /* an ordinary init container's ports never count */                       \
	     POD("p5", "n5", "",                                                        \
		 "'initContainers':[{'name':'i','ports':[" HP(80, "TCP", "") "]}],"     \
		 "'containers':[{'name':'c'}]") ","                                     \
	     /* a sidecar's ports do */                                                 \
	     POD("p6", "n6", "",                                                        \
		 "'initContainers':[{'name':'s','restartPolicy':'Always',"              \
		 "'ports':[" HP(80, "TCP", "") "]}],'containers':[{'name':'c'}]") ","   \
	     /* a finished pod holds nothing */                                         \
	     POD_X("p7", "", "n7", "", PORTS(HP(80, "TCP", "")), "'phase':'Succeeded'"))
/* clang-format on */

struct port_case {
	const char *spec;
	const char *conflicts; /* 8 chars, 'x' = conflict on n<i+1> */
};

static void run_port_cases(const struct port_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		loadf(PORT_CLUSTER, PODIN("", "%s"), cases[i].spec);
		snprintf(g_case, sizeof(g_case), "%zu (%s)", i, cases[i].spec);
		for (int k = 0; k < 8; k++) {
			char node[16];
			snprintf(node, sizeof(node), "n%d", k + 1);
			if (cases[i].conflicts[k] == 'x')
				FAIL_U(node, P_PORTS, R_PORTS);
			else
				PASS(node);
		}
	}
}

static void test_node_ports(void **state)
{
	(void)state;
	/* existing: n1 0.0.0.0:80/TCP, n2 127.0.0.1:80/TCP, n3 [::]:80/TCP,
	 * n4 0.0.0.0:80/UDP, n5 init-only, n6 sidecar 0.0.0.0:80/TCP, n7 finished, n8 none */
	static const struct port_case cases[] = {
	    /* wanted 0.0.0.0 conflicts with every IP of the same proto/port */
	    {PORTS(HP(80, "TCP", "")), "xxx..x.."},
	    {PORTS(HP(80, "TCP", "0.0.0.0")), "xxx..x.."},
	    /* a specific IP conflicts with itself and with 0.0.0.0 */
	    {PORTS(HP(80, "TCP", "127.0.0.1")), "xx...x.."},
	    {PORTS(HP(80, "TCP", "10.0.0.1")), "x....x.."},
	    /* "::" is not a wildcard */
	    {PORTS(HP(80, "TCP", "::")), "x.x..x.."},
	    /* protocols differ: no conflict; "" means TCP */
	    {PORTS(HP(80, "UDP", "")), "...x...."},
	    {PORTS("{'containerPort':80,'hostPort':80}"), "xxx..x.."},
	    {PORTS(HP(81, "TCP", "")), "........"},
	    /* containerPort only: no host port wanted */
	    {PORTS("{'containerPort':80}"), "........"},
	    /* the incoming pod's sidecar ports count, ordinary init ports do not */
	    {"'initContainers':[{'name':'s','restartPolicy':'Always','ports':[" HP(
	         80, "TCP", "") "]}],'containers':[{'name':'c'}]",
	     "xxx..x.."},
	    {"'initContainers':[{'name':'i','ports':[" HP(80, "TCP",
	                                                  "") "]}],'containers':[{'name':'c'}]",
	     "........"},
	    /* hostNetwork: hostPort defaults to containerPort */
	    {"'hostNetwork':true," PORTS("{'containerPort':80}"), "xxx..x.."},
	    /* the pod's own ports are not checked against each other */
	    {"'containers':[{'name':'a','ports':[" HP(80, "TCP", "") "]},{'name':'b','ports':[" HP(
	         80, "TCP", "") "]}]",
	     "xxx..x.."},
	    /* several wanted ports: any conflict fails */
	    {PORTS(HP(81, "TCP", "") "," HP(80, "UDP", "")), "...x...."},
	};
	run_port_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- NodeResourcesFit (§2.6) ------------------------------------------------------- */

#define R_PODS "Too many pods"
#define R_CPU  "Insufficient cpu"
#define R_MEM  "Insufficient memory"
#define R_EPH  "Insufficient ephemeral-storage"

static void test_fit_too_many_pods(void **state)
{
	(void)state;
	const char *cluster =
	    hr_test_list(NODE("full", "", "", "'cpu':'4','memory':'8Gi','pods':'2'"),
	                 NODE("room", "", "", "'cpu':'4','memory':'8Gi','pods':'3'"),
	                 NODE("nopods", "", "", "'cpu':'4','memory':'8Gi'"),
	                 POD("a", "full", "", CTR("")), POD("b", "full", "", CTR("")),
	                 POD("c", "room", "", CTR("")), POD("d", "room", "", CTR("")), NULL);
	/* a pod that requests nothing still needs a pod slot */
	load(cluster, PODIN("", CTR("")));
	FAIL_U("full", P_FIT, R_PODS);
	PASS("room");
	/* no pods allocatable = 0 slots: always fails, and only as Unschedulable */
	FAIL_U("nopods", P_FIT, R_PODS);
	load(cluster, PODIN("", CTR("'cpu':'100m'")));
	FAIL_U("full", P_FIT, R_PODS);
	PASS("room");
	FAIL_U("nopods", P_FIT, R_PODS);
}

static void test_fit_cpu_memory_ephemeral(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(
	    NODE("used", "", "",
	         "'cpu':'1','memory':'1Gi','ephemeral-storage':'10Gi','pods':'110'"),
	    NODE("empty", "", "",
	         "'cpu':'1','memory':'1Gi','ephemeral-storage':'10Gi','pods':'110'"),
	    POD("u", "used", "", CTR("'cpu':'600m','memory':'512Mi','ephemeral-storage':'4Gi'")),
	    NULL);
	load(cluster, PODIN("", CTR("'cpu':'400m'")));
	PASS("used");
	PASS("empty");
	load(cluster, PODIN("", CTR("'cpu':'401m'")));
	FAIL_U("used", P_FIT, R_CPU);
	PASS("empty");
	/* exactly the allocatable fits an empty node */
	load(cluster, PODIN("", CTR("'cpu':'1'")));
	FAIL_U("used", P_FIT, R_CPU);
	PASS("empty");
	/* more than allocatable can never fit: UnschedulableAndUnresolvable */
	load(cluster, PODIN("", CTR("'cpu':'1001m'")));
	FAIL_UU("used", P_FIT, R_CPU);
	FAIL_UU("empty", P_FIT, R_CPU);

	load(cluster, PODIN("", CTR("'memory':'512Mi'")));
	PASS("used");
	load(cluster, PODIN("", CTR("'memory':'536870913'")));
	FAIL_U("used", P_FIT, R_MEM);
	PASS("empty");
	load(cluster, PODIN("", CTR("'memory':'2Gi'")));
	FAIL_UU("used", P_FIT, R_MEM);

	load(cluster, PODIN("", CTR("'ephemeral-storage':'6Gi'")));
	PASS("used");
	load(cluster, PODIN("", CTR("'ephemeral-storage':'7Gi'")));
	FAIL_U("used", P_FIT, R_EPH);
	PASS("empty");
	load(cluster, PODIN("", CTR("'ephemeral-storage':'11Gi'")));
	FAIL_UU("empty", P_FIT, R_EPH);

	/* all three at once: one reason each, one status */
	load(cluster, PODIN("", CTR("'cpu':'500m','memory':'600Mi','ephemeral-storage':'8Gi'")));
	FAIL_U("used", P_FIT, R_CPU ", " R_MEM ", " R_EPH);
	PASS("empty");
	/* UU as soon as one failing resource exceeds allocatable */
	load(cluster, PODIN("", CTR("'cpu':'500m','memory':'600Mi','ephemeral-storage':'20Gi'")));
	FAIL_UU("used", P_FIT, R_CPU ", " R_MEM ", " R_EPH);
	FAIL_UU("empty", P_FIT, R_EPH);
}

static void test_fit_zero_requests_skip_overcommitted(void **state)
{
	(void)state;
	/* the node is already over-committed on cpu (existing pods are not re-checked) */
	const char *cluster =
	    hr_test_list(NODE("over", "", "", "'cpu':'1','memory':'1Gi','pods':'110'"),
	                 POD("big", "over", "", CTR("'cpu':'1500m'")), NULL);
	load(cluster, PODIN("", CTR("'memory':'100Mi'")));
	PASS("over");
	load(cluster, PODIN("", CTR("")));
	PASS("over");
	load(cluster, PODIN("", CTR("'cpu':'1m','memory':'100Mi'")));
	FAIL_U("over", P_FIT, R_CPU);
	/* a zero extended request is skipped even where the resource does not exist */
	load(cluster, PODIN("", CTR("'example.com/gpu':'0','memory':'1Mi'")));
	PASS("over");
}

static void test_fit_scalar_resources(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(
	    NODE("gpu", "", "",
	         "'cpu':'4','memory':'8Gi','pods':'110','example.com/"
	         "gpu':'2','hugepages-2Mi':'8Mi','foo.kubernetes.io/widget':'3','kubernetes.io/"
	         "bar':'1','attachable-volumes-csi-x':'2'"),
	    NODE("plain", "", "", STD),
	    POD("g", "gpu", "",
	        CTR("'example.com/gpu':'1','hugepages-2Mi':'4Mi','foo.kubernetes.io/widget':'1'")),
	    NULL);
	load(cluster, PODIN("", CTR("'example.com/gpu':'1'")));
	PASS("gpu");
	FAIL_UU("plain", P_FIT, "Insufficient example.com/gpu"); /* absent allocatable = 0 */
	load(cluster, PODIN("", CTR("'example.com/gpu':'2'")));
	FAIL_U("gpu", P_FIT, "Insufficient example.com/gpu");
	load(cluster, PODIN("", CTR("'example.com/gpu':'3'")));
	FAIL_UU("gpu", P_FIT, "Insufficient example.com/gpu");

	load(cluster, PODIN("", CTR("'hugepages-2Mi':'4Mi'")));
	PASS("gpu");
	load(cluster, PODIN("", CTR("'hugepages-2Mi':'6Mi'")));
	FAIL_U("gpu", P_FIT, "Insufficient hugepages-2Mi");
	load(cluster, PODIN("", CTR("'hugepages-2Mi':'10Mi'")));
	FAIL_UU("gpu", P_FIT, "Insufficient hugepages-2Mi");
	FAIL_UU("plain", P_FIT, "Insufficient hugepages-2Mi");

	/* names containing kubernetes.io/ are scalar resources too */
	load(cluster, PODIN("", CTR("'foo.kubernetes.io/widget':'2','kubernetes.io/bar':'1'")));
	PASS("gpu");
	FAIL_UU("plain", P_FIT,
	        "Insufficient foo.kubernetes.io/widget, Insufficient kubernetes.io/bar");
	load(cluster, PODIN("", CTR("'foo.kubernetes.io/widget':'3'")));
	FAIL_U("gpu", P_FIT, "Insufficient foo.kubernetes.io/widget");

	load(cluster, PODIN("", CTR("'attachable-volumes-csi-x':'2'")));
	PASS("gpu");
	load(cluster, PODIN("", CTR("'attachable-volumes-csi-x':'3'")));
	FAIL_UU("gpu", P_FIT, "Insufficient attachable-volumes-csi-x");

	/* unknown unprefixed names are ignored entirely */
	load(cluster,
	     PODIN("", CTR("'widget':'5','nvidia-gpu':'1','requests.example.com/gpu':'1'")));
	PASS("gpu");
	PASS("plain");
}

static void test_fit_all_reasons_together(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(
	    NODE("n1", "", "",
	         "'cpu':'1','memory':'1Gi','ephemeral-storage':'1Gi','pods':'1','example.com/"
	         "gpu':'1','example.com/fpga':'1'"),
	    POD("u", "n1", "",
	        CTR("'cpu':'1','memory':'1Gi','example.com/gpu':'1','example.com/fpga':'1'")),
	    NULL);
	load(cluster, PODIN("", CTR("'cpu':'100m','memory':'1Mi','ephemeral-storage':'2Gi','"
	                            "example.com/gpu':'1','example.com/fpga':'1'")));
	FAIL_UU("n1", P_FIT,
	        "Too many pods, Insufficient cpu, Insufficient memory, Insufficient "
	        "ephemeral-storage, Insufficient example.com/fpga, Insufficient example.com/gpu");
	load(cluster, PODIN("", CTR("'cpu':'100m','memory':'1Mi','ephemeral-storage':'1Mi','"
	                            "example.com/gpu':'1'")));
	FAIL_U(
	    "n1", P_FIT,
	    "Too many pods, Insufficient cpu, Insufficient memory, Insufficient example.com/gpu");
}

static void test_fit_reasons_emitted_one_by_one(void **state)
{
	(void)state;
	load(hr_test_list(NODE("n1", "", "", "'cpu':'1','memory':'1Gi','pods':'0'"), NULL),
	     PODIN("", CTR("'cpu':'2','memory':'2Gi','example.com/gpu':'1'")));
	struct hr_node_status st;
	hr_filter_node(&F.ctx, hr_snap_find_node(F.snap, HR_STR_LIT("n1")), &st);
	assert_int_equal(st.code, HR_STATUS_UNRESOLVABLE);
	assert_int_equal(st.plugin, HR_PLUGIN_NODE_RESOURCES_FIT);
	assert_int_equal(st.reasons, (1u << HR_R_TOO_MANY_PODS) | (1u << HR_R_INSUFFICIENT_CPU) |
	                                 (1u << HR_R_INSUFFICIENT_MEMORY) |
	                                 (1u << HR_R_INSUFFICIENT_SCALAR));
	struct hr_buf b;
	hr_buf_init(&b, 4096);
	hr_status_text(&st, F.pod, &b);
	assert_string_equal(
	    b.p,
	    "Too many pods, Insufficient cpu, Insufficient memory, Insufficient example.com/gpu");
	hr_buf_fini(&b);
}

static void test_fit_init_sidecar_overhead(void **state)
{
	(void)state;
	const char *cluster =
	    hr_test_list(NODE("c500", "", "", "'cpu':'500m','memory':'1Gi','pods':'10'"),
	                 NODE("c499", "", "", "'cpu':'499m','memory':'1Gi','pods':'10'"),
	                 NODE("c450", "", "", "'cpu':'450m','memory':'1Gi','pods':'10'"),
	                 NODE("c449", "", "", "'cpu':'449m','memory':'1Gi','pods':'10'"),
	                 NODE("c150", "", "", "'cpu':'150m','memory':'1Gi','pods':'10'"),
	                 NODE("c149", "", "", "'cpu':'149m','memory':'1Gi','pods':'10'"), NULL);
	/* R = max(100m + 100m, init 500m) = 500m (the nodes are empty, so a request above
	 * allocatable is UnschedulableAndUnresolvable) */
	load(cluster,
	     PODIN("", "'initContainers':[{'name':'i','resources':{'requests':{'cpu':'500m'}}}],'"
	               "containers':[{'name':'a','resources':{'requests':{'cpu':'100m'}}},{'name':'"
	               "b','resources':{'requests':{'cpu':'100m'}}}]"));
	PASS("c500");
	FAIL_UU("c499", P_FIT, R_CPU);
	/* sidecar s (200m) runs beside the app (100m): 300m; the init container after it
	 * needs 250m + 200m = 450m, so R = max(300m, 450m) = 450m */
	load(cluster,
	     PODIN("",
	           "'initContainers':[{'name':'s','restartPolicy':'Always','resources':{'"
	           "requests':{'cpu':'200m'}}},{'name':'i','resources':{'requests':{'cpu':'250m'"
	           "}}}],'containers':[{'name':'a','resources':{'requests':{'cpu':'100m'}}}]"));
	PASS("c450");
	FAIL_UU("c449", P_FIT, R_CPU);
	/* an init container before the sidecar does not add the sidecar: 400m vs 300m */
	load(cluster,
	     PODIN("", "'initContainers':[{'name':'i','resources':{'requests':{'cpu':'400m'}}},{'"
	               "name':'s','restartPolicy':'Always','resources':{'requests':{'cpu':'200m'}}}"
	               "],'containers':[{'name':'a','resources':{'requests':{'cpu':'100m'}}}]"));
	PASS("c450");
	PASS("c500");
	load(cluster,
	     PODIN("", "'initContainers':[{'name':'i','resources':{'requests':{'cpu':'400m'}}},{'"
	               "name':'s','restartPolicy':'Always','resources':{'requests':{'cpu':'300m'}}}"
	               "],'containers':[{'name':'a','resources':{'requests':{'cpu':'150m'}}}]"));
	/* 150m + 300m = 450m, init 400m: 450m */
	PASS("c450");
	FAIL_UU("c449", P_FIT, R_CPU);
	/* overhead adds: 100m + 50m */
	load(cluster, PODIN("", CTR("'cpu':'100m'") ",'overhead':{'cpu':'50m'}"));
	PASS("c150");
	FAIL_UU("c149", P_FIT, R_CPU);
	/* pod-level requests replace the container aggregate for cpu */
	load(cluster, PODIN("", CTR("'cpu':'100m'") ",'resources':{'requests':{'cpu':'150m'}}"));
	PASS("c150");
	FAIL_UU("c149", P_FIT, R_CPU);
}

static void test_fit_existing_pod_accounting(void **state)
{
	(void)state;
	/* running 500m + terminating 300m count; a Succeeded pod and an unbound
	 * pod hold nothing: used = 800m of 1 cpu, 2 of 3 pod slots */
	const char *cluster = hr_test_list(
	    NODE("n1", "", "", "'cpu':'1','memory':'1Gi','pods':'3'"),
	    POD("run", "n1", "", CTR("'cpu':'500m'")),
	    POD_X("done", "", "n1", "", CTR("'cpu':'500m'"), "'phase':'Succeeded'"),
	    POD_X("failed", "", "n1", "", CTR("'cpu':'500m'"), "'phase':'Failed'"),
	    POD_X("bye", ",'deletionTimestamp':'2024-01-01T00:00:00Z'", "n1", "",
	          CTR("'cpu':'300m'"), "'phase':'Running'"),
	    POD_X("pending", "", "", "", CTR("'cpu':'500m'"), "'phase':'Pending'"), NULL);
	load(cluster, PODIN("", CTR("'cpu':'200m'")));
	PASS("n1");
	load(cluster, PODIN("", CTR("'cpu':'201m'")));
	FAIL_U("n1", P_FIT, R_CPU);
	assert_int_equal(hr_snap_find_node(F.snap, HR_STR_LIT("n1"))->n_pods, 2);
}

static void test_fit_existing_pod_resized(void **state)
{
	(void)state;
	/* in-place resize: status resources raise the existing pod's request to 600m */
	const char *cluster = hr_test_list(
	    NODE("n1", "", "", "'cpu':'1','memory':'1Gi','pods':'10'"),
	    POD_X("r", "", "n1", "", CTR("'cpu':'100m'"),
	          "'phase':'Running','containerStatuses':[{'name':'c','resources':{'requests':{"
	          "'cpu':'600m'}}}]"),
	    NULL);
	load(cluster, PODIN("", CTR("'cpu':'400m'")));
	PASS("n1");
	load(cluster, PODIN("", CTR("'cpu':'401m'")));
	FAIL_U("n1", P_FIT, R_CPU);

	/* max(spec 100m, status 300m, allocated 700m) = 700m */
	const char *allocated = hr_test_list(
	    NODE("n1", "", "", "'cpu':'1','memory':'1Gi','pods':'10'"),
	    POD_X("r", "", "n1", "", CTR("'cpu':'100m'"),
	          "'phase':'Running','containerStatuses':[{'name':'c','resources':{'requests':{"
	          "'cpu':'300m'}},'allocatedResources':{'cpu':'700m'}}]"),
	    NULL);
	load(allocated, PODIN("", CTR("'cpu':'300m'")));
	PASS("n1");
	load(allocated, PODIN("", CTR("'cpu':'301m'")));
	FAIL_U("n1", P_FIT, R_CPU);

	/* a status entry without resources is ignored, even with allocatedResources: 100m */
	load(hr_test_list(
	         NODE("n1", "", "", "'cpu':'1','memory':'1Gi','pods':'10'"),
	         POD_X("r", "", "n1", "", CTR("'cpu':'100m'"),
	               "'phase':'Running','containerStatuses':[{'name':'c','allocatedResources':{"
	               "'cpu':'900m'}}]"),
	         NULL),
	     PODIN("", CTR("'cpu':'900m'")));
	PASS("n1");

	/* resize Infeasible: the spec request (800m) is left out of the max: 200m */
	const char *infeasible = hr_test_list(
	    NODE("n1", "", "", "'cpu':'1','memory':'1Gi','pods':'10'"),
	    POD_X("r", "", "n1", "", CTR("'cpu':'800m'"),
	          "'phase':'Running','conditions':[{'type':'PodResizePending','status':'True',"
	          "'reason':'Infeasible'}],'containerStatuses':[{'name':'c','resources':{"
	          "'requests':{'cpu':'200m'}}}]"),
	    NULL);
	load(infeasible, PODIN("", CTR("'cpu':'800m'")));
	PASS("n1");
	load(infeasible, PODIN("", CTR("'cpu':'801m'")));
	FAIL_U("n1", P_FIT, R_CPU);
}

/* ---- PodTopologySpread (§2.8) ------------------------------------------------------ */

#define WEB "'app':'web'"
#define SPREAD(extra)                                                                              \
	",'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':'zone',"                         \
	"'whenUnsatisfiable':'DoNotSchedule'" extra "}]"
#define SEL_WEB ",'labelSelector':{'matchLabels':{'app':'web'}}"
/* zones a: 2 matching pods, b: 1, c: 0; x1 has no zone label */
/* clang-format off */
#define SPREAD_CLUSTER                                                                           \
	LIST(NODE("a1", "'zone':'a'", "", STD) "," NODE("b1", "'zone':'b'", "", STD) ","         \
	     NODE("c1", "'zone':'c'", "", STD) "," NODE("x1", "", "", STD) ","                   \
	     POD("w1", "a1", WEB, CTR("")) "," POD("w2", "a1", WEB, CTR("")) ","                 \
	     POD("w3", "b1", WEB, CTR("")) "," POD("o1", "c1", "'app':'other'", CTR("")) ","     \
	     POD_NS("w4", "elsewhere", "c1", WEB, CTR("")) ","                                   \
	     POD_NS("w5", "elsewhere", "c1", WEB, CTR("")) ","                                   \
	     "{'kind':'Pod','metadata':{'name':'w6','namespace':'default','labels':{" WEB "},"   \
	     "'deletionTimestamp':'2024-01-01T00:00:00Z'},'spec':{'nodeName':'c1'," CTR("") "}," \
	     "'status':{'phase':'Running'}}")
/* clang-format on */

static void test_spread_max_skew_uneven_zones(void **state)
{
	(void)state;
	/* counts a=2, b=1, c=0 (other namespace and terminating pods do not count);
	 * global min 0; node passes iff count + 1 - 0 <= 1 */
	load(SPREAD_CLUSTER, PODIN(WEB, CTR("") SPREAD(SEL_WEB)));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	FAIL_U("b1", P_SPREAD, R_SPREAD);
	PASS("c1");
	FAIL_UU("x1", P_SPREAD, R_SPREAD_LABEL);

	/* maxSkew 2: a 3 > 2 fails, b 2 passes */
	load(SPREAD_CLUSTER,
	     PODIN(WEB, CTR("") ",'topologySpreadConstraints':[{'maxSkew':2,'topologyKey':'zone','"
	                        "whenUnsatisfiable':'DoNotSchedule'" SEL_WEB "}]"));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
	PASS("c1");

	/* a pod that does not match its own selector adds nothing: a 2 > 1 fails, b 1 passes */
	load(SPREAD_CLUSTER, PODIN("'app':'batch'", CTR("") SPREAD(SEL_WEB)));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
	PASS("c1");

	/* ScheduleAnyway never filters */
	load(SPREAD_CLUSTER,
	     PODIN(WEB, CTR("") ",'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':'zone','"
	                        "whenUnsatisfiable':'ScheduleAnyway'" SEL_WEB "}]"));
	assert_false(hr_pod_is_coupled(F.pod, F.snap));
	PASS("a1");
	PASS("x1");
}

static void test_spread_nil_and_empty_selector(void **state)
{
	(void)state;
	/* nil selector: counts 0 and no self-match */
	load(SPREAD_CLUSTER, PODIN(WEB, CTR("") SPREAD("")));
	PASS("a1");
	PASS("b1");
	PASS("c1");
	FAIL_UU("x1", P_SPREAD, R_SPREAD_LABEL);
	/* 1.34 quirk: labelSelector {} counts 0 everywhere (the pod self-matches: 0+1-0 = 1) */
	load(SPREAD_CLUSTER, PODIN(WEB, CTR("") SPREAD(",'labelSelector':{}")));
	PASS("a1");
	PASS("b1");
	PASS("c1");
	FAIL_UU("x1", P_SPREAD, R_SPREAD_LABEL);
}

static void test_spread_min_domains(void **state)
{
	(void)state;
	const char *cluster =
	    hr_test_list(NODE("a1", "'zone':'a'", "", STD), NODE("b1", "'zone':'b'", "", STD),
	                 NODE("c1", "'zone':'c'", "", STD), POD("w1", "a1", WEB, CTR("")),
	                 POD("w2", "b1", WEB, CTR("")), POD("w3", "c1", WEB, CTR("")), NULL);
	/* counts 1/1/1, min 1: 1 + 1 - 1 = 1 passes */
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB)));
	PASS("a1");
	PASS("b1");
	PASS("c1");
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB ",'minDomains':3")));
	PASS("a1");
	/* 3 domains < minDomains 4: global min 0, 1 + 1 - 0 = 2 > 1 */
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB ",'minDomains':4")));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	FAIL_U("b1", P_SPREAD, R_SPREAD);
	FAIL_U("c1", P_SPREAD, R_SPREAD);
}

static void test_spread_node_taints_policy(void **state)
{
	(void)state;
	/* zone a: 1 matching pod; zone b's only node is tainted */
	const char *cluster =
	    hr_test_list(NODE("a1", "'zone':'a'", "", STD),
	                 NODE("b1", "'zone':'b'",
	                      "'taints':[{'key':'t','value':'1','effect':'NoSchedule'}]", STD),
	                 POD("w1", "a1", WEB, CTR("")), NULL);
	/* Ignore (default): b counts with 0, min 0, a: 1 + 1 - 0 = 2 > 1 */
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB)));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	FAIL_UU("b1", P_TAINT, R_TAINT("t: 1"));
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB ",'nodeTaintsPolicy':'Ignore'")));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	/* Honor: b is not a domain, min 1, a: 1 + 1 - 1 = 1 */
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB ",'nodeTaintsPolicy':'Honor'")));
	PASS("a1");
	/* Honor ignores PreferNoSchedule taints: b counts */
	load(hr_test_list(NODE("a1", "'zone':'a'", "", STD),
	                  NODE("b1", "'zone':'b'",
	                       "'taints':[{'key':'t','value':'1','effect':'PreferNoSchedule'}]",
	                       STD),
	                  POD("w1", "a1", WEB, CTR("")), NULL),
	     PODIN(WEB, CTR("") SPREAD(SEL_WEB ",'nodeTaintsPolicy':'Honor'")));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
	/* Honor, but the pod tolerates the taint: b counts again */
	load(cluster,
	     PODIN(WEB, CTR("") SPREAD(SEL_WEB
	                               ",'nodeTaintsPolicy':'Honor'") ",'tolerations':[{'key':'t','"
	                                                              "operator':'Exists'}]"));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
}

static void test_spread_node_affinity_policy(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(NODE("a1", "'zone':'a','pool':'x'", "", STD),
	                                   NODE("b1", "'zone':'b','pool':'y'", "", STD),
	                                   POD("w1", "a1", WEB, CTR("")), NULL);
	/* Honor (default): b1 does not match the nodeSelector, so b is not a domain */
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB) ",'nodeSelector':{'pool':'x'}"));
	PASS("a1");
	FAIL_UU("b1", P_AFF, R_AFFINITY_SEL);
	load(cluster,
	     PODIN(WEB,
	           CTR("") SPREAD(SEL_WEB
	                          ",'nodeAffinityPolicy':'Honor'") ",'nodeSelector':{'pool':'x'}"));
	PASS("a1");
	/* Ignore: b counts with 0, a: 2 - 0 > 1 */
	load(cluster,
	     PODIN(WEB,
	           CTR("") SPREAD(
	               SEL_WEB ",'nodeAffinityPolicy':'Ignore'") ",'nodeSelector':{'pool':'x'}"));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	/* required node affinity is honoured the same way */
	load(cluster, PODIN(WEB, REQUIRED("{'matchExpressions':[" EXPR("pool", "In", "'x'") "]}")
	                             SPREAD(SEL_WEB)));
	PASS("a1");
}

static void test_spread_all_keys_needed_for_counting(void **state)
{
	(void)state;
	/* b1 lacks 'rack': with a second constraint on rack it is not counted for zone
	 * either, so the zone minimum is a's 1 and a1 passes */
	const char *cluster =
	    hr_test_list(NODE("a1", "'zone':'a','rack':'r1'", "", STD),
	                 NODE("b1", "'zone':'b'", "", STD), POD("w1", "a1", WEB, CTR("")), NULL);
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB)));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
	load(cluster, PODIN(WEB, CTR("") ",'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':"
	                                 "'zone','whenUnsatisfiable':'DoNotSchedule'" SEL_WEB
	                                 "},{'maxSkew':5,'topologyKey':'rack','whenUnsatisfiable':'"
	                                 "DoNotSchedule'" SEL_WEB "}]"));
	PASS("a1");
	FAIL_UU("b1", P_SPREAD, R_SPREAD_LABEL);
	/* a ScheduleAnyway constraint's key is not needed: b counts for zone again */
	load(cluster, PODIN(WEB, CTR("") ",'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':"
	                                 "'zone','whenUnsatisfiable':'DoNotSchedule'" SEL_WEB
	                                 "},{'maxSkew':5,'topologyKey':'rack','whenUnsatisfiable':'"
	                                 "ScheduleAnyway'" SEL_WEB "}]"));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
}

static void test_spread_match_label_keys(void **state)
{
	(void)state;
	const char *cluster =
	    hr_test_list(NODE("a1", "'zone':'a'", "", STD), NODE("b1", "'zone':'b'", "", STD),
	                 POD("v1a", "a1", "'app':'web','version':'v1'", CTR("")),
	                 POD("v1b", "a1", "'app':'web','version':'v1'", CTR("")), NULL);
	/* without matchLabelKeys: a has 2 web pods, 3 - 0 > 1 */
	load(cluster, PODIN("'app':'web','version':'v2'", CTR("") SPREAD(SEL_WEB)));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	/* with matchLabelKeys [version]: only v2 pods count, a has 0 */
	load(cluster, PODIN("'app':'web','version':'v2'",
	                    CTR("") SPREAD(SEL_WEB ",'matchLabelKeys':['version']")));
	PASS("a1");
	PASS("b1");
	/* a v1 pod counts the two v1 pods */
	load(cluster, PODIN("'app':'web','version':'v1'",
	                    CTR("") SPREAD(SEL_WEB ",'matchLabelKeys':['version']")));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
	/* a key the pod does not carry is ignored */
	load(cluster,
	     PODIN("'app':'web'", CTR("") SPREAD(SEL_WEB ",'matchLabelKeys':['version']")));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	/* {} plus a merged key is no longer the empty selector: it counts */
	load(cluster, PODIN("'app':'web','version':'v1'",
	                    CTR("") SPREAD(",'labelSelector':{},'matchLabelKeys':['version']")));
	FAIL_U("a1", P_SPREAD, R_SPREAD);
	PASS("b1");
}

/* ---- InterPodAffinity (§2.7) -------------------------------------------------------- */

#define HOST "kubernetes.io/hostname"
/* clang-format off */
#define IPA_NODES                                             \
	NODE("n1", "'zone':'a','" HOST "':'n1'", "", STD) "," \
	NODE("n2", "'zone':'a','" HOST "':'n2'", "", STD) "," \
	NODE("n3", "'zone':'b','" HOST "':'n3'", "", STD) "," \
	NODE("n4", "'" HOST "':'n4'", "", STD)
#define TERM(sel, key, extra) \
	"{'labelSelector':{'matchLabels':{" sel "}},'topologyKey':'" key "'" extra "}"
#define AFFINITY(terms)                                                  \
	",'affinity':{'podAffinity':{"                                   \
	"'requiredDuringSchedulingIgnoredDuringExecution':[" terms "]}}"
#define ANTI(terms)                                                      \
	",'affinity':{'podAntiAffinity':{"                               \
	"'requiredDuringSchedulingIgnoredDuringExecution':[" terms "]}}"
/* clang-format on */

/* The snapshot's name index finds every node and nothing else, and it lists
 * exactly the pods whose inter-pod terms other pods must see. */
static void test_snapshot_index_and_affinity_lists(void **state)
{
	(void)state;
	load(hr_test_list(IPA_NODES, POD("db", "n1", "'app':'db'", CTR("")),
	                  POD("anti", "n2", WEB, CTR("") ANTI(TERM(WEB, "zone", ""))),
	                  POD("aff", "n3", "", CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))),
	                  POD("unbound-anti", "", WEB, CTR("") ANTI(TERM(WEB, "zone", ""))), NULL),
	     PODIN("", CTR("")));
	assert_non_null(F.snap->node_slots);
	for (size_t k = 0; k < F.snap->n_nodes; k++)
		assert_ptr_equal(hr_snap_find_node(F.snap, F.snap->nodes[k].node->name),
		                 &F.snap->nodes[k]);
	assert_null(hr_snap_find_node(F.snap, hr_str_c("n5")));
	assert_null(hr_snap_find_node(F.snap, hr_str_c("")));
	assert_int_equal(F.snap->n_with_required_anti, 1);
	assert_string_equal(F.snap->with_required_anti[0].info->node->name.p, "n2");
	assert_int_equal(F.snap->n_with_affinity, 2);
	assert_string_equal(F.snap->with_affinity[0].info->node->name.p, "n2");
	assert_string_equal(F.snap->with_affinity[1].info->node->name.p, "n3");
}

static void test_interpod_affinity_required(void **state)
{
	(void)state;
	load(hr_test_list(IPA_NODES, POD("db", "n1", "'app':'db'", CTR("")), NULL),
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	assert_true(hr_pod_is_coupled(F.pod, F.snap));
	PASS("n1");
	PASS("n2");
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n4", P_IPA, R_POD_AFFINITY); /* no zone label */

	/* a terminating pod still counts for inter-pod affinity */
	load(hr_test_list(IPA_NODES,
	                  POD_X("db", ",'deletionTimestamp':'2024-01-01T00:00:00Z'", "n3",
	                        "'app':'db'", CTR(""), "'phase':'Running'"),
	                  NULL),
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	PASS("n3");
	/* a finished one does not */
	load(hr_test_list(IPA_NODES,
	                  POD_X("db", "", "n3", "'app':'db'", CTR(""), "'phase':'Succeeded'"),
	                  NULL),
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);

	/* hostname key: only the db pod's node */
	load(hr_test_list(IPA_NODES, POD("db", "n1", "'app':'db'", CTR("")), NULL),
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", HOST, ""))));
	PASS("n1");
	FAIL_UU("n2", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n4", P_IPA, R_POD_AFFINITY);
}

static void test_interpod_affinity_first_pod_of_group(void **state)
{
	(void)state;
	/* no pod matches; a pod that matches its own term may go to any node with the key */
	load(hr_test_list(IPA_NODES, POD("x", "n1", "'app':'other'", CTR("")), NULL),
	     PODIN("'app':'db'", CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	PASS("n1");
	PASS("n2");
	PASS("n3");
	FAIL_UU("n4", P_IPA, R_POD_AFFINITY);
	/* ... a pod that does not match itself goes nowhere */
	load(hr_test_list(IPA_NODES, POD("x", "n1", "'app':'other'", CTR("")), NULL),
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	/* a matching pod in another namespace does not count: still the first of its group */
	load(hr_test_list(IPA_NODES, POD_NS("db", "other", "n1", "'app':'db'", CTR("")), NULL),
	     PODIN("'app':'db'", CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	PASS("n3");
	load(hr_test_list(IPA_NODES, POD_NS("db", "other", "n1", "'app':'db'", CTR("")), NULL),
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
}

static void test_interpod_affinity_all_terms_one_pod(void **state)
{
	(void)state;
	/* existing pods must match ALL terms to be counted */
	const char *two_terms =
	    AFFINITY(TERM("'app':'db'", "zone", "") "," TERM("'tier':'cache'", HOST, ""));
	const char *split = hr_test_list(IPA_NODES, POD("x", "n1", "'app':'db'", CTR("")),
	                                 POD("y", "n3", "'tier':'cache'", CTR("")), NULL);
	loadf(split, PODIN(WEB, CTR("") "%s"), two_terms);
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n2", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	/* nothing matches both, the pod itself does: first of its group */
	loadf(split, PODIN("'app':'db','tier':'cache'", CTR("") "%s"), two_terms);
	PASS("n1");
	PASS("n2");
	PASS("n3");
	FAIL_UU("n4", P_IPA, R_POD_AFFINITY);
	/* z matches both on n2: zone a and hostname n2 must both hold */
	loadf(hr_test_list(IPA_NODES, POD("x", "n1", "'app':'db'", CTR("")),
	                   POD("y", "n3", "'tier':'cache'", CTR("")),
	                   POD("z", "n2", "'app':'db','tier':'cache'", CTR("")), NULL),
	      PODIN("'app':'db','tier':'cache'", CTR("") "%s"), two_terms);
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	PASS("n2");
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n4", P_IPA, R_POD_AFFINITY);
}

static void test_interpod_anti_affinity_per_term(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(IPA_NODES, POD("db", "n1", "'app':'db'", CTR("")),
	                                   POD("cache", "n3", "'app':'cache'", CTR("")), NULL);
	load(cluster, PODIN(WEB, CTR("") ANTI(TERM("'app':'db'", HOST, ""))));
	FAIL_U("n1", P_IPA, R_POD_ANTI);
	PASS("n2");
	PASS("n3");
	PASS("n4");
	load(cluster, PODIN(WEB, CTR("") ANTI(TERM("'app':'db'", "zone", ""))));
	FAIL_U("n1", P_IPA, R_POD_ANTI);
	FAIL_U("n2", P_IPA, R_POD_ANTI);
	PASS("n3");
	PASS("n4"); /* no zone label: anti-affinity cannot apply */
	/* terms are independent (not ANDed) */
	load(cluster, PODIN(WEB, CTR("") ANTI(TERM("'app':'db'", HOST, "") "," TERM("'app':'cache'",
	                                                                            "zone", ""))));
	FAIL_U("n1", P_IPA, R_POD_ANTI);
	PASS("n2");
	FAIL_U("n3", P_IPA, R_POD_ANTI);
	PASS("n4");
	/* a term that matches nothing rejects nothing */
	load(cluster, PODIN(WEB, CTR("") ANTI(TERM("'app':'nope'", "zone", ""))));
	PASS("n1");
	PASS("n3");
}

static void test_interpod_existing_anti_affinity(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(
	    IPA_NODES, POD("guard", "n1", "'app':'guard'", CTR("") ANTI(TERM(WEB, "zone", ""))),
	    NULL);
	load(cluster, PODIN(WEB, CTR("")));
	FAIL_U("n1", P_IPA, R_EXISTING_ANTI);
	FAIL_U("n2", P_IPA, R_EXISTING_ANTI);
	PASS("n3");
	PASS("n4");
	/* the incoming pod has no terms: the plugin still runs for existing pods */
	assert_false(hr_pod_is_coupled(F.pod, F.snap));
	load(cluster, PODIN("'app':'other'", CTR("")));
	PASS("n1");
	PASS("n2");
}

static void test_interpod_existing_anti_affinity_namespaces(void **state)
{
	(void)state;
	/* the guard lives in "other": its term without namespaces means "other" only */
	const char *in_other = hr_test_list(
	    IPA_NODES, NAMESPACE("default", "'team':'red'"), NAMESPACE("other", ""),
	    POD_NS("guard", "other", "n1", "'app':'guard'", CTR("") ANTI(TERM(WEB, "zone", ""))),
	    NULL);
	load(in_other, PODIN(WEB, CTR("")));
	PASS("n1");
	PASS("n2");
	/* namespaceSelector {} selects every namespace */
	load(hr_test_list(IPA_NODES, NAMESPACE("default", "'team':'red'"),
	                  POD_NS("guard", "other", "n1", "'app':'guard'",
	                         CTR("") ANTI(TERM(WEB, "zone", ",'namespaceSelector':{}"))),
	                  NULL),
	     PODIN(WEB, CTR("")));
	FAIL_U("n1", P_IPA, R_EXISTING_ANTI);
	FAIL_U("n2", P_IPA, R_EXISTING_ANTI);
	PASS("n3");
	/* a namespaceSelector is evaluated against the incoming pod's namespace labels */
	load(hr_test_list(
	         IPA_NODES, NAMESPACE("default", "'team':'red'"),
	         POD_NS("guard", "other", "n1", "'app':'guard'",
	                CTR("") ANTI(TERM(WEB, "zone",
	                                  ",'namespaceSelector':{'matchLabels':{'team':'red'}}"))),
	         NULL),
	     PODIN(WEB, CTR("")));
	FAIL_U("n1", P_IPA, R_EXISTING_ANTI);
	PASS("n3");
	load(hr_test_list(
	         IPA_NODES, NAMESPACE("default", "'team':'blue'"),
	         POD_NS("guard", "other", "n1", "'app':'guard'",
	                CTR("") ANTI(TERM(WEB, "zone",
	                                  ",'namespaceSelector':{'matchLabels':{'team':'red'}}"))),
	         NULL),
	     PODIN(WEB, CTR("")));
	PASS("n1");
	PASS("n2");
	/* explicit namespaces list */
	load(hr_test_list(IPA_NODES,
	                  POD_NS("guard", "other", "n1", "'app':'guard'",
	                         CTR("") ANTI(TERM(WEB, "zone", ",'namespaces':['default']"))),
	                  NULL),
	     PODIN(WEB, CTR("")));
	FAIL_U("n1", P_IPA, R_EXISTING_ANTI);
	PASS("n3");
}

static void test_interpod_incoming_term_namespaces(void **state)
{
	(void)state;
	/* db pods: default on n1 (zone a), other on n3 (zone b) */
	const char *cluster = hr_test_list(
	    IPA_NODES, NAMESPACE("default", ""), NAMESPACE("other", "'team':'red'"),
	    NAMESPACE("third", "'team':'blue'"), POD("db1", "n1", "'app':'db'", CTR("")),
	    POD_NS("db2", "other", "n3", "'app':'db'", CTR("")), NULL);
	/* own namespace only */
	load(cluster, PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ""))));
	PASS("n1");
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	/* namespaces: [other] */
	load(cluster,
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ",'namespaces':['other']"))));
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n2", P_IPA, R_POD_AFFINITY);
	PASS("n3");
	/* namespaceSelector team=red resolves to "other" through the Namespace list */
	load(cluster, PODIN(WEB, CTR("") AFFINITY(
	                             TERM("'app':'db'", "zone",
	                                  ",'namespaceSelector':{'matchLabels':{'team':'red'}}"))));
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	PASS("n3");
	load(cluster,
	     PODIN(WEB,
	           CTR("") AFFINITY(TERM("'app':'db'", "zone",
	                                 ",'namespaceSelector':{'matchLabels':{'team':'blue'}}"))));
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	/* namespaceSelector {} = all namespaces */
	load(cluster,
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone", ",'namespaceSelector':{}"))));
	PASS("n1");
	PASS("n2");
	PASS("n3");
	FAIL_UU("n4", P_IPA, R_POD_AFFINITY);
	/* names and selector are united */
	load(cluster,
	     PODIN(WEB, CTR("") AFFINITY(TERM("'app':'db'", "zone",
	                                      ",'namespaces':['default'],'namespaceSelector':{'"
	                                      "matchLabels':{'team':'red'}}"))));
	PASS("n1");
	PASS("n3");
	/* anti-affinity with namespaces */
	load(cluster,
	     PODIN(WEB, CTR("") ANTI(TERM("'app':'db'", HOST, ",'namespaces':['other']"))));
	PASS("n1");
	FAIL_U("n3", P_IPA, R_POD_ANTI);
}

static void test_interpod_nil_empty_invalid_selectors(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(IPA_NODES, POD("db", "n1", "'app':'db'", CTR("")),
	                                   POD_NS("x", "other", "n3", "'app':'x'", CTR("")), NULL);
	/* affinity term without labelSelector matches no pod, not even the pod itself */
	load(cluster, PODIN(WEB, CTR("") AFFINITY("{'topologyKey':'zone'}")));
	FAIL_UU("n1", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n2", P_IPA, R_POD_AFFINITY);
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	/* labelSelector {} matches every pod of the namespace */
	load(cluster, PODIN(WEB, CTR("") ANTI("{'labelSelector':{},'topologyKey':'" HOST "'}")));
	FAIL_U("n1", P_IPA, R_POD_ANTI);
	PASS("n2");
	PASS("n3"); /* x is in another namespace */
	/* an existing pod's anti-affinity term without labelSelector blocks nothing */
	load(hr_test_list(IPA_NODES, POD("guard", "n1", "", CTR("") ANTI("{'topologyKey':'zone'}")),
	                  NULL),
	     PODIN(WEB, CTR("")));
	PASS("n1");
	/* an invalid selector fails InterPodAffinity's PreFilter: "parsing pod: ..." */
	load(cluster,
	     PODIN(WEB, CTR("") ANTI("{'labelSelector':{'matchExpressions':[{'key':'app','operator'"
	                             ":'In','values':[]}]},'topologyKey':'zone'}")));
	assert_true(F.ctx.prefilter_rejected);
	assert_int_equal(F.ctx.prefilter_plugin, HR_PLUGIN_INTER_POD_AFFINITY);
	assert_true(strncmp(F.ctx.prefilter_message, "parsing pod: ", 13) == 0);
	assert_true(strlen(F.ctx.prefilter_message) > 13);
}

static void test_interpod_check_order(void **state)
{
	(void)state;
	/* affinity before anti-affinity before existing pods' anti-affinity */
	const char *cluster = hr_test_list(
	    IPA_NODES, POD("db", "n1", "'app':'db'", CTR("") ANTI(TERM(WEB, HOST, ""))),
	    POD("cache", "n3", "'app':'cache'", CTR("")), NULL);
	load(cluster, PODIN(WEB, CTR("") ",'affinity':{'podAffinity':{'"
	                                 "requiredDuringSchedulingIgnoredDuringExecution':[" TERM(
	                                     "'app':'db'", "zone",
	                                     "") "]},'podAntiAffinity':{'"
	                                         "requiredDuringSchedulingIgnoredDuringExecution':"
	                                         "[" TERM("'app':'cache'", HOST, "") "]}}"));
	FAIL_U("n1", P_IPA, R_EXISTING_ANTI);
	PASS("n2");
	FAIL_UU("n3", P_IPA, R_POD_AFFINITY);
	load(cluster, PODIN(WEB, CTR("") ANTI(TERM("'app':'db'", HOST, ""))));
	FAIL_U("n1", P_IPA, R_POD_ANTI);
}

/* ---- stop at the first failing plugin (§1) ------------------------------------------ */

static void test_order_stops_at_first_failure(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(
	    /* unschedulable and tainted */ NODE(
	        "o1", "'zone':'a'",
	        "'unschedulable':true,'taints':[{'key':'t','value':'1','effect':'NoSchedule'}]",
	        "'cpu':'1','memory':'1Gi','pods':'0'"),
	    /* tainted and full */
	    NODE("o2", "'zone':'a'", "'taints':[{'key':'t','value':'1','effect':'NoSchedule'}]",
	         "'cpu':'100m','memory':'1Gi','pods':'0'"),
	    /* wrong labels and full */
	    NODE("o3", "'zone':'b'", "", "'cpu':'100m','memory':'1Gi','pods':'0'"),
	    /* port taken and full */
	    NODE("o4", "'zone':'a'", "", "'cpu':'100m','memory':'1Gi','pods':'10'"),
	    /* full and spread-skewed */
	    NODE("o5", "'zone':'a'", "", "'cpu':'100m','memory':'1Gi','pods':'10'"),
	    /* spread-skewed only (zones b and c count 0: nodeAffinityPolicy Ignore) */
	    NODE("o6", "'zone':'a'", "", STD), NODE("o7", "'zone':'c'", "", STD),
	    POD("p4", "o4", "", PORTS(HP(80, "TCP", ""))), POD("w5", "o5", WEB, CTR("")),
	    POD("w6", "o6", WEB, CTR("")), NULL);
	load(cluster,
	     PODIN(WEB,
	           "'containers':[{'name':'c','resources':{'requests':{'cpu':'500m'}},'ports':[" HP(
	               80, "TCP",
	               "") "]}],'nodeSelector':{'zone':'a'},'topologySpreadConstraints':[{'maxSkew'"
	                   ":1,'topologyKey':'zone','whenUnsatisfiable':'DoNotSchedule'" SEL_WEB
	                   ",'nodeAffinityPolicy':'Ignore'}]"));
	FAIL_UU("o1", P_UNSCHED, R_UNSCHEDULABLE);
	FAIL_UU("o2", P_TAINT, R_TAINT("t: 1"));
	FAIL_UU("o3", P_AFF, R_AFFINITY_SEL);
	FAIL_U("o4", P_PORTS, R_PORTS);
	FAIL_UU("o5", P_FIT, R_CPU);
	FAIL_U("o6", P_SPREAD, R_SPREAD);
	FAIL_UU("o7", P_AFF, R_AFFINITY_SEL);

	/* NodeName comes before TaintToleration */
	load(cluster, PODIN("", "'nodeName':'o7'," CTR("")));
	FAIL_UU("o2", P_NAME, R_NODE_NAME);
	/* PreFilter exclusion wins over everything */
	load(cluster, PODIN("", REQUIRED("{'matchFields':[" NAME_IN("o6") "]}")));
	FAIL_UU("o1", P_AFF, R_PREFILTER);
	FAIL_UU("o2", P_AFF, R_PREFILTER);
	PASS("o6");
	/* spread before inter-pod affinity */
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB) ANTI(TERM(WEB, "zone", ""))));
	FAIL_U("o6", P_SPREAD, R_SPREAD);
	PASS("o7");
}

static void test_status_reasons_emit(void **state)
{
	(void)state;
	/* hr_status_reasons calls emit once per reason, with exact texts and lengths */
	load(hr_test_list(
	         NODE("n1", "", "'taints':[{'key':'k','value':'v','effect':'NoExecute'}]", STD),
	         NULL),
	     PODIN("", CTR("")));
	struct hr_node_status st;
	hr_filter_node(&F.ctx, hr_snap_find_node(F.snap, HR_STR_LIT("n1")), &st);
	assert_int_equal(st.reasons, 1u << HR_R_TAINT);
	assert_non_null(st.taint);
	struct hr_buf b;
	hr_buf_init(&b, 4096);
	hr_status_text(&st, F.pod, &b);
	assert_string_equal(b.p, "node(s) had untolerated taint {k: v}");
	assert_int_equal(b.len, strlen("node(s) had untolerated taint {k: v}"));
	hr_buf_fini(&b);
}

static void test_coupled_detection(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(IPA_NODES, NULL);
	load(cluster, PODIN(WEB, CTR("")));
	assert_false(hr_pod_is_coupled(F.pod, F.snap));
	load(cluster, PODIN(WEB, CTR("") ANTI(TERM(WEB, HOST, ""))));
	assert_true(hr_pod_is_coupled(F.pod, F.snap));
	load(cluster, PODIN(WEB, CTR("") SPREAD(SEL_WEB)));
	assert_true(hr_pod_is_coupled(F.pod, F.snap));
	load(cluster,
	     PODIN(WEB, CTR("") ",'affinity':{'podAntiAffinity':{'"
	                        "preferredDuringSchedulingIgnoredDuringExecution':[{'weight':10,'"
	                        "podAffinityTerm':" TERM(WEB, HOST, "") "}]}}"));
	assert_false(hr_pod_is_coupled(F.pod, F.snap));
}

#define T(f) cmocka_unit_test_teardown(f, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_plugin_names),
	    T(test_plain_pod_passes_plain_node),
	    T(test_unschedulable_node_rejected),
	    T(test_unschedulable_toleration_rules),
	    T(test_node_name),
	    T(test_taint_first_untolerated_in_spec_order),
	    T(test_taint_partially_tolerated),
	    T(test_taint_unknown_operator_tolerates_nothing),
	    T(test_toleration_rule_table),
	    T(test_first_untolerated_taint_direct),
	    T(test_node_selector_map),
	    T(test_node_affinity_terms_or_and),
	    T(test_node_affinity_operators),
	    T(test_node_affinity_empty_and_malformed_terms),
	    T(test_node_affinity_prefilter_node_names),
	    T(test_node_affinity_prefilter_conflict),
	    T(test_node_ports),
	    T(test_fit_too_many_pods),
	    T(test_fit_cpu_memory_ephemeral),
	    T(test_fit_zero_requests_skip_overcommitted),
	    T(test_fit_scalar_resources),
	    T(test_fit_all_reasons_together),
	    T(test_fit_reasons_emitted_one_by_one),
	    T(test_fit_init_sidecar_overhead),
	    T(test_fit_existing_pod_accounting),
	    T(test_fit_existing_pod_resized),
	    T(test_spread_max_skew_uneven_zones),
	    T(test_spread_nil_and_empty_selector),
	    T(test_spread_min_domains),
	    T(test_spread_node_taints_policy),
	    T(test_spread_node_affinity_policy),
	    T(test_spread_all_keys_needed_for_counting),
	    T(test_spread_match_label_keys),
	    T(test_snapshot_index_and_affinity_lists),
	    T(test_interpod_affinity_required),
	    T(test_interpod_affinity_first_pod_of_group),
	    T(test_interpod_affinity_all_terms_one_pod),
	    T(test_interpod_anti_affinity_per_term),
	    T(test_interpod_existing_anti_affinity),
	    T(test_interpod_existing_anti_affinity_namespaces),
	    T(test_interpod_incoming_term_namespaces),
	    T(test_interpod_nil_empty_invalid_selectors),
	    T(test_interpod_check_order),
	    T(test_order_stops_at_first_failure),
	    T(test_status_reasons_emit),
	    T(test_coupled_detection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
