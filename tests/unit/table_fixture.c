/* The hand-made table the table tests share (table_fixture.h). */
#include "table_fixture.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/xalloc.h"

struct spec {
	pid_t pid, ppid;
	char state;
	const char *comm, *cmdline;
};

static struct pi_task *add_task(struct pi_table *t, uint32_t proc, pid_t tid, char state,
				const char *comm)
{
	pi_xgrow(&t->tasks, &t->tasks_cap, t->ntasks + 1, sizeof *t->tasks);
	struct pi_task *task = &t->tasks[t->ntasks++];
	memset(task, 0, sizeof *task);
	task->facts.tid = tid;
	task->proc = proc;
	task->facts.state = state;
	task->starttime = 1000;
	task->cpu_percent = NAN;
	task->vcsw_rate = task->ivcsw_rate = NAN;
	task->sched_err = task->wchan_err = task->syscall_err = task->status_err = PI_NOT_READ;
	pi_facts_set_comm(&task->facts, comm);
	task->facts.known = PI_FACT_STAT;
	return task;
}

void make_table(struct pi_table *t)
{
	static const struct spec procs[] = {
		{ 1, 0, 'S', "init", "/sbin/init" },
		{ 10, 1, 'S', "server", "/usr/bin/server --port 80" },
		{ 20, 1, 'S', "leaky", "/usr/bin/leaky" },
		{ 21, 20, 'Z', "leaky", "" },
		{ 22, 20, 'Z', "leaky", "" },
		{ 30, 10, 'T', "stopped", "stopped --wait" },
		{ 40, 1, 't', "evil\x1b[31m", "" },
	};
	memset(t, 0, sizeof *t);
	t->opt.hung_after_seconds = 10;
	t->hz = 100;
	t->uptime_seconds = 1000;
	t->hung_task_timeout_secs = 120;
	t->root = true;
	t->nprocs = sizeof procs / sizeof procs[0];
	t->procs = pi_xcalloc(t->nprocs, sizeof *t->procs);
	for (size_t i = 0; i < t->nprocs; i++) {
		struct pi_proc *p = &t->procs[i];
		p->pid = procs[i].pid;
		p->ppid = procs[i].ppid;
		p->state = procs[i].state;
		p->nlwp = p->pid == 10 ? 3 : 1;
		p->starttime = (uint64_t)(1000 + i * 100);	/* zombies 21, 22: 70 and 69 s old */
		p->cpu_percent = NAN;
		p->rss_bytes = 4 << 20;
		p->abi = 0;
		snprintf(p->comm, sizeof p->comm, "%s", procs[i].comm);
		p->cmdline = pi_xstrdup(procs[i].cmdline);
		p->first_task = (uint32_t)t->ntasks;
		add_task(t, (uint32_t)i, p->pid, p->state, p->comm);
		if (p->pid == 10) {
			struct pi_task *d = add_task(t, (uint32_t)i, 11, 'D', "server");
			d->facts.off_cpu_seconds = 30;
			d->wchan_err = 0;
			d->facts.wchan = pi_strpool_intern(&t->strings, "io_schedule");
			d->facts.known |= PI_FACT_OFF_CPU | PI_FACT_WCHAN;
			add_task(t, (uint32_t)i, 12, 'S', "worker");
		}
		p->ntasks = (uint32_t)t->ntasks - p->first_task;
	}
	pi_table_classify(t);
}

long row_of(const struct pi_view *v, pid_t id, bool thread)
{
	for (size_t i = 0; i < v->n; i++)
		if ((thread ? v->rows[i].task->facts.tid : v->rows[i].proc->pid) == id)
			return (long)i;
	return -1;
}

char *cell_at(struct pi_table *t, const struct pi_view *v, pid_t id, bool thread,
		     enum pi_column c, enum pi_style *style)
{
	struct pi_buf b = PI_BUF_INIT;
	long i = row_of(v, id, thread);
	ck_assert_int_ge(i, 0);
	*style = pi_column_format(c, t, &v->rows[i], &b);
	return pi_buf_steal(&b);
}

const struct pi_finding *finding(const struct pi_finding *f, size_t n,
					enum pi_finding_kind kind, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == kind && f[i].pid == pid)
			return &f[i];
	return NULL;
}
