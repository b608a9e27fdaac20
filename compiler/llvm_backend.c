/* llvm_backend.c -- the tape as LLVM IR, one function per kernel (cut into
 * chunks when long), compiled by llvm_jit.c. */
#include "llvm_backend.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>

#include "graph.h"
#include "llvm_jit.h"
#include "template_plan.h"

static const char *const kernel_symbol[TAPE_KERNELS] = {
	[TAPE_F] = "hessc_kernel_f",
	[TAPE_GRAD] = "hessc_kernel_grad",
	[TAPE_HESS] = "hessc_kernel_hess",
	[TAPE_HESSVEC] = "hessc_kernel_hessvec",
};

typedef struct irgen {
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMTypeRef dbl, i64, i8ptr, ptr, chunk_type;
	/* the slots' values in the chunk being built: val[s] is current when
	 * val_gen[s] == gen, otherwise it is loaded from work[s] first */
	LLVMValueRef *val;
	uint32_t *val_gen;
	uint32_t gen;
	LLVMValueRef x, v, out, work;  /* the pointers of the function being built */
	LLVMValueRef inputs;           /* its run-time inputs: const double *[] */
} irgen;

/* ---- declarations ------------------------------------------------------------ */

static void add_fn_attr(irgen *g, LLVMValueRef fn, const char *name)
{
	unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->ctx, kind, 0));
}

static void add_param_attr(irgen *g, LLVMValueRef fn, unsigned param, const char *name)
{
	unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
	LLVMAddAttributeAtIndex(fn, param + 1, LLVMCreateEnumAttribute(g->ctx, kind, 0));
}

/* A math function of `arity` doubles, declared on first use.  They are
 * pure for our purpose (errno is never read), which lets LLVM share and
 * hoist their calls. */
static LLVMValueRef math_fn(irgen *g, const char *name, unsigned arity, LLVMTypeRef *type)
{
	LLVMTypeRef params[2] = { g->dbl, g->dbl };
	*type = LLVMFunctionType(g->dbl, params, arity, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(g->mod, name);
	if (!fn) {
		fn = LLVMAddFunction(g->mod, name, *type);
		add_fn_attr(g, fn, "nounwind");
		add_fn_attr(g, fn, "readnone");
		add_fn_attr(g, fn, "willreturn");
	}
	return fn;
}

static LLVMValueRef call_math(irgen *g, const char *name, LLVMValueRef a, LLVMValueRef b)
{
	LLVMTypeRef type;
	unsigned arity = b ? 2 : 1;
	LLVMValueRef fn = math_fn(g, name, arity, &type);
	LLVMValueRef args[2] = { a, b };
	return LLVMBuildCall2(g->b, type, fn, args, arity, "");
}

/* ---- values ------------------------------------------------------------------- */

static LLVMValueRef element(irgen *g, LLVMValueRef base, int64_t index)
{
	LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)index, 1);
	return LLVMBuildInBoundsGEP2(g->b, g->dbl, base, &idx, 1, "");
}

static LLVMValueRef load_at(irgen *g, LLVMValueRef base, int64_t index)
{
	return LLVMBuildLoad2(g->b, g->dbl, element(g, base, index), "");
}

static void store_at(irgen *g, LLVMValueRef value, LLVMValueRef base, int64_t index)
{
	LLVMBuildStore(g->b, value, element(g, base, index));
}

static LLVMValueRef get_slot(irgen *g, uint32_t s)
{
	if (g->val_gen[s] != g->gen) {
		g->val[s] = load_at(g, g->work, s);
		g->val_gen[s] = g->gen;
	}
	return g->val[s];
}

static void set_slot(irgen *g, uint32_t s, LLVMValueRef value, int escapes)
{
	g->val[s] = value;
	g->val_gen[s] = g->gen;
	if (escapes)
		store_at(g, value, g->work, s);
}

static LLVMValueRef real(irgen *g, double v)
{
	return LLVMConstReal(g->dbl, v);
}

/* Element `at` (i64) of run-time input `a`: inputs[a][at]. */
static LLVMValueRef load_input(irgen *g, LLVMValueRef inputs, long a, LLVMValueRef at)
{
	LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)a, 1);
	LLVMValueRef arr = LLVMBuildLoad2(g->b, g->ptr,
	        LLVMBuildInBoundsGEP2(g->b, g->ptr, inputs, &idx, 1, ""), "");
	return LLVMBuildLoad2(g->b, g->dbl, LLVMBuildInBoundsGEP2(g->b, g->dbl, arr, &at, 1, ""), "");
}

/* base[0 .. count-1] = 0, by llvm.memset (all-zero bits are +0.0). */
static void zero(irgen *g, LLVMValueRef base, int64_t count)
{
	LLVMTypeRef i8 = LLVMInt8TypeInContext(g->ctx), i1 = LLVMInt1TypeInContext(g->ctx);
	LLVMTypeRef params[4] = { g->i8ptr, i8, g->i64, i1 };
	LLVMTypeRef type = LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), params, 4, 0);
	const char *name = "llvm.memset.p0i8.i64";
	LLVMValueRef fn = LLVMGetNamedFunction(g->mod, name);
	if (!fn)
		fn = LLVMAddFunction(g->mod, name, type);
	LLVMValueRef args[4] = {
		LLVMBuildBitCast(g->b, base, g->i8ptr, ""), LLVMConstInt(i8, 0, 0),
		LLVMConstInt(g->i64, (unsigned long long)count * sizeof(double), 0), LLVMConstInt(i1, 0, 0),
	};
	LLVMBuildCall2(g->b, type, fn, args, 4, "");
}

/* 1.0 or 0.0 from a comparison. */
static LLVMValueRef truth(irgen *g, LLVMValueRef cond)
{
	return LLVMBuildSelect(g->b, cond, real(g, 1.0), real(g, 0.0), "");
}

static LLVMValueRef nonzero(irgen *g, LLVMValueRef a)
{
	return LLVMBuildFCmp(g->b, LLVMRealUNE, a, real(g, 0.0), "");
}

