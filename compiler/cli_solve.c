/* cli_solve.c -- the `hessc solve` command:
 *
 *   hessc solve MODEL [DATA...] [-D NAME=VALUE] [--objective NAME]
 *               [--method tr-cg|tr-exact] [--precond ichol|jacobi|none]
 *               [--tol T] [--rtol R] [--max-iter K] [--max-time S]
 *               [--format text|json]
 *
 * model -> front end -> derivatives -> tape -> kernels compiled by cc and
 * loaded -> cli_solve_run (the table on stderr, the result on stdout).
 * Exit codes: 0 the solver ran (its status says how it ended), 1 the model
 * is wrong, 2 usage, 3 internal error (cc failed, out of memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_backend.h"
#include "cli_solve.h"
#include "derive.h"
#include "frontend.h"
#include "tape.h"

static const char usage[] =
	"usage: hessc solve MODEL [DATA...] [-D NAME=VALUE] [--objective NAME]\n"
	"                   [--method tr-cg|tr-exact] [--precond ichol|jacobi|none]\n"
	"                   [--tol T] [--rtol R] [--max-iter K] [--max-time S]\n"
	"                   [--format text|json]\n";

static void print_diag(void *ctx, const diag *d)
{
	diag_print(ctx, d);
}

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

static int status_exit(hessc_status st)
{
	switch (st) {
	case HESSC_OK: return 0;
	case HESSC_ERR_MODEL: case HESSC_ERR_TOO_BIG: return 1;
	case HESSC_ERR_USAGE: return 2;
	default: return 3;
	}
}

int cli_solve_main(int argc, char **argv)
{
	cli_solve_options o = { HESSC_METHOD_TR_CG, HESSC_PRECOND_ICHOL, -1.0, -1.0, -1, -1.0, 0 };
	frontend_input in;
	frontend_source *data = calloc((size_t)argc + 1, sizeof *data);
	const char **defines = calloc((size_t)argc + 1, sizeof *defines);
	diag_sink sink = { print_diag, stderr, 0 };
	graph *g = NULL;
	model *m = NULL;
	derivatives d;
	tape t;
	cc_kernels *k = NULL;
	cc_options cco;
	int rc = 2;
	hessc_status st;

	memset(&in, 0, sizeof in);
	memset(&d, 0, sizeof d);
	memset(&t, 0, sizeof t);
	memset(&cco, 0, sizeof cco);
	if (!data || !defines) {
		fprintf(stderr, "hessc solve: out of memory\n");
		rc = 3;
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
		} else if (strcmp(a, "--objective") == 0 && v) {
			in.objective = v;
			i++;
		} else if (strcmp(a, "-D") == 0 && v) {
			defines[in.n_defines++] = v;
			i++;
		} else if (strncmp(a, "-D", 2) == 0 && a[2]) {
			defines[in.n_defines++] = a + 2;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			rc = 0;
			goto done;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "hessc solve: unknown option or missing value: %s\n%s", a, usage);
			goto done;
		} else if (!in.model.path) {
			in.model.path = a;
		} else {
			data[in.n_data++].path = a;
		}
		if (bad) {
			fprintf(stderr, "hessc solve: bad value for %s: %s\n%s", a, v, usage);
			goto done;
		}
	}
	if (!in.model.path) {
		fprintf(stderr, "hessc solve: no model file\n%s", usage);
		goto done;
	}
	in.data = data;
	in.defines = defines;

	rc = 3;
	if (!(g = graph_new())) {
		fprintf(stderr, "hessc solve: out of memory\n");
		goto done;
	}
	if ((st = frontend_build(&in, &sink, g, &m)) != HESSC_OK) {
		rc = status_exit(st);
		goto done;
	}
	st = derive(g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &d);
	if (st != HESSC_OK) {
		if (st == HESSC_ERR_TOO_BIG)
			diag_report(&sink, DIAG_ERROR, m->objective_loc, m->source, m->source_len,
			            "the Hessian would have more than %zu nonzeros", d.nnz);
		rc = status_exit(st);
		goto done;
	}
	if ((st = tape_build(g, &d, &t)) != HESSC_OK) {
		rc = status_exit(st);
		goto done;
	}
	if ((st = cc_backend_load(m, &d, &t, &cco, &sink, &k)) != HESSC_OK) {
		rc = status_exit(st);
		goto done;
	}
	hessc_solve_status ss = cli_solve_run(cc_kernels_problem(k), (const char *const *)m->names,
	                                      m->maximize, &o, stdout, stderr);
	rc = ss == HESSC_SOLVE_NO_MEMORY || ss == HESSC_SOLVE_LINALG_ERROR ||
	     ss == HESSC_SOLVE_BAD_INPUT ? 3 : 0;
done:
	cc_kernels_free(k);
	tape_free(&t);          /* both safe on their zeroed state */
	derivatives_free(&d);
	model_free(m);
	graph_free(g);
	free(data);
	free(defines);
	return rc;
}
