/* offcpu — how long a task has been off the CPU, from one reading.
 *
 * A task's se.exec_start (its sched file) is the scheduler clock when it
 * last started or stopped running; "now" in that clock comes from
 * collect/sched_clock.h. The snapshot and the live table both ask this
 * one function, so that "in D for 312 s" means the same in both. */
#ifndef PI_ANALYSIS_OFFCPU_H
#define PI_ANALYSIS_OFFCPU_H

#include <stdbool.h>
#include <stdint.h>

struct pi_thread;

/* Sets *seconds to the time since the task last ran: now_ns (the
 * scheduler clock of the CPU it last ran on, 0 when unknown) minus
 * exec_start_ns; 0 when on_cpu says it is running right now. Returns
 * false (and *seconds 0) when now_ns is unknown. */
bool pi_off_cpu(int64_t now_ns, int64_t exec_start_ns, bool on_cpu, double *seconds);

/* Sets a collected thread's off-CPU fact (PI_FACT_OFF_CPU) from its
 * sched file and the clock read beside it. */
void pi_thread_off_cpu(struct pi_thread *t);

#endif
