/* template_build.c -- the loops' bodies differentiated once, and the global
 * pattern that is their union over every iteration (template.h). */
#include "template.h"

#include <stdlib.h>
#include <string.h>

size_t tmpl_iterations(const tmpl_loop *l)
{
	return l->count[0] * l->count[1];
}

size_t tmpl_positions_size(const tmpl_loop *l)
{
	return tmpl_iterations(l) * l->d.nnz;
}

/* The body's derivatives over all its inputs, kept for the slots only: the
 * tables are data, not unknowns. */
static hessc_status derive_body(tmpl_loop *l, size_t max_nnz)
{
	derivatives full;
	size_t ns = l->n_slots, nnz = 0;
	hessc_status rc = derive(l->body, l->root, ns + l->n_tables, max_nnz, &full);
	if (rc != HESSC_OK)
		return rc;
	memset(&l->d, 0, sizeof l->d);
	rc = HESSC_ERR_NOMEM;
	l->d.n = ns;
	l->d.f = full.f;
	l->d.grad = malloc((ns + 1) * sizeof *l->d.grad);
	l->d.hess_colptr = malloc((ns + 1) * sizeof *l->d.hess_colptr);
	l->d.hess_rowind = malloc((full.nnz + 1) * sizeof *l->d.hess_rowind);
	l->d.hess = malloc((full.nnz + 1) * sizeof *l->d.hess);
	if (!l->d.grad || !l->d.hess_colptr || !l->d.hess_rowind || !l->d.hess)
		goto done;
	for (size_t s = 0; s < ns; s++)
		l->d.grad[s] = full.grad[s];
	for (size_t c = 0; c < ns; c++) {
		l->d.hess_colptr[c] = (int32_t)nnz;
		for (int32_t k = full.hess_colptr[c]; k < full.hess_colptr[c + 1]; k++)
			if ((size_t)full.hess_rowind[k] < ns) {
				l->d.hess_rowind[nnz] = full.hess_rowind[k];
				l->d.hess[nnz++] = full.hess[k];
			}
	}
	l->d.hess_colptr[ns] = (int32_t)nnz;
	l->d.nnz = nnz;
	l->loc_row = malloc((nnz + 1) * sizeof *l->loc_row);
	l->loc_col = malloc((nnz + 1) * sizeof *l->loc_col);
	if (!l->loc_row || !l->loc_col)
		goto done;
	for (size_t c = 0; c < ns; c++)
		for (int32_t k = l->d.hess_colptr[c]; k < l->d.hess_colptr[c + 1]; k++) {
			l->loc_row[k] = l->d.hess_rowind[k];
			l->loc_col[k] = (int)c;
		}
	l->view.nloc = (int)nnz;
	l->view.loc_row = l->loc_row;
	l->view.loc_col = l->loc_col;
	rc = tape_build(l->body, &l->d, &l->t);
done:
	derivatives_free(&full);
	return rc;
}

hessc_status tmpl_derive(tmpl_set *s, size_t max_nnz)
{
	hsetup_loop *views = NULL;
	int *rowind = NULL;
	long pairs, nnz;
	hessc_status rc = HESSC_OK;

	for (size_t k = 0; k < s->n_loops && rc == HESSC_OK; k++)
		rc = derive_body(&s->loops[k], max_nnz);
	if (rc != HESSC_OK)
		return rc;
	views = malloc((s->n_loops + 1) * sizeof *views);
	if (!views)
		return HESSC_ERR_NOMEM;
	for (size_t k = 0; k < s->n_loops; k++)
		views[k] = s->loops[k].view;
	pairs = hsetup_pairs(views, (int)s->n_loops);
	if ((size_t)pairs > max_nnz || pairs > 0x7fffffffL) {
		free(views);
		return HESSC_ERR_TOO_BIG;
	}
	rc = HESSC_ERR_NOMEM;
	s->colptr = malloc((s->n + 1) * sizeof *s->colptr);
	rowind = malloc(((size_t)pairs + 1) * sizeof *rowind);
	if (!s->colptr || !rowind)
		goto done;
	nnz = hsetup_pattern((long)s->n, views, (int)s->n_loops, (int *)s->colptr, rowind);
	s->nnz = (size_t)nnz;
	s->rowind = realloc(rowind, ((size_t)nnz + 1) * sizeof *s->rowind);
	if (!s->rowind) {
		s->rowind = (int32_t *)rowind;
		goto done;
	}
	rowind = NULL;
	rc = HESSC_OK;
done:
	free(rowind);
	free(views);
	return rc;
}

int tmpl_residual_too_big(const tmpl_set *s)
{
	const tmpl_loop *r;
	size_t len = 0;
	if (!s->has_residual || s->n_loops == 0)
		return 0;
	r = &s->loops[s->n_loops - 1];
	for (int k = 0; k < TAPE_KERNELS; k++)
		len += r->t.kernel[k].len;
	return len > TMPL_MAX_RESIDUAL_INSTRUCTIONS;
}

hessc_status tmpl_positions(const tmpl_set *s, size_t l, int32_t *pos)
{
	if (l >= s->n_loops || !s->colptr)
		return HESSC_ERR_INTERNAL;
	hsetup_positions(&s->loops[l].view, (const int *)s->colptr, (const int *)s->rowind,
	                 (int *)pos);
	return HESSC_OK;
}

void tmpl_set_free(tmpl_set *s)
{
	for (size_t k = 0; k < s->n_loops; k++) {
		tmpl_loop *l = &s->loops[k];
		free(l->base);
		free(l->stride0);
		free(l->stride1);
		free(l->vars);
		free(l->loc_row);
		free(l->loc_col);
		free(l->tables);
		free(l->data_input);
		free(l->data_base);
		free(l->data_stride0);
		free(l->data_stride1);
		derivatives_free(&l->d);
		tape_free(&l->t);
		if (l->body)
			graph_free(l->body);
	}
	free(s->loops);
	free(s->colptr);
	free(s->rowind);
	memset(s, 0, sizeof *s);
}
