#include "analysis/analyze.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/findings.h"
#include "analysis/groups.h"
#include "analysis/locks.h"
#include "analysis/offcpu.h"
#include "analysis/vma.h"
#include "util/xalloc.h"

static char *permission_reason(const struct pi_process *p, const char *item)
{
	if (strcmp(item, "kernel_stack") == 0)
		return pi_xstrdup(p->inspector_root
			? "not permitted even as root (a security module, or no CAP_SYS_ADMIN)"
			: "permission denied: kernel stacks are readable by root only");
	if (strcmp(item, "user_stack") == 0 && p->tracer_pid > 0)
		return pi_xasprintf("cannot stop it to read its registers: it is already traced by %d (%s), "
				    "and a process has one tracer at a time",
				    (int)p->tracer_pid, p->tracer_comm ? p->tracer_comm : "?");
	if (p->ptrace_scope >= 1 && !p->inspector_root)
		return pi_xasprintf("permission denied: /proc/sys/kernel/yama/ptrace_scope is %d, which "
				    "limits ptrace and memory reads to %s (run as root, or lower it)",
				    p->ptrace_scope,
				    p->ptrace_scope == 1 ? "a process's own descendants" : "root");
	if (p->inspector_root)
		return pi_xstrdup("permission denied even as root (a security module, or a container "
				  "without CAP_SYS_PTRACE)");
	return pi_xstrdup("permission denied: another user's process (run as root, or with "
			  "CAP_SYS_PTRACE, to see it)");
}

/* Running threads could not be sampled with perf events: what was done
 * instead, and why perf was refused. */
static char *perf_reason(const struct pi_process *p, int e)
{
	const char *instead = p->perf_stopped_instead
		? "running threads were stopped for microseconds with ptrace instead (a thread that "
		  "blocks just then may see EINTR)"
		: "running threads have no user stack (--no-ptrace forbids stopping them instead)";
	if ((e == EACCES || e == EPERM) && p->perf_privileged)
		return pi_xasprintf("perf events are not permitted (%s) although pinspect holds "
				    "CAP_PERFMON or CAP_SYS_ADMIN: a seccomp filter (a container's default "
				    "profile) or a security module forbids perf_event_open; %s",
				    strerror(e), instead);
	if (e == EACCES || e == EPERM)
		return pi_xasprintf("perf events are not permitted (%s): kernel.perf_event_paranoid is %d "
				    "and pinspect holds neither CAP_PERFMON nor CAP_SYS_ADMIN, or a seccomp "
				    "filter (a container's default profile) forbids perf_event_open; %s",
				    strerror(e), p->perf_paranoid, instead);
	return pi_xasprintf("perf events are not available in this kernel (%s); %s", strerror(e),
			    instead);
}

