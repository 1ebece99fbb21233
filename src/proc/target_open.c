#include "proc/target_open.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* O_NONBLOCK: opening a FIFO with no writer, or a device, returns at once
 * instead of waiting; O_NOCTTY: a terminal never becomes pinspect's. */
#define FILE_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* Turns pathfd, an O_PATH descriptor (which opened nothing: no device
 * driver ran, no FIFO was waited on), into a readable fd, if and only if
 * it is a regular file. Reopening through /proc/self/fd opens the very
 * inode pathfd holds, whatever its path names by now. pathfd is closed. */
static int reopen_regular(int pathfd, struct stat *st)
{
	struct stat mine;
	if (!st)
		st = &mine;
	if (pathfd < 0)
		return -errno;
	int err = 0;
	if (fstat(pathfd, st) != 0)
		err = -errno;
	else if (S_ISLNK(st->st_mode))
		err = -ELOOP;
	else if (!S_ISREG(st->st_mode))
		err = -ENXIO;
	int fd = -1;
	if (!err) {
		char self[40];
		snprintf(self, sizeof self, "/proc/self/fd/%d", pathfd);
		fd = open(self, FILE_FLAGS);
		if (fd < 0)
			err = -errno;
	}
	close(pathfd);
	return err ? err : fd;
}

int pi_target_root_open(pid_t pid)
{
	char path[32];
	snprintf(path, sizeof path, "/proc/%d/root", (int)pid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int pi_target_open_walk(int rootfd, const char *path, struct stat *st)
{
	if (!path || path[0] != '/')
		return -EINVAL;
	int dirfd = rootfd;
	const char *p = path;
	char name[NAME_MAX + 1];
	for (;;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		bool last = p[n] == '\0';
		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.')
		    || (n == 2 && p[0] == '.' && p[1] == '.')) {
			if (dirfd != rootfd)
				close(dirfd);
			return n > NAME_MAX ? -ENAMETOOLONG : -EINVAL;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		/* O_NOFOLLOW on every component: a symbolic link is refused
		 * (ELOOP, or ENOTDIR for a directory component), never
		 * followed, so the walk cannot leave the root. */
		int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY));
		int err = fd < 0 ? -errno : 0;
		if (dirfd != rootfd)
			close(dirfd);
		if (fd < 0)
			return err == -ENOTDIR ? -ELOOP : err;
		if (last)
			return reopen_regular(fd, st);	/* a symbolic link is no regular file */
		dirfd = fd;
		p += n;
	}
}

int pi_target_open(int rootfd, const char *path, struct stat *st)
{
	if (!path || path[0] != '/')
		return -EINVAL;
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* RESOLVE_IN_ROOT reads a leading "/" as rootfd itself. Mount points
	 * are crossed (no RESOLVE_NO_XDEV): a container's /usr or
	 * /usr/lib/debug is often a mount of its own. */
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return reopen_regular(fd, st);
	/* ENOSYS: a kernel before 5.6; EPERM: a seccomp filter that does not
	 * know the call. */
	return pi_target_open_walk(rootfd, path, st);
}

int pi_target_open_mapping(pid_t pid, uint64_t start, uint64_t end, struct stat *st)
{
	char path[80];
	snprintf(path, sizeof path, "/proc/%d/map_files/%llx-%llx", (int)pid,
		 (unsigned long long)start, (unsigned long long)end);
	return reopen_regular(open(path, O_PATH | O_CLOEXEC), st);
}
