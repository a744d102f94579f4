/* test_score.c: the default-profile Score plugins (score.h) against
 * kube-scheduler 1.34's formulas, every expected figure derived by hand.
 *
 * The formulas (k8s.io/kubernetes/pkg/scheduler/framework/plugins):
 * - NodeResourcesFit LeastAllocated (noderesources/least_allocated.go): per
 *   resource (cpu, memory, weight 1 each) (alloc - req) * 100 / alloc in
 *   integer arithmetic, 0 when req > alloc, averaged (integer division) over
 *   the resources the node has. req = the node's pods plus the incoming pod,
 *   each container lacking a cpu / memory request counting 100m / 200Mi
 *   (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest). No normalize.
 * - NodeResourcesBalancedAllocation (balanced_allocation.go): fractions
 *   req / alloc of cpu and memory with the real requests (no defaults), each
 *   capped at 1; score int64((1 - |f_cpu - f_mem| / 2) * 100). PreScore skips
 *   the plugin for a pod requesting neither (best effort): 0 everywhere.
 * - TaintToleration (tainttoleration): count the node's PreferNoSchedule
 *   taints that no toleration with effect "" or PreferNoSchedule tolerates;
 *   DefaultNormalizeScore reversed: 100 - 100 * count / max (all 100 if max 0).
 * - NodeAffinity: sum of the weights of the matching preferred terms (an empty
 *   preference matches nothing); DefaultNormalizeScore: 100 * sum / max.
 * - ImageLocality: per container (init and regular) whose normalized image
 *   (":latest" appended when the last ':' is not after the last '/') is on the
 *   node: int64(size * nodes_with_image / all_nodes); the sum clamped to
 *   [23MB, 1000MB * containers], score 100 * (sum - 23MB) / (max - 23MB).
 *   All snapshot nodes count, not only the feasible ones. No normalize.
 * - InterPodAffinity (interpodaffinity/scoring.go): a map (topologyKey, value)
 *   -> weight, built from every existing pod on a labelled node: incoming
 *   preferred affinity (+w) / anti-affinity (-w) terms the existing pod
 *   matches, the existing pod's required affinity (+1, hardPodAffinityWeight),
 *   preferred affinity (+w) and anti-affinity (-w) terms the incoming pod
 *   matches, each credited to the value of the term's key on the existing
 *   pod's node. A node's score is the sum over its labels; normalized
 *   int64(100 * (s - min) / (max - min)), 0 when max == min.
 * - PodTopologySpread (podtopologyspread/scoring.go), ScheduleAnyway only:
 *   feasible nodes lacking a constraint's key are ignored (score 0). Per
 *   constraint: weight log(domains + 2), domains = distinct values among the
 *   feasible non-ignored nodes (hostname: their number); count = matching,
 *   same-namespace, non-terminating pods over all nodes with that value (that
 *   carry every key); score round(sum cnt * weight + (maxSkew - 1));
 *   normalized 100 * (max + min - s) / max (all 100 when max is 0).
 * - Weights: TaintToleration 3, NodeAffinity 2, PodTopologySpread 2,
 *   InterPodAffinity 2, NodeResourcesFit 1, BalancedAllocation 1,
 *   ImageLocality 1 (apis/config/v1/default_plugins.go).
 *
 * Every case prepares the filter context and the scorer as the capacity
 * engine does (the pod goes through admission), scores an explicit list of
 * feasible nodes and checks each plugin's per-node score and the weighted
 * total. Unless a case says otherwise the nodes are 4 cpu / 8Gi, existing pods
 * request explicitly 0 (no non-zero defaults) and the incoming pod requests
 * 1 cpu / 2Gi, so every node gets LeastAllocated 75 (cpu 3000*100/4000 = 75,
 * memory 6Gi*100/8Gi = 75) and BalancedAllocation 100 (0.25 and 0.25):
 * RES = 175 weighted. JSON is written with single quotes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "incoming.h"
#include "score.h"
#include "snapshot.h"
#include "support.h"

/* ---- JSON building blocks ------------------------------------------------ */

/* clang-format off */
#define LIST(items) "{'kind':'List','apiVersion':'v1','items':[" items "]}"
#define NODE(name, labels, spec, alloc)                                        \
	"{'kind':'Node','metadata':{'name':'" name "','labels':{" labels "}}," \
	"'spec':{" spec "},'status':{'allocatable':{" alloc "}}}"
/* a node with status.images (IMG items) */
#define NODE_IMG(name, images)                                                 \
	"{'kind':'Node','metadata':{'name':'" name "','labels':{}},'spec':{},"  \
	"'status':{'allocatable':{" STD "},'images':[" images "]}}"
#define IMG(size, names) "{'names':[" names "],'sizeBytes':" size "}"
/* an existing pod: namespace, extra metadata, node, labels, spec */
#define POD_X(name, ns, meta, node, labels, spec)                                \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'" ns "',"      \
	"'labels':{" labels "}" meta "},'spec':{'nodeName':'" node "'," spec "},"\
	"'status':{'phase':'Running'}}"
#define POD(name, node, labels, spec) POD_X(name, "default", "", node, labels, spec)
#define PODIN(labels, spec)                                                  \
	"{'kind':'Pod','metadata':{'name':'incoming','namespace':'default'," \
	"'labels':{" labels "}},'spec':{" spec "}}"
#define CTR(req)  "'containers':[{'name':'c','resources':{'requests':{" req "}}}]"
#define ZERO      CTR("'cpu':'0','memory':'0'")
#define REQ       CTR("'cpu':'1','memory':'2Gi'")
#define STD       "'cpu':'4','memory':'8Gi','pods':'110'"
#define HOST      "kubernetes.io/hostname"
#define TERM(sel, key) "{'labelSelector':{'matchLabels':{" sel "}},'topologyKey':'" key "'}"
#define WTERM(w, sel, key) "{'weight':" #w ",'podAffinityTerm':" TERM(sel, key) "}"
/* clang-format on */

