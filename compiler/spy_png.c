/* spy_png.c -- the spy plot as a PNG image, drawn into an RGB canvas and
 * encoded with libpng (see spy.h for what the picture shows). */
#include "spy.h"

#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "spy_font.h"

#define SPY_FONT_ADVANCE 7

typedef struct canvas {
	int w, h;
	uint8_t *rgb;   /* w*h*3 */
} canvas;

typedef struct rgb { uint8_t r, g, b; } rgb;

static const rgb INK = {0x22, 0x22, 0x22};
static const rgb FRAME = {0x80, 0x80, 0x80};
static const rgb MARKER = {0x1f, 0x4e, 0x9a};

static void fill_rect(canvas *c, int x0, int y0, int x1, int y1, rgb color)
{
	/* [x0, x1) x [y0, y1), clipped */
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	if (x1 > c->w) x1 = c->w;
	if (y1 > c->h) y1 = c->h;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			uint8_t *p = c->rgb + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
			p[0] = color.r;
			p[1] = color.g;
			p[2] = color.b;
		}
}

static void blend_pixel(canvas *c, int x, int y, rgb color, int alpha15)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h || alpha15 == 0)
		return;
	uint8_t *p = c->rgb + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
	p[0] = (uint8_t)((p[0] * (15 - alpha15) + color.r * alpha15) / 15);
	p[1] = (uint8_t)((p[1] * (15 - alpha15) + color.g * alpha15) / 15);
	p[2] = (uint8_t)((p[2] * (15 - alpha15) + color.b * alpha15) / 15);
}

static int text_width(const char *s)
{
	return (int)strlen(s) * SPY_FONT_ADVANCE;
}

/* Draw `s` with its top-left corner at (x, y); bytes outside ASCII print as '?'. */
static void draw_text(canvas *c, int x, int y, const char *s, rgb color)
{
	for (; *s; s++, x += SPY_FONT_ADVANCE) {
		unsigned ch = (unsigned char)*s;
		if (ch < 32 || ch > 126)
			ch = '?';
		const char *glyph = spy_font[ch - 32];
		for (int gy = 0; gy < SPY_FONT_H; gy++)
			for (int gx = 0; gx < SPY_FONT_W; gx++) {
				char d = glyph[gy * SPY_FONT_W + gx];
				int a = d <= '9' ? d - '0' : d - 'a' + 10;
				blend_pixel(c, x + gx, y + gy, color, a);
			}
	}
}

/* The title, shortened with "..." to what fits in `width` pixels. */
static void draw_title(canvas *c, const char *title, int width)
{
	char buf[256];
	int max_chars = width / SPY_FONT_ADVANCE;
	if (max_chars > (int)sizeof buf - 1)
		max_chars = (int)sizeof buf - 1;
	snprintf(buf, sizeof buf, "%s", title);
	if ((int)strlen(buf) > max_chars && max_chars > 3)
		strcpy(buf + max_chars - 3, "...");
	/* twice, one pixel apart: a bold title */
	draw_text(c, (c->w - text_width(buf)) / 2, 8, buf, INK);
	draw_text(c, (c->w - text_width(buf)) / 2 + 1, 8, buf, INK);
}

static void draw_axes(canvas *c, const spy_grid *g)
{
	int L = SPY_MARGIN_LEFT, T = SPY_MARGIN_TOP, P = g->plot, G = SPY_FRAME_GAP;
	int64_t ticks[16];
	int count = spy_ticks(g->n, ticks, 7);
	for (int k = 0; k < count; k++) {
		int pos = (int)floor(spy_index_pos(g, ticks[k]));
		char label[32];
		snprintf(label, sizeof label, "%lld", (long long)ticks[k]);
		/* column tick above the plot, row tick left of it */
		fill_rect(c, L + pos, T - G - 6, L + pos + 1, T - G, INK);
		draw_text(c, L + pos - text_width(label) / 2, T - G - 6 - SPY_FONT_H - 1, label, INK);
		fill_rect(c, L - G - 6, T + pos, L - G, T + pos + 1, INK);
		draw_text(c, L - G - 9 - text_width(label), T + pos - SPY_FONT_H / 2, label, INK);
	}
	fill_rect(c, L - G - 1, T - G - 1, L + P + G + 1, T - G, FRAME);
	fill_rect(c, L - G - 1, T + P + G, L + P + G + 1, T + P + G + 1, FRAME);
	fill_rect(c, L - G - 1, T - G - 1, L - G, T + P + G + 1, FRAME);
	fill_rect(c, L + P + G, T - G - 1, L + P + G + 1, T + P + G + 1, FRAME);
}

