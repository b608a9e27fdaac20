/* byte_record.h -- records of fields as bytes, written and read back: what
 * the kernel cache keeps on disk (kcache.c's metadata, llvm_loop_data.c's
 * loop descriptions).
 *
 * In:  fields (integers, strings, arrays) in the writer's order.
 * Out: one malloc'ed buffer; read back in the same order.  Fields are in
 *      native byte order: cache keys hold the target, so a record is never
 *      read on another kind of machine.  Reading never goes past the end:
 *      a short or damaged record sets `bad` and every later read returns
 *      zeros or NULL, so a parser checks once at the end.
 */
#ifndef HESSC_BYTE_RECORD_H
#define HESSC_BYTE_RECORD_H

#include <stddef.h>
#include <stdint.h>

typedef struct record_writer {
	unsigned char *buf;
	size_t len, cap;
	int failed;          /* out of memory: the buffer is incomplete */
} record_writer;

void record_put(record_writer *w, const void *p, size_t n);
void record_put_u64(record_writer *w, uint64_t v);
void record_put_str(record_writer *w, const char *s);  /* u64 length + bytes; NULL as "" */

typedef struct record_reader {
	const unsigned char *p, *end;
	int bad;
} record_reader;

/* 1 when n bytes were copied to dst, else 0 and r->bad set. */
int record_take(record_reader *r, void *dst, size_t n);
uint64_t record_take_u64(record_reader *r);
/* `count` items of `size` bytes, malloc'ed; refused before allocating when
 * the record is too short to hold them (a damaged count is not a huge
 * malloc).  NULL and r->bad set on failure. */
void *record_take_array(record_reader *r, uint64_t count, size_t size);
char *record_take_str(record_reader *r);

#endif
