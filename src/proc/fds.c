#include "proc/fds.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "proc/filelocks.h"
#include "proc/scan.h"

/* "[123]" → 123; the whole token must be that. */
static bool bracketed_number(struct pi_scan s, uint64_t *v)
{
	if (!pi_scan_char(&s, '[') || s.p >= s.end || *s.p < '0' || *s.p > '9'
	    || !pi_scan_u64(&s, v) || !pi_scan_char(&s, ']'))
		return false;
	return pi_scan_done(&s);
}

int pi_fd_link_parse(const char *text, size_t len, struct pi_fd_link *out)
{
	static const char deleted[] = " (deleted)";
	struct pi_scan s = pi_scan_of(text, len);

	memset(out, 0, sizeof *out);
	if (len == 0)
		return -EINVAL;
	if (text[0] == '/') {
		out->kind = PI_FD_PATH;
		out->deleted = len > sizeof deleted - 1
			&& memcmp(text + len - (sizeof deleted - 1), deleted, sizeof deleted - 1) == 0;
		return 0;
	}
	if (pi_scan_prefix(&s, "pipe:") && bracketed_number(s, &out->inode)) {
		out->kind = PI_FD_PIPE;
		return 0;
	}
	s = pi_scan_of(text, len);
	if (pi_scan_prefix(&s, "socket:") && bracketed_number(s, &out->inode)) {
		out->kind = PI_FD_SOCKET;
		return 0;
	}
	s = pi_scan_of(text, len);
	if (pi_scan_prefix(&s, "anon_inode:")) {
		/* "[eventpoll]" or, for some kinds, a bare name ("inotify"). */
		if (pi_scan_left(&s) >= 2 && *s.p == '[' && s.end[-1] == ']') {
			s.p++;
			s.end--;
		}
		out->kind = PI_FD_ANON;
		pi_scan_copy(&s, out->anon, sizeof out->anon);
		return 0;
	}
	out->kind = PI_FD_OTHER;
	return 0;
}

/* "tfd:        5 events:       19 data:   5  pos:0 ino:431e06 sdev:f" */
static void parse_watch(struct pi_scan line, struct pi_epoll_watch *w)
{
	uint64_t v;

	memset(w, 0, sizeof *w);
	w->fd = -1;
	if (pi_scan_u64(&line, &v) && v <= INT32_MAX)
		w->fd = (int)v;
	while (!pi_scan_done(&line)) {
		struct pi_scan tok;
		if (!pi_scan_token(&line, &tok))
			break;
		if (pi_scan_equals(&tok, "events:")) {
			if (pi_scan_hex(&line, &v))
				w->events = (uint32_t)v;
		} else if (pi_scan_prefix(&tok, "ino:")) {
			if (pi_scan_hex(&tok, &v))
				w->inode = v;
		}
	}
}

static void first_held(void *arg, const struct pi_file_lock *l)
{
	struct pi_fdinfo *out = arg;
	if (out->lock_held || l->wait_depth > 0 || !l->have_file)
		return;
	out->lock_held = true;
	out->lock_kind = (int)l->kind;
	out->lock_inode = l->inode;
}

static void keep_lock(struct pi_scan line, struct pi_fdinfo *out)
{
	size_t skipped;
	bool cut;
	pi_file_locks_parse(line.p, pi_scan_left(&line), 1, first_held, out, &skipped, &cut);
}

int pi_fdinfo_parse(const char *text, size_t len, struct pi_fdinfo *out,
		    struct pi_epoll_watch *watches, size_t watch_cap)
{
	struct pi_scan s = pi_scan_of(text, len), line;
	uint64_t v;

	memset(out, 0, sizeof *out);
	out->mnt_id = -1;
	while (pi_scan_line(&s, &line)) {
		if (pi_scan_prefix(&line, "pos:")) {
			if (pi_scan_u64(&line, &v))
				out->pos = v;
		} else if (pi_scan_prefix(&line, "flags:")) {
			/* Octal: scan digit by digit (pi_scan has no octal). */
			uint64_t f = 0;
			bool any = false;
			pi_scan_blank(&line);
			while (line.p < line.end && *line.p >= '0' && *line.p <= '7' && f <= 0xffffffffu >> 3) {
				f = f << 3 | (uint64_t)(*line.p++ - '0');
				any = true;
			}
			if (any) {
				out->flags = (uint32_t)f;
				out->have_flags = true;
			}
		} else if (pi_scan_prefix(&line, "mnt_id:")) {
			if (pi_scan_u64(&line, &v) && v <= INT64_MAX)
				out->mnt_id = (int64_t)v;
		} else if (pi_scan_prefix(&line, "ino:")) {
			if (pi_scan_u64(&line, &v))
				out->inode = v;
		} else if (pi_scan_prefix(&line, "lock:")) {
			/* "lock:\t1: FLOCK  ADVISORY  WRITE 8564 fe:00:10953423 0 EOF" */
			pi_scan_blank(&line);
			keep_lock(line, out);
		} else if (pi_scan_prefix(&line, "tfd:")) {
			if (out->nkept < watch_cap)
				parse_watch(line, &watches[out->nkept++]);
			out->nwatches++;
		}
	}
	return out->have_flags ? 0 : -EINVAL;
}

enum pi_fd_access pi_fd_access_of(uint32_t flags)
{
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		return PI_FD_WRITE;
	case O_RDWR:
		return PI_FD_READ_WRITE;
	default:
		return PI_FD_READ;
	}
}
