/* fuzz_extender_args.c: the extender's filter verb, ExtenderArgs bytes in,
 * ExtenderFilterResult bytes out (predicates/extender_filter.h), against the
 * fixed cluster of common.c (both modes: NodeNames looked up in the snapshot,
 * Nodes decoded from the request).
 * Checked: a successful answer is exactly one valid JSON object with an
 * "Error" string, and no more nodes pass than were asked about. */
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "extender_filter.h"
#include "jsonspan.h"

#define ARENA_CAP (64u << 20)
#define OUT_MAX   (8u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hr_snapshot *snap = fz_snapshot()->snap;
	struct hr_arena arena;
	struct hr_buf out;
	struct hr_err err;
	struct hr_filter_stats stats;
	memset(&stats, 0, sizeof(stats));
	hr_arena_init(&arena, NULL, ARENA_CAP);
	hr_buf_init(&out, OUT_MAX);
	hr_err_clear(&err);
	enum hr_code rc =
	    hr_extender_filter(snap, (const char *)data, size, &arena, &out, &stats, &err);
	if (rc == HR_OK) {
		FZ_CHECK(hr_buf_ok(&out) && out.p);
		FZ_CHECK(stats.nodes_passed <= stats.nodes_in);
		size_t used = 0;
		FZ_CHECK(hr_json_skip(out.p, out.len, HR_JSON_DEPTH_MAX, NULL, &used) ==
		         HR_JSON_OBJECT);
		FZ_CHECK(used == out.len);
		struct hr_json_span e, whole = {out.p, out.len};
		FZ_CHECK(hr_json_get(whole, "Error", &e) && hr_json_span_type(e) == HR_JSON_STRING);
	} else {
		FZ_CHECK(err.code == rc && err.msg[0]);
	}
	hr_buf_fini(&out);
	hr_arena_fini(&arena);
	return 0;
}
