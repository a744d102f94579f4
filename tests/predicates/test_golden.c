/* test_golden.c: capacity on real, sanitized cluster snapshots
 * (tests/fixtures/real-clusters, examples/clusters; see their SOURCES), with
 * counts derived by hand from the objects. Each test says how.
 *
 * Quantities used below: 1471840Ki = 1437.34Mi, 15258956Ki = 14901.32Mi,
 * 7002280Ki = 6838.16Mi, 31127824Ki = 30398.27Mi, 14238280Ki = 13904.57Mi. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "incoming.h"
#include "snapshot.h"
#include "support.h"

#define LAB "tests/fixtures/real-clusters/openshift-lab-2node/"
#define ARM "tests/fixtures/real-clusters/eks-arm64-tainted-2node/"
#define GCP "tests/fixtures/real-clusters/openshift-gcp-6node/"
#define EKS "examples/clusters/eks-2node-t3small.json"

struct golden {
	struct hr_arena arena;
	const struct hr_snapshot *snap;
	struct hr_capacity_result r;
};

static void add_file(struct hr_snap_builder *b, const char *path)
{
	size_t len;
	char *text = hr_test_read_file(path, &len);
	cJSON *doc = cJSON_ParseWithLength(text, len);
	assert_non_null(doc);
	assert_int_equal(hr_snap_builder_add_document(b, doc), HR_OK);
	cJSON_Delete(doc);
	free(text);
}

/* Builds the snapshot from NULL-terminated files and answers for pod_json. */
static void answer(struct golden *g, const char *pod_json, ...)
{
	struct hr_err err;
	struct hr_snap_builder b;
	hr_err_clear(&err);
	hr_arena_init(&g->arena, NULL, 0);
	hr_snap_builder_init(&b, &g->arena, &err);
	va_list ap;
	va_start(ap, pod_json);
	for (const char *f; (f = va_arg(ap, const char *));)
		add_file(&b, f);
	va_end(ap);
	assert_int_equal(hr_snap_builder_finish(&b, &g->snap), HR_OK);
	hr_snap_builder_fini(&b);
	cJSON *pj = cJSON_Parse(pod_json);
	assert_non_null(pj);
	struct hr_pod *pod;
	if (hr_incoming_pod(pj, g->snap, true, NULL, &g->arena, &pod, NULL, &err) != HR_OK)
		fail_msg("%s: %s", err.where, err.msg);
	cJSON_Delete(pj);
	struct hr_capacity_opts opts = {0};
	assert_int_equal(hr_capacity(g->snap, pod, &opts, &g->arena, &g->r, &err), HR_OK);
}

static int64_t on_node(const struct golden *g, const char *name)
{
	for (size_t k = 0; k < g->r.n_nodes; k++)
		if (hr_str_eq_c(g->r.nodes[k].info->node->name, name))
			return g->r.nodes[k].count;
	fail_msg("no node %s", name);
	return -1;
}

