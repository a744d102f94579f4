/* fuzz_node.c: Node, Namespace, LimitRange and RuntimeClass JSON to the model
 * (predicates/decode.h, clone.h, snapshot.h).
 *
 * The input is one Kubernetes object as JSON. It goes through every one of the
 * four decoders (whatever its kind: a decoder must reject what it cannot read,
 * never misread it), each result is cloned into a second arena as a snapshot
 * or the watch store would, and the object is added to a snapshot builder by
 * its kind (or as a Node when it has none) next to two fixed pods, so the
 * per-node aggregates are computed too. Checked: clones keep names, labels and
 * allocatable; a finished snapshot's nodes are sorted and unique. */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clone.h"
#include "common.h"
#include "decode.h"
#include "jsonspan.h"
#include "snapshot.h"

#define ARENA_CAP (32u << 20)

static const char pods_json[] =
    "[{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"namespace\":\"default\"},\"spec\":{"
    "\"nodeName\":\"node-x\",\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,"
    "\"hostPort\":8080}],\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\","
    "\"example.com/gpu\":\"1\"},\"limits\":{\"example.com/gpu\":\"1\"}}}]}},"
    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\",\"namespace\":\"default\"},\"spec\":{"
    "\"nodeName\":\"node-y\",\"containers\":[{\"name\":\"c\"}]}}]";

static void same_labels(struct hr_labels a, struct hr_labels b)
{
	FZ_CHECK(a.n == b.n);
	for (size_t i = 0; i < a.n; i++)
		FZ_CHECK(hr_str_eq(a.v[i].key, b.v[i].key) &&
		         hr_str_eq(a.v[i].value, b.v[i].value));
}

static void decode_all(const cJSON *doc)
{
	struct hr_arena arena, dst;
	struct hr_intern intern;
	struct hr_decoder d;
	struct hr_err err;
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_arena_init(&dst, NULL, ARENA_CAP);
	hr_intern_init(&intern, &dst);
	hr_decoder_init(&d, &arena, NULL, &err);

	struct hr_node node;
	hr_err_clear(&err);
	if (hr_decode_node(&d, doc, &node) == HR_OK) {
		struct hr_node *c = hr_node_clone(&node, &dst, &intern);
		if (c) {
			FZ_CHECK(hr_str_eq(c->name, node.name));
			same_labels(c->labels, node.labels);
			FZ_CHECK(c->n_taints == node.n_taints);
			FZ_CHECK(c->allocatable.cpu_milli == node.allocatable.cpu_milli &&
			         c->allocatable.mem_bytes == node.allocatable.mem_bytes &&
			         c->allocatable.pods == node.allocatable.pods &&
			         c->allocatable.n_scalars == node.allocatable.n_scalars);
		}
	} else {
		FZ_CHECK(err.code != HR_OK);
	}
	struct hr_namespace ns;
	hr_err_clear(&err);
	if (hr_decode_namespace(&d, doc, &ns) == HR_OK) {
		struct hr_namespace *c = hr_namespace_clone(&ns, &dst, &intern);
		if (c) {
			FZ_CHECK(hr_str_eq(c->name, ns.name) && hr_str_eq(c->enforce, ns.enforce));
			same_labels(c->labels, ns.labels);
		}
	}
	struct hr_limit_range lr;
	hr_err_clear(&err);
	if (hr_decode_limit_range(&d, doc, &lr) == HR_OK) {
		struct hr_limit_range *c = hr_limit_range_clone(&lr, &dst, &intern);
		if (c)
			FZ_CHECK(c->n_items == lr.n_items && hr_str_eq(c->namespace, lr.namespace));
	}
	struct hr_runtime_class rc;
	hr_err_clear(&err);
	if (hr_decode_runtime_class(&d, doc, &rc) == HR_OK) {
		struct hr_runtime_class *c = hr_runtime_class_clone(&rc, &dst, &intern);
		if (c) {
			FZ_CHECK(c->n_tolerations == rc.n_tolerations &&
			         c->overhead.n == rc.overhead.n);
			same_labels(c->node_selector, rc.node_selector);
		}
	}
	hr_arena_fini(&arena);
	hr_arena_fini(&dst);
}

/* The object in a snapshot, between two fixed pods that may land on it. */
static void build_snapshot(const cJSON *doc)
{
	static cJSON *pods;
	if (!pods && !(pods = cJSON_Parse(pods_json)))
		abort();
	struct hr_arena arena;
	struct hr_err err;
	struct hr_snap_builder b;
	const struct hr_snapshot *snap = NULL;
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_err_clear(&err);
	hr_snap_builder_init(&b, &arena, &err);
	const char *hint = cJSON_GetObjectItemCaseSensitive(doc, "kind") ? NULL : "Node";
	enum hr_code rc =
	    hr_snap_builder_add_json(&b, cJSON_GetArrayItem(pods, 0), NULL, "pods[0]");
	if (rc == HR_OK)
		rc = hr_snap_builder_add_json(&b, doc, hint, "object");
	if (rc == HR_OK)
		rc = hr_snap_builder_add_json(&b, cJSON_GetArrayItem(pods, 1), NULL, "pods[1]");
	if (rc == HR_OK)
		rc = hr_snap_builder_finish(&b, &snap);
	FZ_CHECK(rc == HR_OK || err.code == rc);
	if (rc == HR_OK) {
		for (size_t i = 1; i < snap->n_nodes; i++)
			FZ_CHECK(hr_str_cmp(snap->nodes[i - 1].node->name,
			                    snap->nodes[i].node->name) < 0);
		for (size_t i = 0; i < snap->n_nodes; i++) {
			FZ_CHECK(snap->nodes[i].index == i);
			FZ_CHECK(hr_snap_find_node(snap, snap->nodes[i].node->name) ==
			         &snap->nodes[i]);
		}
	}
	hr_snap_builder_fini(&b);
	hr_arena_fini(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (hr_json_skip((const char *)data, size, 64, NULL, NULL) != HR_JSON_OBJECT)
		return 0;
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	if (!doc)
		return 0;
	decode_all(doc);
	build_snapshot(doc);
	cJSON_Delete(doc);
	return 0;
}
