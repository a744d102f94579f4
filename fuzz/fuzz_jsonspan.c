/* fuzz_jsonspan.c: predicates/jsonspan.h directly, scanner against iterators
 * against the streaming splitter.
 *
 * The input is a JSON document. Checked: hr_json_skip's span and offsets are
 * consistent and skipping the span again gives the same value; iterating a
 * container that skip accepted never fails; iterating the raw bytes succeeds
 * exactly when skip accepts them as a container followed by whitespace, and
 * then a trusted iterator returns the same spans (on any input it stays
 * inside it); every key that decodes compares
 * equal to its decoded text and hr_json_get_n finds it (first occurrence);
 * the splitter fed the document in pseudo-random chunks reports exactly what
 * it reports when fed all at once, and on a valid array (path "") or object
 * (path "items") exactly the iterator's elements. */
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "jsonspan.h"

#define MAX_ELEMENTS 4096

/* What a splitter run reported: a hash of the element bytes, in order. */
struct split_rec {
	size_t n;
	uint64_t hash;
	size_t members;
};

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	h ^= n;
	h *= 1099511628211ull;
	return h;
}

static enum hr_code on_element(void *ctx, struct hr_json_span e, size_t index)
{
	struct split_rec *r = ctx;
	FZ_CHECK(index == r->n);
	FZ_CHECK(e.n > 0 && hr_json_span_type(e) != HR_JSON_INVALID);
	r->hash = hash_bytes(r->hash, e.p, e.n);
	r->n++;
	return HR_OK;
}

static enum hr_code on_member(void *ctx, struct hr_json_span key, struct hr_json_span value)
{
	struct split_rec *r = ctx;
	FZ_CHECK(hr_json_span_type(key) == HR_JSON_STRING);
	r->hash = hash_bytes(r->hash ^ 0x5a, key.p, key.n);
	r->hash = hash_bytes(r->hash, value.p, value.n);
	r->members++;
	return HR_OK;
}

struct split_result {
	enum hr_code rc;
	struct split_rec rec;
	bool found, has_kind, has_rv;
	char kind[HR_JSON_SPLIT_STR_MAX], rv[HR_JSON_SPLIT_STR_MAX];
	uint64_t offset;
};

/* Runs the splitter over data; chunked when rng is not NULL (each chunk a
 * separate allocation, so ASan sees any span kept past its feed call). */
static void split(const uint8_t *data, size_t size, const char *path, size_t max_depth,
                  bool members, struct fz_rng *rng, struct split_result *out)
{
	memset(out, 0, sizeof(*out));
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = {.path = path,
	                                      .max_element_bytes = size + 1,
	                                      .max_depth = max_depth,
	                                      .on_element = on_element,
	                                      .on_member = members ? on_member : NULL,
	                                      .ctx = &out->rec};
	out->rc = hr_json_splitter_init(&sp, &cfg);
	FZ_CHECK(out->rc == HR_OK);
	size_t at = 0;
	while (out->rc == HR_OK && at < size) {
		size_t n = rng ? fz_rng_chunk(rng, size - at) : size - at;
		uint8_t *chunk = malloc(n);
		if (!chunk)
			abort();
		memcpy(chunk, data + at, n);
		out->rc = hr_json_splitter_feed(&sp, chunk, n);
		free(chunk);
		at += n;
	}
	if (out->rc == HR_OK)
		out->rc = hr_json_splitter_finish(&sp);
	else
		FZ_CHECK(hr_json_splitter_finish(&sp) == out->rc); /* sticky */
	FZ_CHECK(out->rc == sp.err.code);
	out->found = sp.found;
	out->has_kind = sp.has_kind;
	out->has_rv = sp.has_resource_version;
	memcpy(out->kind, sp.kind, sizeof(out->kind));
	memcpy(out->rv, sp.resource_version, sizeof(out->rv));
	out->offset = sp.offset;
	FZ_CHECK(sp.elements == out->rec.n);
	hr_json_splitter_fini(&sp);
}

