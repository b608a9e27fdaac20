/* test_spy.c -- spy plots as SVG and PNG, opened with real decoders:
 * libpng reads the PNG back, rsvg-convert renders the SVG (its path is the
 * first argument) and libpng reads the rendering. */
#include <CUnit/Basic.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spy.h"
#include "pattern_fixtures.h"
#include "test_runner.h"

static const char *rsvg_convert;
static char tmpdir[256];

typedef struct image {
	int w, h;
	uint8_t *rgb;
} image;

/* Read any PNG as 8-bit RGB through libpng; 0 on success. */
static int read_png(const char *path, image *img)
{
	png_image pi;
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&pi, path))
		return -1;
	pi.format = PNG_FORMAT_RGB;
	img->w = (int)pi.width;
	img->h = (int)pi.height;
	img->rgb = malloc(PNG_IMAGE_SIZE(pi));
	if (img->rgb == NULL || !png_image_finish_read(&pi, NULL, img->rgb, 0, NULL)) {
		png_image_free(&pi);
		free(img->rgb);
		return -1;
	}
	return 0;
}

static int brightness(const image *img, int x, int y)
{
	const uint8_t *p = img->rgb + 3 * ((size_t)y * (size_t)img->w + (size_t)x);
	return (p[0] + p[1] + p[2]) / 3;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void temp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

typedef hessc_status (*spy_writer)(FILE *, int64_t, const int32_t *, const int32_t *,
                                   const spy_options *);

static hessc_status write_file(const char *path, spy_writer writer, const fixture_pattern *p,
                               const char *title)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return HESSC_ERR_INTERNAL;
	spy_options opt = {title, 0};
	hessc_status st = writer(f, p->n, p->colptr, p->rowind, &opt);
	if (fclose(f) != 0)
		st = HESSC_ERR_INTERNAL;
	return st;
}

/* Render an SVG to PNG with rsvg-convert; 0 on success. */
static int render_svg(const char *svg, const char *png)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s' -f png -o '%s' '%s'", rsvg_convert, png, svg);
	return system(cmd);
}

/* The plot's pixel for matrix position (i, j) at the default plot size. */
static void plot_pixel(int64_t n, int64_t i, int64_t j, int *x, int *y)
{
	*x = SPY_MARGIN_LEFT + (int)(((double)j + 0.5) * SPY_DEFAULT_SIZE / (double)n);
	*y = SPY_MARGIN_TOP + (int)(((double)i + 0.5) * SPY_DEFAULT_SIZE / (double)n);
}

/* The diagonal of the picture is dark, a far corner of the plot is white. */
static void check_tridiagonal_picture(const image *img, int64_t n)
{
	CU_ASSERT_EQUAL(img->w, SPY_DEFAULT_SIZE + SPY_MARGIN_LEFT + SPY_MARGIN_RIGHT);
	CU_ASSERT_EQUAL(img->h, SPY_DEFAULT_SIZE + SPY_MARGIN_TOP + SPY_MARGIN_BOTTOM);
	int x, y;
	for (int64_t i = n / 10; i < n; i += n / 5) {
		plot_pixel(n, i, i, &x, &y);
		CU_ASSERT(brightness(img, x, y) < 200);
	}
	plot_pixel(n, n - n / 8, n / 8, &x, &y);
	CU_ASSERT_EQUAL(brightness(img, x, y), 255);
	plot_pixel(n, n / 8, n - n / 8, &x, &y);
	CU_ASSERT_EQUAL(brightness(img, x, y), 255);
}

/* Some dark pixels in the title area, where the model name is written. */
static int title_is_drawn(const image *img)
{
	int dark = 0;
	for (int y = 0; y < 30; y++)
		for (int x = 0; x < img->w; x++)
			dark += brightness(img, x, y) < 128;
	return dark > 20;
}

