/* The expensive files of chosen tasks: sched, wchan, syscall, status,
 * and a fresh stat. Each task is read through its own directory fd, and
 * its stat's start time is checked against the table's, so that a TID
 * reused since the sample is never mistaken for the task it replaced. */
#include "table/table.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis/offcpu.h"
#include "collect/sched_clock.h"
#include "model.h"
#include "proc/system.h"
#include "proc/lists.h"
#include "proc/reader.h"
#include "proc/sched.h"
#include "proc/status.h"
#include "sys/abi.h"
#include "util/xalloc.h"

static void gone(struct pi_task *task, unsigned what, int e)
{
	int16_t err = (int16_t)e;
	if (what & PI_DETAIL_SCHED) {
		task->sched_err = err;
		pi_fact_set_known(&task->facts, PI_FACT_OFF_CPU | PI_FACT_SWITCHES, false);
		task->vcsw_rate = task->ivcsw_rate = NAN;
	}
	if (what & PI_DETAIL_WCHAN) {
		task->wchan_err = err;
		task->facts.wchan = NULL;
		pi_fact_set_known(&task->facts, PI_FACT_WCHAN, false);
	}
	if (what & PI_DETAIL_SYSCALL) {
		task->syscall_err = err;
		pi_fact_set_known(&task->facts, PI_FACT_SYSCALL, false);
	}
	if (what & PI_DETAIL_STATUS) {
		task->status_err = err;
		task->facts.tracer_pid = 0;
		pi_fact_set_known(&task->facts, PI_FACT_TRACER, false);
	}
	if (what & PI_DETAIL_STATM)
		task->statm_err = err;
}

static void read_stat(struct pi_table *t, int fd, struct pi_task *task, unsigned *what)
{
	struct pi_stat st;
	int err = pi_read_at(fd, "stat", &t->buf);
	if (!err)
		err = pi_stat_parse(t->buf.data, t->buf.len, &st);
	if (!err && st.starttime != task->starttime)
		err = -ESRCH;	/* the TID now names another task */
	if (err) {
		if (pi_err_gone(err)) {
			gone(task, *what, err);
			*what = 0;
		}
		return;
	}
	task->facts.state = st.state;
	task->processor = st.processor;
}

static void read_sched(struct pi_table *t, int fd, struct pi_task *task,
		       struct pi_sched_clock *clock)
{
	struct pi_sched s;
	int err = pi_read_at(fd, "sched", &t->buf);
	int64_t mono = pi_monotonic_ns();
	if (!err)
		err = pi_sched_parse(t->buf.data, t->buf.len, &s);
	if (err) {
		gone(task, PI_DETAIL_SCHED, err);
		return;
	}

	/* Rates need two readings of the same task. */
	task->vcsw_rate = task->ivcsw_rate = NAN;
	if (s.have & PI_SCHED_SWITCHES) {
		if (task->sched_err == 0 && task->sched_ns && mono > task->sched_ns
		    && s.nr_voluntary_switches >= task->facts.nvcsw
		    && s.nr_involuntary_switches >= task->facts.nivcsw) {
			double dt = (double)(mono - task->sched_ns) / 1e9;
			task->vcsw_rate = (double)(s.nr_voluntary_switches - task->facts.nvcsw) / dt;
			task->ivcsw_rate = (double)(s.nr_involuntary_switches - task->facts.nivcsw) / dt;
		}
		task->facts.nvcsw = s.nr_voluntary_switches;
		task->facts.nivcsw = s.nr_involuntary_switches;
		task->sched_ns = mono;
		task->sched_err = 0;
	} else {
		task->sched_ns = 0;
		task->sched_err = -EINVAL;
	}
	pi_fact_set_known(&task->facts, PI_FACT_SWITCHES, task->sched_err == 0);

