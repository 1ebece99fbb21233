#include "analysis/reasons.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"

/* A row that words a failure (the fields after arg are for the few that
 * are not failures). */
#define ROW(c, i, k, w, a) { .code = (c), .item = (i), .key = (k), .words = (w), .arg = (a) }

/* One row per reason; a row with an item words the reason for that item
 * only, and is looked for first. */
const struct pi_reason pi_reasons[] = {
	{ .code = PI_ERR_KERNEL_THREAD, .key = "kernel_thread",
	  .words = "a kernel thread has no user address space",
	  .not_applicable = true, .brief = "a kernel thread", .none = "none (kernel thread)" },
	{ .code = PI_ERR_ZOMBIE, .key = "zombie",
	  .words = "the task has exited (zombie): its memory and stacks are gone",
	  .not_applicable = true, .brief = "the process has exited", .none = "none (exited)" },
	ROW(PI_ERR_NO_VDSO, NULL, "no_vdso", "the process has no [vdso] mapping", 0),
	ROW(PI_ERR_RUNNING, NULL, "running",
	    "running in user space, and --no-ptrace forbids stopping it to read its registers", 0),
	ROW(PI_ERR_MOVED, NULL, "moved", "it kept moving while its stack was being copied", 0),
	ROW(PI_ERR_NOT_ASKED, NULL, "not_asked", "user stacks were not asked for", 0),
	ROW(PI_ERR_NO_STACK_MAP, NULL, "no_stack_mapping", "its stack pointer lies in no mapping", 0),
	ROW(PI_ERR_NOT_X86_64, NULL, "not_x86_64",
	    "an x32 process (or one running in another mode than its executable's): pinspect "
	    "unwinds x86-64, i386 and aarch64 stacks only", 0),
	ROW(PI_ERR_TLS_NOT_CHECKED, NULL, "tls_not_checked",
	    "not checked for processes of this architecture: pinspect does not know where its "
	    "thread pointer is", 0),
	ROW(PI_ERR_TIMEOUT, NULL, "timeout", "not read within --timeout %g s", PI_REASON_ARG_TIMEOUT),
	ROW(PI_ERR_TIMEOUT, "lock_analysis", "timeout", "not finished within --timeout %g s: the "
	    "deadlocks and wait chains found may be incomplete", PI_REASON_ARG_TIMEOUT),
	ROW(PI_ERR_NO_USER_SAMPLE, NULL, "no_user_sample",
	    "it kept running for %s, but never in user space when the perf sample's timer fired "
	    "(busy inside the kernel?)", PI_REASON_ARG_SAMPLE_WAIT),
	ROW(PI_ERR_SANDBOX_CRASHED, NULL, "decoder_crashed",
	    "the decoder crashed on it (in its sandbox: nothing else was lost)", 0),
	ROW(PI_ERR_SANDBOX_TIMEOUT, NULL, "decoder_timeout",
	    "the decoder timed out on it and was stopped (in its sandbox)", 0),
	ROW(PI_ERR_SANDBOX_SYSCALL, NULL, "decoder_forbidden_syscall",
	    "the decoder tried a forbidden system call and was killed by its sandbox (hostile input?)", 0),
	ROW(PI_ERR_SANDBOX_MEMORY, NULL, "decoder_memory",
	    "the decoder ran out of its sandbox's memory limit", 0),
	ROW(PI_ERR_SANDBOX_REPLY, NULL, "decoder_reply_invalid",
	    "the decoder's reply failed validation and was discarded (hostile input?)", 0),
	ROW(PI_ERR_SANDBOX_SETUP, NULL, "decoder_sandbox_setup",
	    "the decoder's sandbox could not be set up, so it was not run", 0),
	ROW(PI_ERR_THREAD_LIST_LOOP, NULL, "thread_list_loop",
	    "glibc's list of threads in the process's memory loops back on itself (damaged or "
	    "forged): the walk stopped there", 0),
	ROW(PI_ERR_THREAD_LIST_LONG, NULL, "thread_list_long",
	    "glibc's list of threads in the process's memory has more entries than twice its %zu "
	    "threads (damaged or forged): the walk stopped there", PI_REASON_ARG_THREADS),
	ROW(PI_ERR_THREAD_DB_ALTERED, NULL, "thread_db_altered",
	    "glibc's description of its thread structures in the process's memory (_thread_db_*) is "
	    "not that of pinspect's glibc (altered, or another build): libthread_db was not let use it", 0),
	ROW(PI_ERR_THREAD_DB_BUDGET, NULL, "thread_db_budget",
	    "libthread_db read more of the process's memory than its threads need (a damaged or "
	    "forged thread list): stopped", 0),
	ROW(PI_ERR_THREAD_LIST_LAYOUT, NULL, "thread_list_layout",
	    "glibc's description of its thread structures in the process's memory (_thread_db_*) "
	    "fits no glibc of its word size (damaged or forged): its thread list was not walked", 0),
	ROW(PI_ERR_OTHER_NETNS, NULL, "other_network_namespace",
	    "the socket is in another network namespace than pinspect's, which pinspect could not enter "
	    "(that needs root): its peer is not looked up", 0),
	ROW(PI_ERR_LOCK_NOT_LISTED, NULL, "lock_wait_not_listed",
	    "/proc/locks shows no wait of this process on that file (just granted, or an OFD lock, "
	    "whose waiter has no PID there)", 0),
	ROW(PI_ERR_REMOTE_PEER, NULL, "remote_peer",
	    "the other end is on another machine, or in another network namespace", 0),
	ROW(PI_ERR_LOCK_HOLDER_UNSEEN, NULL, "lock_holder_unseen",
	    "the lock belongs to an open file that no descriptor pinspect could read holds (a process "
	    "it may not read, or one in another mount namespace)", 0),
	ROW(PI_ERR_JAVA_FRAMES, NULL, "java_frames",
	    "a Java virtual machine: its Java frames (JIT-compiled or interpreted) are labelled, and "
	    "named only where it writes /tmp/perf-PID.map; `jcmd PID Thread.print` shows them, with "
	    "Java thread names and Java-level deadlocks", 0),
	ROW(PI_ERR_GO_GOROUTINES, NULL, "go_goroutines",
	    "a Go program: its goroutines are read with its user stacks, which were not; `dlv attach "
	    "PID` (goroutines -t) or its /debug/pprof/goroutine?debug=2 (net/http/pprof) shows them", 0),
	ROW(PI_ERR_GO_VERSION, NULL, "go_version_unknown",
	    "a Go program of a version whose runtime pinspect cannot read (it knows Go 1.19 to 1.23, or "
	    "any with DWARF); `dlv attach PID` (goroutines -t) shows its goroutines", 0),
	ROW(PI_ERR_GO_STRIPPED, NULL, "go_stripped",
	    "a stripped Go program (no runtime.allgs symbol): its goroutines cannot be found; `dlv "
	    "attach PID` or its /debug/pprof/goroutine?debug=2 shows them", 0),
	ROW(PI_ERR_GO_OLD, NULL, "go_too_old",
	    "a Go program built by Go before 1.18, whose tables pinspect does not read; `dlv attach PID` "
	    "shows its goroutines", 0),
	ROW(PI_ERR_GO_UNREADABLE, NULL, "go_unreadable",
	    "its Go runtime's tables or goroutine list do not hold together (a corrupt or hostile "
	    "program); `dlv attach PID` shows its goroutines", 0),
	ROW(PI_ERR_PY_VERSION, NULL, "python_version",
	    "a Python of a version pinspect cannot read (it knows CPython 3.11, 3.12 and 3.13): its "
	    "Python frames are not shown, the native stack is; `py-spy dump --pid PID` shows them", 0),
	ROW(PI_ERR_PY_UNREADABLE, NULL, "python_unreadable",
	    "its Python interpreter's thread list does not hold together (a corrupt or hostile "
	    "process, or one starting or exiting); `py-spy dump --pid PID` shows its Python frames", 0),

	/* errnos with words of their own (EPERM is worded as EACCES). */
	ROW(EACCES, NULL, "permission_denied", "permission denied", 0),
	ROW(EACCES, "process", "permission_denied",
	    "permission denied: even its stat file is hidden (is /proc mounted with hidepid=?); run "
	    "pinspect as root", 0),
	ROW(ENOENT, NULL, "gone", "the task exited while it was being read", 0),
	ROW(ENOENT, "tls", "gone", "libthread_db found no thread list (a static binary, or a C library "
	    "other than glibc)", 0),
	ROW(ENOENT, "process", "no_such_process", "no such process", 0),
	ROW(ESRCH, NULL, "exited", "the task exited while it was being read", 0),
	ROW(ESRCH, "process", "exited", "the process exited while it was being read", 0),
	ROW(EPROTO, NULL, "thread_db_version",
	    "the process's glibc is not the version of pinspect's libthread_db (a container?)", 0),
	ROW(ETIMEDOUT, NULL, "did_not_stop", "it did not stop within %s of being asked to",
	  PI_REASON_ARG_STOP_WAIT),
	ROW(EINVAL, NULL, "unparsable", "the kernel returned text pinspect could not parse", 0),
	ROW(EFAULT, NULL, "memory_unreadable", "the memory could not be read", 0),
	ROW(EIO, NULL, "memory_io_error", "the memory could not be read", 0),
};
const size_t pi_nreasons = sizeof pi_reasons / sizeof pi_reasons[0];

