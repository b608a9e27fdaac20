/* test_run_time_sizes.c -- sizes given at run time: `hessc gen --size`
 * writes one file whose setup takes the sizes (template_sizes.h).
 *
 * Each model is generated once with its sizes left to run time, compiled
 * by cc and loaded, then set up at two (or more) sizes; its pattern, f,
 * gradient, Hessian and H v are compared with the same model generated
 * with the sizes given (-D), and, for the benchmark's P5 and the chained
 * Rosenbrock, with formulas derived by hand.  A size used where the loops
 * cannot follow it is a FILE:LINE:COL error and writes nothing.  The
 * merge of the probes' texts is checked on small texts.
 *
 * Usage: test_run_time_sizes HESSC BENCH_MODELS_DIR
 */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "read_file.h"
#include "template_sizes.h"
#include "test_runner.h"
#include <hessc/problem.h>

static const char *hessc_path, *models_dir;

/* ---- generating, compiling, loading ------------------------------------ */

typedef struct lib {
	char dir[64];
	void *so;
	/* with run-time sizes the size functions take a `long[]` (P_sizes
	 * is longs only, so it has that layout) */
	size_t (*bytes_sized)(const long *);
	const hessc_problem *(*setup_sized)(void *, const long *);
	size_t (*bytes)(void);
	const hessc_problem *(*setup)(void *);
	const hessc_problem *(*bind)(void *, const void *);
	char *header;
} lib;

static char *read_file_text(const char *path)
{
	return read_file(path, NULL);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	int ok = fputs(text, f) != EOF;
	return fclose(f) == 0 && ok;
}

/* Run `hessc gen DIR/NAME.mod -o DIR/NAME --prefix NAME ARGS`, stderr to
 * DIR/err; its exit status. */
static int run_gen(const char *dir, const char *name, const char *args)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s gen %s/%s.mod -o %s/%s --prefix %s %s 2>%s/err", hessc_path,
	         dir, name, dir, name, name, args, dir);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int make_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/hessc-test-rtsize.XXXXXX");
	return mkdtemp(dir) != NULL;
}

