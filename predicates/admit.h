/* admit.h: what the API server does to a new pod before kube-scheduler sees
 * it, for the capacity verb (spec/predicates.md §6; DESIGN.md "capacity").
 *
 * The filter verb never calls this: the scheduler's pod was admitted already.
 * hr_admit_pod applies, in the API server's order, LimitRanger (when the
 * snapshot has LimitRanges), DefaultTolerationSeconds (always), RuntimeClass
 * (when the snapshot has RuntimeClasses), and the matchLabelKeys /
 * mismatchLabelKeys merge of pod (anti-)affinity terms. hr_validate_pod then
 * rejects what API validation would reject, naming the field, so capacity
 * never counts copies of a pod that could not be created.
 * Run before hr_pod_finalize. Allocates from arena.
 * Thread-safety: reentrant; writes only the pod it is given. */
#ifndef HR_ADMIT_H
#define HR_ADMIT_H

#include "arena.h"
#include "err.h"
#include "model.h"
#include "snapshot.h"

/* Which admission steps changed the pod (for the answer's notes). */
enum hr_admitted {
	HR_ADMIT_LIMIT_RANGER = 1u << 0,
	HR_ADMIT_DEFAULT_TOLERATIONS = 1u << 1,
	HR_ADMIT_RUNTIME_CLASS = 1u << 2,
	HR_ADMIT_LABEL_KEYS = 1u << 3,
	/* runtimeClassName set but the snapshot carries no RuntimeClass objects */
	HR_ADMIT_RUNTIME_CLASS_UNKNOWN = 1u << 4,
};

enum hr_code hr_admit_pod(struct hr_pod *pod, const struct hr_snapshot *snap,
                          struct hr_arena *arena, unsigned *admitted, struct hr_err *err)
    __attribute__((warn_unused_result));

enum hr_code hr_validate_pod(const struct hr_pod *pod, struct hr_err *err)
    __attribute__((warn_unused_result));

#endif