const struct pi_reason *pi_reason_find(int err, const char *item)
{
	int e = err < 0 ? -err : err;
	const struct pi_reason *any = NULL;

	if (e == EPERM)
		e = EACCES;
	for (size_t i = 0; i < pi_nreasons; i++) {
		const struct pi_reason *r = &pi_reasons[i];
		if (r->code != e)
			continue;
		if (!r->item)
			any = r;
		else if (item && strcmp(r->item, item) == 0)
			return r;
	}
	return any;
}

const char *pi_reason_key(int err, const char *item)
{
	const struct pi_reason *r = pi_reason_find(err, item);
	return r ? r->key : "error";
}

/* A wait, as the words say it: "5 s", "250 ms". */
static void put_wait(struct pi_buf *b, const char *format, double seconds)
{
	char dur[32];
	pi_buf_printf(b, format, seconds > 0 ? pi_fmt_duration(dur, sizeof dur, seconds) : "its whole wait");
}

/* Refused: the words depend on who pinspect is and what the system
 * allows. */
static void put_permission(struct pi_buf *b, const struct pi_reason_ctx *c)
{
	const char *item = c->item ? c->item : "";

	if (strcmp(item, "kernel_stack") == 0) {
		pi_buf_puts(b, c->root ? "not permitted even as root (a security module, or no CAP_SYS_ADMIN)"
				       : "permission denied: kernel stacks are readable by root only");
	} else if (strcmp(item, "user_stack") == 0 && c->tracer_pid > 0) {
		pi_buf_printf(b, "cannot stop it to read its registers: it is already traced by %d (%s), "
			      "and a process has one tracer at a time",
			      (int)c->tracer_pid, c->tracer_comm ? c->tracer_comm : "?");
	} else if (c->ptrace_scope >= 1 && !c->root) {
		pi_buf_printf(b, "permission denied: /proc/sys/kernel/yama/ptrace_scope is %d, which "
			      "limits ptrace and memory reads to %s (run as root, or lower it)",
			      c->ptrace_scope, c->ptrace_scope == 1 ? "a process's own descendants" : "root");
	} else if (c->root) {
		pi_buf_puts(b, "permission denied even as root (a security module, or a container "
			    "without CAP_SYS_PTRACE)");
	} else {
		pi_buf_puts(b, "permission denied: another user's process (run as root, or with "
			    "CAP_SYS_PTRACE, to see it)");
	}
}

