/* selector.h: label selectors and node selector terms, and the Kubernetes
 * name/value validators they need (spec/predicates.md §2.4, §4).
 *
 * Semantics follow k8s.io/apimachinery labels.Selector and
 * component-helpers nodeaffinity: a nil label selector matches nothing, {}
 * matches everything; node selector terms are ORed, requirements inside a
 * term ANDed; a malformed term never matches.
 * Thread-safety: reentrant; selectors are immutable. */
#ifndef HR_SELECTOR_H
#define HR_SELECTOR_H

#include <stdbool.h>
#include "model.h"

/* Does one label requirement hold for a label set? (In, NotIn, Exists,
 * DoesNotExist, Gt, Lt, Equals.) */
bool hr_requirement_matches(const struct hr_requirement *req, struct hr_labels labels);

/* Label selector match: false for nil or invalid selectors. */
bool hr_label_selector_matches(const struct hr_label_selector *sel, struct hr_labels labels);

/* A node selector term against a node's labels and name. */
bool hr_node_term_matches(const struct hr_node_term *term, struct hr_labels labels,
                          struct hr_str node_name);

/* A node selector (terms ORed); true when not present. */
bool hr_node_selector_matches(const struct hr_node_selector *sel, struct hr_labels labels,
                              struct hr_str node_name);

/* spec.nodeSelector map: every key present with exactly that value. */
bool hr_node_selector_map_matches(struct hr_labels want, struct hr_labels labels);

/* Kubernetes validators. */
bool hr_is_qualified_name(struct hr_str s); /* label keys: [prefix/]name */
bool hr_is_label_value(struct hr_str s);    /* "" or <=63 alnum with -_. inside */
bool hr_is_dns_label(struct hr_str s);      /* namespace names: RFC 1123 label */
bool hr_is_dns_subdomain(struct hr_str s);  /* IsDNS1123Subdomain: <= 253 bytes */

/* Parses a base-10 int64 like Go's strconv.ParseInt(s, 10, 64): optional
 * sign, digits only, leading zeros allowed. */
bool hr_parse_int64(struct hr_str s, int64_t *out);

#endif
