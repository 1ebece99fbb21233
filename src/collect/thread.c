#include "collect/thread.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/reader.h"
#include "proc/taskfiles.h"
#include "util/xalloc.h"

static const char *pooled_string(struct pi_shared_pool *sp, const char *wchan);

static void keep_stat(const struct pi_stat *full, struct pi_thread *thread)
{
	struct pi_thread_stat *t = &thread->stat;
	thread->facts.state = full->state;
	pi_facts_set_comm(&thread->facts, full->comm);
	thread->facts.known |= PI_FACT_STAT;
	t->processor = full->processor;
	t->flags = full->flags;
	t->utime = full->utime;
	t->stime = full->stime;
	t->nice = full->nice;
	t->priority = full->priority;
}

static void keep_status(const struct pi_status *full, struct pi_thread *thread)
{
	struct pi_thread_status *t = &thread->status;
	struct pi_task_facts *f = &thread->facts;
	t->have = full->have;
	t->kthread = full->kthread;
	f->tracer_pid = full->tracer_pid;
	pi_fact_set_known(f, PI_FACT_TRACER, full->have & PI_STATUS_TRACER);
	t->sig_pending = full->sig_pending;
	t->sig_blocked = full->sig_blocked;
	if (full->have & PI_STATUS_CTXT) {
		f->nvcsw = full->voluntary_ctxt_switches;
		f->nivcsw = full->nonvoluntary_ctxt_switches;
		f->known |= PI_FACT_SWITCHES;
	}
	t->ns_tid = full->nspid_levels ? full->nspid[full->nspid_levels - 1] : 0;
}

/* Threads share names, wait channels and kernel stacks: each is stored
 * once, in the process's pool. */
static const char *pooled_string(struct pi_shared_pool *sp, const char *s)
{
	pthread_mutex_lock(&sp->lock);
	const char *pooled = pi_strpool_intern(sp->pool, s);
	pthread_mutex_unlock(&sp->lock);
	return pooled;
}

static struct pi_strlist pooled_list(struct pi_shared_pool *sp, const struct pi_strv *sv)
{
	const char **v = pi_xcalloc(sv->n + 1, sizeof *v);
	struct pi_strlist list = { NULL, sv->n };
	pthread_mutex_lock(&sp->lock);
	for (size_t i = 0; i < sv->n; i++)
		v[i] = pi_strpool_intern(sp->pool, sv->v[i]);
	list.v = pi_strpool_intern_blob(sp->pool, v, (sv->n + 1) * sizeof *v);
	pthread_mutex_unlock(&sp->lock);
	free(v);
	return list;
}

