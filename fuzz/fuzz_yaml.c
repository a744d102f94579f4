/* fuzz_yaml.c: YAML text to cJSON (extender/yaml_json.h, first document and
 * all documents) with small limits, and back (extender/yaml_out.h).
 * Limits: depth 64 (the module's), 20000 values, 2000 alias copies, so an
 * alias bomb stops early. Checked: the limits hold; the first of all
 * documents is the one document; a tree printed as YAML by xt_yaml_write
 * reads back to an equal tree (what `-o yaml` promises: no value can be
 * mistaken for another type). */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "yaml_json.h"
#include "yaml_out.h"

static const struct xt_yaml_limits limits = {64, 20000, 2000};

static size_t count_values(const cJSON *it, size_t depth, size_t *max_depth)
{
	size_t n = 1;
	if (cJSON_IsArray(it) || cJSON_IsObject(it)) {
		if (depth + 1 > *max_depth)
			*max_depth = depth + 1;
		for (const cJSON *c = it->child; c; c = c->next)
			n += count_values(c, depth + 1, max_depth);
	}
	return n;
}

static void round_trip(const cJSON *tree)
{
	struct hr_buf out;
	struct hr_err err;
	hr_buf_init(&out, 16u << 20);
	xt_yaml_write(tree, &out);
	FZ_CHECK(hr_buf_ok(&out) && out.p);
	hr_err_clear(&err);
	cJSON *back = xt_yaml_to_json(out.p, out.len, NULL, &err);
	if (!back || !cJSON_Compare(tree, back, true)) {
		char *json = cJSON_PrintUnformatted(tree);
		fprintf(stderr, "YAML output does not read back (%s: %s)\ntree: %s\nyaml:\n%s\n",
		        err.where, err.msg, json ? json : "?", out.p);
		free(json);
		FZ_CHECK(!"round trip");
	}
	cJSON_Delete(back);
	hr_buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct hr_err err;
	(void)xt_looks_like_json(text, size);

	hr_err_clear(&err);
	cJSON *one = xt_yaml_to_json(text, size, &limits, &err);
	if (one) {
		size_t depth = 0;
		FZ_CHECK(count_values(one, 0, &depth) <= limits.max_nodes);
		FZ_CHECK(depth <= limits.max_depth);
		round_trip(one);
	} else {
		FZ_CHECK(err.code != HR_OK && err.msg[0]);
	}

	hr_err_clear(&err);
	cJSON *all = xt_yaml_to_json_all(text, size, &limits, &err);
	if (all) {
		FZ_CHECK(cJSON_IsArray(all) && cJSON_GetArraySize(all) >= 1);
		size_t depth = 0;
		FZ_CHECK(count_values(all, 0, &depth) <= limits.max_nodes + 1);
		/* the first document is the one xt_yaml_to_json returns */
		FZ_CHECK(one && cJSON_Compare(cJSON_GetArrayItem(all, 0), one, true));
		cJSON_Delete(all);
	} else {
		FZ_CHECK(err.code != HR_OK && err.msg[0]);
	}
	cJSON_Delete(one);
	return 0;
}
