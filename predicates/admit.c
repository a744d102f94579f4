/* admit.c: admission emulation and validation for the capacity verb.
 * Sources: plugin/pkg/admission/limitranger (mergeContainerResources),
 * defaulttolerationseconds, runtimeclass (setOverhead, setScheduling);
 * pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem;
 * pkg/apis/core/validation (spec/predicates.md §6). */
#include "admit.h"

#include <stdio.h>
#include <stdlib.h>

#include "quantity.h"
#include "resource_name.h"
#include "selector.h"

static enum hr_code oom(struct hr_err *err)
{
	return hr_err_set(err, HR_ENOMEM, NULL, "out of memory admitting the pod");
}

static int qty_cmp(const void *a, const void *b)
{
	return hr_str_cmp(((const struct hr_qty_entry *)a)->name,
	                  ((const struct hr_qty_entry *)b)->name);
}

/* list ∪ {entries of add whose name list lacks}; returns false on OOM. */
static bool fill_missing(struct hr_arena *arena, struct hr_qty_list *list, struct hr_qty_list add)
{
	size_t extra = 0;
	for (size_t i = 0; i < add.n; i++)
		extra += !hr_qty_list_get(*list, add.v[i].name);
	if (!extra)
		return true;
	struct hr_qty_entry *v = hr_arena_calloc(arena, list->n + extra, sizeof(*v));
	if (!v)
		return false;
	if (list->n)
		memcpy(v, list->v, list->n * sizeof(*v));
	size_t n = list->n;
	for (size_t i = 0; i < add.n; i++)
		if (!hr_qty_list_get(*list, add.v[i].name))
			v[n++] = add.v[i];
	qsort(v, n, sizeof(*v), qty_cmp);
	*list = (struct hr_qty_list){v, n};
	return true;
}

/* ---- LimitRanger ---------------------------------------------------------- */

/* A LimitRange item's defaults after SetDefaults_LimitRangeItem:
 * default := max where absent; defaultRequest := default, then min. */
static bool item_defaults(struct hr_arena *arena, const struct hr_limit_range_item *item,
                          struct hr_qty_list *limits, struct hr_qty_list *requests)
{
	*limits = item->default_limits;
	*requests = item->default_requests;
	return fill_missing(arena, limits, item->max) && fill_missing(arena, requests, *limits) &&
	       fill_missing(arena, requests, item->min);
}

static struct hr_container *copy_containers(struct hr_arena *arena, const struct hr_container *cs,
                                            size_t n)
{
	struct hr_container *v = hr_arena_calloc(arena, n ? n : 1, sizeof(*v));
	if (v && n)
		memcpy(v, cs, n * sizeof(*v));
	return v;
}

static bool apply_limit_range_item(struct hr_arena *arena, struct hr_pod *pod,
                                   const struct hr_limit_range_item *item)
{
	struct hr_qty_list limits, requests;
	if (!item_defaults(arena, item, &limits, &requests))
		return false;
	struct hr_container *cs = copy_containers(arena, pod->containers, pod->n_containers);
	struct hr_container *ics =
	    copy_containers(arena, pod->init_containers, pod->n_init_containers);
	if (!cs || !ics)
		return false;
	for (size_t i = 0; i < pod->n_containers + pod->n_init_containers; i++) {
		struct hr_container *c =
		    i < pod->n_containers ? &cs[i] : &ics[i - pod->n_containers];
		if (!fill_missing(arena, &c->limits, limits) ||
		    !fill_missing(arena, &c->requests, requests))
			return false;
	}
	pod->containers = cs;
	pod->init_containers = ics;
	return true;
}

