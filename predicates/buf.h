/* buf.h: a growable output buffer born with a maximum size (curl's dynbuf).
 *
 * Appends past the maximum or a failed allocation make the buffer "failed":
 * later appends do nothing and hr_buf_ok() turns false, so a writer can append
 * a whole document and check once at the end. The buffer owns its bytes
 * (malloc'd); hr_buf_fini frees them, hr_buf_take hands them to the caller.
 * Thread-safety: one buffer per thread. */
#ifndef HR_BUF_H
#define HR_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "str.h"

struct hr_buf {
	char *p;        /* NUL-terminated while ok; NULL before the first append */
	size_t len;     /* bytes written, without the NUL */
	size_t cap;     /* bytes allocated */
	size_t max_len; /* appends beyond this fail */
	bool failed;    /* sticky: an append did not fit or allocation failed */
};

void hr_buf_init(struct hr_buf *buf, size_t max_len);
void hr_buf_fini(struct hr_buf *buf);
/* Drops the contents but keeps the allocation and clears `failed`. */
void hr_buf_reset(struct hr_buf *buf);

static inline bool hr_buf_ok(const struct hr_buf *buf)
{
	return !buf->failed;
}

/* Hands the bytes (NUL-terminated) to the caller, who frees them with free();
 * the buffer is left empty. NULL if the buffer failed or is empty. */
char *hr_buf_take(struct hr_buf *buf, size_t *len);

/* The growing (and failing) path of hr_buf_append. */
void hr_buf_append_slow(struct hr_buf *buf, const void *data, size_t n);

/* Inline because answers of thousands of nodes are made of tiny appends. */
static inline void hr_buf_append(struct hr_buf *buf, const void *data, size_t n)
{
	if (!buf->failed && n < buf->cap - buf->len && n <= buf->max_len - buf->len) {
		if (n)
			memcpy(buf->p + buf->len, data, n);
		buf->len += n;
		buf->p[buf->len] = '\0';
		return;
	}
	hr_buf_append_slow(buf, data, n);
}

static inline void hr_buf_putc(struct hr_buf *buf, char c)
{
	hr_buf_append(buf, &c, 1);
}

void hr_buf_puts(struct hr_buf *buf, const char *s);
void hr_buf_str(struct hr_buf *buf, struct hr_str s);
void hr_buf_printf(struct hr_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hr_buf_i64(struct hr_buf *buf, int64_t v);
/* A JSON string literal with quotes, escaping as RFC 8259 requires; a byte
 * that is not part of well-formed UTF-8 is written as \ufffd. */
void hr_buf_json_str(struct hr_buf *buf, struct hr_str s);

#endif
