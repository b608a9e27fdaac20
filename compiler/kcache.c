/* kcache.c -- kernel cache: keys, metadata records, atomic files. */
#include "kcache.h"

#include "atomic_file.h"
#include "byte_record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- metadata record ------------------------------------------------------
 * "HSCMETA" + format version byte, then fields (byte_record.h):  u64
 * maximize, n, nnz, work_size, backend, loops; str name, objective; n x str
 * names; n x f64 x0, lower, upper; (n+1) x i32 colptr; nnz x i32 rowind;
 * u64 setup length + setup bytes; u64 n_inputs, then per input str name,
 * u64 count, str layout. */

static const char meta_magic[8] = { 'H', 'S', 'C', 'M', 'E', 'T', 'A', 3 };

hessc_status kernel_meta_serialize(const kernel_meta *m, unsigned char **bytes, size_t *len)
{
	record_writer w = { 0 };
	*bytes = NULL;
	*len = 0;
	record_put(&w, meta_magic, sizeof meta_magic);
	record_put_u64(&w, (uint64_t)m->maximize);
	record_put_u64(&w, m->n);
	record_put_u64(&w, m->nnz);
	record_put_u64(&w, m->work_size);
	record_put_u64(&w, (uint64_t)m->backend);
	record_put_u64(&w, m->loops);
	record_put_str(&w, m->name);
	record_put_str(&w, m->objective);
	for (size_t i = 0; i < m->n; i++)
		record_put_str(&w, m->names[i]);
	record_put(&w, m->x0, m->n * sizeof *m->x0);
	record_put(&w, m->lower, m->n * sizeof *m->lower);
	record_put(&w, m->upper, m->n * sizeof *m->upper);
	record_put(&w, m->colptr, (m->n + 1) * sizeof *m->colptr);
	record_put(&w, m->rowind, m->nnz * sizeof *m->rowind);
	record_put_u64(&w, m->setup_len);
	record_put(&w, m->setup, m->setup_len);
	record_put_u64(&w, m->n_inputs);
	for (size_t a = 0; a < m->n_inputs; a++) {
		record_put_str(&w, m->input_names[a]);
		record_put_u64(&w, m->input_counts[a]);
		record_put_str(&w, m->input_layouts[a]);
	}
	if (w.failed) {
		free(w.buf);
		return HESSC_ERR_NOMEM;
	}
	*bytes = w.buf;
	*len = w.len;
	return HESSC_OK;
}

void kernel_meta_free(kernel_meta *m)
{
	if (!m)
		return;
	if (m->names)
		for (size_t i = 0; i < m->n; i++)
			free(m->names[i]);
	free(m->names);
	free(m->name);
	free(m->objective);
	free(m->x0);
	free(m->lower);
	free(m->upper);
	free(m->colptr);
	free(m->rowind);
	free(m->setup);
	for (size_t a = 0; a < m->n_inputs; a++) {
		if (m->input_names)
			free(m->input_names[a]);
		if (m->input_layouts)
			free(m->input_layouts[a]);
	}
	free(m->input_names);
	free(m->input_counts);
	free(m->input_layouts);
	memset(m, 0, sizeof *m);
}

/* The pattern must be one the kernels can index safely. */
static int pattern_valid(const kernel_meta *m)
{
	if (m->colptr[0] != 0 || (uint64_t)m->colptr[m->n] != m->nnz)
		return 0;
	for (size_t j = 0; j < m->n; j++) {
		if (m->colptr[j + 1] < m->colptr[j])
			return 0;
		for (int32_t k = m->colptr[j]; k < m->colptr[j + 1]; k++)
			if (m->rowind[k] < (int32_t)j || (size_t)m->rowind[k] >= m->n)
				return 0;
	}
	return 1;
}

hessc_status kernel_meta_parse(const unsigned char *bytes, size_t len, kernel_meta *out)
{
	record_reader r = { bytes, bytes + len, 0 };
	char magic[sizeof meta_magic];
	memset(out, 0, sizeof *out);
	if (!record_take(&r, magic, sizeof magic) || memcmp(magic, meta_magic, sizeof magic) != 0)
		return HESSC_ERR_INTERNAL;
	out->maximize = record_take_u64(&r) != 0;
	uint64_t n = record_take_u64(&r), nnz = record_take_u64(&r), work = record_take_u64(&r);
	uint64_t backend = record_take_u64(&r), loops = record_take_u64(&r);
	if (r.bad || n >= INT32_MAX || nnz >= INT32_MAX || work > SIZE_MAX / sizeof(double) ||
	    backend > 2)
		return HESSC_ERR_INTERNAL;
	out->nnz = (size_t)nnz;
	out->work_size = (size_t)work;
	out->backend = (int)backend;
	out->loops = (size_t)loops;
	out->name = record_take_str(&r);
	out->objective = record_take_str(&r);
	/* every name takes at least its 8-byte length: a bound on n before calloc */
	if (n > (uint64_t)(r.end - r.p) / sizeof(uint64_t))
		r.bad = 1;
	else if (!(out->names = calloc(n ? n : 1, sizeof *out->names)))
		r.bad = 1;
	if (!r.bad) {
		out->n = (size_t)n;   /* set once names[] can be freed safely */
		for (size_t i = 0; i < n && !r.bad; i++)
			out->names[i] = record_take_str(&r);
	}
	out->x0 = record_take_array(&r, n, sizeof *out->x0);
	out->lower = record_take_array(&r, n, sizeof *out->lower);
	out->upper = record_take_array(&r, n, sizeof *out->upper);
	out->colptr = record_take_array(&r, n + 1, sizeof *out->colptr);
	out->rowind = record_take_array(&r, nnz, sizeof *out->rowind);
	uint64_t setup_len = record_take_u64(&r);
	if (setup_len)
		out->setup = record_take_array(&r, setup_len, 1);
	out->setup_len = out->setup ? (size_t)setup_len : 0;
	uint64_t n_inputs = record_take_u64(&r);
	/* every input takes at least 24 bytes: a bound before calloc */
	if (!r.bad && n_inputs > (uint64_t)(r.end - r.p) / 24)
		r.bad = 1;
	if (!r.bad && n_inputs > 0) {
		out->input_names = calloc(n_inputs, sizeof *out->input_names);
		out->input_counts = calloc(n_inputs, sizeof *out->input_counts);
		out->input_layouts = calloc(n_inputs, sizeof *out->input_layouts);
		if (!out->input_names || !out->input_counts || !out->input_layouts)
			r.bad = 1;
		else
			out->n_inputs = (size_t)n_inputs;   /* set once the arrays can be freed */
		for (size_t a = 0; a < out->n_inputs && !r.bad; a++) {
			out->input_names[a] = record_take_str(&r);
			out->input_counts[a] = (size_t)record_take_u64(&r);
			out->input_layouts[a] = record_take_str(&r);
			if (!out->input_names[a] || !out->input_layouts[a])
				r.bad = 1;
		}
	}
	out->n = (size_t)n;
	if (r.bad || r.p != r.end || !pattern_valid(out)) {
		kernel_meta_free(out);
		return HESSC_ERR_INTERNAL;
	}
	return HESSC_OK;
}

