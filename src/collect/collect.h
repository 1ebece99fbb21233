/* collect — reading one process from /proc into the model.
 *
 * This is where files are read and parsed; nothing here decides what the
 * facts mean (that is analysis/). The process is pinned by a directory fd
 * for the whole read, and re-checked at the end, so a process that exits
 * (or whose PID is reused) mid-read is reported as such rather than shown
 * half-read. */
#ifndef PI_COLLECT_COLLECT_H
#define PI_COLLECT_COLLECT_H

#include <sys/types.h>

#include "model.h"

/* Reads process pid into *out (which the caller frees with
 * pi_process_free, whatever the result). Returns 0, or:
 *   -ENOENT  no such process
 *   -ESRCH   it exited while being read
 *   -EACCES  not even its stat could be read (e.g. /proc mounted hidepid)
 *   -EINVAL  it is not a process but a thread (out->status.tgid says of which)
 *   another -errno when /proc itself fails. */
int pi_collect_process(pid_t pid, struct pi_process *out);
/* The same, within a time budget (--timeout; NULL: none), which out keeps
 * (out->deadline) for what reads it further: its stacks and locks
 * (collect/stacks.h) and its lock analysis. */
int pi_collect_process_within(pid_t pid, struct pi_process *out, const struct pi_deadline *deadline);
/* The lean read --sample makes at each tick: the process's stat,
 * status, executable ABI, maps (no sizes), auxv and vDSO, and each
 * thread's stat and syscall only (collect/thread.h); the rest (its
 * identity, each thread's status, sched, wait channel, kernel stack,
 * children) is left unknown (-ENODATA), for the caller to read what it
 * needs of it. The threads' files are read from files (kept open across
 * ticks: proc/taskfiles.h) when not NULL, which out->task_files then
 * borrows (the stacks' reads use it too). */
struct pi_task_files;
int pi_collect_process_lean(pid_t pid, struct pi_process *out, const struct pi_deadline *deadline,
			    struct pi_task_files *files);

/* Waits for what pi_collect_process left running while the rest is read
 * (the vDSO's decoder, in its sandbox) and puts its result in *p. Call it
 * before pi_analyze_process; pi_process_free reaps it too, unread. Cheap
 * when nothing runs. */
void pi_collect_finish(struct pi_process *p);

#endif
