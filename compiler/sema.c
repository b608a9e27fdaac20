/* sema.c -- runs the statements in order: declarations (sets, params,
 * variables, defined variables, objectives, constraints), `let`, and
 * ignored script lines; data is gathered first and applied at each
 * declaration.  Single-variable constraints become bounds, as AMPL's
 * presolve makes them; any other constraint is refused. */
#include "sema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- variables' storage (malloc'd: it is handed over to the model) ---- */

static void grow_vars(sema *s, size_t count)
{
	if (count > ((size_t)1 << 40) - s->n)
		sema_fail(s, NULL, "too many variables");
	size_t need = s->n + count;
	if (need <= s->cap && s->x0)
		return;
	size_t cap = s->cap ? s->cap : 64;
	while (cap < need)
		cap *= 2;
	double *arrays[3] = { s->x0, s->lower, s->upper };
	for (int i = 0; i < 3; i++) {
		double *p = realloc(arrays[i], cap * sizeof *p);
		if (!p)
			sema_nomem(s);
		arrays[i] = p;
		if (i == 0) s->x0 = p;
		if (i == 1) s->lower = p;
		if (i == 2) s->upper = p;
	}
	s->cap = cap;
}

void sema_release(sema *s)
{
	free(s->x0);
	free(s->lower);
	free(s->upper);
	s->x0 = s->lower = s->upper = NULL;
}

/* ---- helpers ---- */

static ast_node *attr_of(ast_node *d, int kind)
{
	for (size_t i = 0; i < d->nkids; i++)
		if (d->kids[i]->op == kind)
			return d->kids[i];
	return NULL;
}

static void resolve_attrs(sema *s, ast_node *d)
{
	for (size_t i = 0; i < d->nkids; i++) {
		ast_node *a = d->kids[i];
		if (a->nkids && a->kids[0] && a->op != ATTR_DIMEN)
			sema_resolve(s, a->kids[0]);
		for (size_t j = 0; j < i; j++)
			if (d->kids[j]->op == a->op && a->op != ATTR_ORDERED)
				sema_fail(s, a, "this attribute is given twice");
	}
}

static sema_define *find_define(sema *s, const char *name)
{
	for (size_t i = 0; i < s->ndefines; i++)
		if (strcmp(s->defines[i].name, name) == 0)
			return &s->defines[i];
	return NULL;
}

/* Errors in -D are shown on the define itself. */
static _Noreturn void define_fail(sema *s, const sema_define *def, int col, const char *fmt,
                                   const char *arg)
{
	source_loc loc = { "<command line>", 1, col };
	char msg[512];
	snprintf(msg, sizeof msg, fmt, arg);
	diag_report(s->diags, DIAG_ERROR, loc, def->text, strlen(def->text), "-D %s: %s",
	            def->text, msg);
	s->fail_status = HESSC_ERR_MODEL;
	longjmp(s->fail, 1);
}

/* ---- sets ---- */

static void declare_set(sema *s, ast_node *d)
{
	ast_node *idx = d->cond;
	int nd = idx ? sema_resolve_indexing(s, idx) : 0;
	resolve_attrs(s, d);
	sema_pop_scope(s, nd);
	symbol *sym = sema_declare(s, d, SYM_SET);
	ast_node *a;
	if ((a = attr_of(d, ATTR_ASSIGN)) || (a = attr_of(d, ATTR_DEFINE)))
		sym->value_expr = a->kids[0];
	if ((a = attr_of(d, ATTR_DEFAULT)))
		sym->default_expr = a->kids[0];
	for (ast_node *e = sym->value_expr; e; e = NULL)
		if (!e->is_set)
			sema_fail(s, e, "a set is expected as the value of set '%s'", sym->name);
	for (ast_node *e = sym->default_expr; e; e = NULL)
		if (!e->is_set)
			sema_fail(s, e, "a set is expected as the default of set '%s'", sym->name);
	sym->set_dim = 1;
	if ((a = attr_of(d, ATTR_DIMEN))) {
		double dim = a->kids[0]->num;
		if (dim < 1 || dim > SEMA_MAX_DIM || dim != floor(dim))
			sema_fail(s, a, "dimen must be an integer from 1 to %d", SEMA_MAX_DIM);
		sym->set_dim = (int)dim;
	} else if (sym->value_expr || sym->default_expr) {
		/* sema_indexing_dim works on any set expression */
		sym->set_dim = sema_indexing_dim(s, sym->value_expr ? sym->value_expr : sym->default_expr, NULL);
	} else if ((a = attr_of(d, ATTR_WITHIN))) {
		if (!a->kids[0]->is_set)
			sema_fail(s, a->kids[0], "a set is expected after 'within'");
		sym->set_dim = sema_indexing_dim(s, a->kids[0], NULL);
	}
	sym->index = idx ? sema_index_set(s, sym, idx) : NULL;
	size_t count = idx ? sym->index->count : 1;
	sema_work(s, d, count);
	sym->sets = sema_alloc(s, count, sizeof *sym->sets);
	if (!sym->value_expr)
		sema_apply_set_data(s, sym);
	value env[SEMA_MAX_SLOTS];
	for (size_t p = 0; p < count; p++) {
		if (sym->sets[p])
			continue;
		ast_node *e = sym->value_expr ? sym->value_expr : sym->default_expr;
		if (!e)
			continue;   /* no members yet: an error if it is used */
		memset(env, 0, sizeof env);
		sema_bind_key(s, sym, p, env);
		sym->sets[p] = sema_eval_set_keep(s, e, env);
		if (sym->sets[p]->dim != sym->set_dim)
			sema_fail(s, e, "set '%s' has members of %d components, this value has %d",
			          sym->name, sym->set_dim, sym->sets[p]->dim);
	}
}