/* graph_powi_value: right-to-left binary powering, then 1/result for k < 0. */
static LLVMValueRef powi(irgen *g, LLVMValueRef x, int64_t k)
{
	uint64_t e = k < 0 ? (uint64_t)0 - (uint64_t)k : (uint64_t)k;
	LLVMValueRef result = NULL, base = x;
	while (e) {
		if (e & 1)
			result = result ? LLVMBuildFMul(g->b, result, base, "") : base;
		e >>= 1;
		if (e)
			base = LLVMBuildFMul(g->b, base, base, "");
	}
	if (!result)
		return real(g, 1.0);
	return k < 0 ? LLVMBuildFDiv(g->b, real(g, 1.0), result, "") : result;
}

/* One operation, as graph_apply() computes it. */
static LLVMValueRef operation(irgen *g, graph_op op, LLVMValueRef a, LLVMValueRef b,
                              LLVMValueRef c, int64_t index)
{
	LLVMBuilderRef B = g->b;
	switch (op) {
	case OP_ADD: return LLVMBuildFAdd(B, a, b, "");
	case OP_SUB: return LLVMBuildFSub(B, a, b, "");
	case OP_MUL: return LLVMBuildFMul(B, a, b, "");
	case OP_DIV: return LLVMBuildFDiv(B, a, b, "");
	case OP_NEG: return LLVMBuildFNeg(B, a, "");
	case OP_POW: return call_math(g, "pow", a, b);
	case OP_POWI: return powi(g, a, index);
	/* correctly rounded or exact: the intrinsics give libm's results */
	case OP_SQRT: return call_math(g, "llvm.sqrt.f64", a, NULL);
	case OP_ABS: return call_math(g, "llvm.fabs.f64", a, NULL);
	case OP_FLOOR: return call_math(g, "llvm.floor.f64", a, NULL);
	case OP_CEIL: return call_math(g, "llvm.ceil.f64", a, NULL);
	case OP_ROUND: return call_math(g, "llvm.round.f64", a, NULL);
	case OP_MIN: return call_math(g, "llvm.minnum.f64", a, b);   /* fmin */
	case OP_MAX: return call_math(g, "llvm.maxnum.f64", a, b);   /* fmax */
	case OP_MOD: return LLVMBuildFRem(B, a, b, "");                /* fmod */
	case OP_DIVI: return call_math(g, "llvm.trunc.f64", LLVMBuildFDiv(B, a, b, ""), NULL);
	case OP_EXP: return call_math(g, "exp", a, NULL);
	case OP_LOG: return call_math(g, "log", a, NULL);
	case OP_LOG10: return call_math(g, "log10", a, NULL);
	case OP_SIN: return call_math(g, "sin", a, NULL);
	case OP_COS: return call_math(g, "cos", a, NULL);
	case OP_TAN: return call_math(g, "tan", a, NULL);
	case OP_ASIN: return call_math(g, "asin", a, NULL);
	case OP_ACOS: return call_math(g, "acos", a, NULL);
	case OP_ATAN: return call_math(g, "atan", a, NULL);
	case OP_ATAN2: return call_math(g, "atan2", a, b);
	case OP_SINH: return call_math(g, "sinh", a, NULL);
	case OP_COSH: return call_math(g, "cosh", a, NULL);
	case OP_TANH: return call_math(g, "tanh", a, NULL);
	case OP_SIGN: {
		/* (a > 0) - (a < 0): 0 for NaN */
		LLVMValueRef neg = LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealOLT, a, real(g, 0.0), ""),
		                                   real(g, -1.0), real(g, 0.0), "");
		return LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealOGT, a, real(g, 0.0), ""),
		                       real(g, 1.0), neg, "");
	}
	case OP_LT: return truth(g, LLVMBuildFCmp(B, LLVMRealOLT, a, b, ""));
	case OP_LE: return truth(g, LLVMBuildFCmp(B, LLVMRealOLE, a, b, ""));
	case OP_EQ: return truth(g, LLVMBuildFCmp(B, LLVMRealOEQ, a, b, ""));
	case OP_NE: return truth(g, LLVMBuildFCmp(B, LLVMRealUNE, a, b, ""));
	case OP_AND: return truth(g, LLVMBuildAnd(B, nonzero(g, a), nonzero(g, b), ""));
	case OP_OR: return truth(g, LLVMBuildOr(B, nonzero(g, a), nonzero(g, b), ""));
	case OP_NOT: return truth(g, LLVMBuildFCmp(B, LLVMRealOEQ, a, real(g, 0.0), ""));
	case OP_IF: return LLVMBuildSelect(B, nonzero(g, a), b, c, "");
	case OP_CONST:
	case OP_VAR:
	case OP_DATA:   /* leaves: loaded by their tape instruction */
	case OP_COUNT:
		break;
	}
	return NULL;
}

/* A TAPE_OP instruction: its operation on its operands' slots, into slot dst
 * (and work[dst] when the value escapes its chunk); 0 for an operation
 * operation() cannot build. */
static int emit_op(irgen *g, const tape_instr *in, int escapes)
{
	int arity = graph_op_arity((graph_op)in->op);
	LLVMValueRef a = arity > 0 ? get_slot(g, in->a) : NULL;
	LLVMValueRef b = arity > 1 ? get_slot(g, in->b) : NULL;
	LLVMValueRef c = arity > 2 ? get_slot(g, in->c) : NULL;
	LLVMValueRef r = operation(g, (graph_op)in->op, a, b, c, in->index);
	if (!r)
		return 0;
	set_slot(g, in->dst, r, escapes);
	return 1;
}

/* ---- kernels ------------------------------------------------------------------ */

/* escapes[i] = 1 when instruction i writes a value that an instruction of a
 * later chunk reads: that value goes to work[dst] as well.  Backward scan:
 * last_read[s] is the last chunk reading the value the next write of s
 * (forward) will be overwriting, i.e. the value of the write we meet next. */
