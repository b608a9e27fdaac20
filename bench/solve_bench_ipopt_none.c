/* solve_bench_ipopt_none.c -- the solver benchmark built without Ipopt. */
#include <stdio.h>

#include "solve_bench.h"

const int sb_have_ipopt = 0;

int sb_ipopt_solve(const hessc_problem *p, sb_run *r)
{
	(void)p;
	snprintf(r->status, sizeof r->status, "not built");
	return -1;
}
