/* sema_data.c -- data statements: AMPL's list form (`param y := 1 0.14 2
 * 0.18;`), table form (`param a: 1 2 := ...;`, transposed with (tr)),
 * several params at once (`param: X Y := ...;`) and set members.  They are
 * gathered first and applied when the named entity is declared, since data
 * sections come after the model. */
#include "sema.h"

#include <stdio.h>
#include <string.h>

typedef struct data_entry {
	const char *name;
	ast_node *stmt;
	int column;            /* which of several params (multi-param form) */
	int used;
} data_entry;

static void add_entry(sema *s, const char *name, ast_node *stmt, int column)
{
	data_entry *d = sema_alloc(s, 1, sizeof *d);
	d->name = name;
	d->stmt = stmt;
	d->column = column;
	if (ptr_vec_push(s->arena, &s->data_entries, d))
		sema_nomem(s);
}

void sema_collect_data(sema *s, const ast_program *prog)
{
	for (size_t i = 0; i < prog->nstmts; i++) {
		ast_node *st = prog->stmts[i];
		if (st->kind == AST_DATA_SET) {
			add_entry(s, st->text, st, 0);
		} else if (st->kind == AST_DATA_PARAM) {
			if (st->text) {
				add_entry(s, st->text, st, 0);
			} else {
				for (size_t k = 0; k < st->nhead; k++)
					add_entry(s, st->head[k]->text, st, (int)k);
			}
		}
	}
}

static value item_value(sema *s, const ast_node *item)
{
	value v = { 0, NULL };
	if (item->kind == AST_NUM)
		v.num = item->num;
	else if (item->kind == AST_STR)
		v.str = sema_intern(s, item->text);
	else
		sema_fail(s, item, "'.' cannot be a subscript");
	return v;
}

static void store(sema *s, symbol *sym, ast_node *at, const value *key, const ast_node *val_item)
{
	if (val_item->kind == AST_DATA_DOT)
		return;
	size_t pos = sym->dim ? sema_key_position(s, sym, key, at) : 0;
	value v = item_value(s, val_item);
	if (v.str && !sym->symbolic)
		sema_fail(s, val_item, "a number is expected for '%s', found '%s'", sym->name, v.str);
	if (sym->kind == SYM_VAR) {
		s->x0[sym->base + pos] = v.num;
		return;
	}
	sym->values[pos] = v;
	sym->state[pos] = 1;
}

static void apply_param_stmt(sema *s, symbol *sym, data_entry *d)
{
	ast_node *st = d->stmt;
	int dim = sym->dim;
	value key[SEMA_MAX_DIM];
	if (st->extra) {   /* default */
		if (sym->kind != SYM_PARAM)
			sema_fail(s, st->extra, "'default' in data is only for params");
		sym->default_expr = st->extra;
	}
	if (st->flags & AST_F_TABLE) {
		if (dim != 2)
			sema_fail(s, st, "a table gives a param of 2 subscripts; '%s' has %d", sym->name, dim);
		size_t ncol = st->nhead;
		if (ncol == 0)
			sema_fail(s, st, "the table of '%s' has no columns", sym->name);
		if (st->nkids % (ncol + 1) != 0)
			sema_fail(s, st, "the table of '%s' has %zu columns: each row needs a label and %zu values, "
			          "found %zu items", sym->name, ncol, ncol, st->nkids);
		for (size_t r = 0; r < st->nkids; r += ncol + 1) {
			value row = item_value(s, st->kids[r]);
			for (size_t c = 0; c < ncol; c++) {
				value col = item_value(s, st->head[c]);
				if (st->flags & AST_F_TR) {
					key[0] = col;
					key[1] = row;
				} else {
					key[0] = row;
					key[1] = col;
				}
				store(s, sym, st->kids[r], key, st->kids[r + 1 + c]);
			}
		}
		return;
	}
	size_t nvals = st->text ? 1 : st->nhead;
	size_t group = (size_t)dim + nvals;
	if (dim == 0 && st->nkids != nvals)
		sema_fail(s, st, "'%s' is not indexed: %zu value%s expected, found %zu items",
		          sym->name, nvals, nvals == 1 ? " is" : "s are", st->nkids);
	if (st->nkids % group != 0)
		sema_fail(s, st, "the data of '%s' has %zu items: a multiple of %zu is expected "
		          "(%d subscript%s and %zu value%s each)", sym->name, st->nkids, group,
		          dim, dim == 1 ? "" : "s", nvals, nvals == 1 ? "" : "s");
	for (size_t i = 0; i < st->nkids; i += group) {
		for (int k = 0; k < dim; k++)
			key[k] = item_value(s, st->kids[i + (size_t)k]);
		store(s, sym, st->kids[i], key, st->kids[i + (size_t)dim + (size_t)d->column]);
	}
}

