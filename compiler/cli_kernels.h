/* cli_kernels.h -- the kernels `hessc eval` and `hessc solve` run, made by
 * the backend the user picks.
 *
 * In:  a loaded model (cli_load) and the backend: --backend llvm|cc, else
 *      $HESSC_BACKEND, else the default.
 * Out: a hessc_problem whose kernels are LLVM's (the tape compiled in
 *      memory, llvm_backend.h) or cc's (the generated C, cc_backend.h).
 *
 * The default is LLVM when hessc is built with it, except for models whose
 * repeated terms become loops (template.h): the LLVM backend compiles the
 * unrolled tape, so those go to cc's loop code unless llvm is asked for.
 */
#ifndef HESSC_CLI_KERNELS_H
#define HESSC_CLI_KERNELS_H

#include <hessc/problem.h>
#include "cc_backend.h"
#include "cli.h"

typedef enum cli_backend {
	CLI_BACKEND_DEFAULT = 0,
	CLI_BACKEND_LLVM,
	CLI_BACKEND_CC
} cli_backend;

/* `name` ("llvm", "cc", or NULL for $HESSC_BACKEND or the default) to a
 * backend: CLI_OK, or CLI_USAGE with the message printed. */
int cli_backend_parse(const char *name, cli_backend *out);

typedef struct cli_kernels {
	cc_kernels *cc;
	void *llvm;                /* llvm_kernels, when built with LLVM */
	void *llvm_data;           /* llvm_templated_data of loop models, or NULL */
	hessc_problem problem;     /* points into the model and the kernels */
} cli_kernels;

/* Derive, lower (or find loops) as the backend needs, compile and load;
 * reports its own errors and returns the exit code. */
int cli_kernels_load(const cli_args *args, cli_backend backend, cli_model *cm,
                     diag_sink *sink, cli_kernels *k);
void cli_kernels_free(cli_kernels *k);

#endif