int pi_collect_thread(int taskfd, pid_t tid, struct pi_sched_clock *clock,
		      struct pi_shared_pool *pool, struct pi_buf *buf, struct pi_thread *t,
		      pid_t **children, size_t *nchildren, size_t *children_cap)
{
	char name[16];
	int fd, err;
	struct pi_status status;
	struct pi_stat stat;
	struct pi_sched sched;

	memset(t, 0, sizeof *t);
	t->facts.tid = tid;
	snprintf(name, sizeof name, "%d", (int)tid);
	fd = pi_proc_open_dir(taskfd, name);
	if (fd < 0)
		return fd;

	err = pi_read_at(fd, "stat", buf);
	t->stat_err = err ? err : pi_stat_parse(buf->data, buf->len, &stat);
	if (!t->stat_err)
		keep_stat(&stat, t);
	if (pi_err_gone(t->stat_err)) {
		close(fd);
		return -ESRCH;
	}
	err = pi_read_at(fd, "status", buf);
	t->status_err = err ? err : pi_status_parse(buf->data, buf->len, &status);
	if (!t->status_err)
		keep_status(&status, t);

	err = pi_read_at(fd, "sched", buf);
	int64_t read_at = pi_monotonic_ns();
	t->sched_err = err ? err : pi_sched_parse(buf->data, buf->len, &sched);
	if (!t->sched_err) {
		t->sched.have = sched.have;
		t->sched.exec_start_ns = sched.exec_start_ns;
		t->sched.nr_migrations = sched.nr_migrations;
	}
	/* exec_start is in the clock of the CPU the task last ran on. */
	if (!t->sched_err) {
		int cpu = t->stat_err ? -1 : t->stat.processor;
		t->sched_clock_ns = pi_sched_clock_at(clock, cpu, read_at);
		/* A snapshot's durations are as of one instant, the one its
		 * process's age is from: a task asleep when its file was read
		 * was asleep then too, unless it ran in between. Otherwise the
		 * time it took to come to this thread (long under load) would
		 * show as time off the CPU longer than the process has lived. */
		if (clock->as_of_mono_ns > 0 && clock->as_of_mono_ns < read_at) {
			int64_t then = pi_sched_clock_at(clock, cpu, clock->as_of_mono_ns);
			if (then > 0 && then >= t->sched.exec_start_ns)
				t->sched_clock_ns = then;
		}
	}

	err = pi_read_at(fd, "schedstat", buf);
	t->schedstat_err = err ? err : pi_schedstat_parse(buf->data, buf->len, &t->schedstat);

	bool kthread = (!t->stat_err && (t->stat.flags & PI_PF_KTHREAD))
		       || (!t->status_err && t->status.kthread);
	bool zombie = !t->stat_err && (t->facts.state == 'Z' || t->facts.state == 'X');
	if (kthread) {
		/* A kernel thread's syscall file reads "0 0x0 ...", which
		 * looks like read(0, NULL, 0): it means nothing. */
		t->syscall_err = -PI_ERR_KERNEL_THREAD;
	} else if (zombie) {
		t->syscall_err = -PI_ERR_ZOMBIE;
	} else {
		err = pi_read_at(fd, "syscall", buf);
		t->syscall_err = err ? err : pi_syscall_parse(buf->data, buf->len, &t->syscall);
	}

	char wchan[PI_WCHAN_MAX];
	err = pi_read_at(fd, "wchan", buf);
	t->wchan_err = err ? err : pi_wchan_parse(buf->data, buf->len, wchan, sizeof wchan);
	t->facts.wchan = t->wchan_err ? "" : pooled_string(pool, wchan);
	pi_fact_set_known(&t->facts, PI_FACT_WCHAN, !t->wchan_err);

	struct pi_strv kstack = { NULL, 0 };
	err = pi_read_at(fd, "stack", buf);
	t->kstack_err = err ? err : pi_kstack_parse(buf->data, buf->len, &kstack);
	if (!t->kstack_err)
		t->kstack = pooled_list(pool, &kstack);
	pi_strv_free(&kstack);

	err = pi_read_at(fd, "children", buf);
	t->children_err = err ? err : pi_children_parse(buf->data, buf->len, children, nchildren, children_cap);

	close(fd);
	return 0;
}

/* A file of the lean read: from the kept-open ones when there are. */
static int read_lean(struct pi_task_files *files, int fd, pid_t tid, enum pi_task_file f,
		     const char *name, struct pi_buf *buf)
{
	return files ? pi_task_files_read(files, tid, f, buf) : pi_read_at(fd, name, buf);
}

int pi_collect_thread_lean(int taskfd, pid_t tid, struct pi_task_files *files, struct pi_buf *buf,
			   struct pi_thread *t)
{
	char name[16];
	struct pi_stat stat;
	int fd = -1;

	memset(t, 0, sizeof *t);
	t->facts.tid = tid;
	t->facts.wchan = "";
	if (!files) {
		snprintf(name, sizeof name, "%d", (int)tid);
		fd = pi_proc_open_dir(taskfd, name);
		if (fd < 0)
			return fd;
	}
	int err = read_lean(files, fd, tid, PI_TASK_STAT, "stat", buf);
	t->stat_err = err ? err : pi_stat_parse(buf->data, buf->len, &stat);
	if (!t->stat_err)
		keep_stat(&stat, t);
	if (pi_err_gone(t->stat_err)) {
		if (fd >= 0)
			close(fd);
		return -ESRCH;
	}
	/* What a lean read leaves out is unknown, never zero. */
	t->status_err = t->sched_err = t->schedstat_err = -ENODATA;
	t->wchan_err = t->kstack_err = t->children_err = -ENODATA;
	if (!t->stat_err && (t->stat.flags & PI_PF_KTHREAD)) {
		t->syscall_err = -PI_ERR_KERNEL_THREAD;
	} else if (!t->stat_err && (t->facts.state == 'Z' || t->facts.state == 'X')) {
		t->syscall_err = -PI_ERR_ZOMBIE;
	} else {
		err = read_lean(files, fd, tid, PI_TASK_SYSCALL, "syscall", buf);
		t->syscall_err = err ? err : pi_syscall_parse(buf->data, buf->len, &t->syscall);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}
