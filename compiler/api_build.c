/* api_build.c -- front end, loops or tape, backend: see api_build.h. */
#include "api_build.h"

#include <stdlib.h>
#include <string.h>

#include "derive.h"
#include "tape.h"

/* What the stages made, freed together once the kernels exist. */
typedef struct pipeline {
	graph *g;
	model *m;
	tmpl_set ts;
	int looped;              /* ts holds the loops the kernels run */
	derivatives d;
	int have_d;
	tape t;
	int have_t;
} pipeline;

static void pipeline_free(pipeline *P)
{
	if (P->have_t)
		tape_free(&P->t);
	if (P->have_d)
		derivatives_free(&P->d);
	tmpl_set_free(&P->ts);
	model_free(P->m);
	graph_free(P->g);
}

static hessc_status front_end(const api_texts *texts, const hessc_options *opt,
                              diag_sink *diags, pipeline *P, hessc_stats *stats)
{
	frontend_source *data = calloc(texts->n_data ? texts->n_data : 1, sizeof *data);
	P->g = graph_new();
	if (!data || !P->g) {
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
		.find_loops = !opt->unrolled,   /* loops found while lowering (frontend.h) */
		.run_time_inputs = opt->run_time_inputs != 0,
	};
	double t0 = api_now_ms();
	hessc_status st = frontend_build(&in, diags, P->g, &P->m);
	free(data);
	if (st == HESSC_OK && graph_failed(P->g))
		st = HESSC_ERR_NOMEM;
	stats->frontend_ms = api_now_ms() - t0;
	return st;
}

/* The written-out path after all: the loops the front end found (still
 * in m->loops, or the first `moved` of ts's) go back into the objective. */
static hessc_status unroll_found(graph *g, model *m, const tmpl_set *ts, size_t moved)
{
	const tmpl_loop *loops = moved ? ts->loops : m->loops ? m->loops->loops : NULL;
	size_t n = moved ? moved : m->loops ? m->loops->n_loops : 0;
	hessc_status st = HESSC_OK;
	if (n > 0)
		st = tmpl_unroll_loops(g, m->objective, loops, n, &m->objective);
	if (m->loops) {
		tmpl_set_free(m->loops);
		free(m->loops);
		m->loops = NULL;
	}
	return st;
}

hessc_status api_find_loops(graph *g, model *m, tmpl_set *ts, int *found)
{
	size_t had = m->loops ? m->loops->n_loops : 0, moved;
	*found = 0;
	hessc_status st = tmpl_find_more(g, m->objective, m->n, BUILD_MIN_LOOPED, m->loops, ts);
	moved = had && m->loops->n_loops == 0 ? had : 0;
	if (st == HESSC_OK && ts->n_loops > 0)
		st = tmpl_derive(ts, DERIVE_DEFAULT_MAX_NNZ);
	if (st == HESSC_OK && ts->n_loops > 0 && !tmpl_residual_too_big(ts)) {
		*found = 1;
		return HESSC_OK;
	}
	if (st != HESSC_ERR_NOMEM)
		st = unroll_found(g, m, ts, moved) == HESSC_OK ? st : HESSC_ERR_NOMEM;
	tmpl_set_free(ts);
	/* whatever the loops could not express (a pattern over the limit
	 * included) is the written-out path's to compile or report */
	return st == HESSC_ERR_NOMEM ? st : HESSC_OK;
}

/* Every term written out: derivatives of the whole objective, its tape. */
static hessc_status write_out(pipeline *P, diag_sink *diags, hessc_stats *stats)
{
	const model *m = P->m;
	double t0 = api_now_ms();
	hessc_status st = derive(P->g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &P->d);
	P->have_d = 1;
	if (st == HESSC_ERR_TOO_BIG)
		diag_report(diags, DIAG_ERROR, m->objective_loc, m->source, m->source_len,
		            "the Hessian would have %zu nonzeros (n = %zu), more than the limit of %zu",
		            P->d.nnz, m->n, (size_t)DERIVE_DEFAULT_MAX_NNZ);
	if (st == HESSC_OK && graph_failed(P->g))
		st = HESSC_ERR_NOMEM;
	double t1 = api_now_ms();
	stats->derive_ms += t1 - t0;
	if (st != HESSC_OK)
		return st;
	st = tape_build(P->g, &P->d, &P->t);
	P->have_t = 1;
	stats->lower_ms += api_now_ms() - t1;
	return st;
}

