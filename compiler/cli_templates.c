/* cli_templates.c -- whether a command writes loops for a model, and the
 * loops (template.h) when it does. */
#include <stdio.h>
#include <string.h>

#include "api_build.h"
#include "cli.h"

int cli_wants_loops(const cli_args *args)
{
	const char *c = args->command ? args->command : "";
	if (args->unroll)
		return 0;
	if (!strcmp(c, "gen"))
		return !args->emit || !strcmp(args->emit, "c");
	return !strcmp(c, "eval") || !strcmp(c, "solve");
}

int cli_templates(const cli_args *args, cli_model *cm, tmpl_set *ts, int *code)
{
	int found = 0;
	*code = CLI_OK;
	memset(ts, 0, sizeof *ts);
	if (args->unroll)
		return 0;
	/* the API's rule (api_build.h), so that gen writes what eval runs */
	if (api_find_loops(cm->g, cm->m, ts, &found) != HESSC_OK) {
		fputs("hessc: error: out of memory\n", stderr);
		*code = CLI_INTERNAL;
		return 0;
	}
	return found;
}
