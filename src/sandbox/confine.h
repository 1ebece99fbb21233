/* confine — what a sandboxed child gives up before it reads target data.
 *
 * In order, each step failing the whole (the child then runs nothing):
 * default signal handling (a crash must end it, not run pinspect's
 * handlers); death with its parent (PR_SET_PDEATHSIG) and not dumpable,
 * so that no process of the user it becomes can ptrace or steer it;
 * every descriptor closed but the ones it is told to keep; then, as root,
 * no supplementary groups, the sandbox's group and user, an empty
 * capability bounding set; in every case no effective, permitted,
 * inheritable or ambient capability; limits on address space, CPU time,
 * descriptors, file size and core dumps; no new privileges; and the
 * seccomp filter (filter.h). */
#ifndef PI_SANDBOX_CONFINE_H
#define PI_SANDBOX_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

enum {
	PI_SANDBOX_NOFILE = 32,		/* descriptors a child may hold */
};

/* Confines the calling (freshly forked) process. parent is the PID it was
 * forked from; keep[0..nkeep) the descriptors it keeps (each > 2), broker
 * its broker socket or -1. Returns 0, or -errno with *step naming what
 * failed. Sets *dropped_user when it became cfg->uid. */
int pi_sandbox_confine(const struct pi_sandbox_config *cfg, pid_t parent, const int *keep,
		       size_t nkeep, int broker, const char **step, bool *dropped_user);

#endif
