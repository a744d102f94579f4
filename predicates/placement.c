/* placement.c: placing copies by topology domain with tournament trees.
 *
 * Nodes are grouped: one group per domain of the key, plus one group per
 * node without the key (its coupled answer never changes). A group is open
 * when the coupled plugins pass its representative node. The node tree holds
 * each node's total score while its own plugins pass, positioned so a group
 * is a contiguous range; the group tree holds each open group's best node. */
#include "placement.h"

#include "spread_domains.h"
#include "tourney.h"

struct engine {
	const struct hr_placement *p;
	const struct hr_snapshot *snap;
	struct hr_capacity_result *out;
	size_t n_groups;
	size_t *group_of;    /* per node */
	size_t *group_start; /* per group (+1): first position of its nodes */
	size_t *pos_of;      /* per node: its slot in the node tree */
	size_t *rep;         /* per group: the node whose coupled answer stands for all */
	struct hr_node_status *own;
	bool *own_ok;
	struct hr_tourney nodes;
	struct hr_tourney groups;
};

static enum hr_code oom(struct hr_err *err)
{
	return hr_err_set(err, HR_ENOMEM, NULL, "out of memory placing copies");
}

/* Group ids: domains first, then one per keyless node; nodes laid out by group. */
static bool group_nodes(struct engine *e, struct hr_arena *arena)
{
	size_t n = e->snap->n_nodes;
	struct hr_spread_domains doms;
	if (!hr_spread_domains_init(&doms, e->snap, e->p->key, arena))
		return false;
	e->group_of = hr_arena_calloc(arena, n + 1, sizeof(size_t));
	e->pos_of = hr_arena_calloc(arena, n + 1, sizeof(size_t));
	e->group_start = hr_arena_calloc(arena, n + 2, sizeof(size_t));
	e->rep = hr_arena_calloc(arena, n + 1, sizeof(size_t));
	if (!e->group_of || !e->pos_of || !e->group_start || !e->rep)
		return false;
	e->n_groups = doms.n_domains;
	for (size_t k = 0; k < n; k++) {
		int32_t d = doms.node_domain[k];
		e->group_of[k] = d >= 0 ? (size_t)d : e->n_groups++;
		e->group_start[e->group_of[k] + 1]++;
	}
	for (size_t g = 0; g < e->n_groups; g++)
		e->group_start[g + 1] += e->group_start[g];
	size_t *next = hr_arena_calloc(arena, e->n_groups + 1, sizeof(size_t));
	if (!next)
		return false;
	for (size_t k = 0; k < n; k++) { /* ascending k: each group's first node is its rep */
		size_t g = e->group_of[k];
		if (next[g] == 0)
			e->rep[g] = k;
		e->pos_of[k] = e->group_start[g] + next[g]++;
	}
	return true;
}

static struct hr_tourney_entry node_entry(const struct engine *e, size_t k)
{
	struct hr_tourney_entry t = {.index = k, .valid = e->own_ok[k]};
	if (t.valid)
		hr_scorer_totals(e->p->scorer, &k, 1, &t.score);
	return t;
}

/* Asks the coupled plugins about group g and re-enters its best node. */
static void refresh_group(struct engine *e, size_t g)
{
	struct hr_node_status scratch = {0};
	struct hr_tourney_entry best = {0};
	if (hr_filter_node_coupled(e->p->ctx, &e->snap->nodes[e->rep[g]], &scratch))
		best = hr_tourney_best_of(&e->nodes, e->group_start[g], e->group_start[g + 1]);
	hr_tourney_set(&e->groups, g, best);
}

static bool engine_init(struct engine *e, struct hr_arena *arena)
{
	size_t n = e->snap->n_nodes;
	e->own = hr_arena_calloc(arena, n + 1, sizeof(*e->own));
	e->own_ok = hr_arena_calloc(arena, n + 1, sizeof(*e->own_ok));
	if (!e->own || !e->own_ok || !group_nodes(e, arena) ||
	    !hr_tourney_init(&e->nodes, n, e->p->tie_last, arena) ||
	    !hr_tourney_init(&e->groups, e->n_groups, e->p->tie_last, arena))
		return false;
	for (size_t k = 0; k < n; k++) {
		e->own_ok[k] = hr_filter_node_own(e->p->ctx, &e->snap->nodes[k], &e->own[k]);
		hr_tourney_set(&e->nodes, e->pos_of[k], node_entry(e, k));
	}
	for (size_t g = 0; g < e->n_groups; g++)
		refresh_group(e, g);
	return true;
}

static void place_one(struct engine *e, size_t pick)
{
	struct hr_filter_ctx *ctx = e->p->ctx;
	uint64_t epoch = ctx->coupled_epoch;
	hr_filter_assume(ctx, pick);
	hr_scorer_assume(e->p->scorer, pick);
	e->own_ok[pick] = hr_filter_node_own(ctx, &e->snap->nodes[pick], &e->own[pick]);
	hr_tourney_set(&e->nodes, e->pos_of[pick], node_entry(e, pick));
	if (ctx->coupled_epoch != epoch) /* a spread minimum moved: every domain may change */
		for (size_t g = 0; g < e->n_groups; g++)
			refresh_group(e, g);
	else
		refresh_group(e, e->group_of[pick]);
	e->out->nodes[pick].count++;
	e->out->count++;
	e->out->iterations++;
}

/* Each node's status for the next copy, as the plain loop's last round. */
static void final_statuses(struct engine *e)
{
	for (size_t k = 0; k < e->snap->n_nodes; k++) {
		struct hr_node_status *st = &e->out->nodes[k].status;
		*st = e->own[k];
		if (e->own_ok[k])
			hr_filter_node_coupled(e->p->ctx, &e->snap->nodes[k], st);
	}
}

enum hr_code hr_place_by_domain(const struct hr_placement *p, struct hr_arena *arena,
                                struct hr_capacity_result *out, bool *tied, struct hr_err *err)
{
	struct engine e = {.p = p, .snap = p->ctx->snap, .out = out};
	if (!engine_init(&e, arena))
		return oom(err);
	out->coupled = true;
	out->by_domain = true;
	for (;;) {
		struct hr_tourney_entry best = hr_tourney_best(&e.groups);
		if (!best.valid)
			break;
		if (out->count >= p->max) {
			out->limited = true;
			break;
		}
		if (p->should_stop && p->should_stop(p->stop_ctx)) {
			out->limited = out->out_of_time = true;
			break;
		}
		*tied |= best.tied;
		place_one(&e, best.index);
	}
	final_statuses(&e);
	return HR_OK;
}
