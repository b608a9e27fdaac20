/* sema_resolve.c -- names to what they mean, before anything is evaluated:
 * undefined names, subscript counts and set/number mix-ups are reported
 * here, at their place, and every node learns whether it depends on
 * variables (has_var), is a set (is_set) and which dummies it reads
 * (max_slot). */
#include "sema.h"
#include "frontend.h"

#include <string.h>

const sema_function sema_functions[] = {
	{ "abs",   1, 1, FN_UNARY, OP_ABS },
	{ "sqrt",  1, 1, FN_UNARY, OP_SQRT },
	{ "exp",   1, 1, FN_UNARY, OP_EXP },
	{ "log",   1, 1, FN_UNARY, OP_LOG },
	{ "log10", 1, 1, FN_UNARY, OP_LOG10 },
	{ "sin",   1, 1, FN_UNARY, OP_SIN },
	{ "cos",   1, 1, FN_UNARY, OP_COS },
	{ "tan",   1, 1, FN_UNARY, OP_TAN },
	{ "asin",  1, 1, FN_UNARY, OP_ASIN },
	{ "acos",  1, 1, FN_UNARY, OP_ACOS },
	{ "atan",  1, 1, FN_UNARY, OP_ATAN },
	{ "sinh",  1, 1, FN_UNARY, OP_SINH },
	{ "cosh",  1, 1, FN_UNARY, OP_COSH },
	{ "tanh",  1, 1, FN_UNARY, OP_TANH },
	{ "floor", 1, 1, FN_UNARY, OP_FLOOR },
	{ "ceil",  1, 1, FN_UNARY, OP_CEIL },
	{ "round", 1, 1, FN_UNARY, OP_ROUND },
	{ "atan2", 2, 2, FN_BINARY, OP_ATAN2 },
	{ "min",   1, 1000000, FN_MINMAX, OP_MIN },
	{ "max",   1, 1000000, FN_MINMAX, OP_MAX },
	{ "card",  1, 1, FN_CARD, 0 },
	{ "ord",   1, 2, FN_ORD, 0 },
	{ NULL, 0, 0, 0, 0 },
};

static void merge(ast_node *e, const ast_node *kid)
{
	if (!kid)
		return;
	if (kid->has_var)
		e->has_var = 1;
	if (kid->has_data)
		e->has_data = 1;
	if (kid->max_slot > e->max_slot)
		e->max_slot = kid->max_slot;
}

static void need_number(sema *s, const ast_node *e, const char *what)
{
	if (e && e->is_set)
		sema_fail(s, e, "a set is used where a number is expected (%s)", what);
}

static void need_set(sema *s, const ast_node *e, const char *what)
{
	if (!e->is_set)
		sema_fail(s, e, "a set is expected (%s)", what);
	if (e->has_var)
		sema_fail(s, e, "a set cannot depend on variables");
	sema_no_inputs(s, e, "a set");
}

/* The first name below e that reads a run-time input, or NULL. */
static const ast_node *first_input(const ast_node *e)
{
	if (!e || !e->has_data)
		return NULL;
	if (e->kind == AST_NAME && e->ref == REF_PARAM && ((const symbol *)e->sym)->run_time)
		return e;
	for (size_t i = 0; i < e->nkids; i++) {
		const ast_node *hit = first_input(e->kids[i]);
		if (hit)
			return hit;
	}
	return first_input(e->cond);
}

void sema_no_inputs(sema *s, const ast_node *e, const char *what)
{
	const ast_node *at = first_input(e);
	if (at)
		sema_fail(s, at, "'%s' " FRONTEND_NO_VALUE_YET ", "
		          "but %s needs its value to generate the code", at->text, what);
}

static void push_dummy(sema *s, ast_node *name)
{
	if (name->kind != AST_NAME || (name->flags & AST_F_SUBSCRIPT))
		sema_fail(s, name, "a dummy name is expected before 'in'");
	if (s->nscope >= SEMA_MAX_SLOTS)
		sema_fail(s, name, "too many nested indices (at most %d)", SEMA_MAX_SLOTS);
	name->ref = REF_DUMMY;
	name->slot = s->nscope;
	s->scope[s->nscope++] = name->text;
}

