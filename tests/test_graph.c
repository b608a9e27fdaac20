/* test_graph.c -- the expression graph: hash-consing, IEEE-safe
 * simplification (and the rewrites that must not happen), the interpreter. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

static graph *g;

static int setup(void) { return 0; }
static void fresh(void)
{
	graph_free(g);
	g = graph_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
}

static double eval1(node_id root, double x0, double x1)
{
	double x[2] = {x0, x1};
	double *scratch = malloc(graph_size(g) * sizeof *scratch);
	double v = graph_eval(g, root, x, scratch);
	free(scratch);
	return v;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void test_equal_subexpressions_are_one_node(void)
{
	fresh();
	node_id x = graph_var(g, 0), y = graph_var(g, 1);
	node_id s1 = graph_unary(g, OP_SIN, graph_binary(g, OP_ADD, x, y));
	size_t size = graph_size(g);
	node_id s2 = graph_unary(g, OP_SIN, graph_binary(g, OP_ADD, x, y));
	CU_ASSERT_EQUAL(s1, s2);
	CU_ASSERT_EQUAL(graph_size(g), size);
	CU_ASSERT_EQUAL(graph_var(g, 0), x);
	CU_ASSERT_NOT_EQUAL(graph_var(g, 2), x);
	CU_ASSERT_EQUAL(graph_powi(g, x, 3), graph_powi(g, x, 3));
	CU_ASSERT_NOT_EQUAL(graph_powi(g, x, 3), graph_powi(g, x, 4));
	CU_ASSERT_EQUAL(graph_const(g, 2.5), graph_const(g, 2.5));
}

static void test_commutative_operands_are_sorted_and_others_are_not(void)
{
	fresh();
	node_id x = graph_var(g, 0), y = graph_var(g, 1);
	CU_ASSERT_EQUAL(graph_binary(g, OP_MUL, x, y), graph_binary(g, OP_MUL, y, x));
	CU_ASSERT_EQUAL(graph_binary(g, OP_ADD, y, x), graph_binary(g, OP_ADD, x, y));
	CU_ASSERT_EQUAL(graph_binary(g, OP_MAX, y, x), graph_binary(g, OP_MAX, x, y));
	CU_ASSERT_EQUAL(graph_binary(g, OP_EQ, y, x), graph_binary(g, OP_EQ, x, y));
	CU_ASSERT_NOT_EQUAL(graph_binary(g, OP_SUB, x, y), graph_binary(g, OP_SUB, y, x));
	CU_ASSERT_NOT_EQUAL(graph_binary(g, OP_DIV, x, y), graph_binary(g, OP_DIV, y, x));
	CU_ASSERT_NOT_EQUAL(graph_binary(g, OP_ATAN2, x, y), graph_binary(g, OP_ATAN2, y, x));
	CU_ASSERT_NOT_EQUAL(graph_binary(g, OP_LT, x, y), graph_binary(g, OP_LT, y, x));
	const graph_node *m = graph_get(g, graph_binary(g, OP_MUL, y, x));
	CU_ASSERT(m->a < m->b);
}

static void test_operands_always_have_smaller_ids(void)
{
	fresh();
	node_id x = graph_var(g, 0), y = graph_var(g, 1);
	node_id e = graph_binary(g, OP_ADD, graph_unary(g, OP_EXP, y), graph_powi(g, x, 2));
	e = graph_if(g, graph_binary(g, OP_LT, x, y), e, graph_binary(g, OP_ATAN2, y, e));
	CU_ASSERT_FALSE(graph_failed(g));
	for (node_id i = 0; i < graph_size(g); i++) {
		const graph_node *n = graph_get(g, i);
		int ar = graph_op_arity((graph_op)n->op);
		if (ar > 0) CU_ASSERT(n->a < i);
		if (ar > 1) CU_ASSERT(n->b < i);
		if (ar > 2) CU_ASSERT(n->c < i);
	}
}

static void test_zero_and_negative_zero_are_different_constants(void)
{
	fresh();
	CU_ASSERT_NOT_EQUAL(graph_const(g, 0.0), graph_const(g, -0.0));
}

static void test_constants_fold_to_what_the_machine_computes(void)
{
	fresh();
	double v;
	node_id two = graph_const(g, 2), three = graph_const(g, 3);
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_ADD, two, three), &v) && v == 5);
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_DIV, two, three), &v) && same_bits(v, 2.0 / 3.0));
	node_id half = graph_const(g, 0.5);
	CU_ASSERT(graph_is_const(g, graph_unary(g, OP_SIN, half), &v) && same_bits(v, sin(0.5)));
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_POW, half, three), &v) && same_bits(v, pow(0.5, 3)));
	CU_ASSERT(graph_is_const(g, graph_powi(g, three, -3), &v) && same_bits(v, 1.0 / 27.0));
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_DIVI, graph_const(g, -7), two), &v) && v == -3);
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_MOD, graph_const(g, -7), two), &v) && v == -1);
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_LT, two, three), &v) && v == 1);
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_DIV, two, graph_const(g, 0)), &v) && v == INFINITY);
}

static void test_results_that_are_nan_are_not_folded(void)
{
	fresh();
	node_id m1 = graph_const(g, -1), zero = graph_const(g, 0);
	node_id l = graph_unary(g, OP_LOG, m1);
	CU_ASSERT_FALSE(graph_is_const(g, l, NULL));
	CU_ASSERT_EQUAL(graph_get(g, l)->op, OP_LOG);
	CU_ASSERT_FALSE(graph_is_const(g, graph_binary(g, OP_DIV, zero, zero), NULL));
	CU_ASSERT_FALSE(graph_is_const(g, graph_unary(g, OP_SQRT, m1), NULL));
	CU_ASSERT(isnan(eval1(l, 0, 0)));
}

static void test_ieee_safe_identities_are_simplified(void)
{
	fresh();
	node_id x = graph_var(g, 0), y = graph_var(g, 1);
	node_id one = graph_const(g, 1), m1 = graph_const(g, -1);
	CU_ASSERT_EQUAL(graph_binary(g, OP_MUL, x, one), x);
	CU_ASSERT_EQUAL(graph_binary(g, OP_MUL, one, x), x);
	CU_ASSERT_EQUAL(graph_binary(g, OP_DIV, x, one), x);
	CU_ASSERT_EQUAL(graph_binary(g, OP_SUB, x, graph_const(g, 0.0)), x);
	CU_ASSERT_EQUAL(graph_binary(g, OP_ADD, x, graph_const(g, -0.0)), x);
	CU_ASSERT_EQUAL(graph_unary(g, OP_NEG, graph_unary(g, OP_NEG, x)), x);
	CU_ASSERT_EQUAL(graph_binary(g, OP_POW, x, one), x);
	CU_ASSERT_EQUAL(graph_powi(g, x, 1), x);
	CU_ASSERT_EQUAL(graph_powi(g, x, 0), one);
	CU_ASSERT_EQUAL(graph_binary(g, OP_POW, x, graph_const(g, 0.0)), one);
	node_id negx = graph_unary(g, OP_NEG, x);
	CU_ASSERT_EQUAL(graph_binary(g, OP_MUL, x, m1), negx);
	CU_ASSERT_EQUAL(graph_binary(g, OP_DIV, x, m1), negx);
	CU_ASSERT_EQUAL(graph_binary(g, OP_ADD, y, negx), graph_binary(g, OP_SUB, y, x));
	CU_ASSERT_EQUAL(graph_binary(g, OP_SUB, y, negx), graph_binary(g, OP_ADD, x, y));
	node_id c = graph_binary(g, OP_LT, x, y);
	CU_ASSERT_EQUAL(graph_if(g, c, y, y), y);
	CU_ASSERT_EQUAL(graph_if(g, one, x, y), x);
	CU_ASSERT_EQUAL(graph_if(g, graph_const(g, 0), x, y), y);
	CU_ASSERT_EQUAL(graph_if(g, graph_const(g, NAN), x, y), x);
	/* each of them holds bit for bit at the awkward points */
	double pts[] = {-0.0, 0.0, INFINITY, -INFINITY, NAN, 3.5};
	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
		double a = pts[i];
		CU_ASSERT(same_bits(a * 1.0, a) || isnan(a));
		CU_ASSERT(same_bits(a - 0.0, a) || isnan(a));
		CU_ASSERT(same_bits(a + -0.0, a) || isnan(a));
		CU_ASSERT(same_bits(pow(a, 0.0), 1.0));
	}
}

