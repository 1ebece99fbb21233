/* sample — the registers and stack top of a thread running in user space,
 * taken without stopping it: a one-shot perf event sample.
 *
 * Stopping a thread seen running is a race: it may block in a system call
 * (epoll_wait, sigtimedwait, ...) just before the stop arrives, and the
 * stop then makes that call fail with EINTR. A perf event sample cannot:
 * the kernel copies the thread's user registers and the top of its stack
 * from a timer interrupt that lands while the thread runs in user space,
 * and the thread never notices beyond those microseconds. A thread that
 * blocks instead simply gives no sample.
 *
 * For each thread: perf_event_open(2) of its task clock (a software
 * event: no hardware PMU needed), sampling PERF_SAMPLE_REGS_USER and
 * PERF_SAMPLE_STACK_USER after 100 us of the thread's CPU time (in the
 * kernel too where pinspect may: a thread busy in a system call gives its
 * user registers as it entered it; else user space only); a ring buffer
 * of 64 KiB (enough for one sample); one sample read and checked field by
 * field, then the event is closed.
 * Threads are sampled together, a bounded number at a time.
 *
 * While waiting, the caller is asked every couple of milliseconds whether
 * each thread not yet sampled still runs; one that blocked is given up
 * (err -EAGAIN), for the caller to copy its stack while it waits. */
#ifndef PI_TRACE_SAMPLE_H
#define PI_TRACE_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "unwind/unwinder.h"

/* One thread to sample, and what was learnt. */
struct pi_sample {
	pid_t tid;

	/* Out. err is 0 (sampled), or:
	 *  -EAGAIN     no sample: it blocked (the caller's still_running
	 *              said so), or the sample holds no user registers;
	 *  -ESRCH      it exited;
	 *  -ETIMEDOUT  it was still running at the deadline, never
	 *              sampled (in user space, when that is all pinspect
	 *              may sample);
	 *  -EPROTO     the sample failed a check (a kernel bug);
	 *  the denial of the batch (see pi_sample_batch.denied), or another
	 *  -errno from perf_event_open or mmap. */
	int err;
	/* The sample is of a 32-bit task (perf's ABI_32): its registers
	 * are i386's, zero-extended into the layout below. */
	bool abi32;
	/* The registers (general ones, eflags, cs and ss), in ptrace's
	 * layout: the architecture table (src/arch) maps them to DWARF
	 * numbers for the unwinder. What a sample does
	 * not hold (fs_base, gs_base, orig_rax, ds, es, fs, gs) is 0: the
	 * caller must say it is unknown. */
	struct user_regs_struct regs;
	uint8_t *stack;		/* the kernel's copy of [sp, sp + stack_len) */
	uint64_t stack_start;	/* sp */
	size_t stack_len;
	bool stack_cut;		/* the copy stopped at the sample's size limit,
				 * not at the end of the stack's mapping */
};

/* Does the thread at index i of the batch still run? (It is asked only
 * while no sample has come.) */
typedef bool (*pi_still_running_fn)(void *arg, size_t i);

struct pi_sample_batch {
	struct pi_sample *threads;
	size_t count;
	double timeout_seconds;		/* for all of them to be sampled */
	pi_still_running_fn still_running;
	void *still_running_arg;

	/* Out: -errno when perf events are not available to pinspect for
	 * this process (EACCES or EPERM: not permitted, e.g. by a seccomp
	 * filter, or perf_event_paranoid without CAP_PERFMON; ENOENT, ENOSYS,
	 * EOPNOTSUPP: no such event in this kernel). Then no thread was
	 * sampled, and each has this err. */
	int denied;
};

/* Is err a denial of perf events as such (not a problem of one thread)? */
bool pi_sample_is_denial(int err);

/* Does pinspect hold CAP_PERFMON or CAP_SYS_ADMIN (effective), which lift
 * kernel.perf_event_paranoid's limits? (To say why perf was refused.) */
bool pi_sample_privileged(void);

/* Samples every thread of the batch. Returns 0 (each thread's err says
 * how it went). Never stops, signals or ptraces a thread. */
int pi_sample_batch(struct pi_sample_batch *batch);

/* Frees the stack copies. */
void pi_sample_batch_free(struct pi_sample_batch *batch);

/* The parser of one PERF_RECORD_SAMPLE (for the unit tests): rec holds
 * len bytes, as read from the ring buffer, of a record of the layout
 * pi_sample_batch asks for. Fills s (allocating its stack copy) and
 * returns 0, or -EPROTO when a length or field does not add up, -EAGAIN
 * when the sample holds no user registers, -ENOEXEC for another ABI. */
int pi_sample_parse(const uint8_t *rec, size_t len, pid_t tid, size_t stack_asked,
		    struct pi_sample *s);

#endif
