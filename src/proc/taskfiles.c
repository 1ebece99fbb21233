#include "proc/taskfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proc/reader.h"
#include "util/xalloc.h"

enum { MAX_THREADS_DEFAULT = 4096, MIN_SLOTS = 64 };

struct entry {
	pid_t tid;			/* 0: a free slot */
	bool used;			/* read since the last sweep */
	int fd[PI_TASK_NFILES];		/* -1: not open */
};

struct pi_task_files {
	int taskfd;
	size_t max_threads;
	struct entry *slots;		/* open addressing by TID, at most half full */
	size_t nslots, count;
	size_t held;			/* descriptors open */
};

static const char *const file_names[PI_TASK_NFILES] = {
	[PI_TASK_STAT] = "stat",
	[PI_TASK_SYSCALL] = "syscall",
	[PI_TASK_WCHAN] = "wchan",
	[PI_TASK_STACK] = "stack",
};

static size_t default_max_threads(void)
{
	struct rlimit rl;
	size_t max = MAX_THREADS_DEFAULT;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		/* A quarter of what the limit leaves, a thread holding up to
		 * PI_TASK_NFILES: the rest is the snapshot's and the
		 * sandbox's. */
		size_t fds = rl.rlim_cur > 256 ? (size_t)rl.rlim_cur - 256 : 0;
		if (fds / 4 / PI_TASK_NFILES < max)
			max = fds / 4 / PI_TASK_NFILES;
	}
	return max;
}

int pi_task_files_open(pid_t pid, size_t max_threads, struct pi_task_files **out)
{
	*out = NULL;
	int procfd = pi_proc_open(pid);
	if (procfd < 0)
		return procfd;
	int taskfd = pi_proc_open_dir(procfd, "task");
	close(procfd);
	if (taskfd < 0)
		return taskfd;
	struct pi_task_files *c = pi_xcalloc(1, sizeof *c);
	c->taskfd = taskfd;
	c->max_threads = max_threads ? max_threads : default_max_threads();
	c->nslots = MIN_SLOTS;
	c->slots = pi_xcalloc(c->nslots, sizeof *c->slots);
	*out = c;
	return 0;
}

static size_t slot_of(const struct pi_task_files *c, pid_t tid)
{
	return ((size_t)(unsigned)tid * 2654435761u) % c->nslots;
}

static struct entry *entry_for(struct pi_task_files *c, pid_t tid);

/* Moves the entries to a table of nslots (the read marks kept). */
static void rehash(struct pi_task_files *c, size_t nslots)
{
	struct entry *old = c->slots;
	size_t n = c->nslots;
	c->slots = pi_xcalloc(nslots, sizeof *c->slots);
	c->nslots = nslots;
	c->count = 0;
	for (size_t i = 0; i < n; i++) {
		if (!old[i].tid)
			continue;
		struct entry *to = entry_for(c, old[i].tid);
		*to = old[i];
	}
	free(old);
}

/* The entry of tid, made if there is room (NULL: none). */
static struct entry *entry_for(struct pi_task_files *c, pid_t tid)
{
	if (2 * (c->count + 1) > c->nslots)
		rehash(c, 2 * c->nslots);
	size_t i = slot_of(c, tid);
	for (size_t n = 0; n < c->nslots; n++, i = (i + 1) % c->nslots) {
		struct entry *e = &c->slots[i];
		if (e->tid == tid)
			return e;
		if (e->tid == 0) {
			if (c->count >= c->max_threads)
				return NULL;
			e->tid = tid;
			for (int f = 0; f < PI_TASK_NFILES; f++)
				e->fd[f] = -1;
			c->count++;
			return e;
		}
	}
	return NULL;
}

static int open_file(const struct pi_task_files *c, pid_t tid, enum pi_task_file f)
{
	char path[48];
	snprintf(path, sizeof path, "%d/%s", (int)tid, file_names[f]);
	int fd = openat(c->taskfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return fd >= 0 ? fd : -errno;
}

/* The whole file from offset 0: /proc's seq files format it anew. */
static int pread_whole(int fd, struct pi_buf *out)
{
	pi_buf_reset(out);
	for (;;) {
		pi_buf_reserve(out, out->cap - out->len < 4096 ? 16384 : 0);
		size_t room = out->cap - out->len - 1;
		ssize_t n = pread(fd, out->data + out->len, room, (off_t)out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			out->data[out->len] = '\0';
			return -errno;
		}
		out->len += (size_t)n;
		/* Short: the end (a seq file fills what it is given). */
		if (n == 0 || (size_t)n < room)
			break;
	}
	out->data[out->len] = '\0';
	return 0;
}

int pi_task_files_read(struct pi_task_files *c, pid_t tid, enum pi_task_file f, struct pi_buf *out)
{
	struct entry *e = entry_for(c, tid);
	if (!e) {
		/* Past the cap: opened and closed as usual. */
		int fd = open_file(c, tid, f);
		if (fd < 0)
			return fd;
		int err = pread_whole(fd, out);
		close(fd);
		return err;
	}
	e->used = true;
	if (e->fd[f] >= 0) {
		int err = pread_whole(e->fd[f], out);
		if (err == 0)
			return 0;
		/* Its thread exited: the TID may be another's now. */
		close(e->fd[f]);
		e->fd[f] = -1;
		c->held--;
	}
	int fd = open_file(c, tid, f);
	if (fd < 0) {
		pi_buf_reset(out);
		return fd;
	}
	int err = pread_whole(fd, out);
	if (err) {
		close(fd);
		return err;
	}
	e->fd[f] = fd;
	c->held++;
	return 0;
}

static void close_entry(struct pi_task_files *c, struct entry *e)
{
	for (int f = 0; f < PI_TASK_NFILES; f++)
		if (e->fd[f] >= 0) {
			close(e->fd[f]);
			c->held--;
		}
}

void pi_task_files_sweep(struct pi_task_files *c)
{
	if (!c)
		return;
	size_t used = 0;
	bool gone = false;
	for (size_t i = 0; i < c->nslots; i++) {
		struct entry *e = &c->slots[i];
		if (!e->tid)
			continue;
		if (e->used)
			used++;
		else
			gone = true;
	}
	/* Nothing gone: the marks are cleared in place (the usual tick). */
	if (!gone) {
		for (size_t i = 0; i < c->nslots; i++)
			c->slots[i].used = false;
		return;
	}
	/* Rebuilt from the entries read, in a table fit for them: removing
	 * from open addressing in place would need tombstones. */
	size_t nslots = MIN_SLOTS;
	while (nslots < 4 * used)
		nslots *= 2;
	struct entry *old = c->slots;
	size_t n = c->nslots;
	c->slots = pi_xcalloc(nslots, sizeof *c->slots);
	c->nslots = nslots;
	c->count = 0;
	for (size_t i = 0; i < n; i++) {
		struct entry *e = &old[i];
		if (!e->tid)
			continue;
		if (!e->used) {
			close_entry(c, e);
			continue;
		}
		struct entry *to = entry_for(c, e->tid);
		*to = *e;
		to->used = false;
	}
	free(old);
}

size_t pi_task_files_held(const struct pi_task_files *c)
{
	return c ? c->held : 0;
}

void pi_task_files_close(struct pi_task_files *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i].tid)
			close_entry(c, &c->slots[i]);
	free(c->slots);
	close(c->taskfd);
	free(c);
}
