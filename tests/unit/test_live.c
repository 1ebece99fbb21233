/* The live view's pure parts: the meters' parsers (/proc/stat and
 * /proc/meminfo as captured, and hostile: cut, huge, garbled), their
 * bars fitting the width, the mouse's hit-testing (which cell of the
 * screen is which title or row), and the htop columns' cells (TIME+,
 * PRI, MEM%). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/reader.h"
#include "proc/stat.h"
#include "sys/same_task.h"
#include "table/columns.h"
#include "tui/help.h"
#include "tui/live.h"
#include "tui/meters.h"
#include "unit.h"

static const char stat_text[] =
	"cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0\n"
	"cpu0 1393280 32966 572056 13343292 6130 0 17875 0 0 0\n"
	"cpu1 1335180 43114 512370 13394856 2976 0 3362 0 0 0\n"
	"cpu3 1299128 32406 506584 13441209 3068 0 2099 0 0 0\n"
	"intr 1462898 0 0 0\n"
	"ctxt 2829434\n"
	"btime 1700000000\n";

START_TEST(stat_parsed)
{
	struct pi_cpu_ticks all, cpus[8];
	unsigned ids[8], n;
	ck_assert_int_eq(pi_meters_parse_stat(stat_text, strlen(stat_text), &all, cpus, ids, 8, &n), 0);
	ck_assert_uint_eq(n, 3);
	/* An offline CPU leaves a gap: the numbers are the kernel's. */
	ck_assert_uint_eq(ids[0], 0);
	ck_assert_uint_eq(ids[2], 3);
	/* Busy: all but idle and iowait (the first eight fields). */
	ck_assert_uint_eq(cpus[0].total, 1393280ull + 32966 + 572056 + 13343292 + 6130 + 17875);
	ck_assert_uint_eq(cpus[0].busy, 1393280ull + 32966 + 572056 + 17875);
	ck_assert_uint_eq(all.busy, 10132153ull + 290696 + 3084719 + 25195);
}
END_TEST

