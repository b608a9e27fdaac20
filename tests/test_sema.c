/* test_sema.c -- checked models: numbering, names, initial point, bounds,
 * data, -D, objectives, lowering, and the front end's speed. */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "diag_capture.h"
#include "frontend.h"

static const char *examples_dir;

/* What the front end reported last (the tests read it after build()). */
static diag_capture reported;

typedef struct built {
	graph *g;
	model *m;
	hessc_status status;
} built;

static built build_full(const char *text, const char *data, const char *const *defines,
                        size_t ndefines, const char *objective)
{
	built b = { graph_new(), NULL, HESSC_OK };
	frontend_source d = { "t.dat", data, data ? strlen(data) : 0 };
	frontend_input in = {
		.model = { "t.mod", text, strlen(text) },
		.data = data ? &d : NULL, .n_data = data ? 1 : 0,
		.defines = defines, .n_defines = ndefines, .objective = objective,
	};
	diag_sink sink = diag_capture_sink(&reported);
	b.status = frontend_build(&in, &sink, b.g, &b.m);
	return b;
}

static built build(const char *text)
{
	return build_full(text, NULL, NULL, 0, NULL);
}

static void done(built *b)
{
	model_free(b->m);
	graph_free(b->g);
}

static double f_at(built *b, const double *x)
{
	double *scratch = malloc(graph_size(b->g) * sizeof *scratch);
	double f = graph_eval(b->g, b->m->objective, x ? x : b->m->x0, scratch);
	free(scratch);
	return f;
}

static void test_variables_are_numbered_in_declaration_then_row_major_order(void)
{
	built b = build("var y; var x{i in 1..2, j in 1..3} := 10*i + j; var z{1..2};\n"
	                "minimize f: sum {i in 1..2, j in 1..3} x[i,j];");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_EQUAL(b.m->n, 9);
	CU_ASSERT_STRING_EQUAL(b.m->names[0], "y");
	CU_ASSERT_STRING_EQUAL(b.m->names[1], "x[1,1]");
	CU_ASSERT_STRING_EQUAL(b.m->names[3], "x[1,3]");
	CU_ASSERT_STRING_EQUAL(b.m->names[4], "x[2,1]");
	CU_ASSERT_STRING_EQUAL(b.m->names[8], "z[2]");   /* unused, still named */
	CU_ASSERT_DOUBLE_EQUAL(b.m->x0[4], 21, 0);
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), 11 + 12 + 13 + 21 + 22 + 23, 0);
	done(&b);
}

static void test_the_initial_point_is_the_declaration_then_each_let_in_order(void)
{
	built b = build("var x{i in 1..4} := if i > 2 then -2;\nminimize f: sum {i in 1..4} x[i];\n"
	                "let x[1] := 5; let {i in 1..2} x[i] := x[i] + 1; solve; display x;");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_DOUBLE_EQUAL(b.m->x0[0], 6, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->x0[1], 1, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->x0[2], -2, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->x0[3], -2, 0);
	done(&b);
}

