/* template_find.c -- the objective's terms, their shapes, and the loops
 * they form (template.h). */
#include "template.h"
#include "array_grow.h"
#include "template_canon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- terms -------------------------------------------------------------- */

typedef struct term {
	node_id node;
	uint32_t shape;      /* shape id, or UINT32_MAX: too big, residual */
	uint32_t var0;       /* its slots' variables: vars[var0 .. var0+nvar) */
	uint32_t con0;       /* its constants (weight first): cons[con0 ..), shared
	                        by every term with the same constants */
	uint16_t nvar, ncon;
	double weight;
} term;

typedef struct shape {
	size_t off, len;     /* canon entries in the pool */
	uint64_t hash;
	size_t nvar, ncon;
	size_t first_term;
} shape;

typedef struct finder {
	const graph *g;
	size_t size;
	tcanon C;            /* a term's canonical form, and the walks' memo */
	/* terms */
	term *terms;
	size_t nterms, terms_cap;
	int32_t *vars;
	size_t nvars, vars_cap;
	double *cons;
	size_t ncons, cons_cap;
	uint32_t *cons_table;  /* open addressing over distinct constant vectors */
	size_t cons_table_cap, ncons_vectors;
	/* shapes */
	tcanon_node *pool;
	size_t npool, pool_cap;
	shape *shapes;
	size_t nshapes, shapes_cap;
	uint32_t *table;     /* open addressing over shapes, size table_cap */
	size_t table_cap;
	/* scratch */
	node_id *stack;
	size_t stack_cap;
} finder;

static int is_sum(const graph *g, node_id id)
{
	graph_op op = (graph_op)graph_get(g, id)->op;
	return op == OP_ADD || op == OP_SUB;
}

/* Split the objective into weighted terms, in the order they are summed. */
static hessc_status split_terms(finder *F, node_id root)
{
	typedef struct item { node_id node; double weight; } item;
	item *st = NULL;
	size_t n = 0, cap = 0, limit = 4 * F->size + 16;
	hessc_status rc = HESSC_ERR_NOMEM;

	if (!ARRAY_GROW(st, cap, 1))
		return rc;
	st[n++] = (item){root, 1.0};
	while (n > 0) {
		item it = st[--n];
		const graph_node *g = graph_get(F->g, it.node);
		double c;
		if (!ARRAY_GROW(st, cap, n + 2))
			goto done;
		if (g->op == OP_ADD || g->op == OP_SUB) {
			st[n++] = (item){g->b, g->op == OP_SUB ? -it.weight : it.weight};
			st[n++] = (item){g->a, it.weight};
			continue;
		}
		if (g->op == OP_NEG && is_sum(F->g, g->a)) {
			st[n++] = (item){g->a, -it.weight};
			continue;
		}
		if (g->op == OP_MUL && graph_is_const(F->g, g->a, &c) && is_sum(F->g, g->b)) {
			st[n++] = (item){g->b, it.weight * c};
			continue;
		}
		if (g->op == OP_MUL && graph_is_const(F->g, g->b, &c) && is_sum(F->g, g->a)) {
			st[n++] = (item){g->a, it.weight * c};
			continue;
		}
		if (F->nterms >= limit) {  /* a DAG of sums shared many times: no templates */
			rc = HESSC_ERR_TOO_BIG;
			goto done;
		}
		if (!ARRAY_GROW(F->terms, F->terms_cap, F->nterms + 1))
			goto done;
		F->terms[F->nterms++] = (term){.node = it.node, .weight = it.weight};
	}
	rc = HESSC_OK;
done:
	free(st);
	return rc;
}

/* ---- shapes ------------------------------------------------------------- */

static int op_arity(const graph_node *n)
{
	return graph_op_arity((graph_op)n->op);
}

static node_id operand(const graph_node *n, int k)
{
	return k == 0 ? n->a : k == 1 ? n->b : n->c;
}

/* An equal constant vector met before, so that a million terms with the
 * same constants keep one copy: the vector at cons[from..ncons) is dropped
 * for the earlier one when they match.  Returns its offset, or UINT32_MAX
 * when memory runs out. */
