/* derive.c -- gradient and Hessian lower triangle as nodes of the objective's
 * own graph, with the exact structural pattern.
 *
 * The pipeline (derive() reads in this order):
 *   1. terms:   walk down from the root in decreasing id order through the
 *               linear operations (+, -, unary -, * and / by a constant),
 *               carrying a constant weight; a variable reached that way is a
 *               linear part of the gradient, any other non-constant node is a
 *               term with the sum of the weights it was reached with.
 *   2. bound:   each term's variables (its cone) give k(k+1)/2 Hessian
 *               entries at most, and each nonlinear node couples only the
 *               variables of its operands; the least of these bounds above
 *               max_nnz is refused at once.
 *   3. sweeps:  for each term, a symbolic reverse sweep over its cone gives
 *               its gradient; a second sweep from each distinct gradient node
 *               gives the term's Hessian entries (row >= col).
 *   4. pattern: the entries of all terms, weighted, are sorted by (col, row)
 *               with two stable counting sorts and summed per position.
 * Work is the sum of the term cones (twice) plus the entries: never n^2.
 *
 * Structural zeros: an absent adjoint (GRAPH_NO_NODE) is a derivative that
 * is identically zero.  Rules never build a contribution for an operand
 * that depends on no variable, and a contribution that is the constant 0
 * is dropped; so d(constant) and products with an absent adjoint never
 * reach the pattern, while entries that merely evaluate to zero (2x - 2x,
 * a weight sum like 0.1 + 0.2 - 0.3) stay.  A term whose weights sum to
 * exactly 0 (t - t) is dropped: its contribution is 0 * dt, structurally
 * zero.
 *
 * Non-smooth operators differentiate the active branch, as AMPL's solver
 * library does.  The adjoint of an IF branch is IF(c, A, 0); multiplying
 * such an adjoint moves the multiplication inside, IF(c, A*p, 0), so that
 * a partial that is NaN or infinite on the branch not taken (sqrt(x) on
 * x < 0) never turns 0 into NaN.  (When one node sits in untaken branches of
 * two different conditions its adjoint is a sum of two IFs and is not
 * split: the rare case where an untaken branch can still leak a NaN.)
 */
#include "derive.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- a map from node ids to positions, emptied in O(1) by an epoch ---- */

typedef struct node_map {
	node_id *keys;      /* size cap */
	uint32_t *values;   /* size cap */
	uint32_t *stamps;   /* size cap: a slot is used when its stamp is epoch */
	size_t cap;         /* a power of two */
	size_t used;
	uint32_t epoch;
} node_map;

static size_t slot_of(node_id key, size_t mask)
{
	uint32_t h = key * 0x9e3779b1u;
	return (size_t)(h ^ (h >> 16)) & mask;
}

static int map_alloc(node_map *m, size_t cap)
{
	m->keys = malloc(cap * sizeof *m->keys);
	m->values = malloc(cap * sizeof *m->values);
	m->stamps = calloc(cap, sizeof *m->stamps);
	m->cap = cap;
	m->used = 0;
	m->epoch = 1;
	return m->keys && m->values && m->stamps;
}

static void map_free(node_map *m)
{
	free(m->keys);
	free(m->values);
	free(m->stamps);
	memset(m, 0, sizeof *m);
}

static void map_clear(node_map *m)
{
	m->used = 0;
	if (++m->epoch == 0) {
		memset(m->stamps, 0, m->cap * sizeof *m->stamps);
		m->epoch = 1;
	}
}

static uint32_t *map_find(const node_map *m, node_id key)
{
	size_t mask = m->cap - 1;
	for (size_t s = slot_of(key, mask); m->stamps[s] == m->epoch; s = (s + 1) & mask)
		if (m->keys[s] == key)
			return &m->values[s];
	return NULL;
}

static int map_grow(node_map *m)
{
	node_map bigger;
	if (!map_alloc(&bigger, m->cap * 2)) {
		map_free(&bigger);
		return 0;
	}
	size_t mask = bigger.cap - 1;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->stamps[i] != m->epoch)
			continue;
		size_t s = slot_of(m->keys[i], mask);
		while (bigger.stamps[s] == bigger.epoch)
			s = (s + 1) & mask;
		bigger.keys[s] = m->keys[i];
		bigger.values[s] = m->values[i];
		bigger.stamps[s] = bigger.epoch;
		bigger.used++;
	}
	map_free(m);
	*m = bigger;
	return 1;
}

/* Insert key (absent) with value; 0 when memory ran out. */
static int map_insert(node_map *m, node_id key, uint32_t value)
{
	if (2 * (m->used + 1) > m->cap && !map_grow(m))
		return 0;
	size_t mask = m->cap - 1;
	size_t s = slot_of(key, mask);
	while (m->stamps[s] == m->epoch)
		s = (s + 1) & mask;
	m->keys[s] = key;
	m->values[s] = value;
	m->stamps[s] = m->epoch;
	m->used++;
	return 1;
}

