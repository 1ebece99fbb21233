/* The deadlocks a scan hands over to the table (table/deadlocks.h), over
 * the hand-made table: the flag, its rank and words, the problems view,
 * the finding, the summary line, JSON, and the cycles that must flag
 * nothing. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "render/table_json.h"
#include "table/problems.h"
#include "table/summary.h"
#include "table_fixture.h"
#include "util/xalloc.h"

/* A cycle as a deadlock scan hands it over: the tids in the cycle's
 * order, with the snapshot's sentence. */
static struct pi_deadlock cycle(pid_t pid, uint64_t starttime, pid_t a, pid_t b)
{
	struct pi_deadlock d = { .pid = pid, .starttime = starttime, .ntids = 2 };
	d.tids = pi_xcalloc(2, sizeof *d.tids);
	d.tids[0] = a;
	d.tids[1] = b;
	d.message = pi_xasprintf("2 threads wait for each other: thread %d waits for mutex m, "
				 "held by thread %d; ...", (int)a, (int)b);
	return d;
}

/* The server (10) has threads 10 and 12 in a lock cycle, beside 11
 * hung in D. Also handed over: a cycle of a process whose PID now names
 * another (20's start time differs), and one of a thread that exited
 * (31): neither may flag anything. */
START_TEST(deadlocks)
{
	struct pi_table t;
	struct pi_view v = { 0 };
	struct pi_view_options o = { .sort = PI_COL_PID, .threads = true };
	struct pi_finding *f;
	enum pi_style st;
	char *s;

	make_table(&t);
	struct pi_proc *server = pi_table_find_proc(&t, 10);
	struct pi_deadlock *cycles = pi_xcalloc(3, sizeof *cycles);
	cycles[0] = cycle(30, pi_table_find_proc(&t, 30)->starttime, 30, 31);
	cycles[1] = cycle(20, 9999, 20, 21);
	cycles[2] = cycle(10, server->starttime, 12, 10);
	t.sample_ns = 5000000000;
	pi_table_set_deadlocks(&t, cycles, 3, 0, 0);
	pi_table_classify(&t);

	ck_assert_uint_eq(t.counts.deadlocks, 1);
	ck_assert_uint_eq(t.counts.deadlocked, 2);
	ck_assert(pi_table_find_task(&t, 10)->facts.flags & PI_TASK_DEADLOCKED);
	ck_assert(pi_table_find_task(&t, 12)->facts.flags & PI_TASK_DEADLOCKED);
	ck_assert(!(pi_table_find_task(&t, 11)->facts.flags & PI_TASK_DEADLOCKED));
	ck_assert(!(pi_table_find_proc(&t, 20)->flags & PI_TASK_DEADLOCKED));
	ck_assert(!(pi_table_find_proc(&t, 30)->flags & PI_TASK_DEADLOCKED));
	/* As bad as hung, worse than anything else. */
	ck_assert_int_eq(pi_task_flag_rank(PI_TASK_DEADLOCKED), pi_task_flag_rank(PI_TASK_HUNG));
	ck_assert_int_gt(pi_task_flag_rank(PI_TASK_DEADLOCKED),
			 pi_task_flag_rank(PI_TASK_UNINTERRUPTIBLE));

	/* Each thread names the one it waits for. */
	pi_view_build(&v, &t, &o);
	s = cell_at(&t, &v, 12, true, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "deadlock with 10");
	ck_assert_int_eq(st, PI_STYLE_HUNG);
	free(s);
	s = cell_at(&t, &v, 10, true, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "deadlock with 12");
	free(s);
	/* Problems only keeps them; sorted by flags they come with the hung
	 * thread, before the zombies. */
	o.problems_only = true;
	o.sort = PI_COL_FLAGS;
	o.descending = true;
	pi_view_build(&v, &t, &o);
	ck_assert_int_ge(row_of(&v, 10, true), 0);
	ck_assert_int_ge(row_of(&v, 12, true), 0);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(v.rows[i].proc->pid, 10);

	/* A process row: the worst thread says which. The hung thread has
	 * been off the CPU longer than any deadlocked one is known to... */
	o = (struct pi_view_options){ .sort = PI_COL_PID };
	pi_view_build(&v, &t, &o);
	s = cell_at(&t, &v, 10, false, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "hung (thread 11) 30s");
	free(s);
	/* ... until one is known to have been off it longer. */
	pi_fact_set_known(&pi_table_find_task(&t, 12)->facts, PI_FACT_OFF_CPU, true);
	pi_table_find_task(&t, 12)->facts.off_cpu_seconds = 60;
	pi_table_classify(&t);
	s = cell_at(&t, &v, 10, false, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "deadlock (2 threads)");
	ck_assert_int_eq(st, PI_STYLE_HUNG);
	free(s);
	/* In D but not hung ranks below a deadlock, whatever the times. */
	t.opt.hung_after_seconds = 100;
	pi_fact_set_known(&pi_table_find_task(&t, 12)->facts, PI_FACT_OFF_CPU, false);
	pi_table_classify(&t);
	ck_assert(server->flags & PI_TASK_UNINTERRUPTIBLE);
	s = cell_at(&t, &v, 10, false, PI_COL_FLAGS, &st);
	ck_assert_str_eq(s, "deadlock (2 threads)");
	free(s);

	/* One finding, the snapshot's: its threads in the cycle's order. */
	size_t n = pi_table_findings(&t, &f);
	const struct pi_finding *d = finding(f, n, PI_FIND_DEADLOCK, 10);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->tid, 12);
	ck_assert_uint_eq(d->npids, 2);
	ck_assert_int_eq(d->pids[0], 12);
	ck_assert_int_eq(d->pids[1], 10);
	ck_assert_str_eq(d->message, "2 threads wait for each other: thread 12 waits for mutex m, "
				     "held by thread 10; ...");
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += f[i].kind == PI_FIND_DEADLOCK;
	ck_assert_uint_eq(count, 1);

	/* Counted at the top, with how old the scan is. */
	struct pi_summary sum = { 0 };
	pi_table_summary(&t, &sum);
	ck_assert_str_eq(sum.line[4].data, "Deadlocks: 2 threads in 1 lock cycle, in 10 (server) 2 "
					   "(looked for 5.0s ago)");
	ck_assert_int_eq(sum.style[4], PI_STYLE_HUNG);

	/* In JSON: the row's flags, the counts, the finding with its
	 * manual section. */
	struct pi_jw w;
	pi_view_build(&v, &t, &o);
	pi_jw_init(&w, NULL);
	pi_render_table_json(&w, &t, &v, &o, f, n);
	json_object *root = json_tokener_parse(w.buf.data);
	ck_assert_ptr_nonnull(root);
	json_object *row = json_object_array_get_idx(json_object_object_get(root, "tasks"), 1);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(row, "pid")), 10);
	json_object *flags = json_object_object_get(row, "flags");
	ck_assert_int_eq((int)json_object_array_length(flags), 2);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(flags, 0)), "uninterruptible");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(flags, 1)), "deadlock");
	json_object *counts = json_object_object_get(root, "counts");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(counts, "deadlocks")), 1);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(counts, "deadlocked_threads")), 2);
	json_object *findings = json_object_object_get(root, "findings");
	bool seen = false;
	for (size_t i = 0; i < json_object_array_length(findings); i++) {
		json_object *x = json_object_array_get_idx(findings, i);
		if (strcmp(json_object_get_string(json_object_object_get(x, "kind")), "deadlock"))
			continue;
		ck_assert(!seen);
		seen = true;
		ck_assert_str_eq(json_object_get_string(json_object_object_get(x, "see")),
				 "pinspect(1) LOCKS");
	}
	ck_assert(seen);
	json_object_put(root);
	pi_buf_free(&w.buf);
	pi_table_findings_free(f, n);

	/* The process goes and its PID names another: the flags go. */
	server->starttime++;
	pi_table_classify(&t);
	ck_assert_uint_eq(t.counts.deadlocks, 0);
	ck_assert_uint_eq(t.counts.deadlocked, 0);
	ck_assert(!(server->flags & PI_TASK_DEADLOCKED));
	n = pi_table_findings(&t, &f);
	ck_assert_ptr_null(finding(f, n, PI_FIND_DEADLOCK, 10));
	pi_table_findings_free(f, n);

	/* None found, and some processes' locks not readable. */
	t.root = false;
	pi_table_set_deadlocks(&t, NULL, 0, 3, 4000000000);
	pi_table_classify(&t);
	pi_table_summary(&t, &sum);
	ck_assert_str_eq(sum.line[4].data, "Deadlocks: none (looked for 1.0s ago; locks of 3 "
					   "processes not readable: run as root)");
	ck_assert_int_eq(sum.style[4], PI_STYLE_NORMAL);
	/* Named: the first of them, by PID and name (escaped: a name is the
	 * process's own), and how many more. */
	struct pi_unchecked named[] = { { 10, "post\x1b[2Jgres" }, { 11, "sshd" } };
	pi_table_name_unchecked(&t, named, 2);
	pi_table_summary(&t, &sum);
	ck_assert_str_eq(sum.line[4].data, "Deadlocks: none (looked for 1.0s ago; locks of 3 "
					   "processes not readable: 10 (post\\e[2Jgres), 11 (sshd) "
					   "and 1 more; run as root)");
	pi_summary_free(&sum);
	pi_view_free(&v);
	pi_table_done(&t);
}
END_TEST

