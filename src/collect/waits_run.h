/* waits_run — what the two halves of collect/waits share: the first
 * (waits.c) turns one thread's system call into the objects it waits on
 * and their holders; the second (waits_chains.c) follows chains from
 * process to process, finds the stuck set and the scans' cycles, and
 * serves the live view's column. Not for use outside collect/waits*.c. */
#ifndef PI_COLLECT_WAITS_RUN_H
#define PI_COLLECT_WAITS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/waits.h"
#include "proc/filelocks.h"
#include "proc/maps.h"
#include "proc/netsock.h"
#include "proc/stat.h"
#include "proc/syscall.h"
#include "sys/names.h"
#include "sys/sockdiag.h"
#include "util/buf.h"

enum {
	MAX_PROCESSES = 1 << 20,	/* processes looked through for holders */
	MAX_FDS = 1 << 20,		/* descriptors of one process */
	MAX_TABLE_ROWS = 1 << 20,	/* sockets, locks */
	MAX_CHILDREN = 4096,
	MAX_CHAIN_PROCESSES = 64,	/* processes whose waits a snapshot reads */
	MAX_CHAIN_THREADS = 4096,	/* threads of such a process; more: not called stuck */
	MAX_DESCRIBED = 4096,		/* descriptors of one process described, then copied */
	MAX_SESSION_TASKS = 1 << 16,	/* tasks one table refresh asks about */
	MAX_KLOCK_HOLDERS = 64,		/* descriptors on a locked pipe or file whose threads are read */
	F_SETLKW_NR = 7,		/* fcntl commands that wait (asm-generic numbers) */
	F_SETLKW64_NR = 14,		/* the same, for 32-bit processes */
	F_OFD_SETLKW_NR = 38,
};

/* One descriptor of some process on the machine, for finding who holds
 * the other end of a pipe or socket, or a FIFO: keyed by the pipe's or
 * socket's inode, or by a hash of a path with the top bit set. */
struct fd_entry {
	uint64_t key;
	pid_t pid;
	int fd;
	int8_t access;			/* enum pi_fd_access; -1 not read yet, -2 unreadable */
};

#define PATH_KEY_BIT (UINT64_C(1) << 63)

struct netns_diag {
	uint64_t ino;
	struct pi_sockdiag *diag;
	int err;
};

enum { NETNS_DIAG_TIMEOUT_MS = 1000,	/* for the child that enters a namespace */
       MAX_NETNS_DIAGS = 64 };		/* namespaces entered per run */

/* A process seen as a peer: read once. */
struct peer_info {
	pid_t pid;
	char comm[PI_COMM_MAX + 1];
	char state;
	const char *wchan;
};

/* A process whose waits were read: the target, and the peers a chain
 * went through (their threads read lightly: stat, syscall, wchan). */
struct visited {
	pid_t pid;
	struct pi_thread *threads;	/* the target's own, or owned here */
	size_t nthreads;
	bool owned;
	int err;			/* its threads could not be read: -errno */
	bool stuck;			/* every thread waits for ever on stuck processes */
};

/* What one snapshot's run shares across the processes it reads. */
struct run {
	struct pi_process *target;
	struct pi_buf buf, link;
	bool index_built;
	int index_err;			/* the index could not be finished: why (0: it was) */
	bool index_partial;		/* some processes' descriptors could not be read */
	struct fd_entry *index;
	size_t nindex, index_cap;
	bool locks_read;
	int locks_err;
	struct pi_file_lock *locks;
	size_t nlocks, locks_cap;
	struct pi_sockdiag *diag;
	int diag_err;
	bool diag_tried;
	/* sock_diag sockets made in other network namespaces (by a child
	 * that enters each), by the namespace's inode. */
	struct netns_diag *netns_diags;
	size_t nnetns_diags, netns_diags_cap;
	struct peer_info *peers;
	size_t npeers, peers_cap;
	struct visited *procs;
	size_t nprocs, procs_cap;
	size_t max_procs;		/* processes visit() reads at most */
};

