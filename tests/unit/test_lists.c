#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "proc/lists.h"
#include "unit.h"

START_TEST(cmdline)
{
	struct pi_strv sv;
	const char text[] = "bash\0-c\0echo hi\0";
	ck_assert_int_eq(pi_cmdline_parse(text, sizeof text - 1, &sv), 0);
	ck_assert_uint_eq(sv.n, 3);
	ck_assert_str_eq(sv.v[2], "echo hi");
	ck_assert_ptr_null(sv.v[3]);
	pi_strv_free(&sv);

	/* setproctitle() style: no final NUL, NUL padding, empty args. */
	const char title[] = "nginx: worker process\0\0\0\0";
	ck_assert_int_eq(pi_cmdline_parse(title, sizeof title - 1, &sv), 0);
	ck_assert_uint_eq(sv.n, 1);
	ck_assert_str_eq(sv.v[0], "nginx: worker process");
	pi_strv_free(&sv);
	ck_assert_int_eq(pi_cmdline_parse("a\0\0b", 4, &sv), 0);
	ck_assert_uint_eq(sv.n, 3);
	ck_assert_str_eq(sv.v[1], "");
	pi_strv_free(&sv);
	ck_assert_int_eq(pi_cmdline_parse("", 0, &sv), 0);
	ck_assert_uint_eq(sv.n, 0);
	pi_strv_free(&sv);
}
END_TEST

START_TEST(kernel_stack)
{
	size_t len;
	char *text = fixture("sleep-nanosleep", "stack", &len);
	struct pi_strv sv;
	ck_assert_int_eq(pi_kstack_parse(text, len, &sv), 0);
	ck_assert_uint_eq(sv.n, 5);
	ck_assert_str_eq(sv.v[0], "hrtimer_nanosleep+0x74/0xf0");
	ck_assert_str_eq(sv.v[4], "entry_SYSCALL_64_after_hwframe+0x76/0x7e");
	pi_strv_free(&sv);
	free(text);
	/* A cut last line keeps what is there; a line without ']' is
	 * dropped. */
	const char cut[] = "[<0>] do_wait+0x1/0x2\n[<0>] kernel_wa";
	ck_assert_int_eq(pi_kstack_parse(cut, strlen(cut), &sv), 0);
	ck_assert_uint_eq(sv.n, 2);
	ck_assert_str_eq(sv.v[1], "kernel_wa");
	pi_strv_free(&sv);
	ck_assert_int_eq(pi_kstack_parse("[<0", 3, &sv), 0);
	ck_assert_uint_eq(sv.n, 0);
	pi_strv_free(&sv);
}
END_TEST

START_TEST(children_and_wchan)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	ck_assert_int_eq(pi_children_parse("12 13 14 ", 9, &pids, &n, &cap), 0);
	ck_assert_int_eq(pi_children_parse("20\n", 3, &pids, &n, &cap), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(pids[3], 20);
	ck_assert_int_eq(pi_children_parse("7 x", 3, &pids, &n, &cap), -EINVAL);
	free(pids);

	char w[16];
	pi_wchan_parse("0", 1, w, sizeof w);
	ck_assert_str_eq(w, "");
	pi_wchan_parse("do_wait", 7, w, sizeof w);
	ck_assert_str_eq(w, "do_wait");
	pi_wchan_parse("a_very_long_kernel_symbol_name", 30, w, sizeof w);
	ck_assert_uint_eq(strlen(w), 15);
}
END_TEST

START_TEST(auxv_of_this_process)
{
	/* Our own auxv, as the kernel wrote it, against getauxval(). */
	FILE *f = fopen("/proc/self/auxv", "rb");
	ck_assert_ptr_nonnull(f);
	unsigned char buf[4096];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct pi_auxv a;
	ck_assert_int_eq(pi_auxv_parse(buf, len, 8, &a), 0);
	/* valgrind hides the vDSO from the programs it runs. */
	ck_assert_int_eq(a.have_sysinfo_ehdr, getauxval(AT_SYSINFO_EHDR) != 0);
	ck_assert_uint_eq(a.sysinfo_ehdr, getauxval(AT_SYSINFO_EHDR));
	ck_assert_uint_eq(a.pagesz, getauxval(AT_PAGESZ));
	ck_assert_uint_eq(a.entry, getauxval(AT_ENTRY));

	ck_assert_int_eq(pi_auxv_parse(buf, 0, 8, &a), -EINVAL);
	ck_assert_int_eq(pi_auxv_parse(buf, len, 3, &a), -EINVAL);
	/* A vector cut mid-pair ends cleanly. */
	ck_assert_int_eq(pi_auxv_parse(buf, 23, 8, &a), 0);

	/* The 32-bit layout. */
	uint32_t v32[] = { AT_PAGESZ, 4096, AT_SYSINFO_EHDR, 0xf7f00000, AT_NULL, 0 };
	ck_assert_int_eq(pi_auxv_parse(v32, sizeof v32, 4, &a), 0);
	ck_assert_uint_eq(a.sysinfo_ehdr, 0xf7f00000);
	ck_assert_uint_eq(a.pagesz, 4096);
}
END_TEST

/* Which word size a vector is written in, from the vector alone: a
 * 32-bit process's (i386, x32) read as 64-bit pairs has huge types. */
START_TEST(auxv_word_size)
{
	FILE *f = fopen("/proc/self/auxv", "rb");
	ck_assert_ptr_nonnull(f);
	unsigned char buf[4096];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	ck_assert_uint_eq(pi_auxv_word_size(buf, len), 8);

	/* As an i386 kernel writes it (AT_SYSINFO first, as on i386). */
	uint32_t v32[] = { 32 /* AT_SYSINFO */, 0xf7f01550, AT_SYSINFO_EHDR, 0xf7f00000,
			   AT_PAGESZ, 4096, AT_ENTRY, 0x8049000, AT_NULL, 0 };
	ck_assert_uint_eq(pi_auxv_word_size(v32, sizeof v32), 4);
	/* Nothing that reads as either: no guess. */
	uint32_t junk[] = { 0xdeadbeef, 1, 0xfeedface, 2 };
	ck_assert_uint_eq(pi_auxv_word_size(junk, sizeof junk), 0);
	ck_assert_uint_eq(pi_auxv_word_size(buf, 0), 0);
	/* AT_NULL alone is no vector. */
	uint64_t empty[] = { AT_NULL, 0 };
	ck_assert_uint_eq(pi_auxv_word_size(empty, sizeof empty), 0);
}
END_TEST

Suite *lists_suite(void)
{
	Suite *s = suite_create("lists");
	TCase *tc = tcase_create("lists");
	tcase_add_test(tc, cmdline);
	tcase_add_test(tc, kernel_stack);
	tcase_add_test(tc, children_and_wchan);
	tcase_add_test(tc, auxv_of_this_process);
	tcase_add_test(tc, auxv_word_size);
	suite_add_tcase(s, tc);
	return s;
}
