/* watch_stream.c: newline-delimited watch events. */
#include "watch_stream.h"

#include <stdint.h>
#include <string.h>

#include "jsonget.h"

void xt_watch_init(struct xt_watch_stream *w, size_t max_line_bytes, xt_watch_fn on_event,
                   void *ctx)
{
	memset(w, 0, sizeof(*w));
	hr_buf_init(&w->line, max_line_bytes);
	w->max_line_bytes = max_line_bytes;
	w->on_event = on_event;
	w->ctx = ctx;
	hr_err_clear(&w->err);
}

void xt_watch_fini(struct xt_watch_stream *w)
{
	hr_buf_fini(&w->line);
}

static bool parse_type(const char *s, enum xt_watch_type *t)
{
	static const char *const names[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*t = (enum xt_watch_type)i;
			return true;
		}
	return false;
}

enum hr_code xt_watch_parse_line(const char *line, size_t len, struct xt_watch_event *ev,
                                 cJSON **tree, struct hr_err *err)
{
	memset(ev, 0, sizeof(*ev));
	const char *end = NULL;
	*tree = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!*tree)
		return hr_err_set(err, HR_EINVAL, "watch", "a line of %zu bytes is not JSON", len);
	for (; end && end < line + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r')
			return hr_err_set(
			    err, HR_EINVAL, "watch",
			    "bytes after the event's JSON object (one event per line)");
	const cJSON *type = hr_cj_member(*tree, "type");
	const cJSON *obj = hr_cj_member(*tree, "object");
	if (!cJSON_IsString(type) || !parse_type(type->valuestring, &ev->type))
		return hr_err_set(err, HR_EINVAL, "watch", "event without a known \"type\"");
	if (!cJSON_IsObject(obj))
		return hr_err_set(err, HR_EINVAL, "watch", "%s event without an \"object\"",
		                  type->valuestring);
	ev->object = obj;
	const cJSON *rv = hr_cj_member(hr_cj_member(obj, "metadata"), "resourceVersion");
	ev->resource_version = cJSON_IsString(rv) ? rv->valuestring : "";
	if (ev->type == XT_WATCH_ERROR) {
		const cJSON *code = hr_cj_member(obj, "code");
		const cJSON *reason = hr_cj_member(obj, "reason");
		/* Status.code is an int32; anything else is no code (a cast would be UB) */
		ev->error_code = cJSON_IsNumber(code) && code->valuedouble >= INT32_MIN &&
		                         code->valuedouble <= INT32_MAX
		                     ? (long)code->valuedouble
		                     : 0;
		ev->error_reason = cJSON_IsString(reason) ? reason->valuestring : "";
	}
	return HR_OK;
}

/* Delivers one complete line; false stops the stream. */
static bool deliver(struct xt_watch_stream *w, const char *line, size_t len)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0)
		return true; /* blank lines carry nothing */
	struct xt_watch_event ev;
	cJSON *tree = NULL;
	if (xt_watch_parse_line(line, len, &ev, &tree, &w->err) != HR_OK) {
		cJSON_Delete(tree);
		w->failed = true;
		return false;
	}
	bool go_on = w->on_event(w->ctx, &ev);
	cJSON_Delete(tree);
	w->events++;
	return go_on;
}

bool xt_watch_feed(struct xt_watch_stream *w, const char *p, size_t n)
{
	if (w->failed)
		return false;
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (w->line.len == 0 && nl) { /* the whole line is in this chunk */
			if (take > w->max_line_bytes) {
				hr_err_set(&w->err, HR_ERANGE, "watch",
				           "an event line is longer than %zu bytes",
				           w->max_line_bytes);
				w->failed = true;
				return false;
			}
			if (!deliver(w, p, take))
				return false;
		} else {
			hr_buf_append(&w->line, p, take);
			if (!hr_buf_ok(&w->line)) {
				hr_err_set(&w->err, HR_ERANGE, "watch",
				           "an event line is longer than %zu bytes",
				           w->max_line_bytes);
				w->failed = true;
				return false;
			}
			if (nl) {
				bool ok = deliver(w, w->line.p, w->line.len);
				hr_buf_reset(&w->line);
				if (!ok)
					return false;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
		n -= take + 1;
	}
	return true;
}
