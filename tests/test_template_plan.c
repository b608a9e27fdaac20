/* test_template_plan.c -- the plan of the templated kernels' writes
 * (template_plan.h): fused groups, affine pieces, stores and adds.
 *
 * The plan is run on values that are small integers (so every sum is
 * exact) and compared for equality with scattering every local output of
 * every iteration of every loop to its place (tmpl_run's rule); places
 * the plan does not zero start as NaN, so a place whose first write adds
 * shows. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "template.h"
#include "template_plan.h"
#include "test_runner.h"

typedef struct built {
	graph *g;
	model *m;
	tmpl_set s;
	tmpl_plan p;
	int32_t **pos;
} built;

static int build(built *b, const char *text)
{
	frontend_input in;
	diag_sink quiet = {0};
	memset(b, 0, sizeof *b);
	memset(&in, 0, sizeof in);
	in.model.path = "plan.mod";
	in.model.text = text;
	in.model.text_len = strlen(text);
	b->g = graph_new();
	if (!b->g || frontend_build(&in, &quiet, b->g, &b->m) != HESSC_OK)
		return 0;
	if (tmpl_find(b->g, b->m->objective, b->m->n, 1, &b->s) != HESSC_OK || b->s.n_loops == 0)
		return 0;
	if (tmpl_derive(&b->s, DERIVE_DEFAULT_MAX_NNZ) != HESSC_OK)
		return 0;
	if (tmpl_plan_build(&b->s, &b->p) != HESSC_OK)
		return 0;
	b->pos = calloc(b->s.n_loops, sizeof *b->pos);
	if (!b->pos)
		return 0;
	for (size_t q = 0; q < b->s.n_loops; q++) {
		b->pos[q] = malloc((tmpl_positions_size(&b->s.loops[q]) + 1) * sizeof **b->pos);
		if (!b->pos[q] || tmpl_positions(&b->s, q, b->pos[q]) != HESSC_OK)
			return 0;
	}
	return 1;
}

static void built_free(built *b)
{
	for (size_t q = 0; b->pos && q < b->s.n_loops; q++)
		free(b->pos[q]);
	free(b->pos);
	tmpl_plan_free(&b->p);
	tmpl_set_free(&b->s);
	if (b->m)
		model_free(b->m);
	if (b->g)
		graph_free(b->g);
}

/* The value of local output `local` of loop q at iteration it: an integer */
static double value(size_t q, size_t local, size_t it)
{
	return (double)(1 + (q * 131 + local * 17 + it * 7) % 1000);
}

static size_t n_local(const tmpl_loop *l, int hess)
{
	return hess ? l->d.nnz : l->n_slots;
}

static long place(const built *b, int hess, size_t q, size_t local, size_t it)
{
	const tmpl_loop *l = &b->s.loops[q];
	return hess ? b->pos[q][it * l->d.nnz + local] : hsetup_var(&l->view, (int)local, (long)it);
}

static double part_sum(const built *b, const tplan_kernel *k, const tplan_group *g,
                       const tplan_out *o, size_t it)
{
	double sum = 0.0;
	for (size_t p = 0; p < o->n_parts; p++) {
		const tplan_part *pt = &k->parts[o->first_part + p];
		sum += value(b->p.members[g->first_member + pt->member], pt->local, it);
	}
	return sum;
}

static void write(double *out, long at, double v, int store)
{
	if (store)
		out[at] = v;
	else
		out[at] += v;
}

