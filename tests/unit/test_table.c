/* The live table's pure parts over a table made by hand: classification
 * (the shared classifier, zombie parents), views (sort, filter, problems,
 * threads, tree), cells in words, findings, the summary, JSON, the time
 * off the CPU, and the options of the live view and batch mode; the
 * deadlocks handed over by a scan are in test_table_deadlocks.c. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/classify.h"
#include "analysis/offcpu.h"
#include "options.h"
#include "proc/reader.h"
#include "render/table_json.h"
#include "table/columns.h"
#include "table/problems.h"
#include "table/summary.h"
#include "table/table.h"
#include "table/view.h"
#include "table_fixture.h"
#include "unit.h"
#include "util/xalloc.h"

START_TEST(off_cpu)
{
	double s = -1;
	ck_assert(!pi_off_cpu(0, 5, false, &s));
	ck_assert_double_eq(s, 0);
	ck_assert(pi_off_cpu(10000000000LL, 4000000000LL, false, &s));
	ck_assert_double_eq_tol(s, 6.0, 1e-9);
	ck_assert(pi_off_cpu(10000000000LL, 4000000000LL, true, &s));
	ck_assert_double_eq(s, 0);
	/* Two CPUs' clocks a little apart: not negative. */
	ck_assert(pi_off_cpu(4000000000LL, 4000000100LL, false, &s));
	ck_assert_double_eq(s, 0);
}
END_TEST


START_TEST(classification)
{
	struct pi_table t;
	make_table(&t);
	ck_assert_uint_eq(t.counts.processes, 7);
	ck_assert_uint_eq(t.counts.threads, 9);
	ck_assert_uint_eq(t.counts.hung, 1);
	ck_assert_uint_eq(t.counts.uninterruptible, 1);
	ck_assert_uint_eq(t.counts.zombie, 2);
	ck_assert_uint_eq(t.counts.stopped, 1);
	ck_assert_uint_eq(t.counts.traced, 1);
	ck_assert_uint_eq(t.counts.zombie_parents, 1);
	struct pi_proc *server = pi_table_find_proc(&t, 10);
	ck_assert(server->flags & PI_TASK_HUNG);
	ck_assert_int_eq(t.tasks[server->worst_task].facts.tid, 11);
	struct pi_proc *leaky = pi_table_find_proc(&t, 20);
	ck_assert_uint_eq(leaky->zombies, 2);
	ck_assert_double_eq_tol(leaky->oldest_zombie_seconds, 1000 - 13.0, 1e-9);
	ck_assert_int_eq(pi_table_find_task(&t, 12)->facts.tid, 12);
	ck_assert_ptr_null(pi_table_find_task(&t, 99));
	ck_assert_str_eq(pi_task_comm(&t, pi_table_find_task(&t, 12)), "worker");
	pi_table_done(&t);
}
END_TEST

