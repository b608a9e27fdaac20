/* test_derive.c -- the first and second derivative of every operator,
 * against hand-derived formulas, at several points (and on both sides of
 * every branch switch of abs, min, max, if). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"

#define LN10 2.302585092994045684

/* f(x, y) derived and evaluated: value, gradient and the dense lower
 * triangle (h[0] = f_xx, h[1] = f_yx, h[2] = f_yy); present[k] says whether
 * entry k is in the pattern. */
typedef struct evaluated {
	double f, g[2], h[3];
	int present[3];
	size_t nnz;
} evaluated;

static evaluated at(graph *g, node_id f, double x, double y)
{
	evaluated e;
	memset(&e, 0, sizeof e);
	derivatives d;
	hessc_status st = derive(g, f, 2, DERIVE_DEFAULT_MAX_NNZ, &d);
	CU_ASSERT_EQUAL_FATAL(st, HESSC_OK);
	CU_ASSERT_EQUAL(graph_check(g), GRAPH_NO_NODE);
	double xs[2] = {x, y};
	double *scratch = malloc(graph_size(g) * sizeof *scratch);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scratch);
	e.f = graph_eval(g, d.f, xs, scratch);
	for (int i = 0; i < 2; i++)
		e.g[i] = graph_eval(g, d.grad[i], xs, scratch);
	for (int col = 0; col < 2; col++)
		for (int32_t k = d.hess_colptr[col]; k < d.hess_colptr[col + 1]; k++) {
			int row = d.hess_rowind[k];
			int slot = col == 0 ? row : 2;  /* (0,0)->0, (1,0)->1, (1,1)->2 */
			e.h[slot] = graph_eval(g, d.hess[k], xs, scratch);
			e.present[slot] = 1;
		}
	e.nnz = d.nnz;
	free(scratch);
	derivatives_free(&d);
	return e;
}

/* relative closeness: the hand formulas round differently from the graph */
static int close(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	return fabs(got - want) <= 1e-12 * (1 + fabs(want));
}

#define CHECK_CLOSE(got, want) CU_ASSERT(close((got), (want)))

/* ---- unary operators, directly and composed with x*y ---- */

typedef double (*fn)(double);
typedef struct unary_case {
	graph_op op;
	fn f, d1, d2;     /* the function and its hand-derived derivatives */
	double pts[4];    /* points inside the domain */
} unary_case;

static double d_sqrt(double u) { return 0.5 / sqrt(u); }
static double dd_sqrt(double u) { return -0.25 / (u * sqrt(u)); }
static double d_log(double u) { return 1 / u; }
static double dd_log(double u) { return -1 / (u * u); }
static double d_log10(double u) { return 1 / (u * LN10); }
static double dd_log10(double u) { return -1 / (u * u * LN10); }
static double d_cos(double u) { return -sin(u); }
static double dd_cos(double u) { return -cos(u); }
static double dd_sin(double u) { return -sin(u); }
static double d_tan(double u) { return 1 / (cos(u) * cos(u)); }
static double dd_tan(double u) { return 2 * tan(u) / (cos(u) * cos(u)); }
static double d_asin(double u) { return 1 / sqrt(1 - u * u); }
static double dd_asin(double u) { return u / pow(1 - u * u, 1.5); }
static double d_acos(double u) { return -1 / sqrt(1 - u * u); }
static double dd_acos(double u) { return -u / pow(1 - u * u, 1.5); }
static double d_atan(double u) { return 1 / (1 + u * u); }
static double dd_atan(double u) { return -2 * u / ((1 + u * u) * (1 + u * u)); }
static double d_tanh(double u) { return 1 / (cosh(u) * cosh(u)); }
static double dd_tanh(double u) { return -2 * tanh(u) / (cosh(u) * cosh(u)); }
static double neg(double u) { return -u; }
static double minus_one(double u) { (void)u; return -1; }
static double zero(double u) { (void)u; return 0; }
static double sign(double u) { return u > 0 ? 1 : u < 0 ? -1 : 0; }

