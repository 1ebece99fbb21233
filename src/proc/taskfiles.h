/* taskfiles — a process's per-thread /proc files kept open from one read
 * to the next, for --sample, which reads the same few files of every
 * thread many times a second: each read is then one pread at offset 0
 * (which makes the kernel format the file anew), not an open, a read
 * until EOF and a close — the opens and closes were a third of a tick's
 * CPU.
 *
 * The descriptors are opened under the process's task/ directory, opened
 * once (reader.h: a process that exits and whose PID is reused makes the
 * reads fail, never read another's). A descriptor whose thread exited
 * reads an error: it is closed and the file opened afresh once (a new
 * thread may have the old one's TID). At most max_threads threads keep
 * their files (those past it are opened and closed as usual), and
 * pi_task_files_sweep closes the files of threads not read since the last
 * sweep: what a target's thread churn costs pinspect is bounded. */
#ifndef PI_PROC_TASKFILES_H
#define PI_PROC_TASKFILES_H

#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"

enum pi_task_file {
	PI_TASK_STAT,
	PI_TASK_SYSCALL,
	PI_TASK_WCHAN,
	PI_TASK_STACK,
	PI_TASK_NFILES,
};

struct pi_task_files;

/* For process pid: 0 and *out, or -errno when its task/ directory cannot
 * be opened. max_threads 0: as many as a quarter of the descriptors left
 * under RLIMIT_NOFILE allows, at most 4096. */
int pi_task_files_open(pid_t pid, size_t max_threads, struct pi_task_files **out);
/* Thread tid's file f, whole, into out (NUL-terminated). 0 or -errno, as
 * pi_read_at (reader.h). */
int pi_task_files_read(struct pi_task_files *c, pid_t tid, enum pi_task_file f, struct pi_buf *out);
/* Closes the files of the threads not read since the last sweep. */
void pi_task_files_sweep(struct pi_task_files *c);
/* Descriptors held now (tests). */
size_t pi_task_files_held(const struct pi_task_files *c);
void pi_task_files_close(struct pi_task_files *c);

#endif
