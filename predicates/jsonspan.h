/* jsonspan.h: a validating JSON span scanner: byte ranges of values, no tree.
 *
 * What it is: hr_json_skip validates one JSON value (RFC 8259: strings with
 * every escape checked and raw bytes checked as UTF-8, the number grammar,
 * literals, nesting up to a depth limit) and returns the exact bytes it
 * occupies. The iterators and hr_json_get walk an object's members or an
 * array's elements as spans, so the extender can hand back Node objects byte
 * for byte and peek at "metadata.name" without building a cJSON tree. The
 * splitter does the same for a document that arrives in chunks (a snapshot
 * file of hundreds of MB): it reports each element of one array, one at a
 * time, and never holds the whole document.
 *
 * What it is not: a parser. Numbers stay text, strings stay escaped until
 * hr_json_string_decode; hand a span to cJSON (cJSON_ParseWithLength) to get
 * a tree of one element.
 *
 * Ownership: a span borrows the input it points into; nothing here copies it.
 * Everything but the splitter is allocation-free and uses a bounded amount of
 * stack (about HR_JSON_DEPTH_MAX / 8 bytes for the nesting stack). The
 * splitter mallocs one growing buffer, capped by its max_element_bytes, and
 * frees it in hr_json_splitter_fini.
 *
 * Duplicate keys: every lookup here takes the first occurrence (as
 * cJSON_GetObjectItemCaseSensitive does).
 *
 * Thread-safety: all functions are reentrant; an iterator or a splitter
 * belongs to one thread. */
#ifndef HR_JSONSPAN_H
#define HR_JSONSPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "str.h"

/* The deepest nesting any function here accepts; larger max_depth arguments
 * are lowered to it. "[]" has depth 1, "[[]]" depth 2, a scalar depth 0. */
#define HR_JSON_DEPTH_MAX 1024

/* The bytes of one JSON value exactly as in the input, without surrounding
 * whitespace. A string span includes its quotes. */
struct hr_json_span {
	const char *p;
	size_t n;
};

enum hr_json_type {
	HR_JSON_INVALID,
	HR_JSON_NULL,
	HR_JSON_FALSE,
	HR_JSON_TRUE,
	HR_JSON_NUMBER,
	HR_JSON_STRING,
	HR_JSON_ARRAY,
	HR_JSON_OBJECT,
};

/* The same bytes as a string view. */
static inline struct hr_str hr_json_span_str(struct hr_json_span s)
{
	return (struct hr_str){s.p, s.n};
}

/* Validates and skips one JSON value at in[0..n), after optional whitespace
 * (space, tab, LF, CR). On success sets *span to the value's bytes, *consumed
 * to the offset just past the value (leading whitespace counted, trailing
 * whitespace not read) and returns its type. Bytes after the value are not
 * examined, except that a number or literal must be followed by the end of
 * the input, whitespace, ',', ']' or '}' (so "1x" and "truex" are invalid).
 * Returns HR_JSON_INVALID for malformed or truncated input or nesting deeper
 * than max_depth (0 allows scalars only); then *span is {NULL, 0} and
 * *consumed is the offset of the offending byte (n when the input ended too
 * soon). Strings may contain any \uXXXX escape, including a lone surrogate
 * (the grammar allows it; hr_json_string_decode rejects it). in needs no NUL.
 * span and consumed may be NULL. */
enum hr_json_type hr_json_skip(const char *in, size_t n, size_t max_depth,
                               struct hr_json_span *span, size_t *consumed);

/* "object", "array", "string", "number", "boolean", "null" or "invalid JSON". */
const char *hr_json_type_name(enum hr_json_type t);

/* The offset of the first byte after `consumed` that is not JSON whitespace,
 * n when only whitespace follows: a body holds one value and nothing else. */
size_t hr_json_trailing_bytes(const char *in, size_t n, size_t consumed);

/* After hr_json_skip(in, n, max_depth) failed at offset `at`: true when the
 * cause was the nesting limit, not malformed input (with the scanner's own
 * limit, HR_JSON_DEPTH_MAX, the scan gets past `at`). */