static hessc_status find_escapes(const tape_kernel *k, size_t chunk, unsigned char **out)
{
	unsigned char *escapes = calloc(k->len ? k->len : 1, 1);
	long *last_read = malloc((k->n_slots ? k->n_slots : 1) * sizeof *last_read);
	if (!escapes || !last_read) {
		free(escapes);
		free(last_read);
		return HESSC_ERR_NOMEM;
	}
	for (size_t s = 0; s < k->n_slots; s++)
		last_read[s] = -1;
	for (size_t i = k->len; i-- > 0;) {
		const tape_instr *in = &k->code[i];
		long c = (long)(i / chunk);
		uint32_t reads[3];
		int n_reads = 0;
		int writes = in->kind == TAPE_CONST || in->kind == TAPE_VAR || in->kind == TAPE_DATA ||
		             in->kind == TAPE_OP;
		if (writes) {
			escapes[i] = last_read[in->dst] > c;
			last_read[in->dst] = -1;
		}
		if (in->kind == TAPE_OP) {
			int arity = graph_op_arity((graph_op)in->op);
			if (arity > 0) reads[n_reads++] = in->a;
			if (arity > 1) reads[n_reads++] = in->b;
			if (arity > 2) reads[n_reads++] = in->c;
		} else if (in->kind == TAPE_OUT_F || in->kind == TAPE_OUT || in->kind == TAPE_HV_ACC) {
			reads[n_reads++] = in->a;
		}
		/* an instruction reads its operands before it writes dst */
		for (int r = 0; r < n_reads; r++)
			if (last_read[reads[r]] < c)
				last_read[reads[r]] = c;
	}
	free(last_read);
	*out = escapes;
	return HESSC_OK;
}

/* Instructions [lo, hi) into the current block; returns what OUT_F gives
 * (0.0 when the range has none) or NULL for an operation it cannot build. */
static LLVMValueRef build_range(irgen *g, const tape_kernel *k, size_t lo, size_t hi,
                                const unsigned char *escapes, int *has_result)
{
	LLVMValueRef result = real(g, 0.0);
	*has_result = 0;
	g->gen++;
	for (size_t i = lo; i < hi; i++) {
		const tape_instr *in = &k->code[i];
		switch ((tape_kind)in->kind) {
		case TAPE_CONST:
			set_slot(g, in->dst, real(g, in->value), escapes[i]);
			break;
		case TAPE_VAR:
			set_slot(g, in->dst, load_at(g, g->x, in->index), escapes[i]);
			break;
		case TAPE_DATA:
			set_slot(g, in->dst, load_input(g, g->inputs, (long)in->col,
			                                LLVMConstInt(g->i64, (unsigned long long)in->index, 1)),
			         escapes[i]);
			break;
		case TAPE_OP:
			if (!emit_op(g, in, escapes[i]))
				return NULL;
			break;
		case TAPE_OUT_F:
			result = get_slot(g, in->a);
			*has_result = 1;
			break;
		case TAPE_OUT:
			store_at(g, get_slot(g, in->a), g->out, in->index);
			break;
		case TAPE_HV_ZERO:
			zero(g, g->out, in->index);
			break;
		case TAPE_HV_ACC: {
			LLVMValueRef h = get_slot(g, in->a);
			LLVMValueRef p = element(g, g->out, in->index);
			LLVMValueRef prod = LLVMBuildFMul(g->b, h, load_at(g, g->v, in->col), "");
			LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->dbl, p, ""), prod, ""), p);
			if (in->index != in->col) {
				p = element(g, g->out, in->col);
				prod = LLVMBuildFMul(g->b, h, load_at(g, g->v, in->index), "");
				LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->dbl, p, ""), prod, ""), p);
			}
			break;
		}
		default:
			return NULL;
		}
	}
	return result;
}

/* The exported kernel's type: hessc_problem's callback for `id`. */
static LLVMTypeRef kernel_type(irgen *g, tape_kernel_id id)
{
	LLVMTypeRef p = g->ptr, data = g->i8ptr;
	switch (id) {
	case TAPE_F: {
		LLVMTypeRef params[] = { p, p, data };          /* x, work, data */
		return LLVMFunctionType(g->dbl, params, 3, 0);
	}
	case TAPE_GRAD: {
		LLVMTypeRef params[] = { p, p, p, data };       /* x, g, work, data */
		return LLVMFunctionType(g->dbl, params, 4, 0);
	}
	case TAPE_HESS: {
		LLVMTypeRef params[] = { p, p, p, data };       /* x, h, work, data */
		return LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), params, 4, 0);
	}
	default: {
		LLVMTypeRef params[] = { p, p, p, p, data };    /* x, v, hv, work, data */
		return LLVMFunctionType(LLVMVoidTypeInContext(g->ctx), params, 5, 0);
	}
	}
}

static void mark_pointers_noalias(irgen *g, LLVMValueRef fn, unsigned n_pointers)
{
	for (unsigned i = 0; i < n_pointers; i++)
		add_param_attr(g, fn, i, "noalias");
	add_fn_attr(g, fn, "nounwind");
}

