/* test_cli_inspect.c -- the inspection commands through the hessc binary:
 * `sparsity --format json|svg|png`, `curvature`, `gen --emit dot`.
 * Arguments: hessc, dot, rsvg-convert, the examples folder. */
#include <CUnit/Basic.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_runner.h"

static const char *hessc, *dot_program, *rsvg_convert, *examples;
static char tmpdir[256];

/* Run a shell command; its exit status, its stdout in *out (malloc'ed). */
static int run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf != NULL && (got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += got;
		if (cap - len < 2) {
			char *grown = realloc(buf, cap * 2);
			if (grown == NULL)
				break;
			buf = grown;
			cap *= 2;
		}
	}
	if (buf != NULL)
		buf[len] = '\0';
	int status = pclose(p);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_sparsity_json_has_structure_and_cse_counts(void)
{
	char cmd[1024], *out = NULL;
	snprintf(cmd, sizeof cmd, "'%s' sparsity '%s/rosenbrock.mod' -D N=100 --format json", hessc, examples);
	CU_ASSERT_EQUAL_FATAL(run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"model\": \"rosenbrock\", \"n\": 100, \"nnz_lower\": 199, \"nnz_full\": 298"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"kind\": \"banded\", \"description\": \"tridiagonal\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"graph\": {\"nodes_requested\": "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"expression\": {\"nodes_requested\": "));
	free(out);
	snprintf(cmd, sizeof cmd, "'%s' sparsity '%s/rosenbrock.mod' | grep -c '^structure: *tridiagonal$'",
	         hessc, examples);
	CU_ASSERT_EQUAL(run(cmd, NULL), 0);
}

static int png_width(const char *path)
{
	png_image pi;
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&pi, path))
		return -1;
	pi.format = PNG_FORMAT_GRAY;
	void *pixels = malloc(PNG_IMAGE_SIZE(pi));
	int ok = pixels != NULL && png_image_finish_read(&pi, NULL, pixels, 0, NULL);
	free(pixels);
	if (!ok)
		png_image_free(&pi);
	return ok ? (int)pi.width : -1;
}

static void test_spy_plots_of_an_example_model_decode(void)
{
	char cmd[1024], svg[300], png[300], rendered[300];
	snprintf(svg, sizeof svg, "%s/grid.svg", tmpdir);
	snprintf(png, sizeof png, "%s/grid.png", tmpdir);
	snprintf(rendered, sizeof rendered, "%s/grid_svg.png", tmpdir);
	snprintf(cmd, sizeof cmd, "'%s' sparsity '%s/grid.mod' --format svg -o '%s'", hessc, examples, svg);
	CU_ASSERT_EQUAL(run(cmd, NULL), 0);
	snprintf(cmd, sizeof cmd, "'%s' sparsity '%s/grid.mod' --format png -o '%s'", hessc, examples, png);
	CU_ASSERT_EQUAL(run(cmd, NULL), 0);
	CU_ASSERT(png_width(png) > 600);
	snprintf(cmd, sizeof cmd, "'%s' -f png -o '%s' '%s'", rsvg_convert, rendered, svg);
	CU_ASSERT_EQUAL(run(cmd, NULL), 0);
	CU_ASSERT(png_width(rendered) > 600);
}

static void test_curvature_tells_a_saddle_from_a_minimum(void)
{
	char cmd[1024], model[300], point[300], *out = NULL;
	snprintf(model, sizeof model, "%s/saddle.mod", tmpdir);
	write_file(model, "var x := 1; var y := -1;\nminimize f: x^2 - 3*y^2 + x*y;\n");
	snprintf(cmd, sizeof cmd, "'%s' curvature '%s' --format json", hessc, model);
	CU_ASSERT_EQUAL_FATAL(run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"inertia\": {\"positive\": 1, \"negative\": 1, \"zero\": 0}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stationary\": false, \"verdict\": \"saddle\"}"));
	free(out);

	/* Rosenbrock at its minimum (1, ..., 1), given with --at */
	snprintf(point, sizeof point, "%s/ones.txt", tmpdir);
	write_file(point, "1 1 1 1 1 1 1 1 1 1\n");
	snprintf(cmd, sizeof cmd, "'%s' curvature '%s/rosenbrock.mod' --at '%s'", hessc, examples, point);
	CU_ASSERT_EQUAL_FATAL(run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "inertia:     10 positive, 0 negative, 0 zero"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "(stationary point)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "verdict:     minimum"));
	free(out);

	write_file(point, "1 1 1\n");
	snprintf(cmd, sizeof cmd, "'%s' curvature '%s/rosenbrock.mod' --at '%s' 2>/dev/null", hessc, examples, point);
	CU_ASSERT_EQUAL(run(cmd, NULL), 2);
}

static void test_emit_dot_is_accepted_by_graphviz(void)
{
	char cmd[1024], *out = NULL;
	snprintf(cmd, sizeof cmd, "'%s' gen '%s/rosenbrock.mod' -D N=3 --emit dot --derivatives | '%s' -Tsvg",
	         hessc, examples, dot_program);
	CU_ASSERT_EQUAL_FATAL(run(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<svg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "users)"));
	free(out);
	snprintf(cmd, sizeof cmd, "'%s' gen '%s/logistic.mod' --emit dot -o '%s/logistic.dot' && "
	         "'%s' -Tsvg '%s/logistic.dot' -o /dev/null", hessc, examples, tmpdir, dot_program, tmpdir);
	CU_ASSERT_EQUAL(run(cmd, NULL), 0);
}

static void test_wrong_formats_and_kinds_are_usage_errors(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' sparsity '%s/rosenbrock.mod' --format bmp 2>/dev/null", hessc, examples);
	CU_ASSERT_EQUAL(run(cmd, NULL), 2);
	snprintf(cmd, sizeof cmd, "'%s' gen '%s/rosenbrock.mod' --emit llvm 2>/dev/null", hessc, examples);
	CU_ASSERT_EQUAL(run(cmd, NULL), 2);
	snprintf(cmd, sizeof cmd, "'%s' curvature '%s/rosenbrock.mod' --format mtx 2>/dev/null", hessc, examples);
	CU_ASSERT_EQUAL(run(cmd, NULL), 2);
}

int main(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	hessc = argv[1];
	dot_program = argv[2];
	rsvg_convert = argv[3];
	examples = argv[4];
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/hessc-cli-inspect-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	static const test_case tests[] = {
		{"sparsity JSON has the structure and the CSE counts", test_sparsity_json_has_structure_and_cse_counts},
		{"spy plots of an example model decode", test_spy_plots_of_an_example_model_decode},
		{"curvature tells a saddle from a minimum", test_curvature_tells_a_saddle_from_a_minimum},
		{"--emit dot is accepted by Graphviz", test_emit_dot_is_accepted_by_graphviz},
		{"wrong formats and kinds are usage errors", test_wrong_formats_and_kinds_are_usage_errors},
	};
	int failed = run_test_suite("inspection commands", tests, TEST_COUNT(tests));
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		failed = 1;
	return failed;
}
