/* cc_backend.c -- emit, compile with the system compiler, dlopen, clean up. */
#include "cc_backend.h"
#include "emit_template.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "emit_c.h"

extern char **environ;

/* The symbol prefix of loaded code: each load has its own handle
 * (RTLD_LOCAL), so one fixed prefix never clashes. */
#define CC_PREFIX "hessc_kernels"

struct cc_kernels {
	void *handle;
	const hessc_problem *problem;
	void *setup_block;   /* templated code: what P_setup built the descriptor in */
};

/* Paths inside the temporary folder. */
typedef struct workdir {
	char dir[4096];
	char base[4200];    /* DIR/model: emit_c_files writes base.c, base.h */
	char source[4200];
	char header[4200];
	char object[4200];
	char log[4200];
	int made;
} workdir;

static hessc_status make_workdir(workdir *w, diag_sink *diags)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(w->dir, sizeof w->dir, "%s/hessc-cc-XXXXXX", tmp);
	if (!mkdtemp(w->dir)) {
		source_loc loc = { .file = tmp };
		diag_report(diags, DIAG_ERROR, loc, NULL, 0,
		            "cannot create a temporary folder: %s", strerror(errno));
		return HESSC_ERR_INTERNAL;
	}
	w->made = 1;
	snprintf(w->base, sizeof w->base, "%s/model", w->dir);
	snprintf(w->source, sizeof w->source, "%s/model.c", w->dir);
	snprintf(w->header, sizeof w->header, "%s/model.h", w->dir);
	snprintf(w->object, sizeof w->object, "%s/model.so", w->dir);
	snprintf(w->log, sizeof w->log, "%s/cc.log", w->dir);
	return HESSC_OK;
}

static void remove_workdir(workdir *w)
{
	if (!w->made)
		return;
	unlink(w->source);
	unlink(w->header);
	unlink(w->object);
	unlink(w->log);
	rmdir(w->dir);
}

/* The compiler's first lines of output, for the diagnostic. */
static void report_compiler_output(diag_sink *diags, const workdir *w, const char *what)
{
	char text[1024] = "";
	FILE *f = fopen(w->log, "r");
	if (f) {
		size_t got = fread(text, 1, sizeof text - 1, f);
		text[got] = 0;
		fclose(f);
	}
	/* one diagnostic line: newlines become " | " up to the cut */
	char line[1024];
	size_t j = 0;
	for (size_t i = 0; text[i] && j + 4 < sizeof line; i++) {
		if (text[i] == '\n') {
			if (text[i + 1])
				line[j++] = ' ', line[j++] = '|', line[j++] = ' ';
		} else {
			line[j++] = text[i];
		}
	}
	line[j] = 0;
	source_loc loc = { .file = "hessc" };
	diag_report(diags, DIAG_ERROR, loc, NULL, 0, "%s%s%s", what, line[0] ? ": " : "", line);
}

/* Split the compiler command into words (the environment variable may
 * carry flags of its own). */
static char **split_words(const char *s, size_t *n, char **storage)
{
	*storage = strdup(s);
	char **words = calloc(strlen(s) / 2 + 2, sizeof *words);
	if (!*storage || !words) {
		free(*storage);
		free(words);
		*storage = NULL;
		return NULL;
	}
	*n = 0;
	for (char *tok = strtok(*storage, " \t"); tok; tok = strtok(NULL, " \t"))
		words[(*n)++] = tok;
	return words;
}

