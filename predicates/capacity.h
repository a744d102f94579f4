/* capacity.h: how many more copies of a pod fit, and why the next one does not.
 *
 * The engine (DESIGN.md "The capacity engine") never writes the snapshot: it
 * assumes copies in the filter context's private overlay. Two ways to count:
 * - fast path, for pods whose copies do not interact (no inter-pod
 *   (anti-)affinity, no DoNotSchedule topology spread): every node takes as
 *   many copies as fit on it alone, summed in one pass over the nodes;
 * - the loop, for coupled pods: filter every node, pick one the way the
 *   default profile scores (score.h), assume a copy there, repeat.
 * Both give the same counts for uncoupled pods (a property test checks it).
 * The answer carries per-node counts, each node's status for the next copy
 * and kube-scheduler's FitError message for copy count+1.
 * Thread-safety: reentrant; the snapshot and pod are only read. */
#ifndef HR_CAPACITY_H
#define HR_CAPACITY_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "err.h"
#include "filter.h"
#include "model.h"
#include "snapshot.h"

enum hr_capacity_mode {
	HR_CAPACITY_AUTO = 0,   /* fast path when the pod is uncoupled, else the loop */
	HR_CAPACITY_LOOP,       /* always place copies one by one (tests, checks) */
	HR_CAPACITY_PLAIN_LOOP, /* one by one, filtering and scoring every node for
	                           every copy (the reference placement.h is held to) */
};

struct hr_capacity_opts {
	enum hr_capacity_mode mode;
	int64_t max_copies; /* stop counting here (0 = no limit on the fast path,
	                       HR_CAPACITY_DEFAULT_LOOP_MAX for the loop) */
	/* Asked between placements in the loop (predicates/ reads no clock): true
	 * stops counting, and the answer is flagged out_of_time. May be NULL. */
	bool (*should_stop)(void *ctx);
	void *stop_ctx;
};

#define HR_CAPACITY_DEFAULT_LOOP_MAX 100000

struct hr_capacity_node {
	const struct hr_node_info *info;
	int64_t count;                /* copies placed on this node */
	struct hr_node_status status; /* outcome for the next copy */
};

struct hr_capacity_result {
	int64_t count;       /* copies that fit now */
	bool limited;        /* counting stopped early (max_copies or out of time): a lower bound */
	bool out_of_time;    /* limited because should_stop said so */
	bool coupled;        /* copies interact: the loop placed them */
	bool exact;          /* false when the scheduler's own tie-breaking could change count */
	int64_t count_other; /* !exact: the count another tie-breaking gave */
	struct hr_capacity_node *nodes; /* one per snapshot node, in name order */
	size_t n_nodes;
	const char *message;     /* FitError text for copy count+1 ("" when limited) */
	bool prefilter_rejected; /* a PreFilter rejected the pod outright */
	int64_t iterations;      /* loop rounds (0 on the fast path) */
	bool by_domain;          /* the loop ran by topology domain (placement.h) */
};

/* Counts copies of pod (admitted and finalized) on snap. Allocates the result
 * from arena. Errors only for memory or malformed input. */
enum hr_code hr_capacity(const struct hr_snapshot *snap, const struct hr_pod *pod,
                         const struct hr_capacity_opts *opts, struct hr_arena *arena,
                         struct hr_capacity_result *out, struct hr_err *err)
    __attribute__((warn_unused_result));

#endif
