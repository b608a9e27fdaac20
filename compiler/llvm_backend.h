/* llvm_backend.h -- the LLVM backend: a tape to machine code, in memory.
 *
 * In:  a tape (tape.h): the four kernels as flat instruction lists.
 * Out: an object file (bytes, what the kernel cache keeps) that defines
 *      hessc_kernel_f, _grad, _hess and _hessvec with the callback types of
 *      hessc/problem.h; then those kernels loaded into this process.
 *
 * Each operation computes what graph_apply() computes (the interpreter's
 * and the C emitter's value): IEEE arithmetic rounded operation by
 * operation, no fast-math flags and no fused multiply-add, libm for the
 * elementary functions, integer powers by graph_powi_value()'s
 * square-and-multiply order.
 *
 * Long kernels are cut into internal functions ("chunks") of at most
 * LLVM_BACKEND_CHUNK instructions: LLVM's instruction schedulers grow
 * quadratically with the size of a basic block (memory operations are
 * chained), chunks keep compile time linear.  200 measured best on P1
 * (n = 1000: 1.7 s at 1000 instructions per chunk, 1.0 s at 200).  A value that a later chunk reads lives in work[slot] (the tape's
 * slot), every other value in a register; so the kernels need the tape's
 * work_size doubles of work, from the caller, and are reentrant.
 *
 * Run-time inputs (TAPE_DATA, frontend.h's model_input): the written-out
 * kernels' data is then `const double *const *`, one array per input in
 * the model's input order (the layout of generated C's P_data), and
 * TAPE_DATA reads data[col][index].  The loop kernels' data is one array
 * of pointers: the n_loops position maps first, then the inputs (see
 * below).  A tape without inputs never reads data.
 */
#ifndef HESSC_LLVM_BACKEND_H
#define HESSC_LLVM_BACKEND_H

#include <stddef.h>
#include <hessc/problem.h>
#include "diag.h"
#include "status.h"
#include "tape.h"
#include "template.h"

#define LLVM_BACKEND_CHUNK 200

/* Where a compilation's time went, in milliseconds. */
typedef struct llvm_compile_times {
	double ir_ms;          /* the module built from the tape or the loops */
	double optimize_ms;    /* LLVM's pass pipeline */
	double codegen_ms;     /* instruction selection to the object file */
} llvm_compile_times;

/* The object file for `t`, optimized by LLVM's default<O2> pipeline;
 * *obj is malloc'ed; `times` may be NULL. */
hessc_status llvm_backend_compile(const tape *t, diag_sink *diags, unsigned char **obj,
                                  size_t *obj_len, llvm_compile_times *times);

typedef struct llvm_kernels llvm_kernels;

/* Link an object made by llvm_backend_compile and set p->f, grad, hess and
 * hessvec to its kernels (the other fields of *p are left alone).  The
 * kernels live until llvm_kernels_free. */
hessc_status llvm_backend_load(const unsigned char *obj, size_t obj_len, diag_sink *diags,
                               hessc_problem *p, llvm_kernels **out);
void llvm_kernels_free(llvm_kernels *k);

/* What object code depends on besides the tape (target, CPU, LLVM version),
 * for cache keys; NULL when LLVM cannot be initialized. */
const char *llvm_backend_target_id(diag_sink *diags);

/* Templated models (template.h): the same four kernels, with what
 * emit_template.c writes in C: one loop nest per group of loops over one
 * range, cut into pieces, writing g and h as template_plan.h plans (stores
 * where a write comes first, a zeroing pass only where some first write
 * adds) from the bodies template_body.h simplified.  Tables of constants
 * become private globals of the object; the kernels need no work, and
 * their data must be the position maps of llvm_loop_data.h (one int32
 * array per loop; only loops whose places are not affine read theirs),
 * followed, when the loops read run-time inputs, by one const double *
 * per input: data slot d reads element data_base[d] + data_stride0[d]*i +
 * data_stride1[d]*j of input data_input[d], as emit_template.c does.
 * f sums each group's members on their own, then the groups, as the C
 * kernels do.
 *
 * Loops are optimized by LLVM_LOOP_PASSES, not default<O2>: O2 unrolls the
 * constant-count loops (P1 at n = 10,000: 50 copies of each body), which
 * quadruples code generation, and runs dozens of passes these small loop
 * bodies do not need.  The short pipeline keeps what the kernels' speed
 * comes from: scalar replacement and CSE of the bodies, rotated loops with
 * canonical induction variables, hoisting, and the loop vectorizer (P1's
 * Hessian loop becomes 8-wide AVX-512 with interleaved loads and stores).
 * Measured through the API (P1-P4 at n = 10,000, medians of 1001 calls,
 * Hessian microseconds): P1 4.21 against O2's 4.14 (without the vectorizer
 * 5.09), P2 11.27 / 11.20, P3 65.9 / 70.7, P4 132 / 119; optimization takes
 * a third of O2's time, code generation half (no unrolled copies). */
#define LLVM_LOOP_PASSES \
	"function(sroa,early-cse,instcombine,simplifycfg,loop(loop-rotate,indvars)," \
	"loop-mssa(licm),loop-vectorize,instcombine,simplifycfg)"
hessc_status llvm_backend_compile_templated(const tmpl_set *s, diag_sink *diags,
                                            unsigned char **obj, size_t *obj_len,
                                            llvm_compile_times *times);

#endif
