/* filter_coupled.h: the plugins whose outcome on one node depends on pods on
 * other nodes: PodTopologySpread (filter_spread.c) and InterPodAffinity
 * (filter_interpod.c). Internal to predicates/ (used by filter.c).
 *
 * Each prepare runs the plugin's PreFilter over the whole snapshot once and
 * stores per-topology-domain counts in the filter context (NULL state =
 * plugin skipped); filter answers one node from those counts; assume adds
 * one assumed copy of the incoming pod on a snapshot node to the counts.
 * Thread-safety: as the filter context (one request). */
#ifndef HR_FILTER_COUPLED_H
#define HR_FILTER_COUPLED_H

#include "filter.h"

enum hr_code hr_spread_prepare(struct hr_filter_ctx *ctx, struct hr_err *err);
bool hr_spread_filter(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                      struct hr_node_status *out);
void hr_spread_assume(struct hr_filter_ctx *ctx, size_t index);

enum hr_code hr_affinity_prepare(struct hr_filter_ctx *ctx, struct hr_err *err);
bool hr_affinity_filter(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                        struct hr_node_status *out);
void hr_affinity_assume(struct hr_filter_ctx *ctx, size_t index);
/* Does any existing pod's required anti-affinity match the incoming pod? */
bool hr_affinity_has_existing_anti(const struct hr_filter_ctx *ctx);

#endif
