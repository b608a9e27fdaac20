/* template_plan.c -- fused loop groups, affine pieces and single writes for
 * the templated kernels (template_plan.h). */
#include "template_plan.h"
#include "array_grow.h"

#include "template_body.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

/* Where the outputs of one kernel land: slot maps (gradient) or position
 * maps (Hessian). */
typedef struct places {
	const tmpl_set *s;
	int hess;
	int32_t **pos;       /* per loop, Hessian only (one iteration's for a still loop) */
	unsigned char *still;  /* per loop: no slot moves, every iteration has the same places */
	size_t n_places;     /* n or nnz */
} places;

/* 1 when every iteration of l reads the same variables (P5's sum over
 * data): its places are those of iteration 0. */
static int loop_is_still(const tmpl_loop *l)
{
	if (l->vars && tmpl_iterations(l) > 1)
		return 0;
	for (size_t s = 0; !l->vars && s < l->n_slots; s++)
		if ((l->count[0] > 1 && l->stride0[s] != 0) || (l->count[1] > 1 && l->stride1[s] != 0))
			return 0;
	return 1;
}

static size_t n_local(const places *ps, size_t q)
{
	return ps->hess ? ps->s->loops[q].d.nnz : ps->s->loops[q].n_slots;
}

/* The place of loop q's output `local` at iteration it = i*count1 + j */
static long place_at(const places *ps, size_t q, size_t local, size_t it)
{
	const tmpl_loop *l = &ps->s->loops[q];
	size_t c1, i;
	if (ps->still[q])
		it = 0;
	if (ps->hess)
		return ps->pos[q][it * l->d.nnz + local];
	if (l->vars)
		return l->vars[it * l->n_slots + local];
	c1 = l->count[1];
	i = l->count[0] > 1 ? it / c1 : 0;  /* a division only for 2-D loops */
	return l->base[local] + l->stride0[local] * (long)i + l->stride1[local] * (long)(it - i * c1);
}

/* ---- groups -------------------------------------------------------------- */

static hessc_status make_groups(const tmpl_set *s, tmpl_plan *p)
{
	size_t *group_of = malloc((s->n_loops + 1) * sizeof *group_of);
	size_t at = 0;
	p->groups = calloc(s->n_loops + 1, sizeof *p->groups);
	p->members = malloc((s->n_loops + 1) * sizeof *p->members);
	if (!group_of || !p->groups || !p->members) {
		free(group_of);
		return HESSC_ERR_NOMEM;
	}
	p->n_groups = 0;
	for (size_t q = 0; q < s->n_loops; q++) {
		const tmpl_loop *l = &s->loops[q];
		size_t g;
		for (g = 0; g < p->n_groups; g++)
			if (p->groups[g].count0 == l->count[0] && p->groups[g].count1 == l->count[1])
				break;
		if (g == p->n_groups) {
			p->groups[g].count0 = l->count[0];
			p->groups[g].count1 = l->count[1];
			p->n_groups++;
		}
		group_of[q] = g;
		p->groups[g].n_members++;
	}
	for (size_t g = 0; g < p->n_groups; g++) {
		p->groups[g].first_member = at;
		at += p->groups[g].n_members;
		p->groups[g].n_members = 0;
	}
	for (size_t q = 0; q < s->n_loops; q++) {
		tplan_group *gr = &p->groups[group_of[q]];
		p->members[gr->first_member + gr->n_members++] = q;
	}
	free(group_of);
	return HESSC_OK;
}

/* ---- pieces -------------------------------------------------------------- */

/* 1 when every output of the group moves by the same amount from line a to
 * a+1 as from line b to b+1 (lines: columns j when axis is 1, rows i when
 * it is 0), at every index of the other axis. */
static int same_step(const places *ps, const tmpl_plan *p, const tplan_group *g, int axis,
                     size_t a, size_t b)
{
	size_t other = axis ? g->count0 : g->count1, c1 = g->count1;
	for (size_t m = 0; m < g->n_members; m++) {
		size_t q = p->members[g->first_member + m];
		if (ps->still[q])
			continue;  /* its places never move */
		for (size_t e = 0; e < n_local(ps, q); e++)
			for (size_t o = 0; o < other; o++) {
				size_t ita = axis ? o * c1 + a : a * c1 + o;
				size_t itb = axis ? o * c1 + b : b * c1 + o;
				size_t step = axis ? 1 : c1;
				long da = place_at(ps, q, e, ita + step) - place_at(ps, q, e, ita);
				long db = place_at(ps, q, e, itb + step) - place_at(ps, q, e, itb);
				if (da != db)
					return 0;
			}
	}
	return 1;
}

