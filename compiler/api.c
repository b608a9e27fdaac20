/* api.c -- libhessc: the public API (hessc/hessc.h) over the compiler.
 *
 * hessc_compile reads as the pipeline it runs:
 *   read texts -> cache key -> cache hit? load : (front end -> derive ->
 *   tape -> backend -> store) -> descriptor.
 * Only the functions declared with HESSC_API in hessc.h are visible outside
 * the shared library (built with -fvisibility=hidden).
 */
#include <hessc/hessc.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_cache.h"
#include "api_text.h"
#include "cc_backend.h"
#include "derive.h"
#include "diag.h"
#include "frontend.h"
#include "graph.h"
#include "kcache.h"
#include "tape.h"
#if HESSC_HAVE_LLVM
#include "llvm_backend.h"
#endif

struct hessc_model {
	kernel_meta meta;          /* sizes, names, x0, bounds, pattern */
	hessc_problem problem;     /* points into meta, kernels from the backend */
	hessc_stats stats;
	cc_kernels *cc;            /* the cc backend's loaded object, or NULL */
#if HESSC_HAVE_LLVM
	llvm_kernels *llvm;        /* the LLVM backend's linked object, or NULL */
#endif
};

static double now_ms(void)
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

/* Front end, derivatives, tape: what every backend reads. */
typedef struct lowered {
	graph *g;
	model *m;
	derivatives d;
	int have_d;
	tape t;
	int have_t;
} lowered;

static void lowered_free(lowered *L)
{
	if (L->have_t)
		tape_free(&L->t);
	if (L->have_d)
		derivatives_free(&L->d);
	model_free(L->m);
	graph_free(L->g);
}

static hessc_status lower_model(const api_texts *texts, const hessc_options *opt,
                                diag_sink *diags, lowered *L, hessc_stats *stats)
{
	frontend_source *data = calloc(texts->n_data ? texts->n_data : 1, sizeof *data);
	L->g = graph_new();
	if (!data || !L->g) {
		free(data);
		return HESSC_ERR_NOMEM;
	}
	for (size_t i = 0; i < texts->n_data; i++)
		data[i] = (frontend_source){ texts->data[i].name, texts->data[i].text, texts->data[i].len };
	frontend_input in = {
		.model = { texts->model.name, texts->model.text, texts->model.len },
		.data = data,
		.n_data = texts->n_data,
		.defines = opt->defines,
		.n_defines = opt->n_defines,
		.objective = opt->objective,
	};
	double t0 = now_ms();
	hessc_status st = frontend_build(&in, diags, L->g, &L->m);
	free(data);
	if (st == HESSC_OK && graph_failed(L->g))
		st = HESSC_ERR_NOMEM;
	double t1 = now_ms();
	stats->frontend_ms = t1 - t0;
	if (st != HESSC_OK)
		return st;

	st = derive(L->g, L->m->objective, L->m->n, DERIVE_DEFAULT_MAX_NNZ, &L->d);
	L->have_d = 1;
	if (st == HESSC_ERR_TOO_BIG)
		diag_report(diags, DIAG_ERROR, L->m->objective_loc, L->m->source, L->m->source_len,
		            "the Hessian would have %zu nonzeros (n = %zu), more than the limit of %zu",
		            L->d.nnz, L->m->n, (size_t)DERIVE_DEFAULT_MAX_NNZ);
	if (st == HESSC_OK && graph_failed(L->g))
		st = HESSC_ERR_NOMEM;
	double t2 = now_ms();
	stats->derive_ms = t2 - t1;
	if (st != HESSC_OK)
		return st;

	st = tape_build(L->g, &L->d, &L->t);
	L->have_t = 1;
	stats->lower_ms = now_ms() - t2;
	return st;
}

/* The metadata a loaded model keeps, copied out of the pipeline's
 * structures (which are freed once the kernels exist). */
