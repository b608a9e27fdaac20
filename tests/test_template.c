/* test_template.c -- loop-preserving generation: the loops found in real
 * models, and templated kernels (tmpl_run) against the unrolled ones
 * (derive + tape_run) on the same pattern, at the initial point and at a
 * perturbed one.  Model files given on the command line (the example and
 * benchmark models) are compared the same way. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>
#include <unistd.h>

#include <hessc/problem.h>
#include "derive.h"
#include "diag_capture.h"
#include "emit_template.h"
#include "frontend.h"
#include "tape.h"
#include "template.h"
#include "test_runner.h"

static char **model_files;
static int n_model_files;

typedef struct built {
	graph *g;
	model *m;
	tmpl_set s;
	int32_t **pos;
	/* streamed builds (frontend.h's find_loops): the loops the front end
	 * found, and the whole objective unrolled, to compare with */
	size_t streamed_loops;
	graph *ug;
	model *um;
} built;

/* The model's loops (found while lowering when `streamed`), differentiated,
 * with their position maps. */
static int build_with(built *b, const char *path, const char *text, int streamed)
{
	frontend_input in;
	diag_sink sink = diag_stderr_sink();
	memset(b, 0, sizeof *b);
	memset(&in, 0, sizeof in);
	in.model.path = path;
	in.model.text = text;
	in.model.text_len = text ? strlen(text) : 0;
	if (streamed) {
		b->ug = graph_new();
		if (!b->ug || frontend_build(&in, &sink, b->ug, &b->um) != HESSC_OK)
			return 0;
		in.find_loops = 1;
	}
	b->g = graph_new();
	if (!b->g || frontend_build(&in, &sink, b->g, &b->m) != HESSC_OK)
		return 0;
	if (streamed && !b->m->loops)
		return 0;
	b->streamed_loops = streamed ? b->m->loops->n_loops : 0;
	if (tmpl_find_more(b->g, b->m->objective, b->m->n, 1, b->m->loops, &b->s) != HESSC_OK)
		return 0;
	if (b->s.n_loops == 0)
		return 1;
	if (tmpl_derive(&b->s, DERIVE_DEFAULT_MAX_NNZ) != HESSC_OK)
		return 0;
	if (tmpl_residual_too_big(&b->s)) {  /* the unrolled path, as hessc gen does */
		tmpl_set_free(&b->s);
		return 1;
	}
	b->pos = calloc(b->s.n_loops, sizeof *b->pos);
	if (!b->pos)
		return 0;
	for (size_t l = 0; l < b->s.n_loops; l++) {
		b->pos[l] = malloc((tmpl_positions_size(&b->s.loops[l]) + 1) * sizeof **b->pos);
		if (!b->pos[l] || tmpl_positions(&b->s, l, b->pos[l]) != HESSC_OK)
			return 0;
	}
	return 1;
}

static int build(built *b, const char *path, const char *text)
{
	return build_with(b, path, text, 0);
}

static int build_streamed(built *b, const char *path, const char *text)
{
	return build_with(b, path, text, 1);
}

static void built_free(built *b)
{
	if (b->pos)
		for (size_t l = 0; l < b->s.n_loops; l++)
			free(b->pos[l]);
	free(b->pos);
	tmpl_set_free(&b->s);
	if (b->m)
		model_free(b->m);
	if (b->g)
		graph_free(b->g);
	if (b->um)
		model_free(b->um);
	if (b->ug)
		graph_free(b->ug);
}

static int near(double got, double want)
{
	if (isnan(want))
		return isnan(got);
	return fabs(got - want) <= 1e-12 * (1.0 + fabs(want));
}

