/* The health scans' pure parts over a sweep made by hand: tasks by state,
 * hung tasks (the shared rule), zombies by parent (and a main thread that
 * exited while its process runs on, which is no zombie), the suspects of
 * the lock scan, and the Prometheus metrics with their label escaping. */
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/check.h"
#include "render/metrics.h"
#include "unit.h"
#include "util/xalloc.h"

enum { HZ = 100, NO_TASKS = 64 };

/* The sweep being built. */
static struct pi_sweep *sw;

static struct pi_sweep_proc *add_proc(pid_t pid, pid_t ppid, char state, const char *comm,
				      double started_ago)
{
	sw->procs = pi_xrealloc(sw->procs, (sw->nprocs + 1) * sizeof *sw->procs);
	struct pi_sweep_proc *p = &sw->procs[sw->nprocs++];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->ppid = ppid;
	p->state = state;
	p->starttime = (uint64_t)((sw->uptime_seconds - started_ago) * HZ);
	snprintf(p->comm, sizeof p->comm, "%s", comm);
	p->first_task = (uint32_t)sw->ntasks;
	return p;
}

/* A thread of the last process added. */
static struct pi_sweep_task *add_task(pid_t tid, char state, const char *comm)
{
	struct pi_sweep_proc *p = &sw->procs[sw->nprocs - 1];
	sw->tasks = pi_xrealloc(sw->tasks, (sw->ntasks + 1) * sizeof *sw->tasks);
	struct pi_sweep_task *t = &sw->tasks[sw->ntasks++];
	memset(t, 0, sizeof *t);
	t->facts.tid = tid;
	t->facts.state = state;
	pi_facts_set_comm(&t->facts, comm);
	t->facts.known = PI_FACT_STAT;
	t->futex = -1;
	t->detail = -1;
	p->ntasks++;
	return t;
}

/* A task in D, off the CPU for this long (< 0: unknown). */
static void in_d(struct pi_sweep_task *t, double off_cpu, const char *wchan)
{
	sw->details = pi_xrealloc(sw->details, (sw->ndetails + 1) * sizeof *sw->details);
	struct pi_thread *d = &sw->details[sw->ndetails];
	memset(d, 0, sizeof *d);
	d->facts.tid = t->facts.tid;
	d->facts.state = 'D';
	pi_facts_set_comm(&d->facts, pi_strpool_intern(&sw->strings, t->facts.comm));
	d->facts.known |= PI_FACT_STAT | PI_FACT_WCHAN | PI_FACT_TRACER;	/* tasks[] moves as it grows */
	d->facts.wchan = wchan;
	d->syscall.kind = PI_SYSCALL_NONE;
	if (off_cpu >= 0) {
		d->sched.have = PI_SCHED_EXEC_START;
		d->sched.exec_start_ns = 5000000000LL;
		d->sched_clock_ns = d->sched.exec_start_ns + (int64_t)(off_cpu * 1e9);
	} else {
		d->sched_err = -EACCES;
	}
	t->detail = (int32_t)sw->ndetails++;
}

/* A thread asleep in futex() on a word that looks like this. */
static void waits(struct pi_sweep_task *t, unsigned op, uint32_t expected, uint32_t word,
		  int32_t owner_field)
{
	sw->futexes = pi_xrealloc(sw->futexes, (sw->nfutexes + 1) * sizeof *sw->futexes);
	struct pi_futex *f = &sw->futexes[sw->nfutexes];
	memset(f, 0, sizeof *f);
	f->waiting = true;
	f->addr = 0x1000 + 0x40 * sw->nfutexes;
	f->op = op;
	f->private_op = true;
	f->expected = expected;
	f->word = word;
	f->owner_field = owner_field;
	f->nusers = owner_field ? 1 : 0;
	t->futex = (int32_t)sw->nfutexes++;
}

static void setup(struct pi_check *c, unsigned scans, double hung_after)
{
	memset(c, 0, sizeof *c);
	c->scans = scans;
	c->hung_after_seconds = hung_after;
	sw = &c->sweep;
	sw->uptime_seconds = 10000;
	sw->clock_ticks = HZ;
	sw->hung_task_timeout_secs = 120;
	sw->root = true;
}