/* ---- fixture -------------------------------------------------------------- */

#define MAX_FEASIBLE 16

struct fx {
	bool live;
	struct hr_arena arena;
	struct hr_err err;
	const struct hr_snapshot *snap;
	struct hr_pod *pod;
	struct hr_filter_ctx ctx;
	struct hr_scorer sc;
	size_t feasible[MAX_FEASIBLE];
	const char *names[MAX_FEASIBLE];
	size_t n;
	int64_t totals[MAX_FEASIBLE];
};

static struct fx F;

static char *dequote(const char *text)
{
	size_t n = strlen(text);
	char *copy = malloc(n + 1);
	assert_non_null(copy);
	for (size_t i = 0; i < n; i++)
		copy[i] = text[i] == '\'' ? '"' : text[i];
	copy[n] = '\0';
	return copy;
}

static cJSON *parse_quoted(const char *text)
{
	char *copy = dequote(text);
	cJSON *doc = cJSON_Parse(copy);
	if (!doc) {
		fprintf(stderr, "bad test JSON: %s\n", copy);
		free(copy);
		fail_msg("test JSON does not parse");
	}
	free(copy);
	return doc;
}

static void fx_reset(void)
{
	if (F.live)
		hr_arena_fini(&F.arena);
	memset(&F, 0, sizeof(F));
}

static int fx_teardown(void **state)
{
	(void)state;
	fx_reset();
	return 0;
}

static void fail_err(const char *what)
{
	char msg[512];
	hr_err_format(&F.err, msg, sizeof(msg));
	fail_msg("%s: %s", what, msg);
}

/* The snapshot and the admitted pod (as the capacity verb builds them). */
static void load_only(const char *cluster, const char *pod)
{
	fx_reset();
	F.live = true;
	hr_arena_init(&F.arena, NULL, 0);
	hr_err_clear(&F.err);
	cJSON *cdoc = parse_quoted(cluster);
	cJSON *pdoc = parse_quoted(pod);
	enum hr_code rc = hr_snapshot_from_json(cdoc, &F.arena, &F.snap, &F.err);
	if (rc == HR_OK)
		rc = hr_incoming_pod(pdoc, F.snap, true, NULL, &F.arena, &F.pod, NULL, &F.err);
	cJSON_Delete(cdoc);
	cJSON_Delete(pdoc);
	if (rc != HR_OK)
		fail_err("loading the case");
}

/* load_only, then the filter context with an overlay and the scorer on it. */
static void load(const char *cluster, const char *pod)
{
	load_only(cluster, pod);
	if (hr_filter_prepare(&F.ctx, F.snap, F.pod, true, &F.arena, &F.err) != HR_OK)
		fail_err("hr_filter_prepare");
	assert_false(F.ctx.prefilter_rejected);
	if (hr_scorer_init(&F.sc, &F.ctx, &F.arena, &F.err) != HR_OK)
		fail_err("hr_scorer_init");
}

static size_t node_index(const char *name)
{
	const struct hr_node_info *info = hr_snap_find_node(F.snap, hr_str_c(name));
	if (!info)
		fail_msg("node %s is not in the snapshot", name);
	return info->index;
}

/* Scores the named nodes (the feasible list, given in name order as the
 * engine passes it; NULL-terminated). */
static void score(const char *name, ...)
{
	F.n = 0;
	va_list ap;
	va_start(ap, name);
	for (const char *nm = name; nm; nm = va_arg(ap, const char *)) {
		assert_true(F.n < MAX_FEASIBLE);
		F.names[F.n] = nm;
		F.feasible[F.n++] = node_index(nm);
	}
	va_end(ap);
	hr_scorer_totals(&F.sc, F.feasible, F.n, F.totals);
}

/* One more copy of the pod on the named node (filter overlay and scorer). */
static void assume(const char *name)
{
	size_t k = node_index(name);
	hr_filter_assume(&F.ctx, k);
	hr_scorer_assume(&F.sc, k);
}

static const char *const plugin_names[] = {
    [HR_SCORE_TAINT_TOLERATION] = "TaintToleration",
    [HR_SCORE_NODE_AFFINITY] = "NodeAffinity",
    [HR_SCORE_RESOURCES_FIT] = "NodeResourcesFit",
    [HR_SCORE_TOPOLOGY_SPREAD] = "PodTopologySpread",
    [HR_SCORE_INTER_POD_AFFINITY] = "InterPodAffinity",
    [HR_SCORE_BALANCED_ALLOCATION] = "NodeResourcesBalancedAllocation",
    [HR_SCORE_IMAGE_LOCALITY] = "ImageLocality",
    [HR_SCORE_PLUGIN_COUNT] = "weighted total",
};

/* plugin == HR_SCORE_PLUGIN_COUNT checks the weighted totals. */
static void expect_scores(enum hr_score_plugin plugin, const int64_t *want, size_t n, int line)
{
	if (n != F.n)
		fail_msg("line %d: %zu expected scores for %zu nodes", line, n, F.n);
	const int64_t *got =
	    plugin == HR_SCORE_PLUGIN_COUNT ? F.totals : hr_scorer_plugin_scores(&F.sc, plugin);
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i]) {
			for (size_t j = 0; j < n; j++)
				print_message("  %s %s: got %" PRId64 " want %" PRId64 "\n",
				              plugin_names[plugin], F.names[j], got[j], want[j]);
			fail_msg("line %d: %s on %s: got %" PRId64 ", want %" PRId64, line,
			         plugin_names[plugin], F.names[i], got[i], want[i]);
		}
}

#define EXPECT(plugin, ...)                                                                        \
	expect_scores(plugin, (const int64_t[]){__VA_ARGS__},                                      \
	              sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t), __LINE__)
#define EXPECT_TOTAL(...) EXPECT(HR_SCORE_PLUGIN_COUNT, __VA_ARGS__)

/* ---- weights -------------------------------------------------------------- */

