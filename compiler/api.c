/* api.c -- libhessc: the public API (hessc/hessc.h) over the compiler.
 *
 * hessc_compile reads as the pipeline it runs:
 *   read texts -> cache key -> cache hit? load (api_cache.c)
 *                                        : compile (api_build.c), store
 *   -> descriptor.
 * Only the functions declared with HESSC_API in hessc.h are visible outside
 * the shared library (built with -fvisibility=hidden).  The hessc command
 * is a client of the same calls (cli_kernels.c).
 */
#include <hessc/hessc.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_build.h"
#include "api_cache.h"
#include "api_model.h"
#include "api_text.h"
#include "diag.h"

double api_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- diagnostics: internal diag -> the caller's callback ----------------------- */

typedef struct user_diag {
	hessc_diag_fn fn;
	void *ctx;
} user_diag;

static void forward_diag(void *ctx, const diag *d)
{
	const user_diag *u = ctx;
	if (!u->fn)
		return;
	hessc_diagnostic out = {
		.level = (hessc_diag_level)d->level,
		.file = d->loc.file,
		.line = d->loc.line,
		.col = d->loc.col,
		.message = d->message,
		.source_line = d->source_line,
		.source_line_len = d->source_line_len,
	};
	u->fn(u->ctx, &out);
}

static void report(diag_sink *diags, const char *file, const char *fmt, const char *arg)
{
	source_loc loc = { file, 0, 0 };
	diag_report(diags, DIAG_ERROR, loc, NULL, 0, fmt, arg);
}

/* ---- public trivia ------------------------------------------------------------ */

void hessc_options_init(hessc_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->backend = HESSC_BACKEND_AUTO;
	opt->use_cache = 1;
}

const char *hessc_version(void)
{
	return HESSC_VERSION_STRING;
}

int hessc_have_llvm(void)
{
	return HESSC_HAVE_LLVM;
}

const char *hessc_backend_name(hessc_backend b)
{
	switch (b) {
	case HESSC_BACKEND_LLVM: return "llvm";
	case HESSC_BACKEND_CC: return "cc";
	case HESSC_BACKEND_AUTO: break;
	}
	return "auto";
}

const char *hessc_status_message(hessc_status s)
{
	switch (s) {
	case HESSC_OK: return "success";
	case HESSC_ERR_MODEL: return "the model is wrong";
	case HESSC_ERR_USAGE: return "bad arguments";
	case HESSC_ERR_INTERNAL: return "internal error";
	case HESSC_ERR_NOMEM: return "out of memory";
	case HESSC_ERR_TOO_BIG: return "the derivatives are too big";
	}
	return "unknown status";
}

/* ---- the pipeline -------------------------------------------------------------- */

void api_take_cc_kernels(hessc_model *hm)
{
	const hessc_problem *p = cc_kernels_problem(hm->cc);
	hm->problem.f = p->f;
	hm->problem.grad = p->grad;
	hm->problem.hess = p->hess;
	hm->problem.hessvec = p->hessvec;
	hm->problem.data = p->data;
}

void api_fill_problem(hessc_model *hm)
{
	hessc_problem *p = &hm->problem;
	p->name = hm->meta.name;
	p->n = (int)hm->meta.n;
	p->nnz = (int)hm->meta.nnz;
	p->hess_colptr = hm->meta.colptr;
	p->hess_rowind = hm->meta.rowind;
	p->x0 = hm->meta.x0;
	p->lower = hm->meta.lower;
	p->upper = hm->meta.upper;
	p->work_size = hm->meta.work_size;
}

