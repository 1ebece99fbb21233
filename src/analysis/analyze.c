#include "analysis/analyze.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"
#include "analysis/groups.h"
#include "analysis/locks.h"
#include "analysis/offcpu.h"
#include "analysis/reasons.h"
#include "runtime/jvm.h"
#include "util/buf.h"
#include "analysis/vma.h"
#include "util/xalloc.h"

char *pi_unavailable_reason(const struct pi_process *p, const char *item, int err)
{
	struct pi_reason_ctx ctx = {
		.item = item,
		.timeout_seconds = p->deadline.seconds,
		.sample_wait_seconds = p->sample_wait_seconds,
		.stop_wait_seconds = p->stop_wait_seconds,
		.nthreads = p->nthreads,
		.perf_err = p->perf_err < 0 ? -p->perf_err : p->perf_err,
		.perf_privileged = p->perf_privileged,
		.perf_stopped_instead = p->perf_stopped_instead,
		.perf_paranoid = p->perf_paranoid,
		.root = p->inspector_root,
		.ptrace_scope = p->ptrace_scope,
		.tracer_pid = p->tracer_pid,
		.tracer_comm = p->tracer_comm,
	};
	return pi_reason_text(err, &ctx);
}

struct unavail_list {
	struct pi_process *p;
	size_t cap;
};

static void note(struct unavail_list *ul, const char *item, pid_t tid, bool all, int err)
{
	struct pi_process *p = ul->p;
	pi_xgrow(&p->unavailable, &ul->cap, p->nunavailable + 1, sizeof *p->unavailable);
	struct pi_unavailable *u = &p->unavailable[p->nunavailable++];
	u->item = item;
	u->tid = tid;
	u->all_threads = all;
	u->err = err < 0 ? -err : err;
	u->code = pi_reason_key(err, item);
	u->reason = pi_unavailable_reason(p, item, err);
}

/* Threads the budget left no time for: one line, however many. */
static void note_timeouts(struct unavail_list *ul, const char *item, size_t count)
{
	struct pi_process *p = ul->p;
	if (!count)
		return;
	bool all = count == p->nthreads && p->nthreads > 1;
	note(ul, item, 0, all, -PI_ERR_TIMEOUT);
	if (all)
		return;
	struct pi_unavailable *u = &p->unavailable[p->nunavailable - 1];
	struct pi_buf b = PI_BUF_INIT;
	pi_buf_puts(&b, u->reason);
	pi_buf_printf(&b, " for %zu of %zu threads", count, p->nthreads);
	free(u->reason);
	u->reason = pi_buf_steal(&b);
}

/* A per-thread item that failed the same way everywhere (kernel stacks
 * when not root, say) is one line, not one per thread. */
static void note_thread_item(struct unavail_list *ul, const char *item, size_t offset)
{
	struct pi_process *p = ul->p;
	size_t failed = 0, timed_out = 0;
	int first = 0;
	bool same = true;

	for (size_t i = 0; i < p->nthreads; i++) {
		int err = *(const int *)((const char *)&p->threads[i] + offset);
		if (err == -PI_ERR_TIMEOUT)
			timed_out++;
		if (!err || err == -PI_ERR_TIMEOUT)
			continue;
		if (!failed++)
			first = err;
		else if (err != first)
			same = false;
	}
	note_timeouts(ul, item, timed_out);
	if (!failed)
		return;
	if (failed == p->nthreads && same && p->nthreads > 1) {
		note(ul, item, 0, true, first);
		return;
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		int err = *(const int *)((const char *)&p->threads[i] + offset);
		if (err && err != -PI_ERR_TIMEOUT)
			note(ul, item, p->threads[i].facts.tid, false, err);
	}
}

