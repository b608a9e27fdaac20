/* template.h -- loop-preserving generation: the objective's repeated terms
 * as loops over one differentiated term.
 *
 * In:  a graph and the objective's root (the front end's unrolled lowering,
 *      frontend.h), n variables.
 * Out: a `tmpl_set`: loops, each one term differentiated once as a
 *      function of its own inputs (its "slots": the variables it reads, and
 *      tables of the constants that change from one iteration to the next),
 *      run over a 1-D or 2-D index range with affine maps from the
 *      iteration to the variables it reads.  What no loop covers (scalar
 *      parts, irregular sums) is the residual: one more "loop" of a single
 *      iteration whose slots name their variables explicitly, so every
 *      model still compiles.  The global Hessian pattern (lower triangle,
 *      CSC) is the union over all iterations, and every local entry of
 *      every iteration has its position in it (template_setup.h, the code
 *      that generated files run at load time as well).
 *
 * The front end may find loops first, while it lowers (frontend.h's
 * find_loops, template_stream.h): tmpl_find_more then adds what it finds
 * in the rest of the objective.
 *
 * How terms are found: the objective is split into weighted terms through
 * +, -, and unary minus or a constant factor in front of a sum (derive.c's
 * split, without descending into the terms).  Each term gets a canonical
 * shape: its DAG in a post-order whose commutative operands are ordered by
 * shape, with variables numbered by first appearance (slots) and constants
 * by first appearance.  Terms of equal shape, in the order they appear,
 * become a loop while their slot variables advance by a constant stride
 * (i -> base + s*i), or by two strides over whole blocks (a double sum over
 * a grid: base + s0*i + s1*j).  Constants that differ between iterations
 * are tabulated; the others stay literal in the body.  The canonical
 * shape and the rebuilding of a body from it are template_canon.h's.
 *
 * Work and memory are linear in the size of the graph (terms larger than
 * TMPL_MAX_TERM_NODES canonical nodes go to the residual).
 */
#ifndef HESSC_TEMPLATE_H
#define HESSC_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include "derive.h"
#include "graph.h"
#include "status.h"
#include "tape.h"
#include "template_setup.h"

#define TMPL_MAX_TERM_NODES 512

/* A loop: the body's slot s reads, at iteration (i, j) (it = i*count[1] + j),
 * the variable view.base[s] + view.stride0[s]*i + view.stride1[s]*j, or
 * view.vars[it*n_slots + s] when the map is explicit (the residual).
 * `view` is the loop as template_setup.h's pattern builder reads it; its
 * arrays are owned by the loop. */
typedef struct tmpl_loop {
	size_t count[2];         /* iterations i < count[0], j < count[1] (1 for 1-D) */
	size_t n_slots;          /* body inputs 0 .. n_slots-1: variables */
	size_t n_tables;         /* body inputs n_slots .. n_slots+n_tables-1: tables */
	size_t n_data;           /* data slots: the body's leaf OP_DATA (k, 0) reads
	                            run-time input data_input[k] (frontend.h's
	                            model_input) at element data_base[k] +
	                            data_stride0[k]*i + data_stride1[k]*j */
	int *data_input;
	long *data_base, *data_stride0, *data_stride1;
	hsetup_loop view;        /* maps and local pattern, see above */
	long *base, *stride0, *stride1;  /* the arrays view points at (owned) */
	int *vars;
	int *loc_row, *loc_col;
	double *tables;          /* size n_tables * iterations, table t at t*iterations + it */
	graph *body;             /* the term over its inputs (OP_VAR = input number) */
	node_id root;
	derivatives d;           /* over the slots only: local gradient and lower Hessian */
	tape t;                  /* the body's kernels (F, GRAD, HESS) over the inputs */
	size_t first_term;       /* ordinal of its first term in the objective, for comments */
} tmpl_loop;