static void same_split(const struct split_result *a, const struct split_result *b)
{
	FZ_CHECK(a->rc == b->rc);
	if (a->rc != HR_OK)
		return; /* elements before the error may differ by where the chunk ended */
	FZ_CHECK(a->rec.n == b->rec.n && a->rec.hash == b->rec.hash);
	FZ_CHECK(a->rec.members == b->rec.members);
	FZ_CHECK(a->found == b->found && a->has_kind == b->has_kind && a->has_rv == b->has_rv);
	FZ_CHECK(strcmp(a->kind, b->kind) == 0 && strcmp(a->rv, b->rv) == 0);
	FZ_CHECK(a->offset == b->offset);
}

/* Walks a container that hr_json_skip accepted with max_depth; returns the
 * iterator's elements (or members' values) as a split_rec. */
static struct split_rec walk(struct hr_json_span c, size_t max_depth, enum hr_json_type type)
{
	struct split_rec r = {0};
	struct hr_json_iter it;
	struct hr_json_span key, value;
	hr_json_iter_init(&it, c, max_depth);
	if (type == HR_JSON_ARRAY) {
		while (hr_json_next_element(&it, &value)) {
			FZ_CHECK(value.p >= c.p && value.p + value.n <= c.p + c.n);
			on_element(&r, value, r.n);
		}
		FZ_CHECK(!hr_json_iter_failed(&it));
		return r;
	}
	while (hr_json_next_member(&it, &key, &value)) {
		FZ_CHECK(hr_json_span_type(key) == HR_JSON_STRING && key.n >= 2);
		char *dec = malloc(key.n - 1);
		size_t len = 0;
		if (!dec)
			abort();
		if (hr_json_string_decode(key, dec, key.n - 1, &len)) {
			FZ_CHECK(len <= key.n - 2 && dec[len] == '\0');
			FZ_CHECK(hr_json_string_eq(key, dec, len));
			struct hr_json_span got;
			FZ_CHECK(hr_json_get_n(c, dec, len, &got));
			FZ_CHECK(got.p <= value.p); /* the first member with that key */
			if (len > 0)
				FZ_CHECK(!hr_json_string_decode(key, dec, len, NULL));
		}
		free(dec);
		r.n++;
		r.hash = hash_bytes(r.hash, value.p, value.n);
	}
	FZ_CHECK(!hr_json_iter_failed(&it));
	return r;
}

/* Iterates the raw input (validated or not) with a validating or a trusted
 * iterator; returns a hash of the spans it gave and sets *done when it got to
 * the end without failing. Every span must lie inside the input. */
static uint64_t walk_raw(const char *in, size_t size, size_t depth, bool trusted, bool *done)
{
	struct hr_json_span all = {in, size}, k, v;
	struct hr_json_iter it;
	uint64_t h = 0;
	if (trusted)
		hr_json_iter_init_trusted(&it, all);
	else
		hr_json_iter_init(&it, all, depth);
	size_t lead = 0;
	while (lead < size &&
	       (in[lead] == ' ' || in[lead] == '\t' || in[lead] == '\n' || in[lead] == '\r'))
		lead++;
	bool object = lead < size && in[lead] == '{';
	for (size_t i = 0; i < MAX_ELEMENTS; i++) {
		if (!(object ? hr_json_next_member(&it, &k, &v) : hr_json_next_element(&it, &v)))
			break;
		FZ_CHECK(v.p >= in && v.p + v.n <= in + size);
		h = hash_bytes(h, &v.p, sizeof(v.p));
		h = hash_bytes(h, &v.n, sizeof(v.n));
		if (object) {
			FZ_CHECK(k.p >= in && k.p + k.n <= in + size);
			h = hash_bytes(h, &k.p, sizeof(k.p));
			h = hash_bytes(h, &k.n, sizeof(k.n));
		}
	}
	*done = !hr_json_iter_failed(&it) && it.done;
	return h;
}

