/* cc_backend.h -- the system-compiler backend: emitted C, compiled and loaded.
 *
 * In:  the model, its derivatives and their tape.
 * Out: loaded kernels behind a `hessc_problem` (hessc/problem.h), the very
 *      code `hessc gen` writes (emit_c.h), compiled by the system C
 *      compiler into a shared object in a temporary folder and dlopen'ed;
 *      the folder is removed before this returns.
 *
 * The compiler is `cc`, or the command in the environment variable
 * HESSC_CC (words separated by blanks, e.g. "clang -g").  The flags keep
 * IEEE results: no -ffast-math, and -ffp-contract=off so that no
 * multiply-add is fused (the interpreter and the JIT round every operation
 * on its own).  The optimization level trades compile time for speed; by
 * default -O1 for small sources and -O0 for large ones, where -O1 costs
 * about four times as long to compile (straight-line code from unrolled
 * models runs to hundreds of thousands of statements).
 * Compiler failures come back as HESSC_ERR_INTERNAL with the compiler's
 * first lines of output in a diagnostic.
 */
#ifndef HESSC_CC_BACKEND_H
#define HESSC_CC_BACKEND_H

#include <hessc/problem.h>
#include "derive.h"
#include "diag.h"
#include "frontend.h"
#include "status.h"
#include "tape.h"
#include "template.h"

/* How much the compiler optimizes; a zeroed cc_options means CC_OPT_AUTO:
 * -O1 for sources up to CC_AUTO_O1_MAX_BYTES, -O0 above. */
typedef enum cc_opt { CC_OPT_AUTO = 0, CC_OPT_O0, CC_OPT_O1, CC_OPT_O2 } cc_opt;
#define CC_AUTO_O1_MAX_BYTES ((long)1 << 20)

typedef struct cc_options {
	const char *cc;           /* compiler command; NULL: $HESSC_CC, else "cc" */
	int warnings_as_errors;   /* add -Wall -Wextra -pedantic -Werror (the tests do) */
	size_t chunk_statements;  /* passed to the emitter; 0: its default */
	cc_opt optimize;
	const char *save_object;  /* when set, the shared object is also written there,
	                             atomically (the kernel cache keeps it); failing
	                             to is a warning, the kernels still load */
	int *saved;               /* when set, receives 1 when save_object was written */
} cc_options;

typedef struct cc_kernels cc_kernels;

hessc_status cc_backend_load(const model *m, const derivatives *d, const tape *t,
                             const cc_options *opt, diag_sink *diags,
                             cc_kernels **out);

/* The same for templated code (emit_template.h): loops, with the pattern
 * built at load time by the code's setup routine into memory the kernels
 * own. */
hessc_status cc_backend_load_templated(const model *m, const tmpl_set *s, const cc_options *opt,
                                       diag_sink *diags, cc_kernels **out);

/* Load a shared object that a load above saved (opt->save_object). */
hessc_status cc_kernels_open(const char *path, diag_sink *diags, cc_kernels **out);

/* The loaded descriptor; valid until cc_kernels_free. */
const hessc_problem *cc_kernels_problem(const cc_kernels *k);

void cc_kernels_free(cc_kernels *k);

/* Templated code reading run-time inputs: a setup block of its own
 * (*block, malloc'ed, the caller frees it) whose kernels read the inputs'
 * struct at `inputs` (kept by address), and its descriptor.  Several
 * blocks serve several data sets at once.  HESSC_ERR_INTERNAL when the
 * code has no P_bind (written out, or no inputs). */
hessc_status cc_kernels_bind_block(const cc_kernels *k, const void *inputs, void **block,
                                   const hessc_problem **problem);

#endif