/* ---- params ---- */

/* 1 when a `let` gives `sym` values: it is then not a run-time input. */
static int set_by_let(sema *s, const symbol *sym)
{
	for (size_t i = 0; s->prog && i < s->prog->nstmts; i++) {
		const ast_node *d = s->prog->stmts[i];
		if (d->kind == AST_LET && d->extra && d->extra->text &&
		    strcmp(d->extra->text, sym->name) == 0)
			return 1;
	}
	return 0;
}

static void declare_param(sema *s, ast_node *d)
{
	ast_node *idx = d->cond;
	int nd = idx ? sema_resolve_indexing(s, idx) : 0;
	/* declared before its attributes: a param may be defined recursively,
	 * and its subscripts are counted there already */
	symbol *sym = sema_declare(s, d, SYM_PARAM);
	sym->dim = idx ? sema_indexing_dim(s, idx, NULL) : 0;
	resolve_attrs(s, d);
	sema_pop_scope(s, nd);
	for (size_t i = 0; i < d->nkids; i++) {
		ast_node *a = d->kids[i];
		ast_node *e = a->nkids ? a->kids[0] : NULL;
		if (e && e->has_var)
			sema_fail(s, e, "a param cannot depend on variables");
		if (e)
			sema_no_inputs(s, e, a->op == ATTR_ASSIGN || a->op == ATTR_DEFINE ||
			               a->op == ATTR_DEFAULT ? "the value of another param" :
			               "a param's check");
		switch (a->op) {
		case ATTR_ASSIGN:
		case ATTR_DEFINE:
			if (sym->value_expr)
				sema_fail(s, a, "'%s' has two values", sym->name);
			sym->value_expr = e;
			break;
		case ATTR_DEFAULT:
			sym->default_expr = e;
			break;
		case ATTR_SYMBOLIC:
			sym->symbolic = 1;
			break;
		default:
			break;   /* checks (>= 0, integer, in S, ...) are accepted */
		}
		if (e && e->is_set && a->op != ATTR_IN && a->op != ATTR_WITHIN)
			sema_fail(s, e, "a set is used where a number is expected");
	}
	sym->index = idx ? sema_index_set(s, sym, idx) : NULL;
	size_t count = idx ? sym->index->count : 1;
	sema_work(s, d, count);
	sym->values = sema_alloc(s, count, sizeof *sym->values);
	sym->state = sema_alloc(s, count, sizeof *sym->state);
	sema_define *def = find_define(s, sym->name);
	if (def) {
		def->used = 1;
		if (sym->dim)
			define_fail(s, def, 1, "'%s' is indexed: -D sets scalar params only", sym->name);
		char *end;
		double v = strtod(def->value, &end);
		if (end == def->value || *end)
			define_fail(s, def, (int)(def->value - def->text) + 1,
			            "'%s' is not a number", def->value);
		sym->values[0].num = v;
		sym->state[0] = 1;
		sym->value_expr = NULL;
		sema_skip_param_data(s, sym);
		return;
	}
	sema_apply_param_data(s, sym);
	if (s->allow_inputs && !sym->value_expr && !sym->default_expr && !sym->symbolic &&
	    count > 0 && !set_by_let(s, sym)) {
		int any = 0;
		for (size_t p = 0; p < count && !any; p++)
			any = sym->state[p] != 0;
		sym->run_time = !any;
	}
}

