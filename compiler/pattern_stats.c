/* pattern_stats.c -- statistics and structure of a symmetric sparsity
 * pattern given by its lower triangle (see pattern_stats.h). */
#include "pattern_stats.h"

#include <stdlib.h>
#include <string.h>

/* Check that (colptr, rowind) is a lower triangle with sorted, distinct rows. */
int pattern_is_lower_csc(int64_t n, const int32_t *colptr, const int32_t *rowind)
{
	if (n < 0 || colptr == NULL || colptr[0] != 0)
		return 0;
	for (int64_t j = 0; j < n; j++) {
		if (colptr[j + 1] < colptr[j])
			return 0;
		for (int32_t k = colptr[j]; k < colptr[j + 1]; k++) {
			if (rowind[k] < j || rowind[k] >= n)
				return 0;
			if (k > colptr[j] && rowind[k] <= rowind[k - 1])
				return 0;
		}
	}
	return 1;
}

/* Entries of the lower triangle within half-bandwidth w of an m-by-m matrix. */
static int64_t band_positions(int64_t m, int64_t w)
{
	if (w >= m)
		w = m - 1;
	return m * (w + 1) - w * (w + 1) / 2;
}

/* Dense diagonal blocks that cover the whole matrix, nothing outside them. */
static int detect_blocks(int64_t n, const int32_t *colptr, const int32_t *rowind,
                         pattern_shape_info *info)
{
	int64_t blocks = 0, bmin = INT64_MAX, bmax = 0;
	for (int64_t s = 0; s < n;) {
		if (colptr[s + 1] == colptr[s] || rowind[colptr[s]] != s)
			return 0;
		int64_t e = rowind[colptr[s + 1] - 1];
		for (int64_t j = s; j <= e; j++) {
			int32_t first = colptr[j], last = colptr[j + 1] - 1;
			if (last < first || rowind[first] != j || rowind[last] != e ||
			    last - first != e - j)
				return 0;
		}
		int64_t size = e - s + 1;
		blocks++;
		if (size < bmin)
			bmin = size;
		if (size > bmax)
			bmax = size;
		s = e + 1;
	}
	if (blocks < 2 || bmax < 2)
		return 0;
	info->shape = PATTERN_BLOCK_DIAGONAL;
	info->blocks = blocks;
	info->block_min = bmin;
	info->block_max = bmax;
	return 1;
}

/* A band plus k dense last rows (border_first == 0) or k dense first columns
 * (border_first == 1).  row_lower[i] counts entries (i, j<=i). */
static int detect_arrowhead(int64_t n, const int32_t *colptr, const int32_t *rowind,
                            const int64_t *row_lower, pattern_shape_info *info)
{
	int64_t k_rows = 0, k_cols = 0;
	while (k_rows < n && row_lower[n - 1 - k_rows] == n - k_rows)
		k_rows++;
	while (k_cols < n && colptr[k_cols + 1] - colptr[k_cols] == n - k_cols)
		k_cols++;
	int first = 0;
	int64_t k = k_rows;
	if (k == 0) {
		first = 1;
		k = k_cols;
	}
	if (k == 0 || 2 * k > n)
		return 0;
	int64_t m = n - k; /* order of the band part */
	int64_t w = 0, entries = 0;
	for (int64_t j = first ? k : 0; j < n; j++) {
		for (int32_t p = colptr[j]; p < colptr[j + 1]; p++) {
			int64_t i = rowind[p];
			if (!first && i >= m)
				continue;
			if (i - j > w)
				w = i - j;
			entries++;
		}
	}
	if (w > 0 && 2 * w + 1 > m)
		return 0;
	info->shape = PATTERN_ARROWHEAD;
	info->width = w;
	info->border = k;
	info->border_first = first;
	info->band_full = entries == band_positions(m, w);
	return 1;
}

