/* support.c: test helpers. */
#include "support.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

const char *hr_test_top(void)
{
	static char top[PATH_MAX];
	if (top[0])
		return top;
	if (!getcwd(top, sizeof(top)))
		abort();
	for (;;) {
		char probe[PATH_MAX + 32];
		snprintf(probe, sizeof(probe), "%s/predicates/str.h", top);
		if (access(probe, R_OK) == 0)
			return top;
		char *slash = strrchr(top, '/');
		if (!slash || slash == top) {
			fprintf(stderr, "support: cannot find the repository top from the cwd\n");
			abort();
		}
		*slash = '\0';
	}
}

char *hr_test_read_file(const char *path, size_t *len)
{
	char full[PATH_MAX * 2];
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", hr_test_top(), path);
	FILE *f = fopen(full, "rb");
	if (!f) {
		fprintf(stderr, "support: cannot open %s\n", full);
		abort();
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			abort();
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n < cap - 1)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Texts hr_test_list() returned, freed by hr_test_free_lists(). */
static char **g_lists;
static size_t g_n_lists;

const char *hr_test_list(const char *item, ...)
{
	struct hr_buf b;
	hr_buf_init(&b, 1 << 22);
	hr_buf_puts(&b, "{'kind':'List','apiVersion':'v1','items':[");
	va_list ap;
	va_start(ap, item);
	bool first = true;
	for (const char *it = item; it; it = va_arg(ap, const char *)) {
		if (!first)
			hr_buf_putc(&b, ',');
		first = false;
		hr_buf_puts(&b, it);
	}
	va_end(ap);
	hr_buf_puts(&b, "]}");
	char *text = hr_buf_ok(&b) ? hr_buf_take(&b, NULL) : NULL;
	hr_buf_fini(&b);
	char **v = realloc(g_lists, (g_n_lists + 1) * sizeof(*v));
	if (!text || !v) {
		fprintf(stderr, "support: out of memory building a List\n");
		abort();
	}
	g_lists = v;
	g_lists[g_n_lists++] = text;
	return text;
}

void hr_test_free_lists(void)
{
	for (size_t i = 0; i < g_n_lists; i++)
		free(g_lists[i]);
	free(g_lists);
	g_lists = NULL;
	g_n_lists = 0;
}
