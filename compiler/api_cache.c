/* api_cache.c -- key and paths of a compilation's cache entry. */
#define _GNU_SOURCE 1  /* dladdr */
#include "api_cache.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if HESSC_HAVE_LLVM
#include "llvm_backend.h"
#endif

/* Which binary this code is part of, and which build of it: libhessc.so
 * as the loader found it, or for code linked into a program (the hessc
 * command), the program itself; dladdr names a program as it was started
 * ("hessc" through $PATH), which need not be a path stat() finds. */
static void add_build_identity(kcache_key *k)
{
	Dl_info info;
	struct stat sb;
	const char *path = NULL;
	if (dladdr((void *)(uintptr_t)add_build_identity, &info) && info.dli_fname &&
	    strchr(info.dli_fname, '/') && stat(info.dli_fname, &sb) == 0)
		path = info.dli_fname;
	else if (stat("/proc/self/exe", &sb) == 0)
		path = "/proc/self/exe";
	if (!path)
		return;
	int64_t identity[4] = { (int64_t)sb.st_dev, (int64_t)sb.st_ino, (int64_t)sb.st_size,
	                        (int64_t)sb.st_mtime };
	kcache_key_add_str(k, "binary", path);
	kcache_key_add(k, "binary-stat", identity, sizeof identity);
}

/* What the code of the backends `backend` may pick depends on. */
static hessc_status add_backend(kcache_key *k, hessc_backend backend, diag_sink *diags)
{
	kcache_key_add_str(k, "backend", hessc_backend_name(backend));
	if (backend != HESSC_BACKEND_LLVM) {
		const char *cc = getenv("HESSC_CC");
		kcache_key_add_str(k, "cc", cc && *cc ? cc : "cc");
	}
	if (backend == HESSC_BACKEND_CC || !HESSC_HAVE_LLVM)
		return HESSC_OK;
#if HESSC_HAVE_LLVM
	const char *target = llvm_backend_target_id(diags);
	if (!target)
		return HESSC_ERR_INTERNAL;
	kcache_key_add_str(k, "target", target);
#else
	(void)diags;
#endif
	return HESSC_OK;
}

static void make_key(const api_texts *texts, const hessc_options *opt, kcache_key *k)
{
	kcache_key_add_str(k, "version", HESSC_VERSION_STRING);
	add_build_identity(k);
	kcache_key_add_str(k, "model-name", texts->model.name);
	kcache_key_add(k, "model", texts->model.text, texts->model.len);
	uint64_t n_data = texts->n_data, n_defines = opt->n_defines;
	kcache_key_add(k, "data-count", &n_data, sizeof n_data);
	for (size_t i = 0; i < texts->n_data; i++) {
		kcache_key_add_str(k, "data-name", texts->data[i].name);
		kcache_key_add(k, "data", texts->data[i].text, texts->data[i].len);
	}
	kcache_key_add(k, "define-count", &n_defines, sizeof n_defines);
	for (size_t i = 0; i < opt->n_defines; i++)
		kcache_key_add_str(k, "define", opt->defines[i]);
	kcache_key_add_str(k, "objective", opt->objective);
	uint64_t unrolled = opt->unrolled != 0;
	kcache_key_add(k, "unrolled", &unrolled, sizeof unrolled);
	/* run-time inputs: their values are never part of the key (not given
	 * at compile time), only that inputs are allowed */
	uint64_t inputs = opt->run_time_inputs != 0;
	kcache_key_add(k, "run-time-inputs", &inputs, sizeof inputs);
}

hessc_status api_cache_open(const api_texts *texts, const hessc_options *opt,
                            hessc_backend backend, diag_sink *diags, api_cache *c)
{
	memset(c, 0, sizeof *c);
	kcache_key k;
	kcache_key_init(&k);
	make_key(texts, opt, &k);
	hessc_status st = add_backend(&k, backend, diags);
	if (st != HESSC_OK)
		return st;
	kcache_key_final(&k, c->key);

	st = kcache_dir(opt->cache_dir, &c->dir);
	if (st == HESSC_OK)
		st = kcache_make_dir(c->dir);
	if (st == HESSC_ERR_NOMEM)
		return st;
	if (st != HESSC_OK) {
		source_loc loc = { c->dir ? c->dir : "hessc", 0, 0 };
		diag_report(diags, DIAG_WARNING, loc, NULL, 0,
		            "the kernel cache is off: its folder cannot be made");
		api_cache_close(c);
		return HESSC_OK;
	}
	c->meta_path = kcache_path(c->dir, c->key, "meta");
	c->o_path = kcache_path(c->dir, c->key, "o");
	c->so_path = kcache_path(c->dir, c->key, "so");
	if (!c->meta_path || !c->o_path || !c->so_path) {
		api_cache_close(c);
		return HESSC_ERR_NOMEM;
	}
	c->usable = 1;
	return HESSC_OK;
}

