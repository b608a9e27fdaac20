/* spy.h -- spy plots of a symmetric sparsity pattern, as SVG and PNG.
 *
 * In:  the lower triangle of the pattern in compressed sparse column form
 *      (n, colptr, rowind; see pattern_stats.h) and a title (the model name).
 * Out: a picture of the FULL symmetric pattern written to a stream: a square
 *      per nonzero while the squares do not overlap (n up to the plot size),
 *      otherwise a density raster whose grey level is the fraction of
 *      nonzeros in each cell on a log scale (every occupied cell visible,
 *      full cells black).  Row ticks on the left, column ticks on top
 *      (0-based indices, as in `hessc eval --format json`), the title above,
 *      a caption with n, nnz and the mode below.  The files stay small at
 *      any n: the work and the output grow with nnz and the plot size, the
 *      output only with the plot size once it is a raster.
 */
#ifndef HESSC_SPY_H
#define HESSC_SPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "status.h"

typedef struct spy_options {
	const char *title;   /* shown above the plot; NULL: none */
	int plot_size;       /* side of the plot area in pixels; 0: SPY_DEFAULT_SIZE */
} spy_options;

#define SPY_DEFAULT_SIZE 600
/* Margins around the plot area, in pixels: row labels left, title and
 * column labels above, the caption below. */
#define SPY_MARGIN_LEFT 72
#define SPY_MARGIN_TOP 56
#define SPY_MARGIN_RIGHT 24
#define SPY_MARGIN_BOTTOM 36
/* White space between the plot and its frame, so that a full first or last
 * row or column is not mistaken for the frame. */
#define SPY_FRAME_GAP 3
/* An SVG with more marker squares than this draws the density raster instead,
 * so that the file stays well under a megabyte. */
#define SPY_SVG_MAX_MARKERS 40000

/* HESSC_ERR_USAGE for an invalid pattern or option, HESSC_ERR_NOMEM,
 * HESSC_ERR_INTERNAL when writing fails. */
hessc_status spy_write_svg(FILE *out, int64_t n, const int32_t *colptr,
                           const int32_t *rowind, const spy_options *opt);
hessc_status spy_write_png(FILE *out, int64_t n, const int32_t *colptr,
                           const int32_t *rowind, const spy_options *opt);

/* ---- shared by the two writers (spy_grid.c, spy_png.c) ---- */

/* The plot's geometry and, in raster mode, the grey level of every cell. */
typedef struct spy_grid {
	int64_t n;
	int plot;            /* side of the plot area in pixels */
	int raster;          /* 0: one square per nonzero; 1: density raster */
	int cells;           /* raster: cells per side (== plot) */
	uint8_t *level;      /* raster: cells*cells darkness 0 (empty) .. 255 (full), row-major */
	int64_t nnz_full;    /* nonzeros of the full symmetric matrix */
	int64_t max_cell_area;  /* raster: entries in the largest cell */
} spy_grid;

/* Validate the pattern and pick the mode; fill the raster when `raster` is
 * forced (1) or chosen (markers would overlap, or more than max_markers). */
hessc_status spy_grid_build(int64_t n, const int32_t *colptr, const int32_t *rowind,
                            int plot, int64_t max_markers, spy_grid *out);
void spy_grid_free(spy_grid *g);

/* Tick values: up to `max` multiples of a 1-2-5 step in [0, n); returns the
 * count written to ticks. */
int spy_ticks(int64_t n, int64_t *ticks, int max);

/* Pixel coordinate (from the plot's edge) of the centre of index v. */
double spy_index_pos(const spy_grid *g, int64_t v);

/* The caption under the plot, e.g. "n = 1000, nnz = 2998 (lower 1999);
 * one square per nonzero". */
void spy_caption(const spy_grid *g, char *buf, size_t size);

/* Encode an 8-bit RGB (channels 3) or grey (channels 1) image as PNG into
 * a malloc'ed buffer. */
hessc_status spy_png_encode(const uint8_t *pixels, int width, int height, int channels,
                            uint8_t **png, size_t *png_len);

#endif
