/* status — parser for /proc/PID/status and /proc/PID/task/TID/status.
 *
 * Lines come and go with kernel versions and with the kind of task (kernel
 * threads and zombies have no Vm* lines), so every group of fields says
 * whether it was seen. */
#ifndef PI_PROC_STATUS_H
#define PI_PROC_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	PI_NS_LEVELS_MAX = 8,	/* the kernel nests PID namespaces 32 deep; 8 is plenty to show */
	PI_CPULIST_MAX = 96,	/* longer lists are cut: the set is in Cpus_allowed too */
};

/* Bits of pi_status.have: which lines were present. */
enum {
	PI_STATUS_STATE = 1u << 0,
	PI_STATUS_TGID = 1u << 1,
	PI_STATUS_PPID = 1u << 2,
	PI_STATUS_TRACER = 1u << 3,
	PI_STATUS_UID = 1u << 4,
	PI_STATUS_GID = 1u << 5,
	PI_STATUS_NSPID = 1u << 6,
	PI_STATUS_KTHREAD = 1u << 7,
	PI_STATUS_VM = 1u << 8,		/* VmSize: a user address space exists */
	PI_STATUS_THREADS = 1u << 9,
	PI_STATUS_SIGPND = 1u << 10,
	PI_STATUS_SHDPND = 1u << 11,
	PI_STATUS_SIGMASKS = 1u << 12,	/* SigBlk, SigIgn, SigCgt */
	PI_STATUS_CTXT = 1u << 13,	/* both context switch counts */
	PI_STATUS_CPUS = 1u << 14,
	PI_STATUS_CAPS = 1u << 15,
	PI_STATUS_SECCOMP = 1u << 16,
	PI_STATUS_NSSID = 1u << 17,
};

/* Resident and virtual sizes, in bytes (the file says kB = KiB). */
struct pi_status_vm {
	uint64_t peak, size, locked, hwm, rss, rss_anon, rss_file, rss_shmem;
	uint64_t data, stack, exe, lib, pte, swap;
};

struct pi_status {
	unsigned have;
	char state;
	pid_t tgid, pid, ppid, tracer_pid;
	uid_t uid[4];		/* real, effective, saved, filesystem */
	gid_t gid[4];
	pid_t nspid[PI_NS_LEVELS_MAX];	/* outermost first; the last is the PID the task sees
					 * (deeper than 8: the outermost 7, then the task's own) */
	unsigned nspid_levels;
	pid_t nssid_inner;
	bool kthread;
	struct pi_status_vm vm;
	unsigned threads;
	uint64_t sig_pending, sig_shared_pending, sig_blocked, sig_ignored, sig_caught;
	uint64_t cap_effective;
	int seccomp;		/* 0 off, 1 strict, 2 filter */
	bool no_new_privs;
	uint64_t voluntary_ctxt_switches, nonvoluntary_ctxt_switches;
	char cpus_allowed_list[PI_CPULIST_MAX];
};

/* Fills *out from the text of a status file. Returns 0, or -EINVAL when the
 * text has no State line (it is not a status file, or was cut off before
 * its first useful line). */
int pi_status_parse(const char *text, size_t len, struct pi_status *out);

#endif