START_TEST(stat_hostile)
{
	struct pi_cpu_ticks all, cpus[2];
	unsigned ids[2], n;
	/* No "cpu" line. */
	ck_assert_int_eq(pi_meters_parse_stat("intr 1\n", 7, &all, cpus, ids, 2, &n), -EINVAL);
	ck_assert_int_eq(pi_meters_parse_stat("", 0, &all, cpus, ids, 2, &n), -EINVAL);
	/* Cut in the middle of a line; too few fields is no CPU. */
	const char cut[] = "cpu  1 2 3 4\ncpu0 1 2";
	ck_assert_int_eq(pi_meters_parse_stat(cut, strlen(cut), &all, cpus, ids, 2, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* More CPUs than room: the rest are left out. */
	const char many[] = "cpu 1 1 1 1\ncpu0 1 1 1 1\ncpu1 1 1 1 1\ncpu2 1 1 1 1\n";
	ck_assert_int_eq(pi_meters_parse_stat(many, strlen(many), &all, cpus, ids, 2, &n), 0);
	ck_assert_uint_eq(n, 2);
	/* Numbers past 64 bits saturate rather than wrap. */
	const char huge[] = "cpu 99999999999999999999999 0 0 0\n";
	ck_assert_int_eq(pi_meters_parse_stat(huge, strlen(huge), &all, cpus, ids, 2, &n), 0);
	ck_assert_uint_eq(all.busy, UINT64_MAX);
	/* Not NUL-terminated: only len bytes are read. */
	char buf[64];
	memset(buf, '9', sizeof buf);
	memcpy(buf, "cpu 1 2 3 4", 11);
	ck_assert_int_eq(pi_meters_parse_stat(buf, 11, &all, cpus, ids, 2, &n), 0);
	ck_assert_uint_eq(all.total, 10);
}
END_TEST

START_TEST(percent)
{
	struct pi_cpu_ticks a = { 100, 1000 }, b = { 150, 1100 };
	ck_assert(fabs(pi_meters_percent(&a, &b) - 50.0) < 1e-9);
	/* No tick passed (or the counters went back): unknown. */
	ck_assert(isnan(pi_meters_percent(&a, &a)));
	ck_assert(isnan(pi_meters_percent(&b, &a)));
}
END_TEST

static const char meminfo_text[] =
	"MemTotal:       16318480 kB\n"
	"MemFree:         1234567 kB\n"
	"MemAvailable:    8159240 kB\n"
	"Buffers:          123456 kB\n"
	"SwapTotal:       2097148 kB\n"
	"SwapFree:        1048574 kB\n";

START_TEST(meminfo)
{
	uint64_t total, used, stotal, sused;
	ck_assert_int_eq(pi_meters_parse_meminfo(meminfo_text, strlen(meminfo_text), &total, &used,
						 &stotal, &sused), 0);
	ck_assert_uint_eq(total, 16318480ull * 1024);
	ck_assert_uint_eq(used, (16318480ull - 8159240) * 1024);
	ck_assert_uint_eq(stotal, 2097148ull * 1024);
	ck_assert_uint_eq(sused, (2097148ull - 1048574) * 1024);
	/* Without MemAvailable (old kernels): MemFree. */
	const char old[] = "MemTotal: 1000 kB\nMemFree: 400 kB\n";
	ck_assert_int_eq(pi_meters_parse_meminfo(old, strlen(old), &total, &used, &stotal, &sused), 0);
	ck_assert_uint_eq(used, 600 * 1024);
	ck_assert_uint_eq(stotal, 0);
	/* Without MemTotal: not known. A prefix of a name is not the name. */
	const char none[] = "MemTotalX: 5 kB\nSwapTotal: 1 kB\n";
	ck_assert_int_eq(pi_meters_parse_meminfo(none, strlen(none), &total, &used, &stotal, &sused),
			 -EINVAL);
	/* More available than total: none used, not a wrap. */
	const char odd[] = "MemTotal: 10 kB\nMemAvailable: 20 kB\n";
	ck_assert_int_eq(pi_meters_parse_meminfo(odd, strlen(odd), &total, &used, &stotal, &sused), 0);
	ck_assert_uint_eq(used, 0);
}
END_TEST

/* The lines fit the width, for few CPUs and for many. */
START_TEST(lines_fit)
{
	static struct pi_meters m;
	struct pi_buf lines[5] = { PI_BUF_INIT };
	int widths[] = { 20, 80, 200 };
	unsigned counts[] = { 1, 2, 7, 64, 200 };

	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		memset(&m, 0, sizeof m);
		m.stat_known = m.mem_known = true;
		m.ncpus = counts[c];
		m.all_percent = 12.5;
		for (unsigned i = 0; i < m.ncpus; i++) {
			m.cpu_id[i] = i;
			m.cpu_percent[i] = i % 2 ? 100.0 : NAN;
		}
		m.mem_total = 16ull << 30;
		m.mem_used = 3ull << 30;
		for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
			for (unsigned max = 1; max <= 5; max++) {
				unsigned n = pi_meters_lines(&m, widths[w], max, lines);
				ck_assert_uint_le(n, max);
				ck_assert_uint_ge(n, 1);
				for (unsigned i = 0; i < n; i++)
					ck_assert_msg(strlen(lines[i].data) <= (size_t)widths[w],
						      "%u CPUs, %d wide: '%s'", m.ncpus, widths[w],
						      lines[i].data);
			}
		}
		/* At 80x24 (two lines): the CPUs, then memory and swap. */
		unsigned n = pi_meters_lines(&m, 80, 2, lines);
		ck_assert_uint_eq(n, 2);
		ck_assert_msg(strncmp(lines[1].data, "Mem[", 4) == 0, "'%s'", lines[1].data);
		ck_assert_ptr_nonnull(strstr(lines[1].data, "Swp["));
		if (counts[c] > 8)
			ck_assert_msg(strstr(lines[0].data, "average of"), "'%s'", lines[0].data);
	}
	for (size_t i = 0; i < 5; i++)
		pi_buf_free(&lines[i]);
}
END_TEST

