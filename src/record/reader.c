#include "record/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "exitcodes.h"
#include "util/xalloc.h"

/* One member decompressed. */
struct member {
	uint8_t *data;
	size_t len, cap;
};

enum inflate_result { MEMBER_OK, MEMBER_CUT, MEMBER_BAD, MEMBER_TOO_BIG, MEMBER_IO };

/* Decompresses the gzip member at off, into mb; *consumed: its size in
 * the file. At most limit bytes of it are taken (MEMBER_TOO_BIG past
 * them: a member may claim to inflate to anything). */
static enum inflate_result inflate_member(int fd, off_t off, struct member *mb, size_t limit,
					  off_t *consumed)
{
	enum { IN = 64 * 1024 };
	static __thread uint8_t in[IN];
	z_stream z;
	off_t pos = off;
	enum inflate_result res = MEMBER_BAD;

	memset(&z, 0, sizeof z);
	mb->len = 0;
	if (inflateInit2(&z, 16 + 15) != Z_OK)
		return MEMBER_IO;
	for (;;) {
		if (z.avail_in == 0) {
			ssize_t n = pread(fd, in, IN, pos);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				res = MEMBER_IO;
				break;
			}
			if (n == 0) {
				res = MEMBER_CUT;
				break;
			}
			pos += n;
			z.next_in = in;
			z.avail_in = (uInt)n;
		}
		if (mb->cap - mb->len < 64 * 1024) {
			if (mb->len >= limit) {
				res = MEMBER_TOO_BIG;
				break;
			}
			size_t cap = mb->cap ? mb->cap * 2 : 256 * 1024;
			if (cap > limit + 64 * 1024)
				cap = limit + 64 * 1024;
			mb->data = pi_xrealloc(mb->data, cap);
			mb->cap = cap;
		}
		z.next_out = mb->data + mb->len;
		z.avail_out = (uInt)(mb->cap - mb->len);
		int ret = inflate(&z, Z_NO_FLUSH);
		mb->len = mb->cap - z.avail_out;
		if (ret == Z_STREAM_END) {
			*consumed = pos - (off_t)z.avail_in - off;
			res = mb->len > limit ? MEMBER_TOO_BIG : MEMBER_OK;
			break;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			res = MEMBER_BAD;
			break;
		}
	}
	inflateEnd(&z);
	return res;
}

/* The next gzip member's start after off (its magic and method), or -1. */
static off_t next_magic(int fd, off_t off)
{
	uint8_t buf[64 * 1024];
	for (off_t pos = off;;) {
		ssize_t n = pread(fd, buf, sizeof buf, pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 3)
			return -1;
		for (ssize_t i = 0; i + 2 < n; i++)
			if (buf[i] == 0x1f && buf[i + 1] == 0x8b && buf[i + 2] == 8)
				return pos + i;
		pos += n - 2;
	}
}

static int failed(char *why, size_t size, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int failed(char *why, size_t size, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return status;
}

/* One chunk: a header kept, a refresh checked whole and indexed. */
static int take_chunk(struct pi_replay *r, const struct member *mb, off_t off, char *why,
		      size_t why_size)
{
	int kind;
	unsigned version;
	char reason[256];

	if (pi_record_chunk_kind(mb->data, mb->len, &kind, &version, reason, sizeof reason))
		return failed(why, why_size, PI_EXIT_BADFILE, "%s%s",
			      r->nheaders ? "a chunk is not pinspect's: " : "", reason);
	if (kind == PI_RECORD_HEADER) {
		pi_xgrow(&r->headers, &r->headers_cap, r->nheaders + 1, sizeof *r->headers);
		if (pi_record_decode_header(mb->data, mb->len, &r->headers[r->nheaders], reason,
					    sizeof reason))
			return failed(why, why_size, PI_EXIT_BADFILE, "header %zu is malformed: %s",
				      r->nheaders + 1, reason);
		r->nheaders++;
		return 0;
	}
	if (!r->nheaders)
		return failed(why, why_size, PI_EXIT_BADFILE,
			      "not a pinspect recording (it does not begin with a header)");
	struct pi_table t;
	int err = pi_record_decode_frame(mb->data, mb->len, &t, NULL, reason, sizeof reason);
	double when = t.realtime_seconds;
	pi_table_done(&t);
	if (err)
		return failed(why, why_size, PI_EXIT_BADFILE, "refresh %zu is malformed: %s",
			      r->nframes + 1, reason);
	pi_xgrow(&r->frames, &r->frames_cap, r->nframes + 1, sizeof *r->frames);
	r->frames[r->nframes++] = (struct pi_replay_frame){ off, when, r->nheaders - 1 };
	return 0;
}

int pi_replay_open_fd(struct pi_replay *r, int fd, char *why, size_t why_size)
{
	struct member mb = { 0 };
	int status = 0;

	memset(r, 0, sizeof *r);
	r->fd = fd;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return failed(why, why_size, PI_EXIT_BADFILE, "not a regular file");
	off_t off = 0;
	while (off < st.st_size && !status) {
		off_t used = 0;
		enum inflate_result res = inflate_member(fd, off, &mb, PI_RECORD_CHUNK_MAX, &used);
		if (res == MEMBER_IO) {
			status = failed(why, why_size, PI_EXIT_FAILURE, "cannot read it: %s",
					strerror(errno));
			break;
		}
		if (res == MEMBER_TOO_BIG && off == 0) {
			status = failed(why, why_size, PI_EXIT_BADFILE,
					"not a pinspect recording (its first member is huge)");
			break;
		}
		if (res == MEMBER_OK) {
			status = take_chunk(r, &mb, off, why, why_size);
			off += used;
			continue;
		}
		/* Not a whole member. The first one: not a recording (or
		 * one cut in its header). Later: a refresh lost, and the
		 * next member, if any, is where to go on. */
		if (off == 0 && !r->nheaders) {
			status = failed(why, why_size, PI_EXIT_BADFILE, "%s",
					res == MEMBER_CUT && mb.len >= 4
					&& memcmp(mb.data, PI_RECORD_MAGIC, 4) == 0
					? "it ends inside its first header: it holds no refresh"
					: "not a pinspect recording (not gzip-compressed chunks)");
			break;
		}
		off_t next = next_magic(fd, off + 1);
		r->damaged++;
		if (next < 0) {
			r->cut = true;
			break;
		}
		off = next;
	}
	free(mb.data);
	if (!status && !r->nframes)
		status = failed(why, why_size, PI_EXIT_BADFILE, "it holds no complete refresh");
	return status;
}

int pi_replay_open(struct pi_replay *r, const char *path, char *why, size_t why_size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		memset(r, 0, sizeof *r);
		r->fd = -1;
		return failed(why, why_size, errno == ENOENT ? PI_EXIT_BADFILE : PI_EXIT_FAILURE,
			      "cannot open it: %s", strerror(errno));
	}
	return pi_replay_open_fd(r, fd, why, why_size);
}

