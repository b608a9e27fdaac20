/* test_runtime_solver.c -- the trust-region solvers on hand-written problems
 * with known solutions (runtime_problems.c). */
#include <math.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "hessc/solver.h"
#include "runtime_problems.h"
#include "test_runner.h"

/* ---- an iteration log that keeps every line ---- */
#define LOG_MAX 4000
typedef struct log_record {
	int count;
	hessc_iter_info lines[LOG_MAX];
	int stop_at;     /* > 0: ask to stop at this iteration */
} log_record;

static log_record rec;

static int record(const hessc_iter_info *info, void *user)
{
	log_record *r = user;
	if (r->count < LOG_MAX)
		r->lines[r->count++] = *info;
	return r->stop_at > 0 && info->iter >= r->stop_at;
}

static hessc_solver_options options(hessc_method method)
{
	hessc_solver_options o;
	hessc_solver_options_init(&o);
	o.method = method;
	memset(&rec, 0, sizeof rec);
	o.log = record;
	o.log_user = &rec;
	return o;
}

static int log_has_kind(hessc_step_kind kind)
{
	for (int i = 0; i < rec.count; i++)
		if (rec.lines[i].kind == kind && rec.lines[i].accepted)
			return 1;
	return 0;
}

/* the default stopping test's promise */
static void check_default_tolerance(const hessc_solver_result *r)
{
	CU_ASSERT_EQUAL(r->status, HESSC_SOLVE_CONVERGED);
	CU_ASSERT(r->grad_norm <= 1e-6 * fmax(1.0, r->grad_norm0));
}

/* ||g_{k+1}|| / ||g_k||^2 over the accepted iterations with ||g_k|| in
 * (1e-7, 1e-1): above the rounding floor, inside the region of fast
 * convergence; returns the largest ratio and how many were measured */
static double max_quadratic_ratio(int *measured)
{
	double worst = 0.0, prev = NAN;
	*measured = 0;
	for (int i = 0; i < rec.count; i++) {
		if (!rec.lines[i].accepted)
			continue;
		double g = rec.lines[i].grad_norm;
		if (prev < 1e-1 && prev > 1e-7) {
			double ratio = g / (prev * prev);
			if (ratio > worst)
				worst = ratio;
			(*measured)++;
		}
		prev = g;
	}
	return worst;
}

