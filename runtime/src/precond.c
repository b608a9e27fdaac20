/* precond.c -- CG preconditioners built from the Hessian values.
 *
 * jacobi: M = diag(|H_ii|), floored at 1e-10 max |H_jj| so that M stays
 *         positive definite when H is singular or indefinite.
 * ichol:  Lin and More's shifted incomplete Cholesky: with S the scaling by
 *         column norms, IC(0) of S H S + alpha I on H's own pattern (no fill),
 *         alpha raised from 0 (or from -min diag + 1e-3) until the
 *         factorization exists; M = S^-1 L L' S^-1.  Exact for tridiagonal H.
 * With a mask, H is restricted to the free variables (the bounds method);
 * fixed variables get M_ii = 1 and z_i = 0.
 */
#include <math.h>

#include "tr_internal.h"

static int is_free(const unsigned char *mask, int i)
{
	return !mask || mask[i];
}

static void build_jacobi(tr_work *w, const unsigned char *mask)
{
	precond *pc = &w->pc;
	double dmax = 0.0;
	for (int j = 0; j < w->n; j++) {
		pc->diag[j] = 0.0;
		for (int k = w->colptr[j]; k < w->colptr[j + 1]; k++)
			if (w->rowind[k] == j)
				pc->diag[j] = fabs(w->h[k]);
		if (is_free(mask, j) && pc->diag[j] > dmax)
			dmax = pc->diag[j];
	}
	double floor = dmax > 0.0 ? 1e-10 * dmax : 1.0;
	for (int j = 0; j < w->n; j++)
		if (!is_free(mask, j) || pc->diag[j] < floor)
			pc->diag[j] = is_free(mask, j) ? floor : 1.0;
	pc->kind = HESSC_PRECOND_JACOBI;
}

/* IC(0) in place on (diag, lval); returns 0 when a pivot is not positive */
static int ic0(tr_work *w, double *diag, double *lval)
{
	const int *cp = w->colptr, *ri = w->rowind;
	for (int j = 0; j < w->n; j++) {
		if (!(diag[j] > 0.0) || !isfinite(diag[j]))
			return 0;
		double d = sqrt(diag[j]);
		diag[j] = d;
		for (int k = cp[j]; k < cp[j + 1]; k++)
			if (ri[k] != j)
				lval[k] /= d;
		/* L(i2, i1) -= L(i2, j) L(i1, j) for i2 >= i1 > j, kept on the pattern */
		for (int k1 = cp[j]; k1 < cp[j + 1]; k1++) {
			int i1 = ri[k1];
			if (i1 == j || lval[k1] == 0.0)
				continue;
			diag[i1] -= lval[k1] * lval[k1];
			int q = cp[i1];
			for (int k2 = k1 + 1; k2 < cp[j + 1]; k2++) {
				int i2 = ri[k2];
				while (q < cp[i1 + 1] && ri[q] < i2)
					q++;
				if (q == cp[i1 + 1])
					break;
				if (ri[q] == i2)
					lval[q] -= lval[k2] * lval[k1];
			}
		}
	}
	return 1;
}

static int build_ichol(tr_work *w, const unsigned char *mask)
{
	precond *pc = &w->pc;
	int n = w->n;
	const int *cp = w->colptr, *ri = w->rowind;
	/* column 2-norms of the full symmetric H_FF, into tmp */
	for (int j = 0; j < n; j++)
		pc->tmp[j] = 0.0;
	for (int j = 0; j < n; j++) {
		for (int k = cp[j]; k < cp[j + 1]; k++) {
			int i = ri[k];
			if (!is_free(mask, i) || !is_free(mask, j))
				continue;
			double t = w->h[k] * w->h[k];
			pc->tmp[j] += t;
			if (i != j)
				pc->tmp[i] += t;
		}
	}
	double mindiag = INFINITY;
	for (int j = 0; j < n; j++) {
		double c = sqrt(sqrt(pc->tmp[j]));
		pc->scale[j] = (c > 0.0 && isfinite(c)) ? 1.0 / c : 1.0;
	}
	for (int j = 0; j < n; j++) {
		double djj = 0.0;
		for (int k = cp[j]; k < cp[j + 1]; k++)
			if (ri[k] == j)
				djj = w->h[k] * pc->scale[j] * pc->scale[j];
		if (is_free(mask, j) && djj < mindiag)
			mindiag = djj;
	}
	double alpha = mindiag > 0.0 ? 0.0 : 1e-3 - mindiag;
	for (int attempt = 0; attempt < 40; attempt++) {
		for (int j = 0; j < n; j++) {
			pc->diag[j] = is_free(mask, j) ? alpha : 1.0;
			for (int k = cp[j]; k < cp[j + 1]; k++) {
				int i = ri[k];
				double v = 0.0;
				if (is_free(mask, i) && is_free(mask, j))
					v = w->h[k] * pc->scale[i] * pc->scale[j];
				if (i == j) {
					if (is_free(mask, j))
						pc->diag[j] += v;
					pc->lval[k] = 0.0;
				} else {
					pc->lval[k] = v;
				}
			}
		}
		if (ic0(w, pc->diag, pc->lval)) {
			pc->kind = HESSC_PRECOND_ICHOL;
			return 1;
		}
		alpha = alpha * 2.0 > 1e-3 ? alpha * 2.0 : 1e-3;
	}
	return 0;
}

hessc_solve_status precond_build(tr_work *w, const unsigned char *mask)
{
	w->pc.kind = w->opt->precond;
	if (w->opt->precond == HESSC_PRECOND_ICHOL && build_ichol(w, mask))
		return HESSC_SOLVE_CONVERGED;
	if (w->opt->precond != HESSC_PRECOND_NONE)
		build_jacobi(w, mask);
	return HESSC_SOLVE_CONVERGED;
}

/* z = M^{-1} r */
void precond_apply(tr_work *w, const unsigned char *mask, const double *r, double *z)
{
	precond *pc = &w->pc;
	int n = w->n;
	switch (pc->kind) {
	case HESSC_PRECOND_NONE:
		for (int i = 0; i < n; i++)
			z[i] = is_free(mask, i) ? r[i] : 0.0;
		return;
	case HESSC_PRECOND_JACOBI:
		for (int i = 0; i < n; i++)
			z[i] = is_free(mask, i) ? r[i] / pc->diag[i] : 0.0;
		return;
	case HESSC_PRECOND_ICHOL: {
		const int *cp = w->colptr, *ri = w->rowind;
		double *t = pc->tmp;
		for (int i = 0; i < n; i++)
			t[i] = is_free(mask, i) ? pc->scale[i] * r[i] : 0.0;
		/* L y = t, y overwrites t */
		for (int j = 0; j < n; j++) {
			t[j] /= pc->diag[j];
			for (int k = cp[j]; k < cp[j + 1]; k++)
				if (ri[k] != j)
					t[ri[k]] -= pc->lval[k] * t[j];
		}
		/* L' z = y */
		for (int j = n - 1; j >= 0; j--) {
			double sum = t[j];
			for (int k = cp[j]; k < cp[j + 1]; k++)
				if (ri[k] != j)
					sum -= pc->lval[k] * t[ri[k]];
			t[j] = sum / pc->diag[j];
		}
		for (int i = 0; i < n; i++)
			z[i] = is_free(mask, i) ? pc->scale[i] * t[i] : 0.0;
		return;
	}
	}
}
