/* solve_bench.h -- one solver run on one loaded model, as the solver
 * benchmark (solve_bench.c) reports it. */
#ifndef HESSC_SOLVE_BENCH_H
#define HESSC_SOLVE_BENCH_H

#include <hessc/problem.h>

typedef struct sb_run {
	char status[32];     /* the solver's own word for how it ended */
	int iterations;
	long f_evals, g_evals, h_evals;
	double time;         /* wall-clock seconds of the solve */
	double f;            /* final objective */
	double *x;           /* final point, size n (owned by the caller) */
} sb_run;

/* 1 when the benchmark was built with Ipopt */
extern const int sb_have_ipopt;

/* Minimize p with Ipopt (exact Hessian from p->hess, default options,
 * print_level 0) from p->x0; fills *r, r->x must hold n doubles.
 * Returns 0, or -1 with r->status saying why. */
int sb_ipopt_solve(const hessc_problem *p, sb_run *r);

#endif
