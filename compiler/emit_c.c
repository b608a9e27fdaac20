/* emit_c.c -- C99 text from the tape: one statement per operation, named
 * temporaries, constants and variables written in place, long kernels cut
 * into parts that pass crossing values through the work array. */
#include "emit_c.h"
#include "atomic_file.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Kept identical to runtime/include/hessc/problem.h (test_emit compares). */
const char emit_c_problem_struct[] =
	"typedef struct hessc_problem {\n"
	"\tconst char *name;\n"
	"\tint n;\n"
	"\tint nnz;\n"
	"\tconst int *hess_colptr;\n"
	"\tconst int *hess_rowind;\n"
	"\tconst double *x0;\n"
	"\tconst double *lower;\n"
	"\tconst double *upper;\n"
	"\tsize_t work_size;\n"
	"\tdouble (*f)(const double *x, double *work, const void *data);\n"
	"\tdouble (*grad)(const double *x, double *g, double *work, const void *data);\n"
	"\tvoid (*hess)(const double *x, double *h, double *work, const void *data);\n"
	"\tvoid (*hessvec)(const double *x, const double *v, double *hv, double *work,\n"
	"\t                const void *data);\n"
	"\tconst void *data;\n"
	"} hessc_problem;\n";

static void fput_comment_text(FILE *out, const char *s);

/* ---- a growable text buffer: a part is built before its header, so that
 * parameters it does not use can be marked (void) ---- */

typedef struct text {
	char *s;
	size_t len, cap;
	int failed;
} text;

