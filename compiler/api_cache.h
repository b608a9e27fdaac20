/* api_cache.h -- the kernel cache as a compilation uses it.
 *
 * In:  the texts (api_text.h), the options and the backend.
 * Out: the entry's paths (DIR/KEY.meta and DIR/KEY.o for LLVM's object
 *      file or DIR/KEY.so for cc's shared object), and the metadata read
 *      or written there.
 *
 * The key hashes (SHA-256) everything that decides the kernels: hessc's
 * version and the identity of the binary this code runs in (its path,
 * size and modification time, so that a rebuilt libhessc never reads what
 * an older one wrote), the backend and what its code depends on (LLVM's
 * target and CPU, or the C compiler command), the model's name and text,
 * every data name and text, the -D overrides and the objective.
 * The cache is best effort: a folder that cannot be made is a warning and
 * the compilation goes on without it.
 */
#ifndef HESSC_API_CACHE_H
#define HESSC_API_CACHE_H

#include <hessc/hessc.h>
#include "api_text.h"
#include "diag.h"
#include "kcache.h"

typedef struct api_cache {
	int usable;                    /* the folder exists and the paths are set */
	char key[SHA256_HEX_SIZE];
	char *dir;
	char *meta_path;               /* DIR/KEY.meta */
	char *code_path;               /* DIR/KEY.o or DIR/KEY.so */
} api_cache;

/* HESSC_OK with c->usable = 0 when there is no usable folder (warned). */
hessc_status api_cache_open(const api_texts *texts, const hessc_options *opt,
                            hessc_backend backend, diag_sink *diags, api_cache *c);
/* *hit = 1 and *meta filled when the entry exists and parses. */
hessc_status api_cache_read_meta(const api_cache *c, kernel_meta *meta, int *hit);
/* Written last, after the code: its presence says the entry is whole. */
hessc_status api_cache_write_meta(const api_cache *c, const kernel_meta *meta);
void api_cache_close(api_cache *c);

#endif
