/* template_find.c -- the objective's terms, their shapes, and the loops
 * they form (template.h). */
#include "template.h"

#include <stdlib.h>
#include <string.h>

/* ---- growable arrays ---------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t cap2;
	void *q;
	if (need <= *cap)
		return 1;
	cap2 = *cap ? *cap : 64;
	while (cap2 < need)
		cap2 *= 2;
	q = realloc(*p, cap2 * elem);
	if (!q)
		return 0;
	*p = q;
	*cap = cap2;
	return 1;
}

#define GROW(arr, cap, need) grow((void **)&(arr), &(cap), (need), sizeof *(arr))

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

/* What the walks over one term remember per node: a small open-addressing
 * map emptied in O(1) by an epoch (graph-sized arrays would double the
 * memory of a million-term model). */
typedef struct memo {
	node_id key;
	uint32_t epoch;
	uint32_t state;      /* MEMO_* bits */
	int32_t canon;       /* canonical position, or the copied node id */
	uint64_t hash;
	int64_t minvar;
} memo;

enum { MEMO_HASHED = 1, MEMO_ENCODED = 2, MEMO_COLLECTED = 4, MEMO_COPIED = 8 };

/* One canonical node of a shape: op, extra (VAR: slot, CONST: constant
 * number, POWI: exponent), operands as canonical positions (-1: none). */
typedef struct canon {
	int32_t op, extra, a, b, c;
} canon;

typedef struct shape {
	size_t off, len;     /* canon entries in the pool */
	uint64_t hash;
	size_t nvar, ncon;
	size_t first_term;
} shape;

typedef struct finder {
	const graph *g;
	size_t size;
	/* per node of the term(s) being walked */
	memo *memo;
	size_t memo_cap, memo_used;
	uint32_t epoch;
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
	canon *pool;
	size_t npool, pool_cap;
	shape *shapes;
	size_t nshapes, shapes_cap;
	uint32_t *table;     /* open addressing over shapes, size table_cap */
	size_t table_cap;
	/* scratch */
	node_id *stack;
	size_t stack_cap;
	canon *cur;
	size_t ncur, cur_cap;
} finder;

static size_t memo_slot(node_id key, size_t mask)
{
	uint32_t h = key * 0x9e3779b1u;
	return (size_t)(h ^ (h >> 15)) & mask;
}

/* Forget every entry (a new term). */
static void memo_clear(finder *F)
{
	F->epoch++;
	F->memo_used = 0;
	if (F->epoch == 0) {  /* wrapped: make old stamps unmistakable */
		for (size_t k = 0; k < F->memo_cap; k++)
			F->memo[k].epoch = 0;
		F->epoch = 1;
	}
}

static memo *memo_find(const finder *F, node_id key)
{
	size_t mask = F->memo_cap - 1;
	for (size_t k = memo_slot(key, mask);; k = (k + 1) & mask) {
		memo *m = &F->memo[k];
		if (m->epoch != F->epoch)
			return NULL;
		if (m->key == key)
			return m;
	}
}

static uint32_t memo_state(const finder *F, node_id key)
{
	const memo *m = memo_find(F, key);
	return m ? m->state : 0;
}

/* The entry of key, created empty when absent; NULL when memory runs out. */
static memo *memo_get(finder *F, node_id key)
{
	size_t mask;
	memo *m = memo_find(F, key);
	if (m)
		return m;
	if (2 * (F->memo_used + 1) > F->memo_cap) {
		size_t cap = F->memo_cap * 2, old_cap = F->memo_cap;
		memo *old = F->memo, *fresh = calloc(cap, sizeof *fresh);
		if (!fresh)
			return NULL;
		F->memo = fresh;
		F->memo_cap = cap;
		for (size_t k = 0; k < old_cap; k++)
			if (old[k].epoch == F->epoch) {
				size_t j = memo_slot(old[k].key, cap - 1);
				while (fresh[j].epoch == F->epoch)
					j = (j + 1) & (cap - 1);
				fresh[j] = old[k];
			}
		free(old);
	}
	mask = F->memo_cap - 1;
	{
		size_t k = memo_slot(key, mask);
		while (F->memo[k].epoch == F->epoch)
			k = (k + 1) & mask;
		m = &F->memo[k];
	}
	memset(m, 0, sizeof *m);
	m->key = key;
	m->epoch = F->epoch;
	F->memo_used++;
	return m;
}

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

	if (!GROW(st, cap, 1))
		return rc;
	st[n++] = (item){root, 1.0};
	while (n > 0) {
		item it = st[--n];
		const graph_node *g = graph_get(F->g, it.node);
		double c;
		if (!GROW(st, cap, n + 2))
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
		if (!GROW(F->terms, F->terms_cap, F->nterms + 1))
			goto done;
		F->terms[F->nterms++] = (term){.node = it.node, .weight = it.weight};
	}
	rc = HESSC_OK;
