/* snapshot.h: an immutable view of the cluster that predicates run against.
 *
 * A snapshot holds the nodes (sorted by name) with per-node aggregates of the
 * pods that occupy them (requested resources, pod count, used host ports,
 * the pods themselves), plus namespaces, LimitRanges and RuntimeClasses.
 * Which pods occupy a node: bound (spec.nodeName set) and not terminal
 * (Succeeded/Failed hold nothing); pods bound to nodes that are not in the
 * snapshot are left out and counted in stats (spec/predicates.md §1).
 *
 * Building: an hr_snap_builder collects model objects (decoding JSON itself
 * with hr_snap_builder_add_json, or taking already-decoded objects that the
 * caller keeps alive), then hr_snap_builder_finish computes the aggregates.
 * Everything the snapshot allocates comes from the builder's arena; the
 * snapshot lives as long as that arena (and any borrowed objects).
 * Not here: reference counting and publication (extender/cache.c).
 * Thread-safety: a builder is single-threaded; a finished snapshot is
 * immutable and may be read from any number of threads. */
#ifndef HR_SNAPSHOT_H
#define HR_SNAPSHOT_H

#include <cjson/cJSON.h>
#include "arena.h"
#include "decode.h"
#include "err.h"
#include "intern.h"
#include "model.h"

/* A node with the aggregate of the pods that occupy it. */
struct hr_node_info {
	const struct hr_node *node;
	struct hr_resources requested; /* sum of the pods' request vectors */
	int64_t nonzero_cpu_milli;     /* scoring: sum with non-zero defaults */
	int64_t nonzero_mem_bytes;
	const struct hr_pod *const *pods; /* pods counted on this node */
	size_t n_pods;
	const struct hr_host_port *ports; /* host ports those pods use */
	size_t n_ports;
	size_t index; /* position in hr_snapshot.nodes */
};

/* A pod and the node it occupies. */
struct hr_pod_ref {
	const struct hr_pod *pod;
	const struct hr_node_info *info;
};

struct hr_snapshot_stats {
	size_t pods_total;        /* Pod objects seen */
	size_t pods_unbound;      /* no spec.nodeName: not counted anywhere */
	size_t pods_terminal;     /* Succeeded/Failed: hold no resources */
	size_t pods_unknown_node; /* bound to a node not in the snapshot */
	size_t nodes_duplicate;   /* later Node objects with a name already seen */
	size_t pods_duplicate;    /* later Pod objects with a namespace/name already seen */
	size_t objects_skipped;   /* other kinds in the input */
};

struct hr_snapshot {
	const struct hr_node_info *nodes; /* sorted by node name */
	size_t n_nodes;
	const struct hr_pod *const *pods; /* every counted pod, grouped by node */
	size_t n_pods;
	const struct hr_namespace *namespaces; /* sorted by name */
	size_t n_namespaces;
	const struct hr_limit_range *limit_ranges;
	size_t n_limit_ranges;
	const struct hr_runtime_class *runtime_classes;
	size_t n_runtime_classes;
	struct hr_snapshot_stats stats;
	struct hr_str resource_version; /* "" when unknown */
	/* Node name -> index in nodes: open addressing over node_slot_mask + 1
	 * slots, each the name hash's high 32 bits << 32 | index, UINT64_MAX =
	 * empty. NULL in hand-made snapshots (then lookups search the sorted
	 * array). */
	const uint64_t *node_slots;
	size_t node_slot_mask;
	/* The node names again, packed into one block in index order: a lookup
	 * touches the slots and this block, not every node object (the filter
	 * looks up thousands of names per request). */
	const struct hr_str *node_names;
	/* Pods whose inter-pod terms matter to every other pod (kube-scheduler's
	 * HavePodsWithRequiredAntiAffinityList and HavePodsWithAffinityList), so
	 * a request does not walk all pods to find the few that have terms. */
	const struct hr_pod_ref *with_required_anti;
	size_t n_with_required_anti;
	const struct hr_pod_ref *with_affinity; /* any (anti-)affinity term */
	size_t n_with_affinity;
};