static void test_default_weights(void **state)
{
	(void)state;
	/* default_plugins.go (1.34): TaintToleration 3, NodeAffinity 2,
	 * NodeResourcesFit 1, PodTopologySpread 2, InterPodAffinity 2,
	 * NodeResourcesBalancedAllocation 1, ImageLocality 1. */
	assert_int_equal(hr_score_weight[HR_SCORE_TAINT_TOLERATION], 3);
	assert_int_equal(hr_score_weight[HR_SCORE_NODE_AFFINITY], 2);
	assert_int_equal(hr_score_weight[HR_SCORE_RESOURCES_FIT], 1);
	assert_int_equal(hr_score_weight[HR_SCORE_TOPOLOGY_SPREAD], 2);
	assert_int_equal(hr_score_weight[HR_SCORE_INTER_POD_AFFINITY], 2);
	assert_int_equal(hr_score_weight[HR_SCORE_BALANCED_ALLOCATION], 1);
	assert_int_equal(hr_score_weight[HR_SCORE_IMAGE_LOCALITY], 1);
}

/* ---- NodeResourcesFit (LeastAllocated) and BalancedAllocation ------------ */

/* clang-format off */
static const char *const resources_cluster = LIST(
    NODE("n1", "", "", "'cpu':'4','memory':'8Gi','pods':'110'") ","
    /* no requests: counts 100m / 200Mi for LeastAllocated, 0 / 0 for Balanced */
    POD("p1", "n1", "", "'containers':[{'name':'c'}]") ","
    NODE("n2", "", "", "'cpu':'2','memory':'4Gi','pods':'110'") ","
    POD("p2", "n2", "", CTR("'cpu':'1','memory':'1Gi'")) ","
    NODE("n3", "", "", "'cpu':'1','memory':'4Gi','pods':'110'") ","
    /* five containers without requests: 500m / 1000Mi non-zero, 0 / 0 real */
    POD("p3", "n3", "",
        "'containers':[{'name':'a'},{'name':'b'},{'name':'c'},{'name':'d'},{'name':'e'}]") ","
    /* over-committed (allocatable below what is bound): cpu fraction > 1 */
    NODE("n4", "", "", "'cpu':'1','memory':'2Gi','pods':'110'") ","
    POD("p4", "n4", "", CTR("'cpu':'1500m','memory':'1Gi'")));
/* clang-format on */

static void test_least_allocated_nonzero_defaults(void **state)
{
	(void)state;
	/* Incoming: container c1 without requests, c2 with cpu 500m only.
	 * Non-zero request (LeastAllocated): cpu 100m + 500m = 600m,
	 * memory 200Mi + 200Mi = 400Mi. Real request (Balanced): cpu 500m, memory 0. */
	load(resources_cluster,
	     PODIN("", "'containers':[{'name':'c1'},{'name':'c2','resources':{'requests':{'cpu':"
	               "'500m'}}}]"));
	score("n1", "n2", "n3", "n4", NULL);
	/* LeastAllocated, (alloc - req) * 100 / alloc per resource, then /2:
	 * n1: cpu 100 + 600 = 700m of 4000m: 3300*100/4000 = 82 (82.5);
	 *     memory 200 + 400 = 600Mi of 8192Mi: 7592*100/8192 = 92 (92.7);
	 *     (82 + 92) / 2 = 87.
	 * n2: cpu 1000 + 600 = 1600m of 2000m: 400*100/2000 = 20;
	 *     memory 1024 + 400 = 1424Mi of 4096Mi: 2672*100/4096 = 65 (65.2);
	 *     (20 + 65) / 2 = 42 (42.5).
	 * n3: cpu 5 x 100 + 600 = 1100m > 1000m: 0 (the defaults alone overflow);
	 *     memory 5 x 200 + 400 = 1400Mi of 4096Mi: 2696*100/4096 = 65 (65.8);
	 *     (0 + 65) / 2 = 32 (32.5).
	 * n4: cpu 1500 + 600 > 1000: 0; memory 1024 + 400 = 1424Mi of 2048Mi:
	 *     624*100/2048 = 30 (30.5); (0 + 30) / 2 = 15. */
	EXPECT(HR_SCORE_RESOURCES_FIT, 87, 42, 32, 15);
	/* Balanced, real requests, fractions capped at 1, (1 - |fc - fm|/2) * 100:
	 * n1: cpu 500/4000 = 0.125, memory 0 -> std 0.0625 -> 93.75 -> 93.
	 * n2: cpu 1500/2000 = 0.75, memory 1Gi/4Gi = 0.25 -> std 0.25 -> 75.
	 * n3: cpu 500/1000 = 0.5, memory 0 -> std 0.25 -> 75.
	 * n4: cpu 2000/1000 = 2 capped to 1, memory 1Gi/2Gi = 0.5 -> std 0.25 -> 75
	 *     (uncapped it would be |2 - 0.5|/2 = 0.75 -> 25). */
	EXPECT(HR_SCORE_BALANCED_ALLOCATION, 93, 75, 75, 75);
	/* No PreferNoSchedule taints: every raw 0, reversed normalize gives 100
	 * (x3 = 300); no preferred terms, spread, inter-pod terms or images: 0. */
	EXPECT(HR_SCORE_TAINT_TOLERATION, 100, 100, 100, 100);
	EXPECT(HR_SCORE_NODE_AFFINITY, 0, 0, 0, 0);
	EXPECT(HR_SCORE_TOPOLOGY_SPREAD, 0, 0, 0, 0);
	EXPECT(HR_SCORE_INTER_POD_AFFINITY, 0, 0, 0, 0);
	EXPECT(HR_SCORE_IMAGE_LOCALITY, 0, 0, 0, 0);
	/* 300 + LeastAllocated + Balanced: 300+87+93, 300+42+75, 300+32+75, 300+15+75 */
	EXPECT_TOTAL(480, 417, 407, 390);

	/* After a copy lands on n1 its requests count too: non-zero cpu
	 * 100 + 2 x 600 = 1300m: 2700*100/4000 = 67 (67.5); memory 200 + 800 =
	 * 1000Mi: 7192*100/8192 = 87 (87.8); (67 + 87) / 2 = 77. Balanced: cpu
	 * 1000/4000 = 0.25, memory 0 -> std 0.125 -> 87.5 -> 87. */
	assume("n1");
	score("n1", "n2", NULL);
	EXPECT(HR_SCORE_RESOURCES_FIT, 77, 42);
	EXPECT(HR_SCORE_BALANCED_ALLOCATION, 87, 75);
	EXPECT_TOTAL(300 + 77 + 87, 300 + 42 + 75);
}