static const unary_case unary_cases[] = {
	{OP_SQRT, sqrt, d_sqrt, dd_sqrt, {0.3, 1, 2.5, 9}},
	{OP_EXP, exp, exp, exp, {-1.5, 0, 0.7, 2}},
	{OP_LOG, log, d_log, dd_log, {0.2, 1, 3, 10}},
	{OP_LOG10, log10, d_log10, dd_log10, {0.2, 1, 3, 10}},
	{OP_SIN, sin, cos, dd_sin, {-2, 0, 0.5, 3}},
	{OP_COS, cos, d_cos, dd_cos, {-2, 0, 0.5, 3}},
	{OP_TAN, tan, d_tan, dd_tan, {-1.2, 0, 0.5, 1}},
	{OP_ASIN, asin, d_asin, dd_asin, {-0.9, 0, 0.3, 0.7}},
	{OP_ACOS, acos, d_acos, dd_acos, {-0.9, 0, 0.3, 0.7}},
	{OP_ATAN, atan, d_atan, dd_atan, {-3, 0, 0.5, 4}},
	{OP_SINH, sinh, cosh, sinh, {-2, 0, 0.5, 3}},
	{OP_COSH, cosh, sinh, cosh, {-2, 0, 0.5, 3}},
	{OP_TANH, tanh, d_tanh, dd_tanh, {-2, 0, 0.5, 3}},
	{OP_NEG, neg, minus_one, zero, {-2, 0, 0.5, 3}},
	{OP_ABS, fabs, sign, zero, {-2, -0.25, 0.5, 3}},
};

static void test_every_unary_function_has_its_hand_derived_derivatives(void)
{
	for (size_t c = 0; c < sizeof unary_cases / sizeof unary_cases[0]; c++) {
		const unary_case *u = &unary_cases[c];
		for (int p = 0; p < 4; p++) {
			/* f = op(x): f' and f'' */
			graph *g = graph_new();
			node_id x = graph_var(g, 0);
			evaluated e = at(g, graph_unary(g, u->op, x), u->pts[p], 0);
			CHECK_CLOSE(e.f, u->f(u->pts[p]));
			CHECK_CLOSE(e.g[0], u->d1(u->pts[p]));
			CU_ASSERT_EQUAL(e.g[1], 0);
			CHECK_CLOSE(e.h[0], u->d2(u->pts[p]));
			CU_ASSERT_FALSE(e.present[1] || e.present[2]);
			graph_free(g);

			/* f = op(x*y) at x = pts[p]/y: the chain rule through a product
			 *   f_x = op'(u) y, f_y = op'(u) x,
			 *   f_xx = op''(u) y^2, f_yx = op''(u) x y + op'(u), f_yy = op''(u) x^2 */
			double yv = 1.25, xv = u->pts[p] / yv, uv = xv * yv;
			g = graph_new();
			x = graph_var(g, 0);
			node_id y = graph_var(g, 1);
			e = at(g, graph_unary(g, u->op, graph_binary(g, OP_MUL, x, y)), xv, yv);
			CHECK_CLOSE(e.f, u->f(uv));
			CHECK_CLOSE(e.g[0], u->d1(uv) * yv);
			CHECK_CLOSE(e.g[1], u->d1(uv) * xv);
			CHECK_CLOSE(e.h[0], u->d2(uv) * yv * yv);
			CHECK_CLOSE(e.h[1], u->d2(uv) * xv * yv + u->d1(uv));
			CHECK_CLOSE(e.h[2], u->d2(uv) * xv * xv);
			CU_ASSERT(e.present[1]);
			graph_free(g);
		}
	}
}

static void test_piecewise_constant_functions_have_no_derivative(void)
{
	graph_op ops[] = {OP_FLOOR, OP_CEIL, OP_ROUND, OP_SIGN, OP_NOT};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		graph *g = graph_new();
		node_id x = graph_var(g, 0), y = graph_var(g, 1);
		node_id f = graph_unary(g, ops[i], graph_binary(g, OP_MUL, x, y));
		derivatives d;
		CU_ASSERT_EQUAL_FATAL(derive(g, f, 2, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
		double v;
		CU_ASSERT(graph_is_const(g, d.grad[0], &v) && v == 0);
		CU_ASSERT(graph_is_const(g, d.grad[1], &v) && v == 0);
		CU_ASSERT_EQUAL(d.nnz, 0);
		derivatives_free(&d);
		graph_free(g);
	}
	graph_op cmp[] = {OP_LT, OP_LE, OP_EQ, OP_NE, OP_AND, OP_OR, OP_DIVI};
	for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++) {
		graph *g = graph_new();
		node_id x = graph_var(g, 0), y = graph_var(g, 1);
		node_id f = graph_binary(g, cmp[i], graph_unary(g, OP_EXP, x), y);
		evaluated e = at(g, f, 0.3, 2);
		CU_ASSERT_EQUAL(e.g[0], 0);
		CU_ASSERT_EQUAL(e.g[1], 0);
		CU_ASSERT_EQUAL(e.nnz, 0);
		graph_free(g);
	}
}

