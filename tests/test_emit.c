/* test_emit.c -- the C emitter and the cc backend: emitted code compiled
 * with -std=c99 -Wall -Wextra -pedantic -Werror, loaded and run, gives the
 * interpreter's numbers bit for bit; the text is deterministic, has no
 * writable global, and its copy of hessc_problem is the runtime's. */
#include <CUnit/Basic.h>
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc_backend.h"
#include "diag_capture.h"
#include "emit_c.h"
#include "tape.h"
#include "tape_fixtures.h"

static const char *problem_h_path;  /* runtime/include/hessc/problem.h, from argv */
static const char *runtime_include; /* its include folder */

/* A model around hand-built derivatives: names x[1].., x0 = 0.5 (i+1),
 * no bounds unless asked. */
typedef struct fixture_model {
	model m;
	char **names;
	double *x0, *lower, *upper;
} fixture_model;

static int make_model(fixture_model *fm, const char *name, size_t n, int bounded)
{
	memset(fm, 0, sizeof *fm);
	fm->names = calloc(n + 1, sizeof *fm->names);
	fm->x0 = calloc(n + 1, sizeof *fm->x0);
	fm->lower = calloc(n + 1, sizeof *fm->lower);
	fm->upper = calloc(n + 1, sizeof *fm->upper);
	if (!fm->names || !fm->x0 || !fm->lower || !fm->upper)
		return 0;
	for (size_t i = 0; i < n; i++) {
		fm->names[i] = malloc(32);
		if (!fm->names[i])
			return 0;
		snprintf(fm->names[i], 32, "x[%zu]", i + 1);
		fm->x0[i] = 0.5 * (double)(i + 1);
		fm->lower[i] = bounded && i % 2 == 0 ? -1.0 - (double)i : -INFINITY;
		fm->upper[i] = bounded && i % 3 == 0 ? 0.1 * (double)i : INFINITY;
	}
	fm->m.name = (char *)name;
	fm->m.n = n;
	fm->m.names = fm->names;
	fm->m.x0 = fm->x0;
	fm->m.lower = fm->lower;
	fm->m.upper = fm->upper;
	fm->m.objective_name = (char *)"f";
	return 1;
}

static void free_model(fixture_model *fm)
{
	for (size_t i = 0; fm->names && i < fm->m.n; i++)
		free(fm->names[i]);
	free(fm->names);
	free(fm->x0);
	free(fm->lower);
	free(fm->upper);
}

