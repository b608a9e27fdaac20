/* test_tape.c -- the tape's interpreter against graph_eval, and the shape
 * of the lowered kernels (only needed nodes, each once, slots reused). */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tape.h"
#include "tape_fixtures.h"

#define ASSERT(expected, expr) CU_ASSERT_EQUAL((expr), (expected))
#define ASSERT_SAME(expected, actual)                                             \
	do {                                                                      \
		double e_ = (expected), a_ = (actual);                            \
		if (!(e_ == a_ || (isnan(e_) && isnan(a_))))                       \
			fprintf(stderr, "\n  %s: expected %.17g, got %.17g\n", #actual, e_, a_); \
		CU_ASSERT(e_ == a_ || (isnan(e_) && isnan(a_)));                   \
	} while (0)

static const double points[][4] = {
	{ -1.2, 1.0, 0.7, 3.0 },
	{ 0.5, -2.25, -1.5, 0.0 },
	{ 3.0, 0.125, 2.0, -1.0 },
};
#define N_POINTS (sizeof points / sizeof points[0])

/* Every output of every kernel equals graph_eval of its node, bit for bit
 * (the interpreter and graph_eval do the same operations in the same order). */
static void check_against_graph(const graph *g, const derivatives *d, const double *x)
{
	tape t;
	CU_ASSERT_FATAL(tape_build(g, d, &t) == HESSC_OK);
	double *scratch = malloc(graph_size(g) * sizeof *scratch);
	double *work = malloc((t.work_size + 1) * sizeof *work);
	double *out = malloc((d->n + d->nnz + 1) * sizeof *out);
	double *v = malloc((d->n + 1) * sizeof *v);
	double *hv = calloc(d->n + 1, sizeof *hv);
	CU_ASSERT_FATAL(scratch && work && out && v && hv);

	double f = graph_eval(g, d->f, x, scratch);
	ASSERT_SAME(f, tape_run(&t, TAPE_F, x, NULL, NULL, work));
	ASSERT_SAME(f, tape_run(&t, TAPE_GRAD, x, NULL, out, work));
	for (size_t i = 0; i < d->n; i++)
		ASSERT_SAME(graph_eval(g, d->grad[i], x, scratch), out[i]);
	tape_run(&t, TAPE_HESS, x, NULL, out, work);
	for (size_t k = 0; k < d->nnz; k++)
		ASSERT_SAME(graph_eval(g, d->hess[k], x, scratch), out[k]);

	/* H v for the full symmetric H, from the entries, in pattern order */
	for (size_t i = 0; i < d->n; i++)
		v[i] = 0.5 + 0.25 * (double)i;
	for (size_t col = 0; col < d->n; col++)
		for (int32_t k = d->hess_colptr[col]; k < d->hess_colptr[col + 1]; k++) {
			size_t row = (size_t)d->hess_rowind[k];
			double h = graph_eval(g, d->hess[k], x, scratch);
			hv[row] += h * v[col];
			if (row != col)
				hv[col] += h * v[row];
		}
	for (size_t i = 0; i < d->n; i++)
		out[i] = NAN;  /* the kernel must overwrite, not accumulate into, hv */
	tape_run(&t, TAPE_HESSVEC, x, v, out, work);
	for (size_t i = 0; i < d->n; i++)
		CU_ASSERT(fabs(out[i] - hv[i]) <= 1e-14 * fmax(1.0, fabs(hv[i])));

	free(scratch);
	free(work);
	free(out);
	free(v);
	free(hv);
	tape_free(&t);
}

static void test_rosenbrock_kernels_match_graph_eval(void)
{
	graph *g = graph_new();
	derivatives d;
	CU_ASSERT_FATAL(fixture_rosenbrock(g, &d));
	for (size_t p = 0; p < N_POINTS; p++)
		check_against_graph(g, &d, points[p]);
	fixture_free(&d);
	graph_free(g);
}

static void test_mixed_functions_match_graph_eval(void)
{
	graph *g = graph_new();
	derivatives d;
	CU_ASSERT_FATAL(fixture_mixed(g, &d));
	for (size_t p = 0; p < N_POINTS; p++)
		check_against_graph(g, &d, points[p]);
	fixture_free(&d);
	graph_free(g);
}

static void test_rosenbrock_values_are_the_hand_derived_ones(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	CU_ASSERT_FATAL(fixture_rosenbrock(g, &d));
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	double work[64], out[3], x[2] = { -1.2, 1.0 };
	CU_ASSERT_FATAL(t.work_size <= 64);
	CU_ASSERT_DOUBLE_EQUAL(tape_run(&t, TAPE_GRAD, x, NULL, out, work), 24.2, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(out[0], -215.6, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(out[1], -88.0, 1e-12);
	tape_run(&t, TAPE_HESS, x, NULL, out, work);
	CU_ASSERT_DOUBLE_EQUAL(out[0], 1330.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(out[1], 480.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(out[2], 200.0, 1e-12);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

static int count_kind(const tape_kernel *k, tape_kind kind)
{
	int n = 0;
	for (size_t i = 0; i < k->len; i++)
		n += k->code[i].kind == kind;
	return n;
}

static void test_each_kernel_holds_only_the_nodes_it_needs_once(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	CU_ASSERT_FATAL(fixture_rosenbrock(g, &d));
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	/* the Hessian needs neither f nor the gradient */
	for (size_t i = 0; i < t.kernel[TAPE_HESS].len; i++) {
		node_id id = t.kernel[TAPE_HESS].code[i].node;
		CU_ASSERT(id != d.f && id != d.grad[0] && id != d.grad[1]);
	}
	/* no node is computed twice in any kernel, operands before their users */
	for (int k = 0; k < TAPE_KERNELS; k++) {
		const tape_kernel *kern = &t.kernel[k];
		node_id last = 0;
		int first = 1;
		for (size_t i = 0; i < kern->len; i++) {
			const tape_instr *in = &kern->code[i];
			if (in->kind != TAPE_CONST && in->kind != TAPE_VAR && in->kind != TAPE_OP)
				continue;
			CU_ASSERT(first || in->node > last);
			last = in->node;
			first = 0;
		}
	}
	ASSERT(1, count_kind(&t.kernel[TAPE_F], TAPE_OUT_F));
	ASSERT(1, count_kind(&t.kernel[TAPE_GRAD], TAPE_OUT_F));
	ASSERT(2, count_kind(&t.kernel[TAPE_GRAD], TAPE_OUT));
	ASSERT(3, count_kind(&t.kernel[TAPE_HESS], TAPE_OUT));
	ASSERT(3, count_kind(&t.kernel[TAPE_HESSVEC], TAPE_HV_ACC));
	ASSERT(1, count_kind(&t.kernel[TAPE_HESSVEC], TAPE_HV_ZERO));
	ASSERT(TAPE_HV_ZERO, t.kernel[TAPE_HESSVEC].code[0].kind);
	ASSERT(TAPE_OUT_F, t.kernel[TAPE_F].code[t.kernel[TAPE_F].len - 1].kind);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

static void test_one_node_feeding_many_outputs_is_computed_once(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	CU_ASSERT_FATAL(fixture_alloc(&d, 3, 3));
	node_id s = graph_unary(g, OP_SIN, X(0));
	d.f = s;
	for (size_t i = 0; i < 3; i++) {
		d.grad[i] = s;  /* not a real gradient: three outputs of one node */
		d.hess_colptr[i + 1] = (int32_t)(i + 1);
		d.hess_rowind[i] = (int32_t)i;
		d.hess[i] = s;
	}
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	ASSERT(1, count_kind(&t.kernel[TAPE_GRAD], TAPE_OP));
	ASSERT(3, count_kind(&t.kernel[TAPE_GRAD], TAPE_OUT));
	ASSERT(1, count_kind(&t.kernel[TAPE_HESS], TAPE_OP));
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

static void test_a_long_chain_runs_in_a_few_slots(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	CU_ASSERT_FATAL(fixture_alloc(&d, 1, 0));
	node_id y = X(0);
	for (int i = 0; i < 1000; i++)
		y = graph_unary(g, i % 2 ? OP_SIN : OP_COS, ADD(y, K((double)i)));
	d.f = y;
	d.grad[0] = K(0);
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	CU_ASSERT(t.kernel[TAPE_F].len > 2000);
	CU_ASSERT(t.kernel[TAPE_F].n_slots <= 3);
	double scratch_x = 0.3, *scratch = malloc(graph_size(g) * sizeof *scratch);
	double work[3];
	ASSERT_SAME(graph_eval(g, d.f, &scratch_x, scratch),
	            tape_run(&t, TAPE_F, &scratch_x, NULL, NULL, work));
	free(scratch);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

static void test_many_separable_terms_match_graph_eval(void)
{
	graph *g = graph_new();
	derivatives d;
	CU_ASSERT_FATAL(fixture_separable(g, &d, 500));
	double x[500];
	for (int i = 0; i < 500; i++)
		x[i] = 0.01 * i * i - 1.0;
	check_against_graph(g, &d, x);
	fixture_free(&d);
	graph_free(g);
}

/* Every operator of ops.h, alone as f over three variables. */
static void test_every_operator_matches_graph_eval(void)
{
	static const double at[][3] = {
		{ 0.3, -0.7, 1.0 }, { -2.5, 2.5, 0.0 }, { 4.0, 3.0, -1.0 }, { 0.5, 0.5, 2.0 },
	};
	for (int op = 0; op < OP_COUNT; op++) {
		if (graph_op_arity((graph_op)op) == 0)  /* leaves */
			continue;
		int exponents[] = { 2, 3, 5, 8, -1, -3 };
		int variants = op == OP_POWI ? 6 : 1;
		for (int var = 0; var < variants; var++) {
			graph *g = graph_new();
			derivatives d;
			tape t;
			CU_ASSERT_FATAL(fixture_alloc(&d, 3, 0));
			node_id a = X(0), b = X(1), c = X(2);
			int arity = graph_op_arity((graph_op)op);
			d.f = op == OP_POWI ? POWI(a, exponents[var])
			    : op == OP_IF ? graph_if(g, c, a, b)
			    : arity == 1 ? graph_unary(g, (graph_op)op, a)
			    : graph_binary(g, (graph_op)op, a, b);
			for (int i = 0; i < 3; i++)
				d.grad[i] = K(0);
			CU_ASSERT_FATAL(!graph_failed(g));
			CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
			double *scratch = malloc(graph_size(g) * sizeof *scratch);
			double work[8];
			CU_ASSERT_FATAL(t.work_size <= 8);
			for (size_t p = 0; p < sizeof at / sizeof at[0]; p++) {
				double want = graph_eval(g, d.f, at[p], scratch);
				double got = tape_run(&t, TAPE_F, at[p], NULL, NULL, work);
				if (!(want == got || (isnan(want) && isnan(got))))
					fprintf(stderr, "\n  %s at point %zu: %.17g vs %.17g\n",
					        graph_op_name((graph_op)op), p, want, got);
				CU_ASSERT(want == got || (isnan(want) && isnan(got)));
			}
			free(scratch);
			tape_free(&t);
			fixture_free(&d);
			graph_free(g);
		}
	}
}

static void test_powers_are_exact_where_the_maths_is(void)
{
	ASSERT(1024.0, graph_powi_value(2.0, 10));
	ASSERT(0.25, graph_powi_value(2.0, -2));
	ASSERT(-27.0, graph_powi_value(-3.0, 3));
	ASSERT(1.0, graph_powi_value(7.0, 0));
	ASSERT(1.5 * 1.5, graph_powi_value(1.5, 2));
}

static void test_a_node_the_graph_lacks_is_an_internal_error(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	CU_ASSERT_FATAL(fixture_rosenbrock(g, &d));
	d.hess[2] = (node_id)graph_size(g) + 5;
	ASSERT(HESSC_ERR_INTERNAL, tape_build(g, &d, &t));
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("tape", NULL, NULL);
	CU_add_test(s, "rosenbrock kernels match graph_eval bit for bit", test_rosenbrock_kernels_match_graph_eval);
	CU_add_test(s, "mixed functions match graph_eval bit for bit", test_mixed_functions_match_graph_eval);
	CU_add_test(s, "rosenbrock values are the hand-derived ones", test_rosenbrock_values_are_the_hand_derived_ones);
	CU_add_test(s, "each kernel holds only the nodes it needs, once", test_each_kernel_holds_only_the_nodes_it_needs_once);
	CU_add_test(s, "one node feeding many outputs is computed once", test_one_node_feeding_many_outputs_is_computed_once);
	CU_add_test(s, "a long chain runs in a few slots", test_a_long_chain_runs_in_a_few_slots);
	CU_add_test(s, "many separable terms match graph_eval", test_many_separable_terms_match_graph_eval);
	CU_add_test(s, "every operator matches graph_eval", test_every_operator_matches_graph_eval);
	CU_add_test(s, "powers are exact where the maths is", test_powers_are_exact_where_the_maths_is);
	CU_add_test(s, "a node the graph lacks is an internal error", test_a_node_the_graph_lacks_is_an_internal_error);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
