/* tool_hessc.c -- hessc as a tool: `hessc gen` writes C, the system C
 * compiler makes a shared object, dlopen loads it and the descriptor the
 * generated code exports gives the kernels: PREFIX_problem for unrolled
 * code, PREFIX_setup(mem) for loops (it builds the pattern at load time).
 * A model with run-time inputs (P5's X and y) gets them after loading: as
 * the descriptor's data (written-out code) or through PREFIX_bind (loops).
 * gen_s is the generation, cc_s the compilation plus loading and setup.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "spawn.h"
#include "tool_desc.h"

#define MAX_ARGS 64

/* Split the space-separated flags into argv[*argc...]; the copy `buf` must
 * outlive argv. */
static void add_flags(char *buf, char **argv, int *argc)
{
	for (char *tok = strtok(buf, " "); tok && *argc < MAX_ARGS - 8; tok = strtok(NULL, " "))
		argv[(*argc)++] = tok;
}

int tool_hessc_prepare(const bench_problem *p, long size, const bench_options *o,
                       bench_kernels *k, bench_result *r)
{
	char model[1024], base[1024], c_path[1100], so_path[1100], log[1100];
	char define[128], symbol[128], flags[512];
	char *argv[MAX_ARGS];
	int argc = 0;
	struct stat st;
	void *lib;
	const hessc_problem *desc;
	double t0, secs;

	snprintf(model, sizeof model, "%s/%s", o->models_dir, p->model);
	snprintf(base, sizeof base, "%s/%s", o->work_dir, p->name);
	snprintf(c_path, sizeof c_path, "%s.c", base);
	snprintf(so_path, sizeof so_path, "%s.so", base);
	snprintf(define, sizeof define, "%s=%ld", p->size_param, size);
	snprintf(symbol, sizeof symbol, "%s_problem", p->name);

	argv[argc++] = (char *)o->hessc;
	argv[argc++] = "gen";
	argv[argc++] = model;
	argv[argc++] = "-o";
	argv[argc++] = base;
	argv[argc++] = "--prefix";
	argv[argc++] = (char *)p->name;
	argv[argc++] = "-D";
	argv[argc++] = define;
	if (o->unroll)
		argv[argc++] = "--unroll";
	argv[argc] = NULL;
	snprintf(log, sizeof log, "%s.gen.log", base);
	if (spawn_run(argv, log, &secs, r->error, sizeof r->error) != 0)
		return -1;
	r->gen_s = secs;
	if (stat(c_path, &st) != 0) {
		snprintf(r->error, sizeof r->error, "hessc gen wrote no %.200s", c_path);
		return -1;
	}
	r->c_bytes = (long)st.st_size;

	t0 = bench_now();
	argc = 0;
	argv[argc++] = (char *)o->cc;
	snprintf(flags, sizeof flags, "%s", o->cflags);
	add_flags(flags, argv, &argc);
	argv[argc++] = "-shared";
	argv[argc++] = "-fPIC";
	argv[argc++] = "-o";
	argv[argc++] = so_path;
	argv[argc++] = c_path;
	argv[argc++] = "-lm";
	argv[argc] = NULL;
	snprintf(log, sizeof log, "%s.cc.log", base);
	if (spawn_run(argv, log, &secs, r->error, sizeof r->error) != 0)
		return -1;
	lib = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(r->error, sizeof r->error, "dlopen: %s", dlerror());
		return -1;
	}
	const double *const *inputs = p->inputs ? p->inputs(size) : NULL;
	if (p->inputs && !inputs) {
		snprintf(r->error, sizeof r->error, "out of memory for the run-time inputs");
		return -1;
	}
	desc = dlsym(lib, symbol);
	if (desc && inputs) {
		hessc_problem *copy = malloc(sizeof *copy);
		if (!copy) {
			snprintf(r->error, sizeof r->error, "out of memory");
			return -1;
		}
		*copy = *desc;
		copy->data = inputs;   /* PREFIX_data is one pointer per input, in this order */
		desc = copy;
	}
	if (!desc) {
		size_t (*bytes)(void);
		const hessc_problem *(*setup)(void *);
		void *mem;
		snprintf(symbol, sizeof symbol, "%s_setup_bytes", p->name);
		*(void **)&bytes = dlsym(lib, symbol);
		snprintf(symbol, sizeof symbol, "%s_setup", p->name);
		*(void **)&setup = dlsym(lib, symbol);
		mem = bytes && setup ? malloc(bytes()) : NULL;
		desc = mem ? setup(mem) : NULL;
		if (desc && inputs) {
			const hessc_problem *(*bind)(void *, const void *);
			snprintf(symbol, sizeof symbol, "%s_bind", p->name);
			*(void **)&bind = dlsym(lib, symbol);
			desc = bind ? bind(mem, inputs) : NULL;
		}
		if (!desc) {
			snprintf(r->error, sizeof r->error, "no %s_problem nor a working %s_setup in %.150s",
			         p->name, p->name, so_path);
			return -1;
		}
	}
	r->cc_s = bench_now() - t0;
	if (kernels_from_problem(desc, k) != 0) {
		snprintf(r->error, sizeof r->error, "out of memory for the work array");
		return -1;
	}
	snprintf(r->method, sizeof r->method, "hessc gen%s, %s %s", o->unroll ? " --unroll" : "",
	         o->cc, o->cflags);
	return 0;
}