/* ---- integer and real powers ---- */

static void test_integer_powers_differentiate_to_lower_powers(void)
{
	int ks[] = {2, 3, 4, 7, -1, -2, -3};
	double pts[] = {-1.5, 0.5, 2};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
		for (size_t p = 0; p < 3; p++) {
			int k = ks[i];
			double x = pts[p];
			graph *g = graph_new();
			evaluated e = at(g, graph_powi(g, graph_var(g, 0), k), x, 0);
			CHECK_CLOSE(e.f, pow(x, k));
			CHECK_CLOSE(e.g[0], k * pow(x, k - 1));                  /* d x^k = k x^(k-1) */
			CHECK_CLOSE(e.h[0], (double)k * (k - 1) * pow(x, k - 2)); /* k (k-1) x^(k-2) */
			CU_ASSERT(e.present[0]);
			graph_free(g);
		}
}

static void test_pow_with_constant_exponent_and_with_variable_exponent(void)
{
	double pts[][2] = {{0.5, 2.5}, {2, -1.5}, {3, 0.5}, {1.5, 3}};
	for (size_t p = 0; p < 4; p++) {
		double x = pts[p][0], y = pts[p][1];
		/* x^c: c x^(c-1), c (c-1) x^(c-2) */
		graph *g = graph_new();
		node_id f = graph_binary(g, OP_POW, graph_var(g, 0), graph_const(g, y));
		evaluated e = at(g, f, x, 0);
		CHECK_CLOSE(e.f, pow(x, y));
		CHECK_CLOSE(e.g[0], y * pow(x, y - 1));
		CHECK_CLOSE(e.h[0], y * (y - 1) * pow(x, y - 2));
		CU_ASSERT_EQUAL(e.nnz, 1);
		graph_free(g);
		/* x^y: f_x = y x^(y-1), f_y = x^y ln x, f_xx = y (y-1) x^(y-2),
		 * f_yx = x^(y-1) (1 + y ln x), f_yy = x^y ln^2 x */
		g = graph_new();
		f = graph_binary(g, OP_POW, graph_var(g, 0), graph_var(g, 1));
		e = at(g, f, x, y);
		CHECK_CLOSE(e.g[0], y * pow(x, y - 1));
		CHECK_CLOSE(e.g[1], pow(x, y) * log(x));
		CHECK_CLOSE(e.h[0], y * (y - 1) * pow(x, y - 2));
		CHECK_CLOSE(e.h[1], pow(x, y - 1) * (1 + y * log(x)));
		CHECK_CLOSE(e.h[2], pow(x, y) * log(x) * log(x));
		CU_ASSERT_EQUAL(e.nnz, 3);
		graph_free(g);
		/* c^y: c^y ln c, c^y ln^2 c */
		g = graph_new();
		f = graph_binary(g, OP_POW, graph_const(g, x), graph_var(g, 1));
		e = at(g, f, 0, y);
		CU_ASSERT_EQUAL(e.g[0], 0);
		CHECK_CLOSE(e.g[1], pow(x, y) * log(x));
		CHECK_CLOSE(e.h[2], pow(x, y) * log(x) * log(x));
		CU_ASSERT_EQUAL(e.nnz, 1);
		graph_free(g);
	}
}

/* ---- binary operators ---- */