static int same(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* Compile and load, then compare every kernel with tape_run at x. */
static void check_loaded_against_tape(const model *m, const derivatives *d, const tape *t,
                                      size_t chunk, const double *points, size_t n_points,
                                      size_t stride)
{
	diag_sink sink = diag_stderr_sink();
	cc_options opt = { .warnings_as_errors = 1, .chunk_statements = chunk };
	cc_kernels *k = NULL;
	CU_ASSERT_FATAL(cc_backend_load(m, d, t, &opt, &sink, &k) == HESSC_OK);
	const hessc_problem *p = cc_kernels_problem(k);
	CU_ASSERT_EQUAL_FATAL((size_t)p->n, d->n);
	CU_ASSERT_EQUAL_FATAL((size_t)p->nnz, d->nnz);
	for (size_t j = 0; j <= d->n; j++)
		CU_ASSERT_EQUAL(p->hess_colptr[j], d->hess_colptr[j]);
	for (size_t e = 0; e < d->nnz; e++)
		CU_ASSERT_EQUAL(p->hess_rowind[e], d->hess_rowind[e]);
	for (size_t i = 0; i < d->n; i++)
		CU_ASSERT(same(p->x0[i], m->x0[i]));

	size_t n = d->n, nnz = d->nnz;
	double *w_tape = malloc((t->work_size + 1) * sizeof(double));
	double *w_c = malloc((p->work_size + 1) * sizeof(double));
	double *a = malloc((n + nnz + 1) * sizeof(double));
	double *b = malloc((n + nnz + 1) * sizeof(double));
	double *v = malloc((n + 1) * sizeof(double));
	double *scale = malloc((n + 1) * sizeof(double));
	CU_ASSERT_FATAL(w_tape && w_c && a && b && v && scale);
	for (size_t pt = 0; pt < n_points; pt++) {
		const double *x = points + pt * stride;
		CU_ASSERT(same(tape_run(t, TAPE_F, x, NULL, NULL, w_tape), p->f(x, w_c, p->data)));
		double fa = tape_run(t, TAPE_GRAD, x, NULL, a, w_tape);
		double fb = p->grad(x, b, w_c, p->data);
		CU_ASSERT(same(fa, fb));
		for (size_t i = 0; i < n; i++)
			CU_ASSERT(same(a[i], b[i]));
		tape_run(t, TAPE_HESS, x, NULL, a, w_tape);
		p->hess(x, b, w_c, p->data);
		for (size_t e = 0; e < nnz; e++)
			CU_ASSERT(same(a[e], b[e]));
		for (size_t i = 0; i < n; i++) {
			v[i] = 1.0 - 0.3 * (double)i;
			b[i] = 12345.0;  /* hessvec must overwrite */
		}
		/* the C kernel sums in pattern order, the tape in the order the
		 * entries are computed: equal up to rounding of the sums, measured
		 * against the size of the summed terms */
		p->hess(x, b, w_c, p->data);
		for (size_t i = 0; i < n; i++)
			scale[i] = 0.0;
		for (size_t j = 0; j < n; j++)
			for (int e = p->hess_colptr[j]; e < p->hess_colptr[j + 1]; e++) {
				size_t i = (size_t)p->hess_rowind[e];
				scale[i] += fabs(b[e] * v[j]);
				if (i != j)
					scale[j] += fabs(b[e] * v[i]);
			}
		tape_run(t, TAPE_HESSVEC, x, v, a, w_tape);
		p->hessvec(x, v, b, w_c, p->data);
		for (size_t i = 0; i < n; i++)
			CU_ASSERT(same(a[i], b[i]) || fabs(a[i] - b[i]) <= 4 * DBL_EPSILON * scale[i]);
	}
	free(w_tape);
	free(w_c);
	free(a);
	free(b);
	free(v);
	free(scale);
	cc_kernels_free(k);
}

typedef int (*fixture_fn)(graph *g, derivatives *d);

static void run_fixture(fixture_fn make, const char *name, size_t chunk)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	fixture_model fm;
	CU_ASSERT_FATAL(make(g, &d));
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	CU_ASSERT_FATAL(make_model(&fm, name, d.n, 0));
	static const double points[][10] = {
		{ -1.2, 1.0, 0.7, 3.0, 1, 2, 3, 4, 5, 6 },
		{ 0.5, -2.25, -1.5, 0.0, 0, 0, 0, 0, 0, 0 },
		{ 4.0, 3.0, -1.0, 0.25, 1, 1, 1, 1, 1, 1 },
	};
	check_loaded_against_tape(&fm.m, &d, &t, chunk, &points[0][0], 3, 10);
	free_model(&fm);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

static void test_rosenbrock_compiled_matches_the_interpreter(void)
{
	run_fixture(fixture_rosenbrock, "rosenbrock", 0);
}

static void test_mixed_functions_compiled_match_the_interpreter(void)
{
	run_fixture(fixture_mixed, "mixed", 0);
}

static void test_kernels_cut_into_parts_match_the_interpreter(void)
{
	run_fixture(fixture_mixed, "mixed", 2);
	run_fixture(fixture_rosenbrock, "rosenbrock", 1);

	graph *g = graph_new();
	derivatives d;
	tape t;
	fixture_model fm;
	CU_ASSERT_FATAL(fixture_separable(g, &d, 300));
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	CU_ASSERT_FATAL(make_model(&fm, "separable", d.n, 1));
	double x[300];
	for (int i = 0; i < 300; i++)
		x[i] = sin(i) * 3.0 + i;
	check_loaded_against_tape(&fm.m, &d, &t, 7, x, 1, 300);
	check_loaded_against_tape(&fm.m, &d, &t, 0, x, 1, 300);
	free_model(&fm);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

/* Every operator (and a power of it, so POWI meets every one) as one
 * Hessian entry of a 10-variable model: one compile under -Werror. */
static int fixture_all_operators(graph *g, derivatives *d)
{
	size_t n = 10, nnz = 0;
	if (!fixture_alloc(d, n, n * (n + 1) / 2))
		return 0;
	node_id a = X(0), b = X(1), c = X(2);
	size_t col = 0, row = 0;
	for (int op = 0; op < OP_COUNT; op++) {
		if (graph_op_arity((graph_op)op) == 0)  /* leaves */
			continue;
		int arity = graph_op_arity((graph_op)op);
		node_id y = op == OP_POWI ? POWI(a, -5)
		          : op == OP_IF ? graph_if(g, c, a, b)
		          : arity == 1 ? graph_unary(g, (graph_op)op, a)
		          : graph_binary(g, (graph_op)op, a, b);
		d->hess_rowind[nnz] = (int32_t)row;
		d->hess[nnz++] = ADD(y, POWI(y, 7));
		if (++row == n) {
			d->hess_colptr[++col] = (int32_t)nnz;
			row = col;
		}
	}
	while (col < n)
		d->hess_colptr[++col] = (int32_t)nnz;
	d->nnz = nnz;
	d->f = a;
	for (size_t i = 0; i < n; i++)
		d->grad[i] = K(i == 0 ? 1.0 : 0.0);
	return !graph_failed(g);
}

static void test_every_operator_compiles_cleanly_and_matches(void)
{
	run_fixture(fixture_all_operators, "operators", 0);
}

/* The emitted text of one model, in memory. */
typedef struct emitted {
	char *c, *h;
	size_t c_len, h_len;
} emitted;

static void emit_to_memory(const model *m, const derivatives *d, const tape *t,
                           size_t chunk, emitted *e)
{
	memset(e, 0, sizeof *e);
	FILE *c = open_memstream(&e->c, &e->c_len), *h = open_memstream(&e->h, &e->h_len);
	CU_ASSERT_FATAL(c && h);
	emit_c_options opt = { .prefix = "rb", .header_name = "rb.h",
	                       .command = "hessc gen rb.mod -o rb", .chunk_statements = chunk };
	CU_ASSERT(emit_c(m, d, t, &opt, c, h) == HESSC_OK);
	fclose(c);
	fclose(h);
}

static void test_two_emissions_give_identical_bytes(void)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		emitted e[2];
		for (int run = 0; run < 2; run++) {
			/* each run builds everything anew, as two `hessc gen` would */
			graph *g = graph_new();
			derivatives d;
			tape t;
			fixture_model fm;
			CU_ASSERT_FATAL(fixture_mixed(g, &d));
			CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
			CU_ASSERT_FATAL(make_model(&fm, "mixed", d.n, 1));
			emit_to_memory(&fm.m, &d, &t, attempt ? 3 : 0, &e[run]);
			free_model(&fm);
			tape_free(&t);
			fixture_free(&d);
			graph_free(g);
		}
		CU_ASSERT(e[0].c_len == e[1].c_len && !memcmp(e[0].c, e[1].c, e[0].c_len));
		CU_ASSERT(e[0].h_len == e[1].h_len && !memcmp(e[0].h, e[1].h, e[0].h_len));
		for (int run = 0; run < 2; run++) {
			free(e[run].c);
			free(e[run].h);
		}
	}
}

