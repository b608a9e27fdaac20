/* template_run.c -- the reference interpreter of templated kernels: each
 * loop's body tape run by tape_run at every iteration, its outputs
 * scattered through the slot maps and position maps (template.h). */
#include "template.h"

#include <stdlib.h>
#include <string.h>

double tmpl_run(const tmpl_set *s, int32_t *const *pos, tape_kernel_id k, const double *x,
                const double *v, double *out, hessc_status *status)
{
	return tmpl_run_inputs(s, pos, k, x, v, out, NULL, status);
}

double tmpl_run_inputs(const tmpl_set *s, int32_t *const *pos, tape_kernel_id k,
                       const double *x, const double *v, double *out,
                       const double *const *inputs, hessc_status *status)
{
	size_t max_in = 1, max_out = 1, max_work = 1, max_data = 1;
	double *in = NULL, *lout = NULL, *work = NULL, f = 0.0;
	const double **at = NULL;   /* per data slot: its element at this iteration */
	tape_kernel_id body_k = k == TAPE_HESSVEC ? TAPE_HESS : k;

	*status = HESSC_OK;
	for (size_t q = 0; q < s->n_loops; q++) {
		const tmpl_loop *l = &s->loops[q];
		if (l->n_slots + l->n_tables + 1 > max_in)
			max_in = l->n_slots + l->n_tables + 1;
		if (l->d.nnz + l->n_slots + 1 > max_out)
			max_out = l->d.nnz + l->n_slots + 1;
		if (l->t.work_size + 1 > max_work)
			max_work = l->t.work_size + 1;
		if (l->n_data + 1 > max_data)
			max_data = l->n_data + 1;
		if (l->n_data > 0 && !inputs) {
			*status = HESSC_ERR_INTERNAL;  /* the loops read inputs nobody gave */
			return 0.0;
		}
	}
	in = malloc(max_in * sizeof *in);
	lout = malloc(max_out * sizeof *lout);
	work = malloc(max_work * sizeof *work);
	at = malloc(max_data * sizeof *at);
	if (!in || !lout || !work || !at) {
		*status = HESSC_ERR_NOMEM;
		goto done;
	}
	if (k == TAPE_GRAD || k == TAPE_HESSVEC)
		memset(out, 0, s->n * sizeof *out);
	if (k == TAPE_HESS)
		memset(out, 0, s->nnz * sizeof *out);
	for (size_t q = 0; q < s->n_loops; q++) {
		const tmpl_loop *l = &s->loops[q];
		size_t iters = tmpl_iterations(l);
		for (size_t it = 0; it < iters; it++) {
			double r;
			for (size_t sl = 0; sl < l->n_slots; sl++)
				in[sl] = x[hsetup_var(&l->view, (int)sl, (long)it)];
			for (size_t t = 0; t < l->n_tables; t++)
				in[l->n_slots + t] = l->tables[t * iters + it];
			for (size_t d = 0; d < l->n_data; d++) {
				long i = (long)(it / l->count[1]), j = (long)(it % l->count[1]);
				at[d] = inputs[l->data_input[d]] + l->data_base[d] + l->data_stride0[d] * i +
				        l->data_stride1[d] * j;
			}
			r = tape_run_inputs(&l->t, body_k, in, NULL, lout, work, at);
			switch (k) {
			case TAPE_F:
				f += r;
				break;
			case TAPE_GRAD:
				f += r;
				for (size_t sl = 0; sl < l->n_slots; sl++)
					out[hsetup_var(&l->view, (int)sl, (long)it)] += lout[sl];
				break;
			case TAPE_HESS:
				for (size_t e = 0; e < l->d.nnz; e++)
					out[pos[q][it * l->d.nnz + e]] += lout[e];
				break;
			case TAPE_HESSVEC:
				for (size_t e = 0; e < l->d.nnz; e++) {
					long row = hsetup_var(&l->view, l->loc_row[e], (long)it);
					long col = hsetup_var(&l->view, l->loc_col[e], (long)it);
					out[row] += lout[e] * v[col];
					if (row != col)
						out[col] += lout[e] * v[row];
				}
				break;
			default:
				*status = HESSC_ERR_INTERNAL;
				goto done;
			}
		}
	}
done:
	free(in);
	free(lout);
	free(work);
	free((void *)at);
	return f;
}
