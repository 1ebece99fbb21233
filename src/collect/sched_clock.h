/* sched_clock — "now" in the clock of se.exec_start, per CPU.
 *
 * A task's se.exec_start (in /proc/PID/task/TID/sched) is the scheduler's
 * clock when the task last started or stopped running. Compared with "now"
 * in the same clock, it says how long a sleeping task has been off the CPU,
 * from one snapshot (doc/design.md, "Time off the CPU from one
 * snapshot").
 *
 * That clock is per CPU: it is rq_clock_task, which leaves out the time
 * the hypervisor stole from each CPU (and IRQ time, where accounted), so
 * the CPUs of a virtual machine drift apart by tens of milliseconds. "Now"
 * is therefore learnt for the CPU the task last ran on: pinspect moves
 * itself to that CPU once, which sets its own se.exec_start to that CPU's
 * clock, reads it back from /proc/thread-self/sched, and goes back where it
 * was. CLOCK_MONOTONIC carries each reading forward, as both count
 * nanoseconds at the same rate. */
#ifndef PI_COLLECT_SCHED_CLOCK_H
#define PI_COLLECT_SCHED_CLOCK_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/deadline.h"

struct pi_sched_clock_cpu;

/* Shared by the threads that read /proc in parallel: a CPU's clock is
 * learnt once, under the lock. */
struct pi_sched_clock {
	struct pi_sched_clock_cpu *cpus;	/* indexed by CPU number */
	int ncpus;
	pthread_mutex_t lock;
	/* The snapshot's instant (monotonic ns, 0: none): the times off the
	 * CPU are as of then, as its process's age is (collect/thread.c). */
	int64_t as_of_mono_ns;
};

void pi_sched_clock_init(struct pi_sched_clock *clock);
void pi_sched_clock_done(struct pi_sched_clock *clock);

/* Take pi_monotonic_ns (util/deadline.h) when reading a task's sched
 * file. */

/* The scheduler clock of CPU cpu at monotonic time mono_ns, or 0 when it
 * cannot be known. Learns the CPU's clock on first use. */
int64_t pi_sched_clock_at(struct pi_sched_clock *clock, int cpu, int64_t mono_ns);

#endif