/* The live view takes a look's cycles between two samples: a process
 * that deadlocked (or started) since the last sample is not in the table
 * yet. Its cycle waits, unflagged, for the next sample, and only a sample
 * taken after the hand-over may drop it. */
START_TEST(deadlock_waits_for_the_next_sample)
{
	struct pi_table t;

	make_table(&t);
	struct pi_proc *server = pi_table_find_proc(&t, 10);
	/* The table's PID 10 is an older process than the cycle's. */
	uint64_t newer = server->starttime + 1;
	t.samples = 7;
	struct pi_deadlock *cycles = pi_xcalloc(2, sizeof *cycles);
	cycles[0] = cycle(10, newer, 12, 10);
	cycles[1] = cycle(40, 1, 40, 41);	/* a process no sample has seen */
	pi_table_set_deadlocks(&t, cycles, 2, 0, 0);
	pi_table_classify(&t);
	ck_assert_uint_eq(t.counts.deadlocks, 0);
	ck_assert_uint_eq(t.counts.deadlocked, 0);
	ck_assert(!(server->flags & PI_TASK_DEADLOCKED));
	ck_assert_uint_eq(t.deadlocks.nwaiting, 2);
	/* Classified again before any sample: still waiting. */
	pi_table_classify(&t);
	ck_assert_uint_eq(t.deadlocks.nwaiting, 2);

	/* The next sample sees the new process 10, not 40. */
	server->starttime = newer;
	t.samples++;
	pi_table_classify(&t);
	ck_assert_uint_eq(t.counts.deadlocks, 1);
	ck_assert_uint_eq(t.counts.deadlocked, 2);
	ck_assert(pi_table_find_task(&t, 10)->facts.flags & PI_TASK_DEADLOCKED);
	ck_assert(pi_table_find_task(&t, 12)->facts.flags & PI_TASK_DEADLOCKED);
	ck_assert_uint_eq(t.deadlocks.nwaiting, 0);
	ck_assert_int_eq(pi_table_first_deadlock(&t, 10)->tids[0], 12);
	ck_assert_ptr_null(pi_table_first_deadlock(&t, 40));
	pi_table_done(&t);
}
END_TEST

void add_deadlock_tests(TCase *tc)
{
	tcase_add_test(tc, deadlocks);
	tcase_add_test(tc, deadlock_waits_for_the_next_sample);
}
