/* lower.c -- objective expressions to graph nodes. */
#include "lower.h"

#include <math.h>
#include <string.h>

static node_id lower(sema *s, const ast_node *e, value *env);

/* Whether e's value is known now: it reads no variable and no run-time
 * input, so it is evaluated to a constant, as AMPL does. */
static int known_now(const ast_node *e)
{
	return !e->has_var && !e->has_data;
}

static node_id check(sema *s, node_id id)
{
	if (id == GRAPH_NO_NODE || graph_failed(s->graph))
		sema_nomem(s);
	return id;
}

static node_id constant(sema *s, double v)
{
	return check(s, graph_const(s->graph, v));
}

static node_id binary(sema *s, graph_op op, node_id a, node_id b)
{
	return check(s, graph_binary(s->graph, op, a, b));
}

static node_id unary(sema *s, graph_op op, node_id a)
{
	return check(s, graph_unary(s->graph, op, a));
}

typedef struct chain {
	const ast_node *body;
	graph_op op;
	node_id acc;
} chain;

/* Iterated sum/prod/min/max: a left-to-right chain, built in a loop. */
static void chain_member(sema *s, value *env, const value *key, int dim, void *arg)
{
	(void)key;
	(void)dim;
	chain *c = arg;
	node_id t = lower(s, c->body, env);
	c->acc = c->acc == GRAPH_NO_NODE ? t : binary(s, c->op, c->acc, t);
}

static node_id lower_defvar(sema *s, const ast_node *e, value *env)
{
	symbol *sym = e->sym;
	size_t pos = sema_subscript_position(s, e, env);
	size_t count = sym->index ? sym->index->count : 1;
	if (!sym->nodes) {
		sema_work(s, sym->decl, count);
		sym->nodes = sema_alloc(s, count, sizeof *sym->nodes);
		for (size_t i = 0; i < count; i++)
			sym->nodes[i] = GRAPH_NO_NODE;
	}
	if (sym->nodes[pos] == GRAPH_NO_NODE) {
		value *inner = sema_nest(s, e, sym->name);
		sema_bind_key(s, sym, pos, inner);
		sym->nodes[pos] = lower(s, sym->value_expr, inner);
		sema_unnest(s);
	}
	return sym->nodes[pos];
}

static node_id lower_pow(sema *s, const ast_node *e, value *env)
{
	node_id a = lower(s, e->kids[0], env);
	const ast_node *ex = e->kids[1];
	if (known_now(ex)) {
		double k = sema_eval_num(s, ex, env);
		if (k == floor(k) && fabs(k) <= LOWER_MAX_POWI)
			return check(s, graph_powi(s->graph, a, (int)k));
		return binary(s, OP_POW, a, constant(s, k));
	}
	return binary(s, OP_POW, a, lower(s, ex, env));
}

static node_id lower_call(sema *s, const ast_node *e, value *env)
{
	const sema_function *fn = &sema_functions[e->op];
	switch (fn->kind) {
	case FN_UNARY:
		return unary(s, (graph_op)fn->graph_op, lower(s, e->kids[0], env));
	case FN_BINARY:
		return binary(s, (graph_op)fn->graph_op, lower(s, e->kids[0], env),
		              lower(s, e->kids[1], env));
	case FN_MINMAX: {
		node_id acc = lower(s, e->kids[0], env);
		for (size_t i = 1; i < e->nkids; i++)
			acc = binary(s, (graph_op)fn->graph_op, acc, lower(s, e->kids[i], env));
		return acc;
	}
	default:
		return constant(s, sema_eval_num(s, e, env));
	}
}

static node_id lower_binary(sema *s, const ast_node *e, value *env)
{
	static const graph_op ops[] = {
		[OPR_ADD] = OP_ADD, [OPR_SUB] = OP_SUB, [OPR_MUL] = OP_MUL, [OPR_DIV] = OP_DIV,
		[OPR_MOD] = OP_MOD, [OPR_DIVI] = OP_DIVI,
		[OPR_LT] = OP_LT, [OPR_LE] = OP_LE, [OPR_EQ] = OP_EQ, [OPR_NE] = OP_NE,
		[OPR_AND] = OP_AND, [OPR_OR] = OP_OR,
	};
	int op = e->op;
	if (op == OPR_POW)
		return lower_pow(s, e, env);
	node_id a = lower(s, e->kids[0], env);
	node_id b = lower(s, e->kids[1], env);
	switch (op) {
	case OPR_GT: return binary(s, OP_LT, b, a);   /* a > b is b < a */
	case OPR_GE: return binary(s, OP_LE, b, a);
	case OPR_LESS: return binary(s, OP_MAX, binary(s, OP_SUB, a, b), constant(s, 0));
	case OPR_ADD: case OPR_SUB: case OPR_MUL: case OPR_DIV: case OPR_MOD: case OPR_DIVI:
	case OPR_LT: case OPR_LE: case OPR_EQ: case OPR_NE: case OPR_AND: case OPR_OR:
		return binary(s, ops[op], a, b);
	default:
		sema_fail(s, e, "unsupported operator '%s' on variables", ast_op_spelling((ast_op)op));
	}
}

