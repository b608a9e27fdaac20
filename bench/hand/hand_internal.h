/* hand_internal.h -- helpers shared by the hand-written problems only. */
#ifndef HESSC_BENCH_HAND_INTERNAL_H
#define HESSC_BENCH_HAND_INTERNAL_H

#include <stddef.h>
#include "hand.h"

/* Allocate colptr (n+1), rowind (nnz), x0 (n) and zeroed data, and point
 * desc at them.  0, or -1 with nothing left allocated. */
int hand_alloc(hand_problem *hp, long n, long nnz, size_t data_size);

#endif