/* The help page is read on an 80x24 terminal: no line may be cut. */
START_TEST(help_fits_80_columns)
{
	const char *const *lines;
	size_t n = pi_help_lines(&lines);
	ck_assert_uint_gt(n, 20);
	for (size_t i = 0; i < n; i++) {
		const char *text = lines[i] + (lines[i][0] == '*');
		ck_assert_msg(strlen(text) <= 80, "help line %zu is %zu columns: %s", i, strlen(text), text);
		for (const char *c = text; *c; c++)
			ck_assert_msg((unsigned char)*c < 0x80, "help line %zu is not ASCII", i);
	}
}
END_TEST

START_TEST(hit)
{
	/* "    PID USER     COMMAND" on line 8, rows from line 9. */
	struct pi_hit_layout h = {
		.n = 3,
		.id = { PI_COL_PID, PI_COL_USER, PI_COL_COMMAND },
		.x = { 0, 8, 17 },
		.w = { 7, 8, 0 },
		.titles_y = 8, .rows_y = 9, .body = 10, .top = 5, .nrows = 12,
	};
	struct pi_hit r = pi_live_hit(&h, 3, 8);
	ck_assert_int_eq(r.kind, PI_HIT_TITLE);
	ck_assert_int_eq(r.column, PI_COL_PID);
	/* The space before a column is its. */
	r = pi_live_hit(&h, 7, 8);
	ck_assert_int_eq(r.column, PI_COL_USER);
	r = pi_live_hit(&h, 150, 8);
	ck_assert_int_eq(r.column, PI_COL_COMMAND);
	/* A row: the first on screen is row top. */
	r = pi_live_hit(&h, 0, 9);
	ck_assert_int_eq(r.kind, PI_HIT_ROW);
	ck_assert_uint_eq(r.row, 5);
	r = pi_live_hit(&h, 0, 15);
	ck_assert_uint_eq(r.row, 11);
	/* Below the last row there is, above the titles, off screen. */
	ck_assert_int_eq(pi_live_hit(&h, 0, 16).kind, PI_HIT_NONE);
	ck_assert_int_eq(pi_live_hit(&h, 0, 2).kind, PI_HIT_NONE);
	ck_assert_int_eq(pi_live_hit(&h, -1, 9).kind, PI_HIT_NONE);
	/* Scrolled sideways by 10: screen column 0 is line column 10. */
	h.hscroll = 10;
	ck_assert_int_eq(pi_live_hit(&h, 0, 8).column, PI_COL_USER);
	/* Before any drawing: nothing is hit. */
	struct pi_hit_layout none = { .titles_y = -1, .rows_y = -1 };
	ck_assert_int_eq(pi_live_hit(&none, 0, 0).kind, PI_HIT_NONE);
}
END_TEST

/* The cell of a column for a process row with these ticks. */
static char *cell(enum pi_column c, uint64_t ticks, int priority, uint64_t rss)
{
	static struct pi_table t;
	static struct pi_proc p;
	static struct pi_task task;
	memset(&t, 0, sizeof t);
	memset(&p, 0, sizeof p);
	memset(&task, 0, sizeof task);
	t.hz = 100;
	t.page_size = 4096;
	t.mem_total_bytes = 1000ull << 20;
	p.pid = task.facts.tid = 42;
	p.ticks = ticks;
	p.priority = (int8_t)priority;
	p.rss_bytes = rss;
	task.facts.state = 'S';
	task.statm_err = PI_NOT_READ;
	struct pi_row r = { .task = &task, .proc = &p };
	struct pi_buf b = PI_BUF_INIT;
	pi_column_format(c, &t, &r, &b);
	return pi_buf_steal(&b);
}

