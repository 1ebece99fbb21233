/* fds — parsers for what /proc says about a process's open descriptors:
 * the link /proc/PID/fd/N (what the descriptor is) and the text of
 * /proc/PID/fdinfo/N (its flags and, for an epoll descriptor, what it
 * watches).
 *
 * These answer "what is this thread waiting on": a read() on descriptor 5
 * means nothing until 5 is known to be pipe:[4397120], and an epoll_wait()
 * nothing until the epoll's watched descriptors are known. */
#ifndef PI_PROC_FDS_H
#define PI_PROC_FDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pi_fd_kind {
	PI_FD_PATH,		/* a file with a path ("/var/lib/dpkg/lock") */
	PI_FD_PIPE,		/* "pipe:[INODE]": a pipe (a FIFO has a path) */
	PI_FD_SOCKET,		/* "socket:[INODE]" */
	PI_FD_ANON,		/* "anon_inode:[eventpoll]", "anon_inode:inotify" */
	PI_FD_OTHER,		/* another kernel object ("net:[...]", "mnt:[...]") */
};

enum {
	PI_FD_ANON_NAME = 32,	/* longest anon_inode name kept ("[eventpoll]" is 11) */
};

struct pi_fd_link {
	enum pi_fd_kind kind;
	uint64_t inode;			/* pipes and sockets */
	char anon[PI_FD_ANON_NAME];	/* PI_FD_ANON: the name without brackets */
	bool deleted;			/* PI_FD_PATH ending in " (deleted)" */
};

/* The text of readlink(/proc/PID/fd/N). Only the kernel writes a target
 * that does not start with '/': a file a process names (even one called
 * "pipe:[1]") always reads as an absolute path, so the kinds cannot be
 * forged by a file name. Returns 0, or -EINVAL for an empty link. */
int pi_fd_link_parse(const char *text, size_t len, struct pi_fd_link *out);

/* One descriptor an epoll instance watches ("tfd: 5 events: 19 data: 5
 * pos:0 ino:431e06 sdev:f"). */
struct pi_epoll_watch {
	int fd;			/* in the process that added it */
	uint32_t events;	/* EPOLLIN, EPOLLOUT... */
	uint64_t inode;		/* of the watched file, 0 when not said */
};

struct pi_fdinfo {
	uint64_t pos;
	uint32_t flags;		/* open flags, as open(2) took them (octal in the file) */
	bool have_flags;
	int64_t mnt_id;		/* -1 when not said */
	uint64_t inode;		/* 0 when not said (kernels before 5.11) */
	/* epoll: the watched descriptors, the first watch_cap of them in the
	 * caller's array; nwatches counts them all. */
	size_t nwatches, nkept;
	/* The first file lock held through this open file ("lock:" lines;
	 * a waiter's line, with "->", is not one held). */
	bool lock_held;
	int lock_kind;		/* enum pi_flock_kind */
	uint64_t lock_inode;
	bool cut;		/* only the file's beginning was read: nwatches is a floor */
};

/* /proc/PID/fdinfo/N. watches may be NULL when watch_cap is 0. Lines it
 * does not know are skipped (each kind of descriptor adds its own).
 * Returns 0, or -EINVAL when there is no flags line. */
int pi_fdinfo_parse(const char *text, size_t len, struct pi_fdinfo *out,
		    struct pi_epoll_watch *watches, size_t watch_cap);

/* Which way a descriptor was opened, from its flags. */
enum pi_fd_access {
	PI_FD_READ,
	PI_FD_WRITE,
	PI_FD_READ_WRITE,
};
enum pi_fd_access pi_fd_access_of(uint32_t flags);

#endif