/* A value-blind graph keeps x * 1, x * -1, x / 1, x - 0, x + -0 and
 * pow(x, 1) as they are (equal shapes for equal formulas over different
 * data), and still folds constants together and -(-x). */
static void test_a_value_blind_graph_keeps_the_shape_of_unit_factors(void)
{
	fresh();
	graph_set_value_blind(g, 1);
	node_id x = graph_var(g, 0);
	node_id one = graph_const(g, 1), m1 = graph_const(g, -1);
	node_id ops[] = {graph_binary(g, OP_MUL, x, one), graph_binary(g, OP_MUL, m1, x),
	                 graph_binary(g, OP_DIV, x, one), graph_binary(g, OP_SUB, x, graph_const(g, 0.0)),
	                 graph_binary(g, OP_ADD, x, graph_const(g, -0.0)), graph_binary(g, OP_POW, x, one)};
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		CU_ASSERT_NOT_EQUAL(ops[k], x);
		CU_ASSERT_NOT_EQUAL(graph_get(g, ops[k])->op, OP_NEG);
	}
	double v = 0;
	CU_ASSERT(graph_is_const(g, graph_binary(g, OP_ADD, one, m1), &v) && v == 0.0);
	CU_ASSERT_EQUAL(graph_unary(g, OP_NEG, graph_unary(g, OP_NEG, x)), x);
	graph_reset(g);   /* the setting outlives a reset */
	x = graph_var(g, 0);
	CU_ASSERT_NOT_EQUAL(graph_binary(g, OP_MUL, x, graph_const(g, 1)), x);
	graph_set_value_blind(g, 0);
	CU_ASSERT_EQUAL(graph_binary(g, OP_MUL, x, graph_const(g, 1)), x);
}