static void test_single_variable_constraints_become_bounds(void)
{
	built b = build("var x{1..4} >= -5;\n"
	                "s.t. box{i in 1..3}: 0 <= x[i] <= 0.9;\n"
	                "subject to scaled: 2 * x[4] >= 1;\n"
	                "subject to flipped: -x[4] >= -3;\n"
	                "subject to fix: x[1] = 0.5;\n"
	                "minimize f: sum {i in 1..4} x[i]^2;");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_DOUBLE_EQUAL(b.m->lower[0], 0.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->upper[0], 0.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->lower[1], 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->upper[1], 0.9, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->lower[3], 0.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(b.m->upper[3], 3, 0);
	done(&b);
}

static void test_any_other_constraint_is_unsupported_at_its_place(void)
{
	built b = build("var x{1..2};\nminimize f: x[1]^2;\nsubject to c: x[1]*x[2] <= 1;");
	CU_ASSERT_EQUAL(b.status, HESSC_ERR_MODEL);
	CU_ASSERT_PTR_NULL(b.m);
	CU_ASSERT_PTR_NOT_NULL(strstr(reported.last, "t.mod:3:12: error: unsupported constraint 'c'"));
	done(&b);
}

static void test_data_tables_fill_params_in_the_right_places(void)
{
	const char *mod = "param a{1..2, 1..3}; param b{1..2, 1..3}; param c{1..3} default 7;\n"
	                  "var x := 1;\n"
	                  "minimize f: x * (sum {i in 1..2, j in 1..3} (a[i,j] - b[i,j])^2 + c[1] + c[2] + 10*c[3]);";
	const char *dat = "param a: 1 2 3 :=\n 1 1 2 3\n 2 4 5 6;\n"
	                  "param b (tr): 1 2 :=\n 1 1 4\n 2 2 5\n 3 3 6;\n"
	                  "param c := 1 1 3 2;";
	built b = build_full(mod, dat, NULL, 0, NULL);
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), 1 + 7 + 20, 0);
	done(&b);
}

static void test_define_overrides_the_models_value(void)
{
	const char *defs[] = { "N=3" };
	built b = build_full("param N := 10; var x{1..N} := 1; minimize f: sum {i in 1..N} x[i];",
	                     NULL, defs, 1, NULL);
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_EQUAL(b.m->n, 3);
	done(&b);
}

static void test_define_overrides_the_datas_value(void)
{
	const char *defs[] = { "N=4" };
	built b = build_full("param N; var x{1..N} := 1; minimize f: sum {i in 1..N} x[i];",
	                     "param N := 50;", defs, 1, NULL);
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_EQUAL(b.m->n, 4);
	done(&b);
}

static void test_the_objective_is_picked_by_name_or_the_first(void)
{
	const char *mod = "var x := 2; minimize f: x^2; maximize g: -x^4;";
	built b = build(mod);
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_STRING_EQUAL(b.m->objective_name, "f");
	CU_ASSERT_EQUAL(b.m->maximize, 0);
	done(&b);
	b = build_full(mod, NULL, NULL, 0, "g");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_STRING_EQUAL(b.m->objective_name, "g");
	CU_ASSERT_EQUAL(b.m->maximize, 1);
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), -16, 0);
	done(&b);
}

static void test_small_integer_powers_become_powi_and_others_pow(void)
{
	built b = build("var x := 2; minimize f: x^2 + abs(x)^(7/3) + x^40;");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	int powi = 0, pow_ = 0;
	for (size_t i = 0; i < graph_size(b.g); i++) {
		const graph_node *n = graph_get(b.g, (node_id)i);
		powi += n->op == OP_POWI;
		pow_ += n->op == OP_POW;
	}
	CU_ASSERT_EQUAL(powi, 1);
	CU_ASSERT_EQUAL(pow_, 2);
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), 4 + pow(2, 7.0 / 3) + pow(2, 40), 1e-3);
	done(&b);
}

static void test_defined_variables_are_shared_not_copied(void)
{
	built once = build("var x{1..3} := 1; var Q{i in 1..3} = exp(x[i]) * sin(x[i]);\n"
	                   "minimize f: sum {i in 1..3} Q[i];");
	built twice = build("var x{1..3} := 1; var Q{i in 1..3} = exp(x[i]) * sin(x[i]);\n"
	                    "minimize f: sum {i in 1..3} Q[i] * Q[i] + Q[1];");
	CU_ASSERT_EQUAL_FATAL(once.status, HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(twice.status, HESSC_OK);
	CU_ASSERT_EQUAL(once.m->n, 3);   /* Q is not a variable */
	/* Q[i]*Q[i] adds one MUL per term, the extra Q[1] one ADD: no copies of Q */
	CU_ASSERT(graph_size(twice.g) <= graph_size(once.g) + 4);
	done(&once);
	done(&twice);
}

static void test_sets_builders_and_operations_evaluate_as_in_ampl(void)
{
	built b = build("param N := 10;\n"
	                "set J{i in 1..N} := {j in 1..N: j != i && max(1,i-2) <= j <= min(N,i+1)};\n"
	                "set A := {1,3,5} union 7..9 by 2; set B := A diff {3}; set C := A inter {5,9,11};\n"
	                "set S := {'a', 'b'}; set P := S cross {1,2};\n"
	                "param k := card(J[5]) * 1000 + card(A) * 100 + card(B) * 10 + card(C) + card(P)/100;\n"
	                "var x := 1; minimize f: k * x;");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	/* J[5] = {3,4,6}; A = {1,3,5,7,9}; B has 4; C = {5,9}; P has 4 */
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), 3000 + 500 + 40 + 2 + 0.04, 1e-9);
	done(&b);
}

