/* graph.h -- the expression graph: a hash-consed DAG of scalar operations.
 *
 * In:  constructor calls from the front end's lowering (lower.c) and from
 *      differentiation (derive.c).
 * Out: nodes addressed by 32-bit ids.  Operands always have smaller ids than
 *      the node that uses them, so increasing id order is a topological
 *      order and every pass is a loop, never a recursion (a sum of a million
 *      terms is a chain a million deep).
 *
 * Hash-consing: structurally equal nodes are one node (commutative operands
 * are sorted first), so common subexpressions are shared by construction.
 * Simplification in the constructors only applies rewrites that give the
 * same IEEE result for every input (graph.c lists them): constant folding
 * when the result is not NaN (the folded value is what the machine computes
 * at run time: same IEEE arithmetic, same libm), x*1, x/1, x-(+0), x+(-0),
 * pow(x,1), --x -> x; x*-1, x/-1 -> -x; x+(-y) -> x-y; x-(-y) -> x+y;
 * pow(x,0) -> 1; if with a constant condition or equal branches.  Never
 * x+0 -> x (-0+0 = +0), x*0 -> 0 or x-x -> 0 (NaN and Inf).  Derivatives
 * drop structural zeros themselves (derive.c), not through the graph.
 *
 * Memory: one growable node array and one hash table per graph; freed by
 * graph_free.  Allocation failure is sticky: constructors return
 * GRAPH_NO_NODE and graph_failed() says so; every stage checks it before it
 * hands the graph on.
 */
#ifndef HESSC_GRAPH_H
#define HESSC_GRAPH_H

#include <stddef.h>
#include <stdint.h>

typedef enum graph_op {
#define OP(name, arity, commutative, c_spelling) OP_##name,
#include "ops.h"
	OP_COUNT
} graph_op;

typedef uint32_t node_id;
#define GRAPH_NO_NODE UINT32_MAX

typedef struct graph_node {
	uint8_t op;        /* graph_op */
	uint32_t a, b, c;  /* operands (ids < this node's id), unused ones 0 */
	union {            /* one or the other: a node is 24 bytes, not 32 */
		int64_t index; /* OP_VAR: variable index; OP_POWI: the exponent;
		                  OP_DATA: array << GRAPH_DATA_SHIFT | element; else 0 */
		double value;  /* OP_CONST: the value; read it only there */
	};
} graph_node;

typedef struct graph graph;

graph *graph_new(void);
void graph_free(graph *g);

/* 1 if an allocation failed since graph_new: every id returned since may be
 * GRAPH_NO_NODE and the graph must not be used further. */
int graph_failed(const graph *g);

/* Empty the graph for reuse, keeping its memory (a scratch graph built and
 * thrown away many times, like one iteration of a sum): afterwards it is
 * as graph_new left it, failure flag and counts included.  Costs its
 * nodes when they are few, else the size of its hash table (which shrinks
 * back when a large graph grew it). */
void graph_reset(graph *g);

/* 1: no simplification that looks at a constant's value (x * 1, x * -1,
 * x / +-1, x + -0, x - +0, pow(x, 1), pow(x, +-0)), so that terms that
 * differ only in their constants' values keep one shape; the scratch
 * graph of a streamed sum's iterations (lower_stream.c), whose constants
 * are often data.  Folding constants together stays.  0 (graph_new's
 * default, kept by graph_reset): every simplification. */
void graph_set_value_blind(graph *g, int on);

size_t graph_size(const graph *g);
const graph_node *graph_get(const graph *g, node_id id);

/* Constructors: return an existing equal node when there is one. */
node_id graph_const(graph *g, double value);
node_id graph_var(graph *g, int64_t index);
/* Element `element` of run-time input array `array` (OP_DATA): a value the
 * kernels read from their data at run time, constant for differentiation.
 * array < GRAPH_DATA_MAX_ARRAYS, element < 2^GRAPH_DATA_SHIFT. */
#define GRAPH_DATA_SHIFT 40
#define GRAPH_DATA_MAX_ARRAYS ((int64_t)1 << 22)
node_id graph_data(graph *g, int64_t array, int64_t element);
/* The array and element of an OP_DATA node's index. */
static inline int64_t graph_data_array(int64_t index) { return index >> GRAPH_DATA_SHIFT; }
static inline int64_t graph_data_element(int64_t index)
{
	return index & (((int64_t)1 << GRAPH_DATA_SHIFT) - 1);
}
node_id graph_unary(graph *g, graph_op op, node_id a);
node_id graph_binary(graph *g, graph_op op, node_id a, node_id b);
node_id graph_powi(graph *g, node_id a, int exponent);
node_id graph_if(graph *g, node_id cond, node_id then_value, node_id else_value);

/* Operator properties, from ops.h. */
const char *graph_op_name(graph_op op);
int graph_op_arity(graph_op op);
int graph_op_commutative(graph_op op);
const char *graph_op_c_spelling(graph_op op);

/* 1 and *value set when id is an OP_CONST node. */
int graph_is_const(const graph *g, node_id id, double *value);

/* Evaluate node `root` (and everything below it) at x, the reference
 * interpreter that tests compare the emitters with.  `scratch` holds
 * graph_size(g) doubles. */
double graph_eval(const graph *g, node_id root, const double *x, double *scratch);
/* The same with run-time inputs: OP_DATA (a, k) reads inputs[a][k]
 * (graph_eval gives NaN there). */
double graph_eval_inputs(const graph *g, node_id root, const double *x,
                         const double *const *inputs, double *scratch);

/* The graph's invariants, checked between stages and in tests: every
 * operator known, used operands smaller than the node, unused operands and
 * index 0, commutative operands sorted, POWI exponents that fit an int, and
 * every node the one the hash table finds for its contents (no duplicate).
 * Returns GRAPH_NO_NODE when all hold, else the first node that breaks one. */
node_id graph_check(const graph *g);

/* Counts for users who want to see what sharing saved: nodes requested from
 * the constructors vs nodes actually created. */
size_t graph_requests(const graph *g);

/* The meaning of every operator on doubles, in one place: graph_eval, the
 * constant folder and any interpreter of a lowered form call this, and the
 * emitters must write code that computes the same (see graph.c for each
 * operator's definition: IF takes `then` when c != 0 (NaN counts as true),
 * MIN/MAX are fmin/fmax, MOD is fmod, DIVI is trunc(a/b), SIGN(x) is 1 for
 * x > 0, -1 for x < 0 and 0 otherwise (NaN included),
 * comparisons and logic give 1.0 or 0.0 with C's semantics).
 * `index` is the POWI exponent; a, b, c are the operand values (unused = 0). */
double graph_apply(graph_op op, double a, double b, double c, int64_t index);

/* x^k exactly as the emitters must compute it: k == 0 gives 1, otherwise
 * right-to-left binary powering over |k| (result = the first power of two
 * present, then result * base for each further set bit, base squared per
 * bit), and 1/result when k < 0.  So x^2 = x*x, x^3 = x*(x*x),
 * x^4 = (x*x)*(x*x), x^6 = (x*x)*((x*x)*(x*x)). */
double graph_powi_value(double x, int64_t k);

#endif