static hessc_status meta_from(const lowered *L, kernel_meta *meta)
{
	const model *m = L->m;
	size_t n = m->n, nnz = L->d.nnz;
	memset(meta, 0, sizeof *meta);
	meta->name = strdup(m->name ? m->name : "");
	meta->objective = strdup(m->objective_name ? m->objective_name : "");
	meta->maximize = m->maximize;
	meta->names = calloc(n ? n : 1, sizeof *meta->names);
	meta->x0 = malloc((n ? n : 1) * sizeof *meta->x0);
	meta->lower = malloc((n ? n : 1) * sizeof *meta->lower);
	meta->upper = malloc((n ? n : 1) * sizeof *meta->upper);
	meta->colptr = malloc((n + 1) * sizeof *meta->colptr);
	meta->rowind = malloc((nnz ? nnz : 1) * sizeof *meta->rowind);
	meta->n = n;
	meta->nnz = nnz;
	meta->work_size = L->t.work_size;
	if (!meta->name || !meta->objective || !meta->names || !meta->x0 || !meta->lower ||
	    !meta->upper || !meta->colptr || !meta->rowind)
		return HESSC_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(meta->names[i] = strdup(m->names[i])))
			return HESSC_ERR_NOMEM;
	memcpy(meta->x0, m->x0, n * sizeof *meta->x0);
	memcpy(meta->lower, m->lower, n * sizeof *meta->lower);
	memcpy(meta->upper, m->upper, n * sizeof *meta->upper);
	memcpy(meta->colptr, L->d.hess_colptr, (n + 1) * sizeof *meta->colptr);
	memcpy(meta->rowind, L->d.hess_rowind, nnz * sizeof *meta->rowind);
	return HESSC_OK;
}

/* Kernels by the cc backend; `save` (or NULL) is where the cache keeps the
 * shared object. */
static hessc_status build_cc(const lowered *L, const char *save, diag_sink *diags,
                             hessc_model *hm)
{
	cc_options co = { .save_object = save };
	hessc_status st = cc_backend_load(L->m, &L->d, &L->t, &co, diags, &hm->cc);
	if (st == HESSC_OK && cc_kernels_problem(hm->cc)->work_size > hm->meta.work_size)
		hm->meta.work_size = cc_kernels_problem(hm->cc)->work_size;
	return st;
}

static void take_cc_kernels(hessc_model *hm)
{
	const hessc_problem *p = cc_kernels_problem(hm->cc);
	hm->problem.f = p->f;
	hm->problem.grad = p->grad;
	hm->problem.hess = p->hess;
	hm->problem.hessvec = p->hessvec;
	hm->problem.data = p->data;
}

#if HESSC_HAVE_LLVM
/* Kernels by the LLVM backend; the object's bytes are kept for the cache. */
static hessc_status build_llvm(const lowered *L, diag_sink *diags, hessc_model *hm,
                               unsigned char **obj, size_t *obj_len)
{
	double t0 = now_ms();
	hessc_status st = llvm_backend_compile(&L->t, diags, obj, obj_len);
	double t1 = now_ms();
	hm->stats.codegen_ms = t1 - t0;
	if (st == HESSC_OK)
		st = llvm_backend_load(*obj, *obj_len, diags, &hm->problem, &hm->llvm);
	hm->stats.load_ms = now_ms() - t1;
	return st;
}
#endif

/* Point the descriptor at the metadata. */
static void fill_problem(hessc_model *hm)
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

/* Kernels from the cache: HESSC_OK with *hit = 0 on a miss (or an entry
 * that does not load, which is then rebuilt). */
static hessc_status load_cached(const api_cache *c, hessc_backend backend, diag_sink *diags,
                                hessc_model *hm, int *hit)
{
	*hit = 0;
	double t0 = now_ms();
	hessc_status st = api_cache_read_meta(c, &hm->meta, hit);
	if (st != HESSC_OK || !*hit)
		return st;
	/* a stale or foreign entry is a miss, not an error: quiet diagnostics */
	diag_sink quiet = { 0 };
	(void)diags;
	if (backend == HESSC_BACKEND_CC) {
		st = cc_kernels_open(c->code_path, &quiet, &hm->cc);
		if (st == HESSC_OK)
			take_cc_kernels(hm);
	} else {
#if HESSC_HAVE_LLVM
		unsigned char *obj = NULL;
		size_t len = 0;
		int found = 0;
		st = kcache_read(c->code_path, &obj, &len, &found);
		if (st == HESSC_OK && !found)
			st = HESSC_ERR_INTERNAL;
		if (st == HESSC_OK)
			st = llvm_backend_load(obj, len, &quiet, &hm->problem, &hm->llvm);
		free(obj);
#else
		st = HESSC_ERR_INTERNAL;
#endif
	}
	if (st != HESSC_OK) {
		kernel_meta_free(&hm->meta);
		*hit = 0;
		return st == HESSC_ERR_NOMEM ? st : HESSC_OK;
	}
	hm->stats.load_ms = now_ms() - t0;
	return HESSC_OK;
}

