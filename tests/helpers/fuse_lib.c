/* pi-fuse-lib — a file system of its own over /dev/fuse (no libfuse),
 * serving one file, and a program that uses it: what a target on a FUSE
 * mount looks like, and what it does to an inspector when the server
 * stops answering.
 *
 *   pi-fuse-lib MOUNTPOINT FILE NAME PROGRAM ARGS...
 *
 * In a mount namespace of its own (so the mount goes away with the last
 * process in it, whatever happens to the test), mounts a FUSE file system
 * on MOUNTPOINT whose root holds one read-only file NAME with FILE's
 * bytes, then forks PROGRAM ARGS... with every argument "@" replaced by
 * MOUNTPOINT/NAME, and serves the requests. The first output line is the
 * program's PID; the program's own output follows (its "ready").
 *
 * Nothing is cached by the kernel (entries and attributes time out at
 * once): every lookup and stat of the file is a request to this server.
 * Stopped (SIGSTOP), the server leaves requests queued: a task waiting
 * for one can still be killed. After SIGUSR1 it reads every request and
 * answers none, as a server that hangs inside its handler does: a task
 * waiting for an answer then sleeps in D and SIGKILL does not end it,
 * until this server's /dev/fuse is closed (it exits or is killed).
 *
 * Handles INIT, LOOKUP, GETATTR, OPEN, READ, RELEASE, FLUSH, STATFS and
 * FORGET; anything else is answered ENOSYS. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"

enum { ROOT_ID = FUSE_ROOT_ID, FILE_ID = 2, BUF_SIZE = (1 << 20) + 4096 };

static volatile sig_atomic_t mute;
static int dev = -1;
static char *content;
static size_t content_len;
static const char *file_name;

static void on_usr1(int sig)
{
	(void)sig;
	mute = 1;
}

static void reply(uint64_t unique, int error, const void *data, size_t len)
{
	struct fuse_out_header h = { (uint32_t)(sizeof h + len), -error, unique };
	struct iovec iov[2] = { { &h, sizeof h }, { (void *)data, len } };
	/* ENOENT: the request was interrupted and is gone; nothing to do. */
	if (writev(dev, iov, len ? 2 : 1) < 0 && errno != ENOENT)
		perror("pi-fuse-lib: writev");
}

static void fill_attr(struct fuse_attr *a, uint64_t id)
{
	memset(a, 0, sizeof *a);
	a->ino = id;
	a->nlink = 1;
	a->blksize = 4096;
	if (id == ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0755;
		a->size = content_len;
		a->blocks = (content_len + 511) / 512;
	}
}

static void serve(const struct fuse_in_header *in, const char *arg)
{
	switch (in->opcode) {
	case FUSE_INIT: {
		const struct fuse_init_in *init = (const void *)arg;
		struct fuse_init_out out = { 0 };
		out.major = FUSE_KERNEL_VERSION;
		out.minor = FUSE_KERNEL_MINOR_VERSION;
		out.max_readahead = init->max_readahead;
		out.max_write = 4096;
		out.max_background = 16;
		out.congestion_threshold = 12;
		out.time_gran = 1;
		reply(in->unique, 0, &out, sizeof out);
		break;
	}
	case FUSE_LOOKUP: {
		if (in->nodeid != ROOT_ID || strcmp(arg, file_name) != 0) {
			reply(in->unique, ENOENT, NULL, 0);
			break;
		}
		struct fuse_entry_out out = { 0 };
		out.nodeid = FILE_ID;
		out.generation = 1;
		fill_attr(&out.attr, FILE_ID);
		reply(in->unique, 0, &out, sizeof out);
		break;
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out out = { 0 };
		fill_attr(&out.attr, in->nodeid);
		reply(in->unique, 0, &out, sizeof out);
		break;
	}
	case FUSE_OPEN: {
		struct fuse_open_out out = { 0 };
		/* The program's mapped pages stay cached across opens. */
		out.open_flags = FOPEN_KEEP_CACHE;
		reply(in->unique, in->nodeid == FILE_ID ? 0 : EISDIR, &out, sizeof out);
		break;
	}
	case FUSE_READ: {
		const struct fuse_read_in *r = (const void *)arg;
		size_t off = r->offset < content_len ? (size_t)r->offset : content_len;
		size_t n = content_len - off < r->size ? content_len - off : r->size;
		reply(in->unique, 0, content + off, n);
		break;
	}
	case FUSE_STATFS: {
		struct fuse_statfs_out out = { 0 };
		out.st.bsize = 4096;
		out.st.namelen = 255;
		reply(in->unique, 0, &out, sizeof out);
		break;
	}
	case FUSE_RELEASE:
	case FUSE_FLUSH:
		reply(in->unique, 0, NULL, 0);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		break;	/* no answer is expected */
	default:
		reply(in->unique, ENOSYS, NULL, 0);
		break;
	}
}

static void read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		helper_die(path);
	content = malloc(64 << 20);
	if (!content)
		helper_die("malloc");
	content_len = fread(content, 1, 64 << 20, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s MOUNTPOINT FILE NAME PROGRAM ARGS...\n", argv[0]);
		return 2;
	}
	const char *mnt = argv[1];
	file_name = argv[3];
	read_file(argv[2]);
	char *served;
	if (asprintf(&served, "%s/%s", mnt, file_name) < 0)
		helper_die("asprintf");

	if (unshare(CLONE_NEWNS) != 0)
		helper_die("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		helper_die("mount --make-rprivate /");
	dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		helper_die("/dev/fuse");
	char opts[128];
	snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", dev);
	if (mount("pi-fuse-lib", mnt, "fuse.pi-fuse-lib", MS_NOSUID | MS_NODEV, opts) != 0)
		helper_die("mount fuse");

	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);

	pid_t parent = getpid();
	pid_t child = fork();
	if (child < 0)
		helper_die("fork");
	if (child == 0) {
		helper_die_with_parent(parent);
		char **args = &argv[4];
		for (int i = 0; args[i]; i++)
			if (strcmp(args[i], "@") == 0)
				args[i] = served;
		execv(args[0], args);
		helper_die(args[0]);
	}
	printf("%d\n", (int)child);
	fflush(stdout);

	static char buf[BUF_SIZE];
	for (;;) {
		ssize_t n = read(dev, buf, sizeof buf);
		if (n < 0 && (errno == EINTR || errno == ENOENT || errno == EAGAIN))
			continue;
		if (n < 0) {
			if (errno != ENODEV)	/* unmounted */
				perror("pi-fuse-lib: read");
			break;
		}
		if ((size_t)n < sizeof(struct fuse_in_header))
			continue;
		if (mute)
			continue;	/* read, never answered */
		const struct fuse_in_header *in = (const void *)buf;
		buf[n < (ssize_t)sizeof buf ? n : n - 1] = '\0';	/* names end here */
		serve(in, buf + sizeof *in);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
