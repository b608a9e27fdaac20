/* test_curvature.c -- extreme eigenvalues, inertia and verdicts on quadratic
 * models with known spectra, through hand-written hessc_problem callbacks. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curvature.h"
#include "tridiag_eig.h"
#include "test_runner.h"

#define PI 3.14159265358979323846

/* f(x) = 1/2 x'Ax for a symmetric A given by its lower triangle (CSC). */
typedef struct quadratic {
	int n, nnz;
	int *colptr, *rowind;
	double *val;
} quadratic;

static void symv(const quadratic *q, const double *v, double *y)
{
	memset(y, 0, (size_t)q->n * sizeof *y);
	for (int j = 0; j < q->n; j++)
		for (int k = q->colptr[j]; k < q->colptr[j + 1]; k++) {
			int i = q->rowind[k];
			y[i] += q->val[k] * v[j];
			if (i != j)
				y[j] += q->val[k] * v[i];
		}
}

static double q_grad(const double *x, double *g, double *work, const void *data)
{
	(void)work;
	const quadratic *q = data;
	symv(q, x, g);
	double f = 0.0;
	for (int i = 0; i < q->n; i++)
		f += 0.5 * x[i] * g[i];
	return f;
}

static void q_hess(const double *x, double *h, double *work, const void *data)
{
	(void)x;
	(void)work;
	const quadratic *q = data;
	memcpy(h, q->val, (size_t)q->nnz * sizeof *h);
}

static void q_hessvec(const double *x, const double *v, double *hv, double *work,
                      const void *data)
{
	(void)x;
	(void)work;
	symv(data, v, hv);
}

static hessc_problem problem_of(const quadratic *q)
{
	hessc_problem p = {0};
	p.name = "quadratic";
	p.n = q->n;
	p.nnz = q->nnz;
	p.hess_colptr = q->colptr;
	p.hess_rowind = q->rowind;
	p.grad = q_grad;
	p.hess = q_hess;
	p.hessvec = q_hessvec;
	p.data = q;
	return p;
}

static int quadratic_alloc(quadratic *q, int n, int nnz)
{
	q->n = n;
	q->nnz = nnz;
	q->colptr = malloc((size_t)(n + 1) * sizeof *q->colptr);
	q->rowind = malloc((size_t)nnz * sizeof *q->rowind);
	q->val = malloc((size_t)nnz * sizeof *q->val);
	return q->colptr && q->rowind && q->val ? 0 : -1;
}

static void quadratic_free(quadratic *q)
{
	free(q->colptr);
	free(q->rowind);
	free(q->val);
}

static int diagonal(quadratic *q, int n, const double *d)
{
	if (quadratic_alloc(q, n, n) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		q->colptr[i] = i;
		q->rowind[i] = i;
		q->val[i] = d[i];
	}
	q->colptr[n] = n;
	return 0;
}

/* Blocks [[a, b], [b, a]] on the diagonal: eigenvalues a - b and a + b. */
static int two_by_two_blocks(quadratic *q, int blocks, const double *a, const double *b)
{
	int n = 2 * blocks;
	if (quadratic_alloc(q, n, 3 * blocks) != 0)
		return -1;
	int k = 0;
	for (int t = 0; t < blocks; t++) {
		q->colptr[2 * t] = k;
		q->rowind[k] = 2 * t;
		q->val[k++] = a[t];
		q->rowind[k] = 2 * t + 1;
		q->val[k++] = b[t];
		q->colptr[2 * t + 1] = k;
		q->rowind[k] = 2 * t + 1;
		q->val[k++] = a[t];
	}
	q->colptr[n] = k;
	return 0;
}

#define ASSERT_REL(expected, actual, tol) \
	CU_ASSERT(fabs((actual) - (expected)) <= (tol) * fabs(expected))