static hessc_status build_kernel(irgen *g, const tape_kernel *k, tape_kernel_id id)
{
	size_t chunk = LLVM_BACKEND_CHUNK;
	size_t n_chunks = k->len ? (k->len + chunk - 1) / chunk : 1;
	unsigned char *escapes = NULL;
	hessc_status st = find_escapes(k, chunk, &escapes);
	if (st != HESSC_OK)
		return st;

	LLVMValueRef fn = LLVMAddFunction(g->mod, kernel_symbol[id], kernel_type(g, id));
	LLVMValueRef null = LLVMConstPointerNull(g->ptr);
	LLVMValueRef x = LLVMGetParam(fn, 0), v = null, out = null, work, data;
	switch (id) {
	case TAPE_F: work = LLVMGetParam(fn, 1); data = LLVMGetParam(fn, 2); break;
	case TAPE_GRAD:
	case TAPE_HESS: out = LLVMGetParam(fn, 1); work = LLVMGetParam(fn, 2); data = LLVMGetParam(fn, 3); break;
	default:
		v = LLVMGetParam(fn, 1); out = LLVMGetParam(fn, 2); work = LLVMGetParam(fn, 3);
		data = LLVMGetParam(fn, 4);
		break;
	}
	mark_pointers_noalias(g, fn, id == TAPE_F ? 2 : id == TAPE_HESSVEC ? 4 : 3);
	LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, fn, "entry"));
	int returns = id == TAPE_F || id == TAPE_GRAD;
	LLVMValueRef result = real(g, 0.0);
	LLVMValueRef inputs = LLVMBuildBitCast(g->b, data, LLVMPointerType(g->ptr, 0), "");
	int has_result;

	if (n_chunks == 1) {
		g->x = x, g->v = v, g->out = out, g->work = work, g->inputs = inputs;
		result = build_range(g, k, 0, k->len, escapes, &has_result);
		if (!result) {
			st = HESSC_ERR_INTERNAL;
			goto done;
		}
	} else {
		for (size_t c = 0; c < n_chunks; c++) {
			char name[64];
			snprintf(name, sizeof name, "%s.chunk%zu", kernel_symbol[id], c);
			LLVMValueRef part = LLVMAddFunction(g->mod, name, g->chunk_type);
			LLVMSetLinkage(part, LLVMInternalLinkage);
			mark_pointers_noalias(g, part, 4);
			add_fn_attr(g, part, "noinline");  /* inlined back, LLVM would face one huge block */
			LLVMValueRef args[5] = { x, v, out, work, inputs };
			LLVMValueRef r = LLVMBuildCall2(g->b, g->chunk_type, part, args, 5, "");

			LLVMBasicBlockRef caller = LLVMGetInsertBlock(g->b);
			LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, part, "entry"));
			g->x = LLVMGetParam(part, 0), g->v = LLVMGetParam(part, 1);
			g->out = LLVMGetParam(part, 2), g->work = LLVMGetParam(part, 3);
			g->inputs = LLVMGetParam(part, 4);
			size_t hi = (c + 1) * chunk < k->len ? (c + 1) * chunk : k->len;
			LLVMValueRef pr = build_range(g, k, c * chunk, hi, escapes, &has_result);
			if (!pr) {
				st = HESSC_ERR_INTERNAL;
				goto done;
			}
			LLVMBuildRet(g->b, pr);
			LLVMPositionBuilderAtEnd(g->b, caller);
			if (has_result)
				result = r;
		}
	}
	if (returns)
		LLVMBuildRet(g->b, result);
	else
		LLVMBuildRetVoid(g->b);
done:
	free(escapes);
	return st;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The module checked, then optimized by `passes` and compiled to an object
 * in memory; `times` (or NULL) gets the IR time since `t_start` and
 * LLVM's own. */
static hessc_status finish_module(irgen *g, const char *passes, double t_start,
                                  diag_sink *diags, unsigned char **obj, size_t *obj_len,
                                  llvm_compile_times *times)
{
	hessc_status st = HESSC_OK;
	llvm_jit_times jt = { 0 };
	char *msg = NULL;
	if (LLVMVerifyModule(g->mod, LLVMReturnStatusAction, &msg)) {
		source_loc nowhere = { NULL, 0, 0 };
		diag_report(diags, DIAG_ERROR, nowhere, NULL, 0, "LLVM backend: invalid IR: %s", msg);
		st = HESSC_ERR_INTERNAL;
	}
	LLVMDisposeMessage(msg);
	double t_ir = now_ms();
	if (st == HESSC_OK)
		st = llvm_jit_emit_object(g->mod, passes, diags, obj, obj_len, &jt);
	if (times) {
		times->ir_ms = t_ir - t_start;
		times->optimize_ms = jt.optimize_ms;
		times->codegen_ms = jt.codegen_ms;
	}
	return st;
}

static void irgen_dispose(irgen *g)
{
	if (g->b)
		LLVMDisposeBuilder(g->b);
	if (g->mod)
		LLVMDisposeModule(g->mod);
	if (g->ctx)
		LLVMContextDispose(g->ctx);
	free(g->val);
	free(g->val_gen);
}

/* Why building kernels failed with HESSC_ERR_INTERNAL: an instruction the
 * backend has no IR for; `holder` names where it stood. */
static void report_unknown_instruction(diag_sink *diags, const char *holder)
{
	source_loc nowhere = { NULL, 0, 0 };
	diag_report(diags, DIAG_ERROR, nowhere, NULL, 0,
	            "LLVM backend: %s holds an instruction it does not know", holder);
}

/* `slots` value slots and a fresh context, module, builder and the types
 * every kernel uses; on failure irgen_dispose() still frees what was made. */
static hessc_status irgen_open(irgen *g, size_t slots)
{
	g->val = malloc(slots * sizeof *g->val);
	g->val_gen = calloc(slots, sizeof *g->val_gen);
	if (!g->val || !g->val_gen)
		return HESSC_ERR_NOMEM;
	g->ctx = LLVMContextCreate();
	g->mod = LLVMModuleCreateWithNameInContext("hessc", g->ctx);
	g->b = LLVMCreateBuilderInContext(g->ctx);
	g->dbl = LLVMDoubleTypeInContext(g->ctx);
	g->i64 = LLVMInt64TypeInContext(g->ctx);
	g->ptr = LLVMPointerType(g->dbl, 0);
	g->i8ptr = LLVMPointerType(LLVMInt8TypeInContext(g->ctx), 0);
	return HESSC_OK;
}