/* Cut [0, count) along `axis` into runs on which the step from one line
 * to the next stays the same: starts[0..k] with starts[k] = count.  A line
 * whose step differs from the next one's stands alone (a boundary row).
 * Returns k, or 0 when more than TPLAN_MAX_PIECES runs would be needed. */
static size_t cut_axis(const places *ps, const tmpl_plan *p, const tplan_group *g, int axis,
                       size_t *starts)
{
	size_t count = axis ? g->count1 : g->count0, k = 0, a = 0;
	while (a < count) {
		size_t b;
		if (k == TPLAN_MAX_PIECES)
			return 0;
		starts[k++] = a;
		if (a + 2 < count && !same_step(ps, p, g, axis, a, a + 1)) {
			a++;
			continue;
		}
		b = a + 2 < count ? a + 2 : count;
		while (b < count && same_step(ps, p, g, axis, b - 1, a))
			b++;
		a = b;
	}
	starts[k] = count;
	return k;
}

/* The place of output (q, local) over piece r: affine, fixed or mapped. */
static void classify(const places *ps, size_t q, size_t local, const tplan_piece *r, size_t c1,
                     tplan_out *o)
{
	long at0 = place_at(ps, q, local, r->i0 * c1 + r->j0);
	long s1 = r->j1 - r->j0 > 1 ? place_at(ps, q, local, r->i0 * c1 + r->j0 + 1) - at0 : 0;
	long s0 = r->i1 - r->i0 > 1 ? place_at(ps, q, local, (r->i0 + 1) * c1 + r->j0) - at0 : 0;
	int mapped = 0;
	for (size_t i = r->i0; i < r->i1 && !mapped && !ps->still[q]; i++)
		for (size_t j = r->j0; j < r->j1; j++)
			if (place_at(ps, q, local, i * c1 + j)
			    != at0 + s0 * (long)(i - r->i0) + s1 * (long)(j - r->j0)) {
				mapped = 1;
				break;
			}
	memset(o, 0, sizeof *o);
	o->store = 1;
	o->map_loop = q;
	o->map_entry = local;
	if (mapped) {
		o->kind = TPLAN_MAP;
		o->base = at0;
		return;
	}
	o->s0 = s0;
	o->s1 = s1;
	o->base = at0 - s0 * (long)r->i0 - s1 * (long)r->j0;
	o->kind = s0 == 0 && s1 == 0 && (r->i1 - r->i0) * (r->j1 - r->j0) > 1 ? TPLAN_FIXED
	                                                                      : TPLAN_AFFINE;
}

/* 1 when o and c write the same place at every iteration of piece r. */
static int same_places(const places *ps, const tplan_out *o, const tplan_out *c,
                       const tplan_piece *r, size_t c1)
{
	if (o->kind != c->kind)
		return 0;
	if (o->kind != TPLAN_MAP)
		return o->base == c->base && o->s0 == c->s0 && o->s1 == c->s1;
	for (size_t i = r->i0; i < r->i1; i++)
		for (size_t j = r->j0; j < r->j1; j++)
			if (place_at(ps, o->map_loop, o->map_entry, i * c1 + j)
			    != place_at(ps, c->map_loop, c->map_entry, i * c1 + j))
				return 0;
	return 1;
}

/* The pieces of group g: the cut rectangles when every output is affine on
 * each of them, else the whole range. */
