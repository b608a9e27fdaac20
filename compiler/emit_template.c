/* emit_template.c -- templated models to C: one function per loop and
 * kernel, a setup routine for what would grow with n (emit_template.h). */
#include "emit_template.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template_plan.h"
#include "array_grow.h"
#include "template_runs.h"
#include "template_sizes.h"

#define NAME_MAX_LEN 96

static const char fixed_mark[2] = {TSIZE_FIXED_MARK, 0};

typedef struct writer {
	FILE *c, *h;
	const model *m;
	const tmpl_set *s;
	const char *prefix, *upper;
	int uses_powi;
	/* per slot of the body tape being written: how its value reads */
	char (*slot_text)[NAME_MAX_LEN];
	size_t slot_cap;
	/* per member of the group being written and local output: its value */
	char (*out_text)[NAME_MAX_LEN];
	size_t out_cap;
	size_t *out_first;            /* per member: its first entry in out_text */
	tmpl_plan plan;               /* fused groups, pieces, where outputs land */
	/* per body instruction of the Hessian being written: 1 when a run of
	 * products writes it (see "runs of products" below), not the body */
	unsigned char *skip;
	size_t skip_cap;
	/* run-time sizes (template_sizes.h; docs/run-time-data.md): the text
	 * is one probe's, which tsize_merge turns into the file.  `mark` goes
	 * before every array length (empty without sizes); `sz` after the
	 * macros that depend on the sizes, `szp` where the group functions
	 * take or get them; `setup_decl` declares the tables only the setup
	 * reads (inside it, automatic, when sizes are run-time values). */
	size_t n_sizes;
	const char *const *sizes;
	const long *min_sizes;
	long max_size;
	const char *mark, *sz, *szp, *setup_decl, *setup_ind;
} writer;

/* ---- expressions -------------------------------------------------------- */

/* "base + s0*i + s1*j" with the zero parts left out */
static void affine_text(char *buf, size_t size, long base, long s0, long s1)
{
	char part[64];
	buf[0] = 0;
	if (s0 != 0) {
		snprintf(part, sizeof part, s0 == 1 ? "i" : "%ld * i", s0);
		strncat(buf, part, size - strlen(buf) - 1);
	}
	if (s1 != 0) {
		if (s1 == 1)
			snprintf(part, sizeof part, "%sj", buf[0] ? " + " : "");
		else
			snprintf(part, sizeof part, "%s%ld * j", buf[0] ? " + " : "", s1);
		strncat(buf, part, size - strlen(buf) - 1);
	}
	if (base != 0 || !buf[0]) {
		snprintf(part, sizeof part, "%s%ld", buf[0] ? (base < 0 ? " - " : " + ") : "",
		         buf[0] ? labs(base) : base);
		strncat(buf, part, size - strlen(buf) - 1);
	}
}

/* the variable index slot s reads, as C text */
static void var_text(const tmpl_loop *l, int s, char *buf, size_t size)
{
	if (l->vars)
		snprintf(buf, size, "%d", l->vars[s]);
	else
		affine_text(buf, size, l->base[s], l->count[0] > 1 ? l->stride0[s] : 0,
		            l->stride1[s]);
}

static int ensure_slots(writer *w, size_t n)
{
	if (n <= w->slot_cap)
		return 1;
	void *p = realloc(w->slot_text, n * sizeof *w->slot_text);
	if (!p)
		return 0;
	w->slot_text = p;
	w->slot_cap = n;
	return 1;
}

/* ---- one loop ----------------------------------------------------------- */

enum { K_F, K_GRAD, K_HESS, K_HESSVEC };

static const char *const kernel_name[] = {"f", "grad", "hess", "hessvec"};

/* x^k for 1 <= |k| <= 4 written as the products graph_powi_value forms, in
 * its order (x*x, x*(x*x), (x*x)*(x*x)), so that small powers read as
 * multiplications and give the bits the unrolled kernels give.  0 when k is
 * out of that range (the caller calls the powi helper then); operands are
 * shorter than NAME_MAX_LEN, so the text always fits. */
static int powi_is_small(int64_t k)
{
	return k != 0 && k >= -4 && k <= 4;
}

static int small_powi_expression(char *expr, size_t size, const char *a, int64_t k)
{
	static const char *const forms[] = {
		NULL, "%s", "%s * %s", "%s * (%s * %s)", "(%s * %s) * (%s * %s)",
	};
	int64_t e = k < 0 ? -k : k;
	char product[4 * NAME_MAX_LEN + 16];
	int len;
	if (!powi_is_small(k))
		return 0;
	len = snprintf(product, sizeof product, forms[e], a, a, a, a);
	if (len < 0 || (size_t)len >= sizeof product)
		return 0;
	len = k < 0 ? snprintf(expr, size, "1.0 / (%s)", product)
	            : snprintf(expr, size, "%s", product);
	return len >= 0 && (size_t)len < size;
}

/* Names of member m's temporaries: t<node>, or t<m>_<node> when a group
 * fuses several bodies into one loop. */
static void temp_name(char *buf, size_t size, size_t m, int fused, unsigned long node)
{
	if (fused)
		snprintf(buf, size, "t%lu_%lu", (unsigned long)m, node);
	else
		snprintf(buf, size, "t%lu", node);
}

/* Member m (loop q) of a group, for kernel kind k, inside the loop nest:
 * its f adds to f<m>; gradient and Hessian values are left in out_text
 * for the group's writes; Hessian-vector products add to hv directly. */
static hessc_status write_body(writer *w, size_t q, size_t m, int fused, int k,
                               const char *indent)
{
	const tmpl_loop *l = &w->s->loops[q];
	const tape_kernel *tk = tmpl_plan_body(&w->plan, q, (tape_kernel_id)k);
	char a[NAME_MAX_LEN], b[NAME_MAX_LEN], c[NAME_MAX_LEN], expr[4 * NAME_MAX_LEN + 64];
	char v1[80], v2[80], t[NAME_MAX_LEN];
	if (!ensure_slots(w, tk->n_slots + 1))
		return HESSC_ERR_NOMEM;
	for (size_t i = 0; i < tk->len; i++) {
		const tape_instr *in = &tk->code[i];
		switch ((tape_kind)in->kind) {
		case TAPE_CONST:
			emit_c_format_double(w->slot_text[in->dst], NAME_MAX_LEN, in->value, 1);
			break;
		case TAPE_VAR:
			if ((size_t)in->index < l->n_slots) {
				var_text(l, (int)in->index, v1, sizeof v1);
				snprintf(w->slot_text[in->dst], NAME_MAX_LEN, "x[%s]", v1);
			} else {
				/* with run-time sizes the setup fills the tables in the block */
				unsigned long at = (unsigned long)(((size_t)in->index - l->n_slots)
				                                   * tmpl_iterations(l));
				if (w->n_sizes)
					snprintf(w->slot_text[in->dst], NAME_MAX_LEN, "tab%lu[%lu + it]",
					         (unsigned long)q, at);
				else
					snprintf(w->slot_text[in->dst], NAME_MAX_LEN, "%s_l%lu_tab[%lu + it]",
					         w->prefix, (unsigned long)q, at);
			}
			break;
		case TAPE_DATA: {   /* data slot col: its input's element at (i, j) */
			char member[EMIT_C_MEMBER_MAX], read[EMIT_C_MEMBER_MAX + 96];
			size_t d = (size_t)in->col;
			if (d >= l->n_data)
				return HESSC_ERR_INTERNAL;
			emit_c_input_member(member, sizeof member, w->m->inputs[l->data_input[d]].name);
			affine_text(v1, sizeof v1, l->data_base[d], l->count[0] > 1 ? l->data_stride0[d] : 0,
			            l->data_stride1[d]);
			snprintf(read, sizeof read, "in->%s[%s]", member, v1);
			if (strlen(read) >= NAME_MAX_LEN)
				return HESSC_ERR_TOO_BIG;  /* a name too long for an operand */
			memcpy(w->slot_text[in->dst], read, strlen(read) + 1);
			break;
		}
		case TAPE_OP: {
			int ar = graph_op_arity((graph_op)in->op);
			if ((k == K_HESS || k == K_HESSVEC) && w->skip && i < w->skip_cap && w->skip[i]) {
				snprintf(w->slot_text[in->dst], NAME_MAX_LEN, "0.0");  /* read by its run */
				break;
			}
			snprintf(a, sizeof a, "%s", w->slot_text[in->a]);
			snprintf(b, sizeof b, "%s", ar > 1 ? w->slot_text[in->b] : "");
			snprintf(c, sizeof c, "%s", ar > 2 ? w->slot_text[in->c] : "");
			if (in->op == OP_POWI) {
				if (!small_powi_expression(expr, sizeof expr, a, in->index)) {
					w->uses_powi = 1;
					snprintf(expr, sizeof expr, "%s_powi(%s, %lld)", w->prefix, a,
					         (long long)in->index);
				}
			} else if (!emit_c_op_expression(expr, sizeof expr, (graph_op)in->op, a, b, c)) {
				return HESSC_ERR_NOMEM;
			}
			temp_name(t, sizeof t, m, fused, (unsigned long)in->node);
			fprintf(w->c, "%sconst double %s = %s;\n", indent, t, expr);
			snprintf(w->slot_text[in->dst], NAME_MAX_LEN, "%s", t);
			break;
		}
		case TAPE_OUT_F:
			fprintf(w->c, "%sf%lu += %s;\n", indent, (unsigned long)m, w->slot_text[in->a]);
			break;
		case TAPE_OUT:
			if (k == K_GRAD || k == K_HESS) {
				snprintf(w->out_text[w->out_first[m] + (size_t)in->index], NAME_MAX_LEN, "%s",
				         w->slot_text[in->a]);
			} else if (!(w->skip && i < w->skip_cap && w->skip[i])) {   /* else: in a run */
				int r = l->loc_row[in->index], cc = l->loc_col[in->index];
				var_text(l, r, v1, sizeof v1);
				var_text(l, cc, v2, sizeof v2);
				fprintf(w->c, "%shv[%s] += %s * v[%s];\n", indent, v1, w->slot_text[in->a], v2);
				if (r != cc)
					fprintf(w->c, "%shv[%s] += %s * v[%s];\n", indent, v2, w->slot_text[in->a],
					        v1);
			}
			break;
		case TAPE_HV_ZERO:
		case TAPE_HV_ACC:
			return HESSC_ERR_INTERNAL;  /* bodies are read through their HESS kernel */
		}
	}
	return HESSC_OK;
}

