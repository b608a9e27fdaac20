/* template_stream.c -- the streaming loop builder (template_stream.h). */
#include "template_stream.h"
#include "array_grow.h"

#include <stdlib.h>
#include <string.h>

/* Loops open at once (one per shape). */
#define STREAM_OPEN 16

/* A loop being extended.  Its first term's slots are base; while the
 * first row is open (row == 0) term c has slots base + c*s1; once a term
 * broke the first row, rows have `row` terms and term c = r*row + u has
 * slots base + r*s2 + u*s1. */
typedef struct open_loop {
	tcanon_node *nodes;     /* the shape, size len */
	size_t len, n_slots, n_cons;
	int64_t *base, *s1, *s2;  /* size n_slots each, one block */
	double *lit;            /* the first term's constants, size n_cons */
	int64_t *table_of;      /* per constant: -1 (equal so far) or its table */
	double **tab;           /* table t: its value at every term so far */
	size_t n_tables, tab_cap;
	size_t count;           /* terms taken */
	size_t row;             /* terms per row, 0 while the first row is open */
	size_t first_term;      /* ordinal of the first term */
	uint64_t last_use;
} open_loop;

struct tstream {
	graph *g;
	open_loop open[STREAM_OPEN];
	size_t n_open;
	uint64_t clock;
	tmpl_loop *loops;
	size_t n_loops, loops_cap;
	size_t n_terms, n_templated;
	node_id residual;
	/* scratch */
	int64_t *want, *input;
	node_id *build;
	size_t want_cap, build_cap, input_cap;
};


/* A term as the builder reads it. */
typedef struct term_view {
	const tcanon_node *nodes;
	size_t len, n_slots, n_cons;
	const int64_t *slots;
	const double *cons;
	size_t ordinal;
} term_view;

tstream *tstream_new(graph *g)
{
	tstream *s = calloc(1, sizeof *s);
	if (s) {
		s->g = g;
		s->residual = GRAPH_NO_NODE;
	}
	return s;
}

static void open_free(open_loop *o)
{
	for (size_t t = 0; t < o->n_tables; t++)
		free(o->tab[t]);
	free(o->tab);
	free(o->nodes);
	free(o->base);
	free(o->lit);
	free(o->table_of);
	memset(o, 0, sizeof *o);
}

void tstream_free(tstream *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->n_open; k++)
		open_free(&s->open[k]);
	if (s->loops) {
		tmpl_set tmp;
		memset(&tmp, 0, sizeof tmp);
		tmp.loops = s->loops;
		tmp.n_loops = s->n_loops;
		tmpl_set_free(&tmp);
	}
	free(s->want);
	free(s->input);
	free(s->build);
	free(s);
}

/* Rebuild one term into the residual. */
static hessc_status to_residual(tstream *s, const term_view *t)
{
	node_id r;
	if (!ARRAY_GROW(s->input, s->input_cap, t->n_cons + 1) || !ARRAY_GROW(s->build, s->build_cap, t->len + 1))
		return HESSC_ERR_NOMEM;
	for (size_t q = 0; q < t->n_cons; q++)
		s->input[q] = -1;
	r = tcanon_build(s->g, t->nodes, t->len, t->slots, s->input, t->cons, s->build);
	s->residual = s->residual == GRAPH_NO_NODE ? r : graph_binary(s->g, OP_ADD, s->residual, r);
	return graph_failed(s->g) ? HESSC_ERR_NOMEM : HESSC_OK;
}

static int same_shape(const open_loop *o, const term_view *t)
{
	return o->len == t->len && o->n_slots == t->n_slots && o->n_cons == t->n_cons
	       && memcmp(o->nodes, t->nodes, t->len * sizeof *t->nodes) == 0;
}

