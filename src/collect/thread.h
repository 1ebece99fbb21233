/* thread — reading one task of a process from /proc/PID/task/TID. */
#ifndef PI_COLLECT_THREAD_H
#define PI_COLLECT_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/sched_clock.h"
#include "model.h"
#include "util/buf.h"

/* The process's string pool, shared by the threads that read /proc. */
struct pi_shared_pool {
	struct pi_strpool *pool;
	pthread_mutex_t lock;
};

/* Reads task tid under taskfd (/proc/PID/task) into *t, appending the
 * PIDs in its children file to the children array. Returns 0, or -ESRCH
 * / -ENOENT when the thread exited before it could be read. */
int pi_collect_thread(int taskfd, pid_t tid, struct pi_sched_clock *clock,
		      struct pi_shared_pool *pool, struct pi_buf *buf, struct pi_thread *t,
		      pid_t **children, size_t *nchildren, size_t *children_cap);

/* The lean read --sample makes at each tick: stat and syscall only (a
 * quarter of the files), from files (proc/taskfiles.h) when not NULL;
 * everything else is left unknown (-ENODATA). Returns what
 * pi_collect_thread does. */
struct pi_task_files;
int pi_collect_thread_lean(int taskfd, pid_t tid, struct pi_task_files *files, struct pi_buf *buf,
			   struct pi_thread *t);

#endif
