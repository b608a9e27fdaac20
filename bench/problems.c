/* problems.c -- P1-P5 of PROBLEMS.md: model files, sizes, hand kernels. */
#include <stdlib.h>
#include "bench.h"

/* P5's X and y for hessc's generated kernels: the hand-written reference's
 * data (logreg_fill, seed 0), in the order p5_logreg_data.mod declares them. */
static const double *const *logreg_inputs(long m)
{
	static logreg_data d;
	static const double *arrays[2];
	d.m = m;
	d.d = LOGREG_D;
	d.lambda = LOGREG_LAMBDA;
	d.X = malloc((size_t)(m * LOGREG_D) * sizeof *d.X);
	d.y = malloc((size_t)m * sizeof *d.y);
	if (!d.X || !d.y)
		return NULL;
	logreg_fill(&d, 0);
	arrays[0] = d.X;
	arrays[1] = d.y;
	return arrays;
}

const bench_problem bench_problems[] = {
	{"P1", "srosenbr", "p1_srosenbr.mod", "N", {10000, 1000000}, hand_srosenbr_new, NULL},
	{"P2", "arwhead", "p2_arwhead.mod", "N", {10000, 1000000}, hand_arwhead_new, NULL},
	{"P3", "bdqrtic", "p3_bdqrtic.mod", "N", {10000, 1000000}, hand_bdqrtic_new, NULL},
	{"P4", "minsurf", "p4_minsurf.mod", "p", {100, 1000}, hand_minsurf_new, NULL},
	/* X and y given at run time: one generated file for any data */
	{"P5", "logreg", "p5_logreg_data.mod", "m", {10000, 0}, hand_logreg_new, logreg_inputs},
};

const size_t bench_problem_count = sizeof bench_problems / sizeof bench_problems[0];
