/* yaml_out.c: JSON -> YAML text. */
#include "yaml_out.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "jsonget.h"

static void indent(struct hr_buf *b, int level)
{
	for (int i = 0; i < level; i++)
		hr_buf_puts(b, "  ");
}

/* A double-quoted YAML string. Escapes what YAML does not allow raw in a
 * double-quoted scalar: C0 controls, DEL and the C1 range (U+0080..U+009F,
 * which includes NEL, a line break to YAML). */
static void yaml_str(struct hr_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	hr_buf_putc(b, '"');
	for (; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\', esc[1] = (char)*p;
			hr_buf_append(b, esc, 2);
		} else if (*p == '\n') {
			hr_buf_puts(b, "\\n");
		} else if (*p == '\t') {
			hr_buf_puts(b, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			esc[0] = '\\', esc[1] = 'x', esc[2] = hex[*p >> 4], esc[3] = hex[*p & 15];
			hr_buf_append(b, esc, 4);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[p[1] >> 4], esc[5] = hex[p[1] & 15];
			hr_buf_append(b, esc, 6);
			p++;
		} else {
			hr_buf_putc(b, (char)*p);
		}
	}
	hr_buf_putc(b, '"');
}

static void scalar(const cJSON *it, struct hr_buf *b)
{
	char num[40];
	if (cJSON_IsString(it)) {
		yaml_str(b, it->valuestring);
	} else if (cJSON_IsNumber(it)) {
		hr_cj_number_text(it, num, sizeof(num));
		hr_buf_puts(b, num);
	} else if (cJSON_IsBool(it)) {
		hr_buf_puts(b, cJSON_IsTrue(it) ? "true" : "false");
	} else {
		hr_buf_puts(b, "null");
	}
}

/* YAML 1.1 resolves these plain words (any case) to booleans or null. */
static bool reserved_word(const char *k)
{
	static const char *const words[] = {"true", "false", "yes", "no",   "on",
	                                    "off",  "y",     "n",   "null", "~"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(k, words[i]) == 0)
			return true;
	return false;
}

/* Keys that are plain identifiers print bare; anything else is quoted. */
static void key(struct hr_buf *b, const char *k)
{
	bool plain = (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z');
	for (const char *p = k; plain && *p; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || *p == '_';
	if (plain && !reserved_word(k))
		hr_buf_puts(b, k);
	else
		yaml_str(b, k);
}

/* YAML limits an implicit ("simple") key to 1024 characters, and libyaml
 * enforces it; a key written longer than this (in bytes, so at least as many
 * characters) gets the explicit form instead. */
#define SIMPLE_KEY_MAX 1000

static bool is_empty_container(const cJSON *it)
{
	return (cJSON_IsObject(it) || cJSON_IsArray(it)) && !it->child;
}

static void empty_container(const cJSON *it, struct hr_buf *b)
{
	hr_buf_puts(b, cJSON_IsObject(it) ? "{}" : "[]");
}

static void write_value(const cJSON *it, int level, struct hr_buf *b);

static void write_object(const cJSON *obj, int level, struct hr_buf *b, bool first_inline)
{
	const cJSON *m;
	bool first = true;
	cJSON_ArrayForEach(m, obj)
	{
		if (!(first && first_inline))
			indent(b, level);
		first = false;
		size_t start = b->len;
		key(b, m->string);
		if (hr_buf_ok(b) && b->len - start > SIMPLE_KEY_MAX) {
			/* too long for an implicit key: "? key", then ": value" below it */
			size_t n = b->len - start;
			hr_buf_append(b, "? ", 2);
			if (hr_buf_ok(b)) {
				memmove(b->p + start + 2, b->p + start, n);
				memcpy(b->p + start, "? ", 2);
			}
			hr_buf_putc(b, '\n');
			indent(b, level);
		}
		hr_buf_putc(b, ':');
		if ((cJSON_IsObject(m) || cJSON_IsArray(m)) && !is_empty_container(m)) {
			hr_buf_putc(b, '\n');
			write_value(m, level + 1, b);
			continue;
		}
		hr_buf_putc(b, ' ');
		if (is_empty_container(m))
			empty_container(m, b);
		else
			scalar(m, b);
		hr_buf_putc(b, '\n');
	}
}

static void write_value(const cJSON *it, int level, struct hr_buf *b)
{
	if (is_empty_container(it)) {
		indent(b, level);
		empty_container(it, b);
		hr_buf_putc(b, '\n');
		return;
	}
	if (cJSON_IsObject(it)) {
		write_object(it, level, b, false);
		return;
	}
	if (!cJSON_IsArray(it)) {
		indent(b, level);
		scalar(it, b);
		hr_buf_putc(b, '\n');
		return;
	}
	const cJSON *e;
	cJSON_ArrayForEach(e, it)
	{
		indent(b, level);
		hr_buf_puts(b, "- ");
		if (cJSON_IsObject(e) && e->child) {
			write_object(e, level + 1, b, true);
		} else if (cJSON_IsArray(e) && e->child) {
			hr_buf_putc(b, '\n');
			write_value(e, level + 1, b);
		} else {
			if (is_empty_container(e))
				empty_container(e, b);
			else
				scalar(e, b);
			hr_buf_putc(b, '\n');
		}
	}
}

void xt_yaml_write(const cJSON *item, struct hr_buf *out)
{
	write_value(item, 0, out);
}
