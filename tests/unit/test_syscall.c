#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc/syscall.h"
#include "sys/names.h"
#include "unit.h"

START_TEST(captured_nanosleep)
{
	size_t len;
	char *text = fixture("sleep-nanosleep", "syscall", &len);
	struct pi_syscall sc;
	ck_assert_int_eq(pi_syscall_parse(text, len, &sc), 0);
	ck_assert_int_eq(sc.kind, PI_SYSCALL_IN);
	ck_assert_int_eq(sc.nr, 230);
	ck_assert_str_eq(pi_syscall_name(PI_ABI_NATIVE, sc.nr), "clock_nanosleep");
	ck_assert_uint_eq(sc.args[2], 0x7ffdbd519c10);
	ck_assert_uint_eq(sc.sp, 0x7ffdbd519bf8);
	ck_assert_uint_eq(sc.pc, 0x7f162f3ec503);
	free(text);
}
END_TEST

START_TEST(running_and_blocked_outside)
{
	struct pi_syscall sc;
	ck_assert_int_eq(pi_syscall_parse("running\n", 8, &sc), 0);
	ck_assert_int_eq(sc.kind, PI_SYSCALL_RUNNING);
	const char none[] = "-1 0x7ffd00001000 0x401000\n";
	ck_assert_int_eq(pi_syscall_parse(none, strlen(none), &sc), 0);
	ck_assert_int_eq(sc.kind, PI_SYSCALL_NONE);
	ck_assert_uint_eq(sc.sp, 0x7ffd00001000);
	ck_assert_uint_eq(sc.pc, 0x401000);
}
END_TEST

START_TEST(names_per_abi)
{
	ck_assert_str_eq(pi_syscall_name(PI_ABI_NATIVE, 232), "epoll_wait");
	ck_assert_str_eq(pi_syscall_name(PI_ABI_NATIVE, 0), "read");
	/* On i386, 3 is read and 162 nanosleep. */
	ck_assert_str_eq(pi_syscall_name(PI_ABI_I386, 3), "read");
	ck_assert_str_eq(pi_syscall_name(PI_ABI_I386, 162), "nanosleep");
	ck_assert_ptr_null(pi_syscall_name(PI_ABI_NATIVE, -1));
	ck_assert_ptr_null(pi_syscall_name(PI_ABI_NATIVE, 100000));
}
END_TEST

/* Signals as a person types them in the live view's k prompt. */
START_TEST(signal_names_typed)
{
	ck_assert_int_eq(pi_signal_parse("TERM"), 15);
	ck_assert_int_eq(pi_signal_parse("sigkill"), 9);
	ck_assert_int_eq(pi_signal_parse(" cont"), 18);
	ck_assert_int_eq(pi_signal_parse("10"), 10);
	ck_assert_int_eq(pi_signal_parse("64"), 64);
	ck_assert_int_eq(pi_signal_parse("RTMIN"), 34);
	ck_assert_int_eq(pi_signal_parse("RTMIN+3"), 37);
	ck_assert_int_eq(pi_signal_parse("SIGRT2"), 34);
	ck_assert_int_eq(pi_signal_parse("0"), 0);
	ck_assert_int_eq(pi_signal_parse("65"), 0);
	ck_assert_int_eq(pi_signal_parse("15x"), 0);
	ck_assert_int_eq(pi_signal_parse("NOSUCH"), 0);
	ck_assert_int_eq(pi_signal_parse(""), 0);
	ck_assert_int_eq(pi_signal_parse("RTMIN+40"), 0);
	ck_assert_int_eq(pi_signal_parse("TERMTERMTERMTERMTERMTERMTERM"), 0);
	ck_assert_int_eq(pi_signal_parse(NULL), 0);
}
END_TEST

START_TEST(hostile_and_truncated)
{
	struct pi_syscall sc;
	ck_assert_int_eq(pi_syscall_parse("", 0, &sc), -EINVAL);
	ck_assert_int_eq(pi_syscall_parse("230 0x1 0x2", 11, &sc), -EINVAL);
	ck_assert_int_eq(pi_syscall_parse("-1 0x1", 6, &sc), -EINVAL);
	ck_assert_int_eq(pi_syscall_parse("-7 0x1 0x2", 10, &sc), -EINVAL);
	ck_assert_int_eq(pi_syscall_parse("runn", 4, &sc), -EINVAL);
	ck_assert_int_eq(pi_syscall_parse("zz", 2, &sc), -EINVAL);
	ck_assert_int_eq(sc.kind, PI_SYSCALL_RUNNING); /* zeroed on failure */
	ck_assert_int_eq(sc.nr, 0);
}
END_TEST

Suite *syscall_suite(void)
{
	Suite *s = suite_create("syscall");
	TCase *tc = tcase_create("syscall");
	tcase_add_test(tc, captured_nanosleep);
	tcase_add_test(tc, running_and_blocked_outside);
	tcase_add_test(tc, names_per_abi);
	tcase_add_test(tc, hostile_and_truncated);
	tcase_add_test(tc, signal_names_typed);
	suite_add_tcase(s, tc);
	return s;
}