/*   1 init (S), holds zombie 40
 *   10 server: 10 S, 11 D for 30 s (io_schedule), 12 D for 1 s, 13 D for ? s
 *   20 leaky (S): holds zombies 21 (started 500 s ago) and 22 (100 s ago)
 *   30 main thread exited (Z), 31 runs on: no zombie
 *   40 zombie, child of init */
static void build_system(struct pi_check *c, unsigned scans, double hung_after)
{
	setup(c, scans, hung_after);
	add_proc(1, 0, 'S', "init", 9000);
	add_task(1, 'S', "init");
	add_proc(10, 1, 'S', "server", 800);
	add_task(10, 'S', "server");
	in_d(add_task(11, 'D', "reader"), 30, "io_schedule");
	in_d(add_task(12, 'D', "writer"), 1, "folio_wait_bit");
	in_d(add_task(13, 'D', "flusher"), -1, "");
	add_proc(20, 1, 'S', "leaky", 700);
	add_task(20, 'S', "leaky");
	add_proc(21, 20, 'Z', "child-a", 500);
	add_task(21, 'Z', "child-a");
	add_proc(22, 20, 'Z', "child-b", 100);
	add_task(22, 'Z', "child-b");
	add_proc(30, 1, 'Z', "threaded", 300);
	add_task(30, 'Z', "threaded");
	add_task(31, 'S', "worker");
	add_proc(40, 1, 'Z', "orphan", 50);
	add_task(40, 'Z', "orphan");
	pi_check_analyze(c);
}

static const struct pi_check_item *item_of(const struct pi_check *c, enum pi_finding_kind kind,
					   pid_t pid)
{
	for (size_t i = 0; i < c->nitems; i++)
		if (c->items[i].finding.kind == kind && c->items[i].finding.pid == pid)
			return &c->items[i];
	return NULL;
}

START_TEST(states_counted)
{
	struct pi_check c;
	build_system(&c, PI_CHECK_ALL, 10);
	ck_assert_uint_eq(c.states.sleeping, 4);
	ck_assert_uint_eq(c.states.disk_sleep, 3);
	ck_assert_uint_eq(c.states.zombie, 4);
	ck_assert_uint_eq(c.states.running, 0);
	pi_check_free(&c);
}
END_TEST

START_TEST(hung_by_the_shared_rule)
{
	struct pi_check c;
	build_system(&c, PI_CHECK_ALL, 10);
	/* 11 is past --hung-after 10; 12 is not; 13's time is unknown, so it
	 * is in D but never called hung. */
	ck_assert_uint_eq(c.hung, 1);
	ck_assert_uint_eq(c.uninterruptible, 3);
	ck_assert_double_eq_tol(c.longest_d_seconds, 30, 1e-6);
	const struct pi_check_item *it = item_of(&c, PI_FIND_HUNG, 10);
	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq(it->finding.tid, 11);
	ck_assert_double_eq_tol(it->finding.seconds, 30, 1e-6);
	ck_assert_str_eq(it->finding.message,
			 "thread 11 (reader) of process 10 (server) has been in D (uninterruptible) "
			 "for 30 s, waiting in io_schedule; hung: longer than --hung-after 10 s "
			 "(the kernel's hung_task_timeout_secs is 120)");
	ck_assert_ptr_eq(it->task, &c.sweep.details[0]);
	ck_assert_str_eq(it->proc->comm, "server");
	pi_check_free(&c);

	/* A lower threshold makes 12 hung as well; 13 stays unknown. */
	build_system(&c, PI_CHECK_HUNG, 0.5);
	ck_assert_uint_eq(c.hung, 2);
	ck_assert_uint_eq(c.nitems, 2);
	ck_assert_int_eq(c.items[1].finding.tid, 12);
	pi_check_free(&c);
}
END_TEST

