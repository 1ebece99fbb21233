#include "analysis/findings.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/finding_text.h"
#include "util/buf.h"
#include "util/xalloc.h"

const char *pi_finding_kind_name(enum pi_finding_kind kind)
{
	static const char *const names[PI_FIND_KIND_COUNT] = {
		[PI_FIND_HUNG] = "hung",
		[PI_FIND_UNINTERRUPTIBLE] = "uninterruptible",
		[PI_FIND_ZOMBIE] = "zombie",
		[PI_FIND_ZOMBIE_PARENT] = "zombie_parent",
		[PI_FIND_STOPPED] = "stopped",
		[PI_FIND_TRACED] = "traced",
		[PI_FIND_LEADER_EXITED] = "leader_exited",
		[PI_FIND_DEADLOCK] = "deadlock",
		[PI_FIND_WAIT_CHAIN] = "wait_chain",
	};
	return kind < PI_FIND_KIND_COUNT ? names[kind] : "unknown";
}

const char *pi_finding_see(enum pi_finding_kind kind)
{
	switch (kind) {
	case PI_FIND_HUNG:
	case PI_FIND_UNINTERRUPTIBLE:
		return "HUNG TASKS";
	case PI_FIND_ZOMBIE:
	case PI_FIND_ZOMBIE_PARENT:
		return "ZOMBIES";
	case PI_FIND_DEADLOCK:
	case PI_FIND_WAIT_CHAIN:
		return "LOCKS";
	default:
		return "PROCESS STATES";
	}
}

struct finding_list {
	struct pi_process *p;
};

