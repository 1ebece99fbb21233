#include <stdint.h>
#include <string.h>

#include "model.h"
#include "tls/bounds.h"
#include "unit.h"

START_TEST(an_entry_that_comes_round_again_stops_the_walk)
{
	/* A thread whose list entry points at itself: the same struct
	 * pthread, over and over. */
	struct pi_tdb_walk_guard g;
	pi_tdb_guard_init(&g, 5);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x7f0000001000), 0);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x7f0000802000), 0);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x7f0000802000), -PI_ERR_THREAD_LIST_LOOP);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x7f0000001000), -PI_ERR_THREAD_LIST_LOOP);
	ck_assert_uint_eq(g.count, 2);
	pi_tdb_guard_free(&g);
}
END_TEST

START_TEST(a_long_cycle_is_caught_too)
{
	/* 3000 entries 2 KiB apart (the size of struct pthread), the list
	 * closing on its first: aligned addresses, many sharing low bits. */
	struct pi_tdb_walk_guard g;
	pi_tdb_guard_init(&g, 3000);
	for (uint64_t i = 0; i < 3000; i++)
		ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x7f0000000000 + i * 2048), 0);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x7f0000000000), -PI_ERR_THREAD_LIST_LOOP);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x7f0000000000 + 2999 * 2048),
			 -PI_ERR_THREAD_LIST_LOOP);
	pi_tdb_guard_free(&g);
}
END_TEST

START_TEST(a_list_longer_than_the_threads_allow_is_cut)
{
	/* Distinct entries without end (a forged list running through a
	 * large mapping): at most twice the threads, and 64. */
	struct pi_tdb_walk_guard g;
	pi_tdb_guard_init(&g, 3);
	ck_assert_uint_eq(g.limit, 2 * 3 + 64);
	for (uint64_t i = 0; i < g.limit; i++)
		ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x10000 + i * 16), 0);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x10000 + g.limit * 16), -PI_ERR_THREAD_LIST_LONG);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x99990000), -PI_ERR_THREAD_LIST_LONG);
	/* One already seen is still called a loop. */
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x10000), -PI_ERR_THREAD_LIST_LOOP);
	pi_tdb_guard_free(&g);
}
END_TEST

START_TEST(the_main_thread_stand_in_counts_once)
{
	/* libthread_db reports a main thread whose list glibc has not set
	 * up yet as entry 0: once is normal, twice is a loop. */
	struct pi_tdb_walk_guard g;
	pi_tdb_guard_init(&g, 1);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0), 0);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0x1000), 0);
	ck_assert_int_eq(pi_tdb_guard_visit(&g, 0), -PI_ERR_THREAD_LIST_LOOP);
	pi_tdb_guard_free(&g);
}
END_TEST

START_TEST(limits_grow_with_the_threads_and_never_wrap)
{
	ck_assert_uint_eq(pi_tdb_entry_limit(0), 64);
	ck_assert_uint_eq(pi_tdb_entry_limit(1000), 2064);
	ck_assert_uint_gt(pi_tdb_read_limit(1000), pi_tdb_entry_limit(1000) * PI_TDB_CALL_READS);
	/* A task count no process has (a corrupt count, say) gives a large
	 * limit, not one wrapped round to something small. */
	ck_assert_uint_ge(pi_tdb_entry_limit(SIZE_MAX), pi_tdb_entry_limit(1u << 20));
	ck_assert_uint_ge(pi_tdb_read_limit(SIZE_MAX), pi_tdb_read_limit(1u << 20));
	ck_assert_uint_gt(pi_tdb_read_limit(SIZE_MAX), pi_tdb_entry_limit(SIZE_MAX));
}
END_TEST

START_TEST(reads_are_counted_and_capped)
{
	struct pi_tdb_budget b;
	pi_tdb_budget_init(&b, 0);
	ck_assert_uint_eq(b.limit, pi_tdb_read_limit(0));
	/* A read larger than 64 KiB is only asked for by a forged size. */
	ck_assert_int_eq(pi_tdb_budget_take(&b, PI_TDB_MAX_READ + 1), -PI_ERR_THREAD_DB_ALTERED);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 16000000), -PI_ERR_THREAD_DB_ALTERED);
	ck_assert_int_eq(pi_tdb_budget_take(&b, PI_TDB_MAX_READ), 0);
	while (b.reads < b.limit)
		ck_assert_int_eq(pi_tdb_budget_take(&b, 8), 0);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 8), -PI_ERR_THREAD_DB_BUDGET);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 8), -PI_ERR_THREAD_DB_BUDGET);
}
END_TEST

