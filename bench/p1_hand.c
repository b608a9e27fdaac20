/* p1_hand.c -- P1 (srosenbr, PROBLEMS.md) at n = 10,000: the Hessian that
 * `hessc gen` wrote at build time (bench/models/p1_srosenbr.mod) against
 * the hand-written loop of bench/hand/srosenbr.c.
 *
 * Built twice: p1-hand over the default output (loops, prefix p1, the
 * pattern built by p1_setup) and, with P1_UNROLLED, p1-hand-unrolled over
 * `gen --unroll` (every term written out, prefix p1u, a constant
 * descriptor).  Both are checked to give the same pattern and values
 * first; then each Hessian is timed in batches, and the medians
 * (microseconds per call) and their ratio are printed.  Not a test: run
 *     build/bench/p1-hand [SAMPLES]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hand.h"

#ifdef P1_UNROLLED
#include "p1u_srosenbr.h"
#define GENERATED_FORM "unrolled (gen --unroll)"
#define GENERATED_WORK P1U_WORK_SIZE
static const hessc_problem *generated(void **block)
{
	*block = NULL;
	return &p1u_problem;
}
#else
#include "p1_srosenbr.h"
#define GENERATED_FORM "loops (gen)"
#define GENERATED_WORK P1_WORK_SIZE
static const hessc_problem *generated(void **block)
{
	*block = malloc(p1_setup_bytes());
	return *block ? p1_setup(*block) : NULL;
}
#endif

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median over `samples` batches of the time of one hess call, in us. */
static double median_hess_us(const hessc_problem *p, const double *x, double *h,
                             double *w, int samples)
{
	double *t = malloc((size_t)samples * sizeof *t);
	if (!t)
		return NAN;
	/* a batch long enough (about 2 ms) that the clock's resolution vanishes */
	int batch = 1;
	for (;;) {
		double start = now_s();
		for (int r = 0; r < batch; r++)
			p->hess(x, h, w, p->data);
		if (now_s() - start > 2e-3 || batch > (1 << 20))
			break;
		batch *= 2;
	}
	for (int s = 0; s < samples; s++) {
		double start = now_s();
		for (int r = 0; r < batch; r++)
			p->hess(x, h, w, p->data);
		t[s] = (now_s() - start) / batch * 1e6;
	}
	qsort(t, (size_t)samples, sizeof *t, compare_doubles);
	double m = t[samples / 2];
	free(t);
	return m;
}

int main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 51;
	if (samples < 1)
		samples = 1;
	void *block;
	const hessc_problem *gen = generated(&block);
	hand_problem hand;
	if (!gen || hand_srosenbr_new(gen->n, &hand) != 0) {
		fprintf(stderr, "p1-hand: cannot build the problems\n");
		free(block);
		return 1;
	}
	int code = 1;
	size_t n = (size_t)gen->n, nnz = (size_t)gen->nnz;
	double *h_gen = malloc(nnz * sizeof *h_gen), *h_hand = malloc(nnz * sizeof *h_hand);
	double *w = malloc((GENERATED_WORK + 1) * sizeof *w);
	if (!h_gen || !h_hand || !w)
		goto done;

	/* the same matrix, entry for entry, before anything is timed */
	if (hand.desc.nnz != gen->nnz) {
		fprintf(stderr, "p1-hand: nnz %d (hessc) vs %d (hand)\n", gen->nnz, hand.desc.nnz);
		goto done;
	}
	for (size_t j = 0; j <= n; j++)
		if (gen->hess_colptr[j] != hand.desc.hess_colptr[j])
			goto pattern_differs;
	for (size_t k = 0; k < nnz; k++)
		if (gen->hess_rowind[k] != hand.desc.hess_rowind[k])
			goto pattern_differs;
	gen->hess(gen->x0, h_gen, w, gen->data);
	hand.desc.hess(gen->x0, h_hand, NULL, hand.desc.data);
	for (size_t k = 0; k < nnz; k++)
		if (fabs(h_gen[k] - h_hand[k]) > 1e-12 * fmax(1.0, fabs(h_hand[k]))) {
			fprintf(stderr, "p1-hand: entry %zu: %.17g (hessc) vs %.17g (hand)\n", k,
			        h_gen[k], h_hand[k]);
			goto done;
		}

	double t_gen = median_hess_us(gen, gen->x0, h_gen, w, samples);
	double t_hand = median_hess_us(&hand.desc, gen->x0, h_hand, NULL, samples);
	printf("P1 srosenbr, n = %zu, nnz = %zu, median of %d samples\n", n, nnz, samples);
	printf("  hessc-generated Hessian  %10.2f us   %s\n", t_gen, GENERATED_FORM);
	printf("  hand-written Hessian     %10.2f us\n", t_hand);
	printf("  ratio hessc / hand       %10.3f\n", t_gen / t_hand);
	code = 0;
	goto done;
pattern_differs:
	fprintf(stderr, "p1-hand: the Hessian patterns differ\n");
done:
	free(h_gen);
	free(h_hand);
	free(w);
	free(block);
	hand_free(&hand);
	return code;
}
