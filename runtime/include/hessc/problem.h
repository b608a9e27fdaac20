/* hessc/problem.h -- the problem descriptor: what a solver needs to know.
 *
 * `hessc gen` emits one `hessc_problem` value per model (P_problem) that the
 * solvers in hessc/solver.h accept as it is; hand-written callbacks fill the
 * same struct.  Depends on nothing but the C standard library.
 *
 * The Hessian is the LOWER triangle (row >= col) in compressed sparse
 * column form, row indices sorted within each column: exactly CHOLMOD's
 * symmetric-lower storage (stype = -1), and Ipopt's triplets are
 * (hess_rowind[k], j) for k in hess_colptr[j] .. hess_colptr[j+1]-1.
 */
#ifndef HESSC_PROBLEM_H
#define HESSC_PROBLEM_H

#include <stddef.h>

typedef struct hessc_problem {
	const char *name;          /* model name, for logs; may be NULL */
	int n;                     /* number of variables */
	int nnz;                   /* stored nonzeros of the lower triangle */
	const int *hess_colptr;    /* column pointers, size n+1 */
	const int *hess_rowind;    /* row indices, size nnz */
	const double *x0;          /* initial point, size n; NULL means zeros */
	const double *lower;       /* lower bounds, size n (-INFINITY: none); NULL: none */
	const double *upper;       /* upper bounds, size n (+INFINITY: none); NULL: none */
	size_t work_size;          /* doubles of scratch each kernel call needs (may be 0) */

	/* f(x) */
	double (*f)(const double *x, double *work, const void *data);
	/* g = grad f(x), returns f(x) */
	double (*grad)(const double *x, double *g, double *work, const void *data);
	/* h[k] = H(x) value of the k-th stored entry, size nnz */
	void (*hess)(const double *x, double *h, double *work, const void *data);
	/* hv = H(x) v (the full symmetric H) */
	void (*hessvec)(const double *x, const double *v, double *hv, double *work,
	                const void *data);

	const void *data;          /* passed to every callback: run-time data, user state */
} hessc_problem;

#endif
