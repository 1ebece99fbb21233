#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proc/status.h"
#include "unit.h"
#include "util/buf.h"

START_TEST(captured_bash)
{
	size_t len;
	char *text = fixture("bash-sleeping", "status", &len);
	struct pi_status st;
	ck_assert_int_eq(pi_status_parse(text, len, &st), 0);
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(st.tgid, 1093);
	ck_assert_int_eq(st.ppid, 1092);
	ck_assert_int_eq(st.tracer_pid, 0);
	ck_assert(st.have & PI_STATUS_UID);
	ck_assert_uint_eq(st.uid[1], 0);
	ck_assert_uint_eq(st.nspid_levels, 1);
	ck_assert_int_eq(st.nspid[0], 1093);
	ck_assert(!st.kthread);
	ck_assert(st.have & PI_STATUS_VM);
	ck_assert_uint_eq(st.vm.rss, 4428ULL * 1024);
	ck_assert_uint_eq(st.vm.size, 5364ULL * 1024);
	ck_assert_uint_eq(st.vm.rss_anon, 1256ULL * 1024);
	ck_assert_uint_eq(st.threads, 1);
	ck_assert_uint_eq(st.sig_blocked, 0x10000);
	ck_assert_uint_eq(st.sig_ignored, 0x4);
	ck_assert_uint_eq(st.sig_caught, 0x43817efb);
	ck_assert_str_eq(st.cpus_allowed_list, "0-1");
	ck_assert(st.have & PI_STATUS_CTXT);
	ck_assert_uint_eq(st.voluntary_ctxt_switches, 449);
	ck_assert_uint_eq(st.nonvoluntary_ctxt_switches, 19);
	free(text);
}
END_TEST

START_TEST(kernel_thread_has_no_memory)
{
	size_t len;
	char *text = fixture("kthread", "status", &len);
	struct pi_status st;
	ck_assert_int_eq(pi_status_parse(text, len, &st), 0);
	ck_assert_int_eq(st.state, 'I');
	ck_assert(st.have & PI_STATUS_KTHREAD);
	ck_assert(st.kthread);
	ck_assert(!(st.have & PI_STATUS_VM));
	free(text);
}
END_TEST

START_TEST(nested_pid_namespaces)
{
	const char text[] = "State:\tS (sleeping)\nNSpid:\t4242\t17\t1\n";
	struct pi_status st;
	ck_assert_int_eq(pi_status_parse(text, strlen(text), &st), 0);
	ck_assert_uint_eq(st.nspid_levels, 3);
	ck_assert_int_eq(st.nspid[2], 1);
}
END_TEST

/* Found by fuzz/fuzz_status (fuzz/seeds/status/crash-nspid-empty-second-line):
 * a second NSpid line without a number left the line marked as seen with
 * no level in it. */
START_TEST(nspid_line_without_numbers)
{
	const char text[] = "State:\tS (sleeping)\nNSpid:\t10\nNSpid:Q:";
	struct pi_status st;
	ck_assert_int_eq(pi_status_parse(text, strlen(text), &st), 0);
	ck_assert_uint_eq(st.nspid_levels, 0);
	ck_assert(!(st.have & PI_STATUS_NSPID));
}
END_TEST

/* PID namespaces nest 32 deep, and any user may nest them: the last level
 * kept is still the PID the task sees itself as. */
START_TEST(nspid_deeper_than_kept)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_buf_puts(&b, "State:\tS (sleeping)\nNSpid:");
	for (int level = 0; level < 32; level++)
		pi_buf_printf(&b, "\t%d", 1000 - level);
	pi_buf_puts(&b, "\n");
	struct pi_status st;
	ck_assert_int_eq(pi_status_parse(b.data, b.len, &st), 0);
	ck_assert_uint_eq(st.nspid_levels, PI_NS_LEVELS_MAX);
	ck_assert_int_eq(st.nspid[0], 1000);
	ck_assert_int_eq(st.nspid[PI_NS_LEVELS_MAX - 2], 1000 - (PI_NS_LEVELS_MAX - 2));
	ck_assert_int_eq(st.nspid[PI_NS_LEVELS_MAX - 1], 1000 - 31);
	pi_buf_free(&b);
}
END_TEST

START_TEST(hostile_and_truncated)
{
	struct pi_status st;
	/* Empty, no State, State with no letter. */
	ck_assert_int_eq(pi_status_parse("", 0, &st), -EINVAL);
	ck_assert_int_eq(pi_status_parse("Name:\tx\n", 8, &st), -EINVAL);
	ck_assert_int_eq(pi_status_parse("State:", 6, &st), -EINVAL);
	/* Cut in the middle of a number: what was read stays, the rest is
	 * marked missing. */
	const char cut[] = "State:\tR (running)\nUid:\t1000\t10";
	ck_assert_int_eq(pi_status_parse(cut, strlen(cut), &st), 0);
	ck_assert(!(st.have & PI_STATUS_UID));
	/* Only one of the two switch counts: not trusted. */
	const char half[] = "State:\tS\nvoluntary_ctxt_switches:\t5\n";
	ck_assert_int_eq(pi_status_parse(half, strlen(half), &st), 0);
	ck_assert(!(st.have & PI_STATUS_CTXT));
	/* Numbers too big, garbage values, a NUL in the middle. */
	const char bad[] = "State:\tD\nVmRSS:\t99999999999999999999999 kB\nPPid:\t-5\nTgid:\t\0\n";
	ck_assert_int_eq(pi_status_parse(bad, sizeof bad - 1, &st), 0);
	ck_assert_int_eq(st.state, 'D');
	ck_assert(!(st.have & PI_STATUS_PPID));
	ck_assert(!(st.have & PI_STATUS_TGID));
	ck_assert_uint_eq(st.vm.rss, 0);
	/* A CPU list longer than the buffer is cut, still terminated. */
	char longlist[1024] = "State:\tS\nCpus_allowed_list:\t";
	size_t n = strlen(longlist);
	memset(longlist + n, '1', sizeof longlist - n - 1);
	longlist[sizeof longlist - 1] = '\0';
	ck_assert_int_eq(pi_status_parse(longlist, strlen(longlist), &st), 0);
	ck_assert_uint_eq(strlen(st.cpus_allowed_list), PI_CPULIST_MAX - 1);
}
END_TEST

Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("status");
	tcase_add_test(tc, captured_bash);
	tcase_add_test(tc, kernel_thread_has_no_memory);
	tcase_add_test(tc, nested_pid_namespaces);
	tcase_add_test(tc, hostile_and_truncated);
	tcase_add_test(tc, nspid_line_without_numbers);
	tcase_add_test(tc, nspid_deeper_than_kept);
	suite_add_tcase(s, tc);
	return s;
}
