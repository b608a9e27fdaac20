/* tape.c -- lowering derivatives to flat kernels with work-slot reuse, and
 * the reference interpreter that runs them. */
#include "tape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Operand counts from ops.h, read by the lowering and the interpreter. */
static const uint8_t op_arity[OP_COUNT] = {
#define OP(name, arity, commutative, c_spelling) arity,
#include "ops.h"
};

/* An output a kernel writes: out[position] (or hv[row], hv[col]) from
 * `node`; `seq` keeps the derivative's own order among outputs of one node. */
typedef struct pending_output {
	node_id node;
	uint8_t kind;       /* TAPE_OUT or TAPE_HV_ACC */
	int64_t index;      /* position, or row */
	int64_t col;        /* HV_ACC: column */
	size_t seq;
} pending_output;

/* Scratch shared by the kernels of one tape_build, sized by the graph. */
typedef struct lowering {
	const graph *g;
	size_t size;         /* graph_size */
	uint8_t *needed;     /* per node: computed by this kernel */
	uint32_t *uses;      /* per node: reads still to come */
	uint32_t *slot_of;   /* per node: where its value lives */
	uint32_t *free_slots;/* stack of released slots */
	size_t n_free;
	size_t n_slots;
	tape_kernel *k;
	size_t cap;          /* allocated instructions of k->code */
} lowering;

static int push(lowering *L, tape_instr in)
{
	tape_kernel *k = L->k;
	if (k->len == L->cap) {
		size_t cap = L->cap ? 2 * L->cap : 64;
		tape_instr *code = realloc(k->code, cap * sizeof *code);
		if (!code)
			return 0;
		k->code = code;
		L->cap = cap;
	}
	k->code[k->len++] = in;
	return 1;
}

static uint32_t take_slot(lowering *L)
{
	if (L->n_free > 0)
		return L->free_slots[--L->n_free];
	return (uint32_t)L->n_slots++;
}

/* One read of `node` done: its slot is free again after its last read.
 * Every slot is released at most once, so the stack never holds more
 * than the graph has nodes. */
static void release(lowering *L, node_id node)
{
	if (--L->uses[node] == 0)
		L->free_slots[L->n_free++] = L->slot_of[node];
}