static uint32_t intern_constants(finder *F, size_t from)
{
	size_t len = F->ncons - from, mask;
	uint64_t h = 0x9e37u + len;
	for (size_t k = from; k < F->ncons; k++) {
		uint64_t bits;
		memcpy(&bits, &F->cons[k], sizeof bits);
		h = tcanon_mix(h, bits);
	}
	if (2 * (F->ncons_vectors + 1) > F->cons_table_cap) {
		size_t cap = F->cons_table_cap ? 2 * F->cons_table_cap : 1024;
		uint32_t *t = malloc(cap * 2 * sizeof *t);
		if (!t)
			return UINT32_MAX;
		for (size_t k = 0; k < 2 * cap; k++)
			t[k] = UINT32_MAX;
		for (size_t k = 0; k < F->cons_table_cap; k++)
			if (F->cons_table[2 * k] != UINT32_MAX) {
				uint32_t off = F->cons_table[2 * k], l = F->cons_table[2 * k + 1];
				uint64_t hh = 0x9e37u + l;
				size_t p;
				for (uint32_t q = 0; q < l; q++) {
					uint64_t bits;
					memcpy(&bits, &F->cons[off + q], sizeof bits);
					hh = tcanon_mix(hh, bits);
				}
				for (p = (size_t)hh & (cap - 1); t[2 * p] != UINT32_MAX; p = (p + 1) & (cap - 1))
					;
				t[2 * p] = off;
				t[2 * p + 1] = l;
			}
		free(F->cons_table);
		F->cons_table = t;
		F->cons_table_cap = cap;
	}
	mask = F->cons_table_cap - 1;
	for (size_t p = (size_t)h & mask;; p = (p + 1) & mask) {
		uint32_t off = F->cons_table[2 * p];
		if (off == UINT32_MAX) {
			F->cons_table[2 * p] = (uint32_t)from;
			F->cons_table[2 * p + 1] = (uint32_t)len;
			F->ncons_vectors++;
			return (uint32_t)from;
		}
		if (F->cons_table[2 * p + 1] == len
		    && memcmp(&F->cons[off], &F->cons[from], len * sizeof *F->cons) == 0) {
			F->ncons = from;
			return off;
		}
	}
}

/* The canonical form of term t (F->C), its slots' variables and its
 * constants appended to F->vars / F->cons.  HESSC_ERR_TOO_BIG: the term is
 * too big for a shape. */
static hessc_status encode_term(finder *F, term *t)
{
	tcanon *C = &F->C;
	hessc_status rc = tcanon_term(C, F->g, t->node, t->weight);
	size_t con_from = F->ncons;
	if (rc != HESSC_OK)
		return rc;
	if (!ARRAY_GROW(F->vars, F->vars_cap, F->nvars + C->n_slots)
	    || !ARRAY_GROW(F->cons, F->cons_cap, F->ncons + C->n_cons))
		return HESSC_ERR_NOMEM;
	t->var0 = (uint32_t)F->nvars;
	for (size_t s = 0; s < C->n_slots; s++)
		F->vars[F->nvars++] = (int32_t)C->slots[s];
	memcpy(F->cons + F->ncons, C->cons, C->n_cons * sizeof *C->cons);
	F->ncons += C->n_cons;
	t->nvar = (uint16_t)C->n_slots;
	t->ncon = (uint16_t)C->n_cons;
	t->con0 = intern_constants(F, con_from);
	return t->con0 != UINT32_MAX ? HESSC_OK : HESSC_ERR_NOMEM;
}

