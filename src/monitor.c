#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/sched_clock.h"
#include "exitcodes.h"
#include "proc/system.h"
#include "proc/reader.h"
#include "proc/status.h"
#include "table/columns.h"
#include "util/thread.h"
#include "util/xalloc.h"

/* --top given a thread's ID watches its process, as `pinspect TID`
 * shows its process. Returns 0, or an exit status after a message. */
static int resolve_top(pid_t *pid)
{
	struct pi_buf buf = PI_BUF_INIT;
	struct pi_status st;
	int status = 0;

	int err = pi_proc_read_file(*pid, 0, "status", &buf);
	if (!err)
		err = pi_status_parse(buf.data, buf.len, &st);
	pi_buf_free(&buf);
	if (pi_err_gone(err)) {
		fprintf(stderr, "pinspect: PID %d: no such process\n", (int)*pid);
		status = PI_EXIT_NOPROC;
	} else if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "pinspect: PID %d: permission denied (is /proc mounted with hidepid=?); "
			"run pinspect as root\n", (int)*pid);
		status = PI_EXIT_DENIED;
	} else if (!err && (st.have & PI_STATUS_TGID) && st.tgid != *pid) {
		fprintf(stderr, "pinspect: %d is a thread of process %d; watching the process\n",
			(int)*pid, (int)st.tgid);
		*pid = st.tgid;
	}
	return status;
}

int pi_monitor_init(struct pi_monitor *m, const struct pi_options *opt)
{
	struct pi_table_options to = { opt->top_pid, opt->hung_after_seconds };

	memset(m, 0, sizeof *m);
	if (to.only_pid) {
		int status = resolve_top(&to.only_pid);
		if (status)
			return status;
	}
	int err = pi_table_init(&m->table, &to);
	if (err) {
		fprintf(stderr, "pinspect: libproc2 could not be set up: %s\n", strerror(-err));
		return PI_EXIT_FAILURE;
	}
	atomic_init(&m->deadlocks.done, false);
	m->deadlocks.background = opt->mode == PI_MODE_LIVE;
	m->deadlocks.timeout_seconds = opt->timeout_seconds;
	m->deadlocks.only_pid = to.only_pid;
	const char *gate = getenv("PINSPECT_TEST_LOOK_GATE");
	m->deadlocks.test_gate = gate && *gate ? gate : NULL;
	/* --top shows the threads: that is what watching one process means. */
	pi_monitor_view_from_options(m, opt, to.only_pid != 0);
	pi_monitor_set_columns(m, pi_monitor_columns_asked(opt));
	if (opt->json)
		m->row_detail = PI_DETAIL_ALL;
	return 0;
}

const struct pi_column_set *pi_monitor_columns_asked(const struct pi_options *opt)
{
	if (opt->columns_given && !(opt->json && opt->columns_added))
		return &opt->columns;
	return opt->json ? pi_columns_all() : pi_columns_default();
}

void pi_monitor_view_from_options(struct pi_monitor *m, const struct pi_options *opt, bool threads)
{
	m->vo.threads = opt->threads || threads;
	m->vo.problems_only = opt->problems_only;
	m->vo.sort = PI_COL_CPU;
	m->vo.descending = true;
}

void pi_monitor_done(struct pi_monitor *m)
{
	/* A sweep under way is waited for (it ends in a fraction of a second
	 * as a rule): a thread cannot be stopped in the middle of a read, and
	 * the process could not end before that read returns anyway. */
	if (m->deadlocks.running)
		pthread_join(m->deadlocks.thread, NULL);
	pi_check_free(&m->deadlocks.check);
	pi_view_free(&m->view);
	pi_table_done(&m->table);
	free(m->filter);
	memset(m, 0, sizeof *m);
}

/* The second half of a look, where reading a process is safe: the
 * suspects read again, and the cycles found handed to the table. */
