/* yaml2json: reads multi-document YAML on stdin, prints a JSON array of the
 * documents (test helper for rendered manifests; uses headroom's own
 * YAML reader, extender/yaml_json.c). Exit 2 with a message on bad input. */
#include <stdio.h>
#include <stdlib.h>

#include "yaml_json.h"

int main(void)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0;) {
		n += got;
		if (n == cap) {
			char *grown = realloc(buf, cap * 2);
			if (!grown)
				free(buf);
			buf = grown;
			cap *= 2;
		}
	}
	if (!buf)
		return 1;
	struct hr_err err;
	hr_err_clear(&err);
	cJSON *docs = xt_yaml_to_json_all(buf, n, NULL, &err);
	free(buf);
	if (!docs) {
		fprintf(stderr, "yaml2json: %s: %s\n", err.where, err.msg);
		return 2;
	}
	char *text = cJSON_PrintUnformatted(docs);
	cJSON_Delete(docs);
	if (!text)
		return 1;
	puts(text);
	free(text);
	return 0;
}
