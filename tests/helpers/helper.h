/* Shared bits of the test helpers: small programs that put real tasks in
 * real states for the end-to-end tests. Each prints "ready" on stdout once
 * it is in the state it promises, then waits to be killed. */
#ifndef PI_TEST_HELPER_H
#define PI_TEST_HELPER_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline void helper_ready(void)
{
	/* write(2), not stdio: a helper may be in a state where buffering
	 * would hold the line back (a vfork child, a thread about to block). */
	static const char msg[] = "ready\n";
	if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0)
		_exit(1);
}

static inline void helper_die(const char *what)
{
	perror(what);
	exit(1);
}

/* In a child a helper forks: die with the helper, so that a test that
 * kills the helper leaves no orphan sleeping for good. Raw system calls
 * only, so that a vfork child may call it too. */
static inline void helper_die_with_parent(pid_t parent)
{
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* The parent may have died before the line above. */
	if (syscall(SYS_getppid) != parent)
		syscall(SYS_exit_group, 0);
}

static inline void helper_wait_forever(void)
{
	for (;;)
		pause();
}

#endif
