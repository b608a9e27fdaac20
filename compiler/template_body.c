/* template_body.c -- power-of-two factors kept aside, repeated instructions
 * computed once, divisions by known reciprocals (template_body.h). */
#include "template_body.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((uint32_t)-1)

/* What an input slot holds: the constant c, or k * (output slot v) with k
 * a signed power of two. */
typedef struct rep {
	int is_const;
	double c, k;
	uint32_t v;
} rep;

typedef struct rewriter {
	tape_instr *code;
	size_t len, cap;
	uint32_t n_values;
	rep *val;              /* per input slot */
	uint32_t *recip;       /* per output slot: the slot holding its reciprocal */
	uint32_t *def;         /* per output slot: its instruction in code */
	size_t first_table;    /* VAR inputs from this index on are tables */
	uint32_t *table;       /* hash of value instructions: index into code, or NONE */
	size_t table_size;
	int failed;
} rewriter;

static int is_pow2(double c)
{
	int e;
	return c != 0.0 && isfinite(c) && fabs(frexp(c, &e)) == 0.5;
}

/* -1 for a negative constant, else 1 (zero and NaN keep their sign in
 * fabs's result only when positive: -0.0 gives -1 and 0.0 * -1 = -0.0) */
static double sign_of(double c)
{
	return signbit(c) ? -1.0 : 1.0;
}

static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static size_t hash_instr(const tape_instr *in)
{
	uint64_t h = 1469598103934665603ull, bits;
	memcpy(&bits, &in->value, sizeof bits);
	uint64_t parts[8] = {in->kind, in->op, in->a, in->b, in->c, (uint64_t)in->index,
	                     (uint64_t)in->col, bits};
	for (int p = 0; p < 8; p++) {
		h ^= parts[p];
		h *= 1099511628211ull;
		h ^= h >> 29;
	}
	return (size_t)h;
}

static int same_instr(const tape_instr *x, const tape_instr *y)
{
	return x->kind == y->kind && x->op == y->op && x->a == y->a && x->b == y->b
	       && x->c == y->c && x->index == y->index && x->col == y->col
	       && same_bits(x->value, y->value);
}

static int push(rewriter *rw, const tape_instr *in)
{
	if (rw->len == rw->cap) {
		size_t c = rw->cap ? 2 * rw->cap : 64;
		tape_instr *p = realloc(rw->code, c * sizeof *p);
		if (!p) {
			rw->failed = 1;
			return 0;
		}
		rw->code = p;
		rw->cap = c;
	}
	rw->code[rw->len++] = *in;
	return 1;
}

static int is_value(const tape_instr *x)
{
	return x->kind == TAPE_CONST || x->kind == TAPE_VAR || x->kind == TAPE_DATA
	       || x->kind == TAPE_OP;
}

/* Operand slots an instruction reads. */
static int reads_of(const tape_instr *x)
{
	if (x->kind == TAPE_OP)
		return graph_op_arity((graph_op)x->op);
	return x->kind == TAPE_OUT || x->kind == TAPE_OUT_F || x->kind == TAPE_HV_ACC ? 1 : 0;
}

/* Double the hash of value instructions (and the per-slot reciprocals),
 * so that it stays at most half full: the factoring below adds values the
 * first rewrite could not count in advance. */
static int grow_table(rewriter *rw)
{
	size_t size = 2 * rw->table_size, mask = size - 1;
	uint32_t *table = malloc(size * sizeof *table);
	uint32_t *recip = realloc(rw->recip, size * sizeof *recip);
	uint32_t *def = recip ? realloc(rw->def, size * sizeof *def) : NULL;
	if (recip)
		rw->recip = recip;
	if (def)
		rw->def = def;
	if (!table || !recip || !def) {
		free(table);
		rw->failed = 1;
		return 0;
	}
	for (size_t h = 0; h < size; h++)
		table[h] = NONE;
	for (size_t i = 0; i < rw->len; i++) {
		tape_instr key = rw->code[i];
		size_t h;
		if (!is_value(&key))
			continue;
		key.dst = 0;
		key.node = 0;
		for (h = hash_instr(&key) & mask; table[h] != NONE; h = (h + 1) & mask)
			;
		table[h] = (uint32_t)i;
	}
	free(rw->table);
	rw->table = table;
	rw->table_size = size;
	return 1;
}

