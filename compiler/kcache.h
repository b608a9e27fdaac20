/* kcache.h -- the on-disk kernel cache: compiled kernels kept between runs.
 *
 * In:  a key (the SHA-256 of everything that determines the kernels: model
 *      and data texts, -D overrides, objective, backend, options, hessc
 *      version, the machine's target), the kernels' metadata (sizes, names,
 *      initial point, bounds, Hessian pattern) and their machine code (an
 *      object file or a shared object).
 * Out: files DIR/KEY.meta and DIR/KEY.EXT, and back again.
 *
 * Several processes may compile the same model at once: every file is
 * written under a temporary name in DIR and renamed into place, code before
 * metadata, so a reader that finds KEY.meta finds complete code beside it.
 * A file that does not parse is a miss, never a crash.
 *
 * DIR is $HESSC_CACHE_DIR, else $XDG_CACHE_HOME/hessc, else
 * $HOME/.cache/hessc, unless the caller names one.
 */
#ifndef HESSC_KCACHE_H
#define HESSC_KCACHE_H

#include <stddef.h>
#include <stdint.h>
#include "sha256.h"
#include "status.h"

/* What a loaded model needs besides its code; kept in KEY.meta. */
typedef struct kernel_meta {
	char *name;            /* model name */
	char *objective;       /* objective name */
	int maximize;          /* 1 for `maximize` */
	size_t n;              /* variables */
	char **names;          /* size n */
	double *x0;            /* size n */
	double *lower;         /* size n */
	double *upper;         /* size n */
	size_t nnz;            /* lower-triangle nonzeros */
	int32_t *colptr;       /* size n+1 */
	int32_t *rowind;       /* size nnz */
	size_t work_size;      /* doubles of work per kernel call */
	int backend;           /* the hessc_backend that made the code (LLVM or CC) */
	size_t loops;          /* loops in the kernels (template.h); 0: written out */
	unsigned char *setup;  /* what loading needs besides the code and the above
	                          (LLVM's loops: llvm_loop_data.h), or NULL */
	size_t setup_len;
	size_t n_inputs;       /* run-time inputs (frontend.h's model_input), in order */
	char **input_names;    /* size n_inputs */
	size_t *input_counts;  /* size n_inputs: elements of each */
	char **input_layouts;  /* size n_inputs: model_input's layout text */
} kernel_meta;

void kernel_meta_free(kernel_meta *m);   /* frees the members, not m */
hessc_status kernel_meta_serialize(const kernel_meta *m, unsigned char **bytes, size_t *len);
/* HESSC_ERR_INTERNAL when the bytes are not a valid metadata record. */
hessc_status kernel_meta_parse(const unsigned char *bytes, size_t len, kernel_meta *out);

/* The key: fields are fed with their length in front, so that no two
 * different field lists hash the same bytes. */
typedef struct kcache_key {
	sha256_ctx sha;
} kcache_key;

void kcache_key_init(kcache_key *k);
void kcache_key_add(kcache_key *k, const char *tag, const void *bytes, size_t len);
void kcache_key_add_str(kcache_key *k, const char *tag, const char *s);  /* NULL is a field too */
void kcache_key_final(kcache_key *k, char hex[SHA256_HEX_SIZE]);

/* The cache folder (malloc'ed) from `override` or the environment. */
hessc_status kcache_dir(const char *override, char **dir);
/* mkdir -p DIR (mode 0700 for what it creates). */
hessc_status kcache_make_dir(const char *dir);
/* DIR/KEY.EXT, malloc'ed; NULL when out of memory. */
char *kcache_path(const char *dir, const char *key, const char *ext);

/* *found = 0 and HESSC_OK when the file does not exist. */
hessc_status kcache_read(const char *path, unsigned char **bytes, size_t *len, int *found);
/* Write to a temporary file beside path, then rename it into place
 * (atomic_file.h). */
hessc_status kcache_write(const char *path, const void *bytes, size_t len);

#endif