hessc_status llvm_backend_compile(const tape *t, diag_sink *diags, unsigned char **obj,
                                  size_t *obj_len, llvm_compile_times *times)
{
	double t_start = now_ms();
	hessc_status st = llvm_jit_init(diags);
	irgen g = { 0 };
	*obj = NULL;
	*obj_len = 0;
	if (st != HESSC_OK)
		return st;
	size_t slots = t->work_size ? t->work_size : 1;
	for (int k = 0; k < TAPE_KERNELS; k++)
		if (t->kernel[k].n_slots > slots)
			slots = t->kernel[k].n_slots;
	if ((st = irgen_open(&g, slots)) != HESSC_OK)
		goto done;
	/* x, v, out, work, inputs */
	LLVMTypeRef chunk_params[5] = { g.ptr, g.ptr, g.ptr, g.ptr, LLVMPointerType(g.ptr, 0) };
	g.chunk_type = LLVMFunctionType(g.dbl, chunk_params, 5, 0);

	for (int k = 0; k < TAPE_KERNELS && st == HESSC_OK; k++)
		st = build_kernel(&g, &t->kernel[k], (tape_kernel_id)k);
	if (st == HESSC_ERR_INTERNAL)
		report_unknown_instruction(diags, "the tape");
	if (st != HESSC_OK)
		goto done;
	st = finish_module(&g, "default<O2>", t_start, diags, obj, obj_len, times);
done:
	irgen_dispose(&g);
	return st;
}

struct llvm_kernels {
	llvm_jit_image *image;
};

hessc_status llvm_backend_load(const unsigned char *obj, size_t obj_len, diag_sink *diags,
                               hessc_problem *p, llvm_kernels **out)
{
	*out = NULL;
	hessc_status st = llvm_jit_init(diags);
	if (st != HESSC_OK)
		return st;
	llvm_kernels *k = calloc(1, sizeof *k);
	if (!k)
		return HESSC_ERR_NOMEM;
	st = llvm_jit_load(obj, obj_len, diags, &k->image);
	void *fns[TAPE_KERNELS] = { 0 };
	for (int i = 0; i < TAPE_KERNELS && st == HESSC_OK; i++)
		if (!(fns[i] = llvm_jit_lookup(k->image, kernel_symbol[i], diags)))
			st = HESSC_ERR_INTERNAL;
	if (st != HESSC_OK) {
		llvm_kernels_free(k);
		return st;
	}
	/* object pointers to function pointers: POSIX guarantees they convert */
	memcpy(&p->f, &fns[TAPE_F], sizeof p->f);
	memcpy(&p->grad, &fns[TAPE_GRAD], sizeof p->grad);
	memcpy(&p->hess, &fns[TAPE_HESS], sizeof p->hess);
	memcpy(&p->hessvec, &fns[TAPE_HESSVEC], sizeof p->hessvec);
	*out = k;
	return HESSC_OK;
}

void llvm_kernels_free(llvm_kernels *k)
{
	if (!k)
		return;
	llvm_jit_image_free(k->image);
	free(k);
}

const char *llvm_backend_target_id(diag_sink *diags)
{
	return llvm_jit_init(diags) == HESSC_OK ? llvm_jit_target_id() : NULL;
}

/* ---- templated models: one loop nest per loop ------------------------------- */

/* What a member's body reads inside a loop nest: the iteration's indices
 * (i64), its table, and where its values go. */
typedef struct loopgen {
	const tmpl_loop *l;
	LLVMValueRef i, j, it;       /* current indices, inside the body */
	LLVMValueRef f_acc;          /* F, GRAD: the member's f (an alloca) */
	LLVMValueRef table;          /* the loop's constant table (a global), or NULL */
	LLVMValueRef v;              /* HESSVEC: v */
	LLVMValueRef *out_val;       /* GRAD, HESS: the member's local outputs, for the plan's writes */
} loopgen;

static LLVMValueRef i64c(irgen *g, long v)
{
	return LLVMConstInt(g->i64, (unsigned long long)v, 1);
}

/* x's index of slot s at the current iteration */
static LLVMValueRef slot_var(irgen *g, const loopgen *L, int s)
{
	const tmpl_loop *l = L->l;
	if (l->vars)
		return i64c(g, l->vars[s]);
	LLVMValueRef at = i64c(g, l->base[s]);
	if (l->count[0] > 1 && l->stride0[s] != 0)
		at = LLVMBuildAdd(g->b, at, LLVMBuildMul(g->b, L->i, i64c(g, l->stride0[s]), ""), "");
	if (l->stride1[s] != 0)
		at = LLVMBuildAdd(g->b, at, LLVMBuildMul(g->b, L->j, i64c(g, l->stride1[s]), ""), "");
	return at;
}

static LLVMValueRef gep_dyn(irgen *g, LLVMValueRef base, LLVMValueRef index)
{
	return LLVMBuildInBoundsGEP2(g->b, g->dbl, base, &index, 1, "");
}

static void add_to(irgen *g, LLVMValueRef base, LLVMValueRef index, LLVMValueRef value)
{
	LLVMValueRef p = gep_dyn(g, base, index);
	LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->dbl, p, ""), value, ""), p);
}

/* the plan's rule: `=` where the write comes first at its place, else `+=` */
static void write_to(irgen *g, LLVMValueRef base, LLVMValueRef index, LLVMValueRef value, int store)
{
	if (store)
		LLVMBuildStore(g->b, value, gep_dyn(g, base, index));
	else
		add_to(g, base, index, value);
}

/* One iteration of member L's body tape `k` (HESS for HESSVEC): f adds to
 * L->f_acc, gradient and Hessian values go to L->out_val, Hessian-vector
 * products are added to the output as tmpl_run adds them. */