static void test_tridiagonal_eigensolver_matches_the_closed_form_spectrum(void)
{
	int k = 50;
	double d[50], e[49], z[2500];
	for (int i = 0; i < k; i++)
		d[i] = 2.0;
	for (int i = 0; i < k - 1; i++)
		e[i] = -1.0;
	CU_ASSERT_FATAL(tridiag_eig(k, d, e, z) == HESSC_OK);
	for (int j = 0; j < k; j++) {
		double exact = 2.0 - 2.0 * cos((j + 1) * PI / (k + 1));
		CU_ASSERT(fabs(d[j] - exact) <= 1e-13);
	}
	/* eigenvectors: T z = lambda z and unit length */
	for (int j = 0; j < k; j += 7) {
		const double *v = z + (size_t)j * k;
		double norm = 0.0, resid = 0.0;
		for (int i = 0; i < k; i++) {
			double tv = 2.0 * v[i] - (i > 0 ? v[i - 1] : 0.0) - (i + 1 < k ? v[i + 1] : 0.0);
			resid = fmax(resid, fabs(tv - d[j] * v[i]));
			norm += v[i] * v[i];
		}
		CU_ASSERT(resid <= 1e-13);
		CU_ASSERT(fabs(norm - 1.0) <= 1e-13);
	}
}

static void test_diagonal_quadratic_has_its_extreme_eigenvalues_found_and_is_a_minimum(void)
{
	int n = 2000;
	double *d = malloc((size_t)n * sizeof *d), *x = calloc((size_t)n, sizeof *x);
	for (int i = 0; i < n; i++)
		d[i] = 1.0 + 99.0 * (double)((i * 7919) % n) / (n - 1);  /* 1..100, shuffled */
	quadratic q;
	CU_ASSERT_FATAL(diagonal(&q, n, d) == 0);
	hessc_problem p = problem_of(&q);
	curvature_options o = {.inertia = 1};
	curvature_result r;
	CU_ASSERT_FATAL(curvature_analyze(&p, x, &o, &r) == HESSC_OK);
	CU_ASSERT(r.converged);
	ASSERT_REL(1.0, r.lambda_min, 1e-8);
	ASSERT_REL(100.0, r.lambda_max, 1e-8);
	CU_ASSERT(r.has_inertia);
	CU_ASSERT_EQUAL(r.positive, n);
	CU_ASSERT_EQUAL(r.negative, 0);
	CU_ASSERT_EQUAL(r.zero, 0);
	CU_ASSERT(r.has_gradient && r.stationary);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_MINIMUM);
	quadratic_free(&q);
	free(d);
	free(x);
}

static void test_laplacian_extremes_match_the_cosine_formula(void)
{
	int n = 120;
	quadratic q;
	CU_ASSERT_FATAL(quadratic_alloc(&q, n, 2 * n - 1) == 0);
	int k = 0;
	for (int j = 0; j < n; j++) {
		q.colptr[j] = k;
		q.rowind[k] = j;
		q.val[k++] = 2.0;
		if (j + 1 < n) {
			q.rowind[k] = j + 1;
			q.val[k++] = -1.0;
		}
	}
	q.colptr[n] = k;
	double *x = calloc((size_t)n, sizeof *x);
	hessc_problem p = problem_of(&q);
	curvature_options o = {.inertia = 1};
	curvature_result r;
	CU_ASSERT_FATAL(curvature_analyze(&p, x, &o, &r) == HESSC_OK);
	ASSERT_REL(2.0 - 2.0 * cos(PI / (n + 1)), r.lambda_min, 1e-8);
	ASSERT_REL(2.0 - 2.0 * cos(n * PI / (n + 1)), r.lambda_max, 1e-8);
	CU_ASSERT_EQUAL(r.positive, n);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_MINIMUM);
	quadratic_free(&q);
	free(x);
}