/* The shape id of F->C's nodes, interned. UINT32_MAX when memory runs out. */
static uint32_t intern_shape(finder *F, size_t term_index, size_t nvar, size_t ncon)
{
	const tcanon_node *cur = F->C.nodes;
	size_t ncur = F->C.n_nodes;
	uint64_t h = tcanon_hash(cur, ncur);
	size_t mask, slot;
	if (2 * (F->nshapes + 1) > F->table_cap) {
		size_t cap = F->table_cap ? 2 * F->table_cap : 1024;
		uint32_t *t = malloc(cap * sizeof *t);
		if (!t)
			return UINT32_MAX;
		for (size_t k = 0; k < cap; k++)
			t[k] = UINT32_MAX;
		for (size_t s = 0; s < F->nshapes; s++) {
			size_t p = (size_t)F->shapes[s].hash & (cap - 1);
			while (t[p] != UINT32_MAX)
				p = (p + 1) & (cap - 1);
			t[p] = (uint32_t)s;
		}
		free(F->table);
		F->table = t;
		F->table_cap = cap;
	}
	mask = F->table_cap - 1;
	for (slot = (size_t)h & mask; F->table[slot] != UINT32_MAX; slot = (slot + 1) & mask) {
		shape *s = &F->shapes[F->table[slot]];
		if (s->hash == h && s->len == ncur
		    && memcmp(F->pool + s->off, cur, ncur * sizeof *cur) == 0)
			return F->table[slot];
	}
	if (!ARRAY_GROW(F->pool, F->pool_cap, F->npool + ncur)
	    || !ARRAY_GROW(F->shapes, F->shapes_cap, F->nshapes + 1))
		return UINT32_MAX;
	memcpy(F->pool + F->npool, cur, ncur * sizeof *cur);
	F->shapes[F->nshapes] = (shape){F->npool, ncur, h, nvar, ncon, term_index};
	F->npool += ncur;
	F->table[slot] = (uint32_t)F->nshapes;
	return (uint32_t)F->nshapes++;
}

static hessc_status shape_terms(finder *F)
{
	if (F->nvars > UINT32_MAX / 2)
		return HESSC_ERR_TOO_BIG;
	for (size_t t = 0; t < F->nterms; t++) {
		term *tm = &F->terms[t];
		hessc_status rc;
		tm->shape = UINT32_MAX;
		rc = encode_term(F, tm);
		if (rc == HESSC_ERR_TOO_BIG)
			continue;  /* too big: residual */
		if (rc != HESSC_OK)
			return rc;
		if (F->nvars >= UINT32_MAX / 2 || F->ncons >= UINT32_MAX / 2)
			return HESSC_ERR_TOO_BIG;
		tm->shape = intern_shape(F, t, tm->nvar, tm->ncon);
		if (tm->shape == UINT32_MAX)
			return HESSC_ERR_NOMEM;
	}
	return HESSC_OK;
}

/* ---- loops -------------------------------------------------------------- */

typedef struct found_loop {
	uint32_t shape;
	size_t *members;     /* term ordinals, size count0*count1 (in iteration order) */
	size_t count0, count1;
} found_loop;

/* slot s of term t */
static int64_t tvar(const finder *F, size_t t, size_t s)
{
	return F->vars[F->terms[t].var0 + s];
}

/* 1 when every slot of term b equals term a's plus k times `stride`. */
static int advances(const finder *F, size_t a, size_t b, const int64_t *stride, int64_t k)
{
	size_t nv = F->terms[a].nvar;
	for (size_t s = 0; s < nv; s++)
		if (tvar(F, b, s) != tvar(F, a, s) + k * stride[s])
			return 0;
	return 1;
}

/* Greedy loops over one shape's members m[0..len): the longest 1-D run,
 * extended to whole blocks of that length (2-D) when they continue
 * affinely.  Single terms are left out (*left marks them for the
 * residual). */
