/* runtime_problems.c -- the test problems of runtime_problems.h, derived by hand. */
#include <math.h>

#include "runtime_problems.h"

#define MAX_NNZ 256

/* hv = H v from the problem's own hess callback and pattern */
static void hessvec_via_hess(void (*hess)(const double *, double *, double *, const void *),
                             int n, const int *cp, const int *ri, const double *x,
                             const double *v, double *hv, double *work)
{
	double h[MAX_NNZ];
	hess(x, h, work, NULL);
	for (int i = 0; i < n; i++)
		hv[i] = 0.0;
	for (int j = 0; j < n; j++)
		for (int k = cp[j]; k < cp[j + 1]; k++) {
			int i = ri[k];
			hv[i] += h[k] * v[j];
			if (i != j)
				hv[j] += h[k] * v[i];
		}
}

#define HESSVEC(name, N)                                                             \
	static void name##_hv(const double *x, const double *v, double *hv, double *work, \
	                      const void *data)                                          \
	{                                                                                \
		(void)data;                                                                  \
		hessvec_via_hess(name##_hess, N, name##_cp, name##_ri, x, v, hv, work);      \
	}

#define UNUSED (void)work; (void)data

/* ---- Rosenbrock: f = 100 (y - x^2)^2 + (1 - x)^2 ---- */
static const int rosen_cp[] = { 0, 2, 3 };
static const int rosen_ri[] = { 0, 1, 1 };
static const double rosen_x0[] = { -1.2, 1.0 };

static double rosen_f(const double *x, double *work, const void *data)
{
	UNUSED;
	double a = x[1] - x[0] * x[0], b = 1.0 - x[0];
	return 100.0 * a * a + b * b;
}

static double rosen_grad(const double *x, double *g, double *work, const void *data)
{
	double a = x[1] - x[0] * x[0], b = 1.0 - x[0];
	g[0] = -400.0 * x[0] * a - 2.0 * b;
	g[1] = 200.0 * a;
	return rosen_f(x, work, data);
}

static void rosen_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	h[0] = 1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0;
	h[1] = -400.0 * x[0];
	h[2] = 200.0;
}
HESSVEC(rosen, 2)

const hessc_problem rosenbrock_problem = {
	"rosenbrock", 2, 3, rosen_cp, rosen_ri, rosen_x0, NULL, NULL, 0,
	rosen_f, rosen_grad, rosen_hess, rosen_hv, NULL
};

static const double brosen_up[] = { 0.5, INFINITY };
static const double brosen_lo[] = { -INFINITY, -INFINITY };
const hessc_problem bounded_rosenbrock_problem = {
	"bounded rosenbrock", 2, 3, rosen_cp, rosen_ri, rosen_x0, brosen_lo, brosen_up, 0,
	rosen_f, rosen_grad, rosen_hess, rosen_hv, NULL
};

/* ---- Powell singular:
 * f = a^2 + 5 b^2 + c^4 + 10 d^4, a = x1 + 10 x2, b = x3 - x4, c = x2 - 2 x3, d = x1 - x4 */
static const int powell_cp[] = { 0, 3, 5, 7, 8 };
static const int powell_ri[] = { 0, 1, 3, 1, 2, 2, 3, 3 };
static const double powell_x0[] = { 3.0, -1.0, 0.0, 1.0 };

static double powell_f(const double *x, double *work, const void *data)
{
	UNUSED;
	double a = x[0] + 10.0 * x[1], b = x[2] - x[3], c = x[1] - 2.0 * x[2], d = x[0] - x[3];
	return a * a + 5.0 * b * b + c * c * c * c + 10.0 * d * d * d * d;
}

static double powell_grad(const double *x, double *g, double *work, const void *data)
{
	double a = x[0] + 10.0 * x[1], b = x[2] - x[3], c = x[1] - 2.0 * x[2], d = x[0] - x[3];
	double c3 = c * c * c, d3 = d * d * d;
	g[0] = 2.0 * a + 40.0 * d3;
	g[1] = 20.0 * a + 4.0 * c3;
	g[2] = 10.0 * b - 8.0 * c3;
	g[3] = -10.0 * b - 40.0 * d3;
	return powell_f(x, work, data);
}