/* Run kernel `hess` of the plan on value() and compare with scattering. */
static void check_kernel(const built *b, int hess)
{
	const tplan_kernel *k = hess ? &b->p.hess : &b->p.grad;
	size_t size = hess ? b->s.nnz : b->s.n;
	double *got = malloc((size + 1) * sizeof *got), *want = calloc(size + 1, sizeof *want);
	CU_ASSERT_FATAL(got && want);
	for (size_t a = 0; a < size; a++)
		got[a] = k->zero ? 0.0 : NAN;
	for (size_t q = 0; q < b->s.n_loops; q++)
		for (size_t it = 0; it < tmpl_iterations(&b->s.loops[q]); it++)
			for (size_t e = 0; e < n_local(&b->s.loops[q], hess); e++)
				want[place(b, hess, q, e, it)] += value(q, e, it);
	for (size_t gi = 0; gi < b->p.n_groups; gi++) {
		const tplan_group *g = &b->p.groups[gi];
		size_t c1 = g->count1, total = 0, n_parts = 0;
		for (size_t m = 0; m < g->n_members; m++)
			n_parts += n_local(&b->s.loops[b->p.members[g->first_member + m]], hess);
		for (size_t r = 0; r < k->n_pieces[gi]; r++) {
			const tplan_piece *pc = &k->pieces[k->first_piece[gi] + r];
			double *acc = calloc(pc->n_outs + 1, sizeof *acc);
			size_t parts = 0;
			CU_ASSERT_FATAL(acc != NULL);
			total += (pc->i1 - pc->i0) * (pc->j1 - pc->j0);
			for (size_t i = pc->i0; i < pc->i1; i++)
				for (size_t j = pc->j0; j < pc->j1; j++)
					for (size_t o = 0; o < pc->n_outs; o++) {
						const tplan_out *out = &k->outs[pc->first_out + o];
						double v = part_sum(b, k, g, out, i * c1 + j);
						long at;
						if (out->kind == TPLAN_FIXED) {
							acc[o] += v;
							continue;
						}
						at = out->kind == TPLAN_MAP
						     ? b->pos[out->map_loop][(i * c1 + j) * b->s.loops[out->map_loop].d.nnz
						                             + out->map_entry]
						     : out->base + out->s0 * (long)i + out->s1 * (long)j;
						CU_ASSERT_FATAL(at >= 0 && (size_t)at < size);
						write(got, at, v, out->store);
					}
			for (size_t o = 0; o < pc->n_outs; o++) {
				const tplan_out *out = &k->outs[pc->first_out + o];
				parts += out->n_parts;
				if (out->kind == TPLAN_FIXED)
					write(got, out->base, acc[o], out->store);
			}
			CU_ASSERT_EQUAL(parts, n_parts);  /* every member output, once per piece */
			free(acc);
		}
		CU_ASSERT_EQUAL(total, g->count0 * g->count1);  /* the pieces tile the range */
	}
	for (size_t a = 0; a < size; a++)
		CU_ASSERT_EQUAL(got[a], want[a]);
	free(got);
	free(want);
}

static void check(const built *b)
{
	check_kernel(b, 0);
	check_kernel(b, 1);
}

static size_t count_kind(const tplan_kernel *k, tplan_kind kind)
{
	size_t c = 0;
	for (size_t o = 0; o < k->n_outs; o++)
		c += k->outs[o].kind == kind;
	return c;
}

static void test_the_two_loops_of_one_sum_fuse_and_store_every_entry_once(void)
{
	built b;
	CU_ASSERT_FATAL(build(&b, "param N := 20;\n"
	                          "var x{i in 1..N} := if i mod 2 == 1 then -1.2 else 1;\n"
	                          "minimize f: sum {i in 1..N/2} (100*(x[2*i] - x[2*i-1]^2)^2"
	                          " + (x[2*i-1] - 1)^2);\n"));
	CU_ASSERT_EQUAL(b.p.n_groups, 1);
	CU_ASSERT_EQUAL(b.p.groups[0].n_members, b.s.n_loops);
	CU_ASSERT_EQUAL(b.p.hess.zero, 0);
	CU_ASSERT_EQUAL(b.p.grad.zero, 0);
	CU_ASSERT_EQUAL(b.p.hess.n_outs, 3);  /* (a,a) from both terms is one write */
	for (size_t o = 0; o < b.p.hess.n_outs; o++) {
		CU_ASSERT_EQUAL(b.p.hess.outs[o].kind, TPLAN_AFFINE);
		CU_ASSERT(b.p.hess.outs[o].store);
	}
	check(&b);
	built_free(&b);
}

static void test_an_arrow_sums_its_corner_in_a_register_and_stores_it(void)
{
	built b;
	CU_ASSERT_FATAL(build(&b, "param N := 30;\nvar x{1..N} := 1;\n"
	                          "minimize f: sum {i in 1..N-1} (-4*x[i] + 3)"
	                          " + sum {i in 1..N-1} (x[i]^2 + x[N]^2)^2;\n"));
	CU_ASSERT_EQUAL(b.p.n_groups, 1);
	CU_ASSERT_EQUAL(b.p.hess.zero, 0);
	CU_ASSERT_EQUAL(b.p.grad.zero, 0);
	CU_ASSERT_EQUAL(count_kind(&b.p.hess, TPLAN_FIXED), 1);
	CU_ASSERT_EQUAL(count_kind(&b.p.grad, TPLAN_FIXED), 1);
	check(&b);
	built_free(&b);
}

