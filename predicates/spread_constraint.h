/* spread_constraint.h: how PodTopologySpread reads one topology spread
 * constraint of the incoming pod, shared by its Filter (filter_spread.c) and
 * Score (score.c) so the two cannot drift apart.
 * Pure functions; thread-safety: the caller's arena only. */
#ifndef HR_SPREAD_CONSTRAINT_H
#define HR_SPREAD_CONSTRAINT_H

#include <stdbool.h>
#include "arena.h"
#include "model.h"

/* The constraint's selector as the scheduler counts pods with it: its
 * labelSelector AND (key = the pod's value) for each matchLabelKeys key the
 * pod has. *out borrows from c and pod; new requirements live in arena.
 * Returns false when the arena is out of memory. */
bool hr_spread_selector(const struct hr_spread_constraint *c, const struct hr_pod *pod,
                        struct hr_arena *arena, struct hr_label_selector *out);

/* Whether node counts for c under its node inclusion policies:
 * nodeAffinityPolicy Honor needs the pod's node affinity/nodeSelector to
 * match, nodeTaintsPolicy Honor needs every NoSchedule/NoExecute taint
 * tolerated. */
bool hr_spread_node_included(const struct hr_spread_constraint *c, const struct hr_pod *pod,
                             const struct hr_node *node);

#endif
