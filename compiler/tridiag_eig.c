/* tridiag_eig.c -- symmetric tridiagonal eigenproblem by implicit QL
 * (EISPACK tql2, in the form of the public-domain JAMA translation). */
#include "tridiag_eig.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SWEEPS 60

/* Sort eigenvalues increasing, carrying their vectors along (selection sort:
 * k is small and each swap moves a whole column). */
static void sort_pairs(int k, double *d, double *z)
{
	for (int i = 0; i < k - 1; i++) {
		int m = i;
		for (int j = i + 1; j < k; j++)
			if (d[j] < d[m])
				m = j;
		if (m == i)
			continue;
		double t = d[i];
		d[i] = d[m];
		d[m] = t;
		for (int r = 0; r < k; r++) {
			t = z[(size_t)i * k + r];
			z[(size_t)i * k + r] = z[(size_t)m * k + r];
			z[(size_t)m * k + r] = t;
		}
	}
}

hessc_status tridiag_eig(int k, double *d, const double *e_in, double *z)
{
	if (k < 1)
		return HESSC_ERR_USAGE;
	double *e = calloc((size_t)k, sizeof *e);
	if (e == NULL)
		return HESSC_ERR_NOMEM;
	for (int i = 0; i + 1 < k; i++)
		e[i] = e_in[i];
	memset(z, 0, (size_t)k * (size_t)k * sizeof *z);
	for (int i = 0; i < k; i++)
		z[(size_t)i * k + i] = 1.0;
/* Z(r, c): row r of column c */
#define Z(r, c) z[(size_t)(c) * (size_t)k + (size_t)(r)]
	hessc_status st = HESSC_OK;
	double f = 0.0, tst1 = 0.0;
	for (int l = 0; l < k; l++) {
		/* find a negligible off-diagonal element below l */
		tst1 = fmax(tst1, fabs(d[l]) + fabs(e[l]));
		int m = l;
		while (m < k - 1 && fabs(e[m]) > DBL_EPSILON * tst1)
			m++;
		int sweeps = 0;
		while (m > l) {
			if (++sweeps > MAX_SWEEPS) {
				st = HESSC_ERR_INTERNAL;
				goto done;
			}
			/* shift from the leading 2x2 block */
			double g = d[l];
			double p = (d[l + 1] - g) / (2.0 * e[l]);
			double r = hypot(p, 1.0);
			if (p < 0)
				r = -r;
			d[l] = e[l] / (p + r);
			d[l + 1] = e[l] * (p + r);
			double dl1 = d[l + 1];
			double h = g - d[l];
			for (int i = l + 2; i < k; i++)
				d[i] -= h;
			f += h;
			/* implicit QL transformation */
			p = d[m];
			double c = 1.0, c2 = 1.0, c3 = 1.0;
			double el1 = e[l + 1];
			double s = 0.0, s2 = 0.0;
			for (int i = m - 1; i >= l; i--) {
				c3 = c2;
				c2 = c;
				s2 = s;
				g = c * e[i];
				h = c * p;
				r = hypot(p, e[i]);
				e[i + 1] = s * r;
				s = e[i] / r;
				c = p / r;
				p = c * d[i] - s * g;
				d[i + 1] = h + s * (c * g + s * d[i]);
				for (int row = 0; row < k; row++) {
					h = Z(row, i + 1);
					Z(row, i + 1) = s * Z(row, i) + c * h;
					Z(row, i) = c * Z(row, i) - s * h;
				}
			}
			p = -s * s2 * c3 * el1 * e[l] / dl1;
			e[l] = s * p;
			d[l] = c * p;
			if (fabs(e[l]) <= DBL_EPSILON * tst1)
				break;
		}
		d[l] += f;
		e[l] = 0.0;
	}
#undef Z
	sort_pairs(k, d, z);
done:
	free(e);
	return st;
}
