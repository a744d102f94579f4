/* score.h: kube-scheduler 1.34's default-profile Score plugins, used by the
 * capacity loop to place each copy where the scheduler would.
 *
 * Plugins and weights: TaintToleration 3, NodeAffinity 2, NodeResourcesFit
 * (LeastAllocated, cpu and memory weight 1) 1, PodTopologySpread 2,
 * InterPodAffinity 2, NodeResourcesBalancedAllocation 1, ImageLocality 1.
 * Each plugin scores the feasible nodes 0..100 (after its NormalizeScore),
 * the weighted sum picks the node; kube-scheduler breaks ties at random,
 * headroom picks the first tied node in name order and reports the tie.
 * Not modelled: the system-default spreading (it needs the Services and
 * ReplicaSets that select the pod), VolumeBinding scoring, and the sampling
 * of nodes kube-scheduler does on clusters of 100+ nodes
 * (percentageOfNodesToScore).
 *
 * The scorer keeps incremental state so each round costs O(feasible nodes):
 * copies assumed on a node update the node's requested resources and the
 * spread / inter-pod affinity counts.
 * Thread-safety: one capacity request; not shared. */
#ifndef HR_SCORE_H
#define HR_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "filter.h"

enum hr_score_plugin {
	HR_SCORE_TAINT_TOLERATION,
	HR_SCORE_NODE_AFFINITY,
	HR_SCORE_RESOURCES_FIT,
	HR_SCORE_TOPOLOGY_SPREAD,
	HR_SCORE_INTER_POD_AFFINITY,
	HR_SCORE_BALANCED_ALLOCATION,
	HR_SCORE_IMAGE_LOCALITY,
	HR_SCORE_PLUGIN_COUNT
};

/* Default-profile weight of each score plugin. */
extern const int64_t hr_score_weight[HR_SCORE_PLUGIN_COUNT];

struct hr_score_spread;   /* soft topology spread state */
struct hr_score_affinity; /* inter-pod affinity score state */

struct hr_scorer {
	struct hr_filter_ctx *ctx; /* borrowed: snapshot, pod, overlay counts */
	struct hr_arena *arena;
	int64_t *intolerable;   /* per node: PreferNoSchedule taints not tolerated */
	int64_t *node_affinity; /* per node: sum of matching preferred term weights */
	int64_t *image;         /* per node: ImageLocality raw score (0..100) */
	bool balanced_skip;     /* best-effort pod: BalancedAllocation skipped */
	bool tie_last;          /* break ties by the last node in name order, not the first */
	struct hr_score_spread *spread;
	struct hr_score_affinity *affinity;
	int64_t *raw;   /* scratch: [plugin][feasible index] */
	int64_t *total; /* scratch: per feasible index */
};

/* Precomputes the per-node parts that do not change as copies are placed. */
enum hr_code hr_scorer_init(struct hr_scorer *s, struct hr_filter_ctx *ctx, struct hr_arena *arena,
                            struct hr_err *err) __attribute__((warn_unused_result));

/* Scores the feasible nodes (snapshot indexes, ascending) and returns the
 * index of the best one; *tie tells whether another node had the same total. */
size_t hr_scorer_pick(struct hr_scorer *s, const size_t *feasible, size_t n_feasible, bool *tie);

/* Like hr_scorer_pick, but fills totals[i] (weighted sum) for each feasible node. */
void hr_scorer_totals(struct hr_scorer *s, const size_t *feasible, size_t n_feasible,
                      int64_t *totals);

/* After hr_scorer_totals or hr_scorer_pick: plugin p's score for each
 * feasible index of that call, after its NormalizeScore and before its
 * weight (0..100; 0 for a plugin whose PreScore skipped). Valid until the
 * next call; for tests and the prioritize verb. */
const int64_t *hr_scorer_plugin_scores(const struct hr_scorer *s, enum hr_score_plugin p);

/* True when each node's total depends only on that node and the copies on
 * it, now and after more copies: no soft spread constraints, no inter-pod
 * affinity scores (none from existing pods, and the pod has no preferred or
 * required affinity terms that copies would bring), and the TaintToleration
 * and NodeAffinity raw scores equal on every node (so normalizing them over
 * any set of feasible nodes gives the same values). Then a node's total can
 * be computed alone, with hr_scorer_totals on a one-node list. */
bool hr_scorer_is_node_local(const struct hr_scorer *s);

/* A copy was assumed on snapshot node index (call after hr_filter_assume). */
void hr_scorer_assume(struct hr_scorer *s, size_t index);

#endif
