#include <stdlib.h>
#include <string.h>

#include "analysis/vma.h"
#include "proc/maps.h"
#include "unit.h"
#include "util/buf.h"

START_TEST(captured_smaps)
{
	size_t len, n;
	char *text = fixture("bash-sleeping", "smaps", &len);
	struct pi_vma *v;
	ck_assert_int_eq(pi_maps_parse(text, len, &v, &n), 0);
	ck_assert_uint_eq(n, 44);
	ck_assert_uint_eq(v[0].start, 0x5639a1cbb000);
	ck_assert_uint_eq(v[0].end, 0x5639a1cea000);
	ck_assert_str_eq(v[0].perms, "r--p");
	ck_assert_str_eq(v[0].path, "/usr/bin/bash");
	ck_assert_uint_eq(v[0].dev_major, 0xfe);
	ck_assert_uint_eq(v[0].inode, 247101);
	ck_assert(v[0].have_smaps);
	ck_assert_uint_eq(v[0].rss, 188 * 1024);
	/* rd mr mw me */
	ck_assert_uint_eq(v[0].vmflags, (1 << 0) | (1 << 4) | (1 << 5) | (1 << 6));
	ck_assert_uint_eq(v[1].offset, 0x2f000);
	ck_assert_ptr_null(v[5].path);
	ck_assert_str_eq(v[43].path, "[vsyscall]");
	ck_assert_str_eq(v[43].perms, "--xp");
	ck_assert_uint_eq(v[43].start, 0xffffffffff600000ULL);

	pi_vmas_classify(v, n, NULL, 0);
	ck_assert_str_eq(pi_vma_kind_name(v[0].kind), "data");	/* bash's ELF header, rodata */
	ck_assert_str_eq(pi_vma_kind_name(v[1].kind), "text");
	ck_assert_str_eq(pi_vma_kind_name(v[4].kind), "data");
	ck_assert_str_eq(pi_vma_kind_name(v[5].kind), "data");	/* bash's .bss */
	ck_assert_str_eq(pi_vma_kind_name(v[6].kind), "heap");
	ck_assert_str_eq(pi_vma_kind_name(v[7].kind), "anon");
	ck_assert_str_eq(pi_vma_kind_name(v[34].kind), "vvar");
	ck_assert_str_eq(pi_vma_kind_name(v[35].kind), "vvar");
	ck_assert_str_eq(pi_vma_kind_name(v[36].kind), "vdso");
	ck_assert_str_eq(pi_vma_kind_name(v[42].kind), "main_stack");
	ck_assert_str_eq(pi_vma_kind_name(v[43].kind), "vsyscall");
	ck_assert_int_eq(pi_vsyscall_mode(v, n, 0), PI_VSYSCALL_XONLY);
	pi_vmas_free(v, n);
	free(text);
}
END_TEST

START_TEST(thread_stacks_from_stack_pointers)
{
	const char text[] =
		"7f0000000000-7f0000001000 ---p 00000000 00:00 0 \n"
		"7f0000001000-7f0000041000 rw-p 00000000 00:00 0 \n"
		"7f0000041000-7f0000081000 rw-p 00000000 00:00 0 \n"
		"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n";
	struct pi_vma *v;
	size_t n;
	struct pi_thread threads[2];
	memset(threads, 0, sizeof threads);
	threads[0].facts.tid = 100;
	threads[0].syscall.kind = PI_SYSCALL_IN;
	threads[0].syscall.sp = 0x7ffd00010000;
	threads[1].facts.tid = 101;
	threads[1].syscall.kind = PI_SYSCALL_IN;
	threads[1].syscall.sp = 0x7f0000040f00;

	ck_assert_int_eq(pi_maps_parse(text, strlen(text), &v, &n), 0);
	ck_assert_uint_eq(n, 4);
	pi_vmas_classify(v, n, threads, 2);
	ck_assert_str_eq(pi_vma_kind_name(v[0].kind), "guard");
	ck_assert_str_eq(pi_vma_kind_name(v[1].kind), "thread_stack");
	ck_assert_int_eq(v[1].stack_tid, 101);
	ck_assert_str_eq(pi_vma_kind_name(v[2].kind), "anon");
	ck_assert_str_eq(pi_vma_kind_name(v[3].kind), "main_stack");
	ck_assert_int_eq(v[3].stack_tid, 100);
	pi_vmas_free(v, n);
}
END_TEST