START_TEST(views)
{
	struct pi_table t;
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_PID };

	make_table(&t);
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 7);
	for (size_t i = 1; i < v.n; i++)
		ck_assert_int_lt(v.rows[i - 1].proc->pid, v.rows[i].proc->pid);
	o.descending = true;
	pi_view_build(&v, &t, &o);
	ck_assert_int_eq(v.rows[0].proc->pid, 40);

	/* Problems only: hung (in a thread), zombies and their parent,
	 * stopped, traced; not init. */
	o.problems_only = true;
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 6);
	ck_assert_int_eq(row_of(&v, 1, false), -1);
	ck_assert_int_ge(row_of(&v, 20, false), 0);

	/* A row per thread: only the D thread of the server is a problem. */
	o.threads = true;
	pi_view_build(&v, &t, &o);
	ck_assert_int_ge(row_of(&v, 11, true), 0);
	ck_assert_int_eq(row_of(&v, 12, true), -1);
	ck_assert_int_eq(row_of(&v, 10, true), -1);
	o.problems_only = false;
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 9);

	/* Filter, any case, on the command. */
	o.threads = false;
	o.filter = "LEAK";
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 3);
	o.filter = "--port";
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 1);
	o.filter = NULL;

	/* K: kernel threads hidden (40 made one here); u: one user's tasks
	 * (20's made user 1000's). */
	for (size_t i = 0; i < t.nprocs; i++)
		if (t.procs[i].pid == 40)
			t.procs[i].kernel_thread = true;
	for (size_t i = 0; i < t.ntasks; i++)
		if (t.procs[t.tasks[i].proc].pid == 20)
			t.tasks[i].euid = 1000;
	o.hide_kernel = true;
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 6);
	ck_assert_int_eq(row_of(&v, 40, false), -1);
	o.hide_kernel = false;
	o.only_user = true;
	o.user = 1000;
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 1);
	ck_assert_int_ge(row_of(&v, 20, false), 0);
	o.user = 4242;
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 0);
	o.only_user = false;
	for (size_t i = 0; i < t.nprocs; i++)
		t.procs[i].kernel_thread = false;

	/* Sorted by flags, worst first: hung, then zombies, then their
	 * parent, stopped, traced. */
	o.sort = PI_COL_FLAGS;
	o.descending = true;
	pi_view_build(&v, &t, &o);
	ck_assert_int_eq(v.rows[0].proc->pid, 10);
	ck_assert(v.rows[1].proc->pid == 21 || v.rows[1].proc->pid == 22);
	ck_assert_int_eq(v.rows[3].proc->pid, 20);
	ck_assert_int_eq(v.rows[4].proc->pid, 30);
	ck_assert_int_eq(v.rows[5].proc->pid, 40);
	ck_assert_int_eq(v.rows[6].proc->pid, 1);

	ck_assert_int_eq(pi_view_find(&v, 0, 30), 4);
	pi_view_free(&v);
	pi_table_done(&t);
}
END_TEST

START_TEST(tree)
{
	struct pi_table t;
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_PID, .tree = true };
	static const pid_t order[] = { 1, 10, 30, 20, 21, 22, 40 };
	static const int depth[] = { 0, 1, 2, 1, 2, 2, 1 };
	static const bool last[] = { true, false, true, false, false, true, true };

	make_table(&t);
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 7);
	for (size_t i = 0; i < v.n; i++) {
		ck_assert_int_eq(v.rows[i].proc->pid, order[i]);
		ck_assert_int_eq(v.rows[i].depth, depth[i]);
		ck_assert_int_eq(v.rows[i].last, last[i]);
	}
	/* 30's parent 10 has a sibling below it (20): its line goes on;
	 * 22's parent 20 has one too (40). */
	ck_assert(v.rows[2].more & (1u << 1));
	ck_assert(v.rows[5].more & (1u << 1));

	struct pi_buf cell = PI_BUF_INIT;
	pi_column_format(PI_COL_COMMAND, &t, &v.rows[2], &cell);
	ck_assert_str_eq(cell.data, "| `- stopped --wait");
	pi_buf_reset(&cell);
	pi_column_format(PI_COL_COMMAND, &t, &v.rows[6], &cell);
	ck_assert_str_eq(cell.data, "`- [evil\\e[31m]");

	/* With threads: a process's other threads right under it, before
	 * its children. */
	o.threads = true;
	pi_view_build(&v, &t, &o);
	ck_assert_uint_eq(v.n, 9);
	ck_assert_int_eq(v.rows[1].task->facts.tid, 10);
	ck_assert_int_eq(v.rows[2].task->facts.tid, 11);
	ck_assert_int_eq(v.rows[3].task->facts.tid, 12);
	ck_assert_int_eq(v.rows[4].task->facts.tid, 30);
	ck_assert_int_eq(v.rows[2].depth, 2);
	ck_assert(!v.rows[3].last);
	ck_assert(v.rows[4].last);
	pi_buf_reset(&cell);
	pi_column_format(PI_COL_COMMAND, &t, &v.rows[3], &cell);
	ck_assert_str_eq(cell.data, "| |- worker: /usr/bin/server --port 80");
	pi_buf_free(&cell);
	pi_view_free(&v);
	pi_table_done(&t);
}
END_TEST


static char *cell_of(struct pi_table *t, const struct pi_view *v, pid_t pid, enum pi_column c,
		     enum pi_style *style)
{
	return cell_at(t, v, pid, false, c, style);
}

