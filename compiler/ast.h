/* ast.h -- the syntax tree of a model and its data, as the parser builds it.
 *
 * In:  built by grammar/parser.y through the constructors below.
 * Out: a list of statements in source order (model declarations, script
 *      lines, data statements), each node with the line and column where it
 *      starts, for the semantic checks (sema.h) to evaluate.
 * All nodes live in the compilation's arena.
 */
#ifndef HESSC_AST_H
#define HESSC_AST_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"

/* Deepest expression nesting we accept: every walker over expressions is
 * recursive, so the depth is bounded where the node is built. */
#define AST_MAX_DEPTH 1000

typedef enum ast_kind {
	/* expressions */
	AST_NUM,        /* num */
	AST_STR,        /* text: a quoted string or a data-section symbol */
	AST_INFINITY,
	AST_NAME,       /* text, optional subscripts kids[0..nkids) (flag AST_F_SUBSCRIPT) */
	AST_CALL,       /* text(kids...) : abs, sqrt, card, min(a,b), ... */
	AST_UNARY,      /* op kids[0] */
	AST_BINARY,     /* kids[0] op kids[1] */
	AST_CHAIN,      /* kids[0] ops[1] kids[1] ops[2] kids[2] ...: a run of + and -,
	                   flat so that a written-out sum of any length is not deep */
	AST_IF,         /* if kids[0] then kids[1] [else kids[2]] (kids[2] may be NULL) */
	AST_ITER,       /* op {kids[0] = indexing} kids[1] : sum prod min max */
	AST_TUPLE,      /* (kids...) */
	AST_RANGE,      /* kids[0] .. kids[1] [by kids[2]] */
	AST_INDEXING,   /* { kids... [: cond] }: entries, each an expression or AST_IN */
	AST_IN,         /* entry `kids[0] in kids[1]` of an indexing */
	/* statements */
	AST_SET_DECL,   /* text {indexing} attrs */
	AST_PARAM_DECL,
	AST_VAR_DECL,
	AST_OBJECTIVE,  /* op: 0 minimize, 1 maximize; text {indexing} : body */
	AST_CONSTRAINT, /* text {indexing} : body */
	AST_LET,        /* let {indexing} target := value */
	AST_IGNORED,    /* a script line accepted and ignored: text is its command */
	AST_UNSUPPORTED,/* a statement we refuse: text is its keyword */
	AST_ATTR,       /* op = attribute kind, kids[0] = its value (or NULL) */
	AST_DATA_PARAM, /* data section: param (or var) values */
	AST_DATA_SET,   /* data section: set members */
	AST_DATA_DOT    /* `.` in a data table: no value */
} ast_kind;

/* operators of AST_UNARY, AST_BINARY, AST_ITER */
typedef enum ast_op {
	OPR_ADD, OPR_SUB, OPR_MUL, OPR_DIV, OPR_POW, OPR_MOD, OPR_DIVI, OPR_LESS,
	OPR_NEG, OPR_PLUS, OPR_NOT,
	OPR_LT, OPR_LE, OPR_EQ, OPR_NE, OPR_GE, OPR_GT, OPR_AND, OPR_OR,
	OPR_IN, OPR_NOTIN,
	OPR_UNION, OPR_INTER, OPR_DIFF, OPR_SYMDIFF, OPR_CROSS,
	OPR_SUM, OPR_PROD, OPR_MIN, OPR_MAX
} ast_op;

/* AST_ATTR kinds */
typedef enum ast_attr {
	ATTR_ASSIGN,   /* := e */
	ATTR_DEFINE,   /* = e (defined variable, or a param/set value) */
	ATTR_DEFAULT,  /* default e */
	ATTR_GE, ATTR_LE, ATTR_GT, ATTR_LT, ATTR_NE, ATTR_EQ, /* checks or bounds */
	ATTR_INTEGER, ATTR_BINARY, ATTR_SYMBOLIC,
	ATTR_IN,       /* in S (param check) */
	ATTR_WITHIN,   /* within S */
	ATTR_DIMEN,    /* dimen n */
	ATTR_ORDERED   /* ordered / circular (accepted) */
} ast_attr;

/* flags */
#define AST_F_SUBSCRIPT 1u   /* AST_NAME written with [ ] */
#define AST_F_PAREN     2u   /* written inside ( ): ends a comparison chain */
#define AST_F_TR        4u   /* data table transposed: (tr) */
#define AST_F_TABLE     8u   /* data in table form: header kids */
#define AST_F_CHAIN     16u  /* a comparison made by chaining a <= b <= c */

typedef struct ast_node ast_node;

/* What a name refers to, filled by the semantic checks. */
typedef enum ast_ref {
	REF_NONE, REF_DUMMY, REF_SET, REF_PARAM, REF_VAR, REF_DEFVAR, REF_FUNC
} ast_ref;

struct ast_node {
	uint8_t kind;        /* ast_kind */
	uint8_t op;          /* ast_op or ast_attr */
	uint8_t flags;
	uint8_t ref;         /* ast_ref, set by sema */
	uint8_t has_var;     /* set by sema: the value depends on variables */
	uint8_t is_set;      /* set by sema: the value is a set */
	uint8_t has_data;    /* set by sema: the value depends on a run-time input
	                        (a param with no value at generation time) */
	uint16_t depth;      /* nesting depth of this expression */
	uint16_t file;       /* which source text (arena tag when made) */
	int line, col;
	double num;
	const char *text;    /* names, strings */
	ast_node **kids;
	size_t nkids;
	ast_node *cond;      /* AST_INDEXING: condition after ':' ; decls: indexing */
	ast_node *extra;     /* AST_DATA_*: default value; AST_LET: target */
	uint8_t *ops;        /* AST_CHAIN: OPR_ADD or OPR_SUB before each kid (ops[0] unused) */
	size_t cap;          /* AST_CHAIN: room in kids and ops */
	void *sym;           /* set by sema: the symbol a name refers to */
	int slot;            /* set by sema: dummy slot (REF_DUMMY) or first slot bound (AST_INDEXING) */
	int max_slot;        /* set by sema: 1 + highest dummy slot read below, 0 if none */
	/* data statements: header items (table form) or names (several params) */
	ast_node **head;
	size_t nhead;
};

typedef struct ast_program {
	ast_node **stmts;
	size_t nstmts;
} ast_program;

/* Constructors: NULL when out of memory (the parser then aborts). */
ast_node *ast_new(arena *a, ast_kind kind, int line, int col);
/* Sets kids and the depth; depth over AST_MAX_DEPTH is reported by the
 * caller (ast_depth_exceeded). */
int ast_set_kids(arena *a, ast_node *n, ast_node **kids, size_t nkids);
ast_node *ast_leaf_num(arena *a, double v, int line, int col);
ast_node *ast_unary(arena *a, ast_op op, ast_node *x, int line, int col);
ast_node *ast_binary(arena *a, ast_op op, ast_node *l, ast_node *r, int line, int col);
/* l + r or l - r: appended to l when l is a chain not in parentheses. */
ast_node *ast_chain(arena *a, ast_op op, ast_node *l, ast_node *r, int line, int col);
int ast_depth_exceeded(const ast_node *n);

const char *ast_op_spelling(ast_op op);

#endif
