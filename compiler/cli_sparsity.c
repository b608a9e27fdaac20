/* cli_sparsity.c -- `hessc sparsity MODEL [--format text|json|mtx|svg|png]
 * [-o FILE]`: the Hessian's pattern, as statistics (text or JSON, with the
 * graph's CSE counts), as a Matrix Market file, or as a spy plot. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "pattern_stats.h"
#include "spy.h"

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

static int write_stats(FILE *out, const cli_model *cm, int json)
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
	st = json ? pattern_stats_write_json(out, &stats, cm->m->name, &counts)
	          : pattern_stats_write_text(out, &stats, cm->m->name, &counts);
	pattern_stats_free(&stats);
	return cli_exit_code(st);
}

/* A spy plot, titled with the model's name. */
static int write_spy(FILE *out, const cli_model *cm, int png)
{
	spy_options opt = { cm->m->name, 0 };
	const derivatives *d = &cm->d;
	hessc_status st = png ? spy_write_png(out, (int64_t)d->n, d->hess_colptr, d->hess_rowind, &opt)
	                      : spy_write_svg(out, (int64_t)d->n, d->hess_colptr, d->hess_rowind, &opt);
	if (st == HESSC_ERR_NOMEM)
		fputs("hessc: error: out of memory\n", stderr);
	else if (st == HESSC_ERR_USAGE)
		fputs("hessc: error: internal: the Hessian pattern is not a lower triangle\n", stderr);
	else if (st != HESSC_OK)
		fputs("hessc: error: cannot write the plot\n", stderr);
	return st == HESSC_ERR_USAGE ? CLI_INTERNAL : cli_exit_code(st);
}

int cli_sparsity(const cli_args *args)
{
	const char *format = args->format ? args->format : "text";
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "mtx") &&
	    strcmp(format, "svg") && strcmp(format, "png"))
		return cli_usage_error("--format %s: 'hessc sparsity' writes text, json, mtx, svg or png",
		                       format);
	if (!strcmp(format, "png") && !args->output && isatty(STDOUT_FILENO))
		return cli_usage_error("--format png writes a binary image: give -o FILE");
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
	else if (!strcmp(format, "svg") || !strcmp(format, "png"))
		code = write_spy(out, &cm, !strcmp(format, "png"));
	else
		code = write_stats(out, &cm, !strcmp(format, "json"));
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