/* The place of output o as C text: "3 * j + 1", "pos2[it * 10 + 4]", "19998" */
static void place_text(char *buf, size_t size, const tplan_out *o, const tmpl_set *s)
{
	if (o->kind == TPLAN_MAP)
		snprintf(buf, size, "pos%lu[it * %lu + %lu]", (unsigned long)o->map_loop,
		         (unsigned long)s->loops[o->map_loop].d.nnz, (unsigned long)o->map_entry);
	else if (o->kind == TPLAN_FIXED)
		snprintf(buf, size, "%ld", o->base);
	else
		affine_text(buf, size, o->base, o->s0, o->s1);
}

/* The sum of output o's parts, in order */
static void write_sum(writer *w, const tplan_kernel *pk, const tplan_out *o)
{
	for (size_t p = 0; p < o->n_parts; p++) {
		const tplan_part *pt = &pk->parts[o->first_part + p];
		fprintf(w->c, "%s%s", p ? " + " : "", w->out_text[w->out_first[pt->member] + pt->local]);
	}
}

static int group_reads_tables(const writer *w, const tplan_group *g)
{
	for (size_t m = 0; m < g->n_members; m++)
		if (w->s->loops[w->plan.members[g->first_member + m]].n_tables > 0)
			return 1;
	return 0;
}

/* ---- runs of products --------------------------------------------------
 *
 * A dense local Hessian over run-time data (a logistic regression: entry
 * (r, c) is X[r] * T[c], 5050 entries per term at d = 100) written entry by
 * entry is a loop body of thousands of statements that C compilers take
 * minutes over.  Consecutive outputs of one column that are each the
 * product of an element of one input and the same value T, each read only
 * by its output and landing on one place for the whole piece, become a
 * run: accumulated in a small array by a loop over the elements (in
 * element order), then written once after the piece, as a hand-written
 * kernel does. */

#define RUN_MIN 8

typedef struct prod_run {
	size_t first_out, len;     /* outs [first_out, first_out + len) of the piece */
	size_t t_slot;             /* the common factor's slot */
	size_t d0;                 /* the data slot of the lowest element */
	int contiguous;            /* elements d0's + 0, 1, ..., len-1 */
	long *offset;              /* per entry in element order: element - d0's */
	long *place;               /* per entry in element order: its h place */
} prod_run;

/* Per local entry of loop q's Hessian: the product instruction that is its
 * value, its element of the data and its T slot, when it is such a
 * product read once.  Elements: data slot d < n_data, or table
 * d - n_data (a constant per iteration, as data given with the model
 * becomes). */
typedef struct prod_entry {
	size_t mul;                /* instruction, SIZE_MAX: not a product */
	size_t d, t_slot;
} prod_entry;

/* The element instruction x reads, or SIZE_MAX when it reads none. */
static size_t element_of(const tmpl_loop *l, const tape_instr *x)
{
	if (x->kind == TAPE_DATA)
		return (size_t)x->col;
	if (x->kind == TAPE_VAR && (size_t)x->index >= l->n_slots)
		return l->n_data + ((size_t)x->index - l->n_slots);
	return SIZE_MAX;
}

/* Where element d is in its array at iteration (0, 0): the order of a
 * run's entries. */
static long element_base(const tmpl_loop *l, size_t d)
{
	return d < l->n_data ? l->data_base[d] : (long)(d - l->n_data);
}

/* The C text of element d0 + `offset` (a C expression) at the current
 * iteration: in->X[base + s0*i + s1*j + offset] or the loop's table
 * P_lq_tab[(t0 + offset) * iterations + it]. */
static void element_text(const writer *w, size_t q, size_t d0, const char *offset, char *buf,
                         size_t size)
{
	const tmpl_loop *l = &w->s->loops[q];
	if (d0 < l->n_data) {
		char member[EMIT_C_MEMBER_MAX], at[96];
		emit_c_input_member(member, sizeof member, w->m->inputs[l->data_input[d0]].name);
		affine_text(at, sizeof at, l->data_base[d0], l->count[0] > 1 ? l->data_stride0[d0] : 0,
		            l->data_stride1[d0]);
		snprintf(buf, size, "in->%s[%s + %s]", member, at, offset);
	} else if (w->n_sizes) {
		snprintf(buf, size, "tab%lu[(%lu + %s) * %lu + it]", (unsigned long)q,
		         (unsigned long)(d0 - l->n_data), offset, (unsigned long)tmpl_iterations(l));
	} else {
		snprintf(buf, size, "%s_l%lu_tab[(%lu + %s) * %lu + it]", w->prefix, (unsigned long)q,
		         (unsigned long)(d0 - l->n_data), offset, (unsigned long)tmpl_iterations(l));
	}
}

static hessc_status find_products(const tmpl_loop *l, const tape_kernel *tk, size_t nnz,
                                  prod_entry *pe)
{
	size_t n = tk->n_slots + 1;
	size_t *def = malloc(n * sizeof *def);
	uint32_t *reads = calloc(n, sizeof *reads);
	if (!def || !reads) {
		free(def);
		free(reads);
		return HESSC_ERR_NOMEM;
	}
	for (size_t e = 0; e < nnz; e++)
		pe[e].mul = SIZE_MAX;
	for (size_t i = 0; i < tk->len; i++) {
		const tape_instr *in = &tk->code[i];
		int ar = in->kind == TAPE_OP ? graph_op_arity((graph_op)in->op)
		       : in->kind == TAPE_OUT || in->kind == TAPE_OUT_F ? 1 : 0;
		uint32_t ops[3] = { in->a, in->b, in->c };
		for (int j = 0; j < ar; j++)
			reads[ops[j]]++;
		if (in->kind == TAPE_CONST || in->kind == TAPE_VAR || in->kind == TAPE_DATA ||
		    in->kind == TAPE_OP)
			def[in->dst] = i;
	}
	for (size_t i = 0; i < tk->len; i++) {
		const tape_instr *in = &tk->code[i], *m, *x, *y;
		if (in->kind != TAPE_OUT || (size_t)in->index >= nnz)
			continue;
		m = &tk->code[def[in->a]];
		if (m->kind != TAPE_OP || m->op != OP_MUL || reads[in->a] != 1)
			continue;
		x = &tk->code[def[m->a]];
		y = &tk->code[def[m->b]];
		size_t ex = element_of(l, x), ey = element_of(l, y);
		if (ex != SIZE_MAX && ey == SIZE_MAX)
			pe[in->index] = (prod_entry){ def[in->a], ex, m->b };
		else if (ey != SIZE_MAX && ex == SIZE_MAX)
			pe[in->index] = (prod_entry){ def[in->a], ey, m->a };
	}
	free(def);
	free(reads);
	return HESSC_OK;
}

static const prod_entry *out_product(const tplan_kernel *pk, const tplan_out *o,
                                     const prod_entry *pe)
{
	if (o->kind != TPLAN_FIXED || o->n_parts != 1)
		return NULL;
	const prod_entry *p = &pe[pk->parts[o->first_part].local];
	return p->mul == SIZE_MAX ? NULL : p;
}

static int same_input(const tmpl_loop *l, size_t a, size_t b)
{
	if (a >= l->n_data || b >= l->n_data)   /* tables: one array */
		return a >= l->n_data && b >= l->n_data;
	return l->data_input[a] == l->data_input[b] && l->data_stride0[a] == l->data_stride0[b] &&
	       l->data_stride1[a] == l->data_stride1[b];
}

typedef struct run_item {
	long element, place;
} run_item;

static int cmp_run_item(const void *x, const void *y)
{
	const run_item *a = x, *b = y;
	return (a->element > b->element) - (a->element < b->element);
}

