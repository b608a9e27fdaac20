/* diag.c -- formatting diagnostics and cutting out the offending line. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages longer than this are cut: a diagnostic is one line. */
#define DIAG_MESSAGE_MAX 1024

static void find_line(const char *source, size_t len, int line,
                      const char **start, size_t *line_len)
{
	*start = NULL;
	*line_len = 0;
	if (!source || line < 1)
		return;
	const char *p = source, *end = source + len;
	for (int l = 1; l < line; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return;
		p = nl + 1;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*start = p;
	*line_len = n;
}

void diag_report(diag_sink *sink, diag_level level, source_loc loc,
                 const char *source, size_t source_len, const char *fmt, ...)
{
	char message[DIAG_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);

	diag d = { .level = level, .loc = loc, .message = message };
	find_line(source, source_len, loc.line, &d.source_line, &d.source_line_len);
	if (level == DIAG_ERROR)
		sink->errors++;
	if (sink->report)
		sink->report(sink->ctx, &d);
}

/* Long lines (a 1 MB line of data) are shown as a window around the column,
 * so the caret still points at the right byte. */
#define DIAG_WINDOW 120

void diag_print(void *stream, const diag *d)
{
	FILE *out = stream;
	static const char *const level_names[] = { "error", "warning", "note" };
	if (d->loc.file && d->loc.line > 0)
		fprintf(out, "%s:%d:%d: ", d->loc.file, d->loc.line, d->loc.col);
	else if (d->loc.file)
		fprintf(out, "%s: ", d->loc.file);
	fprintf(out, "%s: %s\n", level_names[d->level], d->message);
	if (!d->source_line || d->loc.col < 1)
		return;

	size_t col = (size_t)d->loc.col - 1;
	size_t from = 0, to = d->source_line_len;
	if (col > to)
		col = to;
	if (to > DIAG_WINDOW) {
		from = col > DIAG_WINDOW / 2 ? col - DIAG_WINDOW / 2 : 0;
		to = from + DIAG_WINDOW < d->source_line_len ? from + DIAG_WINDOW : d->source_line_len;
	}
	fputs("    ", out);
	for (size_t i = from; i < to; i++) {
		unsigned char ch = (unsigned char)d->source_line[i];
		/* Control and non-ASCII bytes print as '?' so the caret stays aligned. */
		fputc(ch == '\t' ? ' ' : (ch < 0x20 || ch >= 0x7f) ? '?' : ch, out);
	}
	fputs("\n    ", out);
	for (size_t i = from; i < col; i++)
		fputc(' ', out);
	fputs("^\n", out);
}
