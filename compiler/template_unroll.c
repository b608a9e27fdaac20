/* template_unroll.c -- loops written out again into a graph
 * (template.h's tmpl_unroll_loops). */
#include "template.h"

#include <stdlib.h>

/* The body of loop l at iteration it, copied into g; map holds one id per
 * body node up to the root.  GRAPH_NO_NODE once g failed. */
static node_id copy_iteration(graph *g, const tmpl_loop *l, size_t it, node_id *map)
{
	const graph *b = l->body;
	size_t iters = tmpl_iterations(l);
	node_id root = l->root;
	/* only what the root reaches: derivatives may follow it in the body */
	for (node_id k = 0; k < root; k++)
		map[k] = GRAPH_NO_NODE;
	map[root] = 0;
	for (node_id k = root + 1; k-- > 0;) {
		const graph_node *n = graph_get(b, k);
		int ar = graph_op_arity((graph_op)n->op);
		if (map[k] == GRAPH_NO_NODE)
			continue;
		if (ar > 0) map[n->a] = 0;
		if (ar > 1) map[n->b] = 0;
		if (ar > 2) map[n->c] = 0;
	}
	for (node_id k = 0; k <= root; k++) {
		const graph_node *n = graph_get(b, k);
		node_id r;
		if (map[k] == GRAPH_NO_NODE)
			continue;
		switch ((graph_op)n->op) {
		case OP_VAR: {
			size_t input = (size_t)n->index;
			if (input < l->n_slots)
				r = graph_var(g, hsetup_var(&l->view, (int)input, (long)it));
			else
				r = graph_const(g, l->tables[(input - l->n_slots) * iters + it]);
			break;
		}
		case OP_CONST: r = graph_const(g, n->value); break;
		case OP_DATA: {   /* data slot k of the body: its input's element now */
			size_t k = (size_t)graph_data_array(n->index), i = it / l->count[1],
			       j = it % l->count[1];
			r = graph_data(g, l->data_input[k],
			               l->data_base[k] + l->data_stride0[k] * (long)i
			                   + l->data_stride1[k] * (long)j);
			break;
		}
		case OP_POWI: r = graph_powi(g, map[n->a], (int)n->index); break;
		case OP_IF: r = graph_if(g, map[n->a], map[n->b], map[n->c]); break;
		default:
			r = graph_op_arity((graph_op)n->op) == 1
			        ? graph_unary(g, (graph_op)n->op, map[n->a])
			        : graph_binary(g, (graph_op)n->op, map[n->a], map[n->b]);
			break;
		}
		if (r == GRAPH_NO_NODE)
			return GRAPH_NO_NODE;
		map[k] = r;
	}
	return map[root];
}

hessc_status tmpl_unroll_loops(graph *g, node_id rest, const tmpl_loop *loops, size_t n_loops,
                               node_id *objective)
{
	node_id acc = rest, *map = NULL;
	size_t map_cap = 0;
	hessc_status rc = HESSC_ERR_NOMEM;
	for (size_t q = 0; q < n_loops; q++) {
		const tmpl_loop *l = &loops[q];
		if ((size_t)l->root + 1 > map_cap) {
			node_id *m = realloc(map, ((size_t)l->root + 1) * sizeof *m);
			if (!m)
				goto done;
			map = m;
			map_cap = (size_t)l->root + 1;
		}
		for (size_t it = 0; it < tmpl_iterations(l); it++) {
			node_id t = copy_iteration(g, l, it, map);
			if (t == GRAPH_NO_NODE)
				goto done;
			acc = graph_binary(g, OP_ADD, acc, t);
		}
	}
	if (graph_failed(g))
		goto done;
	*objective = acc;
	rc = HESSC_OK;
done:
	free(map);
	return rc;
}
