/* solve_bench.c -- hessc's solvers beside Ipopt on the CUTE models.
 *
 *   hessc-solve-bench [--hessc PATH] [--models DIR] [--work DIR] [--only a,b]
 *
 * For every DIR/NAME.mod: `hessc gen` writes the kernels, `cc -O2` makes a
 * shared object, dlopen gives NAME's descriptor; then tr-cg (the default),
 * tr-exact and Ipopt (exact Hessian from the same kernels) each solve it
 * from the model's initial point, and one table shows iterations,
 * evaluations, time, final f and the projected-gradient inf-norm measured
 * the same way for all three.  Not a test: run it by hand (docs/solver.md).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hessc/solver.h>

#include "solve_bench.h"

#ifndef SB_HESSC
#define SB_HESSC "hessc"
#endif
#ifndef SB_MODELS
#define SB_MODELS "../shared/models/cute"
#endif

/* run argv with stdout and stderr into log; 0 when it exits with 0 */
static int run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ||x - P(x - g)||_inf at x */
static double measure(const hessc_problem *p, const double *x, double *g, double *work)
{
	p->grad(x, g, work, p->data);
	double m = 0.0;
	for (int i = 0; i < p->n; i++) {
		double t = x[i] - g[i];
		if (p->lower && t < p->lower[i])
			t = p->lower[i];
		if (p->upper && t > p->upper[i])
			t = p->upper[i];
		double d = fabs(x[i] - t);
		if (!(d <= m))
			m = d;
	}
	return m;
}

static void print_row(const char *model, const hessc_problem *p, const char *method,
                      const sb_run *r, double pg)
{
	printf("%-10s %6d %7d  %-9s %-12s %6d %6ld %6ld %6ld %9.4f %24.16e %9.2e\n", model, p->n,
	       p->nnz, method, r->status, r->iterations, r->f_evals, r->g_evals, r->h_evals,
	       r->time, r->f, pg);
}

static int hessc_run(const hessc_problem *p, hessc_method m, sb_run *r)
{
	hessc_solver_options o;
	hessc_solver_result res;
	hessc_solver_options_init(&o);
	o.method = m;
	hessc_solve(p, &o, &res);
	snprintf(r->status, sizeof r->status, "%s", hessc_solve_status_name(res.status));
	r->iterations = res.iterations;
	r->f_evals = res.f_evals;
	r->g_evals = res.g_evals;
	r->h_evals = res.h_evals;
	r->time = res.time;
	r->f = res.f;
	int ok = res.x != NULL;
	if (ok)
		memcpy(r->x, res.x, (size_t)p->n * sizeof *r->x);
	hessc_solver_result_free(&res);
	return ok ? 0 : -1;
}

static int selected(const char *only, const char *name)
{
	if (!only)
		return 1;
	size_t len = strlen(name);
	for (const char *s = only; *s;) {
		const char *e = strchr(s, ',');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		if (l == len && strncmp(s, name, l) == 0)
			return 1;
		s += l + (e ? 1 : 0);
	}
	return 0;
}

