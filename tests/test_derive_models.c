/* test_derive_models.c -- derivatives of whole models against finite
 * differences: models written here (smooth and non-smooth pieces, defined
 * variables) and the model files given on the command line (the benchmark
 * models and, when the shared folder is there, the CUTE models).
 *
 * For a model with n variables the check costs a few evaluations of the
 * whole graph, whatever n: along a direction v, g.v is compared with the
 * central difference of f and H v with the central difference of g. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "diag_capture.h"
#include "frontend.h"

static char **model_files;
static int n_model_files;

/* Every node's value at x in one pass (graph_eval evaluates everything
 * below its root, so evaluate the last node). */
static void eval_all(const graph *g, const double *x, double *values)
{
	graph_eval(g, (node_id)(graph_size(g) - 1), x, values);
}

/* g.v and H v at x; values has room for graph_size(g) doubles. */
static double directional(const graph *g, const derivatives *d, const double *x,
                          const double *v, double *values, double *hv)
{
	eval_all(g, x, values);
	double gv = 0;
	for (size_t i = 0; i < d->n; i++) {
		gv += values[d->grad[i]] * v[i];
		hv[i] = 0;
	}
	for (size_t c = 0; c < d->n; c++)
		for (int32_t k = d->hess_colptr[c]; k < d->hess_colptr[c + 1]; k++) {
			size_t r = (size_t)d->hess_rowind[k];
			double h = values[d->hess[k]];
			hv[r] += h * v[c];
			if (r != c)
				hv[c] += h * v[r];
		}
	return gv;
}

/* The check itself; `name` says which model in failure messages. */
static void check_model(const char *path, const char *text)
{
	frontend_input in;
	memset(&in, 0, sizeof in);
	in.model.path = path;
	in.model.text = text;
	in.model.text_len = text ? strlen(text) : 0;
	diag_sink sink = diag_stderr_sink();
	graph *g = graph_new();
	model *m = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	hessc_status st = frontend_build(&in, &sink, g, &m);
	CU_ASSERT_EQUAL(st, HESSC_OK);
	if (st != HESSC_OK) {
		fprintf(stderr, "%s: front end failed\n", path);
		graph_free(g);
		return;
	}
	derivatives d;
	st = derive(g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &d);
	CU_ASSERT_EQUAL_FATAL(st, HESSC_OK);
	CU_ASSERT_EQUAL(graph_check(g), GRAPH_NO_NODE);
	size_t n = m->n;
	size_t room = n + 1;  /* malloc(0) may be NULL */
	double *x = calloc(room, sizeof *x), *v = calloc(room, sizeof *v);
	double *xp = malloc(room * sizeof *xp), *xm = malloc(room * sizeof *xm);
	double *hv = malloc(room * sizeof *hv), *hvp = malloc(room * sizeof *hvp), *hvm = malloc(room * sizeof *hvm);
	double *values = malloc(graph_size(g) * sizeof *values);
	CU_ASSERT_FATAL(x && v && xp && xm && hv && hvp && hvm && values);

	/* a point near x0 off any symmetry, and a direction with every sign */
	for (size_t i = 0; i < n; i++) {
		double u = sin(1.7 * (double)i + 0.3);
		x[i] = m->x0[i] + 0.01 * u * (1 + fabs(m->x0[i]));
		v[i] = cos(2.3 * (double)i + 0.1) * (1 + 0.01 * fabs(x[i]));
	}
	double gv = directional(g, &d, x, v, values, hv);
	double f = values[d.f];
	const double h = 1e-6;
	for (size_t i = 0; i < n; i++) {
		xp[i] = x[i] + h * v[i];
		xm[i] = x[i] - h * v[i];
	}
	directional(g, &d, xp, v, values, hvp);
	double fp = values[d.f];
	/* g(x +- h v) for the Hessian check */
	double *gplus = malloc(room * sizeof *gplus), *gminus = malloc(room * sizeof *gminus);
	CU_ASSERT_FATAL(gplus && gminus);
	for (size_t i = 0; i < n; i++)
		gplus[i] = values[d.grad[i]];
	directional(g, &d, xm, v, values, hvm);
	double fm = values[d.f];
	for (size_t i = 0; i < n; i++)
		gminus[i] = values[d.grad[i]];

	/* Central differences: truncation h^2 |f'''| / 6 and rounding
	 * eps |f| / h.  The tolerance is relative to the size of the terms
	 * that make up each quantity, with a wide margin over both errors. */
	double scale_f = fabs(f) + 1;
	double fd_gv = (fp - fm) / (2 * h);
	int ok = fabs(fd_gv - gv) <= 1e-5 * (fabs(gv) + 1) + 1e-9 * scale_f;
	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "%s: g.v = %.17g, finite difference %.17g\n", path, gv, fd_gv);
	double hv_norm = 0, g_norm = 0, worst = 0;
	size_t worst_i = 0;
	for (size_t i = 0; i < n; i++) {
		hv_norm = fmax(hv_norm, fabs(hv[i]));
		g_norm = fmax(g_norm, fabs(gplus[i]));
	}
	for (size_t i = 0; i < n; i++) {
		double fd = (gplus[i] - gminus[i]) / (2 * h);
		double err = fabs(fd - hv[i]);
		if (err > worst) {
			worst = err;
			worst_i = i;
		}
	}
	ok = worst <= 1e-5 * (hv_norm + 1) + 1e-9 * (g_norm + 1);
	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "%s: (H v)[%zu] = %.17g, finite difference %.17g\n", path, worst_i,
		        hv[worst_i], (gplus[worst_i] - gminus[worst_i]) / (2 * h));
	free(gplus);
	free(gminus);
	free(x);
	free(v);
	free(xp);
	free(xm);
	free(hv);
	free(hvp);
	free(hvm);
	free(values);
	derivatives_free(&d);
	model_free(m);
	graph_free(g);
}

