/* cli_sparsity.c -- `hessc sparsity MODEL [--format text|mtx] [-o FILE]`:
 * the Hessian's pattern, as statistics or as a Matrix Market file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "cli.h"
#include "pattern_stats.h"

/* The lower triangle as a symmetric Matrix Market pattern, 1-based,
 * column by column. */
static void write_mtx(FILE *out, const cli_model *cm)
{
	const derivatives *d = &cm->d;
	fputs("%%MatrixMarket matrix coordinate pattern symmetric\n", out);
	fprintf(out, "%% Hessian pattern of %s (lower triangle), written by hessc\n",
	        cm->m->name ? cm->m->name : "the model");
	fprintf(out, "%zu %zu %zu\n", d->n, d->n, d->nnz);
	for (size_t j = 0; j < d->n; j++)
		for (int32_t k = d->hess_colptr[j]; k < d->hess_colptr[j + 1]; k++)
			fprintf(out, "%ld %zu\n", (long)d->hess_rowind[k] + 1, j + 1);
}

static int write_text(FILE *out, const cli_model *cm)
{
	pattern_stats stats;
	hessc_status st = pattern_stats_compute((int64_t)cm->d.n, cm->d.hess_colptr,
	                                        cm->d.hess_rowind, &stats);
	if (st != HESSC_OK) {
		fputs("hessc: error: internal: the Hessian pattern is not a lower triangle\n", stderr);
		return cli_exit_code(st == HESSC_ERR_USAGE ? HESSC_ERR_INTERNAL : st);
	}
	pattern_graph_counts counts = {
		.requested = graph_requests(cm->g), .nodes = graph_size(cm->g),
		.expr_requested = cm->expr_requested, .expr_nodes = cm->expr_nodes,
	};
	st = pattern_stats_write_text(out, &stats, cm->m->name, &counts);
	pattern_stats_free(&stats);
	return cli_exit_code(st);
}

int cli_sparsity(const cli_args *args)
{
	const char *format = args->format ? args->format : "text";
	if (strcmp(format, "text") && strcmp(format, "mtx"))
		return cli_usage_error("--format %s: 'hessc sparsity' writes text or mtx", format);
	diag_sink sink = cli_stderr_sink();
	cli_model cm;
	int code = cli_load(args, &sink, &cm);
	if (code == CLI_OK)
		code = cli_derive(&cm, &sink);
	if (code != CLI_OK) {
		cli_model_free(&cm);
		return code;
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
	if (!strcmp(format, "mtx"))
		write_mtx(out, &cm);
	else
		code = write_text(out, &cm);
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