/* A value instruction (dst and node filled here): the slot of an equal one
 * already emitted, else a new one. */
static uint32_t value_of(rewriter *rw, tape_instr in)
{
	size_t mask = rw->table_size - 1, h;
	in.dst = 0;
	in.node = 0;
	if (in.kind == TAPE_OP && (in.op == OP_ADD || in.op == OP_MUL) && in.a > in.b) {
		uint32_t t = in.a;
		in.a = in.b;
		in.b = t;
	}
	for (h = hash_instr(&in) & mask; rw->table[h] != NONE; h = (h + 1) & mask) {
		tape_instr probe = rw->code[rw->table[h]];
		uint32_t slot = probe.dst;
		probe.dst = 0;
		probe.node = 0;
		if (same_instr(&probe, &in))
			return slot;
	}
	if (rw->failed)
		return 0;
	if (2 * ((size_t)rw->n_values + 1) > rw->table_size) {
		if (!grow_table(rw))
			return 0;
		for (h = hash_instr(&in) & (rw->table_size - 1); rw->table[h] != NONE;
		     h = (h + 1) & (rw->table_size - 1))
			;
	}
	in.dst = rw->n_values;
	in.node = (node_id)rw->n_values;
	rw->table[h] = (uint32_t)rw->len;
	if (!push(rw, &in))
		return 0;
	rw->recip[rw->n_values] = NONE;
	rw->def[rw->n_values] = (uint32_t)(rw->len - 1);
	return rw->n_values++;
}

static uint32_t constant(rewriter *rw, double c)
{
	tape_instr in;
	memset(&in, 0, sizeof in);
	in.kind = TAPE_CONST;
	in.value = c;
	return value_of(rw, in);
}

static uint32_t op(rewriter *rw, graph_op o, uint32_t a, uint32_t b, uint32_t c, int64_t index)
{
	tape_instr in;
	memset(&in, 0, sizeof in);
	in.kind = TAPE_OP;
	in.op = (uint8_t)o;
	in.a = a;
	in.b = b;
	in.c = c;
	in.index = index;
	return value_of(rw, in);
}

static rep scaled(double k, uint32_t v)
{
	rep r = {0, 0.0, k, v};
	return r;
}

static rep constant_rep(double c)
{
	rep r = {1, c, 1.0, 0};
	return r;
}

/* -v, in one instruction that folds the sign in where v's own instruction
 * takes it exactly: (-c) * w for c * w, (-c) - w for c + w, b - a for
 * a - b (these may differ from -v in the sign of a zero only). */
static uint32_t negation(rewriter *rw, uint32_t v)
{
	tape_instr x = rw->code[rw->def[v]];
	if (x.kind == TAPE_OP && (x.op == OP_MUL || x.op == OP_ADD)) {
		for (int side = 0; side < 2; side++) {
			uint32_t c = side ? x.b : x.a, w = side ? x.a : x.b;
			const tape_instr *ci = &rw->code[rw->def[c]];
			double minus_c;
			if (ci->kind != TAPE_CONST)
				continue;
			minus_c = -ci->value;   /* read before constant() may move the code */
			return op(rw, x.op == OP_MUL ? OP_MUL : OP_SUB, constant(rw, minus_c), w, 0, 0);
		}
	}
	if (x.kind == TAPE_OP && x.op == OP_SUB)
		return op(rw, OP_SUB, x.b, x.a, 0, 0);
	return op(rw, OP_NEG, v, 0, 0, 0);
}

/* The slot of r's value, multiplying its factor in. */
static uint32_t materialize(rewriter *rw, rep r)
{
	if (r.is_const)
		return constant(rw, r.c);
	if (r.k == 1.0)
		return r.v;
	if (r.k == -1.0)
		return negation(rw, r.v);
	return op(rw, OP_MUL, constant(rw, r.k), r.v, 0, 0);
}

