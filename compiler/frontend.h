/* frontend.h -- source text to a checked model: the front end's one entry.
 *
 * In:  the model file (or text), data files (or texts), -D overrides and the
 *      chosen objective.
 * Out: a `model`: variables numbered in AMPL order with AMPL names, initial
 *      point and bounds, and the chosen objective lowered into nodes of the
 *      caller's graph.  Sets and params are evaluated and gone; defined
 *      variables are shared subgraphs.
 * Errors go to the diagnostic sink with their location; the return status
 * is HESSC_ERR_MODEL then, and *out is NULL.
 */
#ifndef HESSC_FRONTEND_H
#define HESSC_FRONTEND_H

#include <stddef.h>
#include "diag.h"
#include "graph.h"
#include "status.h"

typedef struct frontend_source {
	const char *path;  /* name used in messages; read from disk when text is NULL */
	const char *text;  /* the text itself, or NULL */
	size_t text_len;
} frontend_source;

/* Every error about a run-time input whose value is needed to generate
 * the code says "'NAME' " and then this; `hessc gen --size` finds a
 * size's first use by it. */
#define FRONTEND_NO_VALUE_YET "has no value at generation time (a run-time input)"

typedef struct frontend_input {
	frontend_source model;
	const frontend_source *data;     /* data files, AMPL's `data d.dat;` */
	size_t n_data;
	const char *const *defines;      /* "NAME=VALUE", a param's value */
	size_t n_defines;
	const char *objective;           /* NULL: the first objective */
	int run_time_inputs;             /* 1 (hessc gen): a param with no value from the
	                                    model, data or -D becomes a run-time input
	                                    of the kernels (model.inputs) when the
	                                    objective's arithmetic is its only use; 0:
	                                    every param the objective reads needs a value */
	size_t work_limit;               /* 0: none; else the most set members, loop
	                                    iterations and variables the front end may
	                                    go through before it refuses the model
	                                    (fuzzing and untrusted input) */
	int find_loops;                  /* 1: stream the objective's top-level sums
	                                    into loops while lowering (lower.h's
	                                    lower_objective_loops): model.loops
	                                    holds them and model.objective is only
	                                    the rest, for tmpl_find_more (template.h);
	                                    0: the whole objective, unrolled */
} frontend_input;

/* A run-time input: a param with no value at generation time, read by the
 * kernels from their data.  Element k is the param's entry at position k
 * of its index set (row-major over a product of ranges); sizes are fixed at
 * generation time. */
typedef struct model_input {
	char *name;            /* the param's name */
	int dim;               /* subscripts, 0 for a scalar */
	size_t count;          /* elements (1 for a scalar) */
	char *layout;          /* where each element lives, for the generated header:
	                          "X[i,j] at (i-1)*100 + (j-1), i in 1..10000, j in 1..100" */
} model_input;

typedef struct model {
	char *name;            /* model base name ("rosenbr" for rosenbr.mod) */
	size_t n;              /* number of variables */
	char **names;          /* AMPL names, size n: "x[1]", "x[1,2]", "y" */
	double *x0;            /* initial point, size n (AMPL's default 0) */
	double *lower;         /* lower bounds, size n, -INFINITY when none */
	double *upper;         /* upper bounds, size n, INFINITY when none */
	char *objective_name;  /* the chosen objective's name */
	int maximize;          /* 1 for `maximize` */
	node_id objective;     /* root of the objective in the caller's graph: the
	                          whole objective, or with find_loops what the
	                          loops leave (the objective is then this plus
	                          every iteration of every loop) */
	struct tmpl_set *loops;/* find_loops: the loops found while lowering
	                          (template.h), else NULL; owned */
	source_loc objective_loc;  /* where the objective is declared */
	char *source;          /* the model text, for later diagnostics at objective_loc */
	size_t source_len;
	size_t n_inputs;       /* run-time inputs the objective reads, in declaration */
	model_input *inputs;   /* order; OP_DATA array a is inputs[a] */
} model;

hessc_status frontend_build(const frontend_input *in, diag_sink *diags,
                            graph *g, model **out);
void model_free(model *m);

#endif
