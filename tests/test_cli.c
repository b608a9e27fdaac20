/* test_cli.c -- the hessc command's shared option parsing. */
#include <CUnit/Basic.h>
#include <string.h>

#include "cli.h"

static int dummy_run(const cli_args *args)
{
	(void)args;
	return 0;
}

static const char *const eval_like_options[] = { "--format", "--at", NULL };
static const cli_command eval_like = { .name = "eval", .usage = "MODEL [DATA...]", .summary = "test",
                                       .options = eval_like_options, .takes_model = 1, .run = dummy_run };
static const cli_command no_files = { .name = "version", .usage = "", .summary = "test", .run = dummy_run };

static int parse(const cli_command *cmd, cli_args *args, int argc, const char **argv)
{
	return cli_parse(cmd, argc, (char **)argv, 2, args);
}

static void test_model_then_data_files_then_options(void)
{
	const char *argv[] = { "hessc", "eval", "m.mod", "a.dat", "--format", "json", "b.dat" };
	cli_args a;
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 7, argv), 0);
	CU_ASSERT_STRING_EQUAL(a.model, "m.mod");
	CU_ASSERT_EQUAL(a.data.n, 2);
	CU_ASSERT_STRING_EQUAL(a.data.items[0], "a.dat");
	CU_ASSERT_STRING_EQUAL(a.data.items[1], "b.dat");
	CU_ASSERT_STRING_EQUAL(a.format, "json");
	CU_ASSERT_STRING_EQUAL(a.command_line, "hessc eval m.mod a.dat --format json b.dat");
	cli_args_free(&a);
}

static void test_defines_glued_or_apart_are_collected_in_order(void)
{
	const char *argv[] = { "hessc", "eval", "-DN=10", "m.mod", "-D", "alpha=2.5", "--format=text" };
	cli_args a;
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 7, argv), 0);
	CU_ASSERT_EQUAL(a.defines.n, 2);
	CU_ASSERT_STRING_EQUAL(a.defines.items[0], "N=10");
	CU_ASSERT_STRING_EQUAL(a.defines.items[1], "alpha=2.5");
	CU_ASSERT_STRING_EQUAL(a.format, "text");
	cli_args_free(&a);
}

static void test_usage_errors_exit_with_2(void)
{
	cli_args a;
	const char *unknown[] = { "hessc", "eval", "m.mod", "--bogus" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 4, unknown), CLI_USAGE);
	cli_args_free(&a);
	const char *foreign[] = { "hessc", "eval", "m.mod", "--prefix", "p" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 5, foreign), CLI_USAGE);
	cli_args_free(&a);
	const char *missing_value[] = { "hessc", "eval", "m.mod", "--at" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 4, missing_value), CLI_USAGE);
	cli_args_free(&a);
	const char *no_model[] = { "hessc", "eval", "--format", "json" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 4, no_model), CLI_USAGE);
	cli_args_free(&a);
	const char *twice[] = { "hessc", "eval", "m.mod", "--at", "p", "--at", "q" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 7, twice), CLI_USAGE);
	cli_args_free(&a);
	const char *bad_define[] = { "hessc", "eval", "m.mod", "-D", "N" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 5, bad_define), CLI_USAGE);
	cli_args_free(&a);
	const char *stray_file[] = { "hessc", "version", "m.mod" };
	CU_ASSERT_EQUAL(parse(&no_files, &a, 3, stray_file), CLI_USAGE);
	cli_args_free(&a);
}

static void test_help_needs_no_model_and_double_dash_ends_options(void)
{
	cli_args a;
	const char *help[] = { "hessc", "eval", "--help" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 3, help), 0);
	CU_ASSERT(a.help);
	cli_args_free(&a);
	const char *dashes[] = { "hessc", "eval", "--", "-odd.mod" };
	CU_ASSERT_EQUAL(parse(&eval_like, &a, 4, dashes), 0);
	CU_ASSERT_STRING_EQUAL(a.model, "-odd.mod");
	cli_args_free(&a);
}

static void test_statuses_map_to_exit_codes(void)
{
	CU_ASSERT_EQUAL(cli_exit_code(HESSC_OK), 0);
	CU_ASSERT_EQUAL(cli_exit_code(HESSC_ERR_MODEL), 1);
	CU_ASSERT_EQUAL(cli_exit_code(HESSC_ERR_TOO_BIG), 1);
	CU_ASSERT_EQUAL(cli_exit_code(HESSC_ERR_USAGE), 2);
	CU_ASSERT_EQUAL(cli_exit_code(HESSC_ERR_INTERNAL), 3);
	CU_ASSERT_EQUAL(cli_exit_code(HESSC_ERR_NOMEM), 3);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("cli", NULL, NULL);
	CU_add_test(s, "the model comes first, then data files, options anywhere", test_model_then_data_files_then_options);
	CU_add_test(s, "defines glued or apart are collected in order", test_defines_glued_or_apart_are_collected_in_order);
	CU_add_test(s, "usage errors exit with 2", test_usage_errors_exit_with_2);
	CU_add_test(s, "help needs no model and -- ends the options", test_help_needs_no_model_and_double_dash_ends_options);
	CU_add_test(s, "statuses map to exit codes", test_statuses_map_to_exit_codes);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
