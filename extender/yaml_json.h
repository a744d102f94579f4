/* yaml_json.h: YAML text (Kubernetes manifests) to cJSON trees, through libyaml's event parser.
 *
 * The tree is the JSON that Kubernetes' sigs.k8s.io/yaml (go-yaml v2, then encoding/json) makes
 * of the same text, so the rest of headroom only ever reads JSON. Plain (unquoted) scalars are
 * typed as go-yaml v2 types them (vendor/gopkg.in/yaml.v2/resolve.go):
 *   null   "", ~, null, Null, NULL
 *   bool   true/false, True/False, TRUE/FALSE, and YAML 1.1's y/n, yes/no, on/off (any of
 *          the three casings), as Kubernetes does ("nodeSelector: {ssd: yes}" is a bool there)
 *   int    Go's strconv.ParseInt(s, 0, 64) after removing every '_': optional sign, decimal,
 *          0x1F hex, 0o17 or 017 octal, 0b101 binary; up to 2^64-1 without a sign
 *   float  [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?  ("0.35", "1e3", ".5", "08");
 *          a value too large for a double ("1e400") stays a string, as in Go
 *   error  .inf, -.inf, .nan and their casings: JSON has no such numbers (HR_EINVAL)
 *   string everything else ("250m", "1Gi", "1.2.3", "2024-01-02")
 * Quoted ('..', "..") and block (|, >) scalars are always strings. Tags: !!str and any
 * unknown or local tag give a string; !!int, !!float, !!bool, !!null must match the text
 * (!!float also takes an int) or the call fails; !!binary is HR_EUNSUPPORTED.
 *
 * Numbers become ordinary cJSON numbers (cJSON_Number, valuedouble set). headroom turns JSON
 * numbers back into text with the shortest round-trip formatting, which gives back any
 * decimal of at most 15 significant digits exactly ("0.5", "2", "1e3" -> "1000"); integers
 * beyond 2^53 lose precision (Kubernetes would keep an int64 exact). Quantities written
 * with a suffix ("250m") are strings and never touch a double.
 *
 * Mappings: keys must be scalars, typed as above and turned into text the way
 * sigs.k8s.io/yaml does (string as is, int as decimal "0x10" -> "16", bool "true"/"false");
 * a null or out-of-int64 key is HR_EINVAL, a float key HR_EUNSUPPORTED. A key seen twice in
 * one mapping (compared as text) is HR_EINVAL, as Kubernetes' strict decoding rejects it.
 * Merge keys (<<), aliases as keys and anchors on keys are HR_EUNSUPPORTED. Aliases (*a)
 * are resolved by deep-copying the anchored node; anchors are per document.
 *
 * Limits (struct xt_yaml_limits) bound the nesting depth and the number of JSON values
 * produced, alias copies included, so a "billion laughs" document fails after at most
 * max_alias_nodes copies instead of exhausting memory. Exceeding a limit is HR_ERANGE.
 * The caller caps len; the parse is linear in len plus the values produced.
 *
 * Errors fill err (the first error wins; the caller clears it beforehand): where is the JSON
 * path reached ("spec.containers[0].resources.limits.cpu", "" at the top), msg starts with
 * the position, "line 3 column 5: did not find expected key (while parsing a block mapping
 * at line 1 column 1)"; bad bytes give "byte offset 12: invalid leading UTF-8 octet".
 * Input: UTF-8 (a BOM is skipped) or UTF-16 with a BOM; LF or CRLF line ends; comments; flow
 * style. A string holding a NUL byte ("\0") is HR_EUNSUPPORTED (cJSON strings end at NUL).
 *
 * Ownership: text is borrowed for the call and needs no NUL; the returned tree belongs to
 * the caller, who frees it with cJSON_Delete. Every allocation this module makes goes through
 * cJSON's allocator (cJSON_malloc, so cJSON_InitHooks governs it; tests use that to fail the
 * Nth allocation); libyaml allocates its parser state with malloc.
 * Floats are read with strtod: LC_NUMERIC must be "C" (it is unless the program calls setlocale).
 * Thread-safety: reentrant; no global state (cJSON_InitHooks must not run concurrently). */
#ifndef HR_YAML_JSON_H
#define HR_YAML_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "err.h"

#define XT_YAML_MAX_DEPTH       64      /* nested mappings/sequences; keep small: recursion */
#define XT_YAML_MAX_NODES       2000000 /* JSON values per call, alias copies included */
#define XT_YAML_MAX_ALIAS_NODES 100000  /* JSON values made by expanding aliases, per call */

struct xt_yaml_limits {
	size_t max_depth;       /* a root mapping is depth 1; deeper containers fail */
	size_t max_nodes;       /* every value (scalar, mapping, sequence) counts once */
	size_t max_alias_nodes; /* values copied for aliases; 0 forbids aliases */
};

/* The defaults above, as a value: struct xt_yaml_limits lim = XT_YAML_LIMITS_DEFAULT; */
#define XT_YAML_LIMITS_DEFAULT                                                                     \
	((struct xt_yaml_limits){XT_YAML_MAX_DEPTH, XT_YAML_MAX_NODES, XT_YAML_MAX_ALIAS_NODES})

/* Parses the first non-empty document of text[0..len) and returns its tree (the caller frees
 * it with cJSON_Delete). Documents that are empty or null ("---" alone, "~") are skipped, as
 * kubectl skips them; parsing stops after the document returned, so later documents are not
 * checked. limits NULL means XT_YAML_LIMITS_DEFAULT. Returns NULL with err filled on a syntax
 * or typing error, a limit, allocation failure, or when no document has content ("empty
 * document"). */
cJSON *xt_yaml_to_json(const char *text, size_t len, const struct xt_yaml_limits *limits,
                       struct hr_err *err) __attribute__((warn_unused_result));

/* Same for every document: returns a cJSON array holding the tree of each non-empty document
 * in order (at least one), or NULL with err filled. The limits count over the whole stream. */
cJSON *xt_yaml_to_json_all(const char *text, size_t len, const struct xt_yaml_limits *limits,
                           struct hr_err *err) __attribute__((warn_unused_result));

/* True when the first byte that is not JSON whitespace (space, tab, CR, LF) is '{' or '['.
 * A heuristic for choosing the JSON or the YAML parser: YAML flow style ("{a: 1}") also says
 * yes, and a body starting with a BOM says no (the YAML parser accepts JSON, BOM or not). */
bool xt_looks_like_json(const char *text, size_t len);

#endif
