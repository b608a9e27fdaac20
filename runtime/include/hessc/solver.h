/* hessc/solver.h -- trust-region Newton solvers over a hessc_problem.
 *
 * In:  a hessc_problem (hessc/problem.h: what `hessc gen` emits, or
 *      hand-written callbacks) and a hessc_solver_options.
 * Out: a hessc_solver_result: status, x, f, gradient norm, counts, time.
 *
 * Methods (hessc_method):
 *   tr-cg     trust region, subproblem by Steihaug-Toint truncated conjugate
 *             gradients over the sparse Hessian, preconditioned (Jacobi or
 *             incomplete Cholesky), negative curvature followed to the
 *             trust-region boundary.  The default.
 *   tr-exact  trust region, subproblem solved nearly exactly (More-Sorensen)
 *             by sparse Cholesky factorizations of H + lambda I (CHOLMOD):
 *             one symbolic analysis per solve, one numeric factorization per
 *             inner iteration; the hard case is handled.
 * When the problem has a finite bound, the projected trust-region method
 * (TRON-like: Cauchy point by projected search, then preconditioned CG on
 * the free variables with projected searches) is used whatever the method.
 *
 * Norms: tr-exact and the bounds method measure the region in the
 * Euclidean norm, ||s||_2 <= radius; tr-cg in the preconditioner's norm
 * sqrt(s'Ms) (Euclidean with precond "none"), as Steihaug's CG requires
 * for its iterates to grow monotonically.  The gradient measure is the
 * infinity norm of g, or with bounds of the projected gradient x - P(x - g).
 * Default stopping test (converged):
 *     measure <= max(gatol, grtol * measure(x0)),
 * with the defaults (1e-6, 1e-10) never looser than
 * 1e-6 * max(1, ||g(x0)||_inf), and equal to 1e-6 unless ||g(x0)|| > 1e4.
 *
 * The library never prints and never exits.  Memory is allocated once per
 * solve (freed before hessc_solve returns) except result.x, which the
 * caller frees with hessc_solver_result_free.
 */
#ifndef HESSC_SOLVER_H
#define HESSC_SOLVER_H

#include "problem.h"

/* Every outcome of a solve.  The one-word name (hessc_solve_status_name)
 * is what `hessc solve --format json` prints as "status". */
typedef enum hessc_solve_status {
	HESSC_SOLVE_CONVERGED = 0,   /* "converged": gradient measure below the tolerance */
	HESSC_SOLVE_MAX_ITER,        /* "max_iter": options.max_iter iterations done */
	HESSC_SOLVE_TIME_LIMIT,      /* "time_limit": options.max_time seconds elapsed */
	HESSC_SOLVE_SMALL_STEP,      /* "small_step": radius shrank below step_tol * max(1, ||x||):
	                              * no further progress is possible in floating point */
	HESSC_SOLVE_NONFINITE,       /* "nonfinite": f, g or H is NaN/Inf at the initial point,
	                              * or the radius collapsed on non-finite trial points */
	HESSC_SOLVE_UNBOUNDED,       /* "unbounded": f fell below options.f_min */
	HESSC_SOLVE_STOPPED,         /* "stopped": the log callback asked to stop */
	HESSC_SOLVE_BAD_INPUT,       /* "bad_input": inconsistent problem or options (n < 0,
	                              * missing callback, lower > upper, bad pattern, ...) */
	HESSC_SOLVE_NO_MEMORY,       /* "no_memory": an allocation failed */
	HESSC_SOLVE_LINALG_ERROR     /* "linalg_error": CHOLMOD failed other than by
	                              * "not positive definite" (which is handled) */
} hessc_solve_status;

typedef enum hessc_method {
	HESSC_METHOD_TR_CG = 0,      /* "tr-cg" (default) */
	HESSC_METHOD_TR_EXACT,       /* "tr-exact" */
	HESSC_METHOD_TR_BOUNDS       /* "tr-bounds": chosen automatically when there are bounds;
	                              * never needs to be requested */
} hessc_method;

typedef enum hessc_precond {
	HESSC_PRECOND_NONE = 0,      /* "none" */
	HESSC_PRECOND_JACOBI,        /* "jacobi": diagonal of H, safeguarded */
	HESSC_PRECOND_ICHOL          /* "ichol": incomplete Cholesky IC(0) of H + alpha D with a
	                              * shift alpha raised until it exists (Lin-More); default */
} hessc_precond;