done:
	free(st);
	return rc;
}

/* ---- shapes ------------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	/* the tables index by the low bits, which a product alone leaves as
	 * regular as the input's (small integers as doubles end in zero bits) */
	return h ^ (h >> 29);
}

static int op_arity(const graph_node *n)
{
	return graph_op_arity((graph_op)n->op);
}

static node_id operand(const graph_node *n, int k)
{
	return k == 0 ? n->a : k == 1 ? n->b : n->c;
}

/* Pass A: hash and smallest variable of every node of the term (post-order,
 * iterative).  Returns the number of distinct nodes, or 0 when the term
 * has more than TMPL_MAX_TERM_NODES (or memory ran out: *nomem). */
static size_t hash_term(finder *F, node_id root, int *nomem)
{
	size_t n = 0, count = 0;
	if (!GROW(F->stack, F->stack_cap, 8))
		return *nomem = 1, 0;
	F->stack[n++] = root;
	while (n > 0) {
		node_id id = F->stack[n - 1];
		const graph_node *g = graph_get(F->g, id);
		int ar = op_arity(g), ready = 1;
		memo *m;
		if (memo_state(F, id) & MEMO_HASHED) {
			n--;
			continue;
		}
		for (int k = 0; k < ar; k++)
			if (!(memo_state(F, operand(g, k)) & MEMO_HASHED)) {
				if (!GROW(F->stack, F->stack_cap, n + 1))
					return *nomem = 1, 0;
				F->stack[n++] = operand(g, k);
				ready = 0;
			}
		if (!ready)
			continue;
		n--;
		if (++count > TMPL_MAX_TERM_NODES)
			return 0;
		m = memo_get(F, id);
		if (!m)
			return *nomem = 1, 0;
		m->state |= MEMO_HASHED;
		if (g->op == OP_VAR) {
			m->hash = 0x51a7u;
			m->minvar = g->index;
		} else if (g->op == OP_CONST) {
			m->hash = 0xc0c0u;
			m->minvar = INT64_MAX;
		} else {
			uint64_t h = mix(g->op + 1u, (uint64_t)g->index), hk[3];
			int64_t mv = INT64_MAX;
			for (int k = 0; k < ar; k++) {
				const memo *o = memo_find(F, operand(g, k));
				hk[k] = o->hash;
				if (o->minvar < mv)
					mv = o->minvar;
			}
			if (graph_op_commutative((graph_op)g->op) && ar == 2 && hk[1] < hk[0]) {
				uint64_t t = hk[0];
				hk[0] = hk[1];
				hk[1] = t;
			}
			for (int k = 0; k < ar; k++)
				h = mix(h, hk[k]);
			m = memo_find(F, id);  /* memo_get of operands never moves it: they exist */
			m->hash = h;
			m->minvar = mv;
		}
	}
	return count;
}

