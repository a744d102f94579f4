/* test_capacity.c: the capacity engine (capacity.h; DESIGN.md "The capacity
 * engine"; spec/predicates.md §2, §5).
 *
 * Hand-derived cases (each expected figure is worked out in a comment), then a
 * property test: on hundreds of random clusters and random uncoupled pods the
 * fast path (HR_CAPACITY_AUTO) and the placement loop (HR_CAPACITY_LOOP) must
 * give exactly the same count, per-node counts, per-node statuses and FitError
 * message. The incoming pods go through admission (as the capacity verb does).
 * JSON is written with single quotes and converted before parsing. */
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
#include "snapshot.h"
#include "support.h"

/* ---- JSON building blocks ------------------------------------------------ */

#define LIST(items) "{'kind':'List','apiVersion':'v1','items':[" items "]}"
#define NODE(name, labels, spec, alloc)                                                            \
	"{'kind':'Node','metadata':{'name':'" name "','labels':{" labels "}},'spec':{" spec        \
	"},'status':{'allocatable':{" alloc "}}}"
#define POD(name, node, labels, spec)                                                              \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'default','labels':{" labels      \
	"}},'spec':{'nodeName':'" node "'," spec "},'status':{'phase':'Running'}}"
/* any pod: extra metadata after the labels, node ("" = unbound), status fields */
#define POD_X(name, meta, node, labels, spec, status)                                              \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'default','labels':{" labels      \
	"}" meta "},'spec':{'nodeName':'" node "'," spec "},'status':{" status "}}"
#define PODIN(labels, spec)                                                                        \
	"{'kind':'Pod','metadata':{'name':'incoming','namespace':'default','labels':{" labels      \
	"}},'spec':{" spec "}}"
#define CTR(req) "'containers':[{'name':'c','resources':{'requests':{" req "}}}]"
#define STD      "'cpu':'4','memory':'32Gi','pods':'110'"
#define HOST     "kubernetes.io/hostname"

/* ---- fixture -------------------------------------------------------------- */

struct fx {
	bool live;
	struct hr_arena arena;
	struct hr_err err;
	const struct hr_snapshot *snap;
	struct hr_pod *pod;
	struct hr_capacity_result r;
};

static struct fx F;

static char *dequote(const char *text, size_t n)
{
	char *copy = malloc(n + 1);
	assert_non_null(copy);
	for (size_t i = 0; i < n; i++)
		copy[i] = text[i] == '\'' ? '"' : text[i];
	copy[n] = '\0';
	return copy;
}

static cJSON *parse_quoted(const char *text)
{
	char *copy = dequote(text, strlen(text));
	cJSON *doc = cJSON_Parse(copy);
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

/* Builds the snapshot and the admitted incoming pod (the capacity verb admits). */
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
		rc = hr_incoming_pod(pdoc, F.snap, true, NULL, &F.arena, &F.pod, NULL, &F.err);
	cJSON_Delete(cdoc);
	cJSON_Delete(pdoc);
	if (rc != HR_OK) {
		char msg[512];
		hr_err_format(&F.err, msg, sizeof(msg));
		fail_msg("loading the case failed: %s", msg);
	}
}

static void run(enum hr_capacity_mode mode, int64_t max)
{
	struct hr_capacity_opts opts = {.mode = mode, .max_copies = max};
	enum hr_code rc = hr_capacity(F.snap, F.pod, &opts, &F.arena, &F.r, &F.err);
	if (rc != HR_OK) {
		char msg[512];
		hr_err_format(&F.err, msg, sizeof(msg));
		fail_msg("hr_capacity failed: %s", msg);
	}
}

static const struct hr_capacity_node *node_of(const struct hr_capacity_result *r, const char *name)
{
	for (size_t k = 0; k < r->n_nodes; k++)
		if (hr_str_eq_c(r->nodes[k].info->node->name, name))
			return &r->nodes[k];
	fail_msg("node %s is not in the result", name);
	return NULL;
}

static void check_node(const char *name, int64_t count, enum hr_status_code code,
                       enum hr_plugin plugin, const char *text, int line)
{
	const struct hr_capacity_node *cn = node_of(&F.r, name);
	struct hr_buf b;
	hr_buf_init(&b, 1 << 16);
	if (cn->status.code != HR_STATUS_SUCCESS)
		hr_status_text(&cn->status, F.pod, &b);
	char got[1024];
	snprintf(got, sizeof(got), "%s", b.p ? b.p : "");
	hr_buf_fini(&b);
	if (cn->count != count || cn->status.code != code || cn->status.plugin != plugin ||
	    strcmp(got, text) != 0)
		fail_msg(
		    "line %d: node %s\n  got:  %" PRId64
		    " copies, code %d %s \"%s\"\n  want: %" PRId64 " copies, code %d %s \"%s\"",
		    line, name, cn->count, (int)cn->status.code, hr_plugin_name(cn->status.plugin),
		    got, count, (int)code, hr_plugin_name(plugin), text);
}

#define NODE_U(name, count, plugin, text)                                                          \
	check_node(name, count, HR_STATUS_UNSCHEDULABLE, plugin, text, __LINE__)
#define NODE_UU(name, count, plugin, text)                                                         \
	check_node(name, count, HR_STATUS_UNRESOLVABLE, plugin, text, __LINE__)

static void expect_count(int64_t count, const char *message)
{
	assert_int_equal(F.r.count, count);
	assert_string_equal(F.r.message, message);
}

/* ---- hand-derived cases ---------------------------------------------------------- */

/* A v1 List with one 4 CPU / 32Gi / 110-pod node and 30 running 100m/500Mi pods. */
static char *thirty_pod_cluster(void)
{
	struct hr_buf b;
	hr_buf_init(&b, 1 << 20);
	hr_buf_puts(&b, "{'kind':'List','items':[" NODE("n1", "", "", STD));
	for (int i = 0; i < 30; i++)
		hr_buf_printf(&b, "," POD("p%d", "n1", "", CTR("'cpu':'100m','memory':'500Mi'")),
		              i);
	hr_buf_puts(&b, "]}");
	assert_true(hr_buf_ok(&b));
	char *out = hr_buf_take(&b, NULL);
	hr_buf_fini(&b);
	return out;
}

