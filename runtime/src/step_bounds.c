/* step_bounds.c -- the projected trust-region step for bound constraints,
 * after TRON (Lin and More, 1999).
 *
 * 1. Cauchy point: s(a) = P(x - a g) - x with a found by a projected search
 *    (factors 10 and 0.1) for the sufficient decrease q(s) <= mu0 g's inside
 *    the region; the last a is carried to the next iteration.
 * 2. Subspace steps from the Cauchy point: with the variables at a bound
 *    held fixed, preconditioned Steihaug CG on the free ones, then a
 *    projected search back into the box along the CG step.  Repeated while
 *    the search meets new bounds inside the region.
 * Projection onto a box containing x never lengthens a step, so every
 * step stays in the region.
 */
#include <math.h>

#include "tr_internal.h"

static const double mu0 = 0.01;

static double clamp(const tr_work *w, int i, double v)
{
	if (w->lo && v < w->lo[i])
		v = w->lo[i];
	if (w->up && v > w->up[i])
		v = w->up[i];
	return v;
}

void project(const tr_work *w, double *x)
{
	for (int i = 0; i < w->n; i++)
		x[i] = clamp(w, i, x[i]);
}

double grad_measure(const tr_work *w, const double *x, const double *g)
{
	if (!w->lo && !w->up)
		return vec_norminf(w->n, g);
	double m = 0.0;
	for (int i = 0; i < w->n; i++) {
		double d = fabs(x[i] - clamp(w, i, x[i] - g[i]));
		if (d > m || isnan(d))
			m = d;
	}
	return m;
}

/* st = P(x + base + beta d) - x; returns 1 if the projection moved a component */
static int projected_step(const tr_work *w, const double *base, double beta,
                          const double *d, double *st)
{
	int moved = 0;
	for (int i = 0; i < w->n; i++) {
		double xi = w->x[i] + (base ? base[i] : 0.0) + beta * d[i];
		double pi = clamp(w, i, xi);
		moved |= pi != xi;
		st[i] = pi - w->x[i];
	}
	return moved;
}

static int cauchy_ok(tr_work *w, const double *s, double radius)
{
	if (vec_norm2(w->n, s) > radius)
		return 0;
	double q = model_value(w, w->g, s, w->v[0]);
	return q <= mu0 * vec_dot(w->n, w->g, s);
}

static void cauchy_point(tr_work *w, double radius, double *s)
{
	double *trial = w->v[5];
	int n = w->n;
	double a = w->cauchy_alpha > 0.0 ? w->cauchy_alpha : 1.0;
	for (int i = 0; i < n; i++)
		w->v[6][i] = -w->g[i];
	projected_step(w, NULL, a, w->v[6], s);
	if (cauchy_ok(w, s, radius)) {
		for (int k = 0; k < 20; k++) {
			projected_step(w, NULL, 10.0 * a, w->v[6], trial);
			int same = 1;
			for (int i = 0; i < n && same; i++)
				same = trial[i] == s[i];
			if (same || !cauchy_ok(w, trial, radius))
				break;
			a *= 10.0;
			for (int i = 0; i < n; i++)
				s[i] = trial[i];
		}
	} else {
		for (int k = 0; k < 60; k++) {
			a *= 0.1;
			projected_step(w, NULL, a, w->v[6], s);
			if (cauchy_ok(w, s, radius))
				break;
		}
	}
	w->cauchy_alpha = a;
}

hessc_solve_status step_bounds(tr_work *w, double radius, hessc_step_kind *kind, int *inner)
{
	int n = w->n;
	double *s = w->s, *gq = w->v[6], *u = w->v[7], *st = w->v[5], *tmp = w->v[0];
	unsigned char *mask = w->freev;
	int max_inner = w->opt->max_inner > 0 ? w->opt->max_inner : n + 10;

	cauchy_point(w, radius, s);
	*kind = HESSC_STEP_CAUCHY;
	*inner = 0;

	/* forcing term on the projected gradient, as in the unconstrained case */
	for (int i = 0; i < n; i++)
		tmp[i] = w->x[i] - clamp(w, i, w->x[i] - w->g[i]);
	double pgn = vec_norm2(n, tmp);
	double tol = (w->opt->cg_forcing < pgn ? w->opt->cg_forcing : pgn) * pgn;

	for (int minor = 0; minor <= n; minor++) {
		int nfree = 0;
		for (int i = 0; i < n; i++) {
			double xi = w->x[i] + s[i];
			mask[i] = (!w->lo || xi > w->lo[i]) && (!w->up || xi < w->up[i]);
			nfree += mask[i];
		}
		if (nfree == 0)
			break;
		/* gradient of the model at s, on the free variables */
		sym_matvec(w, w->h, NULL, s, tmp);
		for (int i = 0; i < n; i++)
			gq[i] = mask[i] ? w->g[i] + tmp[i] : 0.0;
		if (vec_norm2(n, gq) <= tol)
			break;
		hessc_solve_status pst = precond_build(w, mask);
		if (pst != HESSC_SOLVE_CONVERGED)
			return pst;
		hessc_step_kind ck;
		int it;
		steihaug_cg(w, gq, s, mask, radius, tol, max_inner, u, &ck, &it);
		*inner += it;
		w->inner_total += it;

		/* projected search: q(st) <= q(s) + mu0 gq'(st - s), halving beta */
		double q0 = model_value(w, w->g, s, tmp);
		double beta = 1.0;
		int moved = 0, found = 0;
		for (int k = 0; k < 30 && !found; k++, beta *= 0.5) {
			moved = projected_step(w, s, beta, u, st);
			double lin = 0.0;
			for (int i = 0; i < n; i++)
				lin += gq[i] * (st[i] - s[i]);
			found = model_value(w, w->g, st, tmp) <= q0 + mu0 * lin;
		}
		if (!found)
			break;
		for (int i = 0; i < n; i++)
			s[i] = st[i];
		if (!moved) {
			*kind = ck;
			break;
		}
		*kind = HESSC_STEP_PROJECTED;
		if (vec_norm2(n, s) >= 0.99 * radius)
			break;
	}
	w->snorm = vec_norm2(n, s);
	return HESSC_SOLVE_CONVERGED;
}
