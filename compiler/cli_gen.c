/* cli_gen.c -- `hessc gen MODEL [DATA...] -o BASE [--prefix P]`: BASE.c and
 * BASE.h. */
#include <stdlib.h>

#include "cli.h"
#include "emit_c.h"
#include "emit_template.h"
#include "template.h"

/* Terms a model must have in loops before gen writes loops. */
#define CLI_MIN_TEMPLATED 2

/* The loop path: 1 and *code set when it wrote the files (or failed for
 * good), 0 when the model is better written out (no loops, a residual
 * too long for one function, a pattern over the limit: the unrolled path
 * then reports that itself). */
static int gen_templated(const cli_args *args, cli_model *cm, diag_sink *sink, int *code)
{
	tmpl_set ts;
	int done = 0;
	hessc_status st = tmpl_find(cm->g, cm->m->objective, cm->m->n, CLI_MIN_TEMPLATED, &ts);
	if (st == HESSC_OK && ts.n_loops > 0)
		st = tmpl_derive(&ts, DERIVE_DEFAULT_MAX_NNZ);
	if (st == HESSC_ERR_NOMEM) {
		fputs("hessc: error: out of memory\n", stderr);
		*code = CLI_INTERNAL;
		done = 1;
	} else if (st == HESSC_OK && ts.n_loops > 0 && !tmpl_residual_too_big(&ts)) {
		emit_c_options opt = { .prefix = args->prefix, .command = args->command_line };
		st = emit_template_files(cm->m, &ts, &opt, args->output, sink);
		if (st != HESSC_OK && sink->errors == 0)
			fputs("hessc: error: out of memory\n", stderr);
		*code = cli_exit_code(st);
		done = 1;
	}
	tmpl_set_free(&ts);
	return done;
}

int cli_gen(const cli_args *args)
{
	if (!args->output)
		return cli_usage_error("'hessc gen' needs -o BASE (it writes BASE.c and BASE.h)");
	if (args->prefix && !emit_c_valid_prefix(args->prefix))
		return cli_usage_error("--prefix '%s' is not a C identifier", args->prefix);
	diag_sink sink = cli_stderr_sink();
	cli_model cm;
	int code = cli_load(args, &sink, &cm);
	if (code == CLI_OK && !args->unroll && gen_templated(args, &cm, &sink, &code)) {
		cli_model_free(&cm);
		return code;
	}
	if (code == CLI_OK)
		code = cli_derive(&cm, &sink);
	if (code == CLI_OK)
		code = cli_lower(&cm);
	if (code == CLI_OK) {
		emit_c_options opt = { .prefix = args->prefix, .command = args->command_line };
		hessc_status st = emit_c_files(cm.m, &cm.d, &cm.t, &opt, args->output, &sink);
		if (st != HESSC_OK && sink.errors == 0)
			fputs("hessc: error: out of memory\n", stderr);
		code = cli_exit_code(st);
	}
	cli_model_free(&cm);
	return code;
}
