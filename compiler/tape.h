/* tape.h -- the lowered form every backend reads: flat instruction lists.
 *
 * In:  a graph and its `derivatives` (derive.h): the node of f, the n
 *      gradient nodes, the Hessian's lower-triangle pattern (CSC) and the
 *      node of each stored entry.
 * Out: a `tape` of four kernels, each a list of instructions in topological
 *      order holding only the nodes that kernel needs:
 *
 *        TAPE_F        f(x)                       returns f
 *        TAPE_GRAD     g = grad f(x)              returns f
 *        TAPE_HESS     h[k] = value of entry k    (pattern order)
 *        TAPE_HESSVEC  hv = H(x) v, H the full symmetric matrix, accumulated
 *                      straight from the entry values (never stored):
 *                      hv[r] += h*v[c], and hv[c] += h*v[r] when r != c
 *
 * Every value lives in a numbered work slot.  Slots are assigned by last
 * use, CasADi's algorithm_ way: a slot is free again after the instruction
 * that reads its value for the last time, so a kernel needs `n_slots`
 * doubles of scratch, usually far fewer than its instruction count.
 * Outputs are explicit instructions, placed right after the value they
 * write is computed, so values die early.
 *
 * Readers: the C emitter (emit_c.h), the LLVM JIT, and tape_run(), the
 * reference interpreter the tests compare both with.  An operation's value
 * is graph_apply()'s (graph.h): integer powers by square-and-multiply in
 * graph_powi_value()'s order, which the emitters reproduce exactly.  A backend walks the
 * instructions in order; nothing else about the graph is needed.
 *
 * Extension point: loop-preserving templates (one term's value, gradient
 * and Hessian evaluated in a loop over an index range, scattered into the
 * global arrays through index maps) are meant to become further
 * instruction kinds here, e.g. TAPE_LOOP_BEGIN/TAPE_LOOP_END around a
 * body whose loads read x through an index map and whose outputs scatter
 * through a position map.  The straight-line kinds below stay as they are,
 * so every backend keeps working on unrolled kernels meanwhile.
 */
#ifndef HESSC_TAPE_H
#define HESSC_TAPE_H

#include <stddef.h>
#include <stdint.h>
#include "derive.h"
#include "graph.h"
#include "status.h"

typedef enum tape_kind {
	TAPE_CONST,    /* slot[dst] = value */
	TAPE_VAR,      /* slot[dst] = x[index] */
	TAPE_DATA,     /* slot[dst] = inputs[col][index]: element `index` of run-time
	                  input `col` (an OP_DATA leaf) */
	TAPE_OP,       /* slot[dst] = op(slot[a], slot[b], slot[c]); POWI: exponent in index */
	TAPE_OUT_F,    /* the kernel returns slot[a] (last instruction of F and GRAD) */
	TAPE_OUT,      /* out[index] = slot[a]: g in GRAD, h in HESS */
	TAPE_HV_ZERO,  /* out[0 .. index-1] = 0: first instruction of HESSVEC */
	TAPE_HV_ACC    /* out[index] += slot[a] * v[col]; and when index != col,
	                  out[col] += slot[a] * v[index] (index = row >= col) */
} tape_kind;

typedef struct tape_instr {
	uint8_t kind;     /* tape_kind */
	uint8_t op;       /* graph_op, TAPE_OP only */
	uint32_t dst;     /* result slot: TAPE_CONST, TAPE_VAR, TAPE_OP */
	uint32_t a, b, c; /* operand slots (as many as the op's arity) */
	int64_t index;    /* VAR: variable; DATA: element; POWI: exponent;
	                     OUT: position; HV_ZERO: n; HV_ACC: row */
	int64_t col;      /* HV_ACC: column; DATA: input array */
	double value;     /* CONST */
	node_id node;     /* the graph node computed or written (names, comments) */
} tape_instr;

typedef enum tape_kernel_id {
	TAPE_F, TAPE_GRAD, TAPE_HESS, TAPE_HESSVEC, TAPE_KERNELS
} tape_kernel_id;

typedef struct tape_kernel {
	tape_instr *code;  /* size len */
	size_t len;
	size_t n_slots;    /* work doubles tape_run needs for this kernel */
} tape_kernel;

typedef struct tape {
	size_t n;                            /* variables */
	size_t nnz;                          /* stored Hessian entries */
	tape_kernel kernel[TAPE_KERNELS];
	size_t work_size;                    /* max n_slots over the kernels */
} tape;

/* Lower `d` (nodes of `g`) to a tape.  HESSC_ERR_NOMEM when an allocation
 * fails, HESSC_ERR_INTERNAL when `d` names a node `g` does not have; *out
 * is then empty (tape_free is still safe). */
hessc_status tape_build(const graph *g, const derivatives *d, tape *out);
void tape_free(tape *t);

/* Run kernel `k` at x (the reference interpreter).  `v` is read by HESSVEC
 * only (size n); `out` receives g (n), h (nnz) or hv (n), and is unused
 * by F; `work` holds the kernel's n_slots doubles.  Returns f for F and
 * GRAD, 0 otherwise. */
double tape_run(const tape *t, tape_kernel_id k, const double *x,
                const double *v, double *out, double *work);
/* The same for kernels that read run-time inputs: TAPE_DATA reads
 * inputs[col][index] (one array per input, frontend.h's model_input order;
 * tape_run passes NULL and such reads give NaN). */
double tape_run_inputs(const tape *t, tape_kernel_id k, const double *x, const double *v,
                       double *out, double *work, const double *const *inputs);

#endif
