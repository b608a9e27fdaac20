/* test_template_body.c -- the loop-body rewrite (template_body.h): the
 * rewritten kernel computes what the derived one does, and a dense
 * Hessian over run-time data shares its per-sample factor between the
 * columns instead of deriving it once per column.
 *
 * Kernels are compared through the reference interpreter (tape.h's
 * tape_run_inputs) at random points and data. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "template.h"
#include "template_body.h"
#include "template_plan.h"
#include "test_runner.h"

#define MAX_DATA 64

static double rand_unit(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (double)((*state >> 8) & 0xffff) / 32768.0 - 1.0;
}

static size_t count_ops(const tape_kernel *k)
{
	size_t n = 0;
	for (size_t i = 0; i < k->len; i++)
		n += k->code[i].kind == TAPE_OP;
	return n;
}

/* Largest relative difference between kernels a and b (TAPE_HESS over
 * nnz outputs) at the point x and data slots data[k] (element 0). */
static double compare(const tape_kernel *a, const tape_kernel *b, size_t nnz, const double *x,
                      const double *data, size_t n_data)
{
	const double *inputs[MAX_DATA];
	tape ta, tb;
	double *ha = calloc(nnz, sizeof *ha), *hb = calloc(nnz, sizeof *hb);
	double *work = malloc((a->n_slots + b->n_slots + 2) * sizeof *work);
	double worst = 0.0;
	CU_ASSERT_FATAL(ha && hb && work && n_data <= MAX_DATA);
	for (size_t k = 0; k < n_data; k++)
		inputs[k] = &data[k];
	memset(&ta, 0, sizeof ta);
	memset(&tb, 0, sizeof tb);
	ta.nnz = tb.nnz = nnz;
	ta.kernel[TAPE_HESS] = *a;
	tb.kernel[TAPE_HESS] = *b;
	for (size_t e = 0; e < nnz; e++)
		ha[e] = hb[e] = NAN;   /* an output a kernel forgets shows */
	tape_run_inputs(&ta, TAPE_HESS, x, NULL, ha, work, inputs);
	tape_run_inputs(&tb, TAPE_HESS, x, NULL, hb, work, inputs);
	for (size_t e = 0; e < nnz; e++) {
		double d = fabs(ha[e] - hb[e]) / fmax(1.0, fabs(ha[e]));
		if (!(d <= worst))
			worst = isnan(d) ? INFINITY : d;
	}
	free(ha);
	free(hb);
	free(work);
	return worst;
}

static const char *logreg =
	"param m := 6;\n"
	"param d := 12;\n"
	"param X{i in 1..m, j in 1..d};\n"
	"param y{i in 1..m};\n"
	"var w{1..d} := 0;\n"
	"minimize f:\n"
	"	sum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]))\n"
	"	+ 0.005 * sum {j in 1..d} w[j]^2;\n";

static void quiet(void *ctx, const diag *d)
{
	(void)ctx;
	fprintf(stderr, "%s:%d:%d: %s\n", d->loc.file, d->loc.line, d->loc.col, d->message);
}