/* k1 v1 +- k2 v2 = k1 (v1 +- (k2/k1) v2) */
static rep add(rewriter *rw, rep a, rep b, int minus)
{
	double ratio;
	if (a.is_const && b.is_const)
		return constant_rep(graph_apply(minus ? OP_SUB : OP_ADD, a.c, b.c, 0.0, 0));
	if (a.is_const)    /* c +- k v = k (c/k +- v) */
		return scaled(b.k, op(rw, minus ? OP_SUB : OP_ADD, constant(rw, a.c / b.k), b.v, 0, 0));
	if (b.is_const)    /* k v +- c = k (v +- c/k) */
		return scaled(a.k, op(rw, minus ? OP_SUB : OP_ADD, a.v, constant(rw, b.c / a.k), 0, 0));
	ratio = b.k / a.k;
	if (ratio == 1.0 || ratio == -1.0)
		return scaled(a.k, op(rw, (ratio < 0) != minus ? OP_SUB : OP_ADD, a.v, b.v, 0, 0));
	if (fabs(b.k) == 1.0 && fabs(a.k) != 1.0)  /* keep the bare operand bare: +-(k1/k2 v1 +- v2) */
		return scaled(b.k, op(rw, minus ? OP_SUB : OP_ADD,
		                      op(rw, OP_MUL, constant(rw, a.k / b.k), a.v, 0, 0), b.v, 0, 0));
	return scaled(a.k, op(rw, minus ? OP_SUB : OP_ADD, a.v,
	                      op(rw, OP_MUL, constant(rw, ratio), b.v, 0, 0), 0, 0));
}

static rep mul(rewriter *rw, rep a, rep b)
{
	if (a.is_const && b.is_const)
		return constant_rep(graph_apply(OP_MUL, a.c, b.c, 0.0, 0));
	if (b.is_const) {
		rep t = a;
		a = b;
		b = t;
	}
	if (a.is_const) {
		double ck = a.c * b.k;
		if (is_pow2(a.c))
			return scaled(ck, b.v);
		/* the constant's sign goes to the factor, so c*v and (-c)*v are one
		 * instruction (and so is all that is built on them) */
		return scaled(sign_of(ck), op(rw, OP_MUL, constant(rw, fabs(ck)), b.v, 0, 0));
	}
	return scaled(a.k * b.k, op(rw, OP_MUL, a.v, b.v, 0, 0));
}

static rep divide(rewriter *rw, rep a, rep b)
{
	if (a.is_const && b.is_const)
		return constant_rep(graph_apply(OP_DIV, a.c, b.c, 0.0, 0));
	if (b.is_const) {  /* k v / c = k (v / c) */
		if (is_pow2(b.c))
			return scaled(a.k / b.c, a.v);
		return scaled(a.k * sign_of(b.c), op(rw, OP_DIV, a.v, constant(rw, fabs(b.c)), 0, 0));
	}
	if (a.is_const) {  /* c / (k v) = (c/k) / v */
		double r = a.c / b.k;
		if (is_pow2(r)) {
			uint32_t inv = op(rw, OP_DIV, constant(rw, 1.0), b.v, 0, 0);
			if (!rw->failed)
				rw->recip[b.v] = inv;
			return scaled(r, inv);
		}
		return scaled(sign_of(r), op(rw, OP_DIV, constant(rw, fabs(r)), b.v, 0, 0));
	}
	if (rw->recip[b.v] != NONE)  /* a * (1 / b): one division for many */
		return scaled(a.k / b.k, op(rw, OP_MUL, a.v, rw->recip[b.v], 0, 0));
	return scaled(a.k / b.k, op(rw, OP_DIV, a.v, b.v, 0, 0));
}