struct hr_snap_builder {
	struct hr_arena *arena;  /* borrowed: the snapshot's memory */
	struct hr_arena scratch; /* one decoded object at a time, before cloning */
	struct hr_intern intern; /* label keys/values, namespaces: stored once */
	struct hr_decoder dec;   /* decodes into scratch */
	struct hr_err *err;
	/* collected objects (pointer arrays, grown in the arena) */
	const struct hr_node **nodes;
	size_t n_nodes, cap_nodes;
	struct hr_pod **pods;
	size_t n_pods, cap_pods;
	const struct hr_namespace **namespaces;
	size_t n_namespaces, cap_namespaces;
	const struct hr_limit_range **limit_ranges;
	size_t n_limit_ranges, cap_limit_ranges;
	const struct hr_runtime_class **runtime_classes;
	size_t n_runtime_classes, cap_runtime_classes;
	struct hr_snapshot_stats stats;
	struct hr_str resource_version;
};

/* Prepares a builder writing into arena; errors go to err. Call
 * hr_snap_builder_fini when done (after finish or after an error). */
void hr_snap_builder_init(struct hr_snap_builder *b, struct hr_arena *arena, struct hr_err *err);
/* Frees the builder's scratch memory (the snapshot stays in its arena). */
void hr_snap_builder_fini(struct hr_snap_builder *b);

/* Decodes one Kubernetes object by its "kind" (kind_hint is used when the
 * object has none, as items of a NodeList/PodList do). Kinds other than Node,
 * Pod, Namespace, LimitRange and RuntimeClass are counted and skipped.
 * where names the object in errors (e.g. "items[12]"). */
enum hr_code hr_snap_builder_add_json(struct hr_snap_builder *b, const cJSON *obj,
                                      const char *kind_hint, const char *where)
    __attribute__((warn_unused_result));

/* Adds every item of a v1 List / NodeList / PodList / ... document, or a
 * single object. Also takes metadata.resourceVersion of the list. */
enum hr_code hr_snap_builder_add_document(struct hr_snap_builder *b, const cJSON *doc)
    __attribute__((warn_unused_result));

/* Adds already-decoded objects (borrowed: must outlive the snapshot). A pod
 * is finalized (request vector) in the builder's arena if it is not yet. */
enum hr_code hr_snap_builder_add_node(struct hr_snap_builder *b, const struct hr_node *node)
    __attribute__((warn_unused_result));
enum hr_code hr_snap_builder_add_pod(struct hr_snap_builder *b, struct hr_pod *pod)
    __attribute__((warn_unused_result));
enum hr_code hr_snap_builder_add_namespace(struct hr_snap_builder *b, const struct hr_namespace *ns)
    __attribute__((warn_unused_result));
enum hr_code hr_snap_builder_add_limit_range(struct hr_snap_builder *b,
                                             const struct hr_limit_range *lr)
    __attribute__((warn_unused_result));
enum hr_code hr_snap_builder_add_runtime_class(struct hr_snap_builder *b,
                                               const struct hr_runtime_class *rc)
    __attribute__((warn_unused_result));

void hr_snap_builder_set_resource_version(struct hr_snap_builder *b, struct hr_str rv);

/* Computes aggregates and returns the snapshot (allocated in the arena). */
enum hr_code hr_snap_builder_finish(struct hr_snap_builder *b, const struct hr_snapshot **out)
    __attribute__((warn_unused_result));

/* Convenience: a snapshot from one JSON document (see add_document). */
enum hr_code hr_snapshot_from_json(const cJSON *doc, struct hr_arena *arena,
                                   const struct hr_snapshot **out, struct hr_err *err)
    __attribute__((warn_unused_result));

/* Lookups. */
const struct hr_node_info *hr_snap_find_node(const struct hr_snapshot *s, struct hr_str name);
const struct hr_namespace *hr_snap_find_namespace(const struct hr_snapshot *s, struct hr_str name);

#endif