static void test_thirty_pods_leave_room_for_ten(void **state)
{
	(void)state;
	/* cpu: 4000m - 30 x 100m = 1000m free -> 1000m / 100m = 10 copies;
	 * memory: 32768Mi - 30 x 500Mi = 17768Mi free -> 35 copies (35 x 500 = 17500);
	 * pods: 110 - 30 = 80 slots. The minimum, 10, is the answer and cpu is
	 * what stops copy 11. */
	char *cluster = thirty_pod_cluster();
	for (int mode = 0; mode < 2; mode++) {
		load(cluster, PODIN("", CTR("'cpu':'100m','memory':'500Mi'")));
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 0);
		expect_count(10, "0/1 nodes are available: 1 Insufficient cpu.");
		assert_false(F.r.limited);
		if (mode == 0)
			assert_false(F.r.coupled); /* fast path */
		assert_false(F.r.prefilter_rejected);
		assert_true(F.r.exact);
		assert_int_equal(F.r.n_nodes, 1);
		assert_int_equal(F.r.iterations, mode == 0 ? 0 : 10);
		NODE_U("n1", 10, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient cpu");
	}
	/* 200m/1Gi copies: cpu 1000/200 = 5, memory 17768Mi / 1024Mi = 17 -> 5 */
	load(cluster, PODIN("", CTR("'cpu':'200m','memory':'1Gi'")));
	run(HR_CAPACITY_AUTO, 0);
	expect_count(5, "0/1 nodes are available: 1 Insufficient cpu.");
	/* 10m/2Gi copies: cpu 100, memory 17768 / 2048 = 8 (8 x 2048 = 16384) -> 8 */
	load(cluster, PODIN("", CTR("'cpu':'10m','memory':'2Gi'")));
	run(HR_CAPACITY_LOOP, 0);
	expect_count(8, "0/1 nodes are available: 1 Insufficient memory.");
	/* request-less copies: only pod slots, 110 - 30 = 80 */
	load(cluster, PODIN("", CTR("")));
	run(HR_CAPACITY_AUTO, 0);
	expect_count(80, "0/1 nodes are available: 1 Too many pods.");
	free(cluster);
}

/* clang-format off */
#define MULTI_CLUSTER                                                                    \
	LIST(NODE("cpu2", "", "", "'cpu':'2','memory':'64Gi','pods':'110'") ","           \
	     NODE("mem6", "", "", "'cpu':'4','memory':'6Gi','pods':'110'") ","            \
	     NODE("pods3", "", "", "'cpu':'16','memory':'64Gi','pods':'3'") ","           \
	     NODE("tainted", "", "'taints':[{'key':'k','value':'v','effect':'NoSchedule'}]", \
		  STD) ","                                                                 \
	     NODE("tiny", "", "", "'cpu':'250m','memory':'64Gi','pods':'110'") ","        \
	     POD("idle", "pods3", "", CTR("")))
/* clang-format on */

