/* err.h: result codes and the error object every fallible call fills.
 *
 * A call returns an enum hr_code and, on failure, fills the caller's
 * struct hr_err with where the problem is (a JSON path such as
 * "spec.containers[1].resources.requests.cpu") and what it is (quoting the
 * bad value). Only the first error is kept, as SQLite's Parse keeps one.
 * hr_path builds the "where" text while a decoder walks a document.
 * Thread-safety: reentrant; an hr_err belongs to one call chain. */
#ifndef HR_ERR_H
#define HR_ERR_H

#include <stddef.h>
#include "str.h"

enum hr_code {
	HR_OK = 0,
	HR_EINVAL = -1,       /* malformed or invalid input */
	HR_ERANGE = -2,       /* a number or size out of range */
	HR_ENOMEM = -3,       /* allocation failed or a memory cap was hit */
	HR_EUNSUPPORTED = -4, /* valid Kubernetes input that headroom does not model */
};

#define HR_ERR_WHERE_MAX 160
#define HR_ERR_MSG_MAX   200

struct hr_err {
	enum hr_code code;
	char where[HR_ERR_WHERE_MAX]; /* JSON path or field name, "" if none */
	char msg[HR_ERR_MSG_MAX];     /* human text, quotes the bad value */
};

/* A JSON path under construction, e.g. "spec.containers[1].resources". */
struct hr_path {
	char buf[HR_ERR_WHERE_MAX];
	size_t len;
};

/* Resets err to "no error". */
void hr_err_clear(struct hr_err *err);

/* Records an error unless one is already recorded (the first one wins).
 * where may be NULL. Returns code so callers can `return hr_err_set(...)`.
 * err may be NULL (the error is then only returned). */
enum hr_code hr_err_set(struct hr_err *err, enum hr_code code, const char *where, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));

/* Same, with the location taken from a path (NULL allowed). */
enum hr_code hr_err_at(struct hr_err *err, enum hr_code code, const struct hr_path *path,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prepends "prefix: " to err->where (a file name before a JSON path),
 * truncating from the end if it does not fit. */
void hr_err_prefix_where(struct hr_err *err, const char *prefix);

/* "where: msg" or just "msg", into out (always NUL-terminated). */
void hr_err_format(const struct hr_err *err, char *out, size_t out_size);

/* Stable lower-case name of a code ("invalid", "out of range", ...). */
const char *hr_code_name(enum hr_code code);

/* Copies a value into dst for quoting in a message: escapes quotes, backslashes
 * and control bytes, truncates long values with "...". Always NUL-terminates. */
void hr_err_quote(char *dst, size_t dst_size, struct hr_str value);

/* Path building. Each push returns the previous length for hr_path_pop.
 * Overlong paths are truncated with "..." (never fail). */
void hr_path_init(struct hr_path *path);
size_t hr_path_push_key(struct hr_path *path, const char *key);
size_t hr_path_push_index(struct hr_path *path, size_t index);
void hr_path_pop(struct hr_path *path, size_t saved_len);

#endif