	/* A task in R that is not known to be in a system call is on a CPU,
	 * or about to be: not "off" it. */
	bool on_cpu = task->facts.state == 'R'
		      && (task->syscall_err || task->facts.syscall_kind == PI_SYSCALL_RUNNING);
	int64_t now = pi_sched_clock_at(clock, task->processor, mono);
	bool off_cpu_known = pi_off_cpu(now, s.exec_start_ns, on_cpu, &task->facts.off_cpu_seconds);
	pi_fact_set_known(&task->facts, PI_FACT_OFF_CPU, off_cpu_known);
	if (task->sched_err && off_cpu_known)
		task->sched_err = 0;	/* no switch counts, but the time is known */
}

static void read_wchan(struct pi_table *t, int fd, struct pi_task *task)
{
	char sym[PI_WCHAN_MAX];
	int err = pi_read_at(fd, "wchan", &t->buf);
	if (!err)
		err = pi_wchan_parse(t->buf.data, t->buf.len, sym, sizeof sym);
	/* Without the right to ptrace a task, the kernel says "0", as for
	 * a task not waiting: then "0" means unknown (see collect/). The
	 * syscall file, read just before, has the same access check. */
	bool denied = task->syscall_err == -EACCES || task->syscall_err == -EPERM
		      || (!t->root && task->euid != geteuid());
	if (!err && !sym[0] && denied)
		err = -EACCES;
	task->wchan_err = (int16_t)err;
	task->facts.wchan = err ? NULL : pi_strpool_intern(&t->strings, sym);
	pi_fact_set_known(&task->facts, PI_FACT_WCHAN, !err);
}

static void read_abi(struct pi_proc *p)
{
	enum pi_abi abi;

	p->abi_read = true;
	int fd = pi_proc_open(p->pid);
	if (fd < 0)
		return;
	if (pi_exe_abi(fd, &abi) == 0)
		p->abi = (int)abi;
	close(fd);
}

static void read_syscall(struct pi_table *t, int fd, struct pi_task *task)
{
	struct pi_proc *p = pi_task_proc(t, task);
	if (p->kernel_thread) {
		/* "0 0x0 ..." in a kernel thread's file means nothing. */
		task->syscall_err = -PI_ERR_KERNEL_THREAD;
		pi_fact_set_known(&task->facts, PI_FACT_SYSCALL, false);
		return;
	}
	if (task->facts.state == 'Z' || task->facts.state == 'X') {
		task->syscall_err = -PI_ERR_ZOMBIE;
		pi_fact_set_known(&task->facts, PI_FACT_SYSCALL, false);
		return;
	}
	struct pi_syscall sc;
	int err = pi_read_at(fd, "syscall", &t->buf);
	if (!err)
		err = pi_syscall_parse(t->buf.data, t->buf.len, &sc);
	task->syscall_err = (int16_t)err;
	if (!err) {
		task->facts.syscall_kind = (uint8_t)sc.kind;
		task->facts.syscall_nr = (int)sc.nr;
	}
	pi_fact_set_known(&task->facts, PI_FACT_SYSCALL, !err);
	/* Once per process: what its numbers mean. */
	if (!err && task->facts.syscall_kind == PI_SYSCALL_IN && !p->abi_read)
		read_abi(p);
}

static void read_status(struct pi_table *t, int fd, struct pi_task *task)
{
	struct pi_status st;
	int err = pi_read_at(fd, "status", &t->buf);
	if (!err)
		err = pi_status_parse(t->buf.data, t->buf.len, &st);
	if (!err && !(st.have & PI_STATUS_TRACER))
		err = -EINVAL;
	task->status_err = (int16_t)err;
	task->facts.tracer_pid = err ? 0 : st.tracer_pid;
	pi_fact_set_known(&task->facts, PI_FACT_TRACER, !err);
}

/* statm: "size resident shared text lib data dt", in pages. */
static void read_statm(struct pi_table *t, int fd, struct pi_task *task)
{
	int err = pi_read_at(fd, "statm", &t->buf);
	unsigned long long size, resident, shared;
	if (!err && sscanf(t->buf.data, "%llu %llu %llu", &size, &resident, &shared) != 3)
		err = -EINVAL;
	task->statm_err = (int16_t)err;
	task->shared_pages = err ? 0 : shared > UINT32_MAX ? UINT32_MAX : (uint32_t)shared;
}

