/* str.h: borrowed string views, (pointer, length) pairs that need no NUL.
 *
 * Every string the model keeps is an hr_str pointing into memory owned by
 * someone else (an arena, an interner); the view never owns its bytes.
 * Thread-safety: all functions are reentrant. */
#ifndef HR_STR_H
#define HR_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hr_str {
	const char *p; /* may be NULL when n == 0 */
	size_t n;
};

#define HR_STR_LIT(s) ((struct hr_str){(s), sizeof(s) - 1})
#define HR_STR_NULL   ((struct hr_str){NULL, 0})

/* A view of a NUL-terminated C string (NULL gives the empty view). */
static inline struct hr_str hr_str_c(const char *c)
{
	return (struct hr_str){c, c ? strlen(c) : 0};
}

/* Byte-wise equality. */
static inline bool hr_str_eq(struct hr_str a, struct hr_str b)
{
	return a.n == b.n && (a.p == b.p || a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline bool hr_str_eq_c(struct hr_str a, const char *c)
{
	return hr_str_eq(a, hr_str_c(c));
}

static inline bool hr_str_has_prefix(struct hr_str s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

/* Byte-wise three-way comparison, shorter prefix first (Go's string order). */
int hr_str_cmp(struct hr_str a, struct hr_str b);

/* FNV-1a over the bytes, avalanched: for hash tables of names. */
uint64_t hr_str_hash(struct hr_str s);

/* True when `needle` occurs anywhere in `s`. */
bool hr_str_contains(struct hr_str s, const char *needle);

#endif
