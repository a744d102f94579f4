/* tpmap.h: counts keyed by a topology pair (topologyKey, value), the
 * "topologyToMatchedTermCount" and "TpValueToMatchNum" maps of
 * kube-scheduler's InterPodAffinity and PodTopologySpread.
 *
 * Open addressing in an arena. Entries are never removed: a count that
 * drops to zero stays as an entry (hr_tpmap_nonzero tells how many are
 * non-zero, which is Go's len() of a map that deletes zeros).
 * Memory problems are sticky in `oom`; callers check once.
 * Thread-safety: one request; not shared. */
#ifndef HR_TPMAP_H
#define HR_TPMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "str.h"

struct hr_tp_entry {
	struct hr_str key;
	struct hr_str value;
	int64_t count;
	bool used;
};

struct hr_tpmap {
	struct hr_arena *arena; /* borrowed */
	struct hr_tp_entry *slots;
	size_t cap;     /* power of two, 0 before first insert */
	size_t entries; /* used slots */
	size_t nonzero; /* entries whose count != 0 */
	bool oom;
};

void hr_tpmap_init(struct hr_tpmap *m, struct hr_arena *arena);
/* count[(key, value)] += delta, creating the entry (even for delta 0). */
void hr_tpmap_add(struct hr_tpmap *m, struct hr_str key, struct hr_str value, int64_t delta);
/* The count, 0 when absent. */
int64_t hr_tpmap_get(const struct hr_tpmap *m, struct hr_str key, struct hr_str value);
/* The entry, or NULL. */
const struct hr_tp_entry *hr_tpmap_find(const struct hr_tpmap *m, struct hr_str key,
                                        struct hr_str value);

#endif
