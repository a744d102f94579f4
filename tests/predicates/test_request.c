/* test_request.c: a pod's request vector, scoring requests and host ports
 * (predicates/request.h hr_pod_finalize) against spec/predicates.md §2.5,
 * §2.6 and §6.3. Pods are decoded from small JSON documents (so the API's
 * milli round-up of §6.1 applies as it does for real pods), except where a
 * case needs plain model data. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "request.h"

#define S(lit) HR_STR_LIT(lit)
#define GI     (1024LL * 1024 * 1024)
#define MI     (1024LL * 1024)

/* JSON pieces: Q("cpu","1") -> "cpu":"1"; containers with requests. */
#define Q(k, v)          "\"" k "\":\"" v "\""
#define CREQ(name, reqs) "{\"name\":\"" name "\",\"resources\":{\"requests\":{" reqs "}}}"
#define CLIM(name, lims) "{\"name\":\"" name "\",\"resources\":{\"limits\":{" lims "}}}"
#define SIDECAR(name, reqs)                                                                        \
	"{\"name\":\"" name "\",\"restartPolicy\":\"Always\",\"resources\":{\"requests\":{" reqs   \
	"}}}"
#define BARE(name) "{\"name\":\"" name "\"}"

/* ---- fixture ---- */

struct ctx {
	struct hr_arena arena;
	struct hr_err err;
	struct hr_decoder d;
	struct hr_pod pod;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	hr_arena_init(&c->arena, NULL, 0);
	hr_err_clear(&c->err);
	hr_decoder_init(&c->d, &c->arena, NULL, &c->err);
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Decodes {"metadata":{"name":"p"},"spec":{<spec>},"status":{<status>}}. */
static struct hr_pod *decode(struct ctx *c, const char *spec, const char *status)
{
	size_t n = strlen(spec) + strlen(status) + 128;
	char *json = malloc(n);
	assert_non_null(json);
	snprintf(json, n, "{\"metadata\":{\"name\":\"p\"},\"spec\":{%s},\"status\":{%s}}", spec,
	         status);
	cJSON *doc = cJSON_Parse(json);
	free(json);
	if (!doc)
		fail_msg("test JSON does not parse: spec {%s} status {%s}", spec, status);
	hr_err_clear(&c->err);
	enum hr_code rc = hr_decode_pod(&c->d, doc, &c->pod);
	cJSON_Delete(doc);
	if (rc != HR_OK)
		fail_msg("decode failed: %s: %s", c->err.where, c->err.msg);
	return &c->pod;
}

/* Decodes and finalizes; fails the test on any error. */
static const struct hr_pod *finalize(struct ctx *c, const char *spec, const char *status)
{
	struct hr_pod *pod = decode(c, spec, status);
	enum hr_code rc = hr_pod_finalize(pod, &c->arena, &c->err);
	if (rc != HR_OK)
		fail_msg("finalize failed (%d): %s: %s", rc, c->err.where, c->err.msg);
	assert_true(pod->finalized);
	return pod;
}

static const struct hr_resources *req(struct ctx *c, const char *spec)
{
	return &finalize(c, spec, "")->request;
}

static int64_t scalar(const struct hr_resources *r, const char *name)
{
	return hr_resources_scalar(r, hr_str_c(name));
}

static bool has_port(const struct hr_pod *pod, const char *ip, const char *proto, int32_t port)
{
	for (size_t i = 0; i < pod->n_host_ports; i++)
		if (pod->host_ports[i].port == port && hr_str_eq_c(pod->host_ports[i].ip, ip) &&
		    hr_str_eq_c(pod->host_ports[i].protocol, proto))
			return true;
	return false;
}

/* ---- regular containers ---- */

static void test_request_sums_regular_containers(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CREQ("a", Q("cpu", "100m") "," Q("memory", "100Mi")) "," CREQ(
	               "b", Q("cpu", "200m") "," Q("memory", "50Mi") "," Q(
	                        "ephemeral-storage", "1Gi")) "," BARE("c") "]");
	assert_int_equal(r->cpu_milli, 300);
	assert_int_equal(r->mem_bytes, 150 * MI);
	assert_int_equal(r->eph_bytes, 1 * GI);
	assert_int_equal(r->n_scalars, 0);
}

static void test_request_empty_pod_is_zero(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(c, "\"containers\":[" BARE("a") "]", "");
	assert_int_equal(pod->request.cpu_milli, 0);
	assert_int_equal(pod->request.mem_bytes, 0);
	assert_int_equal(pod->request.eph_bytes, 0);
	assert_int_equal(pod->request.n_scalars, 0);
	assert_int_equal(pod->n_host_ports, 0);
}

static void test_request_sums_scalar_resources_and_drops_unknown(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c,
	    "\"containers\":[" CLIM(
	        "a", Q("example.com/gpu", "1") "," Q("hugepages-2Mi", "2Mi") "," Q(
	                 "foo", "5")) "," CLIM("b",
	                                       Q("example.com/gpu", "2") "," Q(
	                                           "hugepages-2Mi",
	                                           "4Mi") "," Q("attachable-volumes-x", "1")) "]");
	assert_int_equal(r->n_scalars, 3);
	assert_true(hr_str_eq_c(r->scalars[0].name, "attachable-volumes-x"));
	assert_true(hr_str_eq_c(r->scalars[1].name, "example.com/gpu"));
	assert_true(hr_str_eq_c(r->scalars[2].name, "hugepages-2Mi"));
	assert_int_equal(scalar(r, "example.com/gpu"), 3);
	assert_int_equal(scalar(r, "hugepages-2Mi"), 6 * MI);
	assert_int_equal(scalar(r, "attachable-volumes-x"), 1);
	assert_int_equal(scalar(r, "foo"), 0);
}

static void test_request_ignores_ephemeral_containers(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a", Q("cpu", "100m")) "],"
	                                  "\"ephemeralContainers\":[" CREQ(
	                                      "debug", Q("cpu", "5") "," Q("memory", "1Gi")) "]");
	assert_int_equal(r->cpu_milli, 100);
	assert_int_equal(r->mem_bytes, 0);
}

