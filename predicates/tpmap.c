/* tpmap.c: topology-pair counts. */
#include "tpmap.h"

void hr_tpmap_init(struct hr_tpmap *m, struct hr_arena *arena)
{
	memset(m, 0, sizeof(*m));
	m->arena = arena;
}

static uint64_t hash_pair(struct hr_str key, struct hr_str value)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < key.n; i++)
		h = (h ^ (unsigned char)key.p[i]) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL; /* separator: ("ab","c") != ("a","bc") */
	for (size_t i = 0; i < value.n; i++)
		h = (h ^ (unsigned char)value.p[i]) * 1099511628211ULL;
	return h;
}

static size_t probe(const struct hr_tp_entry *slots, size_t cap, struct hr_str key,
                    struct hr_str value)
{
	size_t mask = cap - 1, i = (size_t)hash_pair(key, value) & mask;
	while (slots[i].used && !(hr_str_eq(slots[i].key, key) && hr_str_eq(slots[i].value, value)))
		i = (i + 1) & mask;
	return i;
}

static bool grow(struct hr_tpmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct hr_tp_entry *slots = hr_arena_calloc(m->arena, cap, sizeof(*slots));
	if (!slots) {
		m->oom = true;
		return false;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].used)
			slots[probe(slots, cap, m->slots[i].key, m->slots[i].value)] = m->slots[i];
	m->slots = slots;
	m->cap = cap;
	return true;
}

void hr_tpmap_add(struct hr_tpmap *m, struct hr_str key, struct hr_str value, int64_t delta)
{
	if ((m->entries + 1) * 4 > m->cap * 3 && !grow(m))
		return;
	struct hr_tp_entry *e = &m->slots[probe(m->slots, m->cap, key, value)];
	if (!e->used) {
		*e = (struct hr_tp_entry){.key = key, .value = value, .count = 0, .used = true};
		m->entries++;
	}
	bool was_zero = e->count == 0;
	e->count += delta;
	if (was_zero && e->count != 0)
		m->nonzero++;
	else if (!was_zero && e->count == 0)
		m->nonzero--;
}

const struct hr_tp_entry *hr_tpmap_find(const struct hr_tpmap *m, struct hr_str key,
                                        struct hr_str value)
{
	if (m->cap == 0)
		return NULL;
	const struct hr_tp_entry *e = &m->slots[probe(m->slots, m->cap, key, value)];
	return e->used ? e : NULL;
}

int64_t hr_tpmap_get(const struct hr_tpmap *m, struct hr_str key, struct hr_str value)
{
	const struct hr_tp_entry *e = hr_tpmap_find(m, key, value);
	return e ? e->count : 0;
}
