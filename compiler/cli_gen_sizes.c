/* cli_gen_sizes.c -- `hessc gen MODEL --size NAME... -o BASE`: one file
 * for every value of the sizes NAME (params without a value that set
 * sizes), by generating the loops at the probe values of the sizes and
 * merging the texts (template_sizes.h; docs/run-time-data.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_grow.h"
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
		    || strncmp(d->message + len + 2, " " FRONTEND_NO_VALUE_YET,
		               strlen(" " FRONTEND_NO_VALUE_YET)))
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

/* Diagnostics kept, not printed: a level of probes that fails is tried
 * again larger, and only the last level's say what is wrong. */
typedef struct kept_diags {
	diag *d;
	size_t n, cap;
	int lost;          /* out of memory while keeping one */
} kept_diags;

static void keep(void *ctx, const diag *d)
{
	kept_diags *k = ctx;
	diag c = *d;
	if (!ARRAY_GROW(k->d, k->cap, k->n + 1)) {
		k->lost = 1;
		return;
	}
	c.loc.file = d->loc.file ? dup_text(d->loc.file, strlen(d->loc.file)) : NULL;
	c.message = dup_text(d->message, strlen(d->message));
	c.source_line = d->source_line ? dup_text(d->source_line, d->source_line_len) : NULL;
	if ((d->loc.file && !c.loc.file) || !c.message || (d->source_line && !c.source_line)) {
		free((char *)c.loc.file);
		free((char *)c.message);
		free((char *)c.source_line);
		k->lost = 1;
		return;
	}
	k->d[k->n++] = c;
}

static void kept_clear(kept_diags *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free((char *)k->d[i].loc.file);
		free((char *)k->d[i].message);
		free((char *)k->d[i].source_line);
	}
	k->n = 0;
}

static void kept_print(const kept_diags *k)
{
	for (size_t i = 0; i < k->n; i++)
		diag_print(stderr, &k->d[i]);
	if (k->lost)
		fputs("hessc: error: out of memory (some messages are lost)\n", stderr);
}

/* An error at a size's use (without a place when none was found). */
static void size_error(kept_diags *out, const size_use *u, const char *message)
{
	diag d = {DIAG_ERROR, {u->lineno ? u->file : "hessc", u->lineno, u->col}, message,
	          u->lineno ? u->line : NULL, u->lineno ? u->line_len : 0};
	keep(out, &d);
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

/* The files' texts at probe p of `level`; the model's errors at the
 * probe's sizes (with a note of them) go to `out`. */
static int generate_probe(const cli_args *args, const size_use *uses, size_t p, int level,
                          kept_diags *out, char **c_text, char **h_text)
{
	size_t k = args->sizes.n, nd = args->defines.n;
	cli_args a = *args;
	const char **defines = calloc(nd + k, sizeof *defines);
	char (*values)[128] = calloc(k, sizeof *values);
	long *mins = calloc(k, sizeof *mins);
	diag_sink sink = {keep, out, 0};
	cli_model cm;
	tmpl_set ts;
	int code = CLI_INTERNAL, looped;
	size_t c_len = 0, h_len = 0;
	FILE *c = NULL, *h = NULL;
	*c_text = *h_text = NULL;
	if (!defines || !values || !mins) {
		fputs("hessc: error: out of memory\n", stderr);
		free(defines);
		free(values);
		free(mins);
		return CLI_INTERNAL;
	}
	for (size_t i = 0; i < nd; i++)
		defines[i] = args->defines.items[i];
	for (size_t q = 0; q < k; q++) {
		snprintf(values[q], sizeof values[q], "%s=%ld", args->sizes.items[q],
		         tsize_probe(p, q, k, level));
		defines[nd + q] = values[q];
		mins[q] = tsize_min_size(q, level);
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
		size_error(out, &uses[0], msg);
		code = CLI_MODEL;
	}
	if (code == CLI_OK) {
		emit_c_options opt = {
			.prefix = args->prefix, .command = args->command_line,
			.sizes = args->sizes.items, .n_sizes = k, .min_sizes = mins,
			.max_size = GEN_MAX_SIZE,
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
		char msg[512] = "at";
		for (size_t q = 0; q < k; q++)
			snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "%s %s", q ? "," : "",
			         values[q]);
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
		         ", one of the values --size generates the code at");
		diag note = {DIAG_NOTE, {"hessc", 0, 0}, msg, NULL, 0};
		keep(out, &note);
	}
	cli_model_free(&cm);
	free(defines);
	free(values);
	free(mins);
	return code;
}

