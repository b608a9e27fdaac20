/* graph_dot.h -- the expression graph (and its derivatives) for Graphviz.
 *
 * In:  a graph, the objective's root node, optionally the derivatives
 *      (derive.h) whose gradient and Hessian nodes live in the same graph,
 *      variable names for the leaves.
 * Out: a DOT digraph on a stream: one node per operation reachable from
 *      the outputs drawn, operands below their users (data flows upward to
 *      the outputs f, g[i], H[r,c]); a node with several users (a shared
 *      common subexpression) is filled and bold and says how many use it;
 *      constants are drawn beside each use, variables as boxes.  The graph's
 *      label gives the counts that show what sharing saved: the drawn nodes
 *      as a tree without any sharing, the nodes requested from the graph's
 *      constructors, and the nodes that exist after hash-consing (CSE) and
 *      simplification.
 */
#ifndef HESSC_GRAPH_DOT_H
#define HESSC_GRAPH_DOT_H

#include <stddef.h>
#include <stdio.h>
#include "derive.h"
#include "graph.h"
#include "status.h"

typedef struct dot_options {
	const char *title;               /* model name; may be NULL */
	const char *const *var_names;    /* name of variable i, size n_names; NULL: "x#i" */
	size_t n_names;
	const derivatives *deriv;        /* draw gradient and Hessian too; NULL: f only */
	size_t max_nodes;                /* refuse to draw more operations; 0: DOT_DEFAULT_MAX_NODES */
	size_t expr_requested;           /* graph_requests() / graph_size() before differentiation */
	size_t expr_nodes;               /*   (0, 0: not known, left out of the label) */
} dot_options;

#define DOT_DEFAULT_MAX_NODES 5000

/* What was (or would have been) drawn. */
typedef struct dot_counts {
	size_t drawn;          /* operation and variable nodes reachable from the outputs */
	size_t shared;         /* of those, operations with two or more users */
	double tree;           /* the same expressions as trees, without sharing */
	size_t requested;      /* graph_requests(g) */
	size_t nodes;          /* graph_size(g) */
} dot_counts;

/* HESSC_ERR_TOO_BIG (nothing written, counts->drawn says how many) when
 * more than max_nodes nodes would be drawn; HESSC_ERR_USAGE for a bad root
 * or derivatives that do not belong to g; HESSC_ERR_NOMEM;
 * HESSC_ERR_INTERNAL when writing fails.  counts may be NULL. */
hessc_status graph_write_dot(FILE *out, const graph *g, node_id f,
                             const dot_options *opt, dot_counts *counts);

#endif
