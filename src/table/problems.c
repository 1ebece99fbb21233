#include "table/problems.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/fmt.h"
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

/* "process 1234 (name)": names come from the task, so they are escaped. */
static void put_task(struct pi_buf *b, const char *what, pid_t id, const char *comm)
{
	pi_buf_printf(b, "%s %d (", what, (int)id);
	pi_escape_text(b, comm, strlen(comm));
	pi_buf_puts(b, ")");
}

static void hung_or_d(struct list *l, struct pi_table *t, const struct pi_proc *p,
		      const struct pi_task *task)
{
	struct pi_buf m = PI_BUF_INIT;
	char dur[32], limit[32];
	bool hung = task->flags & PI_TASK_HUNG;

	put_task(&m, "thread", task->tid, pi_task_comm(t, task));
	if (task->tid != p->pid)
		put_task(&m, " of process", p->pid, p->comm);
	if (task->off_cpu_known)
		pi_buf_printf(&m, " has been in D (uninterruptible) for %s",
			      pi_fmt_duration(dur, sizeof dur, task->off_cpu_seconds));
	else
		pi_buf_puts(&m, " is in D (uninterruptible)");
	if (!task->wchan_err && task->wchan && task->wchan[0])
		pi_buf_printf(&m, ", waiting in %s", task->wchan);
	if (hung) {
		pi_buf_printf(&m, "; hung: longer than --hung-after %s",
			      pi_fmt_duration(limit, sizeof limit, t->opt.hung_after_seconds));
		if (t->hung_task_timeout_secs >= 0)
			pi_buf_printf(&m, " (the kernel's hung_task_timeout_secs is %d)",
				      t->hung_task_timeout_secs);
	}
	add(l, hung ? PI_FIND_HUNG : PI_FIND_UNINTERRUPTIBLE, p->pid, task->tid,
	    task->off_cpu_known ? task->off_cpu_seconds : -1, &m);
}

static void zombie(struct list *l, struct pi_table *t, const struct pi_proc *p)
{
	struct pi_buf m = PI_BUF_INIT;
	const struct pi_proc *parent = pi_table_find_proc(t, p->ppid);

	put_task(&m, "process", p->pid, p->comm);
	pi_buf_printf(&m, " is a zombie: it has exited, and its parent %d", (int)p->ppid);
	if (parent) {
		pi_buf_puts(&m, " (");
		pi_escape_text(&m, parent->comm, strlen(parent->comm));
		pi_buf_puts(&m, ")");
	}
	pi_buf_puts(&m, " has not reaped it with wait()");
	add(l, PI_FIND_ZOMBIE, p->pid, p->pid, -1, &m);
}

static void zombie_parent(struct list *l, struct pi_table *t, const struct pi_proc *p)
{
	struct pi_buf m = PI_BUF_INIT;
	char dur[32];
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
	put_task(&m, "process", p->pid, p->comm);
	pi_buf_printf(&m, " holds %zu unreaped zombie child%s (the oldest started %s ago): pid",
		      n, n == 1 ? "" : "ren", pi_fmt_duration(dur, sizeof dur, p->oldest_zombie_seconds));
	for (size_t i = 0; i < n && i < 10; i++)
		pi_buf_printf(&m, " %d", (int)pids[i]);
	if (n > 10)
		pi_buf_printf(&m, " and %zu more", n - 10);
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
	size_t hit = 0;
	const struct pi_task *tasks = t->tasks + p->first_task;
	pid_t tracer = 0;

	for (uint32_t i = 0; i < p->ntasks; i++) {
		if (!(tasks[i].flags & which))
			continue;
		hit++;
		if (!tracer && tasks[i].status_err == 0)
			tracer = tasks[i].tracer_pid;
	}
	if (!hit)
		return;
	bool all = hit == p->ntasks;
	enum pi_finding_kind kind = which == PI_TASK_STOPPED ? PI_FIND_STOPPED : PI_FIND_TRACED;
	struct pi_buf m = PI_BUF_INIT;

	if (all)
		put_task(&m, "process", p->pid, p->comm);
	else
		pi_buf_printf(&m, "%zu of %u threads of process %d", hit, p->ntasks, (int)p->pid);
	if (kind == PI_FIND_STOPPED) {
		pi_buf_printf(&m, " %s stopped by a job-control signal; kill -CONT %d resumes it",
			      all ? "is" : "are", (int)p->pid);
	} else {
		pi_buf_printf(&m, " %s traced", all ? "is" : "are");
		if (tracer > 0)
			pi_buf_printf(&m, " by %d", (int)tracer);
	}
	struct pi_finding *f = add(l, kind, p->pid, all ? p->pid : 0, -1, &m);
	for (uint32_t i = 0; i < p->ntasks; i++)
		if (tasks[i].flags & which)
			add_pid(f, tasks[i].tid);
	if (!all && f->npids)
		f->tid = f->pids[0];
}

static void leader_exited(struct list *l, const struct pi_proc *p)
{
	struct pi_buf m = PI_BUF_INIT;
	pi_buf_printf(&m, "the main thread %d has exited; the process lives on in %d other thread%s",
		      (int)p->pid, p->nlwp - 1, p->nlwp == 2 ? "" : "s");
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