static void test_multi_node_counts_and_reasons(void **state)
{
	(void)state;
	/* copies of 500m/1Gi:
	 *   cpu2:    cpu 2000/500 = 4, memory 64 -> 4, then Insufficient cpu (U)
	 *   mem6:    cpu 4000/500 = 8, memory 6Gi/1Gi = 6 -> 6, then Insufficient memory (U)
	 *   pods3:   3 slots - 1 idle pod = 2, then Too many pods (U)
	 *   tainted: 0, untolerated taint (UU)
	 *   tiny:    250m < 500m: 0, Insufficient cpu (UU: more than allocatable)
	 * total 12; histogram items sorted byte-wise. */
	for (int mode = 0; mode < 2; mode++) {
		load(MULTI_CLUSTER, PODIN("", CTR("'cpu':'500m','memory':'1Gi'")));
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 0);
		expect_count(12, "0/5 nodes are available: 1 Insufficient memory, 1 Too many pods, "
		                 "1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.");
		NODE_U("cpu2", 4, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient cpu");
		NODE_U("mem6", 6, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient memory");
		NODE_U("pods3", 2, HR_PLUGIN_NODE_RESOURCES_FIT, "Too many pods");
		NODE_UU("tainted", 0, HR_PLUGIN_TAINT_TOLERATION,
		        "node(s) had untolerated taint {k: v}");
		NODE_UU("tiny", 0, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient cpu");
		/* nodes come in name order */
		assert_int_equal(F.r.n_nodes, 5);
		assert_true(hr_str_eq_c(F.r.nodes[0].info->node->name, "cpu2"));
		assert_true(hr_str_eq_c(F.r.nodes[4].info->node->name, "tiny"));
	}
	/* tolerating the taint adds the tainted node: 4000/500 = 8 copies (memory 32) */
	load(MULTI_CLUSTER,
	     PODIN("", CTR("'cpu':'500m','memory':'1Gi'") ",'tolerations':[{'key':'k','operator':'"
	                                                  "Exists'}]"));
	run(HR_CAPACITY_AUTO, 0);
	expect_count(
	    20,
	    "0/5 nodes are available: 1 Insufficient memory, 1 Too many pods, 3 Insufficient cpu.");
	NODE_U("tainted", 8, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient cpu");
}

static void test_snapshot_is_not_written(void **state)
{
	(void)state;
	load(MULTI_CLUSTER, PODIN("", CTR("'cpu':'500m','memory':'1Gi'")));
	const struct hr_node_info *cpu2 = hr_snap_find_node(F.snap, HR_STR_LIT("cpu2"));
	int64_t before = cpu2->requested.cpu_milli;
	size_t pods_before = cpu2->n_pods;
	run(HR_CAPACITY_LOOP, 0);
	assert_int_equal(F.r.count, 12);
	assert_int_equal(cpu2->requested.cpu_milli, before);
	assert_int_equal(cpu2->n_pods, pods_before);
	/* a second run on the same snapshot gives the same answer */
	struct hr_capacity_result again;
	struct hr_capacity_opts opts = {.mode = HR_CAPACITY_AUTO};
	assert_int_equal(hr_capacity(F.snap, F.pod, &opts, &F.arena, &again, &F.err), HR_OK);
	assert_int_equal(again.count, 12);
	assert_string_equal(again.message, F.r.message);
}

static void test_extended_resources_and_slots(void **state)
{
	(void)state;
	/* copies of 1 gpu (request defaulted from the limit):
	 *   g1: 4 gpus, 1 used -> 3, then Insufficient example.com/gpu (U)
	 *   g2: 2 gpus but pods 5 with 4 used -> 1, then Too many pods (U; gpu 1 left)
	 *   plain: no gpus -> 0, Insufficient example.com/gpu (UU) */
	const char *cluster = hr_test_list(
	    NODE("g1", "", "", STD ",'example.com/gpu':'4'"),
	    NODE("g2", "", "", "'cpu':'4','memory':'32Gi','pods':'5','example.com/gpu':'2'"),
	    NODE("plain", "", "", STD), POD("u", "g1", "", CTR("'example.com/gpu':'1'")),
	    POD("a", "g2", "", CTR("")), POD("b", "g2", "", CTR("")), POD("c", "g2", "", CTR("")),
	    POD("d", "g2", "", CTR("")), NULL);
	for (int mode = 0; mode < 2; mode++) {
		load(cluster, PODIN("", "'containers':[{'name':'c','resources':{'limits':{'example."
		                        "com/gpu':'1'}}}]"));
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 0);
		expect_count(
		    4, "0/3 nodes are available: 1 Too many pods, 2 Insufficient example.com/gpu.");
		NODE_U("g1", 3, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient example.com/gpu");
		NODE_U("g2", 1, HR_PLUGIN_NODE_RESOURCES_FIT, "Too many pods");
		NODE_UU("plain", 0, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient example.com/gpu");
	}
}

static void test_host_port_pods_one_per_node(void **state)
{
	(void)state;
	/* a host port holds at most one copy per node; h3 already has the port in use */
	const char *cluster = hr_test_list(
	    NODE("h1", "", "", STD), NODE("h2", "", "", STD), NODE("h3", "", "", STD),
	    POD("web", "h3", "",
	        "'containers':[{'name':'c','ports':[{'containerPort':8080,'hostPort':8080}]}]"),
	    NULL);
	for (int mode = 0; mode < 2; mode++) {
		load(cluster,
		     PODIN("", "'containers':[{'name':'c','resources':{'requests':{'cpu':'100m'}},'"
		               "ports':[{'containerPort':8080,'hostPort':8080}]}]"));
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 0);
		expect_count(2, "0/3 nodes are available: 3 node(s) didn't have free ports for the "
		                "requested pod ports.");
		NODE_U("h1", 1, HR_PLUGIN_NODE_PORTS,
		       "node(s) didn't have free ports for the requested pod ports");
		NODE_U("h2", 1, HR_PLUGIN_NODE_PORTS,
		       "node(s) didn't have free ports for the requested pod ports");
		NODE_U("h3", 0, HR_PLUGIN_NODE_PORTS,
		       "node(s) didn't have free ports for the requested pod ports");
	}
	/* a specific host IP: still one copy per node (a copy clashes with itself);
	 * a node without cpu room holds none and fails on resources, not ports */
	load(hr_test_list(NODE("h1", "", "", STD),
	                  NODE("full", "", "", "'cpu':'50m','memory':'1Gi','pods':'110'"), NULL),
	     PODIN("", "'containers':[{'name':'c','resources':{'requests':{'cpu':'100m'}},'ports':["
	               "{'containerPort':80,'hostPort':80,'hostIP':'127.0.0.1'}]}]"));
	run(HR_CAPACITY_AUTO, 0);
	expect_count(1, "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't have free "
	                "ports for the requested pod ports.");
	NODE_UU("full", 0, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient cpu");
}

#define SOLO_ANTI(key)                                                                             \
	",'affinity':{'podAntiAffinity':{'requiredDuringSchedulingIgnoredDuringExecution':[{"      \
	"'labelSelector':{'matchLabels':{'app':'solo'}},'topologyKey':'" key "'}]}}"

static void test_anti_affinity_hostname_one_per_eligible_node(void **state)
{
	(void)state;
	/* a1, a2 eligible with room; a3 tainted; a4 too small: 2 copies */
	const char *cluster = hr_test_list(
	    NODE("a1", "'" HOST "':'a1'", "", STD), NODE("a2", "'" HOST "':'a2'", "", STD),
	    NODE("a3", "'" HOST "':'a3'",
	         "'taints':[{'key':'k','value':'v','effect':'NoSchedule'}]", STD),
	    NODE("a4", "'" HOST "':'a4'", "", "'cpu':'100m','memory':'1Gi','pods':'110'"), NULL);
	load(cluster, PODIN("'app':'solo'", CTR("'cpu':'500m'") SOLO_ANTI(HOST)));
	run(HR_CAPACITY_AUTO, 0);
	assert_true(F.r.coupled);
	expect_count(2, "0/4 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated "
	                "taint {k: v}, 2 node(s) didn't match pod anti-affinity rules.");
	assert_int_equal(F.r.iterations, 2);
	NODE_U("a1", 1, HR_PLUGIN_INTER_POD_AFFINITY,
	       "node(s) didn't match pod anti-affinity rules");
	NODE_U("a2", 1, HR_PLUGIN_INTER_POD_AFFINITY,
	       "node(s) didn't match pod anti-affinity rules");
	NODE_UU("a3", 0, HR_PLUGIN_TAINT_TOLERATION, "node(s) had untolerated taint {k: v}");
	NODE_UU("a4", 0, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient cpu");

	/* one solo pod already runs on a1: only a2 is left */
	load(hr_test_list(NODE("a1", "'" HOST "':'a1'", "", STD),
	                  NODE("a2", "'" HOST "':'a2'", "", STD),
	                  POD("old", "a1", "'app':'solo'", CTR("")), NULL),
	     PODIN("'app':'solo'", CTR("'cpu':'500m'") SOLO_ANTI(HOST)));
	run(HR_CAPACITY_AUTO, 0);
	expect_count(1, "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.");
	NODE_U("a1", 0, HR_PLUGIN_INTER_POD_AFFINITY,
	       "node(s) didn't match pod anti-affinity rules");
	NODE_U("a2", 1, HR_PLUGIN_INTER_POD_AFFINITY,
	       "node(s) didn't match pod anti-affinity rules");
}

static void test_anti_affinity_zone_one_per_zone(void **state)
{
	(void)state;
	/* zones a (2 nodes), b (2 nodes), c (1 node): one copy per zone = 3 */
	const char *cluster =
	    hr_test_list(NODE("za1", "'zone':'a'", "", STD), NODE("za2", "'zone':'a'", "", STD),
	                 NODE("zb1", "'zone':'b'", "", STD), NODE("zb2", "'zone':'b'", "", STD),
	                 NODE("zc1", "'zone':'c'", "", STD), NULL);
	load(cluster, PODIN("'app':'solo'", CTR("'cpu':'100m'") SOLO_ANTI("zone")));
	run(HR_CAPACITY_AUTO, 0);
	expect_count(3, "0/5 nodes are available: 5 node(s) didn't match pod anti-affinity rules.");
	assert_int_equal(node_of(&F.r, "za1")->count + node_of(&F.r, "za2")->count, 1);
	assert_int_equal(node_of(&F.r, "zb1")->count + node_of(&F.r, "zb2")->count, 1);
	assert_int_equal(node_of(&F.r, "zc1")->count, 1);
	/* with max_copies 2 the loop stops early: a lower bound, no message */
	load(cluster, PODIN("'app':'solo'", CTR("'cpu':'100m'") SOLO_ANTI("zone")));
	run(HR_CAPACITY_AUTO, 2);
	assert_int_equal(F.r.count, 2);
	assert_true(F.r.limited);
	assert_string_equal(F.r.message, "");
	/* max_copies equal to the answer is not a limit: copy 4 does not fit */
	load(cluster, PODIN("'app':'solo'", CTR("'cpu':'100m'") SOLO_ANTI("zone")));
	run(HR_CAPACITY_AUTO, 3);
	assert_false(F.r.limited);
	expect_count(3, "0/5 nodes are available: 5 node(s) didn't match pod anti-affinity rules.");
}

static void test_spread_max_skew_uneven_zones(void **state)
{
	(void)state;
	/* zone a: a1 (500m, 3 running web pods without requests); zone b: b1 (300m, empty).
	 * maxSkew 1, copies of 100m. Start a=3, b=0: a is 4 - 0 > 1 away, so copies go to b
	 * until b=3 fills b1 (300m); then a may take one (3 + 1 - 3 = 1), after which
	 * a would be 5 - 3 = 2 > 1. Count 4: a1 1, b1 3. */
	const char *cluster = hr_test_list(
	    NODE("a1", "'zone':'a'", "", "'cpu':'500m','memory':'1Gi','pods':'110'"),
	    NODE("b1", "'zone':'b'", "", "'cpu':'300m','memory':'1Gi','pods':'110'"),
	    POD("w1", "a1", "'app':'web'", CTR("")), POD("w2", "a1", "'app':'web'", CTR("")),
	    POD("w3", "a1", "'app':'web'", CTR("")), NULL);
	const char *pod =
	    PODIN("'app':'web'",
	          CTR("'cpu':'100m'") ",'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':'"
	                              "zone','whenUnsatisfiable':'DoNotSchedule','labelSelector':{'"
	                              "matchLabels':{'app':'web'}}}]");
	for (int mode = 0; mode < 2; mode++) {
		load(cluster, pod);
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 0);
		assert_true(F.r.coupled);
		expect_count(4, "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't "
		                "match pod topology spread constraints.");
		NODE_U("a1", 1, HR_PLUGIN_POD_TOPOLOGY_SPREAD,
		       "node(s) didn't match pod topology spread constraints");
		NODE_U("b1", 3, HR_PLUGIN_NODE_RESOURCES_FIT, "Insufficient cpu");
	}
	/* zones a, b, c with two nodes each and 10 free pod slots per node (cpu is not
	 * binding: 40 copies per node). Matching pods already running: a 4, b 1, c 0, so
	 * the zone totals can reach a 24, b 21, c 20. A copy may only go to a zone whose
	 * total is at the current minimum (count + 1 - min <= 1), so the totals rise
	 * together from the bottom: c fills at 20, then a and b may each go one above
	 * it, to 21 (b is then full too). Copies: a 21 - 4 = 17, b 21 - 1 = 20, c 20;
	 * count 57, whatever order the loop picks. */
	const char *three = hr_test_list(
	    NODE("a1", "'zone':'a'", "", "'cpu':'4','memory':'8Gi','pods':'12'"),
	    NODE("a2", "'zone':'a'", "", "'cpu':'4','memory':'8Gi','pods':'12'"),
	    NODE("b1", "'zone':'b'", "", "'cpu':'4','memory':'8Gi','pods':'11'"),
	    NODE("b2", "'zone':'b'", "", "'cpu':'4','memory':'8Gi','pods':'10'"),
	    NODE("c1", "'zone':'c'", "", "'cpu':'4','memory':'8Gi','pods':'10'"),
	    NODE("c2", "'zone':'c'", "", "'cpu':'4','memory':'8Gi','pods':'10'"),
	    POD("x1", "a1", "'app':'web'", CTR("")), POD("x2", "a1", "'app':'web'", CTR("")),
	    POD("x3", "a2", "'app':'web'", CTR("")), POD("x4", "a2", "'app':'web'", CTR("")),
	    POD("y1", "b1", "'app':'web'", CTR("")), NULL);
	load(three, pod);
	run(HR_CAPACITY_AUTO, 0);
	assert_int_equal(F.r.count, 57);
	assert_int_equal(node_of(&F.r, "a1")->count + node_of(&F.r, "a2")->count, 17);
	assert_int_equal(node_of(&F.r, "b1")->count + node_of(&F.r, "b2")->count, 20);
	assert_int_equal(node_of(&F.r, "c1")->count + node_of(&F.r, "c2")->count, 20);
}

static void test_prefilter_rejection(void **state)
{
	(void)state;
	const char *cluster = hr_test_list(NODE("n1", "", "", STD), NODE("n2", "", "", STD), NULL);
	load(cluster,
	     PODIN("", CTR("'cpu':'1'") ",'affinity':{'nodeAffinity':{'"
	                                "requiredDuringSchedulingIgnoredDuringExecution':{'"
	                                "nodeSelectorTerms':[{'matchFields':[{'key':'metadata.name'"
	                                ",'operator':'In','values':['n1']},{'key':'metadata.name','"
	                                "operator':'In','values':['n2']}]}]}}}"));
	for (int mode = 0; mode < 2; mode++) {
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 0);
		assert_true(F.r.prefilter_rejected);
		expect_count(0, "0/2 nodes are available: pod affinity terms conflict.");
		assert_int_equal(node_of(&F.r, "n1")->count, 0);
		assert_int_equal(node_of(&F.r, "n1")->status.code, HR_STATUS_UNRESOLVABLE);
		assert_int_equal(node_of(&F.r, "n2")->status.code, HR_STATUS_UNRESOLVABLE);
	}
}

static void test_prefilter_node_set_in_message(void **state)
{
	(void)state;
	/* only n1 is in the node-name set and it is tainted */
	load(hr_test_list(
	         NODE("n1", "", "'taints':[{'key':'k','value':'v','effect':'NoSchedule'}]", STD),
	         NODE("n2", "", "", STD), NODE("n3", "", "", STD), NULL),
	     PODIN("", CTR("'cpu':'1'") ",'affinity':{'nodeAffinity':{'"
	                                "requiredDuringSchedulingIgnoredDuringExecution':{'"
	                                "nodeSelectorTerms':[{'matchFields':[{'key':'metadata.name'"
	                                ",'operator':'In','values':['n1']}]}]}}}"));
	run(HR_CAPACITY_AUTO, 0);
	expect_count(0, "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 "
	                "node(s) didn't satisfy plugin(s) [NodeAffinity].");
	NODE_UU("n2", 0, HR_PLUGIN_NODE_AFFINITY,
	        "node(s) didn't satisfy plugin(s) [NodeAffinity]");
}

static void test_zero_nodes(void **state)
{
	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		load("{'kind':'List','items':[]}", PODIN("", CTR("'cpu':'1'")));
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 0);
		expect_count(0, "no nodes available to schedule pods");
		assert_int_equal(F.r.n_nodes, 0);
	}
}

static void test_max_copies(void **state)
{
	(void)state;
	char *cluster = thirty_pod_cluster();
	/* below the answer: limited, no message */
	for (int mode = 0; mode < 2; mode++) {
		load(cluster, PODIN("", CTR("'cpu':'100m','memory':'500Mi'")));
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 3);
		assert_int_equal(F.r.count, 3);
		assert_true(F.r.limited);
		assert_string_equal(F.r.message, "");
		assert_int_equal(node_of(&F.r, "n1")->count, 3);
	}
	/* 9 = answer - 1: limited */
	load(cluster, PODIN("", CTR("'cpu':'100m','memory':'500Mi'")));
	run(HR_CAPACITY_AUTO, 9);
	assert_int_equal(F.r.count, 9);
	assert_true(F.r.limited);
	/* 10 = the answer: copy 11 does not fit, so it is exact and explained */
	for (int mode = 0; mode < 2; mode++) {
		load(cluster, PODIN("", CTR("'cpu':'100m','memory':'500Mi'")));
		run(mode == 0 ? HR_CAPACITY_AUTO : HR_CAPACITY_LOOP, 10);
		assert_false(F.r.limited);
		expect_count(10, "0/1 nodes are available: 1 Insufficient cpu.");
	}
	/* 11 > the answer: not limited */
	load(cluster, PODIN("", CTR("'cpu':'100m','memory':'500Mi'")));
	run(HR_CAPACITY_AUTO, 11);
	assert_false(F.r.limited);
	expect_count(10, "0/1 nodes are available: 1 Insufficient cpu.");
	free(cluster);
	/* across nodes: the limit is global */
	load(MULTI_CLUSTER, PODIN("", CTR("'cpu':'500m','memory':'1Gi'")));
	run(HR_CAPACITY_AUTO, 5);
	assert_int_equal(F.r.count, 5);
	assert_true(F.r.limited);
	int64_t sum = 0;
	for (size_t k = 0; k < F.r.n_nodes; k++)
		sum += F.r.nodes[k].count;
	assert_int_equal(sum, 5);
}