static void remove_dir(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (dir[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* The model text generated (with ARGS), compiled with warnings as errors
 * and loaded. */
static int build(const char *model, const char *name, const char *args, lib *out)
{
	char path[256], cmd[1024], sym[96];
	memset(out, 0, sizeof *out);
	if (!make_dir(out->dir, sizeof out->dir))
		return 0;
	snprintf(path, sizeof path, "%s/%s.mod", out->dir, name);
	if (!write_text(path, model) || run_gen(out->dir, name, args) != 0)
		return 0;
	snprintf(cmd, sizeof cmd,
	         "cc -std=c99 -Wall -Wextra -pedantic -Werror -O1 -shared -fPIC -o %s/%s.so "
	         "%s/%s.c -lm", out->dir, name, out->dir, name);
	if (system(cmd) != 0)
		return 0;
	snprintf(path, sizeof path, "%s/%s.h", out->dir, name);
	out->header = read_file_text(path);
	snprintf(path, sizeof path, "%s/%s.so", out->dir, name);
	out->so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!out->so || !out->header)
		return 0;
	int sized = strstr(out->header, "_sizes *sz") != NULL;
	snprintf(sym, sizeof sym, "%s_setup_bytes", name);
	*(void **)(sized ? (void *)&out->bytes_sized : (void *)&out->bytes) = dlsym(out->so, sym);
	snprintf(sym, sizeof sym, "%s_setup", name);
	*(void **)(sized ? (void *)&out->setup_sized : (void *)&out->setup) = dlsym(out->so, sym);
	snprintf(sym, sizeof sym, "%s_bind", name);
	*(void **)&out->bind = dlsym(out->so, sym);
	return sized ? out->bytes_sized && out->setup_sized : out->bytes && out->setup;
}

static void lib_free(lib *l)
{
	if (l->so)
		dlclose(l->so);
	free(l->header);
	remove_dir(l->dir);
}

/* ---- values ------------------------------------------------------------- */

typedef struct values {
	int n, nnz;
	double f, *g, *h, *hv;
	int *colptr, *rowind;
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

/* The kernels of p at x (direction dir for H v, inputs `in` or none). */
static void run(const lib *l, void *block, const hessc_problem *p, const void *in,
                const double *x, const double *dir, values *out)
{
	hessc_problem q = *p;
	if (in)
		q = *l->bind(block, in);
	memset(out, 0, sizeof *out);
	out->n = q.n;
	out->nnz = q.nnz;
	out->g = calloc((size_t)q.n + 1, sizeof *out->g);
	out->hv = calloc((size_t)q.n + 1, sizeof *out->hv);
	out->h = calloc((size_t)q.nnz + 1, sizeof *out->h);
	out->colptr = malloc(((size_t)q.n + 1) * sizeof *out->colptr);
	out->rowind = malloc(((size_t)q.nnz + 1) * sizeof *out->rowind);
	memcpy(out->colptr, q.hess_colptr, ((size_t)q.n + 1) * sizeof *out->colptr);
	memcpy(out->rowind, q.hess_rowind, (size_t)q.nnz * sizeof *out->rowind);
	out->f = q.grad(x, out->g, NULL, q.data);
	CU_ASSERT(fabs(q.f(x, NULL, q.data) - out->f) <= 1e-15 * (1 + fabs(out->f)));
	q.hess(x, out->h, NULL, q.data);
	q.hessvec(x, dir, out->hv, NULL, q.data);
}

/* The sized library set up at `sizes`, run; the block is the caller's. */
static void *run_sized(const lib *l, const long *sizes, const void *in, const double *x,
                       const double *dir, values *out)
{
	size_t bytes = l->bytes_sized(sizes);
	void *block = bytes ? malloc(bytes) : NULL;
	const hessc_problem *p = block ? l->setup_sized(block, sizes) : NULL;
	CU_ASSERT_PTR_NOT_NULL(p);
	if (p)
		run(l, block, p, in, x, dir, out);
	return block;
}

static void *run_fixed(const lib *l, const void *in, const double *x, const double *dir,
                       values *out)
{
	void *block = malloc(l->bytes());
	const hessc_problem *p = block ? l->setup(block) : NULL;
	CU_ASSERT_PTR_NOT_NULL(p);
	if (p)
		run(l, block, p, in, x, dir, out);
	return block;
}

static int close_to(double a, double b, double tol)
{
	return fabs(a - b) <= tol * (1.0 + fmax(fabs(a), fabs(b)));
}

/* Same pattern, and the same values to `tol` (relative). */
static void assert_same(const values *a, const values *b, double tol)
{
	CU_ASSERT_EQUAL_FATAL(a->n, b->n);
	CU_ASSERT_EQUAL_FATAL(a->nnz, b->nnz);
	CU_ASSERT(close_to(a->f, b->f, tol));
	int bad_g = 0, bad_h = 0, bad_p = 0;
	for (int i = 0; i < a->n; i++) {
		bad_g += !close_to(a->g[i], b->g[i], tol) || !close_to(a->hv[i], b->hv[i], tol);
		bad_p += a->colptr[i + 1] != b->colptr[i + 1];
	}
	for (int k = 0; k < a->nnz; k++) {
		bad_h += !close_to(a->h[k], b->h[k], tol);
		bad_p += a->rowind[k] != b->rowind[k];
	}
	CU_ASSERT_EQUAL(bad_g, 0);
	CU_ASSERT_EQUAL(bad_h, 0);
	CU_ASSERT_EQUAL(bad_p, 0);
}

static void point(double *x, double *dir, int n, double shift)
{
	for (int i = 0; i < n; i++) {
		x[i] = 0.3 * sin(1.7 * i + shift) - 0.1 * shift;
		dir[i] = cos(0.9 * i - shift);
	}
}

/* The sized library set up at `sizes` against the model generated with
 * `fixed_args` (the same sizes by -D), at a point of n variables
 * (`shift`): the same pattern and values to 1e-12.  The sized run's
 * values, x and block are the caller's. */
static void *against_fixed(const lib *sized, const char *model, const char *name,
                           const char *fixed_args, const long *sizes, int n, double shift,
                           values *a, double **x_out)
{
	lib fixed;
	values b;
	double *x = malloc((size_t)n * sizeof *x), *dir = malloc((size_t)n * sizeof *dir);
	CU_ASSERT_FATAL(build(model, name, fixed_args, &fixed));
	point(x, dir, n, shift);
	void *ba = run_sized(sized, sizes, NULL, x, dir, a);
	void *bb = run_fixed(&fixed, NULL, x, dir, &b);
	assert_same(a, &b, 1e-12);
	values_free(&b);
	free(bb);
	free(dir);
	lib_free(&fixed);
	*x_out = x;
	return ba;
}

/* ---- P5: the samples at run time ----------------------------------------- */

static char *p5_model(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/p5_logreg_data.mod", models_dir);
	char *t = read_file_text(path);
	char *at = t ? strstr(t, "param m := 10000;") : NULL;
	if (!at) {
		free(t);
		return NULL;
	}
	memcpy(at, "param m;         ", strlen("param m := 10000;"));
	return t;
}

/* f, g, H (lower, in p's pattern) and H v of the l2 logistic regression
 * by hand: H = sum s_i X_i X_i^T + lambda I, s = sigma(z)(1 - sigma(z)). */
static void p5_hand(int m, int d, const double *X, const double *y, const double *w,
                    const double *dir, const values *pattern, values *out)
{
	const double lambda = 0.01;
	double *H = calloc((size_t)(d * d), sizeof *H);
	memset(out, 0, sizeof *out);
	out->n = d;
	out->nnz = pattern->nnz;
	out->g = calloc((size_t)d, sizeof *out->g);
	out->hv = calloc((size_t)d, sizeof *out->hv);
	out->h = calloc((size_t)pattern->nnz + 1, sizeof *out->h);
	out->colptr = malloc(((size_t)d + 1) * sizeof *out->colptr);
	out->rowind = malloc(((size_t)pattern->nnz + 1) * sizeof *out->rowind);
	memcpy(out->colptr, pattern->colptr, ((size_t)d + 1) * sizeof *out->colptr);
	memcpy(out->rowind, pattern->rowind, (size_t)pattern->nnz * sizeof *out->rowind);
	for (int j = 0; j < d; j++) {
		out->f += lambda / 2 * w[j] * w[j];
		out->g[j] = lambda * w[j];
		H[j * d + j] = lambda;
	}
	for (int i = 0; i < m; i++) {
		const double *xi = X + (size_t)i * d;
		double z = 0;
		for (int j = 0; j < d; j++)
			z += xi[j] * w[j];
		double t = -y[i] * z, e = exp(t);
		double sig = e / (1 + e);           /* d/dt log(1 + e^t) */
		double s = sig * (1 - sig) * y[i] * y[i];
		out->f += log(1 + e);
		for (int j = 0; j < d; j++) {
			out->g[j] += -y[i] * sig * xi[j];
			for (int k = 0; k < d; k++)
				H[j * d + k] += s * xi[j] * xi[k];
		}
	}
	for (int j = 0; j < d; j++)
		for (int k = 0; k < d; k++)
			out->hv[j] += H[j * d + k] * dir[k];
	for (int c = 0; c < d; c++)
		for (int q = out->colptr[c]; q < out->colptr[c + 1]; q++)
			out->h[q] = H[out->rowind[q] * d + c];
	free(H);
}

static void test_p5_generated_once_runs_at_two_sample_counts(void)
{
	enum { D = 20 };   /* enough for the regularization to read a position map */
	char *model = p5_model();
	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	lib sized;
	CU_ASSERT_FATAL(build(model, "p5", "--size m -D d=20", &sized));
	CU_ASSERT_PTR_NOT_NULL(strstr(sized.header, "long m;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sized.header, "20*m values"));
	char path[128];
	snprintf(path, sizeof path, "%s/p5.c", sized.dir);
	char *source = read_file_text(path);   /* the setup builds a position map for m */
	CU_ASSERT_PTR_NOT_NULL(source && strstr(source, "hsetup_positions(&p5_loops["));
	free(source);
	static const int ms[2] = {50, 200};
	for (int set = 0; set < 2; set++) {
		int m = ms[set];
		char args[64];
		lib fixed;
		snprintf(args, sizeof args, "-D m=%d -D d=20", m);
		CU_ASSERT_FATAL(build(model, "p5", args, &fixed));
		double *X = malloc((size_t)(m * D) * sizeof *X), *y = malloc((size_t)m * sizeof *y);
		for (int i = 0; i < m; i++) {
			for (int j = 0; j < D; j++)
				X[i * D + j] = (double)(((i + 3 * set) * 7919 + j * 104729) % 1000) / 500.0 - 1.0;
			y[i] = (i + set) % 3 == 0 ? 1.0 : -1.0;
		}
		const double *in[2] = {X, y};
		double w[D], dir[D];
		long sizes[1] = {m};
		point(w, dir, D, set);
		values a, b, hand;
		void *ba = run_sized(&sized, sizes, in, w, dir, &a);
		void *bb = run_fixed(&fixed, in, w, dir, &b);
		assert_same(&a, &b, 1e-12);
		p5_hand(m, D, X, y, w, dir, &a, &hand);
		assert_same(&a, &hand, 1e-12);
		values_free(&a);
		values_free(&b);
		values_free(&hand);
		free(ba);
		free(bb);
		free(X);
		free(y);
		lib_free(&fixed);
	}
	lib_free(&sized);
	free(model);
}

/* ---- the chained Rosenbrock: n variables at run time --------------------- */

static const char chain_model[] =
	"param n;\n"
	"var x{1..n} := -1.2;\n"
	"minimize f: sum {i in 1..n-1} (100*(x[i+1]-x[i]^2)^2 + (1-x[i])^2);\n";

static void test_a_banded_model_generated_once_runs_at_two_n(void)
{
	lib sized;
	CU_ASSERT_FATAL(build(chain_model, "chain", "--size n", &sized));
	CU_ASSERT_PTR_NOT_NULL(strstr(sized.header, "#define CHAIN_NNZ(sz) (2 * (sz)->n - 1)"));
	static const int ns[2] = {30, 101};
	for (int set = 0; set < 2; set++) {
		int n = ns[set];
		char args[32];
		long sizes[1] = {n};
		values a;
		double *x;
		snprintf(args, sizeof args, "-D n=%d", n);
		void *ba = against_fixed(&sized, chain_model, "chain", args, sizes, n, set, &a, &x);
		/* by hand: f and the gradient */
		double f = 0;
		double *g = calloc((size_t)n, sizeof *g);
		for (int i = 0; i + 1 < n; i++) {
			double r = x[i + 1] - x[i] * x[i];
			f += 100 * r * r + (1 - x[i]) * (1 - x[i]);
			g[i] += -400 * r * x[i] - 2 * (1 - x[i]);
			g[i + 1] += 200 * r;
		}
		CU_ASSERT(close_to(a.f, f, 1e-12));
		int bad = 0;
		for (int i = 0; i < n; i++)
			bad += !close_to(a.g[i], g[i], 1e-12);
		CU_ASSERT_EQUAL(bad, 0);
		/* the initial point of every variable */
		const hessc_problem *p = (const hessc_problem *)ba;
		for (int i = 0; i < n; i++)
			bad += p->x0[i] != -1.2;
		CU_ASSERT_EQUAL(bad, 0);
		free(g);
		values_free(&a);
		free(ba);
		free(x);
	}
	lib_free(&sized);
}

/* A model generated once with `--size NAME`, against the file generated
 * with -D NAME=v, at each v of `at`; n(v) variables. */
static void sized_against_fixed(const char *model, const char *name, const char *size,
                                const long *at, size_t n_at, int (*n_of)(long))
{
	lib sized;
	char args[64];
	snprintf(args, sizeof args, "--size %s", size);
	CU_ASSERT_FATAL(build(model, name, args, &sized));
	for (size_t k = 0; k < n_at; k++) {
		values a;
		double *x;
		snprintf(args, sizeof args, "-D %s=%ld", size, at[k]);
		free(against_fixed(&sized, model, name, args, &at[k], n_of(at[k]), (double)k, &a, &x));
		values_free(&a);
		free(x);
	}
	lib_free(&sized);
}

static int n_is_size(long s) { return (int)s; }
static int n_is_twice(long s) { return (int)(2 * s); }
static int n_is_five_times(long s) { return (int)(5 * s); }

/* The benchmark's P2 and P3 (x[N] in every term: a slot whose base is
 * the size) with N at run time. */
static void test_the_benchmark_band_models_take_n_at_run_time(void)
{
	static const char *const names[2] = {"p2_arwhead", "p3_bdqrtic"};
	static const long at[3] = {25, 64, 301};
	for (int k = 0; k < 2; k++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s.mod", models_dir, names[k]);
		char *model = read_file_text(path);
		char *decl = model ? strstr(model, "param N := 10000;") : NULL;
		CU_ASSERT_PTR_NOT_NULL_FATAL(decl);
		memcpy(decl, "param N;         ", strlen("param N := 10000;"));
		sized_against_fixed(model, names[k], "N", at, 3, n_is_size);
		free(model);
	}
}

/* P1 with its pairs counted by h (N = 2h: N/2 rounded is not affine in
 * N): strides of 2, and x0 alternating. */
static void test_pairs_counted_by_a_size_take_it_at_run_time(void)
{
	static const char model[] =
		"param h;\n"
		"param N := 2*h;\n"
		"var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;\n"
		"minimize f: sum {i in 1..h} (100*(x[2*i] - x[2*i-1]^2)^2 + (x[2*i-1] - 1)^2);\n";
	static const long at[2] = {17, 40};
	sized_against_fixed(model, "pairs", "h", at, 2, n_is_twice);
}

/* Constants that change with the iteration (`i * ...`) are tables the
 * setup fills from runs; CUTE's tridia. */
static void test_a_constant_per_iteration_is_filled_by_the_setup(void)
{
	static const char model[] =
		"param N;\n"
		"var x{1..N} := 1.0;\n"
		"minimize f: (x[1] - 1.0)^2 + sum {i in 2..N} i*(-x[i-1] + 2*x[i])^2;\n";
	static const long at[2] = {12, 99};
	sized_against_fixed(model, "tridia", "N", at, 2, n_is_size);
}

/* A double sum over a grid of m rows of 5: the rows' loop follows m, the
 * columns stay; and terms that all read the first and last variables. */
static void test_a_grid_and_shared_variables_follow_the_size(void)
{
	static const char grid[] =
		"param m;\n"
		"var x{1..m, 1..5} := 1;\n"
		"minimize f: sum {i in 1..m-1, j in 1..4} (x[i+1,j+1] - x[i,j])^2 * (1 + x[i,j+1]^2);\n";
	static const char star[] =
		"param n;\n"
		"var x{1..n} := 1;\n"
		"minimize f: sum {i in 1..n-1} (x[i]^2 + x[n]^2)^2\n"
		"\t+ sum {i in 1..n-1} (x[i] * x[i+1] * x[1])^2;\n";
	static const long at[2] = {14, 33};
	sized_against_fixed(grid, "grid", "m", at, 2, n_is_five_times);
	sized_against_fixed(star, "star", "n", at, 2, n_is_size);
}

/* CUTE's brybnd: a band of 5 below and 1 above, whose first rows are
 * shorter.  At sizes from 10 its loops still change shape (the terms
 * that see the whole lower band start later); from 40 they do not, so
 * the file serves sizes from 40 and refuses smaller ones. */
static void test_a_model_that_settles_late_is_probed_at_larger_sizes(void)
{
	static const char model[] =
		"param N;\n"
		"param ml := 5;\n"
		"param mu := 1;\n"
		"set J{i in 1..N} := {j in 1..N : j != i && max(1,i-ml) <= j <= min(N,i+mu)};\n"
		"var x{1..N} := -1;\n"
		"minimize f: sum {i in 1..N} (x[i]*(2+5*x[i]^2) + 1 - sum {j in J[i]} x[j]*(1+x[j]))^2;\n";
	static const long at[2] = {40, 77};
	lib sized;
	CU_ASSERT_FATAL(build(model, "band", "--size N", &sized));
	CU_ASSERT_PTR_NOT_NULL(strstr(sized.header, "long N;   /* in 40..1000000000 */"));
	long below[1] = {39};
	CU_ASSERT_EQUAL(sized.bytes_sized(below), 0);
	lib_free(&sized);
	sized_against_fixed(model, "band", "N", at, 2, n_is_size);
}

/* Two sizes: the second block of variables starts where the first ends. */
static const char two_model[] =
	"param m;\n"
	"param n;\n"
	"var x{1..m} := 0.5;\n"
	"var y{1..n} := 2;\n"
	"minimize f: sum {i in 1..m-1} (x[i+1] - x[i]^2)^2 + sum {j in 1..n} (y[j] - 1)^4\n"
	"\t+ sum {i in 1..m} x[i]^2 * y[1];\n";

static void test_two_sizes_are_given_at_run_time_together(void)
{
	lib sized;
	CU_ASSERT_FATAL(build(two_model, "two", "--size m --size n", &sized));
	long below[2] = {40, tsize_min_size(1, 0) - 1};
	CU_ASSERT_EQUAL(sized.bytes_sized(below), 0);
	static const long mn[3][2] = {{12, 40}, {57, 23}, {30, 30}};
	for (int set = 0; set < 3; set++) {
		char args[64];
		values a;
		double *x;
		snprintf(args, sizeof args, "-D m=%ld -D n=%ld", mn[set][0], mn[set][1]);
		/* at m = n the file generated for them fuses the loops over 1..m
		 * and 1..n; the run-time one keeps them apart, with equal sums */
		void *ba = against_fixed(&sized, two_model, "two", args, mn[set],
		                         (int)(mn[set][0] + mn[set][1]), set, &a, &x);
		values_free(&a);
		free(ba);
		free(x);
	}
	lib_free(&sized);
}

static void test_the_setup_refuses_sizes_hessc_did_not_check(void)
{
	lib sized;
	CU_ASSERT_FATAL(build(chain_model, "chain", "--size n", &sized));
	long small[1] = {TSIZE_MIN_PROBE - 1}, huge[1] = {2000000000L}, ok[1] = {TSIZE_MIN_PROBE};
	CU_ASSERT_EQUAL(sized.bytes_sized(small), 0);
	CU_ASSERT_EQUAL(sized.bytes_sized(huge), 0);
	CU_ASSERT_EQUAL(sized.bytes_sized(NULL), 0);
	double block[64];
	CU_ASSERT_PTR_NULL(sized.setup_sized(block, small));
	size_t bytes = sized.bytes_sized(ok);
	CU_ASSERT(bytes > 0);
	void *mem = malloc(bytes);
	const hessc_problem *p = sized.setup_sized(mem, ok);
	CU_ASSERT_PTR_NOT_NULL(p);
	if (p) {
		CU_ASSERT_EQUAL(p->n, TSIZE_MIN_PROBE);
		CU_ASSERT_EQUAL(p->nnz, 2 * TSIZE_MIN_PROBE - 1);
	}
	free(mem);
	lib_free(&sized);
}

/* ---- what a run-time size cannot do ------------------------------------ */

/* `hessc gen` of `model` with ARGS in a fresh folder: its exit status,
 * its stderr (caller frees) and whether it wrote no file. */
static int gen_in_folder(const char *model, const char *args, char **err, int *no_files,
                         char *dir, size_t dir_size)
{
	char path[256];
	CU_ASSERT_FATAL(make_dir(dir, dir_size));
	snprintf(path, sizeof path, "%s/bad.mod", dir);
	CU_ASSERT_FATAL(write_text(path, model));
	int code = run_gen(dir, "bad", args);
	snprintf(path, sizeof path, "%s/err", dir);
	*err = read_file_text(path);
	snprintf(path, sizeof path, "%s/bad.c", dir);
	*no_files = access(path, F_OK) != 0;
	snprintf(path, sizeof path, "%s/bad.h", dir);
	*no_files &= access(path, F_OK) != 0;
	return code;
}

/* gen with ARGS fails with `code`; its first line starts with `first`
 * (after the directory), a caret follows, and there are no files. */
static void assert_refused(const char *model, const char *args, int code, const char *first)
{
	char dir[64], *err;
	int no_files;
	CU_ASSERT_EQUAL(gen_in_folder(model, args, &err, &no_files, dir, sizeof dir), code);
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT(no_files);
	size_t dl = strlen(dir);
	int located = code == 1;
	if (located) {
		CU_ASSERT(strncmp(err, dir, dl) == 0 && strncmp(err + dl, "/bad.mod:", 9) == 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "^"));
	}
	const char *line = located ? err + dl + 9 : err;
	CU_ASSERT(strncmp(line, first, strlen(first)) == 0);
	if (strncmp(line, first, strlen(first)) != 0)
		fprintf(stderr, "\nunexpected: %s", err);
	free(err);
	remove_dir(dir);
}

static void test_a_size_squared_is_an_error_at_its_use(void)
{
	assert_refused("param n;\nvar x{1..n*n};\nminimize f: sum {i in 1..n*n} x[i]^4;\n",
	               "--size n", 1,
	               "2:10: error: 'n' cannot be a run-time size: a count, bound or position of "
	               "the generated loops is not an affine function of it");
}

static void test_half_a_size_rounded_is_an_error(void)
{
	assert_refused("param n;\nvar x{1..n};\n"
	               "minimize f: sum {i in 1..n/2} (x[2*i] - x[2*i-1]^2)^2;\n",
	               "--size n", 1, "2:10: error: 'n' cannot be a run-time size: a count, bound");
}

static void test_a_size_in_the_arithmetic_is_an_error(void)
{
	assert_refused("param n;\nvar x{1..n};\nminimize f: sum {i in 1..n} x[i]^2 / n;\n",
	               "--size n", 1,
	               "2:10: error: 'n' cannot be a run-time size: its value reaches the "
	               "objective's arithmetic");
}

/* sin(i) has no run shorter than the loop: its literals would grow */
static void test_a_table_of_literals_per_iteration_is_an_error(void)
{
	assert_refused("param n;\nvar x{1..n};\nminimize f: sum {i in 1..n} sin(i) * x[i]^2;\n",
	               "--size n", 1,
	               "2:10: error: 'n' cannot be a run-time size: a table the generated code "
	               "keeps for every iteration grows with it");
}

/* Without --size the size is the error it was, and a note names --size. */
static void test_without_the_flag_a_size_is_an_error_that_points_at_it(void)
{
	char dir[64], *err;
	int no_files;
	CU_ASSERT_EQUAL(gen_in_folder(chain_model, "", &err, &no_files, dir, sizeof dir), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(err);
	CU_ASSERT(no_files);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "2:10: error: 'n' has no value at generation time"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "hessc: note: `hessc gen --size n` leaves the size"));
	free(err);
	remove_dir(dir);
}

static void test_size_flags_that_cannot_work_are_usage_errors(void)
{
	assert_refused(chain_model, "--size n --unroll", 2, "hessc: error: --size and --unroll");
	assert_refused(chain_model, "--size n -D n=12", 2, "hessc: error: --size n and -D n=12");
	assert_refused("param n;\nvar x;\nminimize f: n * x^2;\n", "--size n", 2,
	               "hessc: error: --size n: the model never needs the value of 'n'");
}

/* ---- the merge itself ---------------------------------------------------- */

/* The texts of `fmt` (one %ld) at the probes of one size, through f. */
static hessc_status merge_one(const char *fmt, long (*f)(long), char **out, tsize_failure *why)
{
	size_t np = tsize_n_probes(1);
	char bufs[8][256];
	const char *texts[8];
	const char *names[1] = {"n"};
	for (size_t p = 0; p < np; p++) {
		snprintf(bufs[p], sizeof bufs[p], fmt, f(tsize_probe(p, 0, 1, 0)));
		texts[p] = bufs[p];
	}
	return tsize_merge(texts, 1, names, 0, out, why);
}

static long twice_less_one(long n) { return 2 * n - 1; }
static long squared(long n) { return n * n; }
static long halved(long n) { return n / 2; }
static long negated(long n) { return 3 - n; }

static void test_an_affine_integer_becomes_an_expression_of_the_size(void)
{
	char *out = NULL;
	tsize_failure why;
	CU_ASSERT_EQUAL_FATAL(merge_one("h[%ld] = x1; /* 7 */", twice_less_one, &out, &why), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(out, "h[(2 * (sz)->n - 1)] = x1; /* 7 */");
	free(out);
	CU_ASSERT_EQUAL_FATAL(merge_one("/* %ld values */", twice_less_one, &out, &why), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(out, "/* 2*n - 1 values */");
	free(out);
	CU_ASSERT_EQUAL_FATAL(merge_one("k = %ld;", negated, &out, &why), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(out, "k = -((sz)->n - 3);");   /* the sign is C's */
	free(out);
}

static void test_what_is_not_affine_is_refused(void)
{
	char *out = NULL;
	tsize_failure why;
	CU_ASSERT_EQUAL(merge_one("k = %ld;", squared, &out, &why), HESSC_ERR_MODEL);
	CU_ASSERT_EQUAL(why.problem, TSIZE_NOT_AFFINE);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(merge_one("k = %ld;", halved, &out, &why), HESSC_ERR_MODEL);
	CU_ASSERT_EQUAL(why.problem, TSIZE_NOT_AFFINE);
	CU_ASSERT_EQUAL(merge_one("double t[\001%ld];", twice_less_one, &out, &why), HESSC_ERR_MODEL);
	CU_ASSERT_EQUAL(why.problem, TSIZE_FIXED);
	CU_ASSERT_EQUAL(merge_one("y = %ld.5;", twice_less_one, &out, &why), HESSC_ERR_MODEL);
	CU_ASSERT_EQUAL(why.problem, TSIZE_REAL);
	CU_ASSERT_STRING_EQUAL(why.line, "y = 19.5;");
}

static void test_texts_that_differ_in_more_than_numbers_are_refused(void)
{
	const char *names[1] = {"n"};
	const char *texts[4] = {"a = 1;", "a = 2;", "a = b;", "a = 4;"};
	char *out = NULL;
	tsize_failure why;
	CU_ASSERT_EQUAL(tsize_merge(texts, 1, names, 0, &out, &why), HESSC_ERR_MODEL);
	CU_ASSERT_EQUAL(why.problem, TSIZE_STRUCTURE);
	CU_ASSERT_EQUAL(why.probe, 2);
	CU_ASSERT_PTR_NULL(out);
}

int main(int argc, char **argv)
{
	static const test_case tests[] = {
		{ "an affine integer becomes an expression of the size",
		  test_an_affine_integer_becomes_an_expression_of_the_size },
		{ "what is not affine is refused", test_what_is_not_affine_is_refused },
		{ "texts that differ in more than numbers are refused",
		  test_texts_that_differ_in_more_than_numbers_are_refused },
		{ "P5 generated once runs at two sample counts",
		  test_p5_generated_once_runs_at_two_sample_counts },
		{ "a banded model generated once runs at two n",
		  test_a_banded_model_generated_once_runs_at_two_n },
		{ "the benchmark band models take n at run time",
		  test_the_benchmark_band_models_take_n_at_run_time },
		{ "pairs counted by a size take it at run time",
		  test_pairs_counted_by_a_size_take_it_at_run_time },
		{ "a constant per iteration is filled by the setup",
		  test_a_constant_per_iteration_is_filled_by_the_setup },
		{ "a grid and shared variables follow the size",
		  test_a_grid_and_shared_variables_follow_the_size },
		{ "a model that settles late is probed at larger sizes",
		  test_a_model_that_settles_late_is_probed_at_larger_sizes },
		{ "two sizes are given at run time together",
		  test_two_sizes_are_given_at_run_time_together },
		{ "the setup refuses sizes hessc did not check",
		  test_the_setup_refuses_sizes_hessc_did_not_check },
		{ "a size squared is an error at its use", test_a_size_squared_is_an_error_at_its_use },
		{ "half a size rounded is an error", test_half_a_size_rounded_is_an_error },
		{ "a size in the arithmetic is an error", test_a_size_in_the_arithmetic_is_an_error },
		{ "a table of literals per iteration is an error",
		  test_a_table_of_literals_per_iteration_is_an_error },
		{ "without the flag a size is an error that points at it",
		  test_without_the_flag_a_size_is_an_error_that_points_at_it },
		{ "size flags that cannot work are usage errors",
		  test_size_flags_that_cannot_work_are_usage_errors },
	};
	if (argc != 3) {
		fprintf(stderr, "usage: %s HESSC BENCH_MODELS_DIR\n", argv[0]);
		return 2;
	}
	hessc_path = argv[1];
	models_dir = argv[2];
	return run_test_suite("run-time sizes", tests, TEST_COUNT(tests));
}