static void finish_scan(struct pi_monitor *m)
{
	struct pi_deadlock_scan *s = &m->deadlocks;
	struct pi_check *c = &s->check;

	if (!s->err) {
		/* (The processes waiting for each other were looked for with
		 * the sweep, look_across.) */
		pi_check_find_deadlocks(c);
		size_t cap = c->nitems;
		for (size_t i = 0; i < c->nitems; i++)
			if (c->items[i].cross)
				cap += c->items[i].cross->nsteps;
		struct pi_deadlock *v = pi_xcalloc(cap ? cap : 1, sizeof *v);
		size_t n = 0;
		for (size_t i = 0; i < c->nitems; i++) {
			struct pi_finding *f = &c->items[i].finding;
			const struct pi_cross_deadlock *x = c->items[i].cross;
			if (f->kind == PI_FIND_PROCESS_DEADLOCK && x) {
				/* One entry per process of the cycle: its waiting
				 * thread, and the process it waits for. */
				for (size_t k = 0; k < x->nsteps; k++) {
					const struct pi_sweep_proc *sp = pi_sweep_find_proc(&c->sweep, x->steps[k].pid);
					if (!sp)
						continue;
					pid_t *tid = pi_xmalloc(sizeof *tid);
					*tid = x->steps[k].tid;
					pid_t *pids = pi_xmalloc(x->nsteps * sizeof *pids);
					for (size_t j = 0; j < x->nsteps; j++)
						pids[j] = x->steps[j].pid;
					v[n++] = (struct pi_deadlock){ sp->pid, sp->starttime, tid, 1,
								       pi_xstrdup(f->message ? f->message : ""),
								       true, x->steps[(k + 1) % x->nsteps].pid,
								       pids, x->nsteps };
				}
				continue;
			}
			const struct pi_process *p = c->items[i].snapshot;
			if (f->kind != PI_FIND_DEADLOCK || !p || p->stat_err)
				continue;
			/* The process the cycle was found in (read again
			 * after the sweep), named by its start time too. */
			v[n] = (struct pi_deadlock){ f->pid, p->stat.starttime, f->pids, f->npids,
						     f->message, false, 0, NULL, 0 };
			f->pids = NULL;
			f->npids = 0;
			f->message = NULL;
			n++;
		}
		/* Watching one process, only its own locks matter. */
		pid_t only = m->table.opt.only_pid;
		size_t unchecked = only ? 0 : c->nlocks_unchecked;
		for (size_t i = 0; only && i < c->nlocks_unchecked; i++)
			unchecked += c->locks_unchecked[i] == only;
		pi_table_set_deadlocks(&m->table, v, n, unchecked, s->started_ns);
		/* The header names the first of them. */
		struct pi_unchecked named[PI_UNCHECKED_NAMED];
		size_t nnamed = 0;
		for (size_t i = 0; i < c->nlocks_unchecked && nnamed < PI_UNCHECKED_NAMED; i++) {
			if (only && c->locks_unchecked[i] != only)
				continue;
			const struct pi_sweep_proc *sp = pi_sweep_find_proc(&c->sweep, c->locks_unchecked[i]);
			named[nnamed].pid = c->locks_unchecked[i];
			const char *comm = sp ? sp->comm : "?";
			size_t len = strnlen(comm, sizeof named[nnamed].comm - 1);
			memcpy(named[nnamed].comm, comm, len);
			named[nnamed].comm[len] = '\0';
			nnamed++;
		}
		pi_table_name_unchecked(&m->table, named, nnamed);
	}
	pi_check_free(c);
	/* From the end of this look: a look that takes long (a huge
	 * system) does not make them back to back. */
	s->next_ns = pi_monotonic_ns() + (int64_t)(PI_DEADLOCK_SCAN_SECONDS * 1e9);
}

/* Every task's lock words, or with --top that process's alone: watching
 * one process, the others' deadlocks are not looked for. */
static int sweep(struct pi_deadlock_scan *s)
{
	if (s->only_pid)
		return pi_sweep_run_one(&s->check.sweep, PI_SWEEP_LOCKS, s->only_pid);
	return pi_sweep_run(&s->check.sweep, PI_SWEEP_LOCKS);
}

/* The tests' gate (see monitor.h): bounded, so that a file left behind
 * delays looks, never stops them. */
static void wait_at_test_gate(const struct pi_deadlock_scan *s)
{
	for (int i = 0; s->test_gate && i < 1200 && access(s->test_gate, F_OK) == 0; i++)
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
}

/* Processes waiting for each other: looked for among those the sweep saw
 * with every thread asleep (watching one process, its peers are not in
 * the sweep: among all). At 10,000 processes this reads thousands of
 * task lists and syscall files, the longest part of a look: in the live
 * view it runs on the look's own thread, after the sweep. It reads
 * /proc and the processes' memory and descriptors, with state of its own
 * (the run, its string pool), and the syscall names' cache, which is
 * locked. */
static void look_across(struct pi_deadlock_scan *s, bool on_thread)
{
	if (s->err)
		return;
	if (on_thread)
		wait_at_test_gate(s);
	pi_check_find_process_deadlocks(&s->check, s->only_pid == 0);
}

static void *sweep_thread(void *arg)
{
	struct pi_deadlock_scan *s = arg;
	s->err = sweep(s);
	look_across(s, true);
	atomic_store(&s->done, true);
	return NULL;
}

