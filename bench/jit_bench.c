/* jit_bench.c -- the JIT's benchmark (not a test): for P1 of PROBLEMS.md
 * (srosenbr), the time from model text to the first Hessian value with each
 * backend (kernel cache off), and the Hessian evaluation time of LLVM's
 * kernels relative to the same unrolled tape emitted as C and compiled by
 * gcc -O2.  Prints medians and ratios.
 *
 *   jit-bench [N] [COMPILE_REPEATS] [EVAL_REPEATS]      defaults 10000 1 51
 */
#include <dlfcn.h>
#include <hessc/hessc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "derive.h"
#include "emit_c.h"
#include "frontend.h"
#include "tape.h"

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
	return v[n / 2];
}

/* Model text to the first Hessian value, through the public API. */
static double first_hessian_ms(hessc_backend b, const char *define, hessc_stats *stats)
{
	const char *defines[] = { define };
	hessc_options o;
	hessc_options_init(&o);
	o.backend = b;
	o.use_cache = 0;
	o.defines = defines;
	o.n_defines = 1;
	double t0 = now_ms();
	hessc_model *m = NULL;
	if (hessc_compile_string("p1", p1_text, strlen(p1_text), &o, &m) != HESSC_OK)
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

/* Median microseconds of one Hessian evaluation. */
static double hess_us(const hessc_problem *p, int repeats)
{
	double *h = malloc(((size_t)p->nnz + 1) * sizeof *h);
	double *w = malloc((p->work_size + 1) * sizeof *w);
	double *t = malloc((size_t)repeats * sizeof *t);
	for (int r = 0; r < repeats; r++) {
		double t0 = now_ms();
		p->hess(p->x0, h, w, p->data);
		t[r] = (now_ms() - t0) * 1e3;
	}
	double med = median(t, repeats);
	free(h), free(w), free(t);
	return med;
}

/* The unrolled tape as C (emit_c.h), compiled by gcc -O2 and loaded. */
static void *gcc_o2_kernels(const char *define, const hessc_problem **problem)
{
	static char dir[] = "/tmp/hessc-jit-bench-XXXXXX";
	const char *defines[] = { define };
	frontend_input in = { .model = { "p1.mod", p1_text, strlen(p1_text) },
	                      .defines = defines, .n_defines = 1 };
	diag_sink quiet = { 0 };
	graph *g = graph_new();
	model *m = NULL;
	derivatives d = { 0 };
	tape t = { 0 };
	void *handle = NULL;
	char base[128], cmd[512], so[160];
	if (!mkdtemp(dir) || frontend_build(&in, &quiet, g, &m) != HESSC_OK ||
	    derive(g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &d) != HESSC_OK ||
	    tape_build(g, &d, &t) != HESSC_OK)
		goto done;
	snprintf(base, sizeof base, "%s/p1", dir);
	emit_c_options eo = { .prefix = "p1" };
	if (emit_c_files(m, &d, &t, &eo, base, &quiet) != HESSC_OK)
		goto done;
	snprintf(so, sizeof so, "%s/p1.so", dir);
	snprintf(cmd, sizeof cmd, "gcc -std=c99 -O2 -ffp-contract=off -fPIC -shared -o %s %s.c -lm",
	         so, base);
	double t0 = now_ms();
	if (system(cmd) != 0)
		goto done;
	printf("gcc -O2 compile of the emitted C: %.0f ms\n", now_ms() - t0);
	handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (handle)
		*problem = dlsym(handle, "p1_problem");
done:
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "jit-bench: cannot remove %s\n", dir);
	tape_free(&t);
	if (d.hess)
		derivatives_free(&d);
	model_free(m);
	graph_free(g);
	return handle;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	int compile_repeats = argc > 2 ? atoi(argv[2]) : 1;
	int eval_repeats = argc > 3 ? atoi(argv[3]) : 51;
	if (n < 2 || n % 2 || compile_repeats < 1 || eval_repeats < 1) {
		fputs("usage: jit-bench [N (even)] [COMPILE_REPEATS] [EVAL_REPEATS]\n", stderr);
		return 2;
	}
	char define[64];
	snprintf(define, sizeof define, "N=%ld", n);
	printf("P1 (srosenbr), n = %ld; medians of %d compilation(s) and %d Hessian evaluations\n",
	       n, compile_repeats, eval_repeats);

	double first[2] = { 0, 0 };
	hessc_backend backends[2] = { HESSC_BACKEND_LLVM, HESSC_BACKEND_CC };
	for (int b = 0; b < 2; b++) {
		if (backends[b] == HESSC_BACKEND_LLVM && !hessc_have_llvm())
			continue;
		double *t = malloc((size_t)compile_repeats * sizeof *t);
		hessc_stats s = { 0 };
		for (int r = 0; r < compile_repeats; r++)
			t[r] = first_hessian_ms(backends[b], define, &s);
		first[b] = median(t, compile_repeats);
		free(t);
		printf("model text to first Hessian, %-4s: %9.1f ms  (front end %.1f, derivatives %.1f, "
		       "tape %.1f, code %.1f, load %.1f)\n", hessc_backend_name(backends[b]), first[b],
		       s.frontend_ms, s.derive_ms, s.lower_ms, s.codegen_ms, s.load_ms);
	}
	if (first[0] > 0 && first[1] > 0)
		printf("first Hessian, llvm / cc: %.2f\n", first[0] / first[1]);

	if (!hessc_have_llvm())
		return 0;
	const char *defines[] = { define };
	hessc_options o;
	hessc_options_init(&o);
	o.backend = HESSC_BACKEND_LLVM;
	o.defines = defines;
	o.n_defines = 1;
	hessc_model *m = NULL;
	if (hessc_compile_string("p1", p1_text, strlen(p1_text), &o, &m) != HESSC_OK)
		return 1;
	double jit = hess_us(hessc_model_problem(m), eval_repeats);
	const hessc_problem *gp = NULL;
	void *handle = gcc_o2_kernels(define, &gp);
	double gcc = gp ? hess_us(gp, eval_repeats) : -1;
	printf("Hessian evaluation: llvm %.1f us, gcc -O2 %.1f us, llvm / gcc: %.2f\n", jit, gcc,
	       gcc > 0 ? jit / gcc : 0.0);
	if (handle)
		dlclose(handle);
	hessc_model_free(m);
	return 0;
}
