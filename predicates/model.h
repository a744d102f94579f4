/* model.h: the compact cluster model the predicates work on.
 *
 * Kubernetes objects (Node, Pod, Namespace, LimitRange, RuntimeClass) after
 * decoding (decode.h): strings are views into the owning arena, quantities are
 * int64 in fixed units (cpu in millicores; memory, storage, hugepages in bytes;
 * extended resources and pods as counts), selectors are compiled. Nothing here
 * refers to cJSON. Objects are plain data: whoever owns the arena owns them.
 * Once a snapshot is built from them (snapshot.h) they are never written again.
 * Thread-safety: immutable after construction; any thread may read. */
#ifndef HR_MODEL_H
#define HR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "str.h"

/* ---- labels ---------------------------------------------------------- */

struct hr_label {
	struct hr_str key;
	struct hr_str value;
};

/* A label map, sorted by key (byte order), keys unique. */
struct hr_labels {
	const struct hr_label *v;
	size_t n;
};

/* ---- selectors ------------------------------------------------------- */

enum hr_sel_op {
	HR_OP_IN,
	HR_OP_NOT_IN,
	HR_OP_EXISTS,
	HR_OP_DOES_NOT_EXIST,
	HR_OP_GT,
	HR_OP_LT,
	HR_OP_EQUALS,     /* matchLabels entries, and metadata.name equality */
	HR_OP_NOT_EQUALS, /* unused by selectors from JSON; kept for completeness */
};

/* One requirement: key op values. */
struct hr_requirement {
	struct hr_str key;
	enum hr_sel_op op;
	const struct hr_str *values;
	size_t n_values;
	int64_t number; /* Gt/Lt operand, parsed once */
};

/* A metav1.LabelSelector compiled to requirements (matchLabels first).
 * present=false is the nil selector (matches nothing); present with no
 * requirements is {} (matches everything). invalid selectors never match and
 * keep the reason for InterPodAffinity's PreFilter error. */
struct hr_label_selector {
	bool present;
	bool invalid;
	const char *invalid_reason; /* NUL-terminated, in the owning arena */
	const struct hr_requirement *reqs;
	size_t n_reqs;
};

/* A NodeSelectorTerm: matchExpressions on labels AND matchFields on fields. */
struct hr_node_term {
	const struct hr_requirement *exprs;
	size_t n_exprs;
	const struct hr_requirement *fields; /* key is always metadata.name */
	size_t n_fields;
	bool malformed;               /* a bad requirement: the term never matches */
	const char *malformed_reason; /* why, for validation messages */
};

/* A NodeSelector (terms ORed). present=false means no constraint. */
struct hr_node_selector {
	bool present;
	const struct hr_node_term *terms;
	size_t n_terms;
};

/* A preferred scheduling term (NodeAffinity scoring). */
struct hr_weighted_node_term {
	int32_t weight;
	struct hr_node_term term;
};

/* ---- taints and tolerations ------------------------------------------ */

enum hr_effect {
	HR_EFFECT_ANY = 0, /* toleration with an empty effect */
	HR_EFFECT_NO_SCHEDULE,
	HR_EFFECT_PREFER_NO_SCHEDULE,
	HR_EFFECT_NO_EXECUTE,
	HR_EFFECT_UNKNOWN,
};

struct hr_taint {
	struct hr_str key;
	struct hr_str value;
	enum hr_effect effect;
};

enum hr_tol_op {
	HR_TOL_EQUAL, /* "Equal" or empty */
	HR_TOL_EXISTS,
	HR_TOL_INVALID, /* any other operator: tolerates nothing */
};

struct hr_toleration {
	struct hr_str key;
	struct hr_str value;
	enum hr_tol_op op;
	enum hr_effect effect;
	bool has_seconds;
	int64_t seconds;
};

/* ---- resources ------------------------------------------------------- */

/* A named amount in base units (see file comment). */
struct hr_scalar {
	struct hr_str name;
	int64_t value;
};

/* A resource vector: the four well-known resources plus "scalar" ones
 * (hugepages-..., extended resources, names containing kubernetes.io/,
 * attachable-volumes-...),
 * sorted by name. */