static enum hr_code limit_ranger(struct hr_pod *pod, const struct hr_snapshot *snap,
                                 struct hr_arena *arena, unsigned *admitted, struct hr_err *err)
{
	for (size_t i = 0; i < snap->n_limit_ranges; i++) {
		const struct hr_limit_range *lr = &snap->limit_ranges[i];
		if (!hr_str_eq(lr->namespace, pod->namespace))
			continue;
		for (size_t k = 0; k < lr->n_items; k++) {
			if (!apply_limit_range_item(arena, pod, &lr->items[k]))
				return oom(err);
			*admitted |= HR_ADMIT_LIMIT_RANGER;
		}
	}
	return HR_OK;
}

/* ---- DefaultTolerationSeconds --------------------------------------------- */

static bool covers(const struct hr_toleration *t, const char *key)
{
	return (t->key.n == 0 || hr_str_eq_c(t->key, key)) &&
	       (t->effect == HR_EFFECT_ANY || t->effect == HR_EFFECT_NO_EXECUTE);
}

static enum hr_code default_toleration_seconds(struct hr_pod *pod, struct hr_arena *arena,
                                               unsigned *admitted, struct hr_err *err)
{
	static const char *const keys[] = {"node.kubernetes.io/not-ready",
	                                   "node.kubernetes.io/unreachable"};
	struct hr_toleration *v = hr_arena_calloc(arena, pod->n_tolerations + 2, sizeof(*v));
	if (!v)
		return oom(err);
	if (pod->n_tolerations)
		memcpy(v, pod->tolerations, pod->n_tolerations * sizeof(*v));
	size_t n = pod->n_tolerations;
	for (size_t k = 0; k < 2; k++) {
		bool tolerated = false;
		for (size_t i = 0; i < pod->n_tolerations && !tolerated; i++)
			tolerated = covers(&pod->tolerations[i], keys[k]);
		if (tolerated)
			continue;
		v[n++] = (struct hr_toleration){.key = hr_str_c(keys[k]),
		                                .op = HR_TOL_EXISTS,
		                                .effect = HR_EFFECT_NO_EXECUTE,
		                                .has_seconds = true,
		                                .seconds = 300};
		*admitted |= HR_ADMIT_DEFAULT_TOLERATIONS;
	}
	pod->tolerations = v;
	pod->n_tolerations = n;
	return HR_OK;
}

/* ---- RuntimeClass ----------------------------------------------------------- */

static bool same_qty_list(struct hr_qty_list a, struct hr_qty_list b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (!hr_str_eq(a.v[i].name, b.v[i].name) || a.v[i].milli != b.v[i].milli)
			return false;
	return true;
}

static int label_cmp(const void *a, const void *b)
{
	return hr_str_cmp(((const struct hr_label *)a)->key, ((const struct hr_label *)b)->key);
}

static enum hr_code merge_node_selector(struct hr_pod *pod, struct hr_labels add,
                                        struct hr_arena *arena, struct hr_err *err)
{
	struct hr_label *v = hr_arena_calloc(arena, pod->node_selector.n + add.n + 1, sizeof(*v));
	if (!v)
		return oom(err);
	if (pod->node_selector.n)
		memcpy(v, pod->node_selector.v, pod->node_selector.n * sizeof(*v));
	size_t n = pod->node_selector.n;
	for (size_t i = 0; i < add.n; i++) {
		const struct hr_str *have = hr_labels_get(pod->node_selector, add.v[i].key);
		if (have && !hr_str_eq(*have, add.v[i].value))
			return hr_err_set(err, HR_EINVAL, "spec.nodeSelector",
			                  "conflicts with the RuntimeClass scheduling.nodeSelector "
			                  "on key \"%.*s\"",
			                  (int)add.v[i].key.n, add.v[i].key.p);
		if (!have)
			v[n++] = add.v[i];
	}
	qsort(v, n, sizeof(*v), label_cmp);
	pod->node_selector = (struct hr_labels){v, n};
	return HR_OK;
}

static bool same_toleration(const struct hr_toleration *a, const struct hr_toleration *b)
{
	return hr_str_eq(a->key, b->key) && hr_str_eq(a->value, b->value) && a->op == b->op &&
	       a->effect == b->effect && a->has_seconds == b->has_seconds &&
	       (!a->has_seconds || a->seconds == b->seconds);
}

