/* fuzz_snapshot.c: a whole cluster document to a snapshot, three ways, then
 * two fixed pods counted on it (predicates/snapshot.h, jsonspan.h splitter,
 * extender/source_file.h, capacity.h, answer.h).
 *
 * The input is a v1 List (or a typed list, or one object). It is loaded
 *  1. in memory: cJSON, then hr_snapshot_from_json;
 *  2. by the real streaming loader, xt_source_file_load, reading the bytes
 *     from a memory file (memfd; no file on disk is touched);
 *  3. by the same streaming steps fed in pseudo-random chunks from 1 byte up.
 * Checked: 2 and 3 agree exactly (chunking never changes the result); when
 * every item names its kind, 1 and 2 agree on what they counted. Then an
 * uncoupled pod (resources, tolerations, node affinity) and a coupled one
 * (anti-affinity, topology spread) are admitted against the snapshot and
 * counted, at most 40 copies, and the answer is rendered. */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "answer.h"
#include "capacity.h"
#include "common.h"
#include "incoming.h"
#include "jsonget.h"
#include "jsonspan.h"
#include "snapshot.h"
#include "source_file.h"

#define ARENA_CAP  (64u << 20)
#define MAX_COPIES 40
#define MAX_ROUNDS 200 /* should_stop calls before the loop is told to stop */