static void test_request_limits_only_container_requests_its_limits(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CLIM("a", Q("cpu", "2") "," Q("memory", "1Gi")) "]");
	assert_int_equal(r->cpu_milli, 2000);
	assert_int_equal(r->mem_bytes, 1 * GI);
}

/* ---- exact milli sums, converted once (§2.6, §6.1) ---- */

static void test_request_sub_milli_cpu_rounds_per_container(void **state)
{
	struct ctx *c = *state;
	/* each 0.4m is rounded up to 1m by API defaulting, so two need 2m */
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ("a", Q("cpu", "0.4m")) "," CREQ("b", Q("cpu", "0.4m")) "]");
	assert_int_equal(r->cpu_milli, 2);
}

static void test_request_sub_byte_memory_sums_exactly(void **state)
{
	struct ctx *c = *state;
	/* 0.4 + 0.4 = 0.8 bytes, converted once: 1 byte (not 2) */
	const struct hr_resources *r = req(
	    c,
	    "\"containers\":[" CREQ("a", Q("memory", "0.4")) "," CREQ("b", Q("memory", "0.4")) "]");
	assert_int_equal(r->mem_bytes, 1);
}

static void test_request_sub_byte_memory_three_halves(void **state)
{
	struct ctx *c = *state;
	/* 0.5 * 3 = 1.5 bytes -> 2 (per-container conversion would give 3) */
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CREQ("a", Q("memory", "0.5")) "," CREQ(
	               "b", Q("memory", "0.5")) "," CREQ("c", Q("memory", "0.5")) "]");
	assert_int_equal(r->mem_bytes, 2);
}

static void test_request_sub_byte_ephemeral_sums_exactly(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CREQ("a", Q("ephemeral-storage", "0.4")) "," CREQ(
	               "b", Q("ephemeral-storage", "0.4")) "]");
	assert_int_equal(r->eph_bytes, 1);
}

static void test_request_sub_byte_memory_with_overhead(void **state)
{
	struct ctx *c = *state;
	/* 0.4 + 0.4 overhead = 0.8 -> 1 byte */
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CREQ("a", Q("memory", "0.4")) "],"
	                                                            "\"overhead\":{" Q("memory",
	                                                                               "0.4") "}");
	assert_int_equal(r->mem_bytes, 1);
}

/* ---- init containers (§2.6 step 2) ---- */

static void test_request_init_container_larger_than_sum(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a", Q("cpu", "300m") "," Q(
	                    "memory", "1Gi")) "],"
	                                      "\"initContainers\":[" CREQ(
	                                          "i", Q("cpu", "1") "," Q("memory", "100Mi")) "]");
	assert_int_equal(r->cpu_milli, 1000);   /* init wins */
	assert_int_equal(r->mem_bytes, 1 * GI); /* containers win */
}

static void test_request_init_containers_take_max_not_sum(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c,
	    "\"containers\":[" CREQ(
	        "a", Q("cpu", "100m")) "],"
	                               "\"initContainers\":[" CREQ("i1", Q("cpu", "500m")) "," CREQ(
	                                   "i2", Q("cpu", "700m")) "]");
	assert_int_equal(r->cpu_milli, 700);
}

static void test_request_init_only_resource_counts(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CREQ(
	               "a", Q("cpu", "100m")) "],"
	                                      "\"initContainers\":[" CREQ(
	                                          "i", Q("example.com/gpu", "1") "," Q("memory",
	                                                                               "1Mi")) "]");
	assert_int_equal(r->cpu_milli, 100);
	assert_int_equal(r->mem_bytes, 1 * MI);
	assert_int_equal(scalar(r, "example.com/gpu"), 1);
}

static void test_request_sidecar_adds_to_regular(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a", Q("cpu", "100m")) "],"
	                                  "\"initContainers\":[" SIDECAR(
	                                      "s", Q("cpu", "200m") "," Q("memory", "64Mi")) "]");
	assert_int_equal(r->cpu_milli, 300);
	assert_int_equal(r->mem_bytes, 64 * MI);
}

static void test_request_ordinary_init_after_sidecar_includes_running_sum(void **state)
{
	struct ctx *c = *state;
	/* R = 100 + 200 = 300; candidates: s -> 200, i -> 500 + 200 = 700 */
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a",
	           Q("cpu", "100m")) "],"
	                             "\"initContainers\":[" SIDECAR("s", Q("cpu", "200m")) "," CREQ(
	                                 "i", Q("cpu", "500m")) "]");
	assert_int_equal(r->cpu_milli, 700);
}

static void test_request_ordinary_init_before_sidecar_excludes_it(void **state)
{
	struct ctx *c = *state;
	/* R = 300; candidates: i -> 500 (S = 0), s -> 200 */
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a",
	           Q("cpu", "100m")) "],"
	                             "\"initContainers\":[" CREQ("i", Q("cpu", "500m")) "," SIDECAR(
	                                 "s", Q("cpu", "200m")) "]");
	assert_int_equal(r->cpu_milli, 500);
}

static void test_request_sidecar_running_sum_per_resource(void **state)
{
	struct ctx *c = *state;
	/* cpu: R = 100 + 100 + 200 = 400; candidates s1 100, i1 600+100 = 700,
	 * s2 300, i2 50+300 = 350 -> I = 700 -> 700.
	 * memory: R = 1Gi; candidates i2 2Gi + 0 -> 2Gi. */
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a",
	           Q("cpu", "100m") "," Q(
	               "memory",
	               "1Gi")) "],"
	                       "\"initContainers\":[" SIDECAR("s1", Q("cpu", "100m")) "," CREQ(
	                           "i1",
	                           Q("cpu",
	                             "600m")) "," SIDECAR("s2",
	                                                  Q("cpu",
	                                                    "200m")) "," CREQ("i2",
	                                                                      Q("cpu", "50m") "," Q(
	                                                                          "memory",
	                                                                          "2Gi")) "]");
	assert_int_equal(r->cpu_milli, 700);
	assert_int_equal(r->mem_bytes, 2 * GI);
}