/* ---- keys ------------------------------------------------------------------ */

void kcache_key_init(kcache_key *k)
{
	sha256_init(&k->sha);
	kcache_key_add_str(k, "kcache-key", "1");
}

void kcache_key_add(kcache_key *k, const char *tag, const void *bytes, size_t len)
{
	uint64_t tag_len = strlen(tag), n = len;
	sha256_update(&k->sha, &tag_len, sizeof tag_len);
	sha256_update(&k->sha, tag, tag_len);
	sha256_update(&k->sha, &n, sizeof n);
	sha256_update(&k->sha, bytes, len);
}

void kcache_key_add_str(kcache_key *k, const char *tag, const char *s)
{
	/* NULL and "" differ: NULL is marked by a length of all ones. */
	if (!s) {
		uint64_t tag_len = strlen(tag), none = UINT64_MAX;
		sha256_update(&k->sha, &tag_len, sizeof tag_len);
		sha256_update(&k->sha, tag, tag_len);
		sha256_update(&k->sha, &none, sizeof none);
		return;
	}
	kcache_key_add(k, tag, s, strlen(s));
}

void kcache_key_final(kcache_key *k, char hex[SHA256_HEX_SIZE])
{
	unsigned char digest[32];
	sha256_final(&k->sha, digest);
	sha256_hex(digest, hex);
}

/* ---- files ----------------------------------------------------------------- */

static char *join(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

hessc_status kcache_dir(const char *override, char **dir)
{
	const char *env;
	*dir = NULL;
	if (override && *override)
		*dir = join(override, "", "");
	else if ((env = getenv("HESSC_CACHE_DIR")) && *env)
		*dir = join(env, "", "");
	else if ((env = getenv("XDG_CACHE_HOME")) && *env == '/')
		*dir = join(env, "/hessc", "");
	else if ((env = getenv("HOME")) && *env)
		*dir = join(env, "/.cache/hessc", "");
	else
		return HESSC_ERR_INTERNAL;  /* nowhere to keep a cache */
	return *dir ? HESSC_OK : HESSC_ERR_NOMEM;
}

hessc_status kcache_make_dir(const char *dir)
{
	char *path = join(dir, "", "");
	hessc_status st = HESSC_OK;
	if (!path)
		return HESSC_ERR_NOMEM;
	/* Create each missing ancestor in turn; another process creating the
	 * same folder at the same moment is fine (EEXIST). */
	for (char *p = path + 1;; p++) {
		char saved = *p;
		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			st = HESSC_ERR_INTERNAL;
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	struct stat sb;
	if (st == HESSC_OK && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		st = HESSC_ERR_INTERNAL;
	free(path);
	return st;
}

char *kcache_path(const char *dir, const char *key, const char *ext)
{
	char *base = join(dir, "/", key);
	if (!base)
		return NULL;
	char *path = join(base, ".", ext);
	free(base);
	return path;
}

hessc_status kcache_read(const char *path, unsigned char **bytes, size_t *len, int *found)
{
	hessc_status st = HESSC_ERR_INTERNAL;
	unsigned char *buf = NULL;
	*bytes = NULL;
	*len = 0;
	*found = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? HESSC_OK : HESSC_ERR_INTERNAL;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto done;
	size_t size = (size_t)sb.st_size, got = 0;
	buf = malloc(size ? size : 1);
	if (!buf) {
		st = HESSC_ERR_NOMEM;
		goto done;
	}
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto done;
		got += (size_t)r;
	}
	*bytes = buf;
	*len = size;
	*found = 1;
	buf = NULL;
	st = HESSC_OK;
done:
	free(buf);
	close(fd);
	return st;
}

hessc_status kcache_write(const char *path, const void *bytes, size_t len)
{
	atomic_file af;
	if (atomic_file_open(&af, path) != 0)
		return HESSC_ERR_INTERNAL;
	if (fwrite(bytes, 1, len, af.stream) != len) {
		atomic_file_abort(&af);
		return HESSC_ERR_INTERNAL;
	}
	return atomic_file_commit(&af) == 0 ? HESSC_OK : HESSC_ERR_INTERNAL;
}