static void test_best_effort_pod_skips_balanced_allocation(void **state)
{
	(void)state;
	/* No requests at all: BalancedAllocation's PreScore returns Skip (best
	 * effort, kubernetes#129138), so it scores 0 everywhere; LeastAllocated
	 * still counts the pod as 100m / 200Mi.
	 * n1: cpu 100 + 100 = 200m: 3800*100/4000 = 95; memory 200 + 200 = 400Mi
	 *     of 8192Mi: 7792*100/8192 = 95 (95.1); 95.
	 * n2: cpu 1000 + 100 = 1100m of 2000m: 900*100/2000 = 45; memory
	 *     1024 + 200 = 1224Mi of 4096Mi: 2872*100/4096 = 70 (70.1); (45+70)/2 = 57. */
	load(resources_cluster, PODIN("", "'containers':[{'name':'c'}]"));
	score("n1", "n2", NULL);
	EXPECT(HR_SCORE_RESOURCES_FIT, 95, 57);
	EXPECT(HR_SCORE_BALANCED_ALLOCATION, 0, 0);
	EXPECT_TOTAL(300 + 95, 300 + 57);
}

/* ---- TaintToleration -------------------------------------------------------- */

/* clang-format off */
static const char *const taint_cluster = LIST(
    NODE("t1", "", "'taints':[{'key':'a','effect':'PreferNoSchedule'},"
                   "{'key':'b','value':'x','effect':'PreferNoSchedule'},"
                   "{'key':'c','effect':'NoSchedule'}]", STD) ","
    NODE("t2", "", "'taints':[{'key':'a','effect':'PreferNoSchedule'}]", STD) ","
    NODE("t3", "", "", STD) ","
    NODE("t4", "", "'taints':[{'key':'b','value':'y','effect':'PreferNoSchedule'},"
                   "{'key':'d','effect':'PreferNoSchedule'}]", STD));
static const char *const taint_pod = PODIN("", REQ ",'tolerations':["
    "{'key':'b','operator':'Equal','value':'x'},"
    "{'key':'c','operator':'Exists','effect':'NoSchedule'},"
    "{'key':'d','operator':'Exists','effect':'NoSchedule'}]");
/* clang-format on */

static void test_taint_toleration_prefer_no_schedule(void **state)
{
	(void)state;
	load(taint_cluster, taint_pod);
	score("t1", "t2", "t3", "t4", NULL);
	/* Intolerable PreferNoSchedule taints (tolerations with effect "" or
	 * PreferNoSchedule only; NoSchedule taints are not counted):
	 * t1: a (untolerated) = 1; b=x tolerated by the effect-less toleration;
	 *     c is NoSchedule: not counted.
	 * t2: a = 1.  t3: 0.
	 * t4: b=y (value differs) and d (its toleration is NoSchedule-only) = 2.
	 * Reversed DefaultNormalizeScore, max 2: 100 - 100*c/2 -> 50, 50, 100, 0. */
	EXPECT(HR_SCORE_TAINT_TOLERATION, 50, 50, 100, 0);
	/* x3 + RES 175 */
	EXPECT_TOTAL(150 + 175, 150 + 175, 300 + 175, 0 + 175);

	/* Normalized over the feasible nodes only: among t1 and t2 the max is 1,
	 * so both get 100 - 100*1/1 = 0. */
	score("t1", "t2", NULL);
	EXPECT(HR_SCORE_TAINT_TOLERATION, 0, 0);
	EXPECT_TOTAL(175, 175);
}

/* ---- NodeAffinity (preferred) ------------------------------------------------ */

/* clang-format off */
static const char *const node_affinity_cluster = LIST(
    NODE("na1", "'disk':'ssd','zone':'a','gpu':'true'", "", STD) ","
    NODE("na2", "'disk':'hdd','zone':'b','gpu':'1'", "", STD) ","
    NODE("na3", "'zone':'c'", "", STD) ","
    NODE("na4", "'disk':'ssd','zone':'c'", "", STD) ","
    NODE("na5", "", "", STD));
static const char *const node_affinity_pod = PODIN("", REQ ",'affinity':{'nodeAffinity':{"
    "'preferredDuringSchedulingIgnoredDuringExecution':["
    "{'weight':30,'preference':{'matchExpressions':["
        "{'key':'disk','operator':'In','values':['ssd']}]}},"
    "{'weight':50,'preference':{'matchExpressions':["
        "{'key':'zone','operator':'In','values':['a','b']},{'key':'gpu','operator':'Exists'}]}},"
    "{'weight':20,'preference':{'matchFields':["
        "{'key':'metadata.name','operator':'In','values':['na3']}]}},"
    "{'weight':40,'preference':{}}]}}");
/* clang-format on */

static void test_node_affinity_preferred_terms(void **state)
{
	(void)state;
	load(node_affinity_cluster, node_affinity_pod);
	score("na1", "na2", "na3", "na4", "na5", NULL);
	/* Sum of matching weights (a term's expressions are ANDed; the empty
	 * preference matches no node):
	 * na1: disk=ssd 30 + (zone a, gpu present) 50 = 80.
	 * na2: 50 (zone b, gpu present; disk hdd).
	 * na3: 20 (metadata.name).  na4: 30.  na5: 0.
	 * DefaultNormalizeScore, max 80: 100*s/80 -> 100, 62 (62.5), 25, 37 (37.5), 0. */
	EXPECT(HR_SCORE_NODE_AFFINITY, 100, 62, 25, 37, 0);
	/* x2 + taints 300 + RES 175 */
	EXPECT_TOTAL(200 + 475, 124 + 475, 50 + 475, 74 + 475, 0 + 475);

	/* Over na3..na5 the max is 30: na3 100*20/30 = 66 (66.7), na4 100, na5 0. */
	score("na3", "na4", "na5", NULL);
	EXPECT(HR_SCORE_NODE_AFFINITY, 66, 100, 0);
}

