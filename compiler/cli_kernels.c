/* cli_kernels.c -- pick the backend, make the kernels. */
#include "cli_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"
#if HESSC_HAVE_LLVM
#include "llvm_backend.h"
#endif

int cli_backend_parse(const char *name, cli_backend *out)
{
	const char *from = "--backend";
	if (!name || !*name) {
		name = getenv("HESSC_BACKEND");
		from = "HESSC_BACKEND";
	}
	if (!name || !*name)
		*out = CLI_BACKEND_DEFAULT;
	else if (!strcmp(name, "llvm"))
		*out = CLI_BACKEND_LLVM;
	else if (!strcmp(name, "cc"))
		*out = CLI_BACKEND_CC;
	else
		return cli_usage_error("%s %s: the backends are llvm and cc", from, name);
	if (*out == CLI_BACKEND_LLVM && !HESSC_HAVE_LLVM)
		return cli_usage_error("%s llvm: this hessc was built without LLVM (llvm-dev); use cc",
		                       from);
	return CLI_OK;
}

static int report_status(hessc_status st, diag_sink *sink)
{
	if (st != HESSC_OK && sink->errors == 0)
		fputs("hessc: error: out of memory\n", stderr);
	return cli_exit_code(st);
}

/* The unrolled tape compiled by LLVM; the descriptor points into cm. */
static int load_llvm(cli_model *cm, diag_sink *sink, cli_kernels *k)
{
#if HESSC_HAVE_LLVM
	int code = cm->have_derivatives ? CLI_OK : cli_derive(cm, sink);
	if (code == CLI_OK && !cm->have_tape)
		code = cli_lower(cm);
	if (code != CLI_OK)
		return code;
	unsigned char *obj = NULL;
	size_t len = 0;
	hessc_status st = llvm_backend_compile(&cm->t, sink, &obj, &len);
	if (st == HESSC_OK)
		st = llvm_backend_load(obj, len, sink, &k->problem, (llvm_kernels **)&k->llvm);
	free(obj);
	if (st != HESSC_OK)
		return report_status(st, sink);
	const model *m = cm->m;
	k->problem.name = m->name;
	k->problem.n = (int)m->n;
	k->problem.nnz = (int)cm->d.nnz;
	k->problem.hess_colptr = cm->d.hess_colptr;
	k->problem.hess_rowind = cm->d.hess_rowind;
	k->problem.x0 = m->x0;
	k->problem.lower = m->lower;
	k->problem.upper = m->upper;
	k->problem.work_size = cm->t.work_size;
	k->problem.data = NULL;
	return CLI_OK;
#else
	(void)cm, (void)sink, (void)k;
	return CLI_INTERNAL;
#endif
}

/* The loops compiled by LLVM; pattern and position maps built here. */
static int load_llvm_templated(cli_model *cm, const tmpl_set *ts, diag_sink *sink,
                               cli_kernels *k)
{
#if HESSC_HAVE_LLVM
	unsigned char *obj = NULL;
	size_t len = 0;
	hessc_status st = llvm_backend_compile_templated(ts, sink, &obj, &len);
	if (st == HESSC_OK)
		st = llvm_backend_load(obj, len, sink, &k->problem, (llvm_kernels **)&k->llvm);
	free(obj);
	if (st == HESSC_OK)
		st = llvm_templated_data_build(ts, &k->problem,
		                               (llvm_templated_data **)&k->llvm_data);
	if (st != HESSC_OK)
		return report_status(st, sink);
	const model *m = cm->m;
	k->problem.name = m->name;
	k->problem.x0 = m->x0;
	k->problem.lower = m->lower;
	k->problem.upper = m->upper;
	return CLI_OK;
#else
	(void)cm, (void)ts, (void)sink, (void)k;
	return CLI_INTERNAL;
#endif
}

/* LLVM's optimizer is superlinear on one huge straight-line function (a
 * dense Hessian written out, fminsurf: minutes), while cc compiles large
 * sources at -O0 in seconds: past this size the default backend is cc. */
#define LLVM_DEFAULT_MAX_INSTRUCTIONS 200000

static size_t tape_instructions(const tape *t)
{
	size_t total = 0;
	for (int k = 0; k < TAPE_KERNELS; k++)
		total += t->kernel[k].len;
	return total;
}

int cli_kernels_load(const cli_args *args, cli_backend backend, cli_model *cm,
                     diag_sink *sink, cli_kernels *k)
{
	memset(k, 0, sizeof *k);
	tmpl_set ts;
	int code;
	hessc_status st;
	if (cli_templates(args, cm, &ts, &code)) {
		if (backend != CLI_BACKEND_CC && HESSC_HAVE_LLVM) {
			code = load_llvm_templated(cm, &ts, sink, k);
			tmpl_set_free(&ts);
			return code;
		}
		/* the loops gen writes, compiled by cc */
		st = cc_backend_load_templated(cm->m, &ts, NULL, sink, &k->cc);
		tmpl_set_free(&ts);
	} else {
		if (code != CLI_OK)
			return code;
		code = cm->have_derivatives ? CLI_OK : cli_derive(cm, sink);
		if (code == CLI_OK && !cm->have_tape)
			code = cli_lower(cm);
		if (code != CLI_OK)
			return code;
		if (backend == CLI_BACKEND_LLVM
		    || (backend == CLI_BACKEND_DEFAULT && HESSC_HAVE_LLVM
		        && tape_instructions(&cm->t) <= LLVM_DEFAULT_MAX_INSTRUCTIONS))
			return load_llvm(cm, sink, k);
		st = cc_backend_load(cm->m, &cm->d, &cm->t, NULL, sink, &k->cc);
	}
	if (st != HESSC_OK)
		return report_status(st, sink);
	k->problem = *cc_kernels_problem(k->cc);
	return CLI_OK;
}

void cli_kernels_free(cli_kernels *k)
{
	cc_kernels_free(k->cc);
#if HESSC_HAVE_LLVM
	llvm_kernels_free(k->llvm);
	llvm_templated_data_free(k->llvm_data);
#endif
	memset(k, 0, sizeof *k);
}