static hessc_status compile(const workdir *w, const cc_options *opt, diag_sink *diags)
{
	static const char *const flags[] = {
		"-std=c99", "-fPIC", "-shared", "-ffp-contract=off", "-fno-fast-math",
	};
	static const char *const levels[] = {
		[CC_OPT_O0] = "-O0", [CC_OPT_O1] = "-O1", [CC_OPT_O2] = "-O2",
	};
	cc_opt level = opt->optimize > CC_OPT_O2 ? CC_OPT_O2 : opt->optimize;
	if (level == CC_OPT_AUTO) {
		struct stat sb;
		level = stat(w->source, &sb) == 0 && sb.st_size <= CC_AUTO_O1_MAX_BYTES
		      ? CC_OPT_O1 : CC_OPT_O0;
	}
	static const char *const strict[] = { "-Wall", "-Wextra", "-pedantic", "-Werror" };
	const char *cc = opt->cc ? opt->cc : getenv("HESSC_CC");
	if (!cc || !*cc)
		cc = "cc";
	hessc_status st = HESSC_OK;
	char *storage = NULL;
	size_t n_words = 0;
	char **words = split_words(cc, &n_words, &storage);
	const char **argv = NULL;
	posix_spawn_file_actions_t actions;
	int have_actions = 0;
	if (!words) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	if (n_words == 0) {
		source_loc loc = { .file = "HESSC_CC" };
		diag_report(diags, DIAG_ERROR, loc, NULL, 0, "the C compiler command is empty");
		st = HESSC_ERR_USAGE;
		goto done;
	}
	size_t n_flags = sizeof flags / sizeof flags[0], n_strict = sizeof strict / sizeof strict[0];
	argv = calloc(n_words + n_flags + n_strict + 7, sizeof *argv);
	if (!argv) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	size_t a = 0;
	for (size_t i = 0; i < n_words; i++)
		argv[a++] = words[i];
	for (size_t i = 0; i < n_flags; i++)
		argv[a++] = flags[i];
	argv[a++] = levels[level];
	if (opt->warnings_as_errors)
		for (size_t i = 0; i < n_strict; i++)
			argv[a++] = strict[i];
	argv[a++] = "-o";
	argv[a++] = w->object;
	argv[a++] = w->source;
	argv[a++] = "-lm";
	argv[a] = NULL;

	if (posix_spawn_file_actions_init(&actions) != 0) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	have_actions = 1;
	if (posix_spawn_file_actions_addopen(&actions, 1, w->log, O_WRONLY | O_CREAT | O_TRUNC, 0600) ||
	    posix_spawn_file_actions_adddup2(&actions, 1, 2) ||
	    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	pid_t pid;
	int err = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, environ);
	if (err != 0) {
		source_loc loc = { .file = argv[0] };
		diag_report(diags, DIAG_ERROR, loc, NULL, 0,
		            "cannot run the C compiler: %s (set HESSC_CC to another one)", strerror(err));
		st = HESSC_ERR_INTERNAL;
		goto done;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			st = HESSC_ERR_INTERNAL;
			goto done;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		report_compiler_output(diags, w, "the C compiler failed on the generated code");
		st = HESSC_ERR_INTERNAL;
	}
done:
	if (have_actions)
		posix_spawn_file_actions_destroy(&actions);
	free(argv);
	free(words);
	free(storage);
	return st;
}

/* The descriptor of loaded code: P_problem, or for templated code the one
 * P_setup builds in a block of P_setup_bytes() that k owns. */
static hessc_status find_problem(cc_kernels *k, const char *object, diag_sink *diags)
{
	size_t (*bytes)(void);
	const hessc_problem *(*setup)(void *);
	k->problem = dlsym(k->handle, CC_PREFIX "_problem");
	if (k->problem)
		return HESSC_OK;
	*(void **)&bytes = dlsym(k->handle, CC_PREFIX "_setup_bytes");
	*(void **)&setup = dlsym(k->handle, CC_PREFIX "_setup");
	if (bytes && setup) {
		k->setup_block = malloc(bytes());
		if (!k->setup_block)
			return HESSC_ERR_NOMEM;
		k->problem = setup(k->setup_block);
	}
	if (!k->problem) {
		source_loc loc = { .file = object };
		diag_report(diags, DIAG_ERROR, loc, NULL, 0, "the compiled kernels lack %s and %s",
		            CC_PREFIX "_problem", CC_PREFIX "_setup");
		return HESSC_ERR_INTERNAL;
	}
	return HESSC_OK;
}

hessc_status cc_kernels_bind_block(const cc_kernels *k, const void *inputs, void **block,
                                   const hessc_problem **problem)
{
	size_t (*bytes)(void);
	const hessc_problem *(*setup)(void *);
	const hessc_problem *(*bind)(void *, const void *);
	*block = NULL;
	*problem = NULL;
	*(void **)&bytes = dlsym(k->handle, CC_PREFIX "_setup_bytes");
	*(void **)&setup = dlsym(k->handle, CC_PREFIX "_setup");
	*(void **)&bind = dlsym(k->handle, CC_PREFIX "_bind");
	if (!bytes || !setup || !bind)
		return HESSC_ERR_INTERNAL;
	void *mem = malloc(bytes());
	if (!mem)
		return HESSC_ERR_NOMEM;
	if (!setup(mem)) {
		free(mem);
		return HESSC_ERR_INTERNAL;
	}
	*problem = bind(mem, inputs);
	*block = mem;
	return HESSC_OK;
}

/* A copy of the compiled object at `to`, whole or not at all (the kernel
 * cache keeps it).  Failing costs the next run a compilation, not this
 * one its kernels: a warning. */
