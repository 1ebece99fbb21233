/* fdscan — reading a process's descriptors and the machine's lists from
 * /proc: the numeric entries of a /proc directory (processes, tasks,
 * descriptors), what a descriptor is, and its fdinfo.
 *
 * Everything here is bounded: a process may hold a million descriptors
 * and a machine hold a million tasks, so every list stops at the caller's
 * maximum and says it did. */
#ifndef PI_PROC_FDSCAN_H
#define PI_PROC_FDSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proc/fds.h"
#include "util/buf.h"

/* The numeric names (PIDs, TIDs, descriptors) in dirfd/name ("." for
 * dirfd itself), sorted, at most max of them (*cut says there were
 * more). *ids is grown with pi_xgrow; free it. Returns 0 or -errno. */
int pi_proc_list_ids(int dirfd, const char *name, size_t max, int **ids, size_t *n,
		     size_t *cap, bool *cut);

/* What descriptor fd of the process whose /proc directory is procfd is:
 * its link, parsed into *link and kept as text in out. 0 or -errno. */
int pi_proc_fd_link(int procfd, int fd, struct pi_buf *out, struct pi_fd_link *link);

enum {
	PI_FDINFO_READ_MAX = 64 * 1024,	/* bytes of an fdinfo read: ~700 epoll watches */
};

/* Its fdinfo (watches as pi_fdinfo_parse; of an epoll with more than
 * PI_FDINFO_READ_MAX bytes of them, nwatches counts those read). buf is
 * scratch. 0 or -errno. */
int pi_proc_fdinfo(int procfd, int fd, struct pi_buf *buf, struct pi_fdinfo *info,
		   struct pi_epoll_watch *watches, size_t watch_cap);

#endif
