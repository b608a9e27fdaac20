/* cli_gen.c -- `hessc gen MODEL [DATA...] -o BASE [--prefix P]`: BASE.c and
 * BASE.h. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit_c.h"
#include "emit_template.h"

int cli_emit_dot(const cli_args *args);   /* cli_dot.c */
int cli_gen_sizes(const cli_args *args);  /* cli_gen_sizes.c */

int cli_gen(const cli_args *args)
{
	if (args->sizes.n && args->emit && strcmp(args->emit, "c"))
		return cli_usage_error("--size goes with C output (--emit c)");
	if (args->emit && !strcmp(args->emit, "dot"))
		return cli_emit_dot(args);
	if (args->emit && strcmp(args->emit, "c"))
		return cli_usage_error("--emit %s: 'hessc gen' writes c or dot", args->emit);
	if (args->derivatives)
		return cli_usage_error("--derivatives goes with --emit dot");
	if (!args->output)
		return cli_usage_error("'hessc gen' needs -o BASE (it writes BASE.c and BASE.h)");
	if (args->prefix && !emit_c_valid_prefix(args->prefix))
		return cli_usage_error("--prefix '%s' is not a C identifier", args->prefix);
	if (args->sizes.n)
		return cli_gen_sizes(args);
	diag_sink sink = cli_stderr_sink();
	cli_model cm;
	int code = cli_load(args, &sink, &cm);
	tmpl_set ts;
	if (code == CLI_OK && cli_templates(args, &cm, &ts, &code)) {
		emit_c_options opt = { .prefix = args->prefix, .command = args->command_line };
		hessc_status st = emit_template_files(cm.m, &ts, &opt, args->output, &sink);
		if (st != HESSC_OK && sink.errors == 0)
			fputs("hessc: error: out of memory\n", stderr);
		tmpl_set_free(&ts);
		cli_model_free(&cm);
		return cli_exit_code(st);
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
