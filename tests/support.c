/* support.c: test helpers. */
#include "support.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
