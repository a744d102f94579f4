/* jsonspan.c: validating JSON span scanner, iterators, lookups and the
 * streaming array splitter. The grammar is RFC 8259; strings are also checked
 * as UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, <= U+10FFFF). */
#include "jsonspan.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* ---- Byte classes ---- */

enum {
	C_WS = 1,    /* JSON whitespace: space, tab, LF, CR */
	C_PLAIN = 2, /* ASCII that stands for itself inside a string */
	C_DIGIT = 4,
	C_HEX = 8,
};

/* clang-format off */
static const unsigned char cls[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  1,  1,  0,  0,  1,  0,  0, /* 00 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* 10 */
	 3,  2,  0,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, /* 20 */
	14, 14, 14, 14, 14, 14, 14, 14, 14, 14,  2,  2,  2,  2,  2,  2, /* 30 */
	 2, 10, 10, 10, 10, 10, 10,  2,  2,  2,  2,  2,  2,  2,  2,  2, /* 40 */
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  0,  2,  2,  2, /* 50 */
	 2, 10, 10, 10, 10, 10, 10,  2,  2,  2,  2,  2,  2,  2,  2,  2, /* 60 */
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, /* 70 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* 80 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* 90 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* a0 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* b0 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* c0 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* d0 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* e0 */
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, /* f0 */
};
/* clang-format on */

static inline const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (cls[*p] & C_WS))
		p++;
	return p;
}

static inline const unsigned char *skip_digits(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (cls[*p] & C_DIGIT))
		p++;
	return p;
}

/* Skips bytes that stand for themselves inside a string, four at a time. */
static inline const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end)
{
	while (end - p >= 4 && (cls[p[0]] & cls[p[1]] & cls[p[2]] & cls[p[3]] & C_PLAIN))
		p += 4;
	while (p < end && (cls[*p] & C_PLAIN))
		p++;
	return p;
}

static inline bool is_simple_escape(unsigned c)
{
	return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
	       c == 't';
}

/* The value of 4 hex digits at p (caller checked they exist), -1 if not hex. */
static long hex4(const unsigned char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i];
		if (!(cls[c] & C_HEX))
			return -1;
		v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* Nesting stack: one bit per level, set for an object. Levels are pushed in
 * order, so a byte is first written when its level 0 bit is pushed. */
static inline void stack_push(uint8_t *stack, size_t level, bool object)
{
	uint8_t bit = (uint8_t)(1u << (level & 7));
	if ((level & 7) == 0)
		stack[level >> 3] = object ? bit : 0;
	else if (object)
		stack[level >> 3] |= bit;
	else
		stack[level >> 3] &= (uint8_t)~bit;
}

static inline bool stack_is_object(const uint8_t *stack, size_t level)
{
	return stack[level >> 3] & (1u << (level & 7));
}

/* ---- In-memory scanning ---- */

/* p[0] == '"'. Returns the byte after the closing quote, or NULL with *bad at
 * the offending byte. */
static const unsigned char *scan_string(const unsigned char *p, const unsigned char *end,
                                        const unsigned char **bad)
{
	p++;
	for (;;) {
		p = skip_plain(p, end);
		if (p == end)
			break;
		unsigned c = *p;
		if (c == '"')
			return p + 1;
		if (c == '\\') {
			if (end - p < 2)
				break;
			if (p[1] == 'u') {
				if (end - p < 6) {
					*bad = end;
					return NULL;
				}
				if (hex4(p + 2) < 0)
					goto bad_byte;
				p += 6;
			} else if (is_simple_escape(p[1])) {
				p += 2;
			} else {
				p++;
				goto bad_byte;
			}
			continue;
		}
		if (c < 0x80)
			goto bad_byte; /* a raw control character */
		size_t k = hr_utf8_seq(p, end);
		if (k == SIZE_MAX)
			break;
		if (!k)
			goto bad_byte;
		p += k;
	}
	*bad = end;
	return NULL;
bad_byte:
	*bad = p;
	return NULL;
}

/* p[0] is '-' or a digit. */
static const unsigned char *scan_number(const unsigned char *p, const unsigned char *end,
                                        const unsigned char **bad)
{
	if (*p == '-')
		p++;
	if (p == end)
		goto cut;
	if (*p == '0')
		p++;
	else if (cls[*p] & C_DIGIT)
		p = skip_digits(p + 1, end);
	else
		goto bad_byte;
	if (p < end && *p == '.') {
		if (++p == end)
			goto cut;
		if (!(cls[*p] & C_DIGIT))
			goto bad_byte;
		p = skip_digits(p, end);
	}
	if (p < end && (*p | 0x20) == 'e') {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end)
			goto cut;
		if (!(cls[*p] & C_DIGIT))
			goto bad_byte;
		p = skip_digits(p, end);
	}
	return p;
cut:
	*bad = end;
	return NULL;
bad_byte:
	*bad = p;
	return NULL;
}

static const unsigned char *scan_literal(const unsigned char *p, const unsigned char *end,
                                         const char *lit, size_t n, const unsigned char **bad)
{
	for (size_t i = 0; i < n; i++, p++) {
		if (p == end || *p != (unsigned char)lit[i]) {
			*bad = p;
			return NULL;
		}
	}
	return p;
}

/* Skips whitespace and one value. Returns the byte after it, or NULL with
 * *bad at the offending byte (end when the input stops too soon). */
