/* sparse.c -- dense vector kernels and the symmetric product from H's lower triangle. */
#include <math.h>

#include "tr_internal.h"

/* y = H v, each stored entry (i, j), i > j, used twice: H_ij v_j and H_ji v_i */
void sym_matvec(const tr_work *w, const double *h, const unsigned char *mask,
                const double *v, double *y)
{
	int n = w->n;
	for (int i = 0; i < n; i++)
		y[i] = 0.0;
	for (int j = 0; j < n; j++) {
		if (mask && !mask[j])
			continue;
		double vj = v[j], yj = 0.0;
		for (int k = w->colptr[j]; k < w->colptr[j + 1]; k++) {
			int i = w->rowind[k];
			if (mask && !mask[i])
				continue;
			y[i] += h[k] * vj;
			if (i != j)
				yj += h[k] * v[i];
		}
		y[j] += yj;
	}
}

double vec_dot(int n, const double *a, const double *b)
{
	double s = 0.0;
	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* ||a||_2, scaled so that huge or tiny entries neither overflow nor underflow */
double vec_norm2(int n, const double *a)
{
	double scale = vec_norminf(n, a);
	if (scale == 0.0 || !isfinite(scale))
		return scale;
	double s = 0.0;
	for (int i = 0; i < n; i++) {
		double t = a[i] / scale;
		s += t * t;
	}
	return scale * sqrt(s);
}

double vec_norminf(int n, const double *a)
{
	double m = 0.0;
	for (int i = 0; i < n; i++) {
		double t = fabs(a[i]);
		if (t > m || isnan(t))
			m = t;
		if (isnan(m))
			return m;
	}
	return m;
}

int vec_finite(size_t n, const double *a)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(a[i]))
			return 0;
	return 1;
}

double model_value(const tr_work *w, const double *g, const double *s, double *tmp)
{
	sym_matvec(w, w->h, NULL, s, tmp);
	return vec_dot(w->n, g, s) + 0.5 * vec_dot(w->n, s, tmp);
}

/* positive root of ||d||^2 tau^2 + 2 a'd tau + ||a||^2 - radius^2 = 0,
 * in the form that does not cancel */
double boundary_tau(int n, const double *a, const double *d, double radius)
{
	double dd = vec_dot(n, d, d), ad = vec_dot(n, a, d), aa = vec_dot(n, a, a);
	if (dd == 0.0)
		return 0.0;
	double c = aa - radius * radius;
	if (c > 0.0)
		c = 0.0;
	double disc = sqrt(ad * ad - dd * c);
	if (ad > 0.0)
		return -c / (ad + disc);
	return (disc - ad) / dd;
}
