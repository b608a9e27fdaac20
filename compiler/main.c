/* main.c -- the `hessc` command: a table of commands and a dispatcher.
 * Each command lives in its own cli_NAME.c; options are shared (cli.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_solve.h"

int cli_gen(const cli_args *args);
int cli_eval(const cli_args *args);
int cli_check(const cli_args *args);
int cli_sparsity(const cli_args *args);

static const char *const gen_options[] = { "--output", "--prefix", NULL };
static const char *const eval_options[] = { "--at", "--format", NULL };
static const char *const sparsity_options[] = { "--format", "--output", NULL };

static const cli_command commands[] = {
	{ "gen", "MODEL [DATA...] -o BASE [--prefix P] [-D NAME=VALUE] [--objective NAME]",
	  "Write BASE.c and BASE.h: C99 kernels for f, gradient, Hessian and Hessian-vector\n"
	  "product, the Hessian pattern, initial point, bounds and a hessc_problem descriptor.",
	  gen_options, 1, cli_gen },
	{ "eval", "MODEL [DATA...] [--at FILE] [--format text|json] [-D NAME=VALUE] [--objective NAME]",
	  "Print f, gradient and Hessian (lower triangle) at the initial point or at FILE,\n"
	  "computed by the generated code itself.  In JSON, non-finite numbers are written\n"
	  "NaN, Infinity and -Infinity (as Python's json module reads them).",
	  eval_options, 1, cli_eval },
	{ "check", "MODEL [DATA...] [-D NAME=VALUE] [--objective NAME]",
	  "Parse and check the model only.",
	  NULL, 1, cli_check },
	{ "sparsity", "MODEL [DATA...] [--format text|mtx] [-o FILE] [-D NAME=VALUE] [--objective NAME]",
	  "The Hessian's sparsity pattern: statistics (text) or a Matrix Market pattern\n"
	  "(mtx: the lower triangle, symmetric, 1-based).",
	  sparsity_options, 1, cli_sparsity },
	{ "solve", "MODEL [DATA...] [--method tr-cg|tr-exact] [--tol T] [--max-iter K] [--format text|json]",
	  "Minimize (or maximize) the model from its initial point with the trust-region\n"
	  "Newton runtime; the iteration table on stderr, the result on stdout.",
	  NULL, 1, NULL, cli_solve_main },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
	fputs("usage: hessc COMMAND MODEL [DATA...] [options]\n\n"
	      "hessc compiles an AMPL model into exact derivative kernels.\n\ncommands:\n", out);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const char *nl = strchr(commands[i].summary, '\n');
		int len = nl ? (int)(nl - commands[i].summary) : (int)strlen(commands[i].summary);
		fprintf(out, "  %-10s %.*s\n", commands[i].name, len, commands[i].summary);
	}
	fputs("\n'hessc COMMAND --help' tells more.  Exit status: 0 success, 1 the model is\n"
	      "wrong, 2 usage error, 3 internal error.\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return print_help(stderr), CLI_USAGE;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return print_help(stdout), CLI_OK;
	if (!strcmp(argv[1], "--version")) {
		printf("hessc " HESSC_VERSION_STRING "\n");
		return CLI_OK;
	}
	const cli_command *cmd = NULL;
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return cli_usage_error("unknown command '%s' (see 'hessc --help')", argv[1]);

	if (cmd->run_argv)
		return cmd->run_argv(argc - 1, argv + 1);
	cli_args args;
	int code = cli_parse(cmd, argc, argv, 2, &args);
	if (code == CLI_OK && args.help)
		cli_print_command_help(cmd);
	else if (code == CLI_OK)
		code = cmd->run(&args);
	cli_args_free(&args);
	return code;
}