static void test_a_grid_is_cut_into_pieces_on_which_positions_are_affine(void)
{
	built b;
	CU_ASSERT_FATAL(build(&b, "param p := 7;\n"
	                          "var x{i in 1..p, j in 1..p} := (i + j)/p;\n"
	                          "minimize f: sum {i in 1..p-1, j in 1..p-1}\n"
	                          "  sqrt(1 + 0.5*(p-1)^2*((x[i,j] - x[i+1,j+1])^2"
	                          " + (x[i+1,j] - x[i,j+1])^2)) / (p-1)^2;\n"));
	CU_ASSERT_EQUAL_FATAL(b.p.n_groups, 1);
	CU_ASSERT(b.p.hess.n_pieces[0] > 1);
	CU_ASSERT(b.p.hess.n_pieces[0] <= TPLAN_MAX_PIECES);
	CU_ASSERT_EQUAL(count_kind(&b.p.hess, TPLAN_MAP), 0);
	CU_ASSERT_EQUAL(b.s.loops[0].count[0] > 1, 1);
	check(&b);
	built_free(&b);
}

static void test_overlapping_windows_store_where_they_come_first_and_add_after(void)
{
	built b;
	size_t stores = 0;
	CU_ASSERT_FATAL(build(&b, "param N := 16;\nvar x{1..N} := 1;\n"
	                          "minimize f: sum {i in 1..N-4} ((-4*x[i] + 3)^2 + (x[i]^2 + 2*x[i+1]^2"
	                          " + 3*x[i+2]^2 + 4*x[i+3]^2 + 5*x[N]^2)^2);\n"));
	for (size_t o = 0; o < b.p.grad.n_outs; o++)
		stores += (size_t)b.p.grad.outs[o].store;
	CU_ASSERT(stores > 0);                        /* x[i+3] is new at every iteration */
	CU_ASSERT(stores < b.p.grad.n_outs);          /* x[i] was written before */
	check(&b);
	built_free(&b);
}

static void test_loops_over_different_ranges_sharing_entries_add_to_them(void)
{
	built b;
	CU_ASSERT_FATAL(build(&b, "param N := 12;\nvar x{i in 1..N} := i / 5;\nvar y := 2;\n"
	                          "minimize f: sum {i in 1..N} x[i]^4 + sum {i in 1..N-1} (x[i]*x[i+1])^2\n"
	                          "  + sum {i in 1..4, j in 1..3} (x[3*(i-1)+j] - y)^2 + x[1]*x[N]*y;\n"));
	size_t adds = 0;
	CU_ASSERT(b.p.n_groups >= 2);
	for (size_t o = 0; o < b.p.hess.n_outs; o++)
		adds += (size_t)!b.p.hess.outs[o].store;
	CU_ASSERT(adds > 0);  /* the diagonal is written again by the later loops */
	check(&b);
	built_free(&b);
}

static void test_a_sum_over_data_whose_variables_never_move_writes_fixed_places(void)
{
	built b;
	CU_ASSERT_FATAL(build(&b, "param m := 12; param d := 3;\n"
	                          "param X{i in 1..m, j in 1..d} := ((i*7919 + j*104729) mod 1000)/500 - 1;\n"
	                          "param y{i in 1..m} := if i mod 3 == 0 then 1 else -1;\n"
	                          "var w{1..d} := 0.1;\n"
	                          "minimize f: sum {i in 1..m} log(1 + exp(-y[i] * sum {j in 1..d} X[i,j]*w[j]))\n"
	                          "  + 0.01/2 * sum {j in 1..d} w[j]^2;\n"));
	CU_ASSERT(count_kind(&b.p.hess, TPLAN_FIXED) > 0);
	CU_ASSERT_EQUAL(count_kind(&b.p.hess, TPLAN_MAP), 0);
	check(&b);
	built_free(&b);
}

int main(void)
{
	static const test_case tests[] = {
		{"the two loops of one sum fuse and store every entry once",
		 test_the_two_loops_of_one_sum_fuse_and_store_every_entry_once},
		{"an arrow sums its corner in a register and stores it",
		 test_an_arrow_sums_its_corner_in_a_register_and_stores_it},
		{"a grid is cut into pieces on which positions are affine",
		 test_a_grid_is_cut_into_pieces_on_which_positions_are_affine},
		{"overlapping windows store where they come first and add after",
		 test_overlapping_windows_store_where_they_come_first_and_add_after},
		{"loops over different ranges sharing entries add to them",
		 test_loops_over_different_ranges_sharing_entries_add_to_them},
		{"a sum over data whose variables never move writes fixed places",
		 test_a_sum_over_data_whose_variables_never_move_writes_fixed_places},
	};
	return run_test_suite("template_plan", tests, TEST_COUNT(tests));
}