static bool only_ws(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct fz_rng rng;
	fz_rng_seed(&rng, data, size, 1);
	/* a small limit as well as the module's largest */
	size_t depth = (size % 7 == 0) ? 3 : HR_JSON_DEPTH_MAX;

	struct hr_json_span span;
	size_t consumed = 0;
	enum hr_json_type type = hr_json_skip(in, size, depth, &span, &consumed);
	FZ_CHECK(consumed <= size);
	if (type == HR_JSON_INVALID) {
		FZ_CHECK(span.p == NULL && span.n == 0);
	} else {
		FZ_CHECK(span.p >= in && span.p + span.n == in + consumed && span.n > 0);
		FZ_CHECK(hr_json_span_type(span) == type);
		FZ_CHECK(hr_json_is_null(span) == (type == HR_JSON_NULL));
		struct hr_json_span again;
		size_t used2;
		FZ_CHECK(hr_json_skip(span.p, span.n, depth, &again, &used2) == type);
		FZ_CHECK(again.p == span.p && again.n == span.n && used2 == span.n);
		if (type == HR_JSON_STRING) {
			char *dec = malloc(span.n - 1);
			size_t len;
			if (!dec)
				abort();
			if (hr_json_string_decode(span, dec, span.n - 1, &len))
				FZ_CHECK(hr_json_string_eq(span, dec, len));
			free(dec);
		}
	}

	struct split_rec iter = {0};
	if (type == HR_JSON_ARRAY || type == HR_JSON_OBJECT)
		iter = walk(span, depth, type);
	if (type == HR_JSON_OBJECT) {
		struct hr_json_span v;
		static const char *const paths[] = {"metadata.name", "items", "metadata", "a.b.c",
		                                    "kind"};
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (hr_json_get_path(span, paths[i], &v))
				FZ_CHECK(v.p >= span.p && v.p + v.n <= span.p + span.n);
	}

	/* iterating the raw bytes succeeds exactly for a valid container */
	bool doc_valid = type != HR_JSON_INVALID && only_ws(data + consumed, size - consumed);
	bool walked, trusted_done;
	uint64_t h_valid = walk_raw(in, size, depth, false, &walked);
	uint64_t h_trusted = walk_raw(in, size, depth, true, &trusted_done);
	if (walked)
		FZ_CHECK(trusted_done && h_trusted == h_valid);
	if (walked)
		FZ_CHECK(doc_valid && (type == HR_JSON_ARRAY || type == HR_JSON_OBJECT));
	if (doc_valid && (type == HR_JSON_ARRAY || type == HR_JSON_OBJECT) && iter.n < MAX_ELEMENTS)
		FZ_CHECK(walked);

	/* the splitter: whole vs chunked; on a valid document, the iterator's view */
	const char *path = type == HR_JSON_OBJECT ? "items" : "";
	bool members = size % 2 == 1;
	struct split_result whole, chunked;
	split(data, size, path, depth, members, NULL, &whole);
	split(data, size, path, depth, members, &rng, &chunked);
	same_split(&whole, &chunked);
	if (whole.rc == HR_OK)
		FZ_CHECK(doc_valid);
	if (doc_valid && type == HR_JSON_ARRAY) {
		FZ_CHECK(whole.rc == HR_OK && whole.found);
		FZ_CHECK(whole.rec.n == iter.n && whole.rec.hash == iter.hash);
	}
	if (doc_valid && type == HR_JSON_OBJECT && whole.rc == HR_OK) {
		struct hr_json_span items;
		if (hr_json_get(span, "items", &items) &&
		    hr_json_span_type(items) == HR_JSON_ARRAY) {
			struct split_rec want = walk(items, depth - 1, HR_JSON_ARRAY);
			FZ_CHECK(whole.found);
			FZ_CHECK(whole.rec.n == want.n);
			if (!members)
				FZ_CHECK(whole.rec.hash == want.hash);
		} else {
			FZ_CHECK(!whole.found && whole.rec.n == 0);
		}
	}
	return 0;
}
