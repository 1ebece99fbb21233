#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc/stat.h"
#include "unit.h"

START_TEST(captured_sleep)
{
	size_t len;
	char *text = fixture("sleep-nanosleep", "stat", &len);
	struct pi_stat st;
	ck_assert_int_eq(pi_stat_parse(text, len, &st), 0);
	ck_assert_int_eq(st.pid, 5487);
	ck_assert_str_eq(st.comm, "sleep");
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(st.ppid, 5484);
	ck_assert_int_eq(st.session, 1093);
	ck_assert_int_eq(st.tpgid, -1);
	ck_assert_int_eq(st.priority, 20);
	ck_assert_int_eq(st.nice, 0);
	ck_assert_int_eq(st.num_threads, 1);
	ck_assert_uint_eq(st.starttime, 101017);
	ck_assert_int_eq(st.exit_signal, 17);
	ck_assert_int_eq(st.processor, 0);
	ck_assert_int_eq(st.nfields, 52);
	free(text);
}
END_TEST

START_TEST(captured_kernel_thread)
{
	size_t len;
	char *text = fixture("kthread", "stat", &len);
	struct pi_stat st;
	ck_assert_int_eq(pi_stat_parse(text, len, &st), 0);
	ck_assert_str_eq(st.comm, "kworker/0:0H-events_highpri");
	ck_assert_int_eq(st.state, 'I');
	ck_assert(st.flags & PI_PF_KTHREAD);
	ck_assert_int_eq(st.nice, -20);
	free(text);
}
END_TEST

START_TEST(name_with_parens_spaces_and_newline)
{
	/* The name is whatever lies between the first '(' and the LAST ')'. */
	const char text[] = "42 (a) (b\n) c)) R 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 "
			    "100 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n";
	struct pi_stat st;
	ck_assert_int_eq(pi_stat_parse(text, strlen(text), &st), 0);
	ck_assert_str_eq(st.comm, "a) (b\n) c)");
	ck_assert_int_eq(st.state, 'R');
	ck_assert_int_eq(st.ppid, 1);
	ck_assert_uint_eq(st.starttime, 100);
	ck_assert_int_eq(st.nfields, 41);
}
END_TEST

START_TEST(hostile_and_truncated)
{
	struct pi_stat st;
	ck_assert_int_eq(pi_stat_parse("", 0, &st), -EINVAL);
	ck_assert_int_eq(pi_stat_parse("42 (x", 5, &st), -EINVAL);
	ck_assert_int_eq(pi_stat_parse("42 (x)", 6, &st), -EINVAL);
	ck_assert_int_eq(pi_stat_parse(")(", 2, &st), -EINVAL);
	ck_assert_int_eq(pi_stat_parse("x (y) S 1 2", 11, &st), -EINVAL);
	/* Cut before the policy field. */
	const char cut[] = "42 (x) S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 100";
	ck_assert_int_eq(pi_stat_parse(cut, strlen(cut), &st), -EINVAL);
	/* A name longer than any the kernel gives is cut, still terminated. */
	char big[512] = "1 (";
	memset(big + 3, 'n', 300);
	strcpy(big + 303, ") S 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0");
	ck_assert_int_eq(pi_stat_parse(big, strlen(big), &st), 0);
	ck_assert_uint_eq(strlen(st.comm), PI_COMM_MAX);
	/* Garbage in a numeric field stops the parse there. */
	const char junk[] = "42 (x) S 1 2 3 zz 5";
	ck_assert_int_eq(pi_stat_parse(junk, strlen(junk), &st), -EINVAL);
}
END_TEST

Suite *stat_suite(void)
{
	Suite *s = suite_create("stat");
	TCase *tc = tcase_create("stat");
	tcase_add_test(tc, captured_sleep);
	tcase_add_test(tc, captured_kernel_thread);
	tcase_add_test(tc, name_with_parens_spaces_and_newline);
	tcase_add_test(tc, hostile_and_truncated);
	suite_add_tcase(s, tc);
	return s;
}
