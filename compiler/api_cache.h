/* api_cache.h -- the kernel cache as a compilation uses it.
 *
 * In:  the texts (api_text.h), the options and the backend asked for.
 * Out: the entry's paths (DIR/KEY.meta, and DIR/KEY.o for LLVM's object
 *      file or DIR/KEY.so for cc's shared object), and a model loaded
 *      from them: metadata, code linked or dlopen'ed, and for LLVM's loops
 *      the position maps built again from the description the metadata
 *      keeps (llvm_loop_data.h).
 *
 * The key hashes (SHA-256) everything that decides the kernels: hessc's
 * version and the identity of the binary this code runs in (its path,
 * device, inode, size and modification time, so that a rebuilt libhessc or
 * hessc never reads what an older one wrote), the backend asked for and what code of
 * the backends it may pick depends on (LLVM's target and CPU, the C
 * compiler command), the model's name and text, every data name and text,
 * the -D overrides, the objective and whether terms are written out.
 * The cache is best effort: a folder that cannot be made is a warning and
 * the compilation goes on without it; an entry that does not load is a
 * miss and is written again.
 */
#ifndef HESSC_API_CACHE_H
#define HESSC_API_CACHE_H

#include <hessc/hessc.h>
#include "api_model.h"
#include "api_text.h"
#include "diag.h"
#include "kcache.h"

typedef struct api_cache {
	int usable;                    /* the folder exists and the paths are set */
	char key[SHA256_HEX_SIZE];
	char *dir;
	char *meta_path;               /* DIR/KEY.meta */
	char *o_path;                  /* DIR/KEY.o: LLVM's object */
	char *so_path;                 /* DIR/KEY.so: cc's shared object */
} api_cache;

/* HESSC_OK with c->usable = 0 when there is no usable folder (warned). */
hessc_status api_cache_open(const api_texts *texts, const hessc_options *opt,
                            hessc_backend backend, diag_sink *diags, api_cache *c);
/* The entry into hm (metadata, kernels, descriptor, load time): HESSC_OK
 * with *hit = 1, or with *hit = 0 and hm untouched when there is no entry
 * or it does not load; HESSC_ERR_NOMEM. */
hessc_status api_cache_load(const api_cache *c, hessc_model *hm, int *hit);
/* Written last, after the code: its presence says the entry is whole. */
hessc_status api_cache_write_meta(const api_cache *c, const kernel_meta *meta);
void api_cache_close(api_cache *c);

#endif
