/* score.c: default-profile Score plugins (k8s.io/kubernetes/pkg/scheduler/
 * framework/plugins: tainttoleration, nodeaffinity, noderesources
 * (least_allocated.go, balanced_allocation.go, resource_allocation.go),
 * podtopologyspread/scoring.go, interpodaffinity/scoring.go,
 * imagelocality/image_locality.go; helper.DefaultNormalizeScore). */
#include "score.h"

#include <math.h>

#include "affinity_term.h"
#include "sat.h"
#include "selector.h"
#include "spread_constraint.h"
#include "tpmap.h"

#define MAX_NODE_SCORE 100

const int64_t hr_score_weight[HR_SCORE_PLUGIN_COUNT] = {
    [HR_SCORE_TAINT_TOLERATION] = 3,   [HR_SCORE_NODE_AFFINITY] = 2,
    [HR_SCORE_RESOURCES_FIT] = 1,      [HR_SCORE_TOPOLOGY_SPREAD] = 2,
    [HR_SCORE_INTER_POD_AFFINITY] = 2, [HR_SCORE_BALANCED_ALLOCATION] = 1,
    [HR_SCORE_IMAGE_LOCALITY] = 1,
};

static enum hr_code oom(struct hr_err *err)
{
	return hr_err_set(err, HR_ENOMEM, NULL, "out of memory scoring nodes");
}

static const struct hr_snapshot *snap_of(const struct hr_scorer *s)
{
	return s->ctx->snap;
}

static int64_t added_on(const struct hr_scorer *s, size_t k)
{
	return s->ctx->added ? s->ctx->added[k] : 0;
}

/* ---- helper.DefaultNormalizeScore --------------------------------------- */

static void default_normalize(int64_t *scores, size_t n, bool reverse)
{
	int64_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (scores[i] > max)
			max = scores[i];
	for (size_t i = 0; i < n; i++) {
		if (max == 0) {
			if (reverse)
				scores[i] = MAX_NODE_SCORE;
			continue;
		}
		int64_t v = MAX_NODE_SCORE * scores[i] / max;
		scores[i] = reverse ? MAX_NODE_SCORE - v : v;
	}
}

/* ---- TaintToleration, NodeAffinity: static per node --------------------- */

static bool tolerates_prefer_no_schedule(const struct hr_pod *pod, const struct hr_taint *taint)
{
	for (size_t i = 0; i < pod->n_tolerations; i++) {
		const struct hr_toleration *t = &pod->tolerations[i];
		if (t->effect != HR_EFFECT_ANY && t->effect != HR_EFFECT_PREFER_NO_SCHEDULE)
			continue;
		if (hr_toleration_tolerates(t, taint))
			return true;
	}
	return false;
}

static int64_t count_intolerable(const struct hr_pod *pod, const struct hr_node *node)
{
	int64_t n = 0;
	for (size_t i = 0; i < node->n_taints; i++)
		if (node->taints[i].effect == HR_EFFECT_PREFER_NO_SCHEDULE &&
		    !tolerates_prefer_no_schedule(pod, &node->taints[i]))
			n++;
	return n;
}

static int64_t preferred_node_affinity(const struct hr_pod *pod, const struct hr_node *node)
{
	int64_t sum = 0;
	for (size_t i = 0; i < pod->n_preferred_node_affinity; i++) {
		const struct hr_weighted_node_term *t = &pod->preferred_node_affinity[i];
		if (t->weight != 0 && hr_node_term_matches(&t->term, node->labels, node->name))
			sum += t->weight;
	}
	return sum;
}

/* ---- ImageLocality ------------------------------------------------------ */

#define MB                            (1024LL * 1024)
#define IMAGE_MIN_THRESHOLD           (23 * MB)
#define IMAGE_MAX_CONTAINER_THRESHOLD (1000 * MB)

/* normalizedImageName: append ":latest" when the name carries no tag. */
static struct hr_str normalized_image(struct hr_arena *arena, struct hr_str name)
{
	ptrdiff_t colon = -1, slash = -1;
	for (size_t i = 0; i < name.n; i++) {
		if (name.p[i] == ':')
			colon = (ptrdiff_t)i;
		if (name.p[i] == '/')
			slash = (ptrdiff_t)i;
	}
	if (colon > slash)
		return name;
	char *buf = hr_arena_alloc(arena, name.n + 8);
	if (!buf)
		return name;
	memcpy(buf, name.p, name.n);
	memcpy(buf + name.n, ":latest", 7);
	return (struct hr_str){buf, name.n + 7};
}

