/* test_api.c -- libhessc's public API (hessc/hessc.h), through the shared
 * library: diagnostics, lifetimes, threads, the kernel cache, and the two
 * backends against each other on every example model.
 *
 * argv[1..]: model files the backends are compared on. */
#include <CUnit/Basic.h>
#include <hessc/hessc.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char cache_dir[] = "/tmp/hessc-test-api-XXXXXX";
static char **model_files;
static int n_model_files;

/* ---- helpers ----------------------------------------------------------------- */

typedef struct collected {
	int count;
	int line, col;                 /* of the first error */
	char message[512];
	char file[256];
	int has_source_line;
} collected;

static void collect(void *ctx, const hessc_diagnostic *d)
{
	collected *c = ctx;
	if (d->level == HESSC_DIAG_ERROR && c->count++ == 0) {
		c->line = d->line;
		c->col = d->col;
		snprintf(c->message, sizeof c->message, "%s", d->message);
		snprintf(c->file, sizeof c->file, "%s", d->file ? d->file : "");
		c->has_source_line = d->source_line != NULL;
	}
}

/* Unexpected diagnostics are shown, to explain a failure. */
static void show(void *ctx, const hessc_diagnostic *d)
{
	(void)ctx;
	fprintf(stderr, "\n  %s:%d:%d: %s\n", d->file ? d->file : "", d->line, d->col, d->message);
}

static void options(hessc_options *o, hessc_backend backend, int cache)
{
	hessc_options_init(o);
	o->diag = show;
	o->backend = backend;
	o->use_cache = cache;
	o->cache_dir = cache_dir;
}

static hessc_model *compile_text(const char *text, hessc_backend backend, int cache,
                                 const char *const *defines, size_t n_defines,
                                 const hessc_text *data, size_t n_data, hessc_stats *stats)
{
	hessc_options o;
	options(&o, backend, cache);
	o.defines = defines;
	o.n_defines = n_defines;
	o.data = data;
	o.n_data = n_data;
	hessc_model *m = NULL;
	hessc_status st = hessc_compile_string("test.mod", text, strlen(text), &o, &m);
	CU_ASSERT_EQUAL(st, HESSC_OK);
	if (m && stats)
		hessc_model_stats(m, stats);
	return m;
}

static const char rosen[] =
	"param N := 10;\n"
	"var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;\n"
	"minimize f: sum {i in 1..N-1} (100 * (x[i+1] - x[i]^2)^2 + (1 - x[i])^2);\n";

static hessc_backend best_backend(void)
{
	return hessc_have_llvm() ? HESSC_BACKEND_LLVM : HESSC_BACKEND_CC;
}

/* ---- diagnostics ------------------------------------------------------------- */

static void test_bad_model_text_reports_line_and_column(void)
{
	static const char text[] = "var x;\nminimize f: x^2 + ;\n";
	collected c = { 0 };
	hessc_options o;
	options(&o, best_backend(), 0);
	o.diag = collect;
	o.diag_ctx = &c;
	hessc_model *m = (hessc_model *)&c;  /* must be reset to NULL */
	hessc_status st = hessc_compile_string("bad.mod", text, strlen(text), &o, &m);
	CU_ASSERT_EQUAL(st, HESSC_ERR_MODEL);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT(c.count >= 1);
	CU_ASSERT_EQUAL(c.line, 2);
	CU_ASSERT(c.col >= 17 && c.col <= 19);
	CU_ASSERT_STRING_EQUAL(c.file, "bad.mod");
	CU_ASSERT(c.has_source_line);
}

static void test_undefined_name_is_reported_where_it_is_used(void)
{
	static const char text[] = "var x;\n\nminimize f:\n    x + y;\n";
	collected c = { 0 };
	hessc_options o;
	options(&o, best_backend(), 0);
	o.diag = collect;
	o.diag_ctx = &c;
	hessc_model *m = NULL;
	CU_ASSERT_EQUAL(hessc_compile_string("undef.mod", text, strlen(text), &o, &m), HESSC_ERR_MODEL);
	CU_ASSERT_EQUAL(c.line, 4);
	CU_ASSERT_EQUAL(c.col, 9);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.message, "y"));
}

static void test_missing_file_is_a_usage_error_naming_the_file(void)
{
	collected c = { 0 };
	hessc_options o;
	options(&o, best_backend(), 1);
	o.diag = collect;
	o.diag_ctx = &c;
	hessc_model *m = NULL;
	CU_ASSERT_EQUAL(hessc_compile_file("/nonexistent/model.mod", &o, &m), HESSC_ERR_USAGE);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_STRING_EQUAL(c.file, "/nonexistent/model.mod");
	CU_ASSERT_PTR_NOT_NULL(strstr(c.message, "cannot open"));
}

