/* arena.h: a bump allocator with a byte cap, for one request or one snapshot.
 *
 * Everything decoded for a request (pod model, capacity overlay, answer) comes
 * from one arena and is released at once by hr_arena_fini; nothing is freed one
 * by one. The cap turns a hostile request into HR_ENOMEM instead of an OOM
 * kill. The underlying allocator is a parameter so tests can fail the Nth
 * block allocation (no global hooks).
 * Thread-safety: one arena per thread; not shared. */
#ifndef HR_ARENA_H
#define HR_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include "str.h"

/* Where arena blocks come from. NULL fields mean malloc/free. */
struct hr_allocator {
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	void *ctx;
};

struct hr_arena_block;

struct hr_arena {
	const struct hr_allocator *allocator; /* borrowed; NULL = malloc */
	struct hr_arena_block *head;          /* newest block first */
	size_t used_bytes;                    /* bytes handed out, for accounting */
	size_t reserved_bytes;                /* bytes taken from the allocator */
	size_t cap_bytes;                     /* 0 = unlimited */
	size_t failed_allocs;                 /* allocations refused (cap or allocator) */
	size_t first_block;                   /* size of the first block (0 = 16 KiB) */
};

/* Prepares an empty arena. allocator may be NULL; cap_bytes 0 = no cap. */
void hr_arena_init(struct hr_arena *arena, const struct hr_allocator *allocator, size_t cap_bytes);

/* Sizes the first block: an object whose exact size is known (measured by
 * cloning it once into scratch memory) then takes one right-sized block.
 * Call before the first allocation. */
void hr_arena_set_first_block(struct hr_arena *arena, size_t bytes);

/* Releases every block; the arena can be reused after hr_arena_init. */
void hr_arena_fini(struct hr_arena *arena);

/* Forgets every allocation but keeps the newest block for reuse (a scratch
 * arena decoded into once per object). */
void hr_arena_reset(struct hr_arena *arena);

/* size bytes aligned for any type, or NULL when the cap or the allocator refuse. */
void *hr_arena_alloc(struct hr_arena *arena, size_t size);

/* count*size zeroed bytes; NULL on overflow, cap or allocator failure. */
void *hr_arena_calloc(struct hr_arena *arena, size_t count, size_t size);

/* Grows an array allocated from this arena: returns a copy with room for
 * new_count elements (old contents kept, rest zeroed), or NULL. The old block
 * is not reclaimed (bump allocator). */
void *hr_arena_grow(struct hr_arena *arena, const void *old, size_t old_count, size_t new_count,
                    size_t size);

/* A NUL-terminated copy of s (view returned excludes the NUL); .p NULL on failure. */
struct hr_str hr_arena_strdup(struct hr_arena *arena, struct hr_str s);

/* Bytes still allowed under the cap (SIZE_MAX when uncapped). */
size_t hr_arena_room(const struct hr_arena *arena);

#endif
