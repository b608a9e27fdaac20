/* parse.c -- runs the flex scanner and the bison parser over one text. */
#include "parse.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "parse_state.h"
#include "parser.h"
#include "lexer.h"

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; min = 0x10000;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	unsigned v = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return n;
}

/* Reports the first byte that is not UTF-8; 0 when the text is clean. */
static int check_utf8(parse_state *st)
{
	const unsigned char *p = (const unsigned char *)st->text;
	int line = 1, col = 1;
	for (size_t i = 0; i < st->len;) {
		size_t n = utf8_sequence(p + i, st->len - i);
		if (n == 0) {
			parse_error_at(st, line, col,
			               "invalid UTF-8 byte 0x%02X: the model must be UTF-8 text", p[i]);
			return -1;
		}
		if (p[i] == '\n') {
			line++;
			col = 1;
		} else {
			col += (int)n;
		}
		i += n;
	}
	return 0;
}

hessc_status parse_source(arena *a, const char *path, const char *text, size_t len,
                          int data_mode, diag_sink *diags, ast_program *prog)
{
	parse_state st = {
		.arena = a, .diags = diags, .path = path, .text = text, .len = len,
		.line = 1, .col = 1, .at_stmt_start = 1, .data_mode = data_mode ? 1 : 0,
	};
	hessc_status status = HESSC_ERR_MODEL;
	yyscan_t scanner = NULL;
	YY_BUFFER_STATE buffer = NULL;

	if (len > INT_MAX - 2) {   /* flex buffers are int-sized */
		parse_error_at(&st, 1, 1, "the text is too large (%zu bytes; at most %d)",
		               len, INT_MAX - 2);
		goto done;
	}
	if (check_utf8(&st))
		goto done;
	if (yylex_init_extra(&st, &scanner)) {
		status = HESSC_ERR_NOMEM;
		goto done;
	}
	buffer = yy_scan_bytes(text, (int)len, scanner);
	if (!buffer) {
		status = HESSC_ERR_NOMEM;
		goto done;
	}
	int rc = yyparse(scanner, &st);
	if (st.nomem) {
		status = HESSC_ERR_NOMEM;
		goto done;
	}
	if (rc != 0 || st.error_reported) {
		if (!st.error_reported)   /* bison gave up without a message */
			parse_error_at(&st, st.line, st.col, "syntax error");
		goto done;
	}
	/* Append this text's statements after those of earlier texts. */
	size_t total = prog->nstmts + st.stmts.len;
	ast_node **all = arena_array(a, total ? total : 1, sizeof *all);
	if (!all) {
		status = HESSC_ERR_NOMEM;
		goto done;
	}
	if (prog->nstmts)
		memcpy(all, prog->stmts, prog->nstmts * sizeof *all);
	if (st.stmts.len)
		memcpy(all + prog->nstmts, st.stmts.items, st.stmts.len * sizeof *all);
	prog->stmts = all;
	prog->nstmts = total;
	status = HESSC_OK;
done:
	if (buffer)
		yy_delete_buffer(buffer, scanner);
	if (scanner)
		yylex_destroy(scanner);
	free(st.brackets);
	return status;
}