static void test_llvm_backend_without_llvm_is_a_usage_error(void)
{
	if (hessc_have_llvm())
		return;  /* nothing to check on a build with LLVM */
	hessc_options o;
	options(&o, HESSC_BACKEND_LLVM, 0);
	hessc_model *m = NULL;
	CU_ASSERT_EQUAL(hessc_compile_string("r.mod", rosen, strlen(rosen), &o, &m), HESSC_ERR_USAGE);
}

/* ---- queries and lifetimes ----------------------------------------------------- */

static void test_queries_describe_the_model(void)
{
	hessc_model *m = compile_text(rosen, best_backend(), 0, NULL, 0, NULL, 0, NULL);
	if (!m)
		return;
	CU_ASSERT_EQUAL(hessc_model_n(m), 10);
	CU_ASSERT_EQUAL(hessc_model_nnz(m), 19);   /* tridiagonal lower triangle */
	CU_ASSERT_STRING_EQUAL(hessc_model_names(m)[0], "x[1]");
	CU_ASSERT_STRING_EQUAL(hessc_model_names(m)[9], "x[10]");
	CU_ASSERT_EQUAL(hessc_model_x0(m)[0], -1.2);
	CU_ASSERT_EQUAL(hessc_model_x0(m)[1], 1.0);
	CU_ASSERT(isinf(hessc_model_lower(m)[0]) && hessc_model_lower(m)[0] < 0);
	CU_ASSERT_FALSE(hessc_model_has_bounds(m));
	CU_ASSERT_STRING_EQUAL(hessc_model_objective(m), "f");
	CU_ASSERT_FALSE(hessc_model_maximize(m));
	const int *cp = hessc_model_hess_colptr(m), *ri = hessc_model_hess_rowind(m);
	CU_ASSERT_EQUAL(cp[0], 0);
	CU_ASSERT_EQUAL(cp[10], 19);
	CU_ASSERT_EQUAL(ri[0], 0);
	CU_ASSERT_EQUAL(ri[1], 1);
	const hessc_problem *p = hessc_model_problem(m);
	CU_ASSERT_EQUAL(p->n, 10);
	CU_ASSERT_EQUAL(p->nnz, 19);
	CU_ASSERT_PTR_EQUAL(p->x0, hessc_model_x0(m));
	CU_ASSERT_PTR_EQUAL((void *)p->hess, (void *)hessc_model_hess(m));
	double *w = calloc(hessc_model_work_size(m) + 1, sizeof *w);
	double g[10], h[19];
	/* f at the classic start: 4.5 pairs... computed by hand for N = 10:
	 * 9 terms; odd i: 100(1-1.44)^2 + 2.2^2 = 24.2; even i: 100(-1.2-1)^2 + 0 = 484 */
	double expect = 5 * 24.2 + 4 * 484.0;
	double f = hessc_model_grad(m)(hessc_model_x0(m), g, w, hessc_model_data(m));
	CU_ASSERT(fabs(f - expect) <= 1e-12 * expect);
	CU_ASSERT(fabs(hessc_model_f(m)(hessc_model_x0(m), w, hessc_model_data(m)) - expect) <= 1e-12 * expect);
	hessc_model_hess(m)(hessc_model_x0(m), h, w, hessc_model_data(m));
	/* d2f/dx1^2 = 1200 x1^2 - 400 x2 + 2 = 1330 at (-1.2, 1) */
	CU_ASSERT(fabs(h[0] - 1330.0) <= 1e-12 * 1330.0);
	free(w);
	hessc_model_free(m);
	hessc_model_free(NULL);
}

static void test_two_models_alive_at_once_evaluate_independently(void)
{
	static const char quad[] = "var y{1..3} := 1;\nminimize q: sum {i in 1..3} i * y[i]^2;\n";
	hessc_model *a = compile_text(rosen, best_backend(), 0, NULL, 0, NULL, 0, NULL);
	hessc_model *b = compile_text(quad, best_backend(), 0, NULL, 0, NULL, 0, NULL);
	if (!a || !b) {
		hessc_model_free(a);
		hessc_model_free(b);
		return;
	}
	double wa[256], wb[256];
	CU_ASSERT(hessc_model_work_size(a) <= 256 && hessc_model_work_size(b) <= 256);
	double fa = hessc_model_f(a)(hessc_model_x0(a), wa, hessc_model_data(a));
	double fb = hessc_model_f(b)(hessc_model_x0(b), wb, hessc_model_data(b));
	CU_ASSERT_EQUAL(fb, 6.0);
	hessc_model_free(b);  /* a still works after b is gone */
	CU_ASSERT_EQUAL(hessc_model_f(a)(hessc_model_x0(a), wa, hessc_model_data(a)), fa);
	CU_ASSERT_EQUAL(hessc_model_n(a), 10);
	hessc_model_free(a);
}

/* ---- threads ------------------------------------------------------------------- */