static const unsigned char *scan_value(const unsigned char *p, const unsigned char *end,
                                       size_t max_depth, const unsigned char **bad)
{
	uint8_t stack[HR_JSON_DEPTH_MAX / 8];
	size_t depth = 0;

	if (max_depth > HR_JSON_DEPTH_MAX)
		max_depth = HR_JSON_DEPTH_MAX;
value:
	p = skip_ws(p, end);
	if (p == end)
		goto bad_byte;
	switch (*p) {
	case '{':
		if (depth == max_depth)
			goto bad_byte;
		stack_push(stack, depth++, true);
		p = skip_ws(p + 1, end);
		if (p < end && *p == '}') {
			p++;
			depth--;
			goto after;
		}
		goto key;
	case '[':
		if (depth == max_depth)
			goto bad_byte;
		stack_push(stack, depth++, false);
		p = skip_ws(p + 1, end);
		if (p < end && *p == ']') {
			p++;
			depth--;
			goto after;
		}
		goto value;
	case '"':
		p = scan_string(p, end, bad);
		break;
	case 't':
		p = scan_literal(p, end, "true", 4, bad);
		break;
	case 'f':
		p = scan_literal(p, end, "false", 5, bad);
		break;
	case 'n':
		p = scan_literal(p, end, "null", 4, bad);
		break;
	default:
		if (*p != '-' && !(cls[*p] & C_DIGIT))
			goto bad_byte;
		p = scan_number(p, end, bad);
		break;
	}
	if (!p)
		return NULL;
after:
	if (depth == 0)
		return p;
	p = skip_ws(p, end);
	if (p == end)
		goto bad_byte;
	if (*p == ',') {
		p = skip_ws(p + 1, end);
		if (stack_is_object(stack, depth - 1))
			goto key;
		goto value;
	}
	if (*p != (stack_is_object(stack, depth - 1) ? '}' : ']'))
		goto bad_byte;
	p++;
	depth--;
	goto after;
key:
	if (p == end || *p != '"')
		goto bad_byte;
	p = scan_string(p, end, bad);
	if (!p)
		return NULL;
	p = skip_ws(p, end);
	if (p == end || *p != ':')
		goto bad_byte;
	p++;
	goto value;
bad_byte:
	*bad = p;
	return NULL;
}

static enum hr_json_type type_of_byte(unsigned c)
{
	switch (c) {
	case '{':
		return HR_JSON_OBJECT;
	case '[':
		return HR_JSON_ARRAY;
	case '"':
		return HR_JSON_STRING;
	case 't':
		return HR_JSON_TRUE;
	case 'f':
		return HR_JSON_FALSE;
	case 'n':
		return HR_JSON_NULL;
	default:
		return c == '-' || (cls[c] & C_DIGIT) ? HR_JSON_NUMBER : HR_JSON_INVALID;
	}
}

enum hr_json_type hr_json_skip(const char *in, size_t n, size_t max_depth,
                               struct hr_json_span *span, size_t *consumed)
{
	if (!in) {
		n = 0;
		in = "";
	}
	const unsigned char *start = (const unsigned char *)in, *end = start + n, *bad = end;
	const unsigned char *p = skip_ws(start, end);
	const unsigned char *q = scan_value(p, end, max_depth, &bad);
	enum hr_json_type type = q ? type_of_byte(*p) : HR_JSON_INVALID;

	/* A number or literal must not run into the next token: "1x", "01". */
	if (type != HR_JSON_INVALID && type != HR_JSON_STRING && type != HR_JSON_ARRAY &&
	    type != HR_JSON_OBJECT && q < end && !(cls[*q] & C_WS) && *q != ',' && *q != ']' &&
	    *q != '}') {
		type = HR_JSON_INVALID;
		bad = q;
	}
	bool ok = type != HR_JSON_INVALID;
	if (span)
		*span = ok ? (struct hr_json_span){(const char *)p, (size_t)(q - p)}
		           : (struct hr_json_span){NULL, 0};
	if (consumed)
		*consumed = (size_t)((ok ? q : bad) - start);
	return type;
}

const char *hr_json_type_name(enum hr_json_type t)
{
	switch (t) {
	case HR_JSON_NULL:
		return "null";
	case HR_JSON_FALSE:
	case HR_JSON_TRUE:
		return "boolean";
	case HR_JSON_NUMBER:
		return "number";
	case HR_JSON_STRING:
		return "string";
	case HR_JSON_ARRAY:
		return "array";
	case HR_JSON_OBJECT:
		return "object";
	case HR_JSON_INVALID:
		break;
	}
	return "invalid JSON";
}

