/* arwhead.c -- P2 by hand:
 *   f = sum_{i=1}^{n-1} (-4 x_i + 3) + sum_{i=1}^{n-1} (x_i^2 + x_n^2)^2.
 *
 * With t_i = x_i^2 + x_n^2 (0-based: i < n-1, last = n-1):
 *   g_i = -4 + 4 t_i x_i,           g_last = sum_i 4 t_i x_last
 *   H_ii = 12 x_i^2 + 4 x_last^2,   H_last,i = 8 x_i x_last
 *   H_last,last = sum_i (4 x_i^2 + 12 x_last^2)
 * Column i < n-1 holds rows i and n-1 (positions 2i, 2i+1), the last column
 * holds its diagonal only (position 2(n-1)).
 */
#include "hand.h"
#include "hand_internal.h"

typedef struct arwhead_data { long n; } arwhead_data;

static double arwhead_f(const double *restrict x, double *work, const void *data)
{
	const arwhead_data *d = data;
	long last = d->n - 1;
	double xl2 = x[last] * x[last], f = 0.0;
	(void)work;
	for (long i = 0; i < last; i++) {
		double t = x[i] * x[i] + xl2;
		f += (-4.0 * x[i] + 3.0) + t * t;
	}
	return f;
}

static double arwhead_grad(const double *restrict x, double *restrict g,
                           double *work, const void *data)
{
	const arwhead_data *d = data;
	long last = d->n - 1;
	double xl = x[last], xl2 = xl * xl, f = 0.0, tsum = 0.0;
	(void)work;
	for (long i = 0; i < last; i++) {
		double t = x[i] * x[i] + xl2;
		f += (-4.0 * x[i] + 3.0) + t * t;
		g[i] = -4.0 + 4.0 * t * x[i];
		tsum += t;
	}
	g[last] = 4.0 * tsum * xl;
	return f;
}

static void arwhead_hess(const double *restrict x, double *restrict h,
                         double *work, const void *data)
{
	const arwhead_data *d = data;
	long last = d->n - 1;
	double xl = x[last], xl2 = xl * xl, sq = 0.0;
	(void)work;
	for (long i = 0; i < last; i++) {
		double xi2 = x[i] * x[i];
		h[2 * i] = 12.0 * xi2 + 4.0 * xl2;
		h[2 * i + 1] = 8.0 * x[i] * xl;
		sq += xi2;
	}
	h[2 * last] = 4.0 * sq + 12.0 * (double)last * xl2;
}

int hand_arwhead_new(long n, hand_problem *out)
{
	if (n < 2)
		return -1;
	if (hand_alloc(out, n, 2 * (n - 1) + 1, sizeof(arwhead_data)) != 0)
		return -1;
	((arwhead_data *)out->data)->n = n;
	for (long i = 0; i < n - 1; i++) {
		out->colptr[i] = (int)(2 * i);
		out->rowind[2 * i] = (int)i;
		out->rowind[2 * i + 1] = (int)(n - 1);
	}
	out->colptr[n - 1] = (int)(2 * (n - 1));
	out->rowind[2 * (n - 1)] = (int)(n - 1);
	out->colptr[n] = (int)(2 * (n - 1) + 1);
	for (long i = 0; i < n; i++)
		out->x0[i] = 1.0;
	out->desc.name = "arwhead";
	out->desc.f = arwhead_f;
	out->desc.grad = arwhead_grad;
	out->desc.hess = arwhead_hess;
	return 0;
}
