/* sema_eval.c -- the values of expressions and sets at check time: params,
 * set members, initial values, bounds.  Iterated operators loop; recursion
 * only follows the nesting of the text, which the parser bounds. */
#include "sema.h"
#include "frontend.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_true(value v)
{
	return v.str ? 1 : v.num != 0;
}

static double number(sema *s, const ast_node *e, value v)
{
	if (v.str)
		sema_fail(s, e, "a number is expected, found the symbol '%s'", v.str);
	return v.num;
}

static value num_value(double x)
{
	value v = { x, NULL };
	return v;
}

/* Static dimension of a set expression's members. */
static int set_expr_dim(sema *s, const ast_node *e)
{
	switch ((ast_kind)e->kind) {
	case AST_RANGE:
		return 1;
	case AST_NAME:
		return ((const symbol *)e->sym)->set_dim;
	case AST_INDEXING: {
		if (e->op == 1) {   /* literal members */
			if (e->nkids == 0)
				return 1;
			const ast_node *m = e->kids[0];
			return m->kind == AST_TUPLE ? (int)m->nkids : 1;
		}
		int dim = 0;
		for (size_t i = 0; i < e->nkids; i++) {
			const ast_node *en = e->kids[i];
			dim += set_expr_dim(s, en->kind == AST_IN ? en->kids[1] : en);
		}
		return dim;
	}
	case AST_BINARY:
		if (e->op == OPR_CROSS)
			return set_expr_dim(s, e->kids[0]) + set_expr_dim(s, e->kids[1]);
		return set_expr_dim(s, e->kids[0]);
	default:
		sema_fail(s, e, "a set is expected");
	}
}

int sema_indexing_dim(sema *s, const ast_node *idx, value *env)
{
	(void)env;
	int dim = set_expr_dim(s, idx);
	if (dim > SEMA_MAX_DIM)
		sema_fail(s, idx, "indexing with %d components: at most %d are supported",
		          dim, SEMA_MAX_DIM);
	return dim;
}

/* ---- iteration over an indexing ---- */

typedef struct iter_state {
	const ast_node *idx;
	value *env;
	sema_visit fn;
	void *arg;
	value key[SEMA_MAX_DIM];
} iter_state;

static set_value *eval_set_ptr(sema *s, const ast_node *e, value *env, set_value *tmp);
static int compare_values(sema *s, const ast_node *e, int op, value a, value b);

static void bind_target(sema *s, const ast_node *target, const value *member, int dim, value *env)
{
	if (target->kind == AST_TUPLE) {
		if ((int)target->nkids != dim)
			sema_fail(s, target, "%zu dummies for members of %d component%s",
			          target->nkids, dim, dim == 1 ? "" : "s");
		for (size_t k = 0; k < target->nkids; k++)
			env[target->kids[k]->slot] = member[k];
	} else {
		if (dim != 1)
			sema_fail(s, target, "one dummy for members of %d components: write (i, j, ...) in ...", dim);
		env[target->slot] = member[0];
	}
}

/* An expression that evaluates without any possible error and reads no
 * dummy at or after `slot`: numbers, earlier dummies, scalar params,
 * + - * and min/max of those. */
