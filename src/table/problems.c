#include "table/problems.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/finding_text.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct list {
	struct pi_finding *v;
	size_t n, cap;
};

static struct pi_finding *add(struct list *l, enum pi_finding_kind kind, pid_t pid, pid_t tid,
			      double seconds, struct pi_buf *msg)
{
	pi_xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
	struct pi_finding *f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->pid = pid;
	f->tid = tid;
	f->seconds = seconds;
	f->message = pi_buf_steal(msg);
	return f;
}

static void add_pid(struct pi_finding *f, pid_t pid)
{
	f->pids = pi_xrealloc(f->pids, (f->npids + 1) * sizeof *f->pids);
	f->pids[f->npids++] = pid;
}

static void hung_or_d(struct list *l, struct pi_table *t, const struct pi_proc *p,
		      const struct pi_task *task)
{
	struct pi_buf m = PI_BUF_INIT;
	struct pi_d_task_text d = {
		.tid = task->tid,
		.comm = pi_task_comm(t, task),
		.pid = p->pid,
		.process_comm = p->comm,
		.off_cpu_known = task->off_cpu_known,
		.off_cpu_seconds = task->off_cpu_seconds,
		.wchan = task->wchan_err ? NULL : task->wchan,
		.hung = task->flags & PI_TASK_HUNG,
		.hung_after_seconds = t->opt.hung_after_seconds,
		.hung_task_timeout_secs = t->hung_task_timeout_secs,
	};
	pi_text_d_task(&m, &d);
	add(l, d.hung ? PI_FIND_HUNG : PI_FIND_UNINTERRUPTIBLE, p->pid, task->tid,
	    task->off_cpu_known ? task->off_cpu_seconds : -1, &m);
}

/* A process's lock cycles, as the snapshot found them when the deadlock
 * scan read it: its words, its threads (the cycle, in order). */
static void lock_cycles(struct list *l, struct pi_table *t, const struct pi_proc *p)
{
	const struct pi_deadlock *end = t->deadlocks.v + t->deadlocks.n;
	for (const struct pi_deadlock *d = pi_table_first_deadlock(t, p->pid);
	     d && d < end && d->pid == p->pid; d++) {
		struct pi_buf m = PI_BUF_INIT;
		pi_buf_puts(&m, d->message);
		struct pi_finding *f = add(l, PI_FIND_DEADLOCK, p->pid, d->tids[0], -1, &m);
		for (size_t k = 0; k < d->ntids; k++)
			add_pid(f, d->tids[k]);
	}
}

static void zombie(struct list *l, struct pi_table *t, const struct pi_proc *p)
{
	struct pi_buf m = PI_BUF_INIT;
	const struct pi_proc *parent = pi_table_find_proc(t, p->ppid);

	pi_text_zombie(&m, p->pid, p->comm, p->ppid, parent ? parent->comm : NULL);
	add(l, PI_FIND_ZOMBIE, p->pid, p->pid, -1, &m);
}

static void zombie_parent(struct list *l, struct pi_table *t, const struct pi_proc *p)
{
	struct pi_buf m = PI_BUF_INIT;
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < t->nprocs; i++) {
		const struct pi_proc *z = &t->procs[i];
		const struct pi_task *main = pi_proc_main_task(t, z);
		if (z->ppid != p->pid || !main || !(main->flags & PI_TASK_ZOMBIE))
			continue;
		pi_xgrow(&pids, &cap, n + 1, sizeof *pids);
		pids[n++] = z->pid;
	}
	pi_text_zombie_parent(&m, p->pid, p->comm, pids, n, p->oldest_zombie_seconds);
	struct pi_finding *f = add(l, PI_FIND_ZOMBIE_PARENT, p->pid, p->pid,
				   p->oldest_zombie_seconds, &m);
	f->pids = pids;
	f->npids = n;
}

/* Stopped and traced are usually true of every thread at once (a group
 * stop, strace -f): then one finding speaks for the process. */
static void stopped_or_traced(struct list *l, struct pi_table *t, const struct pi_proc *p,
			      unsigned which)
{
	const struct pi_task *tasks = t->tasks + p->first_task;
	struct pi_stop_text st = {
		.traced = which == PI_TASK_TRACED,
		.pid = p->pid,
		.comm = p->comm,
		.nthreads = p->ntasks,
		.name_process = true,
	};

	for (uint32_t i = 0; i < p->ntasks; i++) {
		if (!(tasks[i].flags & which))
			continue;
		st.hit++;
		if (!st.tracer && tasks[i].status_err == 0)
			st.tracer = tasks[i].tracer_pid;
		st.held |= tasks[i].state == 't';
	}
	if (!st.hit)
		return;
	if (st.tracer > 0) {
		const struct pi_proc *tracer = pi_table_find_proc(t, st.tracer);
		st.tracer_comm = tracer ? tracer->comm : NULL;
	}
	bool all = st.hit == p->ntasks;
	struct pi_buf m = PI_BUF_INIT;
	pi_text_stopped(&m, &st);
	struct pi_finding *f = add(l, st.traced ? PI_FIND_TRACED : PI_FIND_STOPPED, p->pid,
				   all ? p->pid : 0, -1, &m);
	for (uint32_t i = 0; i < p->ntasks; i++)
		if (tasks[i].flags & which)
			add_pid(f, tasks[i].tid);
	if (!all && f->npids)
		f->tid = f->pids[0];
}

static void leader_exited(struct list *l, const struct pi_proc *p)
{
	struct pi_buf m = PI_BUF_INIT;
	pi_text_leader_exited(&m, p->pid, p->nlwp > 0 ? (size_t)p->nlwp - 1 : 0);
	add(l, PI_FIND_LEADER_EXITED, p->pid, p->pid, -1, &m);
}

size_t pi_table_findings(struct pi_table *t, struct pi_finding **out)
{
	struct list l = { NULL, 0, 0 };

	for (size_t i = 0; i < t->nprocs; i++) {
		const struct pi_proc *p = &t->procs[i];
		if (!p->flags && !p->zombies)
			continue;
		for (uint32_t k = 0; k < p->ntasks; k++) {
			const struct pi_task *task = &t->tasks[p->first_task + k];
			if (task->flags & (PI_TASK_HUNG | PI_TASK_UNINTERRUPTIBLE))
				hung_or_d(&l, t, p, task);
		}
		if (p->flags & PI_TASK_DEADLOCKED)
			lock_cycles(&l, t, p);
		if (p->flags & PI_TASK_ZOMBIE)
			zombie(&l, t, p);
		if (p->flags & PI_TASK_LEADER_EXITED)
			leader_exited(&l, p);
		stopped_or_traced(&l, t, p, PI_TASK_STOPPED);
		stopped_or_traced(&l, t, p, PI_TASK_TRACED);
		if (p->zombies)
			zombie_parent(&l, t, p);
	}
	*out = l.v;
	return l.n;
}

void pi_table_findings_free(struct pi_finding *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].message);
		free(f[i].pids);
	}
	free(f);
}
