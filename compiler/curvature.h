/* curvature.h -- curvature at a point: extreme eigenvalues of the Hessian,
 * its inertia, and whether the point looks like a minimum, a maximum, a
 * saddle or is degenerate.
 *
 * In:  a hessc_problem (the descriptor `hessc gen` emits, or hand-written
 *      callbacks): n, hessvec for the extreme eigenvalues; the pattern and
 *      hess for the inertia; grad (optional) to say whether the point is
 *      stationary.  A point x (size n).
 * Out: a curvature_result, and writers for it as text and JSON.
 *
 * Extreme eigenvalues: Lanczos over Hessian-vector products with full
 * reorthogonalization, restarted from the extreme Ritz vectors when the
 * basis would outgrow its memory budget (so n may be in the millions); the
 * small tridiagonal eigenproblem by tridiag_eig.  At most 3000
 * Hessian-vector products are spent; past that the estimates are reported
 * as not converged, with their residuals.  The residual bound
 * |lambda - theta| <= ||H u - theta u|| is reported with each value.
 * Inertia: counts of positive, negative and zero eigenvalues from the signs
 * of D in a sparse LDL' (CHOLMOD, simplicial, fill-reducing ordering, no
 * pivoting: Sylvester's law of inertia), skipped when the factor would be
 * too large or a zero pivot stops it (the result says why).
 */
#ifndef HESSC_CURVATURE_H
#define HESSC_CURVATURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hessc/problem.h"
#include "status.h"

typedef enum curvature_verdict {
	CURVATURE_MINIMUM,     /* Hessian positive definite */
	CURVATURE_MAXIMUM,     /* negative definite */
	CURVATURE_SADDLE,      /* eigenvalues of both signs */
	CURVATURE_DEGENERATE   /* semidefinite with a zero eigenvalue (or H = 0) */
} curvature_verdict;

typedef struct curvature_options {
	int max_basis;          /* Lanczos vectors kept at once; 0: 200 (capped by memory_budget) */
	size_t memory_budget;   /* bytes for the Lanczos basis; 0: 256 MiB */
	int max_restarts;       /* 0: 30 */
	double tol;             /* residual / max|lambda| for convergence; 0: 1e-10 */
	double zero_tol;        /* |lambda| <= zero_tol * max|lambda| counts as zero; 0: 1e-8 */
	int inertia;            /* 1: compute the inertia (needs hess and the pattern) */
	double max_factor_nnz;  /* skip the LDL' when L would have more entries; 0: 5e7 */
	uint64_t seed;          /* for the starting vector; 0: a fixed default */
} curvature_options;

typedef struct curvature_result {
	int n;
	double lambda_min, lambda_max;   /* extreme Ritz values */
	double resid_min, resid_max;     /* their residual norms (error bounds) */
	int converged;                   /* both residuals within tol */
	int matvecs;                     /* Hessian-vector products used */
	int basis;                       /* Lanczos vectors kept at once */
	int restarts;

	int has_inertia;                 /* 1 when the counts below are set */
	int64_t positive, negative, zero;
	double factor_nnz;               /* entries of L (predicted, or actual) */
	char inertia_note[160];          /* why there is no inertia, when has_inertia == 0 */

	int has_gradient;                /* 1 when grad_norm is set */
	double f, grad_norm;             /* f(x) and ||grad f(x)||_inf */
	int stationary;                  /* grad_norm <= 1e-6 * max(1, |f|) */

	curvature_verdict verdict;
	int verdict_from_inertia;        /* 1 when Lanczos did not converge and the inertia decided */
} curvature_result;

/* HESSC_ERR_USAGE: n < 1, no hessvec, or inertia asked without hess and
 * pattern; HESSC_ERR_MODEL: a Hessian-vector product (or the Hessian) is
 * not finite at x; HESSC_ERR_NOMEM; HESSC_ERR_INTERNAL: the tridiagonal
 * eigensolver or CHOLMOD failed. */
hessc_status curvature_analyze(const hessc_problem *p, const double *x,
                               const curvature_options *opt, curvature_result *out);

const char *curvature_verdict_name(curvature_verdict v);

/* Several lines for people / one JSON object:
 * {"model": str, "n": int, "lambda_min": float, "lambda_max": float,
 *  "residual_min": float, "residual_max": float, "converged": bool,
 *  "hessian_vector_products": int, "restarts": int,
 *  "inertia": {"positive": int, "negative": int, "zero": int} | null,
 *  "inertia_note": str (when null), "f": float, "grad_norm": float,
 *  "stationary": bool, "verdict": "minimum"|"maximum"|"saddle"|"degenerate"}
 * (f, grad_norm and stationary only when the gradient was available). */
hessc_status curvature_write_text(FILE *out, const curvature_result *r, const char *name);
hessc_status curvature_write_json(FILE *out, const curvature_result *r, const char *name);

/* The inertia alone (used by curvature_analyze, exposed for tests):
 * HESSC_OK with *has set to 0 and a note when the factor is too big or a
 * zero pivot stops the factorization. */
hessc_status curvature_inertia(const hessc_problem *p, const double *x,
                               double max_factor_nnz, curvature_result *out);

#endif
