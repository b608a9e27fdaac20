/* llvm_loop_data.c -- LLVM's loop kernels' position maps: described at
 * compile time, built (and checked) at load time. */
#include "llvm_loop_data.h"

#include <stdlib.h>
#include <string.h>

#include "byte_record.h"
#include "template_setup.h"

/* ---- the description --------------------------------------------------------
 * "HSCLOOP" + format version byte, u64 n_loops, then per loop: u64 count0,
 * count1, n_slots, nloc, explicit (1: the residual's variable list);
 * explicit: count0*count1*n_slots i32 variables, else n_slots i64 base,
 * stride0, stride1; then nloc i32 loc_row and nloc i32 loc_col. */

static const char loop_magic[8] = { 'H', 'S', 'C', 'L', 'O', 'O', 'P', 1 };

hessc_status llvm_templated_data_describe(const tmpl_set *s, unsigned char **bytes,
                                          size_t *len)
{
	record_writer w = { 0 };
	*bytes = NULL;
	*len = 0;
	record_put(&w, loop_magic, sizeof loop_magic);
	record_put_u64(&w, s->n_loops);
	for (size_t q = 0; q < s->n_loops; q++) {
		const hsetup_loop *v = &s->loops[q].view;
		size_t slots = (size_t)v->n_slots, nloc = (size_t)v->nloc;
		record_put_u64(&w, (uint64_t)v->count0);
		record_put_u64(&w, (uint64_t)v->count1);
		record_put_u64(&w, slots);
		record_put_u64(&w, nloc);
		record_put_u64(&w, v->vars != NULL);
		if (v->vars) {
			size_t count = (size_t)v->count0 * (size_t)v->count1 * slots;
			for (size_t k = 0; k < count; k++) {
				int32_t var = v->vars[k];
				record_put(&w, &var, sizeof var);
			}
		} else {
			for (size_t k = 0; k < slots; k++) {
				int64_t terms[3] = { v->base[k], v->stride0[k], v->stride1[k] };
				record_put(&w, terms, sizeof terms);
			}
		}
		for (size_t e = 0; e < nloc; e++) {
			int32_t rc[2] = { v->loc_row[e], v->loc_col[e] };
			record_put(&w, rc, sizeof rc);
		}
	}
	if (w.failed) {
		free(w.buf);
		return HESSC_ERR_NOMEM;
	}
	*bytes = w.buf;
	*len = w.len;
	return HESSC_OK;
}

/* ---- loading ----------------------------------------------------------------- */

struct llvm_templated_data {
	int32_t *colptr, *rowind;
	int32_t **pos;             /* the kernels' data: one map per loop */
	size_t n_loops;
};

void llvm_templated_data_free(llvm_templated_data *d)
{
	if (!d)
		return;
	for (size_t q = 0; d->pos && q < d->n_loops; q++)
		free(d->pos[q]);
	free(d->pos);
	free(d->colptr);
	free(d->rowind);
	free(d);
}

/* One loop read back: the view and the arrays it points at. */
typedef struct read_loop {
	hsetup_loop view;
	long *base, *stride0, *stride1;
	int *vars, *loc_row, *loc_col;
} read_loop;

static void read_loop_free(read_loop *l)
{
	free(l->base);
	free(l->stride0);
	free(l->stride1);
	free(l->vars);
	free(l->loc_row);
	free(l->loc_col);
	memset(l, 0, sizeof *l);
}

/* Limits no loop of a real model reaches; past them a description is
 * damaged, and its sizes must not reach malloc. */
#define MAX_ITERATIONS ((uint64_t)INT32_MAX)
#define MAX_SLOTS ((uint64_t)1 << 20)

/* Every variable the loop reads lies in [0, n): an affine map takes its
 * extremes at the corners of the iteration box. */
static int vars_in_range(const hsetup_loop *v, long n)
{
	if (v->vars) {
		long count = v->count0 * v->count1 * v->n_slots;
		for (long k = 0; k < count; k++)
			if (v->vars[k] < 0 || v->vars[k] >= n)
				return 0;
		return 1;
	}
	for (int s = 0; s < v->n_slots; s++) {
		long s0 = v->count0 > 1 ? v->stride0[s] : 0, s1 = v->count1 > 1 ? v->stride1[s] : 0;
		if (v->base[s] < 0 || v->base[s] >= n || s0 <= -n || s0 >= n || s1 <= -n || s1 >= n)
			return 0;
		long i = v->count0 - 1, j = v->count1 - 1;
		long corners[3] = { v->base[s] + s0 * i, v->base[s] + s1 * j, v->base[s] + s0 * i + s1 * j };
		for (int c = 0; c < 3; c++)
			if (corners[c] < 0 || corners[c] >= n)
				return 0;
	}
	return 1;
}