static void powell_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	double c = x[1] - 2.0 * x[2], d = x[0] - x[3];
	double c2 = 12.0 * c * c, d2 = 120.0 * d * d;
	h[0] = 2.0 + d2;          /* (1,1) */
	h[1] = 20.0;              /* (2,1) */
	h[2] = -d2;               /* (4,1) */
	h[3] = 200.0 + c2;        /* (2,2) */
	h[4] = -2.0 * c2;         /* (3,2) */
	h[5] = 10.0 + 4.0 * c2;   /* (3,3) */
	h[6] = -10.0;             /* (4,3) */
	h[7] = 10.0 + d2;         /* (4,4) */
}
HESSVEC(powell, 4)

const hessc_problem powell_problem = {
	"powell singular", 4, 8, powell_cp, powell_ri, powell_x0, NULL, NULL, 0,
	powell_f, powell_grad, powell_hess, powell_hv, NULL
};

/* ---- Beale: f = sum_{i=1}^3 r_i^2, r_i = c_i - x (1 - y^i) ---- */
static const int beale_cp[] = { 0, 2, 3 };
static const int beale_ri[] = { 0, 1, 1 };
static const double beale_x0[] = { 1.0, 1.0 };
static const double beale_c[] = { 1.5, 2.25, 2.625 };

static double beale_f(const double *x, double *work, const void *data)
{
	UNUSED;
	double f = 0.0, yi = 1.0;
	for (int i = 1; i <= 3; i++) {
		yi *= x[1];
		double r = beale_c[i - 1] - x[0] * (1.0 - yi);
		f += r * r;
	}
	return f;
}

/* dr/dx = y^i - 1, dr/dy = i x y^(i-1) */
static double beale_grad(const double *x, double *g, double *work, const void *data)
{
	g[0] = g[1] = 0.0;
	for (int i = 1; i <= 3; i++) {
		double yi1 = pow(x[1], i - 1), yi = yi1 * x[1];
		double r = beale_c[i - 1] - x[0] * (1.0 - yi);
		g[0] += 2.0 * r * (yi - 1.0);
		g[1] += 2.0 * r * i * x[0] * yi1;
	}
	return beale_f(x, work, data);
}

/* H = sum 2 (grad r grad r' + r hess r), hess r = [0, i y^(i-1); ., i (i-1) x y^(i-2)] */
static void beale_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	h[0] = h[1] = h[2] = 0.0;
	for (int i = 1; i <= 3; i++) {
		double yi1 = pow(x[1], i - 1), yi = yi1 * x[1];
		double yi2 = i >= 2 ? pow(x[1], i - 2) : 0.0;
		double r = beale_c[i - 1] - x[0] * (1.0 - yi);
		double rx = yi - 1.0, ry = i * x[0] * yi1;
		h[0] += 2.0 * rx * rx;
		h[1] += 2.0 * (rx * ry + r * i * yi1);
		h[2] += 2.0 * (ry * ry + r * i * (i - 1) * x[0] * yi2);
	}
}
HESSVEC(beale, 2)

const hessc_problem beale_problem = {
	"beale", 2, 3, beale_cp, beale_ri, beale_x0, NULL, NULL, 0,
	beale_f, beale_grad, beale_hess, beale_hv, NULL
};

/* ---- convex quadratic x'Ax/2 - b'x, A = tridiag(-1, 4, -1), n = 5 ---- */
static const int quad_cp[] = { 0, 2, 4, 6, 8, 9 };
static const int quad_ri[] = { 0, 1, 1, 2, 2, 3, 3, 4, 4 };
const double quadratic_b[5] = { 1.0, 2.0, 3.0, 4.0, 5.0 };

static void quad_ax(const double *x, double *ax)
{
	for (int i = 0; i < 5; i++)
		ax[i] = 4.0 * x[i] - (i > 0 ? x[i - 1] : 0.0) - (i < 4 ? x[i + 1] : 0.0);
}

static double quad_grad(const double *x, double *g, double *work, const void *data)
{
	UNUSED;
	double ax[5], f = 0.0;
	quad_ax(x, ax);
	for (int i = 0; i < 5; i++) {
		g[i] = ax[i] - quadratic_b[i];
		f += 0.5 * x[i] * ax[i] - quadratic_b[i] * x[i];
	}
	return f;
}

static double quad_f(const double *x, double *work, const void *data)
{
	double g[5];
	return quad_grad(x, g, work, data);
}