START_TEST(htop_cells)
{
	struct { uint64_t ticks; const char *want; } times[] = {
		{ 0, "0:00.00" },
		{ 123456, "20:34.56" },			/* 1234.56 s */
		{ 100 * (3 * 3600 + 5 * 60 + 7), "3h05:07" },
		{ 100ull * 400 * 3600, "400h" },
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		char *s = cell(PI_COL_TIME, times[i].ticks, 20, 0);
		ck_assert_str_eq(s, times[i].want);
		free(s);
	}
	char *s = cell(PI_COL_PRIORITY, 0, -100, 0);
	ck_assert_str_eq(s, "RT");
	free(s);
	s = cell(PI_COL_PRIORITY, 0, 25, 0);
	ck_assert_str_eq(s, "25");
	free(s);
	s = cell(PI_COL_MEM_PERCENT, 0, 20, 250ull << 20);
	ck_assert_str_eq(s, "25.0");
	free(s);
	/* SHR before statm was read: not known yet. */
	s = cell(PI_COL_SHARED, 0, 20, 1);
	ck_assert_str_eq(s, "-");
	free(s);
}
END_TEST

/* k, F9 and the renice keys act on a process seen at the last refresh:
 * one with the same PID but another start time (the PID reused since) is
 * neither signalled nor reniced; the one seen is. */
static uint64_t starttime_of(pid_t pid)
{
	int procfd = pi_proc_open(pid);
	ck_assert_int_ge(procfd, 0);
	struct pi_buf b = PI_BUF_INIT;
	struct pi_stat st;
	ck_assert_int_eq(pi_read_at(procfd, "stat", &b), 0);
	ck_assert_int_eq(pi_stat_parse(b.data, b.len, &st), 0);
	pi_buf_free(&b);
	close(procfd);
	return st.starttime;
}

static pid_t child;

static void kill_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = 0;
	}
}

START_TEST(acts_on_the_task_seen)
{
	/* The child takes SIGTERM's default (the runner's handler would end
	 * the whole group), then says it is ready. */
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		signal(SIGTERM, SIG_DFL);
		close(ready[0]);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	char byte;
	ck_assert_int_eq(read(ready[0], &byte, 1), 0);
	close(ready[0]);
	uint64_t seen = starttime_of(child);
	/* another start time: nothing done */
	ck_assert_int_eq(pi_same_task(child, child, seen + 1), -ESRCH);
	ck_assert_int_eq(pi_signal_same(child, seen + 1, SIGTERM), -ESRCH);
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, (id_t)child);
	ck_assert_int_eq(errno, 0);
	int want = nice < 19 ? nice + 1 : 18;
	ck_assert_int_eq(pi_setpriority_same(child, child, seen + 1, want), -ESRCH);
	ck_assert_int_eq(getpriority(PRIO_PROCESS, (id_t)child), nice);
	ck_assert_int_eq(waitpid(child, NULL, WNOHANG), 0);	/* alive */
	/* the one seen: done */
	ck_assert_int_eq(pi_same_task(child, child, seen), 0);
	ck_assert_int_eq(pi_setpriority_same(child, child, seen, want), 0);
	ck_assert_int_eq(getpriority(PRIO_PROCESS, (id_t)child), want);
	ck_assert_int_eq(pi_signal_same(child, seen, SIGTERM), 0);
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	/* gone: said so */
	ck_assert_int_eq(pi_signal_same(child, seen, SIGTERM), -ESRCH);
	ck_assert_int_eq(pi_setpriority_same(child, child, seen, want), -ESRCH);
	child = 0;
}
END_TEST

Suite *live_suite(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase_create("meters");
	tcase_add_test(tc, stat_parsed);
	tcase_add_test(tc, stat_hostile);
	tcase_add_test(tc, percent);
	tcase_add_test(tc, meminfo);
	tcase_add_test(tc, lines_fit);
	suite_add_tcase(s, tc);
	tc = tcase_create("mouse");
	tcase_add_test(tc, help_fits_80_columns);
	tcase_add_test(tc, hit);
	suite_add_tcase(s, tc);
	tc = tcase_create("columns");
	tcase_add_test(tc, htop_cells);
	suite_add_tcase(s, tc);
	tc = tcase_create("actions");
	tcase_add_checked_fixture(tc, NULL, kill_child);
	tcase_add_test(tc, acts_on_the_task_seen);
	suite_add_tcase(s, tc);
	return s;
}
