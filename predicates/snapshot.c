/* snapshot.c: building the immutable cluster snapshot. */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>

#include "clone.h"
#include "jsonget.h"
#include "request.h"
#include "sat.h"

void hr_snap_builder_init(struct hr_snap_builder *b, struct hr_arena *arena, struct hr_err *err)
{
	memset(b, 0, sizeof(*b));
	b->arena = arena;
	b->err = err;
	hr_arena_init(&b->scratch, NULL, 0);
	hr_intern_init(&b->intern, arena);
	hr_decoder_init(&b->dec, &b->scratch, NULL, err);
	b->resource_version = HR_STR_LIT("");
}

void hr_snap_builder_fini(struct hr_snap_builder *b)
{
	hr_arena_fini(&b->scratch);
}

static enum hr_code oom(struct hr_snap_builder *b)
{
	return hr_err_set(b->err, HR_ENOMEM, NULL, "out of memory building the snapshot");
}

/* Appends a pointer to one of the builder's growable arrays. */
static enum hr_code push_ptr(struct hr_snap_builder *b, void *array_ptr, size_t *n, size_t *cap,
                             const void *item)
{
	const void ***arr = array_ptr;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		const void **grown = hr_arena_grow(b->arena, *arr, *n, ncap, sizeof(void *));
		if (!grown)
			return oom(b);
		*arr = grown;
		*cap = ncap;
	}
	(*arr)[(*n)++] = item;
	return HR_OK;
}

enum hr_code hr_snap_builder_add_node(struct hr_snap_builder *b, const struct hr_node *node)
{
	return push_ptr(b, &b->nodes, &b->n_nodes, &b->cap_nodes, node);
}

enum hr_code hr_snap_builder_add_pod(struct hr_snap_builder *b, struct hr_pod *pod)
{
	enum hr_code rc = hr_pod_finalize(pod, b->arena, b->err);
	if (rc != HR_OK)
		return rc;
	return push_ptr(b, &b->pods, &b->n_pods, &b->cap_pods, pod);
}

enum hr_code hr_snap_builder_add_namespace(struct hr_snap_builder *b, const struct hr_namespace *ns)
{
	return push_ptr(b, &b->namespaces, &b->n_namespaces, &b->cap_namespaces, ns);
}

enum hr_code hr_snap_builder_add_limit_range(struct hr_snap_builder *b,
                                             const struct hr_limit_range *lr)
{
	return push_ptr(b, &b->limit_ranges, &b->n_limit_ranges, &b->cap_limit_ranges, lr);
}

enum hr_code hr_snap_builder_add_runtime_class(struct hr_snap_builder *b,
                                               const struct hr_runtime_class *rc)
{
	return push_ptr(b, &b->runtime_classes, &b->n_runtime_classes, &b->cap_runtime_classes, rc);
}

void hr_snap_builder_set_resource_version(struct hr_snap_builder *b, struct hr_str rv)
{
	struct hr_str copy = hr_arena_strdup(b->arena, rv);
	if (copy.p)
		b->resource_version = copy;
}

/* Decodes obj as `kind` into scratch memory and adds a compact clone of
 * what the predicates read (the decoded form is much larger). */
