/* cli_gen_sizes.c -- `hessc gen MODEL --size NAME... -o BASE`: one file
 * for every value of the sizes NAME (params without a value that set
 * sizes), by generating the loops at the probe values of the sizes and
 * merging the texts (template_sizes.h; docs/run-time-data.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "emit_c.h"
#include "emit_template.h"
#include "template_sizes.h"

/* The largest size the generated setup accepts: far beyond any n the
 * compiler handles, small enough that the sizes' expressions stay well
 * within a long. */
#define GEN_MAX_SIZE 1000000000L

/* Where a size is first needed as a value: the front end's error for it
 * when it has none (a set, a range, a subscript...), kept to point the
 * size's own errors there. */
typedef struct size_use {
	char *file, *line;
	size_t line_len;
	int lineno, col;
} size_use;

typedef struct locate_ctx {
	const cli_list *sizes;
	size_use *uses;
} locate_ctx;

static char *dup_text(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static void locate(void *ctx, const diag *d)
{
	locate_ctx *lc = ctx;
	for (size_t k = 0; k < lc->sizes->n; k++) {
		const char *name = lc->sizes->items[k];
		size_use *u = &lc->uses[k];
		size_t len = strlen(name);
		if (u->lineno || d->level != DIAG_ERROR || d->loc.line == 0 || d->message[0] != '\''
		    || strncmp(d->message + 1, name, len) || d->message[len + 1] != '\''
		    || !strstr(d->message, "has no value at generation time"))
			continue;
		u->file = dup_text(d->loc.file ? d->loc.file : "", strlen(d->loc.file ? d->loc.file : ""));
		u->line = d->source_line ? dup_text(d->source_line, d->source_line_len) : NULL;
		u->line_len = d->source_line ? d->source_line_len : 0;
		u->lineno = d->loc.line;
		u->col = d->loc.col;
	}
}

static void uses_free(size_use *uses, size_t n)
{
	for (size_t k = 0; uses && k < n; k++) {
		free(uses[k].file);
		free(uses[k].line);
	}
	free(uses);
}

/* An error at size k's use (or without a place when none was found). */
static void size_error(const size_use *u, const char *message)
{
	diag d = {DIAG_ERROR, {u->file, u->lineno, u->col}, message, u->line, u->line_len};
	if (!u->lineno) {
		fprintf(stderr, "hessc: error: %s\n", message);
		return;
	}
	diag_print(stderr, &d);
}

/* The model loaded without the sizes' values: where each is needed.
 * CLI_USAGE when one is never needed as a value. */
static int find_uses(const cli_args *args, size_use *uses)
{
	locate_ctx lc = {&args->sizes, uses};
	diag_sink sink = {locate, &lc, 0};
	cli_model cm;
	int code = cli_load(args, &sink, &cm);
	cli_model_free(&cm);
	if (code == CLI_INTERNAL)
		return code;
	for (size_t k = 0; k < args->sizes.n; k++)
		if (!uses[k].lineno && code == CLI_OK)
			return cli_usage_error("--size %s: the model never needs the value of '%s' to "
			                       "generate the code, so it is not a size (it has a value, "
			                       "or it is a run-time input already, or unused)",
			                       args->sizes.items[k], args->sizes.items[k]);
	return CLI_OK;
}

/* The files' texts at probe p (errors of the model at the probe's sizes
 * are reported as the front end gives them, with a note of the sizes). */
static int generate_probe(const cli_args *args, const size_use *uses, size_t p, char **c_text,
                          char **h_text)
{
	size_t k = args->sizes.n, nd = args->defines.n;
	cli_args a = *args;
	const char **defines = calloc(nd + k, sizeof *defines);
	char (*values)[128] = calloc(k, sizeof *values);
	diag_sink sink = cli_stderr_sink();
	cli_model cm;
	tmpl_set ts;
	int code = CLI_INTERNAL, looped;
	size_t c_len = 0, h_len = 0;
	FILE *c = NULL, *h = NULL;
	*c_text = *h_text = NULL;
	if (!defines || !values) {
		fputs("hessc: error: out of memory\n", stderr);
		free(defines);
		free(values);
		return CLI_INTERNAL;
	}
	for (size_t i = 0; i < nd; i++)
		defines[i] = args->defines.items[i];
	for (size_t q = 0; q < k; q++) {
		snprintf(values[q], sizeof values[q], "%s=%ld", args->sizes.items[q],
		         tsize_probe(p, q, k));
		defines[nd + q] = values[q];
	}
	a.defines.items = defines;
	a.defines.n = nd + k;
	code = cli_load(&a, &sink, &cm);
	looped = code == CLI_OK && cli_templates(&a, &cm, &ts, &code);
	int not_loops = code == CLI_OK && !looped;
	if (not_loops) {
		char msg[256];
		snprintf(msg, sizeof msg, "'%s' cannot be a run-time size: the objective is not "
		         "written as loops at %s (a dense Hessian, or too few repeated terms), and "
		         "only loops can take their sizes at run time", args->sizes.items[0], values[0]);
		size_error(&uses[0], msg);
		code = CLI_MODEL;
	}
	if (code == CLI_OK) {
		emit_c_options opt = {
			.prefix = args->prefix, .command = args->command_line,
			.sizes = args->sizes.items, .n_sizes = k, .max_size = GEN_MAX_SIZE,
		};
		const char *slash = strrchr(args->output, '/');
		char *header = malloc(strlen(args->output) + 3);
		c = open_memstream(c_text, &c_len);
		h = open_memstream(h_text, &h_len);
		hessc_status st = header && c && h ? HESSC_OK : HESSC_ERR_NOMEM;
		if (st == HESSC_OK) {
			snprintf(header, strlen(args->output) + 3, "%s.h", slash ? slash + 1 : args->output);
			opt.header_name = header;
			st = emit_template(cm.m, &ts, &opt, c, h);
		}
		free(header);
		if (c && fclose(c) != 0 && st == HESSC_OK)
			st = HESSC_ERR_NOMEM;
		if (h && fclose(h) != 0 && st == HESSC_OK)
			st = HESSC_ERR_NOMEM;
		if (st != HESSC_OK)
			fputs("hessc: error: out of memory\n", stderr);
		code = cli_exit_code(st);
	}
	if (looped)
		tmpl_set_free(&ts);
	if (code != CLI_OK && code != CLI_INTERNAL && !not_loops) {
		fputs("hessc: note: at", stderr);
		for (size_t q = 0; q < k; q++)
			fprintf(stderr, "%s %s", q ? "," : "", values[q]);
		fputs(", one of the values --size generates the code at\n", stderr);
	}
	cli_model_free(&cm);
	free(defines);
	free(values);
	return code;
}

/* The merge failed: say why at the use of the size the probe moved. */
static void report_failure(const cli_args *args, const size_use *uses, const tsize_failure *why)
{
	size_t k = args->sizes.n, blamed = why->probe >= 1 && why->probe <= 3 * k ? (why->probe - 1) / 3 : 0;
	const char *name = args->sizes.items[blamed];
	char msg[512];
	switch (why->problem) {
	case TSIZE_STRUCTURE:
		snprintf(msg, sizeof msg, "'%s' cannot be a run-time size: the generated loops change "
		         "with its value in more than counts, bounds and strides (first at `%s`)",
		         name, why->line);
		break;
	case TSIZE_NOT_AFFINE:
		snprintf(msg, sizeof msg, "'%s' cannot be a run-time size: a count, bound or position "
		         "of the generated loops is not an affine function of it (at `%s`)",
		         name, why->line);
		break;
	case TSIZE_REAL:
		snprintf(msg, sizeof msg, "'%s' cannot be a run-time size: its value reaches the "
		         "objective's arithmetic, the initial point or the bounds as a number (at `%s`)",
		         name, why->line);
		break;
	default:
		snprintf(msg, sizeof msg, "'%s' cannot be a run-time size: a table the generated code "
		         "keeps for every iteration grows with it (at `%s`)", name, why->line);
		break;
	}
	if (k > 1 && why->probe == 3 * k + 1)
		snprintf(msg, sizeof msg, "'%s' cannot be a run-time size with the others: a count, "
		         "bound or position depends on a product of sizes (at `%s`)", name, why->line);
	size_error(&uses[blamed], msg);
}

typedef struct merged_job {
	const char *c, *h;
} merged_job;

static hessc_status write_merged(void *ctx, const char *header_name, FILE *c_out, FILE *h_out)
{
	const merged_job *job = ctx;
	(void)header_name;   /* the texts #include the name generate_probe gave */
	if (fputs(job->c, c_out) == EOF || fputs(job->h, h_out) == EOF)
		return HESSC_ERR_INTERNAL;
	return HESSC_OK;
}

static int check_arguments(const cli_args *args)
{
	const cli_list *s = &args->sizes;
	if (args->unroll)
		return cli_usage_error("--size and --unroll: a run-time size needs the loops, and "
		                       "--unroll writes every term out for one size");
	if (s->n > TSIZE_MAX_SIZES)
		return cli_usage_error("--size: at most %d run-time sizes", TSIZE_MAX_SIZES);
	for (size_t k = 0; k < s->n; k++) {
		const char *name = s->items[k];
		if (!emit_c_valid_prefix(name))
			return cli_usage_error("--size %s: not a param's name", name);
		for (size_t q = 0; q < k; q++)
			if (!strcmp(s->items[q], name))
				return cli_usage_error("--size %s given twice", name);
		for (size_t d = 0; d < args->defines.n; d++) {
			const char *def = args->defines.items[d];
			if (!strncmp(def, name, strlen(name)) && def[strlen(name)] == '=')
				return cli_usage_error("--size %s and -D %s: a size given a value is not a "
				                       "run-time size", name, def);
		}
	}
	return CLI_OK;
}

int cli_gen_sizes(const cli_args *args)
{
	size_t k = args->sizes.n, n_probes = tsize_n_probes(k);
	char **texts = NULL;
	char *merged_c = NULL, *merged_h = NULL;
	size_use *uses = NULL;
	tsize_failure why;
	int code = check_arguments(args);
	if (code != CLI_OK)
		return code;
	uses = calloc(k, sizeof *uses);
	texts = calloc(2 * n_probes, sizeof *texts);
	if (!uses || !texts) {
		fputs("hessc: error: out of memory\n", stderr);
		code = CLI_INTERNAL;
		goto done;
	}
	if ((code = find_uses(args, uses)) != CLI_OK)
		goto done;
	for (size_t p = 0; p < n_probes && code == CLI_OK; p++)
		code = generate_probe(args, uses, p, &texts[p], &texts[n_probes + p]);
	if (code != CLI_OK)
		goto done;
	hessc_status st = tsize_merge((const char *const *)texts, k, args->sizes.items, &merged_c, &why);
	if (st == HESSC_OK)
		st = tsize_merge((const char *const *)texts + n_probes, k, args->sizes.items, &merged_h,
		                 &why);
	if (st == HESSC_ERR_MODEL) {
		report_failure(args, uses, &why);
		code = CLI_MODEL;
	} else if (st != HESSC_OK) {
		fputs("hessc: error: out of memory\n", stderr);
		code = cli_exit_code(st);
	} else {
		diag_sink sink = cli_stderr_sink();
		merged_job job = {merged_c, merged_h};
		code = cli_exit_code(emit_c_files_by(write_merged, &job, args->output, &sink));
	}
done:
	for (size_t p = 0; texts && p < 2 * n_probes; p++)
		free(texts[p]);
	free(texts);
	free(merged_c);
	free(merged_h);
	uses_free(uses, k);
	return code;
}