static void test_indefinite_blocks_are_a_saddle_with_the_right_inertia(void)
{
	int blocks = 500, n = 1000;
	double a[500], b[500];
	int negatives = 0;
	for (int t = 0; t < blocks; t++) {
		a[t] = 1.0 + (t % 10);                 /* 1..10 */
		b[t] = (t % 3 == 0) ? a[t] + 0.5 + t % 7 : 0.5 * a[t];
		negatives += b[t] > a[t];
	}
	b[17] = 30.0;                              /* a = 8: eigenvalues -22 and 38 */
	negatives += b[17] > a[17] && !(17 % 3 == 0);
	quadratic q;
	CU_ASSERT_FATAL(two_by_two_blocks(&q, blocks, a, b) == 0);
	double lo = INFINITY, hi = -INFINITY;
	for (int t = 0; t < blocks; t++) {
		lo = fmin(lo, a[t] - b[t]);
		hi = fmax(hi, a[t] + b[t]);
	}
	double *x = calloc((size_t)n, sizeof *x);
	hessc_problem p = problem_of(&q);
	curvature_options o = {.inertia = 1};
	curvature_result r;
	CU_ASSERT_FATAL(curvature_analyze(&p, x, &o, &r) == HESSC_OK);
	ASSERT_REL(lo, r.lambda_min, 1e-8);
	ASSERT_REL(hi, r.lambda_max, 1e-8);
	CU_ASSERT(r.has_inertia);
	CU_ASSERT_EQUAL(r.negative, negatives);
	CU_ASSERT_EQUAL(r.positive, n - negatives);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_SADDLE);

	/* a basis of six vectors needs restarts, and gets there */
	curvature_options small = {.max_basis = 6, .max_restarts = 200};
	CU_ASSERT_FATAL(curvature_analyze(&p, x, &small, &r) == HESSC_OK);
	CU_ASSERT_EQUAL(r.basis, 6);
	CU_ASSERT(r.restarts > 0);
	CU_ASSERT(r.converged);
	ASSERT_REL(lo, r.lambda_min, 1e-8);
	ASSERT_REL(hi, r.lambda_max, 1e-8);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_SADDLE);
	quadratic_free(&q);
	free(x);
}

static void test_negated_quadratic_is_a_maximum(void)
{
	int n = 300;
	double d[300];
	for (int i = 0; i < n; i++)
		d[i] = -(0.5 + i % 17);
	quadratic q;
	CU_ASSERT_FATAL(diagonal(&q, n, d) == 0);
	double x[300] = {0};
	hessc_problem p = problem_of(&q);
	curvature_options o = {.inertia = 1};
	curvature_result r;
	CU_ASSERT_FATAL(curvature_analyze(&p, x, &o, &r) == HESSC_OK);
	ASSERT_REL(-16.5, r.lambda_min, 1e-8);
	ASSERT_REL(-0.5, r.lambda_max, 1e-8);
	CU_ASSERT_EQUAL(r.negative, n);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_MAXIMUM);
	quadratic_free(&q);
}

static void test_singular_hessian_is_degenerate_and_says_why_it_has_no_inertia(void)
{
	int n = 200;
	double d[200];
	for (int i = 0; i < n; i++)
		d[i] = i == 37 ? 0.0 : 1.0 + i % 5;
	quadratic q;
	CU_ASSERT_FATAL(diagonal(&q, n, d) == 0);
	double x[200] = {0};
	hessc_problem p = problem_of(&q);
	curvature_options o = {.inertia = 1};
	curvature_result r;
	CU_ASSERT_FATAL(curvature_analyze(&p, x, &o, &r) == HESSC_OK);
	CU_ASSERT(fabs(r.lambda_min) <= 1e-12);
	ASSERT_REL(5.0, r.lambda_max, 1e-8);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_DEGENERATE);
	if (r.has_inertia) {
		CU_ASSERT_EQUAL(r.zero, 1);
	} else {
		CU_ASSERT_PTR_NOT_NULL(strstr(r.inertia_note, "zero pivot"));
	}
	quadratic_free(&q);
}