static int loops_of_group(const finder *F, const size_t *m, size_t len, uint32_t shape,
                          found_loop **loops, size_t *nloops, size_t *cap, uint8_t *residual)
{
	size_t nv = F->shapes[shape].nvar, s = 0;
	int64_t *s1 = malloc((nv + 1) * sizeof *s1), *s2 = malloc((nv + 1) * sizeof *s2);
	int ok = 0;
	if (!s1 || !s2)
		goto done;
	while (s < len) {
		size_t L = 1, B = 1;
		if (s + 1 < len) {
			for (size_t v = 0; v < nv; v++)
				s1[v] = tvar(F, m[s + 1], v) - tvar(F, m[s], v);
			L = 2;
			while (s + L < len && advances(F, m[s], m[s + L], s1, (int64_t)L))
				L++;
		}
		if (L < 2) {
			residual[m[s]] = 1;
			s++;
			continue;
		}
		if (s + 2 * L <= len) {
			for (size_t v = 0; v < nv; v++)
				s2[v] = tvar(F, m[s + L], v) - tvar(F, m[s], v);
			for (;;) {
				size_t b0 = s + B * L;
				int good = b0 + L <= len && advances(F, m[s], m[b0], s2, (int64_t)B);
				for (size_t u = 1; good && u < L; u++)
					good = advances(F, m[b0], m[b0 + u], s1, (int64_t)u);
				if (!good)
					break;
				B++;
			}
		}
		if (!ARRAY_GROW(*loops, *cap, *nloops + 1))
			goto done;
		{
			found_loop *fl = &(*loops)[(*nloops)++];
			fl->shape = shape;
			fl->count0 = B;
			fl->count1 = L;
			fl->members = malloc(B * L * sizeof *fl->members);
			if (!fl->members)
				goto done;
			memcpy(fl->members, m + s, B * L * sizeof *fl->members);
		}
		s += B * L;
	}
	ok = 1;
done:
	free(s1);
	free(s2);
	return ok;
}

/* ---- bodies ------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static hessc_status make_loop(const finder *F, const found_loop *fl, tmpl_loop *l)
{
	const shape *sh = &F->shapes[fl->shape];
	size_t iters = fl->count0 * fl->count1, nv = sh->nvar, nc = sh->ncon, ntab = 0;
	int64_t *base = malloc((3 * nv + 1) * sizeof *base), *stride0 = base + nv,
	        *stride1 = base + 2 * nv;
	int64_t *table_of = malloc((nc + 1) * sizeof *table_of);
	const term *t0 = &F->terms[fl->members[0]];
	double *tables = NULL;
	hessc_status rc = HESSC_ERR_NOMEM;

	memset(l, 0, sizeof *l);
	if (!base || !table_of)
		goto done;
	for (size_t s = 0; s < nv; s++) {
		base[s] = tvar(F, fl->members[0], s);
		stride1[s] = fl->count1 > 1 ? tvar(F, fl->members[1], s) - base[s] : 0;
		stride0[s] = fl->count0 > 1 ? tvar(F, fl->members[fl->count1], s) - base[s] : 0;
	}
	/* constants equal in every iteration stay literal; the others are tables */
	for (size_t q = 0; q < nc; q++) {
		double v0 = F->cons[t0->con0 + q];
		int same = 1;
		for (size_t it = 1; it < iters && same; it++)
			same = memcmp(&F->cons[F->terms[fl->members[it]].con0 + q], &v0, sizeof v0) == 0;
		table_of[q] = same ? -1 : (int64_t)ntab++;
	}
	if (ntab) {
		tables = malloc(ntab * iters * sizeof *tables);
		if (!tables)
			goto done;
		for (size_t q = 0; q < nc; q++)
			if (table_of[q] >= 0)
				for (size_t it = 0; it < iters; it++)
					tables[(size_t)table_of[q] * iters + it] =
						F->cons[F->terms[fl->members[it]].con0 + q];
	}
	{
		tcanon_loop_spec spec = {
			.nodes = F->pool + sh->off, .len = sh->len, .n_slots = nv, .n_cons = nc,
			.base = base, .stride0 = stride0, .stride1 = stride1,
			.count0 = fl->count0, .count1 = fl->count1,
			.lit = F->cons + t0->con0, .table_of = table_of, .n_tables = ntab,
			.tables = tables, .first_term = fl->members[0],
		};
		tables = NULL;  /* the loop's now */
		rc = tcanon_make_loop(&spec, l);
	}
done:
	free(base);
	free(table_of);
	free(tables);
	return rc;
}

/* A residual's leaves of one kind: sorted, distinct (variable numbers, or
 * OP_DATA indices). */
typedef struct leaf_list {
	int64_t *items;
	size_t n, cap;
} leaf_list;

/* Copy the DAG below `root` into `body` (the memo, one epoch for every
 * residual term, remembers the copies), variables renamed to their
 * position in the sorted `vars`, run-time input elements to theirs in
 * `data` (the body's data slots).  Returns the copy, or GRAPH_NO_NODE when
 * memory runs out. */