typedef struct thread_job {
	const hessc_model *m;
	double *h;      /* nnz */
	double *g;      /* n */
	double f;
	int rounds;
} thread_job;

static void *evaluate_repeatedly(void *arg)
{
	thread_job *j = arg;
	const hessc_problem *p = hessc_model_problem(j->m);
	double *w = calloc(p->work_size + 1, sizeof *w);
	double *x = malloc((size_t)p->n * sizeof *x);
	if (!w || !x) {
		free(w);
		free(x);
		return NULL;
	}
	for (int i = 0; i < p->n; i++)
		x[i] = p->x0[i] + 0.001 * (i % 7);
	for (int r = 0; r < j->rounds; r++) {
		j->f = p->grad(x, j->g, w, p->data);
		p->hess(x, j->h, w, p->data);
	}
	free(w);
	free(x);
	return arg;
}

static void test_four_threads_evaluating_one_model_get_identical_results(void)
{
	static const char *const defines[] = { "N=2000" };
	hessc_model *m = compile_text(rosen, best_backend(), 0, defines, 1, NULL, 0, NULL);
	if (!m)
		return;
	size_t n = hessc_model_n(m), nnz = hessc_model_nnz(m);
	thread_job jobs[5];
	pthread_t threads[4];
	for (int t = 0; t < 5; t++) {
		jobs[t] = (thread_job){ m, calloc(nnz, sizeof(double)), calloc(n, sizeof(double)), 0, 200 };
		CU_ASSERT_FATAL(jobs[t].h && jobs[t].g);
	}
	jobs[4].rounds = 1;
	evaluate_repeatedly(&jobs[4]);      /* the reference, alone */
	for (int t = 0; t < 4; t++)
		CU_ASSERT_EQUAL(pthread_create(&threads[t], NULL, evaluate_repeatedly, &jobs[t]), 0);
	for (int t = 0; t < 4; t++) {
		void *r = NULL;
		pthread_join(threads[t], &r);
		CU_ASSERT_PTR_EQUAL(r, &jobs[t]);
		CU_ASSERT_EQUAL(memcmp(&jobs[t].f, &jobs[4].f, sizeof(double)), 0);
		CU_ASSERT_EQUAL(memcmp(jobs[t].g, jobs[4].g, n * sizeof(double)), 0);
		CU_ASSERT_EQUAL(memcmp(jobs[t].h, jobs[4].h, nnz * sizeof(double)), 0);
	}
	for (int t = 0; t < 5; t++) {
		free(jobs[t].h);
		free(jobs[t].g);
	}
	hessc_model_free(m);
}

/* ---- the kernel cache ------------------------------------------------------------ */

static const char data_model[] =
	"param N;\nparam c{1..N};\nparam s default 1;\nvar x{1..N} := 1;\n"
	"minimize f: sum {i in 1..N} s * c[i] * (x[i] - i)^2;\n";

/* c3: the data's c[3] (c[1] = 2, c[2] = 3 in both data texts) */
static int cached(hessc_backend b, const char *model, const char *data, double c3,
                  const char *define)
{
	hessc_text d = { "data.dat", data, strlen(data) };
	const char *defines[1] = { define };
	hessc_stats s = { 0 };
	hessc_model *m = compile_text(model, b, 1, defines, define ? 1 : 0, &d, 1, &s);
	if (!m)
		return -1;
	/* the kernels work whichever way they came, loops and position maps
	 * included: H = diag(2 s c[i]) */
	double w[64], g[8], h[8];
	CU_ASSERT(hessc_model_work_size(m) <= 64 && hessc_model_n(m) <= 8);
	CU_ASSERT_EQUAL(hessc_model_nnz(m), hessc_model_n(m));
	hessc_model_grad(m)(hessc_model_x0(m), g, w, hessc_model_data(m));
	CU_ASSERT_EQUAL(g[0], 2.0 * 2.0 * (1.0 - 1.0));
	CU_ASSERT_EQUAL(g[1], 2.0 * 3.0 * (1.0 - 2.0));
	hessc_model_hess(m)(hessc_model_x0(m), h, w, hessc_model_data(m));
	const double c[3] = { 2.0, 3.0, c3 };
	for (size_t i = 0; i < hessc_model_n(m) && i < 3; i++)
		CU_ASSERT_EQUAL(h[hessc_model_hess_colptr(m)[i]], 2.0 * c[i]);
	CU_ASSERT_EQUAL(s.backend, b);
	CU_ASSERT(s.loops > 0);   /* the loop form, compiled or loaded */
	hessc_model_free(m);
	return s.from_cache;
}