size_t hr_json_trailing_bytes(const char *in, size_t n, size_t consumed)
{
	size_t i = consumed;
	while (i < n && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r'))
		i++;
	return i;
}

bool hr_json_too_deep(const char *in, size_t n, size_t max_depth, size_t at)
{
	size_t further = 0;
	if (max_depth >= HR_JSON_DEPTH_MAX)
		return false;
	return hr_json_skip(in, n, HR_JSON_DEPTH_MAX, NULL, &further) != HR_JSON_INVALID ||
	       further > at;
}

enum hr_json_type hr_json_span_type(struct hr_json_span s)
{
	return s.p && s.n ? type_of_byte((unsigned char)s.p[0]) : HR_JSON_INVALID;
}

bool hr_json_is_null(struct hr_json_span s)
{
	return s.p && s.n == 4 && memcmp(s.p, "null", 4) == 0;
}

/* ---- Iterators ---- */

void hr_json_iter_init(struct hr_json_iter *it, struct hr_json_span container, size_t max_depth)
{
	memset(it, 0, sizeof(*it));
	if (!container.p || max_depth == 0) {
		it->failed = true;
		return;
	}
	const unsigned char *end = (const unsigned char *)container.p + container.n;
	const unsigned char *p = skip_ws((const unsigned char *)container.p, end);
	if (p == end || (*p != '{' && *p != '[')) {
		it->failed = true;
		return;
	}
	it->close = *p == '{' ? '}' : ']';
	it->p = (const char *)p + 1;
	it->end = (const char *)end;
	it->max_depth = (max_depth > HR_JSON_DEPTH_MAX ? HR_JSON_DEPTH_MAX : max_depth) - 1;
}

void hr_json_iter_init_trusted(struct hr_json_iter *it, struct hr_json_span container)
{
	hr_json_iter_init(it, container, HR_JSON_DEPTH_MAX);
	it->trusted = true;
}

/* Past the string, object or array at p by structure only (see
 * hr_json_iter_init_trusted), or NULL when the span ends first. Inside
 * strings plain bytes go four at a time, as in scan_string. */
static const unsigned char *skip_nested_trusted(const unsigned char *p, const unsigned char *end)
{
	size_t depth = 0;
	while (p < end) {
		unsigned c = *p;
		if (c == '"') {
			for (p++;; p++) {
				p = skip_plain(p, end);
				if (p == end)
					return NULL;
				if (*p == '"')
					break;
				if (*p == '\\' && ++p == end)
					return NULL;
			}
			p++; /* past the closing quote */
			if (depth == 0)
				return p;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && (depth == 0 || --depth == 0))
			return p + 1; /* a stray closer ends it too */
		p++;
	}
	return NULL;
}

static const unsigned char *skip_value_trusted(const unsigned char *p, const unsigned char *end)
{
	if (p == end)
		return NULL;
	if (*p == '"' || *p == '{' || *p == '[')
		return skip_nested_trusted(p, end);
	while (p < end && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\n' &&
	       *p != '\t' && *p != '\r')
		p++;
	return p;
}

static bool iter_fail(struct hr_json_iter *it)
{
	it->failed = true;
	return false;
}

/* Moves to the first byte of the next member or element; false at the end
 * (only whitespace may follow the closing bracket) or on error. */
static bool iter_advance(struct hr_json_iter *it, char close)
{
	if (it->failed || it->done)
		return false;
	if (it->close != close)
		return iter_fail(it);
	const unsigned char *end = (const unsigned char *)it->end;
	const unsigned char *p = skip_ws((const unsigned char *)it->p, end);
	if (p == end)
		return iter_fail(it);
	if (*p == close) {
		/* a trusted container may be a prefix of its span (hr_json_find_trusted) */
		if (!it->trusted && skip_ws(p + 1, end) != end)
			return iter_fail(it);
		it->done = true;
		return false;
	}
	if (it->started) {
		if (*p != ',')
			return iter_fail(it);
		p = skip_ws(p + 1, end);
		if (p == end) /* a trailing comma at the end of the span */
			return iter_fail(it);
	}
	it->started = true;
	it->p = (const char *)p;
	return true;
}

/* Scans the value at it->p into *value and moves past it. */
static bool iter_value(struct hr_json_iter *it, struct hr_json_span *value)
{
	const unsigned char *end = (const unsigned char *)it->end, *bad;
	const unsigned char *p = skip_ws((const unsigned char *)it->p, end);
	const unsigned char *q =
	    it->trusted ? skip_value_trusted(p, end) : scan_value(p, end, it->max_depth, &bad);
	if (!q)
		return iter_fail(it);
	if (value)
		*value = (struct hr_json_span){(const char *)p, (size_t)(q - p)};
	it->p = (const char *)q;
	return true;
}

bool hr_json_next_member(struct hr_json_iter *it, struct hr_json_span *key,
                         struct hr_json_span *value)
{
	if (!iter_advance(it, '}'))
		return false;
	const unsigned char *end = (const unsigned char *)it->end, *bad;
	const unsigned char *p = (const unsigned char *)it->p;
	if (*p != '"')
		return iter_fail(it);
	const unsigned char *q =
	    it->trusted ? skip_nested_trusted(p, end) : scan_string(p, end, &bad);
	if (!q)
		return iter_fail(it);
	if (key)
		*key = (struct hr_json_span){(const char *)p, (size_t)(q - p)};
	q = skip_ws(q, end);
	if (q == end || *q != ':')
		return iter_fail(it);
	it->p = (const char *)q + 1;
	return iter_value(it, value);
}

bool hr_json_next_element(struct hr_json_iter *it, struct hr_json_span *value)
{
	return iter_advance(it, ']') && iter_value(it, value);
}

bool hr_json_find_trusted(struct hr_json_span object, const char *key, struct hr_json_span *rest)
{
	struct hr_json_iter it;
	struct hr_json_span k;
	size_t key_len = strlen(key);
	hr_json_iter_init_trusted(&it, object);
	while (iter_advance(&it, '}')) {
		const unsigned char *end = (const unsigned char *)it.end;
		const unsigned char *p = (const unsigned char *)it.p;
		const unsigned char *q = *p == '"' ? skip_nested_trusted(p, end) : NULL;
		if (!q)
			return false;
		k = (struct hr_json_span){(const char *)p, (size_t)(q - p)};
		q = skip_ws(q, end);
		if (q == end || *q != ':')
			return false;
		q = skip_ws(q + 1, end);
		if (hr_json_string_eq(k, key, key_len)) {
			*rest = (struct hr_json_span){(const char *)q, (size_t)(end - q)};
			return q < end;
		}
		it.p = (const char *)q;
		if (!iter_value(&it, NULL))
			return false;
	}
	return false;
}

bool hr_json_iter_failed(const struct hr_json_iter *it)
{
	return it->failed;
}

/* ---- Decoding ---- */

static size_t utf8_encode(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes the \uXXXX escape (or surrogate pair) at *pp into out; returns the
 * byte count, 0 if invalid. */
static size_t decode_u_escape(const unsigned char **pp, const unsigned char *end,
                              unsigned char out[4])
{
	const unsigned char *p = *pp;
	long cp = end - p >= 6 ? hex4(p + 2) : -1;
	if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
		return 0; /* bad hex, or a low surrogate with no high one */
	p += 6;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		long lo = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2) : -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return 0; /* a high surrogate must be followed by a low one */
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	}
	*pp = p;
	return utf8_encode((uint32_t)cp, out);
}

