#include "proc/filelocks.h"

#include <string.h>

#include "proc/scan.h"

static const struct {
	const char *word;	/* as /proc/locks prints it */
	enum pi_flock_kind kind;
	const char *name;	/* as pinspect says it */
} kinds[] = {
	{ "POSIX", PI_FLOCK_POSIX, "POSIX" },
	{ "FLOCK", PI_FLOCK_FLOCK, "FLOCK" },
	{ "OFDLCK", PI_FLOCK_OFD, "OFD" },
	{ "LEASE", PI_FLOCK_LEASE, "LEASE" },
	{ "DELEG", PI_FLOCK_DELEG, "DELEG" },
	{ "ACCESS", PI_FLOCK_ACCESS, "ACCESS" },
};

const char *pi_flock_kind_name(enum pi_flock_kind kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "unknown";
}

/* "fe:00:10952727" (hex device, decimal inode) or "<none>:0". */
static bool parse_file(struct pi_scan *s, struct pi_file_lock *l)
{
	struct pi_scan tok, t;
	uint64_t major, minor, ino;

	if (!pi_scan_token(s, &tok))
		return false;
	t = tok;
	if (pi_scan_prefix(&t, "<none>")) {
		l->have_file = false;
		return true;
	}
	if (!pi_scan_hex(&t, &major) || !pi_scan_char(&t, ':') || !pi_scan_hex(&t, &minor)
	    || !pi_scan_char(&t, ':') || !pi_scan_u64(&t, &ino) || !pi_scan_done(&t)
	    || major > 0xfff || minor > 0xfffff)
		return false;
	l->have_file = true;
	l->major = (unsigned)major;
	l->minor = (unsigned)minor;
	l->inode = ino;
	return true;
}

static bool parse_line(struct pi_scan s, struct pi_file_lock *l)
{
	struct pi_scan tok;
	int64_t pid;
	uint64_t v;

	memset(l, 0, sizeof *l);
	if (!pi_scan_u64(&s, &l->id) || !pi_scan_char(&s, ':'))
		return false;
	/* "ID: " then, for a waiter, the arrow: the kernel indents it one
	 * space more per level of waiting ("-> " waits for the holder, " -> "
	 * behind that waiter); older kernels print every waiter at level 1. */
	pi_scan_char(&s, ' ');
	unsigned indent = 0;
	while (pi_scan_char(&s, ' '))
		indent++;
	if (pi_scan_prefix(&s, "->"))
		l->wait_depth = indent + 1;
	if (!pi_scan_token(&s, &tok))
		return false;
	l->kind = PI_FLOCK_UNKNOWN;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (pi_scan_equals(&tok, kinds[i].word))
			l->kind = kinds[i].kind;
	/* ADVISORY, MANDATORY, ACTIVE, BREAKING, BREAKER, UNKNOWN: not needed. */
	if (!pi_scan_token(&s, &tok) || !pi_scan_token(&s, &tok))
		return false;
	if (pi_scan_equals(&tok, "WRITE"))
		l->access = PI_FLOCK_ACCESS_WRITE;
	else if (pi_scan_equals(&tok, "READ"))
		l->access = PI_FLOCK_ACCESS_READ;
	else if (pi_scan_equals(&tok, "UNLCK"))
		l->access = PI_FLOCK_ACCESS_NONE;
	else
		return false;
	if (!pi_scan_i64(&s, &pid) || pid < -1 || pid > INT32_MAX)
		return false;
	l->pid = (pid_t)pid;
	if (!parse_file(&s, l))
		return false;
	if (!pi_scan_u64(&s, &l->start))
		return false;
	pi_scan_blank(&s);
	if (pi_scan_prefix(&s, "EOF"))
		l->end = UINT64_MAX;
	else if (pi_scan_u64(&s, &v))
		l->end = v;
	else
		return false;
	pi_scan_rtrim(&s);
	pi_scan_blank(&s);
	return pi_scan_done(&s);
}

size_t pi_file_locks_parse(const char *text, size_t len, size_t max_locks,
			   void (*fn)(void *arg, const struct pi_file_lock *lock), void *arg,
			   size_t *skipped, bool *truncated)
{
	struct pi_scan s = pi_scan_of(text, len), line;
	size_t n = 0;

	*skipped = 0;
	*truncated = false;
	while (pi_scan_line(&s, &line)) {
		struct pi_file_lock l;
		if (pi_scan_done(&line))
			continue;
		if (n == max_locks) {
			*truncated = true;
			break;
		}
		if (!parse_line(line, &l)) {
			(*skipped)++;
			continue;
		}
		fn(arg, &l);
		n++;
	}
	return n;
}
