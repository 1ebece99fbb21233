/* stat — parser for /proc/PID/stat and /proc/PID/task/TID/stat.
 *
 * The second field is the task's name in parentheses, raw: it may hold
 * spaces, ')' and newlines. The name therefore runs from the first '(' to
 * the LAST ')', and the numbers start after that. */
#ifndef PI_PROC_STAT_H
#define PI_PROC_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	PI_COMM_MAX = 64,		/* TASK_COMM_LEN is 16; kernel workers show longer names */
	PI_STAT_FIELDS = 52,		/* fields through exit_code, as numbered in proc(5) */
	PI_STAT_MIN_FIELDS = 41,	/* through policy: what pinspect needs */
	PI_PF_KTHREAD = 0x00200000,	/* a kernel thread (include/linux/sched.h) */
};

struct pi_stat {
	pid_t pid;
	char comm[PI_COMM_MAX + 1];
	size_t comm_len;
	char state;
	pid_t ppid, pgrp, session;
	int tty_nr;
	pid_t tpgid;
	unsigned flags;
	uint64_t minflt, majflt;
	uint64_t utime, stime;		/* clock ticks */
	int64_t cutime, cstime;
	int64_t priority, nice;
	int64_t num_threads;
	uint64_t starttime;		/* clock ticks after boot */
	uint64_t vsize;			/* bytes */
	int64_t rss_pages;
	uint64_t start_code, end_code, start_stack;
	int exit_signal;
	int processor;			/* CPU it last ran on */
	unsigned rt_priority, policy;
	uint64_t delayacct_blkio_ticks;
	uint64_t start_brk, arg_start, env_start;
	int exit_code;
	int nfields;			/* how many numbered fields the text held */
};

/* Fills *out. Returns 0, or -EINVAL when the text is not a stat line or
 * ends before the policy field. */
int pi_stat_parse(const char *text, size_t len, struct pi_stat *out);

#endif