/* The node's image carrying `name`, or NULL. */
static const struct hr_image *node_image(const struct hr_node *node, struct hr_str name)
{
	for (size_t i = 0; i < node->n_images; i++)
		for (size_t k = 0; k < node->images[i].n_names; k++)
			if (hr_str_eq(node->images[i].names[k], name))
				return &node->images[i];
	return NULL;
}

static void image_scores(struct hr_scorer *s)
{
	const struct hr_snapshot *snap = snap_of(s);
	const struct hr_pod *pod = s->ctx->pod;
	size_t n_containers = pod->n_containers + pod->n_init_containers;
	for (size_t c = 0; c < n_containers; c++) {
		const struct hr_container *ct = c < pod->n_init_containers
		                                    ? &pod->init_containers[c]
		                                    : &pod->containers[c - pod->n_init_containers];
		struct hr_str name = normalized_image(s->arena, ct->image);
		int64_t have = 0, size = -1;
		for (size_t k = 0; k < snap->n_nodes; k++) {
			const struct hr_image *img = node_image(snap->nodes[k].node, name);
			if (!img)
				continue;
			have++;
			if (size < 0)
				size =
				    img->size_bytes; /* the first node to report it sets the size */
		}
		if (have == 0)
			continue;
		int64_t scaled = (int64_t)((double)size * ((double)have / (double)snap->n_nodes));
		for (size_t k = 0; k < snap->n_nodes; k++)
			if (node_image(snap->nodes[k].node, name))
				s->image[k] += scaled;
	}
	int64_t max_threshold = IMAGE_MAX_CONTAINER_THRESHOLD * (int64_t)n_containers;
	for (size_t k = 0; k < snap->n_nodes; k++) {
		int64_t sum = s->image[k];
		if (sum < IMAGE_MIN_THRESHOLD)
			sum = IMAGE_MIN_THRESHOLD;
		else if (sum > max_threshold)
			sum = max_threshold;
		s->image[k] = max_threshold > IMAGE_MIN_THRESHOLD
		                  ? MAX_NODE_SCORE * (sum - IMAGE_MIN_THRESHOLD) /
		                        (max_threshold - IMAGE_MIN_THRESHOLD)
		                  : 0;
	}
}

/* ---- NodeResourcesFit (LeastAllocated) and BalancedAllocation ----------- */

static int64_t least_requested(int64_t requested, int64_t capacity)
{
	if (capacity == 0 || requested > capacity)
		return 0;
	if (capacity < INT64_MAX / MAX_NODE_SCORE) /* the common case, without 128-bit division */
		return (capacity - requested) * MAX_NODE_SCORE / capacity;
	return (int64_t)(((__int128)capacity - requested) * MAX_NODE_SCORE / capacity);
}

static int64_t least_allocated(const struct hr_scorer *s, size_t k)
{
	const struct hr_node_info *info = &snap_of(s)->nodes[k];
	const struct hr_pod *pod = s->ctx->pod;
	int64_t copies = added_on(s, k) + 1;
	int64_t cpu_alloc = info->node->allocatable.cpu_milli;
	int64_t mem_alloc = info->node->allocatable.mem_bytes;
	int64_t score = 0, weights = 0;
	if (cpu_alloc) {
		score += least_requested(
		    hr_i64_add_mul_sat(info->nonzero_cpu_milli, copies, pod->nonzero_cpu_milli),
		    cpu_alloc);
		weights++;
	}
	if (mem_alloc) {
		score += least_requested(
		    hr_i64_add_mul_sat(info->nonzero_mem_bytes, copies, pod->nonzero_mem_bytes),
		    mem_alloc);
		weights++;
	}
	return weights ? score / weights : 0;
}

static int64_t balanced_allocation(const struct hr_scorer *s, size_t k)
{
	const struct hr_node_info *info = &snap_of(s)->nodes[k];
	const struct hr_pod *pod = s->ctx->pod;
	int64_t copies = added_on(s, k) + 1;
	const int64_t alloc[2] = {info->node->allocatable.cpu_milli,
	                          info->node->allocatable.mem_bytes};
	const int64_t req[2] = {
	    hr_i64_add_mul_sat(info->requested.cpu_milli, copies, pod->request.cpu_milli),
	    hr_i64_add_mul_sat(info->requested.mem_bytes, copies, pod->request.mem_bytes)};
	double fractions[2];
	size_t n = 0;
	for (size_t i = 0; i < 2; i++) {
		if (alloc[i] == 0)
			continue;
		double f = (double)req[i] / (double)alloc[i];
		fractions[n++] = f > 1 ? 1 : f;
	}
	double std = n == 2 ? fabs((fractions[0] - fractions[1]) / 2) : 0;
	return (int64_t)((1 - std) * MAX_NODE_SCORE);
}

