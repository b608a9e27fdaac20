/* test_pattern_stats.c -- statistics and structure descriptions of patterns
 * with known structure. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "pattern_stats.h"
#include "pattern_fixtures.h"
#include "test_runner.h"

static void describe(const pattern_stats *s, char *buf, size_t size)
{
	pattern_shape_describe(&s->shape, buf, size);
}

static void test_diagonal_pattern_is_described_as_diagonal(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_band_border(1000, 0, 0, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.n, 1000);
	CU_ASSERT_EQUAL(s.nnz_lower, 1000);
	CU_ASSERT_EQUAL(s.nnz_full, 1000);
	CU_ASSERT_EQUAL(s.bandwidth, 0);
	CU_ASSERT_EQUAL(s.shape.shape, PATTERN_DIAGONAL);
	CU_ASSERT_EQUAL(s.hist_len, 1);
	CU_ASSERT_EQUAL(s.hist[0].count, 1);
	CU_ASSERT_EQUAL(s.hist[0].rows, 1000);
	CU_ASSERT_DOUBLE_EQUAL(s.density, 1e-3, 1e-15);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "diagonal");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_tridiagonal_pattern_has_bandwidth_one_and_rows_of_two_and_three(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_band_border(50000, 1, 0, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.nnz_lower, 50000 + 49999);
	CU_ASSERT_EQUAL(s.nnz_full, 50000 + 2 * 49999);
	CU_ASSERT_EQUAL(s.bandwidth, 1);
	CU_ASSERT_EQUAL(s.max_row_count, 3);
	CU_ASSERT_EQUAL(s.max_row, 1);
	CU_ASSERT_EQUAL_FATAL(s.hist_len, 2);
	CU_ASSERT_EQUAL(s.hist[0].count, 2);
	CU_ASSERT_EQUAL(s.hist[0].rows, 2);
	CU_ASSERT_EQUAL(s.hist[1].count, 3);
	CU_ASSERT_EQUAL(s.hist[1].rows, 49998);
	CU_ASSERT_EQUAL(s.shape.shape, PATTERN_BANDED);
	CU_ASSERT_EQUAL(s.shape.width, 1);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "tridiagonal");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_wide_band_is_described_with_its_half_bandwidth(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_band_border(100, 5, 0, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.bandwidth, 5);
	CU_ASSERT_EQUAL(s.max_row_count, 11);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "banded, half-bandwidth 5");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_arrowhead_pattern_has_one_dense_last_row(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_band_border(5000, 0, 1, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.nnz_lower, 5000 + 4999);
	CU_ASSERT_EQUAL(s.bandwidth, 4999);
	CU_ASSERT_EQUAL(s.max_row, 4999);
	CU_ASSERT_EQUAL(s.max_row_count, 5000);
	CU_ASSERT_EQUAL(s.shape.shape, PATTERN_ARROWHEAD);
	CU_ASSERT_EQUAL(s.shape.border, 1);
	CU_ASSERT_EQUAL(s.shape.width, 0);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "arrowhead: diagonal plus 1 dense last row");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_tridiagonal_band_with_two_dense_rows_is_an_arrowhead(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_band_border(300, 1, 2, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "arrowhead: tridiagonal band plus 2 dense last rows");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_dense_first_column_is_an_arrowhead_too(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_first_columns(400, 1, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.max_row, 0);
	CU_ASSERT_EQUAL(s.max_row_count, 400);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "arrowhead: diagonal plus 1 dense first column");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_block_diagonal_pattern_reports_its_block_size(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_blocks(1000, 4, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.nnz_lower, 250 * 10);
	CU_ASSERT_EQUAL(s.nnz_full, 250 * 16);
	CU_ASSERT_EQUAL(s.bandwidth, 3);
	CU_ASSERT_EQUAL(s.shape.shape, PATTERN_BLOCK_DIAGONAL);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "block diagonal, 250 blocks of size 4");
	pattern_stats_free(&s);
	fixture_free(&p);

	CU_ASSERT_FATAL(fixture_blocks(10, 4, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "block diagonal, 3 blocks of sizes 2 to 4");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_dense_pattern_is_described_as_dense(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_blocks(60, 60, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.nnz_lower, 60 * 61 / 2);
	CU_ASSERT_EQUAL(s.nnz_full, 3600);
	CU_ASSERT_DOUBLE_EQUAL(s.density, 1.0, 0.0);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "dense");
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_scattered_pattern_is_general_sparse(void)
{
	fixture_pattern p;
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(fixture_scattered(2000, 3, 7, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "general sparse");
	int64_t rows = 0, entries = 0;
	for (size_t k = 0; k < s.hist_len; k++) {
		rows += s.hist[k].rows;
		entries += s.hist[k].rows * s.hist[k].count;
	}
	CU_ASSERT_EQUAL(rows, 2000);
	CU_ASSERT_EQUAL(entries, s.nnz_full);
	pattern_stats_free(&s);
	fixture_free(&p);
}

static void test_empty_and_partial_band_patterns_are_told_apart(void)
{
	int32_t colptr[4] = {0, 0, 0, 0};
	pattern_stats s;
	char text[160];
	CU_ASSERT_FATAL(pattern_stats_compute(3, colptr, NULL, &s) == HESSC_OK);
	CU_ASSERT_EQUAL(s.shape.shape, PATTERN_EMPTY);
	CU_ASSERT_EQUAL(s.empty_rows, 3);
	pattern_stats_free(&s);

	/* diagonal and the second sub-diagonal only: a band of width 2, 60% filled */
	int32_t cp[6] = {0, 2, 4, 6, 7, 8};
	int32_t ri[8] = {0, 2, 1, 3, 2, 4, 3, 4};
	CU_ASSERT_FATAL(pattern_stats_compute(5, cp, ri, &s) == HESSC_OK);
	describe(&s, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "banded, half-bandwidth 2 (band 66.7% filled)");
	pattern_stats_free(&s);
}