struct hr_resources {
	int64_t cpu_milli;
	int64_t mem_bytes;
	int64_t eph_bytes;
	int64_t pods;
	const struct hr_scalar *scalars;
	size_t n_scalars;
};

/* A resource list as written in a spec, before aggregation: values in
 * milli-units (so sums of sub-unit quantities stay exact), sorted by name. */
struct hr_qty_entry {
	struct hr_str name;
	int64_t milli;
};

struct hr_qty_list {
	const struct hr_qty_entry *v;
	size_t n;
};

/* ---- ports ----------------------------------------------------------- */

struct hr_host_port {
	struct hr_str ip;       /* normalised: "" -> "0.0.0.0" */
	struct hr_str protocol; /* normalised: "" -> "TCP" */
	int32_t port;
};

struct hr_container_port {
	int32_t container_port;
	int32_t host_port;
	struct hr_str protocol;
	struct hr_str host_ip;
};

/* ---- nodes ----------------------------------------------------------- */

struct hr_image {
	const struct hr_str *names;
	size_t n_names;
	int64_t size_bytes;
};

struct hr_node {
	struct hr_str name;
	struct hr_str uid;
	struct hr_str resource_version;
	struct hr_labels labels;
	const struct hr_taint *taints;
	size_t n_taints;
	bool unschedulable;
	struct hr_resources allocatable; /* status.allocatable (capacity if absent) */
	const struct hr_image *images;
	size_t n_images;
};

/* ---- pods ------------------------------------------------------------ */

struct hr_container {
	struct hr_str name;
	struct hr_str image;
	struct hr_qty_list requests;
	struct hr_qty_list limits;
	/* existing pods: container status resources (in-place resize), if any */
	bool has_status_resources;
	struct hr_qty_list status_requests;
	struct hr_qty_list status_allocated;
	bool restartable; /* init container with restartPolicy: Always (sidecar) */
	const struct hr_container_port *ports;
	size_t n_ports;
};

/* A required pod (anti-)affinity term, or a preferred one with its weight. */
struct hr_affinity_term {
	struct hr_label_selector selector;
	const struct hr_str *namespaces;
	size_t n_namespaces;
	struct hr_label_selector ns_selector; /* present=false: nil */
	struct hr_str topology_key;
	const struct hr_str *match_label_keys;
	size_t n_match_label_keys;
	const struct hr_str *mismatch_label_keys;
	size_t n_mismatch_label_keys;
	int32_t weight; /* preferred terms only */
};

struct hr_affinity_terms {
	const struct hr_affinity_term *v;
	size_t n;
};

enum hr_when_unsatisfiable { HR_DO_NOT_SCHEDULE, HR_SCHEDULE_ANYWAY };
enum hr_inclusion_policy { HR_POLICY_HONOR, HR_POLICY_IGNORE };

struct hr_spread_constraint {
	int32_t max_skew;
	struct hr_str topology_key;
	enum hr_when_unsatisfiable when;
	struct hr_label_selector selector;
	int32_t min_domains;                           /* 1 when unset */
	enum hr_inclusion_policy node_affinity_policy; /* default Honor */
	enum hr_inclusion_policy node_taints_policy;   /* default Ignore */
	const struct hr_str *match_label_keys;
	size_t n_match_label_keys;
};

enum hr_pod_phase {
	HR_PHASE_UNKNOWN = 0, /* absent or unrecognised */
	HR_PHASE_PENDING,
	HR_PHASE_RUNNING,
	HR_PHASE_SUCCEEDED,
	HR_PHASE_FAILED,
};

/* Parts of a pod spec headroom reads but does not model as a filter. Each
 * set bit is reported in answers ("not modelled"), never silently ignored. */
enum hr_unmodelled {
	HR_UNMODELLED_PVC = 1u << 0,              /* persistentVolumeClaim volumes */
	HR_UNMODELLED_EPHEMERAL_VOLUME = 1u << 1, /* generic ephemeral volumes */
	HR_UNMODELLED_INLINE_DISK = 1u << 2,      /* gcePD, awsEBS, iscsi, rbd, ... */
	HR_UNMODELLED_RESOURCE_CLAIMS = 1u << 3,  /* DRA spec.resourceClaims */
	HR_UNMODELLED_SCHEDULING_GATES = 1u << 4,
};