static hessc_status open_new(open_loop *o, const term_view *t)
{
	size_t ns = t->n_slots, nc = t->n_cons;
	memset(o, 0, sizeof *o);
	o->nodes = malloc((t->len + 1) * sizeof *o->nodes);
	o->base = malloc((3 * ns + 1) * sizeof *o->base);
	o->lit = malloc((nc + 1) * sizeof *o->lit);
	o->table_of = malloc((nc + 1) * sizeof *o->table_of);
	if (!o->nodes || !o->base || !o->lit || !o->table_of) {
		open_free(o);
		return HESSC_ERR_NOMEM;
	}
	memcpy(o->nodes, t->nodes, t->len * sizeof *t->nodes);
	o->len = t->len;
	o->n_slots = ns;
	o->n_cons = nc;
	o->s1 = o->base + ns;
	o->s2 = o->base + 2 * ns;
	memcpy(o->base, t->slots, ns * sizeof *t->slots);
	memset(o->s1, 0, 2 * ns * sizeof *o->s1);
	memcpy(o->lit, t->cons, nc * sizeof *t->cons);
	for (size_t q = 0; q < nc; q++)
		o->table_of[q] = -1;
	o->count = 1;
	o->first_term = t->ordinal;
	return HESSC_OK;
}

/* The slots term c of o must have to extend it; 0 when any term may
 * (the second term, or the one that starts the second row). */
static int expected_slots(const open_loop *o, int64_t *want)
{
	size_t c = o->count, r, u;
	if (c == 1)
		return 0;
	if (o->row == 0) {
		for (size_t v = 0; v < o->n_slots; v++)
			want[v] = o->base[v] + (int64_t)c * o->s1[v];
		return 1;
	}
	r = c / o->row;
	u = c % o->row;
	if (r == 1 && u == 0)
		return 0;
	for (size_t v = 0; v < o->n_slots; v++)
		want[v] = o->base[v] + (int64_t)r * o->s2[v] + (int64_t)u * o->s1[v];
	return 1;
}

/* Take term t (of o's shape, with the right slots) into o. */
static hessc_status take(open_loop *o, const term_view *t)
{
	size_t c = o->count;
	if (c == 1)
		for (size_t v = 0; v < o->n_slots; v++)
			o->s1[v] = t->slots[v] - o->base[v];
	/* constants: tables grow with every term once they exist */
	if (o->n_tables && c >= o->tab_cap) {
		size_t cap = o->tab_cap ? 2 * o->tab_cap : 64;
		while (cap <= c)
			cap *= 2;
		for (size_t k = 0; k < o->n_tables; k++) {
			double *p = realloc(o->tab[k], cap * sizeof *p);
			if (!p)
				return HESSC_ERR_NOMEM;
			o->tab[k] = p;
		}
		o->tab_cap = cap;
	}
	for (size_t q = 0; q < o->n_cons; q++) {
		int64_t tq = o->table_of[q];
		if (tq >= 0) {
			o->tab[tq][c] = t->cons[q];
		} else if (memcmp(&t->cons[q], &o->lit[q], sizeof(double)) != 0) {
			/* changes here for the first time: a table, equal to lit before */
			size_t cap = o->tab_cap ? o->tab_cap : 64;
			double **tabs = realloc(o->tab, (o->n_tables + 1) * sizeof *tabs);
			double *p;
			if (!tabs)
				return HESSC_ERR_NOMEM;
			o->tab = tabs;
			while (cap <= c)
				cap *= 2;
			if (cap != o->tab_cap) {
				for (size_t k = 0; k < o->n_tables; k++) {
					double *pk = realloc(o->tab[k], cap * sizeof *pk);
					if (!pk)
						return HESSC_ERR_NOMEM;
					o->tab[k] = pk;
				}
				o->tab_cap = cap;
			}
			p = malloc(cap * sizeof *p);
			if (!p)
				return HESSC_ERR_NOMEM;
			for (size_t k = 0; k < c; k++)
				p[k] = o->lit[q];
			p[c] = t->cons[q];
			o->tab[o->n_tables] = p;
			o->table_of[q] = (int64_t)o->n_tables++;
		}
	}
	o->count = c + 1;
	return HESSC_OK;
}