static hessc_backend resolve_backend(hessc_backend b)
{
	if (b == HESSC_BACKEND_AUTO)
		return HESSC_HAVE_LLVM ? HESSC_BACKEND_LLVM : HESSC_BACKEND_CC;
	return b;
}

hessc_status hessc_compile(const hessc_text *model_text, const hessc_options *opt_in,
                           hessc_model **out)
{
	double t_start = now_ms();
	hessc_options defaults;
	hessc_options_init(&defaults);
	const hessc_options *opt = opt_in ? opt_in : &defaults;
	user_diag u = { opt->diag, opt->diag_ctx };
	diag_sink diags = { forward_diag, &u, 0 };
	hessc_status st;
	api_texts texts = { 0 };
	api_cache cache = { 0 };
	lowered L = { 0 };
	unsigned char *obj = NULL;
	size_t obj_len = 0;
	int hit = 0;

	if (!out)
		return HESSC_ERR_USAGE;
	*out = NULL;
	hessc_model *hm = calloc(1, sizeof *hm);
	if (!hm)
		return HESSC_ERR_NOMEM;
	hessc_backend backend = resolve_backend(opt->backend);
	hm->stats.backend = backend;
	if (!model_text || (!model_text->text && !model_text->name) ||
	    (opt->n_data && !opt->data) || (opt->n_defines && !opt->defines) ||
	    (backend != HESSC_BACKEND_LLVM && backend != HESSC_BACKEND_CC)) {
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
	if (st != HESSC_OK)
		goto done;
	if (opt->use_cache) {
		st = api_cache_open(&texts, opt, backend, &diags, &cache);
		if (st == HESSC_OK)
			st = load_cached(&cache, backend, &diags, hm, &hit);
		if (st != HESSC_OK)
			goto done;
	}
	if (hit) {
		hm->stats.from_cache = 1;
		fill_problem(hm);
		goto done;
	}

	st = lower_model(&texts, opt, &diags, &L, &hm->stats);
	if (st == HESSC_OK)
		st = meta_from(&L, &hm->meta);
	if (st != HESSC_OK)
		goto done;
	const char *save = cache.usable ? cache.code_path : NULL;
	if (backend == HESSC_BACKEND_CC) {
		double t0 = now_ms();
		st = build_cc(&L, save, &diags, hm);
		hm->stats.codegen_ms = now_ms() - t0;
		if (st == HESSC_OK)
			take_cc_kernels(hm);
	} else {
#if HESSC_HAVE_LLVM
		st = build_llvm(&L, &diags, hm, &obj, &obj_len);
		/* the cache keeps the object; failing to write it costs only time */
		if (st == HESSC_OK && save && kcache_write(save, obj, obj_len) != HESSC_OK)
			save = NULL;
#endif
	}
	if (st != HESSC_OK)
		goto done;
	fill_problem(hm);
	if (save && api_cache_write_meta(&cache, &hm->meta) == HESSC_OK)
		hm->stats.stored_in_cache = 1;

done:
	free(obj);
	lowered_free(&L);
	api_cache_close(&cache);
	api_texts_free(&texts);
	if (st != HESSC_OK) {
		hessc_model_free(hm);
		return st;
	}
	hm->stats.total_ms = now_ms() - t_start;
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
hessc_f_fn hessc_model_f(const hessc_model *m) { return m->problem.f; }
hessc_grad_fn hessc_model_grad(const hessc_model *m) { return m->problem.grad; }
hessc_hess_fn hessc_model_hess(const hessc_model *m) { return m->problem.hess; }
hessc_hessvec_fn hessc_model_hessvec(const hessc_model *m) { return m->problem.hessvec; }
const hessc_problem *hessc_model_problem(const hessc_model *m) { return &m->problem; }
void hessc_model_stats(const hessc_model *m, hessc_stats *out) { *out = m->stats; }

int hessc_model_has_bounds(const hessc_model *m)
{
	for (size_t i = 0; i < m->meta.n; i++)
		if (isfinite(m->meta.lower[i]) || isfinite(m->meta.upper[i]))
			return 1;
	return 0;
}
