/* test_snapshot.c: building the snapshot (snapshot.h): which pods count on a
 * node, what a repeated object means, and the stats the answers report.
 * JSON is written with single quotes and converted before parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

#define NODE(name, cpu)                                                                            \
	"{'kind':'Node','metadata':{'name':'" name "'},'status':{'allocatable':{'cpu':'" cpu       \
	"','memory':'8Gi','pods':'110'}}}"
#define POD(ns, name, node, cpu, phase)                                                            \
	"{'kind':'Pod','metadata':{'name':'" name "','namespace':'" ns                             \
	"'},'spec':{'nodeName':'" node                                                             \
	"','containers':[{'name':'c','resources':{'requests':{'cpu':'" cpu                         \
	"'}}}]},'status':{'phase':'" phase "'}}"
#define NS(name, team)                                                                             \
	"{'kind':'Namespace','metadata':{'name':'" name "','labels':{'team':'" team "'}}}"

struct ctx {
	struct hr_arena arena;
	struct hr_err err;
	const struct hr_snapshot *snap;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	hr_arena_init(&c->arena, NULL, 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	hr_arena_fini(&c->arena);
	free(c);
	return 0;
}

/* Builds the snapshot from a List of the items (single-quoted JSON texts,
 * then NULL). */
static void build(struct ctx *c, const char *item, ...)
{
	char text[8192];
	size_t n =
	    (size_t)snprintf(text, sizeof(text), "{'kind':'List','apiVersion':'v1','items':[");
	va_list ap;
	va_start(ap, item);
	size_t i = 0; /* not it == item: equal literals may share one address */
	for (const char *it = item; it; it = va_arg(ap, const char *))
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i++ ? "," : "", it);
	va_end(ap);
	snprintf(text + n, sizeof(text) - n, "]}");
	assert_true(n + 2 < sizeof(text));
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	cJSON *doc = cJSON_Parse(text);
	if (!doc)
		fail_msg("test JSON does not parse: %s", text);
	enum hr_code rc = hr_snapshot_from_json(doc, &c->arena, &c->snap, &c->err);
	cJSON_Delete(doc);
	if (rc != HR_OK)
		fail_msg("snapshot refused: %s: %s", c->err.where, c->err.msg);
}

static void test_snapshot_counts_bound_running_pods_only(void **state)
{
	struct ctx *c = *state;
	build(c, NODE("a", "4"), POD("default", "run", "a", "1", "Running"),
	      POD("default", "done", "a", "1", "Succeeded"),
	      POD("default", "failed", "a", "1", "Failed"),
	      POD("default", "pending", "", "1", "Pending"),
	      POD("default", "lost", "gone", "1", "Running"), NULL, NULL);
	assert_int_equal(c->snap->n_nodes, 1);
	assert_int_equal(c->snap->n_pods, 1);
	assert_int_equal(c->snap->nodes[0].requested.cpu_milli, 1000);
	assert_int_equal(c->snap->stats.pods_total, 5);
	assert_int_equal(c->snap->stats.pods_terminal, 2);
	assert_int_equal(c->snap->stats.pods_unbound, 1);
	assert_int_equal(c->snap->stats.pods_unknown_node, 1);
	assert_int_equal(c->snap->stats.pods_duplicate, 0);
}

static void test_snapshot_repeated_pod_counts_once_as_its_later_object(void **state)
{
	struct ctx *c = *state;
	/* the same dump passed twice, then default/web again with 300m: node a
	 * holds web (300m, the later object) + db (500m) = 800m, not 1,300m */
	build(c, NODE("a", "4"), POD("default", "web", "a", "100m", "Running"),
	      POD("default", "db", "a", "500m", "Running"), NODE("a", "4"),
	      POD("default", "web", "a", "100m", "Running"),
	      POD("default", "db", "a", "500m", "Running"),
	      POD("default", "web", "a", "300m", "Running"), NULL);
	assert_int_equal(c->snap->n_pods, 2);
	assert_int_equal(c->snap->nodes[0].n_pods, 2);
	assert_int_equal(c->snap->nodes[0].requested.cpu_milli, 800);
	assert_int_equal(c->snap->stats.pods_duplicate, 3);
	assert_int_equal(c->snap->stats.nodes_duplicate, 1);
}

static void test_snapshot_same_name_in_two_namespaces_is_two_pods(void **state)
{
	struct ctx *c = *state;
	build(c, NODE("a", "4"), POD("shop", "web", "a", "100m", "Running"),
	      POD("blog", "web", "a", "200m", "Running"), NULL, NULL);
	assert_int_equal(c->snap->n_pods, 2);
	assert_int_equal(c->snap->nodes[0].requested.cpu_milli, 300);
	assert_int_equal(c->snap->stats.pods_duplicate, 0);
}

static void test_snapshot_repeated_pod_that_turned_terminal_frees_its_room(void **state)
{
	struct ctx *c = *state;
	/* a later object of the same pod says Succeeded: it no longer counts */
	build(c, NODE("a", "4"), POD("default", "job", "a", "2", "Running"),
	      POD("default", "job", "a", "2", "Succeeded"), NULL, NULL);
	assert_int_equal(c->snap->n_pods, 0);
	assert_int_equal(c->snap->nodes[0].requested.cpu_milli, 0);
}

static void test_snapshot_repeated_node_later_object_wins_in_input_order(void **state)
{
	struct ctx *c = *state;
	/* many copies of one name: qsort alone is not stable, so the last one in
	 * the input must still be the one kept */
	build(c, NODE("b", "1"), NODE("a", "1"), NODE("a", "2"), NODE("b", "2"), NODE("a", "3"),
	      NODE("a", "4"), NODE("b", "3"), NODE("a", "5"), NODE("a", "6"), NODE("a", "7"),
	      NODE("a", "8"), NODE("b", "9"), NULL);
	assert_int_equal(c->snap->n_nodes, 2);
	assert_true(hr_str_eq(c->snap->nodes[0].node->name, hr_str_c("a")));
	assert_int_equal(c->snap->nodes[0].node->allocatable.cpu_milli, 8000);
	assert_int_equal(c->snap->nodes[1].node->allocatable.cpu_milli, 9000);
	assert_int_equal(c->snap->stats.nodes_duplicate, 10);
	assert_ptr_equal(hr_snap_find_node(c->snap, hr_str_c("b")), &c->snap->nodes[1]);
}

static void test_snapshot_repeated_namespace_later_object_wins(void **state)
{
	struct ctx *c = *state;
	build(c, NS("shop", "one"), NS("blog", "x"), NS("shop", "two"), NS("shop", "three"), NULL);
	assert_int_equal(c->snap->n_namespaces, 2);
	const struct hr_namespace *ns = hr_snap_find_namespace(c->snap, hr_str_c("shop"));
	assert_non_null(ns);
	assert_int_equal(ns->labels.n, 1);
	assert_true(hr_str_eq(ns->labels.v[0].value, hr_str_c("three")));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_snapshot_counts_bound_running_pods_only),
	    T(test_snapshot_repeated_pod_counts_once_as_its_later_object),
	    T(test_snapshot_same_name_in_two_namespaces_is_two_pods),
	    T(test_snapshot_repeated_pod_that_turned_terminal_frees_its_room),
	    T(test_snapshot_repeated_node_later_object_wins_in_input_order),
	    T(test_snapshot_repeated_namespace_later_object_wins),
	};
	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