/* ---- PodTopologySpread (ScheduleAnyway constraints) --------------------- */

struct soft_constraint {
	const struct hr_spread_constraint *c;
	struct hr_label_selector selector;
	bool count_nothing;
	bool self_match;
	bool hostname;          /* topologyKey kubernetes.io/hostname: counted per node */
	struct hr_tpmap counts; /* over every eligible node (not only feasible) */
	int64_t *node_counts;   /* hostname constraints: matching pods per node */
};

struct hr_score_spread {
	struct soft_constraint *cs;
	size_t n;
	bool *eligible;       /* [node * n + i] */
	bool *has_keys;       /* per node: carries every constraint's key */
	struct hr_tpmap seen; /* scratch: values among feasible nodes */
};

static int64_t pods_matching(const struct soft_constraint *sc, const struct hr_node_info *info,
                             struct hr_str ns)
{
	if (sc->count_nothing)
		return 0;
	int64_t n = 0;
	for (size_t i = 0; i < info->n_pods; i++) {
		const struct hr_pod *p = info->pods[i];
		if (!p->terminating && hr_str_eq(p->namespace, ns) &&
		    hr_label_selector_matches(&sc->selector, p->labels))
			n++;
	}
	return n;
}

static enum hr_code spread_init(struct hr_scorer *s, struct hr_err *err)
{
	const struct hr_pod *pod = s->ctx->pod;
	const struct hr_snapshot *snap = snap_of(s);
	size_t n = 0;
	for (size_t i = 0; i < pod->n_spread; i++)
		n += pod->spread[i].when == HR_SCHEDULE_ANYWAY;
	if (n == 0)
		return HR_OK; /* system defaults need the pod's Services/ReplicaSets: not modelled
		               */
	struct hr_score_spread *sp = hr_arena_calloc(s->arena, 1, sizeof(*sp));
	if (!sp || !(sp->cs = hr_arena_calloc(s->arena, n, sizeof(*sp->cs))) ||
	    !(sp->eligible = hr_arena_calloc(s->arena, snap->n_nodes * n + 1, sizeof(bool))) ||
	    !(sp->has_keys = hr_arena_calloc(s->arena, snap->n_nodes + 1, sizeof(bool))))
		return oom(err);
	hr_tpmap_init(&sp->seen, s->arena);
	for (size_t i = 0; i < pod->n_spread; i++) {
		const struct hr_spread_constraint *c = &pod->spread[i];
		if (c->when != HR_SCHEDULE_ANYWAY)
			continue;
		struct soft_constraint *sc = &sp->cs[sp->n++];
		sc->c = c;
		if (!hr_spread_selector(c, pod, s->arena, &sc->selector))
			return oom(err);
		sc->count_nothing = !sc->selector.present || sc->selector.n_reqs == 0;
		sc->self_match = hr_label_selector_matches(&sc->selector, pod->labels);
		sc->hostname = hr_str_eq_c(c->topology_key, "kubernetes.io/hostname");
		hr_tpmap_init(&sc->counts, s->arena);
		if (sc->hostname && !(sc->node_counts = hr_arena_calloc(s->arena, snap->n_nodes + 1,
		                                                        sizeof(int64_t))))
			return oom(err);
	}
	for (size_t k = 0; k < snap->n_nodes; k++) {
		const struct hr_node_info *info = &snap->nodes[k];
		bool all = true;
		for (size_t i = 0; i < sp->n && all; i++)
			all = hr_labels_get(info->node->labels, sp->cs[i].c->topology_key) != NULL;
		sp->has_keys[k] = all;
		for (size_t i = 0; i < sp->n; i++) {
			struct soft_constraint *sc = &sp->cs[i];
			int64_t count = pods_matching(sc, info, pod->namespace);
			if (sc->hostname)
				sc->node_counts[k] = count;
			if (!all || !hr_spread_node_included(sc->c, pod, info->node))
				continue;
			sp->eligible[k * sp->n + i] = true;
			hr_tpmap_add(&sc->counts, sc->c->topology_key,
			             *hr_labels_get(info->node->labels, sc->c->topology_key),
			             count);
		}
	}
	for (size_t i = 0; i < sp->n; i++)
		if (sp->cs[i].counts.oom)
			return oom(err);
	s->spread = sp;
	return HR_OK;
}

