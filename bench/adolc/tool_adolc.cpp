/* tool_adolc.cpp -- ADOL-C as the operator-overloading peer.
 *
 * The objective is written once over adouble (as an ADOL-C user would),
 * taped at the test point, and its Hessian pattern found by hess_pat.
 * Debian builds ADOL-C without ColPack, so sparse_hess aborts; instead:
 *  - sparse Hessians: the harness colors the pattern (coloring.h, the job
 *    ColPack does inside sparse_hess) and hess_mat gives H times the seed
 *    matrix in one sweep over q = colors directions, entries read off
 *    directly;
 *  - small dense Hessians (P5, d = 100): hessian(), one dense lower
 *    triangle, copied into the pattern's order.
 * The result's method column says which.  gen_s is taping, hess_pat and
 * coloring.  gradient: zos_forward (keeping Taylors) + fos_reverse, which
 * is what gradient() does, so f comes back as well.
 */
#include <adolc/adolc.h>
#include <adolc/sparse/sparsedrivers.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <vector>
#include "../bench.h"
#include "coloring.h"

extern "C" const int tool_adolc_available = 1;

namespace {

const short TAG = 1;

template <class T> T srosenbr(const std::vector<T> &x)
{
	T f = 0.0;
	for (size_t k = 0; k + 1 < x.size(); k += 2) {
		T r = x[k + 1] - x[k] * x[k], s = x[k] - 1.0;
		f += 100.0 * r * r + s * s;
	}
	return f;
}

template <class T> T arwhead(const std::vector<T> &x)
{
	size_t n = x.size();
	T f = 0.0;
	for (size_t i = 0; i + 1 < n; i++) {
		T t = x[i] * x[i] + x[n - 1] * x[n - 1];
		f += (-4.0 * x[i] + 3.0) + t * t;
	}
	return f;
}

template <class T> T bdqrtic(const std::vector<T> &x)
{
	size_t n = x.size();
	T f = 0.0;
	for (size_t i = 0; i + 4 < n; i++) {
		T a = -4.0 * x[i] + 3.0;
		T q = x[i] * x[i] + 2.0 * x[i + 1] * x[i + 1] + 3.0 * x[i + 2] * x[i + 2]
		      + 4.0 * x[i + 3] * x[i + 3] + 5.0 * x[n - 1] * x[n - 1];
		f += a * a + q * q;
	}
	return f;
}

template <class T> T minsurf(const std::vector<T> &x, long p)
{
	double S = (double)(p - 1) * (double)(p - 1), K = 0.5 * S;
	T f = 0.0;
	for (long i = 0; i + 1 < p; i++)
		for (long j = 0; j + 1 < p; j++) {
			long a = i * p + j;
			T u = x[a] - x[a + p + 1], v = x[a + p] - x[a + 1];
			f += sqrt(1.0 + K * (u * u + v * v)) / S;
		}
	return f;
}

template <class T> T logreg(const std::vector<T> &w, const logreg_data &d)
{
	T f = 0.0, ww = 0.0;
	for (long i = 0; i < d.m; i++) {
		T z = 0.0;
		for (long j = 0; j < d.d; j++)
			z += d.X[i * d.d + j] * w[j];
		f += log(1.0 + exp(-d.y[i] * z));
	}
	for (long j = 0; j < d.d; j++)
		ww += w[j] * w[j];
	return f + 0.5 * d.lambda * ww;
}

struct adolc_self {
	int n = 0, q = 0;
	bool dense = false;
	std::vector<int> colptr, rowind;
	std::vector<double> x0, xbuf;
	hess_coloring col{};
	double **V = nullptr, **W = nullptr, **H = nullptr;
};

double adolc_grad(void *self, const double *x, double *g)
{
	adolc_self *s = static_cast<adolc_self *>(self);
	double f = 0.0, one = 1.0;
	zos_forward(TAG, 1, s->n, 1, x, &f);
	fos_reverse(TAG, 1, s->n, &one, g);
	return f;
}

void adolc_hess(void *self, const double *x, double *h)
{
	adolc_self *s = static_cast<adolc_self *>(self);
	std::copy(x, x + s->n, s->xbuf.begin());
	if (s->dense) {
		hessian(TAG, s->n, s->xbuf.data(), s->H);
		for (int c = 0; c < s->n; c++)
			for (int k = s->colptr[c]; k < s->colptr[c + 1]; k++)
				h[k] = s->H[s->rowind[k]][c];
		return;
	}
	hess_mat(TAG, s->n, s->q, s->xbuf.data(), s->V, s->W);
	for (int k = 0; k < s->colptr[s->n]; k++)
		h[k] = s->W[s->col.src_row[k]][s->col.src_color[k]];
}

/* the test point's objective on the tape */
int tape(const bench_problem *p, long size, const std::vector<double> &x, logreg_data *lr)
{
	std::vector<adouble> ax(x.size());
	adouble af;
	double f;
	trace_on(TAG);
	for (size_t i = 0; i < x.size(); i++)
		ax[i] <<= x[i];
	switch (p->id[1]) {
	case '1': af = srosenbr(ax); break;
	case '2': af = arwhead(ax); break;
	case '3': af = bdqrtic(ax); break;
	case '4': af = minsurf(ax, size); break;
	case '5': af = logreg(ax, *lr); break;
	default: trace_off(); return -1;
	}
	af >>= f;
	trace_off();
	return 0;
}

} // namespace

