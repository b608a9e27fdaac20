/* test_llvm_backend.c -- LLVM's kernels against the tape's interpreter,
 * bit for bit: both round every operation on its own, in the same order,
 * with the same libm.  LLVM's loops against the emitted C loops compiled
 * by cc (the same plan of writes, so relative 1e-13) and against the loop
 * interpreter (which sums every write in its own order: 1e-12, as
 * test_template holds the C loops).  argv[1..]: model files. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>

#include "derive.h"
#include "emit_template.h"
#include "frontend.h"
#include "llvm_backend.h"
#include "llvm_loop_data.h"
#include "tape.h"
#include "template.h"

static char **model_files;
static int n_model_files;

static int same(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* Compile `in`, run every kernel at x0 and a moved point, compare. */
static void check_model(const frontend_input *in, size_t *tape_len)
{
	diag_sink quiet = { 0 };
	graph *g = graph_new();
	model *m = NULL;
	derivatives d = { 0 };
	tape t = { 0 };
	unsigned char *obj = NULL;
	size_t obj_len = 0;
	llvm_kernels *k = NULL;
	hessc_problem p = { 0 };
	CU_ASSERT_EQUAL_FATAL(frontend_build(in, &quiet, g, &m), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(derive(g, m->objective, m->n, DERIVE_DEFAULT_MAX_NNZ, &d), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(tape_build(g, &d, &t), HESSC_OK);
	*tape_len = t.kernel[TAPE_HESS].len;
	CU_ASSERT_EQUAL_FATAL(llvm_backend_compile(&t, &quiet, &obj, &obj_len, NULL), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(llvm_backend_load(obj, obj_len, &quiet, &p, &k), HESSC_OK);

	size_t n = m->n, nnz = d.nnz;
	double *x = malloc((n + 1) * 8), *v = malloc((n + 1) * 8), *w1 = calloc(t.work_size + 1, 8);
	double *w2 = calloc(t.work_size + 1, 8), *o1 = calloc(nnz + n + 1, 8), *o2 = calloc(nnz + n + 1, 8);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < n; i++) {
			x[i] = m->x0[i] + (round ? 0.3 * cos(1.0 + (double)i) : 0.0);
			v[i] = 1.0 - 0.125 * (double)(i % 9);
		}
		int bad = !same(p.f(x, w1, NULL), tape_run(&t, TAPE_F, x, NULL, NULL, w2));
		bad |= !same(p.grad(x, o1, w1, NULL), tape_run(&t, TAPE_GRAD, x, NULL, o2, w2));
		for (size_t i = 0; i < n; i++)
			bad |= !same(o1[i], o2[i]);
		p.hess(x, o1, w1, NULL);
		tape_run(&t, TAPE_HESS, x, NULL, o2, w2);
		for (size_t i = 0; i < nnz; i++)
			bad |= !same(o1[i], o2[i]);
		p.hessvec(x, v, o1, w1, NULL);
		tape_run(&t, TAPE_HESSVEC, x, v, o2, w2);
		for (size_t i = 0; i < n; i++)
			bad |= !same(o1[i], o2[i]);
		if (bad)
			fprintf(stderr, "\n  %s: LLVM differs from the interpreter\n", in->model.path);
		CU_ASSERT_FALSE(bad);
	}
	free(x), free(v), free(w1), free(w2), free(o1), free(o2);
	llvm_kernels_free(k);
	free(obj);
	tape_free(&t);
	derivatives_free(&d);
	model_free(m);
	graph_free(g);
}

/* a and b agree to relative 1e-13 (the backends' contract for loops,
 * whose sums may be grouped differently) */
static int close_enough(double a, double b)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	return same(a, b) || fabs(a - b) <= 1e-13 * scale;
}

/* a and b agree to relative 1e-12: a kernel against the loop interpreter */
static int near_interpreter(double a, double b)
{
	double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	return same(a, b) || fabs(a - b) <= 1e-12 * (1.0 + scale);
}

/* The emitted C of the loops, compiled by cc -O2 and set up: *lib and
 * *mem to free with dlclose and free; NULL when it cannot be built. */