/* One process being read: its /proc directory, ABI and socket tables. */
struct ctx {
	struct run *r;
	pid_t pid;
	int procfd;
	enum pi_abi abi;
	bool unix_read, inet_read;
	struct pi_inet_socket *inet;
	size_t ninet, inet_cap;
	size_t ntcp;			/* the first ntcp of inet are TCP's */
	struct pi_unix_socket *unix_socks;
	size_t nunix, unix_cap;
	bool other_netns;
	struct pi_sockdiag *netns_diag;	/* the run's, for its namespace; NULL: err says why */
	int netns_diag_err;
	int8_t sigchld;			/* it catches SIGCHLD: 1, no: -1, not read yet: 0 */
	struct pi_wait_object kids;	/* then its children, read once (peers NULL: not yet) */
	/* Threads share their process's descriptors: each (descriptor, way)
	 * is described once, and copied for the other threads. */
	struct described *described;
	size_t ndescribed, described_cap;
	/* Its mappings and PID namespace, read when a thread waits on a
	 * shared futex (waits_mutex.c). */
	bool maps_read;
	int maps_err;
	struct pi_vma *vmas;
	size_t nvmas;
	bool own_pidns;
	/* The last shared mutex's owner checked (a thousand threads waiting
	 * on one mutex check its owner once): its address, the TID its word
	 * named, and the verdict (its peers array not owned here). */
	uint64_t checked_addr;
	pid_t checked_tid;
	struct pi_wait_object checked;
};

struct described {
	int fd;
	bool reading, pipe_wchan;
	int8_t klock;			/* enum pi_kernel_lock: a kernel lock's guess, not the fd's peers */
	const struct pi_wait_object *o;
};

/* The objects thread t of c's process waits on, and their holders; NULL
 * when its system call waits on no other process. threads are its
 * process's (for the children of wait4). */
struct pi_wait_for *pi_waits_thread(struct ctx *c, struct pi_thread *t, const struct pi_thread *threads,
				    size_t nthreads);

/* A thread in futex() on a process-shared mutex (in a shared mapping)
 * held by a thread of another process: the owner the lock word names, if
 * that thread's process maps the same object at the same offset (else
 * said unverified, or dead); NULL when the futex is not such a wait (a
 * private one, a condition variable, a lock held in c's own process). */
struct pi_wait_for *pi_waits_mutex(struct ctx *c, struct pi_thread *t);
/* Pure, for the above (and the unit tests): the owner a futex's words
 * name (0: none) and whether they are a mutex's at all: a glibc mutex
 * (its __owner), a priority-inheritance one (the word), a robust one (the
 * word holds the owner's TID with FUTEX_WAITERS); *died: the kernel
 * marked the owner dead (FUTEX_OWNER_DIED). */
bool pi_waits_mutex_owner(const struct pi_futex *f, pid_t *owner, bool *died);
/* Does a shared mapping among v[0..n) hold the same object as like
 * (device and inode) at byte off of it? */
bool pi_waits_maps_same_object(const struct pi_vma *v, size_t n, const struct pi_vma *like, uint64_t off);
/* Is name futex() (or futex_time64)? */
bool pi_waits_futex_call(const char *name);
/* Is sc a shared futex wait with no timeout (of a process of this ABI)? */
bool pi_waits_futex_forever(const struct pi_syscall *sc, enum pi_abi abi);
/* Frees what c read of its process (not its directory). */
void pi_waits_ctx_free(struct ctx *c);

/* The file locks the run's target holds that other processes wait for
 * (p->locks_wanted), its /proc directory procfd; the waiters' names are
 * the caller's to fill in. */
void pi_waits_locks_wanted(struct run *r, int procfd);

/* Is sc (of an ABI-native process) a wait pinspect follows, with no
 * timeout? The scans' quick look. */
bool pi_waits_blocks_forever(const struct pi_syscall *sc);

#endif
