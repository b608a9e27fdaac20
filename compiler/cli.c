/* cli.c -- option parsing, exit codes and output helpers shared by the
 * commands. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define FIELD(f) offsetof(cli_args, f)

/* Every option of every command; commands list the ones they take. */
const cli_option cli_options[] = {
	{ "-D", NULL, CLI_LIST, FIELD(defines), "NAME=VALUE", "a param's value, overriding the model's" },
	{ "--objective", NULL, CLI_VALUE, FIELD(objective), "NAME", "the objective to use (default: the first)" },
	{ "--help", "-h", CLI_FLAG, FIELD(help), NULL, "this help" },
	{ "--output", "-o", CLI_VALUE, FIELD(output), "PATH", "where to write" },
	{ "--format", NULL, CLI_VALUE, FIELD(format), "FORMAT", "output format" },
	{ "--prefix", NULL, CLI_VALUE, FIELD(prefix), "P", "symbol prefix of the generated code (default: the model name)" },
	{ "--size", NULL, CLI_LIST, FIELD(sizes), "NAME", "a param without a value that sets a size: its value is given at run time, to the generated setup (docs/run-time-data.md)" },
	{ "--unroll", NULL, CLI_FLAG, FIELD(unroll), NULL, "write every term out instead of loops over repeated terms" },
	{ "--emit", NULL, CLI_VALUE, FIELD(emit), "KIND", "what to write: c (default) or dot (the expression graph for Graphviz)" },
	{ "--derivatives", NULL, CLI_FLAG, FIELD(derivatives), NULL, "with --emit dot: draw the gradient and Hessian nodes too" },
	{ "--at", NULL, CLI_VALUE, FIELD(at), "FILE", "evaluate at the point in FILE (values in the order of names)" },
	{ "--backend", NULL, CLI_VALUE, FIELD(backend), "llvm|cc", "compile the kernels with LLVM in memory or with cc (default: llvm when built with it; $HESSC_BACKEND)" },
	{ "--no-cache", NULL, CLI_FLAG, FIELD(no_cache), NULL, "compile again: neither read nor write the kernel cache ($HESSC_CACHE_DIR, else $XDG_CACHE_HOME/hessc, else ~/.cache/hessc)" },
	{ "--stats", NULL, CLI_FLAG, FIELD(stats), NULL, "tell on stderr how the kernels were made: backend, loops, cache hit, milliseconds per step" },
	{ NULL, NULL, 0, 0, NULL, NULL },
};

static const char *const common_options[] = { "-D", "--objective", "--help", NULL };

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("hessc: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n", stderr);
	va_end(ap);
	return CLI_USAGE;
}

int cli_exit_code(hessc_status st)
{
	switch (st) {
	case HESSC_OK:           return CLI_OK;
	case HESSC_ERR_MODEL:
	case HESSC_ERR_TOO_BIG:  return CLI_MODEL;
	case HESSC_ERR_USAGE:    return CLI_USAGE;
	case HESSC_ERR_INTERNAL:
	case HESSC_ERR_NOMEM:    return CLI_INTERNAL;
	}
	return CLI_INTERNAL;
}

