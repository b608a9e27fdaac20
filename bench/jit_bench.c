/* jit_bench.c -- the JIT's benchmark (not a test), for P1 of PROBLEMS.md
 * (srosenbr), in the loop form the API compiles by default:
 *
 * 1. model text to the first Hessian value through the public API, with
 *    each backend, kernel cache off: medians over the repeats, the time of
 *    each step (front end, loops, code: for LLVM IR, passes and machine
 *    code; load) and the ratio LLVM / cc;
 * 2. the same with the kernel cache on, once it holds the entry (a hit);
 * 3. Hessian evaluation time of LLVM's kernels, of the cc backend's, and of
 *    the same loops as `hessc gen` writes them compiled by gcc -O2
 *    (-ffp-contract=off, as every backend keeps IEEE results): medians and
 *    the ratio LLVM / gcc -O2.
 *
 * Goals (the JIT issue): first Hessian with LLVM at most half cc's and
 * under 100 ms at n = 10,000; LLVM's Hessian at most 1.1 x gcc -O2's.
 *
 *   jit-bench [N] [COMPILE_REPEATS] [EVAL_REPEATS]      defaults 10000 7 201
 *   jit-bench --unrolled [N] ...                        every term written out
 */
#include <hessc/hessc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cc_backend.h"
#include "derive.h"
#include "frontend.h"
#include "template.h"

static const char p1_text[] =
	"param N := 10000;\n"
	"var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;\n"
	"minimize f: sum {i in 1..N/2} (100*(x[2*i] - x[2*i-1]^2)^2 + (x[2*i-1] - 1)^2);\n";

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void print_diagnostic(void *ctx, const hessc_diagnostic *d)
{
	(void)ctx;
	fprintf(stderr, "jit-bench: %s:%d:%d: %s\n", d->file ? d->file : "", d->line, d->col,
	        d->message);
}

typedef struct setup {
	const char *define;    /* "N=..." */
	int unrolled;
	const char *cache_dir; /* NULL: cache off */
} setup;

static hessc_model *compile(const setup *s, hessc_backend b)
{
	const char *defines[] = { s->define };
	hessc_options o;
	hessc_options_init(&o);
	o.backend = b;
	o.use_cache = s->cache_dir != NULL;
	o.cache_dir = s->cache_dir;
	o.defines = defines;
	o.n_defines = 1;
	o.unrolled = s->unrolled;
	o.diag = print_diagnostic;
	hessc_model *m = NULL;
	if (hessc_compile_string("p1", p1_text, strlen(p1_text), &o, &m) != HESSC_OK)
		return NULL;
	return m;
}

/* One run: model text to the first Hessian value; its stats. */
static double first_hessian_ms(const setup *s, hessc_backend b, hessc_stats *stats)
{
	double t0 = now_ms();
	hessc_model *m = compile(s, b);
	if (!m)
		return -1;
	const hessc_problem *p = hessc_model_problem(m);
	double *h = malloc(((size_t)p->nnz + 1) * sizeof *h);
	double *w = malloc((p->work_size + 1) * sizeof *w);
	p->hess(p->x0, h, w, p->data);
	double t = now_ms() - t0;
	hessc_model_stats(m, stats);
	free(h);
	free(w);
	hessc_model_free(m);
	return t;
}

enum { STEP_TOTAL, STEP_FRONT, STEP_LOOPS, STEP_DERIVE, STEP_CODE, STEP_IR, STEP_PASSES,
       STEP_MACHINE, STEP_LOAD, N_STEPS };

/* Medians over `repeats` runs of every step; returns the first Hessian's. */
static double measure(const setup *s, hessc_backend b, int repeats, double med[N_STEPS],
                      hessc_stats *last)
{
	double *t[N_STEPS];
	for (int k = 0; k < N_STEPS; k++)
		t[k] = malloc((size_t)repeats * sizeof *t[k]);
	double first = -1;
	for (int r = 0; r < repeats; r++) {
		hessc_stats st = { 0 };
		double ms = first_hessian_ms(s, b, &st);
		if (ms < 0)
			goto done;
		t[STEP_TOTAL][r] = ms;
		t[STEP_FRONT][r] = st.frontend_ms;
		t[STEP_LOOPS][r] = st.lower_ms;
		t[STEP_DERIVE][r] = st.derive_ms;
		t[STEP_CODE][r] = st.codegen_ms;
		t[STEP_IR][r] = st.llvm_ir_ms;
		t[STEP_PASSES][r] = st.llvm_optimize_ms;
		t[STEP_MACHINE][r] = st.llvm_machine_code_ms;
		t[STEP_LOAD][r] = st.load_ms;
		*last = st;
	}
	for (int k = 0; k < N_STEPS; k++)
		med[k] = median(t[k], repeats);
	first = med[STEP_TOTAL];
done:
	for (int k = 0; k < N_STEPS; k++)
		free(t[k]);
	return first;
}

