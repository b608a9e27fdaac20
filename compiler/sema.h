/* sema.h -- semantic analysis: the syntax tree to a checked model.
 *
 * In:  the statements of the model and its data (parse.h), the sources (for
 *      diagnostics), -D overrides and the wanted objective's name.
 * Out: variables numbered in AMPL order (declaration order, then the
 *      indexing set's order, row-major), their AMPL names, initial point
 *      (declaration `:=`, then `let` in order) and bounds (declared, and
 *      single-variable constraints as AMPL's presolve makes them); sets and
 *      params evaluated; the chosen objective resolved, ready for lowering
 *      (lower.h).  The first error is reported with its location and the
 *      status is HESSC_ERR_MODEL.
 */
#ifndef HESSC_SEMA_H
#define HESSC_SEMA_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "graph.h"
#include "status.h"

/* A value of a set member or param: a number, or a symbol (str != NULL,
 * interned, so equal symbols have equal pointers). */
typedef struct value {
	double num;
	const char *str;
} value;

typedef enum set_kind {
	SETV_LIST,     /* members listed: items[count * dim] */
	SETV_RANGE,    /* lo, lo+step, ... : count members, dim 1 */
	SETV_PRODUCT   /* row-major product of dim ranges (lo[k], step[k], len[k]) */
} set_kind;

/* A set: members in order, with a position lookup. */
typedef struct set_value {
	set_kind kind;
	int dim;
	size_t count;
	double lo, step;              /* SETV_RANGE */
	double *lo_k, *step_k;        /* SETV_PRODUCT, size dim */
	size_t *len_k;                /* SETV_PRODUCT, size dim */
	value *items;                 /* SETV_LIST */
	size_t *hash;                 /* SETV_LIST: position+1 per slot, built on first lookup */
	size_t hash_cap;
} set_value;

typedef enum sym_kind {
	SYM_SET, SYM_PARAM, SYM_VAR, SYM_DEFVAR, SYM_OBJECTIVE, SYM_CONSTRAINT
} sym_kind;

#define SEMA_MAX_DIM 16     /* subscripts of one entity */
#define SEMA_MAX_SLOTS 64   /* dummies alive at once */
#define SEMA_MAX_NESTING 500  /* params/defined variables computed inside each other */
#define SEMA_MAX_EVAL_DEPTH 5000 /* evaluation/lowering calls inside each other (C stack) */

typedef struct symbol {
	const char *name;
	sym_kind kind;
	ast_node *decl;
	int dim;                 /* number of subscripts, 0 for scalars */
	set_value *index;        /* the indexing set's members, NULL for scalars */
	int key_slots[SEMA_MAX_DIM]; /* dummy slot bound to each key component, -1 if none */
	/* sets */
	int set_dim;             /* dimension of the members */
	set_value **sets;        /* one per index position (one for a scalar set) */
	/* params */
	value *values;           /* one per index position */
	uint8_t *state;          /* per position: 0 no value, 1 value not yet checked,
	                            2 being computed, 3 value checked */
	ast_node *default_expr;
	ast_node *value_expr;    /* := or = expression */
	int symbolic;
	int run_time;            /* no value at generation time: a run-time input
	                            of the kernels (only when inputs are allowed) */
	size_t input;            /* 1 + its number among the inputs the objective
	                            reads (sema_number_inputs); 0 until then */
	int walked;              /* sema_number_inputs visited this defined variable */
	/* vars */
	size_t base;             /* index of the first variable */
	/* defined vars */
	node_id *nodes;          /* per position, lowered once; GRAPH_NO_NODE until then */
	struct symbol *next_in_bucket;
} symbol;

typedef struct sema_source {
	const char *path;
	const char *text;
	size_t len;
} sema_source;

typedef struct sema_define {
	const char *name;
	const char *value;
	const char *text;        /* the whole "NAME=VALUE" */
	int used;
} sema_define;

typedef struct sema {
	arena *arena;
	diag_sink *diags;
	const sema_source *sources;
	size_t nsources;
	jmp_buf fail;            /* the first error jumps here (everything is in the arena) */
	hessc_status fail_status;
	/* symbols */
	symbol **buckets;
	size_t nbuckets;
	ptr_vec symbols;         /* in declaration order */
	/* interned strings */
	const char **strings;
	size_t strings_cap, nstrings;
	/* dummies during resolution */
	const char *scope[SEMA_MAX_SLOTS];
	int nscope;
	/* variables */
	size_t n;
	double *x0, *lower, *upper;   /* malloc'd, size cap */
	size_t cap;
	ptr_vec var_syms;
	/* data statements in order (sema_data.c), looked up by name */
	ptr_vec data_entries;
	/* -D */
	sema_define *defines;
	size_t ndefines;
	/* the chosen objective */
	symbol *objective;
	const char *want_objective;
	/* work done, against the caller's limit (0: none) */
	size_t work, work_limit;
	/* how deep params and defined variables are being computed inside each
	 * other (recursive definitions): bounded, since each level is C stack */
	int nesting;
	int eval_depth;          /* sema_eval and lowering calls active now */
	value *env_pool;         /* SEMA_MAX_NESTING + 1 environments, one per level */
	/* run-time inputs: params with no value become kernel inputs (hessc gen) */
	int allow_inputs;
	const ast_program *prog; /* the statements, to see which params `let` sets */
	ptr_vec inputs;          /* the inputs the objective reads, numbered in
	                            declaration order (sema_number_inputs) */
	/* lowering */
	graph *graph;
} sema;