static void test_the_text_reads_like_careful_c(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	fixture_model fm;
	emitted e;
	CU_ASSERT_FATAL(fixture_alloc(&d, 2, 0));
	/* f = x0^4 / 3 + 0.1 x1 + x0^2: powers as products, constants that
	 * round-trip, a shared square computed once */
	node_id sq = POWI(X(0), 2);
	d.f = ADD(ADD(DIV(POWI(X(0), 4), K(3)), MUL(K(0.1), X(1))), sq);
	d.grad[0] = MUL(K(1.0 / 3.0), sq);
	d.grad[1] = K(0.1);
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	CU_ASSERT_FATAL(make_model(&fm, "readable", 2, 1));
	emit_to_memory(&fm.m, &d, &t, 0, &e);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.c, "x[0] * x[0]"));
	CU_ASSERT_PTR_NULL(strstr(e.c, "pow("));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.c, "x[1] * 0.1"));
	/* the shortest digits that read back as the same double */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.c, "0.3333333333333333;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.c, "/ 3.0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.c, "-INFINITY"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.c, " * command: hessc gen rb.mod -o rb"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.h, "#define RB_N 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.h, "extern const hessc_problem rb_problem;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.c, "static const int rb_hess_colptr[RB_N + 1]"));
	/* x0^2 appears once in f's kernel: x0^4 squares it */
	char *f_kernel = strstr(e.c, "double rb_f(");
	char *grad_kernel = f_kernel ? strstr(f_kernel, "double rb_grad(") : NULL;
	CU_ASSERT_FATAL(f_kernel && grad_kernel);
	int squares = 0;
	for (char *p = f_kernel; (p = strstr(p, "x[0] * x[0]")) && p < grad_kernel; p++)
		squares++;
	CU_ASSERT_EQUAL(squares, 1);
	free(e.c);
	free(e.h);
	free_model(&fm);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

