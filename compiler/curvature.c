/* curvature.c -- extreme eigenvalues of the Hessian at a point by Lanczos
 * over Hessian-vector products, the verdict, and the writers (see
 * curvature.h; the inertia is in curvature_inertia.c). */
#include "curvature.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_stats.h"
#include "tridiag_eig.h"

#define DEFAULT_BASIS 200
#define DEFAULT_MAX_MATVECS 3000
#define DEFAULT_BUDGET ((size_t)256 << 20)
#define DEFAULT_RESTARTS 30
#define DEFAULT_TOL 1e-10
#define DEFAULT_ZERO_TOL 1e-8
#define CHECK_EVERY 10

typedef struct lanczos {
	const hessc_problem *p;
	const double *x;
	int n, m;          /* order, basis size */
	double *q;         /* m vectors of n */
	double *w;         /* n */
	double *work;      /* the kernels' scratch */
	double *alpha, *beta;   /* m each */
	double *d, *z;     /* eigen-decomposition of T: m, m*m */
	int matvecs;
} lanczos;

static double dot(int n, const double *a, const double *b)
{
	double s = 0.0;
	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static void axpy(int n, double a, const double *x, double *y)
{
	for (int i = 0; i < n; i++)
		y[i] += a * x[i];
}

/* Ritz values and residual bounds of the k-step Lanczos matrix. */
typedef struct ritz {
	double lo, hi, resid_lo, resid_hi;
} ritz;

static hessc_status ritz_extremes(lanczos *L, int k, double beta_k, ritz *r)
{
	memcpy(L->d, L->alpha, (size_t)k * sizeof *L->d);
	hessc_status st = tridiag_eig(k, L->d, L->beta, L->z);
	if (st != HESSC_OK)
		return st;
	r->lo = L->d[0];
	r->hi = L->d[k - 1];
	/* ||H u - theta u|| = |beta_k * last component of the T eigenvector| */
	r->resid_lo = fabs(beta_k * L->z[k - 1]);
	r->resid_hi = fabs(beta_k * L->z[(size_t)(k - 1) * k + (k - 1)]);
	return HESSC_OK;
}

static int ritz_converged(const ritz *r, double tol)
{
	double scale = fmax(fabs(r->lo), fabs(r->hi));
	if (scale == 0.0)
		return r->resid_lo == 0.0 && r->resid_hi == 0.0;
	return r->resid_lo <= tol * scale && r->resid_hi <= tol * scale;
}

/* One Lanczos cycle from the unit vector q[0]: up to m steps, stopping early
 * when both extremes have converged or the Krylov space is invariant.
 * *steps receives k, *r the extremes of T_k. */
static hessc_status lanczos_cycle(lanczos *L, double tol, int *steps, ritz *r)
{
	int n = L->n;
	double tnorm = 0.0;
	for (int j = 0; j < L->m; j++) {
		double *qj = L->q + (size_t)j * n;
		L->p->hessvec(L->x, qj, L->w, L->work, L->p->data);
		L->matvecs++;
		for (int i = 0; i < n; i++)
			if (!isfinite(L->w[i]))
				return HESSC_ERR_MODEL;
		L->alpha[j] = dot(n, qj, L->w);
		axpy(n, -L->alpha[j], qj, L->w);
		if (j > 0)
			axpy(n, -L->beta[j - 1], qj - n, L->w);
		/* full reorthogonalization, twice ("twice is enough") */
		for (int pass = 0; pass < 2; pass++)
			for (int i = 0; i <= j; i++) {
				const double *qi = L->q + (size_t)i * n;
				axpy(n, -dot(n, qi, L->w), qi, L->w);
			}
		double b = sqrt(dot(n, L->w, L->w));
		L->beta[j] = b;
		tnorm = fmax(tnorm, fabs(L->alpha[j]) + b + (j > 0 ? L->beta[j - 1] : 0.0));
		int invariant = b <= 1e-14 * tnorm;
		int last = j + 1 == L->m || invariant;
		if (last || (j + 1) % CHECK_EVERY == 0) {
			hessc_status st = ritz_extremes(L, j + 1, invariant ? 0.0 : b, r);
			if (st != HESSC_OK)
				return st;
			if (last || ritz_converged(r, tol)) {
				*steps = j + 1;
				return HESSC_OK;
			}
		}
		double *next = qj + n;
		for (int i = 0; i < n; i++)
			next[i] = L->w[i] / b;
	}
	return HESSC_ERR_INTERNAL; /* not reached: the last step returns */
}

/* The restart vector: the sum of the two extreme Ritz vectors Q s, normalized
 * (they are orthogonal unit vectors), written into w then moved to q[0]. */
static void restart_vector(lanczos *L, int k)
{
	int n = L->n;
	const double *s_lo = L->z, *s_hi = L->z + (size_t)(k - 1) * k;
	memset(L->w, 0, (size_t)n * sizeof *L->w);
	for (int i = 0; i < k; i++)
		axpy(n, s_lo[i] + s_hi[i], L->q + (size_t)i * n, L->w);
	double norm = sqrt(dot(n, L->w, L->w));
	for (int i = 0; i < n; i++)
		L->q[i] = L->w[i] / norm;
}

static void start_vector(double *q, int n, uint64_t seed)
{
	uint64_t s = seed ? seed : 0x9e3779b97f4a7c15ULL;
	double norm = 0.0;
	for (int i = 0; i < n; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		q[i] = (double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0;
		norm += q[i] * q[i];
	}
	norm = sqrt(norm);
	for (int i = 0; i < n; i++)
		q[i] /= norm;
}

static hessc_status extreme_eigenvalues(const hessc_problem *p, const double *x,
                                        const curvature_options *o, curvature_result *out)
{
	lanczos L = {.p = p, .x = x, .n = p->n};
	size_t budget = o->memory_budget ? o->memory_budget : DEFAULT_BUDGET;
	int m = o->max_basis > 0 ? o->max_basis : DEFAULT_BASIS;
	size_t fit = budget / ((size_t)p->n * sizeof(double));
	if ((size_t)m > fit)
		m = (int)fit;
	if (m > p->n)
		m = p->n;
	if (m < 2)
		m = p->n < 2 ? p->n : 2;
	L.m = m;
	double tol = o->tol > 0 ? o->tol : DEFAULT_TOL;
	int restarts = o->max_restarts > 0 ? o->max_restarts : DEFAULT_RESTARTS;

	hessc_status st = HESSC_ERR_NOMEM;
	L.q = malloc((size_t)m * (size_t)p->n * sizeof *L.q);
	L.w = malloc((size_t)p->n * sizeof *L.w);
	L.work = malloc((p->work_size ? p->work_size : 1) * sizeof *L.work);
	L.alpha = malloc((size_t)m * sizeof *L.alpha);
	L.beta = malloc((size_t)m * sizeof *L.beta);
	L.d = malloc((size_t)m * sizeof *L.d);
	L.z = malloc((size_t)m * (size_t)m * sizeof *L.z);
	if (!L.q || !L.w || !L.work || !L.alpha || !L.beta || !L.d || !L.z)
		goto done;

	start_vector(L.q, p->n, o->seed);
	/* each end keeps the estimate with the smallest residual of any cycle */
	ritz best = {INFINITY, -INFINITY, INFINITY, INFINITY};
	int cycle = 0;
	int max_matvecs = DEFAULT_MAX_MATVECS;
	for (;; cycle++) {
		int k = 0;
		ritz r;
		st = lanczos_cycle(&L, tol, &k, &r);
		if (st != HESSC_OK)
			goto done;
		if (r.resid_lo <= best.resid_lo) {
			best.lo = r.lo;
			best.resid_lo = r.resid_lo;
		}
		if (r.resid_hi <= best.resid_hi) {
			best.hi = r.hi;
			best.resid_hi = r.resid_hi;
		}
		/* k < m: the cycle stopped early, converged or on an invariant subspace */
		if (ritz_converged(&best, tol) || k < m || cycle >= restarts || k < 2 ||
		    L.matvecs + m > max_matvecs)
			break;
		restart_vector(&L, k);
	}
	out->lambda_min = best.lo;
	out->lambda_max = best.hi;
	out->resid_min = best.resid_lo;
	out->resid_max = best.resid_hi;
	out->converged = ritz_converged(&best, tol);
	out->matvecs = L.matvecs;
	out->basis = m;
	out->restarts = cycle;
	st = HESSC_OK;
done:
	free(L.q);
	free(L.w);
	free(L.work);
	free(L.alpha);
	free(L.beta);
	free(L.d);
	free(L.z);
	return st;
}

static void gradient_check(const hessc_problem *p, const double *x, curvature_result *out)
{
	double *g = malloc((size_t)p->n * sizeof *g);
	double *work = malloc((p->work_size ? p->work_size : 1) * sizeof *work);
	if (g != NULL && work != NULL) {
		out->f = p->grad(x, g, work, p->data);
		out->grad_norm = 0.0;
		for (int i = 0; i < p->n; i++)
			out->grad_norm = fmax(out->grad_norm, fabs(g[i]));
		out->has_gradient = 1;
		out->stationary = out->grad_norm <= 1e-6 * fmax(1.0, fabs(out->f));
	}
	free(g);
	free(work);
}

static curvature_verdict verdict_from_eigenvalues(const curvature_result *r, double zero_tol)
{
	double scale = fmax(fabs(r->lambda_min), fabs(r->lambda_max));
	double z = fmax(zero_tol * scale, fmax(r->resid_min, r->resid_max));
	if (scale == 0.0)
		return CURVATURE_DEGENERATE;
	int neg = r->lambda_min < -z, pos = r->lambda_max > z;
	if (neg && pos)
		return CURVATURE_SADDLE;
	if (r->lambda_min > z)
		return CURVATURE_MINIMUM;
	if (r->lambda_max < -z)
		return CURVATURE_MAXIMUM;
	return CURVATURE_DEGENERATE;
}

static curvature_verdict verdict_from_inertia(const curvature_result *r)
{
	if (r->negative > 0 && r->positive > 0)
		return CURVATURE_SADDLE;
	if (r->zero > 0 || (r->negative == 0 && r->positive == 0))
		return CURVATURE_DEGENERATE;
	return r->negative == 0 ? CURVATURE_MINIMUM : CURVATURE_MAXIMUM;
}

hessc_status curvature_analyze(const hessc_problem *p, const double *x,
                               const curvature_options *opt, curvature_result *out)
{
	curvature_options defaults = {0};
	const curvature_options *o = opt ? opt : &defaults;
	memset(out, 0, sizeof *out);
	if (p == NULL || x == NULL || p->n < 1 || p->hessvec == NULL)
		return HESSC_ERR_USAGE;
	if (o->inertia && (p->hess == NULL || p->hess_colptr == NULL ||
	                   (p->nnz > 0 && p->hess_rowind == NULL)))
		return HESSC_ERR_USAGE;
	out->n = p->n;
	hessc_status st = extreme_eigenvalues(p, x, o, out);
	if (st != HESSC_OK)
		return st;
	if (o->inertia) {
		st = curvature_inertia(p, x, o->max_factor_nnz, out);
		if (st != HESSC_OK)
			return st;
	} else {
		snprintf(out->inertia_note, sizeof out->inertia_note, "not computed");
	}
	if (p->grad != NULL)
		gradient_check(p, x, out);
	double zero_tol = o->zero_tol > 0 ? o->zero_tol : DEFAULT_ZERO_TOL;
	if (!out->converged && out->has_inertia) {
		out->verdict = verdict_from_inertia(out);
		out->verdict_from_inertia = 1;
	} else {
		out->verdict = verdict_from_eigenvalues(out, zero_tol);
	}
	return HESSC_OK;
}

const char *curvature_verdict_name(curvature_verdict v)
{
	switch (v) {
	case CURVATURE_MINIMUM: return "minimum";
	case CURVATURE_MAXIMUM: return "maximum";
	case CURVATURE_SADDLE: return "saddle";
	case CURVATURE_DEGENERATE: return "degenerate";
	}
	return "degenerate";
}

static const char *verdict_reason(curvature_verdict v)
{
	switch (v) {
	case CURVATURE_MINIMUM: return "Hessian positive definite";
	case CURVATURE_MAXIMUM: return "Hessian negative definite";
	case CURVATURE_SADDLE: return "Hessian indefinite: eigenvalues of both signs";
	case CURVATURE_DEGENERATE: return "Hessian singular: a zero eigenvalue, no curvature of the other sign";
	}
	return "";
}

hessc_status curvature_write_text(FILE *out, const curvature_result *r, const char *name)
{
	if (name != NULL)
		fprintf(out, "model:       %s\n", name);
	fprintf(out, "n:           %d\n", r->n);
	fprintf(out, "lambda_min:  %.17g  (residual %.3g)\n", r->lambda_min, r->resid_min);
	fprintf(out, "lambda_max:  %.17g  (residual %.3g)\n", r->lambda_max, r->resid_max);
	fprintf(out, "lanczos:     %s after %d Hessian-vector products (basis %d, %d restart%s)\n",
	        r->converged ? "converged" : "NOT converged", r->matvecs, r->basis, r->restarts,
	        r->restarts == 1 ? "" : "s");
	if (r->has_inertia)
		fprintf(out, "inertia:     %lld positive, %lld negative, %lld zero (LDL', %.0f entries in L)\n",
		        (long long)r->positive, (long long)r->negative, (long long)r->zero,
		        r->factor_nnz);
	else
		fprintf(out, "inertia:     %s\n", r->inertia_note);
	if (r->has_gradient)
		fprintf(out, "gradient:    ||g||_inf = %.3g at f = %.17g (%s)\n", r->grad_norm, r->f,
		        r->stationary ? "stationary point" : "NOT a stationary point");
	fprintf(out, "verdict:     %s (%s%s)\n", curvature_verdict_name(r->verdict),
	        verdict_reason(r->verdict), r->verdict_from_inertia ? "; from the inertia" : "");
	if (r->has_gradient && !r->stationary)
		fputs("note:        the gradient is not zero here, so the point is not a minimum, maximum\n"
		      "             or saddle point: the verdict describes the Hessian only\n", out);
	return ferror(out) ? HESSC_ERR_INTERNAL : HESSC_OK;
}

hessc_status curvature_write_json(FILE *out, const curvature_result *r, const char *name)
{
	fputc('{', out);
	if (name != NULL) {
		fputs("\"model\": ", out);
		pattern_json_string(out, name);
		fputs(", ", out);
	}
	fprintf(out, "\"n\": %d, \"lambda_min\": %.17g, \"lambda_max\": %.17g, "
	        "\"residual_min\": %.17g, \"residual_max\": %.17g, \"converged\": %s, "
	        "\"hessian_vector_products\": %d, \"restarts\": %d, ",
	        r->n, r->lambda_min, r->lambda_max, r->resid_min, r->resid_max,
	        r->converged ? "true" : "false", r->matvecs, r->restarts);
	if (r->has_inertia) {
		fprintf(out, "\"inertia\": {\"positive\": %lld, \"negative\": %lld, \"zero\": %lld}, ",
		        (long long)r->positive, (long long)r->negative, (long long)r->zero);
	} else {
		fputs("\"inertia\": null, \"inertia_note\": ", out);
		pattern_json_string(out, r->inertia_note);
		fputs(", ", out);
	}
	if (r->has_gradient)
		fprintf(out, "\"f\": %.17g, \"grad_norm\": %.17g, \"stationary\": %s, ", r->f,
		        r->grad_norm, r->stationary ? "true" : "false");
	fprintf(out, "\"verdict\": \"%s\"}\n", curvature_verdict_name(r->verdict));
	return ferror(out) ? HESSC_ERR_INTERNAL : HESSC_OK;
}
