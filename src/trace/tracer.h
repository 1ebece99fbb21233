/* tracer — the only code in pinspect that stops a thread.
 *
 * It stops a thread with PTRACE_SEIZE + PTRACE_INTERRUPT (never
 * PTRACE_ATTACH: a tracer killed before it reaps the SIGSTOP that
 * PTRACE_ATTACH sends leaves the whole process stopped), reads its
 * registers, copies its stack, and lets it go at once. Threads are
 * interrupted as a batch and collected in whatever order they stop, so
 * that one thread waiting for a CPU does not hold up the others.
 *
 * No exit path leaves a thread stopped: every thread is detached as soon
 * as its copy is taken; SIGINT, SIGTERM, SIGHUP and SIGQUIT arriving
 * mid-way detach the stopped ones before pinspect dies of the signal; and
 * if pinspect is killed outright, the kernel detaches seized threads and
 * wakes them (a seized thread is never left in a group stop).
 *
 * Stopping a thread that is blocked in a system call makes some calls
 * (epoll_wait, sigwaitinfo, ...) return EINTR to the program: the caller
 * decides which threads may be stopped. */
#ifndef PI_TRACE_TRACER_H
#define PI_TRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* One thread to stop, and what was learnt. */
struct pi_stop {
	pid_t tid;

	/* Out. err is 0, or -errno: -EPERM (not permitted, or already
	 * traced), -ESRCH (it exited), -ETIMEDOUT (it did not stop in time:
	 * it is detached by the kernel when pinspect exits). */
	int err;
	struct user_regs_struct regs;
	uint8_t *stack;		/* copy of [stack_start, stack_start + stack_len) */
	uint64_t stack_start;
	size_t stack_len;
	double stopped_us;	/* from the stop being reported to the detach */
	bool interrupted_syscall;	/* it was inside a system call when stopped */
};

/* Where the stack that holds sp ends (the top of its mapping), or 0 if sp
 * is in no mapping. */
typedef uint64_t (*pi_stack_top_fn)(void *arg, uint64_t sp);

struct pi_stop_batch {
	struct pi_stop *threads;
	size_t count;
	pi_stack_top_fn stack_top;
	void *stack_top_arg;
	size_t max_stack_copy;	/* bytes; a longer stack is cut (at its top) */
	/* Bytes below sp copied too: the target architecture's red zone,
	 * where a leaf function may keep data without moving sp. */
	unsigned red_zone;
	/* hold_all: stop every thread first and let them all go together
	 * after the last copy (--consistent); otherwise each thread goes as
	 * soon as its own copy is taken. */
	bool hold_all;
	double timeout_seconds;	/* for a thread to reach its stop */

	/* Out: with hold_all, how long the first thread was held. */
	double held_us;
};

/* Stops, reads and releases every thread of the batch. Returns 0 (each
 * thread's err says how it went), or -errno if the batch could not start. */
int pi_trace_stop_batch(struct pi_stop_batch *batch);

/* Frees the stack copies. */
void pi_stop_batch_free(struct pi_stop_batch *batch);

#endif