static void classify(const pattern_stats *s, const int32_t *colptr, const int32_t *rowind,
                     const int64_t *row_lower, pattern_shape_info *info)
{
	int64_t n = s->n;
	memset(info, 0, sizeof *info);
	if (s->nnz_lower == 0) {
		info->shape = PATTERN_EMPTY;
		return;
	}
	if (s->bandwidth == 0) {
		info->shape = PATTERN_DIAGONAL;
		return;
	}
	if (s->nnz_lower == n * (n + 1) / 2) {
		info->shape = PATTERN_DENSE;
		return;
	}
	if (detect_blocks(n, colptr, rowind, info))
		return;
	int64_t w = s->bandwidth;
	if (2 * w + 1 <= n) {
		int64_t positions = band_positions(n, w);
		info->shape = PATTERN_BANDED;
		info->width = w;
		info->band_full = s->nnz_lower == positions;
		info->band_fill = (double)s->nnz_lower / (double)positions;
		return;
	}
	if (detect_arrowhead(n, colptr, rowind, row_lower, info))
		return;
	info->shape = PATTERN_GENERAL;
}

static hessc_status build_histogram(const int64_t *row_full, int64_t n, int64_t max_count,
                                    pattern_stats *s)
{
	int64_t *tally = calloc((size_t)max_count + 1, sizeof *tally);
	if (tally == NULL)
		return HESSC_ERR_NOMEM;
	for (int64_t i = 0; i < n; i++)
		tally[row_full[i]]++;
	size_t bins = 0;
	for (int64_t c = 0; c <= max_count; c++)
		bins += tally[c] > 0;
	s->hist = malloc((bins ? bins : 1) * sizeof *s->hist);
	if (s->hist == NULL) {
		free(tally);
		return HESSC_ERR_NOMEM;
	}
	s->hist_len = 0;
	for (int64_t c = 0; c <= max_count; c++)
		if (tally[c] > 0)
			s->hist[s->hist_len++] = (pattern_count_bin){c, tally[c]};
	free(tally);
	return HESSC_OK;
}

hessc_status pattern_stats_compute(int64_t n, const int32_t *colptr,
                                   const int32_t *rowind, pattern_stats *out)
{
	memset(out, 0, sizeof *out);
	out->max_row = -1;
	if (!pattern_is_lower_csc(n, colptr, rowind))
		return HESSC_ERR_USAGE;

	hessc_status st = HESSC_ERR_NOMEM;
	size_t rows = n > 0 ? (size_t)n : 1;
	int64_t *row_lower = calloc(rows, sizeof *row_lower);
	int64_t *row_full = calloc(rows, sizeof *row_full);
	if (row_lower == NULL || row_full == NULL)
		goto done;

	out->n = n;
	out->nnz_lower = n > 0 ? colptr[n] : 0;
	for (int64_t j = 0; j < n; j++) {
		for (int32_t p = colptr[j]; p < colptr[j + 1]; p++) {
			int64_t i = rowind[p];
			row_lower[i]++;
			row_full[i]++;
			if (i == j) {
				out->nnz_diag++;
			} else {
				row_full[j]++;
				if (i - j > out->bandwidth)
					out->bandwidth = i - j;
			}
		}
	}
	out->nnz_full = 2 * out->nnz_lower - out->nnz_diag;
	out->density = n > 0 ? (double)out->nnz_full / ((double)n * (double)n) : 0.0;
	for (int64_t i = 0; i < n; i++) {
		if (row_full[i] > out->max_row_count || out->max_row < 0) {
			out->max_row_count = row_full[i];
			out->max_row = i;
		}
		out->empty_rows += row_full[i] == 0;
	}
	st = build_histogram(row_full, n, out->max_row_count, out);
	if (st != HESSC_OK)
		goto done;
	classify(out, colptr, rowind, row_lower, &out->shape);
done:
	free(row_lower);
	free(row_full);
	if (st != HESSC_OK)
		pattern_stats_free(out);
	return st;
}

void pattern_stats_free(pattern_stats *s)
{
	if (s == NULL)
		return;
	free(s->hist);
	s->hist = NULL;
	s->hist_len = 0;
}

const char *pattern_shape_name(pattern_shape shape)
{
	switch (shape) {
	case PATTERN_EMPTY: return "empty";
	case PATTERN_DIAGONAL: return "diagonal";
	case PATTERN_BANDED: return "banded";
	case PATTERN_BLOCK_DIAGONAL: return "block_diagonal";
	case PATTERN_ARROWHEAD: return "arrowhead";
	case PATTERN_DENSE: return "dense";
	case PATTERN_GENERAL: return "general";
	}
	return "general";
}