static enum hr_code merge_tolerations(struct hr_pod *pod, const struct hr_toleration *add,
                                      size_t n_add, struct hr_arena *arena, struct hr_err *err)
{
	struct hr_toleration *v =
	    hr_arena_calloc(arena, pod->n_tolerations + n_add + 1, sizeof(*v));
	if (!v)
		return oom(err);
	if (pod->n_tolerations)
		memcpy(v, pod->tolerations, pod->n_tolerations * sizeof(*v));
	size_t n = pod->n_tolerations;
	for (size_t i = 0; i < n_add; i++) {
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = same_toleration(&v[k], &add[i]);
		if (!dup)
			v[n++] = add[i];
	}
	pod->tolerations = v;
	pod->n_tolerations = n;
	return HR_OK;
}

static enum hr_code runtime_class(struct hr_pod *pod, const struct hr_snapshot *snap,
                                  struct hr_arena *arena, unsigned *admitted, struct hr_err *err)
{
	if (pod->runtime_class_name.n == 0) {
		/* RuntimeClass admission: only a RuntimeClass may set overhead. Like
		 * the rest of this plugin it applies only when the snapshot carries
		 * RuntimeClasses (a snapshot without them may come from a cluster
		 * headroom cannot see whole). */
		if (pod->overhead.n && snap->n_runtime_classes)
			return hr_err_set(err, HR_EINVAL, "spec.overhead",
			                  "pod rejected: Overhead set without corresponding "
			                  "RuntimeClass defined Overhead");
		return HR_OK;
	}
	if (snap->n_runtime_classes == 0) {
		*admitted |= HR_ADMIT_RUNTIME_CLASS_UNKNOWN;
		return HR_OK;
	}
	const struct hr_runtime_class *rc = NULL;
	for (size_t i = 0; i < snap->n_runtime_classes && !rc; i++)
		if (hr_str_eq(snap->runtime_classes[i].name, pod->runtime_class_name))
			rc = &snap->runtime_classes[i];
	if (!rc)
		return hr_err_set(err, HR_EINVAL, "spec.runtimeClassName",
		                  "RuntimeClass \"%.*s\" not found in the cluster snapshot",
		                  (int)pod->runtime_class_name.n, pod->runtime_class_name.p);
	if (rc->overhead.n) {
		if (pod->overhead.n && !same_qty_list(pod->overhead, rc->overhead))
			return hr_err_set(err, HR_EINVAL, "spec.overhead",
			                  "differs from the overhead of RuntimeClass \"%.*s\"",
			                  (int)rc->name.n, rc->name.p);
		pod->overhead = rc->overhead;
	}
	enum hr_code code = merge_node_selector(pod, rc->node_selector, arena, err);
	if (code == HR_OK)
		code = merge_tolerations(pod, rc->tolerations, rc->n_tolerations, arena, err);
	*admitted |= HR_ADMIT_RUNTIME_CLASS;
	return code;
}

/* ---- matchLabelKeys / mismatchLabelKeys ------------------------------------- */

/* Adds "key In [value]" (match) or "key NotIn [value]" (mismatch) for each
 * listed key the pod carries; only when the term has a label selector. */