static void check_cache(hessc_backend b)
{
	static const char data[] = "param N := 3;\nparam c := 1 2 2 3 3 4;\n";
	static const char other_data[] = "param N := 3;\nparam c := 1 2 2 3 3 5;\n";
	static const char other_model[] =
		"param N;\nparam c{1..N};\nparam s default 1;\nvar x{1..N} := 1;\n"
		"minimize f: sum {i in 1..N} s * c[i] * (x[i] - i)^2 + 0 * x[1];\n";
	CU_ASSERT_EQUAL(cached(b, data_model, data, 4, NULL), 0);        /* first: compiled */
	CU_ASSERT_EQUAL(cached(b, data_model, data, 4, NULL), 1);        /* second: a hit */
	CU_ASSERT_EQUAL(cached(b, data_model, other_data, 5, NULL), 0);  /* data changed */
	CU_ASSERT_EQUAL(cached(b, other_model, data, 4, NULL), 0);       /* model changed */
	CU_ASSERT_EQUAL(cached(b, data_model, data, 4, "s=1"), 0);       /* a -D given */
	CU_ASSERT_EQUAL(cached(b, data_model, data, 4, NULL), 1);        /* still there */
}

static void test_second_compilation_is_a_cache_hit_and_changes_miss_with_cc(void)
{
	check_cache(HESSC_BACKEND_CC);
}

static void test_second_compilation_is_a_cache_hit_and_changes_miss_with_llvm(void)
{
	if (hessc_have_llvm())
		check_cache(HESSC_BACKEND_LLVM);
}

/* AUTO: LLVM for small loop bodies; cc for a loop body that keeps a dense
 * local Hessian (here 40 features: 820 sums carried across iterations). */
static void test_auto_picks_cc_for_a_loop_body_with_a_dense_hessian(void)
{
	static const char logreg[] =
		"param m := 6; param d := 40;\n"
		"param X{i in 1..m, j in 1..d} := ((i*7919 + j*104729) mod 1000)/500 - 1;\n"
		"var w{1..d} := 0.1;\n"
		"minimize f: sum {i in 1..m} log(1 + exp(-sum {j in 1..d} X[i,j]*w[j]));\n";
	hessc_stats s;
	hessc_model *m = compile_text(rosen, HESSC_BACKEND_AUTO, 0, NULL, 0, NULL, 0, &s);
	CU_ASSERT_EQUAL(s.backend, best_backend());
	CU_ASSERT(s.loops > 0);
	hessc_model_free(m);
	m = compile_text(logreg, HESSC_BACKEND_AUTO, 0, NULL, 0, NULL, 0, &s);
	CU_ASSERT_PTR_NOT_NULL(m);
	CU_ASSERT_EQUAL(s.backend, HESSC_BACKEND_CC);
	CU_ASSERT(s.loops > 0);
	CU_ASSERT_EQUAL(hessc_model_nnz(m), 40 * 41 / 2);
	hessc_model_free(m);
}

static void test_no_cache_neither_reads_nor_writes(void)
{
	hessc_stats s;
	hessc_model *m = compile_text(rosen, best_backend(), 1, NULL, 0, NULL, 0, &s);
	hessc_model_free(m);
	m = compile_text(rosen, best_backend(), 0, NULL, 0, NULL, 0, &s);
	CU_ASSERT_EQUAL(s.from_cache, 0);
	CU_ASSERT_EQUAL(s.stored_in_cache, 0);
	hessc_model_free(m);
}

/* Every entry's metadata overwritten with garbage: compiled again, correct. */
static void test_a_corrupt_cache_entry_is_rebuilt(void)
{
	static const char text[] = "var z := 3;\nminimize f: (z - 1)^4;\n";
	hessc_stats s;
	hessc_model *m = compile_text(text, best_backend(), 1, NULL, 0, NULL, 0, &s);
	hessc_model_free(m);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "for f in %s/*.meta; do printf 'HSCMETA\\001garbage' > \"$f\"; done",
	         cache_dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	m = compile_text(text, best_backend(), 1, NULL, 0, NULL, 0, &s);
	CU_ASSERT_EQUAL(s.from_cache, 0);
	if (m) {
		double w[16];
		CU_ASSERT(hessc_model_work_size(m) <= 16);
		CU_ASSERT_EQUAL(hessc_model_f(m)(hessc_model_x0(m), w, hessc_model_data(m)), 16.0);
	}
	hessc_model_free(m);
	m = compile_text(text, best_backend(), 1, NULL, 0, NULL, 0, &s);
	CU_ASSERT_EQUAL(s.from_cache, 1);
	hessc_model_free(m);
}

/* ---- the backends against each other ----------------------------------------- */

static int close_to(double a, double b, double scale)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return fabs(a - b) <= 1e-13 * fmax(scale, fmax(fabs(a), fabs(b)));
}

