/* stacks — every thread's user call stack, obtained disturbing the target
 * as little as possible (doc/design.md, "User stacks without stopping"):
 *
 * - a thread blocked in a system call is never stopped: its syscall file
 *   gives its stack pointer and program counter, its stack is copied while
 *   it waits, the syscall file is read again to make sure it did not move,
 *   and the copy is unwound;
 * - a thread running in user space is sampled with a perf event (see
 *   trace/sample.h): the kernel copies its registers and stack top from a
 *   timer interrupt, and it is never stopped. One that blocks before the
 *   sample comes is copied as a blocked thread. Only where perf events
 *   are denied is it stopped for microseconds instead (trace/tracer.h),
 *   unless --no-ptrace forbids that too;
 * - a blocked thread whose unwind needs a register the syscall file does
 *   not give is stopped only with --stop-blocked, because stopping it can
 *   make its system call fail with EINTR;
 * - --consistent stops every thread at once, for one coherent instant.
 *
 * It also finds each thread's TLS pointer (see tls/). */
#ifndef PI_COLLECT_STACKS_H
#define PI_COLLECT_STACKS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct pi_stack_options {
	bool allow_stop;		/* false with --no-ptrace */
	bool sample_running;		/* perf samples for running threads (else stop them) */
	bool stop_blocked;		/* --stop-blocked */
	bool consistent;		/* --consistent */
	size_t max_frames;
	double stop_timeout_seconds;
	enum pi_lines lines;		/* --lines */
	/* The stacks alone: no TLS, lock names or goroutines read in the
	 * sandboxed child (--sample, which shows none of them, at each
	 * tick). */
	bool stacks_only;
};

/* Fills each thread's regs, ustack and tls, and the process's
 * tls_modules, for a process collected by pi_collect_process. Returns 0,
 * or -ESRCH when the process is gone (or its PID now names another). */
int pi_collect_stacks(struct pi_process *p, const struct pi_stack_options *opt);

/* The same in two halves, so that the rest of the process (its waits) is
 * read while the sandboxed child decodes the stacks: start takes every
 * copy (and, with --stop-blocked, decodes them at once, since which
 * threads to stop again depends on their frames) and hands them over;
 * finish waits for the child and fills the threads' stacks, TLS and
 * locks. In between, the caller must not touch the threads' regs,
 * ustack, tls or locks, nor p's string pool through them. *pending is
 * NULL when there is nothing to wait for; finish(NULL) does nothing, and
 * every pending is finished. Returns what pi_collect_stacks does. */
struct pi_stacks_pending;
int pi_collect_stacks_start(struct pi_process *p, const struct pi_stack_options *opt,
			    struct pi_stacks_pending **pending);
void pi_collect_stacks_finish(struct pi_stacks_pending *pending);

/* Only the locks (pi_collect_locks), their variables named from the
 * program's and libraries' symbols (looked up in a sandboxed child,
 * collect/stack_sandbox.h): what names a lock cycle, without the
 * cost of every thread's stack (the live view's deadlock look re-reads
 * its suspects so, every 10 s). Returns 0, or -ESRCH when the process is
 * gone (or its PID now names another). */
int pi_collect_named_locks(struct pi_process *p);

#endif
