/* test_run_time_data.c -- params without a value become inputs of the
 * generated kernels: one generated file serves several data sets.
 *
 * A logistic regression whose X, y and lambda have no value in the model
 * is generated once by `hessc gen`, compiled by cc and loaded; then it is
 * run on two different data sets and its f, gradient, Hessian and H v are
 * compared with (a) the same model given the same data in a data file,
 * through the pipeline `hessc eval` runs (front end, derivatives, tape
 * interpreter), and (b) the formulas derived by hand.  The interpreter
 * reading inputs (tape_run_inputs) is checked the same way, and so is the
 * benchmark's P5 model at a small size.
 *
 * Usage: test_run_time_data HESSC BENCH_MODELS_DIR
 */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "derive.h"
#include "diag_capture.h"
#include "frontend.h"
#if HESSC_HAVE_LLVM
#include "llvm_backend.h"
#include "llvm_loop_data.h"
#endif
#include "read_file.h"
#include "tape.h"
#include "template.h"
#include "test_runner.h"
#include <hessc/problem.h>

static const char *hessc_path, *models_dir;

static const char lr_model[] =
	"# logistic regression, data at run time\n"
	"param m := 7;\n"
	"param d := 4;\n"
	"param lambda;\n"
	"param X{i in 1..m, j in 1..d};\n"
	"param y{1..m};\n"
	"var w{1..d} := 0;\n"
	"minimize f:\n"
	"\tsum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]))\n"
	"\t+ lambda/2 * sum {j in 1..d} w[j]^2;\n";

/* One data set of the logistic regression. */
typedef struct data_set {
	int m, d;
	double lambda;
	double *X;   /* m x d, row-major */
	double *y;   /* m */
} data_set;

static void data_set_make(data_set *ds, int m, int d, unsigned seed)
{
	ds->m = m;
	ds->d = d;
	ds->lambda = 0.01 + 0.1 * seed;
	ds->X = malloc((size_t)(m * d) * sizeof *ds->X);
	ds->y = malloc((size_t)m * sizeof *ds->y);
	for (int i = 0; i < m; i++) {
		for (int j = 0; j < d; j++)
			ds->X[i * d + j] = sin(1.3 * (i + 1) + 0.7 * (j + 1) + seed) * (1.0 + 0.5 * seed);
		ds->y[i] = (i + seed) % 3 == 0 ? 1.0 : -1.0;
	}
}

static void data_set_free(data_set *ds)
{
	free(ds->X);
	free(ds->y);
}

/* The same data as an AMPL data section (table form for X). */
static char *data_text(const data_set *ds)
{
	size_t cap = 64 + (size_t)(ds->m * (ds->d + 1)) * 32 + (size_t)ds->d * 8;
	char *t = malloc(cap), *p = t;
	p += sprintf(p, "data;\nparam lambda := %.17g;\nparam y :=", ds->lambda);
	for (int i = 0; i < ds->m; i++)
		p += sprintf(p, " %d %.17g", i + 1, ds->y[i]);
	p += sprintf(p, ";\nparam X:");
	for (int j = 0; j < ds->d; j++)
		p += sprintf(p, " %d", j + 1);
	p += sprintf(p, " :=\n");
	for (int i = 0; i < ds->m; i++) {
		p += sprintf(p, "%d", i + 1);
		for (int j = 0; j < ds->d; j++)
			p += sprintf(p, " %.17g", ds->X[i * ds->d + j]);
		p += sprintf(p, "\n");
	}
	sprintf(p, ";\n");
	return t;
}

/* f, g and the lower triangle (CSC) of a model at one point. */
typedef struct values {
	size_t n, nnz;
	double f;
	double *g, *h, *hv;
	int32_t *colptr, *rowind;
} values;

static void values_free(values *v)
{
	free(v->g);
	free(v->h);
	free(v->hv);
	free(v->colptr);
	free(v->rowind);
	memset(v, 0, sizeof *v);
}