static void test_unsafe_identities_are_not_simplified(void)
{
	fresh();
	node_id x = graph_var(g, 0);
	node_id zero = graph_const(g, 0.0);
	node_id plus0 = graph_binary(g, OP_ADD, x, zero);
	CU_ASSERT_NOT_EQUAL(plus0, x);
	CU_ASSERT_EQUAL(graph_get(g, plus0)->op, OP_ADD);
	CU_ASSERT(same_bits(eval1(plus0, -0.0, 0), 0.0));      /* -0 + 0 = +0, not -0 */
	node_id times0 = graph_binary(g, OP_MUL, x, zero);
	CU_ASSERT_EQUAL(graph_get(g, times0)->op, OP_MUL);
	CU_ASSERT(isnan(eval1(times0, INFINITY, 0)));
	node_id minus = graph_binary(g, OP_SUB, x, x);
	CU_ASSERT_EQUAL(graph_get(g, minus)->op, OP_SUB);
	CU_ASSERT(isnan(eval1(minus, INFINITY, 0)));
	node_id quot = graph_binary(g, OP_DIV, x, x);
	CU_ASSERT_EQUAL(graph_get(g, quot)->op, OP_DIV);
	CU_ASSERT(isnan(eval1(quot, 0.0, 0)));
	node_id minus_neg0 = graph_binary(g, OP_SUB, x, graph_const(g, -0.0));
	CU_ASSERT_EQUAL(graph_get(g, minus_neg0)->op, OP_SUB);
	CU_ASSERT(same_bits(eval1(minus_neg0, -0.0, 0), 0.0));  /* -0 - -0 = +0 */
}

static void test_interpreter_follows_the_documented_semantics(void)
{
	fresh();
	node_id x = graph_var(g, 0), y = graph_var(g, 1);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_DIVI, x, y), 7, -2), -3);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_DIVI, x, y), -7, -2), 3);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_MOD, x, y), -7, 2), -1);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_MOD, x, y), 7.5, -2), 1.5);
	node_id s = graph_unary(g, OP_SIGN, x);
	CU_ASSERT_EQUAL(eval1(s, -3, 0), -1);
	CU_ASSERT_EQUAL(eval1(s, 4, 0), 1);
	CU_ASSERT_EQUAL(eval1(s, 0, 0), 0);
	CU_ASSERT_EQUAL(eval1(s, NAN, 0), 0);
	node_id i = graph_if(g, x, y, graph_unary(g, OP_NEG, y));
	CU_ASSERT_EQUAL(eval1(i, 1, 5), 5);
	CU_ASSERT_EQUAL(eval1(i, 0, 5), -5);
	CU_ASSERT_EQUAL(eval1(i, NAN, 5), 5);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_MIN, x, y), 2, -1), -1);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_MAX, x, y), 2, -1), 2);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_AND, x, y), 2, 0), 0);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_OR, x, y), 2, 0), 1);
	CU_ASSERT_EQUAL(eval1(graph_unary(g, OP_NOT, x), 0, 0), 1);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_LE, x, y), 2, 2), 1);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_LT, x, y), 2, 2), 0);
	CU_ASSERT_EQUAL(eval1(graph_binary(g, OP_NE, x, y), 2, 2), 0);
	CU_ASSERT_EQUAL(eval1(graph_unary(g, OP_ROUND, x), -2.5, 0), -3);
	CU_ASSERT(same_bits(eval1(graph_binary(g, OP_ATAN2, x, y), 1, -1), atan2(1, -1)));
	CU_ASSERT(same_bits(eval1(graph_unary(g, OP_LOG10, x), 7, 0), log10(7)));
}

