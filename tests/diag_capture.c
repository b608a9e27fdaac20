/* diag_capture.c -- the tests' diagnostic sinks: keep the lines, or show them. */
#include "diag_capture.h"

#include <stdio.h>
#include <string.h>

static void format_line(char *line, size_t size, const diag *d)
{
	static const char *const level_names[] = { "error", "warning", "note" };
	const char *level = level_names[d->level];
	const char *file = d->loc.file ? d->loc.file : "<unknown>";
	if (d->loc.line > 0)
		snprintf(line, size, "%s:%d:%d: %s: %s", file, d->loc.line, d->loc.col, level,
		         d->message);
	else
		snprintf(line, size, "%s: %s: %s", file, level, d->message);
}

static void capture_report(void *ctx, const diag *d)
{
	diag_capture *c = ctx;
	format_line(c->last, sizeof c->last, d);
	if (c->count++ == 0)
		memcpy(c->first, c->last, sizeof c->first);
}

diag_sink diag_capture_sink(diag_capture *c)
{
	memset(c, 0, sizeof *c);
	diag_sink sink = { capture_report, c, 0 };
	return sink;
}

static void stderr_report(void *ctx, const diag *d)
{
	(void)ctx;
	fprintf(stderr, "%s:%d:%d: %s\n", d->loc.file ? d->loc.file : "<unknown>", d->loc.line,
	        d->loc.col, d->message);
}

diag_sink diag_stderr_sink(void)
{
	diag_sink sink = { stderr_report, NULL, 0 };
	return sink;
}