static void quad_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	(void)x;
	for (int k = 0; k < 9; k++)
		h[k] = (k % 2 == 0) ? 4.0 : -1.0;
}
HESSVEC(quad, 5)

const hessc_problem quadratic_problem = {
	"quadratic", 5, 9, quad_cp, quad_ri, NULL, NULL, NULL, 0,
	quad_f, quad_grad, quad_hess, quad_hv, NULL
};

/* ---- saddle: f = x^2 + y^4/4 - y^2/2 ---- */
static const int saddle_cp[] = { 0, 1, 2 };
static const int saddle_ri[] = { 0, 1 };
static const double saddle_x0[] = { 1.0, 1e-3 };

static double saddle_f(const double *x, double *work, const void *data)
{
	UNUSED;
	double y2 = x[1] * x[1];
	return x[0] * x[0] + 0.25 * y2 * y2 - 0.5 * y2;
}

static double saddle_grad(const double *x, double *g, double *work, const void *data)
{
	g[0] = 2.0 * x[0];
	g[1] = x[1] * x[1] * x[1] - x[1];
	return saddle_f(x, work, data);
}

static void saddle_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	h[0] = 2.0;
	h[1] = 3.0 * x[1] * x[1] - 1.0;
}
HESSVEC(saddle, 2)

const hessc_problem saddle_problem = {
	"saddle", 2, 2, saddle_cp, saddle_ri, saddle_x0, NULL, NULL, 0,
	saddle_f, saddle_grad, saddle_hess, saddle_hv, NULL
};

/* ---- bounded quadratic:
 * (x1-2)^2 + (x2-1/2)^2 + (x1-x2)^2/2 + (x3+1)^2, x1 <= 1, x3 >= 0 ---- */
static const int bquad_cp[] = { 0, 2, 3, 4 };
static const int bquad_ri[] = { 0, 1, 1, 2 };
static const double bquad_x0[] = { 0.0, 0.0, 1.0 };
static const double bquad_lo[] = { -INFINITY, -INFINITY, 0.0 };
static const double bquad_up[] = { 1.0, INFINITY, INFINITY };

static double bquad_f(const double *x, double *work, const void *data)
{
	UNUSED;
	double a = x[0] - 2.0, b = x[1] - 0.5, c = x[0] - x[1], d = x[2] + 1.0;
	return a * a + b * b + 0.5 * c * c + d * d;
}

static double bquad_grad(const double *x, double *g, double *work, const void *data)
{
	g[0] = 2.0 * (x[0] - 2.0) + (x[0] - x[1]);
	g[1] = 2.0 * (x[1] - 0.5) - (x[0] - x[1]);
	g[2] = 2.0 * (x[2] + 1.0);
	return bquad_f(x, work, data);
}

static void bquad_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	(void)x;
	h[0] = 3.0;
	h[1] = -1.0;
	h[2] = 3.0;
	h[3] = 2.0;
}
HESSVEC(bquad, 3)

const hessc_problem bounded_quadratic_problem = {
	"bounded quadratic", 3, 4, bquad_cp, bquad_ri, bquad_x0, bquad_lo, bquad_up, 0,
	bquad_f, bquad_grad, bquad_hess, bquad_hv, NULL
};

/* ---- log barrier: sum x_i - log x_i, n = 2 ---- */
static const int logb_cp[] = { 0, 1, 2 };
static const int logb_ri[] = { 0, 1 };
static const double logb_x0[] = { 10.0, 10.0 };

static double logb_f(const double *x, double *work, const void *data)
{
	UNUSED;
	return x[0] - log(x[0]) + x[1] - log(x[1]);
}

static double logb_grad(const double *x, double *g, double *work, const void *data)
{
	g[0] = 1.0 - 1.0 / x[0];
	g[1] = 1.0 - 1.0 / x[1];
	return logb_f(x, work, data);
}

static void logb_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	h[0] = 1.0 / (x[0] * x[0]);
	h[1] = 1.0 / (x[1] * x[1]);
}
HESSVEC(logb, 2)

const hessc_problem log_barrier_problem = {
	"log barrier", 2, 2, logb_cp, logb_ri, logb_x0, NULL, NULL, 0,
	logb_f, logb_grad, logb_hess, logb_hv, NULL
};

/* ---- chained Rosenbrock, n = 100:
 * sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; column j holds (j,j), (j+1,j) ---- */
