/* tape_fixtures.h -- hand-built graphs with hand-derived derivatives, for
 * the tape and emitter tests (the derivative stage is tested on its own;
 * here the derivatives are written out so a backend bug cannot hide
 * behind a derivative bug). */
#ifndef HESSC_TAPE_FIXTURES_H
#define HESSC_TAPE_FIXTURES_H

#include <stdlib.h>
#include <string.h>
#include "derive.h"
#include "graph.h"

/* A derivatives value with room for n gradient nodes and nnz entries. */
static inline int fixture_alloc(derivatives *d, size_t n, size_t nnz)
{
	memset(d, 0, sizeof *d);
	d->n = n;
	d->nnz = nnz;
	d->grad = calloc(n ? n : 1, sizeof *d->grad);
	d->hess_colptr = calloc(n + 1, sizeof *d->hess_colptr);
	d->hess_rowind = calloc(nnz ? nnz : 1, sizeof *d->hess_rowind);
	d->hess = calloc(nnz ? nnz : 1, sizeof *d->hess);
	return d->grad && d->hess_colptr && d->hess_rowind && d->hess;
}

static inline void fixture_free(derivatives *d)
{
	free(d->grad);
	free(d->hess_colptr);
	free(d->hess_rowind);
	free(d->hess);
	memset(d, 0, sizeof *d);
}

#define K(v) graph_const(g, (v))
#define X(i) graph_var(g, (i))
#define ADD(a, b) graph_binary(g, OP_ADD, (a), (b))
#define SUB(a, b) graph_binary(g, OP_SUB, (a), (b))
#define MUL(a, b) graph_binary(g, OP_MUL, (a), (b))
#define DIV(a, b) graph_binary(g, OP_DIV, (a), (b))
#define POWI(a, k) graph_powi(g, (a), (k))

/* Rosenbrock, f = 100 (x1 - x0^2)^2 + (x0 - 1)^2, derived by hand:
 *   df/dx0 = -400 x0 (x1 - x0^2) + 2 (x0 - 1)     df/dx1 = 200 (x1 - x0^2)
 *   H00 = 1200 x0^2 - 400 x1 + 2   H10 = -400 x0   H11 = 200 */
static inline int fixture_rosenbrock(graph *g, derivatives *d)
{
	if (!fixture_alloc(d, 2, 3))
		return 0;
	node_id x0 = X(0), x1 = X(1);
	node_id r = SUB(x1, POWI(x0, 2));
	d->f = ADD(MUL(K(100), POWI(r, 2)), POWI(SUB(x0, K(1)), 2));
	d->grad[0] = ADD(MUL(MUL(K(-400), x0), r), MUL(K(2), SUB(x0, K(1))));
	d->grad[1] = MUL(K(200), r);
	d->hess_colptr[0] = 0, d->hess_colptr[1] = 2, d->hess_colptr[2] = 3;
	d->hess_rowind[0] = 0, d->hess_rowind[1] = 1, d->hess_rowind[2] = 1;
	d->hess[0] = ADD(SUB(MUL(K(1200), POWI(x0, 2)), MUL(K(400), x1)), K(2));
	d->hess[1] = MUL(K(-400), x0);
	d->hess[2] = K(200);
	return !graph_failed(g);
}

/* A chain of unary functions over three variables, with a variable the
 * objective ignores (x3) and entries shared between outputs:
 *   f = exp(x0 x1) + sin(x2)^3 + x0 / x2
 *   g0 = x1 e + 1/x2          g1 = x0 e         g2 = 3 s^2 c - x0/x2^2   g3 = 0
 *   H00 = x1^2 e   H10 = e + x0 x1 e   H20 = -1/x2^2
 *   H11 = x0^2 e   H22 = 6 s c^2 - 3 s^3 + 2 x0/x2^3
 * with e = exp(x0 x1), s = sin(x2), c = cos(x2). */
static inline int fixture_mixed(graph *g, derivatives *d)
{
	if (!fixture_alloc(d, 4, 5))
		return 0;
	node_id x0 = X(0), x1 = X(1), x2 = X(2);
	node_id e = graph_unary(g, OP_EXP, MUL(x0, x1));
	node_id s = graph_unary(g, OP_SIN, x2), c = graph_unary(g, OP_COS, x2);
	d->f = ADD(ADD(e, POWI(s, 3)), DIV(x0, x2));
	d->grad[0] = ADD(MUL(x1, e), DIV(K(1), x2));
	d->grad[1] = MUL(x0, e);
	d->grad[2] = SUB(MUL(MUL(K(3), POWI(s, 2)), c), DIV(x0, POWI(x2, 2)));
	d->grad[3] = K(0);
	d->hess_colptr[0] = 0, d->hess_colptr[1] = 3, d->hess_colptr[2] = 4;
	d->hess_colptr[3] = 5, d->hess_colptr[4] = 5;
	d->hess_rowind[0] = 0, d->hess_rowind[1] = 1, d->hess_rowind[2] = 2;
	d->hess_rowind[3] = 1, d->hess_rowind[4] = 2;
	d->hess[0] = MUL(POWI(x1, 2), e);
	d->hess[1] = ADD(e, MUL(MUL(x0, x1), e));
	d->hess[2] = DIV(K(-1), POWI(x2, 2));
	d->hess[3] = MUL(POWI(x0, 2), e);
	d->hess[4] = ADD(SUB(MUL(MUL(K(6), s), POWI(c, 2)), MUL(K(3), POWI(s, 3))),
	                 DIV(MUL(K(2), x0), POWI(x2, 3)));
	return !graph_failed(g);
}

/* A separable sum of n terms (x_i - i)^4, long enough to be cut into parts:
 *   g_i = 4 (x_i - i)^3      H_ii = 12 (x_i - i)^2 (diagonal pattern). */
static inline int fixture_separable(graph *g, derivatives *d, size_t n)
{
	if (!fixture_alloc(d, n, n))
		return 0;
	node_id f = K(0);
	for (size_t i = 0; i < n; i++) {
		node_id r = SUB(X((int64_t)i), K((double)i));
		f = i == 0 ? POWI(r, 4) : ADD(f, POWI(r, 4));
		d->grad[i] = MUL(K(4), POWI(r, 3));
		d->hess_colptr[i + 1] = (int32_t)(i + 1);
		d->hess_rowind[i] = (int32_t)i;
		d->hess[i] = MUL(K(12), POWI(r, 2));
	}
	d->f = f;
	return !graph_failed(g);
}

#endif
