/* step_cg.c -- Steihaug-Toint truncated preconditioned conjugate gradients.
 *
 * min q(u) = gq'u + u'Hu/2  subject to ||s0 + u||_2 <= radius, u_i = 0
 * outside the free set.  CG from u = 0 until the residual is small
 * (inner solve converged: a Newton step), the next iterate leaves the
 * region, or a direction of non-positive curvature appears; in the last
 * two cases the step goes to the boundary along the current direction.
 * The CG iterates decrease q monotonically, so the step is never worse
 * than the first (preconditioned steepest-descent) one.
 *
 * Norms: without s0 (the unconstrained step) the region is measured in the
 * preconditioner's norm ||u||_M = sqrt(u'Mu), in which the CG iterates
 * grow monotonically (Steihaug; Conn, Gould and Toint, section 7.5): with
 * a good M the region is shaped like H's own level sets.  With s0 (the
 * bounds method, whose projections are Euclidean) ||s0 + u||_2.
 */
#include <math.h>

#include "tr_internal.h"

void steihaug_cg(tr_work *w, const double *gq, const double *s0,
                 const unsigned char *mask, double radius, double tol,
                 int max_inner, double *u, hessc_step_kind *kind, int *iters)
{
	int n = w->n;
	double *r = w->v[0], *z = w->v[1], *p = w->v[2], *hp = w->v[3];
	double *pos = w->v[4];   /* Euclidean mode: s0 + u, for the boundary tests */
	const int mnorm = s0 == NULL;

	for (int i = 0; i < n; i++) {
		u[i] = 0.0;
		r[i] = (!mask || mask[i]) ? gq[i] : 0.0;
		pos[i] = s0 ? s0[i] : 0.0;
	}
	*iters = 0;
	*kind = HESSC_STEP_NEWTON;
	w->snorm = mnorm ? 0.0 : vec_norm2(n, pos);
	if (vec_norm2(n, r) <= tol)
		return;
	precond_apply(w, mask, r, z);
	for (int i = 0; i < n; i++)
		p[i] = -z[i];
	double rz = vec_dot(n, r, z);
	/* M-norm mode: u'Mu, u'Mp, p'Mp by recurrence (M never formed) */
	double uMu = 0.0, uMp = 0.0, pMp = rz;

	for (int it = 1; it <= max_inner; it++) {
		*iters = it;
		sym_matvec(w, w->h, mask, p, hp);
		double curv = vec_dot(n, p, hp);
		double alpha = curv > 0.0 ? rz / curv : 0.0;
		int leaves = 0;
		if (curv > 0.0) {
			double a2 = 0.0;
			if (mnorm) {
				a2 = uMu + 2.0 * alpha * uMp + alpha * alpha * pMp;
			} else {
				for (int i = 0; i < n; i++) {
					double t = pos[i] + alpha * p[i];
					a2 += t * t;
				}
			}
			leaves = !(sqrt(a2) < radius);
		}
		if (!(curv > 0.0) || leaves) {
			double tau;
			if (mnorm) {
				/* pMp tau^2 + 2 uMp tau + uMu - radius^2 = 0, positive root */
				double c = fmin(uMu - radius * radius, 0.0);
				double disc = sqrt(uMp * uMp - pMp * c);
				tau = uMp > 0.0 ? -c / (uMp + disc) : (disc - uMp) / pMp;
			} else {
				tau = boundary_tau(n, pos, p, radius);
			}
			for (int i = 0; i < n; i++)
				u[i] += tau * p[i];
			w->snorm = radius;
			*kind = curv > 0.0 ? HESSC_STEP_BOUNDARY : HESSC_STEP_NEGCURV;
			return;
		}
		for (int i = 0; i < n; i++) {
			u[i] += alpha * p[i];
			pos[i] += alpha * p[i];
			r[i] += alpha * hp[i];
		}
		uMu += 2.0 * alpha * uMp + alpha * alpha * pMp;
		w->snorm = mnorm ? sqrt(uMu) : vec_norm2(n, pos);
		if (vec_norm2(n, r) <= tol)
			return;
		precond_apply(w, mask, r, z);
		double rz_new = vec_dot(n, r, z);
		double beta = rz_new / rz;
		rz = rz_new;
		for (int i = 0; i < n; i++)
			p[i] = -z[i] + beta * p[i];
		uMp = beta * (uMp + alpha * pMp);
		pMp = rz + beta * beta * pMp;
	}
	*kind = HESSC_STEP_MAXINNER;
}

/* The unconstrained step: Steihaug-Toint from s = 0, forcing term
 * min(cg_forcing, ||g||) so that the inner residual shrinks like ||g||^2. */
hessc_solve_status step_cg(tr_work *w, double radius, hessc_step_kind *kind, int *inner)
{
	hessc_solve_status st = precond_build(w, NULL);
	if (st != HESSC_SOLVE_CONVERGED)
		return st;
	double gn = vec_norm2(w->n, w->g);
	double eta = w->opt->cg_forcing < gn ? w->opt->cg_forcing : gn;
	int max_inner = w->opt->max_inner > 0 ? w->opt->max_inner : w->n + 10;
	steihaug_cg(w, w->g, NULL, NULL, radius, eta * gn, max_inner, w->s, kind, inner);
	return HESSC_SOLVE_CONVERGED;
}
