/* test_node_map.c -- the epoch-stamped map derive uses per term: finding,
 * growing, and emptying in O(1) without stale entries coming back. */
#include <CUnit/Basic.h>
#include <stdlib.h>

#include "node_map.h"

static void test_inserted_keys_are_found_and_others_are_not(void)
{
	node_map m;
	CU_ASSERT_FATAL(node_map_init(&m, 4));
	for (node_id k = 0; k < 1000; k++)
		CU_ASSERT_FATAL(node_map_insert(&m, k * 7919u, k));
	CU_ASSERT(m.cap >= 2000);   /* grew, at most half full */
	for (node_id k = 0; k < 1000; k++) {
		uint32_t *v = node_map_find(&m, k * 7919u);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CU_ASSERT_EQUAL(*v, k);
	}
	CU_ASSERT_PTR_NULL(node_map_find(&m, 1));
	*node_map_find(&m, 7919u) = 42;
	CU_ASSERT_EQUAL(*node_map_find(&m, 7919u), 42);
	node_map_free(&m);
}

static void test_clearing_forgets_every_key_without_touching_the_slots(void)
{
	node_map m;
	CU_ASSERT_FATAL(node_map_init(&m, 64));
	for (int round = 0; round < 100; round++) {
		for (node_id k = 0; k < 20; k++)
			CU_ASSERT_FATAL(node_map_insert(&m, (node_id)round * 1000u + k, k));
		CU_ASSERT_EQUAL(m.used, 20);
		if (round > 0)
			CU_ASSERT_PTR_NULL(node_map_find(&m, (node_id)(round - 1) * 1000u + 3));
		CU_ASSERT_EQUAL(*node_map_find(&m, (node_id)round * 1000u + 3), 3);
		node_map_clear(&m);
		CU_ASSERT_PTR_NULL(node_map_find(&m, (node_id)round * 1000u + 3));
	}
	CU_ASSERT_EQUAL(m.cap, 64);  /* twenty keys never needed more */
	node_map_free(&m);
}

static void test_the_epoch_wrapping_around_leaves_no_stale_keys(void)
{
	node_map m;
	CU_ASSERT_FATAL(node_map_init(&m, 64));
	CU_ASSERT_FATAL(node_map_insert(&m, 5, 1));
	m.epoch = UINT32_MAX;       /* as after 4 billion clears */
	CU_ASSERT_FATAL(node_map_insert(&m, 9, 2));
	node_map_clear(&m);         /* wraps: every stamp is reset */
	CU_ASSERT_EQUAL(m.epoch, 1);
	CU_ASSERT_PTR_NULL(node_map_find(&m, 5));
	CU_ASSERT_PTR_NULL(node_map_find(&m, 9));
	node_map_free(&m);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("node_map", NULL, NULL);
	CU_add_test(s, "inserted keys are found and others are not", test_inserted_keys_are_found_and_others_are_not);
	CU_add_test(s, "clearing forgets every key without touching the slots", test_clearing_forgets_every_key_without_touching_the_slots);
	CU_add_test(s, "the epoch wrapping around leaves no stale keys", test_the_epoch_wrapping_around_leaves_no_stale_keys);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
