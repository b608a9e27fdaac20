/* solve_chain.c -- link the kernels `hessc gen` wrote for chain.mod with the
 * runtime and solve: the descriptor chain_setup builds goes to hessc_solve
 * as it is. */
#include <stdio.h>
#include <stdlib.h>

#include <hessc/solver.h>
#include "chain.h"     /* generated at build time: chain_setup, chain_f, ... */

/* the iteration log: one line per iteration, on stderr */
static int log_line(const hessc_iter_info *it, void *user)
{
	(void)user;
	fprintf(stderr, "%4d %23.16e %10.3e %10.3e %4d %s\n", it->iter, it->f, it->grad_norm,
	        it->radius, it->inner, hessc_step_kind_name(it->kind));
	return 0;
}

int main(void)
{
	hessc_solver_options opt;
	hessc_solver_result res;
	hessc_solver_options_init(&opt);
	opt.log = log_line;

	/* the generated code builds its Hessian pattern, x0 and bounds once, in
	 * memory the caller provides (it never allocates) */
	void *setup = malloc(chain_setup_bytes());
	if (!setup)
		return 1;
	const hessc_problem *chain = chain_setup(setup);

	hessc_solve(chain, &opt, &res);
	printf("status %s after %d iterations (%s): f = %.17g, |pg|_inf = %.3g\n",
	       hessc_solve_status_name(res.status), res.iterations, hessc_method_name(res.method),
	       res.f, res.grad_norm);
	if (res.x)
		for (int i = 0; i < 4 && i < chain->n; i++)
			printf("x[%d] = %.17g\n", i + 1, res.x[i]);

	/* the known answer: (0.5, 0.25) on the bound, then pairs at (1, 1) */
	int ok = res.status == HESSC_SOLVE_CONVERGED && res.x && res.x[0] == 0.5 &&
	         res.x[1] > 0.25 - 1e-6 && res.x[1] < 0.25 + 1e-6 &&
	         res.x[2] > 1.0 - 1e-6 && res.x[2] < 1.0 + 1e-6;
	hessc_solver_result_free(&res);
	free(setup);
	return ok ? 0 : 1;
}
