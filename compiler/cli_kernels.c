/* cli_kernels.c -- pick the backend, compile through the public API. */
#include "cli_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

int cli_backend_parse(const char *name, hessc_backend *out)
{
	const char *from = "--backend";
	if (!name || !*name) {
		name = getenv("HESSC_BACKEND");
		from = "HESSC_BACKEND";
	}
	if (!name || !*name)
		*out = HESSC_BACKEND_AUTO;
	else if (!strcmp(name, "llvm"))
		*out = HESSC_BACKEND_LLVM;
	else if (!strcmp(name, "cc"))
		*out = HESSC_BACKEND_CC;
	else
		return cli_usage_error("%s %s: the backends are llvm and cc", from, name);
	if (*out == HESSC_BACKEND_LLVM && !hessc_have_llvm())
		return cli_usage_error("%s llvm: this hessc was built without LLVM (llvm-dev); use cc",
		                       from);
	return CLI_OK;
}

/* The API's diagnostics printed as the front end's are (diag_print). */
static void print_diagnostic(void *ctx, const hessc_diagnostic *d)
{
	int *errors = ctx;
	diag out = {
		.level = (diag_level)d->level,
		.loc = { d->file, d->line, d->col },
		.message = d->message,
		.source_line = d->source_line,
		.source_line_len = d->source_line_len,
	};
	if (d->level == HESSC_DIAG_ERROR)
		(*errors)++;
	diag_print(stderr, &out);
}

static void print_stats(const hessc_model *m)
{
	hessc_stats s;
	hessc_model_stats(m, &s);
	fprintf(stderr, "hessc: kernels by %s, ", hessc_backend_name(s.backend));
	if (s.loops)
		fprintf(stderr, "%zu loop%s", s.loops, s.loops == 1 ? "" : "s");
	else
		fputs("every term written out", stderr);
	if (s.from_cache) {
		fprintf(stderr, ", loaded from the kernel cache in %.1f ms\n", s.total_ms);
		return;
	}
	fprintf(stderr, ", compiled in %.1f ms: front end %.1f, %s %.1f, derivatives %.1f, code %.1f",
	        s.total_ms, s.frontend_ms, s.loops ? "loops" : "tape", s.lower_ms, s.derive_ms,
	        s.codegen_ms);
	if (s.backend == HESSC_BACKEND_LLVM)
		fprintf(stderr, " (IR %.1f, passes %.1f, machine code %.1f)", s.llvm_ir_ms,
		        s.llvm_optimize_ms, s.llvm_machine_code_ms);
	fprintf(stderr, ", load %.1f%s\n", s.load_ms,
	        s.stored_in_cache ? "; stored in the kernel cache" : "");
}

int cli_kernels_compile(const cli_args *args, hessc_backend backend, hessc_model **out)
{
	int errors = 0;
	hessc_text *data = calloc(args->data.n ? args->data.n : 1, sizeof *data);
	*out = NULL;
	if (!data) {
		fputs("hessc: error: out of memory\n", stderr);
		return CLI_INTERNAL;
	}
	for (size_t i = 0; i < args->data.n; i++)
		data[i] = (hessc_text){ args->data.items[i], NULL, 0 };
	hessc_options opt;
	hessc_options_init(&opt);
	opt.backend = backend;
	opt.use_cache = !args->no_cache;
	opt.objective = args->objective;
	opt.data = data;
	opt.n_data = args->data.n;
	opt.defines = args->defines.items;
	opt.n_defines = args->defines.n;
	opt.unrolled = args->unroll;
	opt.diag = print_diagnostic;
	opt.diag_ctx = &errors;
	hessc_status st = hessc_compile_file(args->model, &opt, out);
	free(data);
	if (st != HESSC_OK) {
		if (errors == 0)
			fprintf(stderr, "hessc: error: %s\n", hessc_status_message(st));
		return cli_exit_code(st);
	}
	if (args->stats)
		print_stats(*out);
	return CLI_OK;
}
