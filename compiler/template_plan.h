/* template_plan.h -- how templated kernels write their outputs: the plan
 * both loop emitters (emit_template.c's C, llvm_backend.c's IR) follow.
 *
 * In:  a derived tmpl_set (template.h, with its global pattern).
 * Out: a tmpl_plan:
 *   - groups: loops over the same index range fused into one loop nest
 *     whose body runs every member's body in turn (P1's two terms of one
 *     sum walk the range once);
 *   - per kernel (gradient, Hessian), pieces: each group's range cut into
 *     at most TPLAN_MAX_PIECES rectangles on which every output's place is
 *     affine in (i, j) (a grid's first and last rows and columns have
 *     columns of other lengths: P4's positions are affine on 6 pieces),
 *     so the kernels compute places instead of reading a position map;
 *   - per loop, its body's kernels simplified (template_body.h);
 *   - per piece, its outputs: every member output that lands on the same
 *     place at the same iteration summed into one write, and each write
 *     either a store (`=`: at every iteration it is the first write to
 *     its place, in the order the kernel runs) or an add (`+=`).  The
 *     kernel zeroes its output array first only when some place's first
 *     write is an add (or no loop writes it).
 *
 * Order of writes, which the plan's store/add choice assumes: groups in
 * order, pieces in order, iterations i-major, then a piece's AFFINE and
 * MAP outputs in order at each iteration; its FIXED outputs (one place for
 * all its iterations, summed in a register) once after its last iteration.
 * Parts of an output are summed in order, starting from the first part
 * (with `+=`, the place's old value first).
 */
#ifndef HESSC_TEMPLATE_PLAN_H
#define HESSC_TEMPLATE_PLAN_H

#include <stddef.h>
#include "status.h"
#include "template.h"

#define TPLAN_MAX_PIECES 16

typedef enum {
	TPLAN_FIXED,   /* one place, base, for every iteration of a piece of > 1 iterations */
	TPLAN_AFFINE,  /* base + s0*i + s1*j (i, j the loop's own indices) */
	TPLAN_MAP      /* pos of loop map_loop: pos[it * nloc + map_entry] */
} tplan_kind;

/* One value a member's body produces: member (index in the group's
 * members) and local output (a slot for the gradient, a local Hessian
 * entry for the Hessian). */
typedef struct tplan_part {
	size_t member, local;
} tplan_part;

typedef struct tplan_out {
	tplan_kind kind;
	long base, s0, s1;
	size_t map_loop, map_entry;
	int store;                 /* 1: `=`; 0: `+=` */
	size_t first_part, n_parts;
} tplan_out;

typedef struct tplan_piece {
	size_t i0, i1, j0, j1;     /* i in [i0, i1), j in [j0, j1) */
	size_t first_out, n_outs;
} tplan_piece;

typedef struct tplan_kernel {
	size_t *first_piece, *n_pieces;   /* per group */
	tplan_piece *pieces;
	tplan_out *outs;
	tplan_part *parts;
	size_t n_piece_total, n_outs, n_parts;
	int zero;                         /* zero the output array first */
	unsigned char *reads_map;         /* per loop: some output reads its position map */
} tplan_kernel;

typedef struct tplan_group {
	size_t count0, count1;            /* the members' common range */
	size_t first_member, n_members;   /* into tmpl_plan.members (loop numbers) */
} tplan_group;

typedef struct tmpl_plan {
	size_t n_groups;
	tplan_group *groups;
	size_t *members;
	tplan_kernel grad, hess;
	tape_kernel *bodies;   /* per loop, F, GRAD, HESS: the body simplified (template_body.h) */
	size_t n_bodies_loops;
} tmpl_plan;

/* Plan the kernels of s.  HESSC_ERR_NOMEM, or HESSC_ERR_INTERNAL when s has
 * no pattern. */
hessc_status tmpl_plan_build(const tmpl_set *s, tmpl_plan *out);

/* The body the emitters write for loop q and kernel k (HESS's for
 * HESSVEC): the loop's tape kernel simplified by template_body.h. */
const tape_kernel *tmpl_plan_body(const tmpl_plan *p, size_t q, tape_kernel_id k);

/* 1 when some kernel reads loop q's position map (the setup must build it). */
int tmpl_plan_reads_map(const tmpl_plan *p, size_t q);

void tmpl_plan_free(tmpl_plan *p);

#endif