static node_id copy_term(finder *F, node_id root, graph *body, const leaf_list *vars,
                         const leaf_list *data)
{
	size_t n = 0;
	if (!ARRAY_GROW(F->stack, F->stack_cap, 8))
		return GRAPH_NO_NODE;
	F->stack[n++] = root;
	while (n > 0) {
		node_id id = F->stack[n - 1], r;
		const graph_node *g = graph_get(F->g, id);
		int ar = op_arity(g), ready = 1;
		node_id o[3] = {0, 0, 0};
		tmemo_entry *m;
		if (tmemo_state(&F->C.memo, id) & TMEMO_COPIED) {
			n--;
			continue;
		}
		for (int k = 0; k < ar; k++)
			if (!(tmemo_state(&F->C.memo, operand(g, k)) & TMEMO_COPIED)) {
				if (!ARRAY_GROW(F->stack, F->stack_cap, n + 1))
					return GRAPH_NO_NODE;
				F->stack[n++] = operand(g, k);
				ready = 0;
			}
		if (!ready)
			continue;
		n--;
		for (int k = 0; k < ar; k++)
			o[k] = (node_id)tmemo_find(&F->C.memo, operand(g, k))->val;
		switch ((graph_op)g->op) {
		case OP_VAR: {
			int64_t v = g->index;
			int64_t *hit = vars->n ? bsearch(&v, vars->items, vars->n, sizeof v, cmp_i64) : NULL;
			r = hit ? graph_var(body, hit - vars->items) : GRAPH_NO_NODE;
			break;
		}
		case OP_DATA: {
			int64_t v = g->index;
			int64_t *hit = data->n ? bsearch(&v, data->items, data->n, sizeof v, cmp_i64) : NULL;
			r = hit ? graph_data(body, hit - data->items, 0) : GRAPH_NO_NODE;
			break;
		}
		case OP_CONST: r = graph_const(body, g->value); break;
		case OP_POWI: r = graph_powi(body, o[0], (int)g->index); break;
		case OP_IF: r = graph_if(body, o[0], o[1], o[2]); break;
		default:
			r = ar == 1 ? graph_unary(body, (graph_op)g->op, o[0])
			            : graph_binary(body, (graph_op)g->op, o[0], o[1]);
			break;
		}
		if (r == GRAPH_NO_NODE)
			return GRAPH_NO_NODE;
		m = tmemo_get(&F->C.memo, id);
		if (!m)
			return GRAPH_NO_NODE;
		m->val = (int32_t)r;
		m->state |= TMEMO_COPIED;
	}
	return (node_id)tmemo_find(&F->C.memo, root)->val;
}

/* Append the variables below `root` to vars, its run-time input elements
 * to data (the memo remembers what was visited). */
static int collect_leaves(finder *F, node_id root, leaf_list *vars, leaf_list *data)
{
	size_t n = 0;
	if (!ARRAY_GROW(F->stack, F->stack_cap, 8))
		return 0;
	F->stack[n++] = root;
	while (n > 0) {
		node_id id = F->stack[--n];
		const graph_node *g = graph_get(F->g, id);
		tmemo_entry *m;
		if (tmemo_state(&F->C.memo, id) & TMEMO_COLLECTED)
			continue;
		m = tmemo_get(&F->C.memo, id);
		if (!m)
			return 0;
		m->state |= TMEMO_COLLECTED;
		if (g->op == OP_VAR || g->op == OP_DATA) {
			leaf_list *to = g->op == OP_VAR ? vars : data;
			if (!ARRAY_GROW(to->items, to->cap, to->n + 1))
				return 0;
			to->items[to->n++] = g->index;
		}
		for (int k = 0; k < op_arity(g); k++) {
			if (!ARRAY_GROW(F->stack, F->stack_cap, n + 1))
				return 0;
			F->stack[n++] = operand(g, k);
		}
	}
	return 1;
}

/* The residual: every term no loop covers, summed in their order, over
 * the sorted union of their variables, with an explicit map. */
