/* api_instance.c -- a compiled model bound to one set of run-time inputs
 * (hessc/hessc.h's hessc_instance).
 *
 * The kernels' data for a model with inputs is an array of pointers, one
 * per input in the model's order, which is also the layout of generated
 * C's P_data struct (members of one type, in the same order):
 *   LLVM, written out:  [inputs]
 *   LLVM, loops:        [position maps of the n loops, inputs]
 *                       (llvm_backend.h)
 *   cc, written out:    [inputs], read as the P_data struct
 *   cc, loops:          a setup block of the instance's own, bound to
 *                       [inputs] by P_bind (cc_backend.h)
 * The instance owns that array (and the block), so several instances of
 * one model are independent data sets, usable from different threads. */
#include <hessc/hessc.h>
#include <stdlib.h>
#include <string.h>
#include "api_model.h"

struct hessc_instance {
	const hessc_model *m;
	hessc_problem problem;    /* the model's, with this instance's data */
	const void **ptrs;        /* n_maps maps, then n_inputs inputs */
	size_t n_maps;
	unsigned char *bound;     /* per input: 1 once bound */
	void *block;              /* cc loops: the setup block P_bind points at ptrs */
};

hessc_status hessc_instance_new(const hessc_model *m, hessc_instance **out)
{
	if (!out)
		return HESSC_ERR_USAGE;
	*out = NULL;
	if (!m)
		return HESSC_ERR_USAGE;
	size_t n_inputs = m->meta.n_inputs;
	int llvm_loops = m->meta.backend == HESSC_BACKEND_LLVM && m->meta.loops > 0;
	hessc_instance *in = calloc(1, sizeof *in);
	hessc_status st = HESSC_ERR_NOMEM;
	if (!in)
		return HESSC_ERR_NOMEM;
	in->m = m;
	in->problem = m->problem;
	in->n_maps = llvm_loops ? m->meta.loops : 0;
	in->ptrs = calloc(in->n_maps + n_inputs + 1, sizeof *in->ptrs);
	in->bound = calloc(n_inputs + 1, 1);
	if (!in->ptrs || !in->bound)
		goto fail;
	st = HESSC_OK;
	if (n_inputs == 0) {
		in->problem.data = m->kernel_data;   /* nothing to bind: the model's own data */
	} else if (llvm_loops) {
		for (size_t q = 0; q < in->n_maps; q++)
			in->ptrs[q] = ((const void *const *)m->kernel_data)[q];
		in->problem.data = in->ptrs;
	} else if (m->meta.backend == HESSC_BACKEND_CC && m->meta.loops > 0) {
		const hessc_problem *p;
		st = cc_kernels_bind_block(m->cc, in->ptrs, &in->block, &p);
		if (st == HESSC_OK)
			in->problem.data = p->data;
	} else {
		in->problem.data = in->ptrs;
	}
	if (st != HESSC_OK)
		goto fail;
	*out = in;
	return HESSC_OK;
fail:
	hessc_instance_free(in);
	return st;
}

hessc_status hessc_instance_bind(hessc_instance *in, const char *name, const double *values,
                                 size_t count)
{
	if (!in || !name || !values)
		return HESSC_ERR_USAGE;
	const kernel_meta *meta = &in->m->meta;
	for (size_t a = 0; a < meta->n_inputs; a++) {
		if (strcmp(meta->input_names[a], name) != 0)
			continue;
		if (count != meta->input_counts[a])
			return HESSC_ERR_USAGE;
		in->ptrs[in->n_maps + a] = values;
		in->bound[a] = 1;
		return HESSC_OK;
	}
	return HESSC_ERR_USAGE;
}

hessc_status hessc_instance_problem(const hessc_instance *in, const hessc_problem **out)
{
	if (!out)
		return HESSC_ERR_USAGE;
	*out = NULL;
	if (!in)
		return HESSC_ERR_USAGE;
	for (size_t a = 0; a < in->m->meta.n_inputs; a++)
		if (!in->bound[a])
			return HESSC_ERR_USAGE;
	*out = &in->problem;
	return HESSC_OK;
}

void hessc_instance_free(hessc_instance *in)
{
	if (!in)
		return;
	free(in->ptrs);
	free(in->bound);
	free(in->block);
	free(in);
}
