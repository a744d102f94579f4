/* err.c: error objects and JSON-path building. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

void hr_err_clear(struct hr_err *err)
{
	if (!err)
		return;
	err->code = HR_OK;
	err->where[0] = '\0';
	err->msg[0] = '\0';
}

static enum hr_code err_vset(struct hr_err *err, enum hr_code code, const char *where,
                             const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static enum hr_code err_vset(struct hr_err *err, enum hr_code code, const char *where,
                             const char *fmt, va_list ap)
{
	if (!err || err->code != HR_OK)
		return code;
	err->code = code;
	snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
	if (vsnprintf(err->msg, sizeof(err->msg), fmt, ap) >= (int)sizeof(err->msg)) {
		/* truncated: mark it so nobody mistakes a cut message for the whole */
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	}
	return code;
}

enum hr_code hr_err_set(struct hr_err *err, enum hr_code code, const char *where, const char *fmt,
                        ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum hr_code rc = err_vset(err, code, where, fmt, ap);
	va_end(ap);
	return rc;
}

enum hr_code hr_err_at(struct hr_err *err, enum hr_code code, const struct hr_path *path,
                       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum hr_code rc = err_vset(err, code, path ? path->buf : NULL, fmt, ap);
	va_end(ap);
	return rc;
}

void hr_err_prefix_where(struct hr_err *err, const char *prefix)
{
	char joined[HR_ERR_WHERE_MAX * 2 + 4];
	if (!err)
		return;
	snprintf(joined, sizeof(joined), err->where[0] ? "%s: %s" : "%s%s", prefix, err->where);
	size_t n = strlen(joined);
	if (n >= sizeof(err->where))
		n = sizeof(err->where) - 1;
	memcpy(err->where, joined, n);
	err->where[n] = '\0';
}

void hr_err_format(const struct hr_err *err, char *out, size_t out_size)
{
	if (!out_size)
		return;
	if (err->where[0])
		snprintf(out, out_size, "%s: %s", err->where, err->msg);
	else
		snprintf(out, out_size, "%s", err->msg);
}

const char *hr_code_name(enum hr_code code)
{
	switch (code) {
	case HR_OK:
		return "ok";
	case HR_EINVAL:
		return "invalid";
	case HR_ERANGE:
		return "out of range";
	case HR_ENOMEM:
		return "out of memory";
	case HR_EUNSUPPORTED:
		return "unsupported";
	}
	return "unknown";
}

void hr_err_quote(char *dst, size_t dst_size, struct hr_str value)
{
	static const char hex[] = "0123456789abcdef";
	const size_t limit = 48; /* keep messages readable */
	size_t o = 0;
	if (!dst_size)
		return;
	for (size_t i = 0; i < value.n; i++) {
		unsigned char c = (unsigned char)value.p[i];
		char tmp[4];
		size_t k = 0;
		if (c == '"' || c == '\\') {
			tmp[k++] = '\\';
			tmp[k++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			tmp[k++] = '\\';
			tmp[k++] = 'x';
			tmp[k++] = hex[c >> 4];
			tmp[k++] = hex[c & 15];
		} else {
			tmp[k++] = (char)c;
		}
		if (o + k + 4 > dst_size || i >= limit) {
			if (o + 4 <= dst_size) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, k);
		o += k;
	}
	dst[o < dst_size ? o : dst_size - 1] = '\0';
}

void hr_path_init(struct hr_path *path)
{
	path->len = 0;
	path->buf[0] = '\0';
}

static void path_append(struct hr_path *path, const char *text, size_t n)
{
	const size_t cap = sizeof(path->buf) - 4; /* room for "..." and NUL */
	if (path->len >= cap)
		return;
	if (path->len + n > cap) {
		memcpy(path->buf + path->len, text, cap - path->len);
		path->len = cap;
		memcpy(path->buf + path->len, "...", 4);
		return;
	}
	memcpy(path->buf + path->len, text, n);
	path->len += n;
	path->buf[path->len] = '\0';
}

size_t hr_path_push_key(struct hr_path *path, const char *key)
{
	size_t saved = path->len;
	if (path->len > 0)
		path_append(path, ".", 1);
	path_append(path, key, strlen(key));
	return saved;
}

size_t hr_path_push_index(struct hr_path *path, size_t index)
{
	size_t saved = path->len;
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "[%zu]", index);
	path_append(path, tmp, (size_t)n);
	return saved;
}

void hr_path_pop(struct hr_path *path, size_t saved_len)
{
	if (saved_len <= path->len) {
		path->len = saved_len;
		path->buf[saved_len] = '\0';
	}
}
