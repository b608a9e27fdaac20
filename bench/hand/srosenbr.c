/* srosenbr.c -- P1 by hand: f = sum_{i=1}^{n/2} 100 (x_{2i} - x_{2i-1}^2)^2 + (x_{2i-1} - 1)^2.
 *
 * Pairs (a, b) = (x[2k], x[2k+1]) 0-based are independent: the lower
 * triangle holds (a,a), (b,a) in column a and (b,b) in column b, so column
 * 2k starts at 3k and the values are written in one pass without a map.
 */
#include "hand.h"
#include "hand_internal.h"

typedef struct srosenbr_data { long n; } srosenbr_data;

static double srosenbr_f(const double *restrict x, double *work, const void *data)
{
	const srosenbr_data *d = data;
	double f = 0.0;
	(void)work;
	for (long k = 0; k < d->n; k += 2) {
		double a = x[k], b = x[k + 1];
		double r = b - a * a, s = a - 1.0;
		f += 100.0 * r * r + s * s;
	}
	return f;
}

/* df/da = -400 a (b - a^2) + 2 (a - 1), df/db = 200 (b - a^2) */
static double srosenbr_grad(const double *restrict x, double *restrict g,
                            double *work, const void *data)
{
	const srosenbr_data *d = data;
	double f = 0.0;
	(void)work;
	for (long k = 0; k < d->n; k += 2) {
		double a = x[k], b = x[k + 1];
		double r = b - a * a, s = a - 1.0;
		f += 100.0 * r * r + s * s;
		g[k] = -400.0 * a * r + 2.0 * s;
		g[k + 1] = 200.0 * r;
	}
	return f;
}

/* H_aa = 1200 a^2 - 400 b + 2, H_ba = -400 a, H_bb = 200 */
static void srosenbr_hess(const double *restrict x, double *restrict h,
                          double *work, const void *data)
{
	const srosenbr_data *d = data;
	(void)work;
	for (long k = 0, p = 0; k < d->n; k += 2, p += 3) {
		double a = x[k], b = x[k + 1];
		h[p] = 1200.0 * a * a - 400.0 * b + 2.0;
		h[p + 1] = -400.0 * a;
		h[p + 2] = 200.0;
	}
}

int hand_srosenbr_new(long n, hand_problem *out)
{
	if (n < 2 || n % 2 != 0)
		return -1;
	if (hand_alloc(out, n, 3 * (n / 2), sizeof(srosenbr_data)) != 0)
		return -1;
	((srosenbr_data *)out->data)->n = n;
	for (long k = 0, p = 0; k < n; k += 2) {
		out->colptr[k] = (int)p;
		out->rowind[p++] = (int)k;
		out->rowind[p++] = (int)k + 1;
		out->colptr[k + 1] = (int)p;
		out->rowind[p++] = (int)k + 1;
		out->x0[k] = -1.2;
		out->x0[k + 1] = 1.0;
	}
	out->colptr[n] = (int)(3 * (n / 2));
	out->desc.name = "srosenbr";
	out->desc.f = srosenbr_f;
	out->desc.grad = srosenbr_grad;
	out->desc.hess = srosenbr_hess;
	return 0;
}
