/* hessc/hessc.h -- compile a model at run time and evaluate its derivatives.
 *
 * The public API of libhessc (pkg-config name `hessc`).  One include
 * directory holds every public header: <hessc/hessc.h> (this one),
 * <hessc/problem.h> (the descriptor the solvers take) and <hessc/status.h>.
 *
 *   hessc_options opt;
 *   hessc_options_init(&opt);
 *   opt.diag = my_printer;                 // optional: errors with line and column
 *   hessc_model *m;
 *   if (hessc_compile_string("rosen", text, strlen(text), &opt, &m) != HESSC_OK) ...
 *   const hessc_problem *p = hessc_model_problem(m);
 *   double f = p->grad(x, g, work, p->data);   // work: p->work_size doubles
 *   hessc_model_free(m);
 *
 * Pipeline: front end -> loops -> derivatives -> backend.  The objective's
 * repeated terms become loops over one differentiated term (the code does
 * not grow with n); models without them, or with `unrolled` set, have
 * every term written out.  The LLVM backend compiles in memory (no C
 * compiler needed); the cc backend compiles emitted C with the system
 * compiler into a shared object.  Compiled kernels are kept on disk (the
 * kernel cache) unless turned off, so the second compilation of the same
 * model, data and options loads in milliseconds.
 *
 * The library never prints and never exits: every function that can fail
 * returns a status, and diagnostics go to the caller's callback.
 * Threads: models are independent (several may live at once, and may be
 * compiled from different threads); a model's kernels are reentrant and may
 * be called from any number of threads at once, each with its own work array.
 */
#ifndef HESSC_HESSC_H
#define HESSC_HESSC_H

#include <stddef.h>
#include "problem.h"
#include "status.h"

#if defined(_WIN32) && defined(HESSC_BUILDING_LIBRARY)
#define HESSC_API __declspec(dllexport)
#elif defined(_WIN32)
#define HESSC_API __declspec(dllimport)
#elif defined(__GNUC__)
#define HESSC_API __attribute__((visibility("default")))
#else
#define HESSC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hessc_model hessc_model;

typedef enum hessc_backend {
	HESSC_BACKEND_AUTO = 0,  /* LLVM when libhessc was built with it, else cc */
	HESSC_BACKEND_LLVM = 1,  /* in-memory JIT through LLVM's ORC LLJIT */
	HESSC_BACKEND_CC = 2     /* emitted C, compiled by the system C compiler */
} hessc_backend;

typedef enum hessc_diag_level {
	HESSC_DIAG_ERROR = 0,
	HESSC_DIAG_WARNING = 1,
	HESSC_DIAG_NOTE = 2
} hessc_diag_level;

/* One diagnostic; every pointer is valid only during the callback. */
typedef struct hessc_diagnostic {
	hessc_diag_level level;
	const char *file;          /* file name as given, or the string's name; may be NULL */
	int line;                  /* 1-based; 0 when the problem has no place */
	int col;                   /* 1-based column in bytes; 0 when unknown */
	const char *message;       /* without the "error: " prefix, no newline */
	const char *source_line;   /* the line at `line` (no newline, not 0-terminated), or NULL */
	size_t source_line_len;    /* bytes of source_line */
} hessc_diagnostic;

typedef void (*hessc_diag_fn)(void *ctx, const hessc_diagnostic *d);

/* A model or data text: read from the file `name` when `text` is NULL,
 * otherwise `text` (len bytes) with `name` used in messages. */
typedef struct hessc_text {
	const char *name;
	const char *text;
	size_t len;
} hessc_text;

typedef struct hessc_options {
	hessc_backend backend;        /* default HESSC_BACKEND_AUTO */
	int use_cache;                /* 1 (default): read and write the kernel cache */
	const char *cache_dir;        /* NULL: $HESSC_CACHE_DIR, else $XDG_CACHE_HOME/hessc,
	                                 else $HOME/.cache/hessc */
	const char *objective;        /* NULL: the first objective */
	const hessc_text *data;       /* data files or texts, AMPL's `data d.dat;`, n_data of them */
	size_t n_data;
	const char *const *defines;   /* "NAME=VALUE": a param's value (-D), n_defines of them */
	size_t n_defines;
	hessc_diag_fn diag;           /* NULL: diagnostics are dropped (the status still tells) */
	void *diag_ctx;               /* passed to diag */
	int unrolled;                 /* 1: every term written out, no loops (default 0) */
	int run_time_inputs;          /* 1: a param the objective reads but no data, define
	                                 or model gives a value becomes a run-time input,
	                                 bound by hessc_instance_bind (default 0: such a
	                                 param is an error).  The kernel cache key holds
	                                 this flag, never the inputs' values: one
	                                 compilation serves every data set. */
} hessc_options;

