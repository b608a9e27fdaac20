/* array_grow.h -- growable arrays for the template stages: one
 * capacity-doubling realloc instead of a copy in every file.
 *
 * In:  an array *p of *cap elements of `elem` bytes, and the count `need`.
 * Out: 1 with *p holding at least `need` elements (contents kept, *cap
 *      updated), or 0 when memory runs out (*p and *cap untouched).
 */
#ifndef HESSC_ARRAY_GROW_H
#define HESSC_ARRAY_GROW_H

#include <stddef.h>

int array_grow(void **p, size_t *cap, size_t need, size_t elem);

#define ARRAY_GROW(arr, cap, need) array_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

#endif
