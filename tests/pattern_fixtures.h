/* pattern_fixtures.h -- lower-triangle patterns of known structure for the
 * inspection tests, built from a predicate "is (i,j) a nonzero" over the
 * candidate entries each structure can have (never an n^2 scan). */
#ifndef HESSC_TEST_PATTERN_FIXTURES_H
#define HESSC_TEST_PATTERN_FIXTURES_H

#include <stdint.h>
#include <stdlib.h>

typedef struct fixture_pattern {
	int64_t n;
	int32_t *colptr;   /* size n+1 */
	int32_t *rowind;   /* size colptr[n] */
} fixture_pattern;

/* Kinds of pattern: half-band `w` plus `border` dense last rows. */
static inline int fixture_band_border(int64_t n, int64_t w, int64_t border,
                                      fixture_pattern *p)
{
	int64_t cap = 0;
	for (int64_t j = 0; j < n; j++) {
		int64_t band_end = j + w < n - border ? j + w : n - border - 1;
		int64_t band = band_end >= j ? band_end - j + 1 : 0;
		int64_t extra = 0;
		for (int64_t i = n - border; i < n; i++)
			extra += i >= j && i > band_end;
		cap += band + extra;
	}
	p->n = n;
	p->colptr = malloc((size_t)(n + 1) * sizeof *p->colptr);
	p->rowind = malloc((size_t)(cap ? cap : 1) * sizeof *p->rowind);
	if (p->colptr == NULL || p->rowind == NULL)
		return -1;
	int32_t k = 0;
	for (int64_t j = 0; j < n; j++) {
		p->colptr[j] = k;
		int64_t band_end = j + w < n - border ? j + w : n - border - 1;
		for (int64_t i = j; i <= band_end; i++)
			p->rowind[k++] = (int32_t)i;
		for (int64_t i = n - border; i < n; i++)
			if (i >= j && i > band_end)
				p->rowind[k++] = (int32_t)i;
	}
	p->colptr[n] = k;
	return 0;
}

/* Dense diagonal blocks of size b (the last one may be smaller). */
static inline int fixture_blocks(int64_t n, int64_t b, fixture_pattern *p)
{
	int64_t cap = 0;
	for (int64_t j = 0; j < n; j++) {
		int64_t end = (j / b + 1) * b;
		cap += (end < n ? end : n) - j;
	}
	p->n = n;
	p->colptr = malloc((size_t)(n + 1) * sizeof *p->colptr);
	p->rowind = malloc((size_t)(cap ? cap : 1) * sizeof *p->rowind);
	if (p->colptr == NULL || p->rowind == NULL)
		return -1;
	int32_t k = 0;
	for (int64_t j = 0; j < n; j++) {
		p->colptr[j] = k;
		int64_t end = (j / b + 1) * b;
		for (int64_t i = j; i < (end < n ? end : n); i++)
			p->rowind[k++] = (int32_t)i;
	}
	p->colptr[n] = k;
	return 0;
}

/* Dense first column(s) plus the diagonal: x[1] meets every term. */
static inline int fixture_first_columns(int64_t n, int64_t border, fixture_pattern *p)
{
	int64_t cap = 0;
	for (int64_t j = 0; j < n; j++)
		cap += j < border ? n - j : 1;
	p->n = n;
	p->colptr = malloc((size_t)(n + 1) * sizeof *p->colptr);
	p->rowind = malloc((size_t)cap * sizeof *p->rowind);
	if (p->colptr == NULL || p->rowind == NULL)
		return -1;
	int32_t k = 0;
	for (int64_t j = 0; j < n; j++) {
		p->colptr[j] = k;
		for (int64_t i = j; i < (j < border ? n : j + 1); i++)
			p->rowind[k++] = (int32_t)i;
	}
	p->colptr[n] = k;
	return 0;
}

/* A pseudo-random symmetric pattern: the diagonal plus about `per_col`
 * entries below it in each column, scattered over the whole triangle. */
static inline int fixture_scattered(int64_t n, int per_col, uint64_t seed,
                                    fixture_pattern *p)
{
	p->n = n;
	p->colptr = malloc((size_t)(n + 1) * sizeof *p->colptr);
	p->rowind = malloc((size_t)(n * (per_col + 1)) * sizeof *p->rowind);
	if (p->colptr == NULL || p->rowind == NULL)
		return -1;
	int32_t k = 0;
	for (int64_t j = 0; j < n; j++) {
		p->colptr[j] = k;
		p->rowind[k++] = (int32_t)j;
		int64_t span = n - 1 - j;
		if (span <= 0)
			continue;
		/* per_col sorted distinct offsets: one in each of per_col slices */
		int64_t slice = span / per_col;
		for (int t = 0; t < per_col && slice > 0; t++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			int64_t off = 1 + t * slice + (int64_t)((seed >> 33) % (uint64_t)slice);
			p->rowind[k++] = (int32_t)(j + off);
		}
	}
	p->colptr[n] = k;
	return 0;
}

static inline void fixture_free(fixture_pattern *p)
{
	free(p->colptr);
	free(p->rowind);
	p->colptr = NULL;
	p->rowind = NULL;
}

#endif
