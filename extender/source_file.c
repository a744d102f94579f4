/* source_file.c: streaming snapshot loader. */
#include "source_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "input_file.h"
#include "jsonget.h"
#include "jsonspan.h"

#define READ_CHUNK              (1 << 20)
#define MAX_ELEMENT_BYTES       (64u << 20)
#define MAX_SINGLE_OBJECT_BYTES (256u << 20)

struct load_ctx {
	struct hr_snap_builder *builder;
	const char *path;
	struct hr_err *err;
};

/* Items of a typed list (NodeList, PodList) carry no "kind"; the list's own
 * kind may come after "items" (kubectl sorts keys), so guess from the shape. */
static const char *guess_kind(const cJSON *obj)
{
	const cJSON *spec = hr_cj_member(obj, "spec");
	const cJSON *status = hr_cj_member(obj, "status");
	if (hr_cj_member(spec, "containers"))
		return "Pod";
	if (hr_cj_member(status, "nodeInfo") || hr_cj_member(status, "allocatable") ||
	    hr_cj_member(status, "capacity") || hr_cj_member(spec, "podCIDR") ||
	    hr_cj_member(spec, "providerID"))
		return "Node";
	return NULL;
}

enum hr_code xt_source_add_item(struct hr_snap_builder *b, struct hr_json_span item, size_t index,
                                const char *path, struct hr_err *err)
{
	cJSON *obj = cJSON_ParseWithLength(item.p, item.n);
	if (!obj)
		return hr_err_set(err, HR_ENOMEM, NULL, "%s: out of memory parsing items[%zu]",
		                  path, index);
	char where[64];
	snprintf(where, sizeof(where), "items[%zu]", index);
	const char *hint = hr_cj_member(obj, "kind") ? NULL : guess_kind(obj);
	enum hr_code rc = HR_OK;
	if (!hr_cj_member(obj, "kind") && !hint)
		b->stats.objects_skipped++;
	else
		rc = hr_snap_builder_add_json(b, obj, hint, where);
	cJSON_Delete(obj);
	return rc;
}

static enum hr_code on_element(void *vctx, struct hr_json_span element, size_t index)
{
	struct load_ctx *ctx = vctx;
	return xt_source_add_item(ctx->builder, element, index, ctx->path, ctx->err);
}

/* Bytes a file may start with before its JSON: a UTF-8 byte order mark
 * (Windows tools write one; JSON readers ignore it). */