static void test_invalid_patterns_are_refused(void)
{
	pattern_stats s;
	int32_t above[3] = {0, 1, 2};
	int32_t above_rows[2] = {0, 0};       /* (0,1) is above the diagonal */
	CU_ASSERT_EQUAL(pattern_stats_compute(2, above, above_rows, &s), HESSC_ERR_USAGE);
	int32_t unsorted_rows[2] = {1, 0};
	int32_t cp[3] = {0, 2, 2};
	CU_ASSERT_EQUAL(pattern_stats_compute(2, cp, unsorted_rows, &s), HESSC_ERR_USAGE);
	int32_t out_of_range[2] = {0, 5};
	CU_ASSERT_EQUAL(pattern_stats_compute(2, cp, out_of_range, &s), HESSC_ERR_USAGE);
}

static void test_json_holds_statistics_structure_and_graph_counts(void)
{
	fixture_pattern p;
	pattern_stats s;
	char *buf = NULL;
	size_t len = 0;
	CU_ASSERT_FATAL(fixture_band_border(10, 1, 0, &p) == 0);
	CU_ASSERT_FATAL(pattern_stats_compute(p.n, p.colptr, p.rowind, &s) == HESSC_OK);
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_FATAL(f != NULL);
	pattern_graph_counts counts = {120, 45, 30, 20};
	CU_ASSERT_EQUAL(pattern_stats_write_json(f, &s, "tri\"dia", &counts), HESSC_OK);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"model\": \"tri\\\"dia\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"n\": 10, \"nnz_lower\": 19, \"nnz_full\": 28"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"kind\": \"banded\", \"description\": \"tridiagonal\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"rows_per_count\": [{\"count\": 2, \"rows\": 2}, {\"count\": 3, \"rows\": 8}]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"graph\": {\"nodes_requested\": 120, \"nodes\": 45, \"saved\": 75, \"expression\": {\"nodes_requested\": 30, \"nodes\": 20, \"saved\": 10}}"));
	free(buf);
	pattern_stats_free(&s);
	fixture_free(&p);
}

int main(void)
{
	static const test_case tests[] = {
		{"a diagonal pattern is described as diagonal", test_diagonal_pattern_is_described_as_diagonal},
		{"a tridiagonal pattern has bandwidth one and rows of two and three", test_tridiagonal_pattern_has_bandwidth_one_and_rows_of_two_and_three},
		{"a wide band is described with its half-bandwidth", test_wide_band_is_described_with_its_half_bandwidth},
		{"an arrowhead pattern has one dense last row", test_arrowhead_pattern_has_one_dense_last_row},
		{"a tridiagonal band with two dense rows is an arrowhead", test_tridiagonal_band_with_two_dense_rows_is_an_arrowhead},
		{"a dense first column is an arrowhead too", test_dense_first_column_is_an_arrowhead_too},
		{"a block diagonal pattern reports its block size", test_block_diagonal_pattern_reports_its_block_size},
		{"a dense pattern is described as dense", test_dense_pattern_is_described_as_dense},
		{"a scattered pattern is general sparse", test_scattered_pattern_is_general_sparse},
		{"empty and partial band patterns are told apart", test_empty_and_partial_band_patterns_are_told_apart},
		{"invalid patterns are refused", test_invalid_patterns_are_refused},
		{"json holds statistics, structure and graph counts", test_json_holds_statistics_structure_and_graph_counts},
	};
	return run_test_suite("pattern statistics", tests, TEST_COUNT(tests));
}
