/* logreg.c -- P5 by hand: regularized logistic regression,
 *   f = sum_{i=1}^{m} log(1 + exp(-y_i X_i w)) + (lambda/2) |w|^2,
 * with X (m x d) and y given at run time (logreg_data).
 *
 * With t_i = -y_i X_i w and sigma_i = 1 / (1 + exp(-t_i)):
 *   g = -sum_i sigma_i y_i X_i^T + lambda w
 *   H = sum_i sigma_i (1 - sigma_i) y_i^2 X_i^T X_i + lambda I
 * The lower triangle is dense (d(d+1)/2 entries, column by column); each
 * sample adds a scaled outer product of its row, written as contiguous
 * axpy loops that the compiler vectorizes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hand.h"
#include "hand_internal.h"

void logreg_fill(logreg_data *d, long seed)
{
	for (long i = 1; i <= d->m; i++) {
		for (long j = 1; j <= d->d; j++)
			d->X[(i - 1) * d->d + (j - 1)] =
				(double)(((i + seed) * 7919 + j * 104729) % 1000) / 500.0 - 1.0;
		d->y[i - 1] = ((i + seed) % 3 == 0) ? 1.0 : -1.0;
	}
}

/* log(1 + exp(t)) without overflow for large t */
static double softplus(double t)
{
	return t > 0.0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

static double logreg_f(const double *restrict w, double *work, const void *data)
{
	const logreg_data *d = data;
	long m = d->m, dim = d->d;
	double f = 0.0, ww = 0.0;
	(void)work;
	for (long i = 0; i < m; i++) {
		const double *restrict xi = d->X + i * dim;
		double z = 0.0;
		for (long j = 0; j < dim; j++)
			z += xi[j] * w[j];
		f += softplus(-d->y[i] * z);
	}
	for (long j = 0; j < dim; j++)
		ww += w[j] * w[j];
	return f + 0.5 * d->lambda * ww;
}

static double logreg_grad(const double *restrict w, double *restrict g,
                          double *work, const void *data)
{
	const logreg_data *d = data;
	long m = d->m, dim = d->d;
	double f = 0.0;
	(void)work;
	for (long j = 0; j < dim; j++) {
		g[j] = d->lambda * w[j];
		f += 0.5 * d->lambda * w[j] * w[j];
	}
	for (long i = 0; i < m; i++) {
		const double *restrict xi = d->X + i * dim;
		double z = 0.0, t, sigma, a;
		for (long j = 0; j < dim; j++)
			z += xi[j] * w[j];
		t = -d->y[i] * z;
		f += softplus(t);
		sigma = 1.0 / (1.0 + exp(-t));
		a = -sigma * d->y[i];
		for (long j = 0; j < dim; j++)
			g[j] += a * xi[j];
	}
	return f;
}

static void logreg_hess(const double *restrict w, double *restrict h,
                        double *work, const void *data)
{
	const logreg_data *d = data;
	long m = d->m, dim = d->d;
	long nnz = dim * (dim + 1) / 2;
	(void)work;
	memset(h, 0, (size_t)nnz * sizeof *h);
	for (long i = 0; i < m; i++) {
		const double *restrict xi = d->X + i * dim;
		double z = 0.0, t, sigma, c;
		double *restrict col = h;
		for (long j = 0; j < dim; j++)
			z += xi[j] * w[j];
		t = -d->y[i] * z;
		sigma = 1.0 / (1.0 + exp(-t));
		c = sigma * (1.0 - sigma) * d->y[i] * d->y[i];
		for (long k = 0; k < dim; k++) {
			double a = c * xi[k];
			long len = dim - k;
			const double *restrict xk = xi + k;
			for (long r = 0; r < len; r++)
				col[r] += a * xk[r];
			col += len;
		}
	}
	for (long k = 0, pos = 0; k < dim; pos += dim - k, k++)
		h[pos] += d->lambda;
}

static void logreg_free_data(void *data)
{
	logreg_data *d = data;
	free(d->X);
	free(d->y);
}

int hand_logreg_new(long m, hand_problem *out)
{
	long dim = LOGREG_D, k = 0;
	logreg_data *d;
	if (m < 1 || m > 100000000L / dim)
		return -1;
	if (hand_alloc(out, dim, dim * (dim + 1) / 2, sizeof(logreg_data)) != 0)
		return -1;
	d = out->data;
	d->m = m;
	d->d = dim;
	d->lambda = LOGREG_LAMBDA;
	d->X = malloc((size_t)(m * dim) * sizeof *d->X);
	d->y = malloc((size_t)m * sizeof *d->y);
	out->free_data = logreg_free_data;
	if (!d->X || !d->y) {
		hand_free(out);
		return -1;
	}
	logreg_fill(d, 0);
	for (long j = 0; j < dim; j++) {
		out->colptr[j] = (int)k;
		for (long r = j; r < dim; r++)
			out->rowind[k++] = (int)r;
		out->x0[j] = 0.0;
	}
	out->colptr[dim] = (int)k;
	out->desc.name = "logreg";
	out->desc.f = logreg_f;
	out->desc.grad = logreg_grad;
	out->desc.hess = logreg_hess;
	return 0;
}
