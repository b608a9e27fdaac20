/* main.c -- hessc-bench: every tool on every problem, one table.
 *
 *   hessc-bench [--problems P1,P2,...] [--sizes small|large|all]
 *               [--tools hand,hessc,hessc-unroll,adolc] [--timeout S]
 *               [--min-time S] [--hessc PATH] [--cc CC] [--cflags FLAGS]
 *               [--models DIR] [--mem-limit-gb G] [--rounds K] [--keep]
 *
 * Each (problem, size, tool) runs in a child process of its own: it
 * prepares the kernels (timed), evaluates gradient and Hessian once at a
 * test point and writes the values to a file, then times repeated calls
 * (medians) and reports its peak memory.  The parent compares each tool's
 * values with the hand-written ones and prints the table, with time
 * ratios to the hand-written kernels measured in the same run.
 *
 * With --rounds K every tool runs K times, the tools taking turns within
 * a round, and the table gives medians: of each time, and of each round's
 * ratio to that round's hand-written kernel.  Memory-bound kernels on a
 * shared machine swing by 2x between runs; a ratio of two runs taken side
 * by side, then the median over rounds, is what stays put.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

#ifndef HESSC_BENCH_HESSC
#define HESSC_BENCH_HESSC "hessc"
#endif
#ifndef HESSC_BENCH_MODELS
#define HESSC_BENCH_MODELS "bench/models"
#endif

#define MAX_ROUNDS 15

enum { TOOL_HAND, TOOL_HESSC, TOOL_HESSC_UNROLL, TOOL_ADOLC, TOOL_COUNT };
static const char *const tool_names[TOOL_COUNT] = {"hand", "hessc", "hessc-unroll", "adolc"};

typedef struct settings {
	char problems[64];
	int sizes;            /* bit 0 small, bit 1 large */
	int tools[TOOL_COUNT];
	double timeout_s, min_time_s, mem_limit_gb;
	int keep;
	int rounds;           /* runs of every tool, taking turns (--rounds) */
	bench_options o;
} settings;

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the child ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median microseconds of one call, over calls repeated for at least
 * min_time seconds (5 calls at least, 2000 at most). */
static double median_us(const bench_kernels *k, int hess, const double *x, double *out,
                        double min_time)
{
	enum { MAX_SAMPLES = 2000 };
	static double t[MAX_SAMPLES];
	double start = bench_now();
	int count = 0;
	while (count < MAX_SAMPLES && (count < 5 || bench_now() - start < min_time)) {
		double t0 = bench_now();
		if (hess)
			k->hess(k->self, x, out);
		else
			k->grad(k->self, x, out);
		t[count++] = bench_now() - t0;
	}
	qsort(t, (size_t)count, sizeof t[0], cmp_double);
	return 1e6 * (count % 2 ? t[count / 2] : 0.5 * (t[count / 2 - 1] + t[count / 2]));
}

/* The point where values are compared and times measured: x0 moved off
 * any symmetric or special start. */
static void test_point(const bench_kernels *k, double *x)
{
	for (int i = 0; i < k->n; i++)
		x[i] = (k->x0 ? k->x0[i] : 0.0) + 0.1 * sin((double)i + 1.0);
}

static int write_values(const char *path, const bench_kernels *k, double f, const double *g,
                        const double *h)
{
	FILE *fp = fopen(path, "wb");
	int ok;
	if (!fp)
		return -1;
	ok = fwrite(&k->n, sizeof k->n, 1, fp) == 1 && fwrite(&k->nnz, sizeof k->nnz, 1, fp) == 1
	     && fwrite(&f, sizeof f, 1, fp) == 1
	     && fwrite(g, sizeof *g, (size_t)k->n, fp) == (size_t)k->n
	     && fwrite(k->colptr, sizeof *k->colptr, (size_t)k->n + 1, fp) == (size_t)k->n + 1
	     && fwrite(k->rowind, sizeof *k->rowind, (size_t)k->nnz, fp) == (size_t)k->nnz
	     && fwrite(h, sizeof *h, (size_t)k->nnz, fp) == (size_t)k->nnz;
	return (fclose(fp) == 0 && ok) ? 0 : -1;
}

