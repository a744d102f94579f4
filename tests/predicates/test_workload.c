/* test_workload.c: finding the pod in a capacity request (predicates/workload.h):
 * a Pod as is, a workload's pod template with the workload's namespace, the
 * envelope's replicas and max, and errors that name the field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "workload.h"

struct resolved {
	enum hr_code rc;
	struct hr_err err;
	struct hr_workload w;
	cJSON *doc;
};

static void resolve(const char *json, struct resolved *r)
{
	memset(r, 0, sizeof(*r));
	hr_err_clear(&r->err);
	r->doc = cJSON_Parse(json);
	assert_non_null(r->doc);
	r->rc = hr_workload_resolve(r->doc, &r->w, &r->err);
}

static void done(struct resolved *r)
{
	hr_workload_fini(&r->w);
	cJSON_Delete(r->doc);
}

static const char *pod_string(const struct resolved *r, const char *section, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(r->w.pod, section), key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_workload_deployment_template_takes_its_namespace(void **state)
{
	struct resolved r;
	(void)state;
	resolve("{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"namespace\":\"team-a\"},"
	        "\"spec\":{\"replicas\":3,\"template\":{\"metadata\":{\"namespace\":\"x\",\"name\":"
	        "\"t\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}",
	        &r);
	assert_int_equal(r.rc, HR_OK);
	assert_string_equal(r.w.kind, "Deployment");
	assert_string_equal(r.w.name, "web");
	assert_true(r.w.has_replicas);
	assert_int_equal(r.w.replicas, 3);
	assert_string_equal(pod_string(&r, "metadata", "namespace"), "team-a");
	assert_string_equal(pod_string(&r, "metadata", "name"), "t");
	done(&r);
}

/* A template whose metadata is not an object is an error naming the field
 * (it crashed on strcmp(NULL): found by fuzz/fuzz_capacity and fuzz_admission). */
static void test_workload_template_metadata_must_be_an_object(void **state)
{
	struct resolved r;
	(void)state;
	resolve("{\"kind\":\"Deployment\",\"spec\":{\"template\":{\"metadata\":[{\"name\":\"c\"}],"
	        "\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}",
	        &r);
	assert_int_equal(r.rc, HR_EINVAL);
	assert_string_equal(r.err.where, "spec.template.metadata");
	assert_string_equal(r.err.msg, "must be an object, got array");
	assert_null(r.w.pod);
	done(&r);

	resolve("{\"kind\":\"CronJob\",\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{"
	        "\"metadata\":\"x\"}}}}}",
	        &r);
	assert_int_equal(r.rc, HR_EINVAL);
	assert_string_equal(r.err.where, "spec.jobTemplate.spec.template.metadata");
	done(&r);

	/* null is absent, as everywhere in Kubernetes JSON */
	resolve("{\"kind\":\"Job\",\"spec\":{\"template\":{\"metadata\":null,\"spec\":{}}}}", &r);
	assert_int_equal(r.rc, HR_OK);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_workload_deployment_template_takes_its_namespace),
	    cmocka_unit_test(test_workload_template_metadata_must_be_an_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