static hessc_status build_body(irgen *g, const loopgen *L, const tape_kernel *tk,
                               tape_kernel_id k)
{
	const tmpl_loop *l = L->l;
	size_t iters = tmpl_iterations(l);
	g->gen++;
	for (size_t n = 0; n < tk->len; n++) {
		const tape_instr *in = &tk->code[n];
		switch ((tape_kind)in->kind) {
		case TAPE_CONST:
			set_slot(g, in->dst, real(g, in->value), 0);
			break;
		case TAPE_VAR: {
			LLVMValueRef at;
			if ((size_t)in->index < l->n_slots) {
				at = gep_dyn(g, g->x, slot_var(g, L, (int)in->index));
			} else {
				LLVMValueRef idx = LLVMBuildAdd(g->b, L->it,
				        i64c(g, (long)(((size_t)in->index - l->n_slots) * iters)), "");
				at = gep_dyn(g, LLVMBuildBitCast(g->b, L->table, g->ptr, ""), idx);
			}
			set_slot(g, in->dst, LLVMBuildLoad2(g->b, g->dbl, at, ""), 0);
			break;
		}
		case TAPE_DATA: {   /* data slot col: its input's element at (i, j) */
			size_t d = (size_t)in->col;
			if (d >= l->n_data)
				return HESSC_ERR_INTERNAL;
			LLVMValueRef at = i64c(g, l->data_base[d]);
			if (l->count[0] > 1 && l->data_stride0[d] != 0)
				at = LLVMBuildAdd(g->b, at, LLVMBuildMul(g->b, L->i, i64c(g, l->data_stride0[d]), ""), "");
			if (l->data_stride1[d] != 0)
				at = LLVMBuildAdd(g->b, at, LLVMBuildMul(g->b, L->j, i64c(g, l->data_stride1[d]), ""), "");
			set_slot(g, in->dst, load_input(g, g->inputs, l->data_input[d], at), 0);
			break;
		}
		case TAPE_OP:
			if (!emit_op(g, in, 0))
				return HESSC_ERR_INTERNAL;
			break;
		case TAPE_OUT_F:
			LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->dbl, L->f_acc, ""),
			                                   get_slot(g, in->a), ""), L->f_acc);
			break;
		case TAPE_OUT:
			if (k == TAPE_GRAD || k == TAPE_HESS) {
				L->out_val[in->index] = get_slot(g, in->a);
			} else {
				int r = l->loc_row[in->index], c = l->loc_col[in->index];
				LLVMValueRef h = get_slot(g, in->a);
				LLVMValueRef vr = slot_var(g, L, r), vc = slot_var(g, L, c);
				add_to(g, g->out, vr, LLVMBuildFMul(g->b, h,
				       LLVMBuildLoad2(g->b, g->dbl, gep_dyn(g, L->v, vc), ""), ""));
				if (r != c)
					add_to(g, g->out, vc, LLVMBuildFMul(g->b, h,
					       LLVMBuildLoad2(g->b, g->dbl, gep_dyn(g, L->v, vr), ""), ""));
			}
			break;
		default:
			return HESSC_ERR_INTERNAL;  /* bodies are read through F, GRAD, HESS */
		}
	}
	return HESSC_OK;
}

/* A counted loop `for (*ptr = from; *ptr < to; ++*ptr)`: returns the
 * block after it; the builder is left in the body with *index loaded. */
static LLVMBasicBlockRef loop_open(irgen *g, LLVMValueRef fn, LLVMValueRef ptr, size_t from,
                                   size_t to, LLVMValueRef *index, LLVMBasicBlockRef *cond_out)
{
	LLVMBasicBlockRef cond = LLVMAppendBasicBlockInContext(g->ctx, fn, "cond");
	LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, fn, "body");
	LLVMBasicBlockRef after = LLVMAppendBasicBlockInContext(g->ctx, fn, "after");
	LLVMBuildStore(g->b, i64c(g, (long)from), ptr);
	LLVMBuildBr(g->b, cond);
	LLVMPositionBuilderAtEnd(g->b, cond);
	LLVMValueRef at = LLVMBuildLoad2(g->b, g->i64, ptr, "");
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, at, i64c(g, (long)to), ""), body,
	                after);
	LLVMPositionBuilderAtEnd(g->b, body);
	*index = LLVMBuildLoad2(g->b, g->i64, ptr, "");
	*cond_out = cond;
	return after;
}

static void loop_close(irgen *g, LLVMValueRef ptr, LLVMBasicBlockRef cond, LLVMBasicBlockRef after)
{
	LLVMValueRef at = LLVMBuildLoad2(g->b, g->i64, ptr, "");
	LLVMBuildStore(g->b, LLVMBuildAdd(g->b, at, i64c(g, 1), ""), ptr);
	LLVMBuildBr(g->b, cond);
	LLVMPositionBuilderAtEnd(g->b, after);
}

/* The loop's table of constants as a private global, or NULL. */
static LLVMValueRef loop_table(irgen *g, const tmpl_loop *l, size_t q, hessc_status *st)
{
	size_t len = l->n_tables * tmpl_iterations(l);
	if (!len)
		return NULL;
	LLVMValueRef *vals = malloc(len * sizeof *vals);
	if (!vals) {
		*st = HESSC_ERR_NOMEM;
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		vals[i] = real(g, l->tables[i]);
	char name[48];
	snprintf(name, sizeof name, "hessc_table%zu", q);
	LLVMValueRef init = LLVMConstArray(g->dbl, vals, (unsigned)len);
	free(vals);
	LLVMValueRef glob = LLVMAddGlobal(g->mod, LLVMTypeOf(init), name);
	LLVMSetInitializer(glob, init);
	LLVMSetGlobalConstant(glob, 1);
	LLVMSetLinkage(glob, LLVMPrivateLinkage);
	return glob;
}

/* What one templated kernel is built from. */
typedef struct kernelgen {
	const tmpl_set *s;
	const tmpl_plan *plan;
	const tplan_kernel *pk;      /* GRAD, HESS: the plan's writes; else NULL */
	LLVMValueRef *tables;        /* per loop */
	LLVMValueRef *maps;          /* per loop: its position map (i32 *), when the plan reads it */
	LLVMValueRef *f_acc;         /* per member of a group (allocas) */
	LLVMValueRef *acc;           /* per output of a piece: FIXED sums (allocas) */
	LLVMValueRef *out_val;       /* per member and local output */
	size_t *out_first;           /* per member: its first entry in out_val */
	LLVMValueRef fn, i_ptr, j_ptr, v;
} kernelgen;

/* The place of output o at (i, j) as an index into the output array. */
static LLVMValueRef out_index(irgen *g, const kernelgen *K, const tplan_out *o, LLVMValueRef i,
                              LLVMValueRef j, LLVMValueRef it)
{
	if (o->kind == TPLAN_MAP) {
		LLVMTypeRef i32 = LLVMInt32TypeInContext(g->ctx);
		LLVMValueRef e = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, it,
		        i64c(g, (long)K->s->loops[o->map_loop].d.nnz), ""), i64c(g, (long)o->map_entry), "");
		LLVMValueRef p = LLVMBuildLoad2(g->b, i32,
		        LLVMBuildInBoundsGEP2(g->b, i32, K->maps[o->map_loop], &e, 1, ""), "");
		return LLVMBuildSExt(g->b, p, g->i64, "");
	}
	LLVMValueRef at = i64c(g, o->base);
	if (o->s0 != 0)
		at = LLVMBuildAdd(g->b, at, LLVMBuildMul(g->b, i, i64c(g, o->s0), ""), "");
	if (o->s1 != 0)
		at = LLVMBuildAdd(g->b, at, LLVMBuildMul(g->b, j, i64c(g, o->s1), ""), "");
	return at;
}

