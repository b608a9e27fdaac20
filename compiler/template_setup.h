/* template_setup.h -- the global Hessian pattern of loops, and run-length
 * filled arrays: code that runs in hessc at generation time and, the very
 * same text, in generated files at load time.
 *
 * Generated files of templated models do not spell out their pattern,
 * initial point or position maps (they grow with n); they carry the loops'
 * descriptions (a few numbers per loop) and this code, which rebuilds them
 * into caller-provided memory.  The emitter embeds template_setup.h's and
 * template_setup.c's text between the HSETUP_TEXT markers with
 * HSETUP_API defined as `static`; hessc itself links the same functions.
 * Standard C only, no allocation, no globals.
 */
#ifndef HESSC_TEMPLATE_SETUP_H
#define HESSC_TEMPLATE_SETUP_H

#ifndef HSETUP_API
#define HSETUP_API
#endif

/* HSETUP_TEXT_BEGIN */
/* A loop as the pattern builder sees it: the variable of slot s at
 * iteration it (= i*count1 + j) is vars[it*n_slots + s] when vars is not
 * NULL, else base[s] + stride0[s]*i + stride1[s]*j.  Its local Hessian
 * entries are the slot pairs (loc_row[e], loc_col[e]). */
typedef struct hsetup_loop {
	long count0, count1;
	int n_slots;
	const long *base, *stride0, *stride1;   /* size n_slots (affine maps) */
	const int *vars;                        /* explicit map, or NULL */
	int nloc;
	const int *loc_row, *loc_col;           /* size nloc */
} hsetup_loop;

/* A run of an array filled at load time:
 *   kind 0: x[start + t] = lit[lit0 + t % period],            t < count1
 *   kind 1: x[start + i*stride0 + j] = (a + b0*i + b1*j) / d,  i < count0, j < count1
 * (kind 1 divides two doubles holding integers, exactly as the model's
 * arithmetic did, so the values are the same bits). */
typedef struct hsetup_run {
	int kind;
	long start, count0, count1, stride0;
	long a, b0, b1, d;
	long lit0;
	int period;
} hsetup_run;

/* Variable of slot s at iteration it. */
HSETUP_API long hsetup_var(const hsetup_loop *l, int s, long it);

/* Pairs the loops contribute before merging: the scratch rowind needs. */
HSETUP_API long hsetup_pairs(const hsetup_loop *loops, int n_loops);

/* The union pattern of the loops over n variables: colptr (n+1) and, in
 * rowind (hsetup_pairs entries of scratch), the sorted rows of each
 * column.  Returns nnz. */
HSETUP_API long hsetup_pattern(long n, const hsetup_loop *loops, int n_loops, int *colptr,
                               int *rowind);

/* pos[it*nloc + e] = position of local entry e at iteration it. */
HSETUP_API void hsetup_positions(const hsetup_loop *l, const int *colptr, const int *rowind,
                                 int *pos);

/* Fill x from its runs. */
HSETUP_API void hsetup_fill(double *x, const hsetup_run *runs, int n_runs, const double *lit);
/* HSETUP_TEXT_END */

#endif
