/* reader — the only code that opens files under /proc.
 *
 * A process is read through one directory fd opened on /proc/PID (and one
 * per /proc/PID/task/TID): every file is then opened relative to it, so
 * that if the process exits and its PID is reused mid-read, the reads fail
 * instead of silently mixing two processes. */
#ifndef PI_PROC_READER_H
#define PI_PROC_READER_H

#include <errno.h>
#include <sys/types.h>

#include "util/buf.h"

/* Opens /proc/PID as a directory. Returns the fd, or -errno (-ENOENT: no
 * such process). */
int pi_proc_open(pid_t pid);
/* Opens /proc itself (for /proc/locks, and the list of processes). */
int pi_proc_open_root(void);
/* Opens a subdirectory (e.g. "task", or a TID under task/). */
int pi_proc_open_dir(int dirfd, const char *name);

/* Reads the whole file dirfd/name into out (replacing its contents,
 * NUL-terminated). Returns 0, or -errno: -ENOENT or -ESRCH when the task
 * is gone, -EACCES or -EPERM when not allowed. */
int pi_read_at(int dirfd, const char *name, struct pi_buf *out);

/* Reads the first keep bytes of dirfd/name into out (replacing its
 * contents, NUL-terminated), and goes on reading only to count: *total is
 * the file's size, or count_max when it has at least that many bytes (a
 * process can make its command line as big as its memory). Returns 0 or
 * -errno, as pi_read_at. */
int pi_read_prefix_at(int dirfd, const char *name, size_t keep, size_t count_max,
		      struct pi_buf *out, size_t *total);

/* Reads dirfd/name in chunks of whole lines, handing each to fn, so that a
 * file of megabytes (smaps of a process with thousands of threads) never
 * sits whole in memory. buf is scratch space. Returns 0 or -errno. */
int pi_read_lines_at(int dirfd, const char *name, struct pi_buf *buf,
		     void (*fn)(void *arg, const char *text, size_t len), void *arg);

/* Reads a symbolic link such as /proc/PID/exe. */
int pi_readlink_at(int dirfd, const char *name, struct pi_buf *out);

/* True for the errors that mean "the task no longer exists". */
static inline int pi_err_gone(int err)
{
	return err == -ENOENT || err == -ESRCH;
}

#endif
