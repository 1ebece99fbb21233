#include <stdio.h>
#include <unistd.h>

#include "options.h"
#include "unit.h"

START_TEST(pids)
{
	pid_t pid;
	ck_assert(pi_parse_pid("1", &pid));
	ck_assert_int_eq(pid, 1);
	ck_assert(pi_parse_pid("4194304", &pid));
	ck_assert(!pi_parse_pid("4194305", &pid));
	ck_assert(!pi_parse_pid("0", &pid));
	ck_assert(!pi_parse_pid("-1", &pid));
	ck_assert(!pi_parse_pid("12a", &pid));
	ck_assert(!pi_parse_pid(" 12", &pid));
	ck_assert(!pi_parse_pid("", &pid));
	ck_assert(!pi_parse_pid("99999999999999999999", &pid));
}
END_TEST

START_TEST(seconds)
{
	double s;
	ck_assert(pi_parse_seconds("10", &s));
	ck_assert_double_eq(s, 10);
	ck_assert(pi_parse_seconds("0.5", &s));
	ck_assert_double_eq(s, 0.5);
	ck_assert(!pi_parse_seconds("-1", &s));
	ck_assert(!pi_parse_seconds("1s", &s));
	ck_assert(!pi_parse_seconds("nan", &s));
	ck_assert(!pi_parse_seconds("inf", &s));
	ck_assert(!pi_parse_seconds("", &s));
}
END_TEST

START_TEST(command_lines)
{
	struct pi_options o;
	char *ok[] = { "pinspect", "--json", "--hung-after", "2.5", "--no-ptrace", "42", "43", NULL };
	ck_assert_int_eq(pi_options_parse(7, ok, &o), PI_OPTIONS_RUN);
	ck_assert(o.json);
	ck_assert(o.no_ptrace);
	ck_assert_double_eq(o.hung_after_seconds, 2.5);
	ck_assert_uint_eq(o.npids, 2);
	ck_assert_int_eq(o.pids[1], 43);
	pi_options_free(&o);

	/* Usage errors print to stderr; keep the test log readable. */
	FILE *saved = stderr;
	stderr = fopen("/dev/null", "w");
	char *bad_pid[] = { "pinspect", "abc", NULL };
	ck_assert_int_eq(pi_options_parse(2, bad_pid, &o), PI_OPTIONS_USAGE);
	/* No PID at all is the live view (test_table.c, live_options). */
	char *unknown[] = { "pinspect", "--frobnicate", "1", NULL };
	ck_assert_int_eq(pi_options_parse(3, unknown, &o), PI_OPTIONS_USAGE);
	char *missing[] = { "pinspect", "--hung-after", NULL };
	ck_assert_int_eq(pi_options_parse(2, missing, &o), PI_OPTIONS_USAGE);
	char *bad_secs[] = { "pinspect", "--hung-after=soon", "1", NULL };
	ck_assert_int_eq(pi_options_parse(3, bad_secs, &o), PI_OPTIONS_USAGE);
	fclose(stderr);
	stderr = saved;
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");
	tcase_add_test(tc, pids);
	tcase_add_test(tc, seconds);
	tcase_add_test(tc, command_lines);
	suite_add_tcase(s, tc);
	return s;
}