static hessc_status choose_pieces(const places *ps, const tmpl_plan *p, const tplan_group *g,
                                  tplan_piece *out, size_t *n_out)
{
	size_t ci[TPLAN_MAX_PIECES + 1], cj[TPLAN_MAX_PIECES + 1], ki = 1, kj = 1;
	tplan_out o;
	ci[0] = cj[0] = 0;
	ci[1] = g->count0;
	cj[1] = g->count1;
	if (ps->hess) {
		ki = cut_axis(ps, p, g, 0, ci);
		kj = cut_axis(ps, p, g, 1, cj);
		if (ki == 0 || kj == 0 || ki * kj > TPLAN_MAX_PIECES) {
			ki = kj = 1;
			ci[1] = g->count0;
			cj[1] = g->count1;
		}
	}
	*n_out = 0;
	for (size_t a = 0; a < ki; a++)
		for (size_t b = 0; b < kj; b++) {
			tplan_piece *r = &out[(*n_out)++];
			memset(r, 0, sizeof *r);
			r->i0 = ci[a];
			r->i1 = ci[a + 1];
			r->j0 = cj[b];
			r->j1 = cj[b + 1];
		}
	if (*n_out == 1)
		return HESSC_OK;
	for (size_t k = 0; k < *n_out; k++)
		for (size_t m = 0; m < g->n_members; m++) {
			size_t q = p->members[g->first_member + m];
			for (size_t e = 0; e < n_local(ps, q); e++) {
				classify(ps, q, e, &out[k], g->count1, &o);
				if (o.kind == TPLAN_MAP) {  /* the cuts do not pay: one piece */
					memset(out, 0, sizeof *out);
					out[0].i1 = g->count0;
					out[0].j1 = g->count1;
					*n_out = 1;
					return HESSC_OK;
				}
			}
		}
	return HESSC_OK;
}

/* ---- outputs of a piece --------------------------------------------------- */

typedef struct builder {
	tplan_kernel *k;
	size_t cap_pieces, cap_outs, cap_parts;
	size_t *out_at;       /* per place: an output of the current piece whose first place it is */
	size_t *part_out;     /* scratch: the output of each part of the current piece */
	tplan_part *part_tmp;
	size_t cap_tmp, cap_tmp_out;
} builder;


/* Outputs of piece r of group g, merged by place, parts grouped by output
 * (counting sort: residuals have thousands of outputs). */
static hessc_status build_piece(builder *bd, const places *ps, const tmpl_plan *p,
                                const tplan_group *g, tplan_piece *r)
{
	tplan_kernel *k = bd->k;
	size_t n_tmp = 0, first_out = k->n_outs, first_it = r->i0 * g->count1 + r->j0;
	r->first_out = first_out;
	for (size_t m = 0; m < g->n_members; m++) {
		size_t q = p->members[g->first_member + m];
		for (size_t e = 0; e < n_local(ps, q); e++) {
			tplan_out o;
			size_t at0 = (size_t)place_at(ps, q, e, first_it), hit = bd->out_at[at0];
			classify(ps, q, e, r, g->count1, &o);
			if (!ps->hess && o.kind == TPLAN_MAP)
				return HESSC_ERR_INTERNAL;  /* slot maps are affine */
			if (hit == NONE || !same_places(ps, &k->outs[hit], &o, r, g->count1)) {
				if (!array_grow((void **)&k->outs, &bd->cap_outs, k->n_outs + 1, sizeof *k->outs))
					return HESSC_ERR_NOMEM;
				hit = k->n_outs++;
				k->outs[hit] = o;
				bd->out_at[at0] = hit;
			}
			if (!array_grow((void **)&bd->part_tmp, &bd->cap_tmp, n_tmp + 1, sizeof *bd->part_tmp)
			    || !array_grow((void **)&bd->part_out, &bd->cap_tmp_out, n_tmp + 1,
			             sizeof *bd->part_out))
				return HESSC_ERR_NOMEM;
			bd->part_tmp[n_tmp].member = m;
			bd->part_tmp[n_tmp].local = e;
			bd->part_out[n_tmp] = hit;
			n_tmp++;
		}
	}
	r->n_outs = k->n_outs - first_out;
	if (!array_grow((void **)&k->parts, &bd->cap_parts, k->n_parts + n_tmp, sizeof *k->parts))
		return HESSC_ERR_NOMEM;
	for (size_t o = first_out; o < k->n_outs; o++)
		k->outs[o].n_parts = 0;
	for (size_t t = 0; t < n_tmp; t++)
		k->outs[bd->part_out[t]].n_parts++;
	for (size_t o = first_out, at = k->n_parts; o < k->n_outs; o++) {
		k->outs[o].first_part = at;
		at += k->outs[o].n_parts;
		k->outs[o].n_parts = 0;
	}
	for (size_t t = 0; t < n_tmp; t++) {  /* stable: each output's parts in member order */
		tplan_out *o = &k->outs[bd->part_out[t]];
		k->parts[o->first_part + o->n_parts++] = bd->part_tmp[t];
	}
	k->n_parts += n_tmp;
	for (size_t t = 0; t < n_tmp; t++)  /* forget this piece's first places */
		bd->out_at[(size_t)place_at(ps, p->members[g->first_member + bd->part_tmp[t].member],
		                            bd->part_tmp[t].local, first_it)] = NONE;
	return HESSC_OK;
}

