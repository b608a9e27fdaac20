/* llvm_loop_data.h -- what LLVM's loop kernels read at run time, and how it
 * is made again when the kernels come from the kernel cache.
 *
 * In:  at compile time, the loops (template.h); at load time, the bytes
 *      llvm_templated_data_describe wrote (kept in the cache entry) and
 *      the global Hessian pattern.
 * Out: the kernels' data: one position map per loop (int32, the place in
 *      the pattern of local Hessian entry e at iteration it is
 *      map[it * nloc + e]), built in-process by template_setup.h's
 *      hsetup_positions, the very code generated C files run at load
 *      time; nothing of it is compiled.
 *
 * The description holds what the maps are made from: per loop its
 * iteration counts, its slots' variable maps (affine, or explicit for the
 * residual) and its local pattern, a few numbers per loop.  Loading checks
 * every variable and position against the pattern, so a damaged
 * description is refused (HESSC_ERR_INTERNAL), never followed out of
 * bounds.
 */
#ifndef HESSC_LLVM_LOOP_DATA_H
#define HESSC_LLVM_LOOP_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <hessc/problem.h>
#include "status.h"
#include "template.h"

typedef struct llvm_templated_data llvm_templated_data;

/* The loops of `s` as bytes (*bytes malloc'ed). */
hessc_status llvm_templated_data_describe(const tmpl_set *s, unsigned char **bytes,
                                          size_t *len);

/* The position maps from a description, over the pattern (n variables,
 * colptr[n+1], rowind[nnz], copied): sets p->n, nnz, hess_colptr,
 * hess_rowind, work_size (0) and data; they live until
 * llvm_templated_data_free. */
hessc_status llvm_templated_data_load(const unsigned char *bytes, size_t len, size_t n,
                                      size_t nnz, const int32_t *colptr, const int32_t *rowind,
                                      hessc_problem *p, llvm_templated_data **out);

/* Both at once: describe s, load over s's pattern. */
hessc_status llvm_templated_data_build(const tmpl_set *s, hessc_problem *p,
                                       llvm_templated_data **out);

void llvm_templated_data_free(llvm_templated_data *d);

#endif
