/* Every parser, fed mutations of captured files and random bytes. The
 * assertion is that nothing crashes or reads out of bounds (the suite runs
 * under valgrind in `make check-valgrind`): each input is copied into a
 * buffer of exactly its size, with no NUL after it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf/vdso.h"
#include "proc/lists.h"
#include "proc/maps.h"
#include "proc/sched.h"
#include "proc/stat.h"
#include "proc/status.h"
#include "proc/syscall.h"
#include "unit.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void feed(const char *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);

	struct pi_status st;
	struct pi_stat sa;
	struct pi_sched sc;
	struct pi_schedstat ss;
	struct pi_syscall sy;
	struct pi_vma *v;
	size_t n;
	struct pi_strv sv;
	struct pi_auxv a;
	pid_t *pids = NULL;
	size_t np = 0, cap = 0;
	char w[32];

	pi_status_parse(copy, len, &st);
	pi_stat_parse(copy, len, &sa);
	pi_sched_parse(copy, len, &sc);
	pi_schedstat_parse(copy, len, &ss);
	pi_syscall_parse(copy, len, &sy);
	pi_maps_parse(copy, len, &v, &n);
	pi_vmas_free(v, n);
	pi_cmdline_parse(copy, len, &sv);
	pi_strv_free(&sv);
	pi_kstack_parse(copy, len, &sv);
	pi_strv_free(&sv);
	pi_cgroup_parse(copy, len, &sv);
	pi_strv_free(&sv);
	pi_children_parse(copy, len, &pids, &np, &cap);
	free(pids);
	pi_wchan_parse(copy, len, w, sizeof w);
	pi_auxv_parse(copy, len, 8, &a);
	pi_auxv_parse(copy, len, 4, &a);
	free(copy);
}

static void mutate_and_feed(const char *orig, size_t len, int rounds)
{
	char *buf = malloc(len + 64);
	for (int r = 0; r < rounds; r++) {
		size_t n = len;
		memcpy(buf, orig, len);
		int edits = 1 + (int)(next() % 8);
		for (int e = 0; e < edits && n > 0; e++) {
			size_t at = next() % n;
			switch (next() % 5) {
			case 0: buf[at] = (char)next(); break;		/* any byte */
			case 1: buf[at] = "\n )(:-0x9 \t"[next() % 11]; break;
			case 2: n = at; break;				/* truncate */
			case 3: buf[at] = '\0'; break;
			case 4: memset(buf + at, '9', n - at < 24 ? n - at : 24); break;
			}
		}
		feed(buf, n);
	}
	free(buf);
}

START_TEST(mutated_fixtures)
{
	static const char *const files[][2] = {
		{ "bash-sleeping", "status" }, { "bash-sleeping", "stat" },
		{ "bash-sleeping", "sched" }, { "bash-sleeping", "smaps" },
		{ "sleep-nanosleep", "syscall" }, { "sleep-nanosleep", "stack" },
		{ "bash-sleeping", "cmdline" }, { "bash-sleeping", "auxv" },
		{ "kthread", "stat" }, { "kthread", "status" },
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len;
		char *text = fixture(files[i][0], files[i][1], &len);
		/* smaps is big: fewer rounds keep valgrind runs short. */
		mutate_and_feed(text, len, len > 10000 ? 20 : 300);
		free(text);
	}
}
END_TEST

START_TEST(random_bytes)
{
	char buf[512];
	for (int r = 0; r < 2000; r++) {
		size_t n = next() % sizeof buf;
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)next();
		feed(buf, n);
	}
	feed("", 0);
}
END_TEST

START_TEST(vdso_decoder_on_junk)
{
	char buf[8192];
	for (int r = 0; r < 200; r++) {
		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (char)next();
		memcpy(buf, "\177ELF\2\1\1", 7);
		struct pi_vdso v;
		memset(&v, 0, sizeof v);
		pi_vdso_decode(buf, sizeof buf, &v);
		pi_strv_free(&v.symbols);
	}
}
END_TEST

Suite *fuzz_suite(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc = tcase_create("fuzz");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, mutated_fixtures);
	tcase_add_test(tc, random_bytes);
	tcase_add_test(tc, vdso_decoder_on_junk);
	suite_add_tcase(s, tc);
	return s;
}