/* ---- growable arrays ---- */

static int reserve(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 1;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return 0;
	*p = q;
	*cap = c;
	return 1;
}

typedef struct var_deriv {
	int64_t var;      /* variable index */
	node_id node;     /* the derivative with respect to it */
} var_deriv;

typedef struct entry {
	int32_t col, row;
	node_id value;
} entry;

/* ---- the state of one derive() call ---- */

typedef struct ctx {
	graph *g;
	size_t n;
	hessc_status status;
	node_id zero, one;

	/* the cone of the current sweep, sorted by id */
	node_map map;            /* node -> position in cone */
	node_id *cone;
	size_t ncone, cone_cap;
	int32_t *reach;          /* per graph node: see update_reach() */
	size_t reach_cap, reach_done;
	node_id *adj;            /* per cone position: adjoint, or GRAPH_NO_NODE */
	size_t adj_cap;
	node_id *stack;
	size_t stack_cap;
	size_t cone_vars;        /* VAR nodes in the cone */

	/* the IF wrappers peeled off an adjoint */
	node_id *peel;
	size_t peel_cap;
} ctx;

static int fail(ctx *cx, hessc_status st)
{
	if (cx->status == HESSC_OK)
		cx->status = st;
	return 0;
}

static graph_node node_at(const graph *g, node_id id)
{
	const graph_node *p = graph_get(g, id);
	graph_node n;
	if (p)
		return *p;
	memset(&n, 0, sizeof n);
	n.op = OP_CONST;
	return n;
}

static int is_zero(const graph *g, node_id id)
{
	double v;
	return graph_is_const(g, id, &v) && v == 0;
}

static int cmp_node(const void *x, const void *y)
{
	node_id a = *(const node_id *)x, b = *(const node_id *)y;
	return (a > b) - (a < b);
}

static int cmp_var_deriv_by_var(const void *x, const void *y)
{
	const var_deriv *a = x, *b = y;
	return (a->var > b->var) - (a->var < b->var);
}

static int cmp_var_deriv_by_node(const void *x, const void *y)
{
	const var_deriv *a = x, *b = y;
	if (a->node != b->node)
		return (a->node > b->node) - (a->node < b->node);
	return (a->var > b->var) - (a->var < b->var);
}

/* Whether a derivative can flow from an operator into its operands: not
 * out of the piecewise constant ones (comparisons, logic, sign, rounding,
 * div) and not into an IF's condition. */
static int passes_derivative(graph_op op, int operand)
{
	switch (op) {
	case OP_LT: case OP_LE: case OP_EQ: case OP_NE: case OP_AND: case OP_OR: case OP_NOT:
	case OP_SIGN: case OP_FLOOR: case OP_CEIL: case OP_ROUND: case OP_DIVI:
		return 0;
	case OP_IF:
		return operand > 0;
	default:
		return 1;
	}
}

/* Bring cx->reach up to the graph's size: for each node, the highest
 * variable whose derivative can reach it (-1 for none).  Operands come
 * first in id order, so new nodes are one forward loop, and the whole
 * derive() pays for each node once. */
static int update_reach(ctx *cx)
{
	graph *g = cx->g;
	size_t size = graph_size(g);
	if (!reserve((void **)&cx->reach, &cx->reach_cap, size, sizeof *cx->reach))
		return fail(cx, HESSC_ERR_NOMEM);
	for (size_t i = cx->reach_done; i < size; i++) {
		graph_node nd = node_at(g, (node_id)i);
		int32_t r = -1;
		if (nd.op == OP_VAR)
			r = nd.index >= 0 && nd.index < INT32_MAX ? (int32_t)nd.index : INT32_MAX;
		int ar = graph_op_arity((graph_op)nd.op);
		node_id ops[3] = {nd.a, nd.b, nd.c};
		for (int k = 0; k < ar; k++)
			if (passes_derivative((graph_op)nd.op, k) && cx->reach[ops[k]] > r)
				r = cx->reach[ops[k]];
		cx->reach[i] = r;
	}
	cx->reach_done = size;
	return 1;
}

/* Collect into cx->cone the nodes below `root` (root included) through
 * which a derivative by some x[j], j >= from, flows, sorted by id, with
 * their positions in cx->map and absent adjoints; count the variables among
 * them in cx->cone_vars.  Nodes that lead only to x[0..from-1], to
 * constants or into conditions are never visited: a sweep for the
 * Hessian's rows >= c costs only what reaches those rows. */
