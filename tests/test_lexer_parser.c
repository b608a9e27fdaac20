/* test_lexer_parser.c -- text to syntax tree: tokens, precedence, locations,
 * data sections and script lines. */
#include <CUnit/Basic.h>
#include <string.h>
#include "diag_capture.h"
#include "parse.h"

static arena A;
static ast_program P;
static int errors;
/* What the parser reported last (the tests read it after parse()). */
static diag_capture reported;

static hessc_status parse(const char *text, int data_mode)
{
	arena_free(&A);
	arena_init(&A);
	memset(&P, 0, sizeof P);
	diag_sink sink = diag_capture_sink(&reported);
	hessc_status st = parse_source(&A, "t.mod", text, strlen(text), data_mode, &sink, &P);
	errors = sink.errors;
	return st;
}

static ast_node *attr_value(ast_node *decl)
{
	return decl->nkids ? decl->kids[0]->kids[0] : NULL;
}

#define ASSERT_PARSES(text) do { \
		CU_ASSERT_EQUAL_FATAL(parse(text, 0), HESSC_OK); \
	} while (0)

static void test_fortran_and_c_numbers_read_the_same(void)
{
	ASSERT_PARSES("param a := 1D+2; param b := 1.5e-3; param c := .25; param d := 3.;");
	CU_ASSERT_EQUAL_FATAL(P.nstmts, 4);
	CU_ASSERT_DOUBLE_EQUAL(attr_value(P.stmts[0])->num, 100.0, 0);
	CU_ASSERT_DOUBLE_EQUAL(attr_value(P.stmts[1])->num, 1.5e-3, 0);
	CU_ASSERT_DOUBLE_EQUAL(attr_value(P.stmts[2])->num, 0.25, 0);
	CU_ASSERT_DOUBLE_EQUAL(attr_value(P.stmts[3])->num, 3.0, 0);
}

