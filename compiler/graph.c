/* graph.c -- the hash-consed expression graph, its IEEE-safe simplifier and
 * its reference interpreter.
 *
 * Nodes live in one growable array; a node's id is its index.  An open
 * addressing table (linear probing, at most 70% full) maps a node's
 * contents (op, a, b, c, index, bits of value) to its id, so a constructor
 * asked for a node that exists returns the existing one.  Each slot keeps
 * the node's 32-bit hash beside its id: probing compares hashes in the
 * table itself and reads a node only when they match, and growing the table
 * never reads the nodes (large graphs are memory-bound here).
 *
 * Simplifications (each gives the same IEEE double as the unsimplified node
 * for every input, NaN and infinities and signed zeros included):
 *   op(constants...) -> constant     when the result is not NaN: the folder
 *                                    calls graph_apply, the same arithmetic and
 *                                    libm as the generated code.  A NaN
 *                                    result stays unfolded, so that the
 *                                    program computes it itself (and the graph
 *                                    never grows NaN constants by accident).
 *   x * 1 -> x,  x / 1 -> x          exact
 *   x * -1 -> -x, x / -1 -> -x       exact (rounding is symmetric)
 *   x - (+0) -> x                    x - +0 = x also for x = -0
 *   x + (-0) -> x                    x + -0 = x also for x = +0
 *   x + (-y) -> x - y                IEEE defines x - y as x + (-y)
 *   x - (-y) -> x + y                idem
 *   -(-x) -> x                       exact
 *   pow(x, 1) -> x                   libm's pow is exact when x^1 is
 *   pow(x, +-0) -> 1, x^0 -> 1       C99 F.9.4.4: pow(x, +-0) = 1 for all x
 *   x^1 -> x                         POWI, exact
 *   if c then a else a -> a
 *   if const then a else b -> a or b
 * Not done, on purpose: x + 0 -> x (-0 + 0 = +0), x * 0 -> 0 (Inf * 0 and
 * NaN * 0 are NaN), x - x -> 0 (Inf - Inf is NaN), x / x -> 1.
 */
#define _DEFAULT_SOURCE  /* madvise's MADV_HUGEPAGE */
#include "graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

struct graph {
	graph_node *nodes;  /* size cap, the first count are used */
	size_t count, cap;
	uint64_t *table;    /* size table_cap (a power of two): hash << 32 | id, or EMPTY */
	size_t table_cap;
	size_t requests;    /* constructor calls */
	int failed;         /* sticky: an allocation failed or an operand was invalid */
	int value_blind;    /* graph_set_value_blind */
};

#define EMPTY UINT64_MAX
#define SLOT_ID(e) ((node_id)((e) & 0xffffffffu))
#define SLOT_HASH(e) ((uint32_t)((e) >> 32))
#define MAX_NODES ((size_t)UINT32_MAX - 1)

static const char *const op_names[] = {
#define OP(name, arity, commutative, c_spelling) #name,
#include "ops.h"
};
static const int op_arity[] = {
#define OP(name, arity, commutative, c_spelling) arity,
#include "ops.h"
};
static const int op_commutative[] = {
#define OP(name, arity, commutative, c_spelling) commutative,
#include "ops.h"
};
static const char *const op_c_spelling[] = {
#define OP(name, arity, commutative, c_spelling) c_spelling,
#include "ops.h"
};

const char *graph_op_name(graph_op op) { return op < OP_COUNT ? op_names[op] : "?"; }
int graph_op_arity(graph_op op) { return op < OP_COUNT ? op_arity[op] : -1; }
int graph_op_commutative(graph_op op) { return op < OP_COUNT ? op_commutative[op] : 0; }
const char *graph_op_c_spelling(graph_op op) { return op < OP_COUNT ? op_c_spelling[op] : ""; }

graph *graph_new(void)
{
	graph *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->cap = 256;
	g->table_cap = 512;
	g->nodes = malloc(g->cap * sizeof *g->nodes);
	g->table = malloc(g->table_cap * sizeof *g->table);
	if (!g->nodes || !g->table) {
		graph_free(g);
		return NULL;
	}
	memset(g->table, 0xff, g->table_cap * sizeof *g->table);
	return g;
}

