/* fuzz_admission.c: the admission pre-check without the HTTP layer
 * (predicates/review.h, workload.h, incoming.h, capacity.h), following
 * extender/routes_admission.c: parse the AdmissionReview; for a scale
 * subresource take the "fetched" workload from the input's top-level member
 * "fetched" (where the server would GET it from the API server), or a fixed
 * Deployment; resolve the pod template, admit it against the fixed cluster of
 * common.c and count at most min(delta, 50) copies (200 loop rounds); then
 * write the response, allowed or denied, with warnings.
 * Checked: every response is a JSON AdmissionReview that echoes the uid. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "capacity.h"
#include "common.h"
#include "incoming.h"
#include "review.h"
#include "workload.h"

#define ARENA_CAP  (64u << 20)
#define MAX_COPIES 50
#define MAX_ROUNDS 200

static const char fetched_json[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"default\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{"
    "\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
    "\"containers\":[{\"name\":\"web\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}}}";

static bool stop_after(void *ctx)
{
	int *rounds = ctx;
	return ++*rounds > MAX_ROUNDS;
}

static void respond(const struct hr_review *r, const struct hr_review_answer *a)
{
	struct hr_buf b;
	hr_buf_init(&b, 1 << 16);
	hr_review_respond(r->uid, a, &b);
	FZ_CHECK(hr_buf_ok(&b));
	cJSON *resp = cJSON_ParseWithLength(b.p, b.len);
	FZ_CHECK(resp);
	const cJSON *uid = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(resp, "response"), "uid");
	FZ_CHECK(cJSON_IsString(uid) && strcmp(uid->valuestring, r->uid) == 0);
	cJSON_Delete(resp);
	hr_buf_fini(&b);
}

/* count_fitting and the decision of routes_admission.c */
static void check(const struct hr_review *r)
{
	struct hr_workload w;
	struct hr_err err;
	struct hr_pod *pod;
	struct hr_arena arena;
	const struct hr_snapshot *snap = fz_snapshot()->snap;
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_err_clear(&err);
	const struct hr_namespace *ns = hr_snap_find_namespace(snap, hr_str_c(r->namespace));
	const char *mode = hr_review_enforce_annotation(r->workload);
	bool deny = (mode && strcmp(mode, "deny") == 0) ||
	            (!mode && ns && hr_str_eq_c(ns->enforce, "deny"));
	enum hr_code rc = hr_workload_resolve(r->workload, &w, &err);
	if (rc == HR_OK)
		rc = hr_incoming_pod(w.pod, snap, true, "spec.template", &arena, &pod, NULL, &err);
	struct hr_capacity_result res;
	if (rc == HR_OK) {
		int rounds = 0;
		struct hr_capacity_opts opts = {.max_copies =
		                                    r->delta < MAX_COPIES ? r->delta : MAX_COPIES,
		                                .should_stop = stop_after,
		                                .stop_ctx = &rounds};
		rc = hr_capacity(snap, pod, &opts, &arena, &res, &err);
	}
	hr_workload_fini(&w);
	char msg[1200];
	if (rc != HR_OK) {
		FZ_CHECK(err.code == rc);
		snprintf(msg, sizeof(msg), "headroom: capacity not checked: %s%s%s", err.where,
		         err.where[0] ? ": " : "", err.msg);
		struct hr_review_answer a = {.allowed = true, .warnings = {msg}, .n_warnings = 1};
		respond(r, &a);
	} else {
		FZ_CHECK(res.count >= 0 && res.count <= r->delta);
		snprintf(msg, sizeof(msg), "only %lld of %lld new replicas of %s/%s fit now: %s",
		         (long long)res.count, (long long)r->delta, r->namespace, r->name,
		         res.message);
		struct hr_review_answer a = {.allowed = !deny,
		                             .code = 403,
		                             .message = msg,
		                             .warnings = {msg},
		                             .n_warnings = 1};
		respond(r, &a);
	}
	hr_arena_fini(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *fixed;
	if (!fixed && !(fixed = cJSON_Parse(fetched_json)))
		abort();
	struct hr_review r;
	struct hr_err err;
	cJSON *tree = NULL;
	hr_err_clear(&err);
	enum hr_code rc = hr_review_parse((const char *)data, size, &r, &tree, &err);
	if (rc != HR_OK) {
		FZ_CHECK(err.code == rc && err.msg[0]);
		cJSON_Delete(tree);
		return 0;
	}
	FZ_CHECK(memchr(r.uid, '\0', sizeof(r.uid)) && memchr(r.name, '\0', sizeof(r.name)));
	if (r.need == HR_REVIEW_FETCH) {
		const cJSON *fetched = cJSON_GetObjectItemCaseSensitive(tree, "fetched");
		hr_review_use_fetched(&r, fetched ? fetched : fixed);
	}
	if (r.need == HR_REVIEW_CHECK) {
		FZ_CHECK(r.workload && r.delta > 0);
		check(&r);
	} else {
		struct hr_review_answer a = {.allowed = true};
		respond(&r, &a);
	}
	cJSON_Delete(tree);
	return 0;
}
