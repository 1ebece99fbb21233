/* pi-tracer PID [stop]
 *
 * Attaches to PID with PTRACE_SEIZE, as a debugger would, and holds it:
 * the target shows TracerPid. With "stop", it also interrupts the target,
 * which then sits in a ptrace stop (state t). Detaches when killed with
 * SIGTERM or SIGINT. */
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "helper.h"

static volatile sig_atomic_t done;

static void on_signal(int sig)
{
	(void)sig;
	done = 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pid_t pid = atoi(argv[1]);
	bool stop = argc > 2 && strcmp(argv[2], "stop") == 0;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0)
		helper_die("PTRACE_SEIZE");
	if (stop) {
		int status;
		if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) != 0)
			helper_die("PTRACE_INTERRUPT");
		if (waitpid(pid, &status, __WALL) < 0)
			helper_die("waitpid");
	}
	helper_ready();
	while (!done)
		pause();
	/* A seized tracee can be detached from any state once interrupted;
	 * a running one has to be stopped first. */
	if (!stop) {
		int status;
		ptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
		waitpid(pid, &status, __WALL);
	}
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return 0;
}