START_TEST(cells)
{
	struct pi_table t;
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_PID };
	enum pi_style st;
	char *s;

	make_table(&t);
	pi_view_build(&v, &t, &o);

	s = cell_of(&t, &v, 10, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "hung (thread 11) 30s");
	ck_assert_int_eq(st, PI_STYLE_HUNG);
	free(s);
	s = cell_of(&t, &v, 21, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "zombie of 20");
	ck_assert_int_eq(st, PI_STYLE_ZOMBIE);
	free(s);
	s = cell_of(&t, &v, 20, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "holds 2 zombies 16m27s");
	ck_assert_int_eq(st, PI_STYLE_ZOMBIE_PARENT);
	free(s);
	s = cell_of(&t, &v, 30, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "stopped");
	free(s);
	s = cell_of(&t, &v, 40, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "traced");
	ck_assert_int_eq(st, PI_STYLE_TRACED);
	free(s);
	s = cell_of(&t, &v, 1, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "");
	free(s);
	/* Unknown is a dash, never a made-up 0. */
	s = cell_of(&t, &v, 1, PI_COL_CPU, &st);
	ck_assert_str_eq(s, "-");
	ck_assert_int_eq(st, PI_STYLE_DIM);
	free(s);
	s = cell_of(&t, &v, 1, PI_COL_VCSW, &st);
	ck_assert_str_eq(s, "-");
	free(s);
	s = cell_of(&t, &v, 21, PI_COL_MEM, &st);
	ck_assert_str_eq(s, "-");
	free(s);
	s = cell_of(&t, &v, 1, PI_COL_MEM, &st);
	ck_assert_str_eq(s, "4.0M");
	free(s);
	s = cell_of(&t, &v, 40, PI_COL_COMMAND, &st);
	ck_assert_str_eq(s, "[evil\\e[31m]");
	free(s);

	/* In thread rows, the D thread itself. */
	o.threads = true;
	pi_view_build(&v, &t, &o);
	struct pi_buf b = PI_BUF_INIT;
	pi_row_flag_text(&t, &v.rows[row_of(&v, 11, true)], &b);
	ck_assert_str_eq(b.data, "hung 30s");
	pi_buf_reset(&b);
	pi_column_format(PI_COL_WCHAN, &t, &v.rows[row_of(&v, 11, true)], &b);
	ck_assert_str_eq(b.data, "io_schedule");
	pi_buf_reset(&b);
	pi_cell_fit(&b, "abcdef", 4, false);
	ck_assert_str_eq(b.data, "abc+");
	pi_buf_reset(&b);
	pi_cell_fit(&b, "ab", 4, true);
	ck_assert_str_eq(b.data, "  ab");
	pi_buf_free(&b);
	pi_view_free(&v);
	pi_table_done(&t);
}
END_TEST

START_TEST(short_formats)
{
	char b[32];
	ck_assert_str_eq(pi_short_duration(b, sizeof b, 0), "0.0s");
	ck_assert_str_eq(pi_short_duration(b, sizeof b, 3.24), "3.2s");
	ck_assert_str_eq(pi_short_duration(b, sizeof b, 12), "12s");
	ck_assert_str_eq(pi_short_duration(b, sizeof b, 312), "5m12s");
	ck_assert_str_eq(pi_short_duration(b, sizeof b, 7300), "2h01m");
	ck_assert_str_eq(pi_short_duration(b, sizeof b, 90000), "1d01h");
	ck_assert_str_eq(pi_short_bytes(b, sizeof b, 812 * 1024), "812K");
	ck_assert_str_eq(pi_short_bytes(b, sizeof b, 12900000), "12M");
	ck_assert_str_eq(pi_short_bytes(b, sizeof b, 3 << 20), "3.0M");
	ck_assert_str_eq(pi_short_bytes(b, sizeof b, 1610612736ULL), "1.5G");
}
END_TEST


