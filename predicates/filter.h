/* filter.h: kube-scheduler's Filter plugins, run for one pod against nodes.
 *
 * The plugins run in the 1.34 default-profile order and stop at the first
 * non-success, exactly as the framework does (spec/predicates.md §1):
 * NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
 * NodeResourcesFit, PodTopologySpread, InterPodAffinity. Volume and DRA
 * plugins are not modelled: pods that need them are flagged (model.h
 * hr_unmodelled) and callers say so in their answers.
 *
 * A filter context is prepared once per (snapshot, pod): it runs the
 * PreFilters (NodeAffinity's node-name set; coupled-plugin precomputation)
 * and then answers hr_filter_node for any node cheaply. The capacity engine
 * "assumes" copies of the pod onto nodes through hr_filter_assume, which
 * updates the context's private overlay; the snapshot is never written.
 * Statuses carry reason codes; hr_status_reasons renders kube-scheduler's
 * exact reason strings.
 * Thread-safety: a context belongs to one request; the snapshot and pod it
 * borrows must stay alive and unchanged while it is used. */
#ifndef HR_FILTER_H
#define HR_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "model.h"
#include "snapshot.h"

enum hr_plugin {
	HR_PLUGIN_NONE = 0,
	HR_PLUGIN_NODE_UNSCHEDULABLE,
	HR_PLUGIN_NODE_NAME,
	HR_PLUGIN_TAINT_TOLERATION,
	HR_PLUGIN_NODE_AFFINITY,
	HR_PLUGIN_NODE_PORTS,
	HR_PLUGIN_NODE_RESOURCES_FIT,
	HR_PLUGIN_POD_TOPOLOGY_SPREAD,
	HR_PLUGIN_INTER_POD_AFFINITY,
	HR_PLUGIN_EXTENDER, /* headroom-specific: node unknown to the snapshot */
};

/* The plugin's name as kube-scheduler spells it ("NodeResourcesFit"). */
const char *hr_plugin_name(enum hr_plugin p);

enum hr_status_code {
	HR_STATUS_SUCCESS = 0,
	HR_STATUS_UNSCHEDULABLE = 1, /* preemption might help */
	HR_STATUS_UNRESOLVABLE = 2,  /* UnschedulableAndUnresolvable */
};

/* Reasons with fixed text (bit positions in hr_node_status.reasons). */
enum hr_reason {
	HR_R_NODE_UNSCHEDULABLE,  /* node(s) were unschedulable */
	HR_R_NODE_NAME,           /* node(s) didn't match the requested node name */
	HR_R_TAINT,               /* node(s) had untolerated taint {k: v} (uses .taint) */
	HR_R_NODE_AFFINITY,       /* node(s) didn't match Pod's node affinity/selector */
	HR_R_PREFILTER_EXCLUDED,  /* node(s) didn't satisfy plugin(s) [NodeAffinity] */
	HR_R_PORTS,               /* node(s) didn't have free ports for the requested pod ports */
	HR_R_TOO_MANY_PODS,       /* Too many pods */
	HR_R_INSUFFICIENT_CPU,    /* Insufficient cpu */
	HR_R_INSUFFICIENT_MEMORY, /* Insufficient memory */
	HR_R_INSUFFICIENT_EPHEMERAL, /* Insufficient ephemeral-storage */
	HR_R_INSUFFICIENT_SCALAR,    /* Insufficient <name> for each bit of .scalar_bits */
	HR_R_SPREAD_MISSING_LABEL,   /* ... pod topology spread constraints (missing required label)
	                              */
	HR_R_SPREAD,                 /* node(s) didn't match pod topology spread constraints */
	HR_R_AFFINITY,               /* node(s) didn't match pod affinity rules */
	HR_R_ANTI_AFFINITY,          /* node(s) didn't match pod anti-affinity rules */
	HR_R_EXISTING_ANTI_AFFINITY, /* node(s) didn't satisfy existing pods anti-affinity rules */
	HR_R_UNKNOWN_NODE,           /* node is not in headroom's snapshot */
	HR_R_COUNT
};

/* The outcome of filtering one node. */
struct hr_node_status {
	enum hr_status_code code;
	enum hr_plugin plugin;        /* the plugin that rejected the node */
	uint32_t reasons;             /* bit set of enum hr_reason */
	const struct hr_taint *taint; /* HR_R_TAINT */
	uint64_t scalar_bits;         /* HR_R_INSUFFICIENT_SCALAR: pod request scalar indexes */
};

/* At most this many scalar resources in one pod's requests (validation). */
#define HR_MAX_POD_SCALARS 64

struct hr_affinity_state; /* filter_interpod.c */
struct hr_spread_state;   /* filter_spread.c */

struct hr_filter_ctx {
	const struct hr_snapshot *snap; /* borrowed */
	const struct hr_pod *pod;       /* borrowed, finalized */
	struct hr_arena *arena;         /* borrowed: overlay and state */

	/* PreFilter outcome: a rejection stops the whole cycle */
	bool prefilter_rejected;
	enum hr_plugin prefilter_plugin;
	const char *prefilter_message; /* e.g. "pod affinity terms conflict" */

	/* NodeAffinity PreFilterResult: nodes outside it are not filtered */
	const bool *allowed; /* per snapshot node index; NULL = all */

