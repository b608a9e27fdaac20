/* lower_stream.c -- the objective lowered with its sums streamed into
 * loops (lower.h's lower_objective_loops).
 *
 * The objective's top level is split through +, -, unary minus and
 * constant factors, as template_find.c splits the unrolled graph.  An
 * iterated `sum` met there, whose body depends on variables, is not
 * lowered into the big graph: each iteration's body is lowered into a
 * small scratch graph (emptied per iteration, so its table stays in
 * cache), put in canonical form (template_canon.h) with the sum's weight,
 * and handed to the streaming loop builder (template_stream.h).  A sum
 * whose body is directly another sum (`sum {i} sum {j} ...`) streams its
 * inner iterations in order, as `sum {i, j}` does.  The body is one term:
 * it is not split further.
 *
 * Bodies the stream cannot take go the one-shot way, into the big graph:
 * those that use defined variables (lower.c shares their nodes per
 * instance in the big graph) and iterations too big for a shape (copied
 * from the scratch graph).  The rest of the objective keeps its terms'
 * weights.
 */
#include "lower.h"

#include <stdlib.h>
#include <string.h>
#include "template_canon.h"
#include "template_stream.h"

typedef struct streamer {
	sema *s;
	graph *main;          /* the big graph: the rest of the objective */
	graph *scratch;       /* one iteration's body */
	tcanon canon;
	tstream *ts;
	node_id rest;         /* the parts not streamed, summed in main */
	node_id *map;         /* scratch id -> main id, for copies */
	size_t map_cap;
} streamer;

/* One level of a streamed sum: the body its iterations lower, and the
 * weight of the sum. */
typedef struct level {
	streamer *st;
	const ast_node *body;
	double weight;
} level;

static node_id checked(streamer *st, node_id id)
{
	if (id == GRAPH_NO_NODE || graph_failed(st->main))
		sema_nomem(st->s);
	return id;
}

/* rest += weight * part */
static void add_rest(streamer *st, node_id part, double weight)
{
	graph *g = st->main;
	if (weight != 1.0)
		part = checked(st, graph_binary(g, OP_MUL, checked(st, graph_const(g, weight)), part));
	st->rest = st->rest == GRAPH_NO_NODE ? part : checked(st, graph_binary(g, OP_ADD, st->rest, part));
}

/* 1 when lowering e may use defined variables (whose nodes are shared per
 * instance in the big graph, not per iteration). */
static int uses_defvar(const ast_node *e)
{
	if (!e)
		return 0;
	if (e->kind == AST_NAME && e->ref == REF_DEFVAR)
		return 1;
	for (size_t k = 0; k < e->nkids; k++)
		if (uses_defvar(e->kids[k]))
			return 1;
	return uses_defvar(e->cond);
}

/* A value known at generation time: no variable, no run-time input. */
static int known_now(const ast_node *e)
{
	return !e->has_var && !e->has_data;
}

static int is_var_sum(const ast_node *e)
{
	return e->kind == AST_ITER && e->op == OPR_SUM && e->has_var;
}

/* 1 when the top-level split of e reaches a sum to stream. */
static int has_stream_sum(const ast_node *e)
{
	if (!e->has_var)
		return 0;
	switch ((ast_kind)e->kind) {
	case AST_ITER:
		return is_var_sum(e);
	case AST_CHAIN:
		for (size_t k = 0; k < e->nkids; k++)
			if (has_stream_sum(e->kids[k]))
				return 1;
		return 0;
	case AST_UNARY:
		return (e->op == OPR_NEG || e->op == OPR_PLUS) && has_stream_sum(e->kids[0]);
	case AST_BINARY:
		if (e->op != OPR_MUL)
			return 0;
		if (known_now(e->kids[0]))
			return has_stream_sum(e->kids[1]);
		if (known_now(e->kids[1]))
			return has_stream_sum(e->kids[0]);
		return 0;
	default:
		return 0;
	}
}

/* The DAG below root in the scratch graph, copied into the big graph. */
static node_id copy_from_scratch(streamer *st, node_id root)
{
	const graph *from = st->scratch;
	graph *to = st->main;
	if (st->map_cap < (size_t)root + 1) {
		node_id *m = realloc(st->map, ((size_t)root + 1) * sizeof *m);
		if (!m)
			sema_nomem(st->s);
		st->map = m;
		st->map_cap = (size_t)root + 1;
	}
	/* which nodes root reaches: operands have smaller ids */
	for (node_id k = 0; k < root; k++)
		st->map[k] = GRAPH_NO_NODE;
	st->map[root] = 0;
	for (node_id k = root + 1; k-- > 0;) {
		const graph_node *n = graph_get(from, k);
		int ar = graph_op_arity((graph_op)n->op);
		if (st->map[k] == GRAPH_NO_NODE)
			continue;
		if (ar > 0) st->map[n->a] = 0;
		if (ar > 1) st->map[n->b] = 0;
		if (ar > 2) st->map[n->c] = 0;
	}
	for (node_id k = 0; k <= root; k++) {
		const graph_node *n = graph_get(from, k);
		node_id r;
		if (st->map[k] == GRAPH_NO_NODE)
			continue;
		switch ((graph_op)n->op) {
		case OP_VAR: r = graph_var(to, n->index); break;
		case OP_CONST: r = graph_const(to, n->value); break;
		case OP_DATA:
			r = graph_data(to, graph_data_array(n->index), graph_data_element(n->index));
			break;
		case OP_POWI: r = graph_powi(to, st->map[n->a], (int)n->index); break;
		case OP_IF: r = graph_if(to, st->map[n->a], st->map[n->b], st->map[n->c]); break;
		default:
			r = graph_op_arity((graph_op)n->op) == 1
			        ? graph_unary(to, (graph_op)n->op, st->map[n->a])
			        : graph_binary(to, (graph_op)n->op, st->map[n->a], st->map[n->b]);
			break;
		}
		st->map[k] = checked(st, r);
	}
	return st->map[root];
}