/* The merge failed: say why at the use of the size the probe moved. */
static void report_failure(const cli_args *args, const size_use *uses, const tsize_failure *why,
                           kept_diags *out)
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
	size_error(out, &uses[blamed], msg);
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

/* The probes of `level` generated and merged: CLI_OK with *c and *h, or
 * the reasons in `out`. */
static int try_level(const cli_args *args, const size_use *uses, int level, kept_diags *out,
                     char **c, char **h)
{
	size_t k = args->sizes.n, n_probes = tsize_n_probes(k);
	char **texts = calloc(2 * n_probes, sizeof *texts);
	char members[TSIZE_MAX_SIZES][EMIT_C_MEMBER_MAX];
	const char *names[TSIZE_MAX_SIZES];
	tsize_failure why;
	int code = texts ? CLI_OK : CLI_INTERNAL;
	if (!texts)
		fputs("hessc: error: out of memory\n", stderr);
	for (size_t q = 0; q < k; q++) {   /* as P_sizes names them (a C keyword gets a _) */
		emit_c_input_member(members[q], sizeof members[q], args->sizes.items[q]);
		names[q] = members[q];
	}
	for (size_t p = 0; p < n_probes && code == CLI_OK; p++)
		code = generate_probe(args, uses, p, level, out, &texts[p], &texts[n_probes + p]);
	if (code == CLI_OK) {
		hessc_status st = tsize_merge((const char *const *)texts, k, names, level, c, &why);
		if (st == HESSC_OK)
			st = tsize_merge((const char *const *)texts + n_probes, k, names, level, h, &why);
		if (st == HESSC_ERR_MODEL)
			report_failure(args, uses, &why, out);
		else if (st != HESSC_OK)
			fputs("hessc: error: out of memory\n", stderr);
		code = cli_exit_code(st);
	}
	for (size_t p = 0; texts && p < 2 * n_probes; p++)
		free(texts[p]);
	free(texts);
	return code;
}

int cli_gen_sizes(const cli_args *args)
{
	size_t k = args->sizes.n;
	char *merged_c = NULL, *merged_h = NULL;
	size_use *uses = NULL;
	kept_diags out = {NULL, 0, 0, 0};
	int code = check_arguments(args);
	if (code != CLI_OK)
		return code;
	uses = calloc(k, sizeof *uses);
	if (!uses) {
		fputs("hessc: error: out of memory\n", stderr);
		return CLI_INTERNAL;
	}
	if ((code = find_uses(args, uses)) != CLI_OK)
		goto done;
	/* smallest probes first; larger ones when the model's shape needs them */
	code = CLI_MODEL;
	for (int level = 0; level < TSIZE_LEVELS && code == CLI_MODEL; level++) {
		free(merged_c);
		free(merged_h);
		merged_c = merged_h = NULL;
		kept_clear(&out);
		code = try_level(args, uses, level, &out, &merged_c, &merged_h);
	}
	if (code == CLI_OK) {
		diag_sink sink = cli_stderr_sink();
		merged_job job = {merged_c, merged_h};
		code = cli_exit_code(emit_c_files_by(write_merged, &job, args->output, &sink));
	} else {
		kept_print(&out);
	}
done:
	kept_clear(&out);
	free(out.d);
	free(merged_c);
	free(merged_h);
	uses_free(uses, k);
	return code;
}