static int collect_cone(ctx *cx, node_id root, int32_t from)
{
	graph *g = cx->g;
	map_clear(&cx->map);
	cx->ncone = 0;
	cx->cone_vars = 0;
	if (!update_reach(cx))
		return 0;
	if (cx->reach[root] < from)
		return 1;
	size_t top = 0;
	if (!reserve((void **)&cx->stack, &cx->stack_cap, 1, sizeof *cx->stack) ||
	    !map_insert(&cx->map, root, 0))
		return fail(cx, HESSC_ERR_NOMEM);
	cx->stack[top++] = root;
	while (top) {
		node_id v = cx->stack[--top];
		if (!reserve((void **)&cx->cone, &cx->cone_cap, cx->ncone + 1, sizeof *cx->cone))
			return fail(cx, HESSC_ERR_NOMEM);
		cx->cone[cx->ncone++] = v;
		graph_node nd = node_at(g, v);
		if (nd.op == OP_VAR) {
			if (nd.index < 0 || (uint64_t)nd.index >= cx->n)
				return fail(cx, HESSC_ERR_INTERNAL);
			cx->cone_vars++;
		}
		int ar = graph_op_arity((graph_op)nd.op);
		node_id ops[3] = {nd.a, nd.b, nd.c};
		for (int k = 0; k < ar; k++) {
			if (!passes_derivative((graph_op)nd.op, k) || cx->reach[ops[k]] < from ||
			    map_find(&cx->map, ops[k]))
				continue;
			if (!map_insert(&cx->map, ops[k], 0) ||
			    !reserve((void **)&cx->stack, &cx->stack_cap, top + 1, sizeof *cx->stack))
				return fail(cx, HESSC_ERR_NOMEM);
			cx->stack[top++] = ops[k];
		}
	}
	qsort(cx->cone, cx->ncone, sizeof *cx->cone, cmp_node);
	if (!reserve((void **)&cx->adj, &cx->adj_cap, cx->ncone, sizeof *cx->adj))
		return fail(cx, HESSC_ERR_NOMEM);
	for (size_t i = 0; i < cx->ncone; i++) {
		*map_find(&cx->map, cx->cone[i]) = (uint32_t)i;
		cx->adj[i] = GRAPH_NO_NODE;
	}
	return 1;
}

/* ---- adjoint arithmetic that keeps IF branches apart ---- */

/* If `a` is IF(c, X, 0) or IF(c, 0, X): the condition, the side and X. */
static int branch_adjoint(const graph *g, node_id a, node_id *cond, int *then_side, node_id *inner)
{
	graph_node nd = node_at(g, a);
	if (nd.op != OP_IF)
		return 0;
	if (is_zero(g, nd.c) && !is_zero(g, nd.b)) {
		*then_side = 1;
		*inner = nd.b;
	} else if (is_zero(g, nd.b) && !is_zero(g, nd.c)) {
		*then_side = 0;
		*inner = nd.c;
	} else {
		return 0;
	}
	*cond = nd.a;
	return 1;
}

/* How many IF wrappers an operation moves through.  A chain of N nested
 * max() gives adjoints N wrappers deep; moving every product through all of
 * them would cost N^2 nodes.  Below this depth the untaken branches are
 * kept apart; deeper wrappers (rare) are multiplied as they are. */
#define MAX_PEEL 16

/* A op p (op MUL or DIV, or NEG with p unused) for an adjoint A: when A is
 * IF(c, X, 0) the operation moves inside, IF(c, X op p, 0), up to MAX_PEEL
 * IF wrappers deep. */
static node_id adjoint_op(ctx *cx, graph_op op, node_id A, node_id p)
{
	graph *g = cx->g;
	size_t depth = 0;
	node_id cond, inner;
	int then_side;
	while (depth < MAX_PEEL && branch_adjoint(g, A, &cond, &then_side, &inner)) {
		if (!reserve((void **)&cx->peel, &cx->peel_cap, 2 * depth + 2, sizeof *cx->peel)) {
			fail(cx, HESSC_ERR_NOMEM);
			return GRAPH_NO_NODE;
		}
		cx->peel[2 * depth] = cond;
		cx->peel[2 * depth + 1] = (node_id)then_side;
		depth++;
		A = inner;
	}
	node_id r = op == OP_NEG ? graph_unary(g, OP_NEG, A) : graph_binary(g, op, A, p);
	while (depth--) {
		node_id c = cx->peel[2 * depth];
		r = cx->peel[2 * depth + 1] ? graph_if(g, c, r, cx->zero) : graph_if(g, c, cx->zero, r);
	}
	return r;
}

static node_id amul(ctx *cx, node_id A, node_id p) { return adjoint_op(cx, OP_MUL, A, p); }
static node_id adiv(ctx *cx, node_id A, node_id p) { return adjoint_op(cx, OP_DIV, A, p); }
static node_id aneg(ctx *cx, node_id A) { return adjoint_op(cx, OP_NEG, A, 0); }

/* U + V for adjoints; two adjoints of the same branch stay one branch
 * (one level: IF(c, X, 0) + IF(c, Y, 0) = IF(c, X + Y, 0)). */
