#include "proc/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* read(2), again when a signal interrupts it: n bytes or fewer, 0 at end
 * of file, or -errno. */
static ssize_t read_retrying(int fd, void *into, size_t n)
{
	for (;;) {
		ssize_t got = read(fd, into, n);
		if (got >= 0 || errno != EINTR)
			return got >= 0 ? got : -errno;
	}
}

int pi_proc_open(pid_t pid)
{
	char path[32];
	snprintf(path, sizeof path, "/proc/%d", (int)pid);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int pi_proc_open_root(void)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int pi_proc_open_dir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int pi_read_at(int dirfd, const char *name, struct pi_buf *out)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int err = 0;

	pi_buf_reset(out);
	if (fd < 0)
		return -errno;
	for (;;) {
		/* /proc files report size 0; read until EOF, a page or more at
		 * a time (seq_file fills whole buffers). */
		pi_buf_reserve(out, out->cap - out->len < 4096 ? 16384 : 0);
		ssize_t n = read_retrying(fd, out->data + out->len, out->cap - out->len - 1);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	close(fd);
	return err;
}

int pi_read_prefix_at(int dirfd, const char *name, size_t keep, size_t count_max,
		      struct pi_buf *out, size_t *total)
{
	char scratch[16384];
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int err = 0;

	pi_buf_reset(out);
	pi_buf_reserve(out, keep + 1);
	*total = 0;
	if (fd < 0)
		return -errno;
	while (*total < count_max) {
		/* What is kept goes straight into out; the rest only counts. */
		bool keeping = out->len < keep;
		size_t want = keeping ? keep - out->len : sizeof scratch;
		if (want > count_max - *total)
			want = count_max - *total;
		ssize_t n = read_retrying(fd, keeping ? out->data + out->len : scratch, want);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		if (keeping)
			out->len += (size_t)n;
		*total += (size_t)n;
	}
	out->data[out->len] = '\0';
	close(fd);
	return err;
}

int pi_read_lines_at(int dirfd, const char *name, struct pi_buf *buf,
		     void (*fn)(void *arg, const char *text, size_t len), void *arg)
{
	enum { CHUNK = 16 * 1024 };
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int err = 0;

	pi_buf_reset(buf);
	if (fd < 0)
		return -errno;
	for (;;) {
		pi_buf_reserve(buf, CHUNK);
		ssize_t n = read_retrying(fd, buf->data + buf->len, CHUNK);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		buf->len += (size_t)n;
		/* Hand over the whole lines; keep the partial last one. */
		char *end = memrchr(buf->data, '\n', buf->len);
		if (end) {
			size_t whole = (size_t)(end - buf->data) + 1;
			fn(arg, buf->data, whole);
			memmove(buf->data, buf->data + whole, buf->len - whole);
			buf->len -= whole;
		}
	}
	if (!err && buf->len)
		fn(arg, buf->data, buf->len);
	pi_buf_reset(buf);
	close(fd);
	return err;
}

int pi_readlink_at(int dirfd, const char *name, struct pi_buf *out)
{
	pi_buf_reset(out);
	pi_buf_reserve(out, 256);
	for (;;) {
		ssize_t n = readlinkat(dirfd, name, out->data, out->cap - 1);
		if (n < 0)
			return -errno;
		if ((size_t)n < out->cap - 1) {
			out->len = (size_t)n;
			out->data[n] = '\0';
			return 0;
		}
		pi_buf_reserve(out, out->cap * 2);
	}
}
