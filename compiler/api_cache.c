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

/* Which binary this code is part of, and which build of it. */
static void add_build_identity(kcache_key *k)
{
	Dl_info info;
	struct stat sb;
	if (dladdr((void *)(uintptr_t)add_build_identity, &info) && info.dli_fname &&
	    stat(info.dli_fname, &sb) == 0) {
		int64_t identity[2] = { (int64_t)sb.st_size, (int64_t)sb.st_mtime };
		kcache_key_add_str(k, "binary", info.dli_fname);
		kcache_key_add(k, "binary-stat", identity, sizeof identity);
	}
}

static hessc_status add_backend(kcache_key *k, hessc_backend backend, diag_sink *diags)
{
	kcache_key_add_str(k, "backend", hessc_backend_name(backend));
	if (backend == HESSC_BACKEND_CC) {
		const char *cc = getenv("HESSC_CC");
		kcache_key_add_str(k, "cc", cc && *cc ? cc : "cc");
		return HESSC_OK;
	}
#if HESSC_HAVE_LLVM
	const char *target = llvm_backend_target_id(diags);
	if (!target)
		return HESSC_ERR_INTERNAL;
	kcache_key_add_str(k, "target", target);
	return HESSC_OK;
#else
	(void)diags;
	return HESSC_ERR_INTERNAL;
#endif
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
	c->code_path = kcache_path(c->dir, c->key, backend == HESSC_BACKEND_CC ? "so" : "o");
	if (!c->meta_path || !c->code_path) {
		api_cache_close(c);
		return HESSC_ERR_NOMEM;
	}
	c->usable = 1;
	return HESSC_OK;
}

hessc_status api_cache_read_meta(const api_cache *c, kernel_meta *meta, int *hit)
{
	unsigned char *bytes = NULL;
	size_t len = 0;
	int found = 0;
	*hit = 0;
	if (!c->usable)
		return HESSC_OK;
	hessc_status st = kcache_read(c->meta_path, &bytes, &len, &found);
	if (st == HESSC_ERR_NOMEM)
		return st;
	if (st == HESSC_OK && found && kernel_meta_parse(bytes, len, meta) == HESSC_OK)
		*hit = 1;
	free(bytes);
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
	free(c->code_path);
	memset(c, 0, sizeof *c);
}