static void build_unavailable(struct pi_process *p)
{
	struct unavail_list ul = { p, 0 };

	if (p->status_err)
		note(&ul, "status", 0, false, p->status_err);
	if (p->cmdline_err)
		note(&ul, "cmdline", 0, false, p->cmdline_err);
	/* A kernel thread has no executable; that is not a failure. */
	if (p->exe_err && !p->kernel_thread && p->stat.state != 'Z')
		note(&ul, "exe", 0, false, p->exe_err);
	if (p->cgroup_err)
		note(&ul, "cgroup", 0, false, p->cgroup_err);
	if (p->threads_err)
		note(&ul, "threads", 0, false, p->threads_err);
	if (p->maps_err)
		note(&ul, "maps", 0, false, p->maps_err);
	if (p->auxv_err)
		note(&ul, "auxv", 0, false, p->auxv_err);
	if (p->vdso.err && p->vdso.err != p->maps_err)
		note(&ul, "vdso", 0, false, p->vdso.err);

	note_thread_item(&ul, "stat", offsetof(struct pi_thread, stat_err));
	note_thread_item(&ul, "status", offsetof(struct pi_thread, status_err));
	note_thread_item(&ul, "sched", offsetof(struct pi_thread, sched_err));
	note_thread_item(&ul, "schedstat", offsetof(struct pi_thread, schedstat_err));
	note_thread_item(&ul, "syscall", offsetof(struct pi_thread, syscall_err));
	note_thread_item(&ul, "wchan", offsetof(struct pi_thread, wchan_err));
	note_thread_item(&ul, "kernel_stack", offsetof(struct pi_thread, kstack_err));
	note_thread_item(&ul, "children", offsetof(struct pi_thread, children_err));
	if (p->perf_err)
		note(&ul, "perf_sample", 0, false, p->perf_err);
	if (p->stacks_err)
		note(&ul, "user_stack", 0, false, p->stacks_err);
	/* Runtimes whose own stacks pinspect does not read: said, with the
	 * tool that shows them (runtime/). */
	if (p->stacks_collected && pi_jvm_mapped(p->vmas, p->nvmas))
		note(&ul, "java_stacks", 0, false, -PI_ERR_JAVA_FRAMES);
	if (p->python.read && p->python.err)
		note(&ul, "python_stacks", 0, false, p->python.err);
	if (p->go.read && p->go.err)
		note(&ul, "goroutines", 0, false, p->go.err);
	else if (p->runtime_go && !p->go.read)
		note(&ul, "goroutines", 0, false, -PI_ERR_GO_GOROUTINES);
	else if (p->stacks_collected) {
		note_thread_item(&ul, "user_stack", offsetof(struct pi_thread, ustack.err));
		note_thread_item(&ul, "tls", offsetof(struct pi_thread, tls.err));
		/* A walk cut short is said once: by the threads it missed, or
		 * here when it had found them all. */
		bool said = false;
		for (size_t i = 0; i < p->nthreads && !said; i++)
			said = p->threads[i].tls.err == p->thread_list_err;
		if (p->thread_list_err && !said)
			note(&ul, "thread_list", 0, false, p->thread_list_err);
	}
	if (p->locks_collected) {
		size_t timed_out = 0;
		for (size_t i = 0; i < p->nthreads; i++)
			timed_out += p->threads[i].futex.read_err == -PI_ERR_TIMEOUT;
		note_timeouts(&ul, "locks", timed_out);
	}
	if (p->locks_cut)
		note(&ul, "lock_analysis", 0, false, -PI_ERR_TIMEOUT);
	if (p->files_unread) {
		/* Its symbols are missing from the stacks: which files, and
		 * that their mount did not answer (already escaped). */
		note(&ul, "module_files", 0, false, -ETIMEDOUT);
		struct pi_unavailable *u = &p->unavailable[p->nunavailable - 1];
		free(u->reason);
		u->reason = pi_xstrdup(p->files_unread);
	}
}

/* /proc/PID/status counts the main thread's switches only; the process's
 * are the sum over its threads. */
static void sum_switches(struct pi_process *p)
{
	p->voluntary_ctxt_switches = p->nonvoluntary_ctxt_switches = 0;
	p->ctxt_threads = 0;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_thread *t = &p->threads[i];
		if (t->status_err || !(t->status.have & PI_STATUS_CTXT))
			continue;
		p->voluntary_ctxt_switches += t->facts.nvcsw;
		p->nonvoluntary_ctxt_switches += t->facts.nivcsw;
		p->ctxt_threads++;
	}
}

void pi_analyze_process(struct pi_process *p, double hung_after_seconds)
{
	p->hung_after_seconds = hung_after_seconds;
	p->age_seconds = p->clock_ticks > 0
			 ? p->uptime_seconds - (double)p->stat.starttime / (double)p->clock_ticks : 0;
	p->start_time = p->realtime_seconds - p->age_seconds;
	sum_switches(p);
	for (size_t i = 0; i < p->nthreads; i++)
		pi_thread_off_cpu(&p->threads[i]);
	pi_vmas_classify(p->vmas, p->nvmas, p->threads, p->nthreads);
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_tls *tls = &p->threads[i].tls;
		tls->vma = tls->err || !tls->fs_base ? -1 : pi_vma_find(p->vmas, p->nvmas, tls->fs_base);
	}
	p->vsyscall = pi_vsyscall_mode(p->vmas, p->nvmas, p->maps_err);
	pi_findings_build(p);
	pi_locks_analyze(p);
	pi_stack_groups_build(p);
	build_unavailable(p);
}
