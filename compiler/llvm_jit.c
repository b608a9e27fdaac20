/* llvm_jit.c -- optimize, emit an object, link it in memory with ORC LLJIT. */
#include "llvm_jit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <llvm/Config/llvm-config.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

/* ---- once per process ------------------------------------------------------ */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_ok;
static char *host_triple, *host_cpu, *host_features, *target_id;

static void init_llvm(void)
{
	if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter())
		return;
	host_triple = LLVMGetDefaultTargetTriple();
	host_cpu = LLVMGetHostCPUName();
	host_features = LLVMGetHostCPUFeatures();
	if (!host_triple || !host_cpu || !host_features)
		return;
	size_t len = strlen(host_triple) + strlen(host_cpu) + strlen(host_features) + 64;
	target_id = malloc(len);
	if (!target_id)
		return;
	snprintf(target_id, len, "%s;%s;%s;llvm %s", host_triple, host_cpu, host_features,
	         LLVM_VERSION_STRING);
	init_ok = 1;
}

static void report(diag_sink *diags, const char *what, const char *detail)
{
	source_loc nowhere = { NULL, 0, 0 };
	diag_report(diags, DIAG_ERROR, nowhere, NULL, 0, "LLVM backend: %s%s%s", what,
	            detail ? ": " : "", detail ? detail : "");
}

/* Report an LLVMErrorRef and consume it. */
static void report_error(diag_sink *diags, const char *what, LLVMErrorRef err)
{
	char *msg = LLVMGetErrorMessage(err);
	report(diags, what, msg);
	LLVMDisposeErrorMessage(msg);
}

hessc_status llvm_jit_init(diag_sink *diags)
{
	pthread_once(&init_once, init_llvm);
	if (!init_ok) {
		report(diags, "cannot initialize the native target", NULL);
		return HESSC_ERR_INTERNAL;
	}
	return HESSC_OK;
}

const char *llvm_jit_target_id(void)
{
	return target_id;
}

/* ---- optimize and emit ----------------------------------------------------- */

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

hessc_status llvm_jit_emit_object(LLVMModuleRef mod, const char *passes, diag_sink *diags,
                                  unsigned char **obj, size_t *obj_len, llvm_jit_times *times)
{
	hessc_status st = HESSC_ERR_INTERNAL;
	LLVMTargetRef target;
	LLVMTargetMachineRef tm = NULL;
	LLVMPassBuilderOptionsRef pass_options = NULL;
	LLVMMemoryBufferRef buf = NULL;
	char *msg = NULL;
	*obj = NULL;
	*obj_len = 0;

	if (LLVMGetTargetFromTriple(host_triple, &target, &msg)) {
		report(diags, "no target for this machine", msg);
		goto done;
	}
	/* The JIT code model (large on x86-64), as LLJIT picks for code it
	 * compiles itself: the object may land anywhere in the address space
	 * relative to libm and to its own constants. */
	tm = LLVMCreateTargetMachine(target, host_triple, host_cpu, host_features,
	                             LLVMCodeGenLevelDefault, LLVMRelocDefault,
	                             LLVMCodeModelJITDefault);
	if (!tm) {
		report(diags, "cannot create a target machine", NULL);
		goto done;
	}
	LLVMSetTarget(mod, host_triple);
	LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(tm);
	LLVMSetModuleDataLayout(mod, layout);
	LLVMDisposeTargetData(layout);

	pass_options = LLVMCreatePassBuilderOptions();
	double t0 = now_ms();
	LLVMErrorRef err = LLVMRunPasses(mod, passes, tm, pass_options);
	if (err) {
		report_error(diags, "optimization failed", err);
		goto done;
	}
	double t1 = now_ms();
	if (LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMObjectFile, &msg, &buf)) {
		report(diags, "cannot emit machine code", msg);
		goto done;
	}
	if (times) {
		times->optimize_ms = t1 - t0;
		times->codegen_ms = now_ms() - t1;
	}
	size_t len = LLVMGetBufferSize(buf);
	*obj = malloc(len ? len : 1);
	if (!*obj) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	memcpy(*obj, LLVMGetBufferStart(buf), len);
	*obj_len = len;
	st = HESSC_OK;
done:
	if (msg)
		LLVMDisposeMessage(msg);
	if (buf)
		LLVMDisposeMemoryBuffer(buf);
	if (pass_options)
		LLVMDisposePassBuilderOptions(pass_options);
	if (tm)
		LLVMDisposeTargetMachine(tm);
	return st;
}

/* ---- link in memory -------------------------------------------------------- */

struct llvm_jit_image {
	LLVMOrcLLJITRef jit;
};

/* Functions the generated code may call: the libm functions of ops.h, and
 * those LLVM's own lowering introduces (sincos for a sin/cos pair, exp2 for
 * pow(2,x), fmin/fmax/round for intrinsics without an instruction, memset
 * for zeroed arrays).  Their addresses come from this library's own link
 * with libm, so a host program need not link libm. */
static void sincos_impl(double x, double *s, double *c)
{
	*s = sin(x);
	*c = cos(x);
}

