/* yaml_out.c: JSON -> YAML text. */
#include "yaml_out.h"

#include <string.h>

#include "jsonget.h"

static void indent(struct hr_buf *b, int level)
{
	for (int i = 0; i < level; i++)
		hr_buf_puts(b, "  ");
}

static void scalar(const cJSON *it, struct hr_buf *b)
{
	char num[40];
	if (cJSON_IsString(it))
		hr_buf_json_str(b, hr_str_c(it->valuestring));
	else if (cJSON_IsNumber(it)) {
		hr_cj_number_text(it, num, sizeof(num));
		hr_buf_puts(b, num);
	} else if (cJSON_IsBool(it))
		hr_buf_puts(b, cJSON_IsTrue(it) ? "true" : "false");
	else
		hr_buf_puts(b, "null");
}

/* Keys that are plain identifiers print bare; anything else is quoted. */
static void key(struct hr_buf *b, const char *k)
{
	bool plain = k[0] && ((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z'));
	for (const char *p = k; plain && *p; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || *p == '_';
	if (plain && strcmp(k, "true") && strcmp(k, "false") && strcmp(k, "null") &&
	    strcmp(k, "yes") && strcmp(k, "no") && strcmp(k, "on") && strcmp(k, "off"))
		hr_buf_puts(b, k);
	else
		hr_buf_json_str(b, hr_str_c(k));
}

static bool is_empty_container(const cJSON *it)
{
	return (cJSON_IsObject(it) || cJSON_IsArray(it)) && !it->child;
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
		key(b, m->string);
		hr_buf_putc(b, ':');
		if ((cJSON_IsObject(m) || cJSON_IsArray(m)) && !is_empty_container(m)) {
			hr_buf_putc(b, '\n');
			write_value(m, level + 1, b);
		} else {
			hr_buf_putc(b, ' ');
			if (is_empty_container(m))
				hr_buf_puts(b, cJSON_IsObject(m) ? "{}" : "[]");
			else
				scalar(m, b);
			hr_buf_putc(b, '\n');
		}
	}
}

static void write_value(const cJSON *it, int level, struct hr_buf *b)
{
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
				hr_buf_puts(b, cJSON_IsObject(e) ? "{}" : "[]");
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
