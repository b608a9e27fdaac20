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
	in.dst = rw->n_values;
	in.node = (node_id)rw->n_values;
	rw->table[h] = (uint32_t)rw->len;
	if (!push(rw, &in))
		return 0;
	rw->recip[rw->n_values] = NONE;
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

/* The slot of r's value, multiplying its factor in. */
static uint32_t materialize(rewriter *rw, rep r)
{
	if (r.is_const)
		return constant(rw, r.c);
	if (r.k == 1.0)
		return r.v;
	if (r.k == -1.0)
		return op(rw, OP_NEG, r.v, 0, 0, 0);
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

hessc_status tmpl_body_simplify(const tape_kernel *in, tape_kernel *out)
{
	rewriter rw;
	size_t bound = 8 * in->len + 8;  /* values the rewrite makes: at most 7 per instruction */
	memset(out, 0, sizeof *out);
	memset(&rw, 0, sizeof rw);
	rw.val = calloc(in->n_slots + 1, sizeof *rw.val);
	rw.recip = malloc(bound * sizeof *rw.recip);
	for (rw.table_size = 16; rw.table_size < 2 * bound; rw.table_size *= 2)
		;
	rw.table = malloc(rw.table_size * sizeof *rw.table);
	if (!rw.val || !rw.recip || !rw.table)
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
	if (rw.failed)
		goto nomem;
	out->code = rw.code;
	out->len = rw.len;
	out->n_slots = rw.n_values ? rw.n_values : 1;
	free(rw.val);
	free(rw.recip);
	free(rw.table);
	return HESSC_OK;
nomem:
	free(rw.code);
	free(rw.val);
	free(rw.recip);
	free(rw.table);
	return HESSC_ERR_NOMEM;
}

void tmpl_body_free(tape_kernel *k)
{
	free(k->code);
	memset(k, 0, sizeof *k);
}
