/* kcache.c -- kernel cache: keys, metadata records, atomic files. */
#include "kcache.h"

#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- metadata record ------------------------------------------------------
 * "HSCMETA" + format version byte, then fields in native byte order (the
 * key holds the target triple, so a record is never read on another kind
 * of machine):  u64 maximize, n, nnz, work_size; str name, objective;
 * n x str names; n x f64 x0, lower, upper; (n+1) x i32 colptr; nnz x i32
 * rowind.  A str is u64 length + bytes. */

static const char meta_magic[8] = { 'H', 'S', 'C', 'M', 'E', 'T', 'A', 1 };

typedef struct writer {
	unsigned char *buf;
	size_t len, cap;
	int failed;
} writer;

static void put(writer *w, const void *p, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + n)
			cap *= 2;
		unsigned char *nb = realloc(w->buf, cap);
		if (!nb) {
			w->failed = 1;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void put_u64(writer *w, uint64_t v) { put(w, &v, sizeof v); }

static void put_str(writer *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	put_u64(w, n);
	put(w, s, n);
}

hessc_status kernel_meta_serialize(const kernel_meta *m, unsigned char **bytes, size_t *len)
{
	writer w = { 0 };
	*bytes = NULL;
	*len = 0;
	put(&w, meta_magic, sizeof meta_magic);
	put_u64(&w, (uint64_t)m->maximize);
	put_u64(&w, m->n);
	put_u64(&w, m->nnz);
	put_u64(&w, m->work_size);
	put_str(&w, m->name);
	put_str(&w, m->objective);
	for (size_t i = 0; i < m->n; i++)
		put_str(&w, m->names[i]);
	put(&w, m->x0, m->n * sizeof *m->x0);
	put(&w, m->lower, m->n * sizeof *m->lower);
	put(&w, m->upper, m->n * sizeof *m->upper);
	put(&w, m->colptr, (m->n + 1) * sizeof *m->colptr);
	put(&w, m->rowind, m->nnz * sizeof *m->rowind);
	if (w.failed) {
		free(w.buf);
		return HESSC_ERR_NOMEM;
	}
	*bytes = w.buf;
	*len = w.len;
	return HESSC_OK;
}

typedef struct reader {
	const unsigned char *p, *end;
	int bad;
} reader;

static int take(reader *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return 0;
	}
	if (n)
		memcpy(dst, r->p, n);
	r->p += n;
	return 1;
}

static uint64_t take_u64(reader *r)
{
	uint64_t v = 0;
	take(r, &v, sizeof v);
	return v;
}

/* An array of `count` items of `size` bytes, refused before allocating when
 * the record is too short to hold it (a corrupt count is not a huge malloc). */
static void *take_array(reader *r, uint64_t count, size_t size)
{
	if (r->bad || count > (uint64_t)(r->end - r->p) / size) {
		r->bad = 1;
		return NULL;
	}
	void *a = malloc(count ? count * size : 1);
	if (!a) {
		r->bad = 1;
		return NULL;
	}
	take(r, a, count * size);
	return a;
}

static char *take_str(reader *r)
{
	uint64_t n = take_u64(r);
	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = 1;
		return NULL;
	}
	char *s = malloc(n + 1);
	if (!s) {
		r->bad = 1;
		return NULL;
	}
	take(r, s, n);
	s[n] = '\0';
	return s;
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
	reader r = { bytes, bytes + len, 0 };
	char magic[sizeof meta_magic];
	memset(out, 0, sizeof *out);
	if (!take(&r, magic, sizeof magic) || memcmp(magic, meta_magic, sizeof magic) != 0)
		return HESSC_ERR_INTERNAL;
	out->maximize = take_u64(&r) != 0;
	uint64_t n = take_u64(&r), nnz = take_u64(&r), work = take_u64(&r);
	if (r.bad || n >= INT32_MAX || nnz >= INT32_MAX || work > SIZE_MAX / sizeof(double))
		return HESSC_ERR_INTERNAL;
	out->nnz = (size_t)nnz;
	out->work_size = (size_t)work;
	out->name = take_str(&r);
	out->objective = take_str(&r);
	/* every name takes at least its 8-byte length: a bound on n before calloc */
	if (n > (uint64_t)(r.end - r.p) / sizeof(uint64_t))
		r.bad = 1;
	else if (!(out->names = calloc(n ? n : 1, sizeof *out->names)))
		r.bad = 1;
	if (!r.bad) {
		out->n = (size_t)n;   /* set once names[] can be freed safely */
		for (size_t i = 0; i < n && !r.bad; i++)
			out->names[i] = take_str(&r);
	}
	out->x0 = take_array(&r, n, sizeof *out->x0);
	out->lower = take_array(&r, n, sizeof *out->lower);
	out->upper = take_array(&r, n, sizeof *out->upper);
	out->colptr = take_array(&r, n + 1, sizeof *out->colptr);
	out->rowind = take_array(&r, nnz, sizeof *out->rowind);
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