/* Reads one character of a string body at *pp: its UTF-8 bytes go to out and
 * their count is returned; 0 at the closing quote (consumed); -1 if invalid. */
static int next_char(const unsigned char **pp, const unsigned char *end, unsigned char out[4])
{
	const unsigned char *p = *pp;
	if (p == end)
		return -1;
	unsigned c = *p;
	if (c == '"') {
		*pp = p + 1;
		return 0;
	}
	if (cls[c] & C_PLAIN) {
		out[0] = (unsigned char)c;
		*pp = p + 1;
		return 1;
	}
	if (c >= 0x80) {
		size_t k = hr_utf8_seq(p, end);
		if (!k || k == SIZE_MAX)
			return -1;
		memcpy(out, p, k);
		*pp = p + k;
		return (int)k;
	}
	if (c != '\\' || end - p < 2)
		return -1; /* a raw control character, or a cut escape */
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit = p[1] ? strchr(from, p[1]) : NULL;
	if (hit) {
		out[0] = (unsigned char)to[hit - from];
		*pp = p + 2;
		return 1;
	}
	if (p[1] != 'u')
		return -1;
	size_t k = decode_u_escape(pp, end, out);
	return k ? (int)k : -1;
}

/* The body of a string span: p after the opening quote. False if s does not
 * start with a quote. */
static bool string_body(struct hr_json_span s, const unsigned char **p, const unsigned char **end)
{
	if (!s.p || s.n < 2 || s.p[0] != '"')
		return false;
	*p = (const unsigned char *)s.p + 1;
	*end = (const unsigned char *)s.p + s.n;
	return true;
}

bool hr_json_string_eq(struct hr_json_span s, const char *text, size_t len)
{
	const unsigned char *p, *end;
	if (!string_body(s, &p, &end))
		return false;
	const unsigned char *t = (const unsigned char *)text;
	size_t at = 0;
	for (;;) {
		unsigned char ch[4];
		int k = next_char(&p, end, ch);
		if (k < 0)
			return false;
		if (k == 0)
			return p == end && at == len;
		if ((size_t)k > len - at || memcmp(t + at, ch, (size_t)k) != 0)
			return false;
		at += (size_t)k;
	}
}

bool hr_json_string_decode(struct hr_json_span s, char *dst, size_t dst_size, size_t *len)
{
	const unsigned char *p, *end;
	if (!string_body(s, &p, &end) || !dst || dst_size == 0)
		return false;
	size_t at = 0;
	for (;;) {
		/* Copy a run of plain bytes at once, then one character. */
		const unsigned char *run = skip_plain(p, end);
		size_t n = (size_t)(run - p);
		if (n >= dst_size - at)
			return false;
		memcpy(dst + at, p, n);
		at += n;
		p = run;
		unsigned char ch[4];
		int k = next_char(&p, end, ch);
		if (k < 0)
			return false;
		if (k == 0)
			break;
		if ((size_t)k >= dst_size - at)
			return false;
		memcpy(dst + at, ch, (size_t)k);
		at += (size_t)k;
	}
	if (p != end)
		return false; /* bytes after the closing quote */
	dst[at] = '\0';
	if (len)
		*len = at;
	return true;
}

/* ---- Lookups ---- */

bool hr_json_get_n(struct hr_json_span object, const char *key, size_t key_len,
                   struct hr_json_span *value)
{
	struct hr_json_iter it;
	struct hr_json_span k, v;
	hr_json_iter_init(&it, object, HR_JSON_DEPTH_MAX);
	while (hr_json_next_member(&it, &k, &v)) {
		if (hr_json_string_eq(k, key, key_len)) {
			if (value)
				*value = v;
			return true;
		}
	}
	return false;
}

bool hr_json_get(struct hr_json_span object, const char *key, struct hr_json_span *value)
{
	return hr_json_get_n(object, key, strlen(key), value);
}

bool hr_json_get_path(struct hr_json_span object, const char *dotted_path,
                      struct hr_json_span *value)
{
	struct hr_json_span at = object;
	const char *seg = dotted_path;
	for (;;) {
		const char *dot = strchr(seg, '.');
		size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
		if (n == 0 || !hr_json_get_n(at, seg, n, &at))
			return false;
		if (!dot)
			break;
		seg = dot + 1;
	}
	if (value)
		*value = at;
	return true;
}

/* ---- Streaming splitter ----
 *
 * A byte-at-a-time pushdown automaton for the JSON grammar, whose state
 * survives between chunks, with tight loops for the common runs (whitespace,
 * plain string bytes, digits). On top of it, "captures" record the bytes of a
 * key, a top-level member or an element: the capture remembers where it
 * started in the current chunk and, if the chunk ends first, copies the part
 * seen so far into the buffer. */

enum split_state {
	SP_VALUE,     /* a value is expected */
	SP_ARR_FIRST, /* after '[': a value or ']' */
	SP_OBJ_FIRST, /* after '{': a key or '}' */
	SP_KEY,       /* after ',' in an object: a key */
	SP_COLON,     /* after a key: ':' */
	SP_AFTER,     /* after a value in a container: ',' or the closing bracket */
	SP_DONE,      /* after the document: whitespace only */
	SP_STR,       /* inside a string */
	SP_ESC,       /* after a backslash */
	SP_HEX,       /* inside \uXXXX */
	SP_UTF8,      /* inside a multi-byte UTF-8 character */
	SP_LIT,       /* inside true, false or null */
	SP_NUM_MINUS, /* after '-' */
	SP_NUM_ZERO,  /* after a leading 0 */
	SP_NUM_INT,   /* in the integer digits */
	SP_NUM_DOT,   /* after '.' */
	SP_NUM_FRAC,  /* in the fraction digits */
	SP_NUM_E,     /* after 'e' */
	SP_NUM_ESIGN, /* after the exponent's sign */
	SP_NUM_EXP,   /* in the exponent digits */
	SP_FAILED,
};