static void free_runs(prod_run *runs, size_t n)
{
	for (size_t k = 0; runs && k < n; k++) {
		free(runs[k].offset);
		free(runs[k].place);
	}
	free(runs);
}

/* No body instruction in a run, for a body of `len` instructions: 0 when
 * w->skip cannot grow to len. */
static int clear_skip(writer *w, size_t len)
{
	if (!ARRAY_GROW(w->skip, w->skip_cap, len))
		return 0;
	if (w->skip)   /* none yet when every body so far was empty */
		memset(w->skip, 0, w->skip_cap);
	return 1;
}

/* The runs of piece r of a one-member group (loop q), and the product
 * instructions they take over marked in w->skip. */
static hessc_status find_runs(writer *w, size_t q, const tplan_kernel *pk, const tplan_piece *r,
                              prod_run **out, size_t *n_out)
{
	const tmpl_loop *l = &w->s->loops[q];
	const tape_kernel *tk = tmpl_plan_body(&w->plan, q, TAPE_HESS);
	prod_entry *pe = malloc((l->d.nnz + 1) * sizeof *pe);
	prod_run *runs = NULL;
	size_t n = 0;
	hessc_status st = HESSC_ERR_NOMEM;
	*out = NULL;
	*n_out = 0;
	if (!pe)
		return st;
	if (!clear_skip(w, tk->len))
		goto done;
	if ((st = find_products(l, tk, l->d.nnz, pe)) != HESSC_OK)
		goto done;
	st = HESSC_ERR_NOMEM;
	runs = calloc(r->n_outs + 1, sizeof *runs);
	if (!runs)
		goto done;
	for (size_t o = 0; o < r->n_outs;) {
		const tplan_out *first = &pk->outs[r->first_out + o];
		const prod_entry *p0 = out_product(pk, first, pe);
		size_t len = 1;
		if (!p0) {
			o++;
			continue;
		}
		while (o + len < r->n_outs) {
			const tplan_out *next = &pk->outs[r->first_out + o + len];
			const prod_entry *p = out_product(pk, next, pe);
			if (!p || p->t_slot != p0->t_slot || next->store != first->store ||
			    !same_input(l, p->d, p0->d))
				break;
			len++;
		}
		if (len >= RUN_MIN) {
			prod_run *run = &runs[n++];
			run_item *items = malloc(len * sizeof *items);
			run->offset = malloc(len * sizeof *run->offset);
			run->place = malloc(len * sizeof *run->place);
			if (!items || !run->offset || !run->place) {
				free(items);
				goto done;
			}
			run->first_out = o;
			run->len = len;
			run->t_slot = p0->t_slot;
			for (size_t k = 0; k < len; k++) {
				const tplan_out *ok = &pk->outs[r->first_out + o + k];
				const prod_entry *p = out_product(pk, ok, pe);
				items[k] = (run_item){ element_base(l, p->d), ok->base };
				w->skip[p->mul] = 1;
			}
			qsort(items, len, sizeof *items, cmp_run_item);
			run->d0 = SIZE_MAX;
			for (size_t k = 0; k < len; k++) {
				const prod_entry *p = out_product(pk, &pk->outs[r->first_out + o + k], pe);
				if (element_base(l, p->d) == items[0].element)
					run->d0 = p->d;
			}
			run->contiguous = 1;
			for (size_t k = 0; k < len; k++) {
				run->offset[k] = items[k].element - items[0].element;
				run->place[k] = items[k].place;
				run->contiguous &= run->offset[k] == (long)k;
			}
			free(items);
		}
		o += len;
	}
	*out = runs;
	*n_out = n;
	runs = NULL;
	st = HESSC_OK;
done:
	free_runs(runs, n);
	free(pe);
	return st;
}

/* A table of longs local to the kernel. */
static void write_long_table(const writer *w, const char *name, const long *v, size_t n)
{
	FILE *c = w->c;
	fprintf(c, "		%sconst long %s[%s%lu] = {", w->n_sizes ? "" : "static ", name, w->mark,
	        (unsigned long)n);
	for (size_t k = 0; k < n; k++)
		fprintf(c, "%s%ld", k ? (k % 16 ? ", " : ",\n\t\t\t") : "", v[k]);
	fputs("};\n", c);
}

/* The element entry r of run k (named `name`: run, hvrun) reads. */
static void run_element_text(const writer *w, size_t q, const char *name, size_t k,
                             const prod_run *run, char *buf, size_t size)
{
	char off[48];
	if (run->contiguous)
		snprintf(off, sizeof off, "r");
	else
		snprintf(off, sizeof off, "%s%lu_off[r]", name, (unsigned long)k);
	element_text(w, q, run->d0, off, buf, size);
}

/* Run k's accumulation, in the loop body. */
static void write_run_body(writer *w, size_t q, size_t k, const prod_run *run,
                           const char *indent)
{
	char elem[EMIT_C_MEMBER_MAX + 160];
	run_element_text(w, q, "run", k, run, elem, sizeof elem);
	fprintf(w->c, "%sfor (long r = 0; r < %lu; r++)\n%s\trun%lu[r] += %s * %s;\n", indent,
	        (unsigned long)run->len, indent, (unsigned long)k, elem, w->slot_text[run->t_slot]);
}

/* The same runs for the Hessian-vector product of loop q, over its local
 * entries in order, when every variable they touch is the same at every
 * iteration: entry (row, c) adds X*T*v[c] to hv[row] and X*T*v[row] to
 * hv[c].  Each run's place holds its rows' variables (in element order),
 * (*cols)[k] run k's column variable. */
static hessc_status find_hv_runs(writer *w, size_t q, prod_run **out, size_t *n_out,
                                 long **cols)
{
	const tmpl_loop *l = &w->s->loops[q];
	const tape_kernel *tk = tmpl_plan_body(&w->plan, q, TAPE_HESS);
	size_t nnz = l->d.nnz, n = 0;
	prod_entry *pe = malloc((nnz + 1) * sizeof *pe);
	size_t *out_instr = malloc((nnz + 1) * sizeof *out_instr);
	prod_run *runs = calloc(nnz + 1, sizeof *runs);
	long *col = malloc((nnz + 1) * sizeof *col);
	hessc_status st = HESSC_ERR_NOMEM;
	*out = NULL;
	*n_out = 0;
	*cols = NULL;
	if (!pe || !out_instr || !runs || !col)
		goto done;
	if (!clear_skip(w, tk->len))
		goto done;
	if ((st = find_products(l, tk, nnz, pe)) != HESSC_OK)
		goto done;
	st = HESSC_ERR_NOMEM;
	for (size_t i = 0; i < tk->len; i++)
		if (tk->code[i].kind == TAPE_OUT && (size_t)tk->code[i].index < nnz)
			out_instr[tk->code[i].index] = i;
	for (size_t e = 0; e < nnz;) {
		size_t len = 1;
		/* fixed variables only: no stride moves them */
#define FIXED_VAR(s) (!l->vars && (l->count[0] == 1 || l->stride0[s] == 0) && l->stride1[s] == 0)
		if (pe[e].mul == SIZE_MAX || !FIXED_VAR(l->loc_row[e]) || !FIXED_VAR(l->loc_col[e])) {
			e++;
			continue;
		}
		while (e + len < nnz && pe[e + len].mul != SIZE_MAX &&
		       pe[e + len].t_slot == pe[e].t_slot && same_input(l, pe[e + len].d, pe[e].d) &&
		       l->loc_col[e + len] == l->loc_col[e] && FIXED_VAR(l->loc_row[e + len]))
			len++;
#undef FIXED_VAR
		if (len >= RUN_MIN) {
			prod_run *run = &runs[n];
			run_item *items = malloc(len * sizeof *items);
			run->offset = malloc(len * sizeof *run->offset);
			run->place = malloc(len * sizeof *run->place);
			if (!items || !run->offset || !run->place) {
				free(items);
				n++;
				goto done;
			}
			run->first_out = e;
			run->len = len;
			run->t_slot = pe[e].t_slot;
			col[n] = l->base[l->loc_col[e]];
			for (size_t k = 0; k < len; k++) {
				items[k] = (run_item){ element_base(l, pe[e + k].d), l->base[l->loc_row[e + k]] };
				w->skip[pe[e + k].mul] = 1;
				w->skip[out_instr[e + k]] = 1;
			}
			qsort(items, len, sizeof *items, cmp_run_item);
			for (size_t k = 0; k < len; k++)
				if (element_base(l, pe[e + k].d) == items[0].element)
					run->d0 = pe[e + k].d;
			run->contiguous = 1;
			for (size_t k = 0; k < len; k++) {
				run->offset[k] = items[k].element - items[0].element;
				run->place[k] = items[k].place;
				run->contiguous &= run->offset[k] == (long)k;
			}
			free(items);
			n++;
		}
		e += len;
	}
	*out = runs;
	*n_out = n;
	*cols = col;
	runs = NULL;
	col = NULL;
	st = HESSC_OK;
done:
	free_runs(runs, n);
	free(col);
	free(pe);
	free(out_instr);
	return st;
}

