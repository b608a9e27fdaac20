/* coloring.c -- hub-separated distance-2 coloring, see coloring.h. */
#include <stdlib.h>
#include <string.h>
#include "coloring.h"

void coloring_free(hess_coloring *c)
{
	free(c->color);
	free(c->src_color);
	free(c->src_row);
	memset(c, 0, sizeof *c);
}

int coloring_build(int n, const int *colptr, const int *rowind, int hub_degree,
                   hess_coloring *out)
{
	int nnz = colptr[n], ncolors = 0, rc = -1;
	int *adjptr = calloc((size_t)n + 1, sizeof *adjptr);
	int *adj = malloc((size_t)(2 * nnz + 1) * sizeof *adj);
	int *fill = malloc(((size_t)n + 1) * sizeof *fill);
	int *stamp = malloc(((size_t)n + 1) * sizeof *stamp);
	char *hub = calloc((size_t)n + 1, 1);

	memset(out, 0, sizeof *out);
	out->n = n;
	out->color = malloc(((size_t)n + 1) * sizeof *out->color);
	out->src_color = malloc(((size_t)nnz + 1) * sizeof *out->src_color);
	out->src_row = malloc(((size_t)nnz + 1) * sizeof *out->src_row);
	if (!adjptr || !adj || !fill || !stamp || !hub || !out->color || !out->src_color
	    || !out->src_row)
		goto done;

	/* the full symmetric adjacency, diagonal left out */
	for (int c = 0; c < n; c++)
		for (int k = colptr[c]; k < colptr[c + 1]; k++)
			if (rowind[k] != c) {
				adjptr[c + 1]++;
				adjptr[rowind[k] + 1]++;
			}
	for (int v = 0; v < n; v++)
		adjptr[v + 1] += adjptr[v];
	memcpy(fill, adjptr, (size_t)n * sizeof *fill);
	for (int c = 0; c < n; c++)
		for (int k = colptr[c]; k < colptr[c + 1]; k++)
			if (rowind[k] != c) {
				adj[fill[c]++] = rowind[k];
				adj[fill[rowind[k]]++] = c;
			}
	for (int v = 0; v < n; v++)
		hub[v] = (adjptr[v + 1] - adjptr[v]) > hub_degree;

	/* greedy: the smallest color no non-hub neighbour and no column two
	 * steps away through a non-hub neighbour holds */
	for (int v = 0; v <= n; v++)
		stamp[v] = -1;
	for (int v = 0; v < n; v++)
		out->color[v] = -1;
	for (int v = 0; v < n; v++) {
		int c = 0;
		if (hub[v])
			continue;
		for (int a = adjptr[v]; a < adjptr[v + 1]; a++) {
			int w = adj[a];
			if (hub[w])
				continue;
			if (out->color[w] >= 0)
				stamp[out->color[w]] = v;
			for (int b = adjptr[w]; b < adjptr[w + 1]; b++) {
				int x = adj[b];
				if (x != v && !hub[x] && out->color[x] >= 0)
					stamp[out->color[x]] = v;
			}
		}
		while (stamp[c] == v)
			c++;
		out->color[v] = c;
		if (c + 1 > ncolors)
			ncolors = c + 1;
	}
	for (int v = 0; v < n; v++)
		if (hub[v])
			out->color[v] = ncolors++;
	out->ncolors = ncolors;

	for (int c = 0; c < n; c++)
		for (int k = colptr[c]; k < colptr[c + 1]; k++) {
			int r = rowind[k];
			if (r != c && hub[r]) {
				out->src_color[k] = out->color[r];
				out->src_row[k] = c;
			} else {
				out->src_color[k] = out->color[c];
				out->src_row[k] = r;
			}
		}
	rc = 0;
done:
	free(adjptr);
	free(adj);
	free(fill);
	free(stamp);
	free(hub);
	if (rc != 0)
		coloring_free(out);
	return rc;
}