bool hr_json_too_deep(const char *in, size_t n, size_t max_depth, size_t at);

/* The type a span's first byte announces, without validating the rest
 * (HR_JSON_INVALID for an empty span or a byte no value starts with). Meant
 * for spans that came from this module. */
enum hr_json_type hr_json_span_type(struct hr_json_span s);

/* True if the span is exactly the literal null. */
bool hr_json_is_null(struct hr_json_span s);

/* Walks the members of an object or the elements of an array, validating
 * each one as it goes. Fields are private. */
struct hr_json_iter {
	const char *p;    /* next byte to read */
	const char *end;  /* end of the container span */
	size_t max_depth; /* limit for each member value: the container's limit - 1 */
	char close;       /* '}' or ']'; 0 when the span is not a container */
	bool started;     /* the first member or element has been read */
	bool done;        /* the closing bracket was reached */
	bool failed;      /* malformed input or the wrong container kind */
	bool trusted;     /* skip values by structure only (hr_json_iter_init_trusted) */
};

/* Starts iterating container, the span of an object or array (leading and
 * trailing whitespace tolerated, so a whole request body may be passed).
 * max_depth is the limit for the container itself, as for hr_json_skip (so 0
 * fails); each member value is validated with max_depth - 1. The iterator
 * borrows the container's bytes. A span that is not an object or array makes
 * the first next call fail. */
void hr_json_iter_init(struct hr_json_iter *it, struct hr_json_span container, size_t max_depth);

/* Like hr_json_iter_init, for a container inside a document that hr_json_skip
 * has already validated: values are skipped by their structure (brackets and
 * string quotes) without checking the grammar again, several times faster on
 * large bodies. On malformed input the spans it returns are unspecified, but
 * it never reads outside the container span. */
void hr_json_iter_init_trusted(struct hr_json_iter *it, struct hr_json_span container);

/* For a validated object: the first member named key, without skipping its
 * value. *rest runs from the value's first byte to the end of object, so it
 * is only good for hr_json_iter_init_trusted (which stops at the value's own
 * closing bracket) or hr_json_span_type. Saves a pass over a large value
 * such as the items of a NodeList. False when absent. */
bool hr_json_find_trusted(struct hr_json_span object, const char *key, struct hr_json_span *rest);

/* The next member of an object: *key is the raw key string span including its
 * quotes and escapes (compare it with hr_json_string_eq, decode it with
 * hr_json_string_decode), *value the member's value. Returns false at the end
 * of the object or on error; hr_json_iter_failed tells which. Calling it on an
 * array fails. After the closing '}', only whitespace may follow in the span. */
bool hr_json_next_member(struct hr_json_iter *it, struct hr_json_span *key,
                         struct hr_json_span *value);

/* The next element of an array; as hr_json_next_member otherwise. */
bool hr_json_next_element(struct hr_json_iter *it, struct hr_json_span *value);

/* True once the iterator met malformed input, a depth violation or the wrong
 * container kind. Sticky: later next calls return false. */
bool hr_json_iter_failed(const struct hr_json_iter *it);

/* True when the string span s (with quotes) decodes to exactly text[0..len).
 * False when it differs or s is not a valid JSON string. */
bool hr_json_string_eq(struct hr_json_span s, const char *text, size_t len);

/* The value of the first member whose decoded key equals key (exact,
 * case-sensitive: "na\u006de" matches "name"). False if absent, if object is
 * not an object, or if the object is malformed before the key is found.
 * Members after the one found are not validated: run hr_json_skip once on a
 * document whose validity matters. Nesting is limited to HR_JSON_DEPTH_MAX. */
bool hr_json_get(struct hr_json_span object, const char *key, struct hr_json_span *value);

/* Same with the key as a view (need not be NUL-terminated). */
bool hr_json_get_n(struct hr_json_span object, const char *key, size_t key_len,
                   struct hr_json_span *value);