#define CR_N 100
static int cr_cp[CR_N + 1] = { 0 };
static int cr_ri[2 * CR_N - 1] = { 0 };
static double cr_x0[CR_N];

static double cr_f(const double *x, double *work, const void *data)
{
	UNUSED;
	double f = 0.0;
	for (int i = 0; i < CR_N - 1; i++) {
		double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
		f += 100.0 * a * a + b * b;
	}
	return f;
}

static double cr_grad(const double *x, double *g, double *work, const void *data)
{
	for (int i = 0; i < CR_N; i++)
		g[i] = 0.0;
	for (int i = 0; i < CR_N - 1; i++) {
		double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
		g[i] += -400.0 * x[i] * a - 2.0 * b;
		g[i + 1] += 200.0 * a;
	}
	return cr_f(x, work, data);
}

static void cr_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	for (int k = 0; k < 2 * CR_N - 1; k++)
		h[k] = 0.0;
	for (int i = 0; i < CR_N - 1; i++) {
		h[2 * i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
		h[2 * i + 1] += -400.0 * x[i];
		h[2 * (i + 1)] += 200.0;
	}
}
HESSVEC(cr, CR_N)

/* the pattern and x0 are filled on first use */
const hessc_problem *chained_rosenbrock(void)
{
	static const hessc_problem p = {
		"chained rosenbrock", CR_N, 2 * CR_N - 1, cr_cp, cr_ri, cr_x0, NULL, NULL, 0,
		cr_f, cr_grad, cr_hess, cr_hv, NULL
	};
	for (int j = 0; j < CR_N; j++) {
		cr_cp[j] = 2 * j;
		cr_ri[2 * j] = j;
		if (j + 1 < CR_N)
			cr_ri[2 * j + 1] = j + 1;
		cr_x0[j] = 0.0;
	}
	cr_cp[CR_N] = 2 * CR_N - 1;
	return &p;
}

/* ---- singular: (x1 + x2 - 2)^2 ---- */
static const int sing_cp[] = { 0, 2, 3 };
static const int sing_ri[] = { 0, 1, 1 };

static double sing_f(const double *x, double *work, const void *data)
{
	UNUSED;
	double a = x[0] + x[1] - 2.0;
	return a * a;
}

static double sing_grad(const double *x, double *g, double *work, const void *data)
{
	double a = x[0] + x[1] - 2.0;
	g[0] = g[1] = 2.0 * a;
	return sing_f(x, work, data);
}

static void sing_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	(void)x;
	h[0] = h[1] = h[2] = 2.0;
}
HESSVEC(sing, 2)

const hessc_problem singular_problem = {
	"singular", 2, 3, sing_cp, sing_ri, NULL, NULL, NULL, 0,
	sing_f, sing_grad, sing_hess, sing_hv, NULL
};

/* ---- kink: |x - 1/3| and linear: -x ---- */
static const int one_cp[] = { 0, 1 };
static const int one_ri[] = { 0 };

static double kink_f(const double *x, double *work, const void *data)
{
	UNUSED;
	return fabs(x[0] - 1.0 / 3.0);
}

static double kink_grad(const double *x, double *g, double *work, const void *data)
{
	g[0] = x[0] > 1.0 / 3.0 ? 1.0 : (x[0] < 1.0 / 3.0 ? -1.0 : 0.0);
	return kink_f(x, work, data);
}

static void zero_hess(const double *x, double *h, double *work, const void *data)
{
	UNUSED;
	(void)x;
	h[0] = 0.0;
}

static void zero_hv(const double *x, const double *v, double *hv, double *work, const void *data)
{
	UNUSED;
	(void)x;
	(void)v;
	hv[0] = 0.0;
}

const hessc_problem kink_problem = {
	"kink", 1, 1, one_cp, one_ri, NULL, NULL, NULL, 0,
	kink_f, kink_grad, zero_hess, zero_hv, NULL
};

static double linear_f(const double *x, double *work, const void *data)
{
	UNUSED;
	return -x[0];
}

static double linear_grad(const double *x, double *g, double *work, const void *data)
{
	g[0] = -1.0;
	return linear_f(x, work, data);
}

const hessc_problem linear_problem = {
	"linear", 1, 1, one_cp, one_ri, NULL, NULL, NULL, 0,
	linear_f, linear_grad, zero_hess, zero_hv, NULL
};