static int safe_bound(const ast_node *e, int slot)
{
	if (e->max_slot > slot)
		return 0;
	switch ((ast_kind)e->kind) {
	case AST_NUM:
		return 1;
	case AST_NAME:
		return e->ref == REF_DUMMY ||
		       (e->ref == REF_PARAM && ((const symbol *)e->sym)->dim == 0);
	case AST_UNARY:
		return (e->op == OPR_NEG || e->op == OPR_PLUS) && safe_bound(e->kids[0], slot);
	case AST_BINARY:
		return e->op == OPR_MUL && safe_bound(e->kids[0], slot) && safe_bound(e->kids[1], slot);
	case AST_CHAIN:
		for (size_t i = 0; i < e->nkids; i++)
			if (!safe_bound(e->kids[i], slot))
				return 0;
		return 1;
	case AST_CALL:
		if (sema_functions[e->op].kind != FN_MINMAX)
			return 0;
		for (size_t i = 0; i < e->nkids; i++)
			if (!safe_bound(e->kids[i], slot))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static int is_dummy(const ast_node *e, int slot)
{
	return e->kind == AST_NAME && e->ref == REF_DUMMY && e->slot == slot;
}

/* Tightens [*lo, *hi] by the conjuncts of cond that bound dummy `slot`. */
static void condition_bounds(sema *s, const ast_node *cond, int slot, value *env,
                             double *lo, double *hi)
{
	if (cond->kind != AST_BINARY)
		return;
	int op = cond->op;
	if (op == OPR_AND) {
		condition_bounds(s, cond->kids[0], slot, env, lo, hi);
		condition_bounds(s, cond->kids[1], slot, env, lo, hi);
		return;
	}
	if (op != OPR_LT && op != OPR_LE && op != OPR_GE && op != OPR_GT && op != OPR_EQ)
		return;
	const ast_node *other;
	if (is_dummy(cond->kids[0], slot)) {
		other = cond->kids[1];
	} else if (is_dummy(cond->kids[1], slot)) {
		other = cond->kids[0];   /* v op j  is  j op' v */
		op = op == OPR_LT ? OPR_GT : op == OPR_LE ? OPR_GE :
		     op == OPR_GT ? OPR_LT : op == OPR_GE ? OPR_LE : op;
	} else {
		return;
	}
	if (!safe_bound(other, slot))
		return;
	value v = sema_eval(s, other, env);
	if (v.str)
		return;
	if ((op == OPR_LT || op == OPR_LE || op == OPR_EQ) && v.num < *hi)
		*hi = v.num;
	if ((op == OPR_GT || op == OPR_GE || op == OPR_EQ) && v.num > *lo)
		*lo = v.num;
}

/* {j in a..b: ... lo <= j <= hi ...}: only the members of a..b within
 * [lo, hi] can pass, so the others are not tried (the condition is still
 * tested on every member tried).  Band sets like brybnd's become O(n). */
static set_value *narrow_range(sema *s, const ast_node *idx, const ast_node *entry,
                               set_value *set, value *env, set_value *out)
{
	if (!idx->cond || set->kind != SETV_RANGE || !(set->step > 0) || set->count == 0 ||
	    entry->kind != AST_IN || entry->kids[0]->kind != AST_NAME)
		return set;
	double lo = -INFINITY, hi = INFINITY;
	condition_bounds(s, idx->cond, entry->kids[0]->slot, env, &lo, &hi);
	if (lo == -INFINITY && hi == INFINITY)
		return set;
	*out = *set;
	double first = lo > set->lo ? ceil((lo - set->lo) / set->step) : 0;
	double last = hi < INFINITY ? floor((hi - set->lo) / set->step) : (double)set->count - 1;
	if (last > (double)set->count - 1)
		last = (double)set->count - 1;
	if (!(first <= last)) {
		out->count = 0;
		return out;
	}
	out->lo = set->lo + first * set->step;
	out->count = (size_t)(last - first) + 1;
	return out;
}

static void iterate_entry(sema *s, iter_state *it, size_t k, int keylen)
{
	const ast_node *idx = it->idx;
	if (k == idx->nkids) {
		if (idx->cond && !is_true(sema_eval(s, idx->cond, it->env)))
			return;
		it->fn(s, it->env, it->key, keylen, it->arg);
		return;
	}
	const ast_node *entry = idx->kids[k];
	const ast_node *setx = entry->kind == AST_IN ? entry->kids[1] : entry;
	set_value tmp, narrowed;
	set_value *set = eval_set_ptr(s, setx, it->env, &tmp);
	set = narrow_range(s, idx, entry, set, it->env, &narrowed);
	if (keylen + set->dim > SEMA_MAX_DIM)
		sema_fail(s, entry, "indexing with more than %d components", SEMA_MAX_DIM);
	sema_work(s, entry, set->count);
	for (size_t p = 0; p < set->count; p++) {
		set_member(set, p, it->key + keylen);
		if (entry->kind == AST_IN)
			bind_target(s, entry->kids[0], it->key + keylen, set->dim, it->env);
		iterate_entry(s, it, k + 1, keylen + set->dim);
	}
}

void sema_iterate(sema *s, const ast_node *idx, value *env, sema_visit fn, void *arg)
{
	iter_state it = { .idx = idx, .env = env, .fn = fn, .arg = arg };
	if (idx->op == 1) {   /* {1, 3, 5}: the members themselves */
		set_value tmp;
		set_value *set = eval_set_ptr(s, idx, env, &tmp);
		sema_work(s, idx, set->count);
		for (size_t p = 0; p < set->count; p++) {
			set_member(set, p, it.key);
			fn(s, env, it.key, set->dim, arg);
		}
		return;
	}
	iterate_entry(s, &it, 0, 0);
}

/* ---- sets ---- */

typedef struct collect {
	set_value *set;
	size_t cap;
} collect;

static void collect_member(sema *s, value *env, const value *key, int dim, void *arg)
{
	(void)env;
	(void)dim;
	collect *c = arg;
	set_list_add(s, c->set, key, &c->cap);
}

static set_value *eval_set_ptr(sema *s, const ast_node *e, value *env, set_value *tmp)
{
	switch ((ast_kind)e->kind) {
	case AST_RANGE: {
		double lo = sema_eval_num(s, e->kids[0], env);
		double hi = sema_eval_num(s, e->kids[1], env);
		double by = e->nkids > 2 && e->kids[2] ? sema_eval_num(s, e->kids[2], env) : 1.0;
		if (by == 0 || !isfinite(by))
			sema_fail(s, e, "the step of a range must be a nonzero number");
		if (!isfinite(lo) || !isfinite(hi))
			sema_fail(s, e, "the bounds of a range must be finite");
		double count = floor((hi - lo) / by + 1e-12) + 1;
		if (count < 0)
			count = 0;
		if (count > 1e9)
			sema_fail(s, e, "a range of %.0f members is too large", count);
		memset(tmp, 0, sizeof *tmp);
		tmp->kind = SETV_RANGE;
		tmp->dim = 1;
		tmp->lo = lo;
		tmp->step = by;
		tmp->count = (size_t)count;
		return tmp;
	}
	case AST_NAME: {
		symbol *sym = e->sym;
		size_t pos = sym->dim ? sema_subscript_position(s, e, env) : 0;
		set_value *set = sym->sets[pos];
		if (!set)
			sema_fail(s, e, "set '%s' has no members: no := in the model and no data", sym->name);
		return set;
	}
	case AST_INDEXING: {
		if (e->op == 1) {
			int dim = set_expr_dim(s, e);
			collect c = { set_list_new(s, dim, e->nkids), e->nkids };
			for (size_t i = 0; i < e->nkids; i++) {
				value t[SEMA_MAX_DIM];
				const ast_node *m = e->kids[i];
				if (m->kind == AST_TUPLE) {
					if ((int)m->nkids != dim)
						sema_fail(s, m, "members of a set must all have %d components", dim);
					for (size_t k = 0; k < m->nkids; k++)
						t[k] = sema_eval(s, m->kids[k], env);
				} else {
					if (dim != 1)
						sema_fail(s, m, "members of a set must all have %d components", dim);
					t[0] = sema_eval(s, m, env);
				}
				set_list_add(s, c.set, t, &c.cap);
			}
			return c.set;
		}
		if (e->nkids == 1 && !e->cond) {   /* {i in S} is S */
			const ast_node *en = e->kids[0];
			return eval_set_ptr(s, en->kind == AST_IN ? en->kids[1] : en, env, tmp);
		}
		/* the builder's dummies live in env's slots above the caller's */
		collect c = { set_list_new(s, set_expr_dim(s, e), 0), 0 };
		sema_iterate(s, e, env, collect_member, &c);
		return c.set;
	}
	case AST_BINARY: {
		set_value ta, tb;
		set_value *a = eval_set_ptr(s, e->kids[0], env, &ta);
		set_value *b = eval_set_ptr(s, e->kids[1], env, &tb);
		return set_operation(s, e, (ast_op)e->op, a, b);
	}
	default:
		sema_fail(s, e, "a set is expected");
	}
}

void sema_eval_set(sema *s, const ast_node *e, value *env, set_value *out)
{
	set_value tmp;
	set_value *set = eval_set_ptr(s, e, env, &tmp);
	*out = *set;
}

/* A set to keep: stored ranges are copied out of the caller's stack. */
set_value *sema_eval_set_keep(sema *s, const ast_node *e, value *env)
{
	set_value tmp;
	set_value *set = eval_set_ptr(s, e, env, &tmp);
	if (set == &tmp) {
		set = sema_alloc(s, 1, sizeof *set);
		*set = tmp;
	}
	return set;
}

/* ---- index sets of declarations ---- */

set_value *sema_index_set(sema *s, symbol *sym, ast_node *idx)
{
	int dim = sema_indexing_dim(s, idx, NULL);
	sym->dim = dim;
	/* which dummy each key component binds */
	int k = 0;
	if (idx->op != 1) {
		for (size_t i = 0; i < idx->nkids; i++) {
			const ast_node *en = idx->kids[i];
			int d = set_expr_dim(s, en->kind == AST_IN ? en->kids[1] : en);
			if (en->kind == AST_IN && en->kids[0]->kind == AST_TUPLE) {
				for (size_t j = 0; j < en->kids[0]->nkids && k + (int)j < dim; j++)
					sym->key_slots[k + (int)j] = en->kids[0]->kids[j]->slot;
			} else if (en->kind == AST_IN && d == 1) {
				sym->key_slots[k] = en->kids[0]->slot;
			}
			k += d;
		}
	}
	value env[SEMA_MAX_SLOTS];
	memset(env, 0, sizeof env);
	/* A product of ranges that do not depend on each other is kept as
	 * arithmetic: no member list, O(1) lookup (a million variables). */
	int dense = idx->op != 1 && !idx->cond && idx->nkids > 0;
	for (size_t i = 0; dense && i < idx->nkids; i++) {
		const ast_node *en = idx->kids[i];
		const ast_node *setx = en->kind == AST_IN ? en->kids[1] : en;
		if (setx->max_slot > idx->slot)
			dense = 0;
	}
	if (dense && idx->nkids == 1) {
		const ast_node *en = idx->kids[0];
		return sema_eval_set_keep(s, en->kind == AST_IN ? en->kids[1] : en, env);
	}
	if (dense) {
		set_value *p = sema_alloc(s, 1, sizeof *p);
		p->kind = SETV_PRODUCT;
		p->dim = dim;
		p->lo_k = sema_alloc(s, (size_t)dim, sizeof *p->lo_k);
		p->step_k = sema_alloc(s, (size_t)dim, sizeof *p->step_k);
		p->len_k = sema_alloc(s, (size_t)dim, sizeof *p->len_k);
		p->count = 1;
		for (size_t i = 0; dense && i < idx->nkids; i++) {
			const ast_node *en = idx->kids[i];
			set_value tmp;
			set_value *r = eval_set_ptr(s, en->kind == AST_IN ? en->kids[1] : en, env, &tmp);
			if (r->kind != SETV_RANGE) {
				dense = 0;
				break;
			}
			p->lo_k[i] = r->lo;
			p->step_k[i] = r->step;
			p->len_k[i] = r->count;
			p->count *= r->count;
		}
		if (dense)
			return p;
	}
	collect c = { set_list_new(s, dim, 0), 0 };
	sema_iterate(s, idx, env, collect_member, &c);
	return c.set;
}

void sema_bind_key(sema *s, const symbol *sym, size_t pos, value *env)
{
	(void)s;
	value key[SEMA_MAX_DIM];
	if (!sym->index)
		return;
	set_member(sym->index, pos, key);
	for (int k = 0; k < sym->dim; k++)
		if (sym->key_slots[k] >= 0)
			env[sym->key_slots[k]] = key[k];
}

size_t sema_subscript_position(sema *s, const ast_node *name, value *env)
{
	symbol *sym = name->sym;
	if (!sym->dim)
		return 0;
	value key[SEMA_MAX_DIM];
	for (int k = 0; k < sym->dim; k++) {
		key[k] = sema_eval(s, name->kids[k], env);
		if (!key[k].str && key[k].num == 0)
			key[k].num = 0;   /* -0 is 0 */
	}
	return sema_key_position(s, sym, key, name);
}

size_t sema_key_position(sema *s, symbol *sym, const value *key, const ast_node *at)
{
	long long pos = set_position(s, sym->index, key);
	if (pos < 0) {
		char k[256], d[128];
		sema_format_key(k, sizeof k, key, sym->dim);
		set_describe(d, sizeof d, sym->index);
		sema_fail(s, at, "subscript %s[%s] is out of range: '%s' is indexed over %s",
		          sym->name, k, sym->name, d);
	}
	return (size_t)pos;
}

void sema_for_each(sema *s, const ast_node *idx, sema_visit fn, void *arg)
{
	value env[SEMA_MAX_SLOTS];
	memset(env, 0, sizeof env);
	if (idx)
		sema_iterate(s, idx, env, fn, arg);
	else
		fn(s, env, NULL, 0, arg);
}

/* The checks of a param declaration (>= 0, integer, in S, ...) hold for v?
 * env has the declaration's dummies bound to the position's key. */
static void check_param(sema *s, symbol *sym, size_t pos, value v, const ast_node *at,
                        value *env)
{
	ast_node *d = sym->decl;
	for (size_t i = 0; i < d->nkids; i++) {
		const ast_node *a = d->kids[i];
		int ok = 1;
		char what[96] = "";
		if (a->op == ATTR_INTEGER || a->op == ATTR_BINARY) {
			ok = !v.str && v.num == floor(v.num) &&
			     (a->op == ATTR_INTEGER || v.num == 0 || v.num == 1);
			snprintf(what, sizeof what, "%s", a->op == ATTR_INTEGER ? "integer" : "binary");
		} else if (a->op >= ATTR_GE && a->op <= ATTR_EQ) {
			value limit = sema_eval(s, a->kids[0], env);
			static const int cmp[] = { [ATTR_GE] = OPR_GE, [ATTR_LE] = OPR_LE,
			                           [ATTR_GT] = OPR_GT, [ATTR_LT] = OPR_LT,
			                           [ATTR_NE] = OPR_NE, [ATTR_EQ] = OPR_EQ };
			ok = compare_values(s, a, cmp[a->op], v, limit);
			char lim[64];
			sema_format_key(lim, sizeof lim, &limit, 1);
			snprintf(what, sizeof what, "%s %s", ast_op_spelling((ast_op)cmp[a->op]), lim);
		} else if (a->op == ATTR_IN) {
			set_value tmp;
			set_value *set = eval_set_ptr(s, a->kids[0], env, &tmp);
			ok = set->dim == 1 && set_position(s, set, &v) >= 0;
			snprintf(what, sizeof what, "in a set");
		} else {
			continue;
		}
		if (!ok) {
			char k[256] = "", val[64];
			value key[SEMA_MAX_DIM];
			if (sym->dim) {
				set_member(sym->index, pos, key);
				k[0] = '[';
				sema_format_key(k + 1, sizeof k - 2, key, sym->dim);
				strcat(k, "]");
			}
			sema_format_key(val, sizeof val, &v, 1);
			sema_fail(s, at, "%s%s = %s fails its check: %s (declared at %d:%d)", sym->name, k, val,
			          what, a->line, a->col);
		}
	}
}

value sema_param_value(sema *s, symbol *sym, size_t pos, const ast_node *at)
{
	if (sym->state[pos] == 3)
		return sym->values[pos];
	if (sym->state[pos] == 1) {   /* given by data, -D or let: checked once */
		value *env = sema_nest(s, at, sym->name);
		sema_bind_key(s, sym, pos, env);
		check_param(s, sym, pos, sym->values[pos], at, env);
		sema_unnest(s);
		sym->state[pos] = 3;
		return sym->values[pos];
	}
	if (sym->state[pos] == 2)
		sema_fail(s, at, "'%s' is defined in terms of itself here", sym->name);
	if (sym->run_time)
		sema_fail(s, at, "'%s' " FRONTEND_NO_VALUE_YET ": "
		          "its value is needed here to generate the code", sym->name);
	const ast_node *expr = sym->value_expr ? sym->value_expr : sym->default_expr;
	if (!expr) {
		char k[256] = "";
		value key[SEMA_MAX_DIM];
		if (sym->dim) {
			set_member(sym->index, pos, key);
			sema_format_key(k, sizeof k, key, sym->dim);
			sema_fail(s, at, "'%s[%s]' has no value: no := in the model, no default and no data",
			          sym->name, k);
		}
		sema_fail(s, at, "'%s' has no value: no := in the model, no default and no data",
		          sym->name);
	}
	sym->state[pos] = 2;
	value *env = sema_nest(s, at, sym->name);
	sema_bind_key(s, sym, pos, env);
	value v = sema_eval(s, expr, env);
	if (!sym->symbolic && v.str)
		sema_fail(s, expr, "'%s' is not declared symbolic: a number is expected, found '%s'",
		          sym->name, v.str);
	check_param(s, sym, pos, v, at, env);
	sema_unnest(s);
	sym->values[pos] = v;
	sym->state[pos] = 3;
	return v;
}

/* ---- expressions ---- */

typedef struct fold {
	const ast_node *body;
	int op;
	double acc;
	int any;
} fold;

static void fold_member(sema *s, value *env, const value *key, int dim, void *arg)
{
	(void)key;
	(void)dim;
	fold *f = arg;
	double v = sema_eval_num(s, f->body, env);
	switch (f->op) {
	case OPR_SUM: f->acc += v; break;
	case OPR_PROD: f->acc *= v; break;
	case OPR_MIN: f->acc = f->any ? fmin(f->acc, v) : v; break;
	case OPR_MAX: f->acc = f->any ? fmax(f->acc, v) : v; break;
	default: break;
	}
	f->any = 1;
}

static double apply_unary(int op, double x)
{
	switch (op) {
	case OP_ABS: return fabs(x);
	case OP_SQRT: return sqrt(x);
	case OP_EXP: return exp(x);
	case OP_LOG: return log(x);
	case OP_LOG10: return log10(x);
	case OP_SIN: return sin(x);
	case OP_COS: return cos(x);
	case OP_TAN: return tan(x);
	case OP_ASIN: return asin(x);
	case OP_ACOS: return acos(x);
	case OP_ATAN: return atan(x);
	case OP_SINH: return sinh(x);
	case OP_COSH: return cosh(x);
	case OP_TANH: return tanh(x);
	case OP_FLOOR: return floor(x);
	case OP_CEIL: return ceil(x);
	case OP_ROUND: return round(x);
	default: return NAN;
	}
}

static value eval_call(sema *s, const ast_node *e, value *env)
{
	const sema_function *fn = &sema_functions[e->op];
	switch (fn->kind) {
	case FN_UNARY:
		return num_value(apply_unary(fn->graph_op, sema_eval_num(s, e->kids[0], env)));
	case FN_BINARY:
		return num_value(atan2(sema_eval_num(s, e->kids[0], env),
		                       sema_eval_num(s, e->kids[1], env)));
	case FN_MINMAX: {
		double acc = sema_eval_num(s, e->kids[0], env);
		for (size_t i = 1; i < e->nkids; i++) {
			double v = sema_eval_num(s, e->kids[i], env);
			acc = fn->graph_op == OP_MIN ? fmin(acc, v) : fmax(acc, v);
		}
		return num_value(acc);
	}
	case FN_CARD: {
		set_value tmp;
		return num_value((double)eval_set_ptr(s, e->kids[0], env, &tmp)->count);
	}
	case FN_ORD: {
		set_value tmp;
		set_value *set = eval_set_ptr(s, e->kids[1], env, &tmp);
		value v = sema_eval(s, e->kids[0], env);
		long long pos = set->dim == 1 ? set_position(s, set, &v) : -1;
		if (pos < 0)
			sema_fail(s, e, "ord: the member is not in the set");
		return num_value((double)(pos + 1));
	}
	}
	return num_value(NAN);
}

static int compare_values(sema *s, const ast_node *e, int op, value a, value b)
{
	if (a.str || b.str) {
		if (op == OPR_EQ)
			return a.str == b.str && (a.str || a.num == b.num);
		if (op == OPR_NE)
			return !(a.str == b.str && (a.str || a.num == b.num));
		if (!a.str || !b.str)
			sema_fail(s, e, "comparing a symbol with a number");
		int c = strcmp(a.str, b.str);
		return op == OPR_LT ? c < 0 : op == OPR_LE ? c <= 0 : op == OPR_GE ? c >= 0 : c > 0;
	}
	switch (op) {
	case OPR_LT: return a.num < b.num;
	case OPR_LE: return a.num <= b.num;
	case OPR_EQ: return a.num == b.num;
	case OPR_NE: return a.num != b.num;
	case OPR_GE: return a.num >= b.num;
	default: return a.num > b.num;
	}
}

static value eval_binary(sema *s, const ast_node *e, value *env)
{
	int op = e->op;
	if (op == OPR_AND) {
		if (!is_true(sema_eval(s, e->kids[0], env)))
			return num_value(0);
		return num_value(is_true(sema_eval(s, e->kids[1], env)));
	}
	if (op == OPR_OR) {
		if (is_true(sema_eval(s, e->kids[0], env)))
			return num_value(1);
		return num_value(is_true(sema_eval(s, e->kids[1], env)));
	}
	if (op == OPR_IN || op == OPR_NOTIN) {
		value t[SEMA_MAX_DIM];
		int dim = 1;
		const ast_node *m = e->kids[0];
		if (m->kind == AST_TUPLE) {
			dim = (int)m->nkids;
			if (dim > SEMA_MAX_DIM)
				sema_fail(s, m, "a tuple of more than %d components", SEMA_MAX_DIM);
			for (int k = 0; k < dim; k++)
				t[k] = sema_eval(s, m->kids[k], env);
		} else {
			t[0] = sema_eval(s, m, env);
		}
		set_value tmp;
		set_value *set = eval_set_ptr(s, e->kids[1], env, &tmp);
		int in = set->dim == dim && set_position(s, set, t) >= 0;
		return num_value(op == OPR_IN ? in : !in);
	}
	value a = sema_eval(s, e->kids[0], env);
	value b = sema_eval(s, e->kids[1], env);
	if (op >= OPR_LT && op <= OPR_GT)
		return num_value(compare_values(s, e, op, a, b));
	double x = number(s, e->kids[0], a), y = number(s, e->kids[1], b);
	switch (op) {
	case OPR_ADD: return num_value(x + y);
	case OPR_SUB: return num_value(x - y);
	case OPR_MUL: return num_value(x * y);
	case OPR_DIV:
		if (y == 0)
			sema_fail(s, e, "division by zero");
		return num_value(x / y);
	case OPR_POW: return num_value(pow(x, y));
	case OPR_MOD:
		if (y == 0)
			sema_fail(s, e, "'mod' by zero");
		return num_value(fmod(x, y));
	case OPR_DIVI:
		if (y == 0)
			sema_fail(s, e, "'div' by zero");
		return num_value(trunc(x / y));
	case OPR_LESS: return num_value(x - y > 0 ? x - y : 0);
	default:
		sema_fail(s, e, "'%s' needs sets", ast_op_spelling((ast_op)op));
	}
}

static value eval(sema *s, const ast_node *e, value *env)
{
	switch ((ast_kind)e->kind) {
	case AST_NUM:
		return num_value(e->num);
	case AST_STR: {
		value v = { 0, e->text };
		return v;
	}
	case AST_INFINITY:
		return num_value(INFINITY);
	case AST_NAME:
		switch ((ast_ref)e->ref) {
		case REF_DUMMY:
			return env[e->slot];
		case REF_PARAM: {
			symbol *sym = e->sym;
			return sema_param_value(s, sym, sema_subscript_position(s, e, env), e);
		}
		case REF_VAR: {
			symbol *sym = e->sym;
			return num_value(s->x0[sym->base + sema_subscript_position(s, e, env)]);
		}
		case REF_DEFVAR: {
			symbol *sym = e->sym;
			size_t pos = sema_subscript_position(s, e, env);
			value *inner = sema_nest(s, e, sym->name);
			sema_bind_key(s, sym, pos, inner);
			value v = sema_eval(s, sym->value_expr, inner);
			sema_unnest(s);
			return v;
		}
		default:
			sema_fail(s, e, "'%s' is a set: a number is expected", e->text);
		}
	case AST_CALL:
		return eval_call(s, e, env);
	case AST_UNARY: {
		value v = sema_eval(s, e->kids[0], env);
		if (e->op == OPR_NOT)
			return num_value(!is_true(v));
		double x = number(s, e->kids[0], v);
		return num_value(e->op == OPR_NEG ? -x : x);
	}
	case AST_BINARY:
		return eval_binary(s, e, env);
	case AST_CHAIN: {
		double acc = sema_eval_num(s, e->kids[0], env);
		for (size_t i = 1; i < e->nkids; i++) {
			double v = sema_eval_num(s, e->kids[i], env);
			acc = e->ops[i] == OPR_ADD ? acc + v : acc - v;
		}
		return num_value(acc);
	}
	case AST_IF:
		if (is_true(sema_eval(s, e->kids[0], env)))
			return sema_eval(s, e->kids[1], env);
		return e->kids[2] ? sema_eval(s, e->kids[2], env) : num_value(0);
	case AST_ITER: {
		fold f = { e->kids[1], e->op, e->op == OPR_PROD ? 1.0 : 0.0, 0 };
		if (e->op == OPR_MIN)
			f.acc = INFINITY;
		if (e->op == OPR_MAX)
			f.acc = -INFINITY;
		sema_iterate(s, e->kids[0], env, fold_member, &f);
		return num_value(f.acc);
	}
	case AST_TUPLE:
		sema_fail(s, e, "a tuple is used where a single value is expected");
	default:
		sema_fail(s, e, "a set is used where a number is expected");
	}
}

value sema_eval(sema *s, const ast_node *e, value *env)
{
	sema_descend(s, e);
	value v = eval(s, e, env);
	sema_ascend(s);
	return v;
}

double sema_eval_num(sema *s, const ast_node *e, value *env)
{
	return number(s, e, sema_eval(s, e, env));
}
