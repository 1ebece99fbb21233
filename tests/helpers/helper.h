/* Shared bits of the test helpers: small programs that put real tasks in
 * real states for the end-to-end tests. Each prints "ready" on stdout once
 * it is in the state it promises, then waits to be killed. */
#ifndef PI_TEST_HELPER_H
#define PI_TEST_HELPER_H

#include <stdio.h>
#include <stdlib.h>
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

static inline void helper_wait_forever(void)
{
	for (;;)
		pause();
}

#endif