/* ---- property: fast path == placement loop ---------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int pick(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static bool chance(int percent)
{
	return pick(100) < percent;
}

static const char *choose(const char *const *v, size_t n)
{
	return v[pick((int)n)];
}
#define CHOOSE(arr) choose(arr, sizeof(arr) / sizeof(arr[0]))

/* Appends `'name':'value'` joined with commas. */
static void kv(struct hr_buf *b, bool *first, const char *name, const char *value)
{
	hr_buf_printf(b, "%s'%s':'%s'", *first ? "" : ",", name, value);
	*first = false;
}

static const char *const zones[] = {"a", "b", "c"};

static void gen_node(struct hr_buf *b, int i)
{
	static const char *const cpus[] = {"250m", "1", "2", "3500m", "4", "8"};
	static const char *const mems[] = {"512Mi", "1Gi", "4Gi", "16Gi", "64Gi"};
	static const char *const pods[] = {"3", "8", "20", "110"};
	static const char *const gpus[] = {"1", "2", "4"};
	static const char *const taints[] = {
	    "{'key':'dedicated','value':'gpu','effect':'NoSchedule'}",
	    "{'key':'spot','effect':'PreferNoSchedule'}",
	    "{'key':'node.kubernetes.io/unreachable','effect':'NoExecute'}",
	    "{'key':'node.kubernetes.io/not-ready','effect':'NoSchedule'}",
	    "{'key':'maint','value':'x','effect':'NoExecute'}",
	};
	hr_buf_printf(b, "{'kind':'Node','metadata':{'name':'n%02d','labels':{", i);
	bool first = true;
	char host[16];
	snprintf(host, sizeof(host), "n%02d", i);
	kv(b, &first, HOST, host);
	if (chance(80))
		kv(b, &first, "zone", CHOOSE(zones));
	if (chance(60))
		kv(b, &first, "disk", chance(50) ? "ssd" : "hdd");
	hr_buf_puts(b, "}},'spec':{");
	first = true;
	if (chance(7)) {
		hr_buf_puts(b, "'unschedulable':true");
		first = false;
	}
	if (chance(30)) {
		hr_buf_printf(b, "%s'taints':[%s", first ? "" : ",", CHOOSE(taints));
		if (chance(30))
			hr_buf_printf(b, ",%s", CHOOSE(taints));
		hr_buf_puts(b, "]");
	}
	hr_buf_puts(b, "},'status':{'allocatable':{");
	first = true;
	if (chance(97))
		kv(b, &first, "cpu", chance(3) ? "0" : CHOOSE(cpus));
	if (chance(97))
		kv(b, &first, "memory", CHOOSE(mems));
	if (chance(97))
		kv(b, &first, "pods", chance(3) ? "0" : CHOOSE(pods));
	if (chance(60))
		kv(b, &first, "ephemeral-storage", chance(50) ? "10Gi" : "1Gi");
	if (chance(30))
		kv(b, &first, "example.com/gpu", CHOOSE(gpus));
	if (chance(15))
		kv(b, &first, "hugepages-2Mi", "8Mi");
	hr_buf_puts(b, "}}}");
}