static void text_vadd(text *t, const char *fmt, va_list ap)
{
	if (t->failed)
		return;
	for (;;) {
		va_list aq;
		va_copy(aq, ap);
		size_t room = t->cap - t->len;
		int k = vsnprintf(t->s ? t->s + t->len : NULL, room, fmt, aq);
		va_end(aq);
		if (k < 0) {
			t->failed = 1;
			return;
		}
		if ((size_t)k < room) {
			t->len += (size_t)k;
			return;
		}
		size_t cap = t->cap ? t->cap : 4096;
		while (cap - t->len <= (size_t)k)
			cap *= 2;
		char *s = realloc(t->s, cap);
		if (!s) {
			t->failed = 1;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
}

static void text_add(text *t, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
static void text_add(text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	text_vadd(t, fmt, ap);
	va_end(ap);
}

/* 1 when the whole text is written (an empty text has no buffer). */
static int put_text(FILE *out, const text *t)
{
	return t->len == 0 || fwrite(t->s, 1, t->len, out) == t->len;
}

/* ---- numbers ---- */

/* The shortest of %.15g, %.16g, %.17g that reads back as exactly `v`, made
 * to look like a double (2 -> 2.0); non-finite values by their <math.h>
 * names.  `paren`: negative numbers in parentheses, for use as operands. */
static void format_double(char *buf, size_t size, double v, int paren)
{
	if (isnan(v)) {
		snprintf(buf, size, "NAN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v > 0 ? "INFINITY" : paren ? "(-INFINITY)" : "-INFINITY");
		return;
	}
	char num[40];
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(num, sizeof num, "%.*g", digits, v);
		if (strtod(num, NULL) == v && (v != 0 || signbit(strtod(num, NULL)) == signbit(v)))
			break;
	}
	if (!strpbrk(num, ".eE"))
		strcat(num, ".0");
	if (paren && num[0] == '-')
		snprintf(buf, size, "(%s)", num);
	else
		snprintf(buf, size, "%s", num);
}

/* ---- kernels ---- */

typedef struct kernel_desc {
	const char *name;     /* "f", "grad", "hess", "hessvec" */
	const char *out;      /* output array name, or NULL */
	int returns_f;
	int reads_v;
} kernel_desc;

static const kernel_desc kernel_descs[TAPE_KERNELS] = {
	[TAPE_F]       = { "f", NULL, 1, 0 },
	[TAPE_GRAD]    = { "grad", "g", 1, 0 },
	[TAPE_HESS]    = { "hess", "h", 0, 0 },
	[TAPE_HESSVEC] = { "hessvec", "hv", 0, 1 },
};

/* What the emitter knows about one kernel while writing it. */
typedef struct kernel_writer {
	const tape_kernel *k;
	const kernel_desc *desc;
	const char *prefix;
	const char *upper;        /* prefix in capitals, for macros */
	const model *m;           /* its run-time inputs, read as in->NAME[k] */
	size_t *part_of;          /* per instruction: its part */
	uint8_t *crosses;         /* per instruction: value read in a later part */
	size_t *def;              /* per slot: instruction that last wrote it */
	uint32_t *uses;           /* per instruction: reads of its value */
	size_t *consumer;         /* per instruction: the (last) instruction reading it */
	char **pending;           /* per instruction: its expression, when it is
	                             written inside its one reader (see inlinable) */
	uint8_t *pending_ops;     /* operators in that expression */
	size_t n_parts;
	size_t work_needed;       /* 1 + the highest slot kept in w */
	/* usage flags of the part being written */
	int used_x, used_v, used_out, used_w, used_in;
	size_t part;              /* the part being written */
	struct power_name *powers;/* powers named in this part (see write_powi) */
	size_t powers_cap, powers_count;
	int failed;               /* out of memory */
} kernel_writer;

static int defines_value(const tape_instr *in)
{
	return in->kind == TAPE_CONST || in->kind == TAPE_VAR || in->kind == TAPE_DATA ||
	       in->kind == TAPE_OP;
}

static int statements_of(const tape_instr *in)
{
	/* constants, variables and inputs are written in place, not computed */
	return in->kind == TAPE_CONST || in->kind == TAPE_VAR || in->kind == TAPE_DATA ? 0 : 1;
}

/* Operand slots an instruction reads. */
static int operands(const tape_instr *in, uint32_t slot[3])
{
	switch ((tape_kind)in->kind) {
	case TAPE_OP: {
		int arity = graph_op_arity((graph_op)in->op);
		slot[0] = in->a;
		slot[1] = in->b;
		slot[2] = in->c;
		return arity;
	}
	case TAPE_OUT_F:
	case TAPE_OUT:
	case TAPE_HV_ACC:
		slot[0] = in->a;
		return 1;
	case TAPE_CONST:
	case TAPE_VAR:
	case TAPE_DATA:
	case TAPE_HV_ZERO:
		break;
	}
	return 0;
}

/* Cut the kernel into parts and find the values that cross them. */
static hessc_status plan_kernel(kernel_writer *kw, size_t chunk, size_t n_slots)
{
	const tape_kernel *k = kw->k;
	kw->part_of = malloc((k->len ? k->len : 1) * sizeof *kw->part_of);
	kw->crosses = calloc(k->len ? k->len : 1, 1);
	kw->def = malloc((n_slots ? n_slots : 1) * sizeof *kw->def);
	kw->uses = calloc(k->len ? k->len : 1, sizeof *kw->uses);
	kw->consumer = calloc(k->len ? k->len : 1, sizeof *kw->consumer);
	kw->pending = calloc(k->len ? k->len : 1, sizeof *kw->pending);
	kw->pending_ops = calloc(k->len ? k->len : 1, 1);
	if (!kw->part_of || !kw->crosses || !kw->def || !kw->uses || !kw->consumer ||
	    !kw->pending || !kw->pending_ops)
		return HESSC_ERR_NOMEM;
	size_t part = 0, in_part = 0;
	for (size_t i = 0; i < k->len; i++) {
		int s = statements_of(&k->code[i]);
		if (in_part + (size_t)s > chunk && in_part > 0) {
			part++;
			in_part = 0;
		}
		in_part += (size_t)s;
		kw->part_of[i] = part;
	}
	kw->n_parts = k->len ? part + 1 : 1;
	kw->work_needed = 0;
	for (size_t i = 0; i < k->len; i++) {
		const tape_instr *in = &k->code[i];
		uint32_t slot[3];
		int m = operands(in, slot);
		for (int j = 0; j < m; j++) {
			size_t p = kw->def[slot[j]];
			kw->uses[p]++;
			kw->consumer[p] = i;
			if (k->code[p].kind == TAPE_OP && kw->part_of[p] != kw->part_of[i]) {
				kw->crosses[p] = 1;
				if (slot[j] + (size_t)1 > kw->work_needed)
					kw->work_needed = slot[j] + (size_t)1;
			}
		}
		if (defines_value(in))
			kw->def[in->dst] = i;
	}
	return HESSC_OK;
}

#define OPERAND_MAX 48   /* a name, a literal, x[i] or w[i] */
#define EXPR_MAX 400     /* an expression written inside its reader */
#define INLINE_MAX_OPS 8 /* operators per inlined expression */

typedef struct operand {
	char text[EXPR_MAX + 8];
	int compound;   /* an expression: parenthesize it as an operand */
	int ops;        /* operators in it */
	int reads_w;
} operand;

/* How an operand reads: a literal, x[i], w[slot], a temporary's name, or
 * the expression of a value whose only reader this is. */
static void operand_text(kernel_writer *kw, uint32_t slot, operand *o)
{
	size_t def = kw->def[slot];
	const tape_instr *p = &kw->k->code[def];
	o->compound = o->ops = o->reads_w = 0;
	if (kw->pending[def]) {
		snprintf(o->text, sizeof o->text, "%s", kw->pending[def]);
		free(kw->pending[def]);
		kw->pending[def] = NULL;
		o->compound = 1;
		o->ops = kw->pending_ops[def];
	} else if (p->kind == TAPE_CONST) {
		format_double(o->text, sizeof o->text, p->value, 1);
	} else if (p->kind == TAPE_VAR) {
		kw->used_x = 1;
		snprintf(o->text, sizeof o->text, "x[%lld]", (long long)p->index);
	} else if (p->kind == TAPE_DATA) {
		char member[EMIT_C_MEMBER_MAX];
		kw->used_in = 1;
		emit_c_input_member(member, sizeof member, kw->m->inputs[p->col].name);
		snprintf(o->text, sizeof o->text, "in->%s[%lld]", member, (long long)p->index);
	} else if (kw->crosses[def]) {
		kw->used_w = 1;
		o->reads_w = 1;
		snprintf(o->text, sizeof o->text, "w[%lu]", (unsigned long)slot);
	} else {
		snprintf(o->text, sizeof o->text, "t%lu", (unsigned long)p->node);
	}
}

/* A value is written inside its reader instead of getting a name when it
 * is read once, in the same part, by an operation that reads the operand
 * once (not x^k, not sign), or by an output; its expression stays small
 * and reads no w[] (a slot may be written again before the reader). */
static int inlinable(const kernel_writer *kw, size_t i, const operand *ops, int m)
{
	const tape_instr *in = &kw->k->code[i];
	if (in->op == OP_POWI || kw->crosses[i] || kw->uses[i] != 1)
		return 0;
	const tape_instr *reader = &kw->k->code[kw->consumer[i]];
	if (reader->kind == TAPE_OP && (reader->op == OP_POWI || reader->op == OP_SIGN))
		return 0;
	if (reader->kind != TAPE_OP && reader->kind != TAPE_OUT && reader->kind != TAPE_OUT_F)
		return 0;
	int total = 1;
	size_t len = 0;
	for (int j = 0; j < m; j++) {
		if (ops[j].reads_w)
			return 0;
		total += ops[j].ops;
		len += strlen(ops[j].text) + 4;
	}
	return total <= INLINE_MAX_OPS && len + 32 < EXPR_MAX;
}



/* Powers of one base already named in the current part, so that x^2 and
 * x^4 share their square: open addressing keyed by (the base's defining
 * instruction, exponent); entries of earlier parts count as empty. */
typedef struct power_name {
	size_t def;
	uint64_t e;
	size_t part;              /* part + 1; 0: never used */
	char name[OPERAND_MAX + 16];
} power_name;

static size_t power_hash(size_t def, uint64_t e, size_t mask)
{
	uint64_t h = (uint64_t)def * 0x9E3779B97F4A7C15u ^ (e * 0xC2B2AE3D27D4EB4Fu);
	return (size_t)(h ^ (h >> 29)) & mask;
}

static power_name *power_find(kernel_writer *kw, size_t def, uint64_t e)
{
	if (!kw->powers)
		return NULL;
	size_t mask = kw->powers_cap - 1;
	for (size_t i = power_hash(def, e, mask);; i = (i + 1) & mask) {
		power_name *p = &kw->powers[i];
		if (p->part != kw->part + 1)
			return NULL;
		if (p->def == def && p->e == e)
			return p;
	}
}

static void power_add(kernel_writer *kw, size_t def, uint64_t e, const char *name)
{
	if (kw->powers_count * 2 + 2 > kw->powers_cap) {
		size_t old_cap = kw->powers_cap, cap = old_cap ? 2 * old_cap : 256;
		power_name *old = kw->powers, *fresh = calloc(cap, sizeof *fresh);
		if (!fresh) {
			kw->failed = 1;
			return;
		}
		kw->powers = fresh;
		kw->powers_cap = cap;
		kw->powers_count = 0;
		for (size_t i = 0; old && i < old_cap; i++)
			if (old[i].part == kw->part + 1)
				power_add(kw, old[i].def, old[i].e, old[i].name);
		free(old);
	}
	size_t mask = kw->powers_cap - 1;
	size_t i = power_hash(def, e, mask);
	while (kw->powers[i].part == kw->part + 1)
		i = (i + 1) & mask;
	kw->powers[i] = (power_name){ .def = def, .e = e, .part = kw->part + 1 };
	snprintf(kw->powers[i].name, sizeof kw->powers[i].name, "%s", name);
	kw->powers_count++;
}

/* x^k as the multiplications graph_powi_value does, in the same order.
 * Value 0 is the base, value j > 0 the j-th product; the last product is
 * the result, written into `lhs`.  Products the part already has (x^2
 * before x^4) are reused by name, the others get temporaries NAME_pJ. */
static void write_powi(kernel_writer *kw, text *out, const char *lhs, int lhs_local,
                       const char *name, const char *a, size_t base_def, int64_t k)
{
	enum { MAX_STEPS = 130 };  /* two per bit of a 64-bit exponent */
	int left[MAX_STEPS], right[MAX_STEPS], steps = 0;
	uint64_t exponent[MAX_STEPS + 1];
	char value[MAX_STEPS + 1][OPERAND_MAX + 16];
	const char *nm[MAX_STEPS + 1];  /* how value j reads: the base, or value[j] */
	int base = 0, result = -1;
	uint64_t e = k < 0 ? (uint64_t)0 - (uint64_t)k : (uint64_t)k;
	if (e == 0) {
		text_add(out, "%s = 1.0;\n", lhs);
		return;
	}
	exponent[0] = 1;
	while (e) {
		if (e & 1) {
			if (result < 0) {
				result = base;
			} else {
				left[steps] = result;
				right[steps] = base;
				exponent[steps + 1] = exponent[result] + exponent[base];
				result = ++steps;
			}
		}
		e >>= 1;
		if (e) {
			left[steps] = right[steps] = base;
			exponent[steps + 1] = 2 * exponent[base];
			base = ++steps;
		}
	}
	nm[0] = a;
	for (int j = 1; j <= steps; j++) {
		nm[j] = value[j];
		int last = j == result && k > 0;
		const power_name *known = power_find(kw, base_def, exponent[j]);
		if (known) {
			snprintf(value[j], sizeof value[j], "%s", known->name);
			if (last)
				text_add(out, "%s = %s;\n", lhs, value[j]);
			continue;
		}
		if (last) {
			text_add(out, "%s = %s * %s;\n", lhs, nm[left[j - 1]], nm[right[j - 1]]);
			snprintf(value[j], sizeof value[j], "%s", name);
			if (lhs_local)
				power_add(kw, base_def, exponent[j], name);
			continue;
		}
		snprintf(value[j], sizeof value[j], "%s_p%d", name, j);
		text_add(out, "\tconst double %s = %s * %s;\n", value[j], nm[left[j - 1]],
		         nm[right[j - 1]]);
		power_add(kw, base_def, exponent[j], value[j]);
	}
	if (k < 0)
		text_add(out, "%s = 1.0 / %s;\n", lhs, nm[result]);
	else if (result == 0)
		text_add(out, "%s = %s;\n", lhs, a);
}

/* The C expression of one operation (powi excepted).  Expressions used as
 * operands of an operator are parenthesized; function arguments are not. */
static void op_expression(text *out, graph_op op, const operand *oa, const operand *ob,
                          const operand *oc)
{
	char a[EXPR_MAX + 8], b[EXPR_MAX + 8], c[EXPR_MAX + 8];
	const operand *o[3] = { oa, ob, oc };
	char *wrapped[3] = { a, b, c };
	for (int j = 0; j < graph_op_arity(op); j++)
		snprintf(wrapped[j], sizeof a, o[j]->compound ? "(%s)" : "%s", o[j]->text);
	switch (op) {
	case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
		text_add(out, "%s %s %s", a, graph_op_c_spelling(op), b);
		return;
	case OP_NEG:
		text_add(out, "-%s", a);
		return;
	case OP_LT: case OP_LE: case OP_EQ: case OP_NE:
		text_add(out, "(double)(%s %s %s)", a, graph_op_c_spelling(op), b);
		return;
	case OP_AND:
		text_add(out, "(double)(%s != 0.0 && %s != 0.0)", a, b);
		return;
	case OP_OR:
		text_add(out, "(double)(%s != 0.0 || %s != 0.0)", a, b);
		return;
	case OP_NOT:
		text_add(out, "(double)(%s == 0.0)", a);
		return;
	case OP_IF:
		text_add(out, "%s != 0.0 ? %s : %s", a, b, c);
		return;
	case OP_SIGN:
		text_add(out, "(double)((%s > 0.0) - (%s < 0.0))", a, a);
		return;
	case OP_DIVI:
		text_add(out, "trunc(%s / %s)", a, b);
		return;
	default:
		break;
	}
	/* the <math.h> functions, by their ops.h spelling */
	if (graph_op_arity(op) == 2)
		text_add(out, "%s(%s, %s)", graph_op_c_spelling(op), oa->text, ob->text);
	else
		text_add(out, "%s(%s)", graph_op_c_spelling(op), oa->text);
}

static void write_instruction(kernel_writer *kw, text *out, size_t i)
{
	const tape_instr *in = &kw->k->code[i];
	operand o[3];
	uint32_t slot[3];
	int m = operands(in, slot);
	for (int j = 0; j < m; j++)
		operand_text(kw, slot[j], &o[j]);
	size_t def_a = m > 0 ? kw->def[slot[0]] : 0;
	/* operands are read; now the slot holds this instruction's value */
	if (defines_value(in))
		kw->def[in->dst] = i;

	switch ((tape_kind)in->kind) {
	case TAPE_CONST:
	case TAPE_VAR:
	case TAPE_DATA:
		return;
	case TAPE_OP: {
		char name[OPERAND_MAX], lhs[OPERAND_MAX + 16];
		snprintf(name, sizeof name, "t%lu", (unsigned long)in->node);
		if (in->op == OP_POWI) {
			if (kw->crosses[i]) {
				kw->used_w = 1;
				snprintf(lhs, sizeof lhs, "\tw[%lu]", (unsigned long)in->dst);
			} else {
				snprintf(lhs, sizeof lhs, "\tconst double %s", name);
			}
			write_powi(kw, out, lhs, !kw->crosses[i], name, o[0].text, def_a, in->index);
			return;
		}
		if (inlinable(kw, i, o, m)) {
			text e = { 0 };
			op_expression(&e, (graph_op)in->op, &o[0], &o[1], &o[2]);
			if (e.failed) {
				kw->failed = 1;
				free(e.s);
				return;
			}
			int ops = 1;
			for (int j = 0; j < m; j++)
				ops += o[j].ops;
			kw->pending[i] = e.s;
			kw->pending_ops[i] = (uint8_t)ops;
			return;
		}
		if (kw->crosses[i]) {
			kw->used_w = 1;
			text_add(out, "\tw[%lu] = ", (unsigned long)in->dst);
		} else {
			text_add(out, "\tconst double %s = ", name);
		}
		op_expression(out, (graph_op)in->op, &o[0], &o[1], &o[2]);
		text_add(out, ";\n");
		return;
	}
	case TAPE_OUT_F:
		text_add(out, "\treturn %s;\n", o[0].text);
		return;
	case TAPE_OUT:
		kw->used_out = 1;
		text_add(out, "\t%s[%lld] = %s;\n", kw->desc->out, (long long)in->index, o[0].text);
		return;
	case TAPE_HV_ZERO:
	case TAPE_HV_ACC:
		/* hessvec is written from the Hessian's entries (write_hessvec) */
		return;
	}
}

/* The parameter list of a part (parts see the kernel's arrays and its
 * inputs, not data). */
static void part_params(text *out, const kernel_writer *kw)
{
	const kernel_desc *desc = kw->desc;
	text_add(out, "const double *restrict x");
	if (desc->reads_v)
		text_add(out, ", const double *restrict v");
	if (desc->out)
		text_add(out, ", double *restrict %s", desc->out);
	text_add(out, ", double *restrict w");
	if (kw->m->n_inputs)
		text_add(out, ", const %s_data *restrict in", kw->prefix);
}

static void part_args(text *out, const kernel_writer *kw)
{
	const kernel_desc *desc = kw->desc;
	text_add(out, "x");
	if (desc->reads_v)
		text_add(out, ", v");
	if (desc->out)
		text_add(out, ", %s", desc->out);
	text_add(out, ", w");
	if (kw->m->n_inputs)
		text_add(out, ", in");
}

static void unused_params(text *out, const kernel_writer *kw)
{
	if (!kw->used_x)
		text_add(out, "\t(void)x;\n");
	if (kw->desc->reads_v && !kw->used_v)
		text_add(out, "\t(void)v;\n");
	if (kw->desc->out && !kw->used_out)
		text_add(out, "\t(void)%s;\n", kw->desc->out);
	if (!kw->used_w)
		text_add(out, "\t(void)w;\n");
	if (kw->m->n_inputs && !kw->used_in)
		text_add(out, "\t(void)in;\n");
}

static void kernel_signature(text *out, const kernel_writer *kw, int restrict_qualified)
{
	const char *r = restrict_qualified ? "restrict " : "";
	const kernel_desc *desc = kw->desc;
	text_add(out, "%s %s_%s(const double *%sx", desc->returns_f ? "double" : "void",
	         kw->prefix, desc->name, r);
	if (desc->reads_v)
		text_add(out, ", const double *%sv", r);
	if (desc->out)
		text_add(out, ", double *%s%s", r, desc->out);
	text_add(out, ", double *%sw, const void *data)", r);
}

static hessc_status write_kernel(kernel_writer *kw, FILE *c_out)
{
	const tape_kernel *k = kw->k;
	text body = { 0 }, head = { 0 };
	hessc_status st = HESSC_OK;
	size_t i = 0;
	/* parts 0 .. n_parts-2 are static functions; the last part is the
	 * kernel's own body, so `return f` needs no extra copy */
	for (size_t part = 0; part + 1 < kw->n_parts; part++) {
		kw->part = part;
		kw->powers_count = 0;
		kw->used_x = kw->used_v = kw->used_out = kw->used_w = kw->used_in = 0;
		body.len = 0;
		for (; i < k->len && kw->part_of[i] == part; i++)
			write_instruction(kw, &body, i);
		head.len = 0;
		text_add(&head, "static void %s_%s_part%lu(", kw->prefix, kw->desc->name,
		         (unsigned long)part);
		part_params(&head, kw);
		text_add(&head, ")\n{\n");
		unused_params(&head, kw);
		if (head.failed || body.failed || kw->failed) {
			st = HESSC_ERR_NOMEM;
			goto done;
		}
		if (!put_text(c_out, &head) || !put_text(c_out, &body) ||
		    fputs("}\n\n", c_out) == EOF) {
			st = HESSC_ERR_INTERNAL;
			goto done;
		}
	}
	kw->part = kw->n_parts - 1;
	kw->powers_count = 0;
	kw->used_x = kw->used_v = kw->used_out = kw->used_w = kw->used_in = 0;
	body.len = 0;
	if (kw->n_parts > 1) {
		/* calling the parts hands every array on */
		kw->used_x = kw->used_v = kw->used_out = kw->used_w = kw->used_in = 1;
		for (size_t part = 0; part + 1 < kw->n_parts; part++) {
			text_add(&body, "\t%s_%s_part%lu(", kw->prefix, kw->desc->name,
			         (unsigned long)part);
			part_args(&body, kw);
			text_add(&body, ");\n");
		}
	}
	for (; i < k->len; i++)
		write_instruction(kw, &body, i);
	head.len = 0;
	kernel_signature(&head, kw, 1);
	if (kw->m->n_inputs)
		text_add(&head, "\n{\n\tconst %s_data *restrict in = (const %s_data *)data;\n",
		         kw->prefix, kw->prefix);
	else
		text_add(&head, "\n{\n\t(void)data;\n");
	unused_params(&head, kw);
	if (head.failed || body.failed || kw->failed) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	if (!put_text(c_out, &head) || !put_text(c_out, &body) || fputs("}\n\n", c_out) == EOF)
		st = HESSC_ERR_INTERNAL;
done:
	free(body.s);
	free(head.s);
	return st;
}

/* H v for the full symmetric H.  The tape accumulates hv straight from
 * each entry's value (TAPE_HV_ACC); in C that would write the Hessian's
 * code a second time, doubling what the compiler must chew, so the C
 * kernel calls the hess kernel into w and runs the symmetric product over
 * the pattern instead: the same sums, in pattern order (the tape's order
 * is the entries' computation order, so the two round alike but not
 * always identically). */
static hessc_status write_hessvec(kernel_writer *kw, size_t nnz, FILE *c_out)
{
	text head = { 0 };
	kernel_signature(&head, kw, 1);
	if (head.failed) {
		free(head.s);
		return HESSC_ERR_NOMEM;
	}
	fprintf(c_out, "%s\n{\n", head.s);
	free(head.s);
	const char *p = kw->prefix, *u = kw->upper;
	if (nnz == 0) {
		fprintf(c_out, "\t(void)x;\n\t(void)v;\n\t(void)w;\n\t(void)data;\n"
		               "\tfor (int i = 0; i < %s_N; i++)\n\t\thv[i] = 0.0;\n}\n\n", u);
	} else {
		fprintf(c_out,
		        "\t/* the entries, in w[0 .. %s_NNZ-1] */\n"
		        "\tdouble *h = w;\n"
		        "\t%s_hess(x, h, w + %s_NNZ, data);\n"
		        "\tfor (int i = 0; i < %s_N; i++)\n"
		        "\t\thv[i] = 0.0;\n"
		        "\tfor (int j = 0; j < %s_N; j++) {\n"
		        "\t\tfor (int k = %s_hess_colptr[j]; k < %s_hess_colptr[j + 1]; k++) {\n"
		        "\t\t\tconst int i = %s_hess_rowind[k];\n"
		        "\t\t\thv[i] += h[k] * v[j];\n"
		        "\t\t\tif (i != j)\n"
		        "\t\t\t\thv[j] += h[k] * v[i];\n"
		        "\t\t}\n\t}\n}\n\n", u, p, u, u, u, p, p, p);
	}
	return ferror(c_out) ? HESSC_ERR_INTERNAL : HESSC_OK;
}

/* ---- shared with the loop emitter ---- */

/* C's keywords, and names the generated code uses itself: a member named
 * so gets a '_' appended. */
static int reserved_member(const char *name)
{
	static const char *const words[] = {
		"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
		"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
		"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
		"switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
		"_Complex", "_Imaginary", "asm", "typeof", NULL
	};
	for (int i = 0; words[i]; i++)
		if (strcmp(name, words[i]) == 0)
			return 1;
	return 0;
}

void emit_c_input_member(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, reserved_member(name) ? "%s_" : "%s", name);
}

void emit_c_write_inputs(FILE *h, const model *m, const char *prefix, const char *upper,
                         const char *how)
{
	if (m->n_inputs == 0)
		return;
	fprintf(h, "/* Run-time inputs: params the model declares without a value.  The\n"
	           " * kernels read them through their `data` argument, so one generated file\n"
	           " * serves any data of these sizes.  To run them, ");
	fprintf(h, how, prefix, prefix);
	fprintf(h, ".\n * Every member points to the input's values (a scalar: to one value); the\n"
	           " * struct is %lu pointers in a row, so `const double *const data[%lu]` in this\n"
	           " * order is the same layout.  Each array is read, never written. */\n",
	        (unsigned long)m->n_inputs, (unsigned long)m->n_inputs);
	fprintf(h, "#define %s_N_INPUTS %lu\n", upper, (unsigned long)m->n_inputs);
	fprintf(h, "typedef struct %s_data {\n", prefix);
	for (size_t i = 0; i < m->n_inputs; i++) {
		char member[EMIT_C_MEMBER_MAX];
		emit_c_input_member(member, sizeof member, m->inputs[i].name);
		fprintf(h, "\tconst double *%s;   /* %lu value%s: ", member,
		        (unsigned long)m->inputs[i].count, m->inputs[i].count == 1 ? "" : "s");
		fput_comment_text(h, m->inputs[i].layout);
		fputs(" */\n", h);
	}
	fprintf(h, "} %s_data;\n\n", prefix);
}

void emit_c_format_double(char *buf, size_t size, double v, int paren)
{
	format_double(buf, size, v, paren);
}

int emit_c_op_expression(char *buf, size_t size, graph_op op, const char *a, const char *b,
                         const char *c)
{
	text t = { 0 };
	int ok;
	operand o[3];
	const char *texts[3] = { a, b, c };
	for (int j = 0; j < 3; j++) {
		o[j] = (operand){ .compound = 0 };
		snprintf(o[j].text, sizeof o[j].text, "%s", texts[j] ? texts[j] : "");
	}
	op_expression(&t, op, &o[0], &o[1], &o[2]);
	ok = !t.failed && t.s && t.len < size;
	if (ok)
		memcpy(buf, t.s, t.len + 1);
	free(t.s);
	return ok;
}

/* ---- the files ---- */

int emit_c_valid_prefix(const char *s)
{
	if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 0;
	return 1;
}

char *emit_c_default_prefix(const char *model_name)
{
	const char *name = model_name && *model_name ? model_name : "model";
	size_t len = strlen(name);
	char *p = malloc(len + 2);
	if (!p)
		return NULL;
	size_t j = 0;
	if (isdigit((unsigned char)name[0]))
		p[j++] = '_';
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		p[j++] = (char)((isalnum(ch) || ch == '_') && ch < 0x80 ? ch : '_');
	}
	p[j] = 0;
	return p;
}

/* A C string literal (names like x['a b'] may hold anything). */
static void fput_c_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f || *p == '?')
			fprintf(out, "\\%03o", *p);  /* '?': no trigraphs */
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* A comment may hold the command line: keep it from closing the comment. */
static void fput_comment_text(FILE *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (p[0] == '*' && p[1] == '/')
			fputs("* /", out), p++;
		else if (*p == '\n')
			fputc(' ', out);
		else
			fputc(*p, out);
	}
}

