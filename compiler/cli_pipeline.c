/* cli_pipeline.c -- front end, derivatives and tape, as the commands need
 * them, with every failure reported once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int out_of_memory(void)
{
	fputs("hessc: error: out of memory\n", stderr);
	return CLI_INTERNAL;
}

int cli_load(const cli_args *args, diag_sink *sink, cli_model *cm)
{
	memset(cm, 0, sizeof *cm);
	frontend_source *data = calloc(args->data.n ? args->data.n : 1, sizeof *data);
	cm->g = graph_new();
	if (!data || !cm->g) {
		free(data);
		return out_of_memory();
	}
	for (size_t i = 0; i < args->data.n; i++)
		data[i].path = args->data.items[i];
	frontend_input in = {
		.model = { .path = args->model },
		.data = data,
		.n_data = args->data.n,
		.defines = args->defines.items,
		.n_defines = args->defines.n,
		.objective = args->objective,
		/* only generated code can take its params' values at run time */
		.run_time_inputs = args->command && strcmp(args->command, "gen") == 0,
		.find_loops = cli_wants_loops(args),
	};
	hessc_status st = frontend_build(&in, sink, cm->g, &cm->m);
	free(data);
	if (st == HESSC_OK && graph_failed(cm->g))
		st = HESSC_ERR_NOMEM;
	if (st == HESSC_ERR_NOMEM)
		return out_of_memory();
	if (st != HESSC_OK && sink->errors == 0)
		fprintf(stderr, "hessc: error: %s: the front end failed without saying why\n",
		        args->model);
	return cli_exit_code(st);
}

int cli_derive(cli_model *cm, diag_sink *sink)
{
	const model *m = cm->m;
	cm->expr_requested = graph_requests(cm->g);
	cm->expr_nodes = graph_size(cm->g);
	hessc_status st = derive(cm->g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &cm->d);
	if (st == HESSC_ERR_TOO_BIG) {
		/* refused before anything was built: say how big, where the
		 * objective is declared */
		diag_report(sink, DIAG_ERROR, m->objective_loc, m->source, m->source_len,
		            "the Hessian would have %zu nonzeros (n = %zu), more than the limit of %zu",
		            cm->d.nnz, m->n, (size_t)DERIVE_DEFAULT_MAX_NNZ);
		derivatives_free(&cm->d);
		return CLI_MODEL;
	}
	if (st == HESSC_OK && graph_failed(cm->g))
		st = HESSC_ERR_NOMEM;
	if (st == HESSC_ERR_NOMEM) {
		derivatives_free(&cm->d);
		return out_of_memory();
	}
	if (st != HESSC_OK) {
		if (sink->errors == 0)
			fputs("hessc: error: differentiation failed\n", stderr);
		derivatives_free(&cm->d);
		return cli_exit_code(st);
	}
	cm->have_derivatives = 1;
	return CLI_OK;
}

int cli_lower(cli_model *cm)
{
	hessc_status st = tape_build(cm->g, &cm->d, &cm->t);
	if (st == HESSC_ERR_NOMEM)
		return out_of_memory();
	if (st != HESSC_OK) {
		fputs("hessc: error: internal: the derivatives name nodes the graph lacks\n", stderr);
		return cli_exit_code(st);
	}
	cm->have_tape = 1;
	return CLI_OK;
}

void cli_model_free(cli_model *cm)
{
	if (cm->have_tape)
		tape_free(&cm->t);
	if (cm->have_derivatives)
		derivatives_free(&cm->d);
	model_free(cm->m);
	graph_free(cm->g);
	memset(cm, 0, sizeof *cm);
}