static node_id aadd(ctx *cx, node_id U, node_id V)
{
	graph *g = cx->g;
	node_id cu, cv, xu, xv;
	int su, sv;
	if (branch_adjoint(g, U, &cu, &su, &xu) && branch_adjoint(g, V, &cv, &sv, &xv) &&
	    cu == cv && su == sv) {
		node_id s = graph_binary(g, OP_ADD, xu, xv);
		return su ? graph_if(g, cu, s, cx->zero) : graph_if(g, cu, cx->zero, s);
	}
	return graph_binary(g, OP_ADD, U, V);
}

/* ---- one reverse sweep ---- */

static int wants(ctx *cx, node_id operand)
{
	return map_find(&cx->map, operand) != NULL;  /* the cone holds what is wanted */
}

/* Add a contribution to an operand's adjoint; a constant 0 is no
 * contribution (a structural zero). */
static void acc(ctx *cx, node_id operand, node_id contribution)
{
	if (contribution == GRAPH_NO_NODE) {
		fail(cx, HESSC_ERR_NOMEM);
		return;
	}
	if (is_zero(cx->g, contribution))
		return;
	node_id *slot = &cx->adj[*map_find(&cx->map, operand)];
	*slot = *slot == GRAPH_NO_NODE ? contribution : aadd(cx, *slot, contribution);
}

#define C(v) graph_const(g, (v))
#define U(op, x) graph_unary(g, OP_##op, (x))
#define B(op, x, y) graph_binary(g, OP_##op, (x), (y))