/* Templated vs unrolled f, g, H (same pattern) and Hv at x. */
static void compare_at(built *b, const double *x)
{
	derivatives d;
	tape t;
	size_t n = b->m->n;
	hessc_status st;
	double *g1, *g2, *h1, *h2, *v, *work;
	/* the reference: the whole objective unrolled */
	graph *rg = b->ug ? b->ug : b->g;
	node_id root = b->um ? b->um->objective : b->m->objective;
	CU_ASSERT_EQUAL_FATAL(derive(rg, root, n, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(tape_build(rg, &d, &t), HESSC_OK);
	CU_ASSERT_EQUAL(b->s.nnz, d.nnz);
	for (size_t c = 0; c <= n && b->s.nnz == d.nnz; c++)
		CU_ASSERT_EQUAL(b->s.colptr[c], d.hess_colptr[c]);
	for (size_t k = 0; k < d.nnz && b->s.nnz == d.nnz; k++)
		CU_ASSERT_EQUAL(b->s.rowind[k], d.hess_rowind[k]);
	g1 = calloc(n + 1, sizeof *g1);
	g2 = calloc(n + 1, sizeof *g2);
	v = calloc(n + 1, sizeof *v);
	h1 = calloc(d.nnz + n + 1, sizeof *h1);
	h2 = calloc(d.nnz + n + 1, sizeof *h2);
	work = calloc(t.work_size + 1, sizeof *work);
	CU_ASSERT_FATAL(g1 && g2 && v && h1 && h2 && work);
	for (size_t i = 0; i < n; i++)
		v[i] = cos((double)i);
	CU_ASSERT(near(tmpl_run(&b->s, b->pos, TAPE_F, x, NULL, NULL, &st),
	                tape_run(&t, TAPE_F, x, NULL, NULL, work)));
	CU_ASSERT(near(tmpl_run(&b->s, b->pos, TAPE_GRAD, x, NULL, g1, &st),
	                tape_run(&t, TAPE_GRAD, x, NULL, g2, work)));
	for (size_t i = 0; i < n; i++)
		CU_ASSERT(near(g1[i], g2[i]));
	if (b->s.nnz == d.nnz) {
		tmpl_run(&b->s, b->pos, TAPE_HESS, x, NULL, h1, &st);
		tape_run(&t, TAPE_HESS, x, NULL, h2, work);
		for (size_t k = 0; k < d.nnz; k++)
			CU_ASSERT(near(h1[k], h2[k]));
	}
	tmpl_run(&b->s, b->pos, TAPE_HESSVEC, x, v, h1, &st);
	tape_run(&t, TAPE_HESSVEC, x, v, h2, work);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT(near(h1[i], h2[i]));
	CU_ASSERT_EQUAL(st, HESSC_OK);
	free(g1);
	free(g2);
	free(v);
	free(h1);
	free(h2);
	free(work);
	tape_free(&t);
	derivatives_free(&d);
}

static void compare(built *b)
{
	size_t n = b->m->n;
	double *x = malloc((n + 1) * sizeof *x);
	CU_ASSERT_FATAL(x != NULL);
	compare_at(b, b->m->x0);
	for (size_t i = 0; i < n; i++)
		x[i] = b->m->x0[i] + 0.1 * sin((double)i + 1.0);
	compare_at(b, x);
	free(x);
}

static const char srosenbr[] =
	"param N := 20;\n"
	"var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;\n"
	"minimize f: sum {i in 1..N/2} (100*(x[2*i] - x[2*i-1]^2)^2 + (x[2*i-1] - 1)^2);\n";

static void srosenbr_is_one_loop_per_term_shape(const built *b)
{
	CU_ASSERT_EQUAL(b->s.has_residual, 0);
	CU_ASSERT(b->s.n_loops >= 1);
	CU_ASSERT_EQUAL(b->s.n_templated, b->s.n_terms);
	for (size_t l = 0; l < b->s.n_loops; l++) {
		CU_ASSERT_EQUAL(tmpl_iterations(&b->s.loops[l]), 10);
		CU_ASSERT(b->s.loops[l].n_slots <= 2);
	}
}

static const char arwhead[] =
	"param N := 30;\n"
	"var x{1..N} := 1;\n"
	"minimize f: sum {i in 1..N-1} (-4*x[i] + 3) + sum {i in 1..N-1} (x[i]^2 + x[N]^2)^2;\n";

static void arwhead_loops_read_x_N_with_stride_zero(const built *b)
{
	int found = 0;
	for (size_t l = 0; l < b->s.n_loops; l++) {
		const tmpl_loop *lp = &b->s.loops[l];
		for (size_t s = 0; s < lp->n_slots; s++)
			if (lp->base[s] == 29 && lp->stride1[s] == 0 && tmpl_iterations(lp) == 29)
				found = 1;
	}
	CU_ASSERT(found);
}

static const char minsurf[] =
	"param p := 7;\n"
	"var x{i in 1..p, j in 1..p} := (i + j)/p;\n"
	"minimize f: sum {i in 1..p-1, j in 1..p-1}\n"
	"  sqrt(1 + 0.5*(p-1)^2*((x[i,j] - x[i+1,j+1])^2 + (x[i+1,j] - x[i,j+1])^2)) / (p-1)^2;\n";

static void a_double_sum_over_a_grid_is_one_two_dimensional_loop(const built *b)
{
	CU_ASSERT_EQUAL_FATAL(b->s.n_loops, 1);
	CU_ASSERT_EQUAL(b->s.loops[0].count[0], 6);
	CU_ASSERT_EQUAL(b->s.loops[0].count[1], 6);
	CU_ASSERT_EQUAL(b->s.loops[0].n_slots, 4);
}

static const char logreg[] =
	"param m := 12; param d := 3;\n"
	"param X{i in 1..m, j in 1..d} := ((i*7919 + j*104729) mod 1000)/500 - 1;\n"
	"param y{i in 1..m} := if i mod 3 == 0 then 1 else -1;\n"
	"var w{1..d} := 0.1;\n"
	"minimize f: sum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]))\n"
	"  + 0.01/2 * sum {j in 1..d} w[j]^2;\n";

static const char mixed[] =
	"param N := 9;\n"
	"var x{i in 1..N} := i/3;\n"
	"var y := 2;\n"
	"minimize f: y^4 + x[3]*x[7]*y + sum {i in 1..N-1} (x[i+1] - x[i])^2\n"
	"  + sum {i in {1, 2, 5, 9}} exp(x[i]*y) - 3*sum {i in 2..N} sin(x[i]);\n";

static void scalar_and_irregular_terms_go_to_the_residual(const built *b)
{
	CU_ASSERT(b->s.n_loops >= 2);
	CU_ASSERT_EQUAL(b->s.has_residual, 1);
}

static const char rosenbr[] =
	"var x{1..2} := 1.5;\n"
	"minimize f: 100*(x[2] - x[1]^2)^2 + (1 - x[1])^2;\n";

static void a_model_without_sums_keeps_the_unrolled_path(const built *b)
{
	CU_ASSERT_EQUAL(b->s.n_loops, 0);
}

/* Emit the templated C of b, compile it with warnings as errors, load it,
 * run its setup and compare its kernels with tmpl_run (and its pattern with
 * the unrolled one). */
static void compare_emitted(built *b, const char *name)
{
	char dir[] = "/tmp/hessc-test-template.XXXXXX", base[256], cmd[1024], so[300], sym[64];
	emit_c_options opt;
	diag_sink sink = diag_stderr_sink();
	void *lib, *mem;
	size_t (*bytes)(void);
	const hessc_problem *(*setup)(void *);
	const hessc_problem *p;
	size_t n = b->m->n;
	double *x, *g1, *g2, *h1, *h2, *v;
	hessc_status st;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(base, sizeof base, "%s/%s", dir, name);
	memset(&opt, 0, sizeof opt);
	opt.prefix = "tm";
	CU_ASSERT_EQUAL_FATAL(emit_template_files(b->m, &b->s, &opt, base, &sink), HESSC_OK);
	snprintf(so, sizeof so, "%s.so", base);
	snprintf(cmd, sizeof cmd,
	         "cc -std=c99 -Wall -Wextra -pedantic -Werror -O1 -shared -fPIC -o %s %s.c -lm", so,
	         base);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lib);
	snprintf(sym, sizeof sym, "tm_setup_bytes");
	*(void **)&bytes = dlsym(lib, sym);
	*(void **)&setup = dlsym(lib, "tm_setup");
	CU_ASSERT_FATAL(bytes && setup);
	mem = malloc(bytes());
	CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
	p = setup(mem);
	CU_ASSERT_EQUAL_FATAL((size_t)p->n, n);
	CU_ASSERT_EQUAL_FATAL((size_t)p->nnz, b->s.nnz);
	for (size_t c = 0; c <= n; c++)
		CU_ASSERT_EQUAL(p->hess_colptr[c], b->s.colptr[c]);
	for (size_t k = 0; k < b->s.nnz; k++)
		CU_ASSERT_EQUAL(p->hess_rowind[k], b->s.rowind[k]);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT(memcmp(&p->x0[i], &b->m->x0[i], sizeof(double)) == 0);
	x = malloc((n + 1) * sizeof *x);
	g1 = malloc((n + 1) * sizeof *g1);
	g2 = malloc((n + 1) * sizeof *g2);
	v = malloc((n + 1) * sizeof *v);
	h1 = malloc((b->s.nnz + n + 1) * sizeof *h1);
	h2 = malloc((b->s.nnz + n + 1) * sizeof *h2);
	CU_ASSERT_FATAL(x && g1 && g2 && v && h1 && h2);
	for (size_t i = 0; i < n; i++) {
		x[i] = b->m->x0[i] + 0.1 * sin((double)i + 1.0);
		v[i] = cos((double)i);
	}
	CU_ASSERT(near(p->f(x, NULL, p->data), tmpl_run(&b->s, b->pos, TAPE_F, x, NULL, NULL, &st)));
	CU_ASSERT(near(p->grad(x, g1, NULL, p->data),
	                tmpl_run(&b->s, b->pos, TAPE_GRAD, x, NULL, g2, &st)));
	for (size_t i = 0; i < n; i++)
		CU_ASSERT(near(g1[i], g2[i]));
	p->hess(x, h1, NULL, p->data);
	tmpl_run(&b->s, b->pos, TAPE_HESS, x, NULL, h2, &st);
	for (size_t k = 0; k < b->s.nnz; k++)
		CU_ASSERT(near(h1[k], h2[k]));
	p->hessvec(x, v, h1, NULL, p->data);
	tmpl_run(&b->s, b->pos, TAPE_HESSVEC, x, v, h2, &st);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT(near(h1[i], h2[i]));
	free(x);
	free(g1);
	free(g2);
	free(v);
	free(h1);
	free(h2);
	free(mem);
	dlclose(lib);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_emitted_loops_compile_cleanly_and_match_the_interpreter(void)
{
	static const struct { const char *name, *text; } models[] = {
		{"srosenbr", srosenbr}, {"arwhead", arwhead}, {"minsurf", minsurf},
		{"logreg", logreg}, {"mixed", mixed},
	};
	for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
		built b;
		CU_ASSERT_FATAL(build(&b, models[k].name, models[k].text));
		CU_ASSERT_FATAL(b.s.n_loops > 0);
		compare_emitted(&b, models[k].name);
		built_free(&b);
	}
}

static void test_every_model_file_given_matches_its_unrolled_kernels(void)
{
	for (int k = 0; k < n_model_files; k++) {
		for (int streamed = 0; streamed <= 1; streamed++) {
			built b;
			int ok = build_with(&b, model_files[k], NULL, streamed);
			CU_ASSERT(ok);
			if (!ok)
				fprintf(stderr, "cannot build %s\n", model_files[k]);
			else if (b.s.n_loops > 0) {
				compare(&b);
				compare_emitted(&b, "file");
			}
			built_free(&b);
		}
	}
}

/* ---- loops found while lowering (template_stream.h) ---------------------- */

/* The loops of a streamed build that are not the residual. */
static size_t loops_proper(const built *b)
{
	return b->s.n_loops - (size_t)b->s.has_residual;
}

static void a_streamed_sum_body_is_one_term_and_one_loop(const built *b)
{
	CU_ASSERT_EQUAL(b->streamed_loops, 1);
	CU_ASSERT_EQUAL_FATAL(b->s.n_loops, 1);
	CU_ASSERT_EQUAL(b->s.has_residual, 0);
	CU_ASSERT_EQUAL(tmpl_iterations(&b->s.loops[0]), 10);
	CU_ASSERT_EQUAL(b->s.loops[0].n_slots, 2);
	CU_ASSERT_EQUAL(b->s.n_terms, 10);
	CU_ASSERT_EQUAL(b->s.n_templated, 10);
}

static void a_streamed_double_sum_is_one_two_dimensional_loop(const built *b)
{
	CU_ASSERT_EQUAL(b->streamed_loops, 1);
	CU_ASSERT_EQUAL_FATAL(b->s.n_loops, 1);
	CU_ASSERT_EQUAL(b->s.loops[0].count[0], 6);
	CU_ASSERT_EQUAL(b->s.loops[0].count[1], 6);
	CU_ASSERT_EQUAL(b->s.loops[0].stride0[0], 7);
	CU_ASSERT_EQUAL(b->s.loops[0].stride1[0], 1);
}

static const char nested[] =
	"param p := 6;\n"
	"var x{i in 1..p, j in 1..p} := (i - j)/p;\n"
	"minimize f: sum {i in 1..p-1} sum {j in 2..p} (x[i,j] - x[i+1,j-1])^2 * exp(x[i,j]/4);\n";

static void a_sum_of_a_sum_streams_as_one_two_dimensional_loop(const built *b)
{
	CU_ASSERT_EQUAL_FATAL(b->s.n_loops, 1);
	CU_ASSERT_EQUAL(b->s.loops[0].count[0], 5);
	CU_ASSERT_EQUAL(b->s.loops[0].count[1], 5);
	CU_ASSERT_EQUAL(b->s.has_residual, 0);
}

static const char shape_change[] =
	"param N := 11;\n"
	"var x{i in 1..N} := i/5;\n"
	"minimize f: sum {i in 1..N} (if i <= 4 then x[i]^2 else exp(x[i]) * x[1]);\n";

static void a_body_whose_shape_changes_mid_sum_is_two_loops(const built *b)
{
	CU_ASSERT_EQUAL(b->streamed_loops, 2);
	CU_ASSERT_EQUAL_FATAL(loops_proper(b), 2);
	CU_ASSERT_EQUAL(tmpl_iterations(&b->s.loops[0]) + tmpl_iterations(&b->s.loops[1]), 11);
	CU_ASSERT_EQUAL(b->s.n_templated, 11);
}

static const char strides_break[] =
	"param N := 9;\n"
	"var x{i in 1..3*N} := i/7;\n"
	"minimize f: sum {i in 1..N} x[i+1] * x[if i <= 4 then 1 else 3*i];\n";

static void a_sum_whose_strides_break_is_cut_into_loops_that_hold(const built *b)
{
	CU_ASSERT_EQUAL_FATAL(b->streamed_loops, 2);
	/* x[1] * x[i+1] (slots by smallest variable), then x[i+1] * x[3i] */
	CU_ASSERT_EQUAL(tmpl_iterations(&b->s.loops[0]), 4);
	CU_ASSERT_EQUAL(b->s.loops[0].stride1[0], 0);
	CU_ASSERT_EQUAL(b->s.loops[0].stride1[1], 1);
	CU_ASSERT_EQUAL(tmpl_iterations(&b->s.loops[1]), 5);
	CU_ASSERT_EQUAL(b->s.loops[1].stride1[0], 1);
	CU_ASSERT_EQUAL(b->s.loops[1].stride1[1], 3);
}

static const char weighted[] =
	"param N := 12;\n"
	"var x{i in 1..N} := 1 + i/10;\n"
	"var y := 0.5;\n"
	"minimize f: y^2 + 3*sum {i in 1..N-1} (x[i+1] - x[i])^2\n"
	"  - sum {i in 1..N} x[i]^4/100 - (sum {i in 2..N} sin(x[i]*y))*2\n"
	"  + -(sum {i in 1..N} 0.5*cos(x[i]));\n";

static void the_weight_of_a_streamed_sum_goes_with_its_loops(const built *b)
{
	CU_ASSERT_EQUAL(b->streamed_loops, 4);
	CU_ASSERT_EQUAL(b->s.has_residual, 1);  /* y^2 */
}

static const char defvar[] =
	"param N := 10;\n"
	"var x{i in 1..N} := i/4;\n"
	"var y{i in 1..N} = x[i]^2 - x[1];\n"
	"minimize f: sum {i in 1..N} (y[i] - 1)^2 + sum {i in 1..N-1} x[i]*x[i+1];\n";

static void a_sum_over_defined_variables_is_lowered_the_one_shot_way(const built *b)
{
	/* only the second sum streams; the first is found in the rest */
	CU_ASSERT_EQUAL(b->streamed_loops, 1);
	CU_ASSERT(loops_proper(b) >= 2);
}

static const char too_big[] =
	"param N := 3;\n"
	"var x{j in 1..N} := j/7;\n"
	"minimize f: sum {i in 1..N} (sum {j in 1..150} sin(x[i]*j)) / 150\n"
	"  + sum {i in 1..N} (x[i] - 1)^2;\n";

static void an_iteration_too_big_for_a_shape_goes_to_the_rest(const built *b)
{
	CU_ASSERT_EQUAL(b->streamed_loops, 1);
	CU_ASSERT_EQUAL_FATAL(b->s.has_residual, 1);
	CU_ASSERT(b->s.loops[b->s.n_loops - 1].body != NULL
	          && graph_size(b->s.loops[b->s.n_loops - 1].body) > 3 * TMPL_MAX_TERM_NODES);
}

/* Data whose values coincide: within a row equal values, 1, -1 and 0,
 * and labels +-1 (so -y[i] * z is -z or z).  The terms differ only in
 * their constants' values, so they are one loop. */
static const char coinciding[] =
	"param m := 30; param d := 10;\n"
	"param X{i in 1..m, j in 1..d} := if (i + j) mod 4 == 0 then 1\n"
	"  else if (i * j) mod 5 == 0 then -1 else ((i*3 + j*7) mod 4)/4;\n"
	"param y{i in 1..m} := if i mod 3 == 0 then 1 else -1;\n"
	"var w{j in 1..d} := j/10;\n"
	"minimize f: sum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]));\n";

static void terms_whose_data_values_coincide_are_one_loop(const built *b)
{
	CU_ASSERT_EQUAL(b->streamed_loops, 1);
	CU_ASSERT_EQUAL_FATAL(b->s.n_loops, 1);
	CU_ASSERT_EQUAL(b->s.loops[0].count[0] * b->s.loops[0].count[1], 30);
	CU_ASSERT_EQUAL(b->s.has_residual, 0);
}

/* The loops found while lowering, written out again (the unrolled path
 * after all), give the values of the whole objective unrolled. */
static void test_streamed_loops_written_out_again_are_the_whole_objective(void)
{
	built b;
	derivatives d1, d2;
	node_id whole;
	double *x;
	CU_ASSERT_FATAL(build_streamed(&b, "weighted.mod", weighted));
	CU_ASSERT_FATAL(b.streamed_loops > 0);
	CU_ASSERT_EQUAL_FATAL(tmpl_unroll_loops(b.g, b.m->objective, b.s.loops, b.streamed_loops,
	                                        &whole), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(derive(b.g, whole, b.m->n, DERIVE_DEFAULT_MAX_NNZ, &d1), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(derive(b.ug, b.um->objective, b.m->n, DERIVE_DEFAULT_MAX_NNZ, &d2),
	                      HESSC_OK);
	CU_ASSERT_EQUAL(d1.nnz, d2.nnz);
	x = calloc(graph_size(b.g) + graph_size(b.ug) + 1, sizeof *x);
	CU_ASSERT_FATAL(x != NULL);
	CU_ASSERT(near(graph_eval(b.g, whole, b.m->x0, x), graph_eval(b.ug, b.um->objective,
	                                                              b.m->x0, x)));
	for (size_t i = 0; i < b.m->n; i++)
		CU_ASSERT(near(graph_eval(b.g, d1.grad[i], b.m->x0, x),
		               graph_eval(b.ug, d2.grad[i], b.m->x0, x)));
	for (size_t k = 0; k < d1.nnz && d1.nnz == d2.nnz; k++)
		CU_ASSERT(near(graph_eval(b.g, d1.hess[k], b.m->x0, x),
		               graph_eval(b.ug, d2.hess[k], b.m->x0, x)));
	free(x);
	derivatives_free(&d1);
	derivatives_free(&d2);
	built_free(&b);
}

/* ---- the models, each a test: built, its loops' shape checked, its kernels compared */

/* A model and what its loops must look like.  Its test builds it (with
 * `streamed`, the loops are found while lowering), runs `shape`, compares
 * its templated kernels with the unrolled ones (unless it keeps the
 * unrolled path: no loops, nothing to compare) and, when `emitted` names
 * it, its emitted C with the interpreter. */
typedef struct model_case {
	const char *sentence;           /* the test's name */
	const char *file;               /* the model's file name, for diagnostics */
	const char *text;
	int streamed;
	void (*shape)(const built *b);  /* NULL: nothing to check but the values */
	int keeps_unrolled;
	const char *emitted;            /* the emitted files' name, or NULL: not emitted */
} model_case;

static const model_case model_cases[] = {
	{"srosenbr is one loop per term shape", "srosenbr.mod", srosenbr, 0,
	 srosenbr_is_one_loop_per_term_shape, 0, NULL},
	{"arwhead loops read x[N] with stride zero", "arwhead.mod", arwhead, 0,
	 arwhead_loops_read_x_N_with_stride_zero, 0, NULL},
	{"a double sum over a grid is one two-dimensional loop", "minsurf.mod", minsurf, 0,
	 a_double_sum_over_a_grid_is_one_two_dimensional_loop, 0, NULL},
	{"constants that change per term are tables", "logreg.mod", logreg, 0, NULL, 0, NULL},
	{"scalar and irregular terms go to the residual", "mixed.mod", mixed, 0,
	 scalar_and_irregular_terms_go_to_the_residual, 0, NULL},
	{"a model without sums keeps the unrolled path", "rosenbr.mod", rosenbr, 0,
	 a_model_without_sums_keeps_the_unrolled_path, 1, NULL},
	{"a streamed sum's body is one term and one loop", "srosenbr.mod", srosenbr, 1,
	 a_streamed_sum_body_is_one_term_and_one_loop, 0, "srosenbr_streamed"},
	{"a streamed double sum is one two-dimensional loop", "minsurf.mod", minsurf, 1,
	 a_streamed_double_sum_is_one_two_dimensional_loop, 0, NULL},
	{"a sum of a sum streams as one two-dimensional loop", "nested.mod", nested, 1,
	 a_sum_of_a_sum_streams_as_one_two_dimensional_loop, 0, "nested"},
	{"a body whose shape changes mid-sum is two loops", "shape.mod", shape_change, 1,
	 a_body_whose_shape_changes_mid_sum_is_two_loops, 0, NULL},
	{"a sum whose strides break is cut into loops that hold", "break.mod", strides_break, 1,
	 a_sum_whose_strides_break_is_cut_into_loops_that_hold, 0, "strides"},
	{"the weight of a streamed sum goes with its loops", "weighted.mod", weighted, 1,
	 the_weight_of_a_streamed_sum_goes_with_its_loops, 0, "weighted"},
	{"a sum over defined variables is lowered the one-shot way", "defvar.mod", defvar, 1,
	 a_sum_over_defined_variables_is_lowered_the_one_shot_way, 0, NULL},
	{"an iteration too big for a shape goes to the rest", "big.mod", too_big, 1,
	 an_iteration_too_big_for_a_shape_goes_to_the_rest, 0, NULL},
	{"terms whose data values coincide are one loop", "coinciding.mod", coinciding, 1,
	 terms_whose_data_values_coincide_are_one_loop, 0, "coinciding"},
};

/* The row of the running test: CUnit calls a test function without
 * arguments, so the one function below finds its model by the test's name. */
static const model_case *running_case(void)
{
	CU_pTest t = CU_get_current_test();
	for (size_t k = 0; t && k < TEST_COUNT(model_cases); k++)
		if (strcmp(t->pName, model_cases[k].sentence) == 0)
			return &model_cases[k];
	return NULL;
}

static void test_model_case(void)
{
	const model_case *c = running_case();
	built b;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FATAL(build_with(&b, c->file, c->text, c->streamed));
	if (c->shape)
		c->shape(&b);
	if (!c->keeps_unrolled)
		compare(&b);
	if (c->emitted)
		compare_emitted(&b, c->emitted);
	built_free(&b);
}

int main(int argc, char **argv)
{
	static const test_case others[] = {
		{"emitted loops compile cleanly and match the interpreter",
		 test_emitted_loops_compile_cleanly_and_match_the_interpreter},
		{"every model file given matches its unrolled kernels",
		 test_every_model_file_given_matches_its_unrolled_kernels},
		{"streamed loops written out again are the whole objective",
		 test_streamed_loops_written_out_again_are_the_whole_objective},
	};
	test_case tests[TEST_COUNT(model_cases) + TEST_COUNT(others)];
	size_t n = 0;
	model_files = argv + 1;
	n_model_files = argc - 1;
	for (size_t k = 0; k < TEST_COUNT(model_cases); k++)
		tests[n++] = (test_case){ model_cases[k].sentence, test_model_case };
	for (size_t k = 0; k < TEST_COUNT(others); k++)
		tests[n++] = others[k];
	return run_test_suite("template", tests, n);
}
