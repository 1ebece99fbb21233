#include <stdint.h>
#include <string.h>

#include "proc/scan.h"
#include "unit.h"

START_TEST(lines_without_final_newline)
{
	const char text[] = "one\ntwo";
	struct pi_scan s = pi_scan_of(text, strlen(text)), line;
	ck_assert(pi_scan_line(&s, &line));
	ck_assert(pi_scan_equals(&line, "one"));
	ck_assert(pi_scan_line(&s, &line));
	ck_assert(pi_scan_equals(&line, "two"));
	ck_assert(!pi_scan_line(&s, &line));
}
END_TEST

START_TEST(numbers_and_overflow)
{
	uint64_t u;
	int64_t i;
	struct pi_scan s = pi_scan_of("  18446744073709551615 18446744073709551616", 44);
	ck_assert(pi_scan_u64(&s, &u));
	ck_assert_uint_eq(u, UINT64_MAX);
	/* One past the maximum is refused, and the cursor does not move. */
	const char *before = s.p;
	ck_assert(!pi_scan_u64(&s, &u));
	ck_assert_ptr_eq(s.p, before);

	s = pi_scan_of("-42 x", 5);
	ck_assert(pi_scan_i64(&s, &i));
	ck_assert_int_eq(i, -42);
	ck_assert(!pi_scan_i64(&s, &i));
}
END_TEST

START_TEST(hex_with_and_without_prefix)
{
	uint64_t v;
	struct pi_scan s = pi_scan_of("0x7ffd 00ff fffffffffffffffff", 29);
	ck_assert(pi_scan_hex(&s, &v));
	ck_assert_uint_eq(v, 0x7ffd);
	ck_assert(pi_scan_hex(&s, &v));
	ck_assert_uint_eq(v, 0xff);
	ck_assert(!pi_scan_hex(&s, &v)); /* 17 digits overflow */
}
END_TEST

START_TEST(scheduler_milliseconds)
{
	int64_t ns;
	struct pi_scan s = pi_scan_of("67525.917771", 12);
	ck_assert(pi_scan_ms_as_ns(&s, &ns));
	ck_assert_int_eq(ns, 67525917771LL);
	s = pi_scan_of("-3.000001", 9);
	ck_assert(pi_scan_ms_as_ns(&s, &ns));
	ck_assert_int_eq(ns, -3000001LL);
	s = pi_scan_of("12", 2);
	ck_assert(pi_scan_ms_as_ns(&s, &ns));
	ck_assert_int_eq(ns, 12000000LL);
}
END_TEST

START_TEST(never_reads_past_the_end)
{
	/* The digit after the end must not be consumed. */
	const char text[] = "123456";
	struct pi_scan s = pi_scan_of(text, 3);
	uint64_t v;
	ck_assert(pi_scan_u64(&s, &v));
	ck_assert_uint_eq(v, 123);
	ck_assert(pi_scan_done(&s));
}
END_TEST

Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("scan");
	tcase_add_test(tc, lines_without_final_newline);
	tcase_add_test(tc, numbers_and_overflow);
	tcase_add_test(tc, hex_with_and_without_prefix);
	tcase_add_test(tc, scheduler_milliseconds);
	tcase_add_test(tc, never_reads_past_the_end);
	suite_add_tcase(s, tc);
	return s;
}
