/* emit_template.h -- the C emitter for templated models: loops, not
 * unrolled code, so the file does not grow with n.
 *
 * In:  the checked model and its tmpl_set (template.h), differentiated.
 * Out: BASE.c and BASE.h, C99 depending on <math.h> and <stddef.h> only,
 *      without a warning under -std=c99 -Wall -Wextra -pedantic, no
 *      writable global, no allocation, the same bytes for the same input.
 *
 * What BASE.h declares for prefix P (sizes as emit_c.h's, plus):
 *   P_SETUP_BYTES, P_setup_bytes()     memory the setup block needs
 *   P_setup(mem)                        builds the Hessian pattern, the
 *       initial point (and bounds) and each loop's position map in `mem`
 *       (P_SETUP_BYTES bytes, aligned for a double), and returns the
 *       descriptor that lives there (NULL only if the file was edited);
 *       the runtime's solvers accept it as it is.  Its `data` is the block, which the kernels read.
 *   P_f, P_grad, P_hess, P_hessvec     the kernels (hessc/problem.h types);
 *       `data` must be the setup block (the descriptor passes it).
 *   P_data, P_N_INPUTS, P_bind(mem, &in)   with run-time inputs (params
 *       without a value, docs/run-time-data.md): the inputs' struct, as
 *       emit_c.h's; P_bind stores its address in the setup block, which the
 *       kernels read it from, and returns the descriptor.
 * P_names and a static P_problem are left out: both would grow with n.
 *
 * Loops over one range are one function per kernel (template_plan.h): a
 * loop nest, cut into pieces on which every Hessian position is affine,
 * that loads each member's slots through their affine maps, evaluates the
 * members' simplified bodies (template_body.h) and writes f, g[var],
 * h[position] (stored where the write comes first, added otherwise) or hv.  A data slot reads in->NAME[base + s0*i +
 * s1*j].  A dense local Hessian over run-time data (entries that are the
 * products of one input's elements and a column's value) is written as
 * runs: small loops accumulating into arrays, not thousands of statements.
 */
#ifndef HESSC_EMIT_TEMPLATE_H
#define HESSC_EMIT_TEMPLATE_H

#include <stdio.h>
#include "diag.h"
#include "emit_c.h"
#include "frontend.h"
#include "status.h"
#include "template.h"

hessc_status emit_template(const model *m, const tmpl_set *s, const emit_c_options *opt,
                           FILE *c_out, FILE *h_out);

/* BASE.c and BASE.h, written under temporary names and renamed at the end
 * (as emit_c_files); I/O problems are reported through `diags`. */
hessc_status emit_template_files(const model *m, const tmpl_set *s, const emit_c_options *opt,
                                 const char *base, diag_sink *diags);

/* The text of template_setup.h and template_setup.c between their
 * markers, embedded at build time (embed_text.py). */
extern const char tmpl_setup_text[];

#endif
