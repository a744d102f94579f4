/* incoming.h: the pod a request asks about, from JSON to a finalized model.
 *
 * For capacity (admit = true) the pod is raw, as a user writes it, so it goes
 * through what the API server would do on creation (admit.h) and through API
 * validation; for filter (admit = false) it came from kube-scheduler and was
 * admitted already. Either way requests and host ports are computed
 * (request.h). Everything is allocated from arena; pod_json is only read.
 * Thread-safety: reentrant. */
#ifndef HR_INCOMING_H
#define HR_INCOMING_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include "arena.h"
#include "err.h"
#include "model.h"
#include "snapshot.h"

/* On success *out is the finalized pod and *admitted (may be NULL) says which
 * admission steps changed it (enum hr_admitted). where prefixes error paths
 * (e.g. "Pod"); NULL for none. */
enum hr_code hr_incoming_pod(const cJSON *pod_json, const struct hr_snapshot *snap, bool admit,
                             const char *where, struct hr_arena *arena, struct hr_pod **out,
                             unsigned *admitted, struct hr_err *err)
    __attribute__((warn_unused_result));

#endif