static void test_products_and_quotients(void)
{
	double pts[][2] = {{1, 2}, {-0.5, 3}, {2.5, -0.75}};
	for (size_t p = 0; p < 3; p++) {
		double x = pts[p][0], y = pts[p][1];
		graph *g = graph_new();
		node_id X = graph_var(g, 0), Y = graph_var(g, 1);
		evaluated e = at(g, graph_binary(g, OP_MUL, X, Y), x, y);
		CHECK_CLOSE(e.g[0], y);
		CHECK_CLOSE(e.g[1], x);
		CU_ASSERT(!e.present[0] && e.present[1] && !e.present[2]);
		CHECK_CLOSE(e.h[1], 1);
		/* x/y: 1/y, -x/y^2; f_xx = 0 (structurally), f_yx = -1/y^2, f_yy = 2x/y^3 */
		e = at(g, graph_binary(g, OP_DIV, X, Y), x, y);
		CHECK_CLOSE(e.g[0], 1 / y);
		CHECK_CLOSE(e.g[1], -x / (y * y));
		CU_ASSERT(!e.present[0] && e.present[1] && e.present[2]);
		CHECK_CLOSE(e.h[1], -1 / (y * y));
		CHECK_CLOSE(e.h[2], 2 * x / (y * y * y));
		/* x*x: 2x, 2 */
		e = at(g, graph_binary(g, OP_MUL, X, X), x, y);
		CHECK_CLOSE(e.g[0], 2 * x);
		CHECK_CLOSE(e.h[0], 2);
		CU_ASSERT_EQUAL(e.nnz, 1);
		graph_free(g);
	}
}

static void test_atan2_in_both_arguments(void)
{
	/* f = atan2(x, y), r = x^2 + y^2: f_x = y/r, f_y = -x/r,
	 * f_xx = -2xy/r^2, f_yx = (x^2 - y^2)/r^2, f_yy = 2xy/r^2 */
	double pts[][2] = {{1, 2}, {-0.5, 3}, {2.5, -0.75}, {-1, -1}};
	for (size_t p = 0; p < 4; p++) {
		double x = pts[p][0], y = pts[p][1], r = x * x + y * y;
		graph *g = graph_new();
		evaluated e = at(g, graph_binary(g, OP_ATAN2, graph_var(g, 0), graph_var(g, 1)), x, y);
		CHECK_CLOSE(e.f, atan2(x, y));
		CHECK_CLOSE(e.g[0], y / r);
		CHECK_CLOSE(e.g[1], -x / r);
		CHECK_CLOSE(e.h[0], -2 * x * y / (r * r));
		CHECK_CLOSE(e.h[1], (x * x - y * y) / (r * r));
		CHECK_CLOSE(e.h[2], 2 * x * y / (r * r));
		graph_free(g);
	}
}

static void test_mod_differentiates_in_both_arguments(void)
{
	/* fmod(x, y) = x - y trunc(x/y): f_x = 1, f_y = -trunc(x/y) */
	double pts[][2] = {{7.5, 2}, {-7.5, 2}, {5, -1.5}, {0.5, 3}};
	for (size_t p = 0; p < 4; p++) {
		double x = pts[p][0], y = pts[p][1];
		graph *g = graph_new();
		evaluated e = at(g, graph_binary(g, OP_MOD, graph_var(g, 0), graph_var(g, 1)), x, y);
		CHECK_CLOSE(e.f, fmod(x, y));
		CHECK_CLOSE(e.g[0], 1);
		CHECK_CLOSE(e.g[1], -trunc(x / y));
		CU_ASSERT_EQUAL(e.nnz, 0);
		graph_free(g);
	}
}

/* ---- branches: abs, min, max, if on both sides of the switch ---- */

static void test_abs_takes_the_sign_and_is_flat_at_zero(void)
{
	/* f = |x^3|: f' = sign(x) 3x^2, f'' = sign(x) 6x */
	double pts[] = {-2, -0.5, 0, 0.5, 2};
	for (size_t p = 0; p < 5; p++) {
		double x = pts[p];
		graph *g = graph_new();
		node_id f = graph_unary(g, OP_ABS, graph_powi(g, graph_var(g, 0), 3));
		evaluated e = at(g, f, x, 0);
		CHECK_CLOSE(e.g[0], sign(x) * 3 * x * x);
		CHECK_CLOSE(e.h[0], sign(x) * 6 * x);
		CU_ASSERT(e.present[0]);
		graph_free(g);
	}
}

