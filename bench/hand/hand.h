/* hand.h -- hand-written reference kernels for the benchmark problems.
 *
 * In:  a problem size (n for P1-P3, the grid side p for P4, the number of
 *      samples m for P5).
 * Out: a hessc_problem descriptor (runtime/include/hessc/problem.h) whose
 *      f, grad and hess callbacks are careful C written by hand: the lower
 *      triangle Hessian pattern is built once here, in compressed sparse
 *      column form with sorted rows, and every hess call only fills values.
 *      These are the yardstick every other tool is measured against, so
 *      they do no more work than the mathematics needs.
 *
 * hessvec is left NULL: the harness times f, gradient and Hessian only.
 */
#ifndef HESSC_BENCH_HAND_H
#define HESSC_BENCH_HAND_H

#include <hessc/problem.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hand_problem {
	hessc_problem desc;   /* callbacks, pattern and x0, ready to call */
	int *colptr;          /* owned, size n+1 */
	int *rowind;          /* owned, size nnz */
	double *x0;           /* owned, size n */
	void *data;           /* owned, the callbacks' data (desc.data) */
	void (*free_data)(void *data);  /* frees what data points to, or NULL */
} hand_problem;

/* Each returns 0, or -1 when the size is invalid or memory runs out (then
 * nothing is left allocated). */
int hand_srosenbr_new(long n, hand_problem *out);   /* P1, n even >= 2 */
int hand_arwhead_new(long n, hand_problem *out);    /* P2, n >= 2 */
int hand_bdqrtic_new(long n, hand_problem *out);    /* P3, n >= 5 */
int hand_minsurf_new(long p, hand_problem *out);    /* P4, p >= 3, n = p*p */
int hand_logreg_new(long m, hand_problem *out);     /* P5, d = 100 */

void hand_free(hand_problem *hp);

/* P5's data, as the hand kernels and hessc's run-time data inputs see it:
 * X row-major m x d, y of size m, lambda the regularization weight. */
typedef struct logreg_data {
	long m, d;
	double lambda;
	double *X;   /* size m*d, X[i*d + j] = X_{i+1, j+1} of PROBLEMS.md */
	double *y;   /* size m, +1 or -1 */
} logreg_data;

#define LOGREG_D 100
#define LOGREG_LAMBDA 0.01

/* Fill X and y as PROBLEMS.md defines them (1-based formulas). `seed`
 * shifts the data so that a second, different data set can be made from
 * the same formula: seed 0 is PROBLEMS.md's. */
void logreg_fill(logreg_data *d, long seed);

#ifdef __cplusplus
}
#endif

#endif