static const char *const host_ports[] = {
    "{'containerPort':80,'hostPort':80}",
    "{'containerPort':80,'hostPort':80,'protocol':'UDP'}",
    "{'containerPort':443,'hostPort':443,'hostIP':'127.0.0.1'}",
    "{'containerPort':8080,'hostPort':8080,'hostIP':'::'}",
    "{'containerPort':9090,'hostPort':9090,'protocol':'TCP','hostIP':'0.0.0.0'}",
};

/* requests (and limits for non-overcommittable resources) of one container */
static void gen_resources(struct hr_buf *b, bool incoming)
{
	static const char *const cpus[] = {"50m", "100m", "250m", "333m", "1"};
	static const char *const mems[] = {"64Mi", "128Mi", "300Mi", "1Gi"};
	hr_buf_puts(b, "'resources':{'requests':{");
	bool first = true;
	if (chance(75))
		kv(b, &first, "cpu", CHOOSE(cpus));
	if (chance(65))
		kv(b, &first, "memory", CHOOSE(mems));
	if (chance(8))
		kv(b, &first, "ephemeral-storage", "1Gi");
	if (!incoming && chance(10))
		kv(b, &first, "example.com/gpu", "1");
	hr_buf_puts(b, "}");
	if (incoming) {
		first = true;
		hr_buf_puts(b, ",'limits':{");
		if (chance(10))
			kv(b, &first, "example.com/gpu", "1");
		if (chance(4))
			kv(b, &first, "hugepages-2Mi", "2Mi");
		hr_buf_puts(b, "}");
	}
	hr_buf_puts(b, "}");
}

static void gen_container(struct hr_buf *b, const char *name, bool incoming, bool sidecar,
                          int port_percent)
{
	hr_buf_printf(b, "{'name':'%s',", name);
	if (sidecar)
		hr_buf_puts(b, "'restartPolicy':'Always',");
	gen_resources(b, incoming);
	if (chance(port_percent)) {
		hr_buf_printf(b, ",'ports':[%s", CHOOSE(host_ports));
		if (chance(20))
			hr_buf_printf(b, ",%s", CHOOSE(host_ports));
		hr_buf_puts(b, "]");
	}
	hr_buf_puts(b, "}");
}

static void gen_init_containers(struct hr_buf *b, bool incoming, int port_percent)
{
	if (!chance(25))
		return;
	hr_buf_puts(b, ",'initContainers':[");
	int n = 1 + pick(2);
	for (int i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "i%d", i);
		if (i)
			hr_buf_puts(b, ",");
		gen_container(b, name, incoming, chance(50), port_percent);
	}
	hr_buf_puts(b, "]");
}

static void gen_existing_pod(struct hr_buf *b, int i, int n_nodes)
{
	hr_buf_printf(b,
	              "{'kind':'Pod','metadata':{'name':'e%d','namespace':'default','labels':{'app'"
	              ":'%s'}},'spec':{",
	              i, chance(30) ? "x" : "y");
	/* existing pods' anti-affinity repels the incoming pod (app=x) without coupling it */
	if (chance(8))
		hr_buf_printf(b,
		              "'affinity':{'podAntiAffinity':{'"
		              "requiredDuringSchedulingIgnoredDuringExecution':[{'labelSelector':{'"
		              "matchLabels':{'app':'x'}},'topologyKey':'%s'}]}},",
		              chance(50) ? "zone" : HOST);
	int where = pick(100);
	if (where < 80)
		hr_buf_printf(b, "'nodeName':'n%02d',", pick(n_nodes));
	else if (where < 85)
		hr_buf_puts(b, "'nodeName':'ghost',");
	hr_buf_puts(b, "'containers':[");
	gen_container(b, "c", false, false, 15);
	hr_buf_puts(b, "]");
	gen_init_containers(b, false, 15);
	hr_buf_printf(b, "},'status':{'phase':'%s'}}", chance(90) ? "Running" : "Succeeded");
}