/* The pipeline `hessc eval` runs: the model with `data` (a data text, or
 * NULL: run-time inputs allowed, read from `inputs` in the model's input
 * order, whose names must be `names`), at x. */
static int pipeline_values(const char *model_text, const char *data, const char *const *defines,
                           size_t n_defines, const char *const *names,
                           const double *const *inputs, size_t n_inputs, const double *x,
                           const double *dir, values *out)
{
	frontend_source src = { "model.mod", data, data ? strlen(data) : 0 };
	frontend_input in = {
		.model = { "model.mod", model_text, strlen(model_text) },
		.data = data ? &src : NULL, .n_data = data ? 1 : 0,
		.defines = defines, .n_defines = n_defines,
		.run_time_inputs = data == NULL,
	};
	diag_sink sink = diag_stderr_sink();
	graph *g = graph_new();
	model *m = NULL;
	derivatives d;
	tape t;
	int ok = 0;
	memset(out, 0, sizeof *out);
	if (frontend_build(&in, &sink, g, &m) != HESSC_OK)
		goto done;
	if (!data) {
		if (m->n_inputs != n_inputs)
			goto done;
		for (size_t k = 0; k < n_inputs; k++)
			if (strcmp(m->inputs[k].name, names[k]) != 0)
				goto done;
	} else if (m->n_inputs != 0) {
		goto done;
	}
	if (derive(g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &d) != HESSC_OK)
		goto done;
	if (tape_build(g, &d, &t) == HESSC_OK) {
		double *work = malloc((t.work_size + 1) * sizeof *work);
		out->n = m->n;
		out->nnz = d.nnz;
		out->g = malloc((m->n + 1) * sizeof *out->g);
		out->hv = malloc((m->n + 1) * sizeof *out->hv);
		out->h = malloc((d.nnz + 1) * sizeof *out->h);
		out->colptr = malloc((m->n + 1) * sizeof *out->colptr);
		out->rowind = malloc((d.nnz + 1) * sizeof *out->rowind);
		memcpy(out->colptr, d.hess_colptr, (m->n + 1) * sizeof *out->colptr);
		memcpy(out->rowind, d.hess_rowind, d.nnz * sizeof *out->rowind);
		out->f = tape_run_inputs(&t, TAPE_GRAD, x, NULL, out->g, work, inputs);
		tape_run_inputs(&t, TAPE_HESS, x, NULL, out->h, work, inputs);
		tape_run_inputs(&t, TAPE_HESSVEC, x, dir, out->hv, work, inputs);
		free(work);
		tape_free(&t);
		ok = 1;
	}
	derivatives_free(&d);
done:
	model_free(m);
	graph_free(g);
	return ok;
}

/* The logistic regression by hand: f, g and H (lower triangle, dense,
 * column by column). */
static void hand_values(const data_set *ds, const double *w, values *out)
{
	int d = ds->d;
	memset(out, 0, sizeof *out);
	out->n = (size_t)d;
	out->nnz = (size_t)(d * (d + 1) / 2);
	out->g = calloc((size_t)d, sizeof *out->g);
	out->h = calloc(out->nnz, sizeof *out->h);
	out->f = 0;
	for (int j = 0; j < d; j++) {
		out->f += 0.5 * ds->lambda * w[j] * w[j];
		out->g[j] = ds->lambda * w[j];
	}
	for (int i = 0; i < ds->m; i++) {
		const double *xi = ds->X + i * d;
		double z = 0;
		for (int j = 0; j < d; j++)
			z += xi[j] * w[j];
		double t = -ds->y[i] * z, s = 1.0 / (1.0 + exp(-t));
		out->f += log(1.0 + exp(t));
		for (int j = 0; j < d; j++)
			out->g[j] += -s * ds->y[i] * xi[j];
		double c = s * (1.0 - s) * ds->y[i] * ds->y[i];
		for (int col = 0, k = 0; col < d; col++)
			for (int row = col; row < d; row++, k++)
				out->h[k] += c * xi[row] * xi[col];
	}
	for (int col = 0, k = 0; col < d; k += d - col, col++)
		out->h[k] += ds->lambda;
}

