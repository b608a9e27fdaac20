/* problems.c -- P1-P5 of PROBLEMS.md: model files, sizes, hand kernels. */
#include "bench.h"

const bench_problem bench_problems[] = {
	{"P1", "srosenbr", "p1_srosenbr.mod", "N", {10000, 1000000}, hand_srosenbr_new},
	{"P2", "arwhead", "p2_arwhead.mod", "N", {10000, 1000000}, hand_arwhead_new},
	{"P3", "bdqrtic", "p3_bdqrtic.mod", "N", {10000, 1000000}, hand_bdqrtic_new},
	{"P4", "minsurf", "p4_minsurf.mod", "p", {100, 1000}, hand_minsurf_new},
	{"P5", "logreg", "p5_logreg.mod", "m", {10000, 0}, hand_logreg_new},
};

const size_t bench_problem_count = sizeof bench_problems / sizeof bench_problems[0];
