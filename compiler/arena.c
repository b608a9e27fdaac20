/* arena.c -- bump allocation in blocks; big requests get their own block. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	arena_block *next;
	max_align_t align[];   /* the payload follows, aligned */
};

#define ARENA_BLOCK_SIZE (64 * 1024)
#define ARENA_ALIGN (sizeof(max_align_t))

void arena_init(arena *a)
{
	memset(a, 0, sizeof *a);
}

void arena_free(arena *a)
{
	arena_block *b = a->blocks;
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
	memset(a, 0, sizeof *a);
}

static arena_block *new_block(arena *a, size_t payload)
{
	if (payload > SIZE_MAX - sizeof(arena_block))
		return NULL;
	arena_block *b = calloc(1, sizeof(arena_block) + payload);
	if (!b)
		return NULL;
	a->total += sizeof(arena_block) + payload;
	return b;
}

void *arena_alloc(arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
	if (size > ARENA_BLOCK_SIZE / 4) {
		/* Big objects get a block of their own, linked behind the current
		 * one so the current block's free room is not lost. */
		arena_block *b = new_block(a, size);
		if (!b)
			return NULL;
		if (a->blocks) {
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			a->blocks = b;
		}
		return b->align;
	}
	if ((size_t)(a->end - a->cur) < size) {
		arena_block *b = new_block(a, ARENA_BLOCK_SIZE);
		if (!b)
			return NULL;
		b->next = a->blocks;
		a->blocks = b;
		a->cur = (char *)b->align;
		a->end = a->cur + ARENA_BLOCK_SIZE;
	}
	void *p = a->cur;
	a->cur += size;
	return p;   /* blocks come from calloc and are never reused: zeroed */
}

void *arena_array(arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

int ptr_vec_push(arena *a, ptr_vec *v, void *item)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		void **items = arena_array(a, cap, sizeof *items);
		if (!items)
			return -1;
		if (v->len)
			memcpy(items, v->items, v->len * sizeof *items);
		v->items = items;
		v->cap = cap;
	}
	v->items[v->len++] = item;
	return 0;
}