static bool merge_label_keys(struct hr_arena *arena, const struct hr_pod *pod,
                             struct hr_affinity_term *t)
{
	size_t extra = t->n_match_label_keys + t->n_mismatch_label_keys;
	if (!t->selector.present || extra == 0)
		return true;
	struct hr_requirement *reqs =
	    hr_arena_calloc(arena, t->selector.n_reqs + extra, sizeof(*reqs));
	if (!reqs)
		return false;
	if (t->selector.n_reqs)
		memcpy(reqs, t->selector.reqs, t->selector.n_reqs * sizeof(*reqs));
	size_t n = t->selector.n_reqs;
	for (size_t pass = 0; pass < 2; pass++) {
		const struct hr_str *keys = pass ? t->mismatch_label_keys : t->match_label_keys;
		size_t n_keys = pass ? t->n_mismatch_label_keys : t->n_match_label_keys;
		for (size_t i = 0; i < n_keys; i++) {
			const struct hr_str *v = hr_labels_get(pod->labels, keys[i]);
			if (v)
				reqs[n++] =
				    (struct hr_requirement){.key = keys[i],
				                            .op = pass ? HR_OP_NOT_IN : HR_OP_IN,
				                            .values = v,
				                            .n_values = 1};
		}
	}
	t->selector.reqs = reqs;
	t->selector.n_reqs = n;
	t->n_match_label_keys = 0; /* merged: do not merge twice */
	t->n_mismatch_label_keys = 0;
	return true;
}

static bool merge_terms(struct hr_arena *arena, const struct hr_pod *pod,
                        struct hr_affinity_terms *terms, unsigned *admitted)
{
	if (!terms->n)
		return true;
	struct hr_affinity_term *v = hr_arena_calloc(arena, terms->n, sizeof(*v));
	if (!v)
		return false;
	memcpy(v, terms->v, terms->n * sizeof(*v));
	for (size_t i = 0; i < terms->n; i++) {
		if (v[i].n_match_label_keys + v[i].n_mismatch_label_keys)
			*admitted |= HR_ADMIT_LABEL_KEYS;
		if (!merge_label_keys(arena, pod, &v[i]))
			return false;
	}
	terms->v = v;
	return true;
}

enum hr_code hr_admit_pod(struct hr_pod *pod, const struct hr_snapshot *snap,
                          struct hr_arena *arena, unsigned *admitted, struct hr_err *err)
{
	enum hr_code rc;
	*admitted = 0;
	if ((rc = limit_ranger(pod, snap, arena, admitted, err)) != HR_OK ||
	    (rc = default_toleration_seconds(pod, arena, admitted, err)) != HR_OK ||
	    (rc = runtime_class(pod, snap, arena, admitted, err)) != HR_OK)
		return rc;
	if (!merge_terms(arena, pod, &pod->pod_affinity, admitted) ||
	    !merge_terms(arena, pod, &pod->pod_anti_affinity, admitted) ||
	    !merge_terms(arena, pod, &pod->pref_pod_affinity, admitted) ||
	    !merge_terms(arena, pod, &pod->pref_pod_anti_affinity, admitted))
		return oom(err);
	return HR_OK;
}

/* ---- validation ------------------------------------------------------------- */

/* "<resource name> <what>" at where. */
static enum hr_code invalid(struct hr_err *err, const char *where, struct hr_str name,
                            const char *what)
{
	return hr_err_set(err, HR_EINVAL, where, "%.*s %s", (int)name.n, name.p, what);
}

/* The page size of hugepages-<size> in bytes (the name carries it as a
 * quantity, e.g. hugepages-2Mi), or 0 when it does not parse. */
static int64_t hugepage_size(struct hr_str name)
{
	struct hr_qty q;
	int64_t bytes;
	struct hr_str size = {name.p + 10, name.n - 10};
	if (hr_qty_parse(size, NULL, &q, NULL) != HR_OK || hr_qty_value(q, &bytes) != HR_OK)
		return 0;
	return bytes > 0 ? bytes : 0;
}

static enum hr_code validate_list(struct hr_qty_list l, const char *where, struct hr_err *err)
{
	for (size_t i = 0; i < l.n; i++) {
		struct hr_str name = l.v[i].name;
		if (l.v[i].milli < 0)
			return invalid(err, where, name, "must not be negative");
		if (hr_is_extended_resource(name) && l.v[i].milli % 1000 != 0)
			return invalid(err, where, name, "must be a whole number");
		if (hr_is_hugepages_resource(name)) {
			int64_t page = hugepage_size(name);
			if (page > 0 && (l.v[i].milli / 1000) % page != 0)
				return invalid(err, where, name,
				               "must be a whole multiple of the page size");
		}
	}
	return HR_OK;
}