void sema_pop_scope(sema *s, int count)
{
	s->nscope -= count;
}

int sema_resolve_indexing(sema *s, ast_node *idx)
{
	int first = s->nscope;
	idx->slot = first;
	int has_in = 0;
	for (size_t i = 0; i < idx->nkids; i++)
		if (idx->kids[i]->kind == AST_IN)
			has_in = 1;
	if (!has_in && !idx->cond) {
		/* {1, 3, 5} lists members; {S} or {S, T} indexes over sets */
		int sets = 0;
		for (size_t i = 0; i < idx->nkids; i++) {
			sema_resolve(s, idx->kids[i]);
			merge(idx, idx->kids[i]);
			sets += idx->kids[i]->is_set;
		}
		if (sets && sets != (int)idx->nkids) {
			for (size_t i = 0; i < idx->nkids; i++)
				if (!idx->kids[i]->is_set)
					sema_fail(s, idx->kids[i], "a set is expected in this indexing");
		}
		idx->op = sets == 0 ? 1 : 0;   /* 1: a literal list of members */
		if (idx->has_var)
			sema_fail(s, idx, "a set cannot depend on variables");
		sema_no_inputs(s, idx, "a set");
		return 0;
	}
	for (size_t i = 0; i < idx->nkids; i++) {
		ast_node *entry = idx->kids[i];
		ast_node *set = entry->kind == AST_IN ? entry->kids[1] : entry;
		sema_resolve(s, set);
		need_set(s, set, "an indexing entry ranges over a set");
		merge(idx, set);
		if (entry->kind != AST_IN)
			continue;
		ast_node *target = entry->kids[0];
		if (target->kind == AST_TUPLE) {
			for (size_t k = 0; k < target->nkids; k++)
				push_dummy(s, target->kids[k]);
		} else {
			push_dummy(s, target);
		}
	}
	if (idx->cond) {
		sema_resolve(s, idx->cond);
		need_number(s, idx->cond, "a condition");
		if (idx->cond->has_var)
			sema_fail(s, idx->cond, "an indexing condition cannot depend on variables");
		sema_no_inputs(s, idx->cond, "an indexing condition (it selects the terms)");
		merge(idx, idx->cond);
	}
	if (idx->max_slot > first)
		idx->max_slot = first;
	return s->nscope - first;
}

static void resolve_name(sema *s, ast_node *e)
{
	if (!(e->flags & AST_F_SUBSCRIPT)) {
		for (int i = s->nscope - 1; i >= 0; i--) {
			if (strcmp(s->scope[i], e->text) == 0) {
				e->ref = REF_DUMMY;
				e->slot = i;
				e->max_slot = i + 1;
				return;
			}
		}
	}
	symbol *sym = sema_lookup(s, e->text);
	if (!sym) {
		for (int i = 0; sema_functions[i].name; i++)
			if (strcmp(sema_functions[i].name, e->text) == 0)
				sema_fail(s, e, "'%s' is a function: arguments in ( ) are expected", e->text);
		sema_fail(s, e, "'%s' is not declared", e->text);
	}
	e->sym = sym;
	switch (sym->kind) {
	case SYM_SET:
		e->ref = REF_SET;
		e->is_set = 1;
		break;
	case SYM_PARAM:
		e->ref = REF_PARAM;
		e->has_data = (uint8_t)(sym->run_time != 0);
		break;
	case SYM_VAR:
		e->ref = REF_VAR;
		e->has_var = 1;
		break;
	case SYM_DEFVAR:
		e->ref = REF_DEFVAR;
		e->has_var = 1;
		break;
	case SYM_OBJECTIVE:
	case SYM_CONSTRAINT:
		sema_fail(s, e, "'%s' is %s: using its value in an expression is unsupported",
		          e->text, sym->kind == SYM_OBJECTIVE ? "an objective" : "a constraint");
	}
	int given = (e->flags & AST_F_SUBSCRIPT) ? (int)e->nkids : 0;
	if (sym->dim == 0 && given > 0)
		sema_fail(s, e, "'%s' is not indexed: it takes no subscript, found %d",
		          e->text, given);
	if (sym->dim > 0 && given != sym->dim) {
		if (given == 0)
			sema_fail(s, e, "'%s' is indexed: it needs %d subscript%s in [ ]",
			          e->text, sym->dim, sym->dim == 1 ? "" : "s");
		sema_fail(s, e, "'%s' takes %d subscript%s, found %d", e->text,
		          sym->dim, sym->dim == 1 ? "" : "s", given);
	}
	for (size_t i = 0; i < e->nkids; i++) {
		sema_resolve(s, e->kids[i]);
		need_number(s, e->kids[i], "a subscript");
		if (e->kids[i]->has_var)
			sema_fail(s, e->kids[i], "a subscript cannot depend on variables");
		sema_no_inputs(s, e->kids[i], "a subscript");
		merge(e, e->kids[i]);
	}
}

