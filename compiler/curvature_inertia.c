/* curvature_inertia.c -- the inertia of the Hessian at a point from a sparse
 * LDL' factorization (CHOLMOD): P H P' = L D L' is a congruence, so by
 * Sylvester's law of inertia the signs of D are the signs of the
 * eigenvalues. */
#include "curvature.h"

#include <cholmod.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_FACTOR_NNZ 5e7

hessc_status curvature_inertia(const hessc_problem *p, const double *x,
                               double max_factor_nnz, curvature_result *out)
{
	if (max_factor_nnz <= 0)
		max_factor_nnz = DEFAULT_MAX_FACTOR_NNZ;
	out->has_inertia = 0;
	cholmod_common c;
	cholmod_sparse *A = NULL;
	cholmod_factor *L = NULL;
	double *work = NULL;
	hessc_status st = HESSC_ERR_NOMEM;
	if (!cholmod_start(&c))
		return HESSC_ERR_INTERNAL;
	c.print = 0;                       /* the library never prints */
	c.supernodal = CHOLMOD_SIMPLICIAL;
	c.final_ll = 0;                    /* keep L D L' */
	c.nmethods = 1;
	c.method[0].ordering = CHOLMOD_AMD;

	size_t n = (size_t)p->n, nnz = (size_t)p->nnz;
	A = cholmod_allocate_sparse(n, n, nnz, 1, 1, -1, CHOLMOD_REAL, &c);
	work = malloc((p->work_size ? p->work_size : 1) * sizeof *work);
	if (A == NULL || work == NULL)
		goto done;
	int *Ap = A->p, *Ai = A->i;
	double *Ax = A->x;
	for (size_t j = 0; j <= n; j++)
		Ap[j] = p->hess_colptr[j];
	for (size_t k = 0; k < nnz; k++)
		Ai[k] = p->hess_rowind[k];
	p->hess(x, Ax, work, p->data);
	double amax = 0.0;
	for (size_t k = 0; k < nnz; k++) {
		if (!isfinite(Ax[k])) {
			st = HESSC_ERR_MODEL;
			goto done;
		}
		amax = fmax(amax, fabs(Ax[k]));
	}

	L = cholmod_analyze(A, &c);
	if (L == NULL) {
		st = c.status == CHOLMOD_OUT_OF_MEMORY ? HESSC_ERR_NOMEM : HESSC_ERR_INTERNAL;
		goto done;
	}
	out->factor_nnz = c.lnz;
	if (c.lnz > max_factor_nnz) {
		snprintf(out->inertia_note, sizeof out->inertia_note,
		         "skipped: the LDL' factor would hold %.3g entries (limit %.3g)",
		         c.lnz, max_factor_nnz);
		st = HESSC_OK;
		goto done;
	}
	if (!cholmod_factorize(A, L, &c) && c.status < CHOLMOD_OK) {
		st = c.status == CHOLMOD_OUT_OF_MEMORY ? HESSC_ERR_NOMEM : HESSC_ERR_INTERNAL;
		goto done;
	}
	if (L->minor < n) {
		snprintf(out->inertia_note, sizeof out->inertia_note,
		         "unavailable: LDL' without pivoting met a zero pivot at column %zu "
		         "(the Hessian is singular or needs pivoting there)", (size_t)L->minor);
		st = HESSC_OK;
		goto done;
	}
	/* simplicial LDL': D(j,j) is the first entry of column j of L */
	const int *Lp = L->p;
	const double *Lx = L->x;
	double zero = DBL_EPSILON * (double)n * (amax > 0 ? amax : 1.0);
	out->positive = out->negative = out->zero = 0;
	for (size_t j = 0; j < n; j++) {
		double d = Lx[Lp[j]];
		if (!isfinite(d)) {
			snprintf(out->inertia_note, sizeof out->inertia_note,
			         "unavailable: LDL' without pivoting was unstable (a pivot overflowed)");
			st = HESSC_OK;
			goto done;
		}
		if (d > zero)
			out->positive++;
		else if (d < -zero)
			out->negative++;
		else
			out->zero++;
	}
	out->has_inertia = 1;
	out->inertia_note[0] = '\0';
	st = HESSC_OK;
done:
	free(work);
	cholmod_free_factor(&L, &c);
	cholmod_free_sparse(&A, &c);
	cholmod_finish(&c);
	return st;
}