/* Term k (< o->count) of o, its slots and constants written to the
 * caller's slots[n_slots] and cons[n_cons]. */
static void recall(const open_loop *o, size_t k, int64_t *slots, double *cons, term_view *t)
{
	size_t r = o->row ? k / o->row : 0, u = o->row ? k % o->row : k;
	for (size_t v = 0; v < o->n_slots; v++)
		slots[v] = o->base[v] + (int64_t)r * o->s2[v] + (int64_t)u * o->s1[v];
	for (size_t q = 0; q < o->n_cons; q++)
		cons[q] = o->table_of[q] < 0 ? o->lit[q] : o->tab[o->table_of[q]][k];
	t->nodes = o->nodes;
	t->len = o->len;
	t->n_slots = o->n_slots;
	t->n_cons = o->n_cons;
	t->slots = slots;
	t->cons = cons;
	t->ordinal = o->first_term + k;
}

/* The first `iters` terms of o as a loop (count0 x count1), or into the
 * residual when iters == 1. */
static hessc_status emit(tstream *s, const open_loop *o, size_t count0, size_t count1)
{
	size_t iters = count0 * count1, nc = o->n_cons, ntab = 0;
	int64_t *table_of = NULL, *stride0 = NULL;
	double *tables = NULL;
	hessc_status rc = HESSC_ERR_NOMEM;
	if (iters == 1) {
		/* the first term's slots and constants are base and lit */
		term_view t = {o->nodes, o->len, o->n_slots, nc, o->base, o->lit, o->first_term};
		return to_residual(s, &t);
	}
	table_of = malloc((nc + 1) * sizeof *table_of);
	stride0 = calloc(o->n_slots + 1, sizeof *stride0);
	if (!table_of || !stride0 || !ARRAY_GROW(s->loops, s->loops_cap, s->n_loops + 1))
		goto done;
	/* a table whose values in the loop's iterations all equal the first is
	 * a literal again (it changed in terms the loop leaves out) */
	for (size_t q = 0; q < nc; q++) {
		int same = 1;
		if (o->table_of[q] >= 0) {
			const double *v = o->tab[o->table_of[q]];
			for (size_t it = 1; it < iters && same; it++)
				same = memcmp(&v[it], &o->lit[q], sizeof *v) == 0;
		}
		table_of[q] = same ? -1 : (int64_t)ntab++;
	}
	if (ntab) {
		tables = malloc(ntab * iters * sizeof *tables);
		if (!tables)
			goto done;
		for (size_t q = 0; q < nc; q++)
			if (table_of[q] >= 0)
				memcpy(tables + (size_t)table_of[q] * iters, o->tab[o->table_of[q]],
				       iters * sizeof *tables);
	}
	if (count0 > 1)
		memcpy(stride0, o->s2, o->n_slots * sizeof *stride0);
	{
		tcanon_loop_spec spec = {
			.nodes = o->nodes, .len = o->len, .n_slots = o->n_slots, .n_cons = nc,
			.base = o->base, .stride0 = stride0, .stride1 = o->s1,
			.count0 = count0, .count1 = count1,
			.lit = o->lit, .table_of = table_of, .n_tables = ntab,
			.tables = tables, .first_term = o->first_term,
		};
		tables = NULL;  /* the loop's now */
		rc = tcanon_make_loop(&spec, &s->loops[s->n_loops]);
		s->n_loops++;   /* kept even when incomplete: tmpl_set_free frees it */
		if (rc == HESSC_OK)
			s->n_templated += iters;
	}
done:
	free(table_of);
	free(stride0);
	free(tables);
	return rc;
}

static hessc_status add_term(tstream *s, const term_view *t);

