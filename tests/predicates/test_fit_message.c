/* test_fit_message.c: kube-scheduler's FitError text (fit_message.h,
 * spec/predicates.md §5).
 *
 * Statuses are built by hand so each rule of the histogram is visible:
 * every reason of every failed node is counted, items "<count> <reason>" are
 * sorted byte-wise as whole strings ("10 X" before "2 Y"), joined ", ",
 * prefixed "0/N nodes are available: " and closed with ".". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_message.h"
#include "support.h"

static const struct hr_pod no_scalars_pod;

static struct hr_node_status st_bits(enum hr_status_code code, enum hr_plugin plugin,
                                     uint32_t reasons)
{
	struct hr_node_status st;
	memset(&st, 0, sizeof(st));
	st.code = code;
	st.plugin = plugin;
	st.reasons = reasons;
	return st;
}

static struct hr_node_status fit(uint32_t reasons)
{
	return st_bits(HR_STATUS_UNSCHEDULABLE, HR_PLUGIN_NODE_RESOURCES_FIT, reasons);
}

static struct hr_node_status taint(const struct hr_taint *t)
{
	struct hr_node_status st =
	    st_bits(HR_STATUS_UNRESOLVABLE, HR_PLUGIN_TAINT_TOLERATION, 1u << HR_R_TAINT);
	st.taint = t;
	return st;
}

#define BIT(r) (1u << (r))

/* Renders the message for statuses into out (NUL-terminated). */
static enum hr_code render(const struct hr_node_status *st, size_t n, const struct hr_pod *pod,
                           char *out, size_t out_size)
{
	struct hr_arena arena;
	struct hr_buf buf;
	hr_arena_init(&arena, NULL, 0);
	hr_buf_init(&buf, 1 << 20);
	enum hr_code rc = hr_fit_message(st, n, pod ? pod : &no_scalars_pod, &arena, &buf);
	snprintf(out, out_size, "%s", buf.p ? buf.p : "");
	hr_buf_fini(&buf);
	hr_arena_fini(&arena);
	return rc;
}

static void expect_message(const struct hr_node_status *st, size_t n, const struct hr_pod *pod,
                           const char *want)
{
	char got[8192];
	assert_int_equal(render(st, n, pod, got, sizeof(got)), HR_OK);
	assert_string_equal(got, want);
}

static void test_zero_nodes(void **state)
{
	(void)state;
	assert_string_equal(HR_NO_NODES_MESSAGE, "no nodes available to schedule pods");
	expect_message(NULL, 0, NULL, "no nodes available to schedule pods");
}

static void test_one_reason_all_nodes(void **state)
{
	(void)state;
	struct hr_node_status st[3];
	for (int i = 0; i < 3; i++)
		st[i] = fit(BIT(HR_R_INSUFFICIENT_CPU));
	expect_message(st, 3, NULL, "0/3 nodes are available: 3 Insufficient cpu.");
	expect_message(st, 1, NULL, "0/1 nodes are available: 1 Insufficient cpu.");
}

static void test_each_reason_of_each_node_counts(void **state)
{
	(void)state;
	/* n1 lacks cpu and memory, n2 only cpu: "2 Insufficient cpu" and "1 Insufficient memory" */
	struct hr_node_status st[2] = {
	    fit(BIT(HR_R_INSUFFICIENT_CPU) | BIT(HR_R_INSUFFICIENT_MEMORY)),
	    fit(BIT(HR_R_INSUFFICIENT_CPU)),
	};
	expect_message(st, 2, NULL,
	               "0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.");
	/* a node with four reasons contributes four items */
	struct hr_node_status one =
	    fit(BIT(HR_R_TOO_MANY_PODS) | BIT(HR_R_INSUFFICIENT_CPU) |
	        BIT(HR_R_INSUFFICIENT_MEMORY) | BIT(HR_R_INSUFFICIENT_EPHEMERAL));
	expect_message(&one, 1, NULL,
	               "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient "
	               "ephemeral-storage, 1 Insufficient memory, 1 Too many pods.");
}