static void write_result(const char *path, const bench_result *r)
{
	FILE *fp = fopen(path, "wb");
	if (fp) {
		fwrite(r, sizeof *r, 1, fp);
		fclose(fp);
	}
}

static double peak_mb(void)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_maxrss > kids.ru_maxrss ? self.ru_maxrss : kids.ru_maxrss) / 1024.0;
}

static void child(int tool, const bench_problem *p, long size, const settings *s,
                  const char *result_path, const char *values_path)
{
	bench_result r;
	bench_kernels k;
	bench_options o = s->o;
	struct rlimit lim;
	double *x, *g, *h, f;
	int rc;

	setpgid(0, 0);  /* the parent kills the whole group on timeout */
	lim.rlim_cur = lim.rlim_max = (rlim_t)(s->mem_limit_gb * 1073741824.0);
	setrlimit(RLIMIT_AS, &lim);
	memset(&r, 0, sizeof r);
	memset(&k, 0, sizeof k);
	o.unroll = (tool == TOOL_HESSC_UNROLL);
	if (tool == TOOL_HAND)
		rc = tool_hand_prepare(p, size, &o, &k, &r);
	else if (tool == TOOL_ADOLC)
		rc = tool_adolc_prepare(p, size, &o, &k, &r);
	else
		rc = tool_hessc_prepare(p, size, &o, &k, &r);
	if (rc != 0) {
		write_result(result_path, &r);
		_exit(1);
	}
	x = malloc((size_t)k.n * sizeof *x);
	g = malloc((size_t)k.n * sizeof *g);
	h = malloc(((size_t)k.nnz + 1) * sizeof *h);
	if (!x || !g || !h) {
		snprintf(r.error, sizeof r.error, "out of memory for x, g, h");
		write_result(result_path, &r);
		_exit(1);
	}
	test_point(&k, x);
	f = k.grad(k.self, x, g);
	k.hess(k.self, x, h);
	if (write_values(values_path, &k, f, g, h) != 0) {
		snprintf(r.error, sizeof r.error, "cannot write %.200s", values_path);
		write_result(result_path, &r);
		_exit(1);
	}
	r.hess_us = median_us(&k, 1, x, h, s->min_time_s);
	r.grad_us = median_us(&k, 0, x, g, s->min_time_s);
	r.nnz = k.nnz;
	r.peak_mb = peak_mb();
	r.ok = 1;
	write_result(result_path, &r);
	_exit(0);
}

/* ---- the parent --------------------------------------------------------- */

