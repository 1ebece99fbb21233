#include "analysis/findings.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/fmt.h"
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

/* "thread 1235 (worker)": names come from the task, so they are escaped. */
static void put_task(struct pi_buf *b, const char *what, pid_t id, const char *comm)
{
	pi_buf_printf(b, "%s %d (", what, (int)id);
	pi_escape_text(b, comm, strlen(comm));
	pi_buf_puts(b, ")");
}

static void hung_or_d(struct finding_list *fl, const struct pi_thread *t, unsigned flags)
{
	struct pi_process *p = fl->p;
	struct pi_buf m = PI_BUF_INIT;
	char dur[32], limit[32];

	put_task(&m, "thread", t->tid, t->stat.comm);
	if (t->off_cpu_known)
		pi_buf_printf(&m, " has been in D (uninterruptible) for %s",
			      pi_fmt_duration(dur, sizeof dur, t->off_cpu_seconds));
	else
		pi_buf_puts(&m, " is in D (uninterruptible)");
	if (t->wchan && *t->wchan)
		pi_buf_printf(&m, ", waiting in %s", t->wchan);
	if (flags & PI_TASK_HUNG) {
		pi_buf_printf(&m, "; hung: longer than --hung-after %s",
			      pi_fmt_duration(limit, sizeof limit, p->hung_after_seconds));
		if (p->hung_task_timeout_secs >= 0)
			pi_buf_printf(&m, " (the kernel's hung_task_timeout_secs is %d)",
				      p->hung_task_timeout_secs);
	}
	add(fl, (flags & PI_TASK_HUNG) ? PI_FIND_HUNG : PI_FIND_UNINTERRUPTIBLE, t->tid,
	    t->off_cpu_known ? t->off_cpu_seconds : -1, &m);
}

static void zombie(struct finding_list *fl)
{
	struct pi_process *p = fl->p;
	struct pi_buf m = PI_BUF_INIT;

	put_task(&m, "process", p->pid, p->stat.comm);
	pi_buf_printf(&m, " is a zombie: it has exited, and its parent %d", (int)p->stat.ppid);
	if (p->parent_comm) {
		pi_buf_puts(&m, " (");
		pi_escape_text(&m, p->parent_comm, strlen(p->parent_comm));
		pi_buf_puts(&m, ")");
	}
	pi_buf_puts(&m, " has not reaped it with wait()");
	add(fl, PI_FIND_ZOMBIE, p->pid, -1, &m);
}

static void zombie_parent(struct finding_list *fl)
{
	struct pi_process *p = fl->p;
	struct pi_buf m = PI_BUF_INIT;
	double oldest = 0;
	char dur[32];

	for (size_t i = 0; i < p->nzombies; i++)
		if (p->zombies[i].age_seconds > oldest)
			oldest = p->zombies[i].age_seconds;
	pi_buf_printf(&m, "holds %zu unreaped zombie child%s (the oldest started %s ago): pid",
		      p->nzombies, p->nzombies == 1 ? "" : "ren",
		      pi_fmt_duration(dur, sizeof dur, oldest));
	for (size_t i = 0; i < p->nzombies && i < 10; i++)
		pi_buf_printf(&m, " %d", (int)p->zombies[i].pid);
	if (p->nzombies > 10)
		pi_buf_printf(&m, " and %zu more", p->nzombies - 10);
	struct pi_finding *f = add(fl, PI_FIND_ZOMBIE_PARENT, p->pid, oldest, &m);
	for (size_t i = 0; i < p->nzombies; i++)
		add_pid(f, p->zombies[i].pid);
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

	enum pi_finding_kind kind = which == PI_TASK_STOPPED ? PI_FIND_STOPPED : PI_FIND_TRACED;
	pid_t tracer = p->tracer_pid;	/* the first found: the usual case is one */
	bool all = hit == p->nthreads;
	struct pi_buf m = PI_BUF_INIT;

	if (all)
		put_task(&m, "process", p->pid, p->stat.comm);
	else
		pi_buf_printf(&m, "%zu of %zu threads", hit, p->nthreads);
	if (kind == PI_FIND_STOPPED) {
		pi_buf_printf(&m, " %s stopped by a job-control signal; kill -CONT %d resumes it",
			      all ? "is" : "are", (int)p->pid);
	} else {
		pi_buf_printf(&m, " %s traced", all ? "is" : "are");
		if (tracer > 0) {
			pi_buf_printf(&m, " by %d", (int)tracer);
			if (p->tracer_comm) {
				pi_buf_puts(&m, " (");
				pi_escape_text(&m, p->tracer_comm, strlen(p->tracer_comm));
				pi_buf_puts(&m, ")");
			}
		}
		bool stopped = false;
		for (size_t i = 0; i < p->nthreads; i++)
			stopped |= !p->threads[i].stat_err && p->threads[i].stat.state == 't';
		if (stopped)
			pi_buf_puts(&m, ", and held at a ptrace stop until the tracer lets it go");
	}
	struct pi_finding *f = add(fl, kind, all ? p->pid : 0, -1, &m);
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
	pi_buf_printf(&m, "the main thread %d has exited; the process lives on in %zu other thread%s",
		      (int)p->pid, p->nthreads - 1, p->nthreads == 2 ? "" : "s");
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
