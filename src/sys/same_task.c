#include "sys/same_task.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/reader.h"
#include "proc/stat.h"
#include "sandbox/filter.h"
#include "util/buf.h"

int pi_same_task(pid_t pid, pid_t tid, uint64_t starttime)
{
	if (pid <= 0 || tid <= 0)
		return -ESRCH;
	int procfd = pi_proc_open(pid);
	if (procfd < 0)
		return pi_err_gone(procfd) ? -ESRCH : procfd;
	char name[48];
	snprintf(name, sizeof name, "task/%d/stat", (int)tid);
	struct pi_buf b = PI_BUF_INIT;
	struct pi_stat st;
	int err = pi_read_at(procfd, name, &b);
	close(procfd);
	if (err)
		err = pi_err_gone(err) ? -ESRCH : err;
	else if (pi_stat_parse(b.data, b.len, &st) != 0)
		err = -EINVAL;
	else if (st.starttime != starttime)
		err = -ESRCH;
	pi_buf_free(&b);
	return err;
}

int pi_signal_same(pid_t pid, uint64_t starttime, int sig)
{
	if (pid <= 0)
		return -ESRCH;
	/* Without pidfds (ENOSYS, or valgrind, which does not know them),
	 * the check and kill(2) at once. */
	int pidfd = -1;
	if (!pi_sandbox_under_valgrind()) {
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0 && errno == ESRCH)
			return -ESRCH;
	}
	int err = pi_same_task(pid, pid, starttime);
	if (!err) {
		long rc = pidfd >= 0 ? syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) : kill(pid, sig);
		err = rc == 0 ? 0 : -errno;
	}
	if (pidfd >= 0)
		close(pidfd);
	return err;
}

int pi_setpriority_same(pid_t pid, pid_t tid, uint64_t starttime, int nice)
{
	int err = pi_same_task(pid, tid, starttime);
	if (err)
		return err;
	return setpriority(PRIO_PROCESS, (id_t)tid, nice) == 0 ? 0 : -errno;
}
