/* sema_set.c -- symbols, interned strings and set values: membership by
 * hashing for listed sets, by arithmetic for ranges and their products. */
#include "sema.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void sema_nomem(sema *s)
{
	s->fail_status = HESSC_ERR_NOMEM;
	longjmp(s->fail, 1);
}

value *sema_nest(sema *s, const ast_node *at, const char *name)
{
	if (s->nesting + 1 > SEMA_MAX_NESTING)
		sema_fail(s, at, "'%s' is defined recursively more than %d levels deep",
		          name, SEMA_MAX_NESTING);
	if (!s->env_pool)
		s->env_pool = sema_alloc(s, (size_t)(SEMA_MAX_NESTING + 1) * SEMA_MAX_SLOTS,
		                         sizeof *s->env_pool);
	value *env = s->env_pool + (size_t)++s->nesting * SEMA_MAX_SLOTS;
	memset(env, 0, SEMA_MAX_SLOTS * sizeof *env);
	return env;
}

void sema_descend(sema *s, const ast_node *at)
{
	if (++s->eval_depth > SEMA_MAX_EVAL_DEPTH)
		sema_fail(s, at, "the computation is nested too deeply (more than %d levels)",
		          SEMA_MAX_EVAL_DEPTH);
}

void sema_ascend(sema *s)
{
	s->eval_depth--;
}

void sema_unnest(sema *s)
{
	s->nesting--;
}

void sema_work(sema *s, const ast_node *at, size_t steps)
{
	if (!s->work_limit)
		return;
	if (steps > s->work_limit - s->work)
		sema_fail(s, at, "the model needs more than %zu steps, the limit this front end was given",
		          s->work_limit);
	s->work += steps;
}

void *sema_alloc(sema *s, size_t n, size_t size)
{
	void *p = arena_array(s->arena, n ? n : 1, size);
	if (!p)
		sema_nomem(s);
	return p;
}

_Noreturn void sema_fail(sema *s, const ast_node *at, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const sema_source *src = at && at->file < s->nsources ? &s->sources[at->file] : &s->sources[0];
	source_loc loc = { src->path, at ? at->line : 0, at ? at->col : 0 };
	diag_report(s->diags, DIAG_ERROR, loc, src->text, src->len, "%s", msg);
	s->fail_status = HESSC_ERR_MODEL;
	longjmp(s->fail, 1);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

symbol *sema_lookup(sema *s, const char *name)
{
	if (!s->nbuckets)
		return NULL;
	uint64_t h = hash_bytes(name, strlen(name)) % s->nbuckets;
	for (symbol *sym = s->buckets[h]; sym; sym = sym->next_in_bucket)
		if (strcmp(sym->name, name) == 0)
			return sym;
	return NULL;
}

symbol *sema_declare(sema *s, ast_node *decl, sym_kind kind)
{
	symbol *old = sema_lookup(s, decl->text);
	if (old)
		sema_fail(s, decl, "'%s' is already declared (at %d:%d)", decl->text,
		          old->decl->line, old->decl->col);
	if (!s->nbuckets) {
		s->nbuckets = 1024;
		s->buckets = sema_alloc(s, s->nbuckets, sizeof *s->buckets);
	}
	symbol *sym = sema_alloc(s, 1, sizeof *sym);
	sym->name = decl->text;
	sym->kind = kind;
	sym->decl = decl;
	for (int i = 0; i < SEMA_MAX_DIM; i++)
		sym->key_slots[i] = -1;
	uint64_t h = hash_bytes(sym->name, strlen(sym->name)) % s->nbuckets;
	sym->next_in_bucket = s->buckets[h];
	s->buckets[h] = sym;
	if (ptr_vec_push(s->arena, &s->symbols, sym))
		sema_nomem(s);
	return sym;
}

const char *sema_intern(sema *s, const char *text)
{
	if (s->nstrings * 2 >= s->strings_cap) {
		size_t cap = s->strings_cap ? s->strings_cap * 2 : 256;
		const char **t = sema_alloc(s, cap, sizeof *t);
		for (size_t i = 0; i < s->strings_cap; i++) {
			const char *str = s->strings[i];
			if (!str)
				continue;
			size_t h = hash_bytes(str, strlen(str)) & (cap - 1);
			while (t[h])
				h = (h + 1) & (cap - 1);
			t[h] = str;
		}
		s->strings = t;
		s->strings_cap = cap;
	}
	size_t h = hash_bytes(text, strlen(text)) & (s->strings_cap - 1);
	while (s->strings[h]) {
		if (strcmp(s->strings[h], text) == 0)
			return s->strings[h];
		h = (h + 1) & (s->strings_cap - 1);
	}
	const char *copy = arena_strdup(s->arena, text);
	if (!copy)
		sema_nomem(s);
	s->strings[h] = copy;
	s->nstrings++;
	return copy;
}

/* Numbers as AMPL prints subscripts: integers without a decimal point,
 * others with the fewest digits that read back the same. */
static int format_number(char *buf, size_t size, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return snprintf(buf, size, "%lld", (long long)v);
	for (int prec = 1; prec <= 17; prec++) {
		int n = snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return n;
	}
	return snprintf(buf, size, "%.17g", v);
}

void sema_format_key(char *buf, size_t size, const value *key, int dim)
{
	size_t used = 0;
	buf[0] = 0;
	for (int k = 0; k < dim && used + 1 < size; k++) {
		if (k)
			used += (size_t)snprintf(buf + used, size - used, ",");
		if (used + 1 >= size)
			break;
		if (key[k].str)
			used += (size_t)snprintf(buf + used, size - used, "'%s'", key[k].str);
		else
			used += (size_t)format_number(buf + used, size - used, key[k].num);
	}
}

void set_member(const set_value *set, size_t pos, value *out)
{
	switch (set->kind) {
	case SETV_RANGE:
		out[0].num = set->lo + (double)pos * set->step;
		out[0].str = NULL;
		return;
	case SETV_PRODUCT:
		for (int k = set->dim - 1; k >= 0; k--) {
			size_t i = pos % set->len_k[k];
			pos /= set->len_k[k];
			out[k].num = set->lo_k[k] + (double)i * set->step_k[k];
			out[k].str = NULL;
		}
		return;
	case SETV_LIST:
		memcpy(out, set->items + pos * (size_t)set->dim, (size_t)set->dim * sizeof *out);
		return;
	}
}

/* Position of v in lo, lo+step, ... (len members), or -1. */
static long long range_position(double lo, double step, size_t len, const value *v)
{
	if (v->str)
		return -1;
	double k = (v->num - lo) / step;
	if (!(k >= 0) || k != floor(k) || k >= (double)len)
		return -1;
	if (lo + k * step != v->num)
		return -1;
	return (long long)k;
}

static uint64_t hash_tuple(const value *t, int dim)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (int k = 0; k < dim; k++) {
		uint64_t x;
		if (t[k].str) {
			x = (uint64_t)(uintptr_t)t[k].str;
		} else {
			double d = t[k].num == 0 ? 0.0 : t[k].num;   /* -0 == 0 */
			memcpy(&x, &d, sizeof x);
		}
		h = mix(h ^ x) + (uint64_t)k;
	}
	return h;
}