START_TEST(paths_shared_memory_and_deleted)
{
	const char text[] =
		"1000-2000 rw-s 00000000 00:01 5 /dev/shm/ring buffer (deleted)\n"
		"2000-3000 rw-s 00000000 00:01 6 /memfd:wayland (deleted)\n"
		"3000-4000 rw-s 00000000 00:01 7 /dev/zero (deleted)\n"
		"4000-5000 r--p 00000000 08:01 8 /var/lib/data.db\n"
		"5000-6000 rw-p 00000000 00:00 0 [anon:glibc malloc]\n"
		"6000-7000 r--s 00000000 08:01 9 /tmp/a\\012b\n";
	struct pi_vma *v;
	size_t n;
	ck_assert_int_eq(pi_maps_parse(text, strlen(text), &v, &n), 0);
	ck_assert_uint_eq(n, 6);
	pi_vmas_classify(v, n, NULL, 0);
	ck_assert_str_eq(v[0].path, "/dev/shm/ring buffer");
	ck_assert(v[0].deleted);
	ck_assert(!v[0].have_smaps);
	ck_assert_str_eq(pi_vma_kind_name(v[0].kind), "shm");
	ck_assert_str_eq(pi_vma_kind_name(v[1].kind), "shm");
	ck_assert_str_eq(pi_vma_kind_name(v[2].kind), "shm");
	ck_assert_str_eq(pi_vma_kind_name(v[3].kind), "file");
	ck_assert_str_eq(pi_vma_kind_name(v[4].kind), "anon");
	ck_assert_str_eq(v[5].path, "/tmp/a\\012b");
	ck_assert_str_eq(pi_vma_kind_name(v[5].kind), "file");
	ck_assert_int_eq(pi_vsyscall_mode(v, n, 0), PI_VSYSCALL_NONE);
	pi_vmas_free(v, n);
}
END_TEST

START_TEST(fed_in_pieces)
{
	/* Fed a line at a time, the parser sees what it sees all at once. */
	size_t len, n;
	char *text = fixture("bash-sleeping", "smaps", &len);
	struct pi_vma *whole;
	struct pi_maps_parser p = { NULL, 0, 0 };
	pi_maps_parse(text, len, &whole, &n);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t line = nl ? (size_t)(nl - text - i) + 1 : len - i;
		pi_maps_feed(&p, text + i, line);
		i += line;
	}
	ck_assert_uint_eq(p.count, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(p.vmas[i].start, whole[i].start);
		ck_assert_uint_eq(p.vmas[i].rss, whole[i].rss);
		ck_assert_uint_eq(p.vmas[i].vmflags, whole[i].vmflags);
	}
	pi_vmas_free(p.vmas, p.count);
	pi_vmas_free(whole, n);
	free(text);
}
END_TEST

/* A file's mappings are its object's data only where the same file (device,
 * inode, path) is also mapped executable, wherever that mapping lies: a
 * hard link (same inode, another path) or another inode is not it. The
 * lookup is sorted rather than each mapping against each (a process may
 * have 65530 mappings, and with hard-linked files that took minutes). */
START_TEST(objects_found_among_many_mappings)
{
	struct pi_buf b = PI_BUF_INIT;
	enum { N = 3000 };
	for (int i = 0; i < N; i++) {
		/* Data of /lib/a (inode 7) and of its hard link /lib/b, then
		 * the text of /lib/a at the end; /lib/c's inode differs. */
		const char *perms = i >= N - 2 ? "r-xp" : "r--p";
		const char *path = i >= N - 2 ? "/lib/a" : i % 3 == 0 ? "/lib/a" : i % 3 == 1 ? "/lib/b" : "/lib/c";
		unsigned inode = i % 3 == 2 && i < N - 2 ? 8 : 7;
		pi_buf_printf(&b, "%x000-%x000 %s 00000000 fe:00 %u %s\n", 0x10000 + i, 0x10001 + i,
			      perms, inode, path);
	}
	struct pi_vma *v;
	size_t n;
	pi_maps_parse(b.data, b.len, &v, &n);
	ck_assert_uint_eq(n, N);
	pi_vmas_classify(v, n, NULL, 0);
	for (size_t i = 0; i < N - 2; i++)
		ck_assert_msg(v[i].kind == (i % 3 == 0 ? PI_VMA_DATA : PI_VMA_FILE),
			      "mapping %zu of %s is %s", i, v[i].path, pi_vma_kind_name(v[i].kind));
	ck_assert_uint_eq(v[N - 1].kind, PI_VMA_TEXT);
	pi_vmas_free(v, n);
	pi_buf_free(&b);
}
END_TEST

START_TEST(hostile_and_truncated)
{
	struct pi_vma *v;
	size_t n;
	ck_assert_int_eq(pi_maps_parse("", 0, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	/* Lines that are not mappings (a cut header, end before start,
	 * garbage) are skipped; a size line before any mapping too. */
	const char text[] = "Rss: 4 kB\n"
			    "1000-2000 r-xp 0000\n"
			    "3000-2000 r-xp 00000000 00:00 0\n"
			    "zzzz\n"
			    "4000-5000 rw-p 00000000 00:00 0\n"
			    "Rss:  99999999999999999999 kB\n"
			    "Swap: 8 kB\n"
			    "6000-7000 rwxp";
	ck_assert_int_eq(pi_maps_parse(text, strlen(text), &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].start, 0x4000);
	ck_assert(!v[0].have_smaps);
	ck_assert_uint_eq(v[0].swap, 8192);
	pi_vmas_free(v, n);
}
END_TEST

Suite *maps_suite(void)
{
	Suite *s = suite_create("maps");
	TCase *tc = tcase_create("maps");
	tcase_add_test(tc, captured_smaps);
	tcase_add_test(tc, thread_stacks_from_stack_pointers);
	tcase_add_test(tc, paths_shared_memory_and_deleted);
	tcase_add_test(tc, fed_in_pieces);
	tcase_add_test(tc, hostile_and_truncated);
	tcase_add_test(tc, objects_found_among_many_mappings);
	suite_add_tcase(s, tc);
	return s;
}
