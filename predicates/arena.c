/* arena.c: bump allocation in growing blocks. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN     16
#define ARENA_MIN_BLOCK (16 * 1024)
#define ARENA_MAX_BLOCK (1024 * 1024)

struct hr_arena_block {
	struct hr_arena_block *next;
	size_t size; /* usable bytes in data[] */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static void *raw_alloc(const struct hr_allocator *a, size_t n)
{
	if (a && a->alloc)
		return a->alloc(a->ctx, n);
	return malloc(n);
}

static void raw_free(const struct hr_allocator *a, void *p)
{
	if (a && a->free)
		a->free(a->ctx, p);
	else
		free(p);
}

void hr_arena_init(struct hr_arena *arena, const struct hr_allocator *allocator, size_t cap_bytes)
{
	memset(arena, 0, sizeof(*arena));
	arena->allocator = allocator;
	arena->cap_bytes = cap_bytes;
}

void hr_arena_set_first_block(struct hr_arena *arena, size_t bytes)
{
	arena->first_block = bytes;
}

void hr_arena_fini(struct hr_arena *arena)
{
	struct hr_arena_block *b = arena->head;
	while (b) {
		struct hr_arena_block *next = b->next;
		raw_free(arena->allocator, b);
		b = next;
	}
	arena->head = NULL;
	arena->used_bytes = 0;
	arena->reserved_bytes = 0;
}

void hr_arena_reset(struct hr_arena *arena)
{
	struct hr_arena_block *keep = arena->head;
	if (!keep)
		return;
	struct hr_arena_block *b = keep->next;
	while (b) {
		struct hr_arena_block *next = b->next;
		raw_free(arena->allocator, b);
		b = next;
	}
	keep->next = NULL;
	keep->used = 0;
	arena->used_bytes = 0;
	arena->reserved_bytes = sizeof(*keep) + keep->size;
}

size_t hr_arena_room(const struct hr_arena *arena)
{
	if (!arena->cap_bytes)
		return SIZE_MAX;
	return arena->reserved_bytes >= arena->cap_bytes ? 0
	                                                 : arena->cap_bytes - arena->reserved_bytes;
}

/* Grows block sizes geometrically so a big snapshot needs few blocks. */
static size_t next_block_size(const struct hr_arena *arena, size_t need)
{
	size_t size = arena->first_block ? arena->first_block : ARENA_MIN_BLOCK;
	if (arena->head) {
		size = arena->head->size * 2;
		if (size > ARENA_MAX_BLOCK)
			size = ARENA_MAX_BLOCK;
	}
	return need > size ? need : size;
}

static struct hr_arena_block *add_block(struct hr_arena *arena, size_t need)
{
	size_t size = next_block_size(arena, need);
	size_t room = hr_arena_room(arena);
	size_t header = sizeof(struct hr_arena_block);
	if (size + header > room) {
		if (need + header > room)
			return NULL;
		size = room - header; /* a last, smaller block up to the cap */
	}
	struct hr_arena_block *b = raw_alloc(arena->allocator, header + size);
	if (!b)
		return NULL;
	b->size = size;
	b->used = 0;
	b->next = arena->head;
	arena->head = b;
	arena->reserved_bytes += header + size;
	return b;
}

void *hr_arena_alloc(struct hr_arena *arena, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ARENA_ALIGN) {
		arena->failed_allocs++;
		return NULL;
	}
	size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct hr_arena_block *b = arena->head;
	if (!b || b->size - b->used < rounded) {
		b = add_block(arena, rounded);
		if (!b) {
			arena->failed_allocs++;
			return NULL;
		}
	}
	void *p = b->data + b->used;
	b->used += rounded;
	arena->used_bytes += rounded;
	return p;
}

void *hr_arena_calloc(struct hr_arena *arena, size_t count, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(count, size, &total)) {
		arena->failed_allocs++;
		return NULL;
	}
	void *p = hr_arena_alloc(arena, total);
	if (p)
		memset(p, 0, total);
	return p;
}

void *hr_arena_grow(struct hr_arena *arena, const void *old, size_t old_count, size_t new_count,
                    size_t size)
{
	void *p = hr_arena_calloc(arena, new_count, size);
	if (p && old && old_count)
		memcpy(p, old, (old_count < new_count ? old_count : new_count) * size);
	return p;
}

struct hr_str hr_arena_strdup(struct hr_arena *arena, struct hr_str s)
{
	char *p = hr_arena_alloc(arena, s.n + 1);
	if (!p)
		return HR_STR_NULL;
	if (s.n)
		memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	return (struct hr_str){p, s.n};
}