/* The driver: runs every statement, then picks the objective. */
hessc_status sema_run(sema *s, const ast_program *prog);
/* Frees what is not in the arena (x0, lower, upper). */
void sema_release(sema *s);

/* Errors: report at the node and leave through s->fail. */
_Noreturn void sema_fail(sema *s, const ast_node *at, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
_Noreturn void sema_nomem(sema *s);
/* Enter/leave the computation of a param or defined variable named at `at`;
 * returns a zeroed environment for it, kept off the C stack so that deep
 * recursive definitions cost little stack per level. */
value *sema_nest(sema *s, const ast_node *at, const char *name);
void sema_unnest(sema *s);
/* Enter/leave one level of recursive evaluation or lowering at `at`. */
void sema_descend(sema *s, const ast_node *at);
void sema_ascend(sema *s);
/* Counts `steps` of work; past the caller's limit, an error at `at`. */
void sema_work(sema *s, const ast_node *at, size_t steps);
void *sema_alloc(sema *s, size_t n, size_t size);

/* symbols and strings (sema_set.c) */
symbol *sema_lookup(sema *s, const char *name);
symbol *sema_declare(sema *s, ast_node *decl, sym_kind kind);
const char *sema_intern(sema *s, const char *text);
void sema_format_key(char *buf, size_t size, const value *key, int dim);

/* sets (sema_set.c) */
void set_member(const set_value *set, size_t pos, value *out);
/* position of key (dim values) in set, or -1 */
long long set_position(sema *s, set_value *set, const value *key);
set_value *set_list_new(sema *s, int dim, size_t cap);
void set_list_add(sema *s, set_value *set, const value *tuple, size_t *cap);
set_value *set_operation(sema *s, const ast_node *at, ast_op op,
                         set_value *a, set_value *b);
void set_describe(char *buf, size_t size, const set_value *set);

/* names (sema_resolve.c): binds names, checks subscripts, computes flags */
void sema_resolve(sema *s, ast_node *expr);
/* An error at the first run-time input `e` reads, when it reads one: its
 * value is needed at generation time, for `what` ("a subscript", ...). */
void sema_no_inputs(sema *s, const ast_node *e, const char *what);
/* Number the run-time inputs the chosen objective reads (through defined
 * variables too), in declaration order, into s->inputs. */
void sema_number_inputs(sema *s);
/* resolves an indexing and leaves its dummies in scope; returns how many */
int sema_resolve_indexing(sema *s, ast_node *idx);
void sema_pop_scope(sema *s, int count);

/* evaluation (sema_eval.c) */
value sema_eval(sema *s, const ast_node *e, value *env);
double sema_eval_num(sema *s, const ast_node *e, value *env);
void sema_eval_set(sema *s, const ast_node *e, value *env, set_value *out);
/* The same, in the arena (safe to keep). */
set_value *sema_eval_set_keep(sema *s, const ast_node *e, value *env);
/* Calls fn for every member of the indexing (condition applied) with the
 * dummies bound in env and the member's key (dim values) in key. */
typedef void (*sema_visit)(sema *s, value *env, const value *key, int dim, void *arg);
void sema_iterate(sema *s, const ast_node *idx, value *env, sema_visit fn, void *arg);
/* Calls fn once per member of idx, or once when idx is NULL. */
void sema_for_each(sema *s, const ast_node *idx, sema_visit fn, void *arg);
/* Position of key in sym's index set; an error at `at` when it is not in it. */
size_t sema_key_position(sema *s, symbol *sym, const value *key, const ast_node *at);
/* Number of key components of an indexing. */
int sema_indexing_dim(sema *s, const ast_node *idx, value *env);
/* The index set of a declaration (product of ranges when possible). */
set_value *sema_index_set(sema *s, symbol *sym, ast_node *idx);
/* Binds sym's dummies to the key of position pos in a fresh env. */
void sema_bind_key(sema *s, const symbol *sym, size_t pos, value *env);
/* Position of an entity's subscripts (evaluated in env). */
size_t sema_subscript_position(sema *s, const ast_node *name, value *env);
value sema_param_value(sema *s, symbol *sym, size_t pos, const ast_node *at);

/* data sections (sema_data.c) */
void sema_collect_data(sema *s, const ast_program *prog);
void sema_apply_param_data(sema *s, symbol *sym);
void sema_skip_param_data(sema *s, const symbol *sym);
void sema_apply_set_data(sema *s, symbol *sym);
void sema_check_data_used(sema *s);
void sema_apply_var_data(sema *s, symbol *sym);



/* Built-in functions of expressions; an AST_CALL's op is its index here. */
typedef enum fn_kind { FN_UNARY, FN_BINARY, FN_MINMAX, FN_CARD, FN_ORD } fn_kind;
typedef struct sema_function {
	const char *name;
	int min_args, max_args;
	fn_kind kind;
	int graph_op;            /* graph_op for FN_UNARY/FN_BINARY, OP_MIN/OP_MAX */
} sema_function;
extern const sema_function sema_functions[];
#endif
