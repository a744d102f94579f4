/* tourney.h: a tournament tree that keeps the best of n scored slots
 * (internal to predicates/; the capacity engine's node and domain picks).
 *
 * Each slot holds a score and a node index, or nothing. The best entry has
 * the highest score; equal scores go to the lowest index, or the highest
 * with tie_last, which is how the placement loop breaks ties. Every entry
 * also says whether another slot below it shares its score (a tie the real
 * scheduler would break at random). Setting a slot costs O(log n); the best
 * of all slots is O(1), of a range O(log n).
 * Thread-safety: one request. */
#ifndef HR_TOURNEY_H
#define HR_TOURNEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

struct hr_tourney_entry {
	int64_t score;
	size_t index; /* the node the score belongs to */
	bool valid;   /* false: an empty slot, worse than any entry */
	bool tied;    /* another slot under this one has the same score */
};

struct hr_tourney {
	struct hr_tourney_entry *t; /* heap layout: t[1] is the root, leaves from t[size] */
	size_t n, size;
	bool tie_last;
};

/* n empty slots. Returns false when out of memory. */
bool hr_tourney_init(struct hr_tourney *t, size_t n, bool tie_last, struct hr_arena *arena);

/* Puts e in slot i (e.valid false empties it) and updates the path to the
 * root. e.tied is kept: a slot may stand for a group that has a tie inside. */
void hr_tourney_set(struct hr_tourney *t, size_t i, struct hr_tourney_entry e);

/* The best entry of all slots (valid false when every slot is empty). */
struct hr_tourney_entry hr_tourney_best(const struct hr_tourney *t);

/* The best entry of slots [lo, hi). */
struct hr_tourney_entry hr_tourney_best_of(const struct hr_tourney *t, size_t lo, size_t hi);

#endif