char *pi_unavailable_reason(const struct pi_process *p, const char *item, int err)
{
	int e = err < 0 ? -err : err;

	if (strcmp(item, "perf_sample") == 0)
		return perf_reason(p, e);
	switch (e) {
	case PI_ERR_KERNEL_THREAD:
		return pi_xstrdup("a kernel thread has no user address space");
	case PI_ERR_ZOMBIE:
		return pi_xstrdup("the task has exited (zombie): its memory and stacks are gone");
	case PI_ERR_NO_VDSO:
		return pi_xstrdup("the process has no [vdso] mapping");
	case PI_ERR_RUNNING:
		return pi_xstrdup(p->perf_err ? "running in user space, perf events are not available to "
						"sample it (see perf_sample), and --no-ptrace forbids "
						"stopping it to read its registers"
					      : "running in user space, and --no-ptrace forbids stopping "
						"it to read its registers");
	case PI_ERR_MOVED:
		return pi_xstrdup("it kept moving while its stack was being copied");
	case PI_ERR_NO_STACK_MAP:
		return pi_xstrdup("its stack pointer lies in no mapping");
	case PI_ERR_NO_USER_SAMPLE:
		return pi_xstrdup("it kept running for 5 s, but never in user space when the perf "
				  "sample's timer fired (busy inside the kernel?)");
	case PI_ERR_NOT_X86_64:
		return pi_xstrdup("a 32-bit process: pinspect unwinds x86-64 stacks only");
	case PI_ERR_TIMEOUT:
		return pi_xasprintf("not read within --timeout %g s", p->deadline.seconds);
	case PI_ERR_SANDBOX_CRASHED:
		return pi_xstrdup("the decoder crashed on it (in its sandbox: nothing else was lost)");
	case PI_ERR_SANDBOX_TIMEOUT:
		return pi_xstrdup("the decoder timed out on it and was stopped (in its sandbox)");
	case PI_ERR_SANDBOX_SYSCALL:
		return pi_xstrdup("the decoder tried a forbidden system call and was killed by its "
				  "sandbox (hostile input?)");
	case PI_ERR_SANDBOX_MEMORY:
		return pi_xstrdup("the decoder ran out of its sandbox's memory limit");
	case PI_ERR_SANDBOX_REPLY:
		return pi_xstrdup("the decoder's reply failed validation and was discarded (hostile "
				  "input?)");
	case PI_ERR_SANDBOX_SETUP:
		return pi_xstrdup("the decoder's sandbox could not be set up, so it was not run");
	case PI_ERR_OTHER_NETNS:
		return pi_xasprintf("the socket is in the process's own network namespace (%s): its "
				    "peer is not looked up from pinspect's", p->waits_netns ? p->waits_netns : "?");
	case PI_ERR_LOCK_NOT_LISTED:
		return pi_xstrdup("/proc/locks shows no wait of this process on that file (just granted, "
				  "or an OFD lock, whose waiter has no PID there)");
	case PI_ERR_LOCK_HOLDER_UNSEEN:
		return pi_xstrdup("the lock belongs to an open file that no descriptor pinspect could read "
				  "holds (a process it may not read, or one in another mount namespace)");
	case PI_ERR_REMOTE_PEER:
		return pi_xstrdup("the other end is on another machine, or in another network namespace");
	case PI_ERR_THREAD_LIST_LOOP:
		return pi_xstrdup("glibc's list of threads in the process's memory loops back on itself "
				  "(damaged or forged): the walk stopped there");
	case PI_ERR_THREAD_LIST_LONG:
		return pi_xasprintf("glibc's list of threads in the process's memory has more entries "
				    "than twice its %zu threads (damaged or forged): the walk stopped there",
				    p->nthreads);
	case PI_ERR_THREAD_DB_ALTERED:
		return pi_xstrdup("glibc's description of its thread structures in the process's memory "
				  "(_thread_db_*) is not that of pinspect's glibc (altered, or another "
				  "build): libthread_db was not let use it");
	case PI_ERR_THREAD_DB_BUDGET:
		return pi_xstrdup("libthread_db read more of the process's memory than its threads "
				  "need (a damaged or forged thread list): stopped");
	case EACCES:
	case EPERM:
		return permission_reason(p, item);
	case ENOENT:
		if (strcmp(item, "tls") == 0)
			return pi_xstrdup("libthread_db found no thread list (a static binary, or a C "
					  "library other than glibc)");
		return pi_xstrdup("the task exited while it was being read");
	case EPROTO:
		return pi_xstrdup("the process's glibc is not the version of pinspect's libthread_db "
				  "(a container?)");
	case ESRCH:
		return pi_xstrdup("the task exited while it was being read");
	case ETIMEDOUT:
		return pi_xstrdup("it did not stop within 5 s of being asked to");
	case EINVAL:
		return pi_xstrdup("the kernel returned text pinspect could not parse");
	case EFAULT:
	case EIO:
		return pi_xstrdup("the memory could not be read");
	default:
		return pi_xasprintf("%s", strerror(e));
	}
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
	free(u->reason);
	u->reason = pi_xasprintf("not read within --timeout %g s for %zu of %zu threads",
				 p->deadline.seconds, count, p->nthreads);
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
			note(ul, item, p->threads[i].tid, false, err);
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
	if (p->locks_cut) {
		note(&ul, "lock_analysis", 0, false, -PI_ERR_TIMEOUT);
		struct pi_unavailable *u = &p->unavailable[p->nunavailable - 1];
		free(u->reason);
		u->reason = pi_xasprintf("not finished within --timeout %g s: the deadlocks and wait "
					 "chains found may be incomplete", p->deadline.seconds);
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
		p->voluntary_ctxt_switches += t->status.voluntary_ctxt_switches;
		p->nonvoluntary_ctxt_switches += t->status.nonvoluntary_ctxt_switches;
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
