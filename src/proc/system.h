/* system — the rest of /proc that pinspect reads: kernel settings under
 * /proc/sys, pinspect's own namespaces and scheduler clock, and files of
 * a process or thread named by number (for the callers that read one
 * file of many tasks and hold no directory of theirs).
 *
 * With proc/reader, proc/fdscan and proc/target_open, this is all the
 * code that names a path under /proc. */
#ifndef PI_PROC_SYSTEM_H
#define PI_PROC_SYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/buf.h"

/* A kernel setting that is a number: name is its path under /proc/sys
 * ("kernel/yama/ptrace_scope"). Returns 0, -errno (-ENOENT: the kernel
 * has no such setting), or -EINVAL when it is not a number. */
int pi_proc_sysctl_int(const char *name, int *out);

/* One of pinspect's own files: name under /proc ("thread-self/sched"). */
int pi_proc_read_self(const char *name, struct pi_buf *out);

/* The inode of one of pinspect's own namespaces ("net", "pid"), which
 * names it: two processes are in the same one when theirs match. */
int pi_proc_own_ns(const char *ns, uint64_t *inode);

/* File name of process pid (tid 0), or of its thread tid, read whole
 * (pi_read_at) or its first keep bytes (pi_read_prefix_at). */
int pi_proc_read_file(pid_t pid, pid_t tid, const char *name, struct pi_buf *out);
int pi_proc_read_file_prefix(pid_t pid, const char *name, size_t keep, size_t count_max,
			     struct pi_buf *out, size_t *total);

/* /proc/PID/task/TID as a directory. Returns the fd or -errno. */
int pi_proc_open_task(pid_t pid, pid_t tid);

#endif