static int compare_at(hessc_model *l, hessc_model *c, const double *x, const char *file)
{
	const hessc_problem *p = hessc_model_problem(l), *q = hessc_model_problem(c);
	size_t n = (size_t)p->n, nnz = (size_t)p->nnz;
	double *w1 = calloc(p->work_size + 1, 8), *w2 = calloc(q->work_size + 1, 8);
	double *g1 = calloc(n + 1, 8), *g2 = calloc(n + 1, 8), *h1 = calloc(nnz + 1, 8);
	double *h2 = calloc(nnz + 1, 8), *v = calloc(n + 1, 8), *hv1 = calloc(n + 1, 8);
	double *hv2 = calloc(n + 1, 8), *habs = calloc(n + 1, 8);
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		v[i] = 1.0 + 0.25 * (double)(i % 5) - 0.5 * (double)(i % 3);
	double f1 = p->f(x, w1, p->data), f2 = q->f(x, w2, q->data);
	double gf1 = p->grad(x, g1, w1, p->data), gf2 = q->grad(x, g2, w2, q->data);
	p->hess(x, h1, w1, p->data);
	q->hess(x, h2, w2, q->data);
	p->hessvec(x, v, hv1, w1, p->data);
	q->hessvec(x, v, hv2, w2, q->data);
	bad |= !close_to(f1, f2, 1) || !close_to(gf1, gf2, 1) || !close_to(f1, gf1, 1);
	for (size_t i = 0; i < n; i++)
		bad |= !close_to(g1[i], g2[i], 1);
	for (size_t k = 0; k < nnz; k++)
		bad |= !close_to(h1[k], h2[k], 1);
	/* H v: a sum of products, compared on the scale of (|H| |v|)_i */
	for (size_t j = 0; j < n; j++)
		for (int k = p->hess_colptr[j]; k < p->hess_colptr[j + 1]; k++) {
			size_t r = (size_t)p->hess_rowind[k];
			habs[r] += fabs(h1[k] * v[j]);
			if (r != j)
				habs[j] += fabs(h1[k] * v[r]);
		}
	for (size_t i = 0; i < n; i++)
		bad |= !close_to(hv1[i], hv2[i], fmax(1.0, habs[i]));
	if (bad)
		fprintf(stderr, "\n  %s: llvm and cc differ (f %.17g vs %.17g)\n", file, f1, f2);
	free(w1), free(w2), free(g1), free(g2), free(h1), free(h2);
	free(v), free(hv1), free(hv2), free(habs);
	return !bad;
}

/* In the loop form, as compiled by default: every example model has loops. */
static void test_llvm_and_cc_agree_to_1e13_on_every_example_model(void)
{
	if (!hessc_have_llvm())
		return;
	CU_ASSERT(n_model_files > 0);
	for (int i = 0; i < n_model_files; i++) {
		hessc_options o;
		hessc_model *l = NULL, *c = NULL;
		hessc_stats ls = { 0 }, cs = { 0 };
		options(&o, HESSC_BACKEND_LLVM, 0);
		CU_ASSERT_EQUAL(hessc_compile_file(model_files[i], &o, &l), HESSC_OK);
		o.backend = HESSC_BACKEND_CC;
		CU_ASSERT_EQUAL(hessc_compile_file(model_files[i], &o, &c), HESSC_OK);
		if (l && c) {
			hessc_model_stats(l, &ls);
			hessc_model_stats(c, &cs);
			CU_ASSERT(ls.loops > 0);
			CU_ASSERT_EQUAL(ls.loops, cs.loops);
		}
		if (l && c) {
			const hessc_problem *p = hessc_model_problem(l);
			CU_ASSERT_EQUAL(p->nnz, hessc_model_problem(c)->nnz);
			CU_ASSERT(compare_at(l, c, p->x0, model_files[i]));
			double *x = malloc(((size_t)p->n + 1) * sizeof *x);
			for (int k = 0; k < p->n; k++)
				x[k] = p->x0[k] + 0.1 * sin(k + 1.0);
			CU_ASSERT(compare_at(l, c, x, model_files[i]));
			free(x);
		}
		hessc_model_free(l);
		hessc_model_free(c);
	}
}

/* ---- run-time inputs ------------------------------------------------------------ */

static const char lr_model[] =
	"param m := 7;\n"
	"param d := 4;\n"
	"param lambda;\n"
	"param X{i in 1..m, j in 1..d};\n"
	"param y{1..m};\n"
	"var w{1..d} := 0;\n"
	"minimize f:\n"
	"\tsum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]))\n"
	"\t+ lambda/2 * sum {j in 1..d} w[j]^2;\n";

/* One data set of lr_model: lambda, X (7 x 4, row-major), y. */
typedef struct lr_data {
	double lambda, X[28], y[7];
	char text[4096];
} lr_data;