#define PROBE(extra)                                                                               \
	"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"probe\",\"labels\":{\"app\":\"probe\"}},"      \
	"\"spec\":{" extra "\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":"        \
	"{\"requests\":{\"cpu\":\"100m\",\"memory\":\"100Mi\"}}}]}}"

/* EKS t3.small: pods 11. node-a runs aws-node (50m: its two containers; the
 * 25m init container is lower), 2 coredns (100m/70Mi each) and kube-proxy
 * (100m): 4 pods, 350m, 140Mi -> 7 slots (cpu 15, memory 12). node-b runs
 * aws-node and kube-proxy: 2 pods, 150m -> 9 slots (cpu 17, memory 14). */
static void test_eks_is_bound_by_pod_slots(void **state)
{
	(void)state;
	struct golden g;
	answer(&g, PROBE(""), EKS, NULL);
	assert_int_equal(g.r.count, 16);
	assert_int_equal(on_node(&g, "eks-node-a"), 7);
	assert_int_equal(on_node(&g, "eks-node-b"), 9);
	assert_string_equal(g.r.message, "0/2 nodes are available: 2 Too many pods.");
	hr_arena_fini(&g.arena);
}

/* One full cpu: node-a (1930 - 350) / 1000 = 1, node-b (1930 - 150) / 1000 = 1. */
static void test_eks_one_cpu_pods(void **state)
{
	(void)state;
	struct golden g;
	answer(
	    &g,
	    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"big\"},\"spec\":{\"containers\":[{\"name\":"
	    "\"c\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}",
	    EKS, NULL);
	assert_int_equal(g.r.count, 2);
	assert_string_equal(g.r.message, "0/2 nodes are available: 2 Insufficient cpu.");
	hr_arena_fini(&g.arena);
}

/* OpenShift lab: the master carries node-role.kubernetes.io/master:NoSchedule.
 * The worker runs 2 pods with 152m cpu and 2408Mi: (3500 - 152) / 100 = 33
 * copies (memory would allow (6838 - 2408) / 100 = 44, pods 248). Of the 4
 * foreign pods, 2 are Failed (hold nothing) and 2 are bound to nodes that are
 * not in the snapshot (ignored, counted); router-default is Pending, unbound. */
static void test_openshift_lab_worker_cpu_and_master_taint(void **state)
{
	(void)state;
	struct golden g;
	answer(&g, PROBE(""), LAB "nodes.json", LAB "pods.json", LAB "pods-foreign-nodes.json",
	       NULL);
	assert_int_equal(g.r.count, 33);
	assert_int_equal(on_node(&g, "lab-worker-0"), 33);
	assert_string_equal(
	    g.r.message, "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated "
	                 "taint {node-role.kubernetes.io/master: }.");
	assert_int_equal(g.snap->stats.pods_unknown_node, 2);
	assert_int_equal(g.snap->stats.pods_terminal, 2);
	assert_int_equal(g.snap->stats.pods_unbound, 1);
	assert_int_equal(g.snap->n_pods, 30);
	hr_arena_fini(&g.arena);
}

/* Tolerating everything ({"operator":"Exists"}) opens the master: 28 pods with
 * 896m and 3131Mi requested: (7500 - 896) / 100 = 66 (memory 117, pods 222),
 * plus the worker's 33: 99. */
static void test_openshift_lab_toleration_opens_the_master(void **state)
{
	(void)state;
	struct golden g;
	answer(&g, PROBE("\"tolerations\":[{\"operator\":\"Exists\"}],"), LAB "nodes.json",
	       LAB "pods.json", NULL);
	assert_int_equal(on_node(&g, "lab-master-0"), 66);
	assert_int_equal(g.r.count, 99);
	assert_string_equal(g.r.message, "0/2 nodes are available: 2 Insufficient cpu.");
	hr_arena_fini(&g.arena);
}

/* EKS arm64: both nodes tainted type=hound:NoSchedule. The 11 pods bound to
 * node 01 count even though they do not tolerate it (already bound). With the
 * toleration: node-01 has 58 - 11 = 47 slots (cpu (7910 - 450) / 100 = 74),
 * node-02 58 slots (cpu 79): 105, bound by pods on both. */
static void test_arm64_taint_then_toleration(void **state)
{
	(void)state;
	struct golden g;
	answer(&g, PROBE(""), ARM "nodes.json", ARM "pods.json", NULL);
	assert_int_equal(g.r.count, 0);
	assert_string_equal(
	    g.r.message, "0/2 nodes are available: 2 node(s) had untolerated taint {type: hound}.");
	hr_arena_fini(&g.arena);
	answer(&g,
	       PROBE("\"tolerations\":[{\"key\":\"type\",\"value\":\"hound\",\"effect\":"
	             "\"NoSchedule\"}],"),
	       ARM "nodes.json", ARM "pods.json", NULL);
	assert_int_equal(on_node(&g, "arm-node-01"), 47);
	assert_int_equal(on_node(&g, "arm-node-02"), 58);
	assert_int_equal(g.r.count, 105);
	assert_string_equal(g.r.message, "0/2 nodes are available: 2 Too many pods.");
	hr_arena_fini(&g.arena);
}

/* hostPort 80: node-01 runs the host-network nginx ingress controller on 80,
 * so no copy fits there; node-02 takes one copy, whose port then blocks a
 * second (NodePorts runs before NodeResourcesFit). */
static void test_arm64_host_port_conflicts(void **state)
{
	(void)state;
	struct golden g;
	answer(
	    &g,
	    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"tolerations\":[{\"key\":"
	    "\"type\",\"operator\":\"Exists\"}],\"containers\":[{\"name\":\"c\",\"ports\":[{"
	    "\"containerPort\":8080,\"hostPort\":80}]}]}}",
	    ARM "nodes.json", ARM "pods.json", NULL);
	assert_int_equal(on_node(&g, "arm-node-01"), 0);
	assert_int_equal(on_node(&g, "arm-node-02"), 1);
	assert_string_equal(g.r.message, "0/2 nodes are available: 2 node(s) didn't have free "
	                                 "ports for the requested pod ports.");
	hr_arena_fini(&g.arena);
}

/* OpenShift on GCP, no pods: 3 tainted masters, one worker per zone with
 * 3500m: 35 copies of 100m each (memory 139, pods 250) -> 105. */
static void test_gcp_workers_by_cpu(void **state)
{
	(void)state;
	struct golden g;
	answer(&g, PROBE(""), GCP "nodes.json", NULL);
	assert_int_equal(g.r.count, 105);
	assert_string_equal(
	    g.r.message, "0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated "
	                 "taint {node-role.kubernetes.io/master: }.");
	hr_arena_fini(&g.arena);
}

/* Anti-affinity to its own label per zone: one copy per zone that has an
 * eligible node (the three workers), the masters are tainted: 3. */
static void test_gcp_zone_anti_affinity(void **state)
{
	(void)state;
	struct golden g;
	answer(&g,
	       PROBE("\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuring"
	             "Execution\":[{\"labelSelector\":{\"matchLabels\":{\"app\":\"probe\"}},"
	             "\"topologyKey\":\"topology.kubernetes.io/zone\"}]}},"),
	       GCP "nodes.json", NULL);
	assert_int_equal(g.r.count, 3);
	assert_true(g.r.coupled);
	for (size_t k = 3; k < 6; k++)
		assert_int_equal(g.r.nodes[k].count, 1);
	assert_string_equal(
	    g.r.message, "0/6 nodes are available: 3 node(s) didn't match pod anti-affinity rules, "
	                 "3 node(s) had untolerated taint {node-role.kubernetes.io/master: }.");
	hr_arena_fini(&g.arena);
}

/* Spread over zones with maxSkew 1 and 1-cpu copies: each worker holds 3
 * (3500m), zones stay level, so all 9 place. */
static void test_gcp_zone_spread(void **state)
{
	(void)state;
	struct golden g;
	answer(
	    &g,
	    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"s\",\"labels\":{\"app\":\"s\"}},\"spec\":{"
	    "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"topology.kubernetes"
	    ".io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":"
	    "{\"app\":\"s\"}}}],\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{"
	    "\"cpu\":"
	    "\"1\"}}}]}}",
	    GCP "nodes.json", NULL);
	assert_int_equal(g.r.count, 9);
	for (size_t k = 3; k < 6; k++)
		assert_int_equal(g.r.nodes[k].count, 3);
	hr_arena_fini(&g.arena);
}

static bool stop_after_four(void *ctx)
{
	int *calls = ctx;
	return ++*calls > 4;
}

/* A bound on the work: a should_stop that says stop after 4 placements
 * gives a partial answer flagged out of time, with no FitError message. */
static void test_capacity_stops_when_told(void **state)
{
	(void)state;
	struct golden g;
	answer(&g, PROBE(""), GCP "nodes.json", NULL); /* only for the snapshot */
	struct hr_err err;
	hr_err_clear(&err);
	cJSON *pj = cJSON_Parse(
	    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"s\",\"labels\":{\"app\":\"s\"}},"
	    "\"spec\":{\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":"
	    "\"topology.kubernetes.io/"
	    "zone\",\"whenUnsatisfiable\":\"DoNotSchedule\",\"labelSelector\":"
	    "{\"matchLabels\":{\"app\":\"s\"}}}],\"containers\":[{\"name\":\"c\",\"resources\":"
	    "{\"requests\":{\"cpu\":\"1\"}}}]}}");
	struct hr_pod *pod;
	assert_int_equal(hr_incoming_pod(pj, g.snap, true, NULL, &g.arena, &pod, NULL, &err),
	                 HR_OK);
	cJSON_Delete(pj);
	int calls = 0;
	struct hr_capacity_opts opts = {.should_stop = stop_after_four, .stop_ctx = &calls};
	struct hr_capacity_result r;
	assert_int_equal(hr_capacity(g.snap, pod, &opts, &g.arena, &r, &err), HR_OK);
	assert_int_equal(r.count, 4);
	assert_true(r.limited);
	assert_true(r.out_of_time);
	assert_string_equal(r.message, "");
	hr_arena_fini(&g.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eks_is_bound_by_pod_slots),
	    cmocka_unit_test(test_eks_one_cpu_pods),
	    cmocka_unit_test(test_openshift_lab_worker_cpu_and_master_taint),
	    cmocka_unit_test(test_openshift_lab_toleration_opens_the_master),
	    cmocka_unit_test(test_arm64_taint_then_toleration),
	    cmocka_unit_test(test_arm64_host_port_conflicts),
	    cmocka_unit_test(test_gcp_workers_by_cpu),
	    cmocka_unit_test(test_gcp_zone_anti_affinity),
	    cmocka_unit_test(test_gcp_zone_spread),
	    cmocka_unit_test(test_capacity_stops_when_told),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