START_TEST(one_call_has_an_allowance_of_its_own)
{
	/* td_thr_tlsbase follows the loader's list of TLS modules: a cycle
	 * there spends that call's reads, not the whole walk's. */
	struct pi_tdb_budget b;
	pi_tdb_budget_init(&b, 10);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 8), 0);
	pi_tdb_budget_open_call(&b, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pi_tdb_budget_take(&b, 8), 0);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 8), -PI_ERR_THREAD_DB_BUDGET);
	ck_assert_uint_lt(b.reads, b.limit);
	pi_tdb_budget_close_call(&b);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 8), 0);
	/* An allowance never lifts the walk's own limit. */
	b.reads = b.limit - 1;
	pi_tdb_budget_open_call(&b, SIZE_MAX);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 8), 0);
	ck_assert_int_eq(pi_tdb_budget_take(&b, 8), -PI_ERR_THREAD_DB_BUDGET);
}
END_TEST

START_TEST(descriptors_must_be_glibcs_own)
{
	/* _thread_db_sizeof_pthread, and _thread_db_pthread_list (size in
	 * bits, elements, offset), as glibc 2.36 has them. */
	const uint32_t own_size = 2368, own_list[3] = { 128, 1, 704 };
	uint32_t size = 2368, list[3] = { 128, 1, 704 };

	ck_assert(pi_tdb_is_descriptor("_thread_db_sizeof_pthread"));
	ck_assert(pi_tdb_is_descriptor("_thread_db_pthread_list"));
	ck_assert(!pi_tdb_is_descriptor("nptl_version"));
	ck_assert(!pi_tdb_is_descriptor("_rtld_global"));
	ck_assert(!pi_tdb_is_descriptor("_thread_db"));

	ck_assert_int_eq(pi_tdb_check_descriptor(&size, sizeof size, &own_size), 0);
	ck_assert_int_eq(pi_tdb_check_descriptor(list, sizeof list, own_list), 0);
	size = 16000000;	/* the alloca that overflowed pinspect's stack */
	ck_assert_int_eq(pi_tdb_check_descriptor(&size, sizeof size, &own_size),
			 -PI_ERR_THREAD_DB_ALTERED);
	size = 0x01000000;	/* byte-swapped by libthread_db into 1 */
	ck_assert_int_eq(pi_tdb_check_descriptor(&size, sizeof size, &own_size),
			 -PI_ERR_THREAD_DB_ALTERED);
	list[2] = 60000;	/* a field far past the copy libthread_db makes */
	ck_assert_int_eq(pi_tdb_check_descriptor(list, sizeof list, own_list),
			 -PI_ERR_THREAD_DB_ALTERED);
	/* One pinspect's glibc does not have cannot be checked. */
	ck_assert_int_eq(pi_tdb_check_descriptor(&own_size, sizeof own_size, NULL),
			 -PI_ERR_THREAD_DB_ALTERED);
	/* Nor can a read longer than any descriptor. */
	uint8_t big[PI_TDB_DESCRIPTOR_SIZE + 1] = { 0 };
	ck_assert_int_eq(pi_tdb_check_descriptor(big, sizeof big, big), -PI_ERR_THREAD_DB_ALTERED);
}
END_TEST

Suite *tls_bounds_suite(void)
{
	Suite *s = suite_create("tls_bounds");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, an_entry_that_comes_round_again_stops_the_walk);
	tcase_add_test(tc, a_long_cycle_is_caught_too);
	tcase_add_test(tc, a_list_longer_than_the_threads_allow_is_cut);
	tcase_add_test(tc, the_main_thread_stand_in_counts_once);
	tcase_add_test(tc, limits_grow_with_the_threads_and_never_wrap);
	tcase_add_test(tc, reads_are_counted_and_capped);
	tcase_add_test(tc, one_call_has_an_allowance_of_its_own);
	tcase_add_test(tc, descriptors_must_be_glibcs_own);
	suite_add_tcase(s, tc);
	return s;
}