static void test_items_sorted_bytewise_whole_strings(void **state)
{
	(void)state;
	struct hr_node_status st[12];
	/* 10 memory, 2 cpu: "10 Insufficient memory" < "2 Insufficient cpu" */
	for (int i = 0; i < 10; i++)
		st[i] = fit(BIT(HR_R_INSUFFICIENT_MEMORY));
	st[10] = fit(BIT(HR_R_INSUFFICIENT_CPU));
	st[11] = fit(BIT(HR_R_INSUFFICIENT_CPU));
	expect_message(st, 12, NULL,
	               "0/12 nodes are available: 10 Insufficient memory, 2 Insufficient cpu.");
	/* "1 T..." < "10 I...": the space (0x20) sorts before '0' */
	st[10] = fit(BIT(HR_R_TOO_MANY_PODS));
	expect_message(st, 11, NULL,
	               "0/11 nodes are available: 1 Too many pods, 10 Insufficient memory.");
	/* same count: by reason text, upper case before lower case */
	struct hr_taint t = {HR_STR_LIT("k"), HR_STR_LIT("v"), HR_EFFECT_NO_SCHEDULE};
	struct hr_node_status mix[4] = {
	    st_bits(HR_STATUS_UNRESOLVABLE, HR_PLUGIN_NODE_UNSCHEDULABLE,
	            BIT(HR_R_NODE_UNSCHEDULABLE)),
	    taint(&t),
	    fit(BIT(HR_R_INSUFFICIENT_CPU)),
	    fit(BIT(HR_R_INSUFFICIENT_MEMORY)),
	};
	expect_message(mix, 4, NULL,
	               "0/4 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 "
	               "node(s) had untolerated taint {k: v}, 1 node(s) were unschedulable.");
}

static void test_counts_with_more_digits(void **state)
{
	(void)state;
	struct hr_node_status *st = calloc(1000, sizeof(*st));
	assert_non_null(st);
	for (int i = 0; i < 999; i++)
		st[i] = fit(BIT(HR_R_INSUFFICIENT_CPU));
	st[999] = fit(BIT(HR_R_TOO_MANY_PODS));
	expect_message(st, 1000, NULL,
	               "0/1000 nodes are available: 1 Too many pods, 999 Insufficient cpu.");
	/* "100 ..." < "99 ..." */
	for (int i = 0; i < 199; i++)
		st[i] = fit(BIT(i < 100 ? HR_R_INSUFFICIENT_CPU : HR_R_INSUFFICIENT_MEMORY));
	expect_message(st, 199, NULL,
	               "0/199 nodes are available: 100 Insufficient cpu, 99 Insufficient memory.");
	free(st);
}

static void test_taint_values_are_distinct_items(void **state)
{
	(void)state;
	/* equal texts from different taint objects merge; different values do not */
	struct hr_taint a1 = {HR_STR_LIT("k"), HR_STR_LIT("a"), HR_EFFECT_NO_SCHEDULE};
	struct hr_taint a2 = {HR_STR_LIT("k"), HR_STR_LIT("a"), HR_EFFECT_NO_EXECUTE};
	struct hr_taint b = {HR_STR_LIT("k"), HR_STR_LIT("b"), HR_EFFECT_NO_SCHEDULE};
	struct hr_taint empty = {HR_STR_LIT("k"), HR_STR_LIT(""), HR_EFFECT_NO_SCHEDULE};
	struct hr_node_status st[4] = {taint(&a1), taint(&b), taint(&a2), taint(&empty)};
	/* '}' (0x7d) sorts after 'b' (0x62) */
	expect_message(st, 4, NULL,
	               "0/4 nodes are available: 1 node(s) had untolerated taint {k: b}, 1 node(s) "
	               "had untolerated taint {k: }, 2 node(s) had untolerated taint {k: a}.");
}

static void test_successful_nodes_skipped_but_counted_in_total(void **state)
{
	(void)state;
	struct hr_node_status st[3] = {
	    fit(BIT(HR_R_INSUFFICIENT_CPU)),
	    st_bits(HR_STATUS_SUCCESS, HR_PLUGIN_NONE, 0),
	    fit(BIT(HR_R_INSUFFICIENT_CPU)),
	};
	expect_message(st, 3, NULL, "0/3 nodes are available: 2 Insufficient cpu.");
}