static rep operation(rewriter *rw, const tape_instr *in)
{
	int arity = graph_op_arity((graph_op)in->op);
	rep a = arity > 0 ? rw->val[in->a] : constant_rep(0.0);
	rep b = arity > 1 ? rw->val[in->b] : constant_rep(0.0);
	rep c = arity > 2 ? rw->val[in->c] : constant_rep(0.0);
	switch ((graph_op)in->op) {
	case OP_NEG:
		if (a.is_const)
			return constant_rep(graph_apply(OP_NEG, a.c, 0.0, 0.0, 0));
		return scaled(-a.k, a.v);
	case OP_ADD:
		return add(rw, a, b, 0);
	case OP_SUB:
		return add(rw, a, b, 1);
	case OP_MUL:
		return mul(rw, a, b);
	case OP_DIV:
		return divide(rw, a, b);
	case OP_POWI:
		if (!a.is_const && in->index == 1)
			return a;
		if (!a.is_const && in->index == 2)  /* x^2 is x * x, the product graph_powi_value forms */
			return mul(rw, a, a);
		if (!a.is_const && in->index != 0 && in->index >= -8 && in->index <= 8) {
			double kn = graph_powi_value(a.k, in->index);  /* exact: a power of two */
			if (is_pow2(kn))
				return scaled(kn, op(rw, OP_POWI, a.v, 0, 0, in->index));
		}
		break;
	default:
		break;
	}
	if ((arity < 1 || a.is_const) && (arity < 2 || b.is_const) && (arity < 3 || c.is_const))
		return constant_rep(graph_apply((graph_op)in->op, a.c, b.c, c.c, in->index));
	{
		uint32_t sa = arity > 0 ? materialize(rw, a) : 0;
		uint32_t sb = arity > 1 ? materialize(rw, b) : 0;
		uint32_t sc = arity > 2 ? materialize(rw, c) : 0;
		return scaled(1.0, op(rw, (graph_op)in->op, sa, sb, sc, in->index));
	}
}

/* Drop the value instructions nothing reads: 1 on success, 0 out of
 * memory. */
static int drop_unread(rewriter *rw)
{
	unsigned char *live = calloc(rw->n_values + 1, 1);
	size_t kept = 0;
	if (!live)
		return 0;
	for (size_t i = rw->len; i-- > 0;) {
		const tape_instr *x = &rw->code[i];
		int ar = reads_of(x);
		if (is_value(x) && !live[x->dst])
			continue;
		if (ar > 0)
			live[x->a] = 1;
		if (ar > 1)
			live[x->b] = 1;
		if (ar > 2)
			live[x->c] = 1;
	}
	for (size_t i = 0; i < rw->len; i++)
		if (!is_value(&rw->code[i]) || live[rw->code[i].dst])
			rw->code[kept++] = rw->code[i];
	rw->len = kept;
	free(live);
	return 1;
}

/* ---- shared column factors ---------------------------------------------
 *
 * A dense local Hessian over run-time data has entries X_r * T_c, and each
 * column value T_c is X_c times one scalar every column shares (a logistic
 * regression: T_c = y (e (r y X_c - r r e y X_c)) = X_c * s).  Derived
 * column by column, the body computes s anew for each of them, eight
 * operations per column where one multiplication does.  Here every column
 * value linear in an input element is written as that element times a
 * factor; when factors of several columns are one value, the columns
 * become element * factor and their own chains die. */

#define LIN_MAX 4

/* The input elements (DATA slots) a value is linear in, through products,
 * quotients by anything, negations, sums and differences: v = L * f. */
typedef struct lin_set {
	uint32_t leaf[LIN_MAX];
	uint32_t n;
} lin_set;

static int lin_has(const lin_set *s, uint32_t leaf)
{
	for (uint32_t k = 0; k < s->n; k++)
		if (s->leaf[k] == leaf)
			return 1;
	return 0;
}

static void lin_add(lin_set *s, uint32_t leaf)
{
	if (s->n < LIN_MAX && !lin_has(s, leaf))
		s->leaf[s->n++] = leaf;
}

/* An element of the data: a run-time input's, or a table's (a constant
 * per iteration); a column value's element is one of these. */
static int is_element(const rewriter *rw, const tape_instr *x)
{
	return x->kind == TAPE_DATA || (x->kind == TAPE_VAR && (size_t)x->index >= rw->first_table);
}

