/* hand.c -- what every hand-written problem shares: owned arrays. */
#include <stdlib.h>
#include <string.h>
#include "hand.h"
#include "hand_internal.h"

int hand_alloc(hand_problem *hp, long n, long nnz, size_t data_size)
{
	memset(hp, 0, sizeof *hp);
	if (n < 1 || nnz < 1 || n > 0x7fffffffL - 1 || nnz > 0x7fffffffL)
		return -1;
	hp->colptr = malloc(((size_t)n + 1) * sizeof *hp->colptr);
	hp->rowind = malloc((size_t)nnz * sizeof *hp->rowind);
	hp->x0 = malloc((size_t)n * sizeof *hp->x0);
	hp->data = calloc(1, data_size);
	if (!hp->colptr || !hp->rowind || !hp->x0 || !hp->data) {
		hand_free(hp);
		return -1;
	}
	hp->desc.n = (int)n;
	hp->desc.nnz = (int)nnz;
	hp->desc.hess_colptr = hp->colptr;
	hp->desc.hess_rowind = hp->rowind;
	hp->desc.x0 = hp->x0;
	hp->desc.data = hp->data;
	return 0;
}

void hand_free(hand_problem *hp)
{
	if (!hp)
		return;
	free(hp->colptr);
	free(hp->rowind);
	free(hp->x0);
	if (hp->free_data && hp->data)
		hp->free_data(hp->data);
	free(hp->data);
	memset(hp, 0, sizeof *hp);
}