static size_t bom_length(const char *p, size_t n)
{
	return n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

static enum hr_code load_single_object(struct hr_snap_builder *b, FILE *f, const char *path,
                                       struct hr_err *err)
{
	if (fseek(f, 0, SEEK_END) != 0)
		return hr_err_set(err, HR_EINVAL, path, "not a JSON List and cannot be re-read");
	long size = ftell(f);
	if (size < 0 || (unsigned long)size > MAX_SINGLE_OBJECT_BYTES)
		return hr_err_set(err, HR_ERANGE, path, "object too large");
	rewind(f);
	char *text = malloc((size_t)size + 1);
	if (!text)
		return hr_err_set(err, HR_ENOMEM, path, "out of memory");
	size_t got = fread(text, 1, (size_t)size, f);
	size_t skip = bom_length(text, got);
	cJSON *doc = cJSON_ParseWithLength(text + skip, got - skip);
	free(text);
	if (!doc)
		return hr_err_set(err, HR_EINVAL, path, "not valid JSON");
	enum hr_code rc = hr_snap_builder_add_document(b, doc);
	cJSON_Delete(doc);
	if (rc != HR_OK)
		hr_err_prefix_where(err, path);
	return rc;
}

/* A file whose first byte (after white space) cannot start a JSON object is
 * most likely YAML or a table (kubectl's default output): say what to run
 * rather than where the JSON parser stopped. */
static enum hr_code check_starts_like_json(const char *chunk, size_t n, struct hr_err *err)
{
	size_t i = 0;
	while (i < n &&
	       (chunk[i] == ' ' || chunk[i] == '\t' || chunk[i] == '\n' || chunk[i] == '\r'))
		i++;
	if (i == n || chunk[i] == '{')
		return HR_OK;
	if (chunk[i] == '[')
		return hr_err_set(err, HR_EINVAL, NULL,
		                  "is a JSON array: a snapshot is the List object kubectl get "
		                  "nodes,pods,... -A -o json prints, not its items");
	return hr_err_set(
	    err, HR_EINVAL, NULL,
	    "is not JSON (it starts with '%c'): a snapshot is what kubectl get "
	    "nodes,pods,namespaces,limitranges,runtimeclasses -A -o json prints",
	    (unsigned char)chunk[i] >= 0x20 && (unsigned char)chunk[i] < 0x7f ? chunk[i] : '?');
}

static enum hr_code stream_file(struct hr_snap_builder *b, FILE *f, const char *path,
                                struct hr_err *err)
{
	struct load_ctx ctx = {b, path, err};
	struct hr_json_splitter sp;
	struct hr_json_splitter_config cfg = {.path = "items",
	                                      .max_element_bytes = MAX_ELEMENT_BYTES,
	                                      .max_depth = 256,
	                                      .on_element = on_element,
	                                      .ctx = &ctx};
	enum hr_code rc = hr_json_splitter_init(&sp, &cfg);
	char *chunk = malloc(READ_CHUNK);
	if (rc == HR_OK && !chunk)
		rc = hr_err_set(err, HR_ENOMEM, path, "out of memory");
	for (bool first = true; rc == HR_OK; first = false) {
		size_t got = fread(chunk, 1, READ_CHUNK, f);
		if (got == 0)
			break;
		size_t skip = first ? bom_length(chunk, got) : 0;
		if (first && (rc = check_starts_like_json(chunk + skip, got - skip, err)) != HR_OK)
			break;
		rc = hr_json_splitter_feed(&sp, chunk + skip, got - skip);
	}
	if (rc == HR_OK && ferror(f))
		rc = hr_err_set(err, HR_EINVAL, path, "read error: %s", strerror(errno));
	if (rc == HR_OK)
		rc = hr_json_splitter_finish(&sp);
	if (rc != HR_OK && err->code == HR_OK) {
		/* the splitter's own error: name the file and the byte offset */
		hr_err_set(err, rc, path, "%s%s%s", sp.err.where, sp.err.where[0] ? ": " : "",
		           sp.err.msg);
	} else if (rc != HR_OK) {
		hr_err_prefix_where(err, path);
	}
	if (rc == HR_OK && sp.found && sp.has_resource_version)
		hr_snap_builder_set_resource_version(b, hr_str_c(sp.resource_version));
	bool single = rc == HR_OK && !sp.found;
	hr_json_splitter_fini(&sp);
	free(chunk);
	if (single)
		return f == stdin ? hr_err_set(err, HR_EINVAL, path, "expected a List with items")
		                  : load_single_object(b, f, path, err);
	return rc;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int xt_source_file_load(const char *const *paths, size_t n, struct xt_snap **out,
                        struct hr_err *err)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	char source[256];
	snprintf(source, sizeof(source), "file:%s%s", n ? paths[0] : "", n > 1 ? ",..." : "");
	struct xt_snap *s = xt_snap_new(source);
	if (!s)
		return hr_err_set(err, HR_ENOMEM, NULL, "out of memory");
	struct hr_snap_builder b;
	hr_snap_builder_init(&b, &s->arena, err);
	enum hr_code rc = HR_OK;
	for (size_t i = 0; i < n && rc == HR_OK; i++) {
		bool use_stdin = strcmp(paths[i], "-") == 0;
		FILE *f = use_stdin ? stdin : xt_open_input(paths[i], NULL, err);
		if (!f) {
			rc = err->code;
			break;
		}
		rc = stream_file(&b, f, use_stdin ? "stdin" : paths[i], err);
		if (!use_stdin)
			fclose(f);
	}
	if (rc == HR_OK)
		rc = hr_snap_builder_finish(&b, &s->snap);
	hr_snap_builder_fini(&b);
	if (rc != HR_OK) {
		xt_snap_release(s);
		return rc;
	}
	s->build_seconds = seconds_since(&start);
	s->built_at = start;
	*out = s;
	return HR_OK;
}
