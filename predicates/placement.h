/* placement.h: the capacity loop's placements, by topology domain.
 *
 * The plain loop (capacity.c) filters and scores every node for every copy:
 * O(copies x nodes), seconds at 5,000 nodes. When the pod's coupled
 * plugins answer per domain of one topology key (hr_filter_coupled_by_domain)
 * and every node's score depends only on that node (hr_scorer_is_node_local)
 * - the usual anti-affinity or spread pod - placing a copy changes only
 * the chosen node's own status and score and its domain's coupled answer
 * (or every domain's, when a spread minimum moves). Two tournament trees,
 * nodes grouped by domain and the domains themselves, then find the
 * scheduler's pick in O(log n) per copy, with the same tie-breaking and tie
 * reports as the plain loop; a property test holds the two to the same
 * answers.
 * Thread-safety: one request. */
#ifndef HR_PLACEMENT_H
#define HR_PLACEMENT_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "capacity.h"
#include "err.h"
#include "filter.h"
#include "score.h"

struct hr_placement {
	struct hr_filter_ctx *ctx; /* prepared with an overlay */
	struct hr_scorer *scorer;  /* initialised on ctx */
	struct hr_str key;         /* from hr_filter_coupled_by_domain */
	int64_t max;               /* stop (limited) at this many copies */
	bool tie_last;             /* break score ties by the last node, not the first */
	bool (*should_stop)(void *ctx);
	void *stop_ctx;
};

/* Places copies into out (nodes, counts, statuses, limited, iterations, as
 * the plain loop does); *tied is set when some pick had a tied score. */
enum hr_code hr_place_by_domain(const struct hr_placement *p, struct hr_arena *arena,
                                struct hr_capacity_result *out, bool *tied, struct hr_err *err)
    __attribute__((warn_unused_result));

#endif
