/* test_inspect_models.c -- the inspection views on AMPL models, end to end:
 * front end -> derivatives -> pattern statistics and structure; DOT of a
 * model accepted by `dot` (path in argv[1]); curvature through the very
 * kernels `hessc gen` writes (cc backend) on quadratic models with known
 * spectra and on models made to be a minimum, a maximum and a saddle. */
#include <CUnit/Basic.h>
#include <math.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_backend.h"
#include "curvature.h"
#include "derive.h"
#include "diag_capture.h"
#include "frontend.h"
#include "graph_dot.h"
#include "pattern_stats.h"
#include "spy.h"
#include "tape.h"
#include "test_runner.h"

#define PI 3.14159265358979323846

static const char *dot_program;
static const char *rsvg_convert;

/* The size of the large model: a million variables, as the spy plots must
 * handle; a tenth of that under AddressSanitizer, which slows the front end
 * tenfold (the sizes are checked by the normal build, the memory safety of
 * the same code paths by the sanitized one). */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_N 100000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_N 100000
#endif
#endif
#ifndef BIG_N
#define BIG_N 1000000
#endif
#define STR(x) #x
#define XSTR(x) STR(x)

typedef struct built {
	graph *g;
	model *m;
	derivatives d;
	size_t expr_requested, expr_nodes;
} built;

static int build(const char *text, built *b)
{
	memset(b, 0, sizeof *b);
	diag_sink sink = diag_stderr_sink();
	frontend_input in = {.model = {.path = "<test>", .text = text, .text_len = strlen(text)}};
	b->g = graph_new();
	if (b->g == NULL || frontend_build(&in, &sink, b->g, &b->m) != HESSC_OK)
		return -1;
	b->expr_requested = graph_requests(b->g);
	b->expr_nodes = graph_size(b->g);
	return derive(b->g, b->m->objective, b->m->n, DERIVE_DEFAULT_MAX_NNZ, &b->d) == HESSC_OK ? 0 : -1;
}

static void built_free(built *b)
{
	derivatives_free(&b->d);
	model_free(b->m);
	graph_free(b->g);
}

/* The structure description of a model's Hessian. */
static void check_structure(const char *text, const char *expected, int64_t n, int64_t nnz_lower)
{
	built b;
	CU_ASSERT_FATAL(build(text, &b) == 0);
	pattern_stats s;
	CU_ASSERT_FATAL(pattern_stats_compute((int64_t)b.d.n, b.d.hess_colptr, b.d.hess_rowind, &s) == HESSC_OK);
	char desc[160];
	pattern_shape_describe(&s.shape, desc, sizeof desc);
	CU_ASSERT_STRING_EQUAL(desc, expected);
	CU_ASSERT_EQUAL(s.n, n);
	CU_ASSERT_EQUAL(s.nnz_lower, nnz_lower);
	if (strcmp(desc, expected) != 0)
		fprintf(stderr, "\n  got '%s', expected '%s'\n", desc, expected);
	pattern_stats_free(&s);
	built_free(&b);
}

static void test_models_of_known_structure_are_described_as_such(void)
{
	check_structure("param N := 40; var x{1..N} := 1;\n"
	                "minimize f: sum {i in 1..N} (x[i] - i)^4;\n",
	                "diagonal", 40, 40);
	check_structure("param N := 60; var x{1..N} := 0.5;\n"
	                "minimize f: sum {i in 1..N-1} (x[i+1] - x[i]^2)^2 + sum {i in 1..N} x[i]^2;\n",
	                "tridiagonal", 60, 60 + 59);
	check_structure("param N := 50; var x{1..N} := 1;\n"
	                "minimize f: sum {i in 1..N-1} ((x[i]^2 + x[N]^2)^2 - 4*x[i] + 3);\n",
	                "arrowhead: diagonal plus 1 dense last row", 50, 50 + 49);
	check_structure("param K := 20; var x{1..3*K} := 1;\n"
	                "minimize f: sum {b in 0..K-1} (x[3*b+1] + 2*x[3*b+2] + x[3*b+3])^4;\n",
	                "block diagonal, 20 blocks of size 3", 60, 20 * 6);
	check_structure("param N := 12; var x{1..N} := 1;\n"
	                "minimize f: (sum {i in 1..N} i * x[i])^2 * exp(x[1]);\n",
	                "dense", 12, 12 * 13 / 2);
	check_structure("param N := 30; var x{1..N} := 1;\n"
	                "minimize f: sum {i in 1..N-2} (x[i] + x[i+1] * x[i+2])^2;\n",
	                "pentadiagonal", 30, 30 + 29 + 28);
}

