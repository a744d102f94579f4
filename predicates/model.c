/* model.c: lookups on model objects. */
#include "model.h"

const struct hr_str *hr_labels_get(struct hr_labels labels, struct hr_str key)
{
	size_t lo = 0, hi = labels.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = hr_str_cmp(labels.v[mid].key, key);
		if (c == 0)
			return &labels.v[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct hr_qty_entry *hr_qty_list_get(struct hr_qty_list list, struct hr_str name)
{
	for (size_t i = 0; i < list.n; i++)
		if (hr_str_eq(list.v[i].name, name))
			return &list.v[i];
	return NULL;
}

int64_t hr_resources_scalar(const struct hr_resources *r, struct hr_str name)
{
	for (size_t i = 0; i < r->n_scalars; i++)
		if (hr_str_eq(r->scalars[i].name, name))
			return r->scalars[i].value;
	return 0;
}

bool hr_pod_is_terminal(const struct hr_pod *pod)
{
	return pod->phase == HR_PHASE_SUCCEEDED || pod->phase == HR_PHASE_FAILED;
}