/* Run k of a Hessian-vector product, in the loop body: run->place holds
 * each entry's row variable, col the column's. */
static void write_hv_run_body(writer *w, size_t q, size_t k, const prod_run *run, long col,
                              const char *indent)
{
	char elem[EMIT_C_MEMBER_MAX + 160];
	run_element_text(w, q, "hvrun", k, run, elem, sizeof elem);
	fprintf(w->c, "%s{\n%s\tdouble sum = 0.0;\n%s\tfor (long r = 0; r < %lu; r++) {\n", indent,
	        indent, indent, (unsigned long)run->len);
	fprintf(w->c, "%s\t\tconst long row = hvrun%lu_row[r];\n", indent, (unsigned long)k);
	fprintf(w->c, "%s\t\tconst double e = %s * %s;\n", indent, elem, w->slot_text[run->t_slot]);
	fprintf(w->c, "%s\t\thv[row] += e * v[%ld];\n%s\t\tif (row != %ld)\n"
	           "%s\t\t\tsum += e * v[row];\n%s\t}\n%s\thv[%ld] += sum;\n%s}\n",
	        indent, col, indent, col, indent, indent, indent, col, indent);
}

/* One piece of group g's loop nest: the members' bodies, then the piece's
 * writes (pk NULL: f and Hessian-vector kernels, which write as they go). */
static hessc_status write_piece(writer *w, size_t g, int k, const tplan_kernel *pk,
                                const tplan_piece *r)
{
	const tplan_group *gr = &w->plan.groups[g];
	const char *array = k == K_GRAD ? "g" : "h";
	int two = r->i1 - r->i0 > 1, needs_it = group_reads_tables(w, gr);
	const char *indent = two ? "\t\t\t" : "\t\t";
	char at[96];
	hessc_status st;
	prod_run *runs = NULL;
	size_t n_runs = 0, q0 = w->plan.members[gr->first_member];
	unsigned char *in_run = NULL;   /* per out of the piece: a run writes it */
	long *hv_cols = NULL;
	const int has_elements = w->s->loops[q0].n_data + w->s->loops[q0].n_tables > 0;
	if (pk && k == K_HESS && gr->n_members == 1 && has_elements && r->n_outs > 0) {
		if ((st = find_runs(w, q0, pk, r, &runs, &n_runs)) != HESSC_OK)
			return st;
	} else if (k == K_HESSVEC && gr->n_members == 1 && has_elements) {
		if ((st = find_hv_runs(w, q0, &runs, &n_runs, &hv_cols)) != HESSC_OK)
			return st;
	} else {
		clear_skip(w, 0);   /* never fails: nothing to grow */
	}
	in_run = calloc(r->n_outs + 1, 1);
	if (!in_run) {
		free_runs(runs, n_runs);
		free(hv_cols);
		return HESSC_ERR_NOMEM;
	}
	for (size_t k2 = 0; pk && k2 < n_runs; k2++)
		memset(in_run + runs[k2].first_out, 1, runs[k2].len);
	for (size_t o = 0; pk && o < r->n_outs; o++)
		needs_it |= pk->outs[r->first_out + o].kind == TPLAN_MAP;
	fputs("\t{\n", w->c);
	for (size_t k2 = 0; hv_cols && k2 < n_runs; k2++) {
		char name[48];
		if (!runs[k2].contiguous) {
			snprintf(name, sizeof name, "hvrun%lu_off", (unsigned long)k2);
			write_long_table(w, name, runs[k2].offset, runs[k2].len);
		}
		snprintf(name, sizeof name, "hvrun%lu_row", (unsigned long)k2);
		write_long_table(w, name, runs[k2].place, runs[k2].len);
	}
	for (size_t k2 = 0; pk && k2 < n_runs; k2++) {
		char name[48];
		fprintf(w->c, "\t\tdouble run%lu[%s%lu] = {0.0};\n", (unsigned long)k2, w->mark,
		        (unsigned long)runs[k2].len);
		if (!runs[k2].contiguous) {
			snprintf(name, sizeof name, "run%lu_off", (unsigned long)k2);
			write_long_table(w, name, runs[k2].offset, runs[k2].len);
		}
		snprintf(name, sizeof name, "run%lu_at", (unsigned long)k2);
		write_long_table(w, name, runs[k2].place, runs[k2].len);
	}
	for (size_t o = 0; pk && o < r->n_outs; o++)
		if (pk->outs[r->first_out + o].kind == TPLAN_FIXED && !in_run[o])
			fprintf(w->c, "\t\tdouble acc%lu = 0.0;\n", (unsigned long)o);
	if (two)
		fprintf(w->c, "\t\tfor (long i = %lu; i < %lu; i++)\n", (unsigned long)r->i0,
		        (unsigned long)r->i1);
	else
		fprintf(w->c, "\t\tconst long i = %lu;\n", (unsigned long)r->i0);
	fprintf(w->c, "%sfor (long j = %lu; j < %lu; j++) {\n", two ? "\t\t\t" : "\t\t",
	        (unsigned long)r->j0, (unsigned long)r->j1);
	indent = two ? "\t\t\t\t" : "\t\t\t";
	if (needs_it)
		fprintf(w->c, "%sconst long it = i * %lu + j;\n%s(void)it;\n", indent,
		        (unsigned long)gr->count1, indent);
	fprintf(w->c, "%s(void)i;\n", indent);
	for (size_t m = 0; m < gr->n_members; m++)
		if ((st = write_body(w, w->plan.members[gr->first_member + m], m, gr->n_members > 1, k,
		                     indent)) != HESSC_OK) {
			free(in_run);
			free_runs(runs, n_runs);
			free(hv_cols);
			return st;
		}
	for (size_t k2 = 0; k2 < n_runs; k2++) {
		if (hv_cols)
			write_hv_run_body(w, q0, k2, &runs[k2], hv_cols[k2], indent);
		else
			write_run_body(w, q0, k2, &runs[k2], indent);
	}
	for (size_t o = 0; pk && o < r->n_outs; o++) {
		const tplan_out *out = &pk->outs[r->first_out + o];
		if (in_run[o])
			continue;
		if (out->kind == TPLAN_FIXED) {
			fprintf(w->c, "%sacc%lu += ", indent, (unsigned long)o);
		} else {
			place_text(at, sizeof at, out, w->s);
			fprintf(w->c, "%s%s[%s] %s ", indent, array, at, out->store ? "=" : "+=");
		}
		write_sum(w, pk, out);
		fputs(";\n", w->c);
	}
	fprintf(w->c, "%s}\n", two ? "\t\t\t" : "\t\t");
	for (size_t o = 0; pk && o < r->n_outs; o++) {
		const tplan_out *out = &pk->outs[r->first_out + o];
		if (out->kind == TPLAN_FIXED && !in_run[o])
			fprintf(w->c, "\t\t%s[%ld] %s acc%lu;\n", array, out->base, out->store ? "=" : "+=",
			        (unsigned long)o);
	}
	for (size_t k2 = 0; pk && k2 < n_runs; k2++)
		fprintf(w->c, "\t\tfor (long r = 0; r < %lu; r++)\n\t\t\th[run%lu_at[r]] %s run%lu[r];\n",
		        (unsigned long)runs[k2].len, (unsigned long)k2,
		        pk->outs[r->first_out + runs[k2].first_out].store ? "=" : "+=", (unsigned long)k2);
	fputs("\t}\n", w->c);
	free(in_run);
	free_runs(runs, n_runs);
	free(hv_cols);
	return HESSC_OK;
}