static node_id lower_node(sema *s, const ast_node *e, value *env)
{
	if (known_now(e))
		return constant(s, sema_eval_num(s, e, env));
	switch ((ast_kind)e->kind) {
	case AST_NAME:
		if (e->ref == REF_PARAM) {   /* a run-time input: element pos of its array */
			symbol *sym = e->sym;
			size_t pos = sema_subscript_position(s, e, env);
			if (!sym->input)
				sema_fail(s, e, "internal: run-time input '%s' was not numbered", sym->name);
			return check(s, graph_data(s->graph, (int64_t)(sym->input - 1), (int64_t)pos));
		}
		if (e->ref == REF_VAR) {
			symbol *sym = e->sym;
			size_t pos = sema_subscript_position(s, e, env);
			return check(s, graph_var(s->graph, (int64_t)(sym->base + pos)));
		}
		return lower_defvar(s, e, env);
	case AST_CALL:
		return lower_call(s, e, env);
	case AST_UNARY: {
		node_id a = lower(s, e->kids[0], env);
		if (e->op == OPR_PLUS)
			return a;
		return unary(s, e->op == OPR_NOT ? OP_NOT : OP_NEG, a);
	}
	case AST_BINARY:
		return lower_binary(s, e, env);
	case AST_CHAIN: {
		/* left to right, as written: a loop, however long the sum */
		node_id acc = lower(s, e->kids[0], env);
		for (size_t i = 1; i < e->nkids; i++)
			acc = binary(s, e->ops[i] == OPR_ADD ? OP_ADD : OP_SUB, acc, lower(s, e->kids[i], env));
		return acc;
	}
	case AST_IF: {
		const ast_node *c = e->kids[0];
		if (known_now(c)) {
			value v = sema_eval(s, c, env);
			int taken = v.str ? 1 : v.num != 0;
			if (taken)
				return lower(s, e->kids[1], env);
			return e->kids[2] ? lower(s, e->kids[2], env) : constant(s, 0);
		}
		node_id cn = lower(s, c, env);
		node_id a = lower(s, e->kids[1], env);
		node_id b = e->kids[2] ? lower(s, e->kids[2], env) : constant(s, 0);
		return check(s, graph_if(s->graph, cn, a, b));
	}
	case AST_ITER: {
		static const graph_op ops[] = {
			[OPR_SUM] = OP_ADD, [OPR_PROD] = OP_MUL, [OPR_MIN] = OP_MIN, [OPR_MAX] = OP_MAX,
		};
		/* the sum's dummies live in env's slots above the caller's */
		chain c = { e->kids[1], ops[e->op], GRAPH_NO_NODE };
		sema_iterate(s, e->kids[0], env, chain_member, &c);
		if (c.acc != GRAPH_NO_NODE)
			return c.acc;
		return constant(s, e->op == OPR_SUM ? 0.0 : e->op == OPR_PROD ? 1.0 :
		                   e->op == OPR_MIN ? INFINITY : -INFINITY);
	}
	default:
		sema_fail(s, e, "this expression cannot depend on variables");
	}
}

static node_id lower(sema *s, const ast_node *e, value *env)
{
	sema_descend(s, e);
	node_id id = lower_node(s, e, env);
	sema_ascend(s);
	return id;
}

node_id lower_expr(sema *s, const ast_node *e, value *env)
{
	return lower(s, e, env);
}

hessc_status lower_objective(sema *s, graph *g, node_id *root)
{
	if (setjmp(s->fail))
		return s->fail_status;
	s->graph = g;
	sema_number_inputs(s);
	value env[SEMA_MAX_SLOTS];
	memset(env, 0, sizeof env);
	*root = lower(s, s->objective->decl->kids[0], env);
	return HESSC_OK;
}