enum split_capture {
	CAP_NONE,
	CAP_KEY,     /* a key to compare with the path or keep for a member */
	CAP_MEMBER,  /* a top-level member's value (its key is already buffered) */
	CAP_ELEMENT, /* an element of the target array */
};

static uint64_t sp_offset(const struct hr_json_splitter *sp, const unsigned char *at)
{
	return sp->offset + (uint64_t)(at - sp->chunk);
}

/* Records the first error, at document offset off; returns false. */
static bool sp_fail_at(struct hr_json_splitter *sp, uint64_t off, enum hr_code code,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool sp_fail_at(struct hr_json_splitter *sp, uint64_t off, enum hr_code code,
                       const char *fmt, ...)
{
	char msg[HR_ERR_MSG_MAX];
	char where[HR_ERR_WHERE_MAX] = "";
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4); /* mark a cut message */
	if (sp->capture == CAP_ELEMENT) {
		/* Fits: the path is under HR_JSON_SPLIT_PATH_MAX bytes. */
		n = snprintf(where, sizeof(where), "%s[%zu]", sp->path, sp->elements);
		if (n < 0 || (size_t)n >= sizeof(where))
			where[0] = '\0';
	}
	if (sp->err.code == HR_OK)
		sp->err_offset = off;
	hr_err_set(&sp->err, code, where, "%s at byte %" PRIu64, msg, off);
	sp->state = SP_FAILED;
	return false;
}

/* "unexpected 'x'" / "unexpected byte 0x01" while expecting what. */
static bool sp_unexpected(struct hr_json_splitter *sp, const unsigned char *at, const char *what)
{
	unsigned c = *at;
	if (c > 0x20 && c < 0x7F)
		return sp_fail_at(sp, sp_offset(sp, at), HR_EINVAL, "unexpected '%c', expected %s",
		                  (int)c, what);
	return sp_fail_at(sp, sp_offset(sp, at), HR_EINVAL, "unexpected byte 0x%02x, expected %s",
	                  c, what);
}

static bool seg_eq(const struct hr_json_splitter *sp, struct hr_json_span key, size_t i)
{
	return hr_json_string_eq(key, sp->path + sp->seg_off[i], sp->seg_len[i]);
}

/* Appends n bytes to the capture buffer, growing it up to the cap. */
static bool buf_append(struct hr_json_splitter *sp, const unsigned char *from, size_t n,
                       const unsigned char *at)
{
	size_t max = sp->cfg.max_element_bytes;
	if (sp->capture != CAP_ELEMENT) /* a member's cap is for its value */
		max = max > SIZE_MAX - sp->key_len ? SIZE_MAX : max + sp->key_len;
	if (n > max || sp->buf_len > max - n) {
		const char *what = sp->capture == CAP_ELEMENT ? "element" : "top-level member";
		return sp_fail_at(sp, sp_offset(sp, at), HR_ENOMEM, "%s larger than %zu bytes",
		                  what, sp->cfg.max_element_bytes);
	}
	if (sp->buf_len + n > sp->buf_cap) {
		size_t cap = sp->buf_cap ? sp->buf_cap : 4096;
		while (cap < sp->buf_len + n)
			cap = cap > SIZE_MAX / 2 ? sp->buf_len + n : cap * 2;
		if (cap > max)
			cap = max; /* never more than the cap, which is >= buf_len + n */
		char *p = realloc(sp->buf, cap);
		if (!p)
			return sp_fail_at(sp, sp_offset(sp, at), HR_ENOMEM,
			                  "cannot allocate %zu bytes for an element", cap);
		sp->buf = p;
		sp->buf_cap = cap;
	}
	if (n)
		memcpy(sp->buf + sp->buf_len, from, n);
	sp->buf_len += n;
	return true;
}

static void cap_start(struct hr_json_splitter *sp, enum split_capture kind, const unsigned char *p)
{
	sp->capture = (uint8_t)kind;
	sp->capture_depth = sp->depth;
	sp->cap_from = p;
	if (kind != CAP_MEMBER)
		sp->buf_len = 0;
}

/* Ends the capture at endp: *out is its bytes, in the chunk when nothing was
 * buffered and copy is false, else in the buffer. */
static bool cap_finish(struct hr_json_splitter *sp, const unsigned char *endp, bool copy,
                       struct hr_json_span *out)
{
	size_t n = (size_t)(endp - sp->cap_from);
	if (!copy && sp->buf_len == 0) {
		if (n > sp->cfg.max_element_bytes)
			return buf_append(sp, sp->cap_from, n, endp); /* reports the cap */
		*out = (struct hr_json_span){(const char *)sp->cap_from, n};
		return true;
	}
	if (!buf_append(sp, sp->cap_from, n, endp))
		return false;
	*out = (struct hr_json_span){sp->buf, sp->buf_len};
	return true;
}

static bool take_kind(struct hr_json_splitter *sp, struct hr_json_span value,
                      const unsigned char *at)
{
	if (hr_json_span_type(value) != HR_JSON_STRING)
		return sp_fail_at(sp, sp_offset(sp, at), HR_EINVAL,
		                  "top-level \"kind\" is not a string");
	if (sp->has_kind)
		return true; /* the first one wins */
	if (!hr_json_string_decode(value, sp->kind, sizeof(sp->kind), NULL))
		return sp_fail_at(sp, sp_offset(sp, at), HR_EINVAL,
		                  "top-level \"kind\" is too long");
	sp->has_kind = true;
	return true;
}