/* Push the adjoint A of node v (at cone position) to its operands. */
static void propagate(ctx *cx, node_id v, node_id A)
{
	graph *g = cx->g;
	graph_node nd = node_at(g, v);
	node_id a = nd.a, b = nd.b, c = nd.c;
	int wa = graph_op_arity((graph_op)nd.op) > 0 && wants(cx, a);
	int wb = graph_op_arity((graph_op)nd.op) > 1 && wants(cx, b);

	switch ((graph_op)nd.op) {
	case OP_ADD:    /* d(a+b) = da + db */
		if (wa) acc(cx, a, A);
		if (wb) acc(cx, b, A);
		break;
	case OP_SUB:    /* d(a-b) = da - db */
		if (wa) acc(cx, a, A);
		if (wb) acc(cx, b, aneg(cx, A));
		break;
	case OP_MUL:    /* d(ab) = b da + a db */
		if (wa) acc(cx, a, amul(cx, A, b));
		if (wb) acc(cx, b, amul(cx, A, a));
		break;
	case OP_DIV:    /* d(a/b) = da/b - (a/b) db/b */
		if (wa) acc(cx, a, adiv(cx, A, b));
		if (wb) acc(cx, b, aneg(cx, adiv(cx, amul(cx, A, v), b)));
		break;
	case OP_NEG:    /* d(-a) = -da */
		if (wa) acc(cx, a, aneg(cx, A));
		break;
	case OP_POW:    /* d a^b = b a^(b-1) da + a^b log(a) db */
		if (wa) acc(cx, a, amul(cx, A, B(MUL, b, B(POW, a, B(SUB, b, cx->one)))));
		if (wb) acc(cx, b, amul(cx, A, B(MUL, v, U(LOG, a))));
		break;
	case OP_POWI:   /* d a^k = k a^(k-1) da */
		if (wa) acc(cx, a, amul(cx, A, B(MUL, C((double)nd.index),
		                                  graph_powi(g, a, (int)nd.index - 1))));
		break;
	case OP_SQRT:   /* d sqrt(a) = da / (2 sqrt(a)) */
		if (wa) acc(cx, a, adiv(cx, A, B(MUL, C(2.0), v)));
		break;
	case OP_EXP:    /* d e^a = e^a da */
		if (wa) acc(cx, a, amul(cx, A, v));
		break;
	case OP_LOG:    /* d log(a) = da / a */
		if (wa) acc(cx, a, adiv(cx, A, a));
		break;
	case OP_LOG10:  /* d log10(a) = da / (a ln 10), ln 10 = 2.302585092994045684 */
		if (wa) acc(cx, a, adiv(cx, A, B(MUL, a, C(2.302585092994045684))));
		break;
	case OP_SIN:    /* d sin(a) = cos(a) da */
		if (wa) acc(cx, a, amul(cx, A, U(COS, a)));
		break;
	case OP_COS:    /* d cos(a) = -sin(a) da */
		if (wa) acc(cx, a, aneg(cx, amul(cx, A, U(SIN, a))));
		break;
	case OP_TAN:    /* d tan(a) = (1 + tan(a)^2) da */
		if (wa) acc(cx, a, amul(cx, A, B(ADD, cx->one, graph_powi(g, v, 2))));
		break;
	case OP_ASIN:   /* d asin(a) = da / sqrt(1 - a^2) */
		if (wa) acc(cx, a, adiv(cx, A, U(SQRT, B(SUB, cx->one, graph_powi(g, a, 2)))));
		break;
	case OP_ACOS:   /* d acos(a) = -da / sqrt(1 - a^2) */
		if (wa) acc(cx, a, aneg(cx, adiv(cx, A, U(SQRT, B(SUB, cx->one, graph_powi(g, a, 2))))));
		break;
	case OP_ATAN:   /* d atan(a) = da / (1 + a^2) */
		if (wa) acc(cx, a, adiv(cx, A, B(ADD, cx->one, graph_powi(g, a, 2))));
		break;
	case OP_ATAN2: { /* d atan2(a,b) = (b da - a db) / (a^2 + b^2) */
		node_id r2 = B(ADD, graph_powi(g, a, 2), graph_powi(g, b, 2));
		if (wa) acc(cx, a, adiv(cx, amul(cx, A, b), r2));
		if (wb) acc(cx, b, aneg(cx, adiv(cx, amul(cx, A, a), r2)));
		break;
	}
	case OP_SINH:   /* d sinh(a) = cosh(a) da */
		if (wa) acc(cx, a, amul(cx, A, U(COSH, a)));
		break;
	case OP_COSH:   /* d cosh(a) = sinh(a) da */
		if (wa) acc(cx, a, amul(cx, A, U(SINH, a)));
		break;
	case OP_TANH:   /* d tanh(a) = (1 - tanh(a)^2) da */
		if (wa) acc(cx, a, amul(cx, A, B(SUB, cx->one, graph_powi(g, v, 2))));
		break;
	case OP_ABS:    /* d |a| = sign(a) da, 0 at a = 0 */
		if (wa) acc(cx, a, amul(cx, A, U(SIGN, a)));
		break;
	case OP_MIN: {  /* d min(a,b) = da if a <= b else db (ties: a, the lower id) */
		node_id first = B(LE, a, b);
		if (wa) acc(cx, a, graph_if(g, first, A, cx->zero));
		if (wb) acc(cx, b, graph_if(g, first, cx->zero, A));
		break;
	}
	case OP_MAX: {  /* d max(a,b) = da if a >= b else db (ties: a, the lower id) */
		node_id first = B(LE, b, a);
		if (wa) acc(cx, a, graph_if(g, first, A, cx->zero));
		if (wb) acc(cx, b, graph_if(g, first, cx->zero, A));
		break;
	}
	case OP_MOD:    /* d fmod(a,b) = da - trunc(a/b) db: the quotient is locally constant */
		if (wa) acc(cx, a, A);
		if (wb) acc(cx, b, aneg(cx, amul(cx, A, B(DIVI, a, b))));
		break;
	case OP_IF:     /* d (if a then b else c) = if a then db else dc; a is piecewise constant */
		if (wb) acc(cx, b, graph_if(g, a, A, cx->zero));
		if (wants(cx, c)) acc(cx, c, graph_if(g, a, cx->zero, A));
		break;
	case OP_SIGN:   /* piecewise constant: derivative 0 */
	case OP_FLOOR:
	case OP_CEIL:
	case OP_ROUND:
	case OP_DIVI:
	case OP_LT:
	case OP_LE:
	case OP_EQ:
	case OP_NE:
	case OP_AND:
	case OP_OR:
	case OP_NOT:
	case OP_CONST:
	case OP_VAR:
	case OP_COUNT:
		break;
	}
}

#undef C
#undef U
#undef B

/* The derivatives of `root` with respect to every variable x[j], j >= from,
 * that it depends on, structural zeros left out, sorted by variable, into
 * *out (size *count). */
static int sweep(ctx *cx, node_id root, int32_t from, var_deriv **out, size_t *out_cap,
                 size_t *count)
{
	*count = 0;
	if (!collect_cone(cx, root, from))
		return 0;
	if (cx->ncone == 0)
		return 1;
	cx->adj[cx->ncone - 1] = cx->one;
	for (size_t i = cx->ncone; i-- > 0;) {
		if (cx->adj[i] == GRAPH_NO_NODE)
			continue;
		propagate(cx, cx->cone[i], cx->adj[i]);
		if (cx->status != HESSC_OK || graph_failed(cx->g))
			return fail(cx, HESSC_ERR_NOMEM);
	}
	for (size_t i = 0; i < cx->ncone; i++) {
		graph_node nd = node_at(cx->g, cx->cone[i]);
		if (nd.op != OP_VAR || cx->adj[i] == GRAPH_NO_NODE || nd.index < from)
			continue;
		if (!reserve((void **)out, out_cap, *count + 1, sizeof **out))
			return fail(cx, HESSC_ERR_NOMEM);
		(*out)[(*count)++] = (var_deriv){nd.index, cx->adj[i]};
	}
	qsort(*out, *count, sizeof **out, cmp_var_deriv_by_var);
	return 1;
}

