/* cli_solve_run.c -- what `hessc solve` does once the kernels are loaded:
 * run the solver with the command line's options, print the iteration
 * table on stderr and the result on stdout (text or JSON).
 *
 * maximize: the solver minimizes -f through the wrappers below; f is
 * reported as the model writes it, the gradient measure is the one of the
 * function minimized (what decides optimality).
 */
#include <math.h>
#include <stdio.h>

#include "cli_solve.h"

/* ---- -f for maximize: the wrapped problem is the data pointer ---- */
static double neg_f(const double *x, double *work, const void *data)
{
	const hessc_problem *p = data;
	return -p->f(x, work, p->data);
}

static double neg_grad(const double *x, double *g, double *work, const void *data)
{
	const hessc_problem *p = data;
	double f = p->grad(x, g, work, p->data);
	for (int i = 0; i < p->n; i++)
		g[i] = -g[i];
	return -f;
}

static void neg_hess(const double *x, double *h, double *work, const void *data)
{
	const hessc_problem *p = data;
	p->hess(x, h, work, p->data);
	for (int k = 0; k < p->nnz; k++)
		h[k] = -h[k];
}

static void neg_hessvec(const double *x, const double *v, double *hv, double *work,
                        const void *data)
{
	const hessc_problem *p = data;
	p->hessvec(x, v, hv, work, p->data);
	for (int i = 0; i < p->n; i++)
		hv[i] = -hv[i];
}

/* ---- the iteration table, Ipopt's layout: a header every 10 lines ---- */
typedef struct table {
	FILE *err;
	int sign;     /* -1 for maximize: print f as written */
	int lines;
} table;

static int table_line(const hessc_iter_info *it, void *user)
{
	table *t = user;
	if (t->lines % 10 == 0)
		fprintf(t->err, "iter    objective      ||g||      radius     ||s||      rho  inner  step\n");
	t->lines++;
	fprintf(t->err, "%4d%c %14.7e  %9.2e  %9.2e  %9.2e  %7.3g  %5d  %s\n", it->iter,
	        it->accepted ? ' ' : 'r', t->sign * it->f, it->grad_norm, it->radius, it->step_norm,
	        it->rho, it->inner, hessc_step_kind_name(it->kind));
	return 0;
}

/* ---- JSON ---- */
static void json_number(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.17g", v);
	else
		fputs("null", out);   /* JSON has no NaN or infinity */
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_json(FILE *out, const hessc_solver_result *r, double f, int n,
                       const char *const *names)
{
	fprintf(out, "{\"status\": \"%s\", \"f\": ", hessc_solve_status_name(r->status));
	json_number(out, f);
	fprintf(out, ", \"iterations\": %d, \"grad_norm\": ", r->iterations);
	json_number(out, r->grad_norm);
	fputs(", \"x\": [", out);
	for (int i = 0; r->x && i < n; i++) {
		if (i)
			fputs(", ", out);
		json_number(out, r->x[i]);
	}
	fputs("], \"names\": [", out);
	for (int i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		json_string(out, names ? names[i] : "");
	}
	fputs("]}\n", out);
}

static void print_text(FILE *out, const hessc_solver_result *r, double f, int n,
                       const char *const *names, int maximize)
{
	fprintf(out, "status      %s\n", hessc_solve_status_name(r->status));
	fprintf(out, "method      %s\n", hessc_method_name(r->method));
	fprintf(out, "%-11s %.17g\n", maximize ? "f (max)" : "f", f);
	fprintf(out, "grad_norm   %.3e (at x0 %.3e)\n", r->grad_norm, r->grad_norm0);
	fprintf(out, "iterations  %d (inner %ld)\n", r->iterations, r->inner_iterations);
	fprintf(out, "evaluations f %ld, gradient %ld, Hessian %ld\n", r->f_evals, r->g_evals,
	        r->h_evals);
	fprintf(out, "time        %.3f s\n", r->time);
	int shown = n <= 20 ? n : 10;
	for (int i = 0; r->x && i < shown; i++)
		fprintf(out, "  %-20s %.17g\n", names ? names[i] : "?", r->x[i]);
	if (shown < n)
		fprintf(out, "  ... %d more (--format json prints every value)\n", n - shown);
}

hessc_solve_status cli_solve_run(const hessc_problem *p, const char *const *names, int maximize,
                                 const cli_solve_options *o, FILE *out, FILE *err)
{
	hessc_problem neg = *p;
	hessc_solver_options opt;
	hessc_solver_result res;
	table t = { err, maximize ? -1 : 1, 0 };

	if (maximize) {
		neg.f = neg_f;
		neg.grad = neg_grad;
		neg.hess = neg_hess;
		neg.hessvec = p->hessvec ? neg_hessvec : NULL;
		neg.data = p;
	}
	hessc_solver_options_init(&opt);
	opt.method = o->method;
	opt.precond = o->precond;
	if (o->tol >= 0.0)
		opt.gatol = o->tol;
	if (o->rtol >= 0.0)
		opt.grtol = o->rtol;
	if (o->max_iter >= 0)
		opt.max_iter = o->max_iter;
	if (o->max_time >= 0.0)
		opt.max_time = o->max_time;
	opt.log = table_line;
	opt.log_user = &t;

	hessc_solve(&neg, &opt, &res);
	double f = maximize ? -res.f : res.f;
	if (o->json)
		print_json(out, &res, f, p->n, names);
	else
		print_text(out, &res, f, p->n, names, maximize);
	fflush(out);
	hessc_solve_status st = res.status;
	hessc_solver_result_free(&res);
	return st;
}