static bool take_metadata(struct hr_json_splitter *sp, struct hr_json_span value,
                          const unsigned char *at)
{
	struct hr_json_span rv;
	enum hr_json_type t = hr_json_span_type(value);
	if (t == HR_JSON_NULL || sp->has_resource_version)
		return true;
	if (t != HR_JSON_OBJECT)
		return sp_fail_at(sp, sp_offset(sp, at), HR_EINVAL,
		                  "top-level \"metadata\" is not an object");
	if (!hr_json_get(value, "resourceVersion", &rv) || hr_json_is_null(rv))
		return true;
	if (hr_json_span_type(rv) != HR_JSON_STRING)
		return sp_fail_at(sp, sp_offset(sp, at), HR_EINVAL,
		                  "\"metadata.resourceVersion\" is not a string");
	if (!hr_json_string_decode(rv, sp->resource_version, sizeof(sp->resource_version), NULL))
		return sp_fail_at(sp, sp_offset(sp, at), HR_EINVAL,
		                  "\"metadata.resourceVersion\" is too long");
	sp->has_resource_version = true;
	return true;
}

/* A captured element or top-level member is complete at endp. */
static bool emit(struct hr_json_splitter *sp, const unsigned char *endp)
{
	struct hr_json_span span;
	enum hr_code rc = HR_OK;
	if (!cap_finish(sp, endp, sp->capture == CAP_MEMBER, &span))
		return false;
	if (sp->capture == CAP_ELEMENT) {
		rc = sp->cfg.on_element(sp->cfg.ctx, span, sp->elements);
		if (rc != HR_OK)
			return sp_fail_at(sp, sp_offset(sp, endp), rc,
			                  "stopped by the element callback (%s)", hr_code_name(rc));
		sp->elements++;
	} else {
		struct hr_json_span key = {sp->buf, sp->key_len};
		struct hr_json_span value = {sp->buf + sp->key_len, sp->buf_len - sp->key_len};
		if (hr_json_string_eq(key, "kind", 4) && !take_kind(sp, value, endp))
			return false;
		if (hr_json_string_eq(key, "metadata", 8) && !take_metadata(sp, value, endp))
			return false;
		if (sp->cfg.on_member)
			rc = sp->cfg.on_member(sp->cfg.ctx, key, value);
		if (rc != HR_OK)
			return sp_fail_at(sp, sp_offset(sp, endp), rc,
			                  "stopped by the member callback (%s)", hr_code_name(rc));
	}
	sp->capture = CAP_NONE;
	sp->buf_len = sp->key_len = 0;
	return true;
}

/* A value starting at p (a valid first byte): path and capture events. */
static bool begin_value(struct hr_json_splitter *sp, const unsigned char *p)
{
	if (sp->capture != CAP_NONE)
		return true; /* inside something captured already */
	if (sp->path_pending) {
		bool last = sp->path_level == sp->nseg;
		sp->path_pending = false;
		if (*p == 'n' && sp->depth > 0) {
			sp->path_done = true; /* "items": null holds no elements */
			return true;
		}
		if (*p != (last ? '[' : '{')) {
			const char *what = last ? "an array" : "an object";
			if (sp->path_level == 0)
				return sp_fail_at(sp, sp_offset(sp, p), HR_EINVAL,
				                  "the document is not %s", what);
			size_t n =
			    sp->seg_off[sp->path_level - 1] + sp->seg_len[sp->path_level - 1];
			return sp_fail_at(sp, sp_offset(sp, p), HR_EINVAL, "\"%.*s\" is not %s",
			                  (int)n, sp->path, what);
		}
		if (last) {
			sp->in_target = true;
			sp->found = true;
			sp->elem_depth = sp->depth + 1;
		} else {
			sp->search_depth = sp->depth + 1;
		}
		return true;
	}
	if (sp->in_target && sp->depth == sp->elem_depth) {
		cap_start(sp, CAP_ELEMENT, p);
	} else if (sp->member_pending) {
		sp->member_pending = false;
		cap_start(sp, CAP_MEMBER, p);
	}
	return true;
}

/* A value ended just before endp. */
static bool end_value(struct hr_json_splitter *sp, const unsigned char *endp)
{
	sp->state = sp->depth ? SP_AFTER : SP_DONE;
	if ((sp->capture == CAP_ELEMENT || sp->capture == CAP_MEMBER) &&
	    sp->depth == sp->capture_depth)
		return emit(sp, endp);
	return true;
}

/* A key starts at p (its opening quote). */
static void begin_key(struct hr_json_splitter *sp, const unsigned char *p)
{
	sp->in_key = true;
	sp->state = SP_STR;
	if (sp->capture != CAP_NONE)
		return;
	bool search = !sp->path_done && sp->depth == sp->search_depth;
	bool top = sp->nseg > 0 && sp->depth == 1;
	if (search || top)
		cap_start(sp, CAP_KEY, p);
}

static bool member_wanted(const struct hr_json_splitter *sp, struct hr_json_span key)
{
	if (sp->nseg > 0 && seg_eq(sp, key, 0))
		return false; /* a second occurrence of the array's key */
	return sp->cfg.on_member || hr_json_string_eq(key, "kind", 4) ||
	       hr_json_string_eq(key, "metadata", 8);
}

/* A key ended just before endp. */
static bool end_key(struct hr_json_splitter *sp, const unsigned char *endp)
{
	struct hr_json_span key;
	sp->in_key = false;
	sp->state = SP_COLON;
	if (sp->capture != CAP_KEY)
		return true;
	if (!cap_finish(sp, endp, true, &key))
		return false;
	sp->capture = CAP_NONE;
	if (!sp->path_done && sp->depth == sp->search_depth && seg_eq(sp, key, sp->path_level)) {
		sp->path_level++;
		sp->path_pending = true;
		sp->buf_len = 0;
	} else if (sp->depth == 1 && member_wanted(sp, key)) {
		sp->key_len = sp->buf_len;
		sp->member_pending = true;
	} else {
		sp->buf_len = 0;
	}
	return true;
}