static void test_dot_of_an_example_model_is_accepted_by_graphviz(void)
{
	built b;
	CU_ASSERT_FATAL(build("var x := -1.2; var y := 1;\n"
	                      "minimize rosenbrock: 100 * (y - x^2)^2 + (1 - x)^2;\n", &b) == 0);
	char path[] = "/tmp/hessc-model-dot-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	FILE *f = fdopen(fd, "w");
	dot_options o = {.title = "rosenbrock", .var_names = (const char *const *)b.m->names,
	                 .n_names = b.m->n, .deriv = &b.d,
	                 .expr_requested = b.expr_requested, .expr_nodes = b.expr_nodes};
	dot_counts c;
	CU_ASSERT_EQUAL(graph_write_dot(f, b.g, b.m->objective, &o, &c), HESSC_OK);
	fclose(f);
	CU_ASSERT(c.shared >= 1);             /* y - x^2 feeds f, both gradients, H */
	CU_ASSERT(c.tree > (double)c.drawn);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "'%s' -Tsvg '%s' -o '%s.svg'", dot_program, path, path);
	CU_ASSERT_EQUAL(system(cmd), 0);
	char svg[600];
	snprintf(svg, sizeof svg, "%s.svg", path);
	FILE *s = fopen(svg, "r");
	CU_ASSERT_FATAL(s != NULL);
	char head[4096] = {0};
	size_t got = fread(head, 1, sizeof head - 1, s);
	fclose(s);
	CU_ASSERT(got > 0 && strstr(head, "<svg") != NULL);
	remove(svg);
	remove(path);
	built_free(&b);
}

/* Curvature of a model at its initial point through the generated kernels. */
static int model_curvature(const char *text, curvature_result *r)
{
	built b;
	if (build(text, &b) != 0)
		return -1;
	tape t;
	cc_kernels *k = NULL;
	diag_sink sink = diag_stderr_sink();
	int rc = -1;
	if (tape_build(b.g, &b.d, &t) != HESSC_OK)
		goto no_tape;
	if (cc_backend_load(b.m, &b.d, &t, NULL, &sink, &k) != HESSC_OK)
		goto done;
	curvature_options o = {.inertia = 1};
	rc = curvature_analyze(cc_kernels_problem(k), b.m->x0, &o, r) == HESSC_OK ? 0 : -1;
done:
	cc_kernels_free(k);
	tape_free(&t);
no_tape:
	built_free(&b);
	return rc;
}

#define ASSERT_REL(expected, actual, tol) \
	CU_ASSERT(fabs((actual) - (expected)) <= (tol) * fabs(expected))

static void test_quadratic_models_have_their_known_extreme_eigenvalues(void)
{
	curvature_result r;
	/* H = diag(1, 2, ..., 80) */
	CU_ASSERT_FATAL(model_curvature("param N := 80; var x{i in 1..N} := 1/i;\n"
	                                "minimize f: sum {i in 1..N} i * x[i]^2 / 2;\n", &r) == 0);
	ASSERT_REL(1.0, r.lambda_min, 1e-8);
	ASSERT_REL(80.0, r.lambda_max, 1e-8);
	CU_ASSERT_EQUAL(r.positive, 80);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_MINIMUM);
	CU_ASSERT(!r.stationary);

	/* H = 2 * tridiag(-1, 2, -1): eigenvalues 4 - 4 cos(k pi / (N+1)) */
	CU_ASSERT_FATAL(model_curvature("param N := 40; var x{1..N};\n"
	                                "minimize f: x[1]^2 + x[N]^2 + sum {i in 1..N-1} (x[i+1] - x[i])^2;\n",
	                                &r) == 0);
	ASSERT_REL(4.0 - 4.0 * cos(PI / 41), r.lambda_min, 1e-8);
	ASSERT_REL(4.0 - 4.0 * cos(40 * PI / 41), r.lambda_max, 1e-8);
	CU_ASSERT(r.stationary);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_MINIMUM);
}

