#include "proc/target_open.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc/reader.h"
#include "sandbox/filter.h"
#include "sandbox/sandbox.h"
#include "util/escape.h"
#include "util/fdpass.h"

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
		/* No snprintf: a guarded open's forked child runs this. */
		char self[40] = "/proc/self/fd/", digits[12];
		size_t n = 0;
		for (unsigned v = (unsigned)pathfd; n == 0 || v; v /= 10)
			digits[n++] = (char)('0' + v % 10);
		size_t at = strlen(self);
		while (n)
			self[at++] = digits[--n];
		self[at] = '\0';
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

/* ---- Guarded opens ---- */

/* Mounts that did not answer a guarded open: not waited for again while
 * the child left there sleeps, nor for PI_SLOW_MOUNT_HOLD_MS. Shared by
 * every pi_target_files (the live view's refreshes, the scans' targets),
 * and by the broker's thread. */
struct hung_mount {
	uint64_t id;			/* 0: known by device only */
	unsigned major, minor;
	pid_t child;			/* the opener left asleep, 0 once reaped */
	int64_t until_ms;
};

static pthread_mutex_t hung_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hung_mount hung[32];
static size_t nhung;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the mount is hung (reaping the children left that woke). */
static bool mount_hung(const struct pi_slow_mount *m)
{
	bool found = false;
	pthread_mutex_lock(&hung_lock);
	int64_t now = now_ms();
	for (size_t i = 0; i < nhung; i++) {
		struct hung_mount *h = &hung[i];
		if (h->child > 0 && waitpid(h->child, NULL, WNOHANG) != 0)
			h->child = 0;
		if (!h->child && now >= h->until_ms) {
			hung[i--] = hung[--nhung];
			continue;
		}
		if (h->major == m->major && h->minor == m->minor && (!h->id || !m->id || h->id == m->id)) {
			found = true;
		}
	}
	pthread_mutex_unlock(&hung_lock);
	return found;
}

static void mark_hung(const struct pi_slow_mount *m, pid_t child)
{
	pthread_mutex_lock(&hung_lock);
	if (nhung == sizeof hung / sizeof hung[0]) {
		/* Full: the oldest's child is left to the sandbox's reaper. */
		if (hung[0].child > 0)
			pi_sandbox_leave(hung[0].child);
		hung[0] = hung[--nhung];
	}
	struct hung_mount *h = &hung[nhung++];
	*h = (struct hung_mount){ m->id, m->major, m->minor, child, now_ms() + PI_SLOW_MOUNT_HOLD_MS };
	pthread_mutex_unlock(&hung_lock);
}

struct guarded_answer {
	int32_t status;
	int32_t pad;
	struct stat st;
};

enum guarded_kind { GUARD_PATH, GUARD_MAPPING };

struct guarded_op {
	enum guarded_kind kind;
	pid_t pid;
	int rootfd;
	const char *path;
	uint64_t start, end;
};

/* In the forked child: system calls only (the parent may have threads). */
static void guarded_child(const struct guarded_op *op, int sock)
{
	struct guarded_answer a;
	memset(&a, 0, sizeof a);
	int fd = op->kind == GUARD_PATH ? pi_target_open(op->rootfd, op->path, &a.st)
					: pi_target_open_mapping(op->pid, op->start, op->end, &a.st);
	a.status = fd < 0 ? fd : 0;
	pi_fd_send(sock, &a, sizeof a, fd, 0);
	_exit(0);
}

/* Runs op in a forked child, waiting at most wait_ms for its answer.
 * Returns the descriptor, -errno, or -ETIMEDOUT with *left set to the
 * child left asleep (SIGKILLed, not reaped). */
static int guarded_open(const struct guarded_op *op, int wait_ms, struct stat *st, pid_t *left)
{
	int sv[2];
	*left = 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent)
			_exit(0);
		close(sv[0]);
		guarded_child(op, sv[1]);
	}
	close(sv[1]);
	/* The tracer waits for any child (trace/tracer.c): ours may be
	 * reaped by it, and its PID reused; a pidfd names only it.
	 * (Valgrind 3.19 knows no pidfd_open, and warns: there, the PID.) */
	int pidfd = pi_sandbox_under_valgrind() ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
	int64_t deadline = now_ms() + wait_ms;
	int res = -ETIMEDOUT;
	for (;;) {
		int64_t rest = deadline - now_ms();
		struct pollfd p = { sv[0], POLLIN, 0 };
		int r = poll(&p, 1, rest > 0 ? (int)rest : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		struct guarded_answer a;
		int fd = -1;
		ssize_t n = pi_fd_recv(sv[0], &a, sizeof a, MSG_DONTWAIT, &fd);
		if (n == (ssize_t)sizeof a && a.status == 0 && fd >= 0) {
			if (st)
				*st = a.st;
			res = fd;
		} else {
			if (fd >= 0)
				close(fd);
			res = n == (ssize_t)sizeof a && a.status < 0 && a.status >= -4095 ? a.status
											 : -EIO;
		}
		break;
	}
	close(sv[0]);
	if (res == -ETIMEDOUT) {
		if (pidfd >= 0)
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		else if (pid > 0)	/* never kill(0) or kill(-1) */
			kill(pid, SIGKILL);
		*left = pid;
	} else if (waitpid(pid, NULL, WNOHANG) == 0) {
		/* Answered, and now closing the file on its way out: a close
		 * on FUSE asks the server too (FLUSH). Not waited for. */
		pi_sandbox_leave(pid);
	}
	if (pidfd >= 0)
		close(pidfd);
	return res;
}

