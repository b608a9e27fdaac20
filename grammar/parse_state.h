/* parse_state.h -- what the lexer and the parser share while one text is
 * read: positions, the stack of open brackets (for "')' expected (to close
 * '(' at 4:12)"), and where diagnostics go. */
#ifndef HESSC_PARSE_STATE_H
#define HESSC_PARSE_STATE_H

#include <stddef.h>
#include "arena.h"
#include "ast.h"
#include "diag.h"

typedef struct open_bracket {
	char ch;
	int line, col;
} open_bracket;

typedef struct parse_state {
	arena *arena;
	diag_sink *diags;
	const char *path;
	const char *text;
	size_t len;
	int line, col;            /* position of the next byte */
	int saved_line, saved_col;/* position before the last token, to push it back */
	int at_stmt_start;        /* the last token ended a statement */
	int data_mode;            /* start the text in data mode */
	open_bracket *brackets;   /* malloc'd, freed by parse_source */
	size_t nbrackets, cap_brackets;
	char last_token[48];      /* spelling of the last token, for messages */
	ptr_vec stmts;
	int comment_line, comment_col;  /* where an open comment started */
	int comment_return;       /* the mode to go back to after it */
	int error_reported;
	int nomem;
} parse_state;

void parse_error_at(parse_state *st, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

#endif
