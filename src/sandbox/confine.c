#include "sandbox/confine.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/reader.h"
#include "sandbox/filter.h"

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int close_from(unsigned from, unsigned to)
{
	if (from > to)
		return 0;
	if (close_range(from, to, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	/* Kernels before 5.9: one by one, up to the descriptor limit. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	for (uint64_t fd = from; fd <= to && fd < rl.rlim_cur; fd++)
		close((int)fd);
	return 0;
}

/* Closes every descriptor but keep[]: standard input, output and error
 * too, so that nothing the child writes can reach a terminal. */
static int close_others(const int *keep, size_t nkeep, int broker)
{
	int sorted[nkeep + 1];
	size_t n = 0;
	for (size_t i = 0; i < nkeep; i++)
		sorted[n++] = keep[i];
	if (broker >= 0)
		sorted[n++] = broker;
	qsort(sorted, n, sizeof *sorted, compare_ints);
	unsigned from = 0;
	for (size_t i = 0; i < n; i++) {
		if (sorted[i] < 0 || (unsigned)sorted[i] < from)
			continue;
		int err = from < (unsigned)sorted[i] ? close_from(from, (unsigned)sorted[i] - 1) : 0;
		if (err)
			return err;
		from = (unsigned)sorted[i] + 1;
	}
	return close_from(from, ~0u);
}

static int default_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);	/* fails only for numbers glibc reserves */
	sigset_t none;
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL) == 0 ? 0 : -errno;
}

/* PR_SET_PDEATHSIG and the dumpable flag are both reset when the
 * credentials change: set before (for the window) and again after. */
static int tie_to_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || prctl(PR_SET_DUMPABLE, 0) != 0)
		return -errno;
	/* The parent may have died before the first prctl took effect. */
	if (getppid() != parent)
		return -ESRCH;
	return 0;
}

/* The address space the child shares with pinspect at the fork (statm's
 * first field, in pages). */
static int mapped_bytes(uint64_t *out)
{
	int dir = pi_proc_open(getpid());
	if (dir < 0)
		return dir;
	struct pi_buf b = PI_BUF_INIT;
	int err = pi_read_at(dir, "statm", &b);
	close(dir);
	unsigned long long pages = 0;
	if (!err && sscanf(b.data, "%llu", &pages) != 1)
		err = -EINVAL;
	pi_buf_free(&b);
	if (!err)
		*out = (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
	return err;
}

static int drop_bounding_set(void)
{
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap) < 0)
			break;		/* past the last capability this kernel knows */
		if (prctl(PR_CAPBSET_DROP, cap) != 0)
			return -errno;
	}
	return 0;
}

static int drop_capabilities(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	memset(d, 0, sizeof d);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		return -errno;
	if (syscall(SYS_capset, &h, d) != 0)
		return -errno;
	/* Checked, not assumed. */
	if (syscall(SYS_capget, &h, d) != 0)
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return -EPERM;
	return 0;
}

static int become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0)
		return -errno;
	/* The bounding set needs CAP_SETPCAP: before the user changes. */
	int err = drop_bounding_set();
	if (err)
		return err;
	if (setresuid(uid, uid, uid) != 0)
		return -errno;
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return -errno;
	if (r != uid || e != uid || s != uid || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	return 0;
}

static int set_limit(int resource, uint64_t value)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) != 0)
		return -errno;
	/* Never above what the parent already had. */
	if (rl.rlim_max != RLIM_INFINITY && value > rl.rlim_max)
		value = rl.rlim_max;
	struct rlimit want = { value, value };
	if (setrlimit(resource, &want) == 0)
		return 0;
	/* valgrind refuses to move the hard limit on descriptors. The soft
	 * one binds as well: the filter lets the child read its limits,
	 * never raise them. */
	want.rlim_max = rl.rlim_max;
	return setrlimit(resource, &want) == 0 ? 0 : -errno;
}

static int set_limits(const struct pi_sandbox_config *cfg, uint64_t mapped)
{
	uint64_t cpu = ((uint64_t)cfg->timeout_ms + 999) / 1000;
	int err = set_limit(RLIMIT_AS, mapped + cfg->mem_budget);
	if (!err)
		err = set_limit(RLIMIT_CPU, cpu ? cpu : 1);
	if (!err)
		err = set_limit(RLIMIT_CORE, 0);
	if (!err)
		err = set_limit(RLIMIT_FSIZE, 0);
	if (!err)
		err = set_limit(RLIMIT_NOFILE, cfg->max_fds ? cfg->max_fds : PI_SANDBOX_NOFILE);
	return err;
}

int pi_sandbox_confine(const struct pi_sandbox_config *cfg, pid_t parent, const int *keep,
		       size_t nkeep, int broker, const char **step, bool *dropped_user)
{
	int err;
	uint64_t mapped = 0;
	bool root = geteuid() == 0;

	*dropped_user = false;
	if ((err = default_signals()))
		return *step = "signals", err;
	if ((err = tie_to_parent(parent)))
		return *step = "parent death signal", err;
	if ((err = close_others(keep, nkeep, broker)))
		return *step = "close descriptors", err;
	if ((err = mapped_bytes(&mapped)))
		return *step = "address space size", err;
	if (root) {
		if ((err = become(cfg->uid, cfg->gid)))
			return *step = "user and groups", err;
		*dropped_user = true;
	} else {
		/* Without CAP_SETPCAP the bounding set stays, harmlessly:
		 * with no new privileges and no execve it can grant nothing. */
		drop_bounding_set();
	}
	if ((err = drop_capabilities()))
		return *step = "capabilities", err;
	if ((err = tie_to_parent(parent)))
		return *step = "parent death signal", err;
	if ((err = set_limits(cfg, mapped)))
		return *step = "resource limits", err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return *step = "no new privileges", -errno;
	if (pi_sandbox_filter_possible() && (err = pi_sandbox_filter_load(getpid(), broker)))
		return *step = "seccomp filter", err;
	return 0;
}
