/* solver.c -- hessc_solve: check the input, allocate the workspace once,
 * run the method, copy the result out, free everything on one path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tr_internal.h"

void hessc_solver_options_init(hessc_solver_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->method = HESSC_METHOD_TR_CG;
	opt->precond = HESSC_PRECOND_ICHOL;
	opt->gatol = 1e-6;
	opt->grtol = 1e-10;
	opt->step_tol = 1e-15;
	opt->max_iter = 1000;
	opt->max_time = INFINITY;
	opt->initial_radius = 0.0;
	opt->max_radius = 1e10;
	opt->max_inner = 0;
	opt->cg_forcing = 0.5;
	opt->eta_accept = 1e-4;
	opt->f_min = -1e100;
	opt->log = NULL;
	opt->log_user = NULL;
}

static const char *const status_names[] = {
	[HESSC_SOLVE_CONVERGED] = "converged",
	[HESSC_SOLVE_MAX_ITER] = "max_iter",
	[HESSC_SOLVE_TIME_LIMIT] = "time_limit",
	[HESSC_SOLVE_SMALL_STEP] = "small_step",
	[HESSC_SOLVE_NONFINITE] = "nonfinite",
	[HESSC_SOLVE_UNBOUNDED] = "unbounded",
	[HESSC_SOLVE_STOPPED] = "stopped",
	[HESSC_SOLVE_BAD_INPUT] = "bad_input",
	[HESSC_SOLVE_NO_MEMORY] = "no_memory",
	[HESSC_SOLVE_LINALG_ERROR] = "linalg_error",
};
static const char *const method_names[] = { "tr-cg", "tr-exact", "tr-bounds" };
static const char *const precond_names[] = { "none", "jacobi", "ichol" };
static const char *const kind_names[] = {
	"newton", "boundary", "negcurv", "hardcase", "maxinner", "cauchy", "projected", "-"
};

#define NAME_OF(table, v) \
	((unsigned)(v) < sizeof table / sizeof table[0] ? table[v] : "unknown")

const char *hessc_solve_status_name(hessc_solve_status s) { return NAME_OF(status_names, s); }
const char *hessc_method_name(hessc_method m) { return NAME_OF(method_names, m); }
const char *hessc_precond_name(hessc_precond p) { return NAME_OF(precond_names, p); }
const char *hessc_step_kind_name(hessc_step_kind k) { return NAME_OF(kind_names, k); }

int hessc_method_parse(const char *word, hessc_method *out)
{
	for (int i = 0; i < 2; i++)     /* tr-bounds is chosen, not requested */
		if (word && strcmp(word, method_names[i]) == 0) {
			*out = (hessc_method)i;
			return 0;
		}
	return -1;
}

int hessc_precond_parse(const char *word, hessc_precond *out)
{
	for (int i = 0; i < 3; i++)
		if (word && strcmp(word, precond_names[i]) == 0) {
			*out = (hessc_precond)i;
			return 0;
		}
	return -1;
}

void hessc_solver_result_free(hessc_solver_result *res)
{
	if (!res)
		return;
	free(res->x);
	res->x = NULL;
}

/* the pattern must be a lower triangle in CSC with sorted rows */
static int problem_ok(const hessc_problem *p)
{
	if (p->n < 0 || p->nnz < 0 || !p->f || !p->grad || !p->hess)
		return 0;
	if (p->n == 0)
		return 1;
	if (!p->hess_colptr || (p->nnz > 0 && !p->hess_rowind))
		return 0;
	if (p->hess_colptr[0] != 0 || p->hess_colptr[p->n] != p->nnz)
		return 0;
	for (int j = 0; j < p->n; j++) {
		if (p->hess_colptr[j + 1] < p->hess_colptr[j])
			return 0;
		for (int k = p->hess_colptr[j]; k < p->hess_colptr[j + 1]; k++) {
			int i = p->hess_rowind[k];
			if (i < j || i >= p->n || (k > p->hess_colptr[j] && i <= p->hess_rowind[k - 1]))
				return 0;
		}
	}
	for (int i = 0; i < p->n; i++)
		if (p->lower && p->upper && !(p->lower[i] <= p->upper[i]))
			return 0;
	return 1;
}