static int run_tool(int tool, const bench_problem *p, long size, const settings *s,
                    const char *dir, bench_result *r)
{
	char result_path[1200], values_path[1200];
	settings cs = *s;
	double t0 = bench_now();
	int status;
	pid_t pid;
	FILE *fp;

	snprintf(result_path, sizeof result_path, "%.1000s/result", dir);
	snprintf(values_path, sizeof values_path, "%.1000s/values", dir);
	cs.o.work_dir = dir;
	memset(r, 0, sizeof *r);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(r->error, sizeof r->error, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child(tool, p, size, &cs, result_path, values_path);
	setpgid(pid, pid);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (bench_now() - t0 > s->timeout_s) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(r->error, sizeof r->error, "timeout after %.0f s", s->timeout_s);
			return -1;
		}
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	fp = fopen(result_path, "rb");
	if (!fp || fread(r, sizeof *r, 1, fp) != 1) {
		if (fp)
			fclose(fp);
		snprintf(r->error, sizeof r->error, "child died (%s %d), no result",
		         WIFSIGNALED(status) ? "signal" : "exit",
		         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return -1;
	}
	fclose(fp);
	return r->ok ? 0 : -1;
}

typedef struct values {
	int n, nnz;
	double f;
	double *g, *h;
	int *colptr, *rowind;
} values;

static void values_free(values *v)
{
	free(v->g);
	free(v->h);
	free(v->colptr);
	free(v->rowind);
	memset(v, 0, sizeof *v);
}

static int values_read(const char *path, values *v)
{
	FILE *fp = fopen(path, "rb");
	int ok = 0;
	memset(v, 0, sizeof *v);
	if (!fp)
		return -1;
	if (fread(&v->n, sizeof v->n, 1, fp) == 1 && fread(&v->nnz, sizeof v->nnz, 1, fp) == 1
	    && v->n > 0 && v->nnz >= 0 && fread(&v->f, sizeof v->f, 1, fp) == 1) {
		size_t n = (size_t)v->n, nnz = (size_t)v->nnz;
		v->g = malloc(n * sizeof *v->g);
		v->colptr = malloc((n + 1) * sizeof *v->colptr);
		v->rowind = malloc((nnz + 1) * sizeof *v->rowind);
		v->h = malloc((nnz + 1) * sizeof *v->h);
		ok = v->g && v->colptr && v->rowind && v->h
		     && fread(v->g, sizeof *v->g, n, fp) == n
		     && fread(v->colptr, sizeof *v->colptr, n + 1, fp) == n + 1
		     && fread(v->rowind, sizeof *v->rowind, nnz, fp) == nnz
		     && fread(v->h, sizeof *v->h, nnz, fp) == nnz;
	}
	fclose(fp);
	if (!ok)
		values_free(v);
	return ok ? 0 : -1;
}

static double rel_diff(double a, double b)
{
	double scale = fmax(1.0, fmax(fabs(a), fabs(b)));
	if (isnan(a) || isnan(b))
		return (isnan(a) && isnan(b)) ? 0.0 : INFINITY;
	return fabs(a - b) / scale;
}

/* The largest |a - b| / max(1, |a|, |b|) over f, g and H (entries missing
 * from one pattern count as 0 there); *pattern_diff counts such entries. */
static double compare(const values *a, const values *ref, long *pattern_diff)
{
	double worst;
	*pattern_diff = 0;
	if (a->n != ref->n)
		return INFINITY;
	worst = rel_diff(a->f, ref->f);
	for (int i = 0; i < a->n; i++)
		worst = fmax(worst, rel_diff(a->g[i], ref->g[i]));
	for (int c = 0; c < a->n; c++) {
		int p = a->colptr[c], q = ref->colptr[c];
		while (p < a->colptr[c + 1] || q < ref->colptr[c + 1]) {
			int ra = p < a->colptr[c + 1] ? a->rowind[p] : ref->n;
			int rb = q < ref->colptr[c + 1] ? ref->rowind[q] : ref->n;
			if (ra == rb) {
				worst = fmax(worst, rel_diff(a->h[p++], ref->h[q++]));
			} else if (ra < rb) {
				worst = fmax(worst, rel_diff(a->h[p++], 0.0));
				(*pattern_diff)++;
			} else {
				worst = fmax(worst, rel_diff(0.0, ref->h[q++]));
				(*pattern_diff)++;
			}
		}
	}
	return worst;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Median of v[0..n), n >= 1; sorts v. */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void print_header(void)
{
	printf("| problem | size | tool | gen_s | cc_s | hess_us | x hand | grad_us | x hand "
	       "| nnz | peak_mb | .c KB | max rel diff | method |\n");
	printf("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

static void run_problem(const bench_problem *p, long size, const settings *s, const char *root)
{
	static bench_result runs[MAX_ROUNDS][TOOL_COUNT];
	bench_result res[TOOL_COUNT];
	int ok[TOOL_COUNT] = {0};
	int run_ok[MAX_ROUNDS][TOOL_COUNT] = {{0}};
	double ratio[2][TOOL_COUNT][MAX_ROUNDS];  /* [hess, grad][tool][k] */
	int n_ratio[TOOL_COUNT] = {0};
	values ref;
	int have_ref = 0;
	char dir[TOOL_COUNT][1100];

	for (int k = 0; k < s->rounds; k++) {
		for (int t = 0; t < TOOL_COUNT; t++) {
			if (!s->tools[t] || (t == TOOL_ADOLC && !tool_adolc_available))
				continue;
			if (k > 0 && !ok[t])
				continue;  /* a tool that failed once is not tried again */
			snprintf(dir[t], sizeof dir[t], "%s/%s-%ld-%s", root, p->id, size,
			         tool_names[t]);
			if (mkdir(dir[t], 0755) != 0 && errno != EEXIST) {
				fprintf(stderr, "cannot create %s\n", dir[t]);
				continue;
			}
			run_ok[k][t] = run_tool(t, p, size, s, dir[t], &runs[k][t]) == 0;
			if (k == 0) {
				ok[t] = run_ok[k][t];
				res[t] = runs[k][t];
			}
			if (k == 0 && t == TOOL_HAND && ok[t]) {
				char path[1200];
				snprintf(path, sizeof path, "%.1000s/values", dir[t]);
				have_ref = values_read(path, &ref) == 0;
			}
		}
		for (int t = 0; t < TOOL_COUNT; t++) {
			if (!run_ok[k][t] || !run_ok[k][TOOL_HAND] || runs[k][TOOL_HAND].hess_us <= 0)
				continue;
			ratio[0][t][n_ratio[t]] = runs[k][t].hess_us / runs[k][TOOL_HAND].hess_us;
			ratio[1][t][n_ratio[t]] = runs[k][t].grad_us / runs[k][TOOL_HAND].grad_us;
			n_ratio[t]++;
		}
	}
	/* the medians over the rounds that ran */
	for (int t = 0; t < TOOL_COUNT; t++) {
		double v[4][MAX_ROUNDS];
		int m = 0;
		if (!ok[t])
			continue;
		for (int k = 0; k < s->rounds; k++) {
			if (!run_ok[k][t])
				continue;
			v[0][m] = runs[k][t].gen_s;
			v[1][m] = runs[k][t].cc_s;
			v[2][m] = runs[k][t].hess_us;
			v[3][m] = runs[k][t].grad_us;
			m++;
		}
		res[t].gen_s = median(v[0], m);
		res[t].cc_s = median(v[1], m);
		res[t].hess_us = median(v[2], m);
		res[t].grad_us = median(v[3], m);
	}
	for (int t = 0; t < TOOL_COUNT; t++) {
		char diff[64] = "-", hx[16] = "-", gx[16] = "-", ckb[24] = "-";
		if (!s->tools[t] || (t == TOOL_ADOLC && !tool_adolc_available))
			continue;
		if (!ok[t]) {
			printf("| %s %s | %ld | %s | failed: %s |\n", p->id, p->name, size, tool_names[t],
			       res[t].error);
			continue;
		}
		if (have_ref && t != TOOL_HAND) {
			char path[1200];
			values v;
			snprintf(path, sizeof path, "%.1000s/values", dir[t]);
			if (values_read(path, &v) == 0) {
				long pd;
				double d = compare(&v, &ref, &pd);
				if (pd)
					snprintf(diff, sizeof diff, "%.1e (pattern: %ld differ)", d, pd);
				else
					snprintf(diff, sizeof diff, "%.1e", d);
				values_free(&v);
			}
		}
		if (n_ratio[t] > 0) {
			snprintf(hx, sizeof hx, "%.2f", median(ratio[0][t], n_ratio[t]));
			snprintf(gx, sizeof gx, "%.2f", median(ratio[1][t], n_ratio[t]));
		}
		if (res[t].c_bytes > 0)
			snprintf(ckb, sizeof ckb, "%.1f", (double)res[t].c_bytes / 1024.0);
		printf("| %s %s | %ld | %s | %.3f | %.3f | %.1f | %s | %.1f | %s | %ld | %.1f | %s | %s "
		       "| %s |\n",
		       p->id, p->name, size, tool_names[t], res[t].gen_s, res[t].cc_s, res[t].hess_us,
		       hx, res[t].grad_us, gx, res[t].nnz, res[t].peak_mb, ckb, diff, res[t].method);
	}
	fflush(stdout);
	if (have_ref)
		values_free(&ref);
}

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: hessc-bench [--problems P1,P2,...] [--sizes small|large|all]\n"
	        "                   [--tools hand,hessc,hessc-unroll,adolc] [--timeout S]\n"
	        "                   [--min-time S] [--hessc PATH] [--cc CC] [--cflags FLAGS]\n"
	        "                   [--models DIR] [--mem-limit-gb G] [--rounds K] [--keep]\n");
}

static int parse(int argc, char **argv, settings *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->problems, sizeof s->problems, "P1,P2,P3,P4,P5");
	s->sizes = 3;
	s->tools[TOOL_HAND] = s->tools[TOOL_HESSC] = s->tools[TOOL_ADOLC] = 1;
	s->timeout_s = 600;
	s->rounds = 1;
	s->min_time_s = 0.5;
	s->mem_limit_gb = 8;
	s->o.hessc = HESSC_BENCH_HESSC;
	s->o.cc = "cc";
	s->o.cflags = "-O2";
	s->o.models_dir = HESSC_BENCH_MODELS;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--keep")) {
			s->keep = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (!v) {
			usage(stderr);
			return -1;
		}
		i++;
		if (!strcmp(a, "--problems"))
			snprintf(s->problems, sizeof s->problems, "%s", v);
		else if (!strcmp(a, "--sizes"))
			s->sizes = !strcmp(v, "small") ? 1 : !strcmp(v, "large") ? 2 : 3;
		else if (!strcmp(a, "--tools")) {
			for (int t = 0; t < TOOL_COUNT; t++) {
				const char *hit = strstr(v, tool_names[t]);
				size_t len = strlen(tool_names[t]);
				s->tools[t] = 0;
				while (hit) {  /* a whole item of the comma list */
					if ((hit == v || hit[-1] == ',') && (hit[len] == ',' || !hit[len]))
						s->tools[t] = 1;
					hit = strstr(hit + 1, tool_names[t]);
				}
			}
			s->tools[TOOL_HAND] = 1;  /* the reference of every ratio */
		} else if (!strcmp(a, "--timeout"))
			s->timeout_s = atof(v);
		else if (!strcmp(a, "--min-time"))
			s->min_time_s = atof(v);
		else if (!strcmp(a, "--mem-limit-gb"))
			s->mem_limit_gb = atof(v);
		else if (!strcmp(a, "--hessc"))
			s->o.hessc = v;
		else if (!strcmp(a, "--cc"))
			s->o.cc = v;
		else if (!strcmp(a, "--cflags"))
			s->o.cflags = v;
		else if (!strcmp(a, "--models"))
			s->o.models_dir = v;
		else if (!strcmp(a, "--rounds")) {
			s->rounds = atoi(v);
			if (s->rounds < 1 || s->rounds > MAX_ROUNDS) {
				fprintf(stderr, "hessc-bench: --rounds takes 1 to %d\n", MAX_ROUNDS);
				return -1;
			}
		}
		else {
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	settings s;
	char root[] = "/tmp/hessc-bench.XXXXXX";
	char models[4096];

	if (parse(argc, argv, &s) != 0)
		return 2;
	if (!realpath(s.o.models_dir, models)) {
		fprintf(stderr, "hessc-bench: no models folder %s\n", s.o.models_dir);
		return 2;
	}
	s.o.models_dir = models;
	if (!mkdtemp(root)) {
		fprintf(stderr, "hessc-bench: cannot create a work folder: %s\n", strerror(errno));
		return 3;
	}
	printf("hessc-bench: hessc %s, generated C built with %s %s; medians over >= %.2f s of "
	       "calls; %d round(s), times and ratios are medians over rounds; peak_mb is the "
	       "child's peak RSS (and of hessc gen / cc); work in %s\n\n",
	       s.o.hessc, s.o.cc, s.o.cflags, s.min_time_s, s.rounds, root);
	print_header();
	for (size_t i = 0; i < bench_problem_count; i++) {
		const bench_problem *p = &bench_problems[i];
		if (!strstr(s.problems, p->id))
			continue;
		for (int z = 0; z < 2; z++)
			if ((s.sizes >> z & 1) && p->sizes[z] > 0)
				run_problem(p, p->sizes[z], &s, root);
	}
	if (!s.keep)
		nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