typedef struct tmpl_set {
	size_t n;                /* variables */
	size_t n_loops;          /* the loops, then the residual (if any) */
	tmpl_loop *loops;
	int has_residual;        /* the last loop is the residual */
	size_t n_terms;          /* terms found in the objective */
	size_t n_templated;      /* of them, covered by loops of more than one iteration */
	/* the global pattern, union over every iteration of every loop */
	size_t nnz;
	int32_t *colptr;         /* size n+1 */
	int32_t *rowind;         /* size nnz */
} tmpl_set;

/* Iterations of a loop. */
size_t tmpl_iterations(const tmpl_loop *l);


/* Find the loops of `objective`.  out->n_loops == 0 (and HESSC_OK) when
 * fewer than `min_templated` terms would be covered by loops: the caller
 * then keeps the unrolled path.  Only the loops' bodies are built here. */
hessc_status tmpl_find(const graph *g, node_id objective, size_t n, size_t min_templated,
                       tmpl_set *out);

/* The same, after loops were found already while lowering (frontend.h's
 * find_loops: `found` is model.loops, `objective` what they leave): out
 * gets found's loops first, then those found in `objective`, then the
 * residual.  found's loops move into out when out gets loops (found is
 * empty then); otherwise (out->n_loops == 0, the unrolled path) found is
 * left as it was, for tmpl_unroll_loops.  found NULL: tmpl_find. */
hessc_status tmpl_find_more(const graph *g, node_id objective, size_t n, size_t min_templated,
                            tmpl_set *found, tmpl_set *out);

/* The whole objective in g: `rest` plus every iteration of loops[0..n)
 * written out (each body's nodes copied with its slots as the variables
 * and its tables as the constants of that iteration).  How a caller that
 * got loops from the front end takes the unrolled path after all.
 * HESSC_ERR_NOMEM when g fails. */
hessc_status tmpl_unroll_loops(graph *g, node_id rest, const tmpl_loop *loops, size_t n_loops,
                               node_id *objective);

/* Differentiate every body (derive.h, tape.h) and build the global pattern
 * (at most max_nnz entries before merging duplicates, else
 * HESSC_ERR_TOO_BIG). */
hessc_status tmpl_derive(tmpl_set *s, size_t max_nnz);

/* 1 when the residual's body is too long to write as one function (a
 * dense Hessian, like (sum x[i])^2 over many variables): the caller keeps
 * the unrolled path, whose emitter splits long kernels. */
#define TMPL_MAX_RESIDUAL_INSTRUCTIONS 20000
int tmpl_residual_too_big(const tmpl_set *s);

/* Local Hessian entries of loop l, times iterations: the size of its
 * position map. */
size_t tmpl_positions_size(const tmpl_loop *l);

/* Position in the global pattern of local entry e of loop l at iteration
 * it, pos[it * l->d.nnz + e]; `pos` holds tmpl_positions_size(l) entries. */
hessc_status tmpl_positions(const tmpl_set *s, size_t l, int32_t *pos);

void tmpl_set_free(tmpl_set *s);

/* The reference interpreter of templated kernels (tests compare it with
 * the unrolled tape and the emitted C): k is TAPE_F, TAPE_GRAD, TAPE_HESS
 * or TAPE_HESSVEC with the meaning of tape_run; `pos` is one position map
 * per loop (tmpl_positions).  Returns f for F and GRAD.  HESSC_ERR_NOMEM
 * through *status when scratch cannot be allocated. */
double tmpl_run(const tmpl_set *s, int32_t *const *pos, tape_kernel_id k, const double *x,
                const double *v, double *out, hessc_status *status);
/* The same for loops that read run-time inputs (data slots): inputs[a]
 * is input a's array (frontend.h's model_input order); HESSC_ERR_INTERNAL
 * when a loop reads inputs and `inputs` is NULL. */
double tmpl_run_inputs(const tmpl_set *s, int32_t *const *pos, tape_kernel_id k,
                       const double *x, const double *v, double *out,
                       const double *const *inputs, hessc_status *status);

#endif