/* ---- ImageLocality ------------------------------------------------------------ */

/* Sizes: app 600MB = 629145600, tiny 10MB = 10485760, side 300MB = 314572800,
 * big 2000MB = 2097152000, huge 3000MB = 3145728000 bytes. */
/* clang-format off */
static const char *const image_cluster = LIST(
    NODE_IMG("im1",
        IMG("629145600", "'registry/app:v1'") ","
        IMG("2097152000", "'registry/big:v2'") ","
        IMG("10485760", "'registry/tiny:v1'") ","
        IMG("3145728000", "'registry/huge:v1'")) ","
    NODE_IMG("im2",
        IMG("629145600", "'other/name:x','registry/app:v1'") ","
        IMG("10485760", "'registry/tiny:v1'") ","
        IMG("3145728000", "'registry/huge:v1'")) ","
    NODE_IMG("im3",
        IMG("314572800", "'localhost:5000/side:latest'") ","
        IMG("10485760", "'registry/tiny:v1'") ","
        IMG("3145728000", "'registry/huge:v1'")) ","
    NODE_IMG("im4", IMG("10485760", "'registry/tiny:v1'")));
/* clang-format on */

static void test_image_locality(void **state)
{
	(void)state;
	/* One init and three regular containers: maxThreshold = 4 x 1000MB. Only
	 * c1 requests resources (the others request 0), so RES stays 175. */
	load(image_cluster,
	     PODIN("", "'initContainers':[{'name':'i','image':'registry/big:v2','resources':{"
	               "'requests':{'cpu':'0','memory':'0'}}}],"
	               "'containers':[{'name':'c1','image':'registry/app:v1','resources':{"
	               "'requests':{'cpu':'1','memory':'2Gi'}}},"
	               "{'name':'c2','image':'localhost:5000/side','resources':{'requests':{'cpu':"
	               "'0','memory':'0'}}},"
	               "{'name':'c3','image':'registry/tiny:v1','resources':{'requests':{'cpu':"
	               "'0','memory':'0'}}}]"));
	score("im1", "im2", "im3", "im4", NULL);
	/* Scaled per image, int64(size * nodes_with_it / 4 nodes):
	 *   registry/big:v2 (init) on im1: 2000MB x 1/4 = 500MB;
	 *   registry/app:v1 on im1, im2: 600MB x 2/4 = 300MB;
	 *   localhost:5000/side -> "localhost:5000/side:latest" (the last ':' is
	 *     before the last '/'), on im3: 300MB x 1/4 = 75MB;
	 *   registry/tiny:v1 on all four: 10MB x 4/4 = 10MB.
	 * Sums: im1 500+300+10 = 810MB, im2 300+10 = 310MB, im3 75+10 = 85MB,
	 * im4 10MB (< 23MB: clamped to 23MB).
	 * 100 * (sum - 23MB) / (4000MB - 23MB):
	 *   im1 78700/3977 = 19 (19.8); im2 28700/3977 = 7 (7.2);
	 *   im3 6200/3977 = 1 (1.6); im4 0. */
	EXPECT(HR_SCORE_IMAGE_LOCALITY, 19, 7, 1, 0);
	EXPECT_TOTAL(19 + 475, 7 + 475, 1 + 475, 0 + 475);

	/* The spread counts every snapshot node, not the feasible ones: scoring
	 * only im1 and im4 changes nothing. */
	score("im1", "im4", NULL);
	EXPECT(HR_SCORE_IMAGE_LOCALITY, 19, 0);

	/* One container, registry/huge:v1 on 3 of 4 nodes: 3000MB x 3/4 = 2250MB,
	 * above 1 x 1000MB: clamped, 100 * (1000 - 23) / (1000 - 23) = 100; im4
	 * lacks it: 0. */
	load(image_cluster, PODIN("", "'containers':[{'name':'c','image':'registry/huge:v1',"
	                              "'resources':{'requests':{'cpu':'1','memory':'2Gi'}}}]"));
	score("im1", "im2", "im3", "im4", NULL);
	EXPECT(HR_SCORE_IMAGE_LOCALITY, 100, 100, 100, 0);
}

/* ---- InterPodAffinity ----------------------------------------------------------- */

/* clang-format off */
static const char *const interpod_cluster = LIST(
    NODE("ip1", "'zone':'a','" HOST "':'ip1'", "", STD) ","
    NODE("ip2", "'zone':'a','" HOST "':'ip2'", "", STD) ","
    NODE("ip3", "'zone':'b','" HOST "':'ip3'", "", STD) ","
    NODE("ip4", "'zone':'c','" HOST "':'ip4'", "", STD) ","
    NODE("ip5", "", "", STD) ","
    POD("e1", "ip1", "'app':'db'", ZERO) ","
    POD("e2", "ip3", "'app':'web'", ZERO) ","
    POD("e3", "ip4", "'app':'cache'", ZERO ",'affinity':{"
        "'podAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':["
            WTERM(7, "'app':'web'", "zone") "]},"
        "'podAntiAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':["
            WTERM(3, "'tier':'front'", HOST) "]}}") ","
    POD("e4", "ip2", "'app':'x'", ZERO ",'affinity':{"
        "'podAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':["
            TERM("'app':'web'", "zone") "]}}") ","
    /* on a node without labels: processExistingPod returns at once */
    POD("e5", "ip5", "'app':'db'", ZERO ",'affinity':{"
        "'podAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':["
            WTERM(50, "'app':'web'", "zone") "]}}"));