static void lr_data_make(lr_data *ds, unsigned seed)
{
	char *t = ds->text;
	ds->lambda = 0.05 + 0.1 * seed;
	for (int i = 0; i < 7; i++) {
		for (int j = 0; j < 4; j++)
			ds->X[i * 4 + j] = sin(1.3 * (i + 1) + 0.7 * (j + 1) + seed) * (1.0 + 0.5 * seed);
		ds->y[i] = (i + seed) % 3 == 0 ? 1.0 : -1.0;
	}
	t += sprintf(t, "data;\nparam lambda := %.17g;\nparam y :=", ds->lambda);
	for (int i = 0; i < 7; i++)
		t += sprintf(t, " %d %.17g", i + 1, ds->y[i]);
	t += sprintf(t, ";\nparam X: 1 2 3 4 :=\n");
	for (int i = 0; i < 7; i++) {
		t += sprintf(t, "%d", i + 1);
		for (int j = 0; j < 4; j++)
			t += sprintf(t, " %.17g", ds->X[i * 4 + j]);
		t += sprintf(t, "\n");
	}
	sprintf(t, ";\n");
}

/* f, g, H and H v of a descriptor at x along v. */
typedef struct lr_values {
	double f, g[4], h[10], hv[4];
} lr_values;

static void lr_evaluate(const hessc_problem *p, const double *x, const double *v, lr_values *out)
{
	double work[4096];
	CU_ASSERT_FATAL(p->work_size <= 4096);
	CU_ASSERT_EQUAL_FATAL(p->n, 4);
	CU_ASSERT_EQUAL_FATAL(p->nnz, 10);
	out->f = p->grad(x, out->g, work, p->data);
	CU_ASSERT(close_to(p->f(x, work, p->data), out->f, 1.0));
	p->hess(x, out->h, work, p->data);
	p->hessvec(x, v, out->hv, work, p->data);
}

static void lr_assert_same(const lr_values *a, const lr_values *b)
{
	CU_ASSERT(close_to(a->f, b->f, 1.0));
	for (int k = 0; k < 4; k++) {
		CU_ASSERT(close_to(a->g[k], b->g[k], 1.0));
		CU_ASSERT(close_to(a->hv[k], b->hv[k], 1.0));
	}
	for (int k = 0; k < 10; k++)
		CU_ASSERT(close_to(a->h[k], b->h[k], 1.0));
}

static hessc_model *lr_compile(hessc_backend b, int unrolled, const lr_data *data, int *from_cache)
{
	hessc_options o;
	options(&o, b, 1);
	o.unrolled = unrolled;
	hessc_text d = { "lr.dat", data ? data->text : NULL, data ? strlen(data->text) : 0 };
	if (data) {
		o.data = &d;
		o.n_data = 1;
	} else {
		o.run_time_inputs = 1;
	}
	hessc_model *m = NULL;
	CU_ASSERT_EQUAL(hessc_compile_string("lr.mod", lr_model, strlen(lr_model), &o, &m), HESSC_OK);
	if (m && from_cache) {
		hessc_stats st;
		hessc_model_stats(m, &st);
		*from_cache = st.from_cache;
	}
	return m;
}

/* The model with inputs, compiled with backend b (twice: the second comes
 * from the cache, whose key holds no data), on two data sets bound to two
 * instances at once, against the same model given each data set in a data
 * text; out[set] gets the instances' values. */
static void lr_inputs_with(hessc_backend b, int unrolled, lr_values out[2])
{
	static const char *const names[] = { "lambda", "X", "y" };
	static const size_t sizes[] = { 1, 28, 7 };
	int hit = 0;
	hessc_model *first = lr_compile(b, unrolled, NULL, NULL);
	hessc_model *m = lr_compile(b, unrolled, NULL, &hit);
	CU_ASSERT_FATAL(first && m);
	CU_ASSERT(hit);
	hessc_stats stats;
	hessc_model_stats(m, &stats);
	CU_ASSERT_EQUAL(stats.backend, b);
	CU_ASSERT_EQUAL(stats.loops > 0, !unrolled);
	hessc_model_free(first);
	CU_ASSERT_EQUAL_FATAL(hessc_model_n_inputs(m), 3);
	for (size_t k = 0; k < 3; k++) {
		CU_ASSERT_STRING_EQUAL(hessc_model_input_name(m, k), names[k]);
		CU_ASSERT_EQUAL(hessc_model_input_size(m, k), sizes[k]);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(hessc_model_input_layout(m, 1), "X[i,j] at (i-1)*4 + (j-1)"));
	CU_ASSERT_PTR_NULL(hessc_model_input_name(m, 3));
	CU_ASSERT_PTR_NULL(hessc_model_data(m));
	lr_data ds[2];
	hessc_instance *in[2] = { NULL, NULL };
	for (unsigned set = 0; set < 2; set++) {
		lr_data_make(&ds[set], set + 1);
		CU_ASSERT_EQUAL_FATAL(hessc_instance_new(m, &in[set]), HESSC_OK);
		CU_ASSERT_EQUAL(hessc_instance_bind(in[set], "lambda", &ds[set].lambda, 1), HESSC_OK);
		CU_ASSERT_EQUAL(hessc_instance_bind(in[set], "X", ds[set].X, 28), HESSC_OK);
		CU_ASSERT_EQUAL(hessc_instance_bind(in[set], "y", ds[set].y, 7), HESSC_OK);
	}
	double x[4] = { 0.3, -0.2, 0.5, 0.1 }, v[4] = { 1.0, -0.5, 0.25, 2.0 };
	for (unsigned set = 0; set < 2; set++) {
		const hessc_problem *p = NULL;
		CU_ASSERT_EQUAL_FATAL(hessc_instance_problem(in[set], &p), HESSC_OK);
		lr_evaluate(p, x, v, &out[set]);
		hessc_model *ref = lr_compile(b, unrolled, &ds[set], NULL);
		CU_ASSERT_FATAL(ref != NULL);
		CU_ASSERT_EQUAL(hessc_model_n_inputs(ref), 0);
		lr_values want;
		lr_evaluate(hessc_model_problem(ref), x, v, &want);
		lr_assert_same(&out[set], &want);
		hessc_model_free(ref);
	}
	CU_ASSERT(fabs(out[0].f - out[1].f) > 1e-3);   /* the two data sets differ */
	hessc_instance_free(in[0]);
	hessc_instance_free(in[1]);
	hessc_model_free(m);
}

