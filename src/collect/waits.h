/* waits — what each blocked thread of a process waits for beyond it, and
 * which processes can wake it.
 *
 * A thread's system call (proc/syscall) says what it blocks in; its
 * arguments say on what: a descriptor (read, write, accept, connect), a
 * set of them (poll, select, epoll_wait: the epoll's own fdinfo lists
 * what it watches), a file lock (flock, fcntl F_SETLKW), or its children
 * (wait4, waitid). Each object is then followed to the processes at its
 * other end, as strace -yy, lsof, ss -xp and lslocks would show them:
 *   - a pipe or FIFO: the processes holding the other end;
 *   - a UNIX socket: the process holding its peer (sock_diag);
 *   - a TCP or UDP socket on this machine: the process holding the other
 *     end, or the listener that has not accepted it; a remote peer by its
 *     address;
 *   - a file lock: its holder (/proc/locks);
 *   - children: each child, with its state.
 * Holders are found in one pass over every process's descriptors, bounded
 * by the process's time budget (--timeout). What cannot be known says why
 * (a process pinspect may not read, another network namespace). */
#ifndef PI_COLLECT_WAITS_H
#define PI_COLLECT_WAITS_H

#include "model.h"

enum {
	PI_WAIT_MAX_OBJECTS = 64,	/* descriptors kept per poll/select/epoll */
	PI_WAIT_MAX_PEERS = 16,		/* processes kept per object */
	PI_WAIT_MAX_CHAIN = 16,		/* processes in one chain of waits */
};

/* The kernel lock a task in D waits for inside a file system or pipe
 * call, told by its wait channel and kernel stack (innermost first; may
 * be empty when unreadable): the pipe's mutex, a shared open file's
 * position lock, a file's inode lock. A hint: whoever is inside a system
 * call on the same object probably holds it. */
enum pi_kernel_lock {
	PI_KLOCK_NONE,
	PI_KLOCK_PIPE,		/* pipe->mutex (pipe_read, pipe_write) */
	PI_KLOCK_FILE_POS,	/* file->f_pos_lock (__fdget_pos) */
	PI_KLOCK_INODE,		/* inode->i_rwsem (a write, a directory read) */
};
enum pi_kernel_lock pi_waits_kernel_lock(char state, const char *wchan, const char *const *kstack, size_t nkstack);

/* Fills each blocked thread's wait (and p->waits_*). Needs the threads'
 * system calls (pi_collect_process). Returns 0, or -errno when nothing
 * could be looked at. */
int pi_collect_waits(struct pi_process *p);

/* A deadlock across processes: the processes of one cycle, each with a
 * thread that waits and on what (strings in the scan's pool). */
struct pi_cross_deadlock {
	struct pi_wait_step *steps;
	size_t nsteps;
};

struct pi_waits_scan {
	struct pi_cross_deadlock *deadlocks;
	size_t ndeadlocks, deadlocks_cap;
	size_t processes_read;		/* those whose every thread waited on another process */
	int err;			/* cut short (-PI_ERR_TIMEOUT), or the descriptors not all read */
	struct pi_strpool strings;
};

/* Every process on the machine: the cycles of processes each of whose
 * threads waits, with no timeout, only on the others (pipes, sockets,
 * file locks, children), as pi_collect_waits calls a chain a deadlock.
 * Within deadline (NULL: none). Returns 0 or -errno; *out is the
 * caller's to free with pi_waits_scan_free in every case. */
int pi_scan_waits(const struct pi_deadline *deadline, struct pi_waits_scan *out);
/* The same, looking only at the processes among[0..namong) (the live
 * view's: those a sweep saw with every thread asleep); a process of a
 * cycle left out of them leaves the cycle unfound, never a false one. */
int pi_scan_waits_among(const pid_t *among, size_t namong, const struct pi_deadline *deadline,
			struct pi_waits_scan *out);
void pi_waits_scan_free(struct pi_waits_scan *s);

/* One task at a time, for the live view's and batch mode's WAITS FOR
 * column: what thread tid of process pid waits for (its objects and
 * their peers; no chain), or NULL when nothing across processes or not
 * readable. The session keeps what it read (the machine's descriptors
 * are indexed once) until freed: one per refresh. timeout_seconds bounds
 * the session (0: none). */
struct pi_waits_session;
struct pi_waits_session *pi_waits_session_new(double timeout_seconds);
void pi_waits_session_free(struct pi_waits_session *s);
const struct pi_wait_for *pi_waits_session_task(struct pi_waits_session *s, pid_t pid, pid_t tid);

#endif