hessc_status hessc_compile(const hessc_text *model_text, const hessc_options *opt_in,
                           hessc_model **out)
{
	double t_start = api_now_ms();
	hessc_options defaults;
	hessc_options_init(&defaults);
	const hessc_options *opt = opt_in ? opt_in : &defaults;
	user_diag u = { opt->diag, opt->diag_ctx };
	diag_sink diags = { forward_diag, &u, 0 };
	hessc_status st;
	api_texts texts = { 0 };
	api_cache cache = { 0 };
	int hit = 0, stored = 0;

	if (!out)
		return HESSC_ERR_USAGE;
	*out = NULL;
	hessc_model *hm = calloc(1, sizeof *hm);
	if (!hm)
		return HESSC_ERR_NOMEM;
	hessc_backend backend = opt->backend;
	if (!model_text || (!model_text->text && !model_text->name) ||
	    (opt->n_data && !opt->data) || (opt->n_defines && !opt->defines) ||
	    (backend != HESSC_BACKEND_AUTO && backend != HESSC_BACKEND_LLVM &&
	     backend != HESSC_BACKEND_CC)) {
		report(&diags, "hessc", "%s", "hessc_compile: missing model, data or defines, or an unknown backend");
		st = HESSC_ERR_USAGE;
		goto done;
	}
	if (backend == HESSC_BACKEND_LLVM && !HESSC_HAVE_LLVM) {
		report(&diags, "hessc", "%s", "this libhessc was built without the LLVM backend (use cc)");
		st = HESSC_ERR_USAGE;
		goto done;
	}

	st = api_texts_read(model_text, opt->data, opt->n_data, &diags, &texts);
	if (st == HESSC_OK && opt->use_cache)
		st = api_cache_open(&texts, opt, backend, &diags, &cache);
	if (st == HESSC_OK)
		st = api_cache_load(&cache, hm, &hit);
	if (st == HESSC_OK && !hit) {
		st = api_build(&texts, opt, backend, &cache, &diags, hm, &stored);
		hm->stats.backend = (hessc_backend)hm->meta.backend;
		hm->stats.loops = hm->meta.loops;
		if (st == HESSC_OK && stored && api_cache_write_meta(&cache, &hm->meta) == HESSC_OK)
			hm->stats.stored_in_cache = 1;
	}
	if (st == HESSC_OK) {
		api_fill_problem(hm);
		hm->kernel_data = hm->problem.data;
		if (hm->meta.n_inputs)
			hm->problem.data = NULL;   /* kernels read an instance's data (api_instance.c) */
	}
done:
	api_cache_close(&cache);
	api_texts_free(&texts);
	if (st != HESSC_OK) {
		hessc_model_free(hm);
		return st;
	}
	hm->stats.total_ms = api_now_ms() - t_start;
	*out = hm;
	return HESSC_OK;
}

hessc_status hessc_compile_file(const char *path, const hessc_options *opt, hessc_model **out)
{
	hessc_text t = { path, NULL, 0 };
	return hessc_compile(&t, opt, out);
}

hessc_status hessc_compile_string(const char *name, const char *text, size_t len,
                                  const hessc_options *opt, hessc_model **out)
{
	hessc_text t = { name ? name : "<string>", text, len };
	if (!text) {
		if (out)
			*out = NULL;
		return HESSC_ERR_USAGE;
	}
	return hessc_compile(&t, opt, out);
}

void hessc_model_free(hessc_model *m)
{
	if (!m)
		return;
	cc_kernels_free(m->cc);
#if HESSC_HAVE_LLVM
	llvm_templated_data_free(m->llvm_loops);
	llvm_kernels_free(m->llvm);
#endif
	kernel_meta_free(&m->meta);
	free(m);
}

/* ---- queries ------------------------------------------------------------------- */

const char *hessc_model_name(const hessc_model *m) { return m->meta.name; }
const char *hessc_model_objective(const hessc_model *m) { return m->meta.objective; }
int hessc_model_maximize(const hessc_model *m) { return m->meta.maximize; }
size_t hessc_model_n(const hessc_model *m) { return m->meta.n; }
const char *const *hessc_model_names(const hessc_model *m) { return (const char *const *)m->meta.names; }
const double *hessc_model_x0(const hessc_model *m) { return m->meta.x0; }
const double *hessc_model_lower(const hessc_model *m) { return m->meta.lower; }
const double *hessc_model_upper(const hessc_model *m) { return m->meta.upper; }
size_t hessc_model_nnz(const hessc_model *m) { return m->meta.nnz; }
const int *hessc_model_hess_colptr(const hessc_model *m) { return m->meta.colptr; }
const int *hessc_model_hess_rowind(const hessc_model *m) { return m->meta.rowind; }
size_t hessc_model_work_size(const hessc_model *m) { return m->meta.work_size; }
size_t hessc_model_n_inputs(const hessc_model *m) { return m->meta.n_inputs; }
const char *hessc_model_input_name(const hessc_model *m, size_t k)
{
	return k < m->meta.n_inputs ? m->meta.input_names[k] : NULL;
}
size_t hessc_model_input_size(const hessc_model *m, size_t k)
{
	return k < m->meta.n_inputs ? m->meta.input_counts[k] : 0;
}
const char *hessc_model_input_layout(const hessc_model *m, size_t k)
{
	return k < m->meta.n_inputs ? m->meta.input_layouts[k] : NULL;
}
hessc_f_fn hessc_model_f(const hessc_model *m) { return m->problem.f; }
hessc_grad_fn hessc_model_grad(const hessc_model *m) { return m->problem.grad; }
hessc_hess_fn hessc_model_hess(const hessc_model *m) { return m->problem.hess; }
hessc_hessvec_fn hessc_model_hessvec(const hessc_model *m) { return m->problem.hessvec; }
const void *hessc_model_data(const hessc_model *m) { return m->problem.data; }
const hessc_problem *hessc_model_problem(const hessc_model *m) { return &m->problem; }
void hessc_model_stats(const hessc_model *m, hessc_stats *out) { *out = m->stats; }

int hessc_model_has_bounds(const hessc_model *m)
{
	for (size_t i = 0; i < m->meta.n; i++)
		if (isfinite(m->meta.lower[i]) || isfinite(m->meta.upper[i]))
			return 1;
	return 0;
}
