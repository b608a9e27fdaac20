/* derive.h -- symbolic first and second derivatives with exact sparsity.
 *
 * In:  a graph and the objective's root node, n variables (OP_VAR indices
 *      0..n-1).
 * Out: nodes of the same graph for f, every gradient component and every
 *      structural nonzero of the Hessian's lower triangle (row >= col), with
 *      the pattern in compressed sparse column form (rows sorted within each
 *      column).  Value, gradient and Hessian share their subexpressions
 *      because they live in one hash-consed graph.
 *
 * Work grows with the size of the graph and the number of Hessian nonzeros,
 * never with n^2: the objective is split into its terms (the nodes reached
 * from the root through +, -, unary - and multiplication/division by
 * constants, each with a constant weight); each term is differentiated
 * twice over its own variables only, and the contributions are summed per
 * Hessian entry.
 *
 * Structural means: derivatives that are zero by the rules (of constants,
 * of piecewise constant operators, through a term whose weights sum to
 * exactly 0 as in t - t) are left out; entries that only evaluate to 0
 * (2x - 2x) stay.  Non-smooth operators differentiate the active branch:
 * |a|' = sign(a) (0 at 0); min/max take the operand that is smaller/larger,
 * the one with the lower node id on ties; if-then-else differentiates the
 * branch taken, and the other branch's NaN never leaks in; floor, ceil,
 * round, div and comparisons have derivative 0; mod(a, b) has 1 and
 * -trunc(a/b).  The pattern covers both branches.
 *
 * A Hessian with more than `max_nnz` structural nonzeros is refused at once
 * (status HESSC_ERR_TOO_BIG, out->nnz holds an upper bound of the size),
 * before any of it is built.  Errors: HESSC_ERR_NOMEM (the graph or a
 * buffer could not grow), HESSC_ERR_INTERNAL (a variable index outside
 * 0..n-1, an objective id not in the graph); *out is empty after any error.
 */
#ifndef HESSC_DERIVE_H
#define HESSC_DERIVE_H

#include <stddef.h>
#include <stdint.h>
#include "graph.h"
#include "status.h"

typedef struct derivatives {
	size_t n;               /* number of variables */
	node_id f;              /* the objective as written */
	node_id *grad;          /* size n; the constant 0 node where f does not depend on x[i] */
	size_t nnz;             /* structural nonzeros of the lower triangle */
	int32_t *hess_colptr;   /* size n+1 */
	int32_t *hess_rowind;   /* size nnz, sorted within each column */
	node_id *hess;          /* size nnz, the value of each entry */
} derivatives;

#define DERIVE_DEFAULT_MAX_NNZ ((size_t)200000000)

hessc_status derive(graph *g, node_id objective, size_t n, size_t max_nnz,
                    derivatives *out);
void derivatives_free(derivatives *d);

#endif
