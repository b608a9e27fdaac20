/* api_build.h -- a compilation the kernel cache did not answer: the one
 * pipeline behind libhessc and the `hessc eval` / `hessc solve` commands.
 *
 *   texts -> front end -> loops (template.h), or every term written out
 *   (derive.h, tape.h) -> LLVM or cc -> loaded kernels
 *
 * In:  the texts (api_text.h), the options, the backend asked for, and the
 *      cache entry (api_cache.h) whose code to write, when usable.
 * Out: the model's metadata (kcache.h's kernel_meta), loaded kernels, the
 *      data its loops read, its stats; *stored = 1 when the entry's code
 *      file was written (the caller writes the metadata after it).
 *
 * Loops are the default: the objective's repeated terms become loops over
 * one differentiated term when at least BUILD_MIN_LOOPED terms are covered
 * and what no loop covers is short enough for one function
 * (tmpl_residual_too_big); otherwise, or with opt->unrolled, every term is
 * written out.  HESSC_BACKEND_AUTO is LLVM when built with it, except for
 * written-out kernels of more than BUILD_LLVM_MAX_INSTRUCTIONS tape
 * instructions (a dense Hessian written out, fminsurf: LLVM's optimizer is
 * superlinear on such code and takes minutes, cc at -O0 seconds), and for
 * loops one of whose bodies (of more than one iteration; the residual
 * counts as written out) has more than BUILD_LLVM_MAX_LOOP_INSTRUCTIONS
 * (a dense local Hessian, a logistic regression over 100 features with its
 * data in the model: LLVM 18.5 s, most of it allocating registers for the
 * 5050 sums the body keeps across iterations; the C emitter accumulates
 * such columns in arrays, and cc takes 1 s).
 */
#ifndef HESSC_API_BUILD_H
#define HESSC_API_BUILD_H

#include "api_cache.h"
#include "api_model.h"
#include "api_text.h"
#include "diag.h"
#include "frontend.h"
#include "graph.h"
#include "template.h"

#define BUILD_MIN_LOOPED 2
#define BUILD_LLVM_MAX_INSTRUCTIONS 200000
#define BUILD_LLVM_MAX_LOOP_INSTRUCTIONS 4000

hessc_status api_build(const api_texts *texts, const hessc_options *opt, hessc_backend backend,
                       const api_cache *cache, diag_sink *diags, hessc_model *hm,
                       int *stored);

/* Whether m's objective (in g) is compiled as loops: HESSC_OK and *found = 1
 * with *ts filled (loops found and differentiated; the loops the front end
 * found while lowering, m->loops, moved into them), or *found = 0 and *ts
 * empty (every term is to be written out: what the loops cannot express,
 * a pattern over the limit included, is left for that path to compile or
 * report; loops the front end found are written out into g first, so that
 * m->objective is the whole objective); HESSC_ERR_NOMEM.  `hessc gen`
 * decides the same way. */
hessc_status api_find_loops(graph *g, model *m, tmpl_set *ts, int *found);

#endif
