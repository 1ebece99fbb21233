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

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

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

#endif