static void test_min_and_max_follow_the_active_operand(void)
{
	/* f = min(x^2, y) and max(x^2, y) around x^2 = y */
	double pts[][2] = {{1, 2}, {2, 1}, {-1.5, 2.25}, {3, -1}, {0.5, 0.1}};
	for (size_t p = 0; p < 5; p++) {
		double x = pts[p][0], y = pts[p][1];
		graph *g = graph_new();
		node_id X = graph_var(g, 0), Y = graph_var(g, 1);
		node_id sq = graph_powi(g, X, 2);
		int sq_first = sq < Y;  /* ties go to the operand with the lower id */
		int min_is_sq = x * x < y || (x * x == y && sq_first);
		int max_is_sq = x * x > y || (x * x == y && sq_first);
		evaluated e = at(g, graph_binary(g, OP_MIN, sq, Y), x, y);
		CHECK_CLOSE(e.f, fmin(x * x, y));
		CHECK_CLOSE(e.g[0], min_is_sq ? 2 * x : 0);
		CHECK_CLOSE(e.g[1], min_is_sq ? 0 : 1);
		CHECK_CLOSE(e.h[0], min_is_sq ? 2 : 0);
		CU_ASSERT(e.present[0]);  /* the pattern covers both branches */
		e = at(g, graph_binary(g, OP_MAX, sq, Y), x, y);
		CHECK_CLOSE(e.f, fmax(x * x, y));
		CHECK_CLOSE(e.g[0], max_is_sq ? 2 * x : 0);
		CHECK_CLOSE(e.g[1], max_is_sq ? 0 : 1);
		CHECK_CLOSE(e.h[0], max_is_sq ? 2 : 0);
		graph_free(g);
	}
}

static void test_if_differentiates_the_taken_branch(void)
{
	/* f = if x < y then x^2 y else sin(x) */
	double pts[][2] = {{1, 2}, {2, 1}, {-1, -0.5}, {0.5, 0.5}};
	for (size_t p = 0; p < 4; p++) {
		double x = pts[p][0], y = pts[p][1];
		graph *g = graph_new();
		node_id X = graph_var(g, 0), Y = graph_var(g, 1);
		node_id then_v = graph_binary(g, OP_MUL, graph_powi(g, X, 2), Y);
		node_id f = graph_if(g, graph_binary(g, OP_LT, X, Y), then_v, graph_unary(g, OP_SIN, X));
		evaluated e = at(g, f, x, y);
		if (x < y) {
			CHECK_CLOSE(e.g[0], 2 * x * y);
			CHECK_CLOSE(e.g[1], x * x);
			CHECK_CLOSE(e.h[0], 2 * y);
			CHECK_CLOSE(e.h[1], 2 * x);
			CHECK_CLOSE(e.h[2], 0);
		} else {
			CHECK_CLOSE(e.g[0], cos(x));
			CHECK_CLOSE(e.g[1], 0);
			CHECK_CLOSE(e.h[0], -sin(x));
			CHECK_CLOSE(e.h[1], 0);
		}
		CU_ASSERT(e.present[0] && e.present[1] && !e.present[2]);
		graph_free(g);
	}
}

static void test_an_untaken_branch_that_is_nan_does_not_leak(void)
{
	/* f = if 0 < x then sqrt(x)^3 else -x: at x = -4 the sqrt branch is NaN */
	graph *g = graph_new();
	node_id X = graph_var(g, 0);
	node_id f = graph_if(g, graph_binary(g, OP_LT, graph_const(g, 0), X),
	                     graph_powi(g, graph_unary(g, OP_SQRT, X), 3), graph_unary(g, OP_NEG, X));
	evaluated e = at(g, f, -4, 0);
	CU_ASSERT_EQUAL(e.f, 4);
	CU_ASSERT_EQUAL(e.g[0], -1);
	CU_ASSERT_EQUAL(e.h[0], 0);
	e = at(g, f, 4, 0);
	CHECK_CLOSE(e.g[0], 1.5 * 2);        /* 1.5 sqrt(x) */
	CHECK_CLOSE(e.h[0], 0.75 / 2);       /* 0.75 / sqrt(x) */
	graph_free(g);
}

