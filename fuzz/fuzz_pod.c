/* fuzz_pod.c: a Pod's JSON to the model, its request vector and admission
 * (predicates/decode.h, request.h, clone.h, incoming.h, admit.h).
 *
 * The input is a Pod object as JSON. It is decoded as an existing pod of a
 * snapshot would be (interned strings, hr_pod_finalize, compact clone) and as
 * the incoming pod of a capacity question, through the API server's
 * defaulting, LimitRanger, DefaultTolerationSeconds, RuntimeClass and
 * validation against the fixed cluster (which has a LimitRange in team-a and
 * RuntimeClasses kata and runc). Checked: finalizing is idempotent; the
 * compact clone keeps the request vector and host ports; an admitted pod
 * still passes API validation once finalized (what the API server validates
 * is the defaulted pod); an error always names a code and leaves a
 * NUL-terminated message. */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admit.h"
#include "clone.h"
#include "common.h"
#include "decode.h"
#include "incoming.h"
#include "jsonspan.h"
#include "request.h"

#define ARENA_CAP (32u << 20)

static void same_resources(const struct hr_resources *a, const struct hr_resources *b)
{
	FZ_CHECK(a->cpu_milli == b->cpu_milli && a->mem_bytes == b->mem_bytes);
	FZ_CHECK(a->eph_bytes == b->eph_bytes && a->pods == b->pods);
	FZ_CHECK(a->n_scalars == b->n_scalars);
	for (size_t i = 0; i < a->n_scalars; i++)
		FZ_CHECK(hr_str_eq(a->scalars[i].name, b->scalars[i].name) &&
		         a->scalars[i].value == b->scalars[i].value);
}

static void check_err(enum hr_code rc, const struct hr_err *err)
{
	if (rc == HR_OK)
		return;
	FZ_CHECK(err->code == rc);
	FZ_CHECK(memchr(err->msg, '\0', sizeof(err->msg)) && err->msg[0]);
	FZ_CHECK(memchr(err->where, '\0', sizeof(err->where)));
}

/* As a pod that is already in the cluster. */
static void existing_pod(const cJSON *doc)
{
	struct hr_arena arena, dst;
	struct hr_intern intern;
	struct hr_decoder d;
	struct hr_err err;
	struct hr_pod pod;
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_arena_init(&dst, NULL, ARENA_CAP);
	hr_intern_init(&intern, &dst);
	hr_err_clear(&err);
	hr_decoder_init(&d, &arena, &intern, &err);
	hr_path_push_key(&d.path, "items[0]");
	enum hr_code rc = hr_decode_pod(&d, doc, &pod);
	check_err(rc, &err);
	if (rc == HR_OK) {
		rc = hr_pod_finalize(&pod, &arena, &err);
		check_err(rc, &err);
	}
	if (rc == HR_OK) {
		struct hr_resources first = pod.request;
		int64_t nz_cpu = pod.nonzero_cpu_milli, nz_mem = pod.nonzero_mem_bytes;
		FZ_CHECK(hr_pod_finalize(&pod, &arena, &err) == HR_OK);
		same_resources(&first, &pod.request);
		FZ_CHECK(nz_cpu == pod.nonzero_cpu_milli && nz_mem == pod.nonzero_mem_bytes);
		struct hr_qty_list agg;
		(void)hr_aggregate_container_requests(&pod, true, &arena, &agg, &err);
		(void)hr_aggregate_container_requests(&pod, false, &arena, &agg, &err);
		(void)hr_pod_is_terminal(&pod);
		struct hr_pod *c = hr_pod_clone_compact(&pod, &dst, &intern);
		if (c) {
			same_resources(&pod.request, &c->request);
			FZ_CHECK(c->n_host_ports == pod.n_host_ports);
			hr_pod_compact(c);
			same_resources(&pod.request, &c->request);
		}
	}
	hr_arena_fini(&arena);
	hr_arena_fini(&dst);
}

/* As the pod of a capacity question (admit) or of a filter call (no admit). */
static void incoming_pod(const cJSON *doc, bool admit)
{
	struct hr_arena arena;
	struct hr_err err;
	struct hr_pod *pod = NULL;
	unsigned admitted = 0;
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_err_clear(&err);
	enum hr_code rc = hr_incoming_pod(doc, fz_snapshot()->snap, admit, admit ? "Pod" : NULL,
	                                  &arena, &pod, &admitted, &err);
	check_err(rc, &err);
	if (rc == HR_OK) {
		FZ_CHECK(pod && pod->finalized);
		if (admit) {
			hr_err_clear(&err);
			if (hr_validate_pod(pod, &err) != HR_OK)
				fprintf(stderr, "validate after finalize: %s: %s\n", err.where,
				        err.msg);
			FZ_CHECK(err.code == HR_OK);
			FZ_CHECK(pod->request.cpu_milli >= 0 && pod->request.mem_bytes >= 0);
		}
	}
	hr_arena_fini(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the capacity route's gate: a JSON object nesting at most 64 deep */
	if (hr_json_skip((const char *)data, size, 64, NULL, NULL) != HR_JSON_OBJECT)
		return 0;
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	if (!doc)
		return 0;
	existing_pod(doc);
	incoming_pod(doc, true);
	incoming_pod(doc, false);
	cJSON_Delete(doc);
	return 0;
}
