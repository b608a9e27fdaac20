/* cli_solve.h -- `hessc solve`: the command's options and its run over
 * loaded kernels (cli_solve_run.c); the command itself, which parses the
 * arguments and loads the model, is cli_solve.c. */
#ifndef HESSC_CLI_SOLVE_H
#define HESSC_CLI_SOLVE_H

#include <stdio.h>

#include <hessc/solver.h>

typedef struct cli_solve_options {
	hessc_method method;     /* --method, default tr-cg */
	hessc_precond precond;   /* --precond, default ichol */
	double tol;              /* --tol (gatol), < 0: the solver's default */
	double rtol;             /* --rtol (grtol), < 0: the solver's default */
	int max_iter;            /* --max-iter, < 0: the solver's default */
	double max_time;         /* --max-time seconds, < 0: none */
	int json;                /* --format json */
} cli_solve_options;

/* `hessc solve ARGS...` with argv[0] = "solve"; returns the exit code. */
int cli_solve_main(int argc, char **argv);

/* Solve p (maximized when `maximize`), the table on err, the result on out.
 * names: p->n variable names (for the output).  Returns the solver's status. */
hessc_solve_status cli_solve_run(const hessc_problem *p, const char *const *names, int maximize,
                                 const cli_solve_options *o, FILE *out, FILE *err);

#endif