struct pi_finding *pi_findings_add(struct pi_process *p, enum pi_finding_kind kind, pid_t tid,
				   double seconds, struct pi_buf *msg)
{
	pi_xgrow(&p->findings, &p->findings_cap, p->nfindings + 1, sizeof *p->findings);
	struct pi_finding *f = &p->findings[p->nfindings++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->pid = p->pid;
	f->tid = tid;
	f->seconds = seconds;
	f->message = pi_buf_steal(msg);
	return f;
}

void pi_finding_add_pid(struct pi_finding *f, pid_t pid)
{
	f->pids = pi_xrealloc(f->pids, (f->npids + 1) * sizeof *f->pids);
	f->pids[f->npids++] = pid;
}

static struct pi_finding *add(struct finding_list *fl, enum pi_finding_kind kind, pid_t tid,
			      double seconds, struct pi_buf *msg)
{
	return pi_findings_add(fl->p, kind, tid, seconds, msg);
}

static void add_pid(struct pi_finding *f, pid_t pid)
{
	pi_finding_add_pid(f, pid);
}

static void hung_or_d(struct finding_list *fl, const struct pi_thread *t, unsigned flags)
{
	struct pi_process *p = fl->p;
	struct pi_buf m = PI_BUF_INIT;
	struct pi_d_task_text d = {
		.tid = t->tid,
		.comm = t->stat.comm,
		.pid = p->pid,
		.off_cpu_known = t->off_cpu_known,
		.off_cpu_seconds = t->off_cpu_seconds,
		.wchan = t->wchan,
		.hung = flags & PI_TASK_HUNG,
		.hung_after_seconds = p->hung_after_seconds,
		.hung_task_timeout_secs = p->hung_task_timeout_secs,
	};
	pi_text_d_task(&m, &d);
	add(fl, d.hung ? PI_FIND_HUNG : PI_FIND_UNINTERRUPTIBLE, t->tid,
	    t->off_cpu_known ? t->off_cpu_seconds : -1, &m);
}

static void zombie(struct finding_list *fl)
{
	struct pi_process *p = fl->p;
	struct pi_buf m = PI_BUF_INIT;

	pi_text_zombie(&m, p->pid, p->stat.comm, p->stat.ppid, p->parent_comm);
	add(fl, PI_FIND_ZOMBIE, p->pid, -1, &m);
}

static void zombie_parent(struct finding_list *fl)
{
	struct pi_process *p = fl->p;
	struct pi_buf m = PI_BUF_INIT;
	double oldest = 0;
	pid_t *pids = pi_xcalloc(p->nzombies, sizeof *pids);

	for (size_t i = 0; i < p->nzombies; i++) {
		pids[i] = p->zombies[i].pid;
		if (p->zombies[i].age_seconds > oldest)
			oldest = p->zombies[i].age_seconds;
	}
	pi_text_zombie_parent(&m, p->pid, NULL, pids, p->nzombies, oldest);
	struct pi_finding *f = add(fl, PI_FIND_ZOMBIE_PARENT, p->pid, oldest, &m);
	f->pids = pids;
	f->npids = p->nzombies;
}

/* Stopped and traced are usually true of every thread at once (a group
 * stop, strace -f): then one finding speaks for the process. */
static void stopped_or_traced(struct finding_list *fl, const unsigned *flags, unsigned which)
{
	struct pi_process *p = fl->p;
	size_t hit = 0;

	for (size_t i = 0; i < p->nthreads; i++)
		if (flags[i] & which)
			hit++;
	if (!hit)
		return;

	struct pi_stop_text st = {
		.traced = which == PI_TASK_TRACED,
		.pid = p->pid,
		.comm = p->stat.comm,
		.hit = hit,
		.nthreads = p->nthreads,
		.tracer = p->tracer_pid,	/* the first found: the usual case is one */
		.tracer_comm = p->tracer_comm,
	};
	for (size_t i = 0; i < p->nthreads; i++)
		st.held |= !p->threads[i].stat_err && p->threads[i].stat.state == 't';
	struct pi_buf m = PI_BUF_INIT;
	pi_text_stopped(&m, &st);
	bool all = hit == p->nthreads;
	struct pi_finding *f = add(fl, st.traced ? PI_FIND_TRACED : PI_FIND_STOPPED,
				   all ? p->pid : 0, -1, &m);
	for (size_t i = 0; i < p->nthreads; i++)
		if (flags[i] & which)
			add_pid(f, p->threads[i].tid);
	if (!all && f->npids)
		f->tid = f->pids[0];
}

static void leader_exited(struct finding_list *fl)
{
	struct pi_process *p = fl->p;
	struct pi_buf m = PI_BUF_INIT;
	pi_text_leader_exited(&m, p->pid, p->nthreads - 1);
	add(fl, PI_FIND_LEADER_EXITED, p->pid, -1, &m);
}

void pi_findings_build(struct pi_process *p)
{
	struct finding_list fl = { p };
	unsigned *flags = pi_xcalloc(p->nthreads, sizeof *flags);
	unsigned any = 0;

	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_thread *t = &p->threads[i];
		if (t->stat_err)
			continue;
		struct pi_task_view v = {
			.pid = p->pid,
			.tid = t->tid,
			.state = t->stat.state,
			.off_cpu_known = t->off_cpu_known,
			.off_cpu_seconds = t->off_cpu_seconds,
			.tracer_pid = t->status_err ? 0 : t->status.tracer_pid,
			.process_threads = (unsigned)p->nthreads,
		};
		flags[i] = pi_classify_task(&v, p->hung_after_seconds);
		any |= flags[i];
		if (flags[i] & (PI_TASK_HUNG | PI_TASK_UNINTERRUPTIBLE))
			hung_or_d(&fl, t, flags[i]);
	}
	if (any & PI_TASK_ZOMBIE)
		zombie(&fl);
	if (any & PI_TASK_LEADER_EXITED)
		leader_exited(&fl);
	stopped_or_traced(&fl, flags, PI_TASK_STOPPED);
	stopped_or_traced(&fl, flags, PI_TASK_TRACED);
	if (p->nzombies)
		zombie_parent(&fl);
	free(flags);
}