static const struct {
	const char *name;
	void *address;
} runtime_symbols[] = {
#define MATH1(fn) { #fn, (void *)(uintptr_t)(double (*)(double))fn }
#define MATH2(fn) { #fn, (void *)(uintptr_t)(double (*)(double, double))fn }
	MATH1(sqrt), MATH1(exp), MATH1(exp2), MATH1(log), MATH1(log2), MATH1(log10),
	MATH1(sin), MATH1(cos), MATH1(tan), MATH1(asin), MATH1(acos), MATH1(atan),
	MATH1(sinh), MATH1(cosh), MATH1(tanh), MATH1(fabs), MATH1(floor), MATH1(ceil),
	MATH1(round), MATH1(trunc), MATH1(rint), MATH1(nearbyint), MATH1(cbrt), MATH1(expm1),
	MATH1(log1p),
	MATH2(pow), MATH2(atan2), MATH2(fmod), MATH2(fmin), MATH2(fmax), MATH2(hypot),
	{ "sincos", (void *)(uintptr_t)sincos_impl },
	{ "memset", (void *)(uintptr_t)memset },
	{ "memcpy", (void *)(uintptr_t)memcpy },
	{ "memmove", (void *)(uintptr_t)memmove },
#undef MATH1
#undef MATH2
};

#define N_RUNTIME_SYMBOLS (sizeof runtime_symbols / sizeof runtime_symbols[0])

static LLVMErrorRef define_runtime_symbols(LLVMOrcLLJITRef jit, LLVMOrcJITDylibRef lib)
{
	LLVMJITCSymbolMapPair pairs[N_RUNTIME_SYMBOLS];
	for (size_t i = 0; i < N_RUNTIME_SYMBOLS; i++) {
		pairs[i].Name = LLVMOrcLLJITMangleAndIntern(jit, runtime_symbols[i].name);
		pairs[i].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)runtime_symbols[i].address;
		pairs[i].Sym.Flags.GenericFlags =
			LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
		pairs[i].Sym.Flags.TargetFlags = 0;
	}
	LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, N_RUNTIME_SYMBOLS);
	LLVMErrorRef err = LLVMOrcJITDylibDefine(lib, mu);
	if (err)
		LLVMOrcDisposeMaterializationUnit(mu);
	return err;
}

static void drop_session_error(void *ctx, LLVMErrorRef err)
{
	(void)ctx;
	LLVMConsumeError(err);
}

hessc_status llvm_jit_load(const unsigned char *obj, size_t obj_len, diag_sink *diags,
                           llvm_jit_image **out)
{
	hessc_status st = HESSC_ERR_INTERNAL;
	LLVMErrorRef err;
	LLVMOrcDefinitionGeneratorRef process = NULL;
	llvm_jit_image *img = calloc(1, sizeof *img);
	*out = NULL;
	if (!img)
		return HESSC_ERR_NOMEM;

	if ((err = LLVMOrcCreateLLJIT(&img->jit, NULL))) {
		img->jit = NULL;
		report_error(diags, "cannot create the JIT", err);
		goto done;
	}
	/* The session's default reporter prints; errors come back to us through
	 * LLVMOrcLLJITLookup's result instead. */
	LLVMOrcExecutionSessionSetErrorReporter(LLVMOrcLLJITGetExecutionSession(img->jit),
	                                        drop_session_error, NULL);
	LLVMOrcJITDylibRef lib = LLVMOrcLLJITGetMainJITDylib(img->jit);
	if ((err = define_runtime_symbols(img->jit, lib))) {
		report_error(diags, "cannot define the math functions", err);
		goto done;
	}
	err = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
		&process, LLVMOrcLLJITGetGlobalPrefix(img->jit), NULL, NULL);
	if (err) {
		report_error(diags, "cannot search this process's symbols", err);
		goto done;
	}
	LLVMOrcJITDylibAddGenerator(lib, process);  /* the dylib owns it now */

	LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRangeCopy(
		(const char *)obj, obj_len, "hessc-kernels");
	if (!buf) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	if ((err = LLVMOrcLLJITAddObjectFile(img->jit, lib, buf))) {  /* takes buf */
		report_error(diags, "cannot add the object", err);
		goto done;
	}
	*out = img;
	img = NULL;
	st = HESSC_OK;
done:
	llvm_jit_image_free(img);
	return st;
}

void *llvm_jit_lookup(llvm_jit_image *img, const char *name, diag_sink *diags)
{
	LLVMOrcExecutorAddress addr = 0;
	LLVMErrorRef err = LLVMOrcLLJITLookup(img->jit, &addr, name);
	if (err) {
		report_error(diags, "cannot link the kernels", err);
		return NULL;
	}
	return (void *)(uintptr_t)addr;
}

void llvm_jit_image_free(llvm_jit_image *img)
{
	if (!img)
		return;
	if (img->jit) {
		LLVMErrorRef err = LLVMOrcDisposeLLJIT(img->jit);
		if (err)
			LLVMConsumeError(err);  /* nothing left to report it to */
	}
	free(img);
}
