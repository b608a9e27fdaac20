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
int cli_curvature(const cli_args *args);

static const char *const gen_options[] = { "--output", "--prefix", "--size", "--unroll", "--emit", "--derivatives", NULL };
static const char *const eval_options[] = { "--at", "--format", "--unroll", "--backend", "--no-cache", "--stats", NULL };
static const char *const sparsity_options[] = { "--format", "--output", NULL };
static const char *const curvature_options[] = { "--at", "--format", "--unroll", NULL };

static const cli_command commands[] = {
	{ .name = "gen", .usage = "MODEL [DATA...] -o BASE [--prefix P] [--size NAME]... [--unroll] [--emit c|dot [--derivatives]] [-D NAME=VALUE] [--objective NAME]",
	  .summary = "Write BASE.c and BASE.h, the model's derivative kernels in C99.\n"
	  "They hold f, gradient, Hessian and Hessian-vector product, the Hessian pattern,\n"
	  "the initial point, the bounds and a hessc_problem descriptor.\n"
	  "Repeated terms of sums become loops over one differentiated term, and the\n"
	  "pattern is built at load time by BASE_setup (see BASE.h), so the file does\n"
	  "not grow with n; --unroll writes every term out instead.\n"
	  "--size NAME: NAME, a param without a value that sets a size, is given at\n"
	  "run time to BASE_setup, so one file serves every size (docs/run-time-data.md).\n"
	  "--emit dot writes the expression graph for Graphviz instead (to -o FILE or\n"
	  "stdout), shared subexpressions filled, with the nodes CSE saved; with\n"
	  "--derivatives also the gradient and Hessian nodes.",
	  .options = gen_options, .takes_model = 1, .run = cli_gen },
	{ .name = "eval", .usage = "MODEL [DATA...] [--at FILE] [--format text|json] [--unroll] [--backend llvm|cc] [--no-cache] [--stats] [-D NAME=VALUE] [--objective NAME]",
	  .summary = "Print f, gradient and Hessian at the initial point or at FILE.\n"
	  "They are computed by the kernels compiled in memory by LLVM, or by the\n"
	  "generated code itself compiled by cc ($HESSC_CC): --backend, $HESSC_BACKEND.\n"
	  "Repeated terms are loops, as gen writes them (--unroll: every term written\n"
	  "out).  Compiled kernels are kept in the kernel cache ($HESSC_CACHE_DIR, else\n"
	  "$XDG_CACHE_HOME/hessc, else ~/.cache/hessc), so the next run of the same\n"
	  "model, data and options loads them; --no-cache compiles and keeps nothing.\n"
	  "The Hessian is the lower triangle, 0-based.  In JSON, non-finite numbers are\n"
	  "written NaN, Infinity and -Infinity (as Python's json module reads them).",
	  .options = eval_options, .takes_model = 1, .run = cli_eval },
	{ .name = "check", .usage = "MODEL [DATA...] [-D NAME=VALUE] [--objective NAME]",
	  .summary = "Parse and check the model only.",
	  .takes_model = 1, .run = cli_check },
	{ .name = "sparsity", .usage = "MODEL [DATA...] [--format text|json|mtx|svg|png] [-o FILE] [-D NAME=VALUE] [--objective NAME]",
	  .summary = "Describe the Hessian's sparsity pattern.\n"
	  "text, json: statistics, structure and the graph's CSE counts; mtx: a Matrix\n"
	  "Market pattern (symmetric, lower triangle, 1-based); svg, png: a spy plot (a\n"
	  "density raster once squares would overlap).  See docs/inspect.md.",
	  .options = sparsity_options, .takes_model = 1, .run = cli_sparsity },
	{ .name = "curvature", .usage = "MODEL [DATA...] [--at FILE] [--format text|json] [--unroll] [-D NAME=VALUE] [--objective NAME]",
	  .summary = "Tell the curvature at the initial point or at FILE.\n"
	  "The extreme eigenvalues of the Hessian (Lanczos over Hessian-vector products),\n"
	  "its inertia (sparse LDL', CHOLMOD) and the verdict: minimum, maximum, saddle\n"
	  "or degenerate.  See docs/inspect.md.",
	  .options = curvature_options, .takes_model = 1, .run = cli_curvature },
	{ .name = "solve", .usage = "MODEL [DATA...] [--method tr-cg|tr-exact] [--tol T] [--max-iter K] [--format text|json] [--backend llvm|cc] [--no-cache] [--stats]",
	  .summary = "Solve the model with the trust-region Newton runtime.\n"
	  "From the initial point; the iteration table on stderr, the result on stdout.\n"
	  "The kernels are eval's, from the kernel cache unless --no-cache.",
	  .takes_model = 1, .run_argv = cli_solve_main },
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
