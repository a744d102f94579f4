/* watch_stream.h: the body of a Kubernetes WATCH, as it arrives.
 *
 * The API server streams one compact JSON object per line
 * ({"type": "ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR", "object": ...});
 * chunk boundaries do not align with lines and one event can be megabytes.
 * xt_watch_feed buffers bytes, splits on '\n' and parses each line into an
 * event for the callback. A line longer than max_line_bytes, or one that is
 * not an event, stops the stream with an error (the reflector then resumes
 * the watch). spec/extender-protocol.md §4.2.
 * Thread-safety: one stream per thread. */
#ifndef XT_WATCH_STREAM_H
#define XT_WATCH_STREAM_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

enum xt_watch_type {
	XT_WATCH_ADDED,
	XT_WATCH_MODIFIED,
	XT_WATCH_DELETED,
	XT_WATCH_BOOKMARK,
	XT_WATCH_ERROR,
};

struct xt_watch_event {
	enum xt_watch_type type;
	const cJSON *object; /* the object (a Status for ERROR); valid during the callback */
	const char *resource_version; /* object.metadata.resourceVersion, or "" */
	long error_code;              /* ERROR: the Status code (410 = history gone) */
	const char *error_reason;     /* ERROR: Status reason ("Expired", "Gone", ...) */
};

/* Returns false to stop reading the stream. */
typedef bool (*xt_watch_fn)(void *ctx, const struct xt_watch_event *ev);

struct xt_watch_stream {
	struct hr_buf line; /* the incomplete line so far */
	size_t max_line_bytes;
	xt_watch_fn on_event;
	void *ctx;
	size_t events;     /* events delivered */
	struct hr_err err; /* why the stream was stopped, if it was */
	bool failed;
};

void xt_watch_init(struct xt_watch_stream *w, size_t max_line_bytes, xt_watch_fn on_event,
                   void *ctx);
void xt_watch_fini(struct xt_watch_stream *w);

/* Feeds bytes; returns false once the stream must stop (callback said so,
 * or w->failed with w->err set). */
bool xt_watch_feed(struct xt_watch_stream *w, const char *p, size_t n);

/* Parses one line into an event (the tree goes to *tree: cJSON_Delete it).
 * HR_EINVAL names what is wrong with the line. */
enum hr_code xt_watch_parse_line(const char *line, size_t len, struct xt_watch_event *ev,
                                 cJSON **tree, struct hr_err *err);

#endif