static void test_a_rosenbrock_chain_matches_finite_differences(void)
{
	check_model("rosen.mod",
	            "param N := 20;\n"
	            "var x{1..N} := -1.2;\n"
	            "minimize f: sum {i in 1..N-1} (100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2);\n");
}

static void test_every_function_in_one_model_matches_finite_differences(void)
{
	check_model("functions.mod",
	            "var x{1..4} := 0.5;\n"
	            "var s = x[1]*x[2] + x[3];\n"
	            "minimize f: sin(s) + cos(x[2]) + tan(x[3]/3) + exp(x[4]) + log(1 + x[1]^2)\n"
	            "  + log10(2 + x[2]^2) + sqrt(1 + s^2) + asin(x[1]/3) + acos(x[2]/3)\n"
	            "  + atan(x[3]*x[4]) + atan2(x[1], 1 + x[4]^2) + sinh(x[2]) + cosh(x[3]/2)\n"
	            "  + tanh(s) + (1 + x[1]^2)^x[2] + x[3]^3 * x[4]^-2 / (1 + x[1]^2)\n"
	            "  + abs(x[1] - 2*x[2]) * x[3] + max(x[1]^2, x[2]) + min(x[3], x[4]^2)\n"
	            "  + (if x[1] < x[2] then x[3]^2*x[1] else exp(x[4]))\n"
	            "  + s^2 / 2 - 3*s;\n");
}

static void test_defined_variables_shared_by_terms_match_finite_differences(void)
{
	check_model("defined.mod",
	            "param N := 30;\n"
	            "var x{i in 1..N} := i / N;\n"
	            "var r{i in 1..N-1} = x[i+1]^2 - x[i];\n"
	            "var t = sum {i in 1..N} x[i];\n"
	            "minimize f: sum {i in 1..N-1} (r[i]^2 + r[i]*t) + t^2 / N + exp(-t / N);\n");
}

static void test_given_model_files_match_finite_differences(void)
{
	CU_ASSERT(n_model_files > 0);
	for (int i = 0; i < n_model_files; i++)
		check_model(model_files[i], NULL);
}

int main(int argc, char **argv)
{
	model_files = argv + 1;
	n_model_files = argc - 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("derivatives of models", NULL, NULL);
	CU_add_test(s, "a Rosenbrock chain matches finite differences", test_a_rosenbrock_chain_matches_finite_differences);
	CU_add_test(s, "every function in one model matches finite differences", test_every_function_in_one_model_matches_finite_differences);
	CU_add_test(s, "defined variables shared by terms match finite differences", test_defined_variables_shared_by_terms_match_finite_differences);
	CU_add_test(s, "given model files match finite differences", test_given_model_files_match_finite_differences);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