static void resolve_call(sema *s, ast_node *e)
{
	int f = -1;
	for (int i = 0; sema_functions[i].name; i++)
		if (strcmp(sema_functions[i].name, e->text) == 0)
			f = i;
	if (f < 0) {
		if (sema_lookup(s, e->text))
			sema_fail(s, e, "'%s' is not a function: subscripts go in [ ]", e->text);
		sema_fail(s, e, "unsupported function '%s'", e->text);
	}
	const sema_function *fn = &sema_functions[f];
	if ((int)e->nkids < fn->min_args || (int)e->nkids > fn->max_args) {
		if (fn->min_args == fn->max_args)
			sema_fail(s, e, "'%s' takes %d argument%s, found %zu", fn->name,
			          fn->min_args, fn->min_args == 1 ? "" : "s", e->nkids);
		sema_fail(s, e, "'%s' takes %d to %d arguments, found %zu", fn->name,
		          fn->min_args, fn->max_args, e->nkids);
	}
	e->op = (uint8_t)f;
	for (size_t i = 0; i < e->nkids; i++) {
		sema_resolve(s, e->kids[i]);
		merge(e, e->kids[i]);
	}
	if (fn->kind == FN_CARD) {
		need_set(s, e->kids[0], "the argument of 'card'");
	} else if (fn->kind == FN_ORD) {
		if (e->nkids == 2)
			need_set(s, e->kids[1], "the second argument of 'ord'");
		else
			sema_fail(s, e, "'ord' needs its set here: ord(i, S)");
		need_number(s, e->kids[0], "the first argument of 'ord'");
	} else {
		for (size_t i = 0; i < e->nkids; i++)
			need_number(s, e->kids[i], fn->name);
	}
	if (e->has_var && (fn->kind == FN_CARD || fn->kind == FN_ORD))
		sema_fail(s, e, "'%s' cannot depend on variables", fn->name);
}