/* Kernel kind k of group g: one function, its members' bodies fused. */
static hessc_status write_group_kernel(writer *w, size_t g, int k)
{
	const tplan_group *gr = &w->plan.groups[g];
	const tplan_kernel *pk = k == K_GRAD ? &w->plan.grad : k == K_HESS ? &w->plan.hess : NULL;
	tplan_piece whole;
	size_t n_out = 0;
	hessc_status st;
	w->out_first = realloc(w->out_first, (gr->n_members + 1) * sizeof *w->out_first);
	if (!w->out_first)
		return HESSC_ERR_NOMEM;
	for (size_t m = 0; m < gr->n_members; m++) {
		const tmpl_loop *l = &w->s->loops[w->plan.members[gr->first_member + m]];
		w->out_first[m] = n_out;
		n_out += k == K_GRAD ? l->n_slots : l->d.nnz;
	}
	if (n_out + 1 > w->out_cap) {
		void *p = realloc(w->out_text, (n_out + 1) * sizeof *w->out_text);
		if (!p)
			return HESSC_ERR_NOMEM;
		w->out_text = p;
		w->out_cap = n_out + 1;
	}
	fprintf(w->c, "static %s %s_g%lu_%s(const double *restrict x", k <= K_GRAD ? "double" : "void",
	        w->prefix, (unsigned long)g, kernel_name[k]);
	if (k == K_GRAD)
		fputs(", double *restrict g", w->c);
	if (k == K_HESS)
		fputs(", double *restrict h, const char *block", w->c);
	if (k == K_HESSVEC)
		fputs(", const double *restrict v, double *restrict hv", w->c);
	if (k != K_HESS && w->n_sizes)   /* the tables are in the block */
		fputs(", const char *block", w->c);
	if (w->m->n_inputs)
		fprintf(w->c, ", const %s_data *restrict in", w->prefix);
	if (w->n_sizes)
		fprintf(w->c, ", const %s_sizes *restrict sz", w->prefix);
	fputs(")\n{\n\t(void)x;\n", w->c);
	if (w->m->n_inputs)
		fputs("\t(void)in;\n", w->c);
	if (w->n_sizes)
		fputs("\t(void)sz;\n", w->c);
	if (k == K_GRAD)
		fputs("\t(void)g;\n", w->c);
	if (k == K_HESS || w->n_sizes)
		fputs("\t(void)block;\n", w->c);
	if (k == K_HESS)
		fputs("\t(void)h;\n", w->c);
	if (k == K_HESSVEC)
		fputs("\t(void)v;\n\t(void)hv;\n", w->c);
	for (size_t m = 0; m < gr->n_members; m++) {
		size_t q = w->plan.members[gr->first_member + m];
		if (k <= K_GRAD)
			fprintf(w->c, "\tdouble f%lu = 0.0;\n", (unsigned long)m);
		if (k == K_HESS && w->plan.hess.reads_map[q])
			fprintf(w->c, "\tconst int *restrict pos%lu = (const int *)(block + %s_OFF_POS%lu);\n",
			        (unsigned long)q, w->upper, (unsigned long)q);
		if (w->n_sizes && w->s->loops[q].n_tables)
			fprintf(w->c, "\tconst double *restrict tab%lu = (const double *)(block + %s_OFF_TAB%lu);\n",
			        (unsigned long)q, w->upper, (unsigned long)q);
	}
	if (pk) {
		for (size_t p = 0; p < pk->n_pieces[g]; p++)
			if ((st = write_piece(w, g, k, pk, &pk->pieces[pk->first_piece[g] + p])) != HESSC_OK)
				return st;
	} else {
		memset(&whole, 0, sizeof whole);
		whole.i1 = gr->count0;
		whole.j1 = gr->count1;
		if ((st = write_piece(w, g, k, NULL, &whole)) != HESSC_OK)
			return st;
	}
	if (k <= K_GRAD) {
		fputs("\tdouble f = 0.0;\n", w->c);
		for (size_t m = 0; m < gr->n_members; m++)
			fprintf(w->c, "\tf += f%lu;\n", (unsigned long)m);
		fputs("\treturn f;\n", w->c);
	}
	fputs("}\n\n", w->c);
	return HESSC_OK;
}

/* ---- data: maps, tables, runs, layout ----------------------------------- */

static void write_longs(const writer *w, const char *name, const long *v, size_t n)
{
	FILE *c = w->c;
	fprintf(c, "%s%s long %s[%s%lu] = {", w->setup_ind, w->setup_decl, name, w->mark,
	        (unsigned long)(n ? n : 1));
	for (size_t i = 0; i < n; i++)
		fprintf(c, "%s%ld", i ? ", " : "", v[i]);
	fputs(n ? "};\n" : "0};\n", c);
}

static void write_ints(const writer *w, const char *name, const int *v, size_t n)
{
	FILE *c = w->c;
	fprintf(c, "%s%s int %s[%s%lu] = {", w->setup_ind, w->setup_decl, name, w->mark,
	        (unsigned long)(n ? n : 1));
	for (size_t i = 0; i < n; i++)
		fprintf(c, "%s%s%s%d", i ? "," : "", i % 16 == 0 ? "\n\t" : " ",
		        i % 16 == 0 ? w->setup_ind : "", v[i]);
	fprintf(c, n ? "\n%s};\n" : "0};\n", w->setup_ind);
}

/* `decl` "static const" at file scope (the kernels' tables), else the
 * setup's */