/* Running threads could not be sampled with perf events: what was done
 * instead, and why perf was refused. */
static void put_perf(struct pi_buf *b, int e, const struct pi_reason_ctx *c)
{
	const char *instead = c->perf_stopped_instead
		? "running threads were stopped for microseconds with ptrace instead (a thread that "
		  "blocks just then may see EINTR)"
		: "running threads have no user stack (--no-ptrace forbids stopping them instead)";
	if ((e == EACCES || e == EPERM) && c->perf_privileged)
		pi_buf_printf(b, "perf events are not permitted (%s) although pinspect holds "
			      "CAP_PERFMON or CAP_SYS_ADMIN: a seccomp filter (a container's default "
			      "profile) or a security module forbids perf_event_open; %s",
			      strerror(e), instead);
	else if (e == EACCES || e == EPERM)
		pi_buf_printf(b, "perf events are not permitted (%s): kernel.perf_event_paranoid is %d "
			      "and pinspect holds neither CAP_PERFMON nor CAP_SYS_ADMIN, or a seccomp "
			      "filter (a container's default profile) forbids perf_event_open; %s",
			      strerror(e), c->perf_paranoid, instead);
	else
		pi_buf_printf(b, "perf events are not available in this kernel (%s); %s", strerror(e),
			      instead);
}

