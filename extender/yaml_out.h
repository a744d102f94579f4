/* yaml_out.h: a cJSON tree printed as block-style YAML (for -o yaml).
 * Strings are always double-quoted (JSON escapes are valid YAML), so no
 * value can be mistaken for another type. Thread-safety: reentrant. */
#ifndef XT_YAML_OUT_H
#define XT_YAML_OUT_H

#include <cjson/cJSON.h>

#include "buf.h"

void xt_yaml_write(const cJSON *item, struct hr_buf *out);

#endif
