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

/* Largest |k| for which x^k becomes graph_powi (others use OP_POW). */
#define LOWER_MAX_POWI 16

/* Lowers s->objective; errors leave through s->fail as in sema. */
hessc_status lower_objective(sema *s, graph *g, node_id *root);

#endif