static int compare_outputs(const void *pa, const void *pb)
{
	const pending_output *a = pa, *b = pb;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Mark what the roots need and count the reads of each node (operand
 * reads, outputs, the final return of f). */
static void mark_needed(lowering *L, const pending_output *outs, size_t n_outs,
                        node_id f_root)
{
	memset(L->needed, 0, L->size);
	memset(L->uses, 0, L->size * sizeof *L->uses);
	node_id top = 0;
	for (size_t i = 0; i < n_outs; i++) {
		L->needed[outs[i].node] = 1;
		L->uses[outs[i].node]++;
		if (outs[i].node > top)
			top = outs[i].node;
	}
	if (f_root != GRAPH_NO_NODE) {
		L->needed[f_root] = 1;
		L->uses[f_root]++;
		if (f_root > top)
			top = f_root;
	}
	/* operands have smaller ids: one downward sweep reaches everything */
	for (size_t id = (size_t)top + 1; id-- > 0;) {
		if (!L->needed[id])
			continue;
		const graph_node *nd = graph_get(L->g, (node_id)id);
		int arity = op_arity[nd->op];
		const node_id operand[3] = { nd->a, nd->b, nd->c };
		for (int j = 0; j < arity; j++) {
			L->needed[operand[j]] = 1;
			L->uses[operand[j]]++;
		}
	}
}

/* Lower one kernel: the nodes the outputs (sorted by node) and f_root need,
 * in id order, each followed by the outputs it feeds. */
static hessc_status lower_kernel(lowering *L, tape_kernel *k, pending_output *outs,
                                 size_t n_outs, node_id f_root, int64_t hv_zero_n)
{
	memset(k, 0, sizeof *k);
	L->k = k;
	L->cap = 0;
	L->n_free = 0;
	L->n_slots = 0;
	if (n_outs > 1)
		qsort(outs, n_outs, sizeof *outs, compare_outputs);
	mark_needed(L, outs, n_outs, f_root);

	if (hv_zero_n >= 0 &&
	    !push(L, (tape_instr){ .kind = TAPE_HV_ZERO, .index = hv_zero_n }))
		return HESSC_ERR_NOMEM;

	size_t next_out = 0;
	node_id top = f_root != GRAPH_NO_NODE ? f_root : 0;
	if (n_outs > 0 && outs[n_outs - 1].node > top)
		top = outs[n_outs - 1].node;
	for (size_t id = 0; id <= (size_t)top && (n_outs > 0 || f_root != GRAPH_NO_NODE); id++) {
		if (!L->needed[id])
			continue;
		const graph_node *nd = graph_get(L->g, (node_id)id);
		tape_instr in = { .node = (node_id)id };
		if (nd->op == OP_CONST) {
			in.kind = TAPE_CONST;
			in.value = nd->value;
		} else if (nd->op == OP_VAR) {
			in.kind = TAPE_VAR;
			in.index = nd->index;
		} else if (nd->op == OP_DATA) {
			in.kind = TAPE_DATA;
			in.index = graph_data_element(nd->index);
			in.col = graph_data_array(nd->index);
		} else {
			in.kind = TAPE_OP;
			in.op = nd->op;
			in.index = nd->op == OP_POWI ? nd->index : 0;
			int arity = op_arity[nd->op];
			const node_id operand[3] = { nd->a, nd->b, nd->c };
			uint32_t *slot[3] = { &in.a, &in.b, &in.c };
			for (int j = 0; j < arity; j++)
				*slot[j] = L->slot_of[operand[j]];
			/* operands are read before the result is written, so the
			 * result may take the slot of an operand read for the last time */
			for (int j = 0; j < arity; j++)
				release(L, operand[j]);
		}
		in.dst = take_slot(L);
		L->slot_of[id] = in.dst;
		if (!push(L, in))
			return HESSC_ERR_NOMEM;

		for (; next_out < n_outs && outs[next_out].node == id; next_out++) {
			const pending_output *o = &outs[next_out];
			tape_instr out = { .kind = o->kind, .a = in.dst, .index = o->index,
			                   .col = o->col, .node = o->node };
			if (!push(L, out))
				return HESSC_ERR_NOMEM;
			release(L, o->node);
		}
	}
	if (f_root != GRAPH_NO_NODE) {
		tape_instr ret = { .kind = TAPE_OUT_F, .a = L->slot_of[f_root], .node = f_root };
		if (!push(L, ret))
			return HESSC_ERR_NOMEM;
		release(L, f_root);
	}
	k->n_slots = L->n_slots;
	return HESSC_OK;
}

static int valid(const lowering *L, node_id id)
{
	return id < L->size;
}

hessc_status tape_build(const graph *g, const derivatives *d, tape *out)
{
	memset(out, 0, sizeof *out);
	hessc_status st = HESSC_OK;
	lowering L = { .g = g, .size = graph_size(g) };
	size_t n_outs_max = d->n > d->nnz ? d->n : d->nnz;
	pending_output *outs = NULL;

	if (!valid(&L, d->f) || (d->n > 0 && !d->grad) || (d->nnz > 0 && (!d->hess || !d->hess_rowind)) ||
	    !d->hess_colptr || (size_t)d->hess_colptr[d->n] != d->nnz)
		return HESSC_ERR_INTERNAL;
	for (size_t i = 0; i < d->n; i++)
		if (!valid(&L, d->grad[i]))
			return HESSC_ERR_INTERNAL;
	for (size_t k = 0; k < d->nnz; k++)
		if (!valid(&L, d->hess[k]))
			return HESSC_ERR_INTERNAL;

	L.needed = malloc(L.size ? L.size : 1);
	L.uses = malloc((L.size ? L.size : 1) * sizeof *L.uses);
	L.slot_of = malloc((L.size ? L.size : 1) * sizeof *L.slot_of);
	L.free_slots = malloc((L.size ? L.size : 1) * sizeof *L.free_slots);
	outs = malloc((n_outs_max ? n_outs_max : 1) * sizeof *outs);
	if (!L.needed || !L.uses || !L.slot_of || !L.free_slots || !outs) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	out->n = d->n;
	out->nnz = d->nnz;

	st = lower_kernel(&L, &out->kernel[TAPE_F], outs, 0, d->f, -1);
	if (st != HESSC_OK)
		goto done;

	for (size_t i = 0; i < d->n; i++)
		outs[i] = (pending_output){ .node = d->grad[i], .kind = TAPE_OUT,
		                            .index = (int64_t)i, .seq = i };
	st = lower_kernel(&L, &out->kernel[TAPE_GRAD], outs, d->n, d->f, -1);
	if (st != HESSC_OK)
		goto done;

	for (size_t k = 0; k < d->nnz; k++)
		outs[k] = (pending_output){ .node = d->hess[k], .kind = TAPE_OUT,
		                            .index = (int64_t)k, .seq = k };
	st = lower_kernel(&L, &out->kernel[TAPE_HESS], outs, d->nnz, GRAPH_NO_NODE, -1);
	if (st != HESSC_OK)
		goto done;

	for (size_t col = 0; col < d->n; col++)
		for (int32_t k = d->hess_colptr[col]; k < d->hess_colptr[col + 1]; k++)
			outs[k] = (pending_output){ .node = d->hess[k], .kind = TAPE_HV_ACC,
			                            .index = d->hess_rowind[k],
			                            .col = (int64_t)col, .seq = (size_t)k };
	st = lower_kernel(&L, &out->kernel[TAPE_HESSVEC], outs, d->nnz, GRAPH_NO_NODE,
	                  (int64_t)d->n);
	if (st != HESSC_OK)
		goto done;

	for (int k = 0; k < TAPE_KERNELS; k++)
		if (out->kernel[k].n_slots > out->work_size)
			out->work_size = out->kernel[k].n_slots;
done:
	free(L.needed);
	free(L.uses);
	free(L.slot_of);
	free(L.free_slots);
	free(outs);
	if (st != HESSC_OK)
		tape_free(out);
	return st;
}

void tape_free(tape *t)
{
	if (!t)
		return;
	for (int k = 0; k < TAPE_KERNELS; k++)
		free(t->kernel[k].code);
	memset(t, 0, sizeof *t);
}

double tape_run(const tape *t, tape_kernel_id kid, const double *x,
                const double *v, double *out, double *work)
{
	return tape_run_inputs(t, kid, x, v, out, work, NULL);
}

double tape_run_inputs(const tape *t, tape_kernel_id kid, const double *x, const double *v,
                       double *out, double *work, const double *const *inputs)
{
	const tape_kernel *k = &t->kernel[kid];
	double f = 0;
	for (size_t i = 0; i < k->len; i++) {
		const tape_instr *in = &k->code[i];
		switch ((tape_kind)in->kind) {
		case TAPE_CONST:
			work[in->dst] = in->value;
			break;
		case TAPE_VAR:
			work[in->dst] = x[in->index];
			break;
		case TAPE_DATA:
			work[in->dst] = inputs ? inputs[in->col][in->index] : NAN;
			break;
		case TAPE_OP: {
			int arity = op_arity[in->op];
			double a = arity > 0 ? work[in->a] : 0.0;
			double b = arity > 1 ? work[in->b] : 0.0;
			double c = arity > 2 ? work[in->c] : 0.0;
			work[in->dst] = graph_apply((graph_op)in->op, a, b, c, in->index);
			break;
		}
		case TAPE_OUT_F:
			f = work[in->a];
			break;
		case TAPE_OUT:
			out[in->index] = work[in->a];
			break;
		case TAPE_HV_ZERO:
			for (int64_t j = 0; j < in->index; j++)
				out[j] = 0.0;
			break;
		case TAPE_HV_ACC: {
			double h = work[in->a];
			out[in->index] += h * v[in->col];
			if (in->index != in->col)
				out[in->col] += h * v[in->index];
			break;
		}
		}
	}
	return f;
}
