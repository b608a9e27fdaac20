/* array_grow.c -- growable arrays (array_grow.h). */
#include "array_grow.h"

#include <stdlib.h>

int array_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t cap2;
	void *q;
	if (need <= *cap)
		return 1;
	cap2 = *cap ? *cap : 16;
	while (cap2 < need)
		cap2 *= 2;
	q = realloc(*p, cap2 * elem);
	if (!q)
		return 0;
	*p = q;
	*cap = cap2;
	return 1;
}
