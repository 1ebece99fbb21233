/* same_task — a signal or a new nice for the task pinspect saw, never for
 * another that took its PID since.
 *
 * A PID names a task only until it exits and is reaped: the live view acts
 * on what it drew at its last refresh, and on a prompt answered later
 * still, by when the PID may be another process's. Each action here first
 * checks the task's start time (its stat's field 22) against the one seen.
 * A signal goes through a pidfd opened before that check, so the process
 * checked is the process signalled, whatever exits meanwhile (where pidfds
 * are missing, kill(2) just after the check). setpriority(2) has no pidfd
 * form: a nice is set just after the check, a gap of microseconds. */
#ifndef PI_SYS_SAME_TASK_H
#define PI_SYS_SAME_TASK_H

#include <stdint.h>
#include <sys/types.h>

/* Is task tid of process pid (tid == pid: the process) the one that
 * started at starttime (clock ticks after boot)? 0, -ESRCH when it is
 * gone or another's, or -errno when it cannot be told. */
int pi_same_task(pid_t pid, pid_t tid, uint64_t starttime);

/* sig to process pid, if it is the one that started at starttime.
 * Returns 0, -ESRCH (gone, or the PID is another's now) or -errno. */
int pi_signal_same(pid_t pid, uint64_t starttime, int sig);

/* The nice of task tid of process pid, if it is the one that started at
 * starttime. Returns 0, -ESRCH or -errno. */
int pi_setpriority_same(pid_t pid, pid_t tid, uint64_t starttime, int nice);

#endif