static void test_request_sidecars_sum_when_no_init_dominates(void **state)
{
	struct ctx *c = *state;
	/* R = 100 + 100 + 200 = 400; candidates 100, 250+100, 300, 50+300 -> 400 */
	const struct hr_resources *r = req(
	    c,
	    "\"containers\":[" CREQ(
	        "a", Q("cpu",
	               "100m")) "],"
	                        "\"initContainers\":[" SIDECAR("s1", Q("cpu", "100m")) "," CREQ(
	                            "i1", Q("cpu",
	                                    "250m")) "," SIDECAR("s2",
	                                                         Q("cpu",
	                                                           "200m")) "," CREQ("i2",
	                                                                             Q("cpu",
	                                                                               "50m")) "]");
	assert_int_equal(r->cpu_milli, 400);
}

static void test_request_sidecar_with_sub_milli_values(void **state)
{
	struct ctx *c = *state;
	/* memory exact sums through the init walk: 0.4 + 0.4 (sidecar) = 0.8 -> 1 */
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ("a", Q("memory", "0.4")) "],"
	                                                        "\"initContainers\":[" SIDECAR(
	                                                            "s", Q("memory", "0.4")) "]");
	assert_int_equal(r->mem_bytes, 1);
}

/* ---- pod-level resources (§2.6 step 3) and overhead (step 4) ---- */

static void test_request_pod_level_replaces_cpu_only(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a",
	           Q("cpu", "100m") "," Q("memory", "1Gi") "," Q("ephemeral-storage", "2Gi") "," Q(
	               "example.com/gpu", "1")) "],"
	                                        "\"resources\":{\"requests\":{" Q("cpu", "2") "}}");
	assert_int_equal(r->cpu_milli, 2000);
	assert_int_equal(r->mem_bytes, 1 * GI); /* container aggregate kept */
	assert_int_equal(r->eph_bytes, 2 * GI);
	assert_int_equal(scalar(r, "example.com/gpu"), 1);
}

static void test_request_pod_level_replaces_cpu_and_memory(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c,
	    "\"containers\":[" CREQ(
	        "a", Q("cpu", "100m") "," Q(
	                 "memory", "1Gi")) "],"
	                                   "\"initContainers\":[" CREQ(
	                                       "i", Q("cpu", "3") "," Q(
	                                                "memory",
	                                                "3Gi")) "],"
	                                                        "\"resources\":{\"requests\":{" Q(
	                                                            "cpu", "4") "," Q("memory",
	                                                                              "4Gi") "}}");
	assert_int_equal(r->cpu_milli, 4000);
	assert_int_equal(r->mem_bytes, 4 * GI);
}

static void test_request_pod_level_replaces_hugepages(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CLIM("a", Q("hugepages-2Mi", "2Mi") "," Q(
	                                            "cpu", "1")) "],"
	                                                         "\"resources\":{\"requests\":{" Q(
	                                                             "hugepages-2Mi", "8Mi") "}}");
	assert_int_equal(scalar(r, "hugepages-2Mi"), 8 * MI);
	assert_int_equal(r->cpu_milli, 1000);
}

static void test_request_overhead_added(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CREQ(
	               "a", Q("cpu", "100m") "," Q(
	                        "memory", "100Mi")) "],"
	                                            "\"overhead\":{" Q("cpu", "250m") "," Q(
	                                                "memory", "120Mi") "}");
	assert_int_equal(r->cpu_milli, 350);
	assert_int_equal(r->mem_bytes, 220 * MI);
}

static void test_request_overhead_added_after_pod_level(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a", Q("cpu", "100m")) "],"
	                                  "\"resources\":{\"requests\":{" Q(
	                                      "cpu", "1") "}},"
	                                                  "\"overhead\":{" Q("cpu", "250m") "," Q(
	                                                      "example.com/gpu", "1") "}");
	assert_int_equal(r->cpu_milli, 1250);
	assert_int_equal(scalar(r, "example.com/gpu"), 1);
}

static void test_request_overhead_only(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" BARE("a") "],\"overhead\":{" Q("cpu", "0.4m") "}");
	assert_int_equal(r->cpu_milli, 1);
}

/* ---- pod-level request defaulting (§6.3) ---- */

static void test_request_pod_level_defaults_cpu_from_containers_memory_from_limit(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c,
	             "\"containers\":[" CREQ("a", Q("cpu", "500m")) "," CREQ(
	                 "b", Q("cpu", "250m")) "],"
	                                        "\"resources\":{\"limits\":{" Q("cpu", "2") "," Q(
	                                            "memory", "2Gi") "}}",
	             "");
	assert_int_equal(pod->request.cpu_milli, 750);
	assert_int_equal(pod->request.mem_bytes, 2 * GI);
	const struct hr_qty_entry *cpu = hr_qty_list_get(pod->pod_requests, S("cpu"));
	const struct hr_qty_entry *mem = hr_qty_list_get(pod->pod_requests, S("memory"));
	assert_non_null(cpu);
	assert_non_null(mem);
	assert_int_equal(cpu->milli, 750);
	assert_int_equal(mem->milli, 2 * GI * 1000);
}

static void test_request_pod_level_defaults_to_limit_without_container_requests(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r =
	    req(c, "\"containers\":[" BARE("a") "],\"resources\":{\"limits\":{" Q("cpu", "1") "}}");
	assert_int_equal(r->cpu_milli, 1000);
	assert_int_equal(r->mem_bytes, 0);
}

static void test_request_pod_level_default_uses_init_aggregate(void **state)
{
	struct ctx *c = *state;
	/* aggregate = max(100m, 500m) = 500m */
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CREQ(
	               "a", Q("cpu", "100m")) "],"
	                                      "\"initContainers\":[" CREQ(
	                                          "i",
	                                          Q("cpu", "500m")) "],"
	                                                            "\"resources\":{\"limits\":{" Q(
	                                                                "cpu", "2") "}}");
	assert_int_equal(r->cpu_milli, 500);
}