static void test_one_compiled_model_serves_two_data_sets_with_both_backends(void)
{
	for (int unrolled = 0; unrolled <= 1; unrolled++) {
		lr_values cc[2], llvm[2];
		lr_inputs_with(HESSC_BACKEND_CC, unrolled, cc);
		if (!hessc_have_llvm())
			continue;
		lr_inputs_with(HESSC_BACKEND_LLVM, unrolled, llvm);
		lr_assert_same(&cc[0], &llvm[0]);
		lr_assert_same(&cc[1], &llvm[1]);
	}
}

static void test_binding_inputs_wrongly_is_an_error(void)
{
	hessc_model *m = lr_compile(best_backend(), 0, NULL, NULL);
	CU_ASSERT_FATAL(m != NULL);
	lr_data ds;
	lr_data_make(&ds, 1);
	hessc_instance *in = NULL;
	const hessc_problem *p = (const hessc_problem *)&ds;
	CU_ASSERT_EQUAL(hessc_instance_new(NULL, &in), HESSC_ERR_USAGE);
	CU_ASSERT_EQUAL(hessc_instance_new(m, NULL), HESSC_ERR_USAGE);
	CU_ASSERT_EQUAL_FATAL(hessc_instance_new(m, &in), HESSC_OK);
	CU_ASSERT_EQUAL(hessc_instance_bind(in, "X", ds.X, 27), HESSC_ERR_USAGE);
	CU_ASSERT_EQUAL(hessc_instance_bind(in, "y", ds.y, 28), HESSC_ERR_USAGE);
	CU_ASSERT_EQUAL(hessc_instance_bind(in, "z", ds.y, 7), HESSC_ERR_USAGE);
	CU_ASSERT_EQUAL(hessc_instance_bind(in, "y", NULL, 7), HESSC_ERR_USAGE);
	CU_ASSERT_EQUAL(hessc_instance_problem(in, &p), HESSC_ERR_USAGE);   /* nothing bound */
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(hessc_instance_bind(in, "X", ds.X, 28), HESSC_OK);
	CU_ASSERT_EQUAL(hessc_instance_bind(in, "lambda", &ds.lambda, 1), HESSC_OK);
	CU_ASSERT_EQUAL(hessc_instance_problem(in, &p), HESSC_ERR_USAGE);   /* y missing */
	CU_ASSERT_EQUAL(hessc_instance_bind(in, "y", ds.y, 7), HESSC_OK);
	CU_ASSERT_EQUAL(hessc_instance_problem(in, &p), HESSC_OK);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_EQUAL(hessc_instance_problem(NULL, &p), HESSC_ERR_USAGE);
	hessc_instance_free(in);
	hessc_instance_free(NULL);
	hessc_model_free(m);

	/* without the option, a param with no value stays an error */
	hessc_options o;
	options(&o, best_backend(), 0);
	o.diag = NULL;
	m = NULL;
	CU_ASSERT_EQUAL(hessc_compile_string("lr.mod", lr_model, strlen(lr_model), &o, &m),
	                HESSC_ERR_MODEL);
	CU_ASSERT_PTR_NULL(m);
}

/* Two threads, each running its own instance (data set) of one compiled
 * model many times, get what each instance gives alone. */
typedef struct instance_job {
	const hessc_problem *p;
	lr_values got;
	int rounds;
} instance_job;

