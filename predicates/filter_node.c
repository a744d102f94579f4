/* filter_node.c: the plugins that look only at the node object:
 * NodeUnschedulable (P/nodeunschedulable), NodeName (P/nodename) and
 * TaintToleration (P/tainttoleration), spec/predicates.md §2.1–2.3. */
#include "filter.h"

static bool fail(struct hr_node_status *out, enum hr_plugin plugin, enum hr_status_code code,
                 enum hr_reason reason)
{
	out->code = code;
	out->plugin = plugin;
	out->reasons = 1u << reason;
	return false;
}

bool hr_toleration_tolerates(const struct hr_toleration *t, const struct hr_taint *taint)
{
	if (t->effect != HR_EFFECT_ANY && t->effect != taint->effect)
		return false;
	if (t->key.n > 0 && !hr_str_eq(t->key, taint->key))
		return false;
	switch (t->op) {
	case HR_TOL_EQUAL:
		return hr_str_eq(t->value, taint->value);
	case HR_TOL_EXISTS:
		return true;
	case HR_TOL_INVALID:
		break;
	}
	return false;
}

static bool tolerated(const struct hr_taint *taint, const struct hr_toleration *tols, size_t n_tols)
{
	for (size_t i = 0; i < n_tols; i++)
		if (hr_toleration_tolerates(&tols[i], taint))
			return true;
	return false;
}

const struct hr_taint *hr_first_untolerated_taint(const struct hr_taint *taints, size_t n_taints,
                                                  const struct hr_toleration *tols, size_t n_tols)
{
	for (size_t i = 0; i < n_taints; i++) {
		const struct hr_taint *t = &taints[i];
		if (t->effect != HR_EFFECT_NO_SCHEDULE && t->effect != HR_EFFECT_NO_EXECUTE)
			continue;
		if (!tolerated(t, tols, n_tols))
			return t;
	}
	return NULL;
}

bool hr_filter_node_unschedulable(const struct hr_pod *pod, const struct hr_node *node,
                                  struct hr_node_status *out)
{
	static const struct hr_taint unschedulable = {
	    .key = {"node.kubernetes.io/unschedulable", 32},
	    .value = {"", 0},
	    .effect = HR_EFFECT_NO_SCHEDULE,
	};
	if (!node->unschedulable || tolerated(&unschedulable, pod->tolerations, pod->n_tolerations))
		return true;
	return fail(out, HR_PLUGIN_NODE_UNSCHEDULABLE, HR_STATUS_UNRESOLVABLE,
	            HR_R_NODE_UNSCHEDULABLE);
}

bool hr_filter_node_name(const struct hr_pod *pod, const struct hr_node *node,
                         struct hr_node_status *out)
{
	if (pod->node_name.n == 0 || hr_str_eq(pod->node_name, node->name))
		return true;
	return fail(out, HR_PLUGIN_NODE_NAME, HR_STATUS_UNRESOLVABLE, HR_R_NODE_NAME);
}

bool hr_filter_taints(const struct hr_pod *pod, const struct hr_node *node,
                      struct hr_node_status *out)
{
	const struct hr_taint *t = hr_first_untolerated_taint(node->taints, node->n_taints,
	                                                      pod->tolerations, pod->n_tolerations);
	if (!t)
		return true;
	fail(out, HR_PLUGIN_TAINT_TOLERATION, HR_STATUS_UNRESOLVABLE, HR_R_TAINT);
	out->taint = t;
	return false;
}