/* ---- variables ---- */

static void declare_var(sema *s, ast_node *d)
{
	ast_node *idx = d->cond;
	int nd = idx ? sema_resolve_indexing(s, idx) : 0;
	resolve_attrs(s, d);
	sema_pop_scope(s, nd);
	ast_node *init = NULL, *lo = NULL, *hi = NULL, *def = NULL, *fixed = NULL;
	for (size_t i = 0; i < d->nkids; i++) {
		ast_node *a = d->kids[i];
		ast_node *e = a->nkids ? a->kids[0] : NULL;
		switch (a->op) {
		case ATTR_ASSIGN:
		case ATTR_DEFAULT: init = e; break;
		case ATTR_DEFINE: def = e; break;
		case ATTR_GE: lo = e; break;
		case ATTR_LE: hi = e; break;
		case ATTR_EQ: fixed = e; break;
		case ATTR_INTEGER:
		case ATTR_BINARY:
			sema_fail(s, a, "unsupported: integer variables ('%s' is declared %s)", d->text,
			          a->op == ATTR_INTEGER ? "integer" : "binary");
		default:
			sema_fail(s, a, "unsupported attribute for a variable");
		}
		if (e && e->is_set)
			sema_fail(s, e, "a set is used where a number is expected");
		if (e && e->has_var && a->op != ATTR_DEFINE)
			sema_fail(s, e, "%s of a variable cannot depend on variables",
			          a->op == ATTR_ASSIGN || a->op == ATTR_DEFAULT ? "the initial value" : "a bound");
		if (e && a->op != ATTR_DEFINE)
			sema_no_inputs(s, e, a->op == ATTR_ASSIGN || a->op == ATTR_DEFAULT
			                     ? "a variable's initial value" : "a variable's bound");
	}
	if (def) {
		if (init || lo || hi || fixed)
			sema_fail(s, d, "defined variable '%s' (= expression) cannot have bounds or an initial value",
			          d->text);
		symbol *sym = sema_declare(s, d, SYM_DEFVAR);
		sym->value_expr = def;
		sym->index = idx ? sema_index_set(s, sym, idx) : NULL;
		return;
	}
	symbol *sym = sema_declare(s, d, SYM_VAR);
	sym->index = idx ? sema_index_set(s, sym, idx) : NULL;
	size_t count = idx ? sym->index->count : 1;
	sema_work(s, d, count);
	grow_vars(s, count);
	sym->base = s->n;
	s->n += count;
	if (ptr_vec_push(s->arena, &s->var_syms, sym))
		sema_nomem(s);
	/* Expressions that read no dummy are evaluated once. */
	ast_node *exprs[3] = { init, lo ? lo : fixed, hi ? hi : fixed };
	double *dest[3] = { s->x0 + sym->base, s->lower + sym->base, s->upper + sym->base };
	double none[3] = { 0.0, -INFINITY, INFINITY };
	value env[SEMA_MAX_SLOTS];
	for (int k = 0; k < 3; k++) {
		ast_node *e = exprs[k];
		if (!e || e->max_slot == 0) {
			double v = none[k];
			if (e) {
				memset(env, 0, sizeof env);
				v = sema_eval_num(s, e, env);
			}
			for (size_t p = 0; p < count; p++)
				dest[k][p] = v;
			continue;
		}
		for (size_t p = 0; p < count; p++) {
			memset(env, 0, sizeof env);
			sema_bind_key(s, sym, p, env);
			dest[k][p] = sema_eval_num(s, e, env);
		}
	}
	sema_apply_var_data(s, sym);
}

/* ---- objectives ---- */

static void declare_objective(sema *s, ast_node *d)
{
	if (d->cond)
		sema_fail(s, d, "unsupported: indexed objective '%s'", d->text);
	sema_resolve(s, d->kids[0]);
	if (d->kids[0]->is_set)
		sema_fail(s, d->kids[0], "a set is used where a number is expected");
	symbol *sym = sema_declare(s, d, SYM_OBJECTIVE);
	if (!s->objective && (!s->want_objective || strcmp(s->want_objective, sym->name) == 0))
		s->objective = sym;
}

/* ---- constraints that are bounds ---- */