static void write_doubles(FILE *out, const char *decl, const double *v, size_t n)
{
	char num[48];
	fprintf(out, "%s = {", decl);
	for (size_t i = 0; i < n; i++) {
		format_double(num, sizeof num, v[i], 0);
		fprintf(out, "%s%s%s", i % 6 == 0 ? "\n\t" : " ", num, i + 1 < n ? "," : "");
	}
	if (n == 0)
		fputs("\n\t0.0 /* C has no empty arrays */", out);
	fputs("\n};\n", out);
}

static void write_ints(FILE *out, const char *decl, const int32_t *v, size_t n)
{
	fprintf(out, "%s = {", decl);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%ld%s", i % 12 == 0 ? "\n\t" : " ", (long)v[i], i + 1 < n ? "," : "");
	if (n == 0)
		fputs("\n\t0 /* C has no empty arrays */", out);
	fputs("\n};\n", out);
}

static int all_equal(const double *v, size_t n, double value)
{
	if (!v)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (v[i] != value)
			return 0;
	return 1;
}

static void write_top_comment(FILE *out, const char *file_kind, const model *m,
                              const derivatives *d, const emit_c_options *opt)
{
	fprintf(out, "/* %s generated by hessc " HESSC_VERSION_STRING "; do not edit.\n", file_kind);
	fputs(" * model: ", out);
	fput_comment_text(out, m->name ? m->name : "(unnamed)");
	fprintf(out, ", %s ", m->maximize ? "maximize" : "minimize");
	fput_comment_text(out, m->objective_name ? m->objective_name : "(objective)");
	fprintf(out, "\n * n = %lu variables, nnz = %lu Hessian entries (lower triangle)\n",
	        (unsigned long)m->n, (unsigned long)d->nnz);
	if (opt->command) {
		fputs(" * command: ", out);
		fput_comment_text(out, opt->command);
		fputc('\n', out);
	}
	fputs(" */\n", out);
}