/* The model's part of the metadata, and the pattern (n+1, nnz) given. */
static hessc_status meta_from(const model *m, size_t nnz, const int32_t *colptr,
                              const int32_t *rowind, kernel_meta *meta)
{
	size_t n = m->n;
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
	if (!meta->name || !meta->objective || !meta->names || !meta->x0 || !meta->lower ||
	    !meta->upper || !meta->colptr || !meta->rowind)
		return HESSC_ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(meta->names[i] = strdup(m->names[i])))
			return HESSC_ERR_NOMEM;
	memcpy(meta->x0, m->x0, n * sizeof *meta->x0);
	memcpy(meta->lower, m->lower, n * sizeof *meta->lower);
	memcpy(meta->upper, m->upper, n * sizeof *meta->upper);
	memcpy(meta->colptr, colptr, (n + 1) * sizeof *meta->colptr);
	if (nnz)
		memcpy(meta->rowind, rowind, nnz * sizeof *meta->rowind);
	if (m->n_inputs == 0)
		return HESSC_OK;
	meta->input_names = calloc(m->n_inputs, sizeof *meta->input_names);
	meta->input_counts = calloc(m->n_inputs, sizeof *meta->input_counts);
	meta->input_layouts = calloc(m->n_inputs, sizeof *meta->input_layouts);
	if (!meta->input_names || !meta->input_counts || !meta->input_layouts)
		return HESSC_ERR_NOMEM;
	meta->n_inputs = m->n_inputs;
	for (size_t a = 0; a < m->n_inputs; a++) {
		meta->input_names[a] = strdup(m->inputs[a].name);
		meta->input_layouts[a] = strdup(m->inputs[a].layout ? m->inputs[a].layout : "");
		meta->input_counts[a] = m->inputs[a].count;
		if (!meta->input_names[a] || !meta->input_layouts[a])
			return HESSC_ERR_NOMEM;
	}
	return HESSC_OK;
}

static size_t tape_instructions(const tape *t)
{
	size_t total = 0;
	for (int k = 0; k < TAPE_KERNELS; k++)
		total += t->kernel[k].len;
	return total;
}

static hessc_backend pick_backend(hessc_backend asked, const pipeline *P)
{
	if (asked != HESSC_BACKEND_AUTO)
		return asked;
	if (!HESSC_HAVE_LLVM)
		return HESSC_BACKEND_CC;
	if (!P->looped && tape_instructions(&P->t) > BUILD_LLVM_MAX_INSTRUCTIONS)
		return HESSC_BACKEND_CC;
	for (size_t q = 0; P->looped && q < P->ts.n_loops; q++) {
		const tmpl_loop *l = &P->ts.loops[q];   /* a residual runs once: written-out code */
		size_t most = tmpl_iterations(l) > 1 ? BUILD_LLVM_MAX_LOOP_INSTRUCTIONS
		                                     : BUILD_LLVM_MAX_INSTRUCTIONS;
		if (tape_instructions(&l->t) > most)
			return HESSC_BACKEND_CC;
	}
	return HESSC_BACKEND_LLVM;
}

/* cc: the C `hessc gen` writes (loops, or every term), compiled, loaded;
 * the shared object is saved into the cache entry on the way. */