static void test_request_pod_level_default_from_container_limits(void **state)
{
	struct ctx *c = *state;
	/* container requests default from container limits first (SetDefaults_Pod) */
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CLIM("a", Q("cpu", "300m")) "],"
	                                                          "\"resources\":{\"limits\":{" Q(
	                                                              "cpu", "2") "}}");
	assert_int_equal(r->cpu_milli, 300);
}

static void test_request_pod_level_hugepages_default_from_pod_limit(void **state)
{
	struct ctx *c = *state;
	/* hugepages never default from the container aggregate, only from the limit */
	const struct hr_resources *r =
	    req(c, "\"containers\":[" CLIM(
	               "a", Q("hugepages-2Mi", "2Mi")) "],"
	                                               "\"resources\":{\"limits\":{" Q(
	                                                   "hugepages-2Mi", "4Mi") "}}");
	assert_int_equal(scalar(r, "hugepages-2Mi"), 4 * MI);
}

static void test_request_pod_level_explicit_request_kept(void **state)
{
	struct ctx *c = *state;
	const struct hr_resources *r = req(
	    c, "\"containers\":[" CREQ(
	           "a", Q("cpu", "100m")) "],"
	                                  "\"resources\":{\"requests\":{" Q(
	                                      "cpu", "300m") "},\"limits\":{" Q("cpu", "2") "}}");
	assert_int_equal(r->cpu_milli, 300);
}

static void test_request_pod_level_memory_defaults_from_aggregate_without_limit(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c,
	    "\"containers\":[" CREQ("a", Q("memory", "100Mi")) "],"
	                                                       "\"resources\":{\"limits\":{" Q(
	                                                           "cpu", "1") "}}",
	    "");
	const struct hr_qty_entry *mem = hr_qty_list_get(pod->pod_requests, S("memory"));
	assert_non_null(mem);
	assert_int_equal(mem->milli, 100 * MI * 1000);
	assert_int_equal(pod->request.mem_bytes, 100 * MI);
	assert_int_equal(pod->request.cpu_milli, 1000);
}

static void test_request_no_pod_level_limits_no_defaulting(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c, "\"containers\":[" CREQ("a", Q("cpu", "100m") "," Q("memory", "1Mi")) "]", "");
	assert_int_equal(pod->pod_requests.n, 0);
	assert_int_equal(pod->request.cpu_milli, 100);
	assert_int_equal(pod->request.mem_bytes, 1 * MI);
}

/* ---- in-place resize of existing pods (§2.6) ---- */

static void test_request_resize_status_request_raises_spec(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c, "\"containers\":[" CREQ("a", Q("cpu", "200m") "," Q("memory", "1Gi")) "]",
	             "\"containerStatuses\":[{\"name\":\"a\",\"resources\":{\"requests\":{" Q(
	                 "cpu", "500m") "," Q("memory", "512Mi") "}}}]");
	assert_int_equal(pod->request.cpu_milli, 500);
	assert_int_equal(pod->request.mem_bytes, 1 * GI); /* spec larger: max */
}

static void test_request_resize_allocated_raises_both(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c, "\"containers\":[" CREQ("a", Q("cpu", "200m")) "]",
	             "\"containerStatuses\":[{\"name\":\"a\",\"resources\":{\"requests\":{" Q(
	                 "cpu", "300m") "}},\"allocatedResources\":{" Q("cpu", "700m") "}}]");
	assert_int_equal(pod->request.cpu_milli, 700);
}

static void test_request_resize_infeasible_leaves_spec_out(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c, "\"containers\":[" CREQ("a", Q("cpu", "800m") "," Q("memory", "2Gi")) "]",
	    "\"containerStatuses\":[{\"name\":\"a\",\"resources\":{\"requests\":{" Q(
	        "cpu",
	        "300m") "," Q("memory",
	                      "1Gi") "}},\"allocatedResources\":{" Q("cpu",
	                                                             "300m") "}}],"
	                                                                     "\"conditions\":[{"
	                                                                     "\"type\":"
	                                                                     "\"PodResizePending\","
	                                                                     "\"status\":\"True\","
	                                                                     "\"reason\":"
	                                                                     "\"Infeasible\"}]");
	assert_int_equal(pod->request.cpu_milli, 300);
	assert_int_equal(pod->request.mem_bytes, 1 * GI);
}

static void test_request_resize_deferred_keeps_spec(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c, "\"containers\":[" CREQ("a", Q("cpu", "800m")) "]",
	    "\"containerStatuses\":[{\"name\":\"a\",\"resources\":{\"requests\":{" Q(
	        "cpu", "300m") "}}}],"
	                       "\"conditions\":[{\"type\":\"PodResizePending\",\"status\":\"True\","
	                       "\"reason\":\"Deferred\"}]");
	assert_int_equal(pod->request.cpu_milli, 800);
}

static void test_request_resize_infeasible_container_without_status_uses_spec(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c, "\"containers\":[" CREQ("a", Q("cpu", "200m")) "," CREQ("b", Q("cpu", "800m")) "]",
	    "\"containerStatuses\":[{\"name\":\"b\",\"resources\":{\"requests\":{" Q(
	        "cpu", "300m") "}}}],"
	                       "\"conditions\":[{\"type\":\"PodResizePending\",\"reason\":"
	                       "\"Infeasible\"}]");
	assert_int_equal(pod->request.cpu_milli, 500); /* a: spec 200, b: status 300 */
}

static void test_request_resize_status_without_resources_ignored(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c, "\"containers\":[" CREQ("a", Q("cpu", "200m")) "]",
	             "\"containerStatuses\":[{\"name\":\"a\",\"allocatedResources\":{" Q(
	                 "cpu", "900m") "}}]");
	assert_int_equal(pod->request.cpu_milli, 200);
}

