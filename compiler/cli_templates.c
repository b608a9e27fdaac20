/* cli_templates.c -- whether a command writes loops for a model, and the
 * loops (template.h) when it does. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Terms a model must have in loops before loops are written. */
#define CLI_MIN_TEMPLATED 2

int cli_templates(const cli_args *args, cli_model *cm, tmpl_set *ts, int *code)
{
	hessc_status st;
	*code = CLI_OK;
	memset(ts, 0, sizeof *ts);
	if (args->unroll)
		return 0;
	st = tmpl_find(cm->g, cm->m->objective, cm->m->n, CLI_MIN_TEMPLATED, ts);
	if (st == HESSC_OK && ts->n_loops > 0)
		st = tmpl_derive(ts, DERIVE_DEFAULT_MAX_NNZ);
	if (st == HESSC_ERR_NOMEM) {
		fputs("hessc: error: out of memory\n", stderr);
		*code = CLI_INTERNAL;
		tmpl_set_free(ts);
		return 0;
	}
	if (st == HESSC_OK && ts->n_loops > 0 && !tmpl_residual_too_big(ts))
		return 1;
	/* no loops, a residual too long for one function, or a pattern over
	 * the limit: the unrolled path (which reports the last itself) */
	tmpl_set_free(ts);
	return 0;
}