/* Follows a dotted path of keys from object, e.g. "metadata.name"; each step
 * must be an object. A key containing '.' cannot be named this way (use
 * hr_json_get). False if any step is absent or not an object, or if the path
 * is empty or has an empty segment. */
bool hr_json_get_path(struct hr_json_span object, const char *dotted_path,
                      struct hr_json_span *value);

/* Decodes the JSON string span s (with quotes) into dst as UTF-8: escapes are
 * resolved, \uXXXX surrogate pairs become one 4-byte character. dst is
 * NUL-terminated and *len (may be NULL) gets the byte length without the NUL;
 * the text itself may contain NUL bytes (from \u0000). The decoded length is
 * never more than s.n - 2, so dst_size = s.n - 1 always suffices. Returns
 * false (dst contents unspecified) if s is not exactly one valid string, holds
 * a lone or reversed surrogate escape, or dst is too small. */
bool hr_json_string_decode(struct hr_json_span s, char *dst, size_t dst_size, size_t *len);

/* ---- Streaming: the elements of one array in a document fed in chunks ---- */

#define HR_JSON_SPLIT_PATH_MAX     128 /* bytes of the dotted path, with its NUL */
#define HR_JSON_SPLIT_SEGMENTS_MAX 8   /* keys in the dotted path */
#define HR_JSON_SPLIT_STR_MAX      256 /* decoded kind / resourceVersion, with NUL */

/* Called for each element of the target array, in order; index counts from 0.
 * element points into the chunk being fed or into the splitter's buffer and is
 * valid only during the call. Return HR_OK to go on; any other code stops the
 * splitter, and feed/finish return that code. Must not call the splitter. */
typedef enum hr_code (*hr_json_element_fn)(void *ctx, struct hr_json_span element, size_t index);

/* Called for each member of the top-level object that is not on the path to
 * the array (e.g. "apiVersion", "kind", "metadata"), in document order, so
 * before or after the elements. key is the raw key span with quotes. Both
 * spans are valid only during the call. Same return rule. */
typedef enum hr_code (*hr_json_member_fn)(void *ctx, struct hr_json_span key,
                                          struct hr_json_span value);

struct hr_json_splitter_config {
	/* Dotted key path of the array from the top-level object: "items" for a
	 * List, "Nodes.items" for an extender filter body. "" means the document
	 * itself is the array. Copied by init. */
	const char *path;
	/* Cap on one element, on one buffered top-level member's value and on
	 * one key. Anything larger stops the splitter (HR_ENOMEM). */
	size_t max_element_bytes;
	/* Nesting limit for the whole document, the top-level object counting as
	 * depth 1 (so "items" elements sit at depth 2); at most HR_JSON_DEPTH_MAX. */
	size_t max_depth;
	hr_json_element_fn on_element; /* required */
	hr_json_member_fn on_member;   /* may be NULL */
	void *ctx;                     /* passed to both callbacks */
};

/* An incremental splitter. The caller allocates it; the fields up to `err`
 * are results to read, the rest is private state.
 *
 * Memory: bytes outside the target array are validated in constant memory,
 * except top-level members that must be seen whole: "kind" and "metadata"
 * always, and every one when on_member is set. Those, and each element that
 * crosses a chunk boundary, are copied into one malloc'd buffer that grows
 * up to max_element_bytes (plus a member's key). An element wholly inside one
 * chunk is passed without copying. So memory is bounded by the largest
 * element, not by the document.
 *
 * Not found is a result, not an error: a document without the path, or with
 * null on it, finishes with found == false and no elements. A second
 * occurrence of the array's key is ignored (first wins). */
