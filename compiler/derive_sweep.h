/* derive_sweep.h -- one symbolic reverse sweep: the derivative rule of
 * every operator, applied over the cone of one node.
 *
 * In:  a graph, a root node and the lowest variable index wanted.
 * Out: the derivative of the root with respect to each variable x[j],
 *      j >= from, that it depends on, as new nodes of the same graph, sorted
 *      by j.  Derivatives that are zero by the rules are absent (structural
 *      zeros): the rules never build a contribution for an operand no
 *      derivative reaches, and a contribution that is the constant 0 is
 *      dropped.
 * derive.c calls it once per term (the gradient) and once per distinct
 * gradient node (the Hessian's rows >= the column).  The sweeper keeps its
 * buffers between calls, so a million small sweeps allocate nothing.
 *
 * Non-smooth operators differentiate the active branch, as AMPL's solver
 * library does.  The adjoint of an IF branch is IF(c, A, 0); multiplying
 * such an adjoint moves the multiplication inside, IF(c, A*p, 0), so that
 * a partial that is NaN or infinite on the branch not taken (sqrt(x) on
 * x < 0) never turns 0 into NaN.  (When one node sits in untaken branches of
 * two different conditions its adjoint is a sum of two IFs and is not
 * split, nor are wrappers deeper than a small limit: the rare cases where
 * an untaken branch can still leak a NaN.)
 */
#ifndef HESSC_DERIVE_SWEEP_H
#define HESSC_DERIVE_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include "graph.h"
#include "node_map.h"
#include "status.h"

typedef struct var_deriv {
	int64_t var;      /* variable index */
	node_id node;     /* the derivative with respect to it */
} var_deriv;

typedef struct sweeper {
	graph *g;
	size_t n;                /* variables are x[0..n-1] */
	hessc_status status;     /* the first failure; sticky */
	node_id zero, one;

	/* the cone of the current sweep, sorted by id */
	node_map map;            /* node -> position in cone */
	node_id *cone;
	size_t ncone, cone_cap;
	size_t cone_vars;        /* VAR nodes in the cone */
	node_id *adj;            /* per cone position: adjoint, or GRAPH_NO_NODE */
	size_t adj_cap;
	node_id *stack;
	size_t stack_cap;

	int32_t *reach;          /* per graph node: the highest variable whose
	                          * derivative reaches it, or -1 */
	size_t reach_cap, reach_done;

	node_id *peel;           /* the IF wrappers peeled off an adjoint */
	size_t peel_cap;
} sweeper;

/* 0 and s->status set when memory ran out. */
int sweeper_init(sweeper *s, graph *g, size_t n);
void sweeper_free(sweeper *s);
/* Record a failure (the first one stays); returns 0. */
int sweeper_fail(sweeper *s, hessc_status st);

/* Collect the cone of `root` for derivatives by x[from..]: s->ncone nodes
 * in s->cone, s->cone_vars of them variables.  0 on failure. */
int sweep_cone(sweeper *s, node_id root, int32_t from);

/* The derivatives of `root` by x[j], j >= from, into *out (capacity *cap,
 * grown as needed), *count of them, sorted by j.  0 on failure. */
int sweep(sweeper *s, node_id root, int32_t from, var_deriv **out, size_t *cap, size_t *count);

/* Adjoint arithmetic that keeps IF branches apart: A * p, and U + V. */
node_id adjoint_mul(sweeper *s, node_id A, node_id p);
node_id adjoint_add(sweeper *s, node_id U, node_id V);

/* Whether a derivative flows from `op` into its operand number `operand`:
 * not out of piecewise constant operators, not into an IF's condition. */
int derivative_passes(graph_op op, int operand);

/* Grow *p (capacity *cap elements of elem bytes) to hold need; 0 when
 * memory ran out (*p is then unchanged). */
int grow_array(void **p, size_t *cap, size_t need, size_t elem);

#endif