static int listed(const char *const *names, const char *name)
{
	for (size_t i = 0; names && names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

static int takes(const cli_command *cmd, const cli_option *o)
{
	return listed(common_options, o->name) || listed(cmd->options, o->name);
}

static int list_add(cli_list *l, const char *item)
{
	const char **items = realloc(l->items, (l->n + 1) * sizeof *items);
	if (!items)
		return -1;
	items[l->n++] = item;
	l->items = items;
	return 0;
}

/* The option `arg` names: exact name or alias, `--name=value`, or a glued
 * `-DNAME=VALUE` / `-oPATH`; *inline_value points after the name then. */
static const cli_option *find_option(const char *arg, const char **inline_value)
{
	*inline_value = NULL;
	for (const cli_option *o = cli_options; o->name; o++) {
		const char *names[2] = { o->name, o->alias };
		for (int k = 0; k < 2; k++) {
			const char *nm = names[k];
			if (!nm)
				continue;
			size_t len = strlen(nm);
			if (strncmp(arg, nm, len))
				continue;
			if (arg[len] == 0)
				return o;
			if (o->kind == CLI_FLAG)
				continue;
			if (nm[1] == '-' && arg[len] == '=') {
				*inline_value = arg + len + 1;
				return o;
			}
			if (nm[1] != '-' && len == 2) {  /* -DNAME=VALUE, -oPATH */
				*inline_value = arg + len;
				return o;
			}
		}
	}
	return NULL;
}

static char *join_command_line(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		/* the program as "hessc", wherever it was run from */
		const char *word = i == 0 ? "hessc" : argv[i];
		size_t n = strlen(word);
		memcpy(p, word, n);
		p += n;
		*p++ = i + 1 < argc ? ' ' : 0;
	}
	if (argc == 0)
		*p = 0;
	return s;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, int first, cli_args *args)
{
	memset(args, 0, sizeof *args);
	args->command = cmd->name;
	args->command_line = join_command_line(argc, argv);
	if (!args->command_line)
		return cli_usage_error("out of memory");
	int only_positional = 0;
	for (int i = first; i < argc; i++) {
		const char *arg = argv[i];
		if (only_positional || arg[0] != '-' || arg[1] == 0) {
			if (!cmd->takes_model)
				return cli_usage_error("'%s' takes no file argument ('%s')", cmd->name, arg);
			if (!args->model)
				args->model = arg;
			else if (list_add(&args->data, arg) != 0)
				return cli_usage_error("out of memory");
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_positional = 1;
			continue;
		}
		const char *value;
		const cli_option *o = find_option(arg, &value);
		if (!o)
			return cli_usage_error("unknown option '%s' (see 'hessc %s --help')", arg, cmd->name);
		if (!takes(cmd, o))
			return cli_usage_error("'%s' is not an option of 'hessc %s'", o->name, cmd->name);
		if (o->kind != CLI_FLAG && !value) {
			if (i + 1 >= argc)
				return cli_usage_error("'%s' needs a value (%s)", o->name, o->value_name);
			value = argv[++i];
		}
		void *field = (char *)args + o->offset;
		switch (o->kind) {
		case CLI_VALUE:
			if (*(const char **)field)
				return cli_usage_error("'%s' given twice", o->name);
			*(const char **)field = value;
			break;
		case CLI_LIST:
			if (list_add(field, value) != 0)
				return cli_usage_error("out of memory");
			break;
		case CLI_FLAG:
			*(int *)field = 1;
			break;
		}
	}
	if (args->help)
		return 0;
	if (cmd->takes_model && !args->model)
		return cli_usage_error("'hessc %s' needs a model file (usage: hessc %s %s)",
		                       cmd->name, cmd->name, cmd->usage);
	for (size_t i = 0; i < args->defines.n; i++)
		if (!strchr(args->defines.items[i], '=') || args->defines.items[i][0] == '=')
			return cli_usage_error("-D expects NAME=VALUE, not '%s'", args->defines.items[i]);
	return 0;
}

void cli_args_free(cli_args *args)
{
	free(args->data.items);
	free(args->defines.items);
	free(args->sizes.items);
	free(args->command_line);
	memset(args, 0, sizeof *args);
}

void cli_print_command_help(const cli_command *cmd)
{
	printf("usage: hessc %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage, cmd->summary);
	for (const cli_option *o = cli_options; o->name; o++) {
		if (!takes(cmd, o))
			continue;
		char left[64];
		if (o->alias)
			snprintf(left, sizeof left, "%s, %s%s%s", o->alias, o->name,
			         o->value_name ? " " : "", o->value_name ? o->value_name : "");
		else
			snprintf(left, sizeof left, "%s%s%s", o->name, o->value_name ? " " : "",
			         o->value_name ? o->value_name : "");
		printf("  %-24s %s\n", left, o->help);
	}
}

static void print_diag(void *ctx, const diag *d)
{
	(void)ctx;
	diag_print(stderr, d);
}

diag_sink cli_stderr_sink(void)
{
	return (diag_sink){ .report = print_diag };
}

void cli_print_number(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "Infinity" : "-Infinity", out);
	else
		fprintf(out, "%.17g", v);
}
