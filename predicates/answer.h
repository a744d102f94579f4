/* answer.h: the capacity answer, rendered as JSON or as a text table.
 *
 * The JSON names are a contract (DESIGN.md "Capacity answer"):
 *   {"count", "replicas", "fits", "exact", "limited", "perNode": [{"node",
 *    "count", "reason"}], "message", "pod": {"kind", "name", "namespace"},
 *    "admission": [...], "notes": [...], "snapshot": {"resourceVersion",
 *    "nodes", "pods", "ageSeconds"}}
 * "replicas" and "fits" appear only when replicas were asked for; "fits" is
 * null when a bound stopped the count below them (it cannot tell). Shared by
 * the HTTP server and the offline CLI so both print the same answer.
 * Thread-safety: reentrant. */
#ifndef HR_ANSWER_H
#define HR_ANSWER_H

#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "capacity.h"
#include "model.h"
#include "snapshot.h"

/* What the answer says besides the engine's result. */
struct hr_answer_info {
	const char *kind;  /* "Pod", "Deployment", ... */
	const char *name;  /* may be "" */
	bool has_replicas; /* replicas asked for */
	int64_t replicas;
	unsigned admitted;            /* enum hr_admitted bits */
	const char *resource_version; /* the snapshot's, "" when unknown */
	double age_seconds;           /* how old the snapshot is */
	bool per_node;                /* include perNode (default true) */
	size_t skipped_documents;     /* other documents of a YAML manifest, not used */
	const char *unknown_field;    /* a field the Pod type lacks, read as absent; NULL if none */
};

/* The notes an answer carries: what was not modelled, approximations. Calls
 * emit for each note text. */
void hr_answer_notes(const struct hr_capacity_result *r, const struct hr_pod *pod,
                     const struct hr_snapshot *snap, const struct hr_answer_info *info,
                     void (*emit)(void *ctx, const char *note), void *ctx);

void hr_answer_capacity_json(const struct hr_capacity_result *r, const struct hr_pod *pod,
                             const struct hr_snapshot *snap, const struct hr_answer_info *info,
                             struct hr_buf *out);

/* A human table: one row per node (NODE, COPIES, WHY NOT MORE), then totals. */
void hr_answer_capacity_table(const struct hr_capacity_result *r, const struct hr_pod *pod,
                              const struct hr_snapshot *snap, const struct hr_answer_info *info,
                              struct hr_buf *out);

#endif