static lin_set lin_of(const rewriter *rw, const tape_instr *x, const lin_set *lin)
{
	lin_set r = {{0}, 0};
	if (is_element(rw, x)) {
		lin_add(&r, x->dst);
		return r;
	}
	if (x->kind != TAPE_OP)
		return r;
	switch ((graph_op)x->op) {
	case OP_NEG:
	case OP_DIV:
		return lin[x->a];
	case OP_MUL:
		r = lin[x->a];
		for (uint32_t k = 0; k < lin[x->b].n; k++)
			lin_add(&r, lin[x->b].leaf[k]);
		return r;
	case OP_ADD:
	case OP_SUB:
		for (uint32_t k = 0; k < lin[x->a].n; k++)
			if (lin_has(&lin[x->b], lin[x->a].leaf[k]))
				lin_add(&r, lin[x->a].leaf[k]);
		return r;
	default:
		return r;
	}
}

typedef struct factor_memo_entry {
	uint64_t key;   /* (slot << 32 | leaf) + 1, 0: empty */
	rep f;
} factor_memo_entry;

typedef struct factoring {
	rewriter *rw;
	const lin_set *lin;
	factor_memo_entry *memo;
	size_t memo_size, memo_used;
} factoring;

static size_t memo_slot(const factoring *fc, uint64_t key)
{
	size_t mask = fc->memo_size - 1, h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & mask;
	while (fc->memo[h].key != 0 && fc->memo[h].key != key)
		h = (h + 1) & mask;
	return h;
}

static int memo_put(factoring *fc, uint64_t key, rep f)
{
	if (2 * (fc->memo_used + 1) > fc->memo_size) {
		factor_memo_entry *old = fc->memo;
		size_t old_size = fc->memo_size;
		fc->memo_size = old_size ? 2 * old_size : 256;
		fc->memo = calloc(fc->memo_size, sizeof *fc->memo);
		if (!fc->memo) {
			fc->memo = old;
			fc->memo_size = old_size;
			return 0;
		}
		for (size_t k = 0; k < old_size; k++)
			if (old[k].key)
				fc->memo[memo_slot(fc, old[k].key)] = old[k];
		free(old);
	}
	size_t h = memo_slot(fc, key);
	if (fc->memo[h].key == 0)
		fc->memo_used++;
	fc->memo[h].key = key;
	fc->memo[h].f = f;
	return 1;
}

/* An operand as a rep: constants as constants, so that factors fold. */
static rep slot_rep(const factoring *fc, uint32_t slot)
{
	const tape_instr *x = &fc->rw->code[fc->rw->def[slot]];
	return x->kind == TAPE_CONST ? constant_rep(x->value) : scaled(1.0, slot);
}

/* f with v = leaf * f, for a leaf in v's lin_set. */
static rep factor_of(factoring *fc, uint32_t v, uint32_t leaf)
{
	uint64_t key = (((uint64_t)v << 32) | leaf) + 1;
	tape_instr x;
	rep f, fa, fb;
	size_t h;
	if (v == leaf)
		return constant_rep(1.0);
	if (fc->memo_size && fc->memo[h = memo_slot(fc, key)].key == key)
		return fc->memo[h].f;
	x = fc->rw->code[fc->rw->def[v]];   /* a copy: making factors may move the code */
	switch ((graph_op)x.op) {
	case OP_NEG:
		fa = factor_of(fc, x.a, leaf);
		f = fa.is_const ? constant_rep(-fa.c) : scaled(-fa.k, fa.v);
		break;
	case OP_MUL:
		if (lin_has(&fc->lin[x.a], leaf))
			f = mul(fc->rw, factor_of(fc, x.a, leaf), slot_rep(fc, x.b));
		else
			f = mul(fc->rw, slot_rep(fc, x.a), factor_of(fc, x.b, leaf));
		break;
	case OP_DIV:
		f = divide(fc->rw, factor_of(fc, x.a, leaf), slot_rep(fc, x.b));
		break;
	default:   /* OP_ADD, OP_SUB: lin_of keeps no other */
		fa = factor_of(fc, x.a, leaf);
		fb = factor_of(fc, x.b, leaf);
		f = add(fc->rw, fa, fb, x.op == OP_SUB);
		break;
	}
	if (!memo_put(fc, key, f))
		fc->rw->failed = 1;
	return f;
}

/* The column value of output instruction x, when its value is the product
 * of an input element and a value that is not one, or its negation
 * (*negated), else NONE. */
