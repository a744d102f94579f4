/* spread_domains.c: dense ids for topology values. */
#include "spread_domains.h"

bool hr_spread_domains_init(struct hr_spread_domains *d, const struct hr_snapshot *snap,
                            struct hr_str key, struct hr_arena *arena)
{
	memset(d, 0, sizeof(*d));
	d->key = key;
	d->min = INT64_MAX;
	hr_tpmap_init(&d->ids, arena);
	size_t n = snap->n_nodes + 1;
	d->node_domain = hr_arena_calloc(arena, n, sizeof(*d->node_domain));
	d->count = hr_arena_calloc(arena, n, sizeof(*d->count));
	d->registered = hr_arena_calloc(arena, n, sizeof(*d->registered));
	if (!d->node_domain || !d->count || !d->registered)
		return false;
	for (size_t k = 0; k < snap->n_nodes; k++) {
		const struct hr_str *v = hr_labels_get(snap->nodes[k].node->labels, key);
		if (!v) {
			d->node_domain[k] = -1;
			continue;
		}
		int64_t id = hr_tpmap_get(&d->ids, key, *v);
		if (id == 0) {
			id = (int64_t)++d->n_domains;
			hr_tpmap_add(&d->ids, key, *v, id);
		}
		d->node_domain[k] = (int32_t)(id - 1);
	}
	return !d->ids.oom;
}

int32_t hr_spread_domains_of(const struct hr_spread_domains *d, const struct hr_node *node)
{
	const struct hr_str *v = hr_labels_get(node->labels, d->key);
	return v ? (int32_t)(hr_tpmap_get(&d->ids, d->key, *v) - 1) : -1;
}

void hr_spread_domains_add(struct hr_spread_domains *d, int32_t id, int64_t count)
{
	if (!d->registered[id]) {
		d->registered[id] = true;
		d->n_registered++;
	}
	d->count[id] += count;
}

void hr_spread_domains_update_min(struct hr_spread_domains *d)
{
	int64_t min = INT64_MAX;
	size_t at_min = 0;
	for (size_t i = 0; i < d->n_domains; i++) {
		if (!d->registered[i] || d->count[i] > min)
			continue;
		at_min = d->count[i] == min ? at_min + 1 : 1;
		min = d->count[i];
	}
	d->min = min;
	d->n_at_min = at_min;
}

void hr_spread_domains_bump(struct hr_spread_domains *d, int32_t id)
{
	if (!d->registered[id]) { /* not counted before: the minimum may drop */
		hr_spread_domains_add(d, id, 1);
		hr_spread_domains_update_min(d);
		return;
	}
	/* counts only grow: the minimum moves only when its last domain grows */
	if (d->count[id]++ == d->min && --d->n_at_min == 0)
		hr_spread_domains_update_min(d);
}