void graph_free(graph *g)
{
	if (!g)
		return;
	free(g->nodes);
	free(g->table);
	free(g);
}

static uint64_t node_hash(const graph_node *n);

void graph_reset(graph *g)
{
	/* a few nodes: empty their own slots, found first (emptying one
	 * before finding the next could cut the next one's probe sequence),
	 * rather than clear the whole table */
	if (g->count <= 64 && !g->failed) {
		size_t slot[64], mask = g->table_cap - 1;
		for (size_t id = 0; id < g->count; id++) {
			size_t s = (uint32_t)node_hash(&g->nodes[id]) & mask;
			while (SLOT_ID(g->table[s]) != id)
				s = (s + 1) & mask;
			slot[id] = s;
		}
		for (size_t id = 0; id < g->count; id++)
			g->table[slot[id]] = EMPTY;
		g->count = 0;
		g->requests = 0;
		return;
	}
	/* a table grown past a few pages would cost more to clear than to
	 * replace; a fresh one of the initial size is cleared below */
	if (g->table_cap > 4096) {
		uint64_t *t = malloc(512 * sizeof *t);
		if (t) {
			free(g->table);
			g->table = t;
			g->table_cap = 512;
		}
	}
	memset(g->table, 0xff, g->table_cap * sizeof *g->table);
	g->count = 0;
	g->requests = 0;
	g->failed = 0;
}

int graph_failed(const graph *g) { return g->failed; }
size_t graph_size(const graph *g) { return g->count; }
size_t graph_requests(const graph *g) { return g->requests; }

const graph_node *graph_get(const graph *g, node_id id)
{
	return id < g->count ? &g->nodes[id] : NULL;
}

int graph_is_const(const graph *g, node_id id, double *value)
{
	if (id >= g->count || g->nodes[id].op != OP_CONST)
		return 0;
	if (value)
		*value = g->nodes[id].value;
	return 1;
}

static uint64_t double_bits(double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	return u;
}

static uint64_t node_hash(const graph_node *n)
{
	uint64_t h = n->op;
	h = h * 0x9e3779b97f4a7c15u + n->a;
	h = h * 0x9e3779b97f4a7c15u + n->b;
	h = h * 0x9e3779b97f4a7c15u + n->c;
	h = h * 0x9e3779b97f4a7c15u + (uint64_t)n->index;  /* or value's bits */
	/* murmur3's finalizer spreads the bits over the low ones we mask */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return h;
}

static int node_equal(const graph_node *x, const graph_node *y)
{
	return x->op == y->op && x->a == y->a && x->b == y->b && x->c == y->c &&
	       x->index == y->index;  /* for a constant: the bits of its value */
}

/* Ask for huge pages on the big arrays: a hash table lookup in a graph of
 * millions of nodes is one random access, and with 4 KiB pages most of its
 * cost is the TLB miss.  Only the 2 MiB-aligned inside of the block is
 * advised; it is a hint, failure is harmless. */
