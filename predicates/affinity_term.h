/* affinity_term.h: whether a pod (anti-)affinity term matches a pod
 * (kube-scheduler framework AffinityTerm.Matches; spec/predicates.md §2.7).
 *
 * A term's namespace set: `namespaces` and `namespaceSelector` both unset ->
 * the owner pod's own namespace; otherwise the listed names plus every
 * namespace whose labels match the selector ({} = all namespaces).
 * Thread-safety: reentrant. */
#ifndef HR_AFFINITY_TERM_H
#define HR_AFFINITY_TERM_H

#include <stdbool.h>
#include "model.h"
#include "snapshot.h"

/* The labels of a namespace in the snapshot, or NULL when it is not there. */
const struct hr_labels *hr_namespace_labels(const struct hr_snapshot *snap, struct hr_str ns);

/* Does `target` match `term` (owned by `owner`)? target_ns_labels are the
 * labels of target's namespace; NULL means the namespace is unknown, and
 * then a non-empty namespaceSelector matches nothing. */
bool hr_term_matches_pod(const struct hr_affinity_term *term, const struct hr_pod *owner,
                         const struct hr_pod *target, const struct hr_labels *target_ns_labels);

/* Does target match every term? False when there are no terms. */
bool hr_pod_matches_all_terms(const struct hr_pod *owner, struct hr_affinity_terms terms,
                              const struct hr_pod *target,
                              const struct hr_labels *target_ns_labels);

#endif