static void print_steps(const char *what, hessc_backend b, const double med[N_STEPS],
                        const hessc_stats *st)
{
	printf("%-28s %-4s %8.1f ms", what, hessc_backend_name(b), med[STEP_TOTAL]);
	if (st->from_cache) {
		printf("  (loaded from the cache: %.2f ms)\n", med[STEP_LOAD]);
		return;
	}
	printf("  = front end %.1f + %s %.1f + derivatives %.1f + code %.1f", med[STEP_FRONT],
	       st->loops ? "loops" : "tape", med[STEP_LOOPS], med[STEP_DERIVE], med[STEP_CODE]);
	if (b == HESSC_BACKEND_LLVM)
		printf(" (IR %.1f, passes %.1f, machine code %.1f)", med[STEP_IR], med[STEP_PASSES],
		       med[STEP_MACHINE]);
	printf(" + load %.1f\n", med[STEP_LOAD]);
}

/* Median microseconds of one Hessian evaluation of each of k problems,
 * timed in turns (one call of each, again and again) so that the load of a
 * shared machine falls on all of them alike. */
static void hess_us(const hessc_problem *const *p, int k, int repeats, double *us)
{
	double *h[3], *w[3], *t[3];
	for (int q = 0; q < k; q++) {
		h[q] = malloc(((size_t)p[q]->nnz + 1) * sizeof *h[q]);
		w[q] = malloc((p[q]->work_size + 1) * sizeof *w[q]);
		t[q] = malloc((size_t)repeats * sizeof *t[q]);
		p[q]->hess(p[q]->x0, h[q], w[q], p[q]->data);   /* warm: code and data in cache */
	}
	for (int r = 0; r < repeats; r++)
		for (int q = 0; q < k; q++) {
			double t0 = now_ms();
			p[q]->hess(p[q]->x0, h[q], w[q], p[q]->data);
			t[q][r] = (now_ms() - t0) * 1e3;
		}
	for (int q = 0; q < k; q++) {
		us[q] = median(t[q], repeats);
		free(h[q]), free(w[q]), free(t[q]);
	}
}

/* The kernels `hessc gen` writes for P1 (loops, or every term with
 * --unrolled), compiled by gcc -O2 and loaded. */
static cc_kernels *gcc_o2_kernels(const setup *s)
{
	const char *defines[] = { s->define };
	frontend_input in = { .model = { "p1.mod", p1_text, strlen(p1_text) },
	                      .defines = defines, .n_defines = 1 };
	diag_sink quiet = { 0 };
	graph *g = graph_new();
	model *m = NULL;
	tmpl_set ts = { 0 };
	derivatives d = { 0 };
	tape t = { 0 };
	cc_kernels *k = NULL;
	cc_options co = { .cc = "gcc", .optimize = CC_OPT_O2 };
	if (frontend_build(&in, &quiet, g, &m) != HESSC_OK)
		goto done;
	if (!s->unrolled) {
		if (tmpl_find(g, m->objective, m->n, 2, &ts) == HESSC_OK && ts.n_loops > 0 &&
		    tmpl_derive(&ts, DERIVE_DEFAULT_MAX_NNZ) == HESSC_OK)
			cc_backend_load_templated(m, &ts, &co, &quiet, &k);
	} else if (derive(g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &d) == HESSC_OK &&
	           tape_build(g, &d, &t) == HESSC_OK) {
		cc_backend_load(m, &d, &t, &co, &quiet, &k);
	}
done:
	if (!k)
		fputs("jit-bench: the gcc -O2 kernels failed\n", stderr);
	tape_free(&t);
	if (d.hess)
		derivatives_free(&d);
	tmpl_set_free(&ts);
	model_free(m);
	graph_free(g);
	return k;
}