static void advise_huge(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + bytes) & ~(huge - 1);
	if (bytes >= 2 * huge && end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

__attribute__((noinline)) static int grow_table(graph *g)
{
	size_t cap = g->table_cap * 2, mask = cap - 1;
	uint64_t *t = malloc(cap * sizeof *t);
	if (!t)
		return 0;
	advise_huge(t, cap * sizeof *t);
	memset(t, 0xff, cap * sizeof *t);
	for (size_t i = 0; i < g->table_cap; i++) {
		uint64_t e = g->table[i];
		if (e == EMPTY)
			continue;
		size_t s = SLOT_HASH(e) & mask;
		while (t[s] != EMPTY)
			s = (s + 1) & mask;
		t[s] = e;
	}
	free(g->table);
	g->table = t;
	g->table_cap = cap;
	return 1;
}

/* The one place nodes are created: find `n` or append it. */
static node_id intern(graph *g, const graph_node *n)
{
	if (g->failed)
		return GRAPH_NO_NODE;
	size_t mask = g->table_cap - 1;
	uint32_t h = (uint32_t)node_hash(n);
	size_t s = h & mask;
	for (uint64_t e; (e = g->table[s]) != EMPTY; s = (s + 1) & mask)
		if (SLOT_HASH(e) == h && node_equal(&g->nodes[SLOT_ID(e)], n))
			return SLOT_ID(e);
	if (g->count >= MAX_NODES)
		goto fail;
	if (g->count == g->cap) {
		size_t cap = g->cap * 2;
		graph_node *nodes = realloc(g->nodes, cap * sizeof *nodes);
		if (!nodes)
			goto fail;
		advise_huge(nodes, cap * sizeof *nodes);
		g->nodes = nodes;
		g->cap = cap;
	}
	node_id id = (node_id)g->count;
	g->nodes[g->count++] = *n;
	g->table[s] = (uint64_t)h << 32 | id;
	if (10 * g->count > 7 * g->table_cap && !grow_table(g))
		goto fail;
	return id;
fail:
	g->failed = 1;
	return GRAPH_NO_NODE;
}

static graph_node make(graph_op op, node_id a, node_id b, node_id c)
{
	graph_node n;
	memset(&n, 0, sizeof n);
	n.op = (uint8_t)op;
	n.a = a;
	n.b = b;
	n.c = c;
	return n;
}

/* Operands must exist: an invalid one is a caller's bug or an earlier
 * failure, and poisons the graph like an allocation failure would. */
static int operands_ok(graph *g, int arity, node_id a, node_id b, node_id c)
{
	if (g->failed)
		return 0;
	if ((arity > 0 && a >= g->count) || (arity > 1 && b >= g->count) ||
	    (arity > 2 && c >= g->count)) {
		g->failed = 1;
		return 0;
	}
	return 1;
}

static int is_const_value(const graph *g, node_id id, double v)
{
	double x;
	return !g->value_blind && graph_is_const(g, id, &x) && double_bits(x) == double_bits(v);
}

void graph_set_value_blind(graph *g, int on)
{
	g->value_blind = on;
}

static node_id const_node(graph *g, double value)
{
	graph_node n = make(OP_CONST, 0, 0, 0);
	n.value = value;
	return intern(g, &n);
}

node_id graph_const(graph *g, double value)
{
	g->requests++;
	return const_node(g, value);
}

node_id graph_var(graph *g, int64_t index)
{
	g->requests++;
	graph_node n = make(OP_VAR, 0, 0, 0);
	n.index = index;
	return intern(g, &n);
}

node_id graph_data(graph *g, int64_t array, int64_t element)
{
	g->requests++;
	if (array < 0 || array >= GRAPH_DATA_MAX_ARRAYS || element < 0 ||
	    element >= ((int64_t)1 << GRAPH_DATA_SHIFT)) {
		g->failed = 1;
		return GRAPH_NO_NODE;
	}
	graph_node n = make(OP_DATA, 0, 0, 0);
	n.index = array << GRAPH_DATA_SHIFT | element;
	return intern(g, &n);
}

/* Fold when every operand is a constant and the result is a number. */
static int try_fold(graph *g, graph_op op, int arity, node_id a, node_id b, int64_t index,
                    node_id *out)
{
	double va = 0, vb = 0;
	if (!graph_is_const(g, a, &va))
		return 0;
	if (arity == 2 && !graph_is_const(g, b, &vb))
		return 0;
	double r = graph_apply(op, va, vb, 0, index);
	if (isnan(r))
		return 0;
	*out = const_node(g, r);
	return 1;
}

static node_id unary(graph *g, graph_op op, node_id a)
{
	node_id folded;
	if (try_fold(g, op, 1, a, 0, 0, &folded))
		return folded;
	if (op == OP_NEG && g->nodes[a].op == OP_NEG)
		return g->nodes[a].a;                     /* -(-x) = x */
	graph_node n = make(op, a, 0, 0);
	return intern(g, &n);
}

node_id graph_unary(graph *g, graph_op op, node_id a)
{
	g->requests++;
	if (op >= OP_COUNT || op_arity[op] != 1 || op == OP_POWI) {
		g->failed = 1;
		return GRAPH_NO_NODE;
	}
	if (!operands_ok(g, 1, a, 0, 0))
		return GRAPH_NO_NODE;
	return unary(g, op, a);
}

static node_id binary(graph *g, graph_op op, node_id a, node_id b)
{
	node_id folded;
	if (try_fold(g, op, 2, a, b, 0, &folded))
		return folded;
	if (op_commutative[op] && b < a) {
		node_id t = a;
		a = b;
		b = t;
	}
	switch (op) {
	case OP_ADD:
		if (is_const_value(g, b, -0.0))
			return a;                               /* x + -0 = x */
		if (is_const_value(g, a, -0.0))
			return b;
		if (g->nodes[b].op == OP_NEG)
			return binary(g, OP_SUB, a, g->nodes[b].a);  /* x + -y = x - y */
		if (g->nodes[a].op == OP_NEG)
			return binary(g, OP_SUB, b, g->nodes[a].a);
		break;
	case OP_SUB:
		if (is_const_value(g, b, 0.0))
			return a;                               /* x - +0 = x */
		if (g->nodes[b].op == OP_NEG)
			return binary(g, OP_ADD, a, g->nodes[b].a);  /* x - -y = x + y */
		break;
	case OP_MUL:
		if (is_const_value(g, b, 1.0))
			return a;
		if (is_const_value(g, a, 1.0))
			return b;
		if (is_const_value(g, b, -1.0))
			return unary(g, OP_NEG, a);
		if (is_const_value(g, a, -1.0))
			return unary(g, OP_NEG, b);
		break;
	case OP_DIV:
		if (is_const_value(g, b, 1.0))
			return a;
		if (is_const_value(g, b, -1.0))
			return unary(g, OP_NEG, a);
		break;
	case OP_POW:
		if (is_const_value(g, b, 1.0))
			return a;
		if (is_const_value(g, b, 0.0) || is_const_value(g, b, -0.0))
			return const_node(g, 1.0);
		break;
	default:
		break;
	}
	graph_node n = make(op, a, b, 0);
	return intern(g, &n);
}

node_id graph_binary(graph *g, graph_op op, node_id a, node_id b)
{
	g->requests++;
	if (op >= OP_COUNT || op_arity[op] != 2) {
		g->failed = 1;
		return GRAPH_NO_NODE;
	}
	if (!operands_ok(g, 2, a, b, 0))
		return GRAPH_NO_NODE;
	return binary(g, op, a, b);
}

node_id graph_powi(graph *g, node_id a, int exponent)
{
	g->requests++;
	if (!operands_ok(g, 1, a, 0, 0))
		return GRAPH_NO_NODE;
	if (exponent == 0)
		return const_node(g, 1.0);              /* x^0 = 1, NaN included */
	if (exponent == 1)
		return a;
	node_id folded;
	if (try_fold(g, OP_POWI, 1, a, 0, exponent, &folded))
		return folded;
	graph_node n = make(OP_POWI, a, 0, 0);
	n.index = exponent;
	return intern(g, &n);
}

node_id graph_if(graph *g, node_id cond, node_id then_value, node_id else_value)
{
	g->requests++;
	if (!operands_ok(g, 3, cond, then_value, else_value))
		return GRAPH_NO_NODE;
	if (then_value == else_value)
		return then_value;
	double c;
	if (graph_is_const(g, cond, &c))
		return c != 0 ? then_value : else_value;  /* NaN counts as true, as in C */
	graph_node n = make(OP_IF, cond, then_value, else_value);
	return intern(g, &n);
}

node_id graph_check(const graph *g)
{
	for (size_t i = 0; i < g->count; i++) {
		const graph_node *n = &g->nodes[i];
		if (n->op >= OP_COUNT)
			return (node_id)i;
		int ar = op_arity[n->op];
		node_id ops[3] = {n->a, n->b, n->c};
		for (int k = 0; k < 3; k++)
			if (k < ar ? ops[k] >= i : ops[k] != 0)
				return (node_id)i;
		if (n->op != OP_VAR && n->op != OP_POWI && n->op != OP_CONST && n->op != OP_DATA &&
		    n->index != 0)
			return (node_id)i;
		if (n->op == OP_POWI && (n->index > INT32_MAX || n->index < INT32_MIN))
			return (node_id)i;
		if (n->op == OP_DATA && n->index < 0)
			return (node_id)i;
		if (op_commutative[n->op] && n->a > n->b)
			return (node_id)i;
		/* the table must lead to this very node */
		size_t mask = g->table_cap - 1;
		uint32_t h = (uint32_t)node_hash(n);
		size_t s = h & mask;
		uint64_t e;
		while ((e = g->table[s]) != EMPTY &&
		       !(SLOT_HASH(e) == h && node_equal(&g->nodes[SLOT_ID(e)], n)))
			s = (s + 1) & mask;
		if (e == EMPTY || SLOT_ID(e) != i)
			return (node_id)i;
	}
	return GRAPH_NO_NODE;
}

double graph_powi_value(double x, int64_t k)
{
	/* right-to-left binary powering, the order tape.c and the emitters use */
	uint64_t e = k < 0 ? (uint64_t)0 - (uint64_t)k : (uint64_t)k;
	double result = 1.0, base = x;
	int have = 0;
	while (e) {
		if (e & 1) {
			result = have ? result * base : base;
			have = 1;
		}
		e >>= 1;
		if (e)
			base = base * base;
	}
	return k < 0 ? 1.0 / result : result;
}

double graph_apply(graph_op op, double a, double b, double c, int64_t index)
{
	switch (op) {
	case OP_CONST:
	case OP_VAR:
	case OP_DATA:
	case OP_COUNT:
		return NAN;  /* leaves carry their value elsewhere */
	case OP_ADD: return a + b;
	case OP_SUB: return a - b;
	case OP_MUL: return a * b;
	case OP_DIV: return a / b;
	case OP_NEG: return -a;
	case OP_POW: return pow(a, b);
	case OP_POWI: return graph_powi_value(a, index);
	case OP_SQRT: return sqrt(a);
	case OP_EXP: return exp(a);
	case OP_LOG: return log(a);
	case OP_LOG10: return log10(a);
	case OP_SIN: return sin(a);
	case OP_COS: return cos(a);
	case OP_TAN: return tan(a);
	case OP_ASIN: return asin(a);
	case OP_ACOS: return acos(a);
	case OP_ATAN: return atan(a);
	case OP_ATAN2: return atan2(a, b);
	case OP_SINH: return sinh(a);
	case OP_COSH: return cosh(a);
	case OP_TANH: return tanh(a);
	case OP_ABS: return fabs(a);
	case OP_SIGN: return (double)((a > 0) - (a < 0));
	case OP_FLOOR: return floor(a);
	case OP_CEIL: return ceil(a);
	case OP_ROUND: return round(a);
	case OP_MIN: return fmin(a, b);
	case OP_MAX: return fmax(a, b);
	case OP_MOD: return fmod(a, b);
	case OP_DIVI: return trunc(a / b);
	case OP_LT: return a < b ? 1.0 : 0.0;
	case OP_LE: return a <= b ? 1.0 : 0.0;
	case OP_EQ: return a == b ? 1.0 : 0.0;
	case OP_NE: return a != b ? 1.0 : 0.0;
	case OP_AND: return a != 0 && b != 0 ? 1.0 : 0.0;
	case OP_OR: return a != 0 || b != 0 ? 1.0 : 0.0;
	case OP_NOT: return a == 0 ? 1.0 : 0.0;
	case OP_IF: return a != 0 ? b : c;
	}
	return NAN;
}

double graph_eval(const graph *g, node_id root, const double *x, double *scratch)
{
	return graph_eval_inputs(g, root, x, NULL, scratch);
}

double graph_eval_inputs(const graph *g, node_id root, const double *x,
                         const double *const *inputs, double *scratch)
{
	if (root >= g->count)
		return NAN;
	for (size_t i = 0; i <= root; i++) {
		const graph_node *n = &g->nodes[i];
		switch (n->op) {
		case OP_CONST:
			scratch[i] = n->value;
			break;
		case OP_VAR:
			scratch[i] = x[n->index];
			break;
		case OP_DATA:
			scratch[i] = inputs ? inputs[graph_data_array(n->index)][graph_data_element(n->index)]
			                    : NAN;
			break;
		default: {
			int ar = op_arity[n->op];
			double a = ar > 0 ? scratch[n->a] : 0;
			double b = ar > 1 ? scratch[n->b] : 0;
			double c = ar > 2 ? scratch[n->c] : 0;
			scratch[i] = graph_apply((graph_op)n->op, a, b, c, n->index);
		}
		}
	}
	return scratch[root];
}
