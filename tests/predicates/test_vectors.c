/* test_vectors.c: agreement with the real kube-scheduler 1.34.1.
 *
 * Every tests/vectors/NAME.json case (copied from shared/vectors; see its
 * README) holds a cluster snapshot, a raw pod and what the real scheduler did
 * when asked to place copies of it one after another: how many fit, on which
 * nodes, and its FitError message. headroom's capacity must agree: count
 * equal (or one of counts_seen when the scheduler's own tie-breaking varied),
 * per-node counts equal for basic-* cases and for coupled-* cases marked
 * exact (the scheduler's placement did not depend on its random tie-breaking,
 * so headroom's scoring must put every copy where it did; for exact:false
 * only the count is held, to counts_seen), and the message equal up to the
 * PostFilter suffix, which capacity never produces. Each case is one test,
 * named after its file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "incoming.h"
#include "snapshot.h"
#include "support.h"

struct vector_case {
	char path[1024];
	char name[128];
};

/* "Unschedulable: <FitError>. no new claims ..." -> "<FitError>." */
static char *expected_message(const char *full)
{
	const char *m = full;
	if (strncmp(m, "Unschedulable: ", 15) == 0)
		m += 15;
	size_t n = strlen(m);
	const char *cuts[] = {". no new claims to deallocate", ". not found", ". preemption:"};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const char *c = strstr(m, cuts[i]);
		if (c && (size_t)(c - m) + 1 < n)
			n = (size_t)(c - m) + 1;
	}
	char *out = malloc(n + 1);
	memcpy(out, m, n);
	out[n] = '\0';
	return out;
}

static bool count_allowed(const cJSON *expected, int64_t count)
{
	const cJSON *exact = cJSON_GetObjectItemCaseSensitive(expected, "exact");
	const cJSON *seen = cJSON_GetObjectItemCaseSensitive(expected, "counts_seen");
	if (cJSON_IsFalse(exact) && cJSON_IsArray(seen)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, seen) if ((int64_t)it->valuedouble == count) return true;
		return false;
	}
	return (int64_t)cJSON_GetObjectItemCaseSensitive(expected, "count")->valuedouble == count;
}

static void check_per_node(const cJSON *per_node, const struct hr_capacity_result *r,
                           const char *name)
{
	for (size_t k = 0; k < r->n_nodes; k++) {
		const struct hr_node *node = r->nodes[k].info->node;
		char nm[256];
		snprintf(nm, sizeof(nm), "%.*s", (int)node->name.n, node->name.p);
		const cJSON *want = cJSON_GetObjectItemCaseSensitive(per_node, nm);
		int64_t w = want ? (int64_t)want->valuedouble : 0;
		if (w != r->nodes[k].count)
			fail_msg("%s: node %s got %lld copies, kube-scheduler placed %lld", name,
			         nm, (long long)r->nodes[k].count, (long long)w);
	}
}

static void run_vector(void **state)
{
	const struct vector_case *vc = *state;
	size_t len;
	char *text = hr_test_read_file(vc->path, &len);
	cJSON *doc = cJSON_ParseWithLength(text, len);
	assert_non_null(doc);
	const cJSON *expected = cJSON_GetObjectItemCaseSensitive(doc, "expected");

	struct hr_arena arena;
	struct hr_err err;
	hr_arena_init(&arena, NULL, 0);
	hr_err_clear(&err);
	const struct hr_snapshot *snap;
	struct hr_pod *pod;
	if (hr_snapshot_from_json(cJSON_GetObjectItemCaseSensitive(doc, "snapshot"), &arena, &snap,
	                          &err) != HR_OK ||
	    hr_incoming_pod(cJSON_GetObjectItemCaseSensitive(doc, "pod"), snap, true, NULL, &arena,
	                    &pod, NULL, &err) != HR_OK) {
		char msg[512];
		hr_err_format(&err, msg, sizeof(msg));
		fail_msg("%s: %s", vc->name, msg);
	}
	struct hr_capacity_opts opts = {0};
	struct hr_capacity_result r;
	assert_int_equal(hr_capacity(snap, pod, &opts, &arena, &r, &err), HR_OK);

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(expected, "exact")) && !r.exact)
		fail_msg("%s: kube-scheduler's count did not vary, but headroom says it could "
		         "(%lld or %lld)",
		         vc->name, (long long)r.count, (long long)r.count_other);
	if (!count_allowed(expected, r.count))
		fail_msg("%s: count %lld, kube-scheduler placed %d", vc->name, (long long)r.count,
		         (int)cJSON_GetObjectItemCaseSensitive(expected, "count")->valuedouble);
	if (strncmp(vc->name, "basic-", 6) == 0 ||
	    (strncmp(vc->name, "coupled-", 8) == 0 &&
	     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(expected, "exact"))))
		check_per_node(cJSON_GetObjectItemCaseSensitive(expected, "per_node"), &r,
		               vc->name);
	char *want =
	    expected_message(cJSON_GetObjectItemCaseSensitive(expected, "message")->valuestring);
	if (strcmp(want, r.message) != 0)
		fail_msg("%s: message\n  got:  %s\n  want: %s", vc->name, r.message, want);
	free(want);
	hr_arena_fini(&arena);
	cJSON_Delete(doc);
	free(text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct vector_case *)a)->name, ((const struct vector_case *)b)->name);
}

int main(void)
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/tests/vectors", hr_test_top());
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open %s\n", dir);
		return 1;
	}
	size_t cap = 512, n = 0;
	struct vector_case *cases = calloc(cap, sizeof(*cases));
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || n == cap)
			continue;
		snprintf(cases[n].path, sizeof(cases[n].path), "%s/%s", dir, e->d_name);
		snprintf(cases[n].name, sizeof(cases[n].name), "%.*s", (int)(len - 5), e->d_name);
		n++;
	}
	closedir(d);
	qsort(cases, n, sizeof(*cases), by_name);
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_vector;
		tests[i].initial_state = &cases[i];
	}
	int failed = _cmocka_run_group_tests("vectors", tests, n, NULL, NULL);
	free(tests);
	free(cases);
	return failed;
}
