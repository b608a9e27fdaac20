/* spy_svg.c -- the spy plot as SVG (see spy.h for what the picture shows).
 *
 * Squares are one path in matrix coordinates (one unit per index, scaled to
 * the plot), so each costs ~16 bytes.  The raster is drawn as horizontal
 * runs of equal grey, one path per grey level; when a pattern has so many
 * runs that the file would grow past a few hundred kilobytes, the raster is
 * embedded as a PNG image instead, so the file stays small whatever n is.
 */
#include "spy.h"

#include <stdlib.h>
#include <string.h>

/* Grey levels the vector raster uses (darkness quantized to this many). */
#define SVG_LEVELS 32
/* Beyond this many runs the raster is embedded as a PNG. */
#define SVG_MAX_RUNS 30000

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			/* control bytes are not allowed in XML 1.0 */
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
		}
	}
}

static int quantize(uint8_t level)
{
	return level == 0 ? 0 : 1 + (level * (SVG_LEVELS - 1)) / 255;
}

/* Runs of equal quantized level along each raster row. */
static int64_t count_runs(const spy_grid *g)
{
	int64_t runs = 0;
	for (int r = 0; r < g->cells; r++) {
		const uint8_t *row = g->level + (size_t)r * (size_t)g->cells;
		for (int c = 0; c < g->cells; c++)
			if (row[c] != 0 && (c == 0 || quantize(row[c]) != quantize(row[c - 1])))
				runs++;
	}
	return runs;
}

static void write_vector_raster(FILE *out, const spy_grid *g)
{
	double scale = (double)g->plot / (double)g->cells;
	fprintf(out, "<g transform=\"translate(%d %d) scale(%.9g)\" shape-rendering=\"crispEdges\">\n",
	        SPY_MARGIN_LEFT, SPY_MARGIN_TOP, scale);
	for (int q = 1; q <= SVG_LEVELS; q++) {
		int grey = 255 - (q * 255) / SVG_LEVELS;
		int started = 0;
		for (int r = 0; r < g->cells; r++) {
			const uint8_t *row = g->level + (size_t)r * (size_t)g->cells;
			for (int c = 0; c < g->cells;) {
				if (row[c] == 0 || quantize(row[c]) != q) {
					c++;
					continue;
				}
				int len = 1;
				while (c + len < g->cells && row[c + len] != 0 && quantize(row[c + len]) == q)
					len++;
				if (!started) {
					fprintf(out, "<path fill=\"#%02x%02x%02x\" d=\"", grey, grey, grey);
					started = 1;
				}
				fprintf(out, "M%d %dh%dv1h-%dz", c, r, len, len);
				c += len;
			}
		}
		if (started)
			fputs("\"/>\n", out);
	}
	fputs("</g>\n", out);
}

static const char BASE64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void write_base64(FILE *out, const uint8_t *data, size_t len)
{
	for (size_t k = 0; k < len; k += 3) {
		uint32_t v = (uint32_t)data[k] << 16;
		if (k + 1 < len)
			v |= (uint32_t)data[k + 1] << 8;
		if (k + 2 < len)
			v |= data[k + 2];
		fputc(BASE64[(v >> 18) & 63], out);
		fputc(BASE64[(v >> 12) & 63], out);
		fputc(k + 1 < len ? BASE64[(v >> 6) & 63] : '=', out);
		fputc(k + 2 < len ? BASE64[v & 63] : '=', out);
	}
}

static hessc_status write_image_raster(FILE *out, const spy_grid *g)
{
	size_t cells = (size_t)g->cells;
	uint8_t *grey = malloc(cells * cells);
	uint8_t *png = NULL;
	size_t png_len = 0;
	if (grey == NULL)
		return HESSC_ERR_NOMEM;
	for (size_t k = 0; k < cells * cells; k++)
		grey[k] = (uint8_t)(255 - g->level[k]);
	hessc_status st = spy_png_encode(grey, g->cells, g->cells, 1, &png, &png_len);
	free(grey);
	if (st != HESSC_OK)
		return st;
	fprintf(out, "<image x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" preserveAspectRatio=\"none\" "
	        "style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,",
	        SPY_MARGIN_LEFT, SPY_MARGIN_TOP, g->plot, g->plot);
	write_base64(out, png, png_len);
	fputs("\"/>\n", out);
	free(png);
	return HESSC_OK;
}