static const hessc_problem *load_emitted_c(const model *m, const tmpl_set *s, void **lib,
                                           void **mem)
{
	char dir[] = "/tmp/hessc-test-llvm.XXXXXX", base[256], cmd[1024];
	emit_c_options opt;
	diag_sink quiet = { 0 };
	size_t (*bytes)(void);
	const hessc_problem *(*setup)(void *);
	const hessc_problem *p = NULL;
	*lib = *mem = NULL;
	if (!mkdtemp(dir))
		return NULL;
	snprintf(base, sizeof base, "%s/loops", dir);
	memset(&opt, 0, sizeof opt);
	opt.prefix = "lc";
	if (emit_template_files(m, s, &opt, base, &quiet) == HESSC_OK) {
		snprintf(cmd, sizeof cmd, "cc -std=c99 -O2 -shared -fPIC -o %s.so %s.c -lm", base, base);
		if (system(cmd) == 0) {
			snprintf(cmd, sizeof cmd, "%s.so", base);
			*lib = dlopen(cmd, RTLD_NOW | RTLD_LOCAL);
		}
	}
	if (*lib) {
		*(void **)&bytes = dlsym(*lib, "lc_setup_bytes");
		*(void **)&setup = dlsym(*lib, "lc_setup");
		if (bytes && setup && (*mem = malloc(bytes())) != NULL)
			p = setup(*mem);
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return p;
}

/* The loop form of `in` compiled by LLVM against the same loops in C and
 * the loop interpreter (tmpl_run); returns 1 when the model has loops. */
static int check_templated(const frontend_input *in)
{
	diag_sink quiet = { 0 };
	graph *g = graph_new();
	model *m = NULL;
	tmpl_set s = { 0 };
	unsigned char *obj = NULL;
	size_t obj_len = 0;
	llvm_kernels *k = NULL;
	llvm_templated_data *data = NULL;
	hessc_problem p = { 0 };
	int templated = 0;
	CU_ASSERT_EQUAL_FATAL(frontend_build(in, &quiet, g, &m), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(tmpl_find(g, m->objective, m->n, 2, &s), HESSC_OK);
	if (s.n_loops == 0)
		goto done;
	templated = 1;
	CU_ASSERT_EQUAL_FATAL(tmpl_derive(&s, DERIVE_DEFAULT_MAX_NNZ), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(llvm_backend_compile_templated(&s, &quiet, &obj, &obj_len, NULL), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(llvm_backend_load(obj, obj_len, &quiet, &p, &k), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(llvm_templated_data_build(&s, &p, &data), HESSC_OK);
	CU_ASSERT_EQUAL(p.n, (int)m->n);
	CU_ASSERT_EQUAL(p.nnz, (int)s.nnz);

	size_t n = m->n, nnz = s.nnz;
	int32_t *const *pos = (int32_t *const *)p.data;
	double *x = malloc((n + 1) * 8), *v = malloc((n + 1) * 8);
	double *o1 = calloc(nnz + n + 1, 8), *o2 = calloc(nnz + n + 1, 8);
	double *o3 = calloc(nnz + n + 1, 8);
	void *lib, *mem;
	const hessc_problem *c = load_emitted_c(m, &s, &lib, &mem);
	hessc_status st;
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FATAL(o1 && o2 && o3);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < n; i++) {
			x[i] = m->x0[i] + (round ? 0.3 * cos(1.0 + (double)i) : 0.0);
			v[i] = 1.0 - 0.125 * (double)(i % 9);
		}
		/* f grouped as the C kernels group it: each loop's sum, then the loops */
		double f = 0.0;
		for (size_t q = 0; q < s.n_loops; q++) {
			tmpl_set one = s;
			one.n_loops = 1;
			one.loops = &s.loops[q];
			f += tmpl_run(&one, pos + q, TAPE_F, x, NULL, NULL, &st);
		}
		double fl = p.f(x, NULL, p.data);
		int bad = !near_interpreter(fl, f), bad_c = !close_enough(fl, c->f(x, NULL, c->data));
		fl = p.grad(x, o1, NULL, p.data);
		bad |= !near_interpreter(fl, f);
		bad_c |= !close_enough(fl, c->grad(x, o3, NULL, c->data));
		tmpl_run(&s, pos, TAPE_GRAD, x, NULL, o2, &st);
		for (size_t i = 0; i < n; i++) {
			bad |= !near_interpreter(o1[i], o2[i]);
			bad_c |= !close_enough(o1[i], o3[i]);
		}
		p.hess(x, o1, NULL, p.data);
		c->hess(x, o3, NULL, c->data);
		tmpl_run(&s, pos, TAPE_HESS, x, NULL, o2, &st);
		for (size_t i = 0; i < nnz; i++) {
			bad |= !near_interpreter(o1[i], o2[i]);
			bad_c |= !close_enough(o1[i], o3[i]);
		}
		p.hessvec(x, v, o1, NULL, p.data);
		c->hessvec(x, v, o3, NULL, c->data);
		tmpl_run(&s, pos, TAPE_HESSVEC, x, v, o2, &st);
		for (size_t i = 0; i < n; i++) {
			bad |= !near_interpreter(o1[i], o2[i]);
			bad_c |= !close_enough(o1[i], o3[i]);
		}
		CU_ASSERT_EQUAL(st, HESSC_OK);
		if (bad)
			fprintf(stderr, "\n  %s: LLVM's loops differ from the loop interpreter\n",
			        in->model.path);
		if (bad_c)
			fprintf(stderr, "\n  %s: LLVM's loops differ from the C loops\n", in->model.path);
		CU_ASSERT_FALSE(bad);
		CU_ASSERT_FALSE(bad_c);
	}
	free(x), free(v), free(o1), free(o2), free(o3);
	free(mem);
	if (lib)
		dlclose(lib);
done:
	llvm_templated_data_free(data);
	llvm_kernels_free(k);
	free(obj);
	tmpl_set_free(&s);
	model_free(m);
	graph_free(g);
	return templated;
}

static void test_llvm_loops_equal_the_c_loops_and_the_loop_interpreter_on_every_model(void)
{
	int templated = 0;
	for (int i = 0; i < n_model_files; i++) {
		frontend_input in = { .model = { .path = model_files[i] } };
		templated += check_templated(&in);
	}
	CU_ASSERT(templated > 0);  /* some model must actually have loops */
}

/* A 2-D loop with a table of constants that change with the iteration. */
static void test_llvm_loops_over_a_grid_with_tables_equal_the_interpreter(void)
{
	static const char text[] =
		"param N := 12; param M := 7;\n"
		"param a{i in 1..N, j in 1..M} := 1 + (i * 7 + j * 3) mod 5;\n"
		"var x{i in 1..N, j in 1..M} := 0.5 + 0.01 * i - 0.02 * j;\n"
		"minimize f: sum {i in 1..N, j in 1..M} a[i,j] * exp(x[i,j]) * x[i,j]^2\n"
		"  + sum {i in 1..N-1} (x[i+1,1] - x[i,1]^2)^2 + x[1,1] * x[N,M];\n";
	frontend_input in = { .model = { .path = "grid.mod", .text = text, .text_len = strlen(text) } };
	CU_ASSERT(check_templated(&in));
}

/* The loops' description (what the kernel cache keeps) loads to the very
 * position maps tmpl_positions gives, and a damaged one is refused. */
static void test_a_loop_description_loads_to_the_position_maps_and_damage_is_refused(void)
{
	static const char text[] =
		"param N := 40;\n"
		"var x{i in 1..N} := 0.1 * i;\n"
		"minimize f: sum {i in 1..N-1} (x[i+1] - x[i]^2)^2 + x[1] * x[N];\n";
	frontend_input in = { .model = { .path = "desc.mod", .text = text, .text_len = strlen(text) } };
	diag_sink quiet = { 0 };
	graph *g = graph_new();
	model *m = NULL;
	tmpl_set s = { 0 };
	unsigned char *bytes = NULL;
	size_t len = 0;
	hessc_problem p = { 0 };
	llvm_templated_data *d = NULL;
	CU_ASSERT_EQUAL_FATAL(frontend_build(&in, &quiet, g, &m), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(tmpl_find(g, m->objective, m->n, 2, &s), HESSC_OK);
	CU_ASSERT_FATAL(s.n_loops == 2 && s.has_residual && !s.loops[0].vars);
	CU_ASSERT_EQUAL_FATAL(tmpl_derive(&s, DERIVE_DEFAULT_MAX_NNZ), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(llvm_templated_data_describe(&s, &bytes, &len), HESSC_OK);

	CU_ASSERT_EQUAL(llvm_templated_data_load(bytes, len, s.n, s.nnz, s.colptr, s.rowind, &p, &d),
	                HESSC_OK);
	CU_ASSERT_EQUAL(p.nnz, (int)s.nnz);
	for (size_t q = 0; d && q < s.n_loops; q++) {
		size_t size = tmpl_positions_size(&s.loops[q]);
		int32_t *want = malloc((size + 1) * sizeof *want);
		CU_ASSERT_EQUAL(tmpl_positions(&s, q, want), HESSC_OK);
		CU_ASSERT_EQUAL(memcmp(((int32_t *const *)p.data)[q], want, size * sizeof *want), 0);
		free(want);
	}
	llvm_templated_data_free(d);

	/* cut short anywhere, or a wrong magic: refused */
	for (size_t cut = 0; cut < len; cut += 7)
		CU_ASSERT_EQUAL(llvm_templated_data_load(bytes, cut, s.n, s.nnz, s.colptr, s.rowind,
		                                         &p, &d), HESSC_ERR_INTERNAL);
	bytes[0] ^= 1;
	CU_ASSERT_EQUAL(llvm_templated_data_load(bytes, len, s.n, s.nnz, s.colptr, s.rowind, &p, &d),
	                HESSC_ERR_INTERNAL);
	bytes[0] ^= 1;
	/* the first loop's first slot starts past the last variable: magic,
	 * loop count, five counts, then base[0] */
	int64_t base;
	size_t at = 8 + 8 + 5 * 8;
	memcpy(&base, bytes + at, sizeof base);
	int64_t past = (int64_t)s.n;
	memcpy(bytes + at, &past, sizeof past);
	CU_ASSERT_EQUAL(llvm_templated_data_load(bytes, len, s.n, s.nnz, s.colptr, s.rowind, &p, &d),
	                HESSC_ERR_INTERNAL);
	/* in range but at another variable: its entries are not in the pattern */
	int64_t moved = base + 2;
	memcpy(bytes + at, &moved, sizeof moved);
	CU_ASSERT_EQUAL(llvm_templated_data_load(bytes, len, s.n, s.nnz, s.colptr, s.rowind, &p, &d),
	                HESSC_ERR_INTERNAL);
	CU_ASSERT_PTR_NULL(d);
	free(bytes);
	tmpl_set_free(&s);
	model_free(m);
	graph_free(g);
}

static void test_llvm_kernels_equal_the_interpreter_on_every_model(void)
{
	CU_ASSERT(n_model_files > 0);
	for (int i = 0; i < n_model_files; i++) {
		frontend_input in = { .model = { .path = model_files[i] } };
		size_t len;
		check_model(&in, &len);
	}
}

/* Long kernels are cut into chunks whose values cross through work[]. */
static void test_kernels_cut_into_chunks_equal_the_interpreter(void)
{
	static const char text[] =
		"param N := 600;\n"
		"var x{i in 1..N} := 1 + 0.01 * i;\n"
		"minimize f: sum {i in 1..N-2} (exp(x[i] - x[i+2]) * sin(x[i+1]) + x[i]^3 / (1 + x[i+1]^2))\n"
		"    + x[1] * x[N] * sum {i in 1..N} x[i];\n";
	frontend_input in = { .model = { .path = "chunks.mod", .text = text, .text_len = strlen(text) } };
	size_t len = 0;
	check_model(&in, &len);
	CU_ASSERT(len > 10 * LLVM_BACKEND_CHUNK);
}

/* Every operator of ops.h the front end can produce, in one model. */
static void test_every_operator_equals_the_interpreter(void)
{
	static const char text[] =
		"var x := 0.7; var y := -1.3; var z := 2.5;\n"
		"minimize f: sqrt(z) + exp(x) + log(z) + log10(z) + sin(x) + cos(y) + tan(x)\n"
		"  + asin(x/2) + acos(x/3) + atan(y) + atan2(y, z) + sinh(x) + cosh(y) + tanh(z)\n"
		"  + abs(y) * x + floor(z) * x + ceil(y) * y + round(z) * z + min(x, y) * z + max(x, z) * y\n"
		"  + (z mod 2) * x + (z div 1) * y + x^z + x^3 + y^-2 + (if x < y then x else y^2)\n"
		"  + (if x <= y or z >= 1 then z else x) * (if x != y and not (z == 1) then y else 1);\n";
	frontend_input in = { .model = { .path = "ops.mod", .text = text, .text_len = strlen(text) } };
	size_t len;
	check_model(&in, &len);
}

int main(int argc, char **argv)
{
	model_files = argv + 1;
	n_model_files = argc - 1;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("llvm backend", NULL, NULL);
	CU_add_test(s, "llvm kernels equal the interpreter on every model", test_llvm_kernels_equal_the_interpreter_on_every_model);
	CU_add_test(s, "kernels cut into chunks equal the interpreter", test_kernels_cut_into_chunks_equal_the_interpreter);
	CU_add_test(s, "every operator equals the interpreter", test_every_operator_equals_the_interpreter);
	CU_add_test(s, "llvm loops equal the C loops and the loop interpreter on every model", test_llvm_loops_equal_the_c_loops_and_the_loop_interpreter_on_every_model);
	CU_add_test(s, "llvm loops over a grid with tables equal the interpreter", test_llvm_loops_over_a_grid_with_tables_equal_the_interpreter);
	CU_add_test(s, "a loop description loads to the position maps and damage is refused", test_a_loop_description_loads_to_the_position_maps_and_damage_is_refused);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
