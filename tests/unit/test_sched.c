#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc/sched.h"
#include "unit.h"

START_TEST(captured_sleep)
{
	size_t len;
	char *text = fixture("sleep-nanosleep", "sched", &len);
	struct pi_sched s;
	ck_assert_int_eq(pi_sched_parse(text, len, &s), 0);
	ck_assert_int_eq(s.exec_start_ns, 1010104809442LL);
	ck_assert_int_eq(s.sum_exec_runtime_ns, 674412LL);
	ck_assert(s.have & PI_SCHED_SWITCHES);
	ck_assert_uint_eq(s.nr_voluntary_switches, 1);
	ck_assert_uint_eq(s.nr_involuntary_switches, 0);
	ck_assert(s.have & PI_SCHED_POLICY);
	ck_assert_uint_eq(s.policy, 0);
	ck_assert_int_eq(s.prio, 120);
	free(text);
}
END_TEST

START_TEST(name_that_mimics_a_key)
{
	/* A task named like a key must not set the key: the header line is
	 * never parsed. */
	const char text[] = "se.exec_start : 1.000000 (42, #threads: 1)\n-----\n"
			    "se.exec_start                                :            7.000001\n";
	struct pi_sched s;
	ck_assert_int_eq(pi_sched_parse(text, strlen(text), &s), 0);
	ck_assert_int_eq(s.exec_start_ns, 7000001LL);
}
END_TEST

START_TEST(hostile_and_truncated)
{
	struct pi_sched s;
	ck_assert_int_eq(pi_sched_parse("", 0, &s), -EINVAL);
	const char only_header[] = "x (1, #threads: 1)\n";
	ck_assert_int_eq(pi_sched_parse(only_header, strlen(only_header), &s), -EINVAL);
	const char cut[] = "x (1, #threads: 1)\n----\nse.exec_start   :  ";
	ck_assert_int_eq(pi_sched_parse(cut, strlen(cut), &s), -EINVAL);
	const char huge[] = "x\n--\nse.exec_start : 99999999999999999999.1\n";
	ck_assert_int_eq(pi_sched_parse(huge, strlen(huge), &s), -EINVAL);
}
END_TEST

START_TEST(schedstat)
{
	size_t len;
	char *text = fixture("sleep-nanosleep", "schedstat", &len);
	struct pi_schedstat ss;
	ck_assert_int_eq(pi_schedstat_parse(text, len, &ss), 0);
	ck_assert_uint_eq(ss.run_ns, 674412);
	ck_assert_uint_eq(ss.wait_ns, 0);
	ck_assert_uint_eq(ss.timeslices, 1);
	free(text);
	ck_assert_int_eq(pi_schedstat_parse("1 2", 3, &ss), -EINVAL);
	ck_assert_uint_eq(ss.run_ns, 0);
	ck_assert_int_eq(pi_schedstat_parse("", 0, &ss), -EINVAL);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");
	tcase_add_test(tc, captured_sleep);
	tcase_add_test(tc, name_that_mimics_a_key);
	tcase_add_test(tc, hostile_and_truncated);
	tcase_add_test(tc, schedstat);
	suite_add_tcase(s, tc);
	return s;
}
