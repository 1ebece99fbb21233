#include "analysis/state.h"

struct state_text {
	char code;
	const char *name;
	const char *meaning;
};

static const struct state_text states[] = {
	{ 'R', "running", "running on a CPU or waiting in the run queue for one" },
	{ 'S', "sleeping", "interruptible sleep: waiting for an event (I/O, a timer, a lock, a signal)" },
	{ 'D', "uninterruptible", "uninterruptible sleep: waiting inside the kernel (usually I/O) and "
				  "deaf to signals until the wait ends; a killable wait accepts only SIGKILL" },
	{ 'T', "stopped", "stopped by a job-control signal (SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU); "
			  "SIGCONT resumes it" },
	{ 't', "traced", "stopped by its tracer (a debugger or strace) at a ptrace stop" },
	{ 'Z', "zombie", "exited; its exit status waits for the parent to collect it with wait()" },
	{ 'X', "dead", "exited and being removed" },
	{ 'x', "dead", "exited and being removed" },
	{ 'I', "idle", "idle kernel thread: waiting for work, not counted in the load average" },
	{ 'P', "parked", "parked kernel thread: held while its CPU is offline or being reconfigured" },
	{ 'K', "wakekill", "uninterruptible sleep that a fatal signal can end (old kernels)" },
	{ 'W', "waking", "being woken, or paging (old kernels)" },
};

static const struct state_text *find(char code)
{
	for (unsigned i = 0; i < sizeof states / sizeof states[0]; i++)
		if (states[i].code == code)
			return &states[i];
	return 0;
}

const char *pi_state_name(char code)
{
	const struct state_text *s = find(code);
	return s ? s->name : "unknown";
}

const char *pi_state_meaning(char code)
{
	const struct state_text *s = find(code);
	return s ? s->meaning : "a state letter pinspect does not know";
}