static void test_png_of_a_million_variable_tridiagonal_pattern_is_small_and_decodes(void)
{
	fixture_pattern p;
	char path[512];
	image img = {0};
	CU_ASSERT_FATAL(fixture_band_border(1000000, 1, 0, &p) == 0);
	temp_path(path, sizeof path, "tri.png");
	CU_ASSERT_FATAL(write_file(path, spy_write_png, &p, "tridia") == HESSC_OK);
	long size = file_size(path);
	CU_ASSERT(size > 0 && size < 1000000);
	CU_ASSERT_FATAL(read_png(path, &img) == 0);
	check_tridiagonal_picture(&img, p.n);
	CU_ASSERT(title_is_drawn(&img));
	free(img.rgb);
	fixture_free(&p);
}

static void test_svg_of_a_million_variable_tridiagonal_pattern_is_small_and_renders(void)
{
	fixture_pattern p;
	char svg[512], png[512];
	image img = {0};
	CU_ASSERT_FATAL(fixture_band_border(1000000, 1, 0, &p) == 0);
	temp_path(svg, sizeof svg, "tri.svg");
	temp_path(png, sizeof png, "tri_svg.png");
	CU_ASSERT_FATAL(write_file(svg, spy_write_svg, &p, "tridia") == HESSC_OK);
	long size = file_size(svg);
	CU_ASSERT(size > 0 && size < 1000000);
	CU_ASSERT_FATAL(render_svg(svg, png) == 0);
	CU_ASSERT_FATAL(read_png(png, &img) == 0);
	check_tridiagonal_picture(&img, p.n);
	CU_ASSERT(title_is_drawn(&img));
	free(img.rgb);
	fixture_free(&p);
}

static void test_scattered_million_variable_pattern_stays_under_a_megabyte_in_both_formats(void)
{
	fixture_pattern p;
	char svg[512], png[512], rendered[512];
	image img = {0};
	CU_ASSERT_FATAL(fixture_scattered(1000000, 3, 11, &p) == 0);
	temp_path(svg, sizeof svg, "scattered.svg");
	temp_path(png, sizeof png, "scattered.png");
	temp_path(rendered, sizeof rendered, "scattered_svg.png");
	CU_ASSERT_FATAL(write_file(svg, spy_write_svg, &p, "scattered") == HESSC_OK);
	CU_ASSERT_FATAL(write_file(png, spy_write_png, &p, "scattered") == HESSC_OK);
	long svg_size = file_size(svg), png_size = file_size(png);
	CU_ASSERT(svg_size > 0 && svg_size < 1000000);
	CU_ASSERT(png_size > 0 && png_size < 1000000);
	CU_ASSERT_FATAL(read_png(png, &img) == 0);
	/* the whole plot is speckled: most of its pixels are grey, not white */
	int grey = 0;
	for (int y = SPY_MARGIN_TOP; y < SPY_MARGIN_TOP + SPY_DEFAULT_SIZE; y += 7)
		for (int x = SPY_MARGIN_LEFT; x < SPY_MARGIN_LEFT + SPY_DEFAULT_SIZE; x += 7)
			grey += brightness(&img, x, y) < 255;
	CU_ASSERT(grey > 86 * 86 / 2);
	free(img.rgb);
	CU_ASSERT_FATAL(render_svg(svg, rendered) == 0);
	CU_ASSERT_FATAL(read_png(rendered, &img) == 0);
	int grey_svg = 0;
	for (int y = SPY_MARGIN_TOP; y < SPY_MARGIN_TOP + SPY_DEFAULT_SIZE; y += 7)
		for (int x = SPY_MARGIN_LEFT; x < SPY_MARGIN_LEFT + SPY_DEFAULT_SIZE; x += 7)
			grey_svg += brightness(&img, x, y) < 255;
	CU_ASSERT(grey_svg > 86 * 86 / 2);
	free(img.rgb);
	fixture_free(&p);
}

