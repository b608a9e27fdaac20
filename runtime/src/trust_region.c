/* trust_region.c -- the outer trust-region iteration shared by every method.
 *
 * x_{k+1} = x_k + s_k when rho = (f(x_k) - f(x_k + s_k)) / (-q(s_k)) > eta,
 * q(s) = g's + s'Hs/2 evaluated here whatever step function made s.
 * Radius: x0.25 ||s|| when rho < 1/4, x2 when rho > 3/4 with the step on
 * the boundary.  A trial point where f, g or H is NaN or infinite is
 * rejected like a bad step (radius shrinks); only the initial point's
 * values must be finite.  Ratios use Conn-Gould-Toint's guard
 * (10 eps max(1, |f|) added to both reductions) so that rounding near a
 * solution does not reject good steps.
 */
#include <float.h>
#include <math.h>
#include <time.h>

#include "tr_internal.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void swap(double **a, double **b)
{
	double *t = *a;
	*a = *b;
	*b = t;
}

/* f, g and H at w->xt into w->gt, w->ht; returns f (NaN when anything is not finite) */
static double eval_trial_derivs(tr_work *w, hessc_solver_result *res)
{
	const hessc_problem *p = w->p;
	double f = p->grad(w->xt, w->gt, w->kwork, p->data);
	res->g_evals++;
	if (!isfinite(f) || !vec_finite((size_t)w->n, w->gt))
		return NAN;
	p->hess(w->xt, w->ht, w->kwork, p->data);
	res->h_evals++;
	if (!vec_finite((size_t)w->nnz, w->ht))
		return NAN;
	return f;
}

hessc_solve_status trust_region_run(tr_work *w, step_fn step, hessc_solver_result *res)
{
	const hessc_problem *p = w->p;
	const hessc_solver_options *o = w->opt;
	int n = w->n;
	double t0 = now();
	hessc_solve_status st;

	/* x0, projected onto the bounds: copy into xt, evaluate, swap in */
	for (int i = 0; i < n; i++)
		w->xt[i] = p->x0 ? p->x0[i] : 0.0;
	project(w, w->xt);
	double f = eval_trial_derivs(w, res);
	swap(&w->x, &w->xt);
	swap(&w->g, &w->gt);
	swap(&w->h, &w->ht);
	res->f = f;
	if (isnan(f)) {
		res->f = p->f(w->x, w->kwork, p->data);
		res->f_evals++;
		res->grad_norm = res->grad_norm0 = NAN;
		st = HESSC_SOLVE_NONFINITE;
		goto done;
	}
	double gm = grad_measure(w, w->x, w->g);
	res->grad_norm = res->grad_norm0 = gm;
	double tol = fmax(o->gatol, o->grtol * gm);

	double radius = o->initial_radius;
	if (!(radius > 0.0)) {
		/* max(1, ||x - P(x - g)||_2): the projected gradient's length */
		double *pg = w->v[0];
		for (int i = 0; i < n; i++)
			pg[i] = w->x[i] - w->g[i];
		project(w, pg);
		for (int i = 0; i < n; i++)
			pg[i] = w->x[i] - pg[i];
		radius = fmax(1.0, vec_norm2(n, w->v[0]));
	}
	radius = fmin(radius, o->max_radius);

	hessc_iter_info info = { 0, f, gm, radius, 0.0, NAN, 0, HESSC_STEP_NONE, 1 };
	if (o->log && o->log(&info, o->log_user)) {
		st = HESSC_SOLVE_STOPPED;
		goto done;
	}
	int last_nonfinite = 0;
	for (;;) {
		if (gm <= tol) {
			st = HESSC_SOLVE_CONVERGED;
			break;
		}
		if (f < o->f_min) {
			st = HESSC_SOLVE_UNBOUNDED;
			break;
		}
		if (res->iterations >= o->max_iter) {
			st = HESSC_SOLVE_MAX_ITER;
			break;
		}
		if (now() - t0 >= o->max_time) {
			st = HESSC_SOLVE_TIME_LIMIT;
			break;
		}
		if (radius < o->step_tol * fmax(1.0, vec_norm2(n, w->x))) {
			st = last_nonfinite ? HESSC_SOLVE_NONFINITE : HESSC_SOLVE_SMALL_STEP;
			break;
		}
		res->iterations++;
		hessc_step_kind kind;
		int inner = 0;
		st = step(w, radius, &kind, &inner);
		if (st != HESSC_SOLVE_CONVERGED)
			break;
		double snorm = w->snorm;
		double pred = -model_value(w, w->g, w->s, w->v[0]);
		for (int i = 0; i < n; i++)
			w->xt[i] = w->x[i] + w->s[i];
		project(w, w->xt);

		double ft = NAN, rho = NAN;
		int accepted = 0;
		if (pred > 0.0 && snorm > 0.0) {
			ft = p->f(w->xt, w->kwork, p->data);
			res->f_evals++;
			if (isfinite(ft)) {
				double guard = 10.0 * DBL_EPSILON * fmax(1.0, fabs(f));
				rho = (f - ft + guard) / (pred + guard);
				if (rho > o->eta_accept) {
					double fg = eval_trial_derivs(w, res);
					if (isnan(fg))
						rho = NAN;
					else
						accepted = 1;
				}
			}
		} else {
			rho = 0.0;  /* the model promises nothing: shrink */
		}
		last_nonfinite = isnan(rho);
		double used = radius;
		if (isnan(rho) || rho < 0.25)
			radius = 0.25 * fmin(radius, snorm > 0.0 ? snorm : radius);
		else if (rho > 0.75 && snorm >= 0.99 * radius)
			radius = fmin(2.0 * radius, o->max_radius);
		if (accepted) {
			swap(&w->x, &w->xt);
			swap(&w->g, &w->gt);
			swap(&w->h, &w->ht);
			f = ft;
			gm = grad_measure(w, w->x, w->g);
		}
		res->inner_iterations += inner;
		hessc_iter_info it = { res->iterations, f, gm, used, snorm, rho, inner, kind, accepted };
		if (o->log && o->log(&it, o->log_user)) {
			st = HESSC_SOLVE_STOPPED;
			break;
		}
	}
	res->f = f;
	res->grad_norm = gm;
done:
	res->time = now() - t0;
	return st;
}
