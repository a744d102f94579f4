/* buf.c: capped growable buffer. */
#include "buf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void hr_buf_init(struct hr_buf *buf, size_t max_len)
{
	memset(buf, 0, sizeof(*buf));
	buf->max_len = max_len;
}

void hr_buf_fini(struct hr_buf *buf)
{
	free(buf->p);
	buf->p = NULL;
	buf->len = buf->cap = 0;
}

void hr_buf_reset(struct hr_buf *buf)
{
	buf->len = 0;
	buf->failed = false;
	if (buf->p)
		buf->p[0] = '\0';
}

char *hr_buf_take(struct hr_buf *buf, size_t *len)
{
	char *p = NULL;
	if (!buf->failed && buf->p) {
		p = buf->p;
		if (len)
			*len = buf->len;
		buf->p = NULL;
		buf->len = buf->cap = 0;
	}
	return p;
}

static bool reserve(struct hr_buf *buf, size_t extra)
{
	if (buf->failed)
		return false;
	if (extra > buf->max_len || buf->len > buf->max_len - extra) {
		buf->failed = true;
		return false;
	}
	size_t need = buf->len + extra + 1;
	if (need <= buf->cap)
		return true;
	size_t cap = buf->cap ? buf->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(buf->p, cap);
	if (!p) {
		buf->failed = true;
		return false;
	}
	buf->p = p;
	buf->cap = cap;
	return true;
}

void hr_buf_append_slow(struct hr_buf *buf, const void *data, size_t n)
{
	if (!reserve(buf, n))
		return;
	if (n)
		memcpy(buf->p + buf->len, data, n);
	buf->len += n;
	buf->p[buf->len] = '\0';
}

void hr_buf_puts(struct hr_buf *buf, const char *s)
{
	hr_buf_append(buf, s, strlen(s));
}

void hr_buf_str(struct hr_buf *buf, struct hr_str s)
{
	hr_buf_append(buf, s.p, s.n);
}

void hr_buf_printf(struct hr_buf *buf, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		hr_buf_append(buf, small, (size_t)n);
		return;
	}
	if (!reserve(buf, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(buf->p + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
}

void hr_buf_i64(struct hr_buf *buf, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v; /* INT64_MIN too */
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	hr_buf_append(buf, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Bytes a JSON string must escape: controls, '"' and '\\'. */
static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

void hr_buf_json_str(struct hr_buf *buf, struct hr_str s)
{
	static const char hex[] = "0123456789abcdef";
	hr_buf_putc(buf, '"');
	size_t start = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c >= 0x80) {
			/* SIZE_MAX: cut short by the end of s, so not UTF-8 either */
			size_t len = hr_utf8_seq((const unsigned char *)s.p + i,
			                         (const unsigned char *)s.p + s.n);
			if (len && len != SIZE_MAX) {
				i += len - 1;
				continue;
			}
			/* as Go's encoding/json: a byte that is not UTF-8 becomes U+FFFD,
			 * so readers that insist on valid JSON text still parse the line */
			hr_buf_append(buf, s.p + start, i - start);
			start = i + 1;
			hr_buf_puts(buf, "\\ufffd");
			continue;
		}
		if (!needs_escape(c))
			continue;
		hr_buf_append(buf, s.p + start, i - start);
		start = i + 1;
		switch (c) {
		case '"':
			hr_buf_puts(buf, "\\\"");
			break;
		case '\\':
			hr_buf_puts(buf, "\\\\");
			break;
		case '\n':
			hr_buf_puts(buf, "\\n");
			break;
		case '\r':
			hr_buf_puts(buf, "\\r");
			break;
		case '\t':
			hr_buf_puts(buf, "\\t");
			break;
		default: {
			char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			hr_buf_append(buf, esc, sizeof(esc));
		}
		}
	}
	hr_buf_append(buf, s.p + start, s.n - start);
	hr_buf_putc(buf, '"');
}