static hessc_status build_cc(const pipeline *P, const api_cache *cache, diag_sink *diags,
                             hessc_model *hm, int *stored)
{
	int saved = 0;
	cc_options co = { .save_object = cache->usable ? cache->so_path : NULL, .saved = &saved };
	double t0 = api_now_ms();
	hessc_status st = P->looped
		? cc_backend_load_templated(P->m, &P->ts, &co, diags, &hm->cc)
		: cc_backend_load(P->m, &P->d, &P->t, &co, diags, &hm->cc);
	hm->stats.codegen_ms = api_now_ms() - t0;
	if (st != HESSC_OK)
		return st;
	*stored = saved;
	size_t work = cc_kernels_problem(hm->cc)->work_size;
	if (work > hm->meta.work_size)
		hm->meta.work_size = work;
	api_take_cc_kernels(hm);
	return HESSC_OK;
}

#if HESSC_HAVE_LLVM
/* LLVM: the module compiled to an object in memory (kept in the cache
 * entry), linked; the loops' position maps built in-process from their
 * description, which the metadata keeps for later loads. */
static hessc_status build_llvm(const pipeline *P, const api_cache *cache, diag_sink *diags,
                               hessc_model *hm, int *stored)
{
	unsigned char *obj = NULL;
	size_t obj_len = 0;
	llvm_compile_times times = { 0 };
	double t0 = api_now_ms();
	hessc_status st = P->looped
		? llvm_backend_compile_templated(&P->ts, diags, &obj, &obj_len, &times)
		: llvm_backend_compile(&P->t, diags, &obj, &obj_len, &times);
	double t1 = api_now_ms();
	hm->stats.codegen_ms = t1 - t0;
	hm->stats.llvm_ir_ms = times.ir_ms;
	hm->stats.llvm_optimize_ms = times.optimize_ms;
	hm->stats.llvm_machine_code_ms = times.codegen_ms;
	if (st == HESSC_OK)
		st = llvm_backend_load(obj, obj_len, diags, &hm->problem, &hm->llvm);
	if (st == HESSC_OK && P->looped)
		st = llvm_templated_data_describe(&P->ts, &hm->meta.setup, &hm->meta.setup_len);
	if (st == HESSC_OK && P->looped) {
		const kernel_meta *k = &hm->meta;
		st = llvm_templated_data_load(k->setup, k->setup_len, k->n, k->nnz, k->colptr,
		                              k->rowind, &hm->problem, &hm->llvm_loops);
	}
	hm->stats.load_ms = api_now_ms() - t1;
	/* the cache keeps the object; failing to write it costs only time */
	if (st == HESSC_OK && cache->usable && kcache_write(cache->o_path, obj, obj_len) == HESSC_OK)
		*stored = 1;
	free(obj);
	return st;
}
#endif

hessc_status api_build(const api_texts *texts, const hessc_options *opt, hessc_backend backend,
                       const api_cache *cache, diag_sink *diags, hessc_model *hm,
                       int *stored)
{
	pipeline P = { 0 };
	*stored = 0;
	hessc_status st = front_end(texts, opt, diags, &P, &hm->stats);
	if (st == HESSC_OK && !opt->unrolled) {
		double t0 = api_now_ms();
		st = api_find_loops(P.g, P.m, &P.ts, &P.looped);
		hm->stats.lower_ms = api_now_ms() - t0;
	}
	if (st == HESSC_OK && !P.looped)
		st = write_out(&P, diags, &hm->stats);
	if (st != HESSC_OK)
		goto done;
	st = P.looped ? meta_from(P.m, P.ts.nnz, P.ts.colptr, P.ts.rowind, &hm->meta)
	              : meta_from(P.m, P.d.nnz, P.d.hess_colptr, P.d.hess_rowind, &hm->meta);
	if (st != HESSC_OK)
		goto done;
	hm->meta.loops = P.looped ? P.ts.n_loops : 0;
	hm->meta.work_size = P.looped ? 0 : P.t.work_size;
	backend = pick_backend(backend, &P);
	hm->meta.backend = (int)backend;
	if (backend == HESSC_BACKEND_CC) {
		st = build_cc(&P, cache, diags, hm, stored);
	} else {
#if HESSC_HAVE_LLVM
		st = build_llvm(&P, cache, diags, hm, stored);
#else
		st = HESSC_ERR_INTERNAL;
#endif
	}
done:
	pipeline_free(&P);
	return st;
}