static void gen_incoming_pod(struct hr_buf *b, int n_nodes)
{
	static const char *const tolerations[] = {
	    "{'key':'dedicated','operator':'Exists'}",
	    "{'key':'maint','operator':'Equal','value':'x','effect':'NoExecute'}",
	    "{'key':'node.kubernetes.io/not-ready','operator':'Exists','effect':'NoSchedule'}",
	    "{'key':'spot','operator':'Exists','effect':'PreferNoSchedule'}",
	    "{'key':'dedicated','operator':'Equal','value':'cpu'}",
	};
	static const char *const affinities[] = {
	    "{'matchExpressions':[{'key':'zone','operator':'In','values':['a','b']}]}",
	    "{'matchExpressions':[{'key':'disk','operator':'NotIn','values':['hdd']}]}",
	    "{'matchExpressions':[{'key':'zone','operator':'Exists'}]},{'matchExpressions':[{'key':"
	    "'disk','operator':'In','values':['ssd']}]}",
	    "{'matchFields':[{'key':'metadata.name','operator':'In','values':['n00']}]},{'"
	    "matchFields':[{'key':'metadata.name','operator':'In','values':['n02']}]}",
	    "{'matchFields':[{'key':'metadata.name','operator':'In','values':['n01']}],'"
	    "matchExpressions':[{'key':'zone','operator':'DoesNotExist'}]}",
	};
	hr_buf_puts(b, "{'kind':'Pod','metadata':{'name':'incoming','namespace':'default','labels':"
	               "{'app':'x'}},'spec':{'containers':[");
	int n = 1 + pick(2);
	for (int i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "c%d", i);
		if (i)
			hr_buf_puts(b, ",");
		gen_container(b, name, true, false, 20);
	}
	hr_buf_puts(b, "]");
	gen_init_containers(b, true, 10);
	if (chance(5))
		hr_buf_puts(b, ",'hostNetwork':true");
	if (chance(10))
		hr_buf_puts(b, ",'runtimeClassName':'kata'");
	if (chance(3))
		hr_buf_printf(b, ",'nodeName':'n%02d'", pick(n_nodes));
	if (chance(40)) {
		hr_buf_printf(b, ",'tolerations':[%s", CHOOSE(tolerations));
		if (chance(30))
			hr_buf_printf(b, ",%s", CHOOSE(tolerations));
		if (chance(5))
			hr_buf_puts(b, ",{'operator':'Exists'}");
		hr_buf_puts(b, "]");
	}
	if (chance(15))
		hr_buf_printf(b, ",'nodeSelector':{'%s':'%s'}", chance(50) ? "zone" : "disk",
		              chance(50) ? CHOOSE(zones) : "ssd");
	bool node_aff = chance(20), pref = chance(20);
	if (node_aff || pref) {
		hr_buf_puts(b, ",'affinity':{'nodeAffinity':{");
		if (node_aff)
			hr_buf_printf(b,
			              "'requiredDuringSchedulingIgnoredDuringExecution':{'"
			              "nodeSelectorTerms':[%s]}",
			              CHOOSE(affinities));
		if (pref)
			hr_buf_printf(b,
			              "%s'preferredDuringSchedulingIgnoredDuringExecution':[{'"
			              "weight':%d,'preference':{'matchExpressions':[{'key':'zone','"
			              "operator':'In','values':['%s']}]}}]",
			              node_aff ? "," : "", 1 + pick(100), CHOOSE(zones));
		hr_buf_puts(b, "}");
		if (chance(30))
			hr_buf_puts(
			    b,
			    ",'podAntiAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':"
			    "[{'weight':50,'podAffinityTerm':{'labelSelector':{'matchLabels':{'app'"
			    ":'x'}},'topologyKey':'zone'}}]}");
		hr_buf_puts(b, "}");
	}
	if (chance(10))
		hr_buf_puts(b, ",'topologySpreadConstraints':[{'maxSkew':1,'topologyKey':'zone','"
		               "whenUnsatisfiable':'ScheduleAnyway','labelSelector':{'matchLabels':"
		               "{'app':'x'}}}]");
	hr_buf_puts(b, "}}");
}

static char *take(struct hr_buf *b)
{
	assert_true(hr_buf_ok(b));
	char *out = dequote(b->p, b->len);
	hr_buf_fini(b);
	return out;
}

struct prop_stats {
	int cases, fitting, empty, many, with_ports, prefilter, limited_nodes;
};

static void compare_results(const struct hr_capacity_result *fast,
                            const struct hr_capacity_result *loop, const struct hr_pod *pod,
                            int case_no, const char *cluster, const char *pod_json)
{
	bool same = fast->count == loop->count && fast->n_nodes == loop->n_nodes &&
	            !fast->limited && !loop->limited && !fast->coupled &&
	            fast->prefilter_rejected == loop->prefilter_rejected &&
	            strcmp(fast->message, loop->message) == 0;
	size_t bad_node = SIZE_MAX;
	for (size_t k = 0; same && k < fast->n_nodes; k++) {
		const struct hr_capacity_node *a = &fast->nodes[k], *b = &loop->nodes[k];
		struct hr_buf ta, tb;
		hr_buf_init(&ta, 4096);
		hr_buf_init(&tb, 4096);
		hr_status_text(&a->status, pod, &ta);
		hr_status_text(&b->status, pod, &tb);
		bool eq = a->info == b->info && a->count == b->count &&
		          a->status.code == b->status.code &&
		          a->status.plugin == b->status.plugin &&
		          a->status.reasons == b->status.reasons &&
		          a->status.scalar_bits == b->status.scalar_bits &&
		          strcmp(ta.p ? ta.p : "", tb.p ? tb.p : "") == 0;
		hr_buf_fini(&ta);
		hr_buf_fini(&tb);
		if (!eq) {
			same = false;
			bad_node = k;
		}
	}
	if (same)
		return;
	fprintf(stderr, "case %d: fast path and loop differ\n  cluster: %s\n  pod: %s\n", case_no,
	        cluster, pod_json);
	fprintf(stderr, "  fast: count %" PRId64 " limited %d coupled %d message \"%s\"\n",
	        fast->count, fast->limited, fast->coupled, fast->message);
	fprintf(stderr, "  loop: count %" PRId64 " limited %d message \"%s\"\n", loop->count,
	        loop->limited, loop->message);
	for (size_t k = 0; k < fast->n_nodes && k < loop->n_nodes; k++)
		fprintf(stderr,
		        "  %s node %.*s: fast %" PRId64 " (code %d reasons %#x), loop %" PRId64
		        " (code %d reasons %#x)\n",
		        k == bad_node ? "*" : " ", (int)fast->nodes[k].info->node->name.n,
		        fast->nodes[k].info->node->name.p, fast->nodes[k].count,
		        (int)fast->nodes[k].status.code, fast->nodes[k].status.reasons,
		        loop->nodes[k].count, (int)loop->nodes[k].status.code,
		        loop->nodes[k].status.reasons);
	fail_msg("case %d: fast path and placement loop disagree", case_no);
}