/* ---- 1. terms ---- */

typedef struct term {
	node_id node;
	double weight;
} term;

/* The terms of the objective and the constant weight of each variable that
 * appears linearly (linear[i], 0 when none). */
static int find_terms(ctx *cx, node_id root, term **terms, size_t *nterms, double *linear)
{
	graph *g = cx->g;
	size_t size = (size_t)root + 1, cap = 0;
	double *w = calloc(size, sizeof *w);
	uint8_t *reached = calloc(size, 1);
	*terms = NULL;
	*nterms = 0;
	if (!w || !reached) {
		fail(cx, HESSC_ERR_NOMEM);
		goto done;
	}
	w[root] = 1;
	reached[root] = 1;
#define PUSH(x, weight) (reached[(x)] = 1, w[(x)] += (weight))
	for (size_t i = size; i-- > 0;) {
		if (!reached[i])
			continue;
		graph_node nd = node_at(g, (node_id)i);
		double wi = w[i], k;
		switch ((graph_op)nd.op) {
		case OP_CONST:
			continue;
		case OP_VAR:
			if (nd.index < 0 || (uint64_t)nd.index >= cx->n) {
				fail(cx, HESSC_ERR_INTERNAL);
				goto done;
			}
			linear[nd.index] += wi;
			continue;
		case OP_ADD:
			PUSH(nd.a, wi);
			PUSH(nd.b, wi);
			continue;
		case OP_SUB:
			PUSH(nd.a, wi);
			PUSH(nd.b, -wi);
			continue;
		case OP_NEG:
			PUSH(nd.a, -wi);
			continue;
		case OP_MUL:
			if (graph_is_const(g, nd.a, &k) && !graph_is_const(g, nd.b, NULL)) {
				PUSH(nd.b, wi * k);
				continue;
			}
			if (graph_is_const(g, nd.b, &k) && !graph_is_const(g, nd.a, NULL)) {
				PUSH(nd.a, wi * k);
				continue;
			}
			break;
		case OP_DIV:
			if (graph_is_const(g, nd.b, &k) && !graph_is_const(g, nd.a, NULL)) {
				PUSH(nd.a, wi / k);
				continue;
			}
			break;
		default:
			break;
		}
		if (wi == 0)
			continue;  /* t - t: structurally no contribution */
		if (!reserve((void **)terms, &cap, *nterms + 1, sizeof **terms)) {
			fail(cx, HESSC_ERR_NOMEM);
			goto done;
		}
		(*terms)[(*nterms)++] = (term){(node_id)i, wi};
	}
#undef PUSH
	/* increasing id order: the order the sums are built in */
	for (size_t i = 0, j = *nterms; i + 1 < j; i++, j--) {
		term t = (*terms)[i];
		(*terms)[i] = (*terms)[j - 1];
		(*terms)[j - 1] = t;
	}
done:
	free(w);
	free(reached);
	return cx->status == HESSC_OK;
}

/* ---- 2. the size bound ---- */

static size_t sat_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }
static size_t sat_mul(size_t a, size_t b) { return a && b > SIZE_MAX / a ? SIZE_MAX : a * b; }
static size_t triangle(size_t k) { return sat_mul(k, k + 1) / 2; }

/* A bound from the operators themselves: the Hessian's pattern lies in the
 * union, over the nonlinear nodes a derivative passes through, of the pairs
 * each one couples: a*b couples vars(a) x vars(b), f(a) couples vars(a)
 * with itself, a/b both, and linear nodes couple nothing.  vars() is
 * bounded by the sum over operands (capped at n).  This sees that
 * y * sum x[i]^2 has 2n entries where the term bound says n^2/2.
 * Returns SIZE_MAX when memory runs out (the caller then has the term bound). */
