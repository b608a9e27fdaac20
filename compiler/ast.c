/* ast.c -- node constructors that keep every node's depth, so that the
 * parser can refuse nesting deeper than the recursive walkers can take. */
#include "ast.h"

#include <string.h>

ast_node *ast_new(arena *a, ast_kind kind, int line, int col)
{
	ast_node *n = arena_alloc(a, sizeof *n);
	if (!n)
		return NULL;
	n->kind = (uint8_t)kind;
	n->line = line;
	n->col = col;
	n->depth = 1;
	n->file = (uint16_t)a->tag;
	return n;
}

int ast_set_kids(arena *a, ast_node *n, ast_node **kids, size_t nkids)
{
	n->kids = arena_array(a, nkids ? nkids : 1, sizeof *kids);
	if (!n->kids)
		return -1;
	unsigned depth = 0;
	for (size_t i = 0; i < nkids; i++) {
		n->kids[i] = kids[i];
		if (kids[i] && kids[i]->depth > depth)
			depth = kids[i]->depth;
	}
	n->nkids = nkids;
	if (n->cond && n->cond->depth > depth)
		depth = n->cond->depth;
	depth += 1;
	n->depth = (uint16_t)(depth > 65535 ? 65535 : depth);
	return 0;
}

int ast_depth_exceeded(const ast_node *n)
{
	return n->depth > AST_MAX_DEPTH;
}

ast_node *ast_leaf_num(arena *a, double v, int line, int col)
{
	ast_node *n = ast_new(a, AST_NUM, line, col);
	if (n)
		n->num = v;
	return n;
}

ast_node *ast_unary(arena *a, ast_op op, ast_node *x, int line, int col)
{
	ast_node *n = ast_new(a, AST_UNARY, line, col);
	if (!n)
		return NULL;
	n->op = (uint8_t)op;
	return ast_set_kids(a, n, &x, 1) ? NULL : n;
}

ast_node *ast_binary(arena *a, ast_op op, ast_node *l, ast_node *r, int line, int col)
{
	ast_node *n = ast_new(a, AST_BINARY, line, col);
	if (!n)
		return NULL;
	n->op = (uint8_t)op;
	ast_node *kids[2] = { l, r };
	return ast_set_kids(a, n, kids, 2) ? NULL : n;
}

ast_node *ast_chain(arena *a, ast_op op, ast_node *l, ast_node *r, int line, int col)
{
	ast_node *n = l;
	if (l->kind != AST_CHAIN || (l->flags & AST_F_PAREN)) {
		n = ast_new(a, AST_CHAIN, line, col);
		if (!n)
			return NULL;
		n->cap = 4;
		n->kids = arena_array(a, n->cap, sizeof *n->kids);
		n->ops = arena_array(a, n->cap, sizeof *n->ops);
		if (!n->kids || !n->ops)
			return NULL;
		n->kids[0] = l;
		n->ops[0] = OPR_ADD;
		n->nkids = 1;
		n->depth = (uint16_t)(l->depth + 1u > 65535 ? 65535 : l->depth + 1u);
	}
	if (n->nkids == n->cap) {
		/* the old arrays stay in the arena: amortized twice the final size */
		size_t cap = n->cap * 2;
		ast_node **kids = arena_array(a, cap, sizeof *kids);
		uint8_t *ops = arena_array(a, cap, sizeof *ops);
		if (!kids || !ops)
			return NULL;
		memcpy(kids, n->kids, n->nkids * sizeof *kids);
		memcpy(ops, n->ops, n->nkids * sizeof *ops);
		n->kids = kids;
		n->ops = ops;
		n->cap = cap;
	}
	n->kids[n->nkids] = r;
	n->ops[n->nkids] = (uint8_t)op;
	n->nkids++;
	if (r->depth + 1u > n->depth)
		n->depth = (uint16_t)(r->depth + 1u > 65535 ? 65535 : r->depth + 1u);
	return n;
}

const char *ast_op_spelling(ast_op op)
{
	static const char *const names[] = {
		[OPR_ADD] = "+", [OPR_SUB] = "-", [OPR_MUL] = "*", [OPR_DIV] = "/",
		[OPR_POW] = "^", [OPR_MOD] = "mod", [OPR_DIVI] = "div", [OPR_LESS] = "less",
		[OPR_NEG] = "-", [OPR_PLUS] = "+", [OPR_NOT] = "not",
		[OPR_LT] = "<", [OPR_LE] = "<=", [OPR_EQ] = "==", [OPR_NE] = "!=",
		[OPR_GE] = ">=", [OPR_GT] = ">", [OPR_AND] = "and", [OPR_OR] = "or",
		[OPR_IN] = "in", [OPR_NOTIN] = "not in",
		[OPR_UNION] = "union", [OPR_INTER] = "inter", [OPR_DIFF] = "diff",
		[OPR_SYMDIFF] = "symdiff", [OPR_CROSS] = "cross",
		[OPR_SUM] = "sum", [OPR_PROD] = "prod", [OPR_MIN] = "min", [OPR_MAX] = "max",
	};
	return (size_t)op < sizeof names / sizeof names[0] && names[op] ? names[op] : "?";
}
