/* lower.h -- the checked objective into the expression graph.
 *
 * In:  a checked model (sema.h) with its chosen objective.
 * Out: the root node of the objective in the caller's graph (graph.h).
 *      Parts that do not depend on variables are evaluated to constants
 *      here, as AMPL does; iterated sums become chains of additions
 *      (loops, never recursion); x^k with a small integer constant k is
 *      graph_powi; defined variables are lowered once per instance and
 *      shared by every use.
 */
#ifndef HESSC_LOWER_H
#define HESSC_LOWER_H

#include "graph.h"
#include "sema.h"
#include "template.h"

/* Largest |k| for which x^k becomes graph_powi (others use OP_POW). */
#define LOWER_MAX_POWI 16

/* Lowers s->objective; errors leave through s->fail as in sema. */
hessc_status lower_objective(sema *s, graph *g, node_id *root);

/* Lowers s->objective with its top-level iterated sums streamed into loops
 * (lower_stream.c, template_stream.h): *loops gets the loops found (no
 * residual loop, no pattern), *root the rest of the objective in g.  The
 * objective is *root plus every iteration of every loop.  Errors as
 * lower_objective's; *loops is empty then. */
hessc_status lower_objective_loops(sema *s, graph *g, node_id *root, tmpl_set *loops);

/* One expression lowered into s->graph (lower.c's walk), for lower_stream.c;
 * errors leave through s->fail. */
node_id lower_expr(sema *s, const ast_node *e, value *env);

#endif