void sema_apply_param_data(sema *s, symbol *sym)
{
	for (size_t i = 0; i < s->data_entries.len; i++) {
		data_entry *d = s->data_entries.items[i];
		if (strcmp(d->name, sym->name) != 0)
			continue;
		if (d->stmt->kind != AST_DATA_PARAM)
			sema_fail(s, d->stmt, "'%s' is not a set: 'param %s' is expected", sym->name, sym->name);
		if (sym->value_expr)
			sema_fail(s, d->stmt, "'%s' gets its value in the model (at %d:%d): data cannot set it",
			          sym->name, sym->value_expr->line, sym->value_expr->col);
		d->used = 1;
		apply_param_stmt(s, sym, d);
	}
}

/* -D wins over data: the param's data entries are consumed unread. */
void sema_skip_param_data(sema *s, const symbol *sym)
{
	for (size_t i = 0; i < s->data_entries.len; i++) {
		data_entry *d = s->data_entries.items[i];
		if (strcmp(d->name, sym->name) == 0 && d->stmt->kind == AST_DATA_PARAM)
			d->used = 1;
	}
}

void sema_apply_set_data(sema *s, symbol *sym)
{
	for (size_t i = 0; i < s->data_entries.len; i++) {
		data_entry *d = s->data_entries.items[i];
		if (strcmp(d->name, sym->name) != 0)
			continue;
		ast_node *st = d->stmt;
		if (st->kind != AST_DATA_SET)
			sema_fail(s, st, "'%s' is a set: 'set %s' is expected in the data", sym->name, sym->name);
		if (sym->value_expr)
			sema_fail(s, st, "'%s' gets its members in the model (at %d:%d): data cannot set them",
			          sym->name, sym->value_expr->line, sym->value_expr->col);
		d->used = 1;
		size_t pos = 0;
		if (st->flags & AST_F_SUBSCRIPT) {
			value key[SEMA_MAX_DIM];
			if ((int)st->nhead != sym->dim)
				sema_fail(s, st, "'%s' takes %d subscript%s, found %zu", sym->name, sym->dim,
				          sym->dim == 1 ? "" : "s", st->nhead);
			for (size_t k = 0; k < st->nhead; k++)
				key[k] = item_value(s, st->head[k]);
			long long p = set_position(s, sym->index, key);
			if (p < 0) {
				char k[256];
				sema_format_key(k, sizeof k, key, sym->dim);
				sema_fail(s, st, "subscript %s[%s] is out of range", sym->name, k);
			}
			pos = (size_t)p;
		} else if (sym->dim) {
			sema_fail(s, st, "'%s' is indexed: write set %s[...] := ...", sym->name, sym->name);
		}
		int dim = sym->set_dim;
		if (st->nkids % (size_t)dim != 0)
			sema_fail(s, st, "the members of '%s' have %d components: %zu items is not a multiple",
			          sym->name, dim, st->nkids);
		size_t cap = st->nkids / (size_t)dim;
		set_value *set = set_list_new(s, dim, cap);
		for (size_t i2 = 0; i2 < st->nkids; i2 += (size_t)dim) {
			value t[SEMA_MAX_DIM];
			for (int k = 0; k < dim; k++)
				t[k] = item_value(s, st->kids[i2 + (size_t)k]);
			set_list_add(s, set, t, &cap);
		}
		sym->sets[pos] = set;
	}
}

void sema_check_data_used(sema *s)
{
	for (size_t i = 0; i < s->data_entries.len; i++) {
		data_entry *d = s->data_entries.items[i];
		if (d->used)
			continue;
		symbol *sym = sema_lookup(s, d->name);
		ast_node *at = d->stmt->text ? d->stmt : d->stmt->head[d->column];
		if (!sym)
			sema_fail(s, at, "'%s' is not declared in the model", d->name);
		sema_fail(s, at, "'%s' is %s: data cannot give its value", d->name,
		          sym->kind == SYM_DEFVAR ? "a defined variable" :
		          sym->kind == SYM_OBJECTIVE ? "an objective" :
		          sym->kind == SYM_CONSTRAINT ? "a constraint" : "computed in the model");
	}
}

/* Data for variables gives initial values. */
void sema_apply_var_data(sema *s, symbol *sym)
{
	for (size_t i = 0; i < s->data_entries.len; i++) {
		data_entry *d = s->data_entries.items[i];
		if (strcmp(d->name, sym->name) != 0 || d->stmt->kind != AST_DATA_PARAM)
			continue;
		d->used = 1;
		apply_param_stmt(s, sym, d);
	}
}