static enum hr_code add_kind(struct hr_snap_builder *b, const cJSON *obj, struct hr_str kind)
{
	enum hr_code rc = HR_OK;
	union {
		struct hr_node node;
		struct hr_pod pod;
		struct hr_namespace ns;
		struct hr_limit_range lr;
		struct hr_runtime_class rc;
	} tmp;
	hr_arena_reset(&b->scratch);
	if (hr_str_eq_c(kind, "Node")) {
		if ((rc = hr_decode_node(&b->dec, obj, &tmp.node)) != HR_OK)
			return rc;
		struct hr_node *n = hr_node_clone(&tmp.node, b->arena, &b->intern);
		return n ? hr_snap_builder_add_node(b, n) : oom(b);
	}
	if (hr_str_eq_c(kind, "Pod")) {
		if ((rc = hr_decode_pod(&b->dec, obj, &tmp.pod)) != HR_OK ||
		    (rc = hr_pod_finalize(&tmp.pod, &b->scratch, b->err)) != HR_OK)
			return rc;
		struct hr_pod *p = hr_pod_clone_compact(&tmp.pod, b->arena, &b->intern);
		return p ? hr_snap_builder_add_pod(b, p) : oom(b);
	}
	if (hr_str_eq_c(kind, "Namespace")) {
		if ((rc = hr_decode_namespace(&b->dec, obj, &tmp.ns)) != HR_OK)
			return rc;
		struct hr_namespace *ns = hr_namespace_clone(&tmp.ns, b->arena, &b->intern);
		return ns ? hr_snap_builder_add_namespace(b, ns) : oom(b);
	}
	if (hr_str_eq_c(kind, "LimitRange")) {
		if ((rc = hr_decode_limit_range(&b->dec, obj, &tmp.lr)) != HR_OK)
			return rc;
		struct hr_limit_range *lr = hr_limit_range_clone(&tmp.lr, b->arena, &b->intern);
		if (!lr)
			return oom(b);
		return hr_snap_builder_add_limit_range(b, lr);
	}
	if (hr_str_eq_c(kind, "RuntimeClass")) {
		if ((rc = hr_decode_runtime_class(&b->dec, obj, &tmp.rc)) != HR_OK)
			return rc;
		struct hr_runtime_class *rcl =
		    hr_runtime_class_clone(&tmp.rc, b->arena, &b->intern);
		if (!rcl)
			return oom(b);
		return hr_snap_builder_add_runtime_class(b, rcl);
	}
	b->stats.objects_skipped++;
	return HR_OK;
}

enum hr_code hr_snap_builder_add_json(struct hr_snap_builder *b, const cJSON *obj,
                                      const char *kind_hint, const char *where)
{
	hr_path_init(&b->dec.path);
	if (where)
		hr_path_push_key(&b->dec.path, where);
	if (!cJSON_IsObject(obj))
		return hr_err_at(b->err, HR_EINVAL, &b->dec.path, "must be a JSON object, got %s",
		                 hr_cj_type_name(obj));
	struct hr_str kind = HR_STR_NULL;
	enum hr_code rc = hr_cj_string(obj, "kind", &kind, &b->dec.path, b->err);
	if (rc != HR_OK)
		return rc;
	if (kind.n == 0)
		kind = hr_str_c(kind_hint);
	if (kind.n == 0)
		return hr_err_at(b->err, HR_EINVAL, &b->dec.path, "object has no \"kind\"");
	return add_kind(b, obj, kind);
}

/* "NodeList" -> "Node"; "List" -> "" (items carry their own kind). */
static void item_kind_of_list(struct hr_str list_kind, char *out, size_t out_size)
{
	out[0] = '\0';
	if (list_kind.n > 4 && list_kind.n - 4 < out_size &&
	    memcmp(list_kind.p + list_kind.n - 4, "List", 4) == 0) {
		memcpy(out, list_kind.p, list_kind.n - 4);
		out[list_kind.n - 4] = '\0';
	}
}

enum hr_code hr_snap_builder_add_document(struct hr_snap_builder *b, const cJSON *doc)
{
	if (!cJSON_IsObject(doc))
		return hr_err_set(b->err, HR_EINVAL, NULL,
		                  "cluster document must be a JSON object (a v1 List), got %s",
		                  hr_cj_type_name(doc));
	const cJSON *items = hr_cj_member(doc, "items");
	const cJSON *kind = hr_cj_member(doc, "kind");
	struct hr_str kind_s = cJSON_IsString(kind) ? hr_cj_view(kind) : HR_STR_NULL;
	if (!items) {
		if (kind_s.n > 4 &&
		    hr_str_has_prefix((struct hr_str){kind_s.p + kind_s.n - 4, 4}, "List"))
			return HR_OK; /* an empty list */
		return hr_snap_builder_add_json(b, doc, NULL, NULL);
	}
	if (!cJSON_IsArray(items))
		return hr_err_set(b->err, HR_EINVAL, "items", "must be an array, got %s",
		                  hr_cj_type_name(items));
	const cJSON *rv = hr_cj_member(hr_cj_member(doc, "metadata"), "resourceVersion");
	if (cJSON_IsString(rv))
		hr_snap_builder_set_resource_version(b, hr_cj_view(rv));
	char hint[64];
	item_kind_of_list(kind_s, hint, sizeof(hint));
	size_t i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
	{
		char where[32];
		snprintf(where, sizeof(where), "items[%zu]", i++);
		enum hr_code rc = hr_snap_builder_add_json(b, it, hint, where);
		if (rc != HR_OK)
			return rc;
	}
	return HR_OK;
}