static bool open_container(struct hr_json_splitter *sp, const unsigned char *p, bool object)
{
	if (sp->depth == sp->cfg.max_depth)
		return sp_fail_at(sp, sp_offset(sp, p), HR_ERANGE, "nesting deeper than %zu",
		                  sp->cfg.max_depth);
	stack_push(sp->stack, sp->depth++, object);
	sp->state = object ? SP_OBJ_FIRST : SP_ARR_FIRST;
	return true;
}

static bool close_container(struct hr_json_splitter *sp, const unsigned char *p)
{
	bool object = stack_is_object(sp->stack, sp->depth - 1);
	if (*p != (object ? '}' : ']'))
		return sp_unexpected(sp, p, object ? "',' or '}'" : "',' or ']'");
	if (sp->in_target && sp->depth == sp->elem_depth) {
		sp->in_target = false;
		sp->path_done = true;
	} else if (!sp->path_done && sp->depth == sp->search_depth) {
		sp->path_done = true; /* the object ended without the next key */
	}
	sp->depth--;
	return end_value(sp, p + 1);
}

/* The first byte of a value, at p. */
static bool start_value(struct hr_json_splitter *sp, const unsigned char *p)
{
	static const char *const lits[] = {"true", "false", "null"};
	unsigned c = *p;
	if (type_of_byte(c) == HR_JSON_INVALID)
		return sp_unexpected(sp, p, "a value");
	if (!begin_value(sp, p))
		return false;
	switch (c) {
	case '{':
		return open_container(sp, p, true);
	case '[':
		return open_container(sp, p, false);
	case '"':
		sp->in_key = false;
		sp->state = SP_STR;
		return true;
	case 't':
	case 'f':
	case 'n':
		sp->lit = lits[c == 't' ? 0 : c == 'f' ? 1 : 2];
		sp->lit_pos = 1;
		sp->state = SP_LIT;
		return true;
	case '-':
		sp->state = SP_NUM_MINUS;
		return true;
	case '0':
		sp->state = SP_NUM_ZERO;
		return true;
	default:
		sp->state = SP_NUM_INT;
		return true;
	}
}

/* The byte at p inside a string, after a run of plain bytes. */
static bool string_byte(struct hr_json_splitter *sp, const unsigned char *p)
{
	unsigned c = *p;
	if (c == '"')
		return sp->in_key ? end_key(sp, p + 1) : end_value(sp, p + 1);
	if (c == '\\') {
		sp->state = SP_ESC;
		return true;
	}
	if (c < 0x80)
		return sp_fail_at(sp, sp_offset(sp, p), HR_EINVAL,
		                  "raw control character 0x%02x in a string", c);
	sp->utf8_left = (uint8_t)hr_utf8_lead(c, &sp->utf8_lo, &sp->utf8_hi);
	if (!sp->utf8_left)
		return sp_fail_at(sp, sp_offset(sp, p), HR_EINVAL, "invalid UTF-8 byte 0x%02x", c);
	sp->state = SP_UTF8;
	return true;
}

/* States inside a string other than SP_STR; consumes the byte at p. */
static bool string_inner(struct hr_json_splitter *sp, const unsigned char *p)
{
	unsigned c = *p;
	switch (sp->state) {
	case SP_ESC:
		if (c == 'u') {
			sp->hex_left = 4;
			sp->state = SP_HEX;
		} else if (is_simple_escape(c)) {
			sp->state = SP_STR;
		} else {
			return sp_unexpected(sp, p, "an escape character");
		}
		return true;
	case SP_HEX:
		if (!(cls[c] & C_HEX))
			return sp_unexpected(sp, p, "a hex digit");
		if (--sp->hex_left == 0)
			sp->state = SP_STR;
		return true;
	default: /* SP_UTF8 */
		if (c < sp->utf8_lo || c > sp->utf8_hi)
			return sp_fail_at(sp, sp_offset(sp, p), HR_EINVAL,
			                  "invalid UTF-8 byte 0x%02x", c);
		sp->utf8_lo = 0x80;
		sp->utf8_hi = 0xBF;
		if (--sp->utf8_left == 0)
			sp->state = SP_STR;
		return true;
	}
}

/* Number states: returns the next byte to read, NULL on error. A number
 * ends at the first byte that cannot continue it, which is then read again
 * in the state after the value. */
static const unsigned char *number_step(struct hr_json_splitter *sp, const unsigned char *p,
                                        const unsigned char *end)
{
	unsigned c = *p;
	bool digit = cls[c] & C_DIGIT;
	switch (sp->state) {
	case SP_NUM_MINUS:
	case SP_NUM_DOT:
	case SP_NUM_ESIGN:
		if (!digit) {
			sp_unexpected(sp, p, "a digit");
			return NULL;
		}
		if (sp->state == SP_NUM_MINUS)
			sp->state = c == '0' ? SP_NUM_ZERO : SP_NUM_INT;
		else
			sp->state = sp->state == SP_NUM_DOT ? SP_NUM_FRAC : SP_NUM_EXP;
		return p + 1;
	case SP_NUM_E:
		if (c != '+' && c != '-' && !digit) {
			sp_unexpected(sp, p, "a digit or sign");
			return NULL;
		}
		sp->state = digit ? SP_NUM_EXP : SP_NUM_ESIGN;
		return p + 1;
	case SP_NUM_INT:
	case SP_NUM_FRAC:
	case SP_NUM_EXP:
		p = skip_digits(p, end);
		if (p == end)
			return p;
		break;
	default: /* SP_NUM_ZERO */
		break;
	}
	/* p is the first byte after the digits read so far. */
	if (*p == '.' && (sp->state == SP_NUM_ZERO || sp->state == SP_NUM_INT)) {
		sp->state = SP_NUM_DOT;
		return p + 1;
	}
	if ((*p | 0x20) == 'e' && sp->state != SP_NUM_EXP) {
		sp->state = SP_NUM_E;
		return p + 1;
	}
	return end_value(sp, p) ? p : NULL;
}

