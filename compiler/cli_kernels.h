/* cli_kernels.h -- the kernels `hessc eval` and `hessc solve` run, compiled
 * by the public API (hessc/hessc.h): the commands are clients of the same
 * pipeline and kernel cache as host programs.
 *
 * In:  the command's arguments: MODEL, DATA..., -D, --objective, --unroll,
 *      --no-cache, and the backend: --backend llvm|cc, else
 *      $HESSC_BACKEND, else the API's default (LLVM when built with it).
 * Out: a compiled model (hessc_model_free), its diagnostics printed on
 *      stderr as every command prints them (FILE:LINE:COL: error: ...,
 *      the line, a caret); with --stats one line on stderr saying how the
 *      kernels were made; the exit code.
 *
 * The kernel cache is on unless --no-cache: a second run of the same
 * model, data and options loads the kernels instead of compiling them.
 */
#ifndef HESSC_CLI_KERNELS_H
#define HESSC_CLI_KERNELS_H

#include <hessc/hessc.h>
#include "cli.h"

/* `name` ("llvm", "cc", or NULL for $HESSC_BACKEND or the default) to a
 * backend: CLI_OK, or CLI_USAGE with the message printed. */
int cli_backend_parse(const char *name, hessc_backend *out);

/* Compile (or load from the cache) the model of `args`: CLI_OK with *out
 * set, or the exit code with the errors printed and *out NULL. */
int cli_kernels_compile(const cli_args *args, hessc_backend backend, hessc_model **out);

#endif