static void read_one(struct pi_table *t, struct pi_task *task, unsigned what,
		     struct pi_sched_clock *clock)
{
	const struct pi_proc *p = pi_task_proc(t, task);

	what &= ~task->have;
	if (!what)
		return;
	task->have |= what;
	t->detail_reads++;
	int fd = pi_proc_open_task(p->pid, task->facts.tid);
	if (fd < 0) {
		gone(task, what, fd);
		return;
	}
	/* The stat first: the state decides what the other files mean. */
	if (what & PI_DETAIL_STAT)
		read_stat(t, fd, task, &what);
	if (what & PI_DETAIL_SYSCALL)
		read_syscall(t, fd, task);
	if (what & PI_DETAIL_SCHED)
		read_sched(t, fd, task, clock);
	if (what & PI_DETAIL_WCHAN)
		read_wchan(t, fd, task);
	if (what & PI_DETAIL_STATUS)
		read_status(t, fd, task);
	if (what & PI_DETAIL_STATM)
		read_statm(t, fd, task);
	close(fd);
}

void pi_table_read(struct pi_table *t, struct pi_task *const *tasks, size_t n, unsigned what)
{
	struct pi_sched_clock clock = { 0 };

	if (!n || !what)
		return;
	/* A clock learnt afresh for each batch: the scheduler's clocks
	 * drift from CLOCK_MONOTONIC over minutes, and learning moves us
	 * between CPUs, which pi_sched_clock_done undoes. */
	if (what & PI_DETAIL_SCHED)
		pi_sched_clock_init(&clock);
	for (size_t i = 0; i < n; i++)
		read_one(t, tasks[i], what, &clock);
	if (what & PI_DETAIL_SCHED)
		pi_sched_clock_done(&clock);
}

void pi_table_read_all(struct pi_table *t, unsigned what)
{
	struct pi_task **all = pi_xcalloc(t->ntasks, sizeof *all);
	for (size_t i = 0; i < t->ntasks; i++)
		all[i] = &t->tasks[i];
	pi_table_read(t, all, t->ntasks, what);
	free(all);
}

void pi_table_read_cmdline(struct pi_table *t, struct pi_proc *p)
{
	size_t total;

	free(p->cmdline);
	p->cmdline = NULL;
	p->cmdline_cut = p->cmdline_bytes_more = false;
	p->cmdline_bytes = 0;
	if (p->kernel_thread) {
		p->cmdline_err = 0;
		p->cmdline = pi_xstrdup("");
		return;
	}
	p->cmdline_err = pi_proc_read_file_prefix(p->pid, "cmdline", PI_CMDLINE_KEEP, PI_CMDLINE_COUNT_MAX,
						  &t->buf, &total);
	if (p->cmdline_err)
		return;
	char *text = t->buf.data;
	size_t len = t->buf.len;
	p->cmdline_bytes = total;
	p->cmdline_bytes_more = total >= PI_CMDLINE_COUNT_MAX;
	p->cmdline_cut = total > len;
	if (p->cmdline_cut) {
		/* Not in the middle of a character: back up to where the last
		 * one that may be cut began. */
		size_t back = 0;
		while (back < 3 && back < len && ((unsigned char)text[len - 1 - back] & 0xc0) == 0x80)
			back++;
		unsigned char lead = back < len ? (unsigned char)text[len - 1 - back] : 0;
		size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (lead >= 0xc0 && back + 1 < need)
			len -= back + 1;
	} else {
		/* Trailing NULs are padding, not empty arguments. */
		while (len > 0 && text[len - 1] == '\0')
			len--;
	}
	/* The arguments joined by spaces, as pi_cmdline_parse would split
	 * them. */
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\0')
			text[i] = ' ';
	text[len] = '\0';
	p->cmdline = pi_xstrdup(text);
}

void pi_table_read_cmdlines(struct pi_table *t, struct pi_task *const *tasks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pi_proc *p = pi_task_proc(t, tasks[i]);
		/* Several rows may share a process: read it once. */
		if (i > 0 && tasks[i - 1]->proc == tasks[i]->proc)
			continue;
		pi_table_read_cmdline(t, p);
	}
}