static void test_conditions_that_bound_a_dummy_keep_the_same_members(void)
{
	/* members are listed in order; the sum of members times powers of 100
	 * pins down the exact list */
	built b = build("param i := 7;\n"
	                "set A := {j in 1..20: j >= i - 2 && j < i + 3 && j != i};\n"
	                "set B := {j in 1..20 by 3: 4.5 <= j and j <= 12.5};\n"
	                "set C := {j in 1..10: j == 5 or j == 6};\n"
	                "set D := {j in 1..10: 3 > j};\n"
	                "set E := {k in 1..3, j in 1..5: j <= k};\n"
	                "set F := {j in 1..10: j >= 11};\n"
	                "param code := sum {j in A} j * 100^(ord(j, A)) + sum {j in B} j\n"
	                "  + 1e6 * sum {j in C} j + 1e7 * sum {j in D} j + 1e8 * card(E) + card(F);\n"
	                "var x := 1; minimize f: code * x;");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	/* A = 5,6,8,9; B = 7,10; C = 5,6; D = 1,2; E has 1+2+3; F empty */
	double a = 5 * 100 + 6 * 1e4 + 8 * 1e6 + 9 * 1e8;
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), a + 17 + 1e6 * 11 + 1e7 * 3 + 1e8 * 6, 1e-3);
	done(&b);
}

static void test_tuples_and_string_members_index_params_and_variables(void)
{
	built b = build("set E := {(1,2), (2,3), (3,1)};\nset C := {'red', 'blue'};\n"
	                "param w{(i,j) in E} := 10*i + j;\nvar y{C} := 1;\n"
	                "minimize f: sum {(i,j) in E} w[i,j] * y['red'] + y['blue'];");
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_STRING_EQUAL(b.m->names[0], "y['red']");
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), 12 + 23 + 31 + 1, 0);
	done(&b);
}

static void test_a_written_out_sum_of_a_hundred_thousand_terms_is_not_too_deep(void)
{
	size_t terms = 100000;
	char *text = malloc(terms * 16 + 64);
	size_t n = (size_t)sprintf(text, "var x{1..10} := 1;\nminimize f: x[1]");
	for (size_t i = 1; i < terms; i++)
		n += (size_t)sprintf(text + n, i % 3 ? " + x[%zu]" : " - x[%zu]^2", i % 10 + 1);
	strcpy(text + n, ";\n");
	built b = build(text);
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	/* terms i = 1..99999: + for i % 3 != 0, - for i % 3 == 0; x = 1 */
	double expected = 1;
	for (size_t i = 1; i < terms; i++)
		expected += i % 3 ? 1 : -1;
	CU_ASSERT_DOUBLE_EQUAL(f_at(&b, NULL), expected, 0);
	done(&b);
	free(text);
}

static void test_a_work_limit_refuses_a_model_too_big_to_go_through(void)
{
	graph *g = graph_new();
	model *m = NULL;
	const char *text = "param N := 1e9;\nvar x{1..N};\nminimize f: sum {i in 1..N} x[i]^2;";
	frontend_input in = { .model = { "t.mod", text, strlen(text) }, .work_limit = 1000 };
	diag_sink sink = diag_capture_sink(&reported);
	CU_ASSERT_EQUAL(frontend_build(&in, &sink, g, &m), HESSC_ERR_MODEL);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_STRING_EQUAL(reported.last, "t.mod:2:5: error: the model needs more than 1000 steps, the limit this front end was given");
	graph_free(g);
}

