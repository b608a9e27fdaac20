/* emit_c.h -- the C emitter: a tape (tape.h) to BASE.c and BASE.h.
 *
 * In:  the checked model (names, initial point, bounds), its derivatives
 *      (the Hessian pattern) and their tape.
 * Out: C99 text that depends on <math.h> only (and <stddef.h> for size_t
 *      and NULL), compiles without a warning under
 *      `-std=c99 -Wall -Wextra -pedantic -Werror`, has no writable global,
 *      never allocates, and is the same bytes for the same input.
 *
 * What BASE.h declares, for prefix P (macros use the prefix in capitals):
 *   P_N, P_NNZ, P_WORK_SIZE, P_MAXIMIZE            sizes and the sense
 *   P_names                                         AMPL names, size P_N
 *   P_f, P_grad, P_hess, P_hessvec                  the kernels, with the
 *       callback types of hessc/problem.h; `w` is caller-provided scratch
 *       of P_WORK_SIZE doubles (none needed when it is 0)
 *   P_problem                                       the descriptor the
 *       runtime's solvers accept as it is
 *   P_data, P_N_INPUTS                              run-time inputs (params
 *       without a value, model.inputs): one `const double *` per input, its
 *       size and layout in a comment; the kernels read `data` as a
 *       `const P_data *` (set the descriptor's data to it)
 * To stay free of dependencies, BASE.h carries its own copy of
 * `hessc_problem`, guarded by HESSC_PROBLEM_H: whichever of BASE.h and
 * <hessc/problem.h> comes first defines it, the other is skipped.  The
 * copy is kept identical to runtime/include/hessc/problem.h (a test
 * compares them).
 *
 * P_hessvec calls P_hess into w and forms H v over the pattern (the tape's
 * direct accumulation would write the Hessian's code twice); P_WORK_SIZE
 * counts those NNZ doubles.
 *
 * Long straight-line kernels are split into static functions ("parts") of
 * at most `chunk_statements` statements; values that cross parts live in
 * w[slot] (the tape's slot), every other temporary is a local
 * `const double tNODE`.
 */
#ifndef HESSC_EMIT_C_H
#define HESSC_EMIT_C_H

#include <stdio.h>
#include "derive.h"
#include "diag.h"
#include "frontend.h"
#include "status.h"
#include "tape.h"

typedef struct emit_c_options {
	const char *prefix;        /* symbol prefix, a C identifier; NULL: from the model name */
	const char *header_name;   /* what BASE.c #includes, e.g. "model.h" */
	const char *command;       /* the command line, for the comment at the top; may be NULL */
	size_t chunk_statements;   /* statements per part; 0: EMIT_C_DEFAULT_CHUNK */
	/* run-time sizes, the loop emitter's only (emit_template.h): the
	 * params the generated P_sizes carries, in order, the smallest value
	 * its setup accepts for each and the largest for all; n_sizes 0: none */
	const char *const *sizes;
	size_t n_sizes;
	const long *min_sizes;
	long max_size;
} emit_c_options;

#define EMIT_C_DEFAULT_CHUNK 2000

/* 1 when `s` is a C identifier (and so usable as a prefix). */
int emit_c_valid_prefix(const char *s);

/* The default prefix for a model name: the name with every character that
 * cannot appear in a C identifier replaced by '_' (and '_' in front of a
 * leading digit).  Caller frees; NULL when out of memory. */
char *emit_c_default_prefix(const char *model_name);

/* Write the source to `c_out` and the header to `h_out`.
 * HESSC_ERR_USAGE for an invalid prefix, HESSC_ERR_NOMEM, or
 * HESSC_ERR_INTERNAL when a stream fails. */
hessc_status emit_c(const model *m, const derivatives *d, const tape *t,
                    const emit_c_options *opt, FILE *c_out, FILE *h_out);

/* Write BASE.c and BASE.h (opt->header_name is set from BASE when NULL).
 * Both are written under temporary names in BASE's folder and renamed at
 * the end, so a failure never leaves a partial file; I/O problems are
 * reported through `diags` (HESSC_ERR_INTERNAL). */
hessc_status emit_c_files(const model *m, const derivatives *d, const tape *t,
                          const emit_c_options *opt, const char *base,
                          diag_sink *diags);

/* What emit_c_files does around emit_c, for any writer of BASE.c and
 * BASE.h (the loop emitter's too): temporary names, renamed at the end,
 * header first, I/O problems reported through `diags`.  The writer gets
 * the header's file name for its #include. */
typedef hessc_status (*emit_c_writer)(void *ctx, const char *header_name, FILE *c_out,
                                      FILE *h_out);
hessc_status emit_c_files_by(emit_c_writer write, void *ctx, const char *base,
                             diag_sink *diags);

/* Pieces the loop emitter (emit_template.h) writes the same way. */
/* A double as C source: the shortest form that reads back exactly; NAN,
 * INFINITY by name; negative values in parentheses when `paren`. */
void emit_c_format_double(char *buf, size_t size, double v, int paren);
/* The C expression of `op` (not POWI) over the operand texts a, b, c into
 * buf; 0 when it does not fit or memory runs out. */
int emit_c_op_expression(char *buf, size_t size, graph_op op, const char *a, const char *b,
                         const char *c);
/* The struct member of run-time input `name` (the name, with '_' after a C
 * keyword). */
#define EMIT_C_MEMBER_MAX 80
void emit_c_input_member(char *buf, size_t size, const char *name);
/* BASE.h's typedef of PREFIX_data (one `const double *` per input, its
 * shape and layout in a comment) and PREFIX_N_INPUTS; nothing when the
 * model has no inputs.  `how` says how the kernels get the struct (a
 * format with two %s, both the prefix). */
void emit_c_write_inputs(FILE *h, const model *m, const char *prefix, const char *upper,
                         const char *how);
/* The hessc_problem definition BASE.h carries (for the test that keeps it
 * identical to hessc/problem.h, and for the loop emitter's header). */
extern const char emit_c_problem_struct[];

#endif
