/* bdqrtic.c -- P3 by hand:
 *   f = sum_{i=1}^{n-4} (-4 x_i + 3)^2
 *                     + (x_i^2 + 2 x_{i+1}^2 + 3 x_{i+2}^2 + 4 x_{i+3}^2 + 5 x_n^2)^2.
 *
 * Term i (0-based) touches v_k = x[i+k] with weights c_k = k+1 (k = 0..3)
 * and the last variable xl with weight 5.  With
 * q = sum_k c_k v_k^2 + 5 xl^2, the square q^2 has
 *   gradient  4 q c_k v_k  and  20 q xl,
 *   Hessian   8 c_k c_l v_k v_l + [k == l] 4 q c_k,  40 c_k v_k xl,
 *             200 xl^2 + 20 q,
 * and (-4 v_0 + 3)^2 adds -8 (-4 v_0 + 3) and 32.
 * Column j < n-1 holds the band rows j .. min(j+3, n-2) and then row n-1;
 * the last column holds its diagonal.
 */
#include <string.h>
#include "hand.h"
#include "hand_internal.h"

typedef struct bdqrtic_data {
	long n;
	const int *colptr;  /* the pattern's column starts (hand_problem.colptr) */
} bdqrtic_data;

static double bdqrtic_f(const double *restrict x, double *work, const void *data)
{
	const bdqrtic_data *d = data;
	long n = d->n;
	double xl2 = x[n - 1] * x[n - 1], f = 0.0;
	(void)work;
	for (long i = 0; i + 4 < n; i++) {
		double a = -4.0 * x[i] + 3.0;
		double q = x[i] * x[i] + 2.0 * x[i + 1] * x[i + 1] + 3.0 * x[i + 2] * x[i + 2]
		           + 4.0 * x[i + 3] * x[i + 3] + 5.0 * xl2;
		f += a * a + q * q;
	}
	return f;
}

static double bdqrtic_grad(const double *restrict x, double *restrict g,
                           double *work, const void *data)
{
	const bdqrtic_data *d = data;
	long n = d->n;
	double xl = x[n - 1], xl2 = xl * xl, f = 0.0, qsum = 0.0;
	(void)work;
	memset(g, 0, (size_t)n * sizeof *g);
	for (long i = 0; i + 4 < n; i++) {
		double a = -4.0 * x[i] + 3.0;
		double q = x[i] * x[i] + 2.0 * x[i + 1] * x[i + 1] + 3.0 * x[i + 2] * x[i + 2]
		           + 4.0 * x[i + 3] * x[i + 3] + 5.0 * xl2;
		double q4 = 4.0 * q;
		f += a * a + q * q;
		g[i] += -8.0 * a + q4 * x[i];
		g[i + 1] += 2.0 * q4 * x[i + 1];
		g[i + 2] += 3.0 * q4 * x[i + 2];
		g[i + 3] += 4.0 * q4 * x[i + 3];
		qsum += q;
	}
	g[n - 1] = 20.0 * qsum * xl;
	return f;
}

static void bdqrtic_hess(const double *restrict x, double *restrict h,
                         double *work, const void *data)
{
	const bdqrtic_data *d = data;
	const int *restrict colptr = d->colptr;
	long n = d->n;
	double xl = x[n - 1], xl2 = xl * xl, hll = 0.0;
	(void)work;
	memset(h, 0, (size_t)colptr[n] * sizeof *h);
	for (long i = 0; i + 4 < n; i++) {
		double cv[4];
		double q = 5.0 * xl2;
		for (int k = 0; k < 4; k++) {
			cv[k] = (double)(k + 1) * x[i + k];
			q += cv[k] * x[i + k];
		}
		for (int k = 0; k < 4; k++) {
			int start = colptr[i + k];
			/* band rows i+k .. i+3 of column i+k, then row n-1 last */
			for (int l = k; l < 4; l++)
				h[start + (l - k)] += 8.0 * cv[k] * cv[l];
			h[start] += 4.0 * q * (double)(k + 1);
			h[colptr[i + k + 1] - 1] += 40.0 * cv[k] * xl;
		}
		h[colptr[i]] += 32.0;
		hll += 200.0 * xl2 + 20.0 * q;
	}
	h[colptr[n] - 1] = hll;
}

int hand_bdqrtic_new(long n, hand_problem *out)
{
	long p = 0, nnz;
	if (n < 5)
		return -1;
	nnz = 5 * (n - 1) - 6 + 1;
	if (hand_alloc(out, n, nnz, sizeof(bdqrtic_data)) != 0)
		return -1;
	((bdqrtic_data *)out->data)->n = n;
	((bdqrtic_data *)out->data)->colptr = out->colptr;
	for (long j = 0; j < n - 1; j++) {
		out->colptr[j] = (int)p;
		for (long r = j; r <= j + 3 && r <= n - 2; r++)
			out->rowind[p++] = (int)r;
		out->rowind[p++] = (int)(n - 1);
	}
	out->colptr[n - 1] = (int)p;
	out->rowind[p++] = (int)(n - 1);
	out->colptr[n] = (int)p;
	for (long i = 0; i < n; i++)
		out->x0[i] = 1.0;
	out->desc.name = "bdqrtic";
	out->desc.f = bdqrtic_f;
	out->desc.grad = bdqrtic_grad;
	out->desc.hess = bdqrtic_hess;
	return (p == nnz) ? 0 : (hand_free(out), -1);
}