static int tuple_equal(const value *a, const value *b, int dim)
{
	for (int k = 0; k < dim; k++)
		if (a[k].str != b[k].str || (!a[k].str && a[k].num != b[k].num))
			return 0;
	return 1;
}

static void build_hash(sema *s, set_value *set)
{
	size_t cap = 16;
	while (cap < set->count * 2)
		cap *= 2;
	size_t *h = sema_alloc(s, cap, sizeof *h);
	for (size_t p = 0; p < set->count; p++) {
		size_t i = hash_tuple(set->items + p * (size_t)set->dim, set->dim) & (cap - 1);
		while (h[i])
			i = (i + 1) & (cap - 1);
		h[i] = p + 1;
	}
	set->hash = h;
	set->hash_cap = cap;
}

long long set_position(sema *s, set_value *set, const value *key)
{
	switch (set->kind) {
	case SETV_RANGE:
		return range_position(set->lo, set->step, set->count, key);
	case SETV_PRODUCT: {
		long long pos = 0;
		for (int k = 0; k < set->dim; k++) {
			long long i = range_position(set->lo_k[k], set->step_k[k], set->len_k[k], &key[k]);
			if (i < 0)
				return -1;
			pos = pos * (long long)set->len_k[k] + i;
		}
		return pos;
	}
	case SETV_LIST:
		break;
	}
	if (set->count <= 8) {
		for (size_t p = 0; p < set->count; p++)
			if (tuple_equal(set->items + p * (size_t)set->dim, key, set->dim))
				return (long long)p;
		return -1;
	}
	if (!set->hash)
		build_hash(s, set);
	size_t i = hash_tuple(key, set->dim) & (set->hash_cap - 1);
	while (set->hash[i]) {
		size_t p = set->hash[i] - 1;
		if (tuple_equal(set->items + p * (size_t)set->dim, key, set->dim))
			return (long long)p;
		i = (i + 1) & (set->hash_cap - 1);
	}
	return -1;
}

