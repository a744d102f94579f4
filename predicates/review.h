/* review.h: AdmissionReview v1 for scale-ups (spec/extender-protocol.md §3).
 *
 * hr_review_parse reads a review and decides what it asks: a scale-up of a
 * Deployment, StatefulSet, ReplicaSet (apps/v1) or ReplicationController (v1),
 * either through the scale subresource (an autoscaling/v1 Scale: no pod
 * template, the workload must be fetched) or through the object itself
 * (CREATE, or UPDATE where spec.replicas grows; the template is in the
 * object). Everything else - scale-downs, unchanged replicas, other kinds,
 * DELETE/CONNECT - needs no check. hr_review_respond writes the
 * AdmissionReview response (uid echoed, never a patch).
 * The rule for how many copies to check: the increase, new - old replicas,
 * of the workload's current pod template. A Deployment update that also
 * changes the template starts a rollout; its surge pods are not checked.
 * Thread-safety: reentrant. */
#ifndef HR_REVIEW_H
#define HR_REVIEW_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "err.h"

enum hr_review_need {
	HR_REVIEW_ALLOW, /* nothing to check: allow at once */
	HR_REVIEW_CHECK, /* check `delta` copies of the template in `workload` */
	HR_REVIEW_FETCH, /* scale subresource: fetch the workload first */
};

struct hr_review {
	char uid[128];
	char operation[16];
	char group[64], version[16], resource[64], subresource[32];
	char kind[64]; /* request.kind.kind */
	char namespace[254];
	char name[254];
	bool dry_run;
	enum hr_review_need need;
	const char *why; /* why no check is needed (for logs) */
	int64_t old_replicas, new_replicas, delta;
	const cJSON *workload;  /* the workload object (CHECK); borrowed from the review */
	char fetch_path[800];   /* FETCH: API path of the workload */
	char workload_kind[64]; /* "Deployment", ... ("apps/v1 Deployment" group in group) */
};

/* Parses body. HR_EINVAL with err naming the field for a malformed review.
 * *tree holds the parsed JSON (cJSON_Delete it after using the review). */
enum hr_code hr_review_parse(const char *body, size_t len, struct hr_review *out, cJSON **tree,
                             struct hr_err *err) __attribute__((warn_unused_result));

/* After a FETCH: takes the fetched workload object and decides (paused
 * Deployments need no check). */
void hr_review_use_fetched(struct hr_review *r, const cJSON *workload);

/* The workload's headroom.io/enforce annotation ("deny", "warn", "off"), or NULL. */
const char *hr_review_enforce_annotation(const cJSON *workload);

struct hr_review_answer {
	bool allowed;
	int code;            /* status.code when denied (403) */
	const char *message; /* status.message when denied */
	const char *warnings[4];
	size_t n_warnings;
};

/* The AdmissionReview response for uid. */
void hr_review_respond(const char *uid, const struct hr_review_answer *a, struct hr_buf *out);

#endif