/* Number of distinct values of constraint i among the feasible nodes that
 * carry every key (initPreScoreState's topoSize). */
static size_t feasible_domains(struct hr_scorer *s, size_t i, const size_t *feasible, size_t n)
{
	struct hr_score_spread *sp = s->spread;
	struct soft_constraint *sc = &sp->cs[i];
	hr_tpmap_init(&sp->seen, s->arena);
	for (size_t f = 0; f < n; f++) {
		const struct hr_node *node = snap_of(s)->nodes[feasible[f]].node;
		if (sp->has_keys[feasible[f]])
			hr_tpmap_add(&sp->seen, sc->c->topology_key,
			             *hr_labels_get(node->labels, sc->c->topology_key), 0);
	}
	return sp->seen.entries;
}

static void spread_scores(struct hr_scorer *s, const size_t *feasible, size_t n, int64_t *out)
{
	struct hr_score_spread *sp = s->spread;
	const struct hr_snapshot *snap = snap_of(s);
	size_t ignored = 0;
	for (size_t f = 0; f < n; f++)
		ignored += !sp->has_keys[feasible[f]];
	double weight[64];
	size_t nc = sp->n < 64 ? sp->n : 64;
	for (size_t i = 0; i < nc; i++) {
		size_t size =
		    sp->cs[i].hostname ? n - ignored : feasible_domains(s, i, feasible, n);
		weight[i] = log((double)size + 2);
	}
	int64_t min = INT64_MAX, max = 0;
	for (size_t f = 0; f < n; f++) {
		size_t k = feasible[f];
		const struct hr_node *node = snap->nodes[k].node;
		if (!sp->has_keys[k]) {
			out[f] = -1; /* ignored node */
			continue;
		}
		double score = 0;
		for (size_t i = 0; i < nc; i++) {
			const struct soft_constraint *sc = &sp->cs[i];
			const struct hr_str *v = hr_labels_get(node->labels, sc->c->topology_key);
			int64_t cnt = sc->hostname
			                  ? sc->node_counts[k]
			                  : hr_tpmap_get(&sc->counts, sc->c->topology_key, *v);
			score += (double)cnt * weight[i] + (double)(sc->c->max_skew - 1);
		}
		out[f] = (int64_t)round(score);
		if (out[f] < min)
			min = out[f];
		if (out[f] > max)
			max = out[f];
	}
	for (size_t f = 0; f < n; f++) {
		if (out[f] < 0)
			out[f] = 0;
		else if (max == 0)
			out[f] = MAX_NODE_SCORE;
		else
			out[f] = MAX_NODE_SCORE * (max + min - out[f]) / max;
	}
}

static void spread_assume(struct hr_scorer *s, size_t k)
{
	struct hr_score_spread *sp = s->spread;
	if (!sp)
		return;
	const struct hr_node *node = snap_of(s)->nodes[k].node;
	for (size_t i = 0; i < sp->n; i++) {
		struct soft_constraint *sc = &sp->cs[i];
		if (sc->count_nothing || !sc->self_match)
			continue;
		if (sc->hostname)
			sc->node_counts[k]++;
		if (sp->eligible[k * sp->n + i])
			hr_tpmap_add(&sc->counts, sc->c->topology_key,
			             *hr_labels_get(node->labels, sc->c->topology_key), 1);
	}
}

/* ---- InterPodAffinity ---------------------------------------------------- */

struct hr_score_affinity {
	struct hr_tpmap scores; /* (topologyKey, value) -> summed weights */
	const struct hr_labels *ns_listed;
	const struct hr_labels *ns_seen;
};

static const struct hr_labels no_labels = {NULL, 0};

static void credit_term(struct hr_score_affinity *a, const struct hr_affinity_term *term,
                        int64_t weight, const struct hr_pod *owner, const struct hr_pod *target,
                        const struct hr_labels *target_ns, const struct hr_node *node)
{
	if (!hr_term_matches_pod(term, owner, target, target_ns))
		return;
	const struct hr_str *v = hr_labels_get(node->labels, term->topology_key);
	if (v)
		hr_tpmap_add(&a->scores, term->topology_key, *v, weight);
}