extern "C" int tool_adolc_prepare(const bench_problem *p, long size, const bench_options *o,
                                  bench_kernels *k, bench_result *r)
{
	hand_problem shape{};
	adolc_self *s = new adolc_self;
	double t0;
	logreg_data *lr = nullptr;

	/* the size, x0 and (P5) data come from the hand problem's setup, so the
	 * tools see the same inputs; its cost is not ADOL-C's */
	if (p->hand_new(size, &shape) != 0) {
		snprintf(r->error, sizeof r->error, "bad size %ld", size);
		return -1;
	}
	s->n = shape.desc.n;
	s->x0.assign(shape.x0, shape.x0 + s->n);
	s->xbuf = s->x0;
	if (p->id[1] == '5')
		lr = static_cast<logreg_data *>(shape.data);
	if (chdir(o->work_dir) != 0) {  /* ADOL-C spills tapes into the current folder */
		snprintf(r->error, sizeof r->error, "cannot enter %s", o->work_dir);
		return -1;
	}

	t0 = bench_now();
	if (tape(p, size, s->x0, lr) != 0) {
		snprintf(r->error, sizeof r->error, "no ADOL-C objective for %s", p->id);
		return -1;
	}
	{
		std::vector<unsigned int *> crs(s->n, nullptr);
		if (hess_pat(TAG, s->n, s->x0.data(), crs.data(), 0) < 0) {
			snprintf(r->error, sizeof r->error, "hess_pat failed");
			return -1;
		}
		s->colptr.assign(s->n + 1, 0);
		for (int c = 0; c < s->n; c++) {
			std::vector<int> rows;
			for (unsigned int e = 1; e <= crs[c][0]; e++)
				if ((int)crs[c][e] >= c)
					rows.push_back((int)crs[c][e]);
			std::sort(rows.begin(), rows.end());
			s->rowind.insert(s->rowind.end(), rows.begin(), rows.end());
			s->colptr[c + 1] = (int)s->rowind.size();
			free(crs[c]);
		}
	}
	long nnz = s->colptr[s->n];
	s->dense = s->n <= 2000 && 4 * nnz >= (long)s->n * (s->n + 1);
	if (s->dense) {
		s->H = myalloc2(s->n, s->n);
		snprintf(r->method, sizeof r->method, "ADOL-C hess_pat + hessian (dense)");
	} else {
		if (coloring_build(s->n, s->colptr.data(), s->rowind.data(), 64, &s->col) != 0) {
			snprintf(r->error, sizeof r->error, "out of memory coloring the pattern");
			return -1;
		}
		s->q = s->col.ncolors;
		s->V = myalloc2(s->n, s->q);
		s->W = myalloc2(s->n, s->q);
		for (int i = 0; i < s->n; i++)
			for (int c = 0; c < s->q; c++)
				s->V[i][c] = (s->col.color[i] == c) ? 1.0 : 0.0;
		snprintf(r->method, sizeof r->method,
		         "ADOL-C hess_pat + hess_mat, %d colors (harness coloring)", s->q);
	}
	r->gen_s = bench_now() - t0;

	k->n = s->n;
	k->nnz = (int)nnz;
	k->colptr = s->colptr.data();
	k->rowind = s->rowind.data();
	k->x0 = s->x0.data();
	k->grad = adolc_grad;
	k->hess = adolc_hess;
	k->self = s;
	return 0;
}