START_TEST(zombies_by_parent)
{
	struct pi_check c;
	build_system(&c, PI_CHECK_ALL, 10);
	/* 30's main thread exited but 31 runs on: not a zombie. */
	ck_assert_uint_eq(c.zombies, 3);
	ck_assert_uint_eq(c.zombie_parents, 2);
	const struct pi_check_item *leaky = item_of(&c, PI_FIND_ZOMBIE_PARENT, 20);
	ck_assert_ptr_nonnull(leaky);
	ck_assert_int_eq(leaky->finding.tid, 20);
	ck_assert_uint_eq(leaky->finding.npids, 2);
	ck_assert_int_eq(leaky->finding.pids[0], 21);
	ck_assert_int_eq(leaky->finding.pids[1], 22);
	/* Oldest first, with its age: the finding's duration. */
	ck_assert_int_eq(leaky->zombies[0].pid, 21);
	ck_assert_str_eq(leaky->zombies[0].comm, "child-a");
	ck_assert_double_eq_tol(leaky->zombies[0].age_seconds, 500, 0.02);
	ck_assert_double_eq_tol(leaky->finding.seconds, 500, 0.02);
	ck_assert_str_eq(leaky->finding.message,
			 "process 20 (leaky) holds 2 unreaped zombie children (the oldest started "
			 "8 min 20 s ago): pid 21 22");
	const struct pi_check_item *init = item_of(&c, PI_FIND_ZOMBIE_PARENT, 1);
	ck_assert_ptr_nonnull(init);
	ck_assert_uint_eq(init->finding.npids, 1);
	ck_assert_int_eq(init->finding.pids[0], 40);
	ck_assert_ptr_null(item_of(&c, PI_FIND_ZOMBIE_PARENT, 30));
	pi_check_free(&c);
}
END_TEST

START_TEST(only_the_scans_asked_for)
{
	struct pi_check c;
	build_system(&c, PI_CHECK_ZOMBIES, 10);
	/* Counted for the metrics, but no hung finding. */
	ck_assert_uint_eq(c.hung, 1);
	ck_assert_ptr_null(item_of(&c, PI_FIND_HUNG, 10));
	ck_assert_ptr_nonnull(item_of(&c, PI_FIND_ZOMBIE_PARENT, 20));
	pi_check_free(&c);

	build_system(&c, PI_CHECK_HUNG, 10);
	ck_assert_uint_eq(c.zombies, 3);
	ck_assert_ptr_null(item_of(&c, PI_FIND_ZOMBIE_PARENT, 20));
	ck_assert_uint_eq(c.nitems, 1);
	pi_check_free(&c);
}
END_TEST

START_TEST(lock_suspects)
{
	struct pi_check c;
	setup(&c, PI_CHECK_ALL, 10);
	/* 50: 51 and 52 wait for each other's mutex: a suspect. */
	add_proc(50, 1, 'S', "cycle", 10);
	waits(add_task(51, 'S', "a"), FUTEX_WAIT, 2, 2, 52);
	waits(add_task(52, 'S', "b"), FUTEX_WAIT, 2, 2, 51);
	/* 60: 61 waits for a mutex held by 62, which sleeps elsewhere: a
	 * chain, not a cycle. */
	add_proc(60, 1, 'S', "chain", 10);
	waits(add_task(61, 'S', "a"), FUTEX_WAIT, 2, 2, 62);
	add_task(62, 'S', "b");
	/* 70: condition variables (the word is no locked mutex). */
	add_proc(70, 1, 'S', "condvar", 10);
	waits(add_task(71, 'S', "a"), FUTEX_WAIT_BITSET, 0, 0, 0);
	waits(add_task(72, 'S', "b"), FUTEX_WAIT_BITSET, 0, 0, 0);
	/* 80: a thread waiting for a mutex it holds itself. */
	add_proc(80, 1, 'S', "self", 10);
	waits(add_task(81, 'S', "a"), FUTEX_WAIT, 2, 2, 81);
	/* 90: a priority-inheritance cycle: the word holds the owner. */
	add_proc(90, 1, 'S', "pi", 10);
	waits(add_task(91, 'S', "a"), FUTEX_LOCK_PI, 0, 0x80000000u | 92, 0);
	waits(add_task(92, 'S', "b"), FUTEX_WAIT, 0, 0, 0);
	/* 100: a cycle, but its locks could not be read. */
	add_proc(100, 1, 'S', "hidden", 10);
	waits(add_task(101, 'S', "a"), FUTEX_WAIT, 2, 2, 102);
	waits(add_task(102, 'S', "b"), FUTEX_WAIT, 2, 2, 101);
	sw->procs[sw->nprocs - 1].locks_err = -EACCES;
	/* 110: a mutex whose owner is in another process. */
	add_proc(110, 1, 'S', "shared", 10);
	waits(add_task(111, 'S', "a"), FUTEX_WAIT, 2, 2, 51);

	size_t *suspects;
	size_t n = pi_check_lock_suspects(&c.sweep, &suspects);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(c.sweep.procs[suspects[0]].pid, 50);
	ck_assert_int_eq(c.sweep.procs[suspects[1]].pid, 80);
	ck_assert_int_eq(c.sweep.procs[suspects[2]].pid, 90);
	free(suspects);
	pi_check_free(&c);
}
END_TEST