/* processExistingPod: `existing` runs on `node`; `pod` is the incoming pod. */
static void affinity_process(struct hr_scorer *s, const struct hr_pod *existing,
                             const struct hr_node *node)
{
	struct hr_score_affinity *a = s->affinity;
	const struct hr_pod *pod = s->ctx->pod;
	if (node->labels.n == 0)
		return;
	const struct hr_labels *existing_ns = hr_namespace_labels(snap_of(s), existing->namespace);
	for (size_t t = 0; t < pod->pref_pod_affinity.n; t++)
		credit_term(a, &pod->pref_pod_affinity.v[t], pod->pref_pod_affinity.v[t].weight,
		            pod, existing, existing_ns, node);
	for (size_t t = 0; t < pod->pref_pod_anti_affinity.n; t++)
		credit_term(a, &pod->pref_pod_anti_affinity.v[t],
		            -(int64_t)pod->pref_pod_anti_affinity.v[t].weight, pod, existing,
		            existing_ns, node);
	for (size_t t = 0; t < existing->pod_affinity.n; t++) /* hardPodAffinityWeight 1 */
		credit_term(a, &existing->pod_affinity.v[t], 1, existing, pod, a->ns_seen, node);
	for (size_t t = 0; t < existing->pref_pod_affinity.n; t++)
		credit_term(a, &existing->pref_pod_affinity.v[t],
		            existing->pref_pod_affinity.v[t].weight, existing, pod, a->ns_seen,
		            node);
	for (size_t t = 0; t < existing->pref_pod_anti_affinity.n; t++)
		credit_term(a, &existing->pref_pod_anti_affinity.v[t],
		            -(int64_t)existing->pref_pod_anti_affinity.v[t].weight, existing, pod,
		            a->ns_seen, node);
}

static enum hr_code affinity_init(struct hr_scorer *s, struct hr_err *err)
{
	struct hr_score_affinity *a = hr_arena_calloc(s->arena, 1, sizeof(*a));
	if (!a)
		return oom(err);
	hr_tpmap_init(&a->scores, s->arena);
	a->ns_listed = hr_namespace_labels(snap_of(s), s->ctx->pod->namespace);
	a->ns_seen = a->ns_listed ? a->ns_listed : &no_labels;
	s->affinity = a;
	const struct hr_snapshot *snap = snap_of(s);
	const struct hr_pod *pod = s->ctx->pod;
	if (pod->pref_pod_affinity.n || pod->pref_pod_anti_affinity.n) {
		for (size_t k = 0; k < snap->n_nodes; k++)
			for (size_t i = 0; i < snap->nodes[k].n_pods; i++)
				affinity_process(s, snap->nodes[k].pods[i], snap->nodes[k].node);
	} else { /* only existing pods' own terms can score */
		for (size_t i = 0; i < snap->n_with_affinity; i++)
			affinity_process(s, snap->with_affinity[i].pod,
			                 snap->with_affinity[i].info->node);
	}
	return a->scores.oom ? oom(err) : HR_OK;
}

static void affinity_scores(struct hr_scorer *s, const size_t *feasible, size_t n, int64_t *out)
{
	const struct hr_score_affinity *a = s->affinity;
	if (a->scores.entries == 0) {
		memset(out, 0, n * sizeof(*out));
		return; /* PreScore Skip */
	}
	int64_t min = INT64_MAX, max = INT64_MIN;
	for (size_t f = 0; f < n; f++) {
		const struct hr_node *node = snap_of(s)->nodes[feasible[f]].node;
		int64_t score = 0;
		for (size_t l = 0; l < node->labels.n; l++)
			score += hr_tpmap_get(&a->scores, node->labels.v[l].key,
			                      node->labels.v[l].value);
		out[f] = score;
		min = score < min ? score : min;
		max = score > max ? score : max;
	}
	for (size_t f = 0; f < n; f++)
		out[f] = max > min ? (int64_t)((double)MAX_NODE_SCORE *
		                               ((double)(out[f] - min) / (double)(max - min)))
		                   : 0;
}

/* ---- the scorer ---------------------------------------------------------- */