static LLVMValueRef out_sum(irgen *g, const kernelgen *K, const tplan_out *o)
{
	LLVMValueRef sum = NULL;
	for (size_t p = 0; p < o->n_parts; p++) {
		const tplan_part *pt = &K->pk->parts[o->first_part + p];
		LLVMValueRef v = K->out_val[K->out_first[pt->member] + pt->local];
		sum = sum ? LLVMBuildFAdd(g->b, sum, v, "") : v;
	}
	return sum;
}

/* One piece of group gi's loop nest, as emit_template.c's write_piece. */
static hessc_status build_piece(irgen *g, kernelgen *K, size_t gi, const tplan_piece *r,
                                tape_kernel_id id)
{
	const tplan_group *gr = &K->plan->groups[gi];
	const tplan_kernel *pk = K->pk;
	LLVMBasicBlockRef cond_i, cond_j, after_i, after_j;
	loopgen L = { 0 };
	hessc_status st = HESSC_OK;
	for (size_t o = 0; pk && o < r->n_outs; o++)
		if (pk->outs[r->first_out + o].kind == TPLAN_FIXED)
			LLVMBuildStore(g->b, real(g, 0.0), K->acc[o]);
	after_i = loop_open(g, K->fn, K->i_ptr, r->i0, r->i1, &L.i, &cond_i);
	after_j = loop_open(g, K->fn, K->j_ptr, r->j0, r->j1, &L.j, &cond_j);
	L.it = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, L.i, i64c(g, (long)gr->count1), ""), L.j, "");
	L.v = K->v;
	for (size_t m = 0; m < gr->n_members && st == HESSC_OK; m++) {
		size_t q = K->plan->members[gr->first_member + m];
		L.l = &K->s->loops[q];
		L.table = K->tables[q];
		L.f_acc = K->f_acc[m];
		L.out_val = K->out_val + K->out_first[m];
		st = build_body(g, &L, tmpl_plan_body(K->plan, q, id), id);
	}
	for (size_t o = 0; pk && o < r->n_outs && st == HESSC_OK; o++) {
		const tplan_out *out = &pk->outs[r->first_out + o];
		LLVMValueRef sum = out_sum(g, K, out);
		if (out->kind == TPLAN_FIXED)
			LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->dbl, K->acc[o], ""),
			                                   sum, ""), K->acc[o]);
		else
			write_to(g, g->out, out_index(g, K, out, L.i, L.j, L.it), sum, out->store);
	}
	loop_close(g, K->j_ptr, cond_j, after_j);
	loop_close(g, K->i_ptr, cond_i, after_i);
	for (size_t o = 0; pk && o < r->n_outs; o++) {
		const tplan_out *out = &pk->outs[r->first_out + o];
		if (out->kind == TPLAN_FIXED)
			write_to(g, g->out, i64c(g, out->base), LLVMBuildLoad2(g->b, g->dbl, K->acc[o], ""),
			         out->store);
	}
	return st;
}

/* Kernel `id` of a templated model: zero the output where the plan says
 * so, then each group's loop nests; HESS reads the position maps the plan
 * needs through data (const int32_t *[], one per loop). */