static int close_to(double a, double b, double tol)
{
	double scale = fmax(1.0, fmax(fabs(a), fabs(b)));
	return fabs(a - b) <= tol * scale;
}

/* a and b agree in f, g, H (same pattern) and, when both have it, H v. */
static void assert_same(const values *a, const values *b, double tol)
{
	CU_ASSERT_EQUAL_FATAL(a->n, b->n);
	CU_ASSERT_EQUAL_FATAL(a->nnz, b->nnz);
	CU_ASSERT(close_to(a->f, b->f, tol));
	for (size_t i = 0; i < a->n; i++)
		CU_ASSERT(close_to(a->g[i], b->g[i], tol));
	for (size_t k = 0; k < a->nnz; k++)
		CU_ASSERT(close_to(a->h[k], b->h[k], tol));
	if (a->colptr && b->colptr) {
		for (size_t j = 0; j <= a->n; j++)
			CU_ASSERT_EQUAL(a->colptr[j], b->colptr[j]);
		for (size_t k = 0; k < a->nnz; k++)
			CU_ASSERT_EQUAL(a->rowind[k], b->rowind[k]);
	}
	if (a->hv && b->hv)
		for (size_t i = 0; i < a->n; i++)
			CU_ASSERT(close_to(a->hv[i], b->hv[i], tol));
}

/* A generated, compiled and loaded model: written out (NAME_problem, its
 * data the inputs' struct) or with loops (NAME_setup builds the block,
 * NAME_bind points it at the inputs). */
typedef struct loaded {
	char dir[64];
	void *lib;
	const hessc_problem *problem;            /* written out */
	const hessc_problem *(*bind)(void *, const void *);  /* loops */
	void *block;
	char *header;
} loaded;

/* `hessc gen MODEL -o DIR/NAME --prefix NAME [args]` (the command line
 * path), compiled with warnings as errors and loaded. */
static int generate(const char *model_path, const char *name, const char *args, loaded *out)
{
	char cmd[2048], base[128], sym[64];
	memset(out, 0, sizeof *out);
	snprintf(out->dir, sizeof out->dir, "/tmp/hessc-test-rtdata.XXXXXX");
	if (!mkdtemp(out->dir))
		return 0;
	snprintf(base, sizeof base, "%s/%s", out->dir, name);
	snprintf(cmd, sizeof cmd, "%s gen %s -o %s --prefix %s %s", hessc_path, model_path, base,
	         name, args);
	if (system(cmd) != 0)
		return 0;
	snprintf(cmd, sizeof cmd,
	         "cc -std=c99 -Wall -Wextra -pedantic -Werror -O1 -shared -fPIC -o %s.so %s.c -lm",
	         base, base);
	if (system(cmd) != 0)
		return 0;
	snprintf(cmd, sizeof cmd, "%s.h", base);
	out->header = read_file(cmd, NULL);
	snprintf(cmd, sizeof cmd, "%s.so", base);
	out->lib = dlopen(cmd, RTLD_NOW | RTLD_LOCAL);
	if (!out->lib)
		return 0;
	snprintf(sym, sizeof sym, "%s_problem", name);
	out->problem = dlsym(out->lib, sym);
	if (!out->problem) {
		size_t (*bytes)(void);
		const hessc_problem *(*setup)(void *);
		snprintf(sym, sizeof sym, "%s_setup_bytes", name);
		*(void **)&bytes = dlsym(out->lib, sym);
		snprintf(sym, sizeof sym, "%s_setup", name);
		*(void **)&setup = dlsym(out->lib, sym);
		snprintf(sym, sizeof sym, "%s_bind", name);
		*(void **)&out->bind = dlsym(out->lib, sym);
		if (!bytes || !setup || !out->bind)
			return 0;
		out->block = malloc(bytes());
		if (!out->block || !setup(out->block))
			return 0;
	}
	return out->header != NULL;
}