static size_t interaction_bound(ctx *cx, node_id root)
{
	graph *g = cx->g;
	size_t size = (size_t)root + 1, bound = 0;
	size_t *count = calloc(size, sizeof *count);
	uint8_t *in = calloc(size, 1);
	if (!count || !in) {
		bound = SIZE_MAX;
		goto done;
	}
	in[root] = 1;
	for (size_t i = size; i-- > 0;) {
		if (!in[i])
			continue;
		graph_node nd = node_at(g, (node_id)i);
		int ar = graph_op_arity((graph_op)nd.op);
		node_id ops[3] = {nd.a, nd.b, nd.c};
		for (int k = 0; k < ar; k++)
			if (passes_derivative((graph_op)nd.op, k))
				in[ops[k]] = 1;
	}
	for (size_t i = 0; i < size; i++) {
		if (!in[i])
			continue;
		graph_node nd = node_at(g, (node_id)i);
		int ar = graph_op_arity((graph_op)nd.op);
		size_t ca = ar > 0 && passes_derivative((graph_op)nd.op, 0) ? count[nd.a] : 0;
		size_t cb = ar > 1 && passes_derivative((graph_op)nd.op, 1) ? count[nd.b] : 0;
		size_t cc = ar > 2 && passes_derivative((graph_op)nd.op, 2) ? count[nd.c] : 0;
		size_t c = nd.op == OP_VAR ? 1 : sat_add(sat_add(ca, cb), cc);
		count[i] = c < cx->n ? c : cx->n;
		size_t pairs = 0;
		switch ((graph_op)nd.op) {
		case OP_CONST: case OP_VAR: case OP_ADD: case OP_SUB: case OP_NEG:
		case OP_ABS: case OP_MIN: case OP_MAX: case OP_MOD: case OP_IF:
		case OP_LT: case OP_LE: case OP_EQ: case OP_NE: case OP_AND: case OP_OR: case OP_NOT:
		case OP_SIGN: case OP_FLOOR: case OP_CEIL: case OP_ROUND: case OP_DIVI: case OP_COUNT:
			break;                                    /* linear, or piecewise linear */
		case OP_MUL:
			pairs = sat_mul(ca, cb);
			break;
		case OP_DIV:
			pairs = cb ? sat_add(sat_mul(ca, cb), triangle(cb)) : 0;
			break;
		default:                                      /* every other operator is nonlinear in all its operands */
			pairs = triangle(count[i]);
			break;
		}
		bound = sat_add(bound, pairs);
	}
done:
	free(count);
	free(in);
	return bound;
}

/* An upper bound of the Hessian's structural nonzeros: the least of the
 * whole triangle, the interaction bound, and the sum over terms of
 * k(k+1)/2 for a term with k variables. */
static size_t hessian_bound(ctx *cx, node_id root, const term *terms, size_t nterms)
{
	/* the whole lower triangle (n < 2^31, so no overflow) */
	size_t least = cx->n % 2 == 0 ? (cx->n / 2) * (cx->n + 1) : cx->n * ((cx->n + 1) / 2);
	size_t inter = interaction_bound(cx, root);
	least = inter < least ? inter : least;
	size_t bound = 0;
	for (size_t t = 0; t < nterms && bound < least; t++) {
		if (!collect_cone(cx, terms[t].node, 0))
			return 0;
		bound = sat_add(bound, triangle(cx->cone_vars));
	}
	return bound < least ? bound : least;
}

/* ---- 4. the pattern ---- */

/* Stable counting sort of e[0..m) by key (row when by_row, else col) into tmp. */
static void counting_sort(const entry *e, entry *tmp, size_t m, size_t n, size_t *count, int by_row)
{
	memset(count, 0, (n + 1) * sizeof *count);
	for (size_t i = 0; i < m; i++)
		count[(size_t)(by_row ? e[i].row : e[i].col) + 1]++;
	for (size_t j = 0; j < n; j++)
		count[j + 1] += count[j];
	for (size_t i = 0; i < m; i++)
		tmp[count[(size_t)(by_row ? e[i].row : e[i].col)]++] = e[i];
}

static hessc_status assemble(ctx *cx, entry *e, size_t m, derivatives *out)
{
	size_t n = cx->n;
	entry *tmp = malloc((m ? m : 1) * sizeof *tmp);
	size_t *count = malloc((n + 1) * sizeof *count);
	hessc_status st = HESSC_OK;
	out->hess_colptr = calloc(n + 1, sizeof *out->hess_colptr);
	if (!tmp || !count || !out->hess_colptr) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	counting_sort(e, tmp, m, n, count, 1);
	counting_sort(tmp, e, m, n, count, 0);
	size_t nnz = 0;
	for (size_t i = 0; i < m; i++)
		if (i == 0 || e[i].col != e[i - 1].col || e[i].row != e[i - 1].row)
			nnz++;
	if (nnz > INT32_MAX) {  /* the pattern's int32 indices would not hold it */
		out->nnz = nnz;
		st = HESSC_ERR_TOO_BIG;
		goto done;
	}
	out->hess_rowind = malloc((nnz ? nnz : 1) * sizeof *out->hess_rowind);
	out->hess = malloc((nnz ? nnz : 1) * sizeof *out->hess);
	if (!out->hess_rowind || !out->hess) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		if (i > 0 && e[i].col == e[i - 1].col && e[i].row == e[i - 1].row) {
			out->hess[k - 1] = aadd(cx, out->hess[k - 1], e[i].value);
			continue;
		}
		out->hess_rowind[k] = e[i].row;
		out->hess[k] = e[i].value;
		out->hess_colptr[e[i].col + 1]++;
		k++;
	}
	for (size_t j = 0; j < n; j++)
		out->hess_colptr[j + 1] += out->hess_colptr[j];
	out->nnz = nnz;
	if (graph_failed(cx->g))
		st = HESSC_ERR_NOMEM;
