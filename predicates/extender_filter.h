/* extender_filter.h: the scheduler extender's filter verb, bytes to bytes.
 *
 * Reads an ExtenderArgs body ({"Pod": {...}, "Nodes": {"items": [...]} |
 * null, "NodeNames": [...] | null}; top-level keys matched
 * case-insensitively, as Go's decoder does) and writes the
 * ExtenderFilterResult (spec/extender-protocol.md §1.4): the list that
 * matches the mode (NodeNames in -> NodeNames out; Nodes in -> the very same
 * Node objects out, byte for byte, never re-encoded), every rejected node in
 * FailedNodes (Unschedulable) or FailedAndUnresolvableNodes, "Error": "".
 * Nodes come from the request in Nodes mode (pods from the snapshot) and from
 * the snapshot in NodeNames mode; a name the snapshot does not know fails
 * with a reason instead of failing the call.
 * Malformed bodies are errors (HR_EINVAL, naming the field) for the caller to
 * answer with a 4xx. Thread-safety: reentrant; the snapshot is only read. */
#ifndef HR_EXTENDER_FILTER_H
#define HR_EXTENDER_FILTER_H

#include <stddef.h>
#include "arena.h"
#include "buf.h"
#include "err.h"
#include "snapshot.h"

struct hr_filter_stats {
	size_t nodes_in;      /* candidate nodes in the request */
	size_t nodes_passed;  /* nodes returned as feasible */
	size_t nodes_decoded; /* Nodes mode: objects decoded (not taken from the snapshot) */
	size_t nodes_unknown; /* names the snapshot did not know */
	bool full_nodes;      /* Nodes mode (nodeCacheCapable: false) */
};

/* Filters the body's candidate nodes for its pod and appends the result
 * JSON to out. Scratch memory comes from arena. */
enum hr_code hr_extender_filter(const struct hr_snapshot *snap, const char *body, size_t len,
                                struct hr_arena *arena, struct hr_buf *out,
                                struct hr_filter_stats *stats, struct hr_err *err)
    __attribute__((warn_unused_result));

#endif
