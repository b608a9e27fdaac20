/* minsurf.c -- P4 by hand: on a p x p grid (row-major x_{i,j}),
 *   f = sum_{i,j=1}^{p-1} sqrt(1 + K ((x_{i,j} - x_{i+1,j+1})^2
 *                                     + (x_{i+1,j} - x_{i,j+1})^2)) / S,
 * K = 0.5 (p-1)^2, S = (p-1)^2.
 *
 * Cell (i,j) couples a = x_{i,j}, d = x_{i,j+1}, c = x_{i+1,j},
 * b = x_{i+1,j+1} (a < d < c < b in variable order) through u = a - b and
 * v = c - d.  With s = 1 + K (u^2 + v^2) and r = sqrt(s):
 *   phi_u = K u / (S r),  phi_uu = K/(S r) (1 - K u^2 / s),
 *   phi_uv = -K^2 u v / (S r s),  and the same with u and v swapped.
 * The lower triangle of column x_{r,s} holds the rows at offsets
 * 0, 1, p-1, p, p+1 that exist at that grid position: 1 when s < p-1,
 * p-1 when r < p-1 and s > 0, p and p+1 when r < p-1 (p+1 also needs
 * s < p-1).  Cells find their entries through colptr.
 */
#include <math.h>
#include <string.h>
#include "hand.h"
#include "hand_internal.h"

typedef struct minsurf_data {
	long p;
	const int *colptr;  /* the pattern's column starts (hand_problem.colptr) */
} minsurf_data;

static double minsurf_f(const double *restrict x, double *work, const void *data)
{
	const minsurf_data *d = data;
	long p = d->p;
	double S = (double)(p - 1) * (double)(p - 1), K = 0.5 * S, f = 0.0;
	(void)work;
	for (long i = 0; i + 1 < p; i++)
		for (long j = 0; j + 1 < p; j++) {
			long a = i * p + j;
			double u = x[a] - x[a + p + 1], v = x[a + p] - x[a + 1];
			f += sqrt(1.0 + K * (u * u + v * v)) / S;
		}
	return f;
}

static double minsurf_grad(const double *restrict x, double *restrict g,
                           double *work, const void *data)
{
	const minsurf_data *d = data;
	long p = d->p;
	double S = (double)(p - 1) * (double)(p - 1), K = 0.5 * S, f = 0.0;
	(void)work;
	memset(g, 0, (size_t)(p * p) * sizeof *g);
	for (long i = 0; i + 1 < p; i++)
		for (long j = 0; j + 1 < p; j++) {
			long a = i * p + j;
			double u = x[a] - x[a + p + 1], v = x[a + p] - x[a + 1];
			double r = sqrt(1.0 + K * (u * u + v * v));
			double w = K / (S * r);
			f += r / S;
			g[a] += w * u;
			g[a + p + 1] -= w * u;
			g[a + p] += w * v;
			g[a + 1] -= w * v;
		}
	return f;
}

static void minsurf_hess(const double *restrict x, double *restrict h,
                         double *work, const void *data)
{
	const minsurf_data *d = data;
	const int *restrict colptr = d->colptr;
	long p = d->p;
	double S = (double)(p - 1) * (double)(p - 1), K = 0.5 * S;
	(void)work;
	memset(h, 0, (size_t)colptr[p * p] * sizeof *h);
	for (long i = 0; i + 1 < p; i++)
		for (long j = 0; j + 1 < p; j++) {
			long a = i * p + j, dd = a + 1, c = a + p, b = a + p + 1;
			double u = x[a] - x[b], v = x[c] - x[dd];
			double s = 1.0 + K * (u * u + v * v), r = sqrt(s);
			double w = K / (S * r);
			double huu = w * (1.0 - K * u * u / s);
			double hvv = w * (1.0 - K * v * v / s);
			double huv = -w * K * u * v / s;
			int pa = colptr[a] + 2 + (j > 0);        /* (c,a); (b,a) follows */
			int pd = colptr[dd] + (j + 2 < p ? 2 : 1);  /* (c,d); (b,d) follows */
			h[colptr[a]] += huu;
			h[colptr[a] + 1] -= huv;                 /* (d,a) */
			h[pa] += huv;
			h[pa + 1] -= huu;
			h[colptr[dd]] += hvv;
			h[pd] -= hvv;
			h[pd + 1] += huv;
			h[colptr[c]] += hvv;
			h[colptr[c] + 1] -= huv;                 /* (b,c) */
			h[colptr[b]] += huu;
		}
}

int hand_minsurf_new(long p, hand_problem *out)
{
	long n, nnz = 0, k = 0;
	if (p < 3 || p > 40000)
		return -1;
	n = p * p;
	for (long r = 0; r < p; r++)
		for (long s = 0; s < p; s++)
			nnz += 1 + (s < p - 1) + (r < p - 1 && s > 0) + (r < p - 1)
			       + (r < p - 1 && s < p - 1);
	if (hand_alloc(out, n, nnz, sizeof(minsurf_data)) != 0)
		return -1;
	((minsurf_data *)out->data)->p = p;
	((minsurf_data *)out->data)->colptr = out->colptr;
	for (long r = 0; r < p; r++)
		for (long s = 0; s < p; s++) {
			long idx = r * p + s;
			out->colptr[idx] = (int)k;
			out->rowind[k++] = (int)idx;
			if (s < p - 1)
				out->rowind[k++] = (int)(idx + 1);
			if (r < p - 1 && s > 0)
				out->rowind[k++] = (int)(idx + p - 1);
			if (r < p - 1)
				out->rowind[k++] = (int)(idx + p);
			if (r < p - 1 && s < p - 1)
				out->rowind[k++] = (int)(idx + p + 1);
			out->x0[idx] = (double)(r + 1 + s + 1) / (double)p;
		}
	out->colptr[n] = (int)k;
	out->desc.name = "minsurf";
	out->desc.f = minsurf_f;
	out->desc.grad = minsurf_grad;
	out->desc.hess = minsurf_hess;
	return 0;
}