static void test_a_million_variables_go_through_in_well_under_two_seconds(void)
{
	clock_t t0 = clock();
	built b = build("param N := 1000000; var x{1..N};\nminimize f: sum {i in 1..N} (x[i]-1)^2;");
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CU_ASSERT_EQUAL_FATAL(b.status, HESSC_OK);
	CU_ASSERT_EQUAL(b.m->n, 1000000);
	CU_ASSERT_STRING_EQUAL(b.m->names[999999], "x[1000000]");
	CU_ASSERT(secs < 4.0);   /* generous: sanitizer builds are slower */
	done(&b);
}

static void test_every_example_model_builds(void)
{
	DIR *dir = opendir(examples_dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	int models = 0;
	struct dirent *e;
	while ((e = readdir(dir))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".mod") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", examples_dir, e->d_name);
		graph *g = graph_new();
		model *m = NULL;
		frontend_input in = { .model = { path, NULL, 0 } };
		diag_sink sink = diag_capture_sink(&reported);
		hessc_status st = frontend_build(&in, &sink, g, &m);
		if (st != HESSC_OK)
			fprintf(stderr, "\n%s\n", reported.last);
		CU_ASSERT_EQUAL(st, HESSC_OK);
		if (m) {
			double *scratch = malloc(graph_size(g) * sizeof *scratch);
			CU_ASSERT(m->n > 0);
			CU_ASSERT(isfinite(graph_eval(g, m->objective, m->x0, scratch)));
			free(scratch);
		}
		model_free(m);
		graph_free(g);
		models++;
	}
	closedir(dir);
	CU_ASSERT(models >= 3);
}

int main(int argc, char **argv)
{
	examples_dir = argc > 1 ? argv[1] : "examples";
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("semantic checks", NULL, NULL);
	CU_add_test(s, "variables are numbered in declaration then row-major order", test_variables_are_numbered_in_declaration_then_row_major_order);
	CU_add_test(s, "the initial point is the declaration then each let in order", test_the_initial_point_is_the_declaration_then_each_let_in_order);
	CU_add_test(s, "single-variable constraints become bounds", test_single_variable_constraints_become_bounds);
	CU_add_test(s, "any other constraint is unsupported at its place", test_any_other_constraint_is_unsupported_at_its_place);
	CU_add_test(s, "data tables fill params in the right places", test_data_tables_fill_params_in_the_right_places);
	CU_add_test(s, "-D overrides the model's value", test_define_overrides_the_models_value);
	CU_add_test(s, "-D overrides the data's value", test_define_overrides_the_datas_value);
	CU_add_test(s, "the objective is picked by name or the first", test_the_objective_is_picked_by_name_or_the_first);
	CU_add_test(s, "small integer powers become powi and others pow", test_small_integer_powers_become_powi_and_others_pow);
	CU_add_test(s, "defined variables are shared, not copied", test_defined_variables_are_shared_not_copied);
	CU_add_test(s, "set builders and operations evaluate as in AMPL", test_sets_builders_and_operations_evaluate_as_in_ampl);
	CU_add_test(s, "conditions that bound a dummy keep the same members", test_conditions_that_bound_a_dummy_keep_the_same_members);
	CU_add_test(s, "tuples and string members index params and variables", test_tuples_and_string_members_index_params_and_variables);
	CU_add_test(s, "a written-out sum of a hundred thousand terms is not too deep", test_a_written_out_sum_of_a_hundred_thousand_terms_is_not_too_deep);
	CU_add_test(s, "a work limit refuses a model too big to go through", test_a_work_limit_refuses_a_model_too_big_to_go_through);
	CU_add_test(s, "every example model builds", test_every_example_model_builds);
	CU_add_test(s, "a million variables go through in well under two seconds", test_a_million_variables_go_through_in_well_under_two_seconds);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