void pi_target_files_init(struct pi_target_files *tf, pid_t pid, int rootfd)
{
	memset(tf, 0, sizeof *tf);
	tf->pid = pid;
	tf->rootfd = rootfd;
	tf->mounts_err = 1;
	tf->wait_ms = PI_SLOW_OPEN_MS;
}

void pi_target_files_free(struct pi_target_files *tf)
{
	pi_mounts_free(&tf->mounts);
	pi_buf_free(&tf->unread);
	memset(tf, 0, sizeof *tf);
}

static void load_mounts(struct pi_target_files *tf)
{
	if (tf->mounts_err != 1)
		return;
	int procfd = pi_proc_open(tf->pid);
	tf->mounts_err = procfd < 0 ? procfd : pi_mounts_read(procfd, &tf->mounts);
	if (procfd >= 0)
		close(procfd);
}

bool pi_target_files_may_block(struct pi_target_files *tf, const struct stat *st)
{
	load_mounts(tf);
	return tf->mounts_err || pi_mounts_slow_dev(&tf->mounts, major(st->st_dev), minor(st->st_dev));
}

void pi_target_files_note_unread(struct pi_target_files *tf, const char *path)
{
	enum { SHOWN = 4 };
	struct pi_buf one = PI_BUF_INIT;
	pi_escape_text_max(&one, path, strlen(path), 512);
	pi_buf_puts(&one, " (");
	bool again = tf->unread.len && strstr(tf->unread.data, one.data);
	pi_buf_free(&one);
	if (again || tf->nunread++ >= SHOWN)
		return;
	if (tf->unread.len)
		pi_buf_puts(&tf->unread, "; ");
	pi_escape_text_max(&tf->unread, path, strlen(path), 512);
	pi_buf_printf(&tf->unread, " (on a %s mount that did not answer within %g s)",
		      tf->last_type[0] ? tf->last_type : "FUSE or network", tf->wait_ms / 1000.0);
}

int pi_target_files_open_mapping(struct pi_target_files *tf, uint64_t start, uint64_t end,
				 unsigned major, unsigned minor, struct stat *st)
{
	load_mounts(tf);
	const struct pi_slow_mount *m = tf->mounts_err ? NULL
						       : pi_mounts_slow_dev(&tf->mounts, major, minor);
	if (!tf->mounts_err && !m)
		return pi_target_open_mapping(tf->pid, start, end, st);
	struct pi_slow_mount unknown = { 0, major, minor, "unknown" };
	if (!m)
		m = &unknown;
	snprintf(tf->last_type, sizeof tf->last_type, "%s", m->type);
	if (mount_hung(m))
		return -ETIMEDOUT;
	struct guarded_op op = { GUARD_MAPPING, tf->pid, -1, NULL, start, end };
	pid_t left;
	int fd = guarded_open(&op, tf->wait_ms, st, &left);
	if (fd == -ETIMEDOUT)
		mark_hung(m, left);
	return fd;
}

int pi_target_files_open(struct pi_target_files *tf, const char *path, struct stat *st)
{
	if (tf->rootfd < 0)
		return -EBADF;
	load_mounts(tf);
	if (!tf->mounts_err && tf->mounts.nslow == 0)
		return pi_target_open(tf->rootfd, path, st);
	if (!path || path[0] != '/')
		return -EINVAL;
	/* Resolved from the kernel's caches alone (RESOLVE_CACHED: no file
	 * system is asked), a path on a local mount is opened here. */
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_CACHED,
	};
	int fd = (int)syscall(SYS_openat2, tf->rootfd, path, &how, sizeof how);
	const struct pi_slow_mount *m = NULL;
	if (fd >= 0) {
		struct statx sx;
		if (!tf->mounts_err
		    && statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx) == 0
		    && (sx.stx_mask & STATX_MNT_ID)) {
			m = pi_mounts_slow_id(&tf->mounts, sx.stx_mnt_id);
			if (!m)
				return reopen_regular(fd, st);
		}
		close(fd);
	} else if (errno != EAGAIN && errno != ENOSYS && errno != EINVAL && errno != EPERM) {
		return -errno;	/* ENOENT, say, from the caches */
	}
	snprintf(tf->last_type, sizeof tf->last_type, "%s", m ? m->type : "");
	if (m && mount_hung(m))
		return -ETIMEDOUT;
	if (!m && tf->paths_hung)
		return -ETIMEDOUT;
	struct guarded_op op = { GUARD_PATH, tf->pid, tf->rootfd, path, 0, 0 };
	pid_t left;
	fd = guarded_open(&op, tf->wait_ms, st, &left);
	if (fd == -ETIMEDOUT) {
		if (m) {
			mark_hung(m, left);
		} else {
			/* Which mount did not answer is not known: no path of
			 * this target's is waited for again. */
			tf->paths_hung = true;
			pi_sandbox_leave(left);
		}
	}
	return fd;
}