START_TEST(findings_and_summary)
{
	struct pi_table t;
	struct pi_finding *f;

	make_table(&t);
	size_t n = pi_table_findings(&t, &f);
	ck_assert_uint_eq(n, 6);
	const struct pi_finding *hung = finding(f, n, PI_FIND_HUNG, 10);
	ck_assert_ptr_nonnull(hung);
	ck_assert_int_eq(hung->tid, 11);
	ck_assert_double_eq(hung->seconds, 30);
	ck_assert_ptr_nonnull(strstr(hung->message, "waiting in io_schedule"));
	ck_assert_ptr_nonnull(strstr(hung->message, "hung_task_timeout_secs is 120"));
	const struct pi_finding *parent = finding(f, n, PI_FIND_ZOMBIE_PARENT, 20);
	ck_assert_ptr_nonnull(parent);
	ck_assert_uint_eq(parent->npids, 2);
	ck_assert_ptr_nonnull(strstr(parent->message, "holds 2 unreaped zombie children"));
	ck_assert_ptr_nonnull(finding(f, n, PI_FIND_ZOMBIE, 21));
	ck_assert_ptr_nonnull(finding(f, n, PI_FIND_ZOMBIE, 22));
	ck_assert_ptr_nonnull(finding(f, n, PI_FIND_STOPPED, 30));
	const struct pi_finding *traced = finding(f, n, PI_FIND_TRACED, 40);
	ck_assert_ptr_nonnull(traced);
	/* The task's name is escaped in the message. */
	ck_assert_ptr_null(strchr(traced->message, '\x1b'));
	pi_table_findings_free(f, n);

	struct pi_summary s = { 0 };
	pi_table_summary(&t, &s);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_ptr_nonnull(strstr(s.line[1].data, "7 processes, 9 threads"));
	ck_assert_str_eq(s.line[2].data, "Hung: 1 thread in D longer than --hung-after 10s "
					 "(the kernel's hung_task_timeout_secs: 120)");
	ck_assert_int_eq(s.style[2], PI_STYLE_HUNG);
	ck_assert_str_eq(s.line[3].data, "Zombies: 2, held by 20 (leaky) 2, oldest 16m27s");
	/* No scan has been handed over: nothing is claimed either way. */
	ck_assert_str_eq(s.line[4].data, "Deadlocks: not looked for yet");

	/* On an 80-column screen the lines that would be cut say the same
	 * in brief words; every count is still there. */
	pi_table_summary_fit(&t, &s, 80);
	for (size_t i = 1; i < s.n; i++)
		ck_assert_msg(s.line[i].len <= 80, "line %zu is %zu long: %s", i, s.line[i].len, s.line[i].data);
	ck_assert_ptr_nonnull(strstr(s.line[1].data, "Tasks: 7 proc, 9 thr: "));
	ck_assert_str_eq(s.line[2].data, "Hung: 1 in D > 10s (--hung-after; kernel's: 120s)");
	ck_assert_int_eq(s.style[2], PI_STYLE_HUNG);
	/* A wide screen keeps the full words. */
	pi_table_summary_fit(&t, &s, 200);
	ck_assert_ptr_nonnull(strstr(s.line[1].data, "7 processes, 9 threads"));
	ck_assert_ptr_nonnull(strstr(s.line[2].data, "longer than --hung-after 10s"));
	pi_summary_free(&s);
	pi_table_done(&t);
}
END_TEST


START_TEST(json_rows)
{
	struct pi_table t;
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_PID };
	struct pi_finding *f;
	struct pi_jw w;

	make_table(&t);
	pi_view_build(&v, &t, &o);
	size_t n = pi_table_findings(&t, &f);
	pi_jw_init(&w, NULL);
	pi_render_table_json(&w, &t, &v, &o, f, n);
	/* Read back with json-c, as a script would with any parser. */
	json_object *root = json_tokener_parse(w.buf.data);
	ck_assert_ptr_nonnull(root);
	json_object *tasks = json_object_object_get(root, "tasks");
	ck_assert_int_eq((int)json_object_array_length(tasks), 7);
	json_object *server = json_object_array_get_idx(tasks, 1);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(server, "pid")), 10);
	/* Unknown is null. */
	ck_assert(json_object_object_get_ex(server, "cpu_percent", NULL));
	ck_assert_ptr_null(json_object_object_get(server, "cpu_percent"));
	ck_assert_ptr_null(json_object_object_get(server, "tid"));
	json_object *flags = json_object_object_get(server, "flags");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(flags, 0)), "hung");
	json_object *leaky = json_object_array_get_idx(tasks, 2);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(leaky, "zombie_children")), 2);
	ck_assert_int_eq((int)json_object_array_length(json_object_object_get(root, "findings")), 6);
	json_object_put(root);
	pi_buf_free(&w.buf);
	pi_table_findings_free(f, n);
	pi_view_free(&v);
	pi_table_done(&t);
}
END_TEST

