/* target_open — opening a file that a target process names, safely.
 *
 * A process under inspection names files: the paths of its mappings, the
 * debug files its libraries link to. Those names are hostile. Opened as
 * they are, as root, they could block pinspect for good (a FIFO), touch a
 * device, or, for a process in a container, reach the host's files
 * through a symbolic link. Every such file is opened here, and only as a
 * regular file:
 *
 *  - by path, inside the target's root (/proc/PID/root): openat2() with
 *    RESOLVE_IN_ROOT, so that ".." and symbolic links, absolute or not,
 *    stay inside that root, and RESOLVE_NO_MAGICLINKS, so that no /proc
 *    link leads out of it. On a kernel without openat2() (before 5.6) the
 *    path is walked one directory at a time, refusing every symbolic link
 *    and every "." or ".." component instead;
 *  - or a mapping itself, through /proc/PID/map_files (root only), which
 *    is exactly the mapped file whatever its path names now.
 *
 * A path is first resolved with O_PATH, which opens nothing (no device
 * driver runs, no FIFO is waited on); only a regular file is then opened
 * for reading, through /proc/self/fd, O_NONBLOCK and O_NOCTTY. */
#ifndef PI_PROC_TARGET_OPEN_H
#define PI_PROC_TARGET_OPEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "proc/mounts.h"
#include "util/buf.h"

/* Opens the root directory of process pid (/proc/PID/root). Returns the
 * fd, or -errno. */
int pi_target_root_open(pid_t pid);

/* Opens path, an absolute path as the process sees it, inside the root
 * directory rootfd. On success returns the fd of a regular file and fills
 * *st (may be NULL). Returns -errno otherwise: -EINVAL for a path that is
 * not absolute, -ENXIO for something that is not a regular file (a FIFO,
 * a device, a directory), -EXDEV or -ELOOP for a path that tried to leave
 * the root, -ENOENT, -EACCES... */
int pi_target_open(int rootfd, const char *path, struct stat *st);

/* The fallback used where openat2() is missing, exposed for its tests:
 * the same contract, but no symbolic link is followed at all and a "." or
 * ".." component is refused (-ELOOP, -EINVAL). */
int pi_target_open_walk(int rootfd, const char *path, struct stat *st);

/* Opens the file mapped at [start, end) in process pid, through
 * /proc/PID/map_files. A regular file only, as above; -errno otherwise
 * (-EPERM without CAP_SYS_ADMIN). */
int pi_target_open_mapping(pid_t pid, uint64_t start, uint64_t end, struct stat *st);

/* ---- Files on mounts that may not answer ----
 *
 * Even O_PATH and fstat() wait for a FUSE server (LOOKUP, GETATTR) or an
 * NFS one, and a FUSE server is any user's to stop. So the opens above,
 * made for a target, go through a pi_target_files: a file on a local
 * mount is opened here as above (the cost: one read of the target's
 * mountinfo per pi_target_files); one on a mount that may block
 * (proc/mounts.h) or whose path is not all in the kernel's caches is
 * opened by a forked child of pinspect's, which passes the descriptor
 * back (util/fdpass) and is given PI_SLOW_OPEN_MS. One that does not
 * answer by then is left (a task asleep in D cannot be killed: it is
 * reaped later, or by init) and the open fails with -ETIMEDOUT; that
 * mount is then not waited for again, by any pi_target_files, for
 * PI_SLOW_MOUNT_HOLD_MS and as long as the child left there sleeps.
 *
 * A descriptor of a file on such a mount is handed on (to the sandboxed
 * child, which may wait on it within its own deadline): pinspect's root
 * side never reads it. */

#define PI_SLOW_OPEN_MS 1000
#define PI_SLOW_MOUNT_HOLD_MS 30000

struct pi_target_files {
	pid_t pid;
	int rootfd;			/* not owned; -1 when the root could not be opened */
	int mounts_err;			/* 1 until read; then 0 or -errno (all taken as slow) */
	struct pi_mounts mounts;
	bool paths_hung;		/* a guarded path open timed out: no more waits */
	int wait_ms;			/* PI_SLOW_OPEN_MS; tests may shorten it */
	char last_type[32];		/* the mount type of the last -ETIMEDOUT */
	/* What did not answer, for the process's unavailable list: escaped
	 * paths and their mounts, "; "-separated, the first few of nunread. */
	struct pi_buf unread;
	size_t nunread;
};

void pi_target_files_init(struct pi_target_files *tf, pid_t pid, int rootfd);
void pi_target_files_free(struct pi_target_files *tf);

/* pi_target_open inside tf's root, guarded as said above. */
int pi_target_files_open(struct pi_target_files *tf, const char *path, struct stat *st);

/* pi_target_open_mapping, guarded: major and minor are the mapping's
 * device as /proc/PID/maps names it, which says its mount without
 * touching the file. */
int pi_target_files_open_mapping(struct pi_target_files *tf, uint64_t start, uint64_t end,
				 unsigned major, unsigned minor, struct stat *st);

/* Whether a file opened through tf (st: its stat, as returned) is on a
 * mount that may block: the root side then hands it on, never reads it. */
bool pi_target_files_may_block(struct pi_target_files *tf, const struct stat *st);

/* Notes in tf->unread that path (the target's, escaped here) could not be
 * opened: the last open returned -ETIMEDOUT. */
void pi_target_files_note_unread(struct pi_target_files *tf, const char *path);

#endif
