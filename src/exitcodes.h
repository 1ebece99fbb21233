/* Exit statuses: documented in pinspect(1), EXIT STATUS, and tested. */
#ifndef PI_EXITCODES_H
#define PI_EXITCODES_H

enum pi_exit {
	PI_EXIT_OK = 0,		/* done; for scans: nothing found */
	PI_EXIT_FOUND = 1,	/* a scan found problems */
	PI_EXIT_USAGE = 2,	/* bad options or arguments */
	PI_EXIT_NOPROC = 3,	/* a PID does not exist or exited while being read */
	PI_EXIT_DENIED = 4,	/* not permitted to read a process at all */
	PI_EXIT_FAILURE = 5,	/* anything else: /proc unreadable, out of memory, ... */
	PI_EXIT_BADFILE = 6,	/* a recording (--replay, --record's file) that cannot be read:
				 * not one, a newer format, malformed, no complete refresh */
};

#include <errno.h>

/* The exit status of a failure to read a process (-errno): gone, denied,
 * or anything else. */
static inline enum pi_exit pi_exit_for_read_error(int err)
{
	switch (err) {
	case -ENOENT:
	case -ESRCH:
		return PI_EXIT_NOPROC;
	case -EACCES:
	case -EPERM:
		return PI_EXIT_DENIED;
	default:
		return PI_EXIT_FAILURE;
	}
}

#endif
