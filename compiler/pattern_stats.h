/* pattern_stats.h -- what a Hessian sparsity pattern looks like, in numbers
 * and in one sentence.
 *
 * In:  the lower triangle (row >= col) of a symmetric pattern in compressed
 *      sparse column form: n, colptr (size n+1), rowind (size colptr[n]),
 *      rows sorted within each column, as derive() and the generated code
 *      give it.
 * Out: a pattern_stats value (sizes, density, bandwidth, how many rows have
 *      each count of nonzeros, the largest row, and a structure: diagonal,
 *      banded, block diagonal, arrowhead, dense or general sparse), and
 *      writers for it as text and as JSON.
 *
 * Counts are of the FULL symmetric matrix unless the name says "lower".
 * The work is O(n + nnz); nothing grows with n^2.
 */
#ifndef HESSC_PATTERN_STATS_H
#define HESSC_PATTERN_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "status.h"

typedef enum pattern_shape {
	PATTERN_EMPTY,           /* no structural nonzero */
	PATTERN_DIAGONAL,        /* only (i,i) entries */
	PATTERN_BANDED,          /* |i-j| <= width for every entry, width < n/2 */
	PATTERN_BLOCK_DIAGONAL,  /* dense diagonal blocks, nothing outside them */
	PATTERN_ARROWHEAD,       /* a band (or diagonal) plus dense last rows or first columns */
	PATTERN_DENSE,           /* every entry present */
	PATTERN_GENERAL          /* none of the above */
} pattern_shape;

typedef struct pattern_shape_info {
	pattern_shape shape;
	int64_t width;        /* BANDED, ARROWHEAD: half-bandwidth of the band part */
	int band_full;        /* BANDED, ARROWHEAD: 1 if every position of the band is present */
	double band_fill;     /* BANDED: fraction of band positions present (lower triangle) */
	int64_t blocks;       /* BLOCK_DIAGONAL: number of blocks */
	int64_t block_min;    /* BLOCK_DIAGONAL: smallest and largest block size */
	int64_t block_max;
	int64_t border;       /* ARROWHEAD: number of dense rows/columns */
	int border_first;     /* ARROWHEAD: 1 if the dense part is the first columns, 0 if the last rows */
} pattern_shape_info;

typedef struct pattern_count_bin {
	int64_t count;        /* nonzeros in a row */
	int64_t rows;         /* how many rows have exactly that many */
} pattern_count_bin;

typedef struct pattern_stats {
	int64_t n;                 /* order of the matrix */
	int64_t nnz_lower;         /* stored entries of the lower triangle */
	int64_t nnz_diag;          /* entries on the diagonal */
	int64_t nnz_full;          /* entries of the full symmetric matrix: 2*lower - diag */
	double density;            /* nnz_full / n^2 (0 when n == 0) */
	int64_t bandwidth;         /* max |i-j| over entries (0 when empty) */
	int64_t max_row_count;     /* nonzeros in the largest row of the full matrix */
	int64_t max_row;           /* its index (0-based; the first such row), -1 when n == 0 */
	int64_t empty_rows;        /* rows with no nonzero at all */
	pattern_count_bin *hist;   /* rows per count, counts increasing, only counts that occur */
	size_t hist_len;           /* entries of hist */
	pattern_shape_info shape;
} pattern_stats;

/* Counts of the expression graph that show what sharing saved: nodes the
 * front end and differentiation asked for, and nodes that exist after
 * hash-consing (common-subexpression elimination) and simplification. */
typedef struct pattern_graph_counts {
	size_t requested;          /* graph_requests(), value, gradient and Hessian built */
	size_t nodes;              /* graph_size() then */
	size_t expr_requested;     /* the same for the objective alone, before */
	size_t expr_nodes;         /*   differentiation (0, 0: not known) */
} pattern_graph_counts;

/* 1 when (colptr, rowind) is a valid lower triangle of order n: colptr[0]
 * == 0 and non-decreasing, rows in [j, n) and strictly increasing in each
 * column j. */
int pattern_is_lower_csc(int64_t n, const int32_t *colptr, const int32_t *rowind);

/* Fill *out.  HESSC_ERR_USAGE when the pattern is not a valid lower
 * triangle (colptr not increasing, a row out of range or above the
 * diagonal, rows not strictly increasing in a column); HESSC_ERR_NOMEM when
 * an allocation fails.  On failure *out owns nothing. */
hessc_status pattern_stats_compute(int64_t n, const int32_t *colptr,
                                   const int32_t *rowind, pattern_stats *out);
void pattern_stats_free(pattern_stats *s);

/* "tridiagonal", "banded, half-bandwidth 3", "block diagonal, 250 blocks of
 * size 4", "arrowhead: diagonal plus 1 dense last row", ... written into buf
 * (always NUL-terminated); returns buf. */
const char *pattern_shape_describe(const pattern_shape_info *shape, char *buf, size_t size);

/* The short machine name of the shape: "diagonal", "banded", ... */
const char *pattern_shape_name(pattern_shape shape);

/* Human-readable statistics, several lines.  `name` (the model) and
 * `counts` may be NULL.  HESSC_ERR_INTERNAL when writing fails. */
hessc_status pattern_stats_write_text(FILE *out, const pattern_stats *s,
                                      const char *name,
                                      const pattern_graph_counts *counts);

/* One JSON object:
 * {"model": str, "n": int, "nnz_lower": int, "nnz_full": int, "nnz_diagonal": int,
 *  "density": float, "bandwidth": int, "largest_row": {"row": int, "count": int},
 *  "empty_rows": int, "rows_per_count": [{"count": int, "rows": int}, ...],
 *  "structure": {"kind": str, "description": str, ...kind-specific fields},
 *  "graph": {"nodes_requested": int, "nodes": int, "saved": int,
 *            "expression": {"nodes_requested": int, "nodes": int, "saved": int}}}
 * ("expression" only when known)
 * "model" and "graph" are left out when name / counts are NULL. */
hessc_status pattern_stats_write_json(FILE *out, const pattern_stats *s,
                                      const char *name,
                                      const pattern_graph_counts *counts);

/* A JSON string literal for `text` (quotes included), escaping what JSON
 * requires; shared by the writers of the inspection views. */
void pattern_json_string(FILE *out, const char *text);

#endif
