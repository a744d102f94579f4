/* spread_constraint.c: see spread_constraint.h. */
#include "spread_constraint.h"

#include "filter.h"

bool hr_spread_selector(const struct hr_spread_constraint *c, const struct hr_pod *pod,
                        struct hr_arena *arena, struct hr_label_selector *out)
{
	*out = c->selector;
	if (!c->selector.present || c->n_match_label_keys == 0)
		return true;
	struct hr_requirement *reqs =
	    hr_arena_calloc(arena, c->selector.n_reqs + c->n_match_label_keys, sizeof(*reqs));
	if (!reqs)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < c->n_match_label_keys; i++) {
		const struct hr_str *v = hr_labels_get(pod->labels, c->match_label_keys[i]);
		if (v)
			reqs[n++] = (struct hr_requirement){.key = c->match_label_keys[i],
			                                    .op = HR_OP_EQUALS,
			                                    .values = v,
			                                    .n_values = 1};
	}
	for (size_t i = 0; i < c->selector.n_reqs; i++)
		reqs[n++] = c->selector.reqs[i];
	out->reqs = reqs;
	out->n_reqs = n;
	return true;
}

bool hr_spread_node_included(const struct hr_spread_constraint *c, const struct hr_pod *pod,
                             const struct hr_node *node)
{
	if (c->node_affinity_policy == HR_POLICY_HONOR && !hr_pod_matches_node_affinity(pod, node))
		return false;
	return c->node_taints_policy != HR_POLICY_HONOR ||
	       !hr_first_untolerated_taint(node->taints, node->n_taints, pod->tolerations,
	                                   pod->n_tolerations);
}
