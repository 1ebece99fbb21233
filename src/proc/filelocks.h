/* filelocks — parser for /proc/locks: every file lock on the machine and
 * every task waiting for one.
 *
 *   1: POSIX  ADVISORY  WRITE 16183 fe:00:10952727 5 14
 *   2: FLOCK  ADVISORY  WRITE 16121 fe:00:10953423 0 EOF
 *   2: -> FLOCK  ADVISORY  WRITE 16182 fe:00:10953423 0 EOF
 *
 * A line with "->" is a waiter of the lock with the same number (deeper
 * waiters, blocked behind a waiter, are indented further). The kernel
 * detects deadlocks among POSIX locks only; flock and OFD locks can form
 * cycles it never sees, which is why pinspect reads this file. PIDs are
 * as the reader's PID namespace sees them; an OFD lock belongs to an
 * open file, not a process, and its PID is -1 on most kernels. */
#ifndef PI_PROC_FILELOCKS_H
#define PI_PROC_FILELOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum pi_flock_kind {
	PI_FLOCK_POSIX,		/* fcntl(F_SETLK) and lockf */
	PI_FLOCK_FLOCK,		/* flock(2) */
	PI_FLOCK_OFD,		/* fcntl(F_OFD_SETLK) */
	PI_FLOCK_LEASE,		/* fcntl(F_SETLEASE) */
	PI_FLOCK_DELEG,		/* an NFS server's delegation */
	PI_FLOCK_ACCESS,	/* a mandatory-lock access check */
	PI_FLOCK_UNKNOWN,
};

enum pi_flock_access {
	PI_FLOCK_ACCESS_READ,
	PI_FLOCK_ACCESS_WRITE,
	PI_FLOCK_ACCESS_NONE,	/* UNLCK: a lease being given up */
};

struct pi_file_lock {
	uint64_t id;			/* the lock's number; its waiters share it */
	unsigned wait_depth;		/* 0: held; 1: waits for the holder; 2+: behind a waiter */
	enum pi_flock_kind kind;
	enum pi_flock_access access;
	pid_t pid;			/* -1: none said (OFD locks) */
	bool have_file;			/* false for "<none>" */
	unsigned major, minor;		/* the file's device */
	uint64_t inode;
	uint64_t start, end;		/* byte range; end is UINT64_MAX for EOF */
};

/* Parses every line of /proc/locks, calling fn for each. Lines that are not
 * a lock (a cut last line, say) are counted in *skipped and left out.
 * Stops after max_locks locks (the machine may hold millions); *truncated
 * says so. Returns the number of locks given to fn. */
size_t pi_file_locks_parse(const char *text, size_t len, size_t max_locks,
			   void (*fn)(void *arg, const struct pi_file_lock *lock), void *arg,
			   size_t *skipped, bool *truncated);

/* "POSIX", "FLOCK", "OFD", ... for messages. */
const char *pi_flock_kind_name(enum pi_flock_kind kind);

#endif