#define INTERPOD_PREFERRED                                                        \
	",'affinity':{"                                                           \
	"'podAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':["      \
	    WTERM(10, "'app':'db'", "zone") "]},"                                 \
	"'podAntiAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':["  \
	    WTERM(4, "'app':'web'", HOST) "]}}"
/* clang-format on */

static void test_inter_pod_affinity_preferred(void **state)
{
	(void)state;
	load(interpod_cluster, PODIN("'app':'web','tier':'front'", REQ INTERPOD_PREFERRED));
	score("ip1", "ip2", "ip3", "ip4", "ip5", NULL);
	/* The incoming pod has preferred terms, so every existing pod is processed:
	 * e1 (ip1, zone a): matches incoming affinity app=db      -> (zone,a) +10
	 * e2 (ip3, zone b): matches incoming anti-affinity app=web -> (host,ip3) -4
	 * e3 (ip4, zone c): its preferred affinity app=web matches the incoming
	 *                   pod -> (zone,c) +7; its preferred anti-affinity
	 *                   tier=front matches -> (host,ip4) -3
	 * e4 (ip2, zone a): its required affinity app=web matches the incoming pod,
	 *                   hardPodAffinityWeight 1 -> (zone,a) +1
	 * e5 (ip5): the node has no labels: skipped.
	 * Map: (zone,a) 11, (zone,c) 7, (host,ip3) -4, (host,ip4) -3.
	 * Node sums: ip1 11, ip2 11, ip3 -4, ip4 7-3 = 4, ip5 0.
	 * min -4, max 11: int(100 * (s+4) / 15) -> 100, 100, 0, 53 (53.3), 26 (26.7). */
	EXPECT(HR_SCORE_INTER_POD_AFFINITY, 100, 100, 0, 53, 26);
	EXPECT_TOTAL(200 + 475, 200 + 475, 0 + 475, 106 + 475, 52 + 475);

	/* A copy assumed on ip1 is an existing pod for the next one: the incoming
	 * anti-affinity app=web matches it (host,ip1) -4, and its own preferred
	 * anti-affinity matches the incoming pod: -4 more. ip1 = 11 - 8 = 3.
	 * min -4, max 11: ip1 int(100*7/15) = 46 (46.7), the others unchanged. */
	assume("ip1");
	score("ip1", "ip2", "ip3", "ip4", "ip5", NULL);
	EXPECT(HR_SCORE_INTER_POD_AFFINITY, 46, 100, 0, 53, 26);
}

static void test_inter_pod_affinity_existing_terms_only(void **state)
{
	(void)state;
	/* No terms on the incoming pod: only pods with affinity are processed, for
	 * their own terms: e3 (zone,c) +7, (host,ip4) -3; e4 (zone,a) +1. (e5's
	 * node has no labels.) Sums: ip1 1, ip2 1, ip3 0, ip4 4, ip5 0.
	 * min 0, max 4: 25, 25, 0, 100, 0. */
	load(interpod_cluster, PODIN("'app':'web','tier':'front'", REQ));
	score("ip1", "ip2", "ip3", "ip4", "ip5", NULL);
	EXPECT(HR_SCORE_INTER_POD_AFFINITY, 25, 25, 0, 100, 0);
	EXPECT_TOTAL(50 + 475, 50 + 475, 0 + 475, 200 + 475, 0 + 475);

	/* min and max are taken over the scored nodes (1.34 starts them at
	 * MaxInt64 / MinInt64, kubernetes#98096; before, both started at 0): over
	 * ip1 (1) and ip4 (4), min 1, max 4: 0 and 100 (not 25 and 100). */
	score("ip1", "ip4", NULL);
	EXPECT(HR_SCORE_INTER_POD_AFFINITY, 0, 100);

	/* Neither the pod nor any existing pod term matches (labels app=other):
	 * PreScore finds nothing and skips: 0 everywhere. */
	load(interpod_cluster, PODIN("'app':'other'", REQ));
	score("ip1", "ip2", "ip3", "ip4", "ip5", NULL);
	EXPECT(HR_SCORE_INTER_POD_AFFINITY, 0, 0, 0, 0, 0);
}

/* ---- PodTopologySpread (ScheduleAnyway) ------------------------------------------ */

/* clang-format off */
static const char *const spread_cluster = LIST(
    NODE("s1", "'zone':'a','" HOST "':'s1'", "", STD) ","
    NODE("s2", "'zone':'a','" HOST "':'s2'", "", STD) ","
    NODE("s3", "'zone':'b','" HOST "':'s3'", "", STD) ","
    NODE("s4", "'zone':'c','" HOST "':'s4'", "", STD) ","
    NODE("s5", "'" HOST "':'s5'", "", STD) ","
    /* infeasible (untolerated NoSchedule taint) but counted for zone b */
    NODE("s6", "'zone':'b','" HOST "':'s6'", "'taints':[{'key':'k','effect':'NoSchedule'}]", STD) ","
    POD("w1", "s1", "'app':'web'", ZERO) ","
    POD("w2", "s1", "'app':'web'", ZERO) ","
    POD("w3", "s2", "'app':'web'", ZERO) ","
    POD_X("w4", "other", "", "s2", "'app':'web'", ZERO) ","
    POD_X("w5", "default", ",'deletionTimestamp':'2025-01-01T00:00:00Z'", "s2", "'app':'web'", ZERO) ","
    POD("w6", "s4", "'app':'web'", ZERO) ","
    POD("w7", "s4", "'app':'web'", ZERO) ","
    POD("w8", "s4", "'app':'web'", ZERO) ","
    POD("w9", "s5", "'app':'web'", ZERO) ","
    POD("w10", "s6", "'app':'web'", ZERO) ","
    POD("w11", "s6", "'app':'web'", ZERO) ","
    POD("x1", "s3", "'app':'db'", ZERO));