static void test_scalar_reasons(void **state)
{
	(void)state;
	struct hr_scalar sc[] = {{HR_STR_LIT("example.com/gpu"), 1},
	                         {HR_STR_LIT("hugepages-2Mi"), 2097152},
	                         {HR_STR_LIT("kubernetes.io/x"), 1}};
	struct hr_pod pod;
	memset(&pod, 0, sizeof(pod));
	pod.request.scalars = sc;
	pod.request.n_scalars = 3;
	struct hr_node_status st[2] = {
	    fit(BIT(HR_R_INSUFFICIENT_CPU) | BIT(HR_R_INSUFFICIENT_SCALAR)),
	    fit(BIT(HR_R_INSUFFICIENT_SCALAR)),
	};
	st[0].scalar_bits = 0x3; /* gpu and hugepages */
	st[1].scalar_bits = 0x5; /* gpu and kubernetes.io/x */
	expect_message(st, 2, &pod,
	               "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient hugepages-2Mi, "
	               "1 Insufficient kubernetes.io/x, 2 Insufficient example.com/gpu.");
}

static void test_prefilter_excluded_nodes(void **state)
{
	(void)state;
	struct hr_taint t = {HR_STR_LIT("k"), HR_STR_LIT("v"), HR_EFFECT_NO_SCHEDULE};
	struct hr_node_status st[4];
	for (int i = 0; i < 3; i++)
		st[i] = st_bits(HR_STATUS_UNRESOLVABLE, HR_PLUGIN_NODE_AFFINITY,
		                BIT(HR_R_PREFILTER_EXCLUDED));
	st[3] = taint(&t);
	expect_message(st, 4, NULL,
	               "0/4 nodes are available: 1 node(s) had untolerated taint {k: v}, 3 node(s) "
	               "didn't satisfy plugin(s) [NodeAffinity].");
}