/* Commutative operands in canonical order: by shape, then by variable. */
static void ordered_operands(const finder *F, const graph_node *g, node_id ops[3])
{
	int ar = op_arity(g);
	for (int k = 0; k < ar; k++)
		ops[k] = operand(g, k);
	if (ar == 2 && graph_op_commutative((graph_op)g->op)) {
		const memo *x = memo_find(F, ops[0]), *y = memo_find(F, ops[1]);
		if (y->hash < x->hash || (y->hash == x->hash && y->minvar < x->minvar)) {
			node_id t = ops[0];
			ops[0] = ops[1];
			ops[1] = t;
		}
	}
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
		h = mix(h, bits);
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
					hh = mix(hh, bits);
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

/* Pass B: the canonical post-order of the term into F->cur, its slots'
 * variables and its constants appended to F->vars / F->cons. */
static int encode_term(finder *F, term *t)
{
	size_t n = 0, con_from = F->ncons, ncon;
	F->ncur = 0;
	t->var0 = (uint32_t)F->nvars;
	if (!GROW(F->cons, F->cons_cap, F->ncons + 1))
		return 0;
	F->cons[F->ncons++] = t->weight;
	if (!GROW(F->stack, F->stack_cap, 8))
		return 0;
	F->stack[n++] = t->node;
	while (n > 0) {
		node_id id = F->stack[n - 1], ops[3];
		const graph_node *g = graph_get(F->g, id);
		int ar = op_arity(g), ready = 1;
		canon c = {g->op, 0, -1, -1, -1};
		memo *m;
		if (memo_state(F, id) & MEMO_ENCODED) {
			n--;
			continue;
		}
		ordered_operands(F, g, ops);
		/* push in reverse so that the first operand is encoded first */
		for (int k = ar - 1; k >= 0; k--)
			if (!(memo_state(F, ops[k]) & MEMO_ENCODED)) {
				if (!GROW(F->stack, F->stack_cap, n + 1))
					return 0;
				F->stack[n++] = ops[k];
				ready = 0;
			}
		if (!ready)
			continue;
		n--;
		if (g->op == OP_VAR) {
			if (!GROW(F->vars, F->vars_cap, F->nvars + 1))
				return 0;
			c.extra = (int32_t)(F->nvars - t->var0);
			F->vars[F->nvars++] = (int32_t)g->index;
		} else if (g->op == OP_CONST) {
			if (!GROW(F->cons, F->cons_cap, F->ncons + 1))
				return 0;
			c.extra = (int32_t)(F->ncons - con_from);
			F->cons[F->ncons++] = g->value;
		} else {
			c.extra = (int32_t)g->index;
			if (ar > 0) c.a = memo_find(F, ops[0])->canon;
			if (ar > 1) c.b = memo_find(F, ops[1])->canon;
			if (ar > 2) c.c = memo_find(F, ops[2])->canon;
		}
		if (!GROW(F->cur, F->cur_cap, F->ncur + 1))
			return 0;
		m = memo_find(F, id);
		m->canon = (int32_t)F->ncur;
		m->state |= MEMO_ENCODED;
		F->cur[F->ncur++] = c;
	}
	t->nvar = (uint16_t)(F->nvars - t->var0);
	ncon = F->ncons - con_from;
	t->ncon = (uint16_t)ncon;
	t->con0 = intern_constants(F, con_from);
	return t->con0 != UINT32_MAX;
}

static uint64_t hash_canon(const canon *c, size_t len)
{
	uint64_t h = 0x1234567u;
	for (size_t k = 0; k < len; k++) {
		h = mix(h, (uint64_t)(uint32_t)c[k].op);
		h = mix(h, (uint64_t)(uint32_t)c[k].extra);
		h = mix(h, (uint64_t)(uint32_t)c[k].a);
		h = mix(h, (uint64_t)(uint32_t)c[k].b);
		h = mix(h, (uint64_t)(uint32_t)c[k].c);
	}
	return h;
}

/* The shape id of F->cur, interned. UINT32_MAX when memory runs out. */
static uint32_t intern_shape(finder *F, size_t term_index, size_t nvar, size_t ncon)
{
	uint64_t h = hash_canon(F->cur, F->ncur);
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
		if (s->hash == h && s->len == F->ncur
		    && memcmp(F->pool + s->off, F->cur, F->ncur * sizeof *F->cur) == 0)
			return F->table[slot];
	}
	if (!GROW(F->pool, F->pool_cap, F->npool + F->ncur)
	    || !GROW(F->shapes, F->shapes_cap, F->nshapes + 1))
		return UINT32_MAX;
	memcpy(F->pool + F->npool, F->cur, F->ncur * sizeof *F->cur);
	F->shapes[F->nshapes] = (shape){F->npool, F->ncur, h, nvar, ncon, term_index};
	F->npool += F->ncur;
	F->table[slot] = (uint32_t)F->nshapes;
	return (uint32_t)F->nshapes++;
}

