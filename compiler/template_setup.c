/* template_setup.c -- see template_setup.h: this text is also emitted into
 * generated files, so it uses nothing but standard C. */
#include "template_setup.h"

/* HSETUP_TEXT_BEGIN */
HSETUP_API long hsetup_var(const hsetup_loop *l, int s, long it)
{
	long i = it / l->count1, j = it % l->count1;
	if (l->vars)
		return l->vars[it * l->n_slots + s];
	return l->base[s] + l->stride0[s] * i + l->stride1[s] * j;
}

/* Iterations whose entries the pattern needs: one when no slot moves (a
 * sum over data whose every term reads the same variables, as P5's), since
 * every iteration then adds the same pairs. */
static long hsetup_pattern_iterations(const hsetup_loop *l)
{
	if (l->vars)
		return l->count0 * l->count1;
	for (int s = 0; s < l->n_slots; s++)
		if ((l->count0 > 1 && l->stride0[s] != 0) || (l->count1 > 1 && l->stride1[s] != 0))
			return l->count0 * l->count1;
	return l->count0 * l->count1 > 0 ? 1 : 0;
}

HSETUP_API long hsetup_pairs(const hsetup_loop *loops, int n_loops)
{
	long total = 0;
	for (int k = 0; k < n_loops; k++)
		total += hsetup_pattern_iterations(&loops[k]) * loops[k].nloc;
	return total;
}

/* The global (row >= col) of local entry e at iteration it. */
static void hsetup_entry(const hsetup_loop *l, long it, int e, long *row, long *col)
{
	long r = hsetup_var(l, l->loc_row[e], it), c = hsetup_var(l, l->loc_col[e], it);
	*row = r > c ? r : c;
	*col = r > c ? c : r;
}

/* heap sort: no recursion, no allocation */
static void hsetup_sift(int *a, long start, long end)
{
	long root = start;
	while (2 * root + 1 < end) {
		long child = 2 * root + 1;
		if (child + 1 < end && a[child] < a[child + 1])
			child++;
		if (a[root] >= a[child])
			return;
		{
			int t = a[root];
			a[root] = a[child];
			a[child] = t;
		}
		root = child;
	}
}

static void hsetup_sort(int *a, long len)
{
	long k;
	int sorted = 1;
	for (k = 1; k < len && sorted; k++)
		sorted = a[k - 1] <= a[k];
	if (sorted)
		return;
	for (k = len / 2 - 1; k >= 0; k--)
		hsetup_sift(a, k, len);
	for (k = len - 1; k > 0; k--) {
		int t = a[0];
		a[0] = a[k];
		a[k] = t;
		hsetup_sift(a, 0, k);
	}
}

HSETUP_API long hsetup_pattern(long n, const hsetup_loop *loops, int n_loops, int *colptr,
                               int *rowind)
{
	long c, k, w, start;
	int q;
	for (c = 0; c <= n; c++)
		colptr[c] = 0;
	for (q = 0; q < n_loops; q++) {
		const hsetup_loop *l = &loops[q];
		long it, iters = hsetup_pattern_iterations(l);
		for (it = 0; it < iters; it++)
			for (int e = 0; e < l->nloc; e++) {
				long r, cc;
				hsetup_entry(l, it, e, &r, &cc);
				colptr[cc + 1]++;
			}
	}
	for (c = 0; c < n; c++)
		colptr[c + 1] += colptr[c];
	/* fill with colptr[c] as the cursor of column c, then shift back */
	for (q = 0; q < n_loops; q++) {
		const hsetup_loop *l = &loops[q];
		long it, iters = hsetup_pattern_iterations(l);
		for (it = 0; it < iters; it++)
			for (int e = 0; e < l->nloc; e++) {
				long r, cc;
				hsetup_entry(l, it, e, &r, &cc);
				rowind[colptr[cc]++] = (int)r;
			}
	}
	for (c = n; c > 0; c--)
		colptr[c] = colptr[c - 1];
	colptr[0] = 0;
	/* sort each column and drop repeated rows, compacting as we go */
	w = 0;
	start = 0;
	for (c = 0; c < n; c++) {
		long end = colptr[c + 1];
		hsetup_sort(rowind + start, end - start);
		colptr[c] = (int)w;
		for (k = start; k < end; k++)
			if (k == start || rowind[k] != rowind[k - 1])
				rowind[w++] = rowind[k];
		start = end;
	}
	colptr[n] = (int)w;
	return w;
}

HSETUP_API void hsetup_positions(const hsetup_loop *l, const int *colptr, const int *rowind,
                                 int *pos)
{
	long it, iters = l->count0 * l->count1;
	for (it = 0; it < iters; it++)
		for (int e = 0; e < l->nloc; e++) {
			long r, c, lo, hi;
			hsetup_entry(l, it, e, &r, &c);
			lo = colptr[c];
			hi = colptr[c + 1] - 1;
			while (lo < hi) {  /* the row is there: the pattern is their union */
				long mid = lo + (hi - lo) / 2;
				if (rowind[mid] < r)
					lo = mid + 1;
				else
					hi = mid;
			}
			pos[it * l->nloc + e] = (int)lo;
		}
}

HSETUP_API void hsetup_fill(double *x, const hsetup_run *runs, int n_runs, const double *lit)
{
	for (int k = 0; k < n_runs; k++) {
		const hsetup_run *r = &runs[k];
		long i, j;
		if (r->kind == 0) {
			for (j = 0; j < r->count1; j++)
				x[r->start + j] = lit[r->lit0 + j % r->period];
			continue;
		}
		for (i = 0; i < r->count0; i++)
			for (j = 0; j < r->count1; j++)
				x[r->start + i * r->stride0 + j] =
					(double)(r->a + r->b0 * i + r->b1 * j) / (double)r->d;
	}
}
/* HSETUP_TEXT_END */
