/* intern.c: open-addressing string set. */
#include "intern.h"

#include <stdint.h>

void hr_intern_init(struct hr_intern *in, struct hr_arena *arena)
{
	in->arena = arena;
	in->slots = NULL;
	in->cap = 0;
	in->count = 0;
}

static size_t find_slot(const struct hr_str *slots, size_t cap, struct hr_str s, uint64_t h)
{
	size_t mask = cap - 1;
	size_t i = (size_t)h & mask;
	while (slots[i].p && !hr_str_eq(slots[i], s))
		i = (i + 1) & mask;
	return i;
}

static int grow(struct hr_intern *in)
{
	size_t cap = in->cap ? in->cap * 2 : 256;
	struct hr_str *slots = hr_arena_calloc(in->arena, cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < in->cap; i++) {
		if (!in->slots[i].p)
			continue;
		slots[find_slot(slots, cap, in->slots[i], hr_str_hash(in->slots[i]))] =
		    in->slots[i];
	}
	in->slots = slots; /* the old table stays in the arena until it is freed */
	in->cap = cap;
	return 0;
}

struct hr_str hr_intern_get(struct hr_intern *in, struct hr_str s)
{
	if ((in->count + 1) * 4 > in->cap * 3 && grow(in) != 0)
		return HR_STR_NULL;
	uint64_t h = hr_str_hash(s);
	size_t i = find_slot(in->slots, in->cap, s, h);
	if (in->slots[i].p)
		return in->slots[i];
	struct hr_str copy = hr_arena_strdup(in->arena, s);
	if (!copy.p)
		return HR_STR_NULL;
	in->slots[i] = copy;
	in->count++;
	return copy;
}