#define SOFT(skew, key) \
	"{'maxSkew':" #skew ",'topologyKey':'" key "','whenUnsatisfiable':'ScheduleAnyway'," \
	"'labelSelector':{'matchLabels':{'app':'web'}}}"
/* zone maxSkew 1 and hostname maxSkew 2, both ScheduleAnyway */
#define SPREAD_WEB ",'topologySpreadConstraints':[" SOFT(1, "zone") "," SOFT(2, HOST) "]"
/* clang-format on */

static void test_topology_spread_schedule_anyway(void **state)
{
	(void)state;
	load(spread_cluster, PODIN("'app':'web'", REQ SPREAD_WEB));
	score("s1", "s2", "s3", "s4", "s5", NULL);
	/* s5 lacks zone: ignored (0). Domains among the other feasible nodes:
	 * zone {a, b, c} = 3 -> weight ln(5) = 1.6094379; hostname: 4 nodes ->
	 * ln(6) = 1.7917595.
	 * Matching pods (app=web, namespace default, not terminating; w4 is in
	 * another namespace, w5 is terminating):
	 *   zone a: s1 2 + s2 1 = 3; zone b: s3 0 + s6 2 = 2 (s6 is not feasible
	 *   but carries both keys, so it counts); zone c: s4 3.
	 *   per node: s1 2, s2 1, s3 0, s4 3.
	 * score = round(cnt_zone * 1.6094379 + 0 + cnt_host * 1.7917595 + 1):
	 *   s1: 4.8283 + 3.5835 + 1 = 9.41 -> 9
	 *   s2: 4.8283 + 1.7918 + 1 = 7.62 -> 8
	 *   s3: 3.2189 + 0      + 1 = 4.22 -> 4
	 *   s4: 4.8283 + 5.3753 + 1 = 11.20 -> 11
	 * min 4, max 11: 100 * (11 + 4 - s) / 11 -> 54 (54.5), 63 (63.6), 100,
	 * 36 (36.4); s5 0. */
	EXPECT(HR_SCORE_TOPOLOGY_SPREAD, 54, 63, 100, 36, 0);
	EXPECT_TOTAL(108 + 475, 126 + 475, 200 + 475, 72 + 475, 0 + 475);

	/* A copy on s3: zone b 3, s3 1. s3: 4.8283 + 1.7918 + 1 = 7.62 -> 8.
	 * min 8, max 11: 100 * (19 - s) / 11 -> s1 90 (90.9), s2 100, s3 100,
	 * s4 72 (72.7). */
	assume("s3");
	score("s1", "s2", "s3", "s4", "s5", NULL);
	EXPECT(HR_SCORE_TOPOLOGY_SPREAD, 90, 100, 100, 72, 0);

	/* Fewer feasible nodes, fewer domains: {s1, s4} -> zone weight ln(4) =
	 * 1.3862944, hostname ln(4). s1: 3 x 1.3863 + 2 x 1.3863 + 1 = 7.93 -> 8;
	 * s4: 3 x 1.3863 + 3 x 1.3863 + 1 = 9.32 -> 9. min 8, max 9:
	 * 100 * (17 - s) / 9 -> 100, 88 (88.9). */
	score("s1", "s4", NULL);
	EXPECT(HR_SCORE_TOPOLOGY_SPREAD, 100, 88);
}

static void test_topology_spread_no_matching_pods(void **state)
{
	(void)state;
	/* app=new matches no pod: every score round(0 + (1 - 1)) = 0, max 0 ->
	 * 100 for every scored node, 0 for the ignored s5. */
	load(spread_cluster, PODIN("'app':'new'", REQ
	                           ",'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':"
	                           "'zone','whenUnsatisfiable':'ScheduleAnyway','labelSelector':{"
	                           "'matchLabels':{'app':'new'}}}]"));
	score("s1", "s3", "s5", NULL);
	EXPECT(HR_SCORE_TOPOLOGY_SPREAD, 100, 100, 0);
	EXPECT_TOTAL(200 + 475, 200 + 475, 0 + 475);
}

/* ---- all plugins together, and the capacity engine's order ------------------------ */

/* clang-format off */
static const char *const order_cluster = LIST(
    NODE("a1", "'zone':'a','disk':'ssd'", "", STD) ","
    POD("busy", "a1", "", CTR("'cpu':'2','memory':'4Gi'")) ","
    NODE("a2", "'zone':'a'", "", STD) ","
    NODE("b1", "'zone':'b','disk':'ssd'", "'taints':[{'key':'spot','effect':'PreferNoSchedule'}]", STD) ","
    NODE("b2", "'zone':'b'", "", STD) ","
    NODE("c1", "'zone':'c'", "", "'cpu':'8','memory':'16Gi','pods':'110'"));

/* Required anti-affinity to its own label per zone, and a preferred node
 * affinity (weight 10) for disk=ssd. */
static const char *const order_pod = PODIN("'app':'web'",
    CTR("'cpu':'1','memory':'1Gi'") ",'affinity':{"
    "'nodeAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':["
        "{'weight':10,'preference':{'matchExpressions':[{'key':'disk','operator':'In','values':['ssd']}]}}]},"
    "'podAntiAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':["
        TERM("'app':'web'", "zone") "]}}");
/* clang-format on */

