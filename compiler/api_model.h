/* api_model.h -- what a compiled model (hessc_model of hessc/hessc.h) holds,
 * shared by the API's files: api.c (the public calls), api_build.c (a
 * compilation) and api_cache.c (a load from the kernel cache).
 *
 * Whichever way the kernels came, the model owns the same things: the
 * metadata (kcache.h's kernel_meta: sizes, names, initial point, bounds,
 * pattern, backend, loops), the loaded code of one backend, the load-time
 * data of LLVM's loops, and the descriptor pointing into all of them.
 */
#ifndef HESSC_API_MODEL_H
#define HESSC_API_MODEL_H

#include <hessc/hessc.h>
#include "cc_backend.h"
#include "kcache.h"
#if HESSC_HAVE_LLVM
#include "llvm_backend.h"
#include "llvm_loop_data.h"
#endif

struct hessc_model {
	kernel_meta meta;          /* sizes, names, x0, bounds, pattern */
	hessc_problem problem;     /* points into meta; kernels and data from the backend */
	hessc_stats stats;
	cc_kernels *cc;            /* the cc backend's loaded object, or NULL */
#if HESSC_HAVE_LLVM
	llvm_kernels *llvm;        /* the LLVM backend's linked object, or NULL */
	llvm_templated_data *llvm_loops;  /* the position maps LLVM's loops read, or NULL */
#endif
	const void *kernel_data;   /* what the backend gave as data; with run-time inputs,
	                              problem.data is NULL and instances (api_instance.c)
	                              build their data from this */
};

/* Milliseconds on a monotonic clock. */
double api_now_ms(void);

/* The descriptor's kernels and data from the loaded cc object. */
void api_take_cc_kernels(hessc_model *hm);

/* Point the descriptor's sizes, pattern, point and bounds at the metadata. */
void api_fill_problem(hessc_model *hm);

#endif
