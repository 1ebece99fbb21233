/* threads — reading every task of a process, in parallel.
 *
 * A process with a thousand threads means eight thousand small /proc
 * reads; they take tens of milliseconds of system time, and nothing orders
 * them, so they are shared among a few threads of our own, one per CPU. */
#ifndef PI_COLLECT_THREADS_H
#define PI_COLLECT_THREADS_H

#include <sys/types.h>

#include "model.h"

/* Fills p->threads (main thread first, then by TID; threads that exit
 * while being read are left out) and returns the PIDs listed in their
 * children files in *children (to free). Returns 0, or -errno when task/
 * cannot be listed. */
int pi_collect_threads(int procfd, struct pi_process *p, pid_t **children, size_t *nchildren);

/* The same with pi_collect_thread_lean (--sample's ticks), from files
 * when not NULL. */
struct pi_task_files;
int pi_collect_threads_lean(int procfd, struct pi_process *p, struct pi_task_files *files);

#endif
