/* cli_dot.c -- `hessc gen MODEL --emit dot [--derivatives] [-o FILE]`: the
 * expression graph (with --derivatives, also the gradient and Hessian
 * nodes) as Graphviz DOT, shared subexpressions marked, with the counts
 * that show what common-subexpression elimination saved. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "cli.h"
#include "graph_dot.h"

int cli_emit_dot(const cli_args *args)
{
	diag_sink sink = cli_stderr_sink();
	cli_model cm;
	int code = cli_load(args, &sink, &cm);
	if (code != CLI_OK) {
		cli_model_free(&cm);
		return code;
	}
	/* counts of the expression alone, before differentiation adds nodes */
	dot_options opt = {
		.title = cm.m->name,
		.var_names = (const char *const *)cm.m->names,
		.n_names = cm.m->n,
		.expr_requested = graph_requests(cm.g),
		.expr_nodes = graph_size(cm.g),
	};
	if (args->derivatives) {
		code = cli_derive(&cm, &sink);
		if (code != CLI_OK) {
			cli_model_free(&cm);
			return code;
		}
		opt.deriv = &cm.d;
	}
	atomic_file af = { 0 };
	FILE *out = stdout;
	if (args->output) {
		if (atomic_file_open(&af, args->output) != 0) {
			fprintf(stderr, "hessc: error: cannot write '%s': %s\n", args->output, strerror(errno));
			cli_model_free(&cm);
			return CLI_USAGE;
		}
		out = af.stream;
	}
	dot_counts counts;
	hessc_status st = graph_write_dot(out, cm.g, cm.m->objective, &opt, &counts);
	if (st == HESSC_ERR_TOO_BIG) {
		fprintf(stderr, "hessc: error: %s: the graph has %zu nodes to draw, more than the "
		        "limit of %d that Graphviz can lay out legibly\n", args->model, counts.drawn,
		        DOT_DEFAULT_MAX_NODES);
		code = CLI_MODEL;
	} else if (st != HESSC_OK) {
		fprintf(stderr, "hessc: error: %s\n", st == HESSC_ERR_NOMEM ? "out of memory"
		        : "cannot write the graph");
		code = cli_exit_code(st);
	}
	if (args->output) {
		if (code != CLI_OK) {
			atomic_file_abort(&af);
		} else if (atomic_file_commit(&af) != 0) {
			fprintf(stderr, "hessc: error: cannot write '%s': %s\n", args->output, strerror(errno));
			code = CLI_INTERNAL;
		}
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("hessc: error: cannot write the output\n", stderr);
		code = CLI_INTERNAL;
	}
	cli_model_free(&cm);
	return code;
}
