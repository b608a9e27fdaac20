/* template_runs.h -- an array of doubles as runs (template_setup.h's
 * hsetup_run): periods of literals and integer ratios over 1-D or 2-D
 * ranges, so that x0 = (i+j)/p on a grid is one run and x0 = -1.2, 1,
 * -1.2, 1, ... is another.  Expanding the runs gives the same bits. */
#ifndef HESSC_TEMPLATE_RUNS_H
#define HESSC_TEMPLATE_RUNS_H

#include <stddef.h>
#include "status.h"
#include "template_setup.h"

typedef struct tmpl_array_runs {
	hsetup_run *runs;
	size_t n_runs;
	double *lit;        /* the literals kind-0 runs repeat */
	size_t n_lit;
} tmpl_array_runs;

hessc_status tmpl_runs(const double *x, size_t n, tmpl_array_runs *out);
void tmpl_runs_free(tmpl_array_runs *r);

#endif