static void test_a_range_after_an_integer_is_not_a_decimal_point(void)
{
	ASSERT_PARSES("set S := 1..10;");
	ast_node *r = attr_value(P.stmts[0]);
	CU_ASSERT_EQUAL(r->kind, AST_RANGE);
	CU_ASSERT_DOUBLE_EQUAL(r->kids[0]->num, 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(r->kids[1]->num, 10, 0);
}

static void test_every_node_knows_its_line_and_column(void)
{
	ASSERT_PARSES("var x;\n\n  minimize f:\n    3 * x^2;");
	ast_node *obj = P.stmts[1];
	CU_ASSERT_EQUAL(obj->kind, AST_OBJECTIVE);
	CU_ASSERT_EQUAL(obj->line, 3);
	CU_ASSERT_EQUAL(obj->col, 12);
	ast_node *mul = obj->kids[0];
	CU_ASSERT_EQUAL(mul->line, 4);
	CU_ASSERT_EQUAL(mul->col, 7);        /* the operator */
	CU_ASSERT_EQUAL(mul->kids[0]->col, 5);
	CU_ASSERT_EQUAL(mul->kids[1]->kids[0]->col, 9);
}

static void test_unary_minus_binds_looser_than_power(void)
{
	ASSERT_PARSES("var x; minimize f: -x^2;");
	ast_node *e = P.stmts[1]->kids[0];
	CU_ASSERT_EQUAL(e->kind, AST_UNARY);
	CU_ASSERT_EQUAL(e->kids[0]->kind, AST_BINARY);
	CU_ASSERT_EQUAL(e->kids[0]->op, OPR_POW);
}

static void test_power_is_right_associative_and_double_star_is_power(void)
{
	ASSERT_PARSES("var x; minimize f: x**2^3;");
	ast_node *e = P.stmts[1]->kids[0];
	CU_ASSERT_EQUAL(e->op, OPR_POW);
	CU_ASSERT_EQUAL(e->kids[1]->op, OPR_POW);
}

static void test_a_sum_takes_a_product_but_not_a_following_plus(void)
{
	ASSERT_PARSES("var x{1..3}; minimize f: sum {i in 1..3} 2 * x[i] + 1;");
	ast_node *e = P.stmts[1]->kids[0];
	CU_ASSERT_EQUAL(e->kind, AST_CHAIN);
	CU_ASSERT_EQUAL(e->nkids, 2);
	CU_ASSERT_EQUAL(e->ops[1], OPR_ADD);
	CU_ASSERT_EQUAL(e->kids[0]->kind, AST_ITER);
	CU_ASSERT_EQUAL(e->kids[0]->kids[1]->op, OPR_MUL);
}

static void test_chained_comparisons_become_a_conjunction(void)
{
	ASSERT_PARSES("set J := {j in 1..9: 2 <= j <= 5};");
	ast_node *idx = attr_value(P.stmts[0]);
	CU_ASSERT_EQUAL(idx->kind, AST_INDEXING);
	ast_node *c = idx->cond;
	CU_ASSERT_EQUAL(c->op, OPR_AND);
	CU_ASSERT(c->flags & AST_F_CHAIN);
	CU_ASSERT_EQUAL(c->kids[0]->op, OPR_LE);
	CU_ASSERT_EQUAL(c->kids[1]->op, OPR_LE);
	CU_ASSERT_PTR_EQUAL(c->kids[0]->kids[1], c->kids[1]->kids[0]);
}

static void test_if_then_without_else_has_no_else_branch(void)
{
	ASSERT_PARSES("var x{i in 1..9} := if (i > 4) then -2.0;");
	ast_node *e = attr_value(P.stmts[0]);
	CU_ASSERT_EQUAL(e->kind, AST_IF);
	CU_ASSERT_PTR_NULL(e->kids[2]);
	CU_ASSERT_EQUAL(e->kids[1]->kind, AST_UNARY);
}

static void test_variable_attributes_come_in_any_order(void)
{
	ASSERT_PARSES("var x{1..3} >= 0, <= 10.0, := 0.5; var y := 1 >= -1 <= 2;");
	CU_ASSERT_EQUAL(P.stmts[0]->nkids, 3);
	CU_ASSERT_EQUAL(P.stmts[0]->kids[0]->op, ATTR_GE);
	CU_ASSERT_EQUAL(P.stmts[0]->kids[1]->op, ATTR_LE);
	CU_ASSERT_EQUAL(P.stmts[0]->kids[2]->op, ATTR_ASSIGN);
	CU_ASSERT_EQUAL(P.stmts[1]->nkids, 3);
}

static void test_script_lines_are_accepted_and_ignored(void)
{
	ASSERT_PARSES("var x; minimize f: x^2;\nsolve; display f, x; option solver 'a;b';\n"
	              "printf \"%%g;\\n\", x; model m.mod; data d.dat;");
	CU_ASSERT_EQUAL(P.nstmts, 8);
	for (size_t i = 2; i < P.nstmts; i++)
		CU_ASSERT_EQUAL(P.stmts[i]->kind, AST_IGNORED);
	CU_ASSERT_STRING_EQUAL(P.stmts[2]->text, "solve");
}

static void test_data_sections_read_list_table_and_transposed_forms(void)
{
	ASSERT_PARSES("param y{1..2}; param a{1..2,1..3};\ndata;\n"
	              "param y := 1 -0.5 2 1e-3;\n"
	              "param a (tr): 1 2 :=\n 1 1 2\n 2 3 4\n 3 5 .;\n"
	              "param: u v := 1 2 3;\n"
	              "set S := a b 'c d';\n"
	              "solve;\n");
	CU_ASSERT_EQUAL_FATAL(P.nstmts, 7);
	ast_node *y = P.stmts[2];
	CU_ASSERT_EQUAL(y->kind, AST_DATA_PARAM);
	CU_ASSERT_EQUAL(y->nkids, 4);
	CU_ASSERT_DOUBLE_EQUAL(y->kids[1]->num, -0.5, 0);
	ast_node *a = P.stmts[3];
	CU_ASSERT(a->flags & AST_F_TABLE);
	CU_ASSERT(a->flags & AST_F_TR);
	CU_ASSERT_EQUAL(a->nhead, 2);
	CU_ASSERT_EQUAL(a->nkids, 9);
	CU_ASSERT_EQUAL(a->kids[8]->kind, AST_DATA_DOT);
	ast_node *multi = P.stmts[4];
	CU_ASSERT_PTR_NULL(multi->text);
	CU_ASSERT_EQUAL(multi->nhead, 2);
	ast_node *s = P.stmts[5];
	CU_ASSERT_EQUAL(s->kind, AST_DATA_SET);
	CU_ASSERT_STRING_EQUAL(s->kids[2]->text, "c d");
	CU_ASSERT_EQUAL(P.stmts[6]->kind, AST_IGNORED);   /* back in model mode */
}

static void test_a_data_file_starts_in_data_mode(void)
{
	CU_ASSERT_EQUAL_FATAL(parse("param N := 5; param a[tr]: x y := p 1 2;", 1), HESSC_OK);
	CU_ASSERT_EQUAL(P.nstmts, 2);
	CU_ASSERT_EQUAL(P.stmts[0]->kind, AST_DATA_PARAM);
	CU_ASSERT(P.stmts[1]->flags & AST_F_TR);
}

static void test_an_unclosed_parenthesis_names_both_ends(void)
{
	CU_ASSERT_EQUAL(parse("var x;\nminimize f: (x + 1;", 0), HESSC_ERR_MODEL);
	CU_ASSERT_EQUAL(errors, 1);
	CU_ASSERT_STRING_EQUAL(reported.last, "t.mod:2:19: error: ')' expected (to close '(' at 2:13), found ';'");
}

static void test_subject_to_and_st_are_constraints(void)
{
	ASSERT_PARSES("var x; subject to c1: x >= 1; s.t. c2: x <= 2; c3: x = 1;");
	CU_ASSERT_EQUAL(P.stmts[1]->kind, AST_CONSTRAINT);
	CU_ASSERT_EQUAL(P.stmts[2]->kind, AST_CONSTRAINT);
	CU_ASSERT_EQUAL(P.stmts[3]->kind, AST_CONSTRAINT);
}

int main(void)
{
	arena_init(&A);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("lexer and parser", NULL, NULL);
	CU_add_test(s, "Fortran and C numbers read the same", test_fortran_and_c_numbers_read_the_same);
	CU_add_test(s, "a range after an integer is not a decimal point", test_a_range_after_an_integer_is_not_a_decimal_point);
	CU_add_test(s, "every node knows its line and column", test_every_node_knows_its_line_and_column);
	CU_add_test(s, "unary minus binds looser than power", test_unary_minus_binds_looser_than_power);
	CU_add_test(s, "power is right associative and ** is power", test_power_is_right_associative_and_double_star_is_power);
	CU_add_test(s, "a sum takes a product but not a following plus", test_a_sum_takes_a_product_but_not_a_following_plus);
	CU_add_test(s, "chained comparisons become a conjunction", test_chained_comparisons_become_a_conjunction);
	CU_add_test(s, "if-then without else has no else branch", test_if_then_without_else_has_no_else_branch);
	CU_add_test(s, "variable attributes come in any order", test_variable_attributes_come_in_any_order);
	CU_add_test(s, "script lines are accepted and ignored", test_script_lines_are_accepted_and_ignored);
	CU_add_test(s, "data sections read list, table and transposed forms", test_data_sections_read_list_table_and_transposed_forms);
	CU_add_test(s, "a data file starts in data mode", test_a_data_file_starts_in_data_mode);
	CU_add_test(s, "an unclosed parenthesis names both ends", test_an_unclosed_parenthesis_names_both_ends);
	CU_add_test(s, "subject to, s.t. and a bare name declare constraints", test_subject_to_and_st_are_constraints);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	arena_free(&A);
	return failures ? 1 : 0;
}