done:
	free(tmp);
	free(count);
	return st;
}

/* ---- 3. the sweeps, and derive() ---- */

hessc_status derive(graph *g, node_id objective, size_t n, size_t max_nnz, derivatives *out)
{
	ctx cx;
	memset(&cx, 0, sizeof cx);
	memset(out, 0, sizeof *out);
	cx.g = g;
	cx.n = n;
	term *terms = NULL;
	size_t nterms = 0;
	double *linear = NULL;
	var_deriv *grad_t = NULL, *hess_g = NULL;
	size_t grad_cap = 0, hess_cap = 0, ngrad = 0, nhess = 0;
	entry *entries = NULL;
	size_t nentries = 0, entries_cap = 0;
	size_t bound = 0;

	if (!g || graph_failed(g))
		return g ? HESSC_ERR_NOMEM : HESSC_ERR_INTERNAL;
	if (objective >= graph_size(g))
		return HESSC_ERR_INTERNAL;
	if (n > INT32_MAX - 1)
		return HESSC_ERR_TOO_BIG;
	if (max_nnz > INT32_MAX)
		max_nnz = INT32_MAX;
	out->n = n;
	out->f = objective;
	cx.zero = graph_const(g, 0.0);
	cx.one = graph_const(g, 1.0);
	linear = calloc(n ? n : 1, sizeof *linear);
	out->grad = malloc((n ? n : 1) * sizeof *out->grad);
	if (!linear || !out->grad || !map_alloc(&cx.map, 64)) {
		fail(&cx, HESSC_ERR_NOMEM);
		goto done;
	}

	if (!find_terms(&cx, objective, &terms, &nterms, linear))
		goto done;

	bound = hessian_bound(&cx, objective, terms, nterms);
	if (cx.status != HESSC_OK)
		goto done;
	if (bound > max_nnz) {
		fail(&cx, HESSC_ERR_TOO_BIG);
		goto done;
	}

	for (size_t i = 0; i < n; i++)
		out->grad[i] = linear[i] != 0 ? graph_const(g, linear[i]) : GRAPH_NO_NODE;

	for (size_t t = 0; t < nterms; t++) {
		node_id w = graph_const(g, terms[t].weight);
		if (!sweep(&cx, terms[t].node, 0, &grad_t, &grad_cap, &ngrad))
			goto done;
		for (size_t i = 0; i < ngrad; i++) {
			node_id *gi = &out->grad[grad_t[i].var];
			node_id d = amul(&cx, grad_t[i].node, w);
			*gi = *gi == GRAPH_NO_NODE ? d : aadd(&cx, *gi, d);
		}
		/* second sweeps, one per distinct gradient node, for the rows at
		 * or below the first column that uses it */
		qsort(grad_t, ngrad, sizeof *grad_t, cmp_var_deriv_by_node);
		for (size_t i = 0; i < ngrad;) {
			size_t end = i;
			while (end < ngrad && grad_t[end].node == grad_t[i].node)
				end++;
			if (!sweep(&cx, grad_t[i].node, (int32_t)grad_t[i].var, &hess_g, &hess_cap, &nhess))
				goto done;
			for (size_t c = i; c < end; c++) {
				int64_t col = grad_t[c].var;
				for (size_t r = 0; r < nhess; r++) {
					if (hess_g[r].var < col)
						continue;
					if (!reserve((void **)&entries, &entries_cap, nentries + 1, sizeof *entries)) {
						fail(&cx, HESSC_ERR_NOMEM);
						goto done;
					}
					entries[nentries++] = (entry){(int32_t)col, (int32_t)hess_g[r].var,
					                              amul(&cx, hess_g[r].node, w)};
				}
			}
			i = end;
		}
		if (graph_failed(g)) {
			fail(&cx, HESSC_ERR_NOMEM);
			goto done;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (out->grad[i] == GRAPH_NO_NODE)
			out->grad[i] = cx.zero;
	if (graph_failed(g)) {
		fail(&cx, HESSC_ERR_NOMEM);
		goto done;
	}
	cx.status = assemble(&cx, entries, nentries, out);

done:
	free(terms);
	free(linear);
	free(grad_t);
	free(hess_g);
	free(entries);
	map_free(&cx.map);
	free(cx.cone);
	free(cx.reach);
	free(cx.adj);
	free(cx.stack);
	free(cx.peel);
	if (cx.status != HESSC_OK) {
		size_t refused = out->nnz > bound ? out->nnz : bound;
		derivatives_free(out);
		if (cx.status == HESSC_ERR_TOO_BIG)
			out->nnz = refused;
	}
	return cx.status;
}

void derivatives_free(derivatives *d)
{
	if (!d)
		return;
	free(d->grad);
	free(d->hess_colptr);
	free(d->hess_rowind);
	free(d->hess);
	memset(d, 0, sizeof *d);
}
