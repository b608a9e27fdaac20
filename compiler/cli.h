/* cli.h -- the `hessc` command: shared arguments, options and pipeline.
 *
 * main.c holds the table of commands and dispatches; each command is one
 * cli_NAME.c with a `int cli_NAME(const cli_args *)` that returns the exit
 * code (0 success, 1 the model is wrong, 2 usage, 3 internal).
 *
 * Adding an option: a field in cli_args, a line in cli_options[] (cli.c),
 * and its name in the `options` list of the commands that take it.
 * Adding a command: a cli_NAME.c and a line in main.c's table.
 */
#ifndef HESSC_CLI_H
#define HESSC_CLI_H

#include <stddef.h>
#include <stdio.h>
#include "derive.h"
#include "diag.h"
#include "frontend.h"
#include "graph.h"
#include "status.h"
#include "tape.h"
#include "template.h"

/* Exit codes, as DESIGN.md fixes them. */
enum { CLI_OK = 0, CLI_MODEL = 1, CLI_USAGE = 2, CLI_INTERNAL = 3 };

typedef struct cli_list {
	const char **items;
	size_t n;
} cli_list;

typedef struct cli_args {
	const char *command;       /* "gen", "eval", ... */
	char *command_line;        /* the whole command line, for generated comments */
	const char *model;         /* MODEL */
	cli_list data;             /* DATA...: data files after the model */
	cli_list defines;          /* -D NAME=VALUE */
	cli_list sizes;            /* --size NAME (gen): run-time sizes, template_sizes.h */
	const char *objective;     /* --objective NAME */
	const char *format;        /* --format F (each command checks its own set) */
	const char *output;        /* -o PATH */
	const char *prefix;        /* --prefix P (gen) */
	int unroll;                /* --unroll (gen): no loops, every term written out */
	const char *emit;          /* --emit c|dot (gen) */
	int derivatives;           /* --derivatives (gen --emit dot): draw g and H too */
	const char *at;            /* --at FILE (eval) */
	const char *backend;       /* --backend llvm|cc (eval, solve): cli_kernels.h */
	int no_cache;              /* --no-cache (eval, solve): neither read nor write the kernel cache */
	int stats;                 /* --stats (eval, solve): where compiling went, on stderr */
	int help;                  /* --help */
} cli_args;

typedef enum cli_option_kind {
	CLI_VALUE,  /* const char *: --name VALUE or --name=VALUE */
	CLI_LIST,   /* cli_list: repeatable, -DNAME=VALUE glued too */
	CLI_FLAG    /* int set to 1 */
} cli_option_kind;

typedef struct cli_option {
	const char *name;          /* "--format" or "-D" */
	const char *alias;         /* "-o" for "--output", or NULL */
	cli_option_kind kind;
	size_t offset;             /* of the field in cli_args */
	const char *value_name;    /* "FORMAT" in help; NULL for flags */
	const char *help;
} cli_option;

extern const cli_option cli_options[];

typedef struct cli_command {
	const char *name;
	const char *usage;         /* after "hessc NAME " */
	const char *summary;
	const char *const *options;/* names of cli_options it takes, NULL-ended
	                              (-D, --objective and --help: every command) */
	int takes_model;           /* positional MODEL [DATA...] */
	int (*run)(const cli_args *args);
	/* or, for a command that parses its own arguments: argv[0] is the
	 * command's name */
	int (*run_argv)(int argc, char **argv);
} cli_command;

/* Parse argv[first..argc) for `cmd` into *args; 0, or a usage message
 * printed and CLI_USAGE returned.  Free with cli_args_free. */
int cli_parse(const cli_command *cmd, int argc, char **argv, int first, cli_args *args);
void cli_args_free(cli_args *args);

/* `hessc CMD --help` text. */
void cli_print_command_help(const cli_command *cmd);

/* A usage error: "hessc: error: ..." on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* The exit code for a status (TOO_BIG is the model's fault: 1). */
int cli_exit_code(hessc_status st);

/* The diagnostic sink that prints to stderr (diag_print). */
diag_sink cli_stderr_sink(void);

/* The pipeline a command walks as far as it needs:
 * front end -> derivatives -> tape. */
typedef struct cli_model {
	graph *g;
	model *m;
	size_t expr_requested;    /* graph_requests() and graph_size() before */
	size_t expr_nodes;        /* differentiation: the objective alone */
	derivatives d;
	int have_derivatives;
	tape t;
	int have_tape;
} cli_model;

/* Each reports its own errors (diagnostics, or a line for out of memory)
 * and returns the exit code. */
int cli_load(const cli_args *args, diag_sink *sink, cli_model *cm);
int cli_derive(cli_model *cm, diag_sink *sink);
int cli_lower(cli_model *cm);
void cli_model_free(cli_model *cm);

/* The loops of the model (template.h) unless --unroll: 1 with *ts filled
 * when the command should write loops; 0 with *ts empty when it should
 * write every term out (or *code != CLI_OK after an error it reported);
 * then cm->m->objective is the whole objective, also when the front end
 * had found loops (they are written out into cm->g). */
int cli_templates(const cli_args *args, cli_model *cm, tmpl_set *ts, int *code);

/* 1 when the command writes loops (gen, eval, solve without --unroll), so
 * that cli_load finds them while lowering (frontend.h's find_loops) and
 * cli_templates adds the rest; other commands get the whole objective. */
int cli_wants_loops(const cli_args *args);

/* Read exactly n whitespace-separated numbers from `path` into x (--at);
 * a usage error is printed and CLI_USAGE returned when that fails. */
int cli_read_point(const char *path, size_t n, double *x);

/* Numbers as every command prints them: 17 significant digits; NaN and
 * infinities as NaN, Infinity, -Infinity (the spelling Python's json
 * module and JSON5 read). */
void cli_print_number(FILE *out, double v);

#endif
