#include "proc/stat.h"

#include <errno.h>
#include <string.h>

#include "proc/scan.h"

static const char *last_paren(const char *text, size_t len)
{
	for (size_t i = len; i > 0; i--)
		if (text[i - 1] == ')')
			return text + i - 1;
	return NULL;
}

int pi_stat_parse(const char *text, size_t len, struct pi_stat *out)
{
	uint64_t f[PI_STAT_FIELDS + 1] = { 0 };
	const char *open, *close;
	struct pi_scan s;
	int64_t pid;

	memset(out, 0, sizeof *out);
	open = memchr(text, '(', len);
	close = last_paren(text, len);
	if (!open || !close || close < open)
		return -EINVAL;

	s = pi_scan_of(text, (size_t)(open - text));
	if (!pi_scan_i64(&s, &pid) || pid < 0 || pid > INT32_MAX)
		return -EINVAL;
	out->pid = (pid_t)pid;

	size_t comm_len = (size_t)(close - open - 1);
	if (comm_len > PI_COMM_MAX)
		comm_len = PI_COMM_MAX;
	memcpy(out->comm, open + 1, comm_len);
	out->comm[comm_len] = '\0';
	out->comm_len = comm_len;

	s = pi_scan_of(close + 1, (size_t)(text + len - close - 1));
	pi_scan_blank(&s);
	if (pi_scan_done(&s) || *s.p == '\n')
		return -EINVAL;
	out->state = *s.p++;

	int n = 3;
	while (n < PI_STAT_FIELDS) {
		int64_t sv;
		uint64_t uv;
		struct pi_scan t = s;
		pi_scan_blank(&t);
		if (pi_scan_done(&t))
			break;
		if (*t.p == '-') {
			if (!pi_scan_i64(&t, &sv))
				break;
			uv = (uint64_t)sv;
		} else if (!pi_scan_u64(&t, &uv)) {
			break;
		}
		/* A number must end at a blank or the end of the line. */
		if (!pi_scan_done(&t) && *t.p != ' ' && *t.p != '\n')
			break;
		f[++n] = uv;
		s = t;
	}
	out->nfields = n;
	if (n < PI_STAT_MIN_FIELDS)
		return -EINVAL;

	out->ppid = (pid_t)f[4];
	out->pgrp = (pid_t)f[5];
	out->session = (pid_t)f[6];
	out->tty_nr = (int)f[7];
	out->tpgid = (pid_t)f[8];
	out->flags = (unsigned)f[9];
	out->minflt = f[10];
	out->majflt = f[12];
	out->utime = f[14];
	out->stime = f[15];
	out->cutime = (int64_t)f[16];
	out->cstime = (int64_t)f[17];
	out->priority = (int64_t)f[18];
	out->nice = (int64_t)f[19];
	out->num_threads = (int64_t)f[20];
	out->starttime = f[22];
	out->vsize = f[23];
	out->rss_pages = (int64_t)f[24];
	out->start_code = f[26];
	out->end_code = f[27];
	out->start_stack = f[28];
	out->exit_signal = (int)f[38];
	out->processor = (int)f[39];
	out->rt_priority = (unsigned)f[40];
	out->policy = (unsigned)f[41];
	out->delayacct_blkio_ticks = f[42];
	out->start_brk = f[47];
	out->arg_start = f[48];
	out->env_start = f[50];
	out->exit_code = (int)f[52];
	return 0;
}
