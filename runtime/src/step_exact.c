/* step_exact.c -- the trust-region subproblem solved nearly exactly
 * (More and Sorensen, 1983) with sparse Cholesky factorizations (CHOLMOD).
 *
 * Find lambda >= 0 with H + lambda I positive semidefinite and
 * s = -(H + lambda I)^{-1} g, lambda (||s|| - radius) = 0, by safeguarded
 * Newton on 1/radius - 1/||s(lambda)||.  The matrix A = H + lambda I has
 * H's pattern plus the diagonal: analysed (ordered, symbolically factored)
 * once per solve in exact_setup, factorized numerically per trial lambda.
 * Hard case (g nearly orthogonal to the eigenvectors of the smallest
 * eigenvalue): with ||s|| < radius, add tau z, z an approximate eigenvector
 * from inverse iteration with the current factor, to reach the boundary.
 */
#include <math.h>
#include <stdlib.h>

#include <cholmod.h>

#include "tr_internal.h"

struct more_sorensen {
	cholmod_common c;
	int started;
	cholmod_sparse *A;       /* pattern of H plus the diagonal, lower (stype -1) */
	cholmod_factor *L;
	cholmod_dense *X, *Y, *E;/* cholmod_solve2's reusable result and workspace */
	int *hpos;               /* position in A of H's k-th entry (size nnz) */
	int *dpos;               /* position in A of the diagonal entry j (size n) */
};

void exact_free(tr_work *w)
{
	struct more_sorensen *ms = w->ms;
	if (!ms)
		return;
	if (ms->started) {
		cholmod_free_sparse(&ms->A, &ms->c);
		cholmod_free_factor(&ms->L, &ms->c);
		cholmod_free_dense(&ms->X, &ms->c);
		cholmod_free_dense(&ms->Y, &ms->c);
		cholmod_free_dense(&ms->E, &ms->c);
		cholmod_finish(&ms->c);
	}
	free(ms->hpos);
	free(ms->dpos);
	free(ms);
	w->ms = NULL;
}

hessc_solve_status exact_setup(tr_work *w)
{
	int n = w->n;
	const int *cp = w->colptr, *ri = w->rowind;
	struct more_sorensen *ms = calloc(1, sizeof *ms);
	if (!ms)
		return HESSC_SOLVE_NO_MEMORY;
	w->ms = ms;
	ms->hpos = malloc(((size_t)w->nnz + 1) * sizeof *ms->hpos);
	ms->dpos = malloc(((size_t)n + 1) * sizeof *ms->dpos);
	if (!ms->hpos || !ms->dpos)
		return HESSC_SOLVE_NO_MEMORY;
	int missing = 0;
	for (int j = 0; j < n; j++)
		if (cp[j] == cp[j + 1] || ri[cp[j]] != j)
			missing++;

	cholmod_start(&ms->c);
	ms->started = 1;
	ms->c.print = 0;           /* the library never prints */
	ms->c.error_handler = NULL;
	ms->A = cholmod_allocate_sparse((size_t)n, (size_t)n, (size_t)w->nnz + (size_t)missing,
	                                1, 1, -1, CHOLMOD_REAL, &ms->c);
	if (!ms->A)
		return ms->c.status == CHOLMOD_OUT_OF_MEMORY ? HESSC_SOLVE_NO_MEMORY
		                                             : HESSC_SOLVE_LINALG_ERROR;
	int *ap = ms->A->p, *ai = ms->A->i;
	int q = 0;
	for (int j = 0; j < n; j++) {
		ap[j] = q;
		int k = cp[j];
		if (k == cp[j + 1] || ri[k] != j)
			ai[q++] = j;     /* structurally zero diagonal, added for lambda */
		for (; k < cp[j + 1]; k++) {
			ms->hpos[k] = q;
			ai[q++] = ri[k];
		}
		ms->dpos[j] = ap[j];
	}
	ap[n] = q;
	ms->L = cholmod_analyze(ms->A, &ms->c);
	if (!ms->L)
		return ms->c.status == CHOLMOD_OUT_OF_MEMORY ? HESSC_SOLVE_NO_MEMORY
		                                             : HESSC_SOLVE_LINALG_ERROR;
	return HESSC_SOLVE_CONVERGED;
}