static enum hr_code validate_container(const struct hr_container *c, const char *where,
                                       struct hr_err *err)
{
	char w[HR_ERR_WHERE_MAX];
	enum hr_code rc;
	snprintf(w, sizeof(w), "%s.resources.requests", where);
	if ((rc = validate_list(c->requests, w, err)) != HR_OK)
		return rc;
	snprintf(w, sizeof(w), "%s.resources.limits", where);
	if ((rc = validate_list(c->limits, w, err)) != HR_OK)
		return rc;
	snprintf(w, sizeof(w), "%s.resources.requests", where);
	for (size_t i = 0; i < c->requests.n; i++) {
		struct hr_str name = c->requests.v[i].name;
		const struct hr_qty_entry *lim = hr_qty_list_get(c->limits, name);
		if (lim && c->requests.v[i].milli > lim->milli)
			return invalid(err, w, name, "must be less than or equal to its limit");
		if (hr_is_non_overcommittable(name) &&
		    (!lim || lim->milli != c->requests.v[i].milli))
			return invalid(err, w, name,
			               "cannot be overcommitted: its request must equal its limit");
	}
	if (c->name.n == 0)
		return hr_err_set(err, HR_EINVAL, where, "container name is required");
	return HR_OK;
}

/* ValidateContainerResourceName: cpu, memory, ephemeral-storage,
 * hugepages-<size>, or an extended resource (domain/name outside
 * kubernetes.io). "pods" or a bare unknown name is refused. */
static bool container_resource_name_ok(struct hr_str name)
{
	if (hr_str_eq_c(name, "cpu") || hr_str_eq_c(name, "memory") ||
	    hr_str_eq_c(name, "ephemeral-storage"))
		return true;
	if (hr_is_hugepages_resource(name))
		return hugepage_size(name) > 0;
	return hr_is_extended_resource(name);
}

static enum hr_code validate_resource_names(struct hr_qty_list l, const char *where,
                                            struct hr_err *err)
{
	for (size_t i = 0; i < l.n; i++)
		if (!container_resource_name_ok(l.v[i].name)) {
			char quoted[80];
			hr_err_quote(quoted, sizeof(quoted), l.v[i].name);
			return hr_err_set(err, HR_EINVAL, where,
			                  "\"%s\" must be a standard resource for containers (cpu, "
			                  "memory, ephemeral-storage, hugepages-<size>) or an "
			                  "extended resource (domain/name)",
			                  quoted);
		}
	return HR_OK;
}

/* ValidateContainerPorts: containerPort 1..65535, hostPort 0..65535 (0 =
 * none), protocol TCP, UDP or SCTP. */
static enum hr_code validate_ports(const struct hr_container *c, const char *where,
                                   struct hr_err *err)
{
	char w[HR_ERR_WHERE_MAX];
	for (size_t k = 0; k < c->n_ports; k++) {
		const struct hr_container_port *p = &c->ports[k];
		const char *field = NULL, *why = NULL;
		if (p->container_port < 1 || p->container_port > 65535) {
			field = "containerPort";
			why = "must be between 1 and 65535, inclusive";
		} else if (p->host_port < 0 || p->host_port > 65535) {
			field = "hostPort";
			why = "must be between 0 and 65535, inclusive (0: no host port)";
		} else if (p->protocol.n && !hr_str_eq_c(p->protocol, "TCP") &&
		           !hr_str_eq_c(p->protocol, "UDP") && !hr_str_eq_c(p->protocol, "SCTP")) {
			field = "protocol";
			why = "Unsupported value: supported values: \"SCTP\", \"TCP\", \"UDP\"";
		}
		if (field) {
			snprintf(w, sizeof(w), "%s.ports[%zu].%s", where, k, field);
			return hr_err_set(err, HR_EINVAL, w, "%s", why);
		}
	}
	return HR_OK;
}