static void sort_distinct(leaf_list *list)
{
	size_t w = 0;
	if (list->n > 1)
		qsort(list->items, list->n, sizeof *list->items, cmp_i64);
	for (size_t k = 0; k < list->n; k++)
		if (w == 0 || list->items[k] != list->items[w - 1])
			list->items[w++] = list->items[k];
	list->n = w;
}

static hessc_status make_residual(finder *F, const uint8_t *residual, tmpl_loop *l)
{
	leaf_list vars = { NULL, 0, 0 }, data = { NULL, 0, 0 };
	size_t nv, nd;
	node_id sum = GRAPH_NO_NODE;
	hessc_status rc = HESSC_ERR_NOMEM;

	memset(l, 0, sizeof *l);
	if (!tmemo_clear(&F->C.memo, F->size))
		goto done;
	for (size_t t = 0; t < F->nterms; t++)
		if (residual[t] && !collect_leaves(F, F->terms[t].node, &vars, &data))
			goto done;
	if (!tmemo_clear(&F->C.memo, F->size))
		goto done;
	sort_distinct(&vars);
	sort_distinct(&data);
	nv = vars.n;
	nd = data.n;
	l->count[0] = l->count[1] = 1;
	l->n_slots = nv;
	l->n_data = nd;
	l->vars = malloc((nv + 1) * sizeof *l->vars);
	l->data_input = malloc((nd + 1) * sizeof *l->data_input);
	l->data_base = calloc(nd + 1, sizeof *l->data_base);
	l->data_stride0 = calloc(nd + 1, sizeof *l->data_stride0);
	l->data_stride1 = calloc(nd + 1, sizeof *l->data_stride1);
	l->body = graph_new();
	if (!l->vars || !l->data_input || !l->data_base || !l->data_stride0 || !l->data_stride1 ||
	    !l->body)
		goto done;
	for (size_t k = 0; k < nv; k++)
		l->vars[k] = (int)vars.items[k];
	for (size_t k = 0; k < nd; k++) {   /* one iteration: the element itself */
		l->data_input[k] = (int)graph_data_array(data.items[k]);
		l->data_base[k] = (long)graph_data_element(data.items[k]);
	}
	for (size_t t = 0; t < F->nterms; t++) {
		const term *tm = &F->terms[t];
		node_id r;
		if (!residual[t])
			continue;
		if (l->first_term == 0 && sum == GRAPH_NO_NODE)
			l->first_term = t;
		r = copy_term(F, tm->node, l->body, &vars, &data);
		if (r == GRAPH_NO_NODE)
			goto done;
		if (tm->weight != 1.0)
			r = graph_binary(l->body, OP_MUL, graph_const(l->body, tm->weight), r);
		sum = sum == GRAPH_NO_NODE ? r : graph_binary(l->body, OP_ADD, sum, r);
	}
	l->root = sum == GRAPH_NO_NODE ? graph_const(l->body, 0.0) : sum;
	if (graph_failed(l->body))
		goto done;
	l->view.count0 = l->view.count1 = 1;
	l->view.n_slots = (int)nv;
	l->view.vars = l->vars;
	rc = HESSC_OK;
done:
	free(vars.items);
	free(data.items);
	return rc;
}

/* ---- the stage ---------------------------------------------------------- */

static void finder_free(finder *F)
{
	tcanon_free(&F->C);
	free(F->cons_table);
	free(F->terms);
	free(F->vars);
	free(F->cons);
	free(F->pool);
	free(F->shapes);
	free(F->table);
	free(F->stack);
}

/* Nothing in the objective but the +0 the front end leaves when every
 * term went into loops. */
static int is_plus_zero(const graph *g, node_id id)
{
	double v;
	return graph_is_const(g, id, &v) && v == 0.0 && !signbit(v);
}

hessc_status tmpl_find(const graph *g, node_id objective, size_t n, size_t min_templated,
                       tmpl_set *out)
{
	return tmpl_find_more(g, objective, n, min_templated, NULL, out);
}