/* factorize H + lambda I; *pd = 1 if positive definite */
static hessc_solve_status factor(tr_work *w, double lambda, int *pd)
{
	struct more_sorensen *ms = w->ms;
	double *ax = ms->A->x;
	for (size_t k = 0; k < ms->A->nzmax; k++)
		ax[k] = 0.0;
	for (int k = 0; k < w->nnz; k++)
		ax[ms->hpos[k]] = w->h[k];
	for (int j = 0; j < w->n; j++)
		ax[ms->dpos[j]] += lambda;
	w->inner_total++;
	int ok = cholmod_factorize(ms->A, ms->L, &ms->c);
	if (ms->c.status == CHOLMOD_OUT_OF_MEMORY)
		return HESSC_SOLVE_NO_MEMORY;
	if (!ok || (ms->c.status != CHOLMOD_OK && ms->c.status != CHOLMOD_NOT_POSDEF))
		return HESSC_SOLVE_LINALG_ERROR;
	*pd = ms->c.status == CHOLMOD_OK && ms->L->minor == (size_t)w->n;
	return HESSC_SOLVE_CONVERGED;
}

/* out = (H + lambda I)^{-1} b with the current factor */
static hessc_solve_status solve(tr_work *w, const double *b, double *out)
{
	struct more_sorensen *ms = w->ms;
	cholmod_dense B = {0};
	B.nrow = (size_t)w->n;
	B.ncol = 1;
	B.nzmax = (size_t)w->n;
	B.d = (size_t)w->n;
	B.x = (void *)b;
	B.xtype = CHOLMOD_REAL;
	B.dtype = CHOLMOD_DOUBLE;
	if (!cholmod_solve2(CHOLMOD_A, ms->L, &B, NULL, &ms->X, NULL, &ms->Y, &ms->E, &ms->c))
		return ms->c.status == CHOLMOD_OUT_OF_MEMORY ? HESSC_SOLVE_NO_MEMORY
		                                             : HESSC_SOLVE_LINALG_ERROR;
	const double *x = ms->X->x;
	for (int i = 0; i < w->n; i++)
		out[i] = x[i];
	return HESSC_SOLVE_CONVERGED;
}

/* A fallback that always decreases the model: the Cauchy point along -g. */
static void cauchy_step(tr_work *w, double radius, double *s, double *tmp)
{
	int n = w->n;
	double gn = vec_norm2(n, w->g);
	if (gn == 0.0) {
		for (int i = 0; i < n; i++)
			s[i] = 0.0;
		return;
	}
	sym_matvec(w, w->h, NULL, w->g, tmp);
	double gHg = vec_dot(n, w->g, tmp);
	double t = radius / gn;
	if (gHg > 0.0 && gn * gn / gHg < t)
		t = gn * gn / gHg;
	for (int i = 0; i < n; i++)
		s[i] = -t * w->g[i];
}

