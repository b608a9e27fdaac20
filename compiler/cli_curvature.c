/* cli_curvature.c -- `hessc curvature MODEL [DATA...] [--at FILE]
 * [--format text|json]`: extreme eigenvalues of the Hessian, its inertia and
 * the verdict (minimum, maximum, saddle, degenerate) at the initial point or
 * at FILE, through the kernels `hessc gen` writes (cc backend), loops and
 * all unless --unroll, as `hessc eval` does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_backend.h"
#include "cli.h"
#include "curvature.h"

int cli_curvature(const cli_args *args)
{
	const char *format = args->format ? args->format : "text";
	if (strcmp(format, "text") && strcmp(format, "json"))
		return cli_usage_error("--format %s: 'hessc curvature' writes text or json", format);
	diag_sink sink = cli_stderr_sink();
	cli_model cm;
	cc_kernels *kernels = NULL;
	double *x = NULL;
	int code = cli_load(args, &sink, &cm);
	if (code != CLI_OK)
		goto done;
	size_t n = cm.m->n;
	if (n == 0) {
		fprintf(stderr, "hessc: error: %s: the objective has no variables: no curvature\n",
		        args->model);
		code = CLI_MODEL;
		goto done;
	}
	x = malloc(n * sizeof *x);
	if (x == NULL) {
		fputs("hessc: error: out of memory\n", stderr);
		code = CLI_INTERNAL;
		goto done;
	}
	if (args->at)
		code = cli_read_point(args->at, n, x);
	else
		memcpy(x, cm.m->x0, n * sizeof *x);
	if (code != CLI_OK)
		goto done;
	tmpl_set ts;
	hessc_status st;
	if (cli_templates(args, &cm, &ts, &code)) {
		st = cc_backend_load_templated(cm.m, &ts, NULL, &sink, &kernels);
		tmpl_set_free(&ts);
	} else {
		if (code == CLI_OK)
			code = cli_derive(&cm, &sink);
		if (code == CLI_OK)
			code = cli_lower(&cm);
		if (code != CLI_OK)
			goto done;
		st = cc_backend_load(cm.m, &cm.d, &cm.t, NULL, &sink, &kernels);
	}
	if (st != HESSC_OK) {
		if (sink.errors == 0)
			fputs("hessc: error: out of memory\n", stderr);
		code = cli_exit_code(st);
		goto done;
	}
	curvature_options opt = { .inertia = 1 };
	curvature_result r;
	st = curvature_analyze(cc_kernels_problem(kernels), x, &opt, &r);
	if (st == HESSC_ERR_MODEL) {
		fprintf(stderr, "hessc: error: %s: the Hessian is not finite at %s\n", args->model,
		        args->at ? args->at : "the initial point");
		code = CLI_MODEL;
		goto done;
	}
	if (st != HESSC_OK) {
		fprintf(stderr, "hessc: error: %s\n", st == HESSC_ERR_NOMEM ? "out of memory"
		        : "internal: the eigenvalue computation failed");
		code = cli_exit_code(st);
		goto done;
	}
	if (!strcmp(format, "json"))
		st = curvature_write_json(stdout, &r, cm.m->name);
	else
		st = curvature_write_text(stdout, &r, cm.m->name);
	if (st != HESSC_OK || fflush(stdout) != 0 || ferror(stdout)) {
		fputs("hessc: error: cannot write the output\n", stderr);
		code = CLI_INTERNAL;
	}
done:
	cc_kernels_free(kernels);
	free(x);
	cli_model_free(&cm);
	return code;
}
