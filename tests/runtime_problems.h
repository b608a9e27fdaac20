/* runtime_problems.h -- hand-written test problems for the solver suites:
 * f, gradient, Hessian (lower triangle, CSC) and Hessian-vector product
 * written out by hand, with known solutions. */
#ifndef HESSC_TEST_RUNTIME_PROBLEMS_H
#define HESSC_TEST_RUNTIME_PROBLEMS_H

#include "hessc/problem.h"

/* 100 (y - x^2)^2 + (1 - x)^2 from (-1.2, 1); minimum (1, 1), f = 0 */
extern const hessc_problem rosenbrock_problem;
/* Powell singular, n = 4, from (3, -1, 0, 1); minimum 0 with a singular Hessian */
extern const hessc_problem powell_problem;
/* Beale, from (1, 1); minimum (3, 0.5), f = 0 */
extern const hessc_problem beale_problem;
/* x'Ax/2 - b'x, A = tridiag(-1, 4, -1), n = 5, b = (1..5), from 0: A x* = b */
extern const hessc_problem quadratic_problem;
extern const double quadratic_b[5];
/* x^2 + y^4/4 - y^2/2: saddle at (0, 0), minima (0, +-1), f = -1/4 */
extern const hessc_problem saddle_problem;
/* (x1-2)^2 + (x2-1/2)^2 + (x1-x2)^2/2 + (x3+1)^2 with x1 <= 1, x3 >= 0:
 * minimum (1, 2/3, 0), f = 25/12, two bounds active */
extern const hessc_problem bounded_quadratic_problem;
/* Rosenbrock with x <= 0.5: minimum (0.5, 0.25), f = 0.25 */
extern const hessc_problem bounded_rosenbrock_problem;
/* sum_i x_i - log x_i, n = 2, from (10, 10): NaN for x_i < 0; minimum (1, 1) */
extern const hessc_problem log_barrier_problem;
/* chained Rosenbrock, n = 100 (tridiagonal Hessian), from 0; minimum all ones
 * (from -1.2/1 it ends at the local minimum near x1 = -0.99, f = 3.9866) */
const hessc_problem *chained_rosenbrock(void);
/* (x1 + x2 - 2)^2: a singular Hessian everywhere, minimum on a line */
extern const hessc_problem singular_problem;
/* |x - 1/3|: a kink no Newton step resolves */
extern const hessc_problem kink_problem;
/* -x: unbounded below */
extern const hessc_problem linear_problem;

#endif
