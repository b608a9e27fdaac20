/* test_kcache.c -- the kernel cache's pieces: SHA-256 against FIPS 180-4's
 * examples, keys that keep fields apart, metadata records that round-trip
 * and that are refused when damaged, files written whole. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kcache.h"
#include "sha256.h"

static void hex_of(const char *text, size_t len, char hex[SHA256_HEX_SIZE])
{
	sha256_ctx c;
	unsigned char d[32];
	sha256_init(&c);
	sha256_update(&c, text, len);
	sha256_final(&c, d);
	sha256_hex(d, hex);
}

static void test_sha256_matches_the_standard_examples(void)
{
	char hex[SHA256_HEX_SIZE];
	hex_of("abc", 3, hex);
	CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of("", 0, hex);
	CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hex_of(two_blocks, strlen(two_blocks), hex);
	CU_ASSERT_STRING_EQUAL(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a', fed in uneven pieces */
	sha256_ctx c;
	unsigned char d[32];
	char piece[997];
	memset(piece, 'a', sizeof piece);
	sha256_init(&c);
	size_t left = 1000000;
	while (left) {
		size_t n = left < sizeof piece ? left : sizeof piece;
		sha256_update(&c, piece, n);
		left -= n;
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void key_of(const char *a, const char *b, char hex[SHA256_HEX_SIZE])
{
	kcache_key k;
	kcache_key_init(&k);
	kcache_key_add_str(&k, "f", a);
	kcache_key_add_str(&k, "f", b);
	kcache_key_final(&k, hex);
}

static void test_keys_keep_fields_apart(void)
{
	char k1[SHA256_HEX_SIZE], k2[SHA256_HEX_SIZE], k3[SHA256_HEX_SIZE], k4[SHA256_HEX_SIZE];
	key_of("ab", "c", k1);
	key_of("a", "bc", k2);
	key_of("abc", "", k3);
	key_of("abc", NULL, k4);
	CU_ASSERT_STRING_NOT_EQUAL(k1, k2);
	CU_ASSERT_STRING_NOT_EQUAL(k1, k3);
	CU_ASSERT_STRING_NOT_EQUAL(k3, k4);
	key_of("ab", "c", k2);
	CU_ASSERT_STRING_EQUAL(k1, k2);
}

/* A 3-variable model: x[1..3], pattern: (0,0) (2,0) (1,1) (2,2). */
static void sample(kernel_meta *m)
{
	static char *names[] = { "x[1]", "x[2]", "x[3]" };
	static double x0[] = { 1, -2.5, 0 }, lo[] = { -INFINITY, 0, -1 }, up[] = { INFINITY, 4, 1 };
	static int32_t colptr[] = { 0, 2, 3, 4 }, rowind[] = { 0, 2, 1, 2 };
	*m = (kernel_meta){ .name = "sample", .objective = "obj", .maximize = 1, .n = 3,
	                    .names = names, .x0 = x0, .lower = lo, .upper = up, .nnz = 4,
	                    .colptr = colptr, .rowind = rowind, .work_size = 7 };
}

static void test_metadata_round_trips(void)
{
	kernel_meta m, back;
	unsigned char *bytes;
	size_t len;
	sample(&m);
	CU_ASSERT_EQUAL_FATAL(kernel_meta_serialize(&m, &bytes, &len), HESSC_OK);
	CU_ASSERT_EQUAL_FATAL(kernel_meta_parse(bytes, len, &back), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(back.name, "sample");
	CU_ASSERT_STRING_EQUAL(back.objective, "obj");
	CU_ASSERT_EQUAL(back.maximize, 1);
	CU_ASSERT_EQUAL(back.n, 3);
	CU_ASSERT_EQUAL(back.nnz, 4);
	CU_ASSERT_EQUAL(back.work_size, 7);
	CU_ASSERT_STRING_EQUAL(back.names[2], "x[3]");
	CU_ASSERT_EQUAL(back.x0[1], -2.5);
	CU_ASSERT(isinf(back.lower[0]) && back.lower[0] < 0);
	CU_ASSERT_EQUAL(back.upper[1], 4);
	CU_ASSERT_EQUAL(back.colptr[3], 4);
	CU_ASSERT_EQUAL(back.rowind[1], 2);
	kernel_meta_free(&back);
	free(bytes);
}

static void test_every_truncated_or_damaged_record_is_refused(void)
{
	kernel_meta m, back;
	unsigned char *bytes;
	size_t len;
	sample(&m);
	CU_ASSERT_EQUAL_FATAL(kernel_meta_serialize(&m, &bytes, &len), HESSC_OK);
	int accepted = 0;
	for (size_t cut = 0; cut < len; cut++)
		if (kernel_meta_parse(bytes, cut, &back) == HESSC_OK) {
			accepted++;
			kernel_meta_free(&back);
		}
	CU_ASSERT_EQUAL(accepted, 0);
	/* a row index above n, or above the diagonal, would let kernels write
	 * out of bounds: refused */
	size_t last = len - sizeof(int32_t);
	int32_t bad = 3;
	memcpy(bytes + last, &bad, sizeof bad);
	CU_ASSERT_NOT_EQUAL(kernel_meta_parse(bytes, len, &back), HESSC_OK);
	bad = 1;  /* column 2, row 1: above the diagonal */
	memcpy(bytes + last, &bad, sizeof bad);
	CU_ASSERT_NOT_EQUAL(kernel_meta_parse(bytes, len, &back), HESSC_OK);
	/* a huge count is refused before anything is allocated */
	uint64_t huge = UINT64_MAX / 4;
	memcpy(bytes + 16, &huge, sizeof huge);   /* n */
	CU_ASSERT_NOT_EQUAL(kernel_meta_parse(bytes, len, &back), HESSC_OK);
	free(bytes);
}

static void test_files_are_written_whole_and_read_back(void)
{
	char dir[] = "/tmp/hessc-test-kcache-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char sub[128];
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	CU_ASSERT_EQUAL(kcache_make_dir(sub), HESSC_OK);
	CU_ASSERT_EQUAL(kcache_make_dir(sub), HESSC_OK);   /* already there: fine */
	char *path = kcache_path(sub, "0123", "o");
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	unsigned char *bytes;
	size_t len;
	int found = 1;
	CU_ASSERT_EQUAL(kcache_read(path, &bytes, &len, &found), HESSC_OK);
	CU_ASSERT_EQUAL(found, 0);
	CU_ASSERT_EQUAL(kcache_write(path, "hello", 5), HESSC_OK);
	CU_ASSERT_EQUAL(kcache_read(path, &bytes, &len, &found), HESSC_OK);
	CU_ASSERT_EQUAL(found, 1);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT(len == 5 && memcmp(bytes, "hello", 5) == 0);
	free(bytes);
	free(path);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) = 1 && rm -rf '%s'", sub, dir);
	CU_ASSERT_EQUAL(system(cmd), 0);   /* no temporary file left beside it */
}

static void test_the_cache_folder_comes_from_the_environment(void)
{
	char *dir;
	setenv("HESSC_CACHE_DIR", "/tmp/x-hessc", 1);
	CU_ASSERT_EQUAL(kcache_dir(NULL, &dir), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(dir, "/tmp/x-hessc");
	free(dir);
	CU_ASSERT_EQUAL(kcache_dir("/given", &dir), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(dir, "/given");
	free(dir);
	unsetenv("HESSC_CACHE_DIR");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	CU_ASSERT_EQUAL(kcache_dir(NULL, &dir), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(dir, "/xdg/hessc");
	free(dir);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	CU_ASSERT_EQUAL(kcache_dir(NULL, &dir), HESSC_OK);
	CU_ASSERT_STRING_EQUAL(dir, "/home/u/.cache/hessc");
	free(dir);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("kcache", NULL, NULL);
	CU_add_test(s, "sha256 matches the standard examples", test_sha256_matches_the_standard_examples);
	CU_add_test(s, "keys keep fields apart", test_keys_keep_fields_apart);
	CU_add_test(s, "metadata round-trips", test_metadata_round_trips);
	CU_add_test(s, "every truncated or damaged record is refused", test_every_truncated_or_damaged_record_is_refused);
	CU_add_test(s, "files are written whole and read back", test_files_are_written_whole_and_read_back);
	CU_add_test(s, "the cache folder comes from the environment", test_the_cache_folder_comes_from_the_environment);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