struct hr_pod {
	struct hr_str name;
	struct hr_str namespace;
	struct hr_str uid;
	struct hr_str resource_version;
	struct hr_str node_name; /* spec.nodeName, "" when unbound */
	struct hr_str scheduler_name;
	struct hr_str runtime_class_name;
	struct hr_labels labels;
	enum hr_pod_phase phase;
	bool terminating; /* metadata.deletionTimestamp set */
	bool host_network;
	int32_t priority;
	bool preemption_never;

	/* spec as written (after API defaulting), for the incoming pod and for
	 * computing requests; existing pods in a snapshot may drop containers
	 * once `request` is computed (hr_pod_compact). */
	const struct hr_container *containers;
	size_t n_containers;
	const struct hr_container *init_containers;
	size_t n_init_containers;
	struct hr_qty_list overhead;
	struct hr_qty_list pod_requests; /* spec.resources.requests (pod-level) */
	struct hr_qty_list pod_limits;   /* spec.resources.limits (pod-level) */
	bool resize_infeasible;          /* condition PodResizePending/Infeasible */

	struct hr_labels node_selector;        /* spec.nodeSelector */
	struct hr_node_selector node_affinity; /* required terms */
	const struct hr_weighted_node_term *preferred_node_affinity;
	size_t n_preferred_node_affinity;
	const struct hr_toleration *tolerations;
	size_t n_tolerations;
	struct hr_affinity_terms pod_affinity;           /* required */
	struct hr_affinity_terms pod_anti_affinity;      /* required */
	struct hr_affinity_terms pref_pod_affinity;      /* preferred, weighted */
	struct hr_affinity_terms pref_pod_anti_affinity; /* preferred, weighted */
	const struct hr_spread_constraint *spread;
	size_t n_spread;
	const struct hr_str *scheduling_gates;
	size_t n_scheduling_gates;
	unsigned unmodelled; /* enum hr_unmodelled bits */

	/* derived by hr_pod_finalize (request.h) */
	bool finalized;
	struct hr_resources request;           /* what NodeResourcesFit checks */
	int64_t nonzero_cpu_milli;             /* scoring: 100m default per container */
	int64_t nonzero_mem_bytes;             /* scoring: 200Mi default per container */
	const struct hr_host_port *host_ports; /* wanted host ports (set) */
	size_t n_host_ports;
};

/* ---- other objects --------------------------------------------------- */

struct hr_namespace {
	struct hr_str name;
	struct hr_labels labels;
	struct hr_str enforce; /* annotation headroom.io/enforce (admission mode), "" if none */
};

/* One Container-type limit of a LimitRange (what LimitRanger defaulting uses). */
struct hr_limit_range_item {
	struct hr_qty_list default_limits;   /* "default" */
	struct hr_qty_list default_requests; /* "defaultRequest" */
	struct hr_qty_list max;
	struct hr_qty_list min;
};

struct hr_limit_range {
	struct hr_str name;
	struct hr_str namespace;
	const struct hr_limit_range_item *items; /* only type: Container */
	size_t n_items;
};

struct hr_runtime_class {
	struct hr_str name;
	struct hr_str handler;
	struct hr_qty_list overhead;    /* overhead.podFixed */
	struct hr_labels node_selector; /* scheduling.nodeSelector */
	const struct hr_toleration *tolerations;
	size_t n_tolerations;
};

/* ---- lookups --------------------------------------------------------- */

/* The value of key in labels, or NULL. Binary search (labels are sorted). */
const struct hr_str *hr_labels_get(struct hr_labels labels, struct hr_str key);

/* The entry for name in a sorted quantity list, or NULL. */
const struct hr_qty_entry *hr_qty_list_get(struct hr_qty_list list, struct hr_str name);

/* The amount of a scalar resource in a vector (0 when absent). */
int64_t hr_resources_scalar(const struct hr_resources *r, struct hr_str name);

/* True for a pod in phase Succeeded or Failed (holds no resources). */
bool hr_pod_is_terminal(const struct hr_pod *pod);

#endif