/* ---- store or add -------------------------------------------------------- */

static long out_place(const places *ps, const tplan_out *o, size_t i, size_t j, size_t c1)
{
	if (o->kind == TPLAN_MAP)
		return place_at(ps, o->map_loop, o->map_entry, i * c1 + j);
	return o->base + o->s0 * (long)i + o->s1 * (long)j;
}

static void write_event(tplan_kernel *k, size_t *first, size_t o, long at)
{
	if (first[at] == NONE)
		first[at] = o;
	else
		k->outs[o].store = 0;
}

/* Run the writes in kernel order: an output stores when each of its writes
 * comes first at its place; the array is zeroed when some place's first
 * write adds, or nothing writes it. */
static hessc_status decide_stores(const places *ps, const tmpl_plan *p, tplan_kernel *k)
{
	size_t *first = malloc((ps->n_places + 1) * sizeof *first);
	if (!first)
		return HESSC_ERR_NOMEM;
	for (size_t a = 0; a < ps->n_places; a++)
		first[a] = NONE;
	for (size_t g = 0; g < p->n_groups; g++) {
		size_t c1 = p->groups[g].count1;
		for (size_t pc = 0; pc < k->n_pieces[g]; pc++) {
			const tplan_piece *r = &k->pieces[k->first_piece[g] + pc];
			for (size_t i = r->i0; i < r->i1; i++)
				for (size_t j = r->j0; j < r->j1; j++)
					for (size_t o = r->first_out; o < r->first_out + r->n_outs; o++)
						if (k->outs[o].kind != TPLAN_FIXED)
							write_event(k, first, o, out_place(ps, &k->outs[o], i, j, c1));
			for (size_t o = r->first_out; o < r->first_out + r->n_outs; o++)
				if (k->outs[o].kind == TPLAN_FIXED)
					write_event(k, first, o, k->outs[o].base);
		}
	}
	k->zero = 0;
	for (size_t a = 0; a < ps->n_places; a++)
		if (first[a] == NONE || !k->outs[first[a]].store)
			k->zero = 1;
	free(first);
	return HESSC_OK;
}

static hessc_status plan_kernel(const places *ps, const tmpl_plan *p, tplan_kernel *k)
{
	const tmpl_set *s = ps->s;
	builder bd;
	hessc_status st = HESSC_ERR_NOMEM;
	memset(&bd, 0, sizeof bd);
	bd.k = k;
	k->first_piece = calloc(p->n_groups + 1, sizeof *k->first_piece);
	k->n_pieces = calloc(p->n_groups + 1, sizeof *k->n_pieces);
	k->reads_map = calloc(s->n_loops + 1, 1);
	bd.out_at = malloc((ps->n_places + 1) * sizeof *bd.out_at);
	if (!k->first_piece || !k->n_pieces || !k->reads_map || !bd.out_at)
		goto done;
	for (size_t a = 0; a < ps->n_places; a++)
		bd.out_at[a] = NONE;
	for (size_t g = 0; g < p->n_groups; g++) {
		size_t n;
		if (!array_grow((void **)&k->pieces, &bd.cap_pieces, k->n_piece_total + TPLAN_MAX_PIECES,
		          sizeof *k->pieces))
			goto done;
		if ((st = choose_pieces(ps, p, &p->groups[g], k->pieces + k->n_piece_total, &n))
		    != HESSC_OK)
			goto done;
		k->first_piece[g] = k->n_piece_total;
		k->n_pieces[g] = n;
		k->n_piece_total += n;
		for (size_t pc = 0; pc < n; pc++)
			if ((st = build_piece(&bd, ps, p, &p->groups[g],
			                      &k->pieces[k->first_piece[g] + pc])) != HESSC_OK)
				goto done;
	}
	for (size_t o = 0; o < k->n_outs; o++)
		if (k->outs[o].kind == TPLAN_MAP)
			k->reads_map[k->outs[o].map_loop] = 1;
	st = decide_stores(ps, p, k);
done:
	free(bd.out_at);
	free(bd.part_out);
	free(bd.part_tmp);
	return st;
}

