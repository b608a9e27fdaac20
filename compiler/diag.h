/* diag.h -- diagnostics: what went wrong, where, reported through a sink.
 *
 * In:  a source location (file, 1-based line and column) and a message.
 * Out: a call of the sink's callback; the library never prints or exits.
 *      The CLI's sink prints `FILE:LINE:COL: error: message`, the source
 *      line and a caret under the column, as a C compiler does.
 */
#ifndef HESSC_DIAG_H
#define HESSC_DIAG_H

#include <stddef.h>

typedef enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct source_loc {
	const char *file;  /* file name as given, or "<string>" */
	int line;          /* 1-based; 0 when the problem has no place */
	int col;           /* 1-based column in bytes */
} source_loc;

typedef struct diag {
	diag_level level;
	source_loc loc;
	const char *message;      /* without the "error: " prefix */
	const char *source_line;  /* the whole line at loc (no newline), or NULL */
	size_t source_line_len;
} diag;

typedef struct diag_sink {
	void (*report)(void *ctx, const diag *d);
	void *ctx;
	int errors;               /* number of DIAG_ERROR reported so far */
} diag_sink;

/* Format and report; `source` is the whole text of loc.file (or NULL), from
 * which the line at loc.line is cut out for the caret display. */
void diag_report(diag_sink *sink, diag_level level, source_loc loc,
                 const char *source, size_t source_len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;

/* The CLI's printer: FILE:LINE:COL: error: msg, the line, a caret. */
void diag_print(void *stream /* FILE* */, const diag *d);

#endif
