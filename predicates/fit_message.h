/* fit_message.h: kube-scheduler's FitError text, "0/N nodes are available:
 * 3 Insufficient cpu, 2 node(s) had untolerated taint {k: v}."
 * (framework/types.go FitError.Error; spec/predicates.md §5).
 *
 * Each failed node contributes every reason string of its status; items
 * "<count> <reason>" are sorted byte-wise as whole strings and joined ", ".
 * The PostFilter (preemption) suffix is not produced: capacity never evicts.
 * Thread-safety: reentrant. */
#ifndef HR_FIT_MESSAGE_H
#define HR_FIT_MESSAGE_H

#include "arena.h"
#include "buf.h"
#include "err.h"
#include "filter.h"

/* Appends the message for n_nodes statuses (successful ones are skipped). */
enum hr_code hr_fit_message(const struct hr_node_status *statuses, size_t n_nodes,
                            const struct hr_pod *pod, struct hr_arena *arena, struct hr_buf *out)
    __attribute__((warn_unused_result));

/* The message when a PreFilter rejected the pod: "0/N nodes are available: <reason>." */
void hr_fit_message_prefilter(size_t n_nodes, const char *reason, struct hr_buf *out);

/* The message when the cluster has no nodes. */
#define HR_NO_NODES_MESSAGE "no nodes available to schedule pods"

#endif