static void loaded_free(loaded *l)
{
	char cmd[128];
	if (l->lib)
		dlclose(l->lib);
	free(l->header);
	free(l->block);
	snprintf(cmd, sizeof cmd, "rm -rf %s", l->dir);
	if (l->dir[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", l->dir);
}

/* The compiled kernels at x, reading the inputs `in` (their struct). */
static void compiled_values(const loaded *l, const void *in, const double *x,
                            const double *dir, values *out)
{
	hessc_problem p;
	if (l->problem) {
		p = *l->problem;
		p.data = in;
	} else {
		p = *l->bind(l->block, in);
	}
	double *work = malloc((p.work_size + 1) * sizeof *work);
	memset(out, 0, sizeof *out);
	out->n = (size_t)p.n;
	out->nnz = (size_t)p.nnz;
	out->g = malloc(((size_t)p.n + 1) * sizeof *out->g);
	out->hv = malloc(((size_t)p.n + 1) * sizeof *out->hv);
	out->h = malloc(((size_t)p.nnz + 1) * sizeof *out->h);
	out->colptr = malloc(((size_t)p.n + 1) * sizeof *out->colptr);
	out->rowind = malloc(((size_t)p.nnz + 1) * sizeof *out->rowind);
	for (int j = 0; j <= p.n; j++)
		out->colptr[j] = p.hess_colptr[j];
	for (int k = 0; k < p.nnz; k++)
		out->rowind[k] = p.hess_rowind[k];
	out->f = p.grad(x, out->g, work, p.data);
	CU_ASSERT(close_to(p.f(x, work, p.data), out->f, 1e-15));
	p.hess(x, out->h, work, p.data);
	p.hessvec(x, dir, out->hv, work, p.data);
	free(work);
}

static void point(double *x, double *dir, int n, double shift)
{
	for (int j = 0; j < n; j++) {
		x[j] = 0.3 * sin(j + 1.0 + shift);
		dir[j] = cos(2.0 * j + shift);
	}
}

/* Generated with loops, or every term written out (--unroll). */
static void one_file_two_data_sets(const char *args, int loops)
{
	char path[] = "/tmp/hessc-test-rtdata-model.XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, lr_model, strlen(lr_model)) == (ssize_t)strlen(lr_model));
	close(fd);
	loaded l;
	CU_ASSERT_FATAL(generate(path, "lr", args, &l));
	CU_ASSERT_EQUAL(l.problem == NULL, loops);
	/* the header declares the inputs in declaration order, with their layout */
	CU_ASSERT_PTR_NOT_NULL(strstr(l.header, "typedef struct lr_data {\n"
	                                        "\tconst double *lambda;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.header, "const double *X;   /* 28 values: "
	                                        "X[i,j] at (i-1)*4 + (j-1), i in 1..7, j in 1..4 */"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.header, "#define LR_N_INPUTS 3"));
	for (unsigned seed = 1; seed <= 2; seed++) {
		data_set ds;
		data_set_make(&ds, 7, 4, seed);
		double x[4], dir[4];
		point(x, dir, 4, seed);
		const double *in[3] = { &ds.lambda, ds.X, ds.y };
		values gen, ref, hand;
		compiled_values(&l, in, x, dir, &gen);
		char *text = data_text(&ds);
		CU_ASSERT_FATAL(pipeline_values(lr_model, text, NULL, 0, NULL, NULL, 0, x, dir, &ref));
		hand_values(&ds, x, &hand);
		assert_same(&gen, &ref, 1e-13);
		assert_same(&gen, &hand, 1e-12);
		free(text);
		values_free(&gen);
		values_free(&ref);
		values_free(&hand);
		data_set_free(&ds);
	}
	loaded_free(&l);
	unlink(path);
}

static void test_one_generated_file_serves_two_data_sets(void)
{
	one_file_two_data_sets("--unroll", 0);
}

static void test_one_generated_file_with_loops_serves_two_data_sets(void)
{
	one_file_two_data_sets("", 1);
}

static void test_the_interpreter_reads_inputs_as_the_data_file_gives_them(void)
{
	static const char *const names[] = { "lambda", "X", "y" };
	data_set ds;
	data_set_make(&ds, 7, 4, 3);
	double x[4], dir[4];
	point(x, dir, 4, 0.5);
	const double *in[3] = { &ds.lambda, ds.X, ds.y };
	values run, ref;
	char *text = data_text(&ds);
	CU_ASSERT_FATAL(pipeline_values(lr_model, NULL, NULL, 0, names, in, 3, x, dir, &run));
	CU_ASSERT_FATAL(pipeline_values(lr_model, text, NULL, 0, NULL, NULL, 0, x, dir, &ref));
	assert_same(&run, &ref, 1e-14);
	free(text);
	values_free(&run);
	values_free(&ref);
	data_set_free(&ds);
}

/* The loop form's interpreter (tmpl_run_inputs) reads each iteration's
 * elements, as the data file gives them to the written-out form. */
static void test_the_loops_read_each_iterations_inputs(void)
{
	data_set ds;
	data_set_make(&ds, 7, 4, 2);
	double x[4], dir[4];
	point(x, dir, 4, 2.5);
	const double *in[3] = { &ds.lambda, ds.X, ds.y };
	frontend_input fin = {
		.model = { "model.mod", lr_model, strlen(lr_model) }, .run_time_inputs = 1,
	};
	diag_sink sink = diag_stderr_sink();
	graph *g = graph_new();
	model *m = NULL;
	tmpl_set ts;
	values ref, run;
	hessc_status st;
	char *text = data_text(&ds);
	CU_ASSERT_FATAL(pipeline_values(lr_model, text, NULL, 0, NULL, NULL, 0, x, dir, &ref));
	CU_ASSERT_EQUAL_FATAL(frontend_build(&fin, &sink, g, &m), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(tmpl_find(g, m->objective, m->n, 2, &ts), HESSC_OK);
	CU_ASSERT_FATAL(ts.n_loops > 0);
	CU_ASSERT_EQUAL_FATAL(tmpl_derive(&ts, DERIVE_DEFAULT_MAX_NNZ), HESSC_OK);
	CU_ASSERT(ts.loops[0].n_data > 0);
	int32_t **pos = calloc(ts.n_loops, sizeof *pos);
	for (size_t q = 0; q < ts.n_loops; q++) {
		pos[q] = malloc((tmpl_positions_size(&ts.loops[q]) + 1) * sizeof **pos);
		CU_ASSERT_EQUAL(tmpl_positions(&ts, q, pos[q]), HESSC_OK);
	}
	memset(&run, 0, sizeof run);
	run.n = m->n;
	run.nnz = ts.nnz;
	run.g = malloc(m->n * sizeof *run.g);
	run.hv = malloc(m->n * sizeof *run.hv);
	run.h = malloc(ts.nnz * sizeof *run.h);
	run.colptr = malloc((m->n + 1) * sizeof *run.colptr);
	run.rowind = malloc(ts.nnz * sizeof *run.rowind);
	memcpy(run.colptr, ts.colptr, (m->n + 1) * sizeof *run.colptr);
	memcpy(run.rowind, ts.rowind, ts.nnz * sizeof *run.rowind);
	run.f = tmpl_run_inputs(&ts, pos, TAPE_GRAD, x, NULL, run.g, in, &st);
	CU_ASSERT_EQUAL(st, HESSC_OK);
	tmpl_run_inputs(&ts, pos, TAPE_HESS, x, NULL, run.h, in, &st);
	tmpl_run_inputs(&ts, pos, TAPE_HESSVEC, x, dir, run.hv, in, &st);
	assert_same(&run, &ref, 1e-13);
	/* without the inputs, a clean refusal */
	tmpl_run(&ts, pos, TAPE_F, x, NULL, NULL, &st);
	CU_ASSERT_EQUAL(st, HESSC_ERR_INTERNAL);
	for (size_t q = 0; q < ts.n_loops; q++)
		free(pos[q]);
	free(pos);
	tmpl_set_free(&ts);
	values_free(&run);
	values_free(&ref);
	free(text);
	model_free(m);
	graph_free(g);
	data_set_free(&ds);
}

/* Only the inputs the objective reads are inputs; a param with a value
 * from data or -D is not one. */
static void test_params_given_a_value_are_not_inputs(void)
{
	static const char *const names[] = { "X", "y" };
	static const char *const defines[] = { "lambda=0.25" };
	data_set ds;
	data_set_make(&ds, 7, 4, 1);
	ds.lambda = 0.25;
	double x[4], dir[4];
	point(x, dir, 4, 1.5);
	const double *in[2] = { ds.X, ds.y };
	values run, hand;
	CU_ASSERT_FATAL(pipeline_values(lr_model, NULL, defines, 1, names, in, 2, x, dir, &run));
	hand_values(&ds, x, &hand);
	assert_same(&run, &hand, 1e-12);
	values_free(&run);
	values_free(&hand);
	data_set_free(&ds);
}

/* A double sum over a grid whose weights are run-time data: a 2-D loop
 * whose data slot advances with both indices (c[6*i + j]). */
static void test_a_grid_loop_reads_its_weights_at_run_time(void)
{
	static const char grid_model[] =
		"param p := 6;\n"
		"param c{i in 1..p, j in 1..p};\n"
		"var x{i in 1..p, j in 1..p} := (i + j) / p;\n"
		"minimize f: sum {i in 1..p-1, j in 1..p-1} c[i,j] *\n"
		"\tsqrt(1 + (x[i,j] - x[i+1,j+1])^2 + (x[i+1,j] - x[i,j+1])^2);\n";
	char path[] = "/tmp/hessc-test-rtdata-grid.XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, grid_model, strlen(grid_model)) == (ssize_t)strlen(grid_model));
	close(fd);
	loaded l;
	CU_ASSERT_FATAL(generate(path, "grid", "", &l));
	CU_ASSERT_PTR_NULL(l.problem);   /* loops */
	for (int set = 0; set < 2; set++) {
		double c[36], x[36], dir[36];
		char text[4096], *t = text;
		t += sprintf(t, "data;\nparam c: 1 2 3 4 5 6 :=\n");
		for (int i = 1; i <= 6; i++) {
			t += sprintf(t, "%d", i);
			for (int j = 1; j <= 6; j++) {
				c[(i - 1) * 6 + j - 1] = 1.0 + 0.5 * sin(i * 1.7 + j * 0.3 + set);
				t += sprintf(t, " %.17g", c[(i - 1) * 6 + j - 1]);
			}
			t += sprintf(t, "\n");
		}
		sprintf(t, ";\n");
		point(x, dir, 36, set);
		const double *in[1] = { c };
		values gen, ref;
		compiled_values(&l, in, x, dir, &gen);
		CU_ASSERT_FATAL(pipeline_values(grid_model, text, NULL, 0, NULL, NULL, 0, x, dir, &ref));
		assert_same(&gen, &ref, 1e-13);
		values_free(&gen);
		values_free(&ref);
	}
	loaded_free(&l);
	unlink(path);
}

/* The benchmark's P5 model with its data at run time, at a small size, on
 * the data PROBLEMS.md defines and on another. */
static void test_the_benchmark_logistic_regression_takes_its_data_at_run_time(void)
{
	char model_path[1024];
	snprintf(model_path, sizeof model_path, "%s/p5_logreg_data.mod", models_dir);
	loaded l;
	CU_ASSERT_FATAL(generate(model_path, "logreg", "-D m=6 -D d=9", &l));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.header, "const double *X;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.header, "const double *y;"));
	for (int set = 0; set < 2; set++) {
		data_set ds;
		data_set_make(&ds, 6, 9, 0);
		ds.lambda = 0.01;
		for (int i = 1; i <= 6; i++) {
			for (int j = 1; j <= 9; j++)
				ds.X[(i - 1) * 9 + j - 1] =
					(double)(((i + set) * 7919 + j * 104729) % 1000) / 500.0 - 1.0;
			ds.y[i - 1] = (i + set) % 3 == 0 ? 1.0 : -1.0;
		}
		double x[9], dir[9];
		point(x, dir, 9, set);
		const double *in[2] = { ds.X, ds.y };
		values gen, hand;
		compiled_values(&l, in, x, dir, &gen);
		hand_values(&ds, x, &hand);
		assert_same(&gen, &hand, 1e-12);
		values_free(&gen);
		values_free(&hand);
		data_set_free(&ds);
	}
	loaded_free(&l);
}

#if HESSC_HAVE_LLVM
/* The logistic regression at m samples and d features, data at run time. */
static char *lr_text(int m, int d)
{
	char *t = malloc(sizeof lr_model + 64);
	const char *rest = strstr(lr_model, "param lambda;");
	sprintf(t, "param m := %d;\nparam d := %d;\n%s", m, d, rest);
	return t;
}

/* f, g, H and H v of LLVM-compiled kernels whose data is `data`. */
static void llvm_values(const hessc_problem *p, size_t n, size_t nnz, size_t work_size,
                        const int32_t *colptr, const int32_t *rowind, const void *data,
                        const double *x, const double *dir, values *out)
{
	double *work = malloc((work_size + 1) * sizeof *work);
	memset(out, 0, sizeof *out);
	out->n = n;
	out->nnz = nnz;
	out->g = malloc((n + 1) * sizeof *out->g);
	out->hv = malloc((n + 1) * sizeof *out->hv);
	out->h = malloc((nnz + 1) * sizeof *out->h);
	out->colptr = malloc((n + 1) * sizeof *out->colptr);
	out->rowind = malloc((nnz + 1) * sizeof *out->rowind);
	memcpy(out->colptr, colptr, (n + 1) * sizeof *colptr);
	memcpy(out->rowind, rowind, nnz * sizeof *rowind);
	out->f = p->grad(x, out->g, work, data);
	CU_ASSERT(close_to(p->f(x, work, data), out->f, 1e-15));
	p->hess(x, out->h, work, data);
	p->hessvec(x, dir, out->hv, work, data);
	free(work);
}

/* The LLVM backend reads the inputs, written out (in chunks: the model is
 * long enough) or in loops, as the same model given its data in a data
 * text; one compiled object serves two data sets. */
static void llvm_reads_inputs(int loops)
{
	static const char *const names[] = { "lambda", "X", "y" };
	const int M = 40, D = 5;
	char *text = lr_text(M, D);
	frontend_input fin = { .model = { "model.mod", text, strlen(text) }, .run_time_inputs = 1 };
	diag_sink sink = diag_stderr_sink();
	graph *g = graph_new();
	model *m = NULL;
	tmpl_set ts;
	derivatives d;
	tape t;
	hessc_problem p;
	llvm_kernels *k = NULL;
	llvm_templated_data *maps = NULL;
	unsigned char *obj = NULL;
	size_t obj_len = 0;
	memset(&ts, 0, sizeof ts);
	memset(&d, 0, sizeof d);
	memset(&t, 0, sizeof t);
	memset(&p, 0, sizeof p);
	CU_ASSERT_EQUAL_FATAL(frontend_build(&fin, &sink, g, &m), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(m->n_inputs, 3);
	for (size_t a = 0; a < 3; a++)
		CU_ASSERT_STRING_EQUAL(m->inputs[a].name, names[a]);
	size_t nnz;
	const int32_t *colptr, *rowind;
	if (loops) {
		CU_ASSERT_EQUAL_FATAL(tmpl_find(g, m->objective, m->n, 2, &ts), HESSC_OK);
		CU_ASSERT_FATAL(ts.n_loops > 0);
		CU_ASSERT_EQUAL_FATAL(tmpl_derive(&ts, DERIVE_DEFAULT_MAX_NNZ), HESSC_OK);
		CU_ASSERT_FATAL(ts.loops[0].n_data > 0);
		CU_ASSERT_EQUAL_FATAL(llvm_backend_compile_templated(&ts, &sink, &obj, &obj_len, NULL),
		                      HESSC_OK);
		nnz = ts.nnz, colptr = ts.colptr, rowind = ts.rowind;
	} else {
		CU_ASSERT_EQUAL_FATAL(derive(g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
		CU_ASSERT_EQUAL_FATAL(tape_build(g, &d, &t), HESSC_OK);
		CU_ASSERT_FATAL(t.kernel[TAPE_HESS].len > LLVM_BACKEND_CHUNK);
		CU_ASSERT_EQUAL_FATAL(llvm_backend_compile(&t, &sink, &obj, &obj_len, NULL), HESSC_OK);
		nnz = d.nnz, colptr = d.hess_colptr, rowind = d.hess_rowind;
	}
	CU_ASSERT_EQUAL_FATAL(llvm_backend_load(obj, obj_len, &sink, &p, &k), HESSC_OK);
	if (loops)
		CU_ASSERT_EQUAL_FATAL(llvm_templated_data_build(&ts, &p, &maps), HESSC_OK);
	/* data: the loops' maps, then the inputs */
	size_t n_maps = loops ? ts.n_loops : 0;
	const void **data = calloc(n_maps + 3, sizeof *data);
	for (size_t q = 0; q < n_maps; q++)
		data[q] = ((const void *const *)p.data)[q];
	for (unsigned set = 1; set <= 2; set++) {
		data_set ds;
		data_set_make(&ds, M, D, set);
		double x[5], dir[5];
		point(x, dir, D, set);
		data[n_maps] = &ds.lambda;
		data[n_maps + 1] = ds.X;
		data[n_maps + 2] = ds.y;
		char *dt = data_text(&ds);
		values run, ref;
		llvm_values(&p, m->n, nnz, loops ? 0 : t.work_size, colptr, rowind, data, x, dir, &run);
		CU_ASSERT_FATAL(pipeline_values(text, dt, NULL, 0, NULL, NULL, 0, x, dir, &ref));
		assert_same(&run, &ref, 1e-13);
		values_free(&run);
		values_free(&ref);
		free(dt);
		data_set_free(&ds);
	}
	free(data);
	llvm_templated_data_free(maps);
	llvm_kernels_free(k);
	free(obj);
	if (!loops) {
		tape_free(&t);
		derivatives_free(&d);
	}
	tmpl_set_free(&ts);
	model_free(m);
	graph_free(g);
	free(text);
}

static void test_llvm_kernels_written_out_read_the_inputs(void)
{
	llvm_reads_inputs(0);
}

static void test_llvm_loop_kernels_read_the_inputs(void)
{
	llvm_reads_inputs(1);
}
#endif

int main(int argc, char **argv)
{
	static const test_case tests[] = {
		{ "one generated file serves two data sets",
		  test_one_generated_file_serves_two_data_sets },
		{ "one generated file with loops serves two data sets",
		  test_one_generated_file_with_loops_serves_two_data_sets },
		{ "the interpreter reads inputs as the data file gives them",
		  test_the_interpreter_reads_inputs_as_the_data_file_gives_them },
		{ "the loops read each iteration's inputs", test_the_loops_read_each_iterations_inputs },
		{ "params given a value are not inputs", test_params_given_a_value_are_not_inputs },
		{ "a grid loop reads its weights at run time",
		  test_a_grid_loop_reads_its_weights_at_run_time },
		{ "the benchmark logistic regression takes its data at run time",
		  test_the_benchmark_logistic_regression_takes_its_data_at_run_time },
#if HESSC_HAVE_LLVM
		{ "LLVM kernels written out read the inputs", test_llvm_kernels_written_out_read_the_inputs },
		{ "LLVM loop kernels read the inputs", test_llvm_loop_kernels_read_the_inputs },
#endif
	};
	if (argc != 3) {
		fprintf(stderr, "usage: %s HESSC BENCH_MODELS_DIR\n", argv[0]);
		return 2;
	}
	hessc_path = argv[1];
	models_dir = argv[2];
	return run_test_suite("run-time data", tests, TEST_COUNT(tests));
}
