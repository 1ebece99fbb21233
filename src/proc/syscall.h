/* syscall — parser for /proc/PID/task/TID/syscall.
 *
 * The file tells what a task is doing without stopping it:
 *   "running"                        on a CPU now (nothing else is known)
 *   "-1 SP PC"                       blocked, but not in a system call
 *                                    (e.g. stopped, or in a page fault)
 *   "NR A0 A1 A2 A3 A4 A5 SP PC"     blocked inside system call NR
 * SP and PC are the user-space stack pointer and program counter, which is
 * enough to find the thread's stack mapping and to unwind its stack from a
 * copy. */
#ifndef PI_PROC_SYSCALL_H
#define PI_PROC_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

enum pi_syscall_kind {
	PI_SYSCALL_RUNNING,
	PI_SYSCALL_NONE,	/* blocked outside a system call */
	PI_SYSCALL_IN,		/* blocked in system call nr */
};

struct pi_syscall {
	enum pi_syscall_kind kind;
	long nr;
	uint64_t args[6];
	uint64_t sp, pc;	/* valid unless kind == PI_SYSCALL_RUNNING */
};

/* Returns 0, or -EINVAL when the text is none of the three forms. */
int pi_syscall_parse(const char *text, size_t len, struct pi_syscall *out);

#endif
