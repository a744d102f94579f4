/* fuzz_capacity.c: one capacity question, body bytes to answer bytes
 * (extender/capacity_api.h), as POST /capacity asks it, against the fixed
 * cluster of common.c. The body is JSON or YAML (a Pod, a workload or the
 * {"template", "replicas", "max"} envelope); YAML goes through
 * extender/yaml_json.h. The output format, perNode and replicas come from the
 * input's length, so every renderer is reached without changing the body.
 * Bounds, as the server sets them but smaller: at most 50 copies and 100 ms
 * of placement loop per input.
 * Checked: a JSON answer is valid JSON whose "count" is the outcome's; a YAML
 * answer reads back (yaml_json.h) to the same tree as the JSON answer would be. */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "capacity_api.h"
#include "common.h"
#include "yaml_json.h"

#define OUT_MAX (4u << 20)

static enum hr_code ask(const uint8_t *data, size_t size, const struct xt_capacity_params *p,
                        struct hr_buf *out, struct xt_capacity_outcome *oc, struct hr_err *err)
{
	hr_buf_init(out, OUT_MAX);
	hr_err_clear(err);
	memset(oc, 0, sizeof(*oc));
	return xt_capacity_answer(fz_snapshot(), (const char *)data, size, p, out, oc, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xt_capacity_params p = {
	    .has_replicas = (size / 6) % 2 == 1,
	    .replicas = (int64_t)(size % 100),
	    .max_copies = 50,
	    .max_ms = 100,
	    .output = (enum xt_output)(size % 3),
	    .per_node = (size / 3) % 2 == 0,
	};
	struct hr_buf out;
	struct hr_err err;
	struct xt_capacity_outcome oc;
	enum hr_code rc = ask(data, size, &p, &out, &oc, &err);
	if (rc != HR_OK) {
		FZ_CHECK(err.code == rc && err.msg[0]);
		FZ_CHECK(rc == HR_EINVAL || rc == HR_ERANGE || rc == HR_EUNSUPPORTED ||
		         rc == HR_ENOMEM);
		hr_buf_fini(&out);
		return 0;
	}
	FZ_CHECK(hr_buf_ok(&out) && out.p);
	FZ_CHECK(oc.count >= 0 && oc.count <= 50);
	if (p.output == XT_OUTPUT_JSON || p.output == XT_OUTPUT_YAML) {
		cJSON *tree = NULL;
		if (p.output == XT_OUTPUT_JSON) {
			tree = cJSON_ParseWithLength(out.p, out.len);
		} else {
			struct hr_err yerr;
			hr_err_clear(&yerr);
			tree = xt_yaml_to_json(out.p, out.len, NULL, &yerr);
			if (!tree)
				fprintf(stderr, "YAML answer does not read back: %s: %s\n%s\n",
				        yerr.where, yerr.msg, out.p);
		}
		FZ_CHECK(tree && cJSON_IsObject(tree));
		const cJSON *count = cJSON_GetObjectItemCaseSensitive(tree, "count");
		FZ_CHECK(cJSON_IsNumber(count) && count->valuedouble == (double)oc.count);
		if (p.output == XT_OUTPUT_YAML) {
			/* the same question in JSON renders the same tree */
			struct xt_capacity_params pj = p;
			struct hr_buf jout;
			struct xt_capacity_outcome oc2;
			pj.output = XT_OUTPUT_JSON;
			if (ask(data, size, &pj, &jout, &oc2, &err) == HR_OK &&
			    oc2.count == oc.count && !oc.limited && !oc2.limited) {
				cJSON *jtree = cJSON_ParseWithLength(jout.p, jout.len);
				FZ_CHECK(jtree);
				/* the snapshot's age differs between the two calls */
				cJSON *snap_t = cJSON_GetObjectItemCaseSensitive(tree, "snapshot");
				cJSON *snap_j = cJSON_GetObjectItemCaseSensitive(jtree, "snapshot");
				cJSON_DeleteItemFromObjectCaseSensitive(snap_t, "ageSeconds");
				cJSON_DeleteItemFromObjectCaseSensitive(snap_j, "ageSeconds");
				FZ_CHECK(cJSON_Compare(tree, jtree, true));
				cJSON_Delete(jtree);
			}
			hr_buf_fini(&jout);
		}
		cJSON_Delete(tree);
	}
	hr_buf_fini(&out);
	return 0;
}
