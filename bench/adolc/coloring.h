/* coloring.h -- a coloring of a symmetric sparsity pattern for compressed
 * Hessian evaluation with direct recovery (what ColPack's star coloring
 * gives ADOL-C's sparse_hess; Debian's ADOL-C is built without ColPack).
 *
 * In:  the lower triangle pattern (CSC, rows sorted), n.
 * Out: a color per column, and for every stored lower entry the compressed
 *      column (color) and row from which H * S (S the seed matrix of the
 *      colors) gives its value directly.
 *
 * Method: columns whose degree exceeds `hub_degree` (e.g. x_n in an
 * arrowhead) are hubs and get a color each; the other columns get a greedy
 * distance-2 coloring in which paths through hubs are ignored.  Entry (r,c)
 * is read at row r of color(c) unless r is a hub, then at row c of
 * color(r): a hub's color holds it alone, and two non-hub columns that
 * share a non-hub row have different colors, so every read is one term.
 * The work is O(n hub_degree^2), never quadratic in n.
 */
#ifndef HESSC_BENCH_COLORING_H
#define HESSC_BENCH_COLORING_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hess_coloring {
	int n, ncolors;
	int *color;       /* size n, 0 .. ncolors-1 */
	int *src_color;   /* size nnz: compressed column holding entry k */
	int *src_row;     /* size nnz: row of that column holding entry k */
} hess_coloring;

/* 0, or -1 when memory runs out (nothing left allocated). */
int coloring_build(int n, const int *colptr, const int *rowind, int hub_degree,
                   hess_coloring *out);
void coloring_free(hess_coloring *c);

#ifdef __cplusplus
}
#endif

#endif