	/* capacity overlay: copies assumed per snapshot node (NULL = none) */
	int64_t *added;

	struct hr_affinity_state *affinity; /* NULL when the plugin is skipped */
	struct hr_spread_state *spread;     /* NULL when the plugin is skipped */

	/* Bumped when an assumed copy changed coupled state beyond the topology
	 * domains of the node it landed on (a spread constraint's global
	 * minimum), so every node's coupled answer may have moved. */
	uint64_t coupled_epoch;
};

/* Runs the PreFilters for pod on snap. With overlay, copies can be assumed
 * later (capacity). Fails only on memory or malformed input; a PreFilter
 * rejection is a result (ctx->prefilter_rejected). */
enum hr_code hr_filter_prepare(struct hr_filter_ctx *ctx, const struct hr_snapshot *snap,
                               const struct hr_pod *pod, bool overlay, struct hr_arena *arena,
                               struct hr_err *err) __attribute__((warn_unused_result));

/* Filters one node. info may be a snapshot node or a node built for this
 * request (filter verb with full Node objects), in which case index is
 * SIZE_MAX and it carries its own pods. */
void hr_filter_node(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                    struct hr_node_status *out);

/* hr_filter_node in two halves, for the capacity loop: the plugins whose
 * answer for a node depends only on that node (and the copies assumed on it),
 * then the coupled ones (PodTopologySpread, InterPodAffinity), whose answer
 * moves when a copy lands anywhere. Each returns true when the node passes. */
bool hr_filter_node_own(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                        struct hr_node_status *out);
bool hr_filter_node_coupled(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                            struct hr_node_status *out);

/* Capacity: one more copy of the pod is now on snapshot node `index`. */
void hr_filter_assume(struct hr_filter_ctx *ctx, size_t index);

/* True when the coupled plugins' answer for a node depends only on the
 * node's domain under one topology key (*key), now and after any copies are
 * assumed: every DoNotSchedule spread constraint and required anti-affinity
 * term uses that key, the pod has no required affinity terms, and no
 * existing pod's anti-affinity matches the pod. Nodes without the key get an
 * answer that never changes. Call after hr_filter_prepare. */
bool hr_filter_coupled_by_domain(const struct hr_filter_ctx *ctx, struct hr_str *key);

/* True when the pod uses constraints whose outcome on one node depends on
 * copies placed on other nodes (inter-pod (anti-)affinity, topology spread),
 * so copies must be placed one at a time. */
bool hr_pod_is_coupled(const struct hr_pod *pod, const struct hr_snapshot *snap);

/* Calls emit(ctx, reason_text) for each reason of a failed status, in a
 * stable order. Texts are kube-scheduler's, byte for byte. */
void hr_status_reasons(const struct hr_node_status *st, const struct hr_pod *pod,
                       void (*emit)(void *ctx, const char *text, size_t len), void *emit_ctx);

/* All reasons of a status joined by ", " into buf. */
void hr_status_text(const struct hr_node_status *st, const struct hr_pod *pod, struct hr_buf *buf);

/* ---- plugins (one file each; also used by tests) ---------------------- */

/* Toleration rule of k8s.io/api/core/v1 Toleration.ToleratesTaint. */
bool hr_toleration_tolerates(const struct hr_toleration *t, const struct hr_taint *taint);
/* The first NoSchedule/NoExecute taint no toleration tolerates, or NULL. */
const struct hr_taint *hr_first_untolerated_taint(const struct hr_taint *taints, size_t n_taints,
                                                  const struct hr_toleration *tols, size_t n_tols);

bool hr_filter_node_unschedulable(const struct hr_pod *pod, const struct hr_node *node,
                                  struct hr_node_status *out);
bool hr_filter_node_name(const struct hr_pod *pod, const struct hr_node *node,
                         struct hr_node_status *out);
bool hr_filter_taints(const struct hr_pod *pod, const struct hr_node *node,
                      struct hr_node_status *out);
bool hr_filter_node_affinity(const struct hr_pod *pod, const struct hr_node *node,
                             struct hr_node_status *out);
/* Does the pod's required node affinity + nodeSelector match the node? */
bool hr_pod_matches_node_affinity(const struct hr_pod *pod, const struct hr_node *node);
/* added: copies of the pod already assumed on the node. */
bool hr_filter_ports(const struct hr_pod *pod, const struct hr_node_info *info, int64_t added,
                     struct hr_node_status *out);
bool hr_filter_resources(const struct hr_pod *pod, const struct hr_node_info *info, int64_t added,
                         struct hr_node_status *out);

/* NodeAffinity PreFilter: the node-name set when every required term names
 * nodes with metadata.name In; *conflict when that set is empty. allowed is
 * set to NULL when there is no restriction. */
enum hr_code hr_node_affinity_prefilter(const struct hr_pod *pod, const struct hr_snapshot *snap,
                                        struct hr_arena *arena, const bool **allowed,
                                        bool *conflict, struct hr_err *err);

/* How many more copies of an uncoupled pod fit on a node that already holds
 * `added` copies, considering only NodePorts and NodeResourcesFit (the other
 * uncoupled plugins do not change as copies are added). */
int64_t hr_copies_that_fit(const struct hr_pod *pod, const struct hr_node_info *info,
                           int64_t added);

#endif
