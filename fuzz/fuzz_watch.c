/* fuzz_watch.c: a WATCH body as it arrives (extender/watch_stream.h), its
 * events applied to the live cache's store as the reflector applies them
 * (extender/store.h), and the store published as a snapshot.
 *
 * Input layout: byte 0 = (store kind << 4) | n, then n bytes of chunk sizes
 * (each 1..256, used in turn), then the stream. The stream is fed once in
 * those chunks (events applied to a store) and once whole (events only
 * counted); each line is also parsed on its own with xt_watch_parse_line.
 * Checked: chunking never changes how many events arrive, or whether and why
 * the stream stops. */
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common.h"
#include "store.h"
#include "watch_stream.h"

#define MAX_LINE (8u << 10)

struct fz_watch {
	enum xt_kind kind;
	struct xt_store *store; /* NULL: count only */
	struct hr_arena scratch;
	size_t seen;
};

/* reflector.c's on_event and apply_object, without the logging and thread */
static bool on_event(void *ctx, const struct xt_watch_event *ev)
{
	struct fz_watch *w = ctx;
	FZ_CHECK(ev->object && ev->resource_version);
	w->seen++;
	if (ev->type == XT_WATCH_ERROR) {
		FZ_CHECK(ev->error_reason);
		return false;
	}
	if (!w->store)
		return true;
	if (ev->type == XT_WATCH_BOOKMARK) {
		xt_store_set_resource_version(w->store, w->kind, ev->resource_version);
	} else if (ev->type == XT_WATCH_DELETED) {
		char key[600];
		if (xt_obj_key(w->kind, ev->object, key, sizeof(key)))
			xt_store_delete(w->store, w->kind, key, ev->resource_version);
	} else {
		struct xt_obj *o;
		struct hr_err err;
		hr_err_clear(&err);
		if (xt_obj_from_json(w->kind, ev->object, &w->scratch, &o, &err) == HR_OK)
			xt_store_upsert(w->store, o, ev->resource_version);
		else
			xt_store_set_resource_version(w->store, w->kind, ev->resource_version);
	}
	return true;
}

struct run {
	size_t events;
	bool stopped, failed;
	enum hr_code code;
};

static struct run feed(const char *p, size_t n, const uint8_t *sizes, size_t n_sizes,
                       struct fz_watch *w)
{
	struct xt_watch_stream s;
	struct run r = {0};
	xt_watch_init(&s, MAX_LINE, on_event, w);
	size_t at = 0, k = 0;
	while (at < n) {
		size_t len = n_sizes ? (size_t)sizes[k++ % n_sizes] + 1 : n - at;
		if (len > n - at)
			len = n - at;
		char *chunk = malloc(len); /* its own allocation: ASan sees spans kept too long */
		if (!chunk)
			abort();
		memcpy(chunk, p + at, len);
		bool go_on = xt_watch_feed(&s, chunk, len);
		free(chunk);
		at += len;
		if (!go_on) {
			r.stopped = true;
			break;
		}
	}
	r.events = s.events;
	r.failed = s.failed;
	r.code = s.err.code;
	FZ_CHECK(s.events == w->seen);
	FZ_CHECK(!s.failed || s.err.code != HR_OK);
	xt_watch_fini(&s);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t n_sizes = data[0] & 15;
	if (size < 1 + n_sizes)
		return 0;
	const uint8_t *sizes = data + 1;
	const char *stream = (const char *)data + 1 + n_sizes;
	size_t len = size - 1 - n_sizes;

	struct xt_store store;
	xt_store_init(&store);
	struct fz_watch chunked = {.kind = (enum xt_kind)((data[0] >> 4) % XT_KIND_COUNT),
	                           .store = &store};
	hr_arena_init(&chunked.scratch, NULL, 32u << 20);
	struct run a = feed(stream, len, sizes, n_sizes, &chunked);
	hr_arena_fini(&chunked.scratch);

	struct fz_watch whole = {.kind = chunked.kind};
	hr_arena_init(&whole.scratch, NULL, 32u << 20);
	struct run b = feed(stream, len, NULL, 0, &whole);
	hr_arena_fini(&whole.scratch);
	FZ_CHECK(a.events == b.events && a.stopped == b.stopped && a.failed == b.failed &&
	         a.code == b.code);

	struct xt_snap *snap = NULL;
	struct hr_err err;
	hr_err_clear(&err);
	if (xt_store_snapshot(&store, "fuzz:watch", &snap, &err) == HR_OK) {
		struct hr_buf d;
		hr_buf_init(&d, 1u << 20);
		xt_store_describe(&store, &d);
		hr_buf_fini(&d);
		xt_snap_release(snap);
	}
	xt_store_fini(&store);

	/* each line alone, as long as the stream was read up to it */
	size_t lines = 0;
	for (const char *p = stream, *end = stream + len; p < end && lines < 64; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct xt_watch_event ev;
		cJSON *tree = NULL;
		hr_err_clear(&err);
		enum hr_code rc = xt_watch_parse_line(p, n, &ev, &tree, &err);
		if (rc == HR_OK)
			FZ_CHECK(ev.object && cJSON_IsObject(ev.object));
		else
			FZ_CHECK(err.code == rc);
		cJSON_Delete(tree);
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}