static void test_request_resize_matched_by_container_name(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c, "\"containers\":[" CREQ("a", Q("cpu", "100m")) "," CREQ("b", Q("cpu", "100m")) "]",
	    "\"containerStatuses\":[{\"name\":\"b\",\"resources\":{\"requests\":{" Q(
	        "cpu", "400m") "}}},{\"name\":\"zzz\",\"resources\":{\"requests\":{" Q("cpu",
	                                                                               "9") "}}}]");
	assert_int_equal(pod->request.cpu_milli, 500);
}

static void test_request_resize_sidecar_uses_status_ordinary_init_does_not(void **state)
{
	struct ctx *c = *state;
	/* sidecar s: max(100m, 400m) = 400m -> R = 100 + 400 = 500.
	 * ordinary init i: spec 600m (status 5 ignored), candidate 600 + 400 = 1000. */
	const struct hr_pod *pod = finalize(
	    c,
	    "\"containers\":[" CREQ(
	        "a", Q("cpu", "100m")) "],"
	                               "\"initContainers\":[" SIDECAR(
	                                   "s", Q("cpu", "100m")) "," CREQ("i",
	                                                                   Q("cpu", "600m")) "]",
	    "\"initContainerStatuses\":["
	    "{\"name\":\"s\",\"resources\":{\"requests\":{" Q(
	        "cpu", "400m") "}}},"
	                       "{\"name\":\"i\",\"resources\":{\"requests\":{" Q("cpu",
	                                                                         "5") "}}}]");
	assert_int_equal(pod->request.cpu_milli, 1000);
}

static void test_request_resize_ordinary_init_status_never_raises(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c,
	             "\"containers\":[" CREQ("a", Q("cpu", "100m")) "],"
	                                                            "\"initContainers\":[" CREQ(
	                                                                "i", Q("cpu", "200m")) "]",
	             "\"initContainerStatuses\":[{\"name\":\"i\",\"resources\":{\"requests\":{" Q(
	                 "cpu", "5") "}},\"allocatedResources\":{" Q("cpu", "5") "}}]");
	assert_int_equal(pod->request.cpu_milli, 200);
}

static void test_request_resize_status_quantities_round_up_to_milli(void **state)
{
	struct ctx *c = *state;
	/* §6.1: container-status resources are rounded up to a whole milli too */
	const struct hr_pod *pod =
	    finalize(c, "\"containers\":[" BARE("a") "]",
	             "\"containerStatuses\":[{\"name\":\"a\",\"resources\":{\"requests\":{" Q(
	                 "cpu", "0.4m") "," Q("memory", "0.4") "}}}]");
	assert_int_equal(pod->request.cpu_milli, 1);
	assert_int_equal(pod->request.mem_bytes, 1);
}

/* ---- scoring's non-zero requests ---- */

static void test_request_nonzero_defaults_per_container_lacking_request(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c, "\"containers\":[" CREQ("a", Q("cpu", "500m")) "," BARE("b") "]", "");
	assert_int_equal(pod->request.cpu_milli, 500);
	assert_int_equal(pod->request.mem_bytes, 0); /* Filter never uses the defaults */
	assert_int_equal(pod->nonzero_cpu_milli, 600);
	assert_int_equal(pod->nonzero_mem_bytes, 2 * HR_DEFAULT_MEMORY_REQUEST);
	assert_int_equal(pod->nonzero_mem_bytes, 419430400);
}

static void test_request_nonzero_keeps_explicit_zero(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c, "\"containers\":[" CREQ("a", Q("cpu", "0") "," Q("memory", "0")) "]", "");
	assert_int_equal(pod->nonzero_cpu_milli, 0);
	assert_int_equal(pod->nonzero_mem_bytes, 0);
}

static void test_request_nonzero_explicit_values(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c, "\"containers\":[" CREQ("a", Q("cpu", "250m") "," Q("memory", "1Gi")) "]", "");
	assert_int_equal(pod->nonzero_cpu_milli, 250);
	assert_int_equal(pod->nonzero_mem_bytes, 1 * GI);
}

static void test_request_nonzero_limits_count_as_requests(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c, "\"containers\":[" CLIM("a", Q("cpu", "2") "," Q("memory", "1Gi")) "]", "");
	assert_int_equal(pod->nonzero_cpu_milli, 2000);
	assert_int_equal(pod->nonzero_mem_bytes, 1 * GI);
}

static void test_request_nonzero_with_init_and_sidecar(void **state)
{
	struct ctx *c = *state;
	/* a: 100m default; sidecar s: 100m default -> R 200m; ordinary init i: 100m + 100m */
	const struct hr_pod *pod = finalize(
	    c,
	    "\"containers\":[" BARE(
	        "a") "],"
	             "\"initContainers\":[{\"name\":\"s\",\"restartPolicy\":\"Always\"}," BARE(
	                 "i") "]",
	    "");
	assert_int_equal(pod->nonzero_cpu_milli, 200);
	assert_int_equal(pod->nonzero_mem_bytes, 2 * HR_DEFAULT_MEMORY_REQUEST);
	assert_int_equal(pod->request.cpu_milli, 0);
}

static void test_request_nonzero_includes_overhead(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c,
	             "\"containers\":[" BARE("a") "," BARE(
	                 "b") "],"
	                      "\"overhead\":{" Q("cpu", "100m") "," Q("memory", "10Mi") "}",
	             "");
	assert_int_equal(pod->nonzero_cpu_milli, 300);
	assert_int_equal(pod->nonzero_mem_bytes, 2 * HR_DEFAULT_MEMORY_REQUEST + 10 * MI);
}

/* With pod-level requests set, the defaults apply only to cpu/memory that the
 * pod's whole request lacks; a pod-level value replaces the container sum. */