static void write_header(FILE *h, const model *m, const derivatives *d,
                         const emit_c_options *opt, const char *prefix, const char *upper,
                         size_t work_size, const kernel_writer *kw)
{
	write_top_comment(h, "Header", m, d, opt);
	fprintf(h, "#ifndef HESSC_GENERATED_%s_H\n#define HESSC_GENERATED_%s_H\n\n", upper, upper);
	fputs("#include <stddef.h>\n\n", h);
	fprintf(h, "#define %s_N %lu            /* variables */\n", upper, (unsigned long)m->n);
	fprintf(h, "#define %s_NNZ %lu          /* stored entries of the Hessian's lower triangle */\n",
	        upper, (unsigned long)d->nnz);
	fprintf(h, "#define %s_WORK_SIZE %lu    /* doubles of scratch `w` each kernel needs */\n",
	        upper, (unsigned long)work_size);
	fprintf(h, "#define %s_MAXIMIZE %d       /* 1: the objective is maximized */\n\n",
	        upper, m->maximize ? 1 : 0);
	fputs("/* The runtime's problem descriptor (hessc/problem.h), copied so that this\n"
	      " * file needs nothing else; whichever definition comes first is used. */\n"
	      "#ifndef HESSC_PROBLEM_H\n#define HESSC_PROBLEM_H\n", h);
	fputs(emit_c_problem_struct, h);
	fputs("#endif\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n", h);
	fprintf(h, "/* AMPL names of the variables, in the order of x */\n"
	           "extern const char *const %s_names[];\n\n", prefix);
	emit_c_write_inputs(h, m, prefix, upper,
	                    "copy %s_problem and point its\n"
	                    " * .data to a filled %s_data");
	if (m->n_inputs)
		fputs("/* The kernels: x has N values; g and hv N, h NNZ (the entries in the order\n"
		      " * of the descriptor's hess_colptr/hess_rowind); w WORK_SIZE doubles of\n"
		      " * scratch (may be NULL when WORK_SIZE is 0); data points to the inputs. */\n", h);
	else
		fputs("/* The kernels: x has N values; g and hv N, h NNZ (the entries in the order\n"
		      " * of the descriptor's hess_colptr/hess_rowind); w WORK_SIZE doubles of\n"
		      " * scratch (may be NULL when WORK_SIZE is 0); data is not read. */\n", h);
	for (int k = 0; k < TAPE_KERNELS; k++) {
		text sig = { 0 };
		kernel_signature(&sig, &kw[k], 0);
		if (!sig.failed)
			fprintf(h, "%s;\n", sig.s);
		free(sig.s);
	}
	fprintf(h, "\n/* Everything above, for the runtime's solvers */\n"
	           "extern const hessc_problem %s_problem;\n", prefix);
	fputs("\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n", h);
}