/* A command line the table cut when it read it (it keeps 4 KiB of one),
 * and one that escaping makes too long: the cell holds at most
 * PI_COMMAND_MAX bytes of it and says how big it was; batch JSON says it
 * with typed keys, in full once per process. */
START_TEST(long_command_lines)
{
	struct pi_table t;
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_PID, .threads = true };
	enum pi_style st;
	char *s;

	make_table(&t);
	struct pi_proc *server = pi_table_find_proc(&t, 10);
	free(server->cmdline);
	server->cmdline = pi_xcalloc(PI_CMDLINE_KEEP + 1, 1);
	memset(server->cmdline, 'x', PI_CMDLINE_KEEP);
	server->cmdline_cut = true;
	server->cmdline_bytes = 2097152;
	struct pi_proc *leaky = pi_table_find_proc(&t, 20);
	free(leaky->cmdline);
	leaky->cmdline = pi_xcalloc(3001, 1);
	memset(leaky->cmdline, '\x1b', 3000);
	leaky->cmdline_bytes = 3001;
	pi_view_build(&v, &t, &o);

	s = cell_at(&t, &v, 10, true, PI_COL_COMMAND, &st);
	ck_assert_uint_eq(strlen(s), PI_CMDLINE_KEEP + strlen(" \xe2\x80\xa6 [2,097,152 bytes, cut]"));
	ck_assert_ptr_nonnull(strstr(s, "xxxx \xe2\x80\xa6 [2,097,152 bytes, cut]"));
	free(s);
	/* A thread's row: its name first, then the same. */
	s = cell_at(&t, &v, 12, true, PI_COL_COMMAND, &st);
	ck_assert(strncmp(s, "worker: xxx", 11) == 0);
	ck_assert_uint_eq(strlen(s), PI_COMMAND_MAX + strlen(" \xe2\x80\xa6 [2,097,152 bytes, cut]"));
	free(s);
	/* 3000 ESC bytes are 6000 bytes escaped: cut at 4096. */
	s = cell_at(&t, &v, 20, true, PI_COL_COMMAND, &st);
	ck_assert_uint_eq(strlen(s), PI_COMMAND_MAX + strlen(" \xe2\x80\xa6 [3,001 bytes, cut]"));
	ck_assert(strncmp(s, "\\e\\e", 4) == 0);
	free(s);

	struct pi_finding *f;
	struct pi_jw w;
	size_t n = pi_table_findings(&t, &f);
	pi_jw_init(&w, NULL);
	pi_render_table_json(&w, &t, &v, &o, f, n);
	json_object *root = json_tokener_parse(w.buf.data);
	ck_assert_ptr_nonnull(root);
	json_object *tasks = json_object_object_get(root, "tasks");
	size_t server_rows = 0;
	for (size_t i = 0; i < json_object_array_length(tasks); i++) {
		json_object *row = json_object_array_get_idx(tasks, i);
		int pid = json_object_get_int(json_object_object_get(row, "pid"));
		const char *cmdline = json_object_get_string(json_object_object_get(row, "cmdline"));
		bool cut = json_object_get_boolean(json_object_object_get(row, "cmdline_truncated"));
		int64_t bytes = json_object_get_int64(json_object_object_get(row, "cmdline_bytes"));
		if (pid == 10) {
			/* Its first row has what the table kept, the others
			 * a beginning of it. */
			ck_assert_uint_eq(strlen(cmdline), server_rows++ ? PI_COMMAND_REPEAT_MAX : PI_COMMAND_MAX);
			ck_assert(cut);
			ck_assert_int_eq(bytes, 2097152);
		} else if (pid == 1) {
			ck_assert_str_eq(cmdline, "/sbin/init");
			ck_assert(!cut);
		}
	}
	ck_assert_uint_eq(server_rows, 3);
	json_object_put(root);
	pi_buf_free(&w.buf);
	pi_table_findings_free(f, n);
	pi_view_free(&v);
	pi_table_done(&t);
}
END_TEST