/* "tridiagonal", "pentadiagonal", ... for a full band, else NULL. */
static const char *band_word(int64_t w)
{
	switch (w) {
	case 1: return "tridiagonal";
	case 2: return "pentadiagonal";
	case 3: return "heptadiagonal";
	default: return NULL;
	}
}

const char *pattern_shape_describe(const pattern_shape_info *sh, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	const char *word = band_word(sh->width);
	switch (sh->shape) {
	case PATTERN_EMPTY:
		snprintf(buf, size, "empty (no structural nonzero)");
		break;
	case PATTERN_DIAGONAL:
		snprintf(buf, size, "diagonal");
		break;
	case PATTERN_DENSE:
		snprintf(buf, size, "dense");
		break;
	case PATTERN_GENERAL:
		snprintf(buf, size, "general sparse");
		break;
	case PATTERN_BANDED:
		if (sh->band_full && word != NULL)
			snprintf(buf, size, "%s", word);
		else if (sh->band_full)
			snprintf(buf, size, "banded, half-bandwidth %lld", (long long)sh->width);
		else
			snprintf(buf, size, "banded, half-bandwidth %lld (band %.3g%% filled)",
			         (long long)sh->width, 100.0 * sh->band_fill);
		break;
	case PATTERN_BLOCK_DIAGONAL:
		if (sh->block_min == sh->block_max)
			snprintf(buf, size, "block diagonal, %lld blocks of size %lld",
			         (long long)sh->blocks, (long long)sh->block_max);
		else
			snprintf(buf, size, "block diagonal, %lld blocks of sizes %lld to %lld",
			         (long long)sh->blocks, (long long)sh->block_min,
			         (long long)sh->block_max);
		break;
	case PATTERN_ARROWHEAD: {
		char band[64];
		if (sh->width == 0)
			snprintf(band, sizeof band, "diagonal");
		else if (sh->band_full && word != NULL)
			snprintf(band, sizeof band, "%s band", word);
		else
			snprintf(band, sizeof band, "band of half-width %lld", (long long)sh->width);
		snprintf(buf, size, "arrowhead: %s plus %lld dense %s%s", band,
		         (long long)sh->border, sh->border_first ? "first column" : "last row",
		         sh->border > 1 ? "s" : "");
		break;
	}
	}
	return buf;
}

void pattern_json_string(FILE *out, const char *text)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

hessc_status pattern_stats_write_text(FILE *out, const pattern_stats *s,
                                      const char *name,
                                      const pattern_graph_counts *counts)
{
	char shape[160];
	pattern_shape_describe(&s->shape, shape, sizeof shape);
	if (name != NULL)
		fprintf(out, "model:          %s\n", name);
	fprintf(out, "n:              %lld\n", (long long)s->n);
	fprintf(out, "nnz (lower):    %lld\n", (long long)s->nnz_lower);
	fprintf(out, "nnz (full):     %lld\n", (long long)s->nnz_full);
	fprintf(out, "nnz (diagonal): %lld\n", (long long)s->nnz_diag);
	fprintf(out, "density:        %.6g%%\n", 100.0 * s->density);
	fprintf(out, "bandwidth:      %lld\n", (long long)s->bandwidth);
	if (s->max_row >= 0)
		fprintf(out, "largest row:    %lld (%lld nonzeros)\n",
		        (long long)s->max_row, (long long)s->max_row_count);
	fprintf(out, "empty rows:     %lld\n", (long long)s->empty_rows);
	fprintf(out, "structure:      %s\n", shape);
	fprintf(out, "rows per count:");
	/* Long histograms (general patterns) are cut to their first entries. */
	size_t shown = s->hist_len <= 12 ? s->hist_len : 10;
	for (size_t k = 0; k < shown; k++)
		fprintf(out, "%s%lld: %lld", k ? ", " : " ", (long long)s->hist[k].count,
		        (long long)s->hist[k].rows);
	if (shown < s->hist_len)
		fprintf(out, ", ... (%zu counts; largest %lld: %lld)", s->hist_len,
		        (long long)s->hist[s->hist_len - 1].count,
		        (long long)s->hist[s->hist_len - 1].rows);
	fputc('\n', out);
	if (counts != NULL) {
		size_t saved = counts->requested > counts->nodes ? counts->requested - counts->nodes : 0;
		if (counts->expr_requested > 0) {
			size_t esaved = counts->expr_requested > counts->expr_nodes
			                ? counts->expr_requested - counts->expr_nodes : 0;
			fprintf(out, "graph of f:     %zu nodes requested, %zu after CSE and simplification (%zu saved, %.1f%%)\n",
			        counts->expr_requested, counts->expr_nodes, esaved,
			        100.0 * (double)esaved / (double)counts->expr_requested);
		}
		fprintf(out, "with f, g, H:   %zu nodes requested, %zu after CSE and simplification (%zu saved, %.1f%%)\n",
		        counts->requested, counts->nodes, saved,
		        counts->requested ? 100.0 * (double)saved / (double)counts->requested : 0.0);
	}
	return ferror(out) ? HESSC_ERR_INTERNAL : HESSC_OK;
}