set_value *set_list_new(sema *s, int dim, size_t cap)
{
	set_value *set = sema_alloc(s, 1, sizeof *set);
	set->kind = SETV_LIST;
	set->dim = dim;
	set->items = sema_alloc(s, (cap ? cap : 1) * (size_t)(dim ? dim : 1), sizeof *set->items);
	return set;
}

/* Appends a member (duplicates are dropped, as sets have no repeats). */
void set_list_add(sema *s, set_value *set, const value *tuple, size_t *cap)
{
	if (set_position(s, set, tuple) >= 0)
		return;
	if (set->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		value *items = sema_alloc(s, ncap * (size_t)set->dim, sizeof *items);
		memcpy(items, set->items, set->count * (size_t)set->dim * sizeof *items);
		set->items = items;
		*cap = ncap;
	}
	memcpy(set->items + set->count * (size_t)set->dim, tuple, (size_t)set->dim * sizeof *tuple);
	set->count++;
	/* keep the hash current when there is one */
	if (set->hash) {
		if (set->count * 2 > set->hash_cap) {
			build_hash(s, set);
		} else {
			size_t i = hash_tuple(tuple, set->dim) & (set->hash_cap - 1);
			while (set->hash[i])
				i = (i + 1) & (set->hash_cap - 1);
			set->hash[i] = set->count;
		}
	}
}

set_value *set_operation(sema *s, const ast_node *at, ast_op op, set_value *a, set_value *b)
{
	if (op == OPR_CROSS) {
		int dim = a->dim + b->dim;
		if (dim > SEMA_MAX_DIM)
			sema_fail(s, at, "'cross' makes tuples of %d components, at most %d are supported",
			          dim, SEMA_MAX_DIM);
		sema_work(s, at, a->count && b->count > SIZE_MAX / a->count ? SIZE_MAX : a->count * b->count);
		size_t cap = a->count * b->count;
		set_value *r = set_list_new(s, dim, cap);
		value t[SEMA_MAX_DIM];
		for (size_t i = 0; i < a->count; i++) {
			set_member(a, i, t);
			for (size_t j = 0; j < b->count; j++) {
				set_member(b, j, t + a->dim);
				memcpy(r->items + r->count * (size_t)dim, t, (size_t)dim * sizeof *t);
				r->count++;
			}
		}
		return r;
	}
	if (a->dim != b->dim)
		sema_fail(s, at, "'%s' of sets of different dimensions (%d and %d)",
		          ast_op_spelling(op), a->dim, b->dim);
	sema_work(s, at, a->count + b->count);
	size_t cap = 0;
	set_value *r = set_list_new(s, a->dim, 0);
	value t[SEMA_MAX_DIM];
	if (op == OPR_UNION || op == OPR_SYMDIFF || op == OPR_DIFF || op == OPR_INTER) {
		for (size_t i = 0; i < a->count; i++) {
			set_member(a, i, t);
			int in_b = set_position(s, b, t) >= 0;
			if (op == OPR_UNION || (op == OPR_INTER && in_b) || (op != OPR_INTER && !in_b))
				set_list_add(s, r, t, &cap);
		}
	}
	if (op == OPR_UNION || op == OPR_SYMDIFF) {
		for (size_t j = 0; j < b->count; j++) {
			set_member(b, j, t);
			if (op == OPR_UNION || set_position(s, a, t) < 0)
				set_list_add(s, r, t, &cap);
		}
	}
	return r;
}

void set_describe(char *buf, size_t size, const set_value *set)
{
	char lo[64], hi[64];
	value v;
	switch (set->kind) {
	case SETV_RANGE:
		if (set->count == 0) {
			snprintf(buf, size, "an empty set");
			return;
		}
		v.str = NULL;
		v.num = set->lo;
		sema_format_key(lo, sizeof lo, &v, 1);
		v.num = set->lo + (double)(set->count - 1) * set->step;
		sema_format_key(hi, sizeof hi, &v, 1);
		snprintf(buf, size, "%s..%s", lo, hi);
		return;
	case SETV_PRODUCT: {
		size_t used = 0;
		buf[0] = 0;
		for (int k = 0; k < set->dim && used + 1 < size; k++) {
			v.str = NULL;
			v.num = set->lo_k[k];
			sema_format_key(lo, sizeof lo, &v, 1);
			v.num = set->lo_k[k] + (double)(set->len_k[k] - 1) * set->step_k[k];
			sema_format_key(hi, sizeof hi, &v, 1);
			used += (size_t)snprintf(buf + used, size - used, "%s%s..%s",
			                         k ? " cross " : "", lo, hi);
		}
		return;
	}
	case SETV_LIST:
		snprintf(buf, size, "a set of %zu member%s", set->count, set->count == 1 ? "" : "s");
		return;
	}
}