void pi_replay_close(struct pi_replay *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->headers);
	free(r->frames);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

int pi_replay_load(struct pi_replay *r, size_t i, struct pi_table *t, struct pi_meters *m,
		   char *why, size_t why_size)
{
	struct member mb = { 0 };
	off_t used;
	memset(t, 0, sizeof *t);
	if (i >= r->nframes) {
		snprintf(why, why_size, "no refresh %zu", i + 1);
		return -1;
	}
	enum inflate_result res = inflate_member(r->fd, r->frames[i].offset, &mb, PI_RECORD_CHUNK_MAX,
						 &used);
	int err = -1;
	if (res != MEMBER_OK)
		snprintf(why, why_size, "refresh %zu cannot be read again (the file changed?)", i + 1);
	else
		err = pi_record_decode_frame(mb.data, mb.len, t, m, why, why_size);
	free(mb.data);
	return err;
}

int pi_replay_probe(int fd, char *why, size_t why_size)
{
	struct member mb = { 0 };
	off_t used;
	int kind;
	unsigned version;
	enum inflate_result res = inflate_member(fd, 0, &mb, 64 * 1024, &used);
	int err = 0;
	if (res != MEMBER_OK)
		err = failed(why, why_size, -1, "not gzip-compressed chunks");
	else if (pi_record_chunk_kind(mb.data, mb.len, &kind, &version, why, why_size))
		err = -1;
	else if (kind != PI_RECORD_HEADER)
		err = failed(why, why_size, -1, "it does not begin with a header");
	free(mb.data);
	return err;
}

size_t pi_replay_at_or_after(const struct pi_replay *r, double time)
{
	for (size_t i = 0; i < r->nframes; i++)
		if (r->frames[i].realtime >= time)
			return i;
	return r->nframes ? r->nframes - 1 : 0;
}

size_t pi_replay_at_or_before(const struct pi_replay *r, double time)
{
	for (size_t i = r->nframes; i-- > 0;)
		if (r->frames[i].realtime <= time)
			return i;
	return 0;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool pi_replay_parse_time(const char *text, double ref, double *out)
{
	struct tm tm;
	int y, mo, d, h, mi, s = 0;
	char extra;

	if (text[0] == '@') {
		char *end;
		errno = 0;
		double v = strtod(text + 1, &end);
		if (end == text + 1 || *end || errno || !(v >= 0 && v <= 1e11))
			return false;
		*out = v;
		return true;
	}
	time_t r = (time_t)(isfinite(ref) && ref > 0 && ref < 1e11 ? ref : 0);
	if (!localtime_r(&r, &tm))
		return false;
	size_t len = strlen(text);
	if (len == 12 && digits(text, 12)) {
		/* atop's YYYYMMDDhhmm */
		if (sscanf(text, "%4d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi) != 5)
			return false;
	} else if (sscanf(text, "%d-%d-%d %d:%d:%d%c", &y, &mo, &d, &h, &mi, &s, &extra) == 6
		   || sscanf(text, "%d-%d-%d %d:%d%c", &y, &mo, &d, &h, &mi, &extra) == 5) {
	} else if (sscanf(text, "%d:%d:%d%c", &h, &mi, &s, &extra) == 3
		   || sscanf(text, "%d:%d%c", &h, &mi, &extra) == 2) {
		y = tm.tm_year + 1900;
		mo = tm.tm_mon + 1;
		d = tm.tm_mday;
	} else {
		return false;
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23
	    || mi < 0 || mi > 59 || s < 0 || s > 60)
		return false;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return false;
	*out = (double)t;
	return true;
}