static hessc_status shape_terms(finder *F)
{
	if (F->nvars > UINT32_MAX / 2)
		return HESSC_ERR_TOO_BIG;
	for (size_t t = 0; t < F->nterms; t++) {
		term *tm = &F->terms[t];
		int nomem = 0;
		tm->shape = UINT32_MAX;
		memo_clear(F);
		if (hash_term(F, tm->node, &nomem) == 0) {
			if (nomem)
				return HESSC_ERR_NOMEM;
			continue;  /* too big: residual */
		}
		if (!encode_term(F, tm))
			return HESSC_ERR_NOMEM;
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
		if (!GROW(*loops, *cap, *nloops + 1))
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

/* Rebuild a shape in `body`: slot s is input slot_input[s], constant q is a
 * literal (con_input[q] < 0, value cons[q]) or input con_input[q].  The
 * weight (constant 0) multiplies the term.  Returns the root. */
static node_id build_body(graph *body, const canon *c, size_t len, const int64_t *slot_input,
                          const int64_t *con_input, const double *cons, node_id *scratch)
{
	node_id weight, root;
	for (size_t k = 0; k < len; k++) {
		node_id a = c[k].a >= 0 ? scratch[c[k].a] : 0;
		node_id b = c[k].b >= 0 ? scratch[c[k].b] : 0;
		node_id cc = c[k].c >= 0 ? scratch[c[k].c] : 0;
		node_id r;
		switch ((graph_op)c[k].op) {
		case OP_VAR:
			r = graph_var(body, slot_input[c[k].extra]);
			break;
		case OP_CONST:
			r = con_input[c[k].extra] < 0 ? graph_const(body, cons[c[k].extra])
			                              : graph_var(body, con_input[c[k].extra]);
			break;
		case OP_POWI:
			r = graph_powi(body, a, c[k].extra);
			break;
		case OP_IF:
			r = graph_if(body, a, b, cc);
			break;
		default:
			r = graph_op_arity((graph_op)c[k].op) == 1 ? graph_unary(body, (graph_op)c[k].op, a)
			                                           : graph_binary(body, (graph_op)c[k].op, a, b);
			break;
		}
		scratch[k] = r;
	}
	root = len ? scratch[len - 1] : graph_const(body, 0.0);
	weight = con_input[0] < 0 ? graph_const(body, cons[0]) : graph_var(body, con_input[0]);
	if (con_input[0] < 0 && cons[0] == 1.0)
		return root;
	return graph_binary(body, OP_MUL, weight, root);
}

static hessc_status make_loop(const finder *F, const found_loop *fl, size_t n, tmpl_loop *l)
{
	const shape *sh = &F->shapes[fl->shape];
	size_t iters = fl->count0 * fl->count1, nv = sh->nvar, nc = sh->ncon;
	int64_t *slot_input = malloc((nv + 1) * sizeof *slot_input);
	int64_t *con_input = malloc((nc + 1) * sizeof *con_input);
	node_id *scratch = malloc((sh->len + 1) * sizeof *scratch);
	const term *t0 = &F->terms[fl->members[0]];
	hessc_status rc = HESSC_ERR_NOMEM;
	size_t ntab = 0;
	(void)n;

	memset(l, 0, sizeof *l);
	l->count[0] = fl->count0;
	l->count[1] = fl->count1;
	l->n_slots = nv;
	l->first_term = fl->members[0];
	l->base = malloc((nv + 1) * sizeof *l->base);
	l->stride0 = malloc((nv + 1) * sizeof *l->stride0);
	l->stride1 = malloc((nv + 1) * sizeof *l->stride1);
	if (!slot_input || !con_input || !scratch || !l->base || !l->stride0 || !l->stride1)
		goto done;
	for (size_t s = 0; s < nv; s++) {
		l->base[s] = (long)tvar(F, fl->members[0], s);
		l->stride1[s] = fl->count1 > 1 ? (long)(tvar(F, fl->members[1], s) - l->base[s]) : 0;
		l->stride0[s] = fl->count0 > 1
		                    ? (long)(tvar(F, fl->members[fl->count1], s) - l->base[s]) : 0;
		slot_input[s] = (int64_t)s;
	}
	/* constants equal in every iteration stay literal; the others are tables */
	for (size_t q = 0; q < nc; q++) {
		double v0 = F->cons[t0->con0 + q];
		int same = 1;
		for (size_t it = 1; it < iters && same; it++)
			same = memcmp(&F->cons[F->terms[fl->members[it]].con0 + q], &v0, sizeof v0) == 0;
		con_input[q] = same ? -1 : (int64_t)(nv + ntab++);
	}
	l->n_tables = ntab;
	if (ntab) {
		l->tables = malloc(ntab * iters * sizeof *l->tables);
		if (!l->tables)
			goto done;
		for (size_t q = 0; q < nc; q++)
			if (con_input[q] >= 0)
				for (size_t it = 0; it < iters; it++)
					l->tables[(size_t)(con_input[q] - (int64_t)nv) * iters + it] =
						F->cons[F->terms[fl->members[it]].con0 + q];
	}
	l->body = graph_new();
	if (!l->body)
		goto done;
	l->root = build_body(l->body, F->pool + sh->off, sh->len, slot_input, con_input,
	                     F->cons + t0->con0, scratch);
	if (graph_failed(l->body))
		goto done;
	l->view.count0 = (long)l->count[0];
	l->view.count1 = (long)l->count[1];
	l->view.n_slots = (int)nv;
	l->view.base = l->base;
	l->view.stride0 = l->stride0;
	l->view.stride1 = l->stride1;
	rc = HESSC_OK;
done:
	free(slot_input);
	free(con_input);
	free(scratch);
	return rc;
}

/* Copy the DAG below `root` into `body` (the memo, one epoch for every
 * residual term, remembers the copies), variables renamed to their
 * position in the sorted `vars`.  Returns the copy, or GRAPH_NO_NODE when
 * memory runs out. */
static node_id copy_term(finder *F, node_id root, graph *body, const int64_t *vars, size_t nv)
{
	size_t n = 0;
	if (!GROW(F->stack, F->stack_cap, 8))
		return GRAPH_NO_NODE;
	F->stack[n++] = root;
	while (n > 0) {
		node_id id = F->stack[n - 1], r;
		const graph_node *g = graph_get(F->g, id);
		int ar = op_arity(g), ready = 1;
		node_id o[3] = {0, 0, 0};
		memo *m;
		if (memo_state(F, id) & MEMO_COPIED) {
			n--;
			continue;
		}
		for (int k = 0; k < ar; k++)
			if (!(memo_state(F, operand(g, k)) & MEMO_COPIED)) {
				if (!GROW(F->stack, F->stack_cap, n + 1))
					return GRAPH_NO_NODE;
				F->stack[n++] = operand(g, k);
				ready = 0;
			}
		if (!ready)
			continue;
		n--;
		for (int k = 0; k < ar; k++)
			o[k] = (node_id)memo_find(F, operand(g, k))->canon;
		switch ((graph_op)g->op) {
		case OP_VAR: {
			int64_t v = g->index;
			int64_t *hit = bsearch(&v, vars, nv, sizeof *vars, cmp_i64);
			r = hit ? graph_var(body, hit - vars) : GRAPH_NO_NODE;
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
		m = memo_get(F, id);
		if (!m)
			return GRAPH_NO_NODE;
		m->canon = (int32_t)r;
		m->state |= MEMO_COPIED;
	}
	return (node_id)memo_find(F, root)->canon;
}

/* Append the variables below `root` to *vars (the memo remembers what was
 * visited). */
static int collect_vars(finder *F, node_id root, int64_t **vars, size_t *nv, size_t *cap)
{
	size_t n = 0;
	if (!GROW(F->stack, F->stack_cap, 8))
		return 0;
	F->stack[n++] = root;
	while (n > 0) {
		node_id id = F->stack[--n];
		const graph_node *g = graph_get(F->g, id);
		memo *m;
		if (memo_state(F, id) & MEMO_COLLECTED)
			continue;
		m = memo_get(F, id);
		if (!m)
			return 0;
		m->state |= MEMO_COLLECTED;
		if (g->op == OP_VAR) {
			if (!GROW(*vars, *cap, *nv + 1))
				return 0;
			(*vars)[(*nv)++] = g->index;
		}
		for (int k = 0; k < op_arity(g); k++) {
			if (!GROW(F->stack, F->stack_cap, n + 1))
				return 0;
			F->stack[n++] = operand(g, k);
		}
	}
	return 1;
}

/* The residual: every term no loop covers, summed in their order, over
 * the sorted union of their variables, with an explicit map. */
static hessc_status make_residual(finder *F, const uint8_t *residual, tmpl_loop *l)
{
	size_t nv = 0, cap = 0;
	int64_t *vars = NULL;
	node_id sum = GRAPH_NO_NODE;
	hessc_status rc = HESSC_ERR_NOMEM;

	memset(l, 0, sizeof *l);
	memo_clear(F);
	for (size_t t = 0; t < F->nterms; t++)
		if (residual[t] && !collect_vars(F, F->terms[t].node, &vars, &nv, &cap))
			goto done;
	memo_clear(F);
	if (nv)
		qsort(vars, nv, sizeof *vars, cmp_i64);
	{
		size_t w = 0;
		for (size_t k = 0; k < nv; k++)
			if (w == 0 || vars[k] != vars[w - 1])
				vars[w++] = vars[k];
		nv = w;
	}
	l->count[0] = l->count[1] = 1;
	l->n_slots = nv;
	l->vars = malloc((nv + 1) * sizeof *l->vars);
	l->body = graph_new();
	if (!l->vars || !l->body)
		goto done;
	for (size_t k = 0; k < nv; k++)
		l->vars[k] = (int)vars[k];
	for (size_t t = 0; t < F->nterms; t++) {
		const term *tm = &F->terms[t];
		node_id r;
		if (!residual[t])
			continue;
		if (l->first_term == 0 && sum == GRAPH_NO_NODE)
			l->first_term = t;
		r = copy_term(F, tm->node, l->body, vars, nv);
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
	free(vars);
	return rc;
}

/* ---- the stage ---------------------------------------------------------- */

static void finder_free(finder *F)
{
	free(F->memo);
	free(F->cons_table);
	free(F->terms);
	free(F->vars);
	free(F->cons);
	free(F->pool);
	free(F->shapes);
	free(F->table);
	free(F->stack);
	free(F->cur);
}

hessc_status tmpl_find(const graph *g, node_id objective, size_t n, size_t min_templated,
                       tmpl_set *out)
{
	finder F;
	found_loop *loops = NULL;
	size_t nloops = 0, loops_cap = 0, *order = NULL, *start = NULL;
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
	F.memo_cap = 4 * TMPL_MAX_TERM_NODES;
	F.memo = calloc(F.memo_cap, sizeof *F.memo);
	if (!F.memo)
		goto done;
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
	out->n_terms = F.nterms;

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
	out->n_templated = templated;
	if (nloops == 0 || templated < min_templated) {
		rc = HESSC_OK;  /* nothing worth a loop: the unrolled path */
		goto done;
	}

	out->loops = calloc(nloops + 1, sizeof *out->loops);
	if (!out->loops)
		goto done;
	for (size_t k = 0; k < nloops; k++) {
		rc = make_loop(&F, &loops[k], n, &out->loops[k]);
		out->n_loops = k + 1;
		if (rc != HESSC_OK)
			goto done;
	}
	if (any_residual) {
		rc = make_residual(&F, residual, &out->loops[nloops]);
		out->n_loops = nloops + 1;
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
