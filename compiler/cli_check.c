/* cli_check.c -- `hessc check MODEL [DATA...]`: parse and check only. */
#include <stdio.h>

#include "cli.h"

int cli_check(const cli_args *args)
{
	diag_sink sink = cli_stderr_sink();
	cli_model cm;
	int code = cli_load(args, &sink, &cm);
	if (code == CLI_OK)
		printf("%s: ok: %zu variables, %s %s\n", args->model, cm.m->n,
		       cm.m->maximize ? "maximize" : "minimize",
		       cm.m->objective_name ? cm.m->objective_name : "(unnamed)");
	cli_model_free(&cm);
	return code;
}