hessc_status pattern_stats_write_json(FILE *out, const pattern_stats *s,
                                      const char *name,
                                      const pattern_graph_counts *counts)
{
	char shape[160];
	const pattern_shape_info *sh = &s->shape;
	pattern_shape_describe(sh, shape, sizeof shape);
	fputc('{', out);
	if (name != NULL) {
		fputs("\"model\": ", out);
		pattern_json_string(out, name);
		fputs(", ", out);
	}
	fprintf(out, "\"n\": %lld, \"nnz_lower\": %lld, \"nnz_full\": %lld, \"nnz_diagonal\": %lld, ",
	        (long long)s->n, (long long)s->nnz_lower, (long long)s->nnz_full,
	        (long long)s->nnz_diag);
	fprintf(out, "\"density\": %.17g, \"bandwidth\": %lld, ", s->density,
	        (long long)s->bandwidth);
	if (s->max_row >= 0)
		fprintf(out, "\"largest_row\": {\"row\": %lld, \"count\": %lld}, ",
		        (long long)s->max_row, (long long)s->max_row_count);
	else
		fputs("\"largest_row\": null, ", out);
	fprintf(out, "\"empty_rows\": %lld, \"rows_per_count\": [", (long long)s->empty_rows);
	for (size_t k = 0; k < s->hist_len; k++)
		fprintf(out, "%s{\"count\": %lld, \"rows\": %lld}", k ? ", " : "",
		        (long long)s->hist[k].count, (long long)s->hist[k].rows);
	fprintf(out, "], \"structure\": {\"kind\": \"%s\", \"description\": ",
	        pattern_shape_name(sh->shape));
	pattern_json_string(out, shape);
	switch (sh->shape) {
	case PATTERN_BANDED:
		fprintf(out, ", \"half_bandwidth\": %lld, \"band_full\": %s, \"band_fill\": %.17g",
		        (long long)sh->width, sh->band_full ? "true" : "false", sh->band_fill);
		break;
	case PATTERN_BLOCK_DIAGONAL:
		fprintf(out, ", \"blocks\": %lld, \"block_min\": %lld, \"block_max\": %lld",
		        (long long)sh->blocks, (long long)sh->block_min, (long long)sh->block_max);
		break;
	case PATTERN_ARROWHEAD:
		fprintf(out, ", \"half_bandwidth\": %lld, \"band_full\": %s, \"border\": %lld, \"border_at\": \"%s\"",
		        (long long)sh->width, sh->band_full ? "true" : "false",
		        (long long)sh->border, sh->border_first ? "first_columns" : "last_rows");
		break;
	default:
		break;
	}
	fputc('}', out);
	if (counts != NULL) {
		size_t saved = counts->requested > counts->nodes ? counts->requested - counts->nodes : 0;
		fprintf(out, ", \"graph\": {\"nodes_requested\": %zu, \"nodes\": %zu, \"saved\": %zu",
		        counts->requested, counts->nodes, saved);
		if (counts->expr_requested > 0)
			fprintf(out, ", \"expression\": {\"nodes_requested\": %zu, \"nodes\": %zu, \"saved\": %zu}",
			        counts->expr_requested, counts->expr_nodes,
			        counts->expr_requested > counts->expr_nodes
			        ? counts->expr_requested - counts->expr_nodes : 0);
		fputc('}', out);
	}
	fputs("}\n", out);
	return ferror(out) ? HESSC_ERR_INTERNAL : HESSC_OK;
}