hessc_status tmpl_find_more(const graph *g, node_id objective, size_t n, size_t min_templated,
                            tmpl_set *found, tmpl_set *out)
{
	finder F;
	found_loop *loops = NULL;
	size_t nloops = 0, loops_cap = 0, *order = NULL, *start = NULL;
	size_t nfound = found ? found->n_loops : 0;
	uint8_t *residual = NULL;
	size_t templated = 0, any_residual = 0;
	hessc_status rc = HESSC_ERR_NOMEM;

	memset(out, 0, sizeof *out);
	memset(&F, 0, sizeof F);
	out->n = n;
	if (graph_failed(g) || objective >= graph_size(g))
		return HESSC_ERR_INTERNAL;
	F.g = g;
	F.size = graph_size(g);
	tcanon_init(&F.C);
	if (!(nfound > 0 && is_plus_zero(g, objective))) {
		rc = split_terms(&F, objective);
		if (rc == HESSC_ERR_TOO_BIG) {  /* not a sum we can walk: keep the unrolled path */
			rc = HESSC_OK;
			goto done;
		}
		if (rc != HESSC_OK)
			goto done;
		rc = shape_terms(&F);
		if (rc == HESSC_ERR_TOO_BIG) {
			rc = HESSC_OK;
			goto done;
		}
		if (rc != HESSC_OK)
			goto done;
	}
	out->n_terms = F.nterms + (found ? found->n_terms : 0);

	/* members of each shape in term order (counting sort by shape) */
	rc = HESSC_ERR_NOMEM;
	residual = calloc(F.nterms + 1, 1);
	order = malloc((F.nterms + 1) * sizeof *order);
	start = calloc(F.nshapes + 2, sizeof *start);
	if (!residual || !order || !start)
		goto done;
	for (size_t t = 0; t < F.nterms; t++) {
		if (F.terms[t].shape == UINT32_MAX)
			residual[t] = 1;
		else
			start[F.terms[t].shape + 1]++;
	}
	for (size_t s = 0; s < F.nshapes; s++)
		start[s + 1] += start[s];
	for (size_t t = 0; t < F.nterms; t++)
		if (F.terms[t].shape != UINT32_MAX)
			order[start[F.terms[t].shape]++] = t;
	for (size_t s = F.nshapes; s > 0; s--)
		start[s] = start[s - 1];
	start[0] = 0;
	for (size_t s = 0; s < F.nshapes; s++)
		if (!loops_of_group(&F, order + start[s], start[s + 1] - start[s], (uint32_t)s, &loops,
		                    &nloops, &loops_cap, residual))
			goto done;
	for (size_t k = 0; k < nloops; k++)
		templated += loops[k].count0 * loops[k].count1;
	for (size_t t = 0; t < F.nterms; t++)
		any_residual |= residual[t];
	if (found)
		templated += found->n_templated;
	out->n_templated = templated;
	if (nfound + nloops == 0 || templated < min_templated) {
		rc = HESSC_OK;  /* nothing worth a loop: the unrolled path */
		goto done;
	}

	out->loops = calloc(nfound + nloops + 1, sizeof *out->loops);
	if (!out->loops)
		goto done;
	/* the loops found before come first, and are out's from here on */
	if (nfound) {
		memcpy(out->loops, found->loops, nfound * sizeof *out->loops);
		out->n_loops = nfound;
		free(found->loops);
		found->loops = NULL;
		found->n_loops = 0;
	}
	for (size_t k = 0; k < nloops; k++) {
		rc = make_loop(&F, &loops[k], &out->loops[nfound + k]);
		out->loops[nfound + k].first_term += out->n_terms - F.nterms;
		out->n_loops = nfound + k + 1;
		if (rc != HESSC_OK)
			goto done;
	}
	if (any_residual) {
		rc = make_residual(&F, residual, &out->loops[nfound + nloops]);
		out->loops[nfound + nloops].first_term += out->n_terms - F.nterms;
		out->n_loops = nfound + nloops + 1;
		out->has_residual = 1;
		if (rc != HESSC_OK)
			goto done;
	}
	rc = HESSC_OK;
done:
	for (size_t k = 0; k < nloops; k++)
		free(loops[k].members);
	free(loops);
	free(order);
	free(start);
	free(residual);
	finder_free(&F);
	if (rc != HESSC_OK)
		tmpl_set_free(out);
	return rc;
}