/* gen, compile, load, then the three solvers; 0 on success */
static int bench_model(const char *hessc, const char *dir, const char *work, const char *name)
{
	char model[1024], base[1024], csrc[1100], so[1100], log[1100], prefix[200], sym[220];
	int rc = -1;
	void *lib = NULL, *setup_mem = NULL;
	double *x = NULL, *g = NULL, *kw = NULL;

	snprintf(model, sizeof model, "%s/%s.mod", dir, name);
	snprintf(base, sizeof base, "%s/%s", work, name);
	snprintf(csrc, sizeof csrc, "%s.c", base);
	snprintf(so, sizeof so, "%s.so", base);
	snprintf(prefix, sizeof prefix, "sb_%s", name);
	for (char *c = prefix; *c; c++)
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			*c = '_';
	snprintf(sym, sizeof sym, "%s_problem", prefix);

	char *gen[] = { (char *)hessc, "gen", model, "-o", base, "--prefix", prefix, NULL };
	snprintf(log, sizeof log, "%s.gen.log", base);
	if (run(gen, log) != 0) {
		printf("%-10s hessc gen failed (see %s)\n", name, log);
		goto done;
	}
	char *cc[] = { "cc", "-O2", "-shared", "-fPIC", "-o", so, csrc, "-lm", NULL };
	snprintf(log, sizeof log, "%s.cc.log", base);
	if (run(cc, log) != 0) {
		printf("%-10s cc failed (see %s)\n", name, log);
		goto done;
	}
	lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	/* unrolled output has a static descriptor PREFIX_problem; loops build
	 * theirs with PREFIX_setup in memory of PREFIX_setup_bytes() bytes */
	const hessc_problem *p = lib ? dlsym(lib, sym) : NULL;
	if (lib && !p) {
		snprintf(sym, sizeof sym, "%s_setup_bytes", prefix);
		size_t (*setup_bytes)(void) = (size_t (*)(void))dlsym(lib, sym);
		snprintf(sym, sizeof sym, "%s_setup", prefix);
		const hessc_problem *(*setup)(void *) = (const hessc_problem *(*)(void *))dlsym(lib, sym);
		if (setup_bytes && setup && (setup_mem = malloc(setup_bytes())))
			p = setup(setup_mem);
	}
	if (!p) {
		printf("%-10s cannot load %s from %s\n", name, sym, so);
		goto done;
	}
	x = malloc(((size_t)p->n + 1) * sizeof *x);
	g = malloc(((size_t)p->n + 1) * sizeof *g);
	kw = malloc((p->work_size + 1) * sizeof *kw);
	if (!x || !g || !kw)
		goto done;
	sb_run r;
	r.x = x;
	if (hessc_run(p, HESSC_METHOD_TR_CG, &r) == 0)
		print_row(name, p, (p->lower || p->upper) ? "tr-bounds" : "tr-cg", &r,
		          measure(p, x, g, kw));
	if (!(p->lower || p->upper) && hessc_run(p, HESSC_METHOD_TR_EXACT, &r) == 0)
		print_row(name, p, "tr-exact", &r, measure(p, x, g, kw));
	memset(&r, 0, sizeof r);
	r.x = x;
	if (sb_have_ipopt && sb_ipopt_solve(p, &r) == 0)
		print_row(name, p, "ipopt", &r, measure(p, x, g, kw));
	fflush(stdout);
	rc = 0;
done:
	free(x);
	free(g);
	free(kw);
	free(setup_mem);
	if (lib)
		dlclose(lib);
	return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	const char *hessc = SB_HESSC, *dir = SB_MODELS, *only = NULL;
	char work[] = "/tmp/hessc-solve-bench-XXXXXX";
	const char *workdir = NULL;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--hessc") == 0)
			hessc = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--models") == 0)
			dir = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--work") == 0)
			workdir = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--only") == 0)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--hessc PATH] [--models DIR] [--work DIR] "
			                "[--only a,b]\n", argv[0]);
			return 2;
		}
	}
	if (!workdir && !(workdir = mkdtemp(work))) {
		perror("mkdtemp");
		return 3;
	}
	struct dirent **list;
	int count = scandir(dir, &list, NULL, by_name);
	if (count < 0) {
		perror(dir);
		return 2;
	}
	printf("hessc solvers (default options) and Ipopt %s on %s; kernels: hessc gen + cc -O2\n",
	       sb_have_ipopt ? "(default options, exact Hessian)" : "(not built)", dir);
	printf("%-10s %6s %7s  %-9s %-12s %6s %6s %6s %6s %9s %24s %9s\n", "model", "n", "nnz",
	       "method", "status", "iter", "f", "g", "H", "time_s", "final f", "|pg|_inf");
	int failed = 0;
	for (int i = 0; i < count; i++) {
		char name[256];
		size_t len = strlen(list[i]->d_name);
		if (len > 4 && len < sizeof name && strcmp(list[i]->d_name + len - 4, ".mod") == 0) {
			memcpy(name, list[i]->d_name, len - 4);
			name[len - 4] = '\0';
			if (selected(only, name) && bench_model(hessc, dir, workdir, name) != 0)
				failed++;
		}
		free(list[i]);
	}
	free(list);
	return failed ? 1 : 0;
}
