/* cli_eval.c -- `hessc eval MODEL [DATA...] [--at FILE] [--format text|json]`:
 * f, gradient and Hessian at the initial point or at FILE, computed by the
 * kernels the public API compiles (cli_kernels.h): LLVM's in memory, or
 * the very code `hessc gen` writes compiled by cc; loaded from the kernel
 * cache when they were compiled before. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_kernels.h"
#include "pattern_stats.h"

/* Read exactly n whitespace-separated numbers from `path` into x. */
int cli_read_point(const char *path, size_t n, double *x)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return cli_usage_error("--at %s: %s", path, strerror(errno));
	size_t count = 0;
	char word[512];
	int code = CLI_OK;
	while (fscanf(f, "%511s", word) == 1) {
		char *end;
		errno = 0;
		double v = strtod(word, &end);
		if (end == word || *end) {
			code = cli_usage_error("--at %s: value %zu, '%s', is not a number", path,
			                       count + 1, word);
			break;
		}
		if (count < n)
			x[count] = v;
		count++;
	}
	if (code == CLI_OK && ferror(f))
		code = cli_usage_error("--at %s: %s", path, strerror(errno));
	if (code == CLI_OK && count != n)
		code = cli_usage_error("--at %s: %zu values for %zu variables (one per name, in "
		                       "the order of names)", path, count, n);
	fclose(f);
	return code;
}

static void print_array(FILE *out, const double *v, size_t n)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		cli_print_number(out, v[i]);
	}
	fputc(']', out);
}

/* DESIGN.md's object: {"n", "names", "x", "f", "g", "H": {"rows", "cols", "vals"}},
 * H the lower triangle, 0-based. */
static void print_json(FILE *out, const hessc_model *m, const double *x, double f,
                       const double *g, const double *h)
{
	const hessc_problem *p = hessc_model_problem(m);
	const char *const *names = hessc_model_names(m);
	size_t n = hessc_model_n(m);
	fprintf(out, "{\"n\": %zu, \"names\": [", n);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		pattern_json_string(out, names[i]);
	}
	fputs("], \"x\": ", out);
	print_array(out, x, n);
	fputs(", \"f\": ", out);
	cli_print_number(out, f);
	fputs(", \"g\": ", out);
	print_array(out, g, n);
	fputs(", \"H\": {\"rows\": [", out);
	for (int k = 0; k < p->nnz; k++)
		fprintf(out, "%s%d", k ? ", " : "", p->hess_rowind[k]);
	fputs("], \"cols\": [", out);
	for (int j = 0, k = 0; j < p->n; j++)
		for (; k < p->hess_colptr[j + 1]; k++)
			fprintf(out, "%s%d", k ? ", " : "", j);
	fputs("], \"vals\": ", out);
	print_array(out, h, (size_t)p->nnz);
	fputs("}}\n", out);
}

static void print_text(FILE *out, const hessc_model *m, const char *at, const double *x,
                       double f, const double *g, const double *h)
{
	const hessc_problem *p = hessc_model_problem(m);
	const char *const *names = hessc_model_names(m);
	size_t n = hessc_model_n(m);
	fprintf(out, "model %s: %s %s, n = %zu, Hessian entries (lower triangle) = %d\n",
	        hessc_model_name(m), hessc_model_maximize(m) ? "maximize" : "minimize",
	        hessc_model_objective(m), n, p->nnz);
	fprintf(out, "point: %s\n", at ? at : "the initial point");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %s = ", names[i]);
		cli_print_number(out, x[i]);
		fputc('\n', out);
	}
	fputs("f = ", out);
	cli_print_number(out, f);
	fputs("\ngradient:\n", out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  %s: ", names[i]);
		cli_print_number(out, g[i]);
		fputc('\n', out);
	}
	fputs("Hessian (row, column):\n", out);
	for (int j = 0, k = 0; j < p->n; j++)
		for (; k < p->hess_colptr[j + 1]; k++) {
			fprintf(out, "  %s, %s: ", names[p->hess_rowind[k]], names[j]);
			cli_print_number(out, h[k]);
			fputc('\n', out);
		}
}

int cli_eval(const cli_args *args)
{
	const char *format = args->format ? args->format : "text";
	if (strcmp(format, "text") && strcmp(format, "json"))
		return cli_usage_error("--format %s: 'hessc eval' writes text or json", format);
	hessc_model *m = NULL;
	double *x = NULL, *g = NULL, *h = NULL, *w = NULL;
	hessc_backend backend;
	int code = cli_backend_parse(args->backend, &backend);
	if (code == CLI_OK)
		code = cli_kernels_compile(args, backend, &m);
	if (code != CLI_OK)
		goto done;
	const hessc_problem *p = hessc_model_problem(m);
	size_t n = hessc_model_n(m);
	x = malloc((n ? n : 1) * sizeof *x);
	g = malloc((n ? n : 1) * sizeof *g);
	h = malloc((p->nnz ? (size_t)p->nnz : 1) * sizeof *h);
	w = malloc((p->work_size ? p->work_size : 1) * sizeof *w);
	if (!x || !g || !h || !w) {
		fputs("hessc: error: out of memory\n", stderr);
		code = CLI_INTERNAL;
		goto done;
	}
	if (args->at) {
		code = cli_read_point(args->at, n, x);
		if (code != CLI_OK)
			goto done;
	} else {
		memcpy(x, hessc_model_x0(m), n * sizeof *x);
	}
	double f = p->grad(x, g, w, p->data);
	p->hess(x, h, w, p->data);
	if (!strcmp(format, "json"))
		print_json(stdout, m, x, f, g, h);
	else
		print_text(stdout, m, args->at, x, f, g, h);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("hessc: error: cannot write the output\n", stderr);
		code = CLI_INTERNAL;
	}
done:
	free(x);
	free(g);
	free(h);
	free(w);
	hessc_model_free(m);
	return code;
}
