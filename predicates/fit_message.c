/* fit_message.c: FitError histogram text. */
#include "fit_message.h"

#include <stdio.h>
#include <stdlib.h>

struct reason_list {
	struct hr_str *v;
	size_t n, cap;
	struct hr_arena *arena;
	bool oom;
};

static void collect(void *ctx, const char *text, size_t len)
{
	struct reason_list *l = ctx;
	if (l->oom)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct hr_str *v = hr_arena_grow(l->arena, l->v, l->n, cap, sizeof(*v));
		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	struct hr_str copy = hr_arena_strdup(l->arena, (struct hr_str){text, len});
	if (!copy.p) {
		l->oom = true;
		return;
	}
	l->v[l->n++] = copy;
}

static int str_cmp(const void *a, const void *b)
{
	return hr_str_cmp(*(const struct hr_str *)a, *(const struct hr_str *)b);
}

enum hr_code hr_fit_message(const struct hr_node_status *statuses, size_t n_nodes,
                            const struct hr_pod *pod, struct hr_arena *arena, struct hr_buf *out)
{
	if (n_nodes == 0) {
		hr_buf_puts(out, HR_NO_NODES_MESSAGE);
		return HR_OK;
	}
	struct reason_list reasons = {.arena = arena};
	for (size_t i = 0; i < n_nodes; i++)
		if (statuses[i].code != HR_STATUS_SUCCESS)
			hr_status_reasons(&statuses[i], pod, collect, &reasons);
	if (reasons.oom)
		return HR_ENOMEM;
	if (reasons.n)
		qsort(reasons.v, reasons.n, sizeof(*reasons.v), str_cmp);

	/* one "<count> <reason>" item per distinct reason */
	struct hr_str *items = hr_arena_calloc(arena, reasons.n + 1, sizeof(*items));
	if (!items)
		return HR_ENOMEM;
	size_t n_items = 0;
	for (size_t i = 0; i < reasons.n;) {
		size_t j = i;
		while (j < reasons.n && hr_str_eq(reasons.v[j], reasons.v[i]))
			j++;
		char *item = hr_arena_alloc(arena, reasons.v[i].n + 24);
		if (!item)
			return HR_ENOMEM;
		int k = snprintf(item, reasons.v[i].n + 24, "%zu %.*s", j - i, (int)reasons.v[i].n,
		                 reasons.v[i].p);
		items[n_items++] = (struct hr_str){item, (size_t)k};
		i = j;
	}
	qsort(items, n_items, sizeof(*items), str_cmp);

	hr_buf_printf(out, "0/%zu nodes are available: ", n_nodes);
	for (size_t i = 0; i < n_items; i++) {
		if (i)
			hr_buf_puts(out, ", ");
		hr_buf_str(out, items[i]);
	}
	hr_buf_putc(out, '.');
	return hr_buf_ok(out) ? HR_OK : HR_ENOMEM;
}

void hr_fit_message_prefilter(size_t n_nodes, const char *reason, struct hr_buf *out)
{
	hr_buf_printf(out, "0/%zu nodes are available: %s.", n_nodes, reason);
}