/* How an iteration's step ended (the log's "step kind"). */
typedef enum hessc_step_kind {
	HESSC_STEP_NEWTON = 0,       /* "newton": inner solve converged inside the region */
	HESSC_STEP_BOUNDARY,         /* "boundary": stopped on the trust-region boundary */
	HESSC_STEP_NEGCURV,          /* "negcurv": negative curvature followed to the boundary */
	HESSC_STEP_HARDCASE,         /* "hardcase": More-Sorensen hard case (eigenvector step) */
	HESSC_STEP_MAXINNER,         /* "maxinner": inner iteration limit reached */
	HESSC_STEP_CAUCHY,           /* "cauchy": bounds: the Cauchy point alone */
	HESSC_STEP_PROJECTED,        /* "projected": bounds: step truncated by a projected search */
	HESSC_STEP_NONE              /* "-": the initial point's line in the log */
} hessc_step_kind;

/* One line of the iteration log, given to options.log after each iteration
 * (iter 0 describes the initial point). */
typedef struct hessc_iter_info {
	int iter;                    /* iteration number, 0 for the initial point */
	double f;                    /* f at the current (accepted) point */
	double grad_norm;            /* gradient measure (inf-norm, projected with bounds) */
	double radius;               /* trust-region radius used for this iteration's step */
	double step_norm;            /* the trial step's length in the radius's norm (0 at iter 0) */
	double rho;                  /* actual / predicted reduction (NaN: non-finite trial) */
	int inner;                   /* inner iterations: CG steps or factorizations */
	hessc_step_kind kind;        /* how the step was computed */
	int accepted;                /* 1 if the trial point became the new iterate */
} hessc_iter_info;

/* Return non-zero to stop the solve (status "stopped"). */
typedef int (*hessc_log_fn)(const hessc_iter_info *info, void *user);

typedef struct hessc_solver_options {
	hessc_method method;         /* tr-cg by default; tr-bounds forced when bounds exist */
	hessc_precond precond;       /* CG preconditioner (tr-cg and bounds), ichol by default */
	double gatol;                /* absolute gradient tolerance, default 1e-6 */
	double grtol;                /* tolerance relative to the measure at x0, default 1e-10 */
	double step_tol;             /* small_step when radius < step_tol*max(1,||x||_2), 1e-15 */
	int max_iter;                /* outer iterations, default 1000 */
	double max_time;             /* seconds of wall-clock time, default INFINITY (none) */
	double initial_radius;       /* <= 0: automatic, max(1, ||g(x0)||_2) */
	double max_radius;           /* default 1e10 */
	int max_inner;               /* CG iterations per step (<= 0: n + 10) and
	                              * factorizations per More-Sorensen solve (cap 50) */
	double cg_forcing;           /* CG stops when ||r|| <= min(cg_forcing, ||g||_2) ||g||_2;
	                              * default 0.5 (that is, quadratic convergence) */
	double eta_accept;           /* accept a step when rho > eta_accept, default 1e-4 */
	double f_min;                /* unbounded when f < f_min, default -1e100 */
	hessc_log_fn log;            /* iteration log, NULL for none */
	void *log_user;              /* passed to log */
} hessc_solver_options;

typedef struct hessc_solver_result {
	hessc_solve_status status;   /* see above */
	hessc_method method;         /* the method actually used */
	int n;                       /* size of x */
	double *x;                   /* final iterate, size n (hessc_solver_result_free frees it) */
	double f;                    /* f(x) */
	double grad_norm;            /* gradient measure at x (projected inf-norm with bounds) */
	double grad_norm0;           /* the same at the initial point */
	int iterations;              /* outer iterations done */
	long f_evals;                /* calls of problem->f */
	long g_evals;                /* calls of problem->grad */
	long h_evals;                /* calls of problem->hess */
	long inner_iterations;       /* CG steps or factorizations, in total */
	double time;                 /* wall-clock seconds in hessc_solve */
} hessc_solver_result;

/* Fill *opt with the defaults above. */
void hessc_solver_options_init(hessc_solver_options *opt);

/* Minimize problem->f from problem->x0 (projected onto the bounds).
 * opt may be NULL (defaults).  Always fills *res (res->x is NULL only when
 * the status is bad_input or no_memory) and returns res->status. */
hessc_solve_status hessc_solve(const hessc_problem *problem,
                               const hessc_solver_options *opt,
                               hessc_solver_result *res);

/* Free what hessc_solve stored in *res; safe on a zeroed result, twice too. */
void hessc_solver_result_free(hessc_solver_result *res);

/* One-word names ("converged", "tr-cg", "ichol", "newton", ...); the parse
 * functions return 0 and set *out, or -1 for an unknown word. */
const char *hessc_solve_status_name(hessc_solve_status s);
const char *hessc_method_name(hessc_method m);
const char *hessc_precond_name(hessc_precond p);
const char *hessc_step_kind_name(hessc_step_kind k);
int hessc_method_parse(const char *word, hessc_method *out);
int hessc_precond_parse(const char *word, hessc_precond *out);

#endif
