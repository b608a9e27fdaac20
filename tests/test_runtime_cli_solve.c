/* test_runtime_cli_solve.c -- `hessc solve`'s output over loaded kernels
 * (compiler/cli_solve_run.c): the JSON object, the iteration table, and
 * maximize models solved as maximization. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cli_solve.h"
#include "runtime_problems.h"

static const char *const rosen_names[] = { "x[1]", "x[2]" };

static cli_solve_options defaults(int json)
{
	cli_solve_options o = { HESSC_METHOD_TR_CG, HESSC_PRECOND_ICHOL, -1.0, -1.0, -1, -1.0, json };
	return o;
}

/* run and capture stdout and stderr as strings (caller frees) */
static hessc_solve_status capture(const hessc_problem *p, const char *const *names, int maximize,
                                  const cli_solve_options *o, char **out, char **err)
{
	size_t out_len, err_len;
	FILE *fo = open_memstream(out, &out_len), *fe = open_memstream(err, &err_len);
	hessc_solve_status st = cli_solve_run(p, names, maximize, o, fo, fe);
	fclose(fo);
	fclose(fe);
	return st;
}

/* -(100 (y - x^2)^2 + (1 - x)^2): a maximize model whose maximum is 0 at (1, 1) */
static double neg_rosen_f(const double *x, double *w, const void *d)
{
	return -rosenbrock_problem.f(x, w, d);
}

static double neg_rosen_grad(const double *x, double *g, double *w, const void *d)
{
	double f = rosenbrock_problem.grad(x, g, w, d);
	g[0] = -g[0];
	g[1] = -g[1];
	return -f;
}

static void neg_rosen_hess(const double *x, double *h, double *w, const void *d)
{
	rosenbrock_problem.hess(x, h, w, d);
	for (int k = 0; k < 3; k++)
		h[k] = -h[k];
}

static void test_json_has_the_documented_keys_in_order(void)
{
	char *out, *err;
	cli_solve_options o = defaults(1);
	CU_ASSERT_EQUAL(capture(&rosenbrock_problem, rosen_names, 0, &o, &out, &err),
	                HESSC_SOLVE_CONVERGED);
	const char *keys[] = { "{\"status\": \"converged\", \"f\": ", ", \"iterations\": ",
	                       ", \"grad_norm\": ", ", \"x\": [", "], \"names\": [\"x[1]\", \"x[2]\"]}\n" };
	const char *at = out;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *k = strstr(at, keys[i]);
		CU_ASSERT_PTR_NOT_NULL(k);
		if (k)
			at = k + strlen(keys[i]);
	}
	CU_ASSERT_EQUAL(*at, '\0');
	/* 17 significant digits: x = (1, 1) to the last digit is not expected,
	 * but each printed value must read back to the double that was printed */
	double x1, x2;
	const char *xs = strstr(out, "\"x\": [");
	CU_ASSERT(xs && sscanf(xs, "\"x\": [%lf, %lf]", &x1, &x2) == 2);
	CU_ASSERT_DOUBLE_EQUAL(x1, 1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(x2, 1.0, 1e-6);
	/* the table went to stderr, with its header and the initial point's line */
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "iter    objective"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\n   0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, " 2.4200000e+01 "));
	free(out);
	free(err);
}

static void test_maximize_reports_f_as_written(void)
{
	hessc_problem p = rosenbrock_problem;
	p.f = neg_rosen_f;
	p.grad = neg_rosen_grad;
	p.hess = neg_rosen_hess;
	p.hessvec = NULL;
	char *out, *err;
	cli_solve_options o = defaults(1);
	CU_ASSERT_EQUAL(capture(&p, rosen_names, 1, &o, &out, &err), HESSC_SOLVE_CONVERGED);
	double f = NAN, x1 = NAN;
	const char *fs = strstr(out, "\"f\": "), *xs = strstr(out, "\"x\": [");
	CU_ASSERT(fs && sscanf(fs, "\"f\": %lf", &f) == 1);
	CU_ASSERT(xs && sscanf(xs, "\"x\": [%lf", &x1) == 1);
	CU_ASSERT(f <= 0.0 && f > -1e-12);       /* the maximum, with the model's sign */
	CU_ASSERT_DOUBLE_EQUAL(x1, 1.0, 1e-6);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "-2.4200000e+01"));  /* the table too */
	free(out);
	free(err);
}

static void test_options_reach_the_solver(void)
{
	char *out, *err;
	cli_solve_options o = defaults(1);
	o.max_iter = 2;
	o.method = HESSC_METHOD_TR_EXACT;
	CU_ASSERT_EQUAL(capture(&rosenbrock_problem, rosen_names, 0, &o, &out, &err),
	                HESSC_SOLVE_MAX_ITER);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"status\": \"max_iter\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"iterations\": 2,"));
	free(out);
	free(err);

	o = defaults(0);
	o.tol = 1e-3;
	CU_ASSERT_EQUAL(capture(&powell_problem, NULL, 0, &o, &out, &err), HESSC_SOLVE_CONVERGED);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "status      converged\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "method      tr-cg\n"));
	double g = NAN;
	const char *gs = strstr(out, "grad_norm   ");
	CU_ASSERT(gs && sscanf(gs, "grad_norm   %lf", &g) == 1);
	CU_ASSERT(g <= 1e-3 && g > 1e-9);    /* loose tolerance: stopped early */
	free(out);
	free(err);
}

static void test_nonfinite_values_print_as_null(void)
{
	static const double x0[] = { -1.0, -1.0 };
	hessc_problem p = log_barrier_problem;
	p.x0 = x0;
	char *out, *err;
	cli_solve_options o = defaults(1);
	CU_ASSERT_EQUAL(capture(&p, NULL, 0, &o, &out, &err), HESSC_SOLVE_NONFINITE);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"status\": \"nonfinite\", \"f\": null"));
	CU_ASSERT_PTR_NULL(strstr(out, "nan"));
	free(out);
	free(err);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	CU_pSuite s = CU_add_suite("hessc solve output", NULL, NULL);
	if (!CU_add_test(s, "the JSON object has the documented keys in order", test_json_has_the_documented_keys_in_order) ||
	    !CU_add_test(s, "a maximize model is maximized and f reported as written", test_maximize_reports_f_as_written) ||
	    !CU_add_test(s, "method, iteration limit and tolerance reach the solver", test_options_reach_the_solver) ||
	    !CU_add_test(s, "non-finite values print as JSON null", test_nonfinite_values_print_as_null)) {
		CU_cleanup_registry();
		return CU_get_error();
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