static void test_integer_powers_multiply_in_the_documented_order(void)
{
	double x = 1.1;
	CU_ASSERT(same_bits(graph_powi_value(x, 2), x * x));
	CU_ASSERT(same_bits(graph_powi_value(x, 3), (x * x) * x));
	CU_ASSERT(same_bits(graph_powi_value(x, 4), (x * x) * (x * x)));
	double x2 = x * x, x4 = x2 * x2;
	CU_ASSERT(same_bits(graph_powi_value(x, 5), x4 * x));
	CU_ASSERT(same_bits(graph_powi_value(x, 6), x2 * x4));
	CU_ASSERT(same_bits(graph_powi_value(x, 7), (x * x2) * x4));
	CU_ASSERT(same_bits(graph_powi_value(x, -2), 1.0 / (x * x)));
	CU_ASSERT(same_bits(graph_powi_value(NAN, 0), 1.0));
	fresh();
	node_id v = graph_powi(g, graph_var(g, 0), 5);
	CU_ASSERT(same_bits(eval1(v, x, 0), x4 * x));
}

static void test_requests_count_calls_and_size_counts_nodes(void)
{
	fresh();
	node_id x = graph_var(g, 0);
	for (int i = 0; i < 10; i++)
		graph_unary(g, OP_COS, x);
	CU_ASSERT_EQUAL(graph_requests(g), 11);
	CU_ASSERT_EQUAL(graph_size(g), 2);
}

static void test_a_bad_operand_makes_the_failure_sticky(void)
{
	fresh();
	node_id x = graph_var(g, 0);
	CU_ASSERT_FALSE(graph_failed(g));
	CU_ASSERT_EQUAL(graph_unary(g, OP_EXP, GRAPH_NO_NODE), GRAPH_NO_NODE);
	CU_ASSERT(graph_failed(g));
	CU_ASSERT_EQUAL(graph_unary(g, OP_EXP, x), GRAPH_NO_NODE);
	CU_ASSERT_EQUAL(graph_const(g, 4), GRAPH_NO_NODE);
	fresh();
	CU_ASSERT_EQUAL(graph_binary(g, OP_SIN, graph_var(g, 0), graph_var(g, 1)), GRAPH_NO_NODE);
	CU_ASSERT(graph_failed(g));
}

static void test_graphs_built_by_every_constructor_pass_the_check(void)
{
	fresh();
	node_id x = graph_var(g, 0), y = graph_var(g, 1);
	for (int op = OP_NEG; op < OP_COUNT; op++) {
		int ar = graph_op_arity((graph_op)op);
		if (op == OP_POWI)
			graph_powi(g, graph_binary(g, OP_ADD, x, y), -3);
		else if (ar == 1)
			graph_unary(g, (graph_op)op, graph_binary(g, OP_MUL, y, x));
		else if (ar == 2)
			graph_binary(g, (graph_op)op, y, graph_unary(g, OP_EXP, x));
		else if (ar == 3)
			graph_if(g, graph_binary(g, OP_LT, x, y), x, y);
	}
	CU_ASSERT_FALSE(graph_failed(g));
	CU_ASSERT_EQUAL(graph_check(g), GRAPH_NO_NODE);
	/* a node edited behind the constructors' back is found */
	graph_node *n = (graph_node *)graph_get(g, graph_binary(g, OP_MUL, x, y));
	node_id bad = graph_binary(g, OP_MUL, x, y);
	n->a = y;
	n->b = x;
	CU_ASSERT_EQUAL(graph_check(g), bad);
}