static const char *const pods_json[] = {
    "{\"metadata\":{\"name\":\"u\",\"namespace\":\"default\",\"labels\":{\"app\":\"u\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":"
    "8080}],\"resources\":{\"requests\":{\"cpu\":\"250m\",\"memory\":\"256Mi\","
    "\"example.com/gpu\":\"1\"},\"limits\":{\"example.com/gpu\":\"1\"}}}],"
    "\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Exists\"}],"
    "\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{"
    "\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"kubernetes.io/os\","
    "\"operator\":\"NotIn\",\"values\":[\"windows\"]}]}]}}}}}",
    "{\"metadata\":{\"name\":\"k\",\"namespace\":\"default\",\"labels\":{\"app\":\"k\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}],"
    "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":[{"
    "\"labelSelector\":{\"matchLabels\":{\"app\":\"k\"}},\"topologyKey\":"
    "\"kubernetes.io/hostname\"}]},\"podAffinity\":{\"preferredDuringSchedulingIgnoredDuring"
    "Execution\":[{\"weight\":50,\"podAffinityTerm\":{\"labelSelector\":{\"matchExpressions\":"
    "[{\"key\":\"app\",\"operator\":\"Exists\"}]},\"topologyKey\":\"topology.kubernetes.io/"
    "zone\"}}]}},\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":"
    "\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
    "\"labelSelector\":{\"matchLabels\":{\"app\":\"k\"}}}]}}",
};

struct counts {
	size_t nodes, pods, namespaces, limit_ranges, runtime_classes;
	struct hr_snapshot_stats stats;
	char rv[256];
};

static void counts_of(const struct hr_snapshot *s, struct counts *c)
{
	memset(c, 0, sizeof(*c));
	c->nodes = s->n_nodes;
	c->pods = s->n_pods;
	c->namespaces = s->n_namespaces;
	c->limit_ranges = s->n_limit_ranges;
	c->runtime_classes = s->n_runtime_classes;
	c->stats = s->stats;
	size_t n =
	    s->resource_version.n < sizeof(c->rv) - 1 ? s->resource_version.n : sizeof(c->rv) - 1;
	if (n)
		memcpy(c->rv, s->resource_version.p, n);
}

static bool same_counts(const struct counts *a, const struct counts *b)
{
	return a->nodes == b->nodes && a->pods == b->pods && a->namespaces == b->namespaces &&
	       a->limit_ranges == b->limit_ranges && a->runtime_classes == b->runtime_classes &&
	       memcmp(&a->stats, &b->stats, sizeof(a->stats)) == 0 && strcmp(a->rv, b->rv) == 0;
}

/* ---- 2: the real loader, on a memory file ---- */

static enum hr_code load_file(const uint8_t *data, size_t size, struct xt_snap **out,
                              struct hr_err *err)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-snapshot", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	const char *paths[] = {path};
	return xt_source_file_load(paths, 1, out, err);
}

/* ---- 3: the loader's steps, in small chunks ---- */

struct chunk_ctx {
	struct hr_snap_builder *b;
	struct hr_err *err;
};

static enum hr_code on_element(void *vctx, struct hr_json_span element, size_t index)
{
	struct chunk_ctx *ctx = vctx;
	return xt_source_add_item(ctx->b, element, index, "fuzz input", ctx->err);
}

static enum hr_code load_chunked(const uint8_t *data, size_t size, struct hr_arena *arena,
                                 const struct hr_snapshot **out, struct hr_err *err)
{
	struct fz_rng rng;
	struct hr_snap_builder b;
	struct hr_json_splitter sp;
	struct chunk_ctx ctx = {&b, err};
	struct hr_json_splitter_config cfg = {.path = "items",
	                                      .max_element_bytes = 64u << 20,
	                                      .max_depth = 256,
	                                      .on_element = on_element,
	                                      .ctx = &ctx};
	fz_rng_seed(&rng, data, size, 3);
	hr_snap_builder_init(&b, arena, err);
	enum hr_code rc = hr_json_splitter_init(&sp, &cfg);
	for (size_t at = 0; rc == HR_OK && at < size;) {
		size_t n = fz_rng_chunk(&rng, size - at);
		uint8_t *chunk = malloc(n);
		if (!chunk)
			abort();
		memcpy(chunk, data + at, n);
		rc = hr_json_splitter_feed(&sp, chunk, n);
		free(chunk);
		at += n;
	}
	if (rc == HR_OK)
		rc = hr_json_splitter_finish(&sp);
	if (rc != HR_OK && err->code == HR_OK)
		hr_err_set(err, rc, NULL, "%s", sp.err.msg);
	if (rc == HR_OK && sp.found && sp.has_resource_version)
		hr_snap_builder_set_resource_version(&b, hr_str_c(sp.resource_version));
	bool single = rc == HR_OK && !sp.found;
	hr_json_splitter_fini(&sp);
	if (single) {
		cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
		rc = doc ? hr_snap_builder_add_document(&b, doc)
		         : hr_err_set(err, HR_EINVAL, NULL, "not valid JSON");
		cJSON_Delete(doc);
	}
	if (rc == HR_OK)
		rc = hr_snap_builder_finish(&b, out);
	hr_snap_builder_fini(&b);
	return rc;
}

/* ---- the fixed pods counted on the snapshot ---- */

static bool stop_after(void *ctx)
{
	int *rounds = ctx;
	return ++*rounds > MAX_ROUNDS;
}

static void emit_note(void *ctx, const char *note)
{
	FZ_CHECK(note && note[0]);
	(void)ctx;
}

static void count_pods(const struct hr_snapshot *snap)
{
	static cJSON *pods[2];
	for (size_t i = 0; i < 2; i++) {
		if (!pods[i] && !(pods[i] = cJSON_Parse(pods_json[i])))
			abort();
		struct hr_arena arena;
		struct hr_err err;
		struct hr_pod *pod;
		unsigned admitted = 0;
		hr_arena_init(&arena, NULL, ARENA_CAP);
		hr_err_clear(&err);
		enum hr_code rc =
		    hr_incoming_pod(pods[i], snap, true, "Pod", &arena, &pod, &admitted, &err);
		int rounds = 0;
		struct hr_capacity_opts opts = {
		    .max_copies = MAX_COPIES, .should_stop = stop_after, .stop_ctx = &rounds};
		struct hr_capacity_result res;
		if (rc == HR_OK)
			rc = hr_capacity(snap, pod, &opts, &arena, &res, &err);
		FZ_CHECK(rc == HR_OK || err.code == rc);
		if (rc == HR_OK) {
			FZ_CHECK(res.count >= 0 && res.count <= MAX_COPIES);
			int64_t sum = 0;
			for (size_t k = 0; k < res.n_nodes; k++)
				sum += res.nodes[k].count;
			FZ_CHECK(sum == res.count);
			struct hr_answer_info info = {.kind = "Pod",
			                              .name = "probe",
			                              .has_replicas = true,
			                              .replicas = 3,
			                              .admitted = admitted,
			                              .resource_version = "",
			                              .per_node = true};
			struct hr_buf out;
			hr_buf_init(&out, 1u << 20);
			hr_answer_capacity_json(&res, pod, snap, &info, &out);
			hr_answer_capacity_table(&res, pod, snap, &info, &out);
			hr_answer_notes(&res, pod, snap, &info, emit_note, NULL);
			hr_buf_fini(&out);
		}
		hr_arena_fini(&arena);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 1. in memory */
	struct hr_arena arena;
	struct hr_err err;
	const struct hr_snapshot *whole = NULL;
	struct counts c_whole = {0};
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_err_clear(&err);
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	enum hr_code rc_whole = doc ? hr_snapshot_from_json(doc, &arena, &whole, &err) : HR_EINVAL;
	if (rc_whole == HR_OK)
		counts_of(whole, &c_whole);

	/* 2. the real loader */
	struct xt_snap *file = NULL;
	struct hr_err err_file;
	hr_err_clear(&err_file);
	enum hr_code rc_file = load_file(data, size, &file, &err_file);
	FZ_CHECK(rc_file == HR_OK || err_file.code != HR_OK);

	/* 3. in chunks */
	struct hr_arena arena3;
	struct hr_err err3;
	const struct hr_snapshot *chunked = NULL;
	hr_arena_init(&arena3, NULL, ARENA_CAP);
	hr_err_clear(&err3);
	enum hr_code rc3 = load_chunked(data, size, &arena3, &chunked, &err3);

	FZ_CHECK((rc_file == HR_OK) == (rc3 == HR_OK));
	if (rc_file == HR_OK) {
		struct counts c_file, c3;
		counts_of(file->snap, &c_file);
		counts_of(chunked, &c3);
		FZ_CHECK(same_counts(&c_file, &c3));
		/* in memory agrees when no item needs its kind guessed */
		const cJSON *items = hr_cj_member(doc, "items");
		bool all_kinds = cJSON_IsArray(items);
		const cJSON *it;
		cJSON_ArrayForEach(it, items) all_kinds =
		    all_kinds && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "kind"));
		if (rc_whole == HR_OK && all_kinds && cJSON_GetArraySize(items) > 0)
			FZ_CHECK(same_counts(&c_whole, &c_file));
		count_pods(file->snap);
	} else if (rc_whole == HR_OK) {
		count_pods(whole);
	}
	xt_snap_release(file);
	hr_arena_fini(&arena3);
	cJSON_Delete(doc);
	hr_arena_fini(&arena);
	return 0;
}