static hessc_status save_object(const char *from, const char *to, diag_sink *diags)
{
	char buf[65536];
	size_t got;
	atomic_file af = { 0 };
	FILE *in = fopen(from, "rb");
	int failed = !in || atomic_file_open(&af, to) != 0;
	while (!failed && (got = fread(buf, 1, sizeof buf, in)) > 0)
		failed = fwrite(buf, 1, got, af.stream) != got;
	if (!failed && ferror(in))
		failed = 1;
	if (in)
		fclose(in);
	if (failed)
		atomic_file_abort(&af);
	else if (atomic_file_commit(&af) != 0)
		failed = 1;
	if (failed) {
		source_loc loc = { .file = to };
		diag_report(diags, DIAG_WARNING, loc, NULL, 0,
		            "cannot keep the compiled kernels in the cache: %s", strerror(errno));
		return HESSC_ERR_INTERNAL;
	}
	return HESSC_OK;
}

hessc_status cc_kernels_open(const char *path, diag_sink *diags, cc_kernels **out)
{
	*out = NULL;
	cc_kernels *k = calloc(1, sizeof *k);
	if (!k)
		return HESSC_ERR_NOMEM;
	hessc_status st = HESSC_ERR_INTERNAL;
	k->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!k->handle) {
		source_loc loc = { .file = path };
		diag_report(diags, DIAG_ERROR, loc, NULL, 0, "cannot load the compiled kernels: %s",
		            dlerror());
	} else {
		st = find_problem(k, path, diags);
	}
	if (st != HESSC_OK) {
		cc_kernels_free(k);
		return st;
	}
	*out = k;
	return HESSC_OK;
}

/* Write the sources with `write`, compile, load. */
static hessc_status load_by(emit_c_writer write, void *ctx, const cc_options *opt,
                            diag_sink *diags, cc_kernels **out)
{
	static const cc_options defaults = { 0 };
	if (!opt)
		opt = &defaults;
	if (opt->saved)
		*opt->saved = 0;
	*out = NULL;
	workdir w = { 0 };
	cc_kernels *k = NULL;
	hessc_status st = make_workdir(&w, diags);
	if (st != HESSC_OK)
		goto done;
	st = emit_c_files_by(write, ctx, w.base, diags);
	if (st != HESSC_OK)
		goto done;
	st = compile(&w, opt, diags);
	if (st != HESSC_OK)
		goto done;
	if (opt->save_object && save_object(w.object, opt->save_object, diags) == HESSC_OK &&
	    opt->saved)
		*opt->saved = 1;
	st = cc_kernels_open(w.object, diags, &k);
	if (st != HESSC_OK)
		goto done;
	*out = k;
	k = NULL;
done:
	/* the loaded object stays mapped after its file is gone */
	remove_workdir(&w);
	cc_kernels_free(k);
	return st;
}

typedef struct unrolled_sources {
	const model *m;
	const derivatives *d;
	const tape *t;
	size_t chunk;
} unrolled_sources;

static hessc_status write_unrolled(void *ctx, const char *header_name, FILE *c_out, FILE *h_out)
{
	const unrolled_sources *u = ctx;
	emit_c_options eo = { .prefix = CC_PREFIX, .header_name = header_name,
	                      .chunk_statements = u->chunk };
	return emit_c(u->m, u->d, u->t, &eo, c_out, h_out);
}

hessc_status cc_backend_load(const model *m, const derivatives *d, const tape *t,
                             const cc_options *opt, diag_sink *diags,
                             cc_kernels **out)
{
	unrolled_sources u = { m, d, t, opt ? opt->chunk_statements : 0 };
	return load_by(write_unrolled, &u, opt, diags, out);
}

typedef struct templated_sources {
	const model *m;
	const tmpl_set *s;
} templated_sources;

static hessc_status write_templated(void *ctx, const char *header_name, FILE *c_out,
                                    FILE *h_out)
{
	const templated_sources *ts = ctx;
	emit_c_options eo = { .prefix = CC_PREFIX, .header_name = header_name };
	return emit_template(ts->m, ts->s, &eo, c_out, h_out);
}

hessc_status cc_backend_load_templated(const model *m, const tmpl_set *s, const cc_options *opt,
                                       diag_sink *diags, cc_kernels **out)
{
	templated_sources ts = { m, s };
	return load_by(write_templated, &ts, opt, diags, out);
}

const hessc_problem *cc_kernels_problem(const cc_kernels *k)
{
	return k->problem;
}

void cc_kernels_free(cc_kernels *k)
{
	if (!k)
		return;
	if (k->handle)
		dlclose(k->handle);
	free(k->setup_block);
	free(k);
}
