/* test_pattern.c -- exact Hessian sparsity patterns (diagonal, tridiagonal,
 * arrowhead, dense), entries that cancel structurally vs numerically, the
 * size guard, and finite-difference checks of gradient and Hessian. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "derive.h"

#define ADD(a, b) graph_binary(g, OP_ADD, (a), (b))
#define SUB(a, b) graph_binary(g, OP_SUB, (a), (b))
#define MUL(a, b) graph_binary(g, OP_MUL, (a), (b))
#define DIV(a, b) graph_binary(g, OP_DIV, (a), (b))
#define K(v) graph_const(g, (v))
#define X(i) graph_var(g, (i))
#define SQ(a) graph_powi(g, (a), 2)

/* The pattern as a list of (row, col) pairs in CSC order, checked against
 * `want` (n_want pairs, also in CSC order: by column, then row). */
static void check_pattern(const derivatives *d, const int (*want)[2], size_t n_want)
{
	CU_ASSERT_EQUAL_FATAL(d->nnz, n_want);
	size_t k = 0;
	for (size_t col = 0; col < d->n; col++) {
		CU_ASSERT(d->hess_colptr[col] <= d->hess_colptr[col + 1]);
		for (int32_t p = d->hess_colptr[col]; p < d->hess_colptr[col + 1]; p++, k++) {
			CU_ASSERT_EQUAL(d->hess_rowind[p], want[k][0]);
			CU_ASSERT_EQUAL((int)col, want[k][1]);
		}
	}
	CU_ASSERT_EQUAL((size_t)d->hess_colptr[d->n], n_want);
}

static void test_a_separable_sum_has_a_diagonal_hessian(void)
{
	enum { N = 6 };
	graph *g = graph_new();
	node_id f = K(0);
	for (int i = 0; i < N; i++)
		f = ADD(f, graph_unary(g, OP_EXP, MUL(K(i + 1.0), X(i))));
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, f, N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	int want[N][2];
	for (int i = 0; i < N; i++)
		want[i][0] = want[i][1] = i;
	check_pattern(&d, want, N);
	derivatives_free(&d);
	graph_free(g);
}

static void test_neighbour_couplings_give_a_tridiagonal_hessian(void)
{
	enum { N = 5 };
	graph *g = graph_new();
	node_id f = K(0);
	for (int i = 0; i + 1 < N; i++)    /* sum (x[i] - x[i+1])^2 + x[i]^4 */
		f = ADD(f, ADD(SQ(SUB(X(i), X(i + 1))), graph_powi(g, X(i), 4)));
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, f, N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	static const int want[][2] = {{0, 0}, {1, 0}, {1, 1}, {2, 1}, {2, 2}, {3, 2}, {3, 3}, {4, 3}, {4, 4}};
	check_pattern(&d, want, sizeof want / sizeof want[0]);
	/* values at x = (1, 2, 3, 4, 5): H_ii = 2 [i>0] + 2 [i<N-1] + 12 x_i^2 [i<N-1], H_i+1,i = -2 */
	double x[N] = {1, 2, 3, 4, 5};
	double *scratch = malloc(graph_size(g) * sizeof *scratch);
	for (int col = 0; col < N; col++)
		for (int32_t p = d.hess_colptr[col]; p < d.hess_colptr[col + 1]; p++) {
			double v = graph_eval(g, d.hess[p], x, scratch);
			double want = d.hess_rowind[p] != col ? -2
			            : 2.0 * (col > 0) + (col < N - 1 ? 2 + 12 * x[col] * x[col] : 0);
			CU_ASSERT_EQUAL(v, want);
		}
	free(scratch);
	derivatives_free(&d);
	graph_free(g);
}

/* arwhead: sum_{i<n-1} (-4 x_i + 3) + (x_i^2 + x_{n-1}^2)^2 */
static node_id arwhead(graph *g, int n)
{
	node_id f = K(0);
	for (int i = 0; i < n - 1; i++)
		f = ADD(f, ADD(ADD(MUL(K(-4), X(i)), K(3)), SQ(ADD(SQ(X(i)), SQ(X(n - 1))))));
	return f;
}

