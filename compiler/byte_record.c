/* byte_record.c -- see byte_record.h. */
#include "byte_record.h"

#include <stdlib.h>
#include <string.h>

void record_put(record_writer *w, const void *p, size_t n)
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

void record_put_u64(record_writer *w, uint64_t v)
{
	record_put(w, &v, sizeof v);
}

void record_put_str(record_writer *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	record_put_u64(w, n);
	record_put(w, s, n);
}

int record_take(record_reader *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		if (n)
			memset(dst, 0, n);
		return 0;
	}
	if (n)
		memcpy(dst, r->p, n);
	r->p += n;
	return 1;
}

uint64_t record_take_u64(record_reader *r)
{
	uint64_t v = 0;
	record_take(r, &v, sizeof v);
	return v;
}

void *record_take_array(record_reader *r, uint64_t count, size_t size)
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
	record_take(r, a, count * size);
	return a;
}

char *record_take_str(record_reader *r)
{
	uint64_t n = record_take_u64(r);
	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = 1;
		return NULL;
	}
	char *s = malloc(n + 1);
	if (!s) {
		r->bad = 1;
		return NULL;
	}
	record_take(r, s, n);
	s[n] = '\0';
	return s;
}
