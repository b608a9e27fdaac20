/* tool_adolc_none.c -- built instead of adolc/ when the adolc feature is
 * off: the driver then leaves ADOL-C out of the table. */
#include <stdio.h>
#include "bench.h"

const int tool_adolc_available = 0;

int tool_adolc_prepare(const bench_problem *p, long size, const bench_options *o,
                       bench_kernels *k, bench_result *r)
{
	(void)p;
	(void)size;
	(void)o;
	(void)k;
	snprintf(r->error, sizeof r->error, "built without ADOL-C (meson option adolc)");
	return -1;
}
