/* derive_sweep.c -- the reverse sweep and the derivative rule of every
 * operator (see derive_sweep.h). */
#include "derive_sweep.h"

#include <stdlib.h>
#include <string.h>

int grow_array(void **p, size_t *cap, size_t need, size_t elem)
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

int sweeper_fail(sweeper *cx, hessc_status st)
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

/* Whether a derivative can flow from an operator into its operands: not
 * out of the piecewise constant ones (comparisons, logic, sign, rounding,
 * div) and not into an IF's condition. */
int derivative_passes(graph_op op, int operand)
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
static int update_reach(sweeper *cx)
{
	graph *g = cx->g;
	size_t size = graph_size(g);
	if (!grow_array((void **)&cx->reach, &cx->reach_cap, size, sizeof *cx->reach))
		return sweeper_fail(cx, HESSC_ERR_NOMEM);
	for (size_t i = cx->reach_done; i < size; i++) {
		graph_node nd = node_at(g, (node_id)i);
		int32_t r = -1;
		if (nd.op == OP_VAR)
			r = nd.index >= 0 && nd.index < INT32_MAX ? (int32_t)nd.index : INT32_MAX;
		int ar = graph_op_arity((graph_op)nd.op);
		node_id ops[3] = {nd.a, nd.b, nd.c};
		for (int k = 0; k < ar; k++)
			if (derivative_passes((graph_op)nd.op, k) && cx->reach[ops[k]] > r)
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
int sweep_cone(sweeper *cx, node_id root, int32_t from)
{
	graph *g = cx->g;
	node_map_clear(&cx->map);
	cx->ncone = 0;
	cx->cone_vars = 0;
	if (!update_reach(cx))
		return 0;
	if (cx->reach[root] < from)
		return 1;
	size_t top = 0;
	if (!grow_array((void **)&cx->stack, &cx->stack_cap, 1, sizeof *cx->stack) ||
	    !node_map_insert(&cx->map, root, 0))
		return sweeper_fail(cx, HESSC_ERR_NOMEM);
	cx->stack[top++] = root;
	while (top) {
		node_id v = cx->stack[--top];
		if (!grow_array((void **)&cx->cone, &cx->cone_cap, cx->ncone + 1, sizeof *cx->cone))
			return sweeper_fail(cx, HESSC_ERR_NOMEM);
		cx->cone[cx->ncone++] = v;
		graph_node nd = node_at(g, v);
		if (nd.op == OP_VAR) {
			if (nd.index < 0 || (uint64_t)nd.index >= cx->n)
				return sweeper_fail(cx, HESSC_ERR_INTERNAL);
			cx->cone_vars++;
		}
		int ar = graph_op_arity((graph_op)nd.op);
		node_id ops[3] = {nd.a, nd.b, nd.c};
		for (int k = 0; k < ar; k++) {
			if (!derivative_passes((graph_op)nd.op, k) || cx->reach[ops[k]] < from ||
			    node_map_find(&cx->map, ops[k]))
				continue;
			if (!node_map_insert(&cx->map, ops[k], 0) ||
			    !grow_array((void **)&cx->stack, &cx->stack_cap, top + 1, sizeof *cx->stack))
				return sweeper_fail(cx, HESSC_ERR_NOMEM);
			cx->stack[top++] = ops[k];
		}
	}
	qsort(cx->cone, cx->ncone, sizeof *cx->cone, cmp_node);
	if (!grow_array((void **)&cx->adj, &cx->adj_cap, cx->ncone, sizeof *cx->adj))
		return sweeper_fail(cx, HESSC_ERR_NOMEM);
	for (size_t i = 0; i < cx->ncone; i++) {
		*node_map_find(&cx->map, cx->cone[i]) = (uint32_t)i;
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
static node_id adjoint_op(sweeper *cx, graph_op op, node_id A, node_id p)
{
	graph *g = cx->g;
	size_t depth = 0;
	node_id cond, inner;
	int then_side;
	while (depth < MAX_PEEL && branch_adjoint(g, A, &cond, &then_side, &inner)) {
		if (!grow_array((void **)&cx->peel, &cx->peel_cap, 2 * depth + 2, sizeof *cx->peel)) {
			sweeper_fail(cx, HESSC_ERR_NOMEM);
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

node_id adjoint_mul(sweeper *cx, node_id A, node_id p) { return adjoint_op(cx, OP_MUL, A, p); }
static node_id adiv(sweeper *cx, node_id A, node_id p) { return adjoint_op(cx, OP_DIV, A, p); }
static node_id aneg(sweeper *cx, node_id A) { return adjoint_op(cx, OP_NEG, A, 0); }

/* U + V for adjoints; two adjoints of the same branch stay one branch
 * (one level: IF(c, X, 0) + IF(c, Y, 0) = IF(c, X + Y, 0)). */
node_id adjoint_add(sweeper *cx, node_id U, node_id V)
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

static int wants(sweeper *cx, node_id operand)
{
	return node_map_find(&cx->map, operand) != NULL;  /* the cone holds what is wanted */
}

/* Add a contribution to an operand's adjoint; a constant 0 is no
 * contribution (a structural zero). */
static void acc(sweeper *cx, node_id operand, node_id contribution)
{
	if (contribution == GRAPH_NO_NODE) {
		sweeper_fail(cx, HESSC_ERR_NOMEM);
		return;
	}
	if (is_zero(cx->g, contribution))
		return;
	node_id *slot = &cx->adj[*node_map_find(&cx->map, operand)];
	*slot = *slot == GRAPH_NO_NODE ? contribution : adjoint_add(cx, *slot, contribution);
}

#define C(v) graph_const(g, (v))
#define U(op, x) graph_unary(g, OP_##op, (x))
#define B(op, x, y) graph_binary(g, OP_##op, (x), (y))

/* Push the adjoint A of node v (at cone position) to its operands. */
static void propagate(sweeper *cx, node_id v, node_id A)
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
		if (wa) acc(cx, a, adjoint_mul(cx, A, b));
		if (wb) acc(cx, b, adjoint_mul(cx, A, a));
		break;
	case OP_DIV:    /* d(a/b) = da/b - (a/b) db/b */
		if (wa) acc(cx, a, adiv(cx, A, b));
		if (wb) acc(cx, b, aneg(cx, adiv(cx, adjoint_mul(cx, A, v), b)));
		break;
	case OP_NEG:    /* d(-a) = -da */
		if (wa) acc(cx, a, aneg(cx, A));
		break;
	case OP_POW:    /* d a^b = b a^(b-1) da + a^b log(a) db */
		if (wa) acc(cx, a, adjoint_mul(cx, A, B(MUL, b, B(POW, a, B(SUB, b, cx->one)))));
		if (wb) acc(cx, b, adjoint_mul(cx, A, B(MUL, v, U(LOG, a))));
		break;
	case OP_POWI:   /* d a^k = k a^(k-1) da */
		if (wa) acc(cx, a, adjoint_mul(cx, A, B(MUL, C((double)nd.index),
		                                  graph_powi(g, a, (int)nd.index - 1))));
		break;
	case OP_SQRT:   /* d sqrt(a) = da / (2 sqrt(a)) */
		if (wa) acc(cx, a, adiv(cx, A, B(MUL, C(2.0), v)));
		break;
	case OP_EXP:    /* d e^a = e^a da */
		if (wa) acc(cx, a, adjoint_mul(cx, A, v));
		break;
	case OP_LOG:    /* d log(a) = da / a */
		if (wa) acc(cx, a, adiv(cx, A, a));
		break;
	case OP_LOG10:  /* d log10(a) = da / (a ln 10), ln 10 = 2.302585092994045684 */
		if (wa) acc(cx, a, adiv(cx, A, B(MUL, a, C(2.302585092994045684))));
		break;
	case OP_SIN:    /* d sin(a) = cos(a) da */
		if (wa) acc(cx, a, adjoint_mul(cx, A, U(COS, a)));
		break;
	case OP_COS:    /* d cos(a) = -sin(a) da */
		if (wa) acc(cx, a, aneg(cx, adjoint_mul(cx, A, U(SIN, a))));
		break;
	case OP_TAN:    /* d tan(a) = (1 + tan(a)^2) da */
		if (wa) acc(cx, a, adjoint_mul(cx, A, B(ADD, cx->one, graph_powi(g, v, 2))));
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
		if (wa) acc(cx, a, adiv(cx, adjoint_mul(cx, A, b), r2));
		if (wb) acc(cx, b, aneg(cx, adiv(cx, adjoint_mul(cx, A, a), r2)));
		break;
	}
	case OP_SINH:   /* d sinh(a) = cosh(a) da */
		if (wa) acc(cx, a, adjoint_mul(cx, A, U(COSH, a)));
		break;
	case OP_COSH:   /* d cosh(a) = sinh(a) da */
		if (wa) acc(cx, a, adjoint_mul(cx, A, U(SINH, a)));
		break;
	case OP_TANH:   /* d tanh(a) = (1 - tanh(a)^2) da */
		if (wa) acc(cx, a, adjoint_mul(cx, A, B(SUB, cx->one, graph_powi(g, v, 2))));
		break;
	case OP_ABS:    /* d |a| = sign(a) da, 0 at a = 0 */
		if (wa) acc(cx, a, adjoint_mul(cx, A, U(SIGN, a)));
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
		if (wb) acc(cx, b, aneg(cx, adjoint_mul(cx, A, B(DIVI, a, b))));
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
	case OP_DATA:   /* run-time inputs are constants to the derivatives */
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
int sweep(sweeper *cx, node_id root, int32_t from, var_deriv **out, size_t *out_cap,
          size_t *count)
{
	*count = 0;
	if (!sweep_cone(cx, root, from))
		return 0;
	if (cx->ncone == 0)
		return 1;
	cx->adj[cx->ncone - 1] = cx->one;
	for (size_t i = cx->ncone; i-- > 0;) {
		if (cx->adj[i] == GRAPH_NO_NODE)
			continue;
		propagate(cx, cx->cone[i], cx->adj[i]);
		if (cx->status != HESSC_OK || graph_failed(cx->g))
			return sweeper_fail(cx, HESSC_ERR_NOMEM);
	}
	for (size_t i = 0; i < cx->ncone; i++) {
		graph_node nd = node_at(cx->g, cx->cone[i]);
		if (nd.op != OP_VAR || cx->adj[i] == GRAPH_NO_NODE || nd.index < from)
			continue;
		if (!grow_array((void **)out, out_cap, *count + 1, sizeof **out))
			return sweeper_fail(cx, HESSC_ERR_NOMEM);
		(*out)[(*count)++] = (var_deriv){nd.index, cx->adj[i]};
	}
	if (*count > 1)  /* *out is NULL while empty */
		qsort(*out, *count, sizeof **out, cmp_var_deriv_by_var);
	return 1;
}

int sweeper_init(sweeper *s, graph *g, size_t n)
{
	memset(s, 0, sizeof *s);
	s->g = g;
	s->n = n;
	s->zero = graph_const(g, 0.0);
	s->one = graph_const(g, 1.0);
	if (graph_failed(g))
		return sweeper_fail(s, HESSC_ERR_NOMEM);
	if (!node_map_init(&s->map, 64))
		return sweeper_fail(s, HESSC_ERR_NOMEM);
	return 1;
}

void sweeper_free(sweeper *s)
{
	node_map_free(&s->map);
	free(s->cone);
	free(s->adj);
	free(s->stack);
	free(s->reach);
	free(s->peel);
	s->cone = s->adj = s->stack = s->peel = NULL;
	s->reach = NULL;
}