void pi_reason_put(struct pi_buf *b, int err, const struct pi_reason_ctx *ctx)
{
	static const struct pi_reason_ctx none;
	const struct pi_reason_ctx *c = ctx ? ctx : &none;
	int e = err < 0 ? -err : err;

	if (c->item && strcmp(c->item, "perf_sample") == 0) {
		put_perf(b, e, c);
		return;
	}
	const struct pi_reason *r = pi_reason_find(e, c->item);
	if (!r) {
		pi_buf_puts(b, strerror(e));
		return;
	}
	/* A refusal, worded for who asked, where the table has no words for
	 * the item itself. */
	if (r->code == EACCES && !r->item && ctx) {
		put_permission(b, c);
		return;
	}
	if (r->code == PI_ERR_RUNNING && c->perf_err) {
		pi_buf_puts(b, "running in user space, perf events are not available to sample it (see "
			    "perf_sample), and --no-ptrace forbids stopping it to read its registers");
		return;
	}
	switch (r->arg) {
	case PI_REASON_ARG_NONE:
		pi_buf_puts(b, r->words);
		break;
	case PI_REASON_ARG_TIMEOUT:
		pi_buf_printf(b, r->words, c->timeout_seconds);
		break;
	case PI_REASON_ARG_SAMPLE_WAIT:
		put_wait(b, r->words, c->sample_wait_seconds);
		break;
	case PI_REASON_ARG_STOP_WAIT:
		put_wait(b, r->words, c->stop_wait_seconds);
		break;
	case PI_REASON_ARG_THREADS:
		pi_buf_printf(b, r->words, c->nthreads);
		break;
	}
}

bool pi_reason_not_applicable(int err)
{
	const struct pi_reason *r = pi_reason_find(err, NULL);
	return r && r->not_applicable;
}

const char *pi_reason_brief(int err)
{
	const struct pi_reason *r = pi_reason_find(err, NULL);
	return r ? r->brief : NULL;
}

const char *pi_reason_none(int err)
{
	const struct pi_reason *r = pi_reason_find(err, NULL);
	return r ? r->none : NULL;
}

char *pi_reason_text(int err, const struct pi_reason_ctx *ctx)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_reason_put(&b, err, ctx);
	return pi_buf_steal(&b);
}

const char *pi_reason_process_key(int err)
{
	const struct pi_reason *r = pi_reason_find(err, "process");
	return r && r->item ? r->key : "failed";
}

const char *pi_reason_process_words(int err)
{
	int e = err < 0 ? -err : err;
	const struct pi_reason *r = pi_reason_find(e, "process");
	return r && r->item ? r->words : strerror(e);
}
