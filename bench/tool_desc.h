/* tool_desc.h -- bench_kernels over a hessc_problem descriptor, as the hand
 * kernels and hessc's generated code both provide one. */
#ifndef HESSC_BENCH_TOOL_DESC_H
#define HESSC_BENCH_TOOL_DESC_H

#include "bench.h"

/* Point k at p's pattern and callbacks; allocates p->work_size doubles of
 * scratch (never freed: the child process exits after measuring).
 * 0, or -1 when the scratch cannot be allocated. */
int kernels_from_problem(const hessc_problem *p, bench_kernels *k);

#endif