static int options_ok(const hessc_solver_options *o)
{
	return o->gatol >= 0.0 && o->grtol >= 0.0 && o->step_tol >= 0.0 && o->max_iter >= 0 &&
	       o->max_time >= 0.0 && o->max_radius > 0.0 && o->cg_forcing > 0.0 &&
	       o->eta_accept >= 0.0 && o->eta_accept < 0.25 &&
	       (unsigned)o->method <= HESSC_METHOD_TR_BOUNDS &&
	       (unsigned)o->precond <= HESSC_PRECOND_ICHOL;
}

static int has_finite(int n, const double *b)
{
	for (int i = 0; b && i < n; i++)
		if (isfinite(b[i]))
			return 1;
	return 0;
}

static void work_free(tr_work *w)
{
	free(w->kwork);
	free(w->x);
	free(w->g);
	free(w->h);
	free(w->xt);
	free(w->gt);
	free(w->ht);
	free(w->s);
	for (int i = 0; i < 8; i++)
		free(w->v[i]);
	free(w->freev);
	free(w->pc.diag);
	free(w->pc.scale);
	free(w->pc.lval);
	free(w->pc.tmp);
	exact_free(w);
}

#define ALLOC(ptr, count) \
	((ptr) = malloc(((size_t)(count) + 1) * sizeof *(ptr))) /* +1: never malloc(0) */

static int work_alloc(tr_work *w)
{
	size_t n = (size_t)w->n, nnz = (size_t)w->nnz;
	int ok = ALLOC(w->kwork, w->p->work_size) && ALLOC(w->x, n) && ALLOC(w->g, n) &&
	         ALLOC(w->h, nnz) && ALLOC(w->xt, n) && ALLOC(w->gt, n) && ALLOC(w->ht, nnz) &&
	         ALLOC(w->s, n) && ALLOC(w->freev, n) && ALLOC(w->pc.diag, n) &&
	         ALLOC(w->pc.scale, n) && ALLOC(w->pc.lval, nnz) && ALLOC(w->pc.tmp, n);
	for (int i = 0; ok && i < 8; i++)
		ok = ALLOC(w->v[i], n) != NULL;
	return ok;
}

hessc_solve_status hessc_solve(const hessc_problem *problem,
                               const hessc_solver_options *opt,
                               hessc_solver_result *res)
{
	hessc_solver_options defaults;
	tr_work w;
	hessc_solve_status st;

	memset(&w, 0, sizeof w);
	if (!res)
		return HESSC_SOLVE_BAD_INPUT;
	memset(res, 0, sizeof *res);
	res->f = res->grad_norm = res->grad_norm0 = NAN;
	if (!opt) {
		hessc_solver_options_init(&defaults);
		opt = &defaults;
	}
	if (!problem || !problem_ok(problem) || !options_ok(opt)) {
		st = HESSC_SOLVE_BAD_INPUT;
		goto done;
	}
	w.p = problem;
	w.opt = opt;
	w.n = problem->n;
	w.nnz = problem->nnz;
	w.colptr = problem->hess_colptr;
	w.rowind = problem->hess_rowind;
	w.lo = has_finite(w.n, problem->lower) ? problem->lower : NULL;
	w.up = has_finite(w.n, problem->upper) ? problem->upper : NULL;
	res->n = w.n;
	res->method = (w.lo || w.up) ? HESSC_METHOD_TR_BOUNDS : opt->method;
	if (!work_alloc(&w) || !(res->x = malloc(((size_t)w.n + 1) * sizeof *res->x))) {
		st = HESSC_SOLVE_NO_MEMORY;
		goto done;
	}
	step_fn step = step_cg;
	if (res->method == HESSC_METHOD_TR_BOUNDS) {
		step = step_bounds;
	} else if (res->method == HESSC_METHOD_TR_EXACT) {
		step = step_exact;
		if ((st = exact_setup(&w)) != HESSC_SOLVE_CONVERGED)
			goto done;
	}
	st = trust_region_run(&w, step, res);
	memcpy(res->x, w.x, (size_t)w.n * sizeof *res->x);
done:
	work_free(&w);
	res->status = st;
	return st;
}
