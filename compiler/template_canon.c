/* template_canon.c -- a term's canonical shape, its rebuilding, and a loop
 * made from one (template_canon.h). */
#include "template_canon.h"
#include "array_grow.h"

#include <stdlib.h>
#include <string.h>


/* ---- the memo ----------------------------------------------------------- */

static size_t memo_slot(node_id key, size_t mask)
{
	uint32_t h = key * 0x9e3779b1u;
	return (size_t)(h ^ (h >> 15)) & mask;
}

int tmemo_clear(tmemo *m, size_t graph_size)
{
	m->epoch++;
	m->used = 0;
	if (m->epoch == 0) {  /* wrapped: make old stamps unmistakable */
		for (size_t k = 0; k < m->cap; k++)
			m->map[k].epoch = 0;
		for (size_t k = 0; k < m->dense_cap; k++)
			m->dense[k].epoch = 0;
		m->epoch = 1;
	}
	m->is_dense = graph_size <= TMEMO_DENSE_MAX;
	if (m->is_dense && graph_size > m->dense_cap) {
		size_t cap = m->dense_cap ? m->dense_cap : 256;
		tmemo_entry *d;
		while (cap < graph_size)
			cap *= 2;
		d = realloc(m->dense, cap * sizeof *d);
		if (!d)
			return 0;
		memset(d + m->dense_cap, 0, (cap - m->dense_cap) * sizeof *d);
		m->dense = d;
		m->dense_cap = cap;
	}
	if (!m->is_dense && !m->map) {
		m->cap = 4 * TMPL_MAX_TERM_NODES;
		m->map = calloc(m->cap, sizeof *m->map);
		if (!m->map)
			return 0;
	}
	return 1;
}

tmemo_entry *tmemo_find(const tmemo *m, node_id key)
{
	size_t mask;
	if (m->is_dense) {
		tmemo_entry *e = &m->dense[key];
		return e->epoch == m->epoch ? e : NULL;
	}
	mask = m->cap - 1;
	for (size_t k = memo_slot(key, mask);; k = (k + 1) & mask) {
		tmemo_entry *e = &m->map[k];
		if (e->epoch != m->epoch)
			return NULL;
		if (e->key == key)
			return e;
	}
}

uint32_t tmemo_state(const tmemo *m, node_id key)
{
	const tmemo_entry *e = tmemo_find(m, key);
	return e ? e->state : 0;
}

tmemo_entry *tmemo_get(tmemo *m, node_id key)
{
	size_t mask;
	tmemo_entry *e = tmemo_find(m, key);
	if (e)
		return e;
	if (m->is_dense) {
		e = &m->dense[key];
	} else {
		if (2 * (m->used + 1) > m->cap) {
			size_t cap = m->cap * 2, old_cap = m->cap;
			tmemo_entry *old = m->map, *fresh = calloc(cap, sizeof *fresh);
			if (!fresh)
				return NULL;
			m->map = fresh;
			m->cap = cap;
			for (size_t k = 0; k < old_cap; k++)
				if (old[k].epoch == m->epoch) {
					size_t j = memo_slot(old[k].key, cap - 1);
					while (fresh[j].epoch == m->epoch)
						j = (j + 1) & (cap - 1);
					fresh[j] = old[k];
				}
			free(old);
		}
		mask = m->cap - 1;
		{
			size_t k = memo_slot(key, mask);
			while (m->map[k].epoch == m->epoch)
				k = (k + 1) & mask;
			e = &m->map[k];
		}
	}
	memset(e, 0, sizeof *e);
	e->key = key;
	e->epoch = m->epoch;
	m->used++;
	return e;
}

void tmemo_free(tmemo *m)
{
	free(m->map);
	free(m->dense);
	memset(m, 0, sizeof *m);
}

/* ---- canonical form ----------------------------------------------------- */

void tcanon_init(tcanon *c)
{
	memset(c, 0, sizeof *c);
}

void tcanon_free(tcanon *c)
{
	free(c->nodes);
	free(c->slots);
	free(c->cons);
	free(c->stack);
	free(c->d_hash);
	free(c->d_minvar);
	free(c->d_pos);
	tmemo_free(&c->memo);
	memset(c, 0, sizeof *c);
}

