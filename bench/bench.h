/* bench.h -- the benchmark harness: problems, tools, one measurement.
 *
 * The driver (main.c) runs every tool on every problem in a child process
 * of its own (so each peak memory is that tool's alone), collects a
 * bench_result and the values each tool computed at a test point, and
 * prints one table with ratios to the hand-written reference.
 *
 * A tool turns a problem into bench_kernels (prepare: the one-time cost),
 * which the measurement then calls repeatedly.
 */
#ifndef HESSC_BENCH_H
#define HESSC_BENCH_H

#include <stddef.h>
#include "hand/hand.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bench_problem {
	const char *id;          /* "P1" .. "P5", as in PROBLEMS.md */
	const char *name;        /* "srosenbr" */
	const char *model;       /* model file in bench/models */
	const char *size_param;  /* the model's param that sets the size: N, p, m */
	long sizes[2];           /* the sizes PROBLEMS.md asks for (0: none) */
	int (*hand_new)(long size, hand_problem *out);
	/* The model's run-time inputs (params it declares without a value), in
	 * the order of the generated PREFIX_data struct, computed as PROBLEMS.md
	 * defines them; NULL when the model has none.  Returns NULL when out of
	 * memory; the arrays live until the process ends. */
	const double *const *(*inputs)(long size);
} bench_problem;

extern const bench_problem bench_problems[];
extern const size_t bench_problem_count;

/* Callable kernels, whatever tool made them.  grad returns f. */
typedef struct bench_kernels {
	int n, nnz;
	const int *colptr;       /* size n+1, lower triangle CSC */
	const int *rowind;       /* size nnz, sorted within each column */
	const double *x0;        /* size n, may be NULL (zeros) */
	double (*grad)(void *self, const double *x, double *g);
	void (*hess)(void *self, const double *x, double *h);
	void *self;
} bench_kernels;

/* What a child reports back. */
typedef struct bench_result {
	int ok;
	char error[240];
	double gen_s;        /* model to C source (hessc), taping + pattern (ADOL-C), setup (hand) */
	double cc_s;         /* C compilation and loading (hessc only) */
	double hess_us;      /* median of one Hessian evaluation */
	double grad_us;      /* median of one gradient evaluation */
	long nnz;
	long c_bytes;        /* size of the generated .c (hessc only) */
	double peak_mb;      /* peak RSS of the child and of the programs it ran */
	char method[96];     /* how the tool computed the Hessian */
} bench_result;

/* Options every tool sees. */
typedef struct bench_options {
	const char *hessc;       /* path of the hessc command */
	const char *cc;          /* C compiler for generated code */
	const char *cflags;      /* its flags (space separated) */
	const char *models_dir;
	const char *work_dir;    /* a fresh folder for this problem and size */
	int unroll;              /* pass --unroll to hessc gen */
} bench_options;

/* The tools: each fills kernels and the one-time part of result (gen_s,
 * cc_s, c_bytes, method), or sets result->error and returns -1.  The
 * kernels stay valid until the process ends (children exit after use). */
int tool_hand_prepare(const bench_problem *p, long size, const bench_options *o,
                      bench_kernels *k, bench_result *r);
int tool_hessc_prepare(const bench_problem *p, long size, const bench_options *o,
                       bench_kernels *k, bench_result *r);
int tool_adolc_prepare(const bench_problem *p, long size, const bench_options *o,
                       bench_kernels *k, bench_result *r);
extern const int tool_adolc_available;

/* Seconds on a monotonic clock. */
double bench_now(void);

#ifdef __cplusplus
}
#endif

#endif