static void test_point_away_from_the_minimum_is_reported_as_not_stationary(void)
{
	double d[3] = {1, 2, 3}, x[3] = {1, 0, 0};
	quadratic q;
	CU_ASSERT_FATAL(diagonal(&q, 3, d) == 0);
	hessc_problem p = problem_of(&q);
	curvature_result r;
	CU_ASSERT_FATAL(curvature_analyze(&p, x, NULL, &r) == HESSC_OK);
	CU_ASSERT(r.has_gradient);
	CU_ASSERT(!r.stationary);
	CU_ASSERT_DOUBLE_EQUAL(r.grad_norm, 1.0, 1e-15);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_MINIMUM);
	CU_ASSERT(!r.has_inertia);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(curvature_write_json(f, &r, "diag3"), HESSC_OK);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"model\": \"diag3\", \"n\": 3, \"lambda_min\": "));
	const char *lo = strstr(buf, "\"lambda_min\": "), *hi = strstr(buf, "\"lambda_max\": ");
	CU_ASSERT_FATAL(lo != NULL && hi != NULL);
	CU_ASSERT_DOUBLE_EQUAL(strtod(lo + 14, NULL), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(strtod(hi + 14, NULL), 3.0, 1e-12);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"inertia\": null, \"inertia_note\": \"not computed\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"stationary\": false, \"verdict\": \"minimum\"}"));
	free(buf);
	quadratic_free(&q);
}

static void test_million_variable_saddle_is_found_within_a_small_memory_budget(void)
{
	int n = 1000000;
	double *d = malloc((size_t)n * sizeof *d), *x = calloc((size_t)n, sizeof *x);
	CU_ASSERT_FATAL(d != NULL && x != NULL);
	for (int i = 0; i < n; i++)
		d[i] = 1.0 + (double)(i % 1000) / 1000.0;   /* the bulk in [1, 2) */
	d[123456] = -5.0;
	d[n - 1] = 40.0;
	quadratic q;
	CU_ASSERT_FATAL(diagonal(&q, n, d) == 0);
	hessc_problem p = problem_of(&q);
	curvature_options o = {.inertia = 1, .memory_budget = (size_t)160 << 20};
	curvature_result r;
	CU_ASSERT_FATAL(curvature_analyze(&p, x, &o, &r) == HESSC_OK);
	CU_ASSERT(r.basis <= 20);
	CU_ASSERT(r.converged);
	ASSERT_REL(-5.0, r.lambda_min, 1e-8);
	ASSERT_REL(40.0, r.lambda_max, 1e-8);
	CU_ASSERT_EQUAL(r.negative, 1);
	CU_ASSERT_EQUAL(r.positive, n - 1);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_SADDLE);
	quadratic_free(&q);
	free(d);
	free(x);
}

static void nan_hessvec(const double *x, const double *v, double *hv, double *work,
                        const void *data)
{
	(void)x;
	(void)work;
	(void)data;
	(void)v;
	hv[0] = NAN;
	hv[1] = 0.0;
}

static void test_non_finite_hessian_vector_product_is_a_model_error(void)
{
	hessc_problem p = {0};
	p.n = 2;
	p.hessvec = nan_hessvec;
	double x[2] = {0, 0};
	curvature_result r;
	CU_ASSERT_EQUAL(curvature_analyze(&p, x, NULL, &r), HESSC_ERR_MODEL);
	p.hessvec = NULL;
	CU_ASSERT_EQUAL(curvature_analyze(&p, x, NULL, &r), HESSC_ERR_USAGE);
}

int main(void)
{
	static const test_case tests[] = {
		{"the tridiagonal eigensolver matches the closed-form spectrum", test_tridiagonal_eigensolver_matches_the_closed_form_spectrum},
		{"a diagonal quadratic has its extreme eigenvalues found and is a minimum", test_diagonal_quadratic_has_its_extreme_eigenvalues_found_and_is_a_minimum},
		{"Laplacian extremes match the cosine formula", test_laplacian_extremes_match_the_cosine_formula},
		{"indefinite blocks are a saddle with the right inertia", test_indefinite_blocks_are_a_saddle_with_the_right_inertia},
		{"a negated quadratic is a maximum", test_negated_quadratic_is_a_maximum},
		{"a singular Hessian is degenerate and says why it has no inertia", test_singular_hessian_is_degenerate_and_says_why_it_has_no_inertia},
		{"a point away from the minimum is reported as not stationary", test_point_away_from_the_minimum_is_reported_as_not_stationary},
		{"a million-variable saddle is found within a small memory budget", test_million_variable_saddle_is_found_within_a_small_memory_budget},
		{"a non-finite Hessian-vector product is a model error", test_non_finite_hessian_vector_product_is_a_model_error},
	};
	return run_test_suite("curvature", tests, TEST_COUNT(tests));
}
