/* filter_interpod.c: InterPodAffinity Filter (P/interpodaffinity/filtering.go;
 * spec/predicates.md §2.7).
 *
 * PreFilter builds three topology-pair count maps: pods matching all of the
 * incoming pod's affinity terms, pods matching each of its anti-affinity
 * terms, and existing pods whose required anti-affinity terms match the
 * incoming pod. Filter checks a node's label pairs against them, in that
 * order. Assumed copies of the incoming pod update all three. */
#include "filter_coupled.h"

#include "affinity_term.h"
#include "selector.h"
#include "tpmap.h"

struct hr_affinity_state {
	struct hr_tpmap affinity;      /* incoming affinity: pods matching all terms */
	struct hr_tpmap anti_affinity; /* incoming anti-affinity: per term */
	struct hr_tpmap existing_anti; /* existing pods' anti-affinity vs incoming */
	bool self_matches_affinity;    /* the pod matches all its own affinity terms */
	/* Labels of the pod's namespace as each side sees them: the incoming
	 * pod's terms resolve namespaceSelector through the namespace list (an
	 * unknown namespace matches nothing: NULL), while existing pods' terms
	 * read the incoming pod's namespace labels (unknown: empty labels). */
	const struct hr_labels *ns_listed;
	const struct hr_labels *ns_seen;
};

static const struct hr_labels no_labels = {NULL, 0};

static void credit(struct hr_tpmap *m, const struct hr_node *node, struct hr_str key)
{
	const struct hr_str *v = hr_labels_get(node->labels, key);
	if (v)
		hr_tpmap_add(m, key, *v, 1);
}

/* Counts for the incoming pod's own terms over every existing pod. */
static void count_incoming(struct hr_affinity_state *s, const struct hr_filter_ctx *ctx)
{
	const struct hr_pod *pod = ctx->pod;
	for (size_t k = 0; k < ctx->snap->n_nodes; k++) {
		const struct hr_node_info *info = &ctx->snap->nodes[k];
		for (size_t i = 0; i < info->n_pods; i++) {
			const struct hr_pod *p = info->pods[i];
			const struct hr_labels *nsl = hr_namespace_labels(ctx->snap, p->namespace);
			if (hr_pod_matches_all_terms(pod, pod->pod_affinity, p, nsl))
				for (size_t t = 0; t < pod->pod_affinity.n; t++)
					credit(&s->affinity, info->node,
					       pod->pod_affinity.v[t].topology_key);
			for (size_t t = 0; t < pod->pod_anti_affinity.n; t++)
				if (hr_term_matches_pod(&pod->pod_anti_affinity.v[t], pod, p, nsl))
					credit(&s->anti_affinity, info->node,
					       pod->pod_anti_affinity.v[t].topology_key);
		}
	}
}

/* Existing pods' required anti-affinity terms that match the incoming pod. */
static void count_existing_anti(struct hr_affinity_state *s, const struct hr_filter_ctx *ctx)
{
	for (size_t i = 0; i < ctx->snap->n_with_required_anti; i++) {
		const struct hr_pod *p = ctx->snap->with_required_anti[i].pod;
		const struct hr_node *node = ctx->snap->with_required_anti[i].info->node;
		for (size_t t = 0; t < p->pod_anti_affinity.n; t++)
			if (hr_term_matches_pod(&p->pod_anti_affinity.v[t], p, ctx->pod,
			                        s->ns_seen))
				credit(&s->existing_anti, node,
				       p->pod_anti_affinity.v[t].topology_key);
	}
}

/* A selector that does not parse makes PreFilter fail: "parsing pod: ...". */
static const char *invalid_selector(const struct hr_pod *pod)
{
	const struct hr_affinity_terms *sets[] = {&pod->pod_affinity, &pod->pod_anti_affinity};
	for (size_t s = 0; s < 2; s++)
		for (size_t t = 0; t < sets[s]->n; t++) {
			const struct hr_affinity_term *term = &sets[s]->v[t];
			if (term->selector.invalid)
				return term->selector.invalid_reason;
			if (term->ns_selector.invalid)
				return term->ns_selector.invalid_reason;
		}
	return NULL;
}

