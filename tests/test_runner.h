/* test_runner.h -- run one CUnit suite of named tests.
 *
 * The exit status comes from CU_get_number_of_failure_records(), not from the
 * count of failed tests: a suite whose setup fails fails no test, but it
 * leaves a record.
 */
#ifndef HESSC_TEST_RUNNER_H
#define HESSC_TEST_RUNNER_H

#include <CUnit/Basic.h>
#include <stddef.h>

typedef struct test_case {
	const char *name;  /* reads as a sentence */
	CU_TestFunc fn;
} test_case;

#define TEST_COUNT(tests) (sizeof(tests) / sizeof(tests)[0])

/* 0 when every test passed, 1 otherwise (CUnit's own failures included). */
static inline int run_test_suite(const char *suite_name, const test_case *tests, size_t n)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
	int failed = suite == NULL;
	for (size_t k = 0; !failed && k < n; k++)
		failed = CU_add_test(suite, tests[k].name, tests[k].fn) == NULL;
	if (!failed) {
		CU_basic_set_mode(CU_BRM_VERBOSE);
		CU_basic_run_tests();
		failed = CU_get_number_of_failure_records() != 0;
	}
	CU_cleanup_registry();
	return failed;
}

#endif