/* Close open loop k: its whole rows become a loop (or the residual), the
 * terms of a partial row are fed again.  The slot is freed. */
static hessc_status close_open(tstream *s, size_t k)
{
	open_loop o = s->open[k];
	size_t whole, rows, cols;
	hessc_status rc;
	s->open[k] = s->open[--s->n_open];
	if (o.row == 0) {
		rows = 1;
		cols = o.count;
	} else {
		rows = o.count / o.row;
		cols = o.row;
	}
	whole = rows * cols;
	rc = emit(s, &o, rows, cols);
	if (rc == HESSC_OK && whole < o.count) {
		int64_t *slots = malloc((o.n_slots + 1) * sizeof *slots);
		double *cons = malloc((o.n_cons + 1) * sizeof *cons);
		rc = slots && cons ? HESSC_OK : HESSC_ERR_NOMEM;
		for (size_t c = whole; c < o.count && rc == HESSC_OK; c++) {
			term_view t;
			recall(&o, c, slots, cons, &t);
			rc = add_term(s, &t);
		}
		free(slots);
		free(cons);
	}
	open_free(&o);
	return rc;
}

static hessc_status add_term(tstream *s, const term_view *t)
{
	size_t k;
	hessc_status rc;
	for (k = 0; k < s->n_open; k++)
		if (same_shape(&s->open[k], t))
			break;
	if (k < s->n_open) {
		open_loop *o = &s->open[k];
		if (!ARRAY_GROW(s->want, s->want_cap, o->n_slots + 1))
			return HESSC_ERR_NOMEM;
		o->last_use = ++s->clock;
		if (!expected_slots(o, s->want)
		    || memcmp(s->want, t->slots, o->n_slots * sizeof *s->want) == 0)
			return take(o, t);
		if (o->row == 0) {
			/* the first row ends here: t starts the second */
			o->row = o->count;
			for (size_t v = 0; v < o->n_slots; v++)
				o->s2[v] = t->slots[v] - o->base[v];
			return take(o, t);
		}
		/* t ends the loop; the partial row and then t are fed again */
		rc = close_open(s, k);
		return rc == HESSC_OK ? add_term(s, t) : rc;
	}
	if (s->n_open == STREAM_OPEN) {
		/* no room: close the loop unused the longest */
		size_t lru = 0;
		for (size_t j = 1; j < s->n_open; j++)
			if (s->open[j].last_use < s->open[lru].last_use)
				lru = j;
		rc = close_open(s, lru);
		if (rc != HESSC_OK)
			return rc;
	}
	rc = open_new(&s->open[s->n_open], t);
	if (rc != HESSC_OK)
		return rc;
	s->open[s->n_open++].last_use = ++s->clock;
	return HESSC_OK;
}

hessc_status tstream_add(tstream *s, const tcanon *c)
{
	term_view t = {c->nodes, c->n_nodes, c->n_slots, c->n_cons, c->slots, c->cons, s->n_terms};
	s->n_terms++;
	return add_term(s, &t);
}

hessc_status tstream_finish(tstream *s, tmpl_set *out, node_id *residual)
{
	hessc_status rc = HESSC_OK;
	memset(out, 0, sizeof *out);
	/* closing may feed terms again, which may open loops: until none is */
	while (s->n_open > 0 && rc == HESSC_OK) {
		size_t first = 0;
		for (size_t j = 1; j < s->n_open; j++)
			if (s->open[j].first_term < s->open[first].first_term)
				first = j;
		rc = close_open(s, first);
	}
	if (rc != HESSC_OK)
		return rc;
	out->loops = s->loops;
	out->n_loops = s->n_loops;
	out->n_terms = s->n_terms;
	out->n_templated = s->n_templated;
	*residual = s->residual;
	s->loops = NULL;
	s->n_loops = s->loops_cap = 0;
	s->n_terms = s->n_templated = 0;
	s->residual = GRAPH_NO_NODE;
	return HESSC_OK;
}