enum hr_code hr_scorer_init(struct hr_scorer *s, struct hr_filter_ctx *ctx, struct hr_arena *arena,
                            struct hr_err *err)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->arena = arena;
	const struct hr_snapshot *snap = ctx->snap;
	const struct hr_pod *pod = ctx->pod;
	size_t n = snap->n_nodes + 1;
	if (!(s->intolerable = hr_arena_calloc(arena, n, sizeof(int64_t))) ||
	    !(s->node_affinity = hr_arena_calloc(arena, n, sizeof(int64_t))) ||
	    !(s->image = hr_arena_calloc(arena, n, sizeof(int64_t))) ||
	    !(s->raw = hr_arena_calloc(arena, n * HR_SCORE_PLUGIN_COUNT, sizeof(int64_t))) ||
	    !(s->total = hr_arena_calloc(arena, n, sizeof(int64_t))))
		return oom(err);
	for (size_t k = 0; k < snap->n_nodes; k++) {
		s->intolerable[k] = count_intolerable(pod, snap->nodes[k].node);
		s->node_affinity[k] = preferred_node_affinity(pod, snap->nodes[k].node);
	}
	image_scores(s);
	s->balanced_skip = pod->request.cpu_milli == 0 && pod->request.mem_bytes == 0;
	enum hr_code rc = spread_init(s, err);
	if (rc == HR_OK)
		rc = affinity_init(s, err);
	return rc;
}

void hr_scorer_totals(struct hr_scorer *s, const size_t *feasible, size_t n, int64_t *totals)
{
	size_t stride = snap_of(s)->n_nodes + 1;
	int64_t *raw[HR_SCORE_PLUGIN_COUNT];
	for (size_t p = 0; p < HR_SCORE_PLUGIN_COUNT; p++)
		raw[p] = s->raw + p * stride;
	for (size_t f = 0; f < n; f++) {
		size_t k = feasible[f];
		raw[HR_SCORE_TAINT_TOLERATION][f] = s->intolerable[k];
		raw[HR_SCORE_NODE_AFFINITY][f] = s->node_affinity[k];
		raw[HR_SCORE_RESOURCES_FIT][f] = least_allocated(s, k);
		raw[HR_SCORE_BALANCED_ALLOCATION][f] =
		    s->balanced_skip ? 0 : balanced_allocation(s, k);
		raw[HR_SCORE_IMAGE_LOCALITY][f] = s->image[k];
	}
	default_normalize(raw[HR_SCORE_TAINT_TOLERATION], n, true);
	default_normalize(raw[HR_SCORE_NODE_AFFINITY], n, false);
	if (s->spread)
		spread_scores(s, feasible, n, raw[HR_SCORE_TOPOLOGY_SPREAD]);
	else
		memset(raw[HR_SCORE_TOPOLOGY_SPREAD], 0, n * sizeof(int64_t));
	affinity_scores(s, feasible, n, raw[HR_SCORE_INTER_POD_AFFINITY]);
	for (size_t f = 0; f < n; f++) {
		int64_t t = 0;
		for (size_t p = 0; p < HR_SCORE_PLUGIN_COUNT; p++)
			t += raw[p][f] * hr_score_weight[p];
		totals[f] = t;
	}
}

const int64_t *hr_scorer_plugin_scores(const struct hr_scorer *s, enum hr_score_plugin p)
{
	return s->raw + (size_t)p * (snap_of(s)->n_nodes + 1);
}

size_t hr_scorer_pick(struct hr_scorer *s, const size_t *feasible, size_t n, bool *tie)
{
	hr_scorer_totals(s, feasible, n, s->total);
	size_t best = 0, ties = 1;
	for (size_t f = 1; f < n; f++) {
		if (s->total[f] > s->total[best]) {
			best = f;
			ties = 1;
		} else if (s->total[f] == s->total[best]) {
			ties++;
			if (s->tie_last)
				best = f;
		}
	}
	*tie = ties > 1;
	return feasible[best];
}

static bool all_equal(const int64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[0])
			return false;
	return true;
}

bool hr_scorer_is_node_local(const struct hr_scorer *s)
{
	const struct hr_pod *pod = s->ctx->pod;
	size_t n = snap_of(s)->n_nodes;
	return !s->spread && s->affinity->scores.entries == 0 && pod->pod_affinity.n == 0 &&
	       pod->pref_pod_affinity.n == 0 && pod->pref_pod_anti_affinity.n == 0 &&
	       all_equal(s->intolerable, n) && all_equal(s->node_affinity, n);
}

void hr_scorer_assume(struct hr_scorer *s, size_t index)
{
	spread_assume(s, index);
	affinity_process(s, s->ctx->pod, snap_of(s)->nodes[index].node);
}
