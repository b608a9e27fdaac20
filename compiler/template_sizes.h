/* template_sizes.h -- run-time sizes: one generated file from the files
 * generated at a few probe values of the sizes.
 *
 * The compiler cannot unroll a size it does not know, and the loop form
 * does not need to: a loop's count, its affine maps and the places it
 * writes are integers of the generated text.  So `hessc gen --size m`
 * generates the file at the probe values of the sizes (tsize_probe), and
 * tsize_merge checks that the texts are the same but for integers, and
 * that every integer that differs is an affine function of the sizes with
 * integer coefficients; it writes one text in which those integers are
 * expressions of the sizes read at run time.  Where that does not hold
 * (the loops' structure changes with a size, a size reaches the
 * objective's arithmetic as a real number, an array whose length must be
 * a constant would grow), it says which and where, and there is no file.
 *
 * In:  texts[p] for p < tsize_n_probes(K), generated with size k set to
 *      tsize_probe(p, k, K, level); the sizes' names.  In the texts, an integer
 *      right after the byte TSIZE_FIXED_MARK must be a constant of the
 *      file (an array length: C wants it at compile time); the mark is
 *      dropped from the output.
 * Out: the merged text.  An integer that varies is written, in code, as
 *      `(a + b * (sz)->m)` (so `sz`, a pointer to the generated P_sizes,
 *      must be in scope wherever one may appear, macros included), and in
 *      a comment as `a + b*m`.
 *
 * The probes: every size at its smallest value tsize_min_size (the
 * sizes apart, so that no two loops' counts meet by chance: loops over
 * equal ranges are fused), then each size alone at three more values (of
 * both parities, and every residue modulo 3, so that n/2 or n/3 rounded
 * are seen not to be affine), then, with more than one size, every size
 * moved at once (a product of two sizes is not affine).  Sizes below
 * tsize_min_size were not seen: the generated setup refuses them.
 *
 * Some models take their final shape only from some size on (a band
 * whose first and last rows differ, a sum that starts at 5): the caller
 * tries the probes of level 0 (sizes from 10), then, when that fails,
 * of the next levels (from 40, then 160), each four times larger.
 */
#ifndef HESSC_TEMPLATE_SIZES_H
#define HESSC_TEMPLATE_SIZES_H

#include <stddef.h>
#include "status.h"

#define TSIZE_MIN_PROBE 10
#define TSIZE_LEVELS 3
#define TSIZE_MAX_SIZES 8
#define TSIZE_FIXED_MARK '\001'

/* Probes for k sizes, the value of size `size` of k at probe p, and the
 * smallest value a size takes (TSIZE_MIN_PROBE for the first at level 0),
 * at a level < TSIZE_LEVELS. */
size_t tsize_n_probes(size_t k);
long tsize_min_size(size_t size, int level);
long tsize_probe(size_t p, size_t size, size_t k, int level);

typedef enum tsize_problem {
	TSIZE_STRUCTURE,   /* the texts differ in more than integers */
	TSIZE_NOT_AFFINE,  /* an integer is not affine in the sizes */
	TSIZE_REAL,        /* a real number differs */
	TSIZE_FIXED        /* an integer that must be a constant differs */
} tsize_problem;

typedef struct tsize_failure {
	tsize_problem problem;
	size_t probe;              /* a probe whose text shows it */
	char line[120];            /* the line of probe 0's text where it is (cut) */
} tsize_failure;

/* HESSC_OK with *out (caller frees); HESSC_ERR_MODEL with *why filled;
 * HESSC_ERR_NOMEM; HESSC_ERR_USAGE when k is 0 or above TSIZE_MAX_SIZES. */
hessc_status tsize_merge(const char *const *texts, size_t k, const char *const *names, int level,
                         char **out, tsize_failure *why);

#endif
