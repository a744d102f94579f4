/* jsonget.h: typed, case-sensitive reads from a cJSON tree with errors that
 * name the JSON path.
 *
 * Each getter looks up `key` in `obj` (case-sensitive, as Kubernetes keys
 * are), checks the type and reports a wrong type as HR_EINVAL at
 * "<path>.<key>" with the expected type. A missing key or JSON null is not an
 * error: the getter returns HR_OK and leaves the default. Strings are returned
 * as views into the cJSON tree (valid until cJSON_Delete) unless copied.
 * Thread-safety: reentrant. */
#ifndef HR_JSONGET_H
#define HR_JSONGET_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "err.h"
#include "str.h"

/* The member or NULL when absent or JSON null. */
const cJSON *hr_cj_member(const cJSON *obj, const char *key);

/* obj[key] as an object; *out NULL when absent/null. */
enum hr_code hr_cj_object(const cJSON *obj, const char *key, const cJSON **out,
                          struct hr_path *path, struct hr_err *err);
/* obj[key] as an array; *out NULL when absent/null. */
enum hr_code hr_cj_array(const cJSON *obj, const char *key, const cJSON **out, struct hr_path *path,
                         struct hr_err *err);
/* obj[key] as a string view; *out left unchanged when absent/null. */
enum hr_code hr_cj_string(const cJSON *obj, const char *key, struct hr_str *out,
                          struct hr_path *path, struct hr_err *err);
/* obj[key] as a boolean; *out unchanged when absent/null. */
enum hr_code hr_cj_bool(const cJSON *obj, const char *key, bool *out, struct hr_path *path,
                        struct hr_err *err);
/* obj[key] as an integer in [min, max]; *found tells whether it was there. */
enum hr_code hr_cj_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out,
                       bool *found, struct hr_path *path, struct hr_err *err);

/* A number item's value as decimal text: the shortest form that reads back
 * as the same double (so 0.1 -> "0.1", 129000000 -> "129000000"). JSON
 * numbers carry no more precision than that once cJSON has parsed them. */
void hr_cj_number_text(const cJSON *item, char *out, size_t out_size);

/* The view of a string item (must be cJSON_IsString). */
static inline struct hr_str hr_cj_view(const cJSON *item)
{
	return hr_str_c(item->valuestring);
}

/* A key that appears twice in one object anywhere under root: HR_EINVAL at
 * its path ("duplicate field", as kubectl's strict field validation says),
 * else HR_OK. cJSON keeps both members and lookups see the first, where Go's
 * decoder (the API server) takes the last: refusing is the only answer that
 * cannot mislead. */
enum hr_code hr_cj_no_duplicate_keys(const cJSON *root, struct hr_err *err);

/* Name of the JSON type of item for messages ("string", "object", ...). */
const char *hr_cj_type_name(const cJSON *item);

#endif