static void test_models_made_to_be_a_saddle_a_maximum_or_degenerate_are_classified_so(void)
{
	curvature_result r;
	CU_ASSERT_FATAL(model_curvature("var x; var y;\nminimize saddle: x^2 - 3*y^2 + x*y;\n", &r) == 0);
	/* [[2, 1], [1, -6]]: -2 -+ sqrt(17) */
	ASSERT_REL(-2.0 - sqrt(17.0), r.lambda_min, 1e-8);
	ASSERT_REL(-2.0 + sqrt(17.0), r.lambda_max, 1e-8);
	CU_ASSERT_EQUAL(r.negative, 1);
	CU_ASSERT_EQUAL(r.positive, 1);
	CU_ASSERT(r.stationary);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_SADDLE);

	CU_ASSERT_FATAL(model_curvature("var x := 1; var y := 2;\n"
	                                "maximize hill: -(x - 1)^2 - 2*(y - 2)^2 - cos(x - y);\n", &r) == 0);
	CU_ASSERT_EQUAL(r.negative, 2);
	CU_ASSERT(!r.stationary);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_MAXIMUM);

	CU_ASSERT_FATAL(model_curvature("var x := 1; var y := 1;\nminimize valley: (x - y)^2;\n", &r) == 0);
	CU_ASSERT(fabs(r.lambda_min) <= 1e-12);
	ASSERT_REL(4.0, r.lambda_max, 1e-8);
	CU_ASSERT(r.stationary);
	CU_ASSERT_EQUAL(r.verdict, CURVATURE_DEGENERATE);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Decode a PNG with libpng; its width, or -1. */
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

static void test_million_variable_model_gives_spy_plots_under_a_megabyte_that_decode(void)
{
	built b;
	CU_ASSERT_FATAL(build("param N := " XSTR(BIG_N) "; var x{1..N} := 1;\n"
	                      "minimize arrow: sum {i in 1..N-1} (x[i]^2 + x[N]^2)^2;\n", &b) == 0);
	pattern_stats s;
	CU_ASSERT_FATAL(pattern_stats_compute((int64_t)b.d.n, b.d.hess_colptr, b.d.hess_rowind, &s) == HESSC_OK);
	char desc[160];
	CU_ASSERT_STRING_EQUAL(pattern_shape_describe(&s.shape, desc, sizeof desc),
	                       "arrowhead: diagonal plus 1 dense last row");
	CU_ASSERT_EQUAL(s.n, BIG_N);
	pattern_stats_free(&s);

	char dir[] = "/tmp/hessc-spy-model-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	char svg[128], png[128], rendered[128];
	snprintf(svg, sizeof svg, "%s/arrow.svg", dir);
	snprintf(png, sizeof png, "%s/arrow.png", dir);
	snprintf(rendered, sizeof rendered, "%s/arrow_svg.png", dir);
	spy_options opt = {"arrow", 0};
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen(k ? png : svg, "wb");
		CU_ASSERT_FATAL(f != NULL);
		hessc_status st = k ? spy_write_png(f, (int64_t)b.d.n, b.d.hess_colptr, b.d.hess_rowind, &opt)
		                    : spy_write_svg(f, (int64_t)b.d.n, b.d.hess_colptr, b.d.hess_rowind, &opt);
		CU_ASSERT_EQUAL(st, HESSC_OK);
		fclose(f);
	}
	CU_ASSERT(file_size(svg) > 0 && file_size(svg) < 1000000);
	CU_ASSERT(file_size(png) > 0 && file_size(png) < 1000000);
	int width = SPY_DEFAULT_SIZE + SPY_MARGIN_LEFT + SPY_MARGIN_RIGHT;
	CU_ASSERT_EQUAL(png_width(png), width);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "'%s' -f png -o '%s' '%s'", rsvg_convert, rendered, svg);
	CU_ASSERT_EQUAL(system(cmd), 0);
	CU_ASSERT_EQUAL(png_width(rendered), width);
	remove(svg);
	remove(png);
	remove(rendered);
	rmdir(dir);
	built_free(&b);
}

int main(int argc, char **argv)
{
	dot_program = argc > 1 ? argv[1] : "dot";
	rsvg_convert = argc > 2 ? argv[2] : "rsvg-convert";
	static const test_case tests[] = {
		{"models of known structure are described as such", test_models_of_known_structure_are_described_as_such},
		{"the DOT of an example model is accepted by Graphviz", test_dot_of_an_example_model_is_accepted_by_graphviz},
		{"quadratic models have their known extreme eigenvalues", test_quadratic_models_have_their_known_extreme_eigenvalues},
		{"models made to be a saddle, a maximum or degenerate are classified so", test_models_made_to_be_a_saddle_a_maximum_or_degenerate_are_classified_so},
		{"a million-variable model gives spy plots under a megabyte that decode", test_million_variable_model_gives_spy_plots_under_a_megabyte_that_decode},
	};
	return run_test_suite("inspection of models", tests, TEST_COUNT(tests));
}
