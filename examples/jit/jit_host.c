/* jit_host.c -- a host program that compiles a model at run time with
 * libhessc, evaluates f, gradient and Hessian, and solves it with the
 * trust-region runtime.  No C compiler is needed at run time when libhessc
 * has the LLVM backend.
 *
 *   jit_host [N]        the separable Rosenbrock function in N variables
 *                       (P1 of the benchmarks; N even, default 1000)
 */
#include <hessc/hessc.h>
#include <hessc/solver.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char model_text[] =
	"param N := 10;   # even\n"
	"var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;\n"
	"minimize srosenbr:\n"
	"    sum {i in 1..N/2} (100 * (x[2*i] - x[2*i-1]^2)^2 + (x[2*i-1] - 1)^2);\n";

/* Diagnostics arrive here, with the line and column of the problem. */
static void print_diagnostic(void *ctx, const hessc_diagnostic *d)
{
	(void)ctx;
	fprintf(stderr, "%s:%d:%d: %s: %s\n", d->file ? d->file : "", d->line, d->col,
	        d->level == HESSC_DIAG_ERROR ? "error" : "warning", d->message);
	if (d->source_line)
		fprintf(stderr, "    %.*s\n", (int)d->source_line_len, d->source_line);
}

int main(int argc, char **argv)
{
	char define[64];
	snprintf(define, sizeof define, "N=%s", argc > 1 ? argv[1] : "1000");
	const char *defines[] = { define };

	hessc_options opt;
	hessc_options_init(&opt);        /* backend auto: LLVM when available; cache on */
	opt.defines = defines;
	opt.n_defines = 1;
	opt.diag = print_diagnostic;

	hessc_model *m = NULL;
	hessc_status st = hessc_compile_string("srosenbr", model_text, strlen(model_text), &opt, &m);
	if (st != HESSC_OK) {
		fprintf(stderr, "jit_host: %s\n", hessc_status_message(st));
		return 1;
	}
	hessc_stats stats;
	hessc_model_stats(m, &stats);
	printf("compiled by %s in %.1f ms%s\n", hessc_backend_name(stats.backend), stats.total_ms,
	       stats.from_cache ? " (from the kernel cache)" : "");

	/* evaluate at the initial point: work memory comes from the caller */
	size_t n = hessc_model_n(m), nnz = hessc_model_nnz(m);
	double *g = malloc(n * sizeof *g), *h = malloc(nnz * sizeof *h);
	double *work = malloc((hessc_model_work_size(m) + 1) * sizeof *work);
	if (!g || !h || !work) {
		free(g), free(h), free(work);
		hessc_model_free(m);
		return 1;
	}
	const double *x0 = hessc_model_x0(m);
	double f = hessc_model_grad(m)(x0, g, work, hessc_model_data(m));
	hessc_model_hess(m)(x0, h, work, hessc_model_data(m));
	printf("n = %zu, Hessian entries (lower triangle) = %zu\n", n, nnz);
	printf("f(x0) = %.17g, g[0] = %.17g, H[0,0] = %.17g\n", f, g[0], h[0]);

	/* solve: the descriptor is what the runtime's solvers take */
	hessc_solver_options so;
	hessc_solver_options_init(&so);
	hessc_solver_result res;
	hessc_solve(hessc_model_problem(m), &so, &res);
	printf("solve: %s after %d iterations, f = %.6g, |g| = %.3g, x[0] = %.6f\n",
	       hessc_solve_status_name(res.status), res.iterations, res.f, res.grad_norm,
	       res.x ? res.x[0] : 0.0);
	int ok = res.status == HESSC_SOLVE_CONVERGED;
	hessc_solver_result_free(&res);

	free(g), free(h), free(work);
	hessc_model_free(m);
	return ok ? 0 : 1;
}