static void test_arwhead_has_an_arrowhead_hessian_with_exact_values(void)
{
	enum { N = 5 };
	graph *g = graph_new();
	node_id f = arwhead(g, N);
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, f, N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	static const int want[][2] = {{0, 0}, {4, 0}, {1, 1}, {4, 1}, {2, 2}, {4, 2}, {3, 3}, {4, 3}, {4, 4}};
	check_pattern(&d, want, sizeof want / sizeof want[0]);
	double x[N] = {0.5, -1, 2, 1.5, 3};
	double *scratch = malloc(graph_size(g) * sizeof *scratch);
	double xn = x[N - 1], hnn = 0;
	for (int i = 0; i < N - 1; i++) {
		double s = x[i] * x[i] + xn * xn;
		/* df/dx_i = -4 + 4 s x_i; H_ii = 4 s + 8 x_i^2; H_ni = 8 x_i x_n */
		CU_ASSERT(fabs(graph_eval(g, d.grad[i], x, scratch) - (-4 + 4 * s * x[i])) < 1e-12);
		CU_ASSERT(fabs(graph_eval(g, d.hess[2 * i], x, scratch) - (4 * s + 8 * x[i] * x[i])) < 1e-12);
		CU_ASSERT(fabs(graph_eval(g, d.hess[2 * i + 1], x, scratch) - 8 * x[i] * xn) < 1e-12);
		hnn += 4 * s + 8 * xn * xn;
	}
	CU_ASSERT(fabs(graph_eval(g, d.hess[2 * (N - 1)], x, scratch) - hnn) < 1e-12 * hnn);
	free(scratch);
	derivatives_free(&d);
	graph_free(g);
}

static void test_a_square_of_a_sum_has_a_dense_hessian(void)
{
	enum { N = 4 };
	graph *g = graph_new();
	node_id s = K(1);
	for (int i = 0; i < N; i++)
		s = ADD(s, X(i));
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, SQ(s), N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	static const int want[][2] = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {1, 1}, {2, 1}, {3, 1}, {2, 2}, {3, 2}, {3, 3}};
	check_pattern(&d, want, sizeof want / sizeof want[0]);
	/* every entry is 2, and they are all one node */
	for (size_t k = 0; k < d.nnz; k++)
		CU_ASSERT_EQUAL(d.hess[k], d.hess[0]);
	double v;
	CU_ASSERT(graph_is_const(g, d.hess[0], &v) && v == 2);
	derivatives_free(&d);
	graph_free(g);
}

static void test_a_variable_absent_from_the_objective_has_an_empty_column(void)
{
	graph *g = graph_new();
	node_id f = MUL(X(0), X(2));
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, f, 3, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	static const int want[][2] = {{2, 0}};
	check_pattern(&d, want, 1);
	double v;
	CU_ASSERT(graph_is_const(g, d.grad[1], &v) && v == 0);
	derivatives_free(&d);
	graph_free(g);
}

