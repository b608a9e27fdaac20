/* tool_desc.c -- calling a hessc_problem through bench_kernels. */
#include <stdlib.h>
#include "tool_desc.h"

typedef struct desc_self {
	const hessc_problem *p;
	double *work;
} desc_self;

static double desc_grad(void *self, const double *x, double *g)
{
	desc_self *s = self;
	return s->p->grad(x, g, s->work, s->p->data);
}

static void desc_hess(void *self, const double *x, double *h)
{
	desc_self *s = self;
	s->p->hess(x, h, s->work, s->p->data);
}

int kernels_from_problem(const hessc_problem *p, bench_kernels *k)
{
	desc_self *s = calloc(1, sizeof *s);
	if (!s)
		return -1;
	s->p = p;
	s->work = calloc(p->work_size ? p->work_size : 1, sizeof *s->work);
	if (!s->work) {
		free(s);
		return -1;
	}
	k->n = p->n;
	k->nnz = p->nnz;
	k->colptr = p->hess_colptr;
	k->rowind = p->hess_rowind;
	k->x0 = p->x0;
	k->grad = desc_grad;
	k->hess = desc_hess;
	k->self = s;
	return 0;
}
