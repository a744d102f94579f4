/* source_file.h: cluster snapshots from files (kubectl get nodes,pods -A -o json).
 *
 * Accepts a v1 List (any kinds mixed; Nodes, Pods, Namespaces, LimitRanges
 * and RuntimeClasses are used, the rest skipped), typed lists (NodeList,
 * PodList, ...) and single objects; several files are merged into one
 * snapshot. Files are streamed element by element, so memory follows the
 * model, not the size of the JSON. "-" reads standard input.
 * Thread-safety: reentrant (each call builds its own snapshot). */
#ifndef XT_SOURCE_FILE_H
#define XT_SOURCE_FILE_H

#include <stddef.h>

#include "cache.h"
#include "err.h"
#include "jsonspan.h"
#include "snapshot.h"

/* Builds a snapshot from paths[0..n). On success *out has one reference
 * owned by the caller (publish or release it). On failure err names the file
 * and the place in it. */
int xt_source_file_load(const char *const *paths, size_t n, struct xt_snap **out,
                        struct hr_err *err);

/* Adds one element of a List's items (its JSON text) to b. An item without
 * "kind" (typed lists) is taken as a Pod or a Node by its shape, or skipped
 * and counted when it is neither. path names the input in errors. */
enum hr_code xt_source_add_item(struct hr_snap_builder *b, struct hr_json_span item, size_t index,
                                const char *path, struct hr_err *err);

#endif
