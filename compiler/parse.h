/* parse.h -- text to syntax tree (grammar/lexer.l, grammar/parser.y).
 *
 * In:  one source text (a model file, or a data file which starts in data
 *      mode as AMPL's `data d.dat;` does), its name for messages.
 * Out: its statements appended to `prog`, nodes in `a`.  The first syntax
 *      error is reported through `diags` at its line and column and the
 *      status is HESSC_ERR_MODEL.
 */
#ifndef HESSC_PARSE_H
#define HESSC_PARSE_H

#include <stddef.h>
#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "status.h"

/* The parser's stack limit: nesting deeper than this is refused cleanly. */
#define PARSE_MAX_STACK 10000

hessc_status parse_source(arena *a, const char *path, const char *text, size_t len,
                          int data_mode, diag_sink *diags, ast_program *prog);

#endif