/* body = coef * x[var] + offset, or 0 when it is not of that form. */
static int linear_in_one(sema *s, const ast_node *e, value *env, long long *var,
                         double *coef, double *offset)
{
	if (!e->has_var) {
		*var = -1;
		*coef = 0;
		*offset = sema_eval_num(s, e, env);
		return 1;
	}
	if (e->kind == AST_NAME && e->ref == REF_VAR) {
		symbol *sym = e->sym;
		*var = (long long)(sym->base + sema_subscript_position(s, e, env));
		*coef = 1;
		*offset = 0;
		return 1;
	}
	if (e->kind == AST_UNARY && (e->op == OPR_NEG || e->op == OPR_PLUS)) {
		if (!linear_in_one(s, e->kids[0], env, var, coef, offset))
			return 0;
		if (e->op == OPR_NEG) {
			*coef = -*coef;
			*offset = -*offset;
		}
		return 1;
	}
	if (e->kind == AST_CHAIN) {
		long long vt;
		double ct, ot;
		if (!linear_in_one(s, e->kids[0], env, var, coef, offset))
			return 0;
		for (size_t i = 1; i < e->nkids; i++) {
			if (!linear_in_one(s, e->kids[i], env, &vt, &ct, &ot))
				return 0;
			if (*var >= 0 && vt >= 0 && *var != vt)
				return 0;
			double sign = e->ops[i] == OPR_ADD ? 1 : -1;
			if (vt >= 0)
				*var = vt;
			*coef += sign * ct;
			*offset += sign * ot;
		}
		return 1;
	}
	if (e->kind != AST_BINARY)
		return 0;
	long long va, vb;
	double ca, cb, oa, ob;
	if (!linear_in_one(s, e->kids[0], env, &va, &ca, &oa) ||
	    !linear_in_one(s, e->kids[1], env, &vb, &cb, &ob))
		return 0;
	switch (e->op) {
	case OPR_ADD:
	case OPR_SUB: {
		double sign = e->op == OPR_ADD ? 1 : -1;
		if (va >= 0 && vb >= 0 && va != vb)
			return 0;
		*var = va >= 0 ? va : vb;
		*coef = ca + sign * cb;
		*offset = oa + sign * ob;
		return 1;
	}
	case OPR_MUL:
		if (va >= 0 && vb >= 0)
			return 0;
		*var = va >= 0 ? va : vb;
		*coef = va >= 0 ? ca * ob : cb * oa;
		*offset = oa * ob;
		return 1;
	case OPR_DIV:
		if (vb >= 0 || ob == 0)
			return 0;
		*var = va;
		*coef = ca / ob;
		*offset = oa / ob;
		return 1;
	default:
		return 0;
	}
}

typedef struct bound_ctx {
	ast_node *decl;
} bound_ctx;

static _Noreturn void not_a_bound(sema *s, ast_node *d)
{
	sema_fail(s, d, "unsupported constraint '%s': only bounds on one variable "
	          "(such as 0 <= x[i] <= 1 or x[2] >= 1) are supported", d->text);
}

static void apply_comparison(sema *s, ast_node *d, const ast_node *c, value *env)
{
	if (c->kind != AST_BINARY)
		not_a_bound(s, d);
	int op = c->op;
	if (op != OPR_LE && op != OPR_GE && op != OPR_EQ)
		not_a_bound(s, d);
	long long va, vb;
	double ca, cb, oa, ob;
	if (!linear_in_one(s, c->kids[0], env, &va, &ca, &oa) ||
	    !linear_in_one(s, c->kids[1], env, &vb, &cb, &ob))
		not_a_bound(s, d);
	if ((va >= 0) == (vb >= 0))
		not_a_bound(s, d);
	/* normalise to coef * x  (op)  limit */
	long long var = va >= 0 ? va : vb;
	double coef = va >= 0 ? ca - 0 : cb;
	double limit = va >= 0 ? ob - oa : oa - ob;
	if (va < 0) {   /* limit op coef*x  ->  coef*x op' limit */
		op = op == OPR_LE ? OPR_GE : op == OPR_GE ? OPR_LE : op;
	}
	if (coef == 0)
		not_a_bound(s, d);
	double bound = limit / coef;
	if (coef < 0)
		op = op == OPR_LE ? OPR_GE : op == OPR_GE ? OPR_LE : op;
	size_t i = (size_t)var;
	if (op == OPR_GE || op == OPR_EQ)
		s->lower[i] = fmax(s->lower[i], bound);
	if (op == OPR_LE || op == OPR_EQ)
		s->upper[i] = fmin(s->upper[i], bound);
}