/* Where the time went, and whether the kernel cache answered. */
typedef struct hessc_stats {
	int from_cache;               /* 1: kernels loaded from the cache, nothing compiled */
	int stored_in_cache;          /* 1: this compilation wrote a cache entry */
	hessc_backend backend;        /* the backend that made the kernels (never AUTO) */
	double frontend_ms;           /* parse, check, build the expression graph */
	double derive_ms;             /* gradient and Hessian of the terms written out */
	double lower_ms;              /* find the loops and differentiate their terms, or
	                                 write the terms out as a tape */
	double codegen_ms;            /* LLVM IR + optimization + machine code, or emit C + cc */
	double load_ms;               /* link or dlopen, symbol lookup, the loops' setup */
	double total_ms;              /* the whole hessc_compile_* call */
	size_t loops;                 /* loops in the kernels; 0: every term written out */
	double llvm_ir_ms;            /* of codegen_ms, with LLVM: building the IR */
	double llvm_optimize_ms;      /* of codegen_ms, with LLVM: the pass pipeline */
	double llvm_machine_code_ms;  /* of codegen_ms, with LLVM: machine code, object file */
} hessc_stats;

/* Kernel signatures: exactly the callbacks of hessc_problem.  `work` holds
 * hessc_model_work_size() doubles (may be NULL when that is 0); `data` must
 * be hessc_model_data() (the problem's data pointer): the kernels of loops
 * read their position maps there; for a model with run-time inputs, the
 * data of an instance's descriptor (hessc_instance_problem). */
typedef double (*hessc_f_fn)(const double *x, double *work, const void *data);
typedef double (*hessc_grad_fn)(const double *x, double *g, double *work, const void *data);
typedef void (*hessc_hess_fn)(const double *x, double *h, double *work, const void *data);
typedef void (*hessc_hessvec_fn)(const double *x, const double *v, double *hv, double *work,
                                 const void *data);

HESSC_API void hessc_options_init(hessc_options *opt);

/* Compile a model.  On success *out is a model to free with
 * hessc_model_free; on failure *out is NULL, the status says what kind of
 * failure (HESSC_ERR_MODEL: diagnostics with line and column went to
 * opt->diag) and nothing needs freeing.  opt may be NULL (defaults). */
HESSC_API hessc_status hessc_compile_file(const char *path, const hessc_options *opt,
                                          hessc_model **out);
HESSC_API hessc_status hessc_compile_string(const char *name, const char *text, size_t len,
                                            const hessc_options *opt, hessc_model **out);
HESSC_API hessc_status hessc_compile(const hessc_text *model, const hessc_options *opt,
                                     hessc_model **out);

/* Frees everything the model owns, its machine code included; NULL is fine. */
HESSC_API void hessc_model_free(hessc_model *m);

/* Queries: arrays are owned by the model and live as long as it does. */
HESSC_API const char *hessc_model_name(const hessc_model *m);
HESSC_API const char *hessc_model_objective(const hessc_model *m);
HESSC_API int hessc_model_maximize(const hessc_model *m);  /* 1: `maximize` (kernels give f as written) */
HESSC_API size_t hessc_model_n(const hessc_model *m);
HESSC_API const char *const *hessc_model_names(const hessc_model *m);   /* size n, AMPL spelling */
HESSC_API const double *hessc_model_x0(const hessc_model *m);           /* size n */
HESSC_API const double *hessc_model_lower(const hessc_model *m);        /* size n, -INFINITY: none */
HESSC_API const double *hessc_model_upper(const hessc_model *m);        /* size n, INFINITY: none */
HESSC_API int hessc_model_has_bounds(const hessc_model *m);
HESSC_API size_t hessc_model_nnz(const hessc_model *m);                 /* lower triangle */
HESSC_API const int *hessc_model_hess_colptr(const hessc_model *m);     /* size n+1 (CSC) */
HESSC_API const int *hessc_model_hess_rowind(const hessc_model *m);     /* size nnz, sorted per column */
HESSC_API size_t hessc_model_work_size(const hessc_model *m);           /* doubles per kernel call */

