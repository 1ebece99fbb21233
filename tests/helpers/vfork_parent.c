/* pi-vfork-parent
 *
 * vfork()s a child that sleeps instead of exec'ing. Until the child execs
 * or exits, the parent waits in the kernel in a killable uninterruptible
 * sleep: state D, the classic D that is not a disk. The child prints
 * "ready" and its PID; kill the parent (or the child) to end both. */
#include <sys/syscall.h>
#include <time.h>

#include "helper.h"

int main(void)
{
	pid_t parent = getpid();
	pid_t child = vfork();
	if (child < 0)
		helper_die("vfork");
	if (child == 0) {
		/* The child borrows the parent's memory and stack: only raw
		 * system calls from here on. */
		helper_die_with_parent(parent);
		char msg[32];
		int n = snprintf(msg, sizeof msg, "ready\n%d\n", (int)syscall(SYS_getpid));
		syscall(SYS_write, 1, msg, n);
		struct timespec ts = { 3600, 0 };
		for (;;)
			syscall(SYS_nanosleep, &ts, NULL);
	}
	return 0;
}