static enum hr_code validate_containers(const struct hr_container *cs, size_t n, const char *field,
                                        struct hr_err *err)
{
	for (size_t i = 0; i < n; i++) {
		char where[64], w[HR_ERR_WHERE_MAX];
		snprintf(where, sizeof(where), "spec.%s[%zu]", field, i);
		enum hr_code rc = validate_container(&cs[i], where, err);
		if (rc == HR_OK)
			rc = validate_ports(&cs[i], where, err);
		if (rc == HR_OK) {
			snprintf(w, sizeof(w), "%s.resources.requests", where);
			rc = validate_resource_names(cs[i].requests, w, err);
		}
		if (rc == HR_OK) {
			snprintf(w, sizeof(w), "%s.resources.limits", where);
			rc = validate_resource_names(cs[i].limits, w, err);
		}
		if (rc != HR_OK)
			return rc;
	}
	return HR_OK;
}

/* Container names are unique across containers and initContainers. */
static enum hr_code validate_unique_names(const struct hr_pod *pod, struct hr_err *err)
{
	size_t total = pod->n_init_containers + pod->n_containers;
	for (size_t i = 1; i < total; i++) {
		bool init_i = i < pod->n_init_containers;
		const struct hr_container *ci = init_i
		                                    ? &pod->init_containers[i]
		                                    : &pod->containers[i - pod->n_init_containers];
		for (size_t k = 0; k < i; k++) {
			const struct hr_container *ck =
			    k < pod->n_init_containers
			        ? &pod->init_containers[k]
			        : &pod->containers[k - pod->n_init_containers];
			if (!hr_str_eq(ci->name, ck->name))
				continue;
			char where[64], quoted[80];
			snprintf(where, sizeof(where), "spec.%s[%zu].name",
			         init_i ? "initContainers" : "containers",
			         init_i ? i : i - pod->n_init_containers);
			hr_err_quote(quoted, sizeof(quoted), ci->name);
			return hr_err_set(err, HR_EINVAL, where, "Duplicate value: \"%s\"", quoted);
		}
	}
	return HR_OK;
}

/* ValidateTolerations. */
static enum hr_code validate_tolerations(const struct hr_pod *pod, struct hr_err *err)
{
	char where[64];
	for (size_t i = 0; i < pod->n_tolerations; i++) {
		const struct hr_toleration *t = &pod->tolerations[i];
		const char *field = NULL, *why = NULL;
		if (t->op == HR_TOL_INVALID) {
			field = "operator";
			why = "Unsupported value: supported values: \"Equal\", \"Exists\"";
		} else if (t->key.n == 0 && t->op != HR_TOL_EXISTS) {
			field = "operator";
			why = "must be Exists when `key` is empty, which means \"match all values "
			      "and "
			      "all keys\"";
		} else if (t->key.n && !hr_is_qualified_name(t->key)) {
			field = "key";
			why = "must be a qualified name ([prefix/]name)";
		} else if (t->op == HR_TOL_EXISTS && t->value.n) {
			field = "value";
			why = "value must be empty when `operator` is 'Exists'";
		} else if (t->effect == HR_EFFECT_UNKNOWN) {
			field = "effect";
			why = "Unsupported value: supported values: \"NoExecute\", \"NoSchedule\", "
			      "\"PreferNoSchedule\"";
		} else if (t->has_seconds && t->effect != HR_EFFECT_NO_EXECUTE) {
			field = "effect";
			why = "effect must be 'NoExecute' when `tolerationSeconds` is set";
		}
		if (field) {
			snprintf(where, sizeof(where), "spec.tolerations[%zu].%s", i, field);
			return hr_err_set(err, HR_EINVAL, where, "%s", why);
		}
	}
	return HR_OK;
}