/* ---- finishing ------------------------------------------------------------ */

/* An object, its name and its place in the input: sorting by (name, seq)
 * keeps input order among equal names, so "the later object wins" holds
 * (qsort alone is not stable). */
struct named_ref {
	const void *obj;
	struct hr_str name;
	size_t seq;
};

static int named_ref_cmp(const void *a, const void *b)
{
	const struct named_ref *x = a, *y = b;
	int c = hr_str_cmp(x->name, y->name);
	if (c)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static struct hr_str node_name_of(const void *obj)
{
	return ((const struct hr_node *)obj)->name;
}

static struct hr_str namespace_name_of(const void *obj)
{
	return ((const struct hr_namespace *)obj)->name;
}

/* Sorts objs by name, equal names kept in input order. */
static enum hr_code sort_by_name_stable(struct hr_snap_builder *b, const void **objs, size_t n,
                                        struct hr_str (*name_of)(const void *))
{
	if (n < 2)
		return HR_OK;
	struct named_ref *refs = malloc(n * sizeof(*refs));
	if (!refs)
		return oom(b);
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct named_ref){.obj = objs[i], .name = name_of(objs[i]), .seq = i};
	qsort(refs, n, sizeof(*refs), named_ref_cmp);
	for (size_t i = 0; i < n; i++)
		objs[i] = refs[i].obj;
	free(refs);
	return HR_OK;
}