static hessc_status build_templated_kernel(irgen *g, kernelgen *K, tape_kernel_id id)
{
	const tmpl_set *s = K->s;
	const tmpl_plan *P = K->plan;
	LLVMValueRef fn = LLVMAddFunction(g->mod, kernel_symbol[id], kernel_type(g, id));
	LLVMValueRef null = LLVMConstPointerNull(g->ptr), data;
	size_t max_members = 1, max_outs = 1;
	hessc_status st = HESSC_OK;
	K->fn = fn;
	K->v = null;
	K->pk = id == TAPE_GRAD ? &P->grad : id == TAPE_HESS ? &P->hess : NULL;
	g->x = LLVMGetParam(fn, 0);
	g->out = null;
	switch (id) {
	case TAPE_F: data = LLVMGetParam(fn, 2); break;
	case TAPE_GRAD:
	case TAPE_HESS: g->out = LLVMGetParam(fn, 1); data = LLVMGetParam(fn, 3); break;
	default: K->v = LLVMGetParam(fn, 1); g->out = LLVMGetParam(fn, 2); data = LLVMGetParam(fn, 4); break;
	}
	mark_pointers_noalias(g, fn, id == TAPE_F ? 2 : id == TAPE_HESSVEC ? 4 : 3);
	LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, fn, "entry"));
	for (size_t gi = 0; gi < P->n_groups; gi++)
		if (P->groups[gi].n_members > max_members)
			max_members = P->groups[gi].n_members;
	for (size_t r = 0; K->pk && r < K->pk->n_piece_total; r++)
		if (K->pk->pieces[r].n_outs > max_outs)
			max_outs = K->pk->pieces[r].n_outs;
	K->f_acc = malloc(max_members * sizeof *K->f_acc);
	K->acc = malloc(max_outs * sizeof *K->acc);
	if (!K->f_acc || !K->acc)
		return HESSC_ERR_NOMEM;
	K->i_ptr = LLVMBuildAlloca(g->b, g->i64, "i");
	K->j_ptr = LLVMBuildAlloca(g->b, g->i64, "j");
	for (size_t m = 0; m < max_members; m++)
		K->f_acc[m] = LLVMBuildAlloca(g->b, g->dbl, "f_member");
	for (size_t o = 0; o < max_outs; o++)
		K->acc[o] = LLVMBuildAlloca(g->b, g->dbl, "acc");
	LLVMValueRef total = LLVMBuildAlloca(g->b, g->dbl, "f");
	LLVMBuildStore(g->b, real(g, 0.0), total);
	if ((id == TAPE_GRAD && P->grad.zero) || id == TAPE_HESSVEC)
		zero(g, g->out, (int64_t)s->n);
	if (id == TAPE_HESS && P->hess.zero)
		zero(g, g->out, (int64_t)s->nnz);
	LLVMTypeRef i32ptr = LLVMPointerType(LLVMInt32TypeInContext(g->ctx), 0);
	LLVMValueRef maps = LLVMBuildBitCast(g->b, data, LLVMPointerType(i32ptr, 0), "");
	/* the inputs follow the n_loops maps in data's array of pointers */
	LLVMValueRef after_maps = i64c(g, (long)s->n_loops);
	g->inputs = LLVMBuildBitCast(g->b, LLVMBuildInBoundsGEP2(g->b, i32ptr, maps, &after_maps, 1, ""),
	                             LLVMPointerType(g->ptr, 0), "");
	for (size_t q = 0; q < s->n_loops; q++) {
		LLVMValueRef idx = i64c(g, (long)q);
		K->maps[q] = id == TAPE_HESS && P->hess.reads_map[q]
		             ? LLVMBuildLoad2(g->b, i32ptr, LLVMBuildInBoundsGEP2(g->b, i32ptr, maps, &idx,
		                                                                   1, ""), "")
		             : NULL;
	}
	for (size_t gi = 0; gi < P->n_groups && st == HESSC_OK; gi++) {
		const tplan_group *gr = &P->groups[gi];
		size_t n_out = 0;
		for (size_t m = 0; m < gr->n_members; m++) {
			const tmpl_loop *l = &s->loops[P->members[gr->first_member + m]];
			K->out_first[m] = n_out;
			n_out += id == TAPE_GRAD ? l->n_slots : id == TAPE_HESS ? l->d.nnz : 0;
			LLVMBuildStore(g->b, real(g, 0.0), K->f_acc[m]);
		}
		if (K->pk) {
			for (size_t r = 0; r < K->pk->n_pieces[gi] && st == HESSC_OK; r++)
				st = build_piece(g, K, gi, &K->pk->pieces[K->pk->first_piece[gi] + r], id);
		} else {
			tplan_piece whole = { 0, gr->count0, 0, gr->count1, 0, 0 };
			st = build_piece(g, K, gi, &whole, id);
		}
		if (id == TAPE_F || id == TAPE_GRAD) {  /* f += (0 + f0) + f1 ..., as the C kernels sum */
			LLVMValueRef gf = real(g, 0.0);
			for (size_t m = 0; m < gr->n_members; m++)
				gf = LLVMBuildFAdd(g->b, gf, LLVMBuildLoad2(g->b, g->dbl, K->f_acc[m], ""), "");
			LLVMBuildStore(g->b, LLVMBuildFAdd(g->b, LLVMBuildLoad2(g->b, g->dbl, total, ""), gf, ""),
			               total);
		}
	}
	if (id == TAPE_F || id == TAPE_GRAD)
		LLVMBuildRet(g->b, LLVMBuildLoad2(g->b, g->dbl, total, ""));
	else
		LLVMBuildRetVoid(g->b);
	free(K->f_acc);
	free(K->acc);
	K->f_acc = K->acc = NULL;
	return st;
}

hessc_status llvm_backend_compile_templated(const tmpl_set *s, diag_sink *diags,
                                            unsigned char **obj, size_t *obj_len,
                                            llvm_compile_times *times)
{
	double t_start = now_ms();
	hessc_status st = llvm_jit_init(diags);
	irgen g = { 0 };
	tmpl_plan plan;
	kernelgen K;
	size_t max_out = 1;
	memset(&plan, 0, sizeof plan);
	memset(&K, 0, sizeof K);
	*obj = NULL;
	*obj_len = 0;
	if (st != HESSC_OK)
		return st;
	if ((st = tmpl_plan_build(s, &plan)) != HESSC_OK)
		return st;
	size_t slots = 1;
	for (size_t q = 0; q < s->n_loops; q++) {
		for (int k = TAPE_F; k <= TAPE_HESS; k++)
			if (tmpl_plan_body(&plan, q, (tape_kernel_id)k)->n_slots > slots)
				slots = tmpl_plan_body(&plan, q, (tape_kernel_id)k)->n_slots;
		max_out += s->loops[q].n_slots + s->loops[q].d.nnz;
	}
	K.s = s;
	K.plan = &plan;
	K.tables = calloc(s->n_loops + 1, sizeof *K.tables);
	K.maps = calloc(s->n_loops + 1, sizeof *K.maps);
	K.out_val = calloc(max_out, sizeof *K.out_val);
	K.out_first = calloc(s->n_loops + 1, sizeof *K.out_first);
	if (!K.tables || !K.maps || !K.out_val || !K.out_first) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	if ((st = irgen_open(&g, slots)) != HESSC_OK)
		goto done;
	for (size_t q = 0; q < s->n_loops && st == HESSC_OK; q++)
		K.tables[q] = loop_table(&g, &s->loops[q], q, &st);
	for (int k = 0; k < TAPE_KERNELS && st == HESSC_OK; k++)
		st = build_templated_kernel(&g, &K, (tape_kernel_id)k);
	if (st == HESSC_ERR_INTERNAL)
		report_unknown_instruction(diags, "a loop body");
	if (st != HESSC_OK)
		goto done;
	st = finish_module(&g, LLVM_LOOP_PASSES, t_start, diags, obj, obj_len, times);
done:
	irgen_dispose(&g);
	tmpl_plan_free(&plan);
	free(K.tables);
	free(K.maps);
	free(K.out_val);
	free(K.out_first);
	return st;
}
