/* spy_grid.c -- what the SVG and PNG spy plots share: the choice between
 * squares and a density raster, the raster's grey levels, ticks, caption. */
#include "spy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pattern_stats.h"

/* First index of cell r when n indices are cut into `cells` cells:
 * i lies in cell floor(i * cells / n). */
static int64_t cell_start(int64_t r, int64_t n, int64_t cells)
{
	return (r * n + cells - 1) / cells;
}

/* Darkness of a cell holding `count` of `area` positions: a log scale from
 * the sparsest possible cell (1 of max_area: still clearly visible) to a
 * full one (black), so that a tridiagonal band at n = 10^6 shows up. */
static uint8_t cell_level(int64_t count, int64_t area, int64_t max_area)
{
	if (count == 0)
		return 0;
	if (max_area <= 1 || count >= area)
		return 255;
	double t = log((double)count / (double)area) / log((double)max_area) + 1.0;
	if (t < 0.0)
		t = 0.0;
	double darkness = 0.45 + 0.55 * t;
	return (uint8_t)lround(255.0 * darkness);
}

static hessc_status fill_raster(const int32_t *colptr, const int32_t *rowind, spy_grid *g)
{
	int64_t n = g->n, cells = g->cells;
	uint32_t *count = calloc((size_t)(cells * cells), sizeof *count);
	g->level = calloc((size_t)(cells * cells), 1);
	if (count == NULL || g->level == NULL) {
		free(count);
		return HESSC_ERR_NOMEM;
	}
	for (int64_t j = 0; j < n; j++) {
		int64_t c = j * cells / n;
		for (int32_t p = colptr[j]; p < colptr[j + 1]; p++) {
			int64_t r = (int64_t)rowind[p] * cells / n;
			count[r * cells + c]++;
			if (rowind[p] != j)
				count[c * cells + r]++;
		}
	}
	int64_t widest = 0;
	for (int64_t r = 0; r < cells; r++) {
		int64_t w = cell_start(r + 1, n, cells) - cell_start(r, n, cells);
		if (w > widest)
			widest = w;
	}
	g->max_cell_area = widest * widest;
	for (int64_t r = 0; r < cells; r++) {
		int64_t rows = cell_start(r + 1, n, cells) - cell_start(r, n, cells);
		for (int64_t c = 0; c < cells; c++) {
			int64_t cols = cell_start(c + 1, n, cells) - cell_start(c, n, cells);
			g->level[r * cells + c] = cell_level(count[r * cells + c], rows * cols,
			                                     g->max_cell_area);
		}
	}
	free(count);
	return HESSC_OK;
}

hessc_status spy_grid_build(int64_t n, const int32_t *colptr, const int32_t *rowind,
                            int plot, int64_t max_markers, spy_grid *out)
{
	memset(out, 0, sizeof *out);
	if (plot <= 0)
		plot = SPY_DEFAULT_SIZE;
	if (plot < 16 || plot > 8192 || !pattern_is_lower_csc(n, colptr, rowind))
		return HESSC_ERR_USAGE;
	out->n = n;
	out->plot = plot;
	int64_t diag = 0;
	for (int64_t j = 0; j < n; j++)
		diag += colptr[j + 1] > colptr[j] && rowind[colptr[j]] == j;
	out->nnz_full = n > 0 ? 2 * (int64_t)colptr[n] - diag : 0;
	out->raster = n > plot || out->nnz_full > max_markers;
	if (!out->raster || n == 0) {
		out->raster = 0;
		return HESSC_OK;
	}
	out->cells = n < plot ? (int)n : plot;
	hessc_status st = fill_raster(colptr, rowind, out);
	if (st != HESSC_OK)
		spy_grid_free(out);
	return st;
}

void spy_grid_free(spy_grid *g)
{
	free(g->level);
	g->level = NULL;
}

int spy_ticks(int64_t n, int64_t *ticks, int max)
{
	if (n <= 0 || max <= 0)
		return 0;
	/* the smallest 1-2-5 step that gives at most `max` ticks over [0, n) */
	int64_t step = 1;
	for (int64_t mag = 1;; mag *= 10) {
		int64_t choices[3] = {mag, 2 * mag, 5 * mag};
		int found = 0;
		for (int k = 0; k < 3; k++) {
			if ((n - 1) / choices[k] + 1 <= max) {
				step = choices[k];
				found = 1;
				break;
			}
		}
		if (found)
			break;
	}
	int count = 0;
	for (int64_t v = 0; v < n && count < max; v += step)
		ticks[count++] = v;
	return count;
}

double spy_index_pos(const spy_grid *g, int64_t v)
{
	return ((double)v + 0.5) * (double)g->plot / (double)g->n;
}

void spy_caption(const spy_grid *g, char *buf, size_t size)
{
	if (g->raster)
		snprintf(buf, size,
		         "n = %lld, nnz = %lld; density raster %dx%d, grey = fraction of nonzeros (log scale)",
		         (long long)g->n, (long long)g->nnz_full, g->cells, g->cells);
	else
		snprintf(buf, size, "n = %lld, nnz = %lld; one square per nonzero",
		         (long long)g->n, (long long)g->nnz_full);
}