static void write_doubles(const writer *w, const char *decl, const char *ind, const char *name,
                          const double *v, size_t n)
{
	FILE *c = w->c;
	char num[48];
	fprintf(c, "%s%s double %s[%s%lu] = {", ind, decl, name, w->mark,
	        (unsigned long)(n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		emit_c_format_double(num, sizeof num, v[i], 0);
		fprintf(c, "%s%s%s%s", i ? "," : "", i % 6 == 0 ? "\n\t" : " ", i % 6 == 0 ? ind : "",
		        num);
	}
	fprintf(c, n ? "\n%s};\n" : "0.0};\n", ind);
}

/* Loop q's maps and local pattern (`maps`: what the setup reads) and its
 * tables of constants (`tables`: what the kernels read, at file scope). */
static void write_loop_data(writer *w, size_t q, int maps, int tables)
{
	const tmpl_loop *l = &w->s->loops[q];
	char name[160];
	size_t ns = l->n_slots, iters = tmpl_iterations(l);
	if (maps) {
		fprintf(w->c, "%s/* loop %lu: %s%lu x %lu iterations of term %lu, %lu slots, %d local "
		        "Hessian entries */\n", w->setup_ind, (unsigned long)q,
		        l->vars ? "the residual, " : "", (unsigned long)l->count[0],
		        (unsigned long)l->count[1], (unsigned long)l->first_term + 1, (unsigned long)ns,
		        l->view.nloc);
		if (l->vars) {
			snprintf(name, sizeof name, "%s_l%lu_vars", w->prefix, (unsigned long)q);
			write_ints(w, name, l->vars, ns);
		} else {
			snprintf(name, sizeof name, "%s_l%lu_base", w->prefix, (unsigned long)q);
			write_longs(w, name, l->base, ns);
			snprintf(name, sizeof name, "%s_l%lu_stride0", w->prefix, (unsigned long)q);
			write_longs(w, name, l->stride0, ns);
			snprintf(name, sizeof name, "%s_l%lu_stride1", w->prefix, (unsigned long)q);
			write_longs(w, name, l->stride1, ns);
		}
		snprintf(name, sizeof name, "%s_l%lu_row", w->prefix, (unsigned long)q);
		write_ints(w, name, l->loc_row, (size_t)l->view.nloc);
		snprintf(name, sizeof name, "%s_l%lu_col", w->prefix, (unsigned long)q);
		write_ints(w, name, l->loc_col, (size_t)l->view.nloc);
	}
	if (tables && l->n_tables) {
		snprintf(name, sizeof name, "%s_l%lu_tab", w->prefix, (unsigned long)q);
		write_doubles(w, "static const", "", name, l->tables, l->n_tables * iters);
	}
	if (maps || (tables && l->n_tables))
		fputc('\n', w->c);
}

static hessc_status write_runs(writer *w, const char *what, const double *x, size_t len)
{
	tmpl_array_runs r;
	char name[160];
	hessc_status st = tmpl_runs(x, len, &r);
	if (st != HESSC_OK)
		return st;
	fprintf(w->c, "%s%s hsetup_run %s_%s_runs[%s%lu] = {\n", w->setup_ind, w->setup_decl,
	        w->prefix, what, w->mark, (unsigned long)(r.n_runs ? r.n_runs : 1));
	for (size_t k = 0; k < r.n_runs; k++) {
		const hsetup_run *u = &r.runs[k];
		fprintf(w->c, "%s\t{%d, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %d},\n", w->setup_ind,
		        u->kind,
		        u->start, u->count0, u->count1, u->stride0, u->a, u->b0, u->b1, u->d, u->lit0,
		        u->period);
	}
	if (!r.n_runs)
		fprintf(w->c, "%s\t{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1},\n", w->setup_ind);
	fprintf(w->c, "%s};\n", w->setup_ind);
	snprintf(name, sizeof name, "%s_%s_lit", w->prefix, what);
	write_doubles(w, w->setup_decl, w->setup_ind, name, r.lit, r.n_lit);
	fprintf(w->c, "#define %s_%s_N_RUNS %lu\n\n", w->upper, what, (unsigned long)r.n_runs);
	tmpl_runs_free(&r);
	return HESSC_OK;
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

/* ---- the files ---------------------------------------------------------- */

static void top_comment(writer *w, const char *kind, const emit_c_options *opt)
{
	const model *m = w->m;
	for (int which = 0; which < 2; which++) {
		FILE *f = which ? w->h : w->c;
		fprintf(f, "/* %s generated by hessc " HESSC_VERSION_STRING "; do not edit.\n",
		        which ? "Header" : kind);
		fprintf(f, " * model: %s, %s %s\n", m->name ? m->name : "(unnamed)",
		        m->maximize ? "maximize" : "minimize",
		        m->objective_name ? m->objective_name : "(objective)");
		fprintf(f, " * n = %lu variables, nnz = %lu Hessian entries (lower triangle)\n",
		        (unsigned long)m->n, (unsigned long)w->s->nnz);
		fprintf(f, " * %lu of %lu terms in %lu loops%s; the pattern is built by %s_setup\n",
		        (unsigned long)w->s->n_templated, (unsigned long)w->s->n_terms,
		        (unsigned long)(w->s->n_loops - (size_t)w->s->has_residual),
		        w->s->has_residual ? " and a residual" : "", w->prefix);
		if (opt->command) {
			fputs(" * command: ", f);
			for (const char *p = opt->command; *p; p++)
				fputc(p[0] == '*' && p[1] == '/' ? ' ' : *p, f);
			fputc('\n', f);
		}
		fputs(" */\n", f);
	}
}

/* The sizes' struct, with the range the setup accepts. */
static void write_sizes_struct(const writer *w)
{
	char member[EMIT_C_MEMBER_MAX];
	fprintf(w->h, "/* Run-time sizes: params the model declares without a value that set\n"
	              " * sizes (`hessc gen --size`).  The setup takes their values, each in\n"
	              " * its range (from the smallest value hessc checked the loops at).\n"
	              " * Macros that depend on them take the struct's address: %s_N(sz). */\n",
	        w->upper);
	fprintf(w->h, "#define %s_N_SIZES %lu\ntypedef struct %s_sizes {\n", w->upper,
	        (unsigned long)w->n_sizes, w->prefix);
	for (size_t k = 0; k < w->n_sizes; k++) {
		emit_c_input_member(member, sizeof member, w->sizes[k]);
		fprintf(w->h, "\tlong %s;   /* in %ld..%ld */\n", member, w->min_sizes[k], w->max_size);
	}
	fprintf(w->h, "} %s_sizes;\n\n", w->prefix);
}

static void write_header(writer *w, int have_lower, int have_upper, size_t bytes)
{
	FILE *h = w->h;
	const char *u = w->upper, *p = w->prefix;
	fprintf(h, "#ifndef HESSC_GENERATED_%s_H\n#define HESSC_GENERATED_%s_H\n\n", u, u);
	fputs("#include <stddef.h>\n\n", h);
	if (w->n_sizes)
		write_sizes_struct(w);
	fprintf(h, "#define %s_N%s %lu            /* variables */\n", u, w->sz, (unsigned long)w->m->n);
	fprintf(h, "#define %s_NNZ%s %lu          /* stored entries of the Hessian's lower triangle */\n",
	        u, w->sz, (unsigned long)w->s->nnz);
	fprintf(h, "#define %s_WORK_SIZE 0      /* the kernels need no scratch */\n", u);
	fprintf(h, "#define %s_MAXIMIZE %d       /* 1: the objective is maximized */\n\n", u,
	        w->m->maximize ? 1 : 0);
	fputs("/* The runtime's problem descriptor (hessc/problem.h), copied so that this\n"
	      " * file needs nothing else; whichever definition comes first is used. */\n"
	      "#ifndef HESSC_PROBLEM_H\n#define HESSC_PROBLEM_H\n", h);
	fputs(emit_c_problem_struct, h);
	fputs("#endif\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n", h);
	fprintf(h, "/* Memory of the setup block: the descriptor, the initial point%s, the\n"
	           " * Hessian pattern and the loops' position maps. */\n"
	           "#define %s_SETUP_BYTES%s (((sizeof(hessc_problem) + 7) / 8) * 8 + %s(size_t)%luu%s)\n",
	        have_lower || have_upper ? " and bounds" : "", u, w->sz, w->n_sizes ? "(" : "",
	        (unsigned long)bytes, w->n_sizes ? " + 7) / 8 * 8" : "");
	if (w->n_sizes) {
		fprintf(h, "/* The same for the sizes *sz; 0 when a size is out of range. */\n"
		           "size_t %s_setup_bytes(const %s_sizes *sz);\n\n", p, p);
		fprintf(h, "/* Build the pattern, x0 and the position maps for the sizes *sz in `mem`\n"
		           " * (%s_setup_bytes(sz) bytes, aligned for a double; the sizes are copied\n"
		           " * there) and return the descriptor stored there, whose n and nnz are\n"
		           " * those of these sizes; the runtime's solvers accept it as it is.  NULL\n"
		           " * when a size is out of range. */\n"
		           "const hessc_problem *%s_setup(void *mem, const %s_sizes *sz);\n\n", p, p, p);
	} else {
		fprintf(h, "size_t %s_setup_bytes(void);\n\n", p);
		fprintf(h, "/* Build the pattern, x0 and the position maps in `mem` (%s_SETUP_BYTES\n"
		           " * bytes, aligned for a double) and return the descriptor stored there;\n"
		           " * the runtime's solvers accept it as it is. */\n"
		           "const hessc_problem *%s_setup(void *mem);\n\n", u, p);
	}
	emit_c_write_inputs(h, w->m, p, u,
	                    "call %s_setup, then\n"
	                    " * %s_bind(mem, &in) before the kernels run (again for other inputs)");
	if (w->m->n_inputs)
		fprintf(h, "/* Make the kernels of the setup block `mem` read the inputs `in` (kept by\n"
		           " * address: it must live while they run); returns the descriptor. */\n"
		           "const hessc_problem *%s_bind(void *mem, const %s_data *in);\n\n", p, p);
	fputs("/* The kernels: x has N values; g and hv N, h NNZ (in the order of the\n"
	      " * descriptor's pattern); w is not read; data must be the setup block\n"
	      " * (the descriptor's data). */\n", h);
	fprintf(h, "double %s_f(const double *x, double *w, const void *data);\n", p);
	fprintf(h, "double %s_grad(const double *x, double *g, double *w, const void *data);\n", p);
	fprintf(h, "void %s_hess(const double *x, double *h, double *w, const void *data);\n", p);
	fprintf(h, "void %s_hessvec(const double *x, const double *v, double *hv, double *w,\n"
	           "                const void *data);\n", p);
	fputs("\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n", h);
}

/* byte offsets of the setup block's parts, as macros of the .c */
static size_t write_layout(writer *w, int have_lower, int have_upper)
{
	size_t n = w->m->n, off = 0;
	long pairs;
	hsetup_loop *views = malloc((w->s->n_loops + 1) * sizeof *views);
	if (!views)
		return (size_t)-1;
	for (size_t q = 0; q < w->s->n_loops; q++)
		views[q] = w->s->loops[q].view;
	pairs = hsetup_pairs(views, (int)w->s->n_loops);
	free(views);
	fputs("/* The setup block: byte offsets after the descriptor */\n", w->c);
	if (w->n_sizes) {   /* the sizes first: where they are cannot depend on them */
		fprintf(w->c, "#define %s_OFF_SIZES %luu\n", w->upper, (unsigned long)off);
		off += 8 * w->n_sizes;
	}
	if (w->m->n_inputs) {   /* the address of the inputs' struct (P_bind) */
		fprintf(w->c, "#define %s_OFF_INPUTS %luu\n", w->upper, (unsigned long)off);
		off += 8;
	}
	fprintf(w->c, "#define %s_OFF_X0 %luu\n", w->upper, (unsigned long)off);
	off += 8 * n;
	if (have_lower) {
		fprintf(w->c, "#define %s_OFF_LOWER %luu\n", w->upper, (unsigned long)off);
		off += 8 * n;
	}
	if (have_upper) {
		fprintf(w->c, "#define %s_OFF_UPPER %luu\n", w->upper, (unsigned long)off);
		off += 8 * n;
	}
	for (size_t q = 0; w->n_sizes && q < w->s->n_loops; q++) {   /* the loops' tables */
		const tmpl_loop *l = &w->s->loops[q];
		if (!l->n_tables)
			continue;
		fprintf(w->c, "#define %s_OFF_TAB%lu %luu\n", w->upper, (unsigned long)q,
		        (unsigned long)off);
		off += 8 * l->n_tables * tmpl_iterations(l);
	}
	for (size_t q = 0; q < w->s->n_loops; q++) {
		if (!tmpl_plan_reads_map(&w->plan, q))
			continue;
		fprintf(w->c, "#define %s_OFF_POS%lu %luu\n", w->upper, (unsigned long)q,
		        (unsigned long)off);
		off += 4 * tmpl_positions_size(&w->s->loops[q]);
	}
	fprintf(w->c, "#define %s_OFF_COLPTR %luu\n", w->upper, (unsigned long)off);
	off += 4 * (n + 1);
	fprintf(w->c, "#define %s_OFF_ROWIND %luu   /* PAIRS entries of scratch, then nnz */\n"
	        "#define %s_PAIRS %ld\n", w->upper, (unsigned long)off, w->upper, pairs);
	off += 4 * (size_t)(pairs > 0 ? pairs : 1);
	if (!w->n_sizes)   /* with sizes, the header rounds (rounding is not affine) */
		off = (off + 7) / 8 * 8;
	fprintf(w->c, "#define %s_BLOCK ((sizeof(hessc_problem) + 7) / 8 * 8)\n\n", w->upper);
	return off;
}

static int any_powi(const writer *w)
{
	for (size_t q = 0; q < w->s->n_loops; q++)
		for (int k = TAPE_F; k <= TAPE_HESS; k++) {
			const tape_kernel *tk = tmpl_plan_body(&w->plan, q, (tape_kernel_id)k);
			for (size_t i = 0; i < tk->len; i++)
				if (tk->code[i].kind == TAPE_OP && tk->code[i].op == OP_POWI
				    && !powi_is_small(tk->code[i].index))
					return 1;
		}
	return 0;
}

/* What the setup reads: the loops' maps and local patterns, the runs of
 * x0 and the bounds.  At file scope without run-time sizes; inside the
 * setup, automatic, with them (their values are the sizes' expressions). */
static hessc_status write_setup_data(writer *w, int have_lower, int have_upper)
{
	FILE *c = w->c;
	const char *p = w->prefix, *ind = w->setup_ind;
	size_t nl = w->s->n_loops;
	hessc_status st;
	for (size_t q = 0; q < nl; q++)
		write_loop_data(w, q, 1, !w->n_sizes);
	fprintf(c, "%s%s hsetup_loop %s_loops[%s%lu] = {\n", ind, w->setup_decl, p, w->mark,
	        (unsigned long)nl);
	for (size_t q = 0; q < nl; q++) {
		const tmpl_loop *l = &w->s->loops[q];
		if (l->vars)
			fprintf(c, "%s\t{1, 1, %lu, NULL, NULL, NULL, %s_l%lu_vars, %d, %s_l%lu_row, %s_l%lu_col},\n",
			        ind, (unsigned long)l->n_slots, p, (unsigned long)q, l->view.nloc, p,
			        (unsigned long)q, p, (unsigned long)q);
		else
			fprintf(c, "%s\t{%lu, %lu, %lu, %s_l%lu_base, %s_l%lu_stride0, %s_l%lu_stride1, NULL, "
			        "%d, %s_l%lu_row, %s_l%lu_col},\n", ind,
			        (unsigned long)l->count[0], (unsigned long)l->count[1],
			        (unsigned long)l->n_slots, p, (unsigned long)q, p, (unsigned long)q, p,
			        (unsigned long)q, l->view.nloc, p, (unsigned long)q, p, (unsigned long)q);
	}
	fprintf(c, "%s};\n\n", ind);
	if ((st = write_runs(w, "x0", w->m->x0, w->m->n)) != HESSC_OK)
		return st;
	if (have_lower && (st = write_runs(w, "lower", w->m->lower, w->m->n)) != HESSC_OK)
		return st;
	if (have_upper && (st = write_runs(w, "upper", w->m->upper, w->m->n)) != HESSC_OK)
		return st;
	for (size_t q = 0; w->n_sizes && q < nl; q++) {   /* the tables, as runs */
		const tmpl_loop *l = &w->s->loops[q];
		char what[48];
		snprintf(what, sizeof what, "tab%lu", (unsigned long)q);
		if (l->n_tables
		    && (st = write_runs(w, what, l->tables, l->n_tables * tmpl_iterations(l))) != HESSC_OK)
			return st;
	}
	return HESSC_OK;
}

/* P_sizes_ok: every size in the range hessc checked, and the counts the
 * setup stores as int (n, nnz, the pattern's scratch) within int. */
static void write_sizes_check(const writer *w)
{
	char member[EMIT_C_MEMBER_MAX];
	const char *u = w->upper;
	fprintf(w->c, "static int %s_sizes_ok(const %s_sizes *sz)\n{\n\tif (!sz", w->prefix,
	        w->prefix);
	for (size_t k = 0; k < w->n_sizes; k++) {
		emit_c_input_member(member, sizeof member, w->sizes[k]);
		fprintf(w->c, "\n\t    || sz->%s < %ld || sz->%s > %ldL", member, w->min_sizes[k],
		        member, w->max_size);
	}
	fprintf(w->c, ")\n\t\treturn 0;\n"
	              "\treturn %s_N(sz) <= 2147483647L && %s_NNZ(sz) <= 2147483647L\n"
	              "\t       && %s_PAIRS <= 2147483647L;\n}\n\n", u, u, u);
}

static hessc_status write_source(writer *w, const emit_c_options *opt, int have_lower,
                                 int have_upper, size_t *bytes)
{
	FILE *c = w->c;
	const char *p = w->prefix, *u = w->upper;
	size_t nl = w->s->n_loops;
	hessc_status st;

	fputs("#include <math.h>\n#include ", c);
	fprintf(c, "\"%s\"\n\n", opt->header_name ? opt->header_name : "model.h");
	fputs("/* Pattern setup: the code hessc runs at generation time (template_setup.c) */\n"
	      "#define HSETUP_API static\n", c);
	fputs(tmpl_setup_text, c);
	fputc('\n', c);

	if (!w->n_sizes && (st = write_setup_data(w, have_lower, have_upper)) != HESSC_OK)
		return st;
	*bytes = write_layout(w, have_lower, have_upper);
	if (*bytes == (size_t)-1)
		return HESSC_ERR_NOMEM;

	/* powi helper, the order graph_powi_value multiplies in */
	if (any_powi(w))
		fprintf(c, "static double %s_powi(double x, long k)\n{\n"
	           "\tunsigned long e = k < 0 ? 0ul - (unsigned long)k : (unsigned long)k;\n"
	           "\tdouble result = 1.0, base = x;\n\tint have = 0;\n"
	           "\twhile (e) {\n\t\tif (e & 1) {\n\t\t\tresult = have ? result * base : base;\n"
	           "\t\t\thave = 1;\n\t\t}\n\t\te >>= 1;\n\t\tif (e)\n\t\t\tbase = base * base;\n\t}\n"
	           "\treturn k < 0 ? 1.0 / result : result;\n}\n\n", p);
	for (size_t g = 0; g < w->plan.n_groups; g++)
		for (int k = K_F; k <= K_HESSVEC; k++)
			if ((st = write_group_kernel(w, g, k)) != HESSC_OK)
				return st;

	/* the kernels; the inputs' struct is where P_bind put its address */
	char ins[16], ins_b[32], fetch_b[640];
	char fetch[512] = "";
	snprintf(ins, sizeof ins, "%s%s", w->m->n_inputs ? ", in" : "", w->szp);
	/* with run-time sizes every group function reads the block (tables) */
	snprintf(ins_b, sizeof ins_b, "%s%s", w->n_sizes ? ", block" : "", ins);
	if (w->n_sizes)
		snprintf(fetch, sizeof fetch, "\tconst %s_sizes *sz = (const %s_sizes *)"
		         "((const char *)data + %s_BLOCK + %s_OFF_SIZES);\n", p, p, u, u);
	if (w->m->n_inputs)
		snprintf(fetch + strlen(fetch), sizeof fetch - strlen(fetch),
		         "\tconst %s_data *in = *(%s_data *const *)"
		         "((const char *)data + %s_BLOCK + %s_OFF_INPUTS);\n", p, p, u, u);
	snprintf(fetch_b, sizeof fetch_b, "%s%s%s%s", w->n_sizes ? "\tconst char *block = (const char *)data + " : "",
	         w->n_sizes ? u : "", w->n_sizes ? "_BLOCK;\n" : "", fetch);
	fprintf(c, "double %s_f(const double *restrict x, double *restrict w, const void *data)\n"
	           "{\n\tdouble f = 0.0;\n\t(void)w;\n\t(void)data;\n%s", p, fetch_b);
	for (size_t g = 0; g < w->plan.n_groups; g++)
		fprintf(c, "\tf += %s_g%lu_f(x%s);\n", p, (unsigned long)g, ins_b);
	fputs("\treturn f;\n}\n\n", c);
	fprintf(c, "double %s_grad(const double *restrict x, double *restrict g, double *restrict w,\n"
	           "       const void *data)\n{\n\tdouble f = 0.0;\n\t(void)w;\n\t(void)data;\n%s",
	        p, fetch_b);
	if (w->plan.grad.zero)
		fprintf(c, "\tfor (long k = 0; k < %s_N%s; k++)\n\t\tg[k] = 0.0;\n", u, w->sz);
	for (size_t g = 0; g < w->plan.n_groups; g++)
		fprintf(c, "\tf += %s_g%lu_grad(x, g%s);\n", p, (unsigned long)g, ins_b);
	fputs("\treturn f;\n}\n\n", c);
	fprintf(c, "void %s_hess(const double *restrict x, double *restrict h, double *restrict w,\n"
	           "       const void *data)\n{\n\tconst char *block = (const char *)data + %s_BLOCK;\n"
	           "\t(void)w;\n\t(void)block;\n%s", p, u, fetch);
	if (w->plan.hess.zero)
		fprintf(c, "\tfor (long k = 0; k < %s_NNZ%s; k++)\n\t\th[k] = 0.0;\n", u, w->sz);
	for (size_t g = 0; g < w->plan.n_groups; g++)
		fprintf(c, "\t%s_g%lu_hess(x, h, block%s);\n", p, (unsigned long)g, ins);
	fputs("}\n\n", c);
	fprintf(c, "void %s_hessvec(const double *restrict x, const double *restrict v,\n"
	           "       double *restrict hv, double *restrict w, const void *data)\n{\n"
	           "\t(void)w;\n\t(void)data;\n%s\tfor (long k = 0; k < %s_N%s; k++)\n\t\thv[k] = 0.0;\n",
	        p, fetch_b, u, w->sz);
	for (size_t g = 0; g < w->plan.n_groups; g++)
		fprintf(c, "\t%s_g%lu_hessvec(x, v, hv%s);\n", p, (unsigned long)g, ins_b);
	fputs("}\n\n", c);

	/* setup */
	if (w->n_sizes) {
		write_sizes_check(w);
		fprintf(c, "size_t %s_setup_bytes(const %s_sizes *sz)\n{\n"
		           "\treturn %s_sizes_ok(sz) ? %s_SETUP_BYTES(sz) : 0;\n}\n\n", p, p, p, u);
		fprintf(c, "const hessc_problem *%s_setup(void *mem, const %s_sizes *sz)\n{\n"
		           "\tif (!%s_sizes_ok(sz))\n\t\treturn NULL;\n", p, p, p);
	} else {
		fprintf(c, "size_t %s_setup_bytes(void)\n{\n\treturn %s_SETUP_BYTES;\n}\n\n", p, u);
		fprintf(c, "const hessc_problem *%s_setup(void *mem)\n{\n", p);
	}
	fprintf(c, "\thessc_problem *pr = (hessc_problem *)mem;\n"
	           "\tchar *block = (char *)mem + %s_BLOCK;\n"
	           "\tdouble *x0 = (double *)(block + %s_OFF_X0);\n"
	           "\tint *colptr = (int *)(block + %s_OFF_COLPTR);\n"
	           "\tint *rowind = (int *)(block + %s_OFF_ROWIND);\n", u, u, u, u);
	if (w->n_sizes) {
		fprintf(c, "\t*(%s_sizes *)(block + %s_OFF_SIZES) = *sz;  /* the kernels read them there */\n",
		        p, u);
		if ((st = write_setup_data(w, have_lower, have_upper)) != HESSC_OK)
			return st;
	}
	fprintf(c, "\tif (hsetup_pairs(%s_loops, %lu) > %s_PAIRS)\n"
	           "\t\treturn NULL;  /* the block was sized for these loops */\n", p,
	        (unsigned long)nl, u);
	fprintf(c, "\thsetup_fill(x0, %s_x0_runs, %s_x0_N_RUNS, %s_x0_lit);\n", p, u, p);
	if (have_lower)
		fprintf(c, "\thsetup_fill((double *)(block + %s_OFF_LOWER), %s_lower_runs, "
		           "%s_lower_N_RUNS, %s_lower_lit);\n", u, p, u, p);
	if (have_upper)
		fprintf(c, "\thsetup_fill((double *)(block + %s_OFF_UPPER), %s_upper_runs, "
		           "%s_upper_N_RUNS, %s_upper_lit);\n", u, p, u, p);
	for (size_t q = 0; w->n_sizes && q < nl; q++)
		if (w->s->loops[q].n_tables)
			fprintf(c, "\thsetup_fill((double *)(block + %s_OFF_TAB%lu), %s_tab%lu_runs, "
			           "%s_tab%lu_N_RUNS, %s_tab%lu_lit);\n", u, (unsigned long)q, p,
			        (unsigned long)q, u, (unsigned long)q, p, (unsigned long)q);
	if (w->n_sizes)   /* the kernels write the places hessc planned: check */
		fprintf(c, "\tif (hsetup_pattern(%s_N(sz), %s_loops, %lu, colptr, rowind) != %s_NNZ(sz))\n"
		           "\t\treturn NULL;\n", u, p, (unsigned long)nl, u);
	else
		fprintf(c, "\thsetup_pattern(%s_N, %s_loops, %lu, colptr, rowind);\n", u, p,
		        (unsigned long)nl);
	fputs("\t(void)hsetup_positions;  /* used when some loop's places need a map */\n"
	      "\t(void)hsetup_var;        /* hessc's own helper, unused here */\n", c);
	for (size_t q = 0; q < nl; q++)  /* the maps the kernels read */
		if (tmpl_plan_reads_map(&w->plan, q))
			fprintf(c, "\thsetup_positions(&%s_loops[%lu], colptr, rowind, (int *)(block + "
			           "%s_OFF_POS%lu));\n", p, (unsigned long)q, u, (unsigned long)q);
	fprintf(c, "\tpr->name = \"%s\";\n\tpr->n = %s_N%s;\n\tpr->nnz = %s_NNZ%s;\n"
	           "\tpr->hess_colptr = colptr;\n\tpr->hess_rowind = rowind;\n\tpr->x0 = x0;\n",
	        w->m->name ? w->m->name : p, u, w->sz, u, w->sz);
	if (have_lower)
		fprintf(c, "\tpr->lower = (const double *)(block + %s_OFF_LOWER);\n", u);
	else
		fputs("\tpr->lower = NULL;\n", c);
	if (have_upper)
		fprintf(c, "\tpr->upper = (const double *)(block + %s_OFF_UPPER);\n", u);
	else
		fputs("\tpr->upper = NULL;\n", c);
	if (w->m->n_inputs)
		fprintf(c, "\t*(const %s_data **)(block + %s_OFF_INPUTS) = NULL;  /* %s_bind gives them */\n",
		        p, u, p);
	fprintf(c, "\tpr->work_size = 0;\n\tpr->f = %s_f;\n\tpr->grad = %s_grad;\n"
	           "\tpr->hess = %s_hess;\n\tpr->hessvec = %s_hessvec;\n\tpr->data = mem;\n"
	           "\treturn pr;\n}\n", p, p, p, p);
	if (w->m->n_inputs)
		fprintf(c, "\nconst hessc_problem *%s_bind(void *mem, const %s_data *in)\n{\n"
		           "\t*(const %s_data **)((char *)mem + %s_BLOCK + %s_OFF_INPUTS) = in;\n"
		           "\treturn (const hessc_problem *)mem;\n}\n", p, p, p, u, u);
	return HESSC_OK;
}

static int valid_name(const char *s)
{
	for (; s && *s; s++)
		if (*s == '"' || *s == '\\' || !isprint((unsigned char)*s))
			return 0;
	return 1;
}

hessc_status emit_template(const model *m, const tmpl_set *s, const emit_c_options *opt,
                           FILE *c_out, FILE *h_out)
{
	writer w;
	char *prefix = NULL, *upper = NULL;
	size_t bytes = 0;
	hessc_status st;
	int have_lower, have_upper;

	if (opt->prefix && !emit_c_valid_prefix(opt->prefix))
		return HESSC_ERR_USAGE;
	if (m->n != s->n || s->n_loops == 0 || !s->colptr || (m->name && !valid_name(m->name))
	    || (opt->n_sizes && (!opt->sizes || !opt->min_sizes)))
		return HESSC_ERR_INTERNAL;
	prefix = opt->prefix ? strdup(opt->prefix) : emit_c_default_prefix(m->name);
	upper = prefix ? strdup(prefix) : NULL;
	if (!prefix || !upper) {
		free(prefix);
		return HESSC_ERR_NOMEM;
	}
	for (char *q = upper; *q; q++)
		*q = (char)toupper((unsigned char)*q);
	memset(&w, 0, sizeof w);
	w.c = c_out;
	w.h = h_out;
	w.m = m;
	w.s = s;
	w.prefix = prefix;
	w.upper = upper;
	w.n_sizes = opt->n_sizes;
	w.sizes = opt->sizes;
	w.min_sizes = opt->min_sizes;
	w.max_size = opt->max_size;
	w.mark = w.n_sizes ? fixed_mark : "";
	w.sz = w.n_sizes ? "(sz)" : "";
	w.szp = w.n_sizes ? ", sz" : "";
	w.setup_decl = w.n_sizes ? "const" : "static const";
	w.setup_ind = w.n_sizes ? "\t" : "";
	have_lower = !all_equal(m->lower, m->n, -INFINITY);
	have_upper = !all_equal(m->upper, m->n, INFINITY);

	top_comment(&w, "Source", opt);
	st = tmpl_plan_build(s, &w.plan);
	if (st == HESSC_OK)
		st = write_source(&w, opt, have_lower, have_upper, &bytes);
	if (st == HESSC_OK)  /* the header states the block size the source computed */
		write_header(&w, have_lower, have_upper, bytes);
	free(w.slot_text);
	free(w.out_text);
	free(w.out_first);
	free(w.skip);
	tmpl_plan_free(&w.plan);
	if (st == HESSC_OK && (ferror(c_out) || ferror(h_out)))
		st = HESSC_ERR_INTERNAL;
	free(prefix);
	free(upper);
	return st;
}

typedef struct templated_job {
	const model *m;
	const tmpl_set *s;
	const emit_c_options *opt;
} templated_job;

static hessc_status write_templated(void *ctx, const char *header_name, FILE *c_out, FILE *h_out)
{
	const templated_job *job = ctx;
	emit_c_options o = *job->opt;
	if (!o.header_name)
		o.header_name = header_name;
	return emit_template(job->m, job->s, &o, c_out, h_out);
}

hessc_status emit_template_files(const model *m, const tmpl_set *s, const emit_c_options *opt,
                                 const char *base, diag_sink *diags)
{
	templated_job job = {m, s, opt};
	return emit_c_files_by(write_templated, &job, base, diags);
}
