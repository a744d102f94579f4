/* capacity_api.h: one capacity question, from request bytes to answer bytes.
 *
 * Shared by `headroom capacity` and the HTTP routes, so both answer alike.
 * The body is JSON or YAML (a Pod, a workload, or {"template", "replicas",
 * "max"}); the answer is JSON, a table or YAML (answer.h).
 * Thread-safety: reentrant; the snapshot is only read. */
#ifndef XT_CAPACITY_API_H
#define XT_CAPACITY_API_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "cache.h"
#include "config.h"
#include "err.h"

struct xt_capacity_params {
	bool has_replicas; /* overrides the body's replicas */
	int64_t replicas;
	int64_t max_copies; /* the operator's bound; a smaller "max" in the body wins */
	int max_ms;         /* time bound on the placement loop (0 = none) */
	enum xt_output output;
	bool per_node;
	enum xt_validate validate; /* an unknown field in the pod: refuse, note, or say nothing */
	/* kubectl's -n: the namespace of an object that names none; unless
	 * namespace_is_default (the context's namespace, which kubectl uses the
	 * same way), one that names another is refused, as kubectl refuses it.
	 * NULL = "default". */
	const char *namespace;
	bool namespace_is_default;
};

/* The outcome, for logs and metrics. */
struct xt_capacity_outcome {
	int64_t count;
	bool coupled;
	bool limited;
};

/* A time bound for the placement loop (hr_capacity_opts.should_stop). */
struct xt_deadline {
	struct timespec end;
	bool enabled;
};
void xt_deadline_start(struct xt_deadline *d, int ms);
bool xt_deadline_passed(void *ctx);

/* Appends the answer to out. Input problems are HR_EINVAL/HR_ERANGE/
 * HR_EUNSUPPORTED with err naming the field; HR_ENOMEM when a limit or memory
 * ran out. */
enum hr_code xt_capacity_answer(const struct xt_snap *snap, const char *body, size_t len,
                                const struct xt_capacity_params *params, struct hr_buf *out,
                                struct xt_capacity_outcome *outcome, struct hr_err *err);

#endif