static void write_data(FILE *c, const model *m, const derivatives *d, const char *prefix,
                       const char *upper, int have_lower, int have_upper)
{
	char decl[256];
	fprintf(c, "const char *const %s_names[%s] = {", prefix, m->n ? "" : "1");
	for (size_t i = 0; i < m->n; i++) {
		fputs(i % 6 == 0 ? "\n\t" : " ", c);
		fput_c_string(c, m->names[i]);
		if (i + 1 < m->n)
			fputc(',', c);
	}
	if (m->n == 0)
		fputs("\n\t\"\" /* C has no empty arrays */", c);
	fputs("\n};\n\n", c);

	snprintf(decl, sizeof decl, "static const double %s_x0[%s]", prefix, m->n ? "" : "1");
	write_doubles(c, decl, m->x0, m->n);
	if (have_lower) {
		snprintf(decl, sizeof decl, "static const double %s_lower[%s_N]", prefix, upper);
		write_doubles(c, decl, m->lower, m->n);
	}
	if (have_upper) {
		snprintf(decl, sizeof decl, "static const double %s_upper[%s_N]", prefix, upper);
		write_doubles(c, decl, m->upper, m->n);
	}
	fputs("\n/* The Hessian's lower triangle, compressed by columns (CHOLMOD's\n"
	      " * symmetric-lower storage): rows of column j are\n"
	      " * hess_rowind[hess_colptr[j] .. hess_colptr[j+1]-1], sorted. */\n", c);
	snprintf(decl, sizeof decl, "static const int %s_hess_colptr[%s_N + 1]", prefix, upper);
	write_ints(c, decl, d->hess_colptr, m->n + 1);
	snprintf(decl, sizeof decl, "static const int %s_hess_rowind[%s]", prefix,
	         d->nnz ? "" : "1");
	write_ints(c, decl, d->hess_rowind, d->nnz);
	fputc('\n', c);
}