/* The metadata, when the entry exists and parses. */
static hessc_status read_meta(const api_cache *c, kernel_meta *meta, int *found)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	int exists = 0;
	*found = 0;
	hessc_status st = kcache_read(c->meta_path, &bytes, &len, &exists);
	if (st == HESSC_ERR_NOMEM)
		return st;
	if (st == HESSC_OK && exists && kernel_meta_parse(bytes, len, meta) == HESSC_OK)
		*found = 1;
	free(bytes);
	return HESSC_OK;
}

#if HESSC_HAVE_LLVM
/* LLVM's object linked, and for loops their position maps built again. */
static hessc_status load_llvm(const api_cache *c, diag_sink *quiet, hessc_model *hm)
{
	unsigned char *obj = NULL;
	size_t len = 0;
	int found = 0;
	const kernel_meta *k = &hm->meta;
	hessc_status st = kcache_read(c->o_path, &obj, &len, &found);
	if (st == HESSC_OK && !found)
		st = HESSC_ERR_INTERNAL;
	if (st == HESSC_OK)
		st = llvm_backend_load(obj, len, quiet, &hm->problem, &hm->llvm);
	if (st == HESSC_OK && k->loops)
		st = llvm_templated_data_load(k->setup, k->setup_len, k->n, k->nnz, k->colptr,
		                              k->rowind, &hm->problem, &hm->llvm_loops);
	free(obj);
	return st;
}
#endif

hessc_status api_cache_load(const api_cache *c, hessc_model *hm, int *hit)
{
	*hit = 0;
	if (!c->usable)
		return HESSC_OK;
	double t0 = api_now_ms();
	hessc_status st = read_meta(c, &hm->meta, hit);
	if (st != HESSC_OK || !*hit)
		return st;
	/* a stale or foreign entry is a miss, not an error: quiet diagnostics */
	diag_sink quiet = { 0 };
	if (hm->meta.backend == HESSC_BACKEND_CC) {
		st = cc_kernels_open(c->so_path, &quiet, &hm->cc);
		if (st == HESSC_OK)
			api_take_cc_kernels(hm);
	} else {
#if HESSC_HAVE_LLVM
		st = hm->meta.backend == HESSC_BACKEND_LLVM ? load_llvm(c, &quiet, hm)
		                                            : HESSC_ERR_INTERNAL;
#else
		st = HESSC_ERR_INTERNAL;
#endif
	}
	if (st != HESSC_OK) {
		/* back to nothing loaded: the caller compiles into the same model */
		cc_kernels_free(hm->cc);
#if HESSC_HAVE_LLVM
		llvm_templated_data_free(hm->llvm_loops);
		llvm_kernels_free(hm->llvm);
#endif
		kernel_meta_free(&hm->meta);
		hessc_stats stats = hm->stats;
		memset(hm, 0, sizeof *hm);
		hm->stats = stats;
		*hit = 0;
		return st == HESSC_ERR_NOMEM ? st : HESSC_OK;
	}
	hm->stats.from_cache = 1;
	hm->stats.backend = (hessc_backend)hm->meta.backend;
	hm->stats.loops = hm->meta.loops;
	hm->stats.load_ms = api_now_ms() - t0;
	return HESSC_OK;
}

hessc_status api_cache_write_meta(const api_cache *c, const kernel_meta *meta)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	hessc_status st = kernel_meta_serialize(meta, &bytes, &len);
	if (st == HESSC_OK)
		st = kcache_write(c->meta_path, bytes, len);
	free(bytes);
	return st;
}

void api_cache_close(api_cache *c)
{
	free(c->dir);
	free(c->meta_path);
	free(c->o_path);
	free(c->so_path);
	memset(c, 0, sizeof *c);
}
