/* fuzz_selector.c: label selectors and node selector terms, JSON -> model ->
 * matching (predicates/decode.h, selector.h, affinity_term.h, filter.h).
 *
 * The input is a JSON object {"selector": <LabelSelector>, "nodeSelectorTerms":
 * [...], "labels": {...}, "nodeName": "..."}. The selector is decoded on its own
 * (hr_decode_label_selector); then a Pod is assembled around the parts (node
 * affinity required and preferred terms, nodeSelector, pod affinity and a
 * topology spread constraint using the selector) and a Node carrying the labels,
 * both decoded as the snapshot would decode them, and everything is matched.
 * Checked: a selector's match is the AND of its requirements; a label map
 * matches itself as a nodeSelector; the validators agree with each other. */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "affinity_term.h"
#include "common.h"
#include "decode.h"
#include "filter.h"
#include "selector.h"

#define ARENA_CAP (8u << 20)

static void check_selector(const struct hr_label_selector *sel, struct hr_labels labels)
{
	bool m = hr_label_selector_matches(sel, labels);
	if (!sel->present || sel->invalid) {
		FZ_CHECK(!m);
		return;
	}
	bool all = true;
	for (size_t i = 0; i < sel->n_reqs; i++)
		all = hr_requirement_matches(&sel->reqs[i], labels) && all;
	FZ_CHECK(m == all);
}

static void check_labels(struct hr_labels labels)
{
	for (size_t i = 0; i < labels.n; i++) {
		struct hr_str k = labels.v[i].key, v = labels.v[i].value;
		if (i > 0)
			FZ_CHECK(hr_str_cmp(labels.v[i - 1].key, k) < 0); /* sorted, unique */
		const struct hr_str *got = hr_labels_get(labels, k);
		FZ_CHECK(got && hr_str_eq(*got, v));
		if (hr_is_dns_label(k))
			FZ_CHECK(hr_is_dns_subdomain(k));
		(void)hr_is_qualified_name(k);
		(void)hr_is_label_value(v);
		int64_t n;
		(void)hr_parse_int64(v, &n);
	}
	FZ_CHECK(hr_node_selector_map_matches(labels, labels));
}

/* Adds name -> item (borrowed) to obj when item is not NULL. */
static void add_ref(cJSON *obj, const char *name, cJSON *item)
{
	if (item)
		cJSON_AddItemReferenceToObject(obj, name, item);
}

static cJSON *build_pod(cJSON *sel, cJSON *terms, cJSON *labels)
{
	cJSON *pod = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(pod, "metadata");
	cJSON_AddStringToObject(meta, "name", "probe");
	cJSON_AddStringToObject(meta, "namespace", "default");
	add_ref(meta, "labels", labels);
	cJSON *spec = cJSON_AddObjectToObject(pod, "spec");
	cJSON *ctr = cJSON_CreateObject();
	cJSON_AddStringToObject(ctr, "name", "c");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "containers"), ctr);
	add_ref(spec, "nodeSelector", labels);
	cJSON *aff = cJSON_AddObjectToObject(spec, "affinity");
	cJSON *na = cJSON_AddObjectToObject(aff, "nodeAffinity");
	if (terms) {
		cJSON *req =
		    cJSON_AddObjectToObject(na, "requiredDuringSchedulingIgnoredDuringExecution");
		add_ref(req, "nodeSelectorTerms", terms);
		cJSON *first = cJSON_IsArray(terms) ? cJSON_GetArrayItem(terms, 0) : NULL;
		if (first) {
			cJSON *pref = cJSON_CreateObject();
			cJSON_AddNumberToObject(pref, "weight", 10);
			add_ref(pref, "preference", first);
			cJSON_AddItemToArray(
			    cJSON_AddArrayToObject(
			        na, "preferredDuringSchedulingIgnoredDuringExecution"),
			    pref);
		}
	}
	if (sel) {
		cJSON *term = cJSON_CreateObject();
		add_ref(term, "labelSelector", sel);
		add_ref(term, "namespaceSelector", sel);
		cJSON_AddStringToObject(term, "topologyKey", "topology.kubernetes.io/zone");
		cJSON *pa = cJSON_AddObjectToObject(aff, "podAffinity");
		cJSON_AddItemToArray(
		    cJSON_AddArrayToObject(pa, "requiredDuringSchedulingIgnoredDuringExecution"),
		    term);
		cJSON *tsc = cJSON_CreateObject();
		cJSON_AddNumberToObject(tsc, "maxSkew", 1);
		cJSON_AddStringToObject(tsc, "topologyKey", "topology.kubernetes.io/zone");
		cJSON_AddStringToObject(tsc, "whenUnsatisfiable", "DoNotSchedule");
		add_ref(tsc, "labelSelector", sel);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "topologySpreadConstraints"),
		                     tsc);
	}
	return pod;
}