struct hr_json_splitter {
	/* Results. elements and found grow while feeding; kind and
	 * resource_version are complete once hr_json_splitter_finish succeeds
	 * (they may appear after the array). */
	size_t elements;                              /* elements reported so far */
	bool found;                                   /* the target array was seen */
	bool has_kind;                                /* a top-level "kind" string was seen */
	bool has_resource_version;                    /* "metadata.resourceVersion" was seen */
	char kind[HR_JSON_SPLIT_STR_MAX];             /* decoded, NUL-terminated */
	char resource_version[HR_JSON_SPLIT_STR_MAX]; /* decoded, NUL-terminated */
	uint64_t offset;                              /* bytes fed so far */
	uint64_t err_offset;                          /* document offset of the error */
	struct hr_err err;                            /* first error; code HR_OK if none */

	/* Private. */
	struct hr_json_splitter_config cfg;
	char path[HR_JSON_SPLIT_PATH_MAX];           /* copy of cfg->path (cfg.path is NULL) */
	uint8_t seg_off[HR_JSON_SPLIT_SEGMENTS_MAX]; /* segment starts in path */
	uint8_t seg_len[HR_JSON_SPLIT_SEGMENTS_MAX]; /* segment lengths */
	size_t nseg;                                 /* segments in path */
	uint8_t state;                               /* grammar state (jsonspan.c) */
	bool in_key;                                 /* the string being read is a key */
	uint8_t hex_left;                            /* \uXXXX digits still expected */
	uint8_t utf8_left;                           /* UTF-8 continuation bytes expected */
	uint8_t utf8_lo, utf8_hi;                    /* range allowed for the next one */
	const char *lit;                             /* literal being matched */
	uint8_t lit_pos;                             /* bytes of it matched */
	size_t depth;                                /* open containers */
	uint8_t stack[HR_JSON_DEPTH_MAX / 8];        /* bit set: that level is an object */
	size_t path_level;                           /* path segments matched */
	size_t search_depth;                         /* depth whose keys are compared */
	bool path_pending;                           /* next value is the one on the path */
	bool path_done;                              /* array finished, or path not there */
	bool in_target;                              /* inside the target array */
	size_t elem_depth;                           /* depth of the target's elements */
	bool member_pending;                         /* next value is a wanted member */
	uint8_t capture;                             /* what is being captured, if anything */
	size_t capture_depth;                        /* depth of the captured value */
	size_t key_len;                              /* key bytes at the buffer's start */
	const unsigned char *chunk;                  /* start of the chunk being fed */
	const unsigned char *cap_from;               /* capture start within the chunk */
	char *buf;                                   /* malloc'd capture buffer */
	size_t buf_len, buf_cap;
};

/* Prepares a splitter; cfg is copied. HR_EINVAL (and sp->err filled) if
 * on_element is NULL, max_element_bytes is 0, the path is too long, has more
 * than HR_JSON_SPLIT_SEGMENTS_MAX or empty segments, or max_depth cannot hold
 * the path's elements. hr_json_splitter_fini is safe after any init. */
enum hr_code hr_json_splitter_init(struct hr_json_splitter *sp,
                                   const struct hr_json_splitter_config *cfg)
    __attribute__((warn_unused_result));

/* Feeds the next n bytes of the document (any split, down to one byte);
 * callbacks run from inside this call. data is read during the call only.
 * Returns HR_OK, or the first error: HR_EINVAL for malformed JSON or a
 * wrongly typed "kind"/"metadata", HR_ERANGE for nesting deeper than
 * max_depth, HR_ENOMEM for an element or member over max_element_bytes or a
 * failed allocation, or a callback's code. sp->err has the message (its
 * "where" names the element, e.g. "items[17]"), sp->err_offset the byte
 * offset. Once failed, every later call returns the same code. */
enum hr_code hr_json_splitter_feed(struct hr_json_splitter *sp, const void *data, size_t n)
    __attribute__((warn_unused_result));

/* Declares the end of the document: HR_EINVAL if it is empty or incomplete,
 * else HR_OK (or the earlier error). Whitespace may follow the document;
 * anything else fails in feed. */
enum hr_code hr_json_splitter_finish(struct hr_json_splitter *sp)
    __attribute__((warn_unused_result));

/* Frees the buffer. The results stay readable. */
void hr_json_splitter_fini(struct hr_json_splitter *sp);

#endif
