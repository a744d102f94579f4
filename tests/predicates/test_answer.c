/* test_answer.c: the capacity answer's verdict on the asked replicas (answer.c),
 * on hand-made results: when it fits, does not, or cannot be told. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "answer.h"
#include "buf.h"
#include "capacity.h"
#include "model.h"
#include "snapshot.h"

/* The JSON answer's "fits" and the table's summary line for result r when
 * replicas are asked for. */
static void expect_verdict(const struct hr_capacity_result *r, int64_t replicas,
                           const char *json_fits, const char *table_line)
{
	struct hr_pod pod;
	struct hr_snapshot snap;
	memset(&pod, 0, sizeof(pod));
	memset(&snap, 0, sizeof(snap));
	pod.namespace = hr_str_c("default");
	struct hr_answer_info info = {.kind = "Pod",
	                              .name = "web",
	                              .has_replicas = true,
	                              .replicas = replicas,
	                              .resource_version = ""};
	struct hr_buf b;
	hr_buf_init(&b, 1 << 16);
	hr_answer_capacity_json(r, &pod, &snap, &info, &b);
	assert_non_null(strstr(b.p, json_fits));
	hr_buf_fini(&b);
	hr_buf_init(&b, 1 << 16);
	hr_answer_capacity_table(r, &pod, &snap, &info, &b);
	assert_non_null(b.p);
	if (strncmp(b.p, table_line, strlen(table_line)) != 0)
		fail_msg("table \"%s\", want it to start \"%s\"", b.p, table_line);
	hr_buf_fini(&b);
}

static void test_verdict_exact_counts(void **state)
{
	(void)state;
	struct hr_capacity_result r = {.count = 16, .exact = true, .message = ""};
	expect_verdict(&r, 16, "\"fits\":true",
	               "Pod web in default: 16 more copies fit; 16 asked: fits\n");
	expect_verdict(&r, 17, "\"fits\":false",
	               "Pod web in default: 16 more copies fit; 17 asked: does not fit\n");
}

static void test_verdict_of_a_count_a_bound_stopped(void **state)
{
	(void)state;
	struct hr_capacity_result r = {.count = 5, .exact = true, .limited = true, .message = ""};
	expect_verdict(&r, 5, "\"fits\":true",
	               "Pod web in default: 5 more copies fit (at least); 5 asked: fits\n");
	expect_verdict(&r, 10, "\"fits\":null",
	               "Pod web in default: 5 more copies fit (at least); 10 asked: cannot tell "
	               "(counting stopped first)\n");
}

static void test_verdict_when_tie_breaking_decides(void **state)
{
	(void)state;
	/* the scheduler places 5 or 7 depending on its random tie-breaks */
	struct hr_capacity_result r = {.count = 7, .exact = false, .count_other = 5, .message = ""};
	expect_verdict(&r, 5, "\"fits\":true",
	               "Pod web in default: 7 more copies fit; 5 asked: fits\n");
	expect_verdict(
	    &r, 6, "\"fits\":null",
	    "Pod web in default: 7 more copies fit; 6 asked: cannot tell (kube-scheduler's "
	    "random tie-breaking decides)\n");
	expect_verdict(&r, 7, "\"fits\":null",
	               "Pod web in default: 7 more copies fit; 7 asked: cannot tell");
	expect_verdict(&r, 8, "\"fits\":false",
	               "Pod web in default: 7 more copies fit; 8 asked: does not fit\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verdict_exact_counts),
	    cmocka_unit_test(test_verdict_of_a_count_a_bound_stopped),
	    cmocka_unit_test(test_verdict_when_tie_breaking_decides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