/* In the live view the sweep runs on a thread of its own: it takes about
 * 0.1 s at 10,000 tasks, several times that on a busy machine (it reads
 * a file of every sleeping task), and the keys would wait as long. The
 * sweep only reads /proc and lock words, and is made for threads (it
 * runs a reader per CPU); the look across processes follows it there
 * (look_across). The suspects are read again on the calling
 * thread instead, once the sweep is done: their lock words and the
 * symbols that name the locks, not their stacks (locks_only), with code
 * that keeps global state (libdwfl's) that
 * two threads must not share; it is quick (a few milliseconds for a
 * deadlocked process, nothing when no process is suspect). The thread
 * blocks the signals sent to the process: they are the main thread's to
 * see, and must not interrupt the sweep's reads. A fault of its own
 * (SIGSEGV and the like) is left to reach the crash handler, which gives
 * the terminal back. The first look, and every look in batch mode (which
 * has no keys to keep answering), is made in place, so that the first
 * refresh already shows deadlocks. */
static void start_scan(struct pi_monitor *m)
{
	struct pi_deadlock_scan *s = &m->deadlocks;

	memset(&s->check, 0, sizeof s->check);
	s->check.scans = PI_CHECK_DEADLOCKS;
	s->check.hung_after_seconds = m->table.opt.hung_after_seconds;
	s->check.locks_only = true;
	s->check.timeout_seconds = s->timeout_seconds;
	s->started_ns = pi_monotonic_ns();
	s->err = 0;
	if (s->background && m->table.samples > 0) {
		atomic_store(&s->done, false);
		int err = pi_thread_start_quiet(&s->thread, sweep_thread, s);
		if (err == 0) {
			s->running = true;
			return;
		}
	}
	s->err = sweep(s);
	look_across(s, false);
	finish_scan(m);
}

bool pi_monitor_looking(const struct pi_monitor *m)
{
	return m->deadlocks.running;
}

bool pi_monitor_take_deadlocks(struct pi_monitor *m)
{
	struct pi_deadlock_scan *s = &m->deadlocks;

	if (!s->running || !atomic_load(&s->done))
		return false;
	pthread_join(s->thread, NULL);
	s->running = false;
	finish_scan(m);
	pi_table_classify(&m->table);
	return true;
}

/* Takes the look that has finished, and starts the next when due. */
static void scan_deadlocks(struct pi_monitor *m)
{
	pi_monitor_take_deadlocks(m);
	if (!m->deadlocks.running && pi_monotonic_ns() >= m->deadlocks.next_ns)
		start_scan(m);
}

int pi_monitor_sample(struct pi_monitor *m)
{
	if (m->replay)
		return 0;
	bool first = m->table.samples == 0;
	scan_deadlocks(m);
	int err = pi_table_sample(&m->table);
	if (!err)
		return 0;
	if (err == -ESRCH && m->table.opt.only_pid) {
		snprintf(m->error, sizeof m->error, first ? "PID %d: no such process"
							  : "process %d has exited",
			 (int)m->table.opt.only_pid);
		m->gone = true;
		return PI_EXIT_NOPROC;
	}
	snprintf(m->error, sizeof m->error, "reading the task list from /proc failed: %s "
		 "(is /proc mounted?)", strerror(-err));
	return PI_EXIT_FAILURE;
}

void pi_monitor_build(struct pi_monitor *m)
{
	unsigned need = pi_column(m->vo.sort)->detail;
	if (need && !m->replay) {
		pi_table_read_all(&m->table, need);
		pi_table_classify(&m->table);
	}
	pi_view_build(&m->view, &m->table, &m->vo);
}

void pi_monitor_read_rows(struct pi_monitor *m, size_t from, size_t n, bool cmdlines)
{
	if (from >= m->view.n || m->replay)
		return;
	if (n > m->view.n - from)
		n = m->view.n - from;
	struct pi_task **tasks = pi_xcalloc(n ? n : 1, sizeof *tasks);
	for (size_t i = 0; i < n; i++)
		tasks[i] = m->view.rows[from + i].task;
	pi_table_read(&m->table, tasks, n, m->row_detail);
	if (cmdlines)
		pi_table_read_cmdlines(&m->table, tasks, n);
	free(tasks);
	pi_table_classify(&m->table);
}

void pi_monitor_set_columns(struct pi_monitor *m, const struct pi_column_set *set)
{
	m->columns = *set;
	m->vo.columns = &m->columns;
	/* A fresh stat (the state now) for every row, whatever is shown. */
	m->row_detail = PI_DETAIL_STAT | pi_columns_detail(set);
}

void pi_monitor_set_filter(struct pi_monitor *m, const char *text)
{
	free(m->filter);
	m->filter = text && *text ? pi_xstrdup(text) : NULL;
	m->vo.filter = m->filter;
}
