/* template_runs.c -- arrays (initial point, bounds) as runs that a
 * generated setup routine expands at load time (template_setup.h), so that
 * a generated file does not grow with n. */
#include "template_runs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* value of a kind-1 run at (i, j), as hsetup_fill computes it */
static double rational(long a, long b0, long b1, long d, long i, long j)
{
	return (double)(a + b0 * i + b1 * j) / (double)d;
}

/* The longest 1-D rational run at x[s..]: x[s+t] = (a + b t) / d. */
static size_t rational_run(const double *x, size_t n, size_t s, long *a, long *b, long *d)
{
	double diff, inv, num0, step;
	size_t len = 2;
	if (s + 2 > n)
		return 0;
	diff = x[s + 1] - x[s];
	if (!(diff != 0.0) || !isfinite(diff) || !isfinite(x[s]))
		return 0;
	inv = fabs(1.0 / diff);
	*d = fabs(inv - floor(inv + 0.5)) < 1e-6 * inv && inv >= 0.5 && inv < 1e9
	         ? (long)floor(inv + 0.5) : 1;
	if (*d < 1)
		*d = 1;
	num0 = floor(x[s] * (double)*d + 0.5);
	step = floor(diff * (double)*d + 0.5);
	if (fabs(num0) > 1e15 || fabs(step) > 1e12)
		return 0;
	*a = (long)num0;
	*b = (long)step;
	if (!same(rational(*a, 0, *b, *d, 0, 0), x[s]) || !same(rational(*a, 0, *b, *d, 0, 1), x[s + 1]))
		return 0;
	while (s + len < n && same(rational(*a, 0, *b, *d, 0, (long)len), x[s + len]))
		len++;
	return len;
}

/* The longest periodic run at x[s..] with a period of at most 8. */
static size_t periodic_run(const double *x, size_t n, size_t s, int *period)
{
	size_t best = 1;
	*period = 1;
	for (int p = 1; p <= 8 && s + (size_t)p <= n; p++) {
		size_t len = (size_t)p;
		while (s + len < n && same(x[s + len], x[s + len - (size_t)p]))
			len++;
		if (len > best + (size_t)(p - *period) * 4) {  /* a longer period must pay */
			best = len;
			*period = p;
		}
	}
	return best;
}

hessc_status tmpl_runs(const double *x, size_t n, tmpl_array_runs *out)
{
	size_t s = 0, cap = 0, lit_cap = 0;
	memset(out, 0, sizeof *out);
	while (s < n) {
		long a = 0, b = 0, d = 1;
		int period;
		size_t rl = rational_run(x, n, s, &a, &b, &d), pl = periodic_run(x, n, s, &period);
		hsetup_run r;
		memset(&r, 0, sizeof r);
		r.start = (long)s;
		r.count0 = 1;
		if (rl > pl && rl >= 3) {
			r.kind = 1;
			r.count1 = (long)rl;
			r.a = a;
			r.b1 = b;
			r.d = d;
			s += rl;
			/* whole blocks continuing the last run: a 2-D run (a grid) */
			if (out->n_runs > 0) {
				hsetup_run *p = &out->runs[out->n_runs - 1];
				if (p->kind == 1 && p->count1 == r.count1 && p->b1 == r.b1 && p->d == r.d) {
					if (p->count0 == 1) {
						p->stride0 = r.start - p->start;
						p->b0 = r.a - p->a;
					}
					if (r.start == p->start + p->count0 * p->stride0
					    && r.a == p->a + p->count0 * p->b0) {
						p->count0++;
						continue;
					}
				}
			}
		} else {
			r.kind = 0;
			r.count1 = (long)pl;
			r.period = period;
			r.lit0 = (long)out->n_lit;
			if (out->n_lit + (size_t)period > lit_cap) {
				size_t c2 = lit_cap ? 2 * lit_cap : 16;
				double *l;
				while (c2 < out->n_lit + (size_t)period)
					c2 *= 2;
				l = realloc(out->lit, c2 * sizeof *l);
				if (!l)
					goto nomem;
				out->lit = l;
				lit_cap = c2;
			}
			memcpy(out->lit + out->n_lit, x + s, (size_t)period * sizeof *x);
			out->n_lit += (size_t)period;
			s += pl;
		}
		if (out->n_runs == cap) {
			size_t c2 = cap ? 2 * cap : 16;
			hsetup_run *rr = realloc(out->runs, c2 * sizeof *rr);
			if (!rr)
				goto nomem;
			out->runs = rr;
			cap = c2;
		}
		out->runs[out->n_runs++] = r;
	}
	return HESSC_OK;
nomem:
	tmpl_runs_free(out);
	return HESSC_ERR_NOMEM;
}

void tmpl_runs_free(tmpl_array_runs *r)
{
	free(r->runs);
	free(r->lit);
	memset(r, 0, sizeof *r);
}