/* A scratch graph reset and rebuilt many times, small and large, stays a
 * correct hash-consed graph: sizes restart, equal nodes are found again,
 * different ones are not confused with the nodes of an earlier round. */
static void test_a_reset_graph_is_empty_and_hash_conses_again(void)
{
	graph *g = graph_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	for (int round = 0; round < 50; round++) {
		int len = round % 2 ? 20 : 400;   /* under and over the few-node reset */
		node_id acc = graph_var(g, round);
		for (int k = 1; k < len; k++)
			acc = graph_binary(g, OP_ADD, acc,
			                   graph_binary(g, OP_MUL, graph_var(g, round + k),
			                                graph_const(g, k + 0.25 + 0.5 * round)));
		CU_ASSERT_EQUAL(graph_check(g), GRAPH_NO_NODE);
		CU_ASSERT_EQUAL(graph_size(g), (size_t)(1 + 4 * (len - 1)));
		/* x[round], x[round+1], 1.25 + round/2, their product: ids 0..3 */
		CU_ASSERT_EQUAL(graph_var(g, round), 0);
		CU_ASSERT_EQUAL(graph_binary(g, OP_MUL, graph_var(g, round + 1),
		                             graph_const(g, 1.25 + 0.5 * round)), 3);
		CU_ASSERT_EQUAL(graph_size(g), (size_t)(1 + 4 * (len - 1)));
		graph_reset(g);
		CU_ASSERT_EQUAL(graph_size(g), 0);
		CU_ASSERT_EQUAL(graph_requests(g), 0);
	}
	graph_free(g);
}

static void test_a_million_node_chain_builds_and_evaluates(void)
{
	fresh();
	enum { N = 1000000 };
	node_id s = graph_var(g, 0);
	for (int i = 1; i < N; i++)
		s = graph_binary(g, OP_ADD, s, graph_var(g, i));
	CU_ASSERT_FALSE(graph_failed(g));
	CU_ASSERT_EQUAL(graph_size(g), 2 * N - 1);
	double *x = malloc(N * sizeof *x), *scratch = malloc(graph_size(g) * sizeof *scratch);
	for (int i = 0; i < N; i++)
		x[i] = 1;
	CU_ASSERT_EQUAL(graph_eval(g, s, x, scratch), N);
	free(x);
	free(scratch);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("graph", setup, NULL);
	CU_add_test(s, "equal subexpressions are one node", test_equal_subexpressions_are_one_node);
	CU_add_test(s, "commutative operands are sorted and others are not", test_commutative_operands_are_sorted_and_others_are_not);
	CU_add_test(s, "operands always have smaller ids", test_operands_always_have_smaller_ids);
	CU_add_test(s, "zero and negative zero are different constants", test_zero_and_negative_zero_are_different_constants);
	CU_add_test(s, "constants fold to what the machine computes", test_constants_fold_to_what_the_machine_computes);
	CU_add_test(s, "results that are NaN are not folded", test_results_that_are_nan_are_not_folded);
	CU_add_test(s, "IEEE-safe identities are simplified", test_ieee_safe_identities_are_simplified);
	CU_add_test(s, "unsafe identities (x+0, x*0, x-x, x/x) are not simplified", test_unsafe_identities_are_not_simplified);
	CU_add_test(s, "a value-blind graph keeps the shape of unit factors", test_a_value_blind_graph_keeps_the_shape_of_unit_factors);
	CU_add_test(s, "interpreter follows the documented semantics", test_interpreter_follows_the_documented_semantics);
	CU_add_test(s, "integer powers multiply in the documented order", test_integer_powers_multiply_in_the_documented_order);
	CU_add_test(s, "requests count calls and size counts nodes", test_requests_count_calls_and_size_counts_nodes);
	CU_add_test(s, "a bad operand makes the failure sticky", test_a_bad_operand_makes_the_failure_sticky);
	CU_add_test(s, "graphs built by every constructor pass the check", test_graphs_built_by_every_constructor_pass_the_check);
	CU_add_test(s, "a million-node chain builds and evaluates", test_a_million_node_chain_builds_and_evaluates);
	CU_add_test(s, "a reset graph is empty and hash-conses again", test_a_reset_graph_is_empty_and_hash_conses_again);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	graph_free(g);
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
