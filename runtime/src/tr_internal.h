/* tr_internal.h -- the solver's private workspace and the pieces that share it.
 *
 * hessc_solve (solver.c) allocates one tr_work per solve; the outer
 * trust-region loop (trust_region.c) calls one step function per method:
 *   step_cg      Steihaug-Toint CG on the whole space      (step_cg.c)
 *   step_exact   More-Sorensen with CHOLMOD                (step_exact.c)
 *   step_bounds  TRON-like Cauchy point + projected CG      (step_bounds.c)
 * Each step function reads x, g, h and radius and writes the step s, its
 * kind and its inner iteration count.  Sparse kernels: sparse.c;
 * preconditioners: precond.c.
 */
#ifndef HESSC_TR_INTERNAL_H
#define HESSC_TR_INTERNAL_H

#include "hessc/solver.h"

/* The preconditioner M of the CG solves. */
typedef struct precond {
	hessc_precond kind;  /* the one built (ichol falls back to jacobi if it fails) */
	double *diag;        /* jacobi: M's diagonal; ichol: L's diagonal (size n) */
	double *scale;       /* ichol: the symmetric scaling S, M = S^-1 L L' S^-1 (size n) */
	double *lval;        /* ichol: L's strictly lower values on H's pattern (size nnz) */
	double *tmp;         /* ichol: scratch (size n) */
} precond;

struct more_sorensen;    /* step_exact.c: CHOLMOD state */

typedef struct tr_work {
	const hessc_problem *p;
	const hessc_solver_options *opt;
	int n, nnz;
	const int *colptr, *rowind;
	const double *lo, *up;   /* bounds (NULL: none) */
	double *kwork;           /* kernel scratch, problem->work_size doubles */
	double *x, *g, *h;       /* current iterate, gradient, Hessian values */
	double *xt, *gt, *ht;    /* trial point and its derivatives */
	double *s;               /* the step */
	double *v[8];            /* vectors of size n for the step functions */
	unsigned char *freev;    /* bounds: 1 = free variable (size n) */
	double cauchy_alpha;     /* bounds: last Cauchy step length (carried over) */
	precond pc;
	struct more_sorensen *ms;
	long inner_total;
	double snorm;            /* the step's length in the radius's norm, set by the step function */
} tr_work;

/* sparse.c */
/* y = H v with H symmetric, given by its lower triangle (colptr, rowind, h).
 * With mask non-NULL: y = H_FF v_F on the free set F, 0 elsewhere (v must be
 * 0 outside F). */
void sym_matvec(const tr_work *w, const double *h, const unsigned char *mask,
                const double *v, double *y);
double vec_dot(int n, const double *a, const double *b);
double vec_norm2(int n, const double *a);
double vec_norminf(int n, const double *a);
int vec_finite(size_t n, const double *a);
/* q(s) = g's + s'Hs/2, using tmp (size n) */
double model_value(const tr_work *w, const double *g, const double *s, double *tmp);
/* the tau >= 0 with ||a + tau d||_2 = radius, given ||a|| <= radius */
double boundary_tau(int n, const double *a, const double *d, double radius);

/* precond.c: build M for H restricted to mask (NULL: all); then z = M^{-1} r */
hessc_solve_status precond_build(tr_work *w, const unsigned char *mask);
void precond_apply(tr_work *w, const unsigned char *mask, const double *r, double *z);

/* step_cg.c: truncated CG for min gq'u + u'Hu/2 over the free set, with
 * ||s0 + u||_2 <= radius, or without s0 ||u||_M <= radius (M the
 * preconditioner).  tol: stop when ||r|| <= tol.  Sets w->snorm.
 * Uses w->v[0..4]. */
void steihaug_cg(tr_work *w, const double *gq, const double *s0,
                 const unsigned char *mask, double radius, double tol,
                 int max_inner, double *u, hessc_step_kind *kind, int *iters);

typedef hessc_solve_status (*step_fn)(tr_work *w, double radius,
                                      hessc_step_kind *kind, int *inner);
hessc_solve_status step_cg(tr_work *w, double radius, hessc_step_kind *kind, int *inner);
hessc_solve_status step_exact(tr_work *w, double radius, hessc_step_kind *kind, int *inner);
hessc_solve_status step_bounds(tr_work *w, double radius, hessc_step_kind *kind, int *inner);

/* step_exact.c: CHOLMOD setup (symbolic analysis) and teardown */
hessc_solve_status exact_setup(tr_work *w);
void exact_free(tr_work *w);

/* trust_region.c: the outer loop; fills res (x copied out by the caller) */
hessc_solve_status trust_region_run(tr_work *w, step_fn step, hessc_solver_result *res);

/* bounds helpers (step_bounds.c) */
/* the gradient measure: ||g||_inf, or ||x - P(x - g)||_inf with bounds */
double grad_measure(const tr_work *w, const double *x, const double *g);
void project(const tr_work *w, double *x);

#endif
