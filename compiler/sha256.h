/* sha256.h -- SHA-256 (FIPS 180-4), for the kernel cache's keys.
 *
 * In:  bytes, fed in any number of pieces.
 * Out: the 32-byte digest, or its 64-character lowercase hex spelling.
 * 256 bits, so two different models never share a cache entry by accident.
 */
#ifndef HESSC_SHA256_H
#define HESSC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
	uint32_t state[8];
	uint64_t length;         /* bytes hashed so far */
	unsigned char block[64]; /* the partial block */
	size_t used;             /* bytes in `block` */
} sha256_ctx;

#define SHA256_HEX_SIZE 65   /* 64 hex digits and the terminating 0 */

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, unsigned char digest[32]);
void sha256_hex(const unsigned char digest[32], char hex[SHA256_HEX_SIZE]);

#endif
