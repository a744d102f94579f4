/* jsonget.c: typed cJSON getters with path-naming errors. */
#include "jsonget.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cJSON *hr_cj_member(const cJSON *obj, const char *key)
{
	if (!obj || !cJSON_IsObject(obj))
		return NULL;
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!it || cJSON_IsNull(it))
		return NULL;
	return it;
}

const char *hr_cj_type_name(const cJSON *item)
{
	if (!item)
		return "nothing";
	if (cJSON_IsObject(item))
		return "object";
	if (cJSON_IsArray(item))
		return "array";
	if (cJSON_IsString(item))
		return "string";
	if (cJSON_IsNumber(item))
		return "number";
	if (cJSON_IsBool(item))
		return "boolean";
	if (cJSON_IsNull(item))
		return "null";
	return "raw value";
}

static enum hr_code type_error(const cJSON *item, const char *key, const char *want,
                               struct hr_path *path, struct hr_err *err)
{
	size_t saved = hr_path_push_key(path, key);
	enum hr_code rc =
	    hr_err_at(err, HR_EINVAL, path, "must be %s, got %s", want, hr_cj_type_name(item));
	hr_path_pop(path, saved);
	return rc;
}

enum hr_code hr_cj_object(const cJSON *obj, const char *key, const cJSON **out,
                          struct hr_path *path, struct hr_err *err)
{
	const cJSON *it = hr_cj_member(obj, key);
	*out = NULL;
	if (!it)
		return HR_OK;
	if (!cJSON_IsObject(it))
		return type_error(it, key, "an object", path, err);
	*out = it;
	return HR_OK;
}

enum hr_code hr_cj_array(const cJSON *obj, const char *key, const cJSON **out, struct hr_path *path,
                         struct hr_err *err)
{
	const cJSON *it = hr_cj_member(obj, key);
	*out = NULL;
	if (!it)
		return HR_OK;
	if (!cJSON_IsArray(it))
		return type_error(it, key, "an array", path, err);
	*out = it;
	return HR_OK;
}

enum hr_code hr_cj_string(const cJSON *obj, const char *key, struct hr_str *out,
                          struct hr_path *path, struct hr_err *err)
{
	const cJSON *it = hr_cj_member(obj, key);
	if (!it)
		return HR_OK;
	if (!cJSON_IsString(it) || !it->valuestring)
		return type_error(it, key, "a string", path, err);
	*out = hr_cj_view(it);
	return HR_OK;
}

enum hr_code hr_cj_bool(const cJSON *obj, const char *key, bool *out, struct hr_path *path,
                        struct hr_err *err)
{
	const cJSON *it = hr_cj_member(obj, key);
	if (!it)
		return HR_OK;
	if (!cJSON_IsBool(it))
		return type_error(it, key, "a boolean", path, err);
	*out = cJSON_IsTrue(it);
	return HR_OK;
}

enum hr_code hr_cj_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out,
                       bool *found, struct hr_path *path, struct hr_err *err)
{
	const cJSON *it = hr_cj_member(obj, key);
	if (found)
		*found = false;
	if (!it)
		return HR_OK;
	if (!cJSON_IsNumber(it))
		return type_error(it, key, "an integer", path, err);
	double d = it->valuedouble;
	/* (double)INT64_MAX rounds up to 2^63, which does not convert back: out of range */
	if (!isfinite(d) || d != floor(d) || d < (double)min || d > (double)max ||
	    d >= 9223372036854775808.0) {
		size_t saved = hr_path_push_key(path, key);
		char text[40];
		hr_cj_number_text(it, text, sizeof(text));
		enum hr_code rc =
		    hr_err_at(err, HR_EINVAL, path, "must be an integer in [%lld, %lld], got %s",
		              (long long)min, (long long)max, text);
		hr_path_pop(path, saved);
		return rc;
	}
	*out = (int64_t)d;
	if (found)
		*found = true;
	return HR_OK;
}

void hr_cj_number_text(const cJSON *item, char *out, size_t out_size)
{
	double d = item->valuedouble;
	if (d == floor(d) && fabs(d) < 9007199254740992.0) { /* whole and exact: 20, not 2e+01 */
		snprintf(out, out_size, "%.0f", d);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, out_size, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static int key_ptr_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

/* The first member of obj whose key an earlier member has, or NULL. Small
 * objects are compared pairwise; large ones (annotations, labels) sorted. */
static const cJSON *duplicate_member(const cJSON *obj, bool *oom)
{
	size_t n = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		n++;
	if (n <= 16) {
		for (const cJSON *c = obj->child; c; c = c->next)
			for (const cJSON *d = obj->child; d != c; d = d->next)
				if (c->string && d->string && strcmp(c->string, d->string) == 0)
					return c;
		return NULL;
	}
	const cJSON **v = malloc(n * sizeof(*v));
	if (!v) {
		*oom = true;
		return NULL;
	}
	size_t i = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		v[i++] = c;
	qsort(v, n, sizeof(*v), key_ptr_cmp);
	const cJSON *dup = NULL;
	for (i = 1; i < n && !dup; i++)
		if (key_ptr_cmp(&v[i - 1], &v[i]) == 0)
			dup = v[i];
	free(v);
	return dup;
}

static enum hr_code check_duplicates(const cJSON *item, struct hr_path *path, struct hr_err *err)
{
	if (cJSON_IsObject(item)) {
		bool oom = false;
		const cJSON *dup = duplicate_member(item, &oom);
		if (oom)
			return hr_err_set(err, HR_ENOMEM, NULL, "out of memory checking the body");
		if (dup) {
			hr_path_push_key(path, dup->string);
			return hr_err_set(err, HR_EINVAL, path->buf, "duplicate field");
		}
	}
	size_t i = 0;
	for (const cJSON *c = item->child; c; c = c->next, i++) {
		size_t saved = cJSON_IsObject(item)
		                   ? hr_path_push_key(path, c->string ? c->string : "")
		                   : hr_path_push_index(path, i);
		enum hr_code rc = check_duplicates(c, path, err);
		hr_path_pop(path, saved);
		if (rc != HR_OK)
			return rc;
	}
	return HR_OK;
}

enum hr_code hr_cj_no_duplicate_keys(const cJSON *root, struct hr_err *err)
{
	struct hr_path path;
	hr_path_init(&path);
	return root ? check_duplicates(root, &path, err) : HR_OK;
}