static void test_a_term_minus_itself_cancels_structurally(void)
{
	/* x*y - x*y: hash-consing makes one node t and t - t; the term's weights
	 * sum to exactly 0, so it contributes nothing; the same for
	 * sin(x y) - sin(y x) and for 0 * (x y) */
	graph *g = graph_new();
	node_id xy = MUL(X(0), X(1));
	node_id fs[3] = {
		SUB(xy, MUL(X(1), X(0))),
		SUB(graph_unary(g, OP_SIN, xy), graph_unary(g, OP_SIN, MUL(X(1), X(0)))),
		ADD(MUL(K(0), xy), MUL(K(2), X(0))),
	};
	for (int i = 0; i < 3; i++) {
		derivatives d;
		CU_ASSERT_EQUAL_FATAL(derive(g, fs[i], 2, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
		CU_ASSERT_EQUAL(d.nnz, 0);
		double v;
		CU_ASSERT(graph_is_const(g, d.grad[1], &v) && v == 0);
		CU_ASSERT(graph_is_const(g, d.grad[0], &v) && v == (i == 2 ? 2 : 0));
		derivatives_free(&d);
	}
	graph_free(g);
}

static void test_entries_that_cancel_numerically_stay_in_the_pattern(void)
{
	graph *g = graph_new();
	node_id x = X(0), y = X(1);
	/* (x+1) y - x y - y: the (y, x) entry is 1 - 1 = 0 but stays */
	node_id f1 = SUB(SUB(MUL(ADD(x, K(1)), y), MUL(x, y)), y);
	/* 0.1 x y + 0.2 x y - 0.3 x y: the weights sum to 5.55e-17, not 0 */
	node_id xy = MUL(x, y);
	node_id f2 = SUB(ADD(MUL(K(0.1), xy), MUL(K(0.2), xy)), MUL(K(0.3), xy));
	/* exp(x)^2 - exp(2x), one term inside a log: cancels inside one term */
	node_id f3 = graph_unary(g, OP_LOG, ADD(K(3), SUB(SQ(graph_unary(g, OP_EXP, x)),
	                                                    graph_unary(g, OP_EXP, MUL(K(2), x)))));
	node_id fs[3] = {f1, f2, f3};
	double x0[2] = {0.7, -1.3};
	double *scratch;
	for (int i = 0; i < 3; i++) {
		derivatives d;
		CU_ASSERT_EQUAL_FATAL(derive(g, fs[i], 2, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
		scratch = malloc(graph_size(g) * sizeof *scratch);
		if (i < 2) {
			static const int want[][2] = {{1, 0}};
			check_pattern(&d, want, 1);
			CU_ASSERT(fabs(graph_eval(g, d.hess[0], x0, scratch)) < 1e-15);
		} else {
			static const int want[][2] = {{0, 0}};
			check_pattern(&d, want, 1);
			CU_ASSERT(fabs(graph_eval(g, d.hess[0], x0, scratch)) < 1e-12);
		}
		free(scratch);
		derivatives_free(&d);
	}
	graph_free(g);
}

static void test_a_dense_hessian_too_big_is_refused_at_once_with_its_size(void)
{
	enum { N = 1000000 };
	graph *g = graph_new();
	node_id s = X(0);
	for (int i = 1; i < N; i++)
		s = ADD(s, X(i));
	derivatives d;
	CU_ASSERT_EQUAL(derive(g, SQ(s), N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_ERR_TOO_BIG);
	CU_ASSERT_EQUAL(d.nnz, (size_t)N * (N + 1) / 2);
	CU_ASSERT_PTR_NULL(d.grad);
	CU_ASSERT_PTR_NULL(d.hess);
	/* a small limit refuses a small model too */
	node_id f = arwhead(g, 10);
	CU_ASSERT_EQUAL(derive(g, f, 10, 18, &d), HESSC_ERR_TOO_BIG);
	CU_ASSERT(d.nnz >= 19);
	CU_ASSERT_EQUAL(derive(g, f, 10, 27, &d), HESSC_OK);
	CU_ASSERT_EQUAL(d.nnz, 19);
	derivatives_free(&d);
	graph_free(g);
}

static void test_a_product_with_a_separable_sum_is_not_refused(void)
{
	/* y * sum x[i]^2 with n = 200,000: one term over every variable, so the
	 * term bound is n^2/2 = 2e10, above the default limit; the Hessian has
	 * only the diagonal of the x and the row of y: 2(n-1) entries */
	enum { N = 200000 };
	graph *g = graph_new();
	node_id s = SQ(X(1));
	for (int i = 2; i < N; i++)
		s = ADD(s, SQ(X(i)));
	derivatives d;
	CU_ASSERT_EQUAL_FATAL(derive(g, MUL(X(0), s), N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	CU_ASSERT_EQUAL(d.nnz, 2 * (N - 1));
	CU_ASSERT_EQUAL(d.hess_colptr[1], N - 1);      /* column of y: rows 1..N-1 */
	CU_ASSERT_EQUAL(d.hess_rowind[0], 1);
	for (int c = 1; c < N; c++) {
		CU_ASSERT_EQUAL(d.hess_colptr[c + 1] - d.hess_colptr[c], 1);
		CU_ASSERT_EQUAL(d.hess_rowind[d.hess_colptr[c]], c);
	}
	derivatives_free(&d);
	graph_free(g);
}

/* ---- finite differences ---- */

/* f: R^4 -> R, a mixture of everything smooth */
static node_id mixture(graph *g, int which)
{
	node_id x0 = X(0), x1 = X(1), x2 = X(2), x3 = X(3);
	switch (which) {
	case 0:
		return ADD(ADD(graph_unary(g, OP_SIN, MUL(x0, x1)),
		               graph_unary(g, OP_EXP, DIV(x2, ADD(K(1), SQ(x3))))),
		           MUL(graph_unary(g, OP_LOG, ADD(K(1), SQ(x0))), graph_binary(g, OP_ATAN2, x1, x3)));
	case 1:
		return ADD(graph_binary(g, OP_POW, ADD(SQ(x2), K(1)), x0),
		           MUL(graph_unary(g, OP_SQRT, ADD(ADD(SQ(x1), SQ(x2)), K(1))),
		               graph_unary(g, OP_COSH, DIV(x3, K(3)))));
	case 2:
		return DIV(graph_unary(g, OP_TANH, SUB(x0, MUL(x1, x2))),
		           ADD(K(2), graph_unary(g, OP_COS, MUL(x3, x0))));
	default:
		return SUB(MUL(graph_unary(g, OP_ATAN, MUL(x0, x3)), graph_powi(g, ADD(x1, K(2)), -2)),
		           MUL(graph_unary(g, OP_ASIN, DIV(x2, K(4))), graph_unary(g, OP_LOG10, ADD(SQ(x1), K(2)))));
	}
}

static void test_gradient_and_hessian_match_finite_differences(void)
{
	enum { N = 4 };
	const double points[3][N] = {{0.3, -0.7, 1.1, 0.4}, {-1.2, 0.5, 0.2, -0.9}, {0.8, 1.3, -0.6, 2.0}};
	for (int which = 0; which < 4; which++) {
		graph *g = graph_new();
		node_id f = mixture(g, which);
		derivatives d;
		CU_ASSERT_EQUAL_FATAL(derive(g, f, N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
		double *scratch = malloc(graph_size(g) * sizeof *scratch);
		for (int p = 0; p < 3; p++) {
			double x[N], H[N][N];
			int in_pattern[N][N];
			memcpy(x, points[p], sizeof x);
			memset(H, 0, sizeof H);
			memset(in_pattern, 0, sizeof in_pattern);
			for (int c = 0; c < N; c++)
				for (int32_t k = d.hess_colptr[c]; k < d.hess_colptr[c + 1]; k++) {
					H[d.hess_rowind[k]][c] = graph_eval(g, d.hess[k], x, scratch);
					in_pattern[d.hess_rowind[k]][c] = 1;
				}
			/* central differences, h = 1e-5: truncation ~ h^2 |f'''| ~ 1e-10,
			 * rounding ~ 1e-16 |f| / h ~ 1e-11, so 1e-6 relative is sound */
			const double h = 1e-5;
			for (int j = 0; j < N; j++) {
				double xp[N], xm[N];
				memcpy(xp, x, sizeof x);
				memcpy(xm, x, sizeof x);
				xp[j] += h;
				xm[j] -= h;
				double fd = (graph_eval(g, f, xp, scratch) - graph_eval(g, f, xm, scratch)) / (2 * h);
				double gj = graph_eval(g, d.grad[j], x, scratch);
				CU_ASSERT(fabs(gj - fd) <= 1e-6 * (1 + fabs(gj)));
				for (int i = j; i < N; i++) {
					double hd = (graph_eval(g, d.grad[i], xp, scratch) -
					             graph_eval(g, d.grad[i], xm, scratch)) / (2 * h);
					CU_ASSERT(fabs(H[i][j] - hd) <= 1e-6 * (1 + fabs(hd)));
					CU_ASSERT(in_pattern[i][j] || fabs(hd) < 1e-8);
				}
			}
		}
		free(scratch);
		derivatives_free(&d);
		graph_free(g);
	}
}

/* A random smooth expression over x0..x2, every argument kept where its
 * function is smooth and tame (tanh squashes what could blow up). */
static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
	return (unsigned)(rng_state >> 33) % n;
}

static node_id random_expr(graph *g, int depth)
{
	if (depth == 0 || rnd(5) == 0)
		return rnd(4) ? X(rnd(3)) : K(0.5 + rnd(7) * 0.25);
	node_id a = random_expr(g, depth - 1);
	node_id t = graph_unary(g, OP_TANH, a);             /* in (-1, 1) */
	node_id pos = ADD(K(1), SQ(a));                      /* >= 1 */
	switch (rnd(24)) {
	case 0: return ADD(a, random_expr(g, depth - 1));
	case 1: return SUB(a, random_expr(g, depth - 1));
	case 2: return MUL(a, random_expr(g, depth - 1));
	case 3: return DIV(a, ADD(K(1), SQ(random_expr(g, depth - 1))));
	case 4: return graph_unary(g, OP_NEG, a);
	case 5: return graph_powi(g, t, (int)rnd(5) + 2);
	case 6: return graph_powi(g, pos, -(int)rnd(3) - 1);
	case 7: return graph_binary(g, OP_POW, pos, MUL(K(0.5), graph_unary(g, OP_TANH, random_expr(g, depth - 1))));
	case 8: return graph_binary(g, OP_POW, pos, K(0.75));
	case 9: return graph_unary(g, OP_SQRT, pos);
	case 10: return graph_unary(g, OP_EXP, t);
	case 11: return graph_unary(g, OP_LOG, pos);
	case 12: return graph_unary(g, OP_LOG10, ADD(K(1), pos));
	case 13: return graph_unary(g, OP_SIN, a);
	case 14: return graph_unary(g, OP_COS, a);
	case 15: return graph_unary(g, OP_TAN, t);
	case 16: return graph_unary(g, OP_ASIN, MUL(K(0.9), t));
	case 17: return graph_unary(g, OP_ACOS, MUL(K(0.9), t));
	case 18: return graph_unary(g, OP_ATAN, a);
	case 19: return graph_binary(g, OP_ATAN2, a, ADD(K(2), graph_unary(g, OP_TANH, random_expr(g, depth - 1))));
	case 20: return graph_unary(g, OP_SINH, t);
	case 21: return graph_unary(g, OP_COSH, t);
	case 22: return t;
	default: return MUL(K(3), ADD(a, graph_unary(g, OP_SIN, random_expr(g, depth - 1))));
	}
}

static void test_random_expressions_match_finite_differences(void)
{
	enum { N = 3, EXPRS = 300 };
	rng_state = 12345;
	int checked = 0;
	for (int e = 0; e < EXPRS; e++) {
		graph *g = graph_new();
		node_id f = random_expr(g, 5);
		derivatives d;
		CU_ASSERT_EQUAL_FATAL(derive(g, f, N, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
		CU_ASSERT_EQUAL(graph_check(g), GRAPH_NO_NODE);
		double *v = malloc(graph_size(g) * sizeof *v);
		double x[N] = {0.1 * rnd(11) - 0.5, 0.1 * rnd(11) - 0.5, 0.1 * rnd(11) - 0.5};
		double H[N][N] = {{0}};
		graph_eval(g, (node_id)(graph_size(g) - 1), x, v);
		double grad[N];
		for (int i = 0; i < N; i++)
			grad[i] = v[d.grad[i]];
		for (int c = 0; c < N; c++)
			for (int32_t k = d.hess_colptr[c]; k < d.hess_colptr[c + 1]; k++)
				H[d.hess_rowind[k]][c] = H[c][d.hess_rowind[k]] = v[d.hess[k]];
		/* central differences of f and of the gradient, h = 1e-5 */
		const double h = 1e-5;
		for (int j = 0; j < N; j++) {
			double xp[N], xm[N], gp[N], gm[N];
			memcpy(xp, x, sizeof x);
			memcpy(xm, x, sizeof x);
			xp[j] += h;
			xm[j] -= h;
			graph_eval(g, (node_id)(graph_size(g) - 1), xp, v);
			double fp = v[f];
			for (int i = 0; i < N; i++)
				gp[i] = v[d.grad[i]];
			graph_eval(g, (node_id)(graph_size(g) - 1), xm, v);
			double fm = v[f];
			for (int i = 0; i < N; i++)
				gm[i] = v[d.grad[i]];
			double fd = (fp - fm) / (2 * h);
			int ok = fabs(fd - grad[j]) <= 1e-6 * (1 + fabs(grad[j]) + fabs(v[f]));
			CU_ASSERT(ok);
			for (int i = 0; i < N; i++) {
				double hd = (gp[i] - gm[i]) / (2 * h);
				ok = ok && fabs(hd - H[i][j]) <= 1e-5 * (1 + fabs(H[i][j]));
				CU_ASSERT(fabs(hd - H[i][j]) <= 1e-5 * (1 + fabs(H[i][j])));
			}
			checked += ok;
		}
		free(v);
		derivatives_free(&d);
		graph_free(g);
	}
	CU_ASSERT_EQUAL(checked, EXPRS * N);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("pattern", NULL, NULL);
	CU_add_test(s, "a separable sum has a diagonal Hessian", test_a_separable_sum_has_a_diagonal_hessian);
	CU_add_test(s, "neighbour couplings give a tridiagonal Hessian", test_neighbour_couplings_give_a_tridiagonal_hessian);
	CU_add_test(s, "arwhead has an arrowhead Hessian with exact values", test_arwhead_has_an_arrowhead_hessian_with_exact_values);
	CU_add_test(s, "a square of a sum has a dense Hessian", test_a_square_of_a_sum_has_a_dense_hessian);
	CU_add_test(s, "a variable absent from the objective has an empty column", test_a_variable_absent_from_the_objective_has_an_empty_column);
	CU_add_test(s, "a term minus itself cancels structurally", test_a_term_minus_itself_cancels_structurally);
	CU_add_test(s, "entries that cancel numerically stay in the pattern", test_entries_that_cancel_numerically_stay_in_the_pattern);
	CU_add_test(s, "a dense Hessian too big is refused at once with its size", test_a_dense_hessian_too_big_is_refused_at_once_with_its_size);
	CU_add_test(s, "a product with a separable sum is not refused", test_a_product_with_a_separable_sum_is_not_refused);
	CU_add_test(s, "gradient and Hessian match finite differences", test_gradient_and_hessian_match_finite_differences);
	CU_add_test(s, "random expressions match finite differences", test_random_expressions_match_finite_differences);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