/* ---- property: placement by domain == plain placement loop -------------------------- */

/* A pod whose copies interact: anti-affinity and/or DoNotSchedule spread,
 * usually on one key (so placement.h takes it), sometimes not. */
static void gen_coupled_pod(struct hr_buf *b)
{
	static const char *const cpus[] = {"50m", "100m", "250m", "500m"};
	static const char *const tolerations[] = {
	    "{'key':'dedicated','operator':'Exists'}",
	    "{'key':'spot','operator':'Exists','effect':'PreferNoSchedule'}",
	    "{'operator':'Exists'}",
	};
	const char *key = chance(50) ? "zone" : HOST;
	const char *other = key[0] == 'z' ? HOST : "zone";
	bool anti = chance(50), spread = !anti || chance(40);
	hr_buf_printf(b,
	              "{'kind':'Pod','metadata':{'name':'incoming','namespace':'default','labels':"
	              "{'app':'x'}},'spec':{'containers':[{'name':'c','resources':{'requests':"
	              "{'cpu':'%s','memory':'64Mi'}}}]",
	              CHOOSE(cpus));
	if (chance(30))
		hr_buf_printf(b, ",'tolerations':[%s]", CHOOSE(tolerations));
	if (chance(10))
		hr_buf_printf(b, ",'nodeSelector':{'zone':'%s'}", CHOOSE(zones));
	if (anti || chance(10)) {
		hr_buf_puts(b, ",'affinity':{");
		if (anti)
			hr_buf_printf(
			    b,
			    "'podAntiAffinity':{'requiredDuringSchedulingIgnoredDuringExecution'"
			    ":[{'labelSelector':{'matchLabels':{'app':'%s'}},'topologyKey':'%s'}"
			    "]}",
			    chance(85) ? "x" : "y", chance(90) ? key : other);
		if (!anti || chance(10)) /* preferred terms: scores no longer node-local */
			hr_buf_printf(
			    b,
			    "%s'nodeAffinity':{'preferredDuringSchedulingIgnoredDuringExecution'"
			    ":[{'weight':%d,'preference':{'matchExpressions':[{'key':'disk',"
			    "'operator':'In','values':['ssd']}]}}]}",
			    anti ? "," : "", 1 + pick(100));
		hr_buf_puts(b, "}");
	}
	if (spread) {
		hr_buf_printf(b,
		              ",'topologySpreadConstraints':[{'maxSkew':%d,'topologyKey':'%s',"
		              "'whenUnsatisfiable':'DoNotSchedule','labelSelector':{'matchLabels':"
		              "{'app':'%s'}}%s%s}",
		              1 + pick(3), key, chance(85) ? "x" : "y",
		              chance(15) ? ",'minDomains':4" : "",
		              chance(15) ? ",'nodeTaintsPolicy':'Honor'" : "");
		if (chance(10))
			hr_buf_printf(b,
			              ",{'maxSkew':1,'topologyKey':'%s','whenUnsatisfiable':'%s',"
			              "'labelSelector':{'matchLabels':{'app':'x'}}}",
			              chance(50) ? other : key,
			              chance(50) ? "DoNotSchedule" : "ScheduleAnyway");
		hr_buf_puts(b, "]");
	}
	hr_buf_puts(b, "}}");
}

static void compare_placements(const struct hr_capacity_result *a,
                               const struct hr_capacity_result *b, int case_no, const char *cluster,
                               const char *pod_json)
{
	bool same = a->count == b->count && a->n_nodes == b->n_nodes && a->limited == b->limited &&
	            a->coupled && b->coupled && a->exact == b->exact &&
	            a->count_other == b->count_other && a->iterations == b->iterations &&
	            strcmp(a->message, b->message) == 0;
	for (size_t k = 0; same && k < a->n_nodes; k++) {
		const struct hr_capacity_node *x = &a->nodes[k], *y = &b->nodes[k];
		same = x->count == y->count && x->status.code == y->status.code &&
		       x->status.plugin == y->status.plugin &&
		       x->status.reasons == y->status.reasons &&
		       x->status.taint == y->status.taint &&
		       x->status.scalar_bits == y->status.scalar_bits;
	}
	if (same)
		return;
	fprintf(stderr, "case %d: by-domain and plain loop differ\n  cluster: %s\n  pod: %s\n",
	        case_no, cluster, pod_json);
	fprintf(stderr, "  by domain: count %" PRId64 " exact %d other %" PRId64 " \"%s\"\n",
	        a->count, a->exact, a->count_other, a->message);
	fprintf(stderr, "  plain:     count %" PRId64 " exact %d other %" PRId64 " \"%s\"\n",
	        b->count, b->exact, b->count_other, b->message);
	for (size_t k = 0; k < a->n_nodes && k < b->n_nodes; k++)
		fprintf(stderr,
		        "  node %.*s: %" PRId64 " (code %d reasons %#x) vs %" PRId64
		        " (code %d reasons %#x)\n",
		        (int)a->nodes[k].info->node->name.n, a->nodes[k].info->node->name.p,
		        a->nodes[k].count, (int)a->nodes[k].status.code, a->nodes[k].status.reasons,
		        b->nodes[k].count, (int)b->nodes[k].status.code,
		        b->nodes[k].status.reasons);
	fail_msg("case %d: placement by domain and the plain loop disagree", case_no);
}

static void test_property_by_domain_equals_plain_loop(void **state)
{
	(void)state;
	rng_state = 20261203;
	int cases = 600, by_domain = 0, many = 0, inexact = 0;
	for (int c = 0; c < cases; c++) {
		struct hr_buf cb, pb;
		hr_buf_init(&cb, 1 << 22);
		hr_buf_init(&pb, 1 << 20);
		bool big = c % 40 == 0; /* many copies, many ties, moving spread minimums */
		int n_nodes = big ? 60 + pick(60) : 1 + pick(14);
		hr_buf_puts(&cb, "{'kind':'List','items':[");
		for (int i = 0; i < n_nodes; i++) {
			if (i)
				hr_buf_puts(&cb, ",");
			gen_node(&cb, i);
		}
		int n_pods = big ? pick(200) : pick(20);
		for (int i = 0; i < n_pods; i++) {
			hr_buf_puts(&cb, ",");
			gen_existing_pod(&cb, i, n_nodes);
		}
		hr_buf_puts(&cb, "]}");
		gen_coupled_pod(&pb);
		char *cluster = take(&cb);
		char *pod_json = take(&pb);

		struct hr_arena arena;
		struct hr_err err;
		hr_arena_init(&arena, NULL, 0);
		hr_err_clear(&err);
		cJSON *cdoc = cJSON_Parse(cluster), *pdoc = cJSON_Parse(pod_json);
		assert_non_null(cdoc);
		assert_non_null(pdoc);
		const struct hr_snapshot *snap = NULL;
		struct hr_pod *pod = NULL;
		enum hr_code rc = hr_snapshot_from_json(cdoc, &arena, &snap, &err);
		if (rc == HR_OK)
			rc = hr_incoming_pod(pdoc, snap, true, NULL, &arena, &pod, NULL, &err);
		cJSON_Delete(cdoc);
		cJSON_Delete(pdoc);
		if (rc != HR_OK)
			fail_msg("case %d: %s\n%s\n%s", c, err.msg, cluster, pod_json);
		assert_true(hr_pod_is_coupled(pod, snap));
		struct hr_capacity_result a, b;
		struct hr_capacity_opts domain_opts = {.mode = HR_CAPACITY_LOOP};
		struct hr_capacity_opts plain_opts = {.mode = HR_CAPACITY_PLAIN_LOOP};
		assert_int_equal(hr_capacity(snap, pod, &domain_opts, &arena, &a, &err), HR_OK);
		assert_int_equal(hr_capacity(snap, pod, &plain_opts, &arena, &b, &err), HR_OK);
		assert_false(b.by_domain);
		if (!a.prefilter_rejected)
			compare_placements(&a, &b, c, cluster, pod_json);
		by_domain += a.by_domain;
		many += a.by_domain && a.count >= 10;
		inexact += !a.exact;
		hr_arena_fini(&arena);
		free(cluster);
		free(pod_json);
	}
	print_message("by domain: %d of %d cases placed by domain, %d of them >= 10 copies, %d "
	              "inexact\n",
	              by_domain, cases, many, inexact);
	assert_true(by_domain >= cases / 3);
	assert_true(many >= 30);
}

