/* template_body.h -- a loop body's kernel rewritten for speed before the
 * loop emitters (C and LLVM) write it once per iteration.
 *
 * In:  one kernel of a loop body's tape (template.h's tmpl_loop.t).
 * Out: an equivalent kernel (the same outputs) in which
 *   - every value carries a factor +-2^e that is kept aside rather than
 *     multiplied in: negations, 2*x, 100*(2*x), (2*a)*(4*b) fold into one
 *     multiplication where the value is needed at last.  Scaling by a
 *     power of two is exact, so these rewrites give the same bits (short of
 *     overflow to infinity or underflow to subnormals);
 *   - a constant added to a scaled value is scaled instead (exact);
 *   - a negation left over at the end folds into the instruction it
 *     negates where that is exact: (-c) * w, (-c) - w, b - a (only the
 *     sign of a zero result may differ);
 *   - repeated instructions are computed once;
 *   - a division by a value whose reciprocal the body computes (1 / b, as
 *     the derivative of sqrt or of a quotient does) multiplies by the
 *     reciprocal: not exact, within an ulp or so of each quotient;
 *   - outputs X_r * T_c (an element of the data times a column value, as
 *     in a dense Hessian over data) whose column values are each an
 *     input element times one shared factor, T_c = X_c * s, take
 *     X_r * (X_c * s): s is computed once instead of once per column, and
 *     the old column values are no longer computed.  Reassociating the
 *     product costs an ulp or so per entry.  The outputs then come after
 *     every value (bodies with Hessian-vector accumulations are left in
 *     their order).
 * Values nothing reads are dropped.  Each value gets its own slot (no
 * reuse: the emitters keep values in registers or SSA names anyway), and
 * each value instruction's node is its slot, so names made from nodes are
 * unique.
 */
#ifndef HESSC_TEMPLATE_BODY_H
#define HESSC_TEMPLATE_BODY_H

#include "status.h"
#include "tape.h"

/* Rewrite `in` into `out` (freed with tmpl_body_free).  VAR inputs with
 * an index from `first_table` on are the loop's tables (template.h: a
 * constant per iteration); like run-time input elements, they may be the
 * X of the column factoring above.  HESSC_ERR_NOMEM. */
hessc_status tmpl_body_simplify(const tape_kernel *in, size_t first_table, tape_kernel *out);

void tmpl_body_free(tape_kernel *k);

#endif