hessc_status tmpl_plan_build(const tmpl_set *s, tmpl_plan *out)
{
	places ps;
	hessc_status st;
	memset(out, 0, sizeof *out);
	memset(&ps, 0, sizeof ps);
	if (!s->colptr)
		return HESSC_ERR_INTERNAL;
	ps.s = s;
	if (!(ps.still = calloc(s->n_loops + 1, 1)))
		return HESSC_ERR_NOMEM;
	for (size_t q = 0; q < s->n_loops; q++)
		ps.still[q] = (unsigned char)loop_is_still(&s->loops[q]);
	if ((st = make_groups(s, out)) != HESSC_OK)
		goto fail;
	st = HESSC_ERR_NOMEM;
	if (!(out->bodies = calloc(3 * s->n_loops + 1, sizeof *out->bodies)))
		goto fail;
	out->n_bodies_loops = s->n_loops;
	for (size_t q = 0; q < s->n_loops; q++)
		for (int k = TAPE_F; k <= TAPE_HESS; k++)
			if ((st = tmpl_body_simplify(&s->loops[q].t.kernel[k], s->loops[q].n_slots,
			                             &out->bodies[3 * q + (size_t)k]))
			    != HESSC_OK)
				goto fail;
	ps.n_places = s->n;
	if ((st = plan_kernel(&ps, out, &out->grad)) != HESSC_OK)
		goto fail;
	st = HESSC_ERR_NOMEM;
	ps.hess = 1;
	ps.n_places = s->nnz;
	ps.pos = calloc(s->n_loops + 1, sizeof *ps.pos);
	if (!ps.pos)
		goto fail;
	for (size_t q = 0; q < s->n_loops; q++) {
		const tmpl_loop *l = &s->loops[q];
		if (ps.still[q]) {  /* one iteration's positions stand for all */
			hsetup_loop one = l->view;
			one.count0 = one.count1 = 1;
			if (!(ps.pos[q] = malloc((l->d.nnz + 1) * sizeof **ps.pos)))
				goto fail;
			hsetup_positions(&one, (const int *)s->colptr, (const int *)s->rowind,
			                 (int *)ps.pos[q]);
			continue;
		}
		if (!(ps.pos[q] = malloc((tmpl_positions_size(l) + 1) * sizeof **ps.pos)))
			goto fail;
		if ((st = tmpl_positions(s, q, ps.pos[q])) != HESSC_OK)
			goto fail;
	}
	st = plan_kernel(&ps, out, &out->hess);
	if (st != HESSC_OK)
		goto fail;
	goto done;
fail:
	tmpl_plan_free(out);
done:
	for (size_t q = 0; ps.pos && q < s->n_loops; q++)
		free(ps.pos[q]);
	free(ps.pos);
	free(ps.still);
	return st;
}

int tmpl_plan_reads_map(const tmpl_plan *p, size_t q)
{
	return (p->hess.reads_map && p->hess.reads_map[q])
	       || (p->grad.reads_map && p->grad.reads_map[q]);
}

static void kernel_free(tplan_kernel *k)
{
	free(k->first_piece);
	free(k->n_pieces);
	free(k->pieces);
	free(k->outs);
	free(k->parts);
	free(k->reads_map);
	memset(k, 0, sizeof *k);
}

const tape_kernel *tmpl_plan_body(const tmpl_plan *p, size_t q, tape_kernel_id k)
{
	return &p->bodies[3 * q + (k == TAPE_HESSVEC ? TAPE_HESS : k)];
}

void tmpl_plan_free(tmpl_plan *p)
{
	for (size_t b = 0; p->bodies && b < 3 * p->n_bodies_loops; b++)
		tmpl_body_free(&p->bodies[b]);
	free(p->bodies);
	kernel_free(&p->grad);
	kernel_free(&p->hess);
	free(p->groups);
	free(p->members);
	memset(p, 0, sizeof *p);
}