/* One iteration: its body into the scratch graph, then a term of the
 * stream (or, too big for a shape, of the rest). */
static void stream_member(sema *s, value *env, const value *key, int dim, void *arg)
{
	level *lv = arg;
	streamer *st = lv->st;
	node_id root;
	hessc_status rc;
	(void)key;
	(void)dim;
	if (is_var_sum(lv->body)) {   /* sum {i} sum {j} body: the (i, j) in order */
		level inner = { st, lv->body->kids[1], lv->weight };
		sema_descend(s, lv->body);
		sema_iterate(s, lv->body->kids[0], env, stream_member, &inner);
		sema_ascend(s);
		return;
	}
	graph_reset(st->scratch);
	s->graph = st->scratch;
	root = lower_expr(s, lv->body, env);
	s->graph = st->main;
	if (graph_failed(st->scratch))
		sema_nomem(s);
	rc = tcanon_term(&st->canon, st->scratch, root, lv->weight);
	if (rc == HESSC_OK)
		rc = tstream_add(st->ts, &st->canon);
	else if (rc == HESSC_ERR_TOO_BIG) {
		add_rest(st, copy_from_scratch(st, root), lv->weight);
		rc = HESSC_OK;
	}
	if (rc != HESSC_OK)
		sema_nomem(s);
}

/* The top-level split: e times weight. */
static void split(streamer *st, const ast_node *e, value *env, double weight)
{
	sema *s = st->s;
	if (!has_stream_sum(e)) {
		add_rest(st, lower_expr(s, e, env), weight);
		return;
	}
	sema_descend(s, e);
	switch ((ast_kind)e->kind) {
	case AST_CHAIN:
		for (size_t k = 0; k < e->nkids; k++)
			split(st, e->kids[k], env, k > 0 && e->ops[k] == OPR_SUB ? -weight : weight);
		break;
	case AST_UNARY:
		split(st, e->kids[0], env, e->op == OPR_NEG ? -weight : weight);
		break;
	case AST_BINARY: {  /* a constant factor */
		int k = known_now(e->kids[0]) ? 0 : 1;
		double c = sema_eval_num(s, e->kids[k], env);
		split(st, e->kids[1 - k], env, weight * c);
		break;
	}
	default: {  /* AST_ITER: a sum to stream */
		level lv = { st, e->kids[1], weight };
		if (uses_defvar(e->kids[1]))
			add_rest(st, lower_expr(s, e, env), weight);
		else
			sema_iterate(s, e->kids[0], env, stream_member, &lv);
		break;
	}
	}
	sema_ascend(s);
}

hessc_status lower_objective_loops(sema *s, graph *g, node_id *root, tmpl_set *loops)
{
	/* on the heap: what changes after setjmp must survive the longjmp */
	streamer *const st = calloc(1, sizeof *st);
	hessc_status rc = HESSC_ERR_NOMEM;
	node_id left;
	value env[SEMA_MAX_SLOTS];
	memset(loops, 0, sizeof *loops);
	memset(env, 0, sizeof env);
	if (!st)
		return rc;
	st->s = s;
	st->main = g;
	st->rest = GRAPH_NO_NODE;
	tcanon_init(&st->canon);
	st->scratch = graph_new();
	st->ts = tstream_new(g);
	if (!st->scratch || !st->ts)
		goto done;
	/* an iteration's constants are often data (X[i,j] * w[j]): a value that
	 * happens to be 1 or -1 must not change the term's shape */
	graph_set_value_blind(st->scratch, 1);
	s->graph = g;
	if (setjmp(s->fail)) {
		rc = s->fail_status;
		s->graph = g;
		goto done;
	}
	sema_number_inputs(s);
	split(st, s->objective->decl->kids[0], env, 1.0);
	rc = tstream_finish(st->ts, loops, &left);
	if (rc != HESSC_OK)
		goto done;
	if (left != GRAPH_NO_NODE)
		add_rest(st, left, 1.0);
	if (st->rest == GRAPH_NO_NODE)
		st->rest = checked(st, graph_const(g, 0.0));
	*root = st->rest;
	rc = HESSC_OK;
done:
	if (rc != HESSC_OK)
		tmpl_set_free(loops);
	tstream_free(st->ts);
	if (st->scratch)
		graph_free(st->scratch);
	tcanon_free(&st->canon);
	free(st->map);
	free(st);
	return rc;
}