static void test_request_nonzero_pod_level_cpu_memory_missing_everywhere(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c,
	             "\"containers\":[" BARE("a") "," BARE("b") "],"
	                                                        "\"resources\":{\"requests\":{" Q(
	                                                            "cpu", "1") "}}",
	             "");
	assert_int_equal(pod->nonzero_cpu_milli, 1000);
	assert_int_equal(pod->nonzero_mem_bytes, 2 * HR_DEFAULT_MEMORY_REQUEST);
}

/* kube-scheduler 1.34 framework/types.go calculateResource +
 * getNonMissingContainerRequests (kubernetes PR #128407): when pod-level
 * requests are set and the pod's request already has memory (here 100Mi from
 * container a), no 200Mi default is added for container b. */
static void test_request_nonzero_pod_level_set_no_default_for_present_resource(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c,
	             "\"containers\":[" CREQ("a", Q("memory", "100Mi")) "," BARE(
	                 "b") "],"
	                      "\"resources\":{\"requests\":{" Q("cpu", "1") "}}",
	             "");
	assert_int_equal(pod->request.mem_bytes, 100 * MI);
	assert_int_equal(pod->nonzero_cpu_milli, 1000);
	assert_int_equal(pod->nonzero_mem_bytes, 100 * MI);
}

/* ---- host ports (§2.5) ---- */

static void test_request_host_ports_from_containers(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c,
	    "\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":80,\"hostPort\":8080},"
	    "{\"containerPort\":81}]},"
	    "{\"name\":\"b\",\"ports\":[{\"containerPort\":53,\"hostPort\":53,\"protocol\":\"UDP\","
	    "\"hostIP\":\"10.0.0.1\"}]}]",
	    "");
	assert_int_equal(pod->n_host_ports, 2);
	assert_true(has_port(pod, "0.0.0.0", "TCP", 8080));
	assert_true(has_port(pod, "10.0.0.1", "UDP", 53));
}

static void test_request_host_ports_sidecars_only_among_init(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c,
	    "\"containers\":[" BARE(
	        "a") "],\"initContainers\":["
	             "{\"name\":\"i\",\"ports\":[{\"containerPort\":1,\"hostPort\":7001}]},"
	             "{\"name\":\"s\",\"restartPolicy\":\"Always\",\"ports\":[{\"containerPort\":2,"
	             "\"hostPort\":7002}]}]",
	    "");
	assert_int_equal(pod->n_host_ports, 1);
	assert_true(has_port(pod, "0.0.0.0", "TCP", 7002));
	assert_false(has_port(pod, "0.0.0.0", "TCP", 7001));
}

static void test_request_host_ports_deduplicated(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod = finalize(
	    c,
	    "\"containers\":["
	    "{\"name\":\"a\",\"ports\":[{\"containerPort\":1,\"hostPort\":8080},"
	    "{\"containerPort\":2,\"hostPort\":8080,\"hostIP\":\"0.0.0.0\",\"protocol\":\"TCP\"}]},"
	    "{\"name\":\"b\",\"ports\":[{\"containerPort\":3,\"hostPort\":8080},"
	    "{\"containerPort\":4,\"hostPort\":8080,\"protocol\":\"UDP\"},"
	    "{\"containerPort\":5,\"hostPort\":8080,\"hostIP\":\"127.0.0.1\"}]}],"
	    "\"initContainers\":[{\"name\":\"s\",\"restartPolicy\":\"Always\",\"ports\":["
	    "{\"containerPort\":6,\"hostPort\":8080}]}]",
	    "");
	assert_int_equal(pod->n_host_ports, 3);
	assert_true(has_port(pod, "0.0.0.0", "TCP", 8080));
	assert_true(has_port(pod, "0.0.0.0", "UDP", 8080));
	assert_true(has_port(pod, "127.0.0.1", "TCP", 8080));
}

static void test_request_host_ports_from_host_network(void **state)
{
	struct ctx *c = *state;
	const struct hr_pod *pod =
	    finalize(c,
	             "\"hostNetwork\":true,\"containers\":[{\"name\":\"a\",\"ports\":["
	             "{\"containerPort\":9100},{\"containerPort\":9101,\"protocol\":\"UDP\"}]}]",
	             "");
	assert_int_equal(pod->n_host_ports, 2);
	assert_true(has_port(pod, "0.0.0.0", "TCP", 9100));
	assert_true(has_port(pod, "0.0.0.0", "UDP", 9101));
}

/* Plain model data (no decoder): the normalisation happens in finalize too. */
static void test_request_host_ports_normalised_on_plain_data(void **state)
{
	struct ctx *c = *state;
	static const struct hr_container_port ports[] = {
	    {.container_port = 80, .host_port = 8080},
	    {.container_port = 81,
	     .host_port = 8080,
	     .protocol = {"TCP", 3},
	     .host_ip = {"0.0.0.0", 7}},
	    {.container_port = 82, .host_port = 0},
	    {.container_port = 83, .host_port = -1},
	};
	struct hr_container ctr = {.name = S("a"), .ports = ports, .n_ports = 4};
	struct hr_pod pod = {
	    .name = S("p"), .namespace = S("default"), .containers = &ctr, .n_containers = 1};
	assert_int_equal(hr_pod_finalize(&pod, &c->arena, &c->err), HR_OK);
	assert_int_equal(pod.n_host_ports, 1);
	assert_true(hr_str_eq_c(pod.host_ports[0].ip, "0.0.0.0"));
	assert_true(hr_str_eq_c(pod.host_ports[0].protocol, "TCP"));
	assert_int_equal(pod.host_ports[0].port, 8080);
}

/* ---- plain data, idempotence, errors ---- */