/* Write BASE.c/BASE.h for the mixed fixture into `dir`. */
static void write_mixed(const char *dir, size_t chunk)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	fixture_model fm;
	diag_sink sink = diag_stderr_sink();
	char base[512];
	snprintf(base, sizeof base, "%s/mixed", dir);
	CU_ASSERT_FATAL(fixture_mixed(g, &d));
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	CU_ASSERT_FATAL(make_model(&fm, "mixed", d.n, 1));
	emit_c_options opt = { .chunk_statements = chunk };
	CU_ASSERT(emit_c_files(&fm.m, &d, &t, &opt, base, &sink) == HESSC_OK);
	free_model(&fm);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

static void test_no_global_is_writable(void)
{
	char dir[] = "/tmp/hessc-test-emit-XXXXXX", cmd[2048], line[512];
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	write_mixed(dir, 2);
	/* without -fPIC constant data goes to .rodata: nm says R or r */
	snprintf(cmd, sizeof cmd,
	         "cc -std=c99 -Wall -Wextra -pedantic -Werror -fno-pic -c -o %s/mixed.o %s/mixed.c"
	         " && nm %s/mixed.o > %s/nm.txt", dir, dir, dir, dir);
	CU_ASSERT_FATAL(system(cmd) == 0);
	snprintf(cmd, sizeof cmd, "%s/nm.txt", dir);
	FILE *f = fopen(cmd, "r");
	CU_ASSERT_FATAL(f != NULL);
	int symbols = 0, writable = 0, problem_ro = 0;
	while (fgets(line, sizeof line, f)) {
		char addr[64], type = 0, name[256];
		if (line[0] == ' ' || sscanf(line, "%63s %c %255s", addr, &type, name) != 3)
			continue;  /* undefined symbols (sin, cos) have no address */
		symbols++;
		if (strchr("DdBbCGgSsV", type)) {
			fprintf(stderr, "\n  writable symbol: %s", line);
			writable++;
		}
		if (!strcmp(name, "mixed_problem") && type == 'R')
			problem_ro = 1;
	}
	fclose(f);
	CU_ASSERT(symbols > 5);
	CU_ASSERT_EQUAL(writable, 0);
	CU_ASSERT(problem_ro);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

/* A host may include <hessc/problem.h> before or after the generated
 * header: the guard makes one definition either way. */
static void test_the_header_works_with_the_runtime_header_in_either_order(void)
{
	char dir[] = "/tmp/hessc-test-emit-XXXXXX", cmd[2048], path[512];
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	write_mixed(dir, 0);
	static const char *const orders[2] = {
		"#include <hessc/problem.h>\n#include \"mixed.h\"\n",
		"#include \"mixed.h\"\n#include <hessc/problem.h>\n",
	};
	for (int o = 0; o < 2; o++) {
		snprintf(path, sizeof path, "%s/host%d.c", dir, o);
		FILE *f = fopen(path, "w");
		CU_ASSERT_FATAL(f != NULL);
		fprintf(f, "%s\nint host_n(void);\nint host_n(void)\n{\n"
		           "\tconst hessc_problem *p = &mixed_problem;\n"
		           "\treturn p->n + MIXED_N + (int)MIXED_WORK_SIZE;\n}\n", orders[o]);
		fclose(f);
		snprintf(cmd, sizeof cmd,
		         "cc -std=c99 -Wall -Wextra -pedantic -Werror -I%s -c -o %s/host%d.o %s",
		         runtime_include, dir, o, path);
		CU_ASSERT(system(cmd) == 0);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

/* Tokens of a C fragment without comments and blanks. */
static void normalize(const char *in, size_t len, char *out, size_t size)
{
	size_t j = 0;
	for (size_t i = 0; i < len && j + 2 < size; i++) {
		if (in[i] == '/' && i + 1 < len && in[i + 1] == '*') {
			const char *end = strstr(in + i + 2, "*/");
			i = end ? (size_t)(end - in) + 1 : len;
			continue;
		}
		if (isspace((unsigned char)in[i]))
			continue;
		out[j++] = in[i];
	}
	out[j] = 0;
}

static void test_the_problem_struct_copy_equals_the_runtime_header(void)
{
	FILE *f = fopen(problem_h_path, "r");
	CU_ASSERT_FATAL(f != NULL);
	static char text[65536], a[65536], b[65536];
	size_t len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[len] = 0;
	char *start = strstr(text, "typedef struct hessc_problem {");
	char *end = start ? strstr(start, "} hessc_problem;") : NULL;
	CU_ASSERT_FATAL(start && end);
	end += strlen("} hessc_problem;");
	normalize(start, (size_t)(end - start), a, sizeof a);
	normalize(emit_c_problem_struct, strlen(emit_c_problem_struct), b, sizeof b);
	if (strcmp(a, b))
		fprintf(stderr, "\n  runtime: %s\n  emitter: %s\n", a, b);
	CU_ASSERT_STRING_EQUAL(a, b);
}

static void test_an_unwritable_place_leaves_no_file(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	fixture_model fm;
	int errors = 0;
	diag_sink sink = diag_stderr_sink();
	CU_ASSERT_FATAL(fixture_rosenbrock(g, &d));
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	CU_ASSERT_FATAL(make_model(&fm, "rosenbrock", d.n, 0));
	emit_c_options opt = { 0 };
	CU_ASSERT(emit_c_files(&fm.m, &d, &t, &opt, "/nonexistent-folder/out", &sink) ==
	          HESSC_ERR_INTERNAL);
	errors = sink.errors;
	CU_ASSERT(errors >= 1);
	CU_ASSERT(access("/nonexistent-folder/out.c", F_OK) != 0);
	opt.prefix = "not an identifier";
	FILE *devnull = fopen("/dev/null", "w");
	CU_ASSERT(emit_c(&fm.m, &d, &t, &opt, devnull, devnull) == HESSC_ERR_USAGE);
	fclose(devnull);
	free_model(&fm);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

static void test_default_prefixes_are_c_identifiers(void)
{
	const char *names[] = { "rosenbr", "my-model", "3d", "a.b", "" };
	const char *want[] = { "rosenbr", "my_model", "_3d", "a_b", "model" };
	for (int i = 0; i < 5; i++) {
		char *p = emit_c_default_prefix(names[i]);
		CU_ASSERT_FATAL(p != NULL);
		CU_ASSERT_STRING_EQUAL(p, want[i]);
		CU_ASSERT(emit_c_valid_prefix(p));
		free(p);
	}
	CU_ASSERT(!emit_c_valid_prefix("9a"));
	CU_ASSERT(!emit_c_valid_prefix("a-b"));
}

static void test_a_missing_compiler_is_reported(void)
{
	graph *g = graph_new();
	derivatives d;
	tape t;
	fixture_model fm;
	diag_sink sink = diag_stderr_sink();
	cc_kernels *k = NULL;
	CU_ASSERT_FATAL(fixture_rosenbrock(g, &d));
	CU_ASSERT_FATAL(tape_build(g, &d, &t) == HESSC_OK);
	CU_ASSERT_FATAL(make_model(&fm, "rosenbrock", d.n, 0));
	cc_options opt = { .cc = "/nonexistent/cc" };
	CU_ASSERT(cc_backend_load(&fm.m, &d, &t, &opt, &sink, &k) == HESSC_ERR_INTERNAL);
	CU_ASSERT(k == NULL);
	CU_ASSERT_EQUAL(sink.errors, 1);
	free_model(&fm);
	tape_free(&t);
	fixture_free(&d);
	graph_free(g);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: test_emit PROBLEM_H RUNTIME_INCLUDE\n");
		return 2;
	}
	problem_h_path = argv[1];
	runtime_include = argv[2];
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("emit_c", NULL, NULL);
	CU_add_test(s, "rosenbrock compiled matches the interpreter", test_rosenbrock_compiled_matches_the_interpreter);
	CU_add_test(s, "mixed functions compiled match the interpreter", test_mixed_functions_compiled_match_the_interpreter);
	CU_add_test(s, "kernels cut into parts match the interpreter", test_kernels_cut_into_parts_match_the_interpreter);
	CU_add_test(s, "every operator compiles cleanly and matches", test_every_operator_compiles_cleanly_and_matches);
	CU_add_test(s, "two emissions give identical bytes", test_two_emissions_give_identical_bytes);
	CU_add_test(s, "the text reads like careful C", test_the_text_reads_like_careful_c);
	CU_add_test(s, "no global is writable", test_no_global_is_writable);
	CU_add_test(s, "the header works with the runtime header in either order", test_the_header_works_with_the_runtime_header_in_either_order);
	CU_add_test(s, "the problem struct copy equals the runtime header", test_the_problem_struct_copy_equals_the_runtime_header);
	CU_add_test(s, "an unwritable place leaves no file", test_an_unwritable_place_leaves_no_file);
	CU_add_test(s, "default prefixes are C identifiers", test_default_prefixes_are_c_identifiers);
	CU_add_test(s, "a missing compiler is reported", test_a_missing_compiler_is_reported);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