static void test_a_logistic_regression_shares_its_sample_factor_between_columns(void)
{
	frontend_input in;
	diag_sink sink = {quiet, NULL, 0};
	graph *g = graph_new();
	model *m = NULL;
	tmpl_set s;
	tmpl_plan p;
	size_t found = 0;
	memset(&in, 0, sizeof in);
	memset(&s, 0, sizeof s);
	memset(&p, 0, sizeof p);
	in.model.path = "logreg.mod";
	in.model.text = logreg;
	in.model.text_len = strlen(logreg);
	in.find_loops = 1;
	in.run_time_inputs = 1;
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_FATAL(frontend_build(&in, &sink, g, &m) == HESSC_OK);
	CU_ASSERT_FATAL(tmpl_find_more(g, m->objective, m->n, 1, m->loops, &s) == HESSC_OK);
	CU_ASSERT_FATAL(s.n_loops > 0);
	CU_ASSERT_FATAL(tmpl_derive(&s, DERIVE_DEFAULT_MAX_NNZ) == HESSC_OK);
	CU_ASSERT_FATAL(tmpl_plan_build(&s, &p) == HESSC_OK);
	for (size_t q = 0; q < s.n_loops; q++) {
		const tmpl_loop *l = &s.loops[q];
		const tape_kernel *derived = &l->t.kernel[TAPE_HESS];
		const tape_kernel *body = tmpl_plan_body(&p, q, TAPE_HESS);
		size_t d = l->n_slots, nnz = l->d.nnz;
		unsigned state = 7u + (unsigned)q;
		double x[64], data[MAX_DATA];
		if (l->n_data == 0)
			continue;
		found++;
		/* one sample: d weights, d elements of X and y; a dense lower triangle */
		CU_ASSERT_FATAL(d == 12 && l->n_data == 13 && l->n_tables == 0);
		CU_ASSERT_EQUAL(nnz, 12 * 13 / 2);
		for (int trial = 0; trial < 5; trial++) {
			for (size_t k = 0; k < d; k++)
				x[k] = rand_unit(&state);
			for (size_t k = 0; k < l->n_data; k++)
				data[k] = rand_unit(&state);
			CU_ASSERT(compare(derived, body, nnz, x, data, l->n_data) <= 1e-13);
		}
		/* nnz products, 2d - 1 for the linear predictor, one product per
		 * column and a handful for the shared factor; deriving the factor
		 * per column costs 8 more per column */
		CU_ASSERT(count_ops(body) <= nnz + 2 * d + d + 20);
	}
	CU_ASSERT_EQUAL(found, 1);
	tmpl_plan_free(&p);
	tmpl_set_free(&s);
	model_free(m);
	graph_free(g);
}

/* A hand-made body: three columns t_c = -(2^40 X_c e^w) / w - X_c w, the
 * 2^40 as forty doublings v + v (a DAG that walking without memory would
 * take 2^40 steps over), entries (r, c) = X_r t_c for r <= c. */
typedef struct kernel_builder {
	tape_instr code[512];
	size_t len;
	uint32_t slots;
} kernel_builder;

static uint32_t emit(kernel_builder *b, tape_kind kind, graph_op op, uint32_t a, uint32_t c2,
                     int64_t index, int64_t col, double value)
{
	tape_instr *in = &b->code[b->len++];
	memset(in, 0, sizeof *in);
	in->kind = (uint8_t)kind;
	in->op = (uint8_t)op;
	in->a = a;
	in->b = c2;
	in->index = index;
	in->col = col;
	in->value = value;
	if (kind == TAPE_OUT)
		return 0;
	in->dst = b->slots++;
	in->node = in->dst;
	return in->dst;
}

/* Entries (r, c) = X_r * t_c, r >= c, of three columns; the kernel built. */
static tape_kernel dense_outputs(kernel_builder *b, const uint32_t *xs, const uint32_t *t,
                                 size_t *nnz)
{
	tape_kernel k;
	for (int c = 0; c < 3; c++)
		for (int r = c; r < 3; r++)
			emit(b, TAPE_OUT, OP_CONST, emit(b, TAPE_OP, OP_MUL, xs[r], t[c], 0, 0, 0.0), 0,
			     (int64_t)(*nnz)++, 0, 0.0);
	k.code = b->code;
	k.len = b->len;
	k.n_slots = b->slots;
	return k;
}