static void write_markers(FILE *out, const spy_grid *g, const int32_t *colptr,
                          const int32_t *rowind)
{
	double scale = (double)g->plot / (double)g->n;
	fprintf(out, "<g transform=\"translate(%d %d) scale(%.9g)\">\n<path fill=\"#1f4e9a\" d=\"",
	        SPY_MARGIN_LEFT, SPY_MARGIN_TOP, scale);
	/* a small gap between neighbours once squares are big enough to show it */
	const char *side = scale >= 4.0 ? ".9" : "1";
	for (int64_t j = 0; j < g->n; j++) {
		for (int32_t p = colptr[j]; p < colptr[j + 1]; p++) {
			int64_t i = rowind[p];
			fprintf(out, "M%lld %lldh%sv%sh-%sz", (long long)j, (long long)i, side, side, side);
			if (i != j)
				fprintf(out, "M%lld %lldh%sv%sh-%sz", (long long)i, (long long)j, side, side, side);
		}
	}
	fputs("\"/>\n</g>\n", out);
}

static void write_axes(FILE *out, const spy_grid *g)
{
	int L = SPY_MARGIN_LEFT, T = SPY_MARGIN_TOP, P = g->plot, G = SPY_FRAME_GAP;
	/* the frame just outside the plot, so that it hides no edge row or column */
	fprintf(out, "<rect x=\"%g\" y=\"%g\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#808080\"/>\n",
	        L - G - 0.5, T - G - 0.5, P + 2 * G + 1, P + 2 * G + 1);
	int64_t ticks[16];
	int count = spy_ticks(g->n, ticks, 7);
	fputs("<g stroke=\"#222\">", out);
	for (int k = 0; k < count; k++) {
		double pos = spy_index_pos(g, ticks[k]);
		fprintf(out, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>", L + pos, T - G - 6, L + pos, T - G);
		fprintf(out, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>", L - G - 6, T + pos, L - G, T + pos);
	}
	fputs("</g>\n<g fill=\"#222\">", out);
	for (int k = 0; k < count; k++) {
		double pos = spy_index_pos(g, ticks[k]);
		fprintf(out, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%lld</text>",
		        L + pos, T - G - 10, (long long)ticks[k]);
		fprintf(out, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%lld</text>",
		        L - G - 9, T + pos + 4, (long long)ticks[k]);
	}
	fputs("</g>\n", out);
}

hessc_status spy_write_svg(FILE *out, int64_t n, const int32_t *colptr,
                           const int32_t *rowind, const spy_options *opt)
{
	spy_grid g;
	hessc_status st = spy_grid_build(n, colptr, rowind, opt ? opt->plot_size : 0,
	                                 SPY_SVG_MAX_MARKERS, &g);
	if (st != HESSC_OK)
		return st;
	int w = g.plot + SPY_MARGIN_LEFT + SPY_MARGIN_RIGHT;
	int h = g.plot + SPY_MARGIN_TOP + SPY_MARGIN_BOTTOM;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
	        "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	        "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">\n",
	        w, h, w, h);
	const char *title = opt != NULL && opt->title != NULL ? opt->title : NULL;
	fputs("<title>Hessian sparsity", out);
	if (title != NULL) {
		fputs(" of ", out);
		xml_text(out, title);
	}
	fputs("</title>\n", out);
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h);
	if (title != NULL) {
		fprintf(out, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"#222\">",
		        w / 2);
		xml_text(out, title);
		fputs("</text>\n", out);
	}
	if (g.raster) {
		if (count_runs(&g) <= SVG_MAX_RUNS)
			write_vector_raster(out, &g);
		else
			st = write_image_raster(out, &g);
	} else if (n > 0) {
		write_markers(out, &g, colptr, rowind);
	}
	if (st == HESSC_OK) {
		write_axes(out, &g);
		char caption[160];
		spy_caption(&g, caption, sizeof caption);
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#222\">", w / 2, h - 12);
		xml_text(out, caption);
		fputs("</text>\n</svg>\n", out);
		if (ferror(out))
			st = HESSC_ERR_INTERNAL;
	}
	spy_grid_free(&g);
	return st;
}