HESSC_API hessc_f_fn hessc_model_f(const hessc_model *m);
HESSC_API hessc_grad_fn hessc_model_grad(const hessc_model *m);
HESSC_API hessc_hess_fn hessc_model_hess(const hessc_model *m);
HESSC_API hessc_hessvec_fn hessc_model_hessvec(const hessc_model *m);
/* The `data` argument every kernel call takes; owned by the model.  NULL
 * for a model with run-time inputs: see hessc_instance. */
HESSC_API const void *hessc_model_data(const hessc_model *m);

/* Run-time inputs (hessc_options.run_time_inputs), in the model's order
 * k = 0 .. n_inputs-1: the param's name, its number of elements, and where
 * each element lives in the array bound to it, e.g.
 * "X[i,j] at (i-1)*4 + (j-1), i in 1..7, j in 1..4" (row-major, the first
 * subscript slowest, as the generated header says).  NULL / 0 for k out of
 * range. */
HESSC_API size_t hessc_model_n_inputs(const hessc_model *m);
HESSC_API const char *hessc_model_input_name(const hessc_model *m, size_t k);
HESSC_API size_t hessc_model_input_size(const hessc_model *m, size_t k);
HESSC_API const char *hessc_model_input_layout(const hessc_model *m, size_t k);

/* An instance: a compiled model and one data set of its run-time inputs.
 * A model with inputs has NULL data (hessc_model_data, and the descriptor
 * of hessc_model_problem): its kernels must be called with an instance's
 * data instead.  Create an instance, bind every input, then take its
 * descriptor:
 *
 *   hessc_instance *a;
 *   hessc_instance_new(m, &a);
 *   hessc_instance_bind(a, "X", X, 7 * 4);   // the array is kept by address
 *   hessc_instance_bind(a, "y", y, 7);
 *   const hessc_problem *p;
 *   if (hessc_instance_problem(a, &p) == HESSC_OK)
 *       f = p->grad(x, g, work, p->data);
 *
 * Binding an unknown name or a count other than hessc_model_input_size
 * returns HESSC_ERR_USAGE and changes nothing; hessc_instance_problem
 * returns HESSC_ERR_USAGE while an input is unbound.  Binding again
 * replaces the array (the descriptor's data then reads the new one).  The
 * arrays must live while kernels run with the instance's data.
 * Instances are independent: several data sets of one model at once, each
 * usable from its own thread (binding while kernels run on the same
 * instance is a race).  The model must outlive its instances.  A model
 * without inputs gives instances with its own data. */
typedef struct hessc_instance hessc_instance;
HESSC_API hessc_status hessc_instance_new(const hessc_model *m, hessc_instance **out);
HESSC_API hessc_status hessc_instance_bind(hessc_instance *in, const char *name,
                                           const double *values, size_t count);
HESSC_API hessc_status hessc_instance_problem(const hessc_instance *in,
                                              const hessc_problem **out);
HESSC_API void hessc_instance_free(hessc_instance *in);

/* The filled descriptor for the solvers of <hessc/solver.h>, owned by the
 * model.  Its kernels compute the objective as written, also for
 * `maximize` (see hessc_model_maximize). */
HESSC_API const hessc_problem *hessc_model_problem(const hessc_model *m);

HESSC_API void hessc_model_stats(const hessc_model *m, hessc_stats *out);

/* "0.1.0" */
HESSC_API const char *hessc_version(void);
/* 1 when this libhessc was built with the LLVM backend. */
HESSC_API int hessc_have_llvm(void);
/* "llvm", "cc", "auto" */
HESSC_API const char *hessc_backend_name(hessc_backend b);
/* A sentence for a status, e.g. "the model is wrong". */
HESSC_API const char *hessc_status_message(hessc_status s);

#ifdef __cplusplus
}
#endif

#endif