static cJSON *build_node(cJSON *name, cJSON *labels)
{
	cJSON *node = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(node, "metadata");
	if (name)
		add_ref(meta, "name", name);
	else
		cJSON_AddStringToObject(meta, "name", "node-x");
	add_ref(meta, "labels", labels);
	return node;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
	if (!doc)
		return 0;
	cJSON *sel = cJSON_GetObjectItemCaseSensitive(doc, "selector");
	cJSON *terms = cJSON_GetObjectItemCaseSensitive(doc, "nodeSelectorTerms");
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(doc, "labels");
	cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "nodeName");

	struct hr_arena arena;
	struct hr_err err;
	struct hr_decoder d;
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_err_clear(&err);
	hr_decoder_init(&d, &arena, NULL, &err);

	struct hr_label_selector ls;
	bool have_ls = sel && hr_decode_label_selector(&d, sel, &ls) == HR_OK;

	cJSON *pod_json = build_pod(sel, terms, labels);
	cJSON *node_json = build_node(name, labels);
	struct hr_pod pod;
	struct hr_node node;
	hr_err_clear(&err);
	bool have_pod = hr_decode_pod(&d, pod_json, &pod) == HR_OK;
	hr_err_clear(&err);
	bool have_node = hr_decode_node(&d, node_json, &node) == HR_OK;

	if (have_node) {
		check_labels(node.labels);
		if (have_ls)
			check_selector(&ls, node.labels);
	}
	if (have_node && have_pod) {
		bool m = hr_node_selector_matches(&pod.node_affinity, node.labels, node.name);
		bool any = !pod.node_affinity.present;
		for (size_t i = 0; i < pod.node_affinity.n_terms; i++)
			any = hr_node_term_matches(&pod.node_affinity.terms[i], node.labels,
			                           node.name) ||
			      any;
		FZ_CHECK(m == any);
		(void)hr_pod_matches_node_affinity(&pod, &node);
		FZ_CHECK(hr_node_selector_map_matches(pod.node_selector, node.labels));
		for (size_t i = 0; i < pod.n_preferred_node_affinity; i++)
			(void)hr_node_term_matches(&pod.preferred_node_affinity[i].term,
			                           node.labels, node.name);
		const struct hr_snapshot *snap = fz_snapshot()->snap;
		for (size_t i = 0; i < pod.pod_affinity.n; i++) {
			check_selector(&pod.pod_affinity.v[i].selector, pod.labels);
			(void)hr_term_matches_pod(&pod.pod_affinity.v[i], &pod, &pod,
			                          hr_namespace_labels(snap, pod.namespace));
			for (size_t j = 0; j < snap->n_pods; j++)
				(void)hr_term_matches_pod(
				    &pod.pod_affinity.v[i], &pod, snap->pods[j],
				    hr_namespace_labels(snap, snap->pods[j]->namespace));
		}
		for (size_t i = 0; i < pod.n_spread; i++)
			check_selector(&pod.spread[i].selector, node.labels);
	}
	cJSON_Delete(pod_json);
	cJSON_Delete(node_json);
	cJSON_Delete(doc);
	hr_arena_fini(&arena);
	return 0;
}
