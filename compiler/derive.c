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
 * The sweeps and the rules of every operator are in derive_sweep.c.
 *
 * Structural zeros: derivatives that are zero by the rules never reach the
 * pattern (derive_sweep.h), while entries that merely evaluate to zero
 * (2x - 2x, a weight sum like 0.1 + 0.2 - 0.3) stay.  A term whose weights
 * sum to exactly 0 (t - t, 0 * t) is dropped: its contribution is 0 * dt,
 * structurally zero.
 */
#include "derive.h"

#include <stdlib.h>
#include <string.h>

#include "derive_sweep.h"

typedef struct entry {
	int32_t col, row;
	node_id value;
} entry;

static int cmp_var_deriv_by_node(const void *x, const void *y)
{
	const var_deriv *a = x, *b = y;
	if (a->node != b->node)
		return (a->node > b->node) - (a->node < b->node);
	return (a->var > b->var) - (a->var < b->var);
}

/* ---- 1. terms ---- */

typedef struct term {
	node_id node;
	double weight;
} term;

/* The terms of the objective and the constant weight of each variable that
 * appears linearly (linear[i], 0 when none). */
static int find_terms(sweeper *cx, node_id root, term **terms, size_t *nterms, double *linear)
{
	graph *g = cx->g;
	size_t size = (size_t)root + 1, cap = 0;
	double *w = calloc(size, sizeof *w);
	uint8_t *reached = calloc(size, 1);
	*terms = NULL;
	*nterms = 0;
	if (!w || !reached) {
		sweeper_fail(cx, HESSC_ERR_NOMEM);
		goto done;
	}
	w[root] = 1;
	reached[root] = 1;
#define PUSH(x, weight) (reached[(x)] = 1, w[(x)] += (weight))
	for (size_t i = size; i-- > 0;) {
		if (!reached[i])
			continue;
		graph_node nd = *graph_get(g, (node_id)i);
		double wi = w[i], k;
		switch ((graph_op)nd.op) {
		case OP_CONST:
		case OP_DATA:   /* a run-time input: constant to the derivatives */
			continue;
		case OP_VAR:
			if (nd.index < 0 || (uint64_t)nd.index >= cx->n) {
				sweeper_fail(cx, HESSC_ERR_INTERNAL);
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
		if (!grow_array((void **)terms, &cap, *nterms + 1, sizeof **terms)) {
			sweeper_fail(cx, HESSC_ERR_NOMEM);
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
static size_t interaction_bound(sweeper *cx, node_id root)
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
		graph_node nd = *graph_get(g, (node_id)i);
		int ar = graph_op_arity((graph_op)nd.op);
		node_id ops[3] = {nd.a, nd.b, nd.c};
		for (int k = 0; k < ar; k++)
			if (derivative_passes((graph_op)nd.op, k))
				in[ops[k]] = 1;
	}
	for (size_t i = 0; i < size; i++) {
		if (!in[i])
			continue;
		graph_node nd = *graph_get(g, (node_id)i);
		int ar = graph_op_arity((graph_op)nd.op);
		size_t ca = ar > 0 && derivative_passes((graph_op)nd.op, 0) ? count[nd.a] : 0;
		size_t cb = ar > 1 && derivative_passes((graph_op)nd.op, 1) ? count[nd.b] : 0;
		size_t cc = ar > 2 && derivative_passes((graph_op)nd.op, 2) ? count[nd.c] : 0;
		size_t c = nd.op == OP_VAR ? 1 : sat_add(sat_add(ca, cb), cc);
		count[i] = c < cx->n ? c : cx->n;
		size_t pairs = 0;
		switch ((graph_op)nd.op) {
		case OP_CONST: case OP_VAR: case OP_DATA: case OP_ADD: case OP_SUB: case OP_NEG:
		case OP_ABS: case OP_MIN: case OP_MAX: case OP_MOD: case OP_IF:
		case OP_LT: case OP_LE: case OP_EQ: case OP_NE: case OP_AND: case OP_OR: case OP_NOT:
		case OP_SIGN: case OP_FLOOR: case OP_CEIL: case OP_ROUND: case OP_DIVI: case OP_COUNT:
			break;  /* linear, or linear piece by piece */
		case OP_MUL:
			pairs = sat_mul(ca, cb);
			break;
		case OP_DIV:
			pairs = cb ? sat_add(sat_mul(ca, cb), triangle(cb)) : 0;
			break;
		default:  /* nonlinear in all its operands together */
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
 * k(k+1)/2 for a term with k variables.  The term bound, a pass over every
 * term, is only needed when the others are above `limit`. */
static size_t hessian_bound(sweeper *cx, node_id root, const term *terms, size_t nterms,
                            size_t limit)
{
	/* the whole lower triangle (n < 2^31, so no overflow) */
	size_t least = cx->n % 2 == 0 ? (cx->n / 2) * (cx->n + 1) : cx->n * ((cx->n + 1) / 2);
	size_t inter = interaction_bound(cx, root);
	least = inter < least ? inter : least;
	if (least <= limit)
		return least;
	size_t bound = 0;
	for (size_t t = 0; t < nterms && bound < least; t++) {
		if (!sweep_cone(cx, terms[t].node, 0))
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

static hessc_status assemble(sweeper *cx, entry *e, size_t m, derivatives *out)
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
			out->hess[k - 1] = adjoint_add(cx, out->hess[k - 1], e[i].value);
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
	sweeper cx;
	memset(&cx, 0, sizeof cx);
	memset(out, 0, sizeof *out);
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
	if (!sweeper_init(&cx, g, n))
		goto done;
	linear = calloc(n ? n : 1, sizeof *linear);
	out->grad = malloc((n ? n : 1) * sizeof *out->grad);
	if (!linear || !out->grad) {
		sweeper_fail(&cx, HESSC_ERR_NOMEM);
		goto done;
	}

	if (!find_terms(&cx, objective, &terms, &nterms, linear))
		goto done;

	bound = hessian_bound(&cx, objective, terms, nterms, max_nnz);
	if (cx.status != HESSC_OK)
		goto done;
	if (bound > max_nnz) {
		sweeper_fail(&cx, HESSC_ERR_TOO_BIG);
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
			node_id d = adjoint_mul(&cx, grad_t[i].node, w);
			*gi = *gi == GRAPH_NO_NODE ? d : adjoint_add(&cx, *gi, d);
		}
		/* second sweeps, one per distinct gradient node, for the rows at
		 * or below the first column that uses it */
		if (ngrad > 1)  /* grad_t is NULL while empty: qsort must not see it */
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
					if (!grow_array((void **)&entries, &entries_cap, nentries + 1, sizeof *entries)) {
						sweeper_fail(&cx, HESSC_ERR_NOMEM);
						goto done;
					}
					entries[nentries++] = (entry){(int32_t)col, (int32_t)hess_g[r].var,
					                              adjoint_mul(&cx, hess_g[r].node, w)};
				}
			}
			i = end;
		}
		if (graph_failed(g)) {
			sweeper_fail(&cx, HESSC_ERR_NOMEM);
			goto done;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (out->grad[i] == GRAPH_NO_NODE)
			out->grad[i] = cx.zero;
	if (graph_failed(g)) {
		sweeper_fail(&cx, HESSC_ERR_NOMEM);
		goto done;
	}
	cx.status = assemble(&cx, entries, nentries, out);

done:
	free(terms);
	free(linear);
	free(grad_t);
	free(hess_g);
	free(entries);
	sweeper_free(&cx);
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