static uint32_t column_value(const rewriter *rw, const tape_instr *x,
                             uint32_t *element, int *negated)
{
	const tape_instr *m;
	int da, db;
	if (x->kind != TAPE_OUT)
		return NONE;
	m = &rw->code[rw->def[x->a]];
	*negated = m->kind == TAPE_OP && m->op == OP_NEG;
	if (*negated)
		m = &rw->code[rw->def[m->a]];
	if (m->kind != TAPE_OP || m->op != OP_MUL)
		return NONE;
	da = is_element(rw, &rw->code[rw->def[m->a]]);
	db = is_element(rw, &rw->code[rw->def[m->b]]);
	if (da == db)
		return NONE;
	*element = da ? m->a : m->b;
	return da ? m->b : m->a;
}

typedef struct column_choice {
	uint32_t t;                  /* the column value */
	uint32_t leaf[LIN_MAX];
	rep f[LIN_MAX];              /* t = leaf[k] * f[k] */
	uint32_t n;
} column_choice;

/* Rewrite the outputs X * T whose T shares its factor with another
 * column's; what only the old column values read is left for
 * drop_unread.  Outputs move after every value (a body without
 * Hessian-vector accumulations only). */
static int factor_columns(rewriter *rw)
{
	size_t n_old = rw->n_values, n_cols = 0, n_outs = 0, kept = 0;
	lin_set *lin = malloc((n_old + 1) * sizeof *lin);
	uint32_t *col_of = malloc((n_old + 1) * sizeof *col_of);   /* slot -> its column, or NONE */
	column_choice *cols = malloc((rw->len + 1) * sizeof *cols);
	tape_instr *outs = malloc((rw->len + 1) * sizeof *outs);
	uint32_t *count = NULL, *new_t = NULL;   /* per column value: count, element * factor */
	double *new_k = NULL;                     /* and the factor's power of two */
	factoring fc = {rw, lin, NULL, 0, 0};
	int ok = 0;
	if (!lin || !col_of || !cols || !outs)
		goto done;
	for (size_t i = 0; i < rw->len; i++) {
		const tape_instr *x = &rw->code[i];
		if (x->kind == TAPE_HV_ZERO || x->kind == TAPE_HV_ACC) {
			ok = 1;   /* the order of accumulations matters: leave the body as it is */
			goto done;
		}
		if (is_value(x)) {
			lin[x->dst] = lin_of(rw, x, lin);
			col_of[x->dst] = NONE;
		}
	}
	for (size_t i = 0; i < rw->len; i++) {
		uint32_t element;
		int negated;
		uint32_t t = column_value(rw, &rw->code[i], &element, &negated);
		if (t == NONE || lin[t].n == 0 || col_of[t] != NONE)
			continue;
		col_of[t] = (uint32_t)n_cols;
		cols[n_cols].t = t;
		cols[n_cols].n = 0;
		n_cols++;
	}
	if (n_cols < 2) {
		ok = 1;
		goto done;
	}
	for (size_t c = 0; c < n_cols && !rw->failed; c++) {
		column_choice *cc = &cols[c];
		for (uint32_t k = 0; k < lin[cc->t].n; k++) {
			rep f = factor_of(&fc, cc->t, lin[cc->t].leaf[k]);
			if (!f.is_const) {   /* a constant factor: the column is cheap already */
				cc->leaf[cc->n] = lin[cc->t].leaf[k];
				cc->f[cc->n++] = f;
			}
		}
	}
	if (rw->failed)
		goto done;
	count = calloc(rw->n_values + 1, sizeof *count);
	new_t = malloc((n_old + 1) * sizeof *new_t);
	new_k = malloc((n_old + 1) * sizeof *new_k);
	if (!count || !new_t || !new_k)
		goto done;
	for (size_t c = 0; c < n_cols; c++)
		for (uint32_t k = 0; k < cols[c].n; k++)
			count[cols[c].f[k].v]++;
	for (size_t v = 0; v < n_old; v++)
		new_t[v] = NONE;
	for (size_t c = 0; c < n_cols; c++) {
		const column_choice *cc = &cols[c];
		uint32_t best = NONE, best_count = 1;
		for (uint32_t k = 0; k < cc->n; k++)
			if (count[cc->f[k].v] > best_count) {
				best = k;
				best_count = count[cc->f[k].v];
			}
		if (best != NONE) {
			new_t[cc->t] = op(rw, OP_MUL, cc->leaf[best], cc->f[best].v, 0, 0);
			new_k[cc->t] = cc->f[best].k;
		}
	}
	/* the outputs, rewritten; then every value, then the outputs */
	for (size_t i = 0, len = rw->len; i < len && !rw->failed; i++) {
		tape_instr x = rw->code[i];
		uint32_t element, t;
		int negated;
		if (is_value(&x))
			continue;
		t = column_value(rw, &x, &element, &negated);
		if (t != NONE && new_t[t] != NONE)
			x.a = op(rw, OP_MUL, element,   /* a sign goes to the column, once */
			         materialize(rw, scaled(negated ? -new_k[t] : new_k[t], new_t[t])), 0, 0);
		outs[n_outs++] = x;
	}
	if (rw->failed)
		goto done;
	for (size_t i = 0; i < rw->len; i++)   /* rw->def is stale from here on */
		if (is_value(&rw->code[i]))
			rw->code[kept++] = rw->code[i];
	memcpy(rw->code + kept, outs, n_outs * sizeof *outs);
	rw->len = kept + n_outs;
	ok = 1;
done:
	free(lin);
	free(col_of);
	free(cols);
	free(outs);
	free(count);
	free(new_t);
	free(new_k);
	free(fc.memo);
	return ok;
}

