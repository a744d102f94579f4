/* tourney.c: tournament tree of scored slots. */
#include "tourney.h"

static bool better(const struct hr_tourney *t, const struct hr_tourney_entry *a,
                   const struct hr_tourney_entry *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return t->tie_last ? a->index > b->index : a->index < b->index;
}

/* The winner of a and b, knowing whether the best score is shared. */
static struct hr_tourney_entry play(const struct hr_tourney *t, struct hr_tourney_entry a,
                                    struct hr_tourney_entry b)
{
	if (!a.valid)
		return b;
	if (!b.valid)
		return a;
	struct hr_tourney_entry w = better(t, &a, &b) ? a : b;
	if (a.score == b.score)
		w.tied = true;
	return w;
}

bool hr_tourney_init(struct hr_tourney *t, size_t n, bool tie_last, struct hr_arena *arena)
{
	t->n = n;
	t->size = 1;
	while (t->size < n)
		t->size *= 2;
	t->tie_last = tie_last;
	t->t = hr_arena_calloc(arena, 2 * t->size, sizeof(*t->t));
	return t->t != NULL;
}

void hr_tourney_set(struct hr_tourney *t, size_t i, struct hr_tourney_entry e)
{
	size_t at = t->size + i;
	t->t[at] = e;
	for (at /= 2; at >= 1; at /= 2)
		t->t[at] = play(t, t->t[2 * at], t->t[2 * at + 1]);
}

struct hr_tourney_entry hr_tourney_best(const struct hr_tourney *t)
{
	return t->t[1];
}

struct hr_tourney_entry hr_tourney_best_of(const struct hr_tourney *t, size_t lo, size_t hi)
{
	struct hr_tourney_entry best = {0};
	for (lo += t->size, hi += t->size; lo < hi; lo /= 2, hi /= 2) {
		if (lo & 1)
			best = play(t, best, t->t[lo++]);
		if (hi & 1)
			best = play(t, best, t->t[--hi]);
	}
	return best;
}