static enum hr_code validate_affinity(const struct hr_pod *pod, struct hr_err *err)
{
	const struct hr_node_selector *na = &pod->node_affinity;
	const char *na_where =
	    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution";
	if (na->present && na->n_terms == 0)
		return hr_err_set(err, HR_EINVAL, na_where, "nodeSelectorTerms: Required value");
	for (size_t i = 0; na->present && i < na->n_terms; i++)
		if (na->terms[i].malformed)
			return hr_err_set(err, HR_EINVAL, na_where, "nodeSelectorTerms[%zu]: %s", i,
			                  na->terms[i].malformed_reason);
	const struct {
		const struct hr_affinity_terms *terms;
		const char *path; /* the list; preferred terms wrap podAffinityTerm */
		bool preferred;
	} sets[] = {
	    {&pod->pod_affinity,
	     "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution", false},
	    {&pod->pod_anti_affinity,
	     "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution", false},
	    {&pod->pref_pod_affinity,
	     "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution", true},
	    {&pod->pref_pod_anti_affinity,
	     "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution", true},
	};
	char where[HR_ERR_WHERE_MAX];
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (size_t i = 0; i < sets[s].terms->n; i++) {
			const struct hr_affinity_term *t = &sets[s].terms->v[i];
			const char *field = NULL, *why = NULL;
			if (t->selector.invalid || t->ns_selector.invalid) {
				field = t->selector.invalid ? "labelSelector" : "namespaceSelector";
				why = t->selector.invalid ? t->selector.invalid_reason
				                          : t->ns_selector.invalid_reason;
			} else if (t->topology_key.n == 0) {
				field = "topologyKey";
				why = "Required value";
			}
			char bad_ns[160];
			for (size_t k = 0; !field && k < t->n_namespaces; k++)
				if (!hr_is_dns_label(t->namespaces[k])) {
					char quoted[80];
					hr_err_quote(quoted, sizeof(quoted), t->namespaces[k]);
					snprintf(bad_ns, sizeof(bad_ns),
					         "\"%s\" is not a valid namespace name", quoted);
					field = "namespaces";
					why = bad_ns;
				}
			if (!field)
				continue;
			snprintf(where, sizeof(where), "%s[%zu]%s.%s", sets[s].path, i,
			         sets[s].preferred ? ".podAffinityTerm" : "", field);
			return hr_err_set(err, HR_EINVAL, where, "%s", why);
		}
	return HR_OK;
}

enum hr_code hr_validate_pod(const struct hr_pod *pod, struct hr_err *err)
{
	enum hr_code rc;
	if (!hr_is_dns_label(pod->namespace))
		return hr_err_set(err, HR_EINVAL, "metadata.namespace",
		                  "\"%.*s\" is not a valid namespace name", (int)pod->namespace.n,
		                  pod->namespace.p);
	if (pod->n_containers == 0)
		return hr_err_set(err, HR_EINVAL, "spec.containers",
		                  "Required value: a pod needs at least one container");
	if ((rc = validate_containers(pod->containers, pod->n_containers, "containers", err)) !=
	        HR_OK ||
	    (rc = validate_containers(pod->init_containers, pod->n_init_containers,
	                              "initContainers", err)) != HR_OK ||
	    (rc = validate_list(pod->overhead, "spec.overhead", err)) != HR_OK ||
	    (rc = validate_list(pod->pod_requests, "spec.resources.requests", err)) != HR_OK ||
	    (rc = validate_list(pod->pod_limits, "spec.resources.limits", err)) != HR_OK ||
	    (rc = validate_unique_names(pod, err)) != HR_OK ||
	    (rc = validate_tolerations(pod, err)) != HR_OK)
		return rc;
	for (size_t i = 0; i < pod->pod_requests.n; i++) {
		const struct hr_qty_entry *lim =
		    hr_qty_list_get(pod->pod_limits, pod->pod_requests.v[i].name);
		if (lim && pod->pod_requests.v[i].milli > lim->milli)
			return invalid(err, "spec.resources.requests", pod->pod_requests.v[i].name,
			               "must be less than or equal to its limit");
	}
	return validate_affinity(pod, err);
}