static void test_property_fast_path_equals_loop(void **state)
{
	(void)state;
	struct prop_stats stats = {0};
	rng_state = 20240601;
	const int cases = 500;
	for (int c = 0; c < cases; c++) {
		struct hr_buf cb, pb;
		hr_buf_init(&cb, 1 << 22);
		hr_buf_init(&pb, 1 << 20);
		int n_nodes = 1 + pick(10);
		hr_buf_puts(&cb, "{'kind':'List','items':[");
		for (int i = 0; i < n_nodes; i++) {
			if (i)
				hr_buf_puts(&cb, ",");
			gen_node(&cb, i);
		}
		/* a RuntimeClass with overhead, for pods that name it */
		hr_buf_puts(&cb, ",{'kind':'RuntimeClass','metadata':{'name':'kata'},'handler':'"
		                 "kata','overhead':{'podFixed':{'cpu':'25m','memory':'16Mi'}}}");
		int n_pods = pick(25);
		for (int i = 0; i < n_pods; i++) {
			hr_buf_puts(&cb, ",");
			gen_existing_pod(&cb, i, n_nodes);
		}
		hr_buf_puts(&cb, "]}");
		gen_incoming_pod(&pb, n_nodes);
		char *cluster = take(&cb);
		char *pod_json = take(&pb);

		struct hr_arena arena;
		struct hr_err err;
		hr_arena_init(&arena, NULL, 0);
		hr_err_clear(&err);
		cJSON *cdoc = cJSON_Parse(cluster), *pdoc = cJSON_Parse(pod_json);
		if (!cdoc || !pdoc)
			fail_msg("case %d: generated JSON does not parse:\n%s\n%s", c, cluster,
			         pod_json);
		const struct hr_snapshot *snap = NULL;
		struct hr_pod *pod = NULL;
		enum hr_code rc = hr_snapshot_from_json(cdoc, &arena, &snap, &err);
		if (rc == HR_OK)
			rc = hr_incoming_pod(pdoc, snap, true, NULL, &arena, &pod, NULL, &err);
		cJSON_Delete(cdoc);
		cJSON_Delete(pdoc);
		if (rc != HR_OK) {
			char msg[512];
			hr_err_format(&err, msg, sizeof(msg));
			fprintf(stderr, "%s\n%s\n", cluster, pod_json);
			hr_arena_fini(&arena);
			free(cluster);
			free(pod_json);
			fail_msg("case %d: %s", c, msg);
		}
		assert_false(hr_pod_is_coupled(pod, snap));

		struct hr_capacity_result fast, loop;
		struct hr_capacity_opts auto_opts = {.mode = HR_CAPACITY_AUTO};
		struct hr_capacity_opts loop_opts = {.mode = HR_CAPACITY_LOOP};
		assert_int_equal(hr_capacity(snap, pod, &auto_opts, &arena, &fast, &err), HR_OK);
		assert_int_equal(hr_capacity(snap, pod, &loop_opts, &arena, &loop, &err), HR_OK);
		assert_int_equal(fast.iterations, 0);
		assert_int_equal(loop.iterations, loop.count);
		compare_results(&fast, &loop, pod, c, cluster, pod_json);

		/* the per-node counts add up, and a node's count is 0 whenever it fails a
		 * plugin other than NodePorts/NodeResourcesFit */
		int64_t sum = 0;
		for (size_t k = 0; k < fast.n_nodes; k++) {
			sum += fast.nodes[k].count;
			enum hr_plugin p = fast.nodes[k].status.plugin;
			if (p != HR_PLUGIN_NODE_PORTS && p != HR_PLUGIN_NODE_RESOURCES_FIT)
				assert_int_equal(fast.nodes[k].count, 0);
			assert_int_not_equal(fast.nodes[k].status.code, HR_STATUS_SUCCESS);
		}
		assert_int_equal(sum, fast.count);

		stats.cases++;
		stats.fitting += fast.count > 0;
		stats.empty += fast.count == 0;
		/* PROP_DEBUG=1 prints the messages of the cases that fit nothing (tuning aid) */
		if (getenv("PROP_DEBUG") && fast.count == 0)
			fprintf(stderr, "%s\n", fast.message);
		stats.many += fast.count >= 20;
		stats.with_ports += pod->n_host_ports > 0;
		stats.prefilter += fast.prefilter_rejected;
		hr_arena_fini(&arena);
		free(cluster);
		free(pod_json);
	}
	/* the generator must exercise both outcomes, big counts and host ports */
	print_message("property: %d cases, %d fit some copies, %d fit none, %d fit >= 20, %d with "
	              "host ports\n",
	              stats.cases, stats.fitting, stats.empty, stats.many, stats.with_ports);
	assert_true(stats.fitting >= 60);
	assert_true(stats.empty >= 30);
	assert_true(stats.many >= 15);
	assert_true(stats.with_ports >= 20);
}

#define T(f) cmocka_unit_test_teardown(f, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_thirty_pods_leave_room_for_ten),
	    T(test_multi_node_counts_and_reasons),
	    T(test_snapshot_is_not_written),
	    T(test_extended_resources_and_slots),
	    T(test_host_port_pods_one_per_node),
	    T(test_anti_affinity_hostname_one_per_eligible_node),
	    T(test_anti_affinity_zone_one_per_zone),
	    T(test_spread_max_skew_uneven_zones),
	    T(test_prefilter_rejection),
	    T(test_prefilter_node_set_in_message),
	    T(test_zero_nodes),
	    T(test_max_copies),
	    T(test_property_fast_path_equals_loop),
	    T(test_property_by_domain_equals_plain_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