static hessc_status read_one(record_reader *r, long n, read_loop *l)
{
	hsetup_loop *v = &l->view;
	uint64_t count0 = record_take_u64(r), count1 = record_take_u64(r);
	uint64_t slots = record_take_u64(r), nloc = record_take_u64(r);
	uint64_t is_explicit = record_take_u64(r);
	if (r->bad || count0 < 1 || count1 < 1 || count0 > MAX_ITERATIONS ||
	    count1 > MAX_ITERATIONS / count0 || slots > MAX_SLOTS ||
	    nloc > slots * (slots + 1) / 2 || is_explicit > 1)
		return HESSC_ERR_INTERNAL;
	v->count0 = (long)count0;
	v->count1 = (long)count1;
	v->n_slots = (int)slots;
	v->nloc = (int)nloc;
	if (is_explicit) {
		if (slots && count0 * count1 > UINT64_MAX / slots)
			return HESSC_ERR_INTERNAL;
		l->vars = record_take_array(r, count0 * count1 * slots, sizeof *l->vars);
		v->vars = l->vars;
	} else {
		l->base = malloc((slots + 1) * sizeof *l->base);
		l->stride0 = malloc((slots + 1) * sizeof *l->stride0);
		l->stride1 = malloc((slots + 1) * sizeof *l->stride1);
		if (!l->base || !l->stride0 || !l->stride1)
			return HESSC_ERR_NOMEM;
		for (uint64_t k = 0; k < slots; k++) {
			int64_t terms[3];
			record_take(r, terms, sizeof terms);
			l->base[k] = (long)terms[0];
			l->stride0[k] = (long)terms[1];
			l->stride1[k] = (long)terms[2];
		}
		v->base = l->base;
		v->stride0 = l->stride0;
		v->stride1 = l->stride1;
	}
	l->loc_row = malloc((nloc + 1) * sizeof *l->loc_row);
	l->loc_col = malloc((nloc + 1) * sizeof *l->loc_col);
	if (!l->loc_row || !l->loc_col)
		return HESSC_ERR_NOMEM;
	for (uint64_t e = 0; e < nloc; e++) {
		int32_t rc[2];
		record_take(r, rc, sizeof rc);
		if (rc[0] < 0 || (uint64_t)rc[0] >= slots || rc[1] < 0 || (uint64_t)rc[1] >= slots)
			r->bad = 1;
		l->loc_row[e] = rc[0];
		l->loc_col[e] = rc[1];
	}
	v->loc_row = l->loc_row;
	v->loc_col = l->loc_col;
	if (r->bad || !vars_in_range(v, n))
		return HESSC_ERR_INTERNAL;
	return HESSC_OK;
}

/* Every position holds its entry: the pattern has (row, col) there. */
static int positions_hold(const hsetup_loop *v, const int32_t *colptr, const int32_t *rowind,
                          const int32_t *pos)
{
	long iters = v->count0 * v->count1;
	for (long it = 0; it < iters; it++)
		for (int e = 0; e < v->nloc; e++) {
			long a = hsetup_var(v, v->loc_row[e], it), b = hsetup_var(v, v->loc_col[e], it);
			long row = a > b ? a : b, col = a > b ? b : a;
			int32_t p = pos[it * v->nloc + e];
			if (p < colptr[col] || p >= colptr[col + 1] || rowind[p] != row)
				return 0;
		}
	return 1;
}

hessc_status llvm_templated_data_load(const unsigned char *bytes, size_t len, size_t n,
                                      size_t nnz, const int32_t *colptr, const int32_t *rowind,
                                      hessc_problem *p, llvm_templated_data **out)
{
	record_reader r = { bytes, bytes + len, 0 };
	char magic[sizeof loop_magic];
	read_loop loop = { 0 };
	hessc_status st = HESSC_ERR_INTERNAL;
	*out = NULL;
	if (!record_take(&r, magic, sizeof magic) || memcmp(magic, loop_magic, sizeof magic) != 0)
		return HESSC_ERR_INTERNAL;
	uint64_t n_loops = record_take_u64(&r);
	/* each loop takes at least its five counts: a bound before calloc */
	if (r.bad || n_loops > (uint64_t)(r.end - r.p) / (5 * sizeof(uint64_t)))
		return HESSC_ERR_INTERNAL;
	llvm_templated_data *d = calloc(1, sizeof *d);
	if (!d)
		return HESSC_ERR_NOMEM;
	d->colptr = malloc((n + 1) * sizeof *d->colptr);
	d->rowind = malloc((nnz + 1) * sizeof *d->rowind);
	d->pos = calloc(n_loops + 1, sizeof *d->pos);
	if (!d->colptr || !d->rowind || !d->pos) {
		st = HESSC_ERR_NOMEM;
		goto fail;
	}
	d->n_loops = (size_t)n_loops;
	memcpy(d->colptr, colptr, (n + 1) * sizeof *d->colptr);
	if (nnz)
		memcpy(d->rowind, rowind, nnz * sizeof *d->rowind);
	for (size_t q = 0; q < d->n_loops; q++) {
		st = read_one(&r, (long)n, &loop);
		if (st != HESSC_OK)
			goto fail;
		size_t size = (size_t)(loop.view.count0 * loop.view.count1) * (size_t)loop.view.nloc;
		if (!(d->pos[q] = malloc((size + 1) * sizeof **d->pos))) {
			st = HESSC_ERR_NOMEM;
			goto fail;
		}
		hsetup_positions(&loop.view, (const int *)d->colptr, (const int *)d->rowind,
		                 (int *)d->pos[q]);
		if (!positions_hold(&loop.view, d->colptr, d->rowind, d->pos[q])) {
			st = HESSC_ERR_INTERNAL;
			goto fail;
		}
		read_loop_free(&loop);
	}
	if (r.p != r.end) {
		st = HESSC_ERR_INTERNAL;
		goto fail;
	}
	p->n = (int)n;
	p->nnz = (int)nnz;
	p->hess_colptr = d->colptr;
	p->hess_rowind = d->rowind;
	p->work_size = 0;
	p->data = d->pos;
	*out = d;
	return HESSC_OK;
fail:
	read_loop_free(&loop);
	llvm_templated_data_free(d);
	return st;
}

hessc_status llvm_templated_data_build(const tmpl_set *s, hessc_problem *p,
                                       llvm_templated_data **out)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	*out = NULL;
	hessc_status st = llvm_templated_data_describe(s, &bytes, &len);
	if (st == HESSC_OK)
		st = llvm_templated_data_load(bytes, len, s->n, s->nnz, s->colptr, s->rowind, p, out);
	free(bytes);
	return st;
}