static void write_descriptor(FILE *c, const model *m, const char *prefix, const char *upper,
                             int have_lower, int have_upper)
{
	fprintf(c, "const hessc_problem %s_problem = {\n", prefix);
	fputs("\t.name = ", c);
	fput_c_string(c, m->name ? m->name : prefix);
	fprintf(c, ",\n\t.n = %s_N,\n\t.nnz = %s_NNZ,\n", upper, upper);
	fprintf(c, "\t.hess_colptr = %s_hess_colptr,\n\t.hess_rowind = %s_hess_rowind,\n",
	        prefix, prefix);
	fprintf(c, "\t.x0 = %s_x0,\n", prefix);
	if (have_lower)
		fprintf(c, "\t.lower = %s_lower,\n", prefix);
	else
		fputs("\t.lower = NULL,                /* no lower bounds */\n", c);
	if (have_upper)
		fprintf(c, "\t.upper = %s_upper,\n", prefix);
	else
		fputs("\t.upper = NULL,                /* no upper bounds */\n", c);
	fprintf(c, "\t.work_size = %s_WORK_SIZE,\n", upper);
	for (int k = 0; k < TAPE_KERNELS; k++)
		fprintf(c, "\t.%s = %s_%s,\n", kernel_descs[k].name, prefix, kernel_descs[k].name);
	fputs("\t.data = NULL,\n};\n", c);
}

