/* affinity_term.c: affinity term matching. */
#include "affinity_term.h"

#include "selector.h"

const struct hr_labels *hr_namespace_labels(const struct hr_snapshot *snap, struct hr_str ns)
{
	const struct hr_namespace *n = hr_snap_find_namespace(snap, ns);
	return n ? &n->labels : NULL;
}

static bool namespace_matches(const struct hr_affinity_term *term, const struct hr_pod *owner,
                              const struct hr_pod *target, const struct hr_labels *ns_labels)
{
	if (term->n_namespaces == 0 && !term->ns_selector.present)
		return hr_str_eq(target->namespace, owner->namespace);
	for (size_t i = 0; i < term->n_namespaces; i++)
		if (hr_str_eq(term->namespaces[i], target->namespace))
			return true;
	if (!term->ns_selector.present || term->ns_selector.invalid)
		return false;
	if (term->ns_selector.n_reqs == 0)
		return true; /* namespaceSelector: {} selects every namespace */
	return ns_labels && hr_label_selector_matches(&term->ns_selector, *ns_labels);
}

bool hr_term_matches_pod(const struct hr_affinity_term *term, const struct hr_pod *owner,
                         const struct hr_pod *target, const struct hr_labels *target_ns_labels)
{
	return namespace_matches(term, owner, target, target_ns_labels) &&
	       hr_label_selector_matches(&term->selector, target->labels);
}

bool hr_pod_matches_all_terms(const struct hr_pod *owner, struct hr_affinity_terms terms,
                              const struct hr_pod *target, const struct hr_labels *target_ns_labels)
{
	if (terms.n == 0)
		return false;
	for (size_t i = 0; i < terms.n; i++)
		if (!hr_term_matches_pod(&terms.v[i], owner, target, target_ns_labels))
			return false;
	return true;
}
