/* intern.h: a string interner (hash set of strings) backed by an arena.
 *
 * A snapshot of 150,000 pods repeats the same label keys, values and
 * namespaces many times; interning stores each distinct string once, and
 * equal interned strings share one pointer (hr_str_eq short-cuts on it).
 * Strings live as long as the arena. Not here: freeing single strings.
 * Thread-safety: one writer, no concurrent readers while writing. */
#ifndef HR_INTERN_H
#define HR_INTERN_H

#include <stddef.h>
#include "arena.h"
#include "str.h"

struct hr_intern {
	struct hr_arena *arena; /* borrowed; owns the strings and the table */
	struct hr_str *slots;   /* open addressing; .p NULL = empty */
	size_t cap;             /* power of two */
	size_t count;
};

void hr_intern_init(struct hr_intern *in, struct hr_arena *arena);

/* The interned copy of s (NUL-terminated in the arena); .p NULL when out of memory. */
struct hr_str hr_intern_get(struct hr_intern *in, struct hr_str s);

#endif
