/* cli_solve.c -- the `hessc solve` command:
 *
 *   hessc solve MODEL [DATA...] [-D NAME=VALUE] [--objective NAME]
 *               [--method tr-cg|tr-exact] [--precond ichol|jacobi|none]
 *               [--tol T] [--rtol R] [--max-iter K] [--max-time S]
 *               [--format text|json] [--backend llvm|cc] [--no-cache] [--stats]
 *
 * model -> kernels compiled by the public API (cli_kernels.h, as eval:
 * LLVM or cc, the kernel cache unless --no-cache) -> cli_solve_run (the
 * table on stderr, the result on stdout).
 * Exit codes: 0 the solver ran (its status says how it ended), 1 the model
 * is wrong, 2 usage, 3 internal error (cc failed, out of memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_kernels.h"
#include "cli_solve.h"

static const char usage[] =
	"usage: hessc solve MODEL [DATA...] [-D NAME=VALUE] [--objective NAME]\n"
	"                   [--method tr-cg|tr-exact] [--precond ichol|jacobi|none]\n"
	"                   [--tol T] [--rtol R] [--max-iter K] [--max-time S]\n"
	"                   [--format text|json] [--backend llvm|cc] [--no-cache] [--stats]\n"
	"--no-cache: compile again, neither reading nor writing the kernel cache\n"
	"  ($HESSC_CACHE_DIR, else $XDG_CACHE_HOME/hessc, else ~/.cache/hessc);\n"
	"--stats: tell on stderr how the kernels were made (backend, loops, cache, times).\n";

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.0))
		return -1;
	*out = v;
	return 0;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 1000000000L)
		return -1;
	*out = (int)v;
	return 0;
}

int cli_solve_main(int argc, char **argv)
{
	cli_solve_options o = { HESSC_METHOD_TR_CG, HESSC_PRECOND_ICHOL, -1.0, -1.0, -1, -1.0, 0 };
	cli_args args;
	hessc_model *m = NULL;
	int rc = CLI_USAGE;

	memset(&args, 0, sizeof args);
	args.command = "solve";
	args.data.items = calloc((size_t)argc + 1, sizeof *args.data.items);
	args.defines.items = calloc((size_t)argc + 1, sizeof *args.defines.items);
	if (!args.data.items || !args.defines.items) {
		fputs("hessc: error: out of memory\n", stderr);
		rc = CLI_INTERNAL;
		goto done;
	}
	/* argv[0] is "solve" */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "--method") == 0 && v) {
			bad = hessc_method_parse(v, &o.method);
			i++;
		} else if (strcmp(a, "--precond") == 0 && v) {
			bad = hessc_precond_parse(v, &o.precond);
			i++;
		} else if (strcmp(a, "--tol") == 0 && v) {
			bad = parse_double(v, &o.tol);
			i++;
		} else if (strcmp(a, "--rtol") == 0 && v) {
			bad = parse_double(v, &o.rtol);
			i++;
		} else if (strcmp(a, "--max-iter") == 0 && v) {
			bad = parse_int(v, &o.max_iter);
			i++;
		} else if (strcmp(a, "--max-time") == 0 && v) {
			bad = parse_double(v, &o.max_time);
			i++;
		} else if (strcmp(a, "--format") == 0 && v) {
			bad = strcmp(v, "json") != 0 && strcmp(v, "text") != 0;
			o.json = strcmp(v, "json") == 0;
			i++;
		} else if (strcmp(a, "--backend") == 0 && v) {
			args.backend = v;
			i++;
		} else if (strcmp(a, "--no-cache") == 0) {
			args.no_cache = 1;
		} else if (strcmp(a, "--stats") == 0) {
			args.stats = 1;
		} else if (strcmp(a, "--objective") == 0 && v) {
			args.objective = v;
			i++;
		} else if (strcmp(a, "-D") == 0 && v) {
			args.defines.items[args.defines.n++] = v;
			i++;
		} else if (strncmp(a, "-D", 2) == 0 && a[2]) {
			args.defines.items[args.defines.n++] = a + 2;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			rc = CLI_OK;
			goto done;
		} else if (a[0] == '-' && a[1]) {
			rc = cli_usage_error("solve: unknown option or missing value: %s", a);
			goto done;
		} else if (!args.model) {
			args.model = a;
		} else {
			args.data.items[args.data.n++] = a;
		}
		if (bad) {
			rc = cli_usage_error("solve: bad value for %s: '%s'", a, v);
			goto done;
		}
	}
	if (!args.model) {
		rc = cli_usage_error("solve: no model file (hessc solve --help)");
		goto done;
	}

	/* the kernels eval runs */
	hessc_backend backend;
	rc = cli_backend_parse(args.backend, &backend);
	if (rc == CLI_OK)
		rc = cli_kernels_compile(&args, backend, &m);
	if (rc != CLI_OK)
		goto done;
	hessc_solve_status ss = cli_solve_run(hessc_model_problem(m), hessc_model_names(m),
	                                      hessc_model_maximize(m), &o, stdout, stderr);
	/* the solver ran: its status is in the output; only its own failures
	 * (memory, CHOLMOD, an inconsistent descriptor) are internal errors */
	rc = ss == HESSC_SOLVE_NO_MEMORY || ss == HESSC_SOLVE_LINALG_ERROR ||
	     ss == HESSC_SOLVE_BAD_INPUT ? CLI_INTERNAL : CLI_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("hessc: error: cannot write the output\n", stderr);
		rc = CLI_INTERNAL;
	}
done:
	hessc_model_free(m);
	free(args.data.items);
	free(args.defines.items);
	return rc;
}