static void test_request_plain_data_pod(void **state)
{
	struct ctx *c = *state;
	static const struct hr_qty_entry r1[] = {{.name = {"cpu", 3}, .milli = 1},
	                                         {.name = {"memory", 6}, .milli = 400}};
	static const struct hr_qty_entry r2[] = {{.name = {"cpu", 3}, .milli = 1},
	                                         {.name = {"memory", 6}, .milli = 400}};
	static const struct hr_qty_entry init[] = {{.name = {"cpu", 3}, .milli = 5}};
	struct hr_container ctrs[] = {{.name = S("a"), .requests = {r1, 2}},
	                              {.name = S("b"), .requests = {r2, 2}}};
	struct hr_container inits[] = {{.name = S("i"), .requests = {init, 1}}};
	struct hr_pod pod = {.name = S("p"),
	                     .namespace = S("default"),
	                     .containers = ctrs,
	                     .n_containers = 2,
	                     .init_containers = inits,
	                     .n_init_containers = 1};
	assert_int_equal(hr_pod_finalize(&pod, &c->arena, &c->err), HR_OK);
	assert_true(pod.finalized);
	assert_int_equal(pod.request.cpu_milli, 5);
	assert_int_equal(pod.request.mem_bytes, 1);
	/* scoring: the init container lacks memory, so it counts 200Mi */
	assert_int_equal(pod.nonzero_cpu_milli, 5);
	assert_int_equal(pod.nonzero_mem_bytes, HR_DEFAULT_MEMORY_REQUEST);
}

static void test_request_finalize_is_idempotent(void **state)
{
	struct ctx *c = *state;
	struct hr_pod *pod = decode(
	    c,
	    "\"containers\":[" CREQ(
	        "a", Q("cpu", "100m")) "],"
	                               "\"resources\":{\"limits\":{" Q(
	                                   "cpu", "1") "}},\"overhead\":{" Q("cpu", "50m") "}",
	    "");
	assert_int_equal(hr_pod_finalize(pod, &c->arena, &c->err), HR_OK);
	struct hr_resources first = pod->request;
	assert_int_equal(hr_pod_finalize(pod, &c->arena, &c->err), HR_OK);
	assert_int_equal(first.cpu_milli, 150);
	assert_int_equal(pod->request.cpu_milli, 150);
	assert_int_equal(pod->request.mem_bytes, first.mem_bytes);
}

static void test_request_sum_beyond_int64_is_held_at_the_cap(void **state)
{
	struct ctx *c = *state;
	/* 9e15 cores = 9e18 milli each: fits int64, the sum does not. The API
	 * server accepts it; it must fit no node rather than fail (sat.h). */
	struct hr_pod *pod =
	    decode(c,
	           "\"containers\":[" CREQ("a", Q("cpu", "9000000000000000")) "," CREQ(
	               "b", Q("cpu", "9000000000000000")) "]",
	           "");
	assert_int_equal(hr_pod_finalize(pod, &c->arena, &c->err), HR_OK);
	assert_true(pod->finalized);
	assert_int_equal(pod->request.cpu_milli, INT64_MAX);
	assert_int_equal(pod->nonzero_cpu_milli, INT64_MAX);
}

static void test_request_overhead_beyond_int64_is_held_at_the_cap(void **state)
{
	struct ctx *c = *state;
	/* 9e15 bytes + 9e15 bytes of overhead: 1.8e19 milli-bytes on the way */
	struct hr_pod *pod =
	    decode(c,
	           "\"containers\":[" CREQ(
	               "a", Q("memory", "9000000000000000")) "],"
	                                                     "\"overhead\":{" Q(
	                                                         "memory", "9000000000000000") "}",
	           "");
	assert_int_equal(hr_pod_finalize(pod, &c->arena, &c->err), HR_OK);
	assert_int_equal(pod->request.mem_bytes, INT64_MAX / 1000 + 1);
}

static void test_request_exbibytes_decode_at_the_cap(void **state)
{
	struct ctx *c = *state;
	/* 1Ei = 2^60 bytes is 1.15e21 milli-bytes: decoded at the cap, not refused */
	struct hr_pod *pod = decode(c, "\"containers\":[" CREQ("a", Q("memory", "1Ei")) "]", "");
	assert_int_equal(hr_pod_finalize(pod, &c->arena, &c->err), HR_OK);
	assert_int_equal(pod->request.mem_bytes, INT64_MAX / 1000 + 1);
}

static void test_request_out_of_memory_fails_cleanly(void **state)
{
	struct ctx *c = *state;
	bool done = false;
	for (size_t cap = 16; cap < 256 * 1024 && !done; cap += 16) {
		struct hr_pod *pod = decode(
		    c,
		    "\"containers\":[" CREQ(
		        "a",
		        Q("cpu",
		          "100m")) "],"
		                   "\"initContainers\":[" SIDECAR("s", Q("cpu", "100m")) "," CREQ(
		                       "i", Q("cpu", "1")) "],"
		                                           "\"resources\":{\"limits\":{" Q(
		                                               "memory",
		                                               "1Gi") "}},"
		                                                      "\"overhead\":{" Q("cpu",
		                                                                         "10m") "}",
		    "");
		struct hr_arena small;
		struct hr_err err;
		hr_arena_init(&small, NULL, cap);
		hr_err_clear(&err);
		enum hr_code rc = hr_pod_finalize(pod, &small, &err);
		if (rc == HR_OK) {
			assert_int_equal(pod->request.cpu_milli, 1110);
			assert_int_equal(pod->request.mem_bytes, 1 * GI);
			done = true;
		} else {
			if (rc != HR_ENOMEM)
				fail_msg("cap %zu: code %d, want HR_ENOMEM", cap, rc);
			assert_int_equal(err.code, HR_ENOMEM);
			assert_false(pod->finalized);
		}
		hr_arena_fini(&small);
	}
	assert_true(done);
}

