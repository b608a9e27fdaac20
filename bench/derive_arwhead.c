/* derive_arwhead.c -- how long derive() takes on arwhead at large n.
 *
 *   f(x) = sum_{i<n-1} (-4 x_i + 3) + (x_i^2 + x_{n-1}^2)^2
 *
 * x_{n-1} meets every term, so the Hessian is an arrowhead with 2n-1
 * entries in its lower triangle; the work must grow with n, not n^2.
 * Usage: derive_arwhead [n]   (default 1000000); prints n, nnz, nodes and
 * the seconds spent building the graph and deriving, as wall-clock time and
 * as processor time (which a busy machine does not inflate). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "derive.h"

static double cpu(void) { return (double)clock() / CLOCKS_PER_SEC; }

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	if (n < 2) {
		fprintf(stderr, "usage: derive_arwhead [n >= 2]\n");
		return 2;
	}
	double t0 = now(), c0 = cpu();
	graph *g = graph_new();
	if (!g)
		return 3;
	node_id xn2 = graph_powi(g, graph_var(g, n - 1), 2);
	node_id m4 = graph_const(g, -4), three = graph_const(g, 3);
	node_id f = graph_const(g, 0);
	for (long i = 0; i < n - 1; i++) {
		node_id xi = graph_var(g, i);
		node_id lin = graph_binary(g, OP_ADD, graph_binary(g, OP_MUL, m4, xi), three);
		node_id sq = graph_powi(g, graph_binary(g, OP_ADD, graph_powi(g, xi, 2), xn2), 2);
		f = graph_binary(g, OP_ADD, f, graph_binary(g, OP_ADD, lin, sq));
	}
	size_t before = graph_size(g);
	double t1 = now(), c1 = cpu();
	derivatives d;
	hessc_status st = derive(g, f, (size_t)n, DERIVE_DEFAULT_MAX_NNZ, &d);
	double t2 = now(), c2 = cpu();
	if (st != HESSC_OK) {
		fprintf(stderr, "derive failed: status %d\n", (int)st);
		graph_free(g);
		return 3;
	}
	printf("n %ld  nnz %zu  nodes %zu -> %zu  requests %zu\n"
	       "build  %.2f s (processor %.2f s)\nderive %.2f s (processor %.2f s)\n",
	       n, d.nnz, before, graph_size(g), graph_requests(g), t1 - t0, c1 - c0, t2 - t1, c2 - c1);
	derivatives_free(&d);
	graph_free(g);
	return 0;
}
