/* test_diagnostics.c -- every bad input gives one exact error line.
 *
 * Each case in tests/bad is NAME.mod, with optional NAME.dat (a data file),
 * NAME.defines (one -D NAME=VALUE per line), NAME.objective (the objective
 * to pick), NAME.inputs (present: params without a value may be run-time
 * inputs, as for `hessc gen`), and NAME.expected: the exact first line of the diagnostic,
 * `NAME.mod:LINE:COL: error: message`.  Cases too big to commit (a 1 MB
 * line, 100000 nested parentheses) are generated here.
 *
 * Usage: test_diagnostics DIR            run the suite
 *        test_diagnostics DIR --print    print what each case gives
 */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag_capture.h"
#include "frontend.h"
#include "read_file.h"

static const char *bad_dir;

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}

/* Runs the front end and returns its first diagnostic; checks the failure
 * is clean: an error status, no model, exactly what was reported. */
static void run_case(const char *name, const char *text, size_t len, const char *data,
                     size_t data_len, const char *const *defines, size_t ndefines,
                     const char *objective, int inputs, diag_capture *c)
{
	char model_name[300], data_name[300];
	snprintf(model_name, sizeof model_name, "%s.mod", name);
	snprintf(data_name, sizeof data_name, "%s.dat", name);
	frontend_source data_src = { data_name, data, data_len };
	frontend_input in = {
		.model = { model_name, text, len },
		.data = data ? &data_src : NULL, .n_data = data ? 1 : 0,
		.defines = defines, .n_defines = ndefines, .objective = objective,
		.run_time_inputs = inputs,
	};
	diag_sink sink = diag_capture_sink(c);
	graph *g = graph_new();
	model *m = (model *)1;
	hessc_status st = frontend_build(&in, &sink, g, &m);
	CU_ASSERT_EQUAL(st, HESSC_ERR_MODEL);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_EQUAL(sink.errors, 1);
	if (st == HESSC_OK)
		model_free(m);
	graph_free(g);
}

static int print_mode;

static void test_every_bad_model_gives_its_expected_error(void)
{
	DIR *dir = opendir(bad_dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) && n < 256) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".mod") == 0)
			names[n++] = strndup(e->d_name, l - 4);
	}
	closedir(dir);
	CU_ASSERT(n >= 20);
	for (int i = 0; i < n; i++) {
		char path[1024];
		size_t len = 0, data_len = 0;
		snprintf(path, sizeof path, "%s/%s.mod", bad_dir, names[i]);
		char *text = read_file(path, &len);
		snprintf(path, sizeof path, "%s/%s.dat", bad_dir, names[i]);
		char *data = read_file(path, &data_len);
		snprintf(path, sizeof path, "%s/%s.defines", bad_dir, names[i]);
		char *defs = read_file(path, NULL);
		const char *defines[16];
		size_t ndefines = 0;
		for (char *line = defs ? strtok(defs, "\n") : NULL; line && ndefines < 16;
		     line = strtok(NULL, "\n"))
			defines[ndefines++] = line;
		snprintf(path, sizeof path, "%s/%s.objective", bad_dir, names[i]);
		char *objective = read_file(path, NULL);
		if (objective)
			chomp(objective);
		snprintf(path, sizeof path, "%s/%s.inputs", bad_dir, names[i]);
		char *inputs = read_file(path, NULL);
		snprintf(path, sizeof path, "%s/%s.expected", bad_dir, names[i]);
		char *expected = read_file(path, NULL);

		diag_capture c;
		run_case(names[i], text ? text : "", len, data, data_len, defines, ndefines,
		         objective, inputs != NULL, &c);
		if (print_mode) {
			printf("%s\t%s\n", names[i], c.first);
		} else {
			CU_ASSERT_PTR_NOT_NULL(expected);
			if (expected) {
				char *nl = strchr(expected, '\n');
				if (nl)
					*nl = 0;
				if (strcmp(expected, c.first) != 0)
					fprintf(stderr, "\n%s:\n  expected: %s\n  got:      %s\n", names[i],
					        expected, c.first);
				CU_ASSERT_STRING_EQUAL(c.first, expected);
			}
		}
		free(text);
		free(data);
		free(defs);
		free(objective);
		free(inputs);
		free(expected);
		free(names[i]);
	}
}

static void test_a_one_megabyte_line_is_reported_at_its_column(void)
{
	size_t pad = 1 << 20;
	const char *head = "var x;\nminimize f: x^2 +";
	size_t hl = strlen(head);
	char *text = malloc(hl + pad + 8);
	memcpy(text, head, hl);
	memset(text + hl, ' ', pad);
	strcpy(text + hl + pad, ";\n");
	diag_capture c;
	run_case("long_line", text, strlen(text), NULL, 0, NULL, 0, NULL, 0, &c);
	char expected[200];
	snprintf(expected, sizeof expected,
	         "long_line.mod:2:%zu: error: expression expected, found ';'",
	         strlen("minimize f: x^2 +") + pad + 1);
	CU_ASSERT_STRING_EQUAL(c.first, expected);
	free(text);
}

static void test_deeply_nested_parentheses_give_a_clean_error(void)
{
	size_t depth = 100000;
	const char *head = "var x;\nminimize f: ";
	size_t hl = strlen(head);
	char *text = malloc(hl + 2 * depth + 16);
	memcpy(text, head, hl);
	memset(text + hl, '(', depth);
	strcpy(text + hl + depth, "x");
	memset(text + hl + depth + 1, ')', depth);
	strcpy(text + hl + 2 * depth + 1, ";\n");
	diag_capture c;
	run_case("deep_parens", text, strlen(text), NULL, 0, NULL, 0, NULL, 0, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.first, "deep_parens.mod:2:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.first, "error: nested too deeply"));
	free(text);
}

static void test_a_long_written_out_product_is_refused_before_it_is_too_deep(void)
{
	/* x*x*...*x nests to the left: 5000 levels is past the limit (a long
	 * written-out sum is not: + and - chains are flat, see test_sema) */
	size_t terms = 5000;
	char *text = malloc(terms * 8 + 64);
	size_t n = (size_t)sprintf(text, "var x;\nminimize f: x");
	for (size_t i = 1; i < terms; i++)
		n += (size_t)sprintf(text + n, "*x");
	strcpy(text + n, ";\n");
	diag_capture c;
	run_case("long_product", text, strlen(text), NULL, 0, NULL, 0, NULL, 0, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.first, "error: expression nested too deeply"));
	free(text);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [--print]\n", argv[0]);
		return 2;
	}
	bad_dir = argv[1];
	print_mode = argc > 2 && strcmp(argv[2], "--print") == 0;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite("diagnostics", NULL, NULL);
	CU_add_test(suite, "every bad model gives its expected error",
	            test_every_bad_model_gives_its_expected_error);
	if (!print_mode) {
		CU_add_test(suite, "a one-megabyte line is reported at its column",
		            test_a_one_megabyte_line_is_reported_at_its_column);
		CU_add_test(suite, "deeply nested parentheses give a clean error",
		            test_deeply_nested_parentheses_give_a_clean_error);
		CU_add_test(suite, "a long written-out product is refused before it is too deep",
		            test_a_long_written_out_product_is_refused_before_it_is_too_deep);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