static void test_a_shared_factor_is_found_through_sums_quotients_and_shared_subterms(void)
{
	kernel_builder b;
	tape_kernel derived, body;
	uint32_t xs[3], t[3], w, e;
	size_t nnz = 0;
	double x[1] = {0.75}, data[3] = {0.5, -1.25, 2.0};
	memset(&b, 0, sizeof b);
	for (int c = 0; c < 3; c++)
		xs[c] = emit(&b, TAPE_DATA, OP_CONST, 0, 0, 0, c, 0.0);
	w = emit(&b, TAPE_VAR, OP_CONST, 0, 0, 0, 0, 0.0);
	e = emit(&b, TAPE_OP, OP_EXP, w, 0, 0, 0, 0.0);
	for (int c = 0; c < 3; c++) {
		uint32_t v = emit(&b, TAPE_OP, OP_MUL, xs[c], e, 0, 0, 0.0);
		for (int k = 0; k < 40; k++)
			v = emit(&b, TAPE_OP, OP_ADD, v, v, 0, 0, 0.0);
		v = emit(&b, TAPE_OP, OP_NEG, v, 0, 0, 0, 0.0);
		v = emit(&b, TAPE_OP, OP_DIV, v, w, 0, 0, 0.0);
		t[c] = emit(&b, TAPE_OP, OP_SUB, v, emit(&b, TAPE_OP, OP_MUL, xs[c], w, 0, 0, 0.0), 0, 0,
		            0.0);
	}
	derived = dense_outputs(&b, xs, t, &nnz);
	CU_ASSERT_FATAL(tmpl_body_simplify(&derived, 1, &body) == HESSC_OK);
	CU_ASSERT(compare(&derived, &body, nnz, x, data, 3) <= 1e-14);
	data[1] = 3.5;
	x[0] = -0.3;
	CU_ASSERT(compare(&derived, &body, nnz, x, data, 3) <= 1e-14);
	/* the factor once (exp, 40 doublings, a quotient and a sum), a
	 * product and a sign per column, one product per entry: far from the
	 * 3 * 45 operations of the columns derived apart */
	CU_ASSERT(count_ops(&derived) >= 3 * 45);
	CU_ASSERT(count_ops(&body) <= 43 + 2 * 3 + nnz);
	tmpl_body_free(&body);
}

/* Columns whose factors differ stay as they are: t_c = X_c * e^(c w). */
static void test_columns_without_a_common_factor_are_left_alone(void)
{
	kernel_builder b;
	tape_kernel derived, body;
	uint32_t xs[3], t[3], w;
	size_t nnz = 0, ops_before;
	double x[1] = {0.4}, data[3] = {1.5, -0.5, 0.25};
	memset(&b, 0, sizeof b);
	for (int c = 0; c < 3; c++)
		xs[c] = emit(&b, TAPE_DATA, OP_CONST, 0, 0, 0, c, 0.0);
	w = emit(&b, TAPE_VAR, OP_CONST, 0, 0, 0, 0, 0.0);
	for (int c = 0; c < 3; c++) {
		uint32_t k = emit(&b, TAPE_CONST, OP_CONST, 0, 0, 0, 0, 1.0 + c);
		uint32_t e = emit(&b, TAPE_OP, OP_EXP, emit(&b, TAPE_OP, OP_MUL, k, w, 0, 0, 0.0), 0, 0,
		                  0, 0.0);
		t[c] = emit(&b, TAPE_OP, OP_MUL, xs[c], e, 0, 0, 0.0);
	}
	derived = dense_outputs(&b, xs, t, &nnz);
	ops_before = count_ops(&derived);
	CU_ASSERT_FATAL(tmpl_body_simplify(&derived, 1, &body) == HESSC_OK);
	CU_ASSERT(compare(&derived, &body, nnz, x, data, 3) <= 1e-15);
	CU_ASSERT(count_ops(&body) <= ops_before);
	tmpl_body_free(&body);
}

int main(void)
{
	static const test_case tests[] = {
		{"a logistic regression shares its sample factor between columns",
		 test_a_logistic_regression_shares_its_sample_factor_between_columns},
		{"a shared factor is found through sums, quotients and shared subterms",
		 test_a_shared_factor_is_found_through_sums_quotients_and_shared_subterms},
		{"columns without a common factor are left alone",
		 test_columns_without_a_common_factor_are_left_alone},
	};
	return run_test_suite("template_body", tests, TEST_COUNT(tests));
}