int tcanon_is_slot_leaf(graph_op op)
{
	return op == OP_VAR || op == OP_DATA;
}

static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	/* the tables index by the low bits, which a product alone leaves as
	 * regular as the input's (small integers as doubles end in zero bits) */
	return h ^ (h >> 29);
}

uint64_t tcanon_mix(uint64_t h, uint64_t v)
{
	return mix(h, v);
}

static node_id operand(const graph_node *n, int k)
{
	return k == 0 ? n->a : k == 1 ? n->b : n->c;
}

/* Pass A: hash and smallest slot index of every node of the term
 * (post-order, iterative).  HESSC_ERR_TOO_BIG past TMPL_MAX_TERM_NODES. */
static hessc_status hash_term(tcanon *C, const graph *G, node_id root)
{
	size_t n = 0, count = 0;
	if (!ARRAY_GROW(C->stack, C->stack_cap, 8))
		return HESSC_ERR_NOMEM;
	C->stack[n++] = root;
	while (n > 0) {
		node_id id = C->stack[n - 1];
		const graph_node *g = graph_get(G, id);
		int ar = graph_op_arity((graph_op)g->op), ready = 1;
		tmemo_entry *m;
		if (tmemo_state(&C->memo, id) & TMEMO_HASHED) {
			n--;
			continue;
		}
		for (int k = 0; k < ar; k++)
			if (!(tmemo_state(&C->memo, operand(g, k)) & TMEMO_HASHED)) {
				if (!ARRAY_GROW(C->stack, C->stack_cap, n + 1))
					return HESSC_ERR_NOMEM;
				C->stack[n++] = operand(g, k);
				ready = 0;
			}
		if (!ready)
			continue;
		n--;
		if (++count > TMPL_MAX_TERM_NODES)
			return HESSC_ERR_TOO_BIG;
		m = tmemo_get(&C->memo, id);
		if (!m)
			return HESSC_ERR_NOMEM;
		m->state |= TMEMO_HASHED;
		if (g->op == OP_DATA) {
			/* an element of run-time input a: the shape knows the array, the
			 * slot the element; it takes no part in ordering by variable */
			m->hash = tcanon_mix(0xda7au, (uint64_t)graph_data_array(g->index));
			m->minvar = INT64_MAX;
		} else if (tcanon_is_slot_leaf((graph_op)g->op)) {
			m->hash = 0x51a7u;
			m->minvar = g->index;
		} else if (g->op == OP_CONST) {
			m->hash = 0xc0c0u;
			m->minvar = INT64_MAX;
		} else if (ar == 0) {
			return HESSC_ERR_TOO_BIG;  /* a leaf no slot kind covers: no shape */
		} else {
			uint64_t h = tcanon_mix(g->op + 1u, (uint64_t)g->index), hk[3];
			int64_t mv = INT64_MAX;
			for (int k = 0; k < ar; k++) {
				const tmemo_entry *o = tmemo_find(&C->memo, operand(g, k));
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
				h = tcanon_mix(h, hk[k]);
			m = tmemo_find(&C->memo, id);  /* creating operands' entries may move it */
			m->hash = h;
			m->minvar = mv;
		}
	}
	return HESSC_OK;
}

/* Commutative operands in canonical order: by shape, then by slot index. */
static void ordered_operands(const tcanon *C, const graph_node *g, node_id ops[3])
{
	int ar = graph_op_arity((graph_op)g->op);
	for (int k = 0; k < ar; k++)
		ops[k] = operand(g, k);
	if (ar == 2 && graph_op_commutative((graph_op)g->op)) {
		const tmemo_entry *x = tmemo_find(&C->memo, ops[0]);
		const tmemo_entry *y = tmemo_find(&C->memo, ops[1]);
		if (y->hash < x->hash || (y->hash == x->hash && y->minvar < x->minvar)) {
			node_id t = ops[0];
			ops[0] = ops[1];
			ops[1] = t;
		}
	}
}

/* A canonical constant node for one use of a constant, appended before
 * its user: its position, or -1 out of memory.  Constants are not shared
 * between uses, so that two constants of a term that happen to be equal
 * (two data values, 0.25 and 0.25) do not give it another shape. */
static int32_t use_constant(tcanon *C, double value)
{
	tcanon_node c = {OP_CONST, 0, -1, -1, -1};
	if (!ARRAY_GROW(C->cons, C->cons_cap, C->n_cons + 1)
	    || !ARRAY_GROW(C->nodes, C->nodes_cap, C->n_nodes + 1))
		return -1;
	c.extra = (int32_t)C->n_cons;
	C->cons[C->n_cons++] = value;
	C->nodes[C->n_nodes] = c;
	return (int32_t)C->n_nodes++;
}

/* Pass B: the canonical post-order into C->nodes, slots and constants. */
static hessc_status encode_term(tcanon *C, const graph *G, node_id root, double weight)
{
	size_t n = 0;
	C->n_nodes = C->n_slots = C->n_cons = 0;
	if (!ARRAY_GROW(C->cons, C->cons_cap, 1) || !ARRAY_GROW(C->stack, C->stack_cap, 8))
		return HESSC_ERR_NOMEM;
	C->cons[C->n_cons++] = weight;
	C->stack[n++] = root;
	while (n > 0) {
		node_id id = C->stack[n - 1], ops[3];
		const graph_node *g = graph_get(G, id);
		int ar = graph_op_arity((graph_op)g->op), ready = 1;
		tcanon_node c = {g->op, 0, -1, -1, -1};
		tmemo_entry *m;
		if (tmemo_state(&C->memo, id) & TMEMO_ENCODED) {
			n--;
			continue;
		}
		ordered_operands(C, g, ops);
		/* push in reverse so that the first operand is encoded first; a
		 * constant operand is encoded with its user, once per use */
		for (int k = ar - 1; k >= 0; k--)
			if (graph_get(G, ops[k])->op != OP_CONST
			    && !(tmemo_state(&C->memo, ops[k]) & TMEMO_ENCODED)) {
				if (!ARRAY_GROW(C->stack, C->stack_cap, n + 1))
					return HESSC_ERR_NOMEM;
				C->stack[n++] = ops[k];
				ready = 0;
			}
		if (!ready)
			continue;
		n--;
		if (tcanon_is_slot_leaf((graph_op)g->op)) {
			if (!ARRAY_GROW(C->slots, C->slots_cap, C->n_slots + 1))
				return HESSC_ERR_NOMEM;
			c.extra = (int32_t)C->n_slots;
			C->slots[C->n_slots++] = g->op == OP_DATA ? graph_data_element(g->index) : g->index;
			if (g->op == OP_DATA) {
				if (graph_data_element(g->index) > INT32_MAX)
					return HESSC_ERR_TOO_BIG;  /* the finders keep slots in 32 bits */
				c.a = (int32_t)graph_data_array(g->index);
			}
		} else if (g->op == OP_CONST) {
			if (!ARRAY_GROW(C->cons, C->cons_cap, C->n_cons + 1))
				return HESSC_ERR_NOMEM;
			c.extra = (int32_t)C->n_cons;
			C->cons[C->n_cons++] = g->value;
		} else {
			int32_t at[3] = {-1, -1, -1};
			for (int k = 0; k < ar; k++) {
				const graph_node *o = graph_get(G, ops[k]);
				if (o->op == OP_CONST) {
					if ((at[k] = use_constant(C, o->value)) < 0)
						return HESSC_ERR_NOMEM;
				} else {
					at[k] = tmemo_find(&C->memo, ops[k])->val;
				}
			}
			c.extra = (int32_t)g->index;
			c.a = at[0];
			c.b = at[1];
			c.c = at[2];
		}
		if (!ARRAY_GROW(C->nodes, C->nodes_cap, C->n_nodes + 1))
			return HESSC_ERR_NOMEM;
		m = tmemo_find(&C->memo, id);
		m->val = (int32_t)C->n_nodes;
		m->state |= TMEMO_ENCODED;
		C->nodes[C->n_nodes++] = c;
	}
	return HESSC_OK;
}

/* ---- the same over a small graph, with arrays indexed by node id ------- */

static const uint8_t op_arity_table[] = {
#define OP(name, arity, commutative, c_spelling) arity,
#include "ops.h"
};
static const uint8_t op_commutative_table[] = {
#define OP(name, arity, commutative, c_spelling) commutative,
#include "ops.h"
};

/* Passes A and B of the term below a root of small id: the nodes' ids
 * are their own memo.  Same hashes,
 * same order, same result as the walks above. */
static hessc_status canon_dense(tcanon *C, const graph *G, node_id root, double weight)
{
	const graph_node *N = graph_get(G, 0);
	uint64_t *hash;
	int64_t *minvar;
	int32_t *pos;
	size_t count = 0, n = 0;
	if (C->d_cap < (size_t)root + 1) {
		size_t cap = C->d_cap ? C->d_cap : 256;
		while (cap < (size_t)root + 1)
			cap *= 2;
		free(C->d_hash);
		free(C->d_minvar);
		free(C->d_pos);
		C->d_hash = malloc(cap * sizeof *C->d_hash);
		C->d_minvar = malloc(cap * sizeof *C->d_minvar);
		C->d_pos = malloc(cap * sizeof *C->d_pos);
		C->d_cap = C->d_hash && C->d_minvar && C->d_pos ? cap : 0;
		if (!C->d_cap)
			return HESSC_ERR_NOMEM;
	}
	hash = C->d_hash;
	minvar = C->d_minvar;
	pos = C->d_pos;
	/* the term's nodes: operands have smaller ids than their users */
	for (node_id k = 0; k < root; k++)
		pos[k] = -2;
	pos[root] = -1;
	for (node_id k = root + 1; k-- > 0;) {
		const graph_node *g = &N[k];
		int ar = op_arity_table[g->op];
		if (pos[k] == -2)
			continue;
		count++;
		if (ar > 0) pos[g->a] = -1;
		if (ar > 1) pos[g->b] = -1;
		if (ar > 2) pos[g->c] = -1;
	}
	if (count > TMPL_MAX_TERM_NODES)
		return HESSC_ERR_TOO_BIG;
	/* pass A, in id order (a post-order) */
	for (node_id k = 0; k <= root; k++) {
		const graph_node *g = &N[k];
		int ar = op_arity_table[g->op];
		if (pos[k] == -2)
			continue;
		if (g->op == OP_DATA) {
			hash[k] = mix(0xda7au, (uint64_t)graph_data_array(g->index));
			minvar[k] = INT64_MAX;
		} else if (tcanon_is_slot_leaf((graph_op)g->op)) {
			hash[k] = 0x51a7u;
			minvar[k] = g->index;
		} else if (g->op == OP_CONST) {
			hash[k] = 0xc0c0u;
			minvar[k] = INT64_MAX;
		} else if (ar == 0) {
			return HESSC_ERR_TOO_BIG;  /* a leaf no slot kind covers: no shape */
		} else {
			uint64_t h = mix(g->op + 1u, (uint64_t)g->index), hk[3];
			int64_t mv = INT64_MAX;
			for (int j = 0; j < ar; j++) {
				node_id o = operand(g, j);
				hk[j] = hash[o];
				if (minvar[o] < mv)
					mv = minvar[o];
			}
			if (op_commutative_table[g->op] && ar == 2 && hk[1] < hk[0]) {
				uint64_t t = hk[0];
				hk[0] = hk[1];
				hk[1] = t;
			}
			for (int j = 0; j < ar; j++)
				h = mix(h, hk[j]);
			hash[k] = h;
			minvar[k] = mv;
		}
	}
	/* pass B: the canonical post-order */
	C->n_nodes = C->n_slots = C->n_cons = 0;
	if (!ARRAY_GROW(C->cons, C->cons_cap, 1) || !ARRAY_GROW(C->stack, C->stack_cap, count + 1)
	    || !ARRAY_GROW(C->nodes, C->nodes_cap, count + 1) || !ARRAY_GROW(C->slots, C->slots_cap, count + 1)
	    || !ARRAY_GROW(C->cons, C->cons_cap, count + 1))
		return HESSC_ERR_NOMEM;
	C->cons[C->n_cons++] = weight;
	C->stack[n++] = root;
	while (n > 0) {
		node_id id = C->stack[n - 1], ops[3];
		const graph_node *g = &N[id];
		int ar = op_arity_table[g->op], ready = 1;
		tcanon_node c = {g->op, 0, -1, -1, -1};
		if (pos[id] >= 0) {
			n--;
			continue;
		}
		for (int j = 0; j < ar; j++)
			ops[j] = operand(g, j);
		if (ar == 2 && op_commutative_table[g->op]) {
			node_id x = ops[0], y = ops[1];
			if (hash[y] < hash[x] || (hash[y] == hash[x] && minvar[y] < minvar[x])) {
				ops[0] = y;
				ops[1] = x;
			}
		}
		/* push in reverse so that the first operand is encoded first; a
		 * constant operand is encoded with its user, once per use */
		for (int j = ar - 1; j >= 0; j--)
			if (N[ops[j]].op != OP_CONST && pos[ops[j]] < 0) {
				if (!ARRAY_GROW(C->stack, C->stack_cap, n + 1))
					return HESSC_ERR_NOMEM;
				C->stack[n++] = ops[j];
				ready = 0;
			}
		if (!ready)
			continue;
		n--;
		if (tcanon_is_slot_leaf((graph_op)g->op)) {
			c.extra = (int32_t)C->n_slots;
			C->slots[C->n_slots++] = g->op == OP_DATA ? graph_data_element(g->index) : g->index;
			if (g->op == OP_DATA) {
				if (graph_data_element(g->index) > INT32_MAX)
					return HESSC_ERR_TOO_BIG;  /* the finders keep slots in 32 bits */
				c.a = (int32_t)graph_data_array(g->index);
			}
		} else if (g->op == OP_CONST) {
			c.extra = (int32_t)C->n_cons;
			C->cons[C->n_cons++] = g->value;
		} else {
			int32_t at[3] = {-1, -1, -1};
			for (int j = 0; j < ar; j++)
				if (N[ops[j]].op != OP_CONST)
					at[j] = pos[ops[j]];
				else if ((at[j] = use_constant(C, N[ops[j]].value)) < 0)
					return HESSC_ERR_NOMEM;
			c.extra = (int32_t)g->index;
			c.a = at[0];
			c.b = at[1];
			c.c = at[2];
		}
		if (!ARRAY_GROW(C->nodes, C->nodes_cap, C->n_nodes + 1))   /* constants add nodes */
			return HESSC_ERR_NOMEM;
		pos[id] = (int32_t)C->n_nodes;
		C->nodes[C->n_nodes++] = c;
	}
	return HESSC_OK;
}

hessc_status tcanon_term(tcanon *c, const graph *g, node_id root, double weight)
{
	hessc_status rc;
	/* the dense walk costs the root's id: a term of a small graph (one
	 * iteration's scratch), not one of many in a big graph */
	if (root < 4 * TMPL_MAX_TERM_NODES && root < graph_size(g))
		return canon_dense(c, g, root, weight);
	if (!tmemo_clear(&c->memo, graph_size(g)))
		return HESSC_ERR_NOMEM;
	rc = hash_term(c, g, root);
	if (rc != HESSC_OK)
		return rc;
	return encode_term(c, g, root, weight);
}

uint64_t tcanon_hash(const tcanon_node *c, size_t len)
{
	uint64_t h = 0x1234567u;
	for (size_t k = 0; k < len; k++) {
		h = tcanon_mix(h, (uint64_t)(uint32_t)c[k].op);
		h = tcanon_mix(h, (uint64_t)(uint32_t)c[k].extra);
		h = tcanon_mix(h, (uint64_t)(uint32_t)c[k].a);
		h = tcanon_mix(h, (uint64_t)(uint32_t)c[k].b);
		h = tcanon_mix(h, (uint64_t)(uint32_t)c[k].c);
	}
	return h;
}

/* ---- rebuilding --------------------------------------------------------- */

node_id tcanon_build(graph *body, const tcanon_node *c, size_t len, const int64_t *slot_input,
                     const int64_t *con_input, const double *cons, node_id *scratch)
{
	node_id weight, root;
	for (size_t k = 0; k < len; k++) {
		int ar = graph_op_arity((graph_op)c[k].op);  /* a leaf's a may hold its array */
		node_id a = ar > 0 && c[k].a >= 0 ? scratch[c[k].a] : 0;
		node_id b = ar > 1 && c[k].b >= 0 ? scratch[c[k].b] : 0;
		node_id cc = ar > 2 && c[k].c >= 0 ? scratch[c[k].c] : 0;
		node_id r;
		switch ((graph_op)c[k].op) {
		case OP_VAR:
			r = graph_var(body, slot_input[c[k].extra]);
			break;
		case OP_DATA:
			r = graph_data(body, slot_input[c[k].extra], 0);
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

/* ---- a loop ------------------------------------------------------------- */

hessc_status tcanon_make_loop(const tcanon_loop_spec *sp, tmpl_loop *l)
{
	size_t ns = sp->n_slots, nc = sp->n_cons, nv = 0, nd = 0;
	int64_t *slot_input = malloc((ns + 1) * sizeof *slot_input);
	int64_t *con_input = malloc((nc + 1) * sizeof *con_input);
	int32_t *array_of = malloc((ns + 1) * sizeof *array_of);  /* -1: a variable slot */
	node_id *scratch = malloc((sp->len + 1) * sizeof *scratch);
	hessc_status rc = HESSC_ERR_NOMEM;

	memset(l, 0, sizeof *l);
	l->tables = sp->tables;
	l->count[0] = sp->count0;
	l->count[1] = sp->count1;
	l->n_tables = sp->n_tables;
	l->first_term = sp->first_term;
	if (!slot_input || !con_input || !array_of || !scratch)
		goto done;
	/* the canonical slots of both kinds become the body's variable slots
	 * (numbered 0..n_slots-1) and its data slots (0..n_data-1) */
	for (size_t s = 0; s < ns; s++)
		array_of[s] = -1;
	for (size_t k = 0; k < sp->len; k++)
		if (sp->nodes[k].op == OP_DATA)
			array_of[sp->nodes[k].extra] = sp->nodes[k].a;
	for (size_t s = 0; s < ns; s++)
		slot_input[s] = array_of[s] < 0 ? (int64_t)nv++ : (int64_t)nd++;
	l->n_slots = nv;
	l->n_data = nd;
	l->base = malloc((nv + 1) * sizeof *l->base);
	l->stride0 = malloc((nv + 1) * sizeof *l->stride0);
	l->stride1 = malloc((nv + 1) * sizeof *l->stride1);
	l->data_input = malloc((nd + 1) * sizeof *l->data_input);
	l->data_base = malloc((nd + 1) * sizeof *l->data_base);
	l->data_stride0 = malloc((nd + 1) * sizeof *l->data_stride0);
	l->data_stride1 = malloc((nd + 1) * sizeof *l->data_stride1);
	if (!l->base || !l->stride0 || !l->stride1 || !l->data_input || !l->data_base ||
	    !l->data_stride0 || !l->data_stride1)
		goto done;
	for (size_t s = 0; s < ns; s++) {
		size_t k = (size_t)slot_input[s];
		if (array_of[s] < 0) {
			l->base[k] = (long)sp->base[s];
			l->stride0[k] = (long)sp->stride0[s];
			l->stride1[k] = (long)sp->stride1[s];
		} else {
			l->data_input[k] = array_of[s];
			l->data_base[k] = (long)sp->base[s];
			l->data_stride0[k] = (long)sp->stride0[s];
			l->data_stride1[k] = (long)sp->stride1[s];
		}
	}
	for (size_t q = 0; q < nc; q++)
		con_input[q] = sp->table_of[q] < 0 ? -1 : (int64_t)nv + sp->table_of[q];
	l->body = graph_new();
	if (!l->body)
		goto done;
	l->root = tcanon_build(l->body, sp->nodes, sp->len, slot_input, con_input, sp->lit, scratch);
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
	free(array_of);
	free(scratch);
	return rc;
}
