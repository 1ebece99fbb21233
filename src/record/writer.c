#include "record/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "exitcodes.h"
#include "proc/system.h"
#include "record/codec.h"
#include "record/reader.h"
#include "util/escape.h"

void pi_record_gzip(const void *data, size_t len, struct pi_buf *out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	pi_buf_reset(out);
	/* 16 + 15: a gzip wrapper (zcat reads the file), the largest window. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	uLong bound = deflateBound(&z, (uLong)len);
	pi_buf_reserve(out, (size_t)bound + 1);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)bound;
	int r = deflate(&z, Z_FINISH);
	out->len = r == Z_STREAM_END ? (size_t)z.total_out : 0;
	out->data[out->len] = '\0';
	deflateEnd(&z);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_chunk(struct pi_record_writer *w, const struct pi_buf *chunk)
{
	struct pi_buf z = PI_BUF_INIT;
	pi_record_gzip(chunk->data, chunk->len, &z);
	int err = z.len ? write_all(w->fd, z.data, z.len) : -ENOMEM;
	w->last_bytes = z.len;
	w->last_raw = chunk->len;
	pi_buf_free(&z);
	return err;
}

static void copy(char *out, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void fill_header(struct pi_record_header *h, pid_t top_pid, bool threads)
{
	struct utsname u;
	struct pi_buf b = PI_BUF_INIT;
	struct timespec ts;

	memset(h, 0, sizeof *h);
	h->version = PI_RECORD_VERSION;
	if (uname(&u) == 0) {
		copy(h->host, sizeof h->host, u.nodename, strlen(u.nodename));
		snprintf(h->kernel, sizeof h->kernel, "%s %s", u.release, u.version);
	}
	if (pi_proc_read_self("sys/kernel/random/boot_id", &b) == 0 && b.data)
		copy(h->boot_id, sizeof h->boot_id, b.data, strcspn(b.data, "\n"));
	pi_buf_free(&b);
	copy(h->pinspect, sizeof h->pinspect, PACKAGE_VERSION, strlen(PACKAGE_VERSION));
	long page = sysconf(_SC_PAGESIZE), hz = sysconf(_SC_CLK_TCK);
	h->page_size = page > 0 ? (uint32_t)page : 4096;
	h->hz = hz > 0 ? (uint32_t)hz : 100;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->started = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	h->top_pid = top_pid;
	h->threads = threads;
}

static void say_path(const char *path, const char *what, const char *detail)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_escape_text(&b, path, strlen(path));
	fprintf(stderr, "pinspect: --record %s: %s%s%s\n", b.data ? b.data : "", what,
		detail ? ": " : "", detail ? detail : "");
	pi_buf_free(&b);
}

int pi_record_open(struct pi_record_writer *w, const char *path, pid_t top_pid, bool threads)
{
	memset(w, 0, sizeof *w);
	/* O_NONBLOCK: a FIFO put in its place is refused, not waited on. */
	w->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		     0600);
	if (w->fd < 0) {
		say_path(path, "cannot open it", errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return PI_EXIT_FAILURE;
	}
	struct stat st;
	if (fstat(w->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		say_path(path, "not a regular file", NULL);
		pi_record_close(w);
		return PI_EXIT_FAILURE;
	}
	if (st.st_size > 0) {
		char why[256];
		if (pi_replay_probe(w->fd, why, sizeof why) != 0) {
			say_path(path, "it is there and is not a pinspect recording, so it is not "
				 "appended to", why);
			pi_record_close(w);
			return PI_EXIT_BADFILE;
		}
	}
	struct pi_record_header h;
	struct pi_buf chunk = PI_BUF_INIT;
	fill_header(&h, top_pid, threads);
	pi_record_encode_header(&chunk, &h);
	int err = write_chunk(w, &chunk);
	pi_buf_free(&chunk);
	if (err) {
		say_path(path, "cannot write it", strerror(-err));
		pi_record_close(w);
		return PI_EXIT_FAILURE;
	}
	return 0;
}

int pi_record_write(struct pi_record_writer *w, struct pi_table *t, const struct pi_meters *m)
{
	struct pi_buf chunk = PI_BUF_INIT;
	pi_record_encode_frame(&chunk, t, m);
	int err = write_chunk(w, &chunk);
	pi_buf_free(&chunk);
	if (!err)
		w->refreshes++;
	return err;
}

void pi_record_close(struct pi_record_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
