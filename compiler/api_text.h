/* api_text.h -- the texts a compilation reads, in memory.
 *
 * In:  the model and data as the caller gave them (file names or texts).
 * Out: every text in memory (files read once, the caller's strings
 *      referenced), because the kernel cache's key hashes them and the
 *      front end then parses the very same bytes.
 */
#ifndef HESSC_API_TEXT_H
#define HESSC_API_TEXT_H

#include <stddef.h>
#include <hessc/hessc.h>
#include "diag.h"

typedef struct api_text {
	const char *name;   /* as given: a file name or the string's name */
	const char *text;   /* the bytes */
	size_t len;
	char *owned;        /* == text when read from a file (freed), else NULL */
} api_text;

typedef struct api_texts {
	api_text model;
	api_text *data;     /* size n_data */
	size_t n_data;
} api_texts;

/* A file that cannot be read is reported ("FILE: cannot open: ...") and
 * gives HESSC_ERR_USAGE, as the front end does. */
hessc_status api_texts_read(const hessc_text *model, const hessc_text *data, size_t n_data,
                            diag_sink *diags, api_texts *out);
void api_texts_free(api_texts *t);

#endif