static char *label_value(const char *s, size_t len)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_metrics_label_value(&b, s, len);
	pi_buf_putc(&b, '\0');
	return pi_buf_steal(&b);
}

START_TEST(metrics_label_escaping)
{
	/* The text escape (a"b\\c\nd), quoted: the value read back is what
	 * the text output shows. */
	char *v = label_value("a\"b\\c\nd", 7);
	ck_assert_str_eq(v, "a\\\"b\\\\\\\\c\\\\nd");
	free(v);
	/* Control bytes, bytes that are not UTF-8 and invisible or
	 * reordering code points are shown escaped; valid UTF-8 stays. */
	v = label_value("x\x1b[1m\xff\xc3\xa9\xe2\x80\xae!", 12);
	ck_assert_str_eq(v, "x\\\\e[1m\\\\xff\xc3\xa9\\\\u{202e}!");
	free(v);
}
END_TEST

START_TEST(metrics_text)
{
	struct pi_check c;
	build_system(&c, PI_CHECK_ALL, 10);
	struct pi_buf b = PI_BUF_INIT;
	pi_render_metrics(&b, &c);
	pi_buf_putc(&b, '\0');
	const char *m = b.data;
	ck_assert_ptr_nonnull(strstr(m, "# TYPE pinspect_tasks gauge\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_tasks{state=\"uninterruptible\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_hung_tasks 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_uninterruptible_longest_seconds 30\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_hung_task_seconds{pid=\"10\",tid=\"11\",comm=\"reader\","
				     "wchan=\"io_schedule\"} 30\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_zombies 3\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_zombie_parent_zombies{pid=\"20\",comm=\"leaky\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_zombie_parent_zombies{pid=\"1\",comm=\"init\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "\npinspect_deadlocks 0\n"));
	/* Every family is announced once, and the text ends as OpenMetrics
	 * wants. */
	ck_assert_ptr_null(strstr(strstr(m, "# TYPE pinspect_zombies gauge") + 1, "# TYPE pinspect_zombies gauge"));
	size_t len = strlen(m);
	ck_assert(len > 6 && strcmp(m + len - 6, "# EOF\n") == 0);
	pi_buf_free(&b);
	pi_check_free(&c);

	/* Tasks in D whose times are all unknown: no made-up longest time. */
	setup(&c, PI_CHECK_ALL, 10);
	add_proc(5, 1, 'D', "stuck", 10);
	in_d(add_task(5, 'D', "stuck"), -1, "");
	pi_check_analyze(&c);
	pi_render_metrics(&b, &c);
	pi_buf_putc(&b, '\0');
	ck_assert_ptr_null(strstr(b.data, "pinspect_uninterruptible_longest_seconds"));
	pi_buf_free(&b);
	pi_check_free(&c);
}
END_TEST

Suite *check_suite(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("scans");
	tcase_add_test(tc, states_counted);
	tcase_add_test(tc, hung_by_the_shared_rule);
	tcase_add_test(tc, zombies_by_parent);
	tcase_add_test(tc, only_the_scans_asked_for);
	tcase_add_test(tc, lock_suspects);
	tcase_add_test(tc, metrics_label_escaping);
	tcase_add_test(tc, metrics_text);
	suite_add_tcase(s, tc);
	return s;
}