static void rosenbrock_with(hessc_method m)
{
	hessc_solver_options o = options(m);
	hessc_solver_result r;
	hessc_solve(&rosenbrock_problem, &o, &r);
	check_default_tolerance(&r);
	CU_ASSERT_DOUBLE_EQUAL(r.x[0], 1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(r.x[1], 1.0, 1e-6);
	CU_ASSERT(r.f < 1e-12);
	CU_ASSERT(r.iterations < 60);
	int measured;
	double worst = max_quadratic_ratio(&measured);
	CU_ASSERT(measured >= 2);
	CU_ASSERT(worst < 1e3);
	CU_ASSERT_EQUAL(r.g_evals, r.h_evals);
	CU_ASSERT(r.f_evals >= r.iterations);
	hessc_solver_result_free(&r);
}

static void test_rosenbrock_cg(void) { rosenbrock_with(HESSC_METHOD_TR_CG); }
static void test_rosenbrock_exact(void) { rosenbrock_with(HESSC_METHOD_TR_EXACT); }

static void powell_with(hessc_method m)
{
	hessc_solver_options o = options(m);
	o.gatol = 1e-12;
	o.grtol = 0.0;
	hessc_solver_result r;
	hessc_solve(&powell_problem, &o, &r);
	CU_ASSERT_EQUAL(r.status, HESSC_SOLVE_CONVERGED);
	for (int i = 0; i < 4; i++)
		CU_ASSERT(fabs(r.x[i]) < 1e-3);
	CU_ASSERT(r.f < 1e-12);
	hessc_solver_result_free(&r);
	/* and with the defaults */
	hessc_solve(&powell_problem, NULL, &r);
	check_default_tolerance(&r);
	hessc_solver_result_free(&r);
}

static void test_powell_cg(void) { powell_with(HESSC_METHOD_TR_CG); }
static void test_powell_exact(void) { powell_with(HESSC_METHOD_TR_EXACT); }

static void beale_with(hessc_method m)
{
	hessc_solver_options o = options(m);
	hessc_solver_result r;
	hessc_solve(&beale_problem, &o, &r);
	check_default_tolerance(&r);
	CU_ASSERT_DOUBLE_EQUAL(r.x[0], 3.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(r.x[1], 0.5, 1e-6);
	CU_ASSERT(r.f < 1e-12);
	hessc_solver_result_free(&r);
}

static void test_beale_cg(void) { beale_with(HESSC_METHOD_TR_CG); }
static void test_beale_exact(void) { beale_with(HESSC_METHOD_TR_EXACT); }

static void check_quadratic_solution(const hessc_solver_result *r)
{
	/* A x = b, A = tridiag(-1, 4, -1) */
	for (int i = 0; i < 5; i++) {
		double ax = 4.0 * r->x[i] - (i > 0 ? r->x[i - 1] : 0.0) - (i < 4 ? r->x[i + 1] : 0.0);
		CU_ASSERT_DOUBLE_EQUAL(ax, quadratic_b[i], 1e-10);
	}
}

static void test_quadratic_exact_one_step(void)
{
	hessc_solver_options o = options(HESSC_METHOD_TR_EXACT);
	hessc_solver_result r;
	hessc_solve(&quadratic_problem, &o, &r);
	CU_ASSERT_EQUAL(r.status, HESSC_SOLVE_CONVERGED);
	CU_ASSERT_EQUAL(r.iterations, 1);
	CU_ASSERT_EQUAL(rec.lines[1].kind, HESSC_STEP_NEWTON);
	CU_ASSERT_EQUAL(rec.lines[1].inner, 1);   /* one factorization, lambda = 0 */
	check_quadratic_solution(&r);
	hessc_solver_result_free(&r);
}

/* truncated CG stops early on purpose; asked for an exact inner solve
 * (forcing 1e-12) the step is Newton's and one step suffices */
static void test_quadratic_cg_one_step(void)
{
	for (int pc = HESSC_PRECOND_NONE; pc <= HESSC_PRECOND_ICHOL; pc++) {
		hessc_solver_options o = options(HESSC_METHOD_TR_CG);
		o.cg_forcing = 1e-12;
		o.precond = (hessc_precond)pc;
		hessc_solver_result r;
		hessc_solve(&quadratic_problem, &o, &r);
		CU_ASSERT_EQUAL(r.status, HESSC_SOLVE_CONVERGED);
		CU_ASSERT_EQUAL(r.iterations, 1);
		CU_ASSERT_EQUAL(rec.lines[1].kind, HESSC_STEP_NEWTON);
		check_quadratic_solution(&r);
		hessc_solver_result_free(&r);
	}
}

static void check_saddle_escaped(const hessc_solver_result *r)
{
	check_default_tolerance(r);
	CU_ASSERT_DOUBLE_EQUAL(r->x[0], 0.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(fabs(r->x[1]), 1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(r->f, -0.25, 1e-12);
}

static void test_saddle_cg_negative_curvature(void)
{
	hessc_solver_options o = options(HESSC_METHOD_TR_CG);
	hessc_solver_result r;
	hessc_solve(&saddle_problem, &o, &r);
	check_saddle_escaped(&r);
	CU_ASSERT(log_has_kind(HESSC_STEP_NEGCURV));
	hessc_solver_result_free(&r);
}

static void test_saddle_exact_hard_case(void)
{
	/* from (1, 0) g = (2, 0) is orthogonal to the negative-curvature
	 * direction (0, 1): More-Sorensen's hard case */
	static const double x0[] = { 1.0, 0.0 };
	hessc_problem p = saddle_problem;
	p.x0 = x0;
	hessc_solver_options o = options(HESSC_METHOD_TR_EXACT);
	hessc_solver_result r;
	hessc_solve(&p, &o, &r);
	check_saddle_escaped(&r);
	CU_ASSERT(log_has_kind(HESSC_STEP_HARDCASE));
	hessc_solver_result_free(&r);
	/* and from the other start as well */
	o = options(HESSC_METHOD_TR_EXACT);
	hessc_solve(&saddle_problem, &o, &r);
	check_saddle_escaped(&r);
	hessc_solver_result_free(&r);
}

static void test_bounded_quadratic(void)
{
	for (int m = HESSC_METHOD_TR_CG; m <= HESSC_METHOD_TR_EXACT; m++) {
		hessc_solver_options o = options((hessc_method)m);
		hessc_solver_result r;
		hessc_solve(&bounded_quadratic_problem, &o, &r);
		check_default_tolerance(&r);
		CU_ASSERT_EQUAL(r.method, HESSC_METHOD_TR_BOUNDS);
		CU_ASSERT_EQUAL(r.x[0], 1.0);          /* on the upper bound exactly */
		CU_ASSERT_DOUBLE_EQUAL(r.x[1], 2.0 / 3.0, 1e-9);
		CU_ASSERT_EQUAL(r.x[2], 0.0);          /* on the lower bound exactly */
		CU_ASSERT_DOUBLE_EQUAL(r.f, 25.0 / 12.0, 1e-12);
		hessc_solver_result_free(&r);
	}
}

static void test_bounded_rosenbrock(void)
{
	hessc_solver_options o = options(HESSC_METHOD_TR_CG);
	hessc_solver_result r;
	hessc_solve(&bounded_rosenbrock_problem, &o, &r);
	check_default_tolerance(&r);
	CU_ASSERT_EQUAL(r.x[0], 0.5);
	CU_ASSERT_DOUBLE_EQUAL(r.x[1], 0.25, 1e-8);
	CU_ASSERT_DOUBLE_EQUAL(r.f, 0.25, 1e-12);
	hessc_solver_result_free(&r);
}

static void test_nan_region(void)
{
	for (int m = HESSC_METHOD_TR_CG; m <= HESSC_METHOD_TR_EXACT; m++) {
		hessc_solver_options o = options((hessc_method)m);
		o.initial_radius = 100.0;   /* the first Newton step lands where log(x) is NaN */
		hessc_solver_result r;
		hessc_solve(&log_barrier_problem, &o, &r);
		check_default_tolerance(&r);
		CU_ASSERT_DOUBLE_EQUAL(r.x[0], 1.0, 1e-6);
		CU_ASSERT_DOUBLE_EQUAL(r.x[1], 1.0, 1e-6);
		int rejected_nan = 0;
		for (int i = 1; i < rec.count; i++)
			if (isnan(rec.lines[i].rho) && !rec.lines[i].accepted)
				rejected_nan++;
		CU_ASSERT(rejected_nan >= 1);
		hessc_solver_result_free(&r);
	}
}

static void test_nonfinite_start(void)
{
	static const double x0[] = { -1.0, 2.0 };
	hessc_problem p = log_barrier_problem;
	p.x0 = x0;
	hessc_solver_result r;
	CU_ASSERT_EQUAL(hessc_solve(&p, NULL, &r), HESSC_SOLVE_NONFINITE);
	CU_ASSERT_EQUAL(r.iterations, 0);
	CU_ASSERT_PTR_NOT_NULL(r.x);
	hessc_solver_result_free(&r);
}

static void test_chained_rosenbrock_each_preconditioner(void)
{
	for (int pc = HESSC_PRECOND_NONE; pc <= HESSC_PRECOND_ICHOL; pc++) {
		hessc_solver_options o = options(HESSC_METHOD_TR_CG);
		o.precond = (hessc_precond)pc;
		hessc_solver_result r;
		hessc_solve(chained_rosenbrock(), &o, &r);
		check_default_tolerance(&r);
		for (int i = 0; i < 100; i++)
			CU_ASSERT_DOUBLE_EQUAL(r.x[i], 1.0, 1e-5);
		hessc_solver_result_free(&r);
	}
	hessc_solver_options o = options(HESSC_METHOD_TR_EXACT);
	hessc_solver_result r;
	hessc_solve(chained_rosenbrock(), &o, &r);
	check_default_tolerance(&r);
	CU_ASSERT_DOUBLE_EQUAL(r.f, 0.0, 1e-10);
	hessc_solver_result_free(&r);
}

static void test_singular_hessian(void)
{
	for (int m = HESSC_METHOD_TR_CG; m <= HESSC_METHOD_TR_EXACT; m++) {
		hessc_solver_options o = options((hessc_method)m);
		hessc_solver_result r;
		hessc_solve(&singular_problem, &o, &r);
		check_default_tolerance(&r);
		CU_ASSERT_DOUBLE_EQUAL(r.x[0] + r.x[1], 2.0, 1e-6);
		hessc_solver_result_free(&r);
	}
}

static void test_each_stop_has_its_status(void)
{
	hessc_solver_options o = options(HESSC_METHOD_TR_CG);
	hessc_solver_result r;
	o.max_iter = 3;
	CU_ASSERT_EQUAL(hessc_solve(&rosenbrock_problem, &o, &r), HESSC_SOLVE_MAX_ITER);
	CU_ASSERT_EQUAL(r.iterations, 3);
	hessc_solver_result_free(&r);

	o = options(HESSC_METHOD_TR_CG);
	o.max_time = 0.0;
	CU_ASSERT_EQUAL(hessc_solve(&rosenbrock_problem, &o, &r), HESSC_SOLVE_TIME_LIMIT);
	hessc_solver_result_free(&r);

	o = options(HESSC_METHOD_TR_CG);
	rec.stop_at = 2;
	CU_ASSERT_EQUAL(hessc_solve(&rosenbrock_problem, &o, &r), HESSC_SOLVE_STOPPED);
	CU_ASSERT_EQUAL(r.iterations, 2);
	hessc_solver_result_free(&r);

	for (int m = HESSC_METHOD_TR_CG; m <= HESSC_METHOD_TR_EXACT; m++) {
		o = options((hessc_method)m);
		CU_ASSERT_EQUAL(hessc_solve(&kink_problem, &o, &r), HESSC_SOLVE_SMALL_STEP);
		CU_ASSERT_DOUBLE_EQUAL(r.x[0], 1.0 / 3.0, 1e-12);
		hessc_solver_result_free(&r);

		o = options((hessc_method)m);
		o.f_min = -1e6;
		CU_ASSERT_EQUAL(hessc_solve(&linear_problem, &o, &r), HESSC_SOLVE_UNBOUNDED);
		CU_ASSERT(r.f < -1e6);
		hessc_solver_result_free(&r);
	}
}

static void test_bad_input_is_refused(void)
{
	static const double lo[] = { 1.0, 0.0, 0.0 }, up[] = { 0.0, 1.0, 1.0 };
	hessc_problem p = bounded_quadratic_problem;
	p.lower = lo;
	p.upper = up;
	hessc_solver_result r;
	CU_ASSERT_EQUAL(hessc_solve(&p, NULL, &r), HESSC_SOLVE_BAD_INPUT);
	CU_ASSERT_PTR_NULL(r.x);
	hessc_solver_result_free(&r);

	static const int upper_ri[] = { 0, 0, 1 };   /* row 0 in column 1: upper triangle */
	p = rosenbrock_problem;
	p.hess_rowind = upper_ri;
	CU_ASSERT_EQUAL(hessc_solve(&p, NULL, &r), HESSC_SOLVE_BAD_INPUT);
	hessc_solver_result_free(&r);

	hessc_solver_options o;
	hessc_solver_options_init(&o);
	o.gatol = -1.0;
	CU_ASSERT_EQUAL(hessc_solve(&rosenbrock_problem, &o, &r), HESSC_SOLVE_BAD_INPUT);
	hessc_solver_result_free(&r);
	hessc_solver_result_free(&r);   /* twice is safe */
}

static void test_names_are_the_documented_words(void)
{
	CU_ASSERT_STRING_EQUAL(hessc_solve_status_name(HESSC_SOLVE_CONVERGED), "converged");
	CU_ASSERT_STRING_EQUAL(hessc_solve_status_name(HESSC_SOLVE_MAX_ITER), "max_iter");
	CU_ASSERT_STRING_EQUAL(hessc_solve_status_name(HESSC_SOLVE_TIME_LIMIT), "time_limit");
	CU_ASSERT_STRING_EQUAL(hessc_solve_status_name(HESSC_SOLVE_SMALL_STEP), "small_step");
	CU_ASSERT_STRING_EQUAL(hessc_solve_status_name(HESSC_SOLVE_NONFINITE), "nonfinite");
	CU_ASSERT_STRING_EQUAL(hessc_solve_status_name(HESSC_SOLVE_LINALG_ERROR), "linalg_error");
	CU_ASSERT_STRING_EQUAL(hessc_step_kind_name(HESSC_STEP_NEGCURV), "negcurv");
	hessc_method m;
	CU_ASSERT_EQUAL(hessc_method_parse("tr-exact", &m), 0);
	CU_ASSERT_EQUAL(m, HESSC_METHOD_TR_EXACT);
	CU_ASSERT_EQUAL(hessc_method_parse("newton", &m), -1);
	hessc_precond pc;
	CU_ASSERT_EQUAL(hessc_precond_parse("jacobi", &pc), 0);
	CU_ASSERT_EQUAL(pc, HESSC_PRECOND_JACOBI);
}

int main(void)
{
	static const test_case tests[] = {
		{"rosenbrock: tr-cg reaches (1,1) with quadratic convergence", test_rosenbrock_cg},
		{"rosenbrock: tr-exact reaches (1,1) with quadratic convergence", test_rosenbrock_exact},
		{"powell singular: tr-cg approaches 0 despite a singular Hessian", test_powell_cg},
		{"powell singular: tr-exact approaches 0 despite a singular Hessian", test_powell_exact},
		{"beale: tr-cg reaches (3, 1/2)", test_beale_cg},
		{"beale: tr-exact reaches (3, 1/2)", test_beale_exact},
		{"convex quadratic: tr-exact takes one Newton step", test_quadratic_exact_one_step},
		{"convex quadratic: tr-cg with an exact inner solve takes one step", test_quadratic_cg_one_step},
		{"saddle: tr-cg follows negative curvature to a minimum", test_saddle_cg_negative_curvature},
		{"saddle: tr-exact solves the hard case and reaches a minimum", test_saddle_exact_hard_case},
		{"bounded quadratic: the bounds method stops on two active bounds", test_bounded_quadratic},
		{"bounded rosenbrock: the solution lies on the bound", test_bounded_rosenbrock},
		{"a NaN trial point shrinks the radius and the solve still converges", test_nan_region},
		{"a non-finite initial point is reported as nonfinite", test_nonfinite_start},
		{"chained rosenbrock converges with every preconditioner and tr-exact", test_chained_rosenbrock_each_preconditioner},
		{"a singular Hessian everywhere is handled by both methods", test_singular_hessian},
		{"iteration, time, callback, step and unboundedness stops have their own statuses", test_each_stop_has_its_status},
		{"inconsistent problems and options are refused as bad_input", test_bad_input_is_refused},
		{"statuses, methods and step kinds have their documented names", test_names_are_the_documented_words},
	};
	return run_test_suite("runtime solver", tests, TEST_COUNT(tests));
}