static const struct hr_node_info *search_sorted(const struct hr_node_info *nodes, size_t n,
                                                struct hr_str name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = hr_str_cmp(nodes[mid].node->name, name);
		if (c == 0)
			return &nodes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct hr_node_info *hr_snap_find_node(const struct hr_snapshot *s, struct hr_str name)
{
	if (!s->node_slots)
		return search_sorted(s->nodes, s->n_nodes, name);
	uint64_t h = hr_str_hash(name);
	uint64_t tag = h >> 32;
	for (size_t i = (size_t)h & s->node_slot_mask;; i = (i + 1) & s->node_slot_mask) {
		uint64_t slot = s->node_slots[i];
		if (slot == UINT64_MAX)
			return NULL;
		if (slot >> 32 == tag && hr_str_eq(s->node_names[(uint32_t)slot], name))
			return &s->nodes[(uint32_t)slot];
	}
}

/* The name index: at most half full, so probes stay short. */
static enum hr_code build_node_index(struct hr_snap_builder *b, struct hr_snapshot *s)
{
	size_t cap = 16;
	while (cap < 2 * s->n_nodes)
		cap *= 2;
	uint64_t *slots = hr_arena_alloc(b->arena, cap * sizeof(*slots));
	struct hr_str *names = hr_arena_calloc(b->arena, s->n_nodes + 1, sizeof(*names));
	size_t bytes = 0;
	for (size_t k = 0; k < s->n_nodes; k++)
		bytes += s->nodes[k].node->name.n;
	char *packed = hr_arena_alloc(b->arena, bytes + 1);
	if (!slots || !names || !packed)
		return oom(b);
	for (size_t k = 0; k < s->n_nodes; k++) {
		struct hr_str n = s->nodes[k].node->name;
		memcpy(packed, n.p, n.n);
		names[k] = (struct hr_str){packed, n.n};
		packed += n.n;
	}
	s->node_names = names;
	memset(slots, 0xff, cap * sizeof(*slots));
	for (size_t k = 0; k < s->n_nodes; k++) {
		uint64_t h = hr_str_hash(s->nodes[k].node->name);
		size_t i = (size_t)h & (cap - 1);
		while (slots[i] != UINT64_MAX)
			i = (i + 1) & (cap - 1);
		slots[i] = (h >> 32) << 32 | (uint64_t)k; /* hash tag: most misses end here */
	}
	s->node_slots = slots;
	s->node_slot_mask = cap - 1;
	return HR_OK;
}

const struct hr_namespace *hr_snap_find_namespace(const struct hr_snapshot *s, struct hr_str name)
{
	size_t lo = 0, hi = s->n_namespaces;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = hr_str_cmp(s->namespaces[mid].name, name);
		if (c == 0)
			return &s->namespaces[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Adds a pod's scalar requests into a node's scalar list (kept sorted). */
static enum hr_code add_scalars(struct hr_snap_builder *b, struct hr_resources *acc, size_t *cap,
                                const struct hr_resources *r)
{
	for (size_t i = 0; i < r->n_scalars; i++) {
		struct hr_scalar *sc = (struct hr_scalar *)acc->scalars;
		size_t k = 0;
		while (k < acc->n_scalars && hr_str_cmp(sc[k].name, r->scalars[i].name) < 0)
			k++;
		if (k < acc->n_scalars && hr_str_eq(sc[k].name, r->scalars[i].name)) {
			sc[k].value = hr_i64_add_sat(sc[k].value, r->scalars[i].value);
			continue;
		}
		if (acc->n_scalars == *cap) {
			size_t ncap = *cap ? *cap * 2 : 4;
			sc = hr_arena_grow(b->arena, sc, acc->n_scalars, ncap, sizeof(*sc));
			if (!sc)
				return oom(b);
			*cap = ncap;
		}
		memmove(&sc[k + 1], &sc[k], (acc->n_scalars - k) * sizeof(*sc));
		sc[k] = r->scalars[i];
		acc->scalars = sc;
		acc->n_scalars++;
	}
	return HR_OK;
}

static enum hr_code add_pod_to_info(struct hr_snap_builder *b, struct hr_node_info *info,
                                    size_t *scalar_cap, const struct hr_pod *p)
{
	struct hr_resources *acc = &info->requested;
	/* saturating (sat.h): a node whose pods ask more than int64 holds is full */
	acc->cpu_milli = hr_i64_add_sat(acc->cpu_milli, p->request.cpu_milli);
	acc->mem_bytes = hr_i64_add_sat(acc->mem_bytes, p->request.mem_bytes);
	acc->eph_bytes = hr_i64_add_sat(acc->eph_bytes, p->request.eph_bytes);
	info->nonzero_cpu_milli = hr_i64_add_sat(info->nonzero_cpu_milli, p->nonzero_cpu_milli);
	info->nonzero_mem_bytes = hr_i64_add_sat(info->nonzero_mem_bytes, p->nonzero_mem_bytes);
	return add_scalars(b, acc, scalar_cap, &p->request);
}

/* Which builder pods count on a node: bound, not terminal, known node. */
static const struct hr_node_info *pod_target(struct hr_snap_builder *b, const struct hr_pod *p,
                                             const struct hr_snapshot *s)
{
	if (p->node_name.n == 0) {
		b->stats.pods_unbound++;
		return NULL;
	}
	if (hr_pod_is_terminal(p)) {
		b->stats.pods_terminal++;
		return NULL;
	}
	const struct hr_node_info *info = hr_snap_find_node(s, p->node_name);
	if (!info)
		b->stats.pods_unknown_node++;
	return info;
}

static enum hr_code build_nodes(struct hr_snap_builder *b, struct hr_snapshot *s)
{
	enum hr_code rc = sort_by_name_stable(b, (const void **)b->nodes, b->n_nodes, node_name_of);
	if (rc != HR_OK)
		return rc;
	struct hr_node_info *infos = hr_arena_calloc(b->arena, b->n_nodes + 1, sizeof(*infos));
	if (!infos)
		return oom(b);
	size_t n = 0;
	for (size_t i = 0; i < b->n_nodes; i++) {
		if (n > 0 && hr_str_eq(infos[n - 1].node->name, b->nodes[i]->name)) {
			b->stats.nodes_duplicate++;
			infos[n - 1].node = b->nodes[i]; /* the later object wins */
			continue;
		}
		infos[n].node = b->nodes[i];
		infos[n].index = n;
		n++;
	}
	s->nodes = infos;
	s->n_nodes = n;
	if (n > UINT32_MAX - 1)
		return hr_err_set(b->err, HR_ERANGE, NULL, "more than 2^32 nodes");
	return build_node_index(b, s);
}

static uint64_t pod_key_hash(const struct hr_pod *p)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a over namespace, NUL, name */
	for (size_t i = 0; i < p->namespace.n; i++)
		h = (h ^ (unsigned char)p->namespace.p[i]) * 1099511628211ull;
	h *= 1099511628211ull;
	for (size_t i = 0; i < p->name.n; i++)
		h = (h ^ (unsigned char)p->name.p[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

/* Marks in dropped[] every pod that a later pod with the same namespace and
 * name replaces (the same object twice: two dumps passed together, or a List
 * that repeats it), so it is counted once. */
static enum hr_code mark_replaced_pods(struct hr_snap_builder *b, bool *dropped)
{
	if (b->n_pods >= UINT32_MAX)
		return hr_err_set(b->err, HR_ERANGE, NULL, "more than 2^32 pods");
	size_t cap = 16;
	while (cap < 2 * b->n_pods)
		cap *= 2;
	uint32_t *slots = calloc(cap, sizeof(*slots)); /* pod index + 1; 0 = empty */
	if (!slots)
		return oom(b);
	for (size_t i = 0; i < b->n_pods; i++) {
		const struct hr_pod *p = b->pods[i];
		size_t k = pod_key_hash(p) & (cap - 1);
		for (; slots[k]; k = (k + 1) & (cap - 1)) {
			const struct hr_pod *q = b->pods[slots[k] - 1];
			if (hr_str_eq(q->name, p->name) && hr_str_eq(q->namespace, p->namespace)) {
				dropped[slots[k] - 1] = true;
				b->stats.pods_duplicate++;
				break;
			}
		}
		slots[k] = (uint32_t)(i + 1);
	}
	free(slots);
	return HR_OK;
}

/* Places every counted pod on its node: pods grouped per node, aggregates summed. */
static enum hr_code build_pods(struct hr_snap_builder *b, struct hr_snapshot *s)
{
	struct hr_node_info *infos = (struct hr_node_info *)s->nodes;
	size_t *counts = hr_arena_calloc(b->arena, s->n_nodes + 1, sizeof(*counts));
	size_t *ports = hr_arena_calloc(b->arena, s->n_nodes + 1, sizeof(*ports));
	size_t *scalar_caps = hr_arena_calloc(b->arena, s->n_nodes + 1, sizeof(*scalar_caps));
	const struct hr_node_info **target =
	    hr_arena_calloc(b->arena, b->n_pods + 1, sizeof(*target));
	bool *dropped = hr_arena_calloc(b->arena, b->n_pods + 1, sizeof(*dropped));
	if (!counts || !ports || !scalar_caps || !target || !dropped)
		return oom(b);
	enum hr_code rc = mark_replaced_pods(b, dropped);
	if (rc != HR_OK)
		return rc;
	size_t total = 0;
	for (size_t i = 0; i < b->n_pods; i++) {
		target[i] = dropped[i] ? NULL : pod_target(b, b->pods[i], s);
		if (!target[i])
			continue;
		counts[target[i]->index]++;
		ports[target[i]->index] += b->pods[i]->n_host_ports;
		total++;
	}
	const struct hr_pod **pods = hr_arena_calloc(b->arena, total + 1, sizeof(*pods));
	if (!pods)
		return oom(b);
	size_t offset = 0;
	for (size_t k = 0; k < s->n_nodes; k++) {
		infos[k].pods = pods + offset;
		offset += counts[k];
		struct hr_host_port *pv = hr_arena_calloc(b->arena, ports[k] + 1, sizeof(*pv));
		if (!pv)
			return oom(b);
		infos[k].ports = pv;
	}
	for (size_t i = 0; i < b->n_pods; i++) {
		if (!target[i])
			continue;
		struct hr_node_info *info = &infos[target[i]->index];
		const struct hr_pod *p = b->pods[i];
		((const struct hr_pod **)info->pods)[info->n_pods++] = p;
		struct hr_host_port *pv = (struct hr_host_port *)info->ports;
		for (size_t j = 0; j < p->n_host_ports; j++)
			pv[info->n_ports++] = p->host_ports[j];
		rc = add_pod_to_info(b, info, &scalar_caps[info->index], p);
		if (rc != HR_OK)
			return rc;
	}
	s->pods = pods;
	s->n_pods = total;
	return HR_OK;
}

static bool has_any_affinity(const struct hr_pod *p)
{
	return p->pod_affinity.n || p->pod_anti_affinity.n || p->pref_pod_affinity.n ||
	       p->pref_pod_anti_affinity.n;
}

/* The pods with inter-pod terms, in node order (as the pods array). */
static enum hr_code build_affinity_lists(struct hr_snap_builder *b, struct hr_snapshot *s)
{
	size_t n_anti = 0, n_any = 0;
	for (size_t k = 0; k < s->n_nodes; k++)
		for (size_t i = 0; i < s->nodes[k].n_pods; i++) {
			n_anti += s->nodes[k].pods[i]->pod_anti_affinity.n > 0;
			n_any += has_any_affinity(s->nodes[k].pods[i]);
		}
	struct hr_pod_ref *anti = hr_arena_calloc(b->arena, n_anti + 1, sizeof(*anti));
	struct hr_pod_ref *any = hr_arena_calloc(b->arena, n_any + 1, sizeof(*any));
	if (!anti || !any)
		return oom(b);
	s->with_required_anti = anti;
	s->with_affinity = any;
	for (size_t k = 0; k < s->n_nodes; k++)
		for (size_t i = 0; i < s->nodes[k].n_pods; i++) {
			struct hr_pod_ref ref = {s->nodes[k].pods[i], &s->nodes[k]};
			if (ref.pod->pod_anti_affinity.n)
				anti[s->n_with_required_anti++] = ref;
			if (has_any_affinity(ref.pod))
				any[s->n_with_affinity++] = ref;
		}
	return HR_OK;
}

static enum hr_code build_lists(struct hr_snap_builder *b, struct hr_snapshot *s)
{
	enum hr_code rc = sort_by_name_stable(b, (const void **)b->namespaces, b->n_namespaces,
	                                      namespace_name_of);
	if (rc != HR_OK)
		return rc;
	struct hr_namespace *ns = hr_arena_calloc(b->arena, b->n_namespaces + 1, sizeof(*ns));
	struct hr_limit_range *lr = hr_arena_calloc(b->arena, b->n_limit_ranges + 1, sizeof(*lr));
	struct hr_runtime_class *rcl =
	    hr_arena_calloc(b->arena, b->n_runtime_classes + 1, sizeof(*rcl));
	if (!ns || !lr || !rcl)
		return oom(b);
	size_t n = 0;
	for (size_t i = 0; i < b->n_namespaces; i++) {
		if (n > 0 && hr_str_eq(ns[n - 1].name, b->namespaces[i]->name))
			n--; /* duplicate: the later one wins */
		ns[n++] = *b->namespaces[i];
	}
	for (size_t i = 0; i < b->n_limit_ranges; i++)
		lr[i] = *b->limit_ranges[i];
	for (size_t i = 0; i < b->n_runtime_classes; i++)
		rcl[i] = *b->runtime_classes[i];
	s->namespaces = ns;
	s->n_namespaces = n;
	s->limit_ranges = lr;
	s->n_limit_ranges = b->n_limit_ranges;
	s->runtime_classes = rcl;
	s->n_runtime_classes = b->n_runtime_classes;
	return HR_OK;
}

enum hr_code hr_snap_builder_finish(struct hr_snap_builder *b, const struct hr_snapshot **out)
{
	struct hr_snapshot *s = hr_arena_calloc(b->arena, 1, sizeof(*s));
	if (!s)
		return oom(b);
	enum hr_code rc;
	b->stats.pods_total = b->n_pods; /* duplicates included: objects seen */
	if ((rc = build_nodes(b, s)) != HR_OK || (rc = build_pods(b, s)) != HR_OK ||
	    (rc = build_affinity_lists(b, s)) != HR_OK || (rc = build_lists(b, s)) != HR_OK)
		return rc;
	s->stats = b->stats;
	s->resource_version = b->resource_version;
	*out = s;
	return HR_OK;
}

enum hr_code hr_snapshot_from_json(const cJSON *doc, struct hr_arena *arena,
                                   const struct hr_snapshot **out, struct hr_err *err)
{
	struct hr_snap_builder b;
	hr_snap_builder_init(&b, arena, err);
	enum hr_code rc = hr_snap_builder_add_document(&b, doc);
	if (rc == HR_OK)
		rc = hr_snap_builder_finish(&b, out);
	hr_snap_builder_fini(&b);
	return rc;
}