static void test_small_arrowhead_is_drawn_with_one_square_per_nonzero(void)
{
	fixture_pattern p;
	char svg[512], png[512], rendered[512];
	image img = {0};
	CU_ASSERT_FATAL(fixture_band_border(12, 0, 1, &p) == 0);
	temp_path(svg, sizeof svg, "arrow.svg");
	temp_path(png, sizeof png, "arrow.png");
	temp_path(rendered, sizeof rendered, "arrow_svg.png");
	CU_ASSERT_FATAL(write_file(svg, spy_write_svg, &p, "arrow<head>") == HESSC_OK);
	CU_ASSERT_FATAL(write_file(png, spy_write_png, &p, "arrowhead") == HESSC_OK);

	/* 12 diagonal squares plus 11 entries of the last row, mirrored: 34 */
	FILE *f = fopen(svg, "rb");
	CU_ASSERT_FATAL(f != NULL);
	char *text = calloc(1, 1 << 20);
	size_t len = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	CU_ASSERT(len > 0);
	int squares = 0;
	for (const char *s = strstr(text, "<path"); s != NULL && *s && *s != '>'; s++)
		squares += *s == 'M';
	CU_ASSERT_EQUAL(squares, 34);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "arrow&lt;head&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "one square per nonzero"));
	free(text);

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			CU_ASSERT_FATAL(render_svg(svg, rendered) == 0);
		CU_ASSERT_FATAL(read_png(pass ? rendered : png, &img) == 0);
		int x, y;
		for (int64_t k = 0; k < 12; k++) {
			plot_pixel(12, 11, k, &x, &y);   /* the last row */
			CU_ASSERT(brightness(&img, x, y) < 160);
			plot_pixel(12, k, 11, &x, &y);   /* its mirror, the last column */
			CU_ASSERT(brightness(&img, x, y) < 160);
			plot_pixel(12, k, k, &x, &y);
			CU_ASSERT(brightness(&img, x, y) < 160);
		}
		plot_pixel(12, 3, 7, &x, &y);
		CU_ASSERT_EQUAL(brightness(&img, x, y), 255);
		plot_pixel(12, 7, 3, &x, &y);
		CU_ASSERT_EQUAL(brightness(&img, x, y), 255);
		free(img.rgb);
	}
	fixture_free(&p);
}

static void test_ticks_are_round_numbers_within_the_matrix(void)
{
	int64_t t[16];
	CU_ASSERT_EQUAL(spy_ticks(1000000, t, 7), 5);
	CU_ASSERT_EQUAL(t[1], 200000);
	CU_ASSERT_EQUAL(t[4], 800000);
	CU_ASSERT_EQUAL(spy_ticks(12, t, 7), 6);
	CU_ASSERT_EQUAL(t[1], 2);
	CU_ASSERT_EQUAL(spy_ticks(3, t, 7), 3);
	CU_ASSERT_EQUAL(t[2], 2);
}

static void test_invalid_pattern_is_refused_before_anything_is_written(void)
{
	int32_t cp[3] = {0, 1, 2};
	int32_t ri[2] = {1, 0};   /* (0,1) in column 1 is above the diagonal */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(spy_write_svg(f, 2, cp, ri, NULL), HESSC_ERR_USAGE);
	CU_ASSERT_EQUAL(spy_write_png(f, 2, cp, ri, NULL), HESSC_ERR_USAGE);
	fclose(f);
	CU_ASSERT_EQUAL(len, 0);
	free(buf);
}

int main(int argc, char **argv)
{
	rsvg_convert = argc > 1 ? argv[1] : "rsvg-convert";
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/hessc-spy-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	static const test_case tests[] = {
		{"the PNG of a million-variable tridiagonal pattern is small and decodes", test_png_of_a_million_variable_tridiagonal_pattern_is_small_and_decodes},
		{"the SVG of a million-variable tridiagonal pattern is small and renders", test_svg_of_a_million_variable_tridiagonal_pattern_is_small_and_renders},
		{"a scattered million-variable pattern stays under a megabyte in both formats", test_scattered_million_variable_pattern_stays_under_a_megabyte_in_both_formats},
		{"a small arrowhead is drawn with one square per nonzero", test_small_arrowhead_is_drawn_with_one_square_per_nonzero},
		{"ticks are round numbers within the matrix", test_ticks_are_round_numbers_within_the_matrix},
		{"an invalid pattern is refused before anything is written", test_invalid_pattern_is_refused_before_anything_is_written},
	};
	int failed = run_test_suite("spy plots", tests, TEST_COUNT(tests));
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		failed = 1;
	return failed;
}