static void test_aggregate_container_requests(void **state)
{
	struct ctx *c = *state;
	struct hr_pod *pod = decode(
	    c,
	    "\"containers\":[" CREQ("a", Q("memory", "1Gi")) "," BARE(
	        "b") "],"
	             "\"initContainers\":[" CREQ(
	                 "i", Q("cpu", "2")) "],"
	                                     "\"resources\":{\"requests\":{" Q(
	                                         "cpu", "8") "}},\"overhead\":{" Q("cpu", "1") "}",
	    "");
	struct hr_qty_list plain, nonmissing;
	assert_int_equal(hr_aggregate_container_requests(pod, false, &c->arena, &plain, &c->err),
	                 HR_OK);
	assert_int_equal(plain.n, 2);
	assert_true(hr_str_eq_c(plain.v[0].name, "cpu")); /* sorted by name */
	assert_int_equal(plain.v[0].milli, 2000);         /* no pod-level, no overhead */
	assert_true(hr_str_eq_c(plain.v[1].name, "memory"));
	assert_int_equal(plain.v[1].milli, 1 * GI * 1000);
	assert_int_equal(
	    hr_aggregate_container_requests(pod, true, &c->arena, &nonmissing, &c->err), HR_OK);
	/* cpu: max(100 + 100, 2000); memory: 1Gi + 200Mi vs init 200Mi */
	assert_int_equal(hr_qty_list_get(nonmissing, S("cpu"))->milli, 2000);
	assert_int_equal(hr_qty_list_get(nonmissing, S("memory"))->milli,
	                 (1 * GI + HR_DEFAULT_MEMORY_REQUEST) * 1000);
}

static void test_request_compact_keeps_request(void **state)
{
	struct ctx *c = *state;
	struct hr_pod *pod =
	    decode(c,
	           "\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{" Q(
	               "cpu", "100m") "}},\"ports\":[{\"containerPort\":1,\"hostPort\":"
	                              "9000}]}]",
	           "");
	assert_int_equal(hr_pod_finalize(pod, &c->arena, &c->err), HR_OK);
	hr_pod_compact(pod);
	assert_int_equal(pod->n_containers, 0);
	assert_null(pod->containers);
	assert_int_equal(pod->request.cpu_milli, 100);
	assert_int_equal(pod->n_host_ports, 1);
	assert_int_equal(pod->host_ports[0].port, 9000);
	/* finalize again is a no-op on a compacted pod */
	assert_int_equal(hr_pod_finalize(pod, &c->arena, &c->err), HR_OK);
	assert_int_equal(pod->request.cpu_milli, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_request_sums_regular_containers),
	    T(test_request_empty_pod_is_zero),
	    T(test_request_sums_scalar_resources_and_drops_unknown),
	    T(test_request_ignores_ephemeral_containers),
	    T(test_request_limits_only_container_requests_its_limits),
	    T(test_request_sub_milli_cpu_rounds_per_container),
	    T(test_request_sub_byte_memory_sums_exactly),
	    T(test_request_sub_byte_memory_three_halves),
	    T(test_request_sub_byte_ephemeral_sums_exactly),
	    T(test_request_sub_byte_memory_with_overhead),
	    T(test_request_init_container_larger_than_sum),
	    T(test_request_init_containers_take_max_not_sum),
	    T(test_request_init_only_resource_counts),
	    T(test_request_sidecar_adds_to_regular),
	    T(test_request_ordinary_init_after_sidecar_includes_running_sum),
	    T(test_request_ordinary_init_before_sidecar_excludes_it),
	    T(test_request_sidecar_running_sum_per_resource),
	    T(test_request_sidecars_sum_when_no_init_dominates),
	    T(test_request_sidecar_with_sub_milli_values),
	    T(test_request_pod_level_replaces_cpu_only),
	    T(test_request_pod_level_replaces_cpu_and_memory),
	    T(test_request_pod_level_replaces_hugepages),
	    T(test_request_overhead_added),
	    T(test_request_overhead_added_after_pod_level),
	    T(test_request_overhead_only),
	    T(test_request_pod_level_defaults_cpu_from_containers_memory_from_limit),
	    T(test_request_pod_level_defaults_to_limit_without_container_requests),
	    T(test_request_pod_level_default_uses_init_aggregate),
	    T(test_request_pod_level_default_from_container_limits),
	    T(test_request_pod_level_hugepages_default_from_pod_limit),
	    T(test_request_pod_level_explicit_request_kept),
	    T(test_request_pod_level_memory_defaults_from_aggregate_without_limit),
	    T(test_request_no_pod_level_limits_no_defaulting),
	    T(test_request_resize_status_request_raises_spec),
	    T(test_request_resize_allocated_raises_both),
	    T(test_request_resize_infeasible_leaves_spec_out),
	    T(test_request_resize_deferred_keeps_spec),
	    T(test_request_resize_infeasible_container_without_status_uses_spec),
	    T(test_request_resize_status_without_resources_ignored),
	    T(test_request_resize_matched_by_container_name),
	    T(test_request_resize_sidecar_uses_status_ordinary_init_does_not),
	    T(test_request_resize_ordinary_init_status_never_raises),
	    T(test_request_resize_status_quantities_round_up_to_milli),
	    T(test_request_nonzero_defaults_per_container_lacking_request),
	    T(test_request_nonzero_keeps_explicit_zero),
	    T(test_request_nonzero_explicit_values),
	    T(test_request_nonzero_limits_count_as_requests),
	    T(test_request_nonzero_with_init_and_sidecar),
	    T(test_request_nonzero_includes_overhead),
	    T(test_request_nonzero_pod_level_cpu_memory_missing_everywhere),
	    T(test_request_nonzero_pod_level_set_no_default_for_present_resource),
	    T(test_request_host_ports_from_containers),
	    T(test_request_host_ports_sidecars_only_among_init),
	    T(test_request_host_ports_deduplicated),
	    T(test_request_host_ports_from_host_network),
	    T(test_request_host_ports_normalised_on_plain_data),
	    T(test_request_plain_data_pod),
	    T(test_request_finalize_is_idempotent),
	    T(test_request_sum_beyond_int64_is_held_at_the_cap),
	    T(test_request_overhead_beyond_int64_is_held_at_the_cap),
	    T(test_request_exbibytes_decode_at_the_cap),
	    T(test_request_out_of_memory_fails_cleanly),
	    T(test_aggregate_container_requests),
	    T(test_request_compact_keeps_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