hessc_solve_status step_exact(tr_work *w, double radius, hessc_step_kind *kind, int *inner)
{
	int n = w->n;
	double *s = w->s, *t = w->v[0], *z = w->v[1], *hz = w->v[2], *best = w->v[3];
	const double sigma1 = 0.1, sigma2 = 0.01;
	const int max_fact = w->opt->max_inner > 0 && w->opt->max_inner < 50 ? w->opt->max_inner : 50;
	hessc_solve_status st = HESSC_SOLVE_CONVERGED;
	long start = w->inner_total;

	/* Gershgorin-style bounds on lambda* (More-Sorensen section 3) */
	double gn = vec_norm2(n, w->g), hnorm = 0.0, mindiag = INFINITY;
	for (int i = 0; i < n; i++)
		t[i] = 0.0;
	for (int j = 0; j < n; j++) {
		double djj = 0.0;
		for (int k = w->colptr[j]; k < w->colptr[j + 1]; k++) {
			int i = w->rowind[k];
			t[j] += fabs(w->h[k]);
			if (i != j)
				t[i] += fabs(w->h[k]);
			else
				djj = w->h[k];
		}
		if (djj < mindiag)
			mindiag = djj;
	}
	for (int i = 0; i < n; i++)
		if (t[i] > hnorm)
			hnorm = t[i];
	double lam_lo = fmax(0.0, fmax(-mindiag, gn / radius - hnorm));
	double lam_hi = fmax(0.0, gn / radius + hnorm);
	double lam = lam_lo;
	int have_best = 0;      /* best: a positive definite boundary-crossing s, scaled */

	*kind = HESSC_STEP_MAXINNER;
	for (int it = 0; it < max_fact; it++) {
		int pd = 0;
		st = factor(w, lam, &pd);
		if (st != HESSC_SOLVE_CONVERGED)
			goto done;
		if (!pd) {
			lam_lo = fmax(lam_lo, lam);
			lam = fmax(sqrt(lam_lo * lam_hi), lam_lo + 0.01 * (lam_hi - lam_lo));
			if (lam_hi - lam_lo <= 1e-15 * fmax(1.0, lam_hi))
				lam_hi *= 2.0;   /* H's norm estimate was too tight: widen */
			continue;
		}
		for (int i = 0; i < n; i++)
			t[i] = -w->g[i];
		if ((st = solve(w, t, s)) != HESSC_SOLVE_CONVERGED)
			goto done;
		double sn = vec_norm2(n, s);
		if (sn <= radius) {
			if (lam == 0.0 || fabs(sn - radius) <= sigma1 * radius) {
				*kind = lam == 0.0 && sn < radius ? HESSC_STEP_NEWTON : HESSC_STEP_BOUNDARY;
				goto done;
			}
			lam_hi = fmin(lam_hi, lam);
			/* hard case: z from inverse iteration on (H + lam I)^{-1} */
			for (int i = 0; i < n; i++)
				z[i] = 1.0 + 0.5 * sin(1.0 + i);   /* fixed, not orthogonal to much */
			for (int k = 0; k < 8; k++) {
				double zn = vec_norm2(n, z);
				for (int i = 0; i < n; i++)
					z[i] /= zn;
				if ((st = solve(w, z, hz)) != HESSC_SOLVE_CONVERGED)
					goto done;
				for (int i = 0; i < n; i++)
					z[i] = hz[i];
			}
			double zn = vec_norm2(n, z);
			for (int i = 0; i < n; i++)
				z[i] /= zn;
			sym_matvec(w, w->h, NULL, z, hz);
			double zhz = vec_dot(n, z, hz), zaz = zhz + lam;
			sym_matvec(w, w->h, NULL, s, hz);
			double sas = vec_dot(n, s, hz) + lam * sn * sn;
			/* q(s + tau z) - q(s) = tau (g'z + z'Hs) + tau^2 z'Hz / 2: of the two
			 * boundary points, keep the lower model value */
			double slope = vec_dot(n, w->g, z) + vec_dot(n, z, hz);
			double tau_p = boundary_tau(n, s, z, radius);
			for (int i = 0; i < n; i++)
				t[i] = -z[i];
			double tau_m = -boundary_tau(n, s, t, radius);
			double qp = tau_p * slope + 0.5 * tau_p * tau_p * zhz;
			double qm = tau_m * slope + 0.5 * tau_m * tau_m * zhz;
			double tau = qp <= qm ? tau_p : tau_m;
			if (tau * tau * zaz <= sigma2 * (sas + lam * radius * radius)) {
				for (int i = 0; i < n; i++)
					s[i] += tau * z[i];
				*kind = HESSC_STEP_HARDCASE;
				goto done;
			}
			lam_lo = fmax(lam_lo, lam - zaz);
		} else {
			lam_lo = fmax(lam_lo, lam);
			if (fabs(sn - radius) <= sigma1 * radius) {
				*kind = HESSC_STEP_BOUNDARY;
				goto done;
			}
			for (int i = 0; i < n; i++)
				best[i] = s[i] * (radius / sn);
			have_best = 1;
		}
		/* Newton on 1/radius - 1/||s||: lam += (||s||/||w||)^2 (||s|| - radius)/radius,
		 * ||w||^2 = s'(H + lam I)^{-1} s */
		if ((st = solve(w, s, t)) != HESSC_SOLVE_CONVERGED)
			goto done;
		double ww = vec_dot(n, s, t);
		double next = lam + (sn * sn / ww) * ((sn - radius) / radius);
		if (!(next > lam_lo) || !isfinite(next))
			next = fmax(sqrt(lam_lo * lam_hi), lam_lo + 0.01 * (lam_hi - lam_lo));
		lam = fmin(next, lam_hi);
	}
	/* no lambda within tolerance: the best boundary point, or the Cauchy point */
	if (have_best) {
		for (int i = 0; i < n; i++)
			s[i] = best[i];
	} else {
		cauchy_step(w, radius, s, t);
	}
done:
	w->snorm = vec_norm2(n, s);
	*inner = (int)(w->inner_total - start);
	return st;
}