static void *evaluate_instance(void *arg)
{
	instance_job *j = arg;
	double work[4096], x[4] = { 0.3, -0.2, 0.5, 0.1 }, v[4] = { 1.0, -0.5, 0.25, 2.0 };
	if (j->p->work_size > 4096)
		return NULL;
	for (int r = 0; r < j->rounds; r++) {
		j->got.f = j->p->grad(x, j->got.g, work, j->p->data);
		j->p->hess(x, j->got.h, work, j->p->data);
		j->p->hessvec(x, v, j->got.hv, work, j->p->data);
	}
	return arg;
}

static void test_two_threads_run_two_instances_of_one_model_at_once(void)
{
	hessc_model *m = lr_compile(best_backend(), 0, NULL, NULL);
	CU_ASSERT_FATAL(m != NULL);
	lr_data ds[2];
	hessc_instance *in[2] = { NULL, NULL };
	instance_job jobs[2], alone[2];
	pthread_t threads[2];
	for (int t = 0; t < 2; t++) {
		lr_data_make(&ds[t], (unsigned)t + 3);
		CU_ASSERT_EQUAL_FATAL(hessc_instance_new(m, &in[t]), HESSC_OK);
		CU_ASSERT_EQUAL(hessc_instance_bind(in[t], "lambda", &ds[t].lambda, 1), HESSC_OK);
		CU_ASSERT_EQUAL(hessc_instance_bind(in[t], "X", ds[t].X, 28), HESSC_OK);
		CU_ASSERT_EQUAL(hessc_instance_bind(in[t], "y", ds[t].y, 7), HESSC_OK);
		CU_ASSERT_EQUAL_FATAL(hessc_instance_problem(in[t], &jobs[t].p), HESSC_OK);
		memset(&alone[t], 0, sizeof alone[t]);
		alone[t].p = jobs[t].p;
		alone[t].rounds = 1;
		jobs[t].rounds = 500;
		CU_ASSERT_PTR_EQUAL(evaluate_instance(&alone[t]), &alone[t]);
	}
	for (int t = 0; t < 2; t++)
		CU_ASSERT_EQUAL(pthread_create(&threads[t], NULL, evaluate_instance, &jobs[t]), 0);
	for (int t = 0; t < 2; t++) {
		void *r = NULL;
		pthread_join(threads[t], &r);
		CU_ASSERT_PTR_EQUAL(r, &jobs[t]);
		CU_ASSERT_EQUAL(memcmp(&jobs[t].got, &alone[t].got, sizeof jobs[t].got), 0);
	}
	CU_ASSERT(fabs(alone[0].got.f - alone[1].got.f) > 1e-3);
	hessc_instance_free(in[0]);
	hessc_instance_free(in[1]);
	hessc_model_free(m);
}

int main(int argc, char **argv)
{
	model_files = argv + 1;
	n_model_files = argc - 1;
	if (!mkdtemp(cache_dir))
		return 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("api", NULL, NULL);
	CU_add_test(s, "bad model text reports line and column", test_bad_model_text_reports_line_and_column);
	CU_add_test(s, "an undefined name is reported where it is used", test_undefined_name_is_reported_where_it_is_used);
	CU_add_test(s, "a missing file is a usage error naming the file", test_missing_file_is_a_usage_error_naming_the_file);
	CU_add_test(s, "the llvm backend without llvm is a usage error", test_llvm_backend_without_llvm_is_a_usage_error);
	CU_add_test(s, "queries describe the model", test_queries_describe_the_model);
	CU_add_test(s, "two models alive at once evaluate independently", test_two_models_alive_at_once_evaluate_independently);
	CU_add_test(s, "four threads evaluating one model get identical results", test_four_threads_evaluating_one_model_get_identical_results);
	CU_add_test(s, "a second compilation is a cache hit and changes miss (cc)", test_second_compilation_is_a_cache_hit_and_changes_miss_with_cc);
	CU_add_test(s, "a second compilation is a cache hit and changes miss (llvm)", test_second_compilation_is_a_cache_hit_and_changes_miss_with_llvm);
	CU_add_test(s, "no cache neither reads nor writes", test_no_cache_neither_reads_nor_writes);
	CU_add_test(s, "auto picks cc for a loop body with a dense Hessian",
	            test_auto_picks_cc_for_a_loop_body_with_a_dense_hessian);
	CU_add_test(s, "a corrupt cache entry is rebuilt", test_a_corrupt_cache_entry_is_rebuilt);
	CU_add_test(s, "llvm and cc agree to 1e-13 on every example model", test_llvm_and_cc_agree_to_1e13_on_every_example_model);
	CU_add_test(s, "one compiled model serves two data sets with both backends", test_one_compiled_model_serves_two_data_sets_with_both_backends);
	CU_add_test(s, "binding inputs wrongly is an error", test_binding_inputs_wrongly_is_an_error);
	CU_add_test(s, "two threads run two instances of one model at once", test_two_threads_run_two_instances_of_one_model_at_once);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache_dir);
	if (system(cmd) != 0)
		failures++;
	return failures ? 1 : 0;
}
