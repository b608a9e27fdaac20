/* arena.h -- one region per compilation, freed as a whole.
 *
 * In:  allocation requests of any size.
 * Out: zeroed memory that lives until arena_free; NULL when malloc fails.
 * Why: the front end builds many small objects (AST nodes, tuples, sets)
 * and bails out of deep evaluation on the first error; with every object in
 * one arena the error path frees everything with one call.
 */
#ifndef HESSC_ARENA_H
#define HESSC_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
	arena_block *blocks;   /* newest first */
	char *cur, *end;       /* free room in the newest small block */
	size_t total;          /* bytes obtained from malloc, for tests */
	int tag;               /* stamped on AST nodes made now: the source file's number */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);

/* Zeroed, aligned for any type. */
void *arena_alloc(arena *a, size_t size);
/* n * size with overflow checking. */
void *arena_array(arena *a, size_t n, size_t size);
char *arena_strndup(arena *a, const char *s, size_t len);
char *arena_strdup(arena *a, const char *s);

/* A growable array of pointers in the arena (old storage is abandoned to
 * the arena when it grows: amortized twice the final size). */
typedef struct ptr_vec {
	void **items;
	size_t len, cap;
} ptr_vec;

/* 0 on success, -1 when out of memory. */
int ptr_vec_push(arena *a, ptr_vec *v, void *item);

#endif
