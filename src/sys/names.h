/* names — numbers the kernel hands out, turned into names people know:
 * system calls (libseccomp, per architecture), signals, scheduling
 * policies, users and groups, terminals. */
#ifndef PI_SYS_NAMES_H
#define PI_SYS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The ABI a task makes system calls with; it decides what a number means. */
enum pi_abi {
	PI_ABI_NATIVE,	/* x86-64 on x86-64 */
	PI_ABI_I386,	/* a 32-bit process on a 64-bit kernel */
	PI_ABI_X32,
};

/* The name of system call nr ("epoll_wait"), or NULL if unknown. The
 * returned string lives as long as the program. */
const char *pi_syscall_name(enum pi_abi abi, long nr);

/* "SIGTERM" for 15, "SIGRTMIN+3" for real-time signals; out must hold 16. */
const char *pi_signal_name(int sig, char *out, size_t size);
/* A signal typed by a person: "TERM", "SIGTERM", "term", "15",
 * "RTMIN+2"... Returns the number (1 to 64), or 0 for none. */
int pi_signal_parse(const char *text);

/* Appends the names of the signals in a mask ("SIGINT SIGTERM"), or
 * "none". The mask's bit n-1 stands for signal n. */
void pi_signal_mask_names(uint64_t mask, char *out, size_t size);

/* "SCHED_OTHER", "SCHED_FIFO", ... or NULL. */
const char *pi_policy_name(unsigned policy);

/* The user or group name, or NULL if the ID has none (a copy to free). */
char *pi_user_name(uid_t uid);
/* A user typed by a person: a name, or a number. True with *uid set. */
bool pi_user_by_name(const char *text, uid_t *uid);
char *pi_group_name(gid_t gid);

/* "pts/3", "tty1", "ttyS0", or "136:3" for devices it does not know;
 * "" when tty_nr is 0 (no controlling terminal). */
const char *pi_tty_name(int tty_nr, char *out, size_t size);

#endif