/* Runs the automaton over [p, end). */
static bool split_run(struct hr_json_splitter *sp, const unsigned char *p, const unsigned char *end)
{
	while (p < end) {
		switch (sp->state) {
		case SP_STR:
			p = skip_plain(p, end);
			if (p == end)
				return true;
			if (!string_byte(sp, p))
				return false;
			p++;
			break;
		case SP_ESC:
		case SP_HEX:
		case SP_UTF8:
			if (!string_inner(sp, p))
				return false;
			p++;
			break;
		case SP_VALUE:
		case SP_ARR_FIRST:
			p = skip_ws(p, end);
			if (p == end)
				return true;
			if (*p == ']' && sp->state == SP_ARR_FIRST) {
				if (!close_container(sp, p))
					return false;
			} else if (!start_value(sp, p)) {
				return false;
			}
			p++;
			break;
		case SP_OBJ_FIRST:
		case SP_KEY:
			p = skip_ws(p, end);
			if (p == end)
				return true;
			if (*p == '}' && sp->state == SP_OBJ_FIRST) {
				if (!close_container(sp, p))
					return false;
			} else if (*p == '"') {
				begin_key(sp, p);
			} else {
				return sp_unexpected(sp, p, "a key");
			}
			p++;
			break;
		case SP_COLON:
			p = skip_ws(p, end);
			if (p == end)
				return true;
			if (*p != ':')
				return sp_unexpected(sp, p, "':'");
			sp->state = SP_VALUE;
			p++;
			break;
		case SP_AFTER:
			p = skip_ws(p, end);
			if (p == end)
				return true;
			if (*p == ',')
				sp->state =
				    stack_is_object(sp->stack, sp->depth - 1) ? SP_KEY : SP_VALUE;
			else if (!close_container(sp, p))
				return false;
			p++;
			break;
		case SP_DONE:
			p = skip_ws(p, end);
			if (p != end)
				return sp_unexpected(sp, p, "the end of the document");
			return true;
		case SP_LIT:
			if (*p != (unsigned char)sp->lit[sp->lit_pos])
				return sp_unexpected(sp, p, "a literal (true, false, null)");
			p++;
			if (sp->lit[++sp->lit_pos] == '\0' && !end_value(sp, p))
				return false;
			break;
		case SP_FAILED:
			return false;
		default:
			p = number_step(sp, p, end);
			if (!p)
				return false;
			break;
		}
	}
	return true;
}

static bool split_path(struct hr_json_splitter *sp, const char *path)
{
	size_t len = strlen(path);
	if (len >= sizeof(sp->path))
		return false;
	memcpy(sp->path, path, len + 1);
	if (len == 0)
		return true;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (path[i] != '.' && path[i] != '\0')
			continue;
		if (i == start || sp->nseg == HR_JSON_SPLIT_SEGMENTS_MAX)
			return false;
		sp->seg_off[sp->nseg] = (uint8_t)start;
		sp->seg_len[sp->nseg] = (uint8_t)(i - start);
		sp->nseg++;
		start = i + 1;
	}
	return true;
}

enum hr_code hr_json_splitter_init(struct hr_json_splitter *sp,
                                   const struct hr_json_splitter_config *cfg)
{
	memset(sp, 0, sizeof(*sp));
	sp->state = SP_VALUE;
	sp->path_pending = true;
	sp->cfg = *cfg;
	sp->cfg.path = NULL;
	if (sp->cfg.max_depth > HR_JSON_DEPTH_MAX)
		sp->cfg.max_depth = HR_JSON_DEPTH_MAX;
	if (!cfg->on_element || cfg->max_element_bytes == 0) {
		sp->state = SP_FAILED;
		return hr_err_set(&sp->err, HR_EINVAL, NULL,
		                  "splitter needs on_element and max_element_bytes");
	}
	if (!split_path(sp, cfg->path ? cfg->path : "")) {
		sp->state = SP_FAILED;
		return hr_err_set(&sp->err, HR_EINVAL, NULL, "bad splitter path");
	}
	if (sp->cfg.max_depth < sp->nseg + 1) {
		sp->state = SP_FAILED;
		return hr_err_set(&sp->err, HR_EINVAL, NULL, "max_depth %zu cannot reach the array",
		                  sp->cfg.max_depth);
	}
	return HR_OK;
}

enum hr_code hr_json_splitter_feed(struct hr_json_splitter *sp, const void *data, size_t n)
{
	if (sp->err.code != HR_OK)
		return sp->err.code;
	if (n == 0)
		return HR_OK;
	const unsigned char *p = data, *end = p + n;
	sp->chunk = p;
	if (sp->capture != CAP_NONE)
		sp->cap_from = p;
	bool ok = split_run(sp, p, end);
	if (ok && sp->capture != CAP_NONE)
		ok = buf_append(sp, sp->cap_from, (size_t)(end - sp->cap_from), end);
	sp->offset += n;
	sp->chunk = NULL;
	sp->cap_from = NULL;
	return ok ? HR_OK : sp->err.code;
}

enum hr_code hr_json_splitter_finish(struct hr_json_splitter *sp)
{
	if (sp->err.code != HR_OK)
		return sp->err.code;
	if (sp->state == SP_DONE)
		return HR_OK;
	if (sp->offset == 0 || (sp->state == SP_VALUE && sp->depth == 0))
		sp_fail_at(sp, sp->offset, HR_EINVAL, "empty document");
	else
		sp_fail_at(sp, sp->offset, HR_EINVAL, "document cut short");
	return sp->err.code;
}

void hr_json_splitter_fini(struct hr_json_splitter *sp)
{
	free(sp->buf);
	sp->buf = NULL;
	sp->buf_len = sp->buf_cap = 0;
}