int main(int argc, char **argv)
{
	setup s = { 0 };
	int a = 1;
	if (a < argc && !strcmp(argv[a], "--unrolled"))
		s.unrolled = 1, a++;
	long n = a < argc ? atol(argv[a++]) : 10000;
	int compile_repeats = a < argc ? atoi(argv[a++]) : 7;
	int eval_repeats = a < argc ? atoi(argv[a++]) : 201;
	if (n < 2 || n % 2 || compile_repeats < 1 || eval_repeats < 1 || a < argc) {
		fputs("usage: jit-bench [--unrolled] [N (even)] [COMPILE_REPEATS] [EVAL_REPEATS]\n",
		      stderr);
		return 2;
	}
	char define[64];
	snprintf(define, sizeof define, "N=%ld", n);
	s.define = define;
	printf("P1 (srosenbr), n = %ld, %s; medians of %d compilations and %d Hessian "
	       "evaluations\n", n, s.unrolled ? "every term written out" : "loops",
	       compile_repeats, eval_repeats);

	/* LLVM's one-time initialization (native target, host CPU) is paid by
	 * the first compilation of a process: shown on its own, then the
	 * medians of the compilations after it */
	hessc_backend backends[2] = { HESSC_BACKEND_LLVM, HESSC_BACKEND_CC };
	double first[2] = { 0, 0 }, med[N_STEPS];
	for (int b = 0; b < 2; b++) {
		if (backends[b] == HESSC_BACKEND_LLVM && !hessc_have_llvm())
			continue;
		hessc_stats st = { 0 };
		if (measure(&s, backends[b], 1, med, &st) < 0)
			return 1;
		print_steps("first of the process", backends[b], med, &st);
		first[b] = measure(&s, backends[b], compile_repeats, med, &st);
		if (first[b] < 0)
			return 1;
		print_steps("model text to first Hessian", backends[b], med, &st);
	}
	if (first[0] > 0 && first[1] > 0)
		printf("first Hessian, llvm / cc: %.2f (goal <= 0.50; llvm goal < 100 ms)\n",
		       first[0] / first[1]);

	char dir[] = "/tmp/hessc-jit-bench-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	setup cached = s;
	cached.cache_dir = dir;
	for (int b = 0; b < 2; b++) {
		if (backends[b] == HESSC_BACKEND_LLVM && !hessc_have_llvm())
			continue;
		hessc_stats st = { 0 };
		if (measure(&cached, backends[b], 1, med, &st) < 0)   /* fills the entry */
			return 1;
		if (measure(&cached, backends[b], compile_repeats, med, &st) < 0 || !st.from_cache)
			fputs("jit-bench: the kernel cache did not answer\n", stderr);
		print_steps("cache hit to first Hessian", backends[b], med, &st);
	}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "jit-bench: cannot remove %s\n", dir);

	/* LLVM's kernels, the cc backend's (gen's C at cc's -O1 or -O0) and
	 * gen's C compiled by gcc -O2 */
	const hessc_problem *probs[3];
	hessc_model *models[2] = { NULL, NULL };
	int k = 0;
	for (int b = 0; b < 2; b++) {
		if (backends[b] == HESSC_BACKEND_LLVM && !hessc_have_llvm())
			continue;
		if (!(models[b] = compile(&s, backends[b])))
			return 1;
		probs[k++] = hessc_model_problem(models[b]);
	}
	cc_kernels *gcc = gcc_o2_kernels(&s);
	if (!gcc)
		return 1;
	probs[k++] = cc_kernels_problem(gcc);
	double us[3];
	hess_us(probs, k, eval_repeats, us);
	if (models[0]) {
		printf("Hessian evaluation: llvm %.2f us, cc backend %.2f us, gcc -O2 %.2f us\n",
		       us[0], us[1], us[2]);
		printf("Hessian, llvm / gcc -O2: %.2f (goal <= 1.10)\n", us[0] / us[2]);
	} else {
		printf("Hessian evaluation: cc backend %.2f us, gcc -O2 %.2f us\n", us[0], us[1]);
	}
	hessc_model_free(models[0]);
	hessc_model_free(models[1]);
	cc_kernels_free(gcc);
	return 0;
}
