/* filter — the seccomp filter of a sandboxed child.
 *
 * An allow-list of what decoding in memory needs: reading and writing
 * descriptors it already has, memory that is never executable, futexes,
 * signals to itself, the clock, exiting, and the broker socket. Two kinds
 * of refusal, on purpose:
 *
 * - opening or looking up a path, making a socket and ioctl fail with an
 *   error (EPERM, ENOTTY for ioctl), because honest library code tries
 *   them (glibc's locale and NSS code, a debuginfo lookup, isatty on
 *   stdio) and must see a clean failure it already handles;
 * - everything else kills the child at once (SIGSYS): execve and
 *   execveat, ptrace, process_vm_readv and _writev, signals to any other
 *   process, connect and bind, fork and clone, prctl, setuid and friends.
 *   No decoder ever calls them, so one that does has been subverted, and
 *   it must not get to probe what else it can do. The root side reports
 *   the kill (PI_ERR_SANDBOX_SYSCALL). */
#ifndef PI_SANDBOX_FILTER_H
#define PI_SANDBOX_FILTER_H

#include <stdbool.h>
#include <sys/types.h>

/* False under valgrind, which implements neither seccomp(2) nor a
 * translator that could live inside a filter (it maps executable code as
 * it goes): there the child runs with everything but the filter, so that
 * the test suite can check the rest under memcheck. Built without
 * valgrind's header, always true, and a child under valgrind fails to set
 * up (the item is then unavailable, never decoded unfiltered). */
bool pi_sandbox_filter_possible(void);

/* True under valgrind (with its header at build time). */
bool pi_sandbox_under_valgrind(void);

/* Installs the filter on the calling process. self is its PID (signals
 * only to itself); broker is its broker socket, or -1. Needs no new
 * privileges set (or CAP_SYS_ADMIN). Returns 0 or -errno. */
int pi_sandbox_filter_load(pid_t self, int broker);

#endif
