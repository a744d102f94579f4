/* filter_node_affinity.c: NodeAffinity Filter and PreFilter
 * (P/nodeaffinity/node_affinity.go; spec/predicates.md §2.4). */
#include "filter.h"

#include "selector.h"

bool hr_pod_matches_node_affinity(const struct hr_pod *pod, const struct hr_node *node)
{
	return hr_node_selector_map_matches(pod->node_selector, node->labels) &&
	       hr_node_selector_matches(&pod->node_affinity, node->labels, node->name);
}

bool hr_filter_node_affinity(const struct hr_pod *pod, const struct hr_node *node,
                             struct hr_node_status *out)
{
	if (hr_pod_matches_node_affinity(pod, node))
		return true;
	out->code = HR_STATUS_UNRESOLVABLE;
	out->plugin = HR_PLUGIN_NODE_AFFINITY;
	out->reasons = 1u << HR_R_NODE_AFFINITY;
	return false;
}

/* The names a term pins with metadata.name In (intersection over its
 * requirements), as flags over snapshot nodes. Returns false when the term
 * has no such requirement (then every node is eligible). */
static bool term_names(const struct hr_node_term *term, const struct hr_snapshot *snap,
                       bool *in_term)
{
	bool any = false;
	for (size_t k = 0; k < snap->n_nodes; k++)
		in_term[k] = true;
	for (size_t f = 0; f < term->n_fields; f++) {
		const struct hr_requirement *r = &term->fields[f];
		if (!hr_str_eq_c(r->key, "metadata.name") || r->op != HR_OP_IN)
			continue;
		any = true;
		for (size_t k = 0; k < snap->n_nodes; k++) {
			bool listed = false;
			for (size_t v = 0; v < r->n_values && !listed; v++)
				listed = hr_str_eq(r->values[v], snap->nodes[k].node->name);
			in_term[k] = in_term[k] && listed;
		}
	}
	return any;
}

/* Whether some term's name set is non-empty even counting names that are not
 * in the snapshot (the Go code unions raw value sets). */
static bool union_has_names(const struct hr_node_selector *sel)
{
	for (size_t t = 0; t < sel->n_terms; t++) {
		const struct hr_node_term *term = &sel->terms[t];
		const struct hr_requirement *first = NULL;
		bool empty = false;
		for (size_t f = 0; f < term->n_fields && !empty; f++) {
			const struct hr_requirement *r = &term->fields[f];
			if (!hr_str_eq_c(r->key, "metadata.name") || r->op != HR_OP_IN)
				continue;
			if (!first) {
				first = r;
				empty = r->n_values == 0;
				continue;
			}
			/* intersection of the first list with this one */
			bool shared = false;
			for (size_t a = 0; a < first->n_values && !shared; a++)
				for (size_t b = 0; b < r->n_values && !shared; b++)
					shared = hr_str_eq(first->values[a], r->values[b]);
			empty = !shared;
		}
		if (!empty)
			return true;
	}
	return false;
}

enum hr_code hr_node_affinity_prefilter(const struct hr_pod *pod, const struct hr_snapshot *snap,
                                        struct hr_arena *arena, const bool **allowed,
                                        bool *conflict, struct hr_err *err)
{
	const struct hr_node_selector *sel = &pod->node_affinity;
	*allowed = NULL;
	*conflict = false;
	if (!sel->present || sel->n_terms == 0)
		return HR_OK;
	bool *set = hr_arena_calloc(arena, snap->n_nodes + 1, sizeof(*set));
	bool *in_term = hr_arena_calloc(arena, snap->n_nodes + 1, sizeof(*in_term));
	if (!set || !in_term)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory in NodeAffinity PreFilter");
	for (size_t t = 0; t < sel->n_terms; t++) {
		if (!term_names(&sel->terms[t], snap, in_term))
			return HR_OK; /* this term allows any node: no restriction */
		for (size_t k = 0; k < snap->n_nodes; k++)
			set[k] = set[k] || in_term[k];
	}
	/* `set` only holds snapshot nodes; whether the union is empty (a conflict)
	 * is decided on the raw name lists, which may name unknown nodes. */
	if (!union_has_names(sel)) {
		*conflict = true;
		return HR_OK;
	}
	*allowed = set;
	return HR_OK;
}