static void draw_markers(canvas *c, const spy_grid *g, const int32_t *colptr,
                         const int32_t *rowind)
{
	int L = SPY_MARGIN_LEFT, T = SPY_MARGIN_TOP;
	double scale = (double)g->plot / (double)g->n;
	/* a one-pixel gap between neighbours once squares are big enough */
	int gap = scale >= 4.0;
	for (int64_t j = 0; j < g->n; j++) {
		for (int32_t p = colptr[j]; p < colptr[j + 1]; p++) {
			int64_t i = rowind[p];
			int x0 = (int)floor((double)j * scale), x1 = (int)floor((double)(j + 1) * scale) - gap;
			int y0 = (int)floor((double)i * scale), y1 = (int)floor((double)(i + 1) * scale) - gap;
			if (x1 <= x0) x1 = x0 + 1;
			if (y1 <= y0) y1 = y0 + 1;
			fill_rect(c, L + x0, T + y0, L + x1, T + y1, MARKER);
			fill_rect(c, L + y0, T + x0, L + y1, T + x1, MARKER);
		}
	}
}

static void draw_raster(canvas *c, const spy_grid *g)
{
	int L = SPY_MARGIN_LEFT, T = SPY_MARGIN_TOP;
	for (int r = 0; r < g->cells; r++) {
		int y0 = (int)((int64_t)r * g->plot / g->cells);
		int y1 = (int)((int64_t)(r + 1) * g->plot / g->cells);
		for (int col = 0; col < g->cells; col++) {
			uint8_t level = g->level[(size_t)r * (size_t)g->cells + (size_t)col];
			if (level == 0)
				continue;
			int x0 = (int)((int64_t)col * g->plot / g->cells);
			int x1 = (int)((int64_t)(col + 1) * g->plot / g->cells);
			uint8_t v = (uint8_t)(255 - level);
			fill_rect(c, L + x0, T + y0, L + x1, T + y1, (rgb){v, v, v});
		}
	}
}

typedef struct mem_sink {
	uint8_t *data;
	size_t len, cap;
	int failed;
} mem_sink;

static void mem_write(png_structp png, png_bytep bytes, png_size_t len)
{
	mem_sink *m = png_get_io_ptr(png);
	if (m->failed)
		return;
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		while (cap < m->len + len)
			cap *= 2;
		uint8_t *grown = realloc(m->data, cap);
		if (grown == NULL) {
			m->failed = 1;
			return;
		}
		m->data = grown;
		m->cap = cap;
	}
	memcpy(m->data + m->len, bytes, len);
	m->len += len;
}

static void mem_flush(png_structp png)
{
	(void)png;
}

hessc_status spy_png_encode(const uint8_t *pixels, int width, int height, int channels,
                            uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (width <= 0 || height <= 0 || (channels != 1 && channels != 3))
		return HESSC_ERR_USAGE;
	/* volatile: modified between setjmp and a possible longjmp */
	mem_sink sink = {0};
	mem_sink *volatile sinkp = &sink;
	hessc_status volatile st = HESSC_ERR_INTERNAL;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (png == NULL || info == NULL) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	if (setjmp(png_jmpbuf(png)))
		goto done;
	png_set_write_fn(png, sinkp, mem_write, mem_flush);
	png_set_compression_level(png, 9);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
	             channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < height; y++)
		png_write_row(png, (png_const_bytep)(pixels + (size_t)y * (size_t)width * (size_t)channels));
	png_write_end(png, NULL);
	st = sinkp->failed ? HESSC_ERR_NOMEM : HESSC_OK;
done:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	if (st != HESSC_OK) {
		free(sinkp->data);
		return st;
	}
	*out = sinkp->data;
	*out_len = sinkp->len;
	return HESSC_OK;
}

hessc_status spy_write_png(FILE *out, int64_t n, const int32_t *colptr,
                           const int32_t *rowind, const spy_options *opt)
{
	spy_grid g;
	hessc_status st = spy_grid_build(n, colptr, rowind, opt ? opt->plot_size : 0,
	                                 INT64_MAX, &g);
	if (st != HESSC_OK)
		return st;
	canvas c = {g.plot + SPY_MARGIN_LEFT + SPY_MARGIN_RIGHT,
	            g.plot + SPY_MARGIN_TOP + SPY_MARGIN_BOTTOM, NULL};
	uint8_t *png = NULL;
	size_t png_len = 0;
	c.rgb = malloc((size_t)c.w * (size_t)c.h * 3);
	if (c.rgb == NULL) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	memset(c.rgb, 255, (size_t)c.w * (size_t)c.h * 3);
	if (opt != NULL && opt->title != NULL)
		draw_title(&c, opt->title, c.w - 8);
	if (g.raster)
		draw_raster(&c, &g);
	else if (n > 0)
		draw_markers(&c, &g, colptr, rowind);
	draw_axes(&c, &g);
	char caption[160];
	spy_caption(&g, caption, sizeof caption);
	int cx = (c.w - text_width(caption)) / 2;
	draw_text(&c, cx < 2 ? 2 : cx, c.h - SPY_MARGIN_BOTTOM + 12, caption, INK);
	st = spy_png_encode(c.rgb, c.w, c.h, 3, &png, &png_len);
	if (st != HESSC_OK)
		goto done;
	if (fwrite(png, 1, png_len, out) != png_len)
		st = HESSC_ERR_INTERNAL;
done:
	free(png);
	free(c.rgb);
	spy_grid_free(&g);
	return st;
}
