/* pi-zombies [COUNT [NAME]]
 *
 * Forks COUNT children (default 3) that exit at once, and never reaps
 * them: they stay zombies, held by this process. With NAME, the parent
 * then takes that name (prctl PR_SET_NAME: any bytes, cut to 15), so that
 * a hostile name can be put where the scans print a parent's. Prints the
 * zombies' PIDs on one line after "ready". */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "helper.h"

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 3;
	pid_t pids[256];

	if (count < 1 || count > 256)
		return 2;
	for (int i = 0; i < count; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			helper_die("fork");
		if (pids[i] == 0)
			_exit(0);
	}
	/* Wait until every child has exited, without reaping any. */
	for (int i = 0; i < count; i++) {
		siginfo_t si;
		if (waitid(P_PID, (id_t)pids[i], &si, WEXITED | WNOWAIT) != 0)
			helper_die("waitid");
	}
	if (argc > 2 && prctl(PR_SET_NAME, argv[2], 0, 0, 0) != 0)
		helper_die("prctl");
	helper_ready();
	for (int i = 0; i < count; i++)
		printf("%s%d", i ? " " : "", (int)pids[i]);
	printf("\n");
	fflush(stdout);
	helper_wait_forever();
}