hessc_status emit_c(const model *m, const derivatives *d, const tape *t,
                    const emit_c_options *opt, FILE *c_out, FILE *h_out)
{
	hessc_status st = HESSC_OK;
	char *prefix = NULL, *upper = NULL;
	kernel_writer kw[TAPE_KERNELS];
	memset(kw, 0, sizeof kw);

	if (opt->prefix && !emit_c_valid_prefix(opt->prefix))
		return HESSC_ERR_USAGE;
	if (m->n != d->n || t->n != d->n || t->nnz != d->nnz)
		return HESSC_ERR_INTERNAL;
	prefix = opt->prefix ? strdup(opt->prefix) : emit_c_default_prefix(m->name);
	upper = prefix ? strdup(prefix) : NULL;
	if (!prefix || !upper) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);

	size_t chunk = opt->chunk_statements ? opt->chunk_statements : EMIT_C_DEFAULT_CHUNK;
	size_t work_size = 0;
	for (int k = 0; k < TAPE_KERNELS; k++) {
		kw[k] = (kernel_writer){ .k = &t->kernel[k], .desc = &kernel_descs[k],
		                         .prefix = prefix, .upper = upper, .m = m };
		if (k == TAPE_HESSVEC)
			continue;  /* written from the Hessian's entries, see write_hessvec */
		st = plan_kernel(&kw[k], chunk, t->kernel[k].n_slots);
		if (st != HESSC_OK)
			goto done;
		if (kw[k].work_needed > work_size)
			work_size = kw[k].work_needed;
	}
	/* hessvec keeps the entries in w[0 .. NNZ-1] and gives the rest to hess */
	if (d->nnz > 0 && d->nnz + kw[TAPE_HESS].work_needed > work_size)
		work_size = d->nnz + kw[TAPE_HESS].work_needed;
	int have_lower = !all_equal(m->lower, m->n, -INFINITY);
	int have_upper = !all_equal(m->upper, m->n, INFINITY);

	write_header(h_out, m, d, opt, prefix, upper, work_size, kw);

	write_top_comment(c_out, "Source", m, d, opt);
	fputs("#include <math.h>\n#include ", c_out);
	fput_c_string(c_out, opt->header_name ? opt->header_name : "model.h");
	fputs("\n\n", c_out);
	write_data(c_out, m, d, prefix, upper, have_lower, have_upper);
	for (int k = 0; k < TAPE_KERNELS; k++) {
		st = k == TAPE_HESSVEC ? write_hessvec(&kw[k], d->nnz, c_out)
		                       : write_kernel(&kw[k], c_out);
		if (st != HESSC_OK)
			goto done;
	}
	write_descriptor(c_out, m, prefix, upper, have_lower, have_upper);
	if (ferror(c_out) || ferror(h_out))
		st = HESSC_ERR_INTERNAL;