static void test_every_reason_text(void **state)
{
	(void)state;
	/* the exact strings of spec §2, one node each */
	static const struct {
		enum hr_reason r;
		const char *text;
	} cases[] = {
	    {HR_R_NODE_UNSCHEDULABLE, "node(s) were unschedulable"},
	    {HR_R_NODE_NAME, "node(s) didn't match the requested node name"},
	    {HR_R_NODE_AFFINITY, "node(s) didn't match Pod's node affinity/selector"},
	    {HR_R_PREFILTER_EXCLUDED, "node(s) didn't satisfy plugin(s) [NodeAffinity]"},
	    {HR_R_PORTS, "node(s) didn't have free ports for the requested pod ports"},
	    {HR_R_TOO_MANY_PODS, "Too many pods"},
	    {HR_R_INSUFFICIENT_CPU, "Insufficient cpu"},
	    {HR_R_INSUFFICIENT_MEMORY, "Insufficient memory"},
	    {HR_R_INSUFFICIENT_EPHEMERAL, "Insufficient ephemeral-storage"},
	    {HR_R_SPREAD_MISSING_LABEL,
	     "node(s) didn't match pod topology spread constraints (missing required label)"},
	    {HR_R_SPREAD, "node(s) didn't match pod topology spread constraints"},
	    {HR_R_AFFINITY, "node(s) didn't match pod affinity rules"},
	    {HR_R_ANTI_AFFINITY, "node(s) didn't match pod anti-affinity rules"},
	    {HR_R_EXISTING_ANTI_AFFINITY,
	     "node(s) didn't satisfy existing pods anti-affinity rules"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hr_node_status st = fit(BIT(cases[i].r));
		char want[512];
		snprintf(want, sizeof(want), "0/1 nodes are available: 1 %s.", cases[i].text);
		expect_message(&st, 1, NULL, want);
		struct hr_buf b;
		hr_buf_init(&b, 4096);
		hr_status_text(&st, &no_scalars_pod, &b);
		char got[512];
		snprintf(got, sizeof(got), "%s", b.p ? b.p : "");
		hr_buf_fini(&b);
		assert_string_equal(got, cases[i].text);
	}
}

static void test_prefilter_form(void **state)
{
	(void)state;
	struct hr_buf b;
	hr_buf_init(&b, 4096);
	hr_fit_message_prefilter(3, "pod affinity terms conflict", &b);
	assert_string_equal(b.p, "0/3 nodes are available: pod affinity terms conflict.");
	hr_buf_reset(&b);
	hr_fit_message_prefilter(12, "parsing pod: bad selector", &b);
	assert_string_equal(b.p, "0/12 nodes are available: parsing pod: bad selector.");
	hr_buf_fini(&b);
}

static void test_appends_to_buffer(void **state)
{
	(void)state;
	struct hr_arena arena;
	struct hr_buf buf;
	hr_arena_init(&arena, NULL, 0);
	hr_buf_init(&buf, 4096);
	hr_buf_puts(&buf, "Unschedulable: ");
	struct hr_node_status st = fit(BIT(HR_R_INSUFFICIENT_CPU));
	assert_int_equal(hr_fit_message(&st, 1, &no_scalars_pod, &arena, &buf), HR_OK);
	assert_string_equal(buf.p, "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.");
	hr_buf_fini(&buf);
	hr_arena_fini(&arena);
}

static void test_output_cap_reports_nomem(void **state)
{
	(void)state;
	struct hr_arena arena;
	struct hr_buf buf;
	hr_arena_init(&arena, NULL, 0);
	hr_buf_init(&buf, 10);
	struct hr_node_status st = fit(BIT(HR_R_INSUFFICIENT_CPU));
	assert_int_equal(hr_fit_message(&st, 1, &no_scalars_pod, &arena, &buf), HR_ENOMEM);
	assert_false(hr_buf_ok(&buf));
	hr_buf_fini(&buf);
	hr_arena_fini(&arena);
}

/* An allocator that refuses the Nth block and every one after it. */
struct failing {
	int left;
	int calls;
};

static void *failing_alloc(void *ctx, size_t size)
{
	struct failing *f = ctx;
	f->calls++;
	if (f->left-- <= 0)
		return NULL;
	return malloc(size);
}

static void failing_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void test_allocation_failures(void **state)
{
	(void)state;
	struct hr_node_status *st = calloc(300, sizeof(*st));
	assert_non_null(st);
	for (int i = 0; i < 300; i++)
		st[i] = fit(BIT(HR_R_INSUFFICIENT_CPU) |
		            BIT(i % 3 ? HR_R_INSUFFICIENT_MEMORY : HR_R_TOO_MANY_PODS));
	const char *want = "0/300 nodes are available: 100 Too many pods, 200 Insufficient memory, "
	                   "300 Insufficient cpu.";
	bool succeeded = false;
	for (int n = 0; n < 64 && !succeeded; n++) {
		struct failing f = {n, 0};
		struct hr_allocator a = {failing_alloc, failing_free, &f};
		struct hr_arena arena;
		struct hr_buf buf;
		hr_arena_init(&arena, &a, 0);
		hr_buf_init(&buf, 1 << 16);
		enum hr_code rc = hr_fit_message(st, 300, &no_scalars_pod, &arena, &buf);
		if (rc == HR_OK) {
			assert_string_equal(buf.p, want);
			succeeded = true;
		} else {
			assert_int_equal(rc, HR_ENOMEM);
		}
		hr_buf_fini(&buf);
		hr_arena_fini(&arena);
	}
	assert_true(succeeded);
	/* and a byte cap on the arena */
	struct hr_arena small;
	struct hr_buf buf;
	hr_arena_init(&small, NULL, 64);
	hr_buf_init(&buf, 1 << 16);
	assert_int_equal(hr_fit_message(st, 300, &no_scalars_pod, &small, &buf), HR_ENOMEM);
	hr_buf_fini(&buf);
	hr_arena_fini(&small);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zero_nodes),
	    cmocka_unit_test(test_one_reason_all_nodes),
	    cmocka_unit_test(test_each_reason_of_each_node_counts),
	    cmocka_unit_test(test_items_sorted_bytewise_whole_strings),
	    cmocka_unit_test(test_counts_with_more_digits),
	    cmocka_unit_test(test_taint_values_are_distinct_items),
	    cmocka_unit_test(test_successful_nodes_skipped_but_counted_in_total),
	    cmocka_unit_test(test_scalar_reasons),
	    cmocka_unit_test(test_prefilter_excluded_nodes),
	    cmocka_unit_test(test_every_reason_text),
	    cmocka_unit_test(test_prefilter_form),
	    cmocka_unit_test(test_appends_to_buffer),
	    cmocka_unit_test(test_output_cap_reports_nomem),
	    cmocka_unit_test(test_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