static void test_weighted_total_all_plugins(void **state)
{
	(void)state;
	load(order_cluster, order_pod);
	/* First copy, all five nodes feasible.
	 * TaintToleration: b1 has 1 intolerable PreferNoSchedule taint, max 1:
	 *   b1 0, the others 100 (x3: 0 / 300).
	 * NodeAffinity: a1, b1 match disk=ssd (10), max 10: 100 / 0 (x2: 200 / 0).
	 * LeastAllocated (pod 1 cpu / 1Gi):
	 *   a1: cpu 2000+1000 of 4000: 1000*100/4000 = 25; memory 5Gi of 8Gi:
	 *       3*100/8 = 37 (37.5); (25+37)/2 = 31.
	 *   a2, b1, b2: cpu 3000*100/4000 = 75; memory 7*100/8 = 87 (87.5); 81.
	 *   c1 (8 cpu / 16Gi): cpu 7000*100/8000 = 87 (87.5); memory 15*100/16 = 93
	 *       (93.75); 90.
	 * Balanced: a1 0.75 vs 0.625, a2/b1/b2 0.25 vs 0.125: std 0.0625 -> 93;
	 *   c1 0.125 vs 0.0625: std 0.03125 -> 96 (96.875).
	 * PodTopologySpread: no soft constraints, skipped: 0. InterPodAffinity:
	 *   only a required anti-affinity term (not scored), no existing pod
	 *   terms: skipped, 0. ImageLocality: no images: 0.
	 * Totals: a1 300+200+31+93 = 624; a2 300+0+81+93 = 474;
	 *   b1 0+200+81+93 = 374; b2 474; c1 300+0+90+96 = 486. */
	score("a1", "a2", "b1", "b2", "c1", NULL);
	EXPECT(HR_SCORE_TAINT_TOLERATION, 100, 100, 0, 100, 100);
	EXPECT(HR_SCORE_NODE_AFFINITY, 100, 0, 100, 0, 0);
	EXPECT(HR_SCORE_RESOURCES_FIT, 31, 81, 81, 81, 90);
	EXPECT(HR_SCORE_BALANCED_ALLOCATION, 93, 93, 93, 93, 96);
	EXPECT(HR_SCORE_TOPOLOGY_SPREAD, 0, 0, 0, 0, 0);
	EXPECT(HR_SCORE_INTER_POD_AFFINITY, 0, 0, 0, 0, 0);
	EXPECT(HR_SCORE_IMAGE_LOCALITY, 0, 0, 0, 0, 0);
	EXPECT_TOTAL(624, 474, 374, 474, 486);
	bool tie = true;
	assert_int_equal(hr_scorer_pick(&F.sc, F.feasible, F.n, &tie), node_index("a1"));
	assert_false(tie);

	/* With a copy on a1, zone a is closed by the anti-affinity; b1, b2, c1
	 * remain and nothing changed for them: 374, 474, 486 -> c1. */
	assume("a1");
	score("b1", "b2", "c1", NULL);
	EXPECT_TOTAL(374, 474, 486);
	assert_int_equal(hr_scorer_pick(&F.sc, F.feasible, F.n, &tie), node_index("c1"));
	assert_false(tie);
}

static int64_t count_on(const struct hr_capacity_result *r, const char *name)
{
	for (size_t k = 0; k < r->n_nodes; k++)
		if (hr_str_eq_c(r->nodes[k].info->node->name, name))
			return r->nodes[k].count;
	fail_msg("node %s is not in the result", name);
	return -1;
}

static void test_capacity_places_copies_in_scheduler_order(void **state)
{
	(void)state;
	/* The scheduler's order, from test_weighted_total_all_plugins:
	 * copy 1 -> a1 (624: preferred ssd beats a2's free resources, 474);
	 * copy 2 -> c1 (486 vs b2 474 vs b1 374: b1's PreferNoSchedule taint
	 *   costs 300, more than its ssd preference earns, 200);
	 * copy 3 -> b2 (474 vs b1 374);
	 * copy 4: every zone holds a copy:
	 *   "0/5 nodes are available: 5 node(s) didn't match pod anti-affinity rules."
	 * max_copies 1 and 2 stop the loop after each placement and show the
	 * order (limited: another copy would fit); at 3 nothing more fits, so the
	 * answer is complete. The plain loop must agree with the default engine. */
	static const struct {
		int64_t max;
		int64_t a1, a2, b1, b2, c1;
	} steps[] = {
	    {1, 1, 0, 0, 0, 0},
	    {2, 1, 0, 0, 0, 1},
	    {3, 1, 0, 0, 1, 1},
	    {0, 1, 0, 0, 1, 1},
	};
	for (int mode = 0; mode < 2; mode++)
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			load_only(order_cluster, order_pod);
			struct hr_capacity_opts opts = {.mode = mode == 0 ? HR_CAPACITY_AUTO
			                                                  : HR_CAPACITY_PLAIN_LOOP,
			                                .max_copies = steps[i].max};
			struct hr_capacity_result r;
			if (hr_capacity(F.snap, F.pod, &opts, &F.arena, &r, &F.err) != HR_OK)
				fail_err("hr_capacity");
			assert_true(r.coupled);
			assert_true(r.exact);
			assert_int_equal(r.count, steps[i].a1 + steps[i].b2 + steps[i].c1);
			assert_int_equal(count_on(&r, "a1"), steps[i].a1);
			assert_int_equal(count_on(&r, "a2"), steps[i].a2);
			assert_int_equal(count_on(&r, "b1"), steps[i].b1);
			assert_int_equal(count_on(&r, "b2"), steps[i].b2);
			assert_int_equal(count_on(&r, "c1"), steps[i].c1);
			if (steps[i].max == 0 || steps[i].max == 3) { /* nothing more fits */
				assert_false(r.limited);
				assert_string_equal(
				    r.message, "0/5 nodes are available: 5 node(s) didn't match "
				               "pod anti-affinity rules.");
			} else {
				assert_true(r.limited);
			}
		}
}

#define T(f) cmocka_unit_test_teardown(f, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_default_weights),
	    T(test_least_allocated_nonzero_defaults),
	    T(test_best_effort_pod_skips_balanced_allocation),
	    T(test_taint_toleration_prefer_no_schedule),
	    T(test_node_affinity_preferred_terms),
	    T(test_image_locality),
	    T(test_inter_pod_affinity_preferred),
	    T(test_inter_pod_affinity_existing_terms_only),
	    T(test_topology_spread_schedule_anyway),
	    T(test_topology_spread_no_matching_pods),
	    T(test_weighted_total_all_plugins),
	    T(test_capacity_places_copies_in_scheduler_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