/* The table reads a command line's beginning and only counts the rest. */
START_TEST(read_a_prefix)
{
	char path[] = "/tmp/pinspect-unit-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	char block[10000];
	memset(block, 'a', sizeof block);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(write(fd, block, sizeof block), (ssize_t)sizeof block);
	close(fd);

	struct pi_buf b = PI_BUF_INIT;
	size_t total;
	ck_assert_int_eq(pi_read_prefix_at(AT_FDCWD, path, 4096, 1 << 20, &b, &total), 0);
	ck_assert_uint_eq(b.len, 4096);
	ck_assert_uint_eq(strlen(b.data), 4096);
	ck_assert_uint_eq(total, 100000);
	/* Counting stops at its bound. */
	ck_assert_int_eq(pi_read_prefix_at(AT_FDCWD, path, 4096, 50000, &b, &total), 0);
	ck_assert_uint_eq(total, 50000);
	/* A short file whole. */
	ck_assert_int_eq(pi_read_prefix_at(AT_FDCWD, path, 1 << 20, 1 << 20, &b, &total), 0);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_uint_eq(total, 100000);
	unlink(path);
	ck_assert_int_eq(pi_read_prefix_at(AT_FDCWD, path, 4096, 1 << 20, &b, &total), -ENOENT);
	pi_buf_free(&b);
}
END_TEST

START_TEST(live_options)
{
	struct pi_options o;
	FILE *saved = stderr;

	char *none[] = { "pinspect", NULL };
	ck_assert_int_eq(pi_options_parse(1, none, &o), PI_OPTIONS_RUN);
	ck_assert_int_eq(o.mode, PI_MODE_LIVE);
	ck_assert_double_eq(o.delay_seconds, PI_DELAY_DEFAULT);
	pi_options_free(&o);

	char *batch[] = { "pinspect", "--batch", "-n", "3", "-d", "0.5", "-H", "--problems", NULL };
	ck_assert_int_eq(pi_options_parse(8, batch, &o), PI_OPTIONS_RUN);
	ck_assert_int_eq(o.mode, PI_MODE_BATCH);
	ck_assert_int_eq(o.iterations, 3);
	ck_assert_double_eq(o.delay_seconds, 0.5);
	ck_assert(o.threads && o.problems_only);
	pi_options_free(&o);

	char *json[] = { "pinspect", "--json", NULL };
	ck_assert_int_eq(pi_options_parse(2, json, &o), PI_OPTIONS_RUN);
	ck_assert_int_eq(o.mode, PI_MODE_BATCH);
	pi_options_free(&o);

	char *top[] = { "pinspect", "--top=42", NULL };
	ck_assert_int_eq(pi_options_parse(2, top, &o), PI_OPTIONS_RUN);
	ck_assert_int_eq(o.mode, PI_MODE_LIVE);
	ck_assert_int_eq(o.top_pid, 42);
	pi_options_free(&o);

	char *snapshot[] = { "pinspect", "--hung-after", "3", "42", NULL };
	ck_assert_int_eq(pi_options_parse(4, snapshot, &o), PI_OPTIONS_RUN);
	ck_assert_int_eq(o.mode, PI_MODE_SNAPSHOT);
	pi_options_free(&o);

	stderr = fopen("/dev/null", "w");
	char *with_pid[] = { "pinspect", "--batch", "42", NULL };
	ck_assert_int_eq(pi_options_parse(3, with_pid, &o), PI_OPTIONS_USAGE);
	char *fast[] = { "pinspect", "-d", "0.05", NULL };
	ck_assert_int_eq(pi_options_parse(3, fast, &o), PI_OPTIONS_USAGE);
	char *zero[] = { "pinspect", "-n", "0", NULL };
	ck_assert_int_eq(pi_options_parse(3, zero, &o), PI_OPTIONS_USAGE);
	char *bad_top[] = { "pinspect", "--top", "x", NULL };
	ck_assert_int_eq(pi_options_parse(3, bad_top, &o), PI_OPTIONS_USAGE);
	fclose(stderr);
	stderr = saved;
}
END_TEST

Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, off_cpu);
	tcase_add_test(tc, classification);
	tcase_add_test(tc, views);
	tcase_add_test(tc, tree);
	tcase_add_test(tc, cells);
	tcase_add_test(tc, short_formats);
	tcase_add_test(tc, findings_and_summary);
	add_deadlock_tests(tc);
	tcase_add_test(tc, json_rows);
	tcase_add_test(tc, long_command_lines);
	tcase_add_test(tc, read_a_prefix);
	tcase_add_test(tc, live_options);
	suite_add_tcase(s, tc);
	return s;
}