enum hr_code hr_affinity_prepare(struct hr_filter_ctx *ctx, struct hr_err *err)
{
	const struct hr_pod *pod = ctx->pod;
	const char *bad = invalid_selector(pod);
	if (bad) {
		char *msg = hr_arena_alloc(ctx->arena, strlen(bad) + 16);
		if (!msg)
			return hr_err_set(err, HR_ENOMEM, NULL,
			                  "out of memory in InterPodAffinity");
		memcpy(msg, "parsing pod: ", 13);
		memcpy(msg + 13, bad, strlen(bad) + 1);
		ctx->prefilter_rejected = true;
		ctx->prefilter_plugin = HR_PLUGIN_INTER_POD_AFFINITY;
		ctx->prefilter_message = msg;
		return HR_OK;
	}
	struct hr_affinity_state *s = hr_arena_calloc(ctx->arena, 1, sizeof(*s));
	if (!s)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory in InterPodAffinity");
	hr_tpmap_init(&s->affinity, ctx->arena);
	hr_tpmap_init(&s->anti_affinity, ctx->arena);
	hr_tpmap_init(&s->existing_anti, ctx->arena);
	s->ns_listed = hr_namespace_labels(ctx->snap, pod->namespace);
	s->ns_seen = s->ns_listed ? s->ns_listed : &no_labels;
	s->self_matches_affinity =
	    hr_pod_matches_all_terms(pod, pod->pod_affinity, pod, s->ns_listed);
	count_existing_anti(s, ctx);
	if (pod->pod_affinity.n || pod->pod_anti_affinity.n)
		count_incoming(s, ctx);
	if (s->affinity.oom || s->anti_affinity.oom || s->existing_anti.oom)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory in InterPodAffinity");
	/* Skip when nothing can reject: no terms and no existing anti-affinity
	 * matches; kept when copies may be assumed (they bring their own terms). */
	if (s->existing_anti.entries == 0 && pod->pod_affinity.n == 0 &&
	    pod->pod_anti_affinity.n == 0)
		return HR_OK;
	ctx->affinity = s;
	return HR_OK;
}

bool hr_affinity_has_existing_anti(const struct hr_filter_ctx *ctx)
{
	return ctx->affinity && ctx->affinity->existing_anti.entries > 0;
}

static bool satisfies_affinity(const struct hr_affinity_state *s, const struct hr_pod *pod,
                               const struct hr_node *node)
{
	bool pods_exist = true;
	for (size_t t = 0; t < pod->pod_affinity.n; t++) {
		struct hr_str key = pod->pod_affinity.v[t].topology_key;
		const struct hr_str *v = hr_labels_get(node->labels, key);
		if (!v)
			return false; /* every topology key must be on the node */
		if (hr_tpmap_get(&s->affinity, key, *v) <= 0)
			pods_exist = false;
	}
	/* the first pod of a group that matches its own terms may go anywhere */
	return pods_exist || (s->affinity.nonzero == 0 && s->self_matches_affinity);
}

static bool satisfies_anti_affinity(const struct hr_affinity_state *s, const struct hr_pod *pod,
                                    const struct hr_node *node)
{
	if (s->anti_affinity.nonzero == 0)
		return true;
	for (size_t t = 0; t < pod->pod_anti_affinity.n; t++) {
		struct hr_str key = pod->pod_anti_affinity.v[t].topology_key;
		const struct hr_str *v = hr_labels_get(node->labels, key);
		if (v && hr_tpmap_get(&s->anti_affinity, key, *v) > 0)
			return false;
	}
	return true;
}

static bool satisfies_existing_anti(const struct hr_affinity_state *s, const struct hr_node *node)
{
	if (s->existing_anti.nonzero == 0)
		return true;
	for (size_t i = 0; i < node->labels.n; i++)
		if (hr_tpmap_get(&s->existing_anti, node->labels.v[i].key,
		                 node->labels.v[i].value) > 0)
			return false;
	return true;
}

static bool fail(struct hr_node_status *out, enum hr_status_code code, enum hr_reason reason)
{
	out->code = code;
	out->plugin = HR_PLUGIN_INTER_POD_AFFINITY;
	out->reasons = 1u << reason;
	return false;
}

bool hr_affinity_filter(const struct hr_filter_ctx *ctx, const struct hr_node_info *info,
                        struct hr_node_status *out)
{
	const struct hr_affinity_state *s = ctx->affinity;
	if (!s)
		return true;
	if (!satisfies_affinity(s, ctx->pod, info->node))
		return fail(out, HR_STATUS_UNRESOLVABLE, HR_R_AFFINITY);
	if (!satisfies_anti_affinity(s, ctx->pod, info->node))
		return fail(out, HR_STATUS_UNSCHEDULABLE, HR_R_ANTI_AFFINITY);
	if (!satisfies_existing_anti(s, info->node))
		return fail(out, HR_STATUS_UNSCHEDULABLE, HR_R_EXISTING_ANTI_AFFINITY);
	return true;
}

void hr_affinity_assume(struct hr_filter_ctx *ctx, size_t index)
{
	struct hr_affinity_state *s = ctx->affinity;
	if (!s)
		return;
	const struct hr_pod *pod = ctx->pod;
	const struct hr_node *node = ctx->snap->nodes[index].node;
	/* the copy is now an existing pod: it counts for the next copy's terms
	 * and its own anti-affinity terms guard against the next copy */
	if (s->self_matches_affinity)
		for (size_t t = 0; t < pod->pod_affinity.n; t++)
			credit(&s->affinity, node, pod->pod_affinity.v[t].topology_key);
	for (size_t t = 0; t < pod->pod_anti_affinity.n; t++) {
		const struct hr_affinity_term *term = &pod->pod_anti_affinity.v[t];
		if (hr_term_matches_pod(term, pod, pod, s->ns_listed))
			credit(&s->anti_affinity, node, term->topology_key);
		if (hr_term_matches_pod(term, pod, pod, s->ns_seen))
			credit(&s->existing_anti, node, term->topology_key);
	}
}
