/* llvm_jit.h -- LLVM's machinery under the LLVM backend: optimize a module,
 * turn it into machine code, link that code in memory.
 *
 * In:  an LLVM module built by llvm_backend.c (in a context of its own).
 * Out: the bytes of a relocatable object file (what the kernel cache keeps),
 *      then a loaded image of that object in an ORC LLJIT instance, whose
 *      symbols' addresses are the kernels.
 *
 * One LLJIT per image, so images (models) live and die independently.
 * Math functions (sin, exp, pow, ...) resolve to this process's libm, first
 * through a fixed table (so they are found even when the host program does
 * not link libm itself), then through the process's symbol table.
 * Failures are reported to the sink with LLVM's message; nothing prints.
 */
#ifndef HESSC_LLVM_JIT_H
#define HESSC_LLVM_JIT_H

#include <stddef.h>
#include <llvm-c/Core.h>
#include "diag.h"
#include "status.h"

/* Initialize LLVM's native target once per process; thread-safe. */
hessc_status llvm_jit_init(diag_sink *diags);

/* "triple;cpu;features;llvm version": what object code depends on, for
 * cache keys.  Valid after llvm_jit_init. */
const char *llvm_jit_target_id(void);

/* Milliseconds spent in each step of llvm_jit_emit_object. */
typedef struct llvm_jit_times {
	double optimize_ms;   /* the pass pipeline */
	double codegen_ms;    /* instruction selection, registers, the object file */
} llvm_jit_times;

/* Optimize `mod` with the pass pipeline `passes` (the new pass manager's
 * text, e.g. "default<O2>"; no fast-math flags are ever set, so no pass
 * may reassociate) and emit a relocatable object for this machine; *obj
 * is malloc'ed.  `mod` is changed (optimized) but still owned by the
 * caller.  `times` may be NULL. */
hessc_status llvm_jit_emit_object(LLVMModuleRef mod, const char *passes, diag_sink *diags,
                                  unsigned char **obj, size_t *obj_len, llvm_jit_times *times);

typedef struct llvm_jit_image llvm_jit_image;

/* Link an object file in memory (the bytes are copied). */
hessc_status llvm_jit_load(const unsigned char *obj, size_t obj_len, diag_sink *diags,
                           llvm_jit_image **out);
/* Address of a symbol the object defines; NULL (reported) when it is
 * missing or the object's own references cannot be resolved. */
void *llvm_jit_lookup(llvm_jit_image *img, const char *name, diag_sink *diags);
void llvm_jit_image_free(llvm_jit_image *img);

#endif
