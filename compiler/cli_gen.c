/* cli_gen.c -- `hessc gen MODEL [DATA...] -o BASE [--prefix P]`: BASE.c and
 * BASE.h. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit_c.h"
#include "emit_template.h"

int cli_emit_dot(const cli_args *args);   /* cli_dot.c */
int cli_gen_sizes(const cli_args *args);  /* cli_gen_sizes.c */

/* The printing sink, which also remembers the first value-less param
 * used as a size, to point at --size once the errors are out. */
typedef struct size_hint {
	char name[64];
} size_hint;

static void print_and_hint(void *ctx, const diag *d)
{
	static const char tail[] = "but a set needs its value to generate the code";
	size_hint *h = ctx;
	size_t len = strlen(d->message), n;
	diag_print(stderr, d);
	if (h->name[0] || d->message[0] != '\'' || len < sizeof tail
	    || strcmp(d->message + len - (sizeof tail - 1), tail))
		return;
	n = strcspn(d->message + 1, "'");
	if (n < sizeof h->name) {
		memcpy(h->name, d->message + 1, n);
		h->name[n] = 0;
	}
}

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
	size_hint hint = { "" };
	diag_sink sink = { print_and_hint, &hint, 0 };
	cli_model cm;
	int code = cli_load(args, &sink, &cm);
	if (code == CLI_MODEL && hint.name[0] && !args->unroll)
		fprintf(stderr, "hessc: note: `hessc gen --size %s` leaves the size '%s' to run time "
		        "(docs/run-time-data.md)\n", hint.name, hint.name);
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
