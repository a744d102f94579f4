/* incoming.c: decode, admit, validate and finalize the incoming pod. */
#include "incoming.h"

#include "admit.h"
#include "decode.h"
#include "filter.h"
#include "request.h"

enum hr_code hr_incoming_pod(const cJSON *pod_json, const struct hr_snapshot *snap, bool admit,
                             const char *where, struct hr_arena *arena, struct hr_pod **out,
                             unsigned *admitted, struct hr_err *err)
{
	struct hr_decoder dec;
	unsigned steps = 0;
	struct hr_pod *pod = hr_arena_alloc(arena, sizeof(*pod));
	if (!pod)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory decoding the pod");
	hr_decoder_init(&dec, arena, NULL, err);
	if (where)
		hr_path_push_key(&dec.path, where);
	enum hr_code rc = hr_decode_pod(&dec, pod_json, pod);
	/* the API server's order: defaulting as the object is decoded (pod-level
	 * requests from the containers as written), then admission plugins
	 * (LimitRanger fills container requests later), then validation */
	if (rc == HR_OK && admit)
		rc = hr_pod_default_requests(pod, arena, err);
	if (rc == HR_OK && admit)
		rc = hr_admit_pod(pod, snap, arena, &steps, err);
	if (rc == HR_OK && admit)
		rc = hr_validate_pod(pod, err);
	if (rc == HR_OK)
		rc = hr_pod_finalize(pod, arena, err);
	if (rc != HR_OK)
		return rc;
	if (pod->request.n_scalars > HR_MAX_POD_SCALARS)
		return hr_err_set(err, HR_ERANGE, "spec.containers",
		                  "the pod requests %zu extended resources, more than %d",
		                  pod->request.n_scalars, HR_MAX_POD_SCALARS);
	*out = pod;
	if (admitted)
		*admitted = steps;
	return HR_OK;
}