static void test_a_long_chain_of_max_stays_linear_in_size(void)
{
	/* f = max(x_0^2, x_1^2, ..., x_{N-1}^2) as a chain of N-1 binary max:
	 * df/dx_k = 2 x_k for the largest square, 0 elsewhere; the derivative
	 * graph must not grow like N^2 */
	enum { N = 3000 };
	graph *g = graph_new();
	node_id f = graph_powi(g, graph_var(g, 0), 2);
	for (int i = 1; i < N; i++)
		f = graph_binary(g, OP_MAX, f, graph_powi(g, graph_var(g, i), 2));
	size_t before = graph_size(g);
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, f, N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	CU_ASSERT(graph_size(g) - before < 100 * (size_t)N);
	CU_ASSERT_EQUAL(d.nnz, N);
	double *x = malloc(N * sizeof *x), *values = malloc(graph_size(g) * sizeof *values);
	for (int i = 0; i < N; i++)
		x[i] = sin(0.37 * i);
	int top = 0;
	for (int i = 1; i < N; i++)
		if (x[i] * x[i] > x[top] * x[top])
			top = i;
	graph_eval(g, (node_id)(graph_size(g) - 1), x, values);
	for (int i = 0; i < N; i++) {
		CU_ASSERT_EQUAL(values[d.grad[i]], i == top ? 2 * x[i] : 0);
		CU_ASSERT_EQUAL(values[d.hess[i]], i == top ? 2 : 0);
	}
	free(x);
	free(values);
	derivatives_free(&d);
	graph_free(g);
}

static void test_linear_objectives_have_constant_gradients_and_no_hessian(void)
{
	graph *g = graph_new();
	node_id X = graph_var(g, 0), Y = graph_var(g, 1);
	node_id f = graph_binary(g, OP_ADD,
	                         graph_binary(g, OP_SUB, graph_binary(g, OP_MUL, graph_const(g, 3), X),
	                                      graph_binary(g, OP_DIV, Y, graph_const(g, 4))),
	                         graph_const(g, 5));
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, f, 2, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	double v;
	CU_ASSERT(graph_is_const(g, d.grad[0], &v) && v == 3);
	CU_ASSERT(graph_is_const(g, d.grad[1], &v) && v == -0.25);
	CU_ASSERT_EQUAL(d.nnz, 0);
	CU_ASSERT_EQUAL(d.f, f);
	derivatives_free(&d);
	/* a constant objective */
	CU_ASSERT_EQUAL_FATAL(derive(g, graph_const(g, 7), 2, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	CU_ASSERT(graph_is_const(g, d.grad[0], &v) && v == 0);
	CU_ASSERT_EQUAL(d.nnz, 0);
	CU_ASSERT_EQUAL(d.hess_colptr[2], 0);
	derivatives_free(&d);
	graph_free(g);
}

static void test_a_variable_out_of_range_is_an_internal_error(void)
{
	graph *g = graph_new();
	node_id f = graph_unary(g, OP_EXP, graph_var(g, 5));
	derivatives d;
	CU_ASSERT_EQUAL(derive(g, f, 2, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_ERR_INTERNAL);
	CU_ASSERT_PTR_NULL(d.grad);
	CU_ASSERT_EQUAL(derive(g, f + 100, 6, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_ERR_INTERNAL);
	graph_free(g);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("derive", NULL, NULL);
	CU_add_test(s, "every unary function has its hand-derived derivatives", test_every_unary_function_has_its_hand_derived_derivatives);
	CU_add_test(s, "piecewise constant functions have no derivative", test_piecewise_constant_functions_have_no_derivative);
	CU_add_test(s, "integer powers differentiate to lower powers", test_integer_powers_differentiate_to_lower_powers);
	CU_add_test(s, "pow with constant exponent and with variable exponent", test_pow_with_constant_exponent_and_with_variable_exponent);
	CU_add_test(s, "products and quotients", test_products_and_quotients);
	CU_add_test(s, "atan2 in both arguments", test_atan2_in_both_arguments);
	CU_add_test(s, "mod differentiates in both arguments", test_mod_differentiates_in_both_arguments);
	CU_add_test(s, "abs takes the sign and is flat at zero", test_abs_takes_the_sign_and_is_flat_at_zero);
	CU_add_test(s, "min and max follow the active operand", test_min_and_max_follow_the_active_operand);
	CU_add_test(s, "if differentiates the taken branch", test_if_differentiates_the_taken_branch);
	CU_add_test(s, "an untaken branch that is NaN does not leak", test_an_untaken_branch_that_is_nan_does_not_leak);
	CU_add_test(s, "a long chain of max stays linear in size", test_a_long_chain_of_max_stays_linear_in_size);
	CU_add_test(s, "linear objectives have constant gradients and no Hessian", test_linear_objectives_have_constant_gradients_and_no_hessian);
	CU_add_test(s, "a variable out of range is an internal error", test_a_variable_out_of_range_is_an_internal_error);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
