/* fuzz_frontend.c -- libFuzzer target over the whole front end: lexer,
 * parser, semantic checks and lowering, on arbitrary bytes.  The input is
 * split at the first NUL byte: before it the model, after it a data file,
 * so data sections and data files are both exercised.  Every input goes
 * through the front end's three modes: the whole objective unrolled (what
 * sparsity, curvature and --unroll see), sums streamed into loops (gen,
 * eval and solve), and loops with value-less params as run-time inputs
 * (gen).  Built with
 * -fsanitize=fuzzer,address,undefined (meson option `fuzz`, or run.sh). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "frontend.h"

static void ignore(void *ctx, const diag *d)
{
	(void)ctx;
	(void)d;
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	/* keep each run short: huge inputs only test the allocator */
	if (size > 1 << 16)
		return 0;
	const char *text = (const char *)bytes;
	const char *nul = memchr(text, 0, size);
	size_t model_len = nul ? (size_t)(nul - text) : size;
	frontend_source data = { "fuzz.dat", nul ? nul + 1 : NULL, nul ? size - model_len - 1 : 0 };
	/* the modes callers use: unrolled; loops (eval, solve); loops with
	   run-time inputs (gen) */
	static const int modes[][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 } };
	for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++) {
		frontend_input in = {
			.model = { "fuzz.mod", text, model_len },
			.data = nul ? &data : NULL,
			.n_data = nul ? 1 : 0,
			/* `var x{1..1e9}` is a valid model, but not one to fuzz with */
			.work_limit = 1000000,
			.find_loops = modes[k][0],
			.run_time_inputs = modes[k][1],
		};
		diag_sink sink = { ignore, NULL, 0 };
		graph *g = graph_new();
		model *m = NULL;
		if (!g)
			return 0;
		if (frontend_build(&in, &sink, g, &m) == HESSC_OK)
			model_free(m);
		graph_free(g);
	}
	return 0;
}