static void apply_bound(sema *s, value *env, const value *key, int dim, void *arg)
{
	(void)key;
	(void)dim;
	bound_ctx *b = arg;
	ast_node *body = b->decl->kids[0];
	if (body->kind == AST_BINARY && (body->flags & AST_F_CHAIN) && body->op == OPR_AND) {
		if (body->kids[0]->flags & AST_F_CHAIN)
			not_a_bound(s, b->decl);   /* a <= b <= c <= d */
		apply_comparison(s, b->decl, body->kids[0], env);
		apply_comparison(s, b->decl, body->kids[1], env);
	} else {
		apply_comparison(s, b->decl, body, env);
	}
}

static void declare_constraint(sema *s, ast_node *d)
{
	ast_node *idx = d->cond;
	int nd = idx ? sema_resolve_indexing(s, idx) : 0;
	sema_resolve(s, d->kids[0]);
	sema_pop_scope(s, nd);
	sema_declare(s, d, SYM_CONSTRAINT);
	if (!d->kids[0]->has_var)
		not_a_bound(s, d);
	sema_no_inputs(s, d->kids[0], "a bound on a variable");
	bound_ctx b = { d };
	sema_for_each(s, idx, apply_bound, &b);
}

/* ---- let ---- */

typedef struct let_ctx {
	ast_node *stmt;
} let_ctx;

static void let_one(sema *s, value *env, const value *key, int dim, void *arg)
{
	(void)key;
	(void)dim;
	let_ctx *l = arg;
	ast_node *target = l->stmt->extra;
	symbol *sym = target->sym;
	size_t pos = sema_subscript_position(s, target, env);
	value v = sema_eval(s, l->stmt->kids[0], env);
	if (sym->kind == SYM_VAR) {
		if (v.str)
			sema_fail(s, l->stmt->kids[0], "a number is expected, found '%s'", v.str);
		s->x0[sym->base + pos] = v.num;
	} else {
		if (v.str && !sym->symbolic)
			sema_fail(s, l->stmt->kids[0], "a number is expected, found '%s'", v.str);
		sym->values[pos] = v;
		sym->state[pos] = 1;
	}
}

static void run_let(sema *s, ast_node *d)
{
	ast_node *idx = d->cond;
	int nd = idx ? sema_resolve_indexing(s, idx) : 0;
	ast_node *target = d->extra;
	sema_resolve(s, target);
	sema_resolve(s, d->kids[0]);
	sema_pop_scope(s, nd);
	if (target->ref != REF_VAR && target->ref != REF_PARAM)
		sema_fail(s, target, "unsupported: 'let' sets variables' initial values and params only");
	if (d->kids[0]->is_set)
		sema_fail(s, d->kids[0], "a set is used where a number is expected");
	sema_no_inputs(s, d->kids[0], "a 'let' value");
	let_ctx l = { d };
	sema_for_each(s, idx, let_one, &l);
}

/* ---- the driver ---- */

hessc_status sema_run(sema *s, const ast_program *prog)
{
	if (setjmp(s->fail))
		return s->fail_status;
	s->prog = prog;
	sema_collect_data(s, prog);
	ast_node *first_objective = NULL;
	for (size_t i = 0; i < prog->nstmts; i++) {
		ast_node *d = prog->stmts[i];
		switch ((ast_kind)d->kind) {
		case AST_SET_DECL: declare_set(s, d); break;
		case AST_PARAM_DECL: declare_param(s, d); break;
		case AST_VAR_DECL: declare_var(s, d); break;
		case AST_OBJECTIVE:
			if (!first_objective)
				first_objective = d;
			declare_objective(s, d);
			break;
		case AST_CONSTRAINT: declare_constraint(s, d); break;
		case AST_LET: run_let(s, d); break;
		default: break;   /* data (gathered above) and ignored script lines */
		}
	}
	for (size_t i = 0; i < s->ndefines; i++)
		if (!s->defines[i].used)
			define_fail(s, &s->defines[i], 1, "no scalar param '%s' is declared in the model",
			            s->defines[i].name);
	sema_check_data_used(s);
	if (!s->objective) {
		if (first_objective)
			sema_fail(s, first_objective, "no objective is named '%s' (this one is '%s')",
			          s->want_objective, first_objective->text);
		const sema_source *src = &s->sources[0];
		ast_node at = { .line = 1, .col = 1 };
		if (src->len > 0) {
			/* point after the last line that has text */
			int line = 1;
			for (size_t k = 0; k < src->len; k++)
				if (src->text[k] == '\n' && k + 1 < src->len)
					line++;
			at.line = line;
		}
		sema_fail(s, &at, prog->nstmts == 0 ? "the model is empty: it declares nothing"
		                                     : "the model has no objective: 'minimize' or 'maximize' is expected");
	}
	return HESSC_OK;
}
