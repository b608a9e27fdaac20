/* solve_bench_ipopt.c -- Ipopt (C interface) over a hessc_problem: the same
 * kernels, exact Hessian (lower triangle as Ipopt's triplets), bounds as
 * Ipopt's variable bounds, no constraints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <IpStdCInterface.h>

#include "solve_bench.h"

const int sb_have_ipopt = 1;

typedef struct ipopt_user {
	const hessc_problem *p;
	double *work, *g;
	long nf, ng, nh;
	int iterations;
} ipopt_user;

static Bool eval_f(Index n, Number *x, Bool new_x, Number *obj, UserDataPtr ud)
{
	ipopt_user *u = ud;
	(void)n;
	(void)new_x;
	u->nf++;
	*obj = u->p->f(x, u->work, u->p->data);
	return isfinite(*obj);
}

static Bool eval_grad(Index n, Number *x, Bool new_x, Number *grad, UserDataPtr ud)
{
	ipopt_user *u = ud;
	(void)new_x;
	u->ng++;
	double f = u->p->grad(x, grad, u->work, u->p->data);
	for (int i = 0; i < n; i++)
		if (!isfinite(grad[i]))
			return FALSE;
	return isfinite(f);
}

static Bool eval_g(Index n, Number *x, Bool new_x, Index m, Number *g, UserDataPtr ud)
{
	(void)n; (void)x; (void)new_x; (void)m; (void)g; (void)ud;
	return TRUE;
}

static Bool eval_jac(Index n, Number *x, Bool new_x, Index m, Index nele, Index *row,
                     Index *col, Number *val, UserDataPtr ud)
{
	(void)n; (void)x; (void)new_x; (void)m; (void)nele; (void)row; (void)col; (void)val;
	(void)ud;
	return TRUE;
}

/* values = obj_factor * H; structure = the lower triangle's (row, col) pairs */
static Bool eval_h(Index n, Number *x, Bool new_x, Number obj_factor, Index m, Number *lambda,
                   Bool new_lambda, Index nele, Index *row, Index *col, Number *val,
                   UserDataPtr ud)
{
	ipopt_user *u = ud;
	(void)new_x; (void)m; (void)lambda; (void)new_lambda;
	if (!val) {
		for (int j = 0; j < n; j++)
			for (int k = u->p->hess_colptr[j]; k < u->p->hess_colptr[j + 1]; k++) {
				row[k] = u->p->hess_rowind[k];
				col[k] = j;
			}
		return TRUE;
	}
	u->nh++;
	u->p->hess(x, val, u->work, u->p->data);
	for (int k = 0; k < nele; k++) {
		val[k] *= obj_factor;
		if (!isfinite(val[k]))
			return FALSE;
	}
	return TRUE;
}

static Bool intermediate(Index alg_mod, Index iter, Number obj, Number inf_pr, Number inf_du,
                         Number mu, Number d_norm, Number reg, Number alpha_du,
                         Number alpha_pr, Index ls, UserDataPtr ud)
{
	ipopt_user *u = ud;
	(void)alg_mod; (void)obj; (void)inf_pr; (void)inf_du; (void)mu; (void)d_norm;
	(void)reg; (void)alpha_du; (void)alpha_pr; (void)ls;
	u->iterations = iter;
	return TRUE;
}

static const char *status_word(enum ApplicationReturnStatus s)
{
	switch (s) {
	case Solve_Succeeded: return "succeeded";
	case Solved_To_Acceptable_Level: return "acceptable";
	case Infeasible_Problem_Detected: return "infeasible";
	case Search_Direction_Becomes_Too_Small: return "small_dir";
	case Diverging_Iterates: return "diverging";
	case User_Requested_Stop: return "stopped";
	case Maximum_Iterations_Exceeded: return "max_iter";
	case Restoration_Failed: return "resto_failed";
	case Error_In_Step_Computation: return "step_error";
	case Maximum_CpuTime_Exceeded: return "time_limit";
	case Invalid_Number_Detected: return "nonfinite";
	default: return "error";
	}
}

int sb_ipopt_solve(const hessc_problem *p, sb_run *r)
{
	int n = p->n, rc = -1;
	ipopt_user u = { p, NULL, NULL, 0, 0, 0, 0 };
	double *lo = malloc(((size_t)n + 1) * sizeof *lo);
	double *up = malloc(((size_t)n + 1) * sizeof *up);
	IpoptProblem ip = NULL;
	u.work = malloc((p->work_size + 1) * sizeof *u.work);
	if (!lo || !up || !u.work) {
		snprintf(r->status, sizeof r->status, "no_memory");
		goto done;
	}
	for (int i = 0; i < n; i++) {
		lo[i] = p->lower && isfinite(p->lower[i]) ? p->lower[i] : -1e19;
		up[i] = p->upper && isfinite(p->upper[i]) ? p->upper[i] : 1e19;
		r->x[i] = p->x0 ? p->x0[i] : 0.0;
	}
	ip = CreateIpoptProblem(n, lo, up, 0, NULL, NULL, 0, p->nnz, 0, eval_f, eval_g,
	                        eval_grad, eval_jac, eval_h);
	if (!ip) {
		snprintf(r->status, sizeof r->status, "create_failed");
		goto done;
	}
	AddIpoptIntOption(ip, "print_level", 0);
	AddIpoptStrOption(ip, "sb", "yes");
	AddIpoptIntOption(ip, "max_iter", 3000);
	SetIntermediateCallback(ip, intermediate);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum ApplicationReturnStatus st = IpoptSolve(ip, r->x, NULL, &r->f, NULL, NULL, NULL, &u);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->time = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	snprintf(r->status, sizeof r->status, "%s", status_word(st));
	r->iterations = u.iterations;
	r->f_evals = u.nf;
	r->g_evals = u.ng;
	r->h_evals = u.nh;
	rc = 0;
done:
	if (ip)
		FreeIpoptProblem(ip);
	free(lo);
	free(up);
	free(u.work);
	return rc;
}
