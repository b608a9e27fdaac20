/* diag_capture.h -- diagnostic sinks for the tests.
 *
 * In:  the diagnostics a library call reports through its diag_sink.
 * Out: either kept, one line each, for assertions (how many, the first,
 *      the last), or shown on stderr so that a failing test says why the
 *      library refused.
 */
#ifndef HESSC_TEST_DIAG_CAPTURE_H
#define HESSC_TEST_DIAG_CAPTURE_H

#include "diag.h"

/* A kept line is cut to this many bytes (the library cuts messages at 1024). */
#define DIAG_CAPTURE_LINE 2048

/* Each kept line reads as the CLI's first line of a diagnostic:
 * "FILE:LINE:COL: LEVEL: message", or "FILE: LEVEL: message" when the
 * diagnostic has no line; "" until one is reported. */
typedef struct diag_capture {
	int count;                      /* diagnostics reported so far */
	char first[DIAG_CAPTURE_LINE];  /* the first one */
	char last[DIAG_CAPTURE_LINE];   /* the latest one */
} diag_capture;

/* A sink that records into *c; clears *c first. */
diag_sink diag_capture_sink(diag_capture *c);

/* A sink that prints each diagnostic to stderr as "FILE:LINE:COL: message". */
diag_sink diag_stderr_sink(void);

#endif