hessc_status tmpl_body_simplify(const tape_kernel *in, size_t first_table, tape_kernel *out)
{
	rewriter rw;
	size_t bound = 8 * in->len + 8;  /* values the rewrite makes: at most 7 per instruction */
	memset(out, 0, sizeof *out);
	memset(&rw, 0, sizeof rw);
	rw.first_table = first_table;
	rw.val = calloc(in->n_slots + 1, sizeof *rw.val);
	for (rw.table_size = 16; rw.table_size < 2 * bound; rw.table_size *= 2)
		;
	rw.recip = malloc(rw.table_size * sizeof *rw.recip);
	rw.def = malloc(rw.table_size * sizeof *rw.def);
	rw.table = malloc(rw.table_size * sizeof *rw.table);
	if (!rw.val || !rw.recip || !rw.def || !rw.table)
		goto nomem;
	for (size_t h = 0; h < rw.table_size; h++)
		rw.table[h] = NONE;
	for (size_t i = 0; i < in->len && !rw.failed; i++) {
		const tape_instr *x = &in->code[i];
		tape_instr o = *x;
		switch ((tape_kind)x->kind) {
		case TAPE_CONST:
			rw.val[x->dst] = constant_rep(x->value);
			break;
		case TAPE_VAR:
		case TAPE_DATA:
			o.a = o.b = o.c = 0;
			rw.val[x->dst] = scaled(1.0, value_of(&rw, o));
			break;
		case TAPE_OP:
			rw.val[x->dst] = operation(&rw, x);
			break;
		case TAPE_OUT_F:
		case TAPE_OUT:
			o.a = materialize(&rw, rw.val[x->a]);
			o.dst = 0;
			push(&rw, &o);
			break;
		case TAPE_HV_ZERO:
		case TAPE_HV_ACC:
			o.a = x->kind == TAPE_HV_ACC ? materialize(&rw, rw.val[x->a]) : 0;
			push(&rw, &o);
			break;
		}
	}
	if (rw.failed || !factor_columns(&rw) || !drop_unread(&rw))
		goto nomem;
	out->code = rw.code;
	out->len = rw.len;
	out->n_slots = rw.n_values ? rw.n_values : 1;
	free(rw.val);
	free(rw.recip);
	free(rw.def);
	free(rw.table);
	return HESSC_OK;
nomem:
	free(rw.code);
	free(rw.val);
	free(rw.recip);
	free(rw.def);
	free(rw.table);
	return HESSC_ERR_NOMEM;
}

void tmpl_body_free(tape_kernel *k)
{
	free(k->code);
	memset(k, 0, sizeof *k);
}