done:
	for (int k = 0; k < TAPE_KERNELS; k++) {
		free(kw[k].part_of);
		free(kw[k].crosses);
		free(kw[k].def);
		free(kw[k].powers);
		for (size_t i = 0; kw[k].pending && i < kw[k].k->len; i++)
			free(kw[k].pending[i]);
		free(kw[k].pending);
		free(kw[k].pending_ops);
		free(kw[k].uses);
		free(kw[k].consumer);
	}
	free(prefix);
	free(upper);
	return st;
}

/* ---- the two files ---- */

static void report_io(diag_sink *diags, const char *path, const char *what)
{
	source_loc loc = { .file = path };
	diag_report(diags, DIAG_ERROR, loc, NULL, 0, "cannot %s: %s", what, strerror(errno));
}

hessc_status emit_c_files_by(emit_c_writer write, void *ctx, const char *base,
                             diag_sink *diags)
{
	hessc_status st = HESSC_OK;
	size_t len = strlen(base);
	char *c_path = malloc(len + 3), *h_path = malloc(len + 3);
	atomic_file c_file = { 0 }, h_file = { 0 };
	const char *header_name;
	if (!c_path || !h_path) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	snprintf(c_path, len + 3, "%s.c", base);
	snprintf(h_path, len + 3, "%s.h", base);
	{
		const char *slash = strrchr(h_path, '/');
		header_name = slash ? slash + 1 : h_path;
	}
	if (atomic_file_open(&c_file, c_path) != 0) {
		report_io(diags, c_path, "create a file beside it");
		st = HESSC_ERR_INTERNAL;
		goto done;
	}
	if (atomic_file_open(&h_file, h_path) != 0) {
		report_io(diags, h_path, "create a file beside it");
		st = HESSC_ERR_INTERNAL;
		goto done;
	}
	st = write(ctx, header_name, c_file.stream, h_file.stream);
	if (st == HESSC_ERR_INTERNAL)
		report_io(diags, c_path, "write");
	if (st != HESSC_OK)
		goto done;
	/* the header first: a source never stands without its header */
	if (atomic_file_commit(&h_file) != 0) {
		report_io(diags, h_path, "write");
		st = HESSC_ERR_INTERNAL;
		goto done;
	}
	if (atomic_file_commit(&c_file) != 0) {
		report_io(diags, c_path, "write");
		unlink(h_path);  /* a header without its source would be a partial result */
		st = HESSC_ERR_INTERNAL;
	}
done:
	atomic_file_abort(&c_file);
	atomic_file_abort(&h_file);
	free(c_path);
	free(h_path);
	return st;
}

typedef struct unrolled_job {
	const model *m;
	const derivatives *d;
	const tape *t;
	const emit_c_options *opt;
} unrolled_job;

static hessc_status write_unrolled(void *ctx, const char *header_name, FILE *c_out, FILE *h_out)
{
	const unrolled_job *job = ctx;
	emit_c_options o = *job->opt;
	if (!o.header_name)
		o.header_name = header_name;
	return emit_c(job->m, job->d, job->t, &o, c_out, h_out);
}

hessc_status emit_c_files(const model *m, const derivatives *d, const tape *t,
                          const emit_c_options *opt, const char *base,
                          diag_sink *diags)
{
	unrolled_job job = { m, d, t, opt };
	return emit_c_files_by(write_unrolled, &job, base, diags);
}