void sema_resolve(sema *s, ast_node *e)
{
	switch ((ast_kind)e->kind) {
	case AST_NUM:
	case AST_INFINITY:
		return;
	case AST_STR:
		e->text = sema_intern(s, e->text);
		return;
	case AST_NAME:
		resolve_name(s, e);
		return;
	case AST_CALL:
		resolve_call(s, e);
		return;
	case AST_UNARY:
		sema_resolve(s, e->kids[0]);
		need_number(s, e->kids[0], ast_op_spelling((ast_op)e->op));
		merge(e, e->kids[0]);
		return;
	case AST_BINARY: {
		ast_op op = (ast_op)e->op;
		sema_resolve(s, e->kids[0]);
		sema_resolve(s, e->kids[1]);
		merge(e, e->kids[0]);
		merge(e, e->kids[1]);
		if (op == OPR_UNION || op == OPR_INTER || op == OPR_DIFF ||
		    op == OPR_SYMDIFF || op == OPR_CROSS) {
			need_set(s, e->kids[0], ast_op_spelling(op));
			need_set(s, e->kids[1], ast_op_spelling(op));
			e->is_set = 1;
		} else if (op == OPR_IN || op == OPR_NOTIN) {
			need_set(s, e->kids[1], ast_op_spelling(op));
			if (e->kids[0]->kind == AST_TUPLE) {
				for (size_t k = 0; k < e->kids[0]->nkids; k++)
					need_number(s, e->kids[0]->kids[k], "a member");
			} else {
				need_number(s, e->kids[0], "a member");
			}
			if (e->has_var)
				sema_fail(s, e, "membership cannot depend on variables");
			sema_no_inputs(s, e, "a membership test");
		} else {
			need_number(s, e->kids[0], ast_op_spelling(op));
			need_number(s, e->kids[1], ast_op_spelling(op));
		}
		return;
	}
	case AST_CHAIN:
		for (size_t i = 0; i < e->nkids; i++) {
			sema_resolve(s, e->kids[i]);
			need_number(s, e->kids[i], ast_op_spelling((ast_op)e->ops[i > 0 ? i : 1]));
			merge(e, e->kids[i]);
		}
		return;
	case AST_IF:
		for (int i = 0; i < 3; i++) {
			if (!e->kids[i])
				continue;
			sema_resolve(s, e->kids[i]);
			need_number(s, e->kids[i], "if-then-else");
			merge(e, e->kids[i]);
		}
		return;
	case AST_ITER: {
		int n = sema_resolve_indexing(s, e->kids[0]);
		sema_resolve(s, e->kids[1]);
		need_number(s, e->kids[1], ast_op_spelling((ast_op)e->op));
		sema_pop_scope(s, n);
		merge(e, e->kids[0]);
		merge(e, e->kids[1]);
		if (e->max_slot > e->kids[0]->slot)
			e->max_slot = e->kids[0]->slot;
		return;
	}
	case AST_TUPLE:
		for (size_t i = 0; i < e->nkids; i++) {
			sema_resolve(s, e->kids[i]);
			need_number(s, e->kids[i], "a tuple component");
			merge(e, e->kids[i]);
		}
		return;
	case AST_RANGE:
		for (size_t i = 0; i < e->nkids; i++) {
			if (!e->kids[i])
				continue;
			sema_resolve(s, e->kids[i]);
			need_number(s, e->kids[i], "a range bound");
			merge(e, e->kids[i]);
		}
		e->is_set = 1;
		if (e->has_var)
			sema_fail(s, e, "a set cannot depend on variables");
		sema_no_inputs(s, e, "a set");
		return;
	case AST_INDEXING: {
		int n = sema_resolve_indexing(s, e);
		sema_pop_scope(s, n);
		e->is_set = 1;
		return;
	}
	default:
		sema_fail(s, e, "unexpected construct in an expression");
	}
}

/* ---- run-time inputs the objective reads ---- */

static void mark_inputs(sema *s, const ast_node *e)
{
	if (!e || !(e->has_data || e->has_var))
		return;
	sema_descend(s, e);
	if (e->kind == AST_NAME && e->ref == REF_PARAM && ((symbol *)e->sym)->run_time)
		((symbol *)e->sym)->input = 1;
	if (e->kind == AST_NAME && e->ref == REF_DEFVAR && !((symbol *)e->sym)->walked) {
		symbol *def = e->sym;
		def->walked = 1;
		mark_inputs(s, def->value_expr);
	}
	for (size_t i = 0; i < e->nkids; i++)
		mark_inputs(s, e->kids[i]);
	mark_inputs(s, e->cond);
	sema_ascend(s);
}

void sema_number_inputs(sema *s)
{
	mark_inputs(s, s->objective->decl->kids[0]);
	for (size_t i = 0; i < s->symbols.len; i++) {
		symbol *sym = s->symbols.items[i];
		if (sym->kind != SYM_PARAM || !sym->input)
			continue;
		if (ptr_vec_push(s->arena, &s->inputs, sym))
			sema_nomem(s);
		sym->input = s->inputs.len;
	}
}
