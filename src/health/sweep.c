#include "health/sweep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/locks.h"
#include "collect/locks.h"
#include "collect/sched_clock.h"
#include "collect/thread.h"
#include "proc/system.h"
#include "proc/reader.h"
#include "proc/stat.h"
#include "proc/status.h"
#include "proc/syscall.h"
#include "sys/abi.h"
#include "util/xalloc.h"

enum {
	MAX_READERS = 4,	/* beyond this, /proc's own locks are the limit */
};

/* Each reader fills its own arrays; they are joined in PID order at the
 * end, so no lock is taken per task. */
struct reader {
	struct run *run;
	pthread_t thread;
	struct pi_buf buf;
	struct pi_sweep_task *tasks;
	size_t ntasks, tasks_cap;
	struct pi_futex *futexes;
	size_t nfutexes, futexes_cap;
	struct pi_thread *details;
	size_t ndetails, details_cap;
	pid_t *tids;
	size_t tids_cap;
	pid_t *children;		/* pi_collect_thread's, unused here */
	size_t nchildren, children_cap;
	size_t unreadable;
};

/* A process as one reader saw it. */
struct slot {
	bool present;
	struct pi_sweep_proc proc;
	int reader;			/* whose arrays hold its tasks */
};

struct run {
	unsigned what;
	bool root;
	ino_t our_pid_ns;		/* 0: unknown */
	const pid_t *pids;
	size_t npids;
	struct slot *slots;
	atomic_size_t next;
	struct pi_sched_clock clock;
	struct pi_shared_pool pool;
	struct reader *readers;
};

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* The numeric names in a directory of /proc, sorted. */
static int list_ids(int dirfd, pid_t **ids, size_t *n, size_t *cap)
{
	*n = 0;
	DIR *dir = fdopendir(dirfd);
	if (!dir) {
		int err = -errno;
		close(dirfd);
		return err;
	}
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char *end;
		long id = strtol(de->d_name, &end, 10);
		if (*end || id <= 0)
			continue;
		pi_xgrow(ids, cap, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = (pid_t)id;
	}
	closedir(dir);
	if (*n > 1)
		qsort(*ids, *n, sizeof **ids, compare_pids);
	return 0;
}

/* The futex a sleeping task waits on, if any: its syscall file, then the
 * words at the address it names. Sets p->locks_err when the process may
 * not be looked into, after which none of its tasks is tried again. */
static void read_futex_wait(struct reader *r, int procfd, int taskfd, struct pi_sweep_proc *p,
			    struct pi_sweep_task *t)
{
	char name[32];
	struct pi_syscall sc;

	snprintf(name, sizeof name, "%d/syscall", (int)t->facts.tid);
	int err = pi_read_at(taskfd, name, &r->buf);
	t->syscall_err = err ? err : pi_syscall_parse(r->buf.data, r->buf.len, &sc);
	if (t->syscall_err == -EACCES || t->syscall_err == -EPERM) {
		p->locks_err = t->syscall_err;
		return;
	}
	/* futex() on each ABI the host runs (src/arch): its own, i386's and
	 * x32's on x86-64. */
	const long native = pi_futex_nr(PI_ABI_NATIVE, true);
	const long i386 = pi_futex_nr(PI_ABI_I386, true), x32 = pi_futex_nr(PI_ABI_X32, true);
	if (t->syscall_err || sc.kind != PI_SYSCALL_IN
	    || (sc.nr != native && sc.nr != i386 && sc.nr != x32))
		return;
	/* 240 is futex() only for a 32-bit process (mq_open, which never
	 * sleeps, on x86-64): the executable says which. */
	if (!p->abi_known && sc.nr == i386)
		p->abi_known = pi_exe_abi(procfd, &p->abi) == 0;
	long nr = sc.nr == i386 ? pi_futex_nr(p->abi, p->abi_known) : sc.nr == x32 ? x32 : native;
	struct pi_futex f;
	if (!pi_futex_from_syscall(&sc, nr, &f))
		return;
	if (pi_futex_read(p->pid, pi_abi_arch(p->abi, p->abi_known), &f) == -EPERM
	    || f.read_err == -EACCES) {
		p->locks_err = f.read_err;
		return;
	}
	pi_xgrow(&r->futexes, &r->futexes_cap, r->nfutexes + 1, sizeof *r->futexes);
	r->futexes[r->nfutexes] = f;
	t->futex = (int32_t)r->nfutexes++;
}

/* A task in D, read in full: the hung-task verdict needs its time off the
 * CPU, and a person its wait channel, system call and kernel stack. */
static void read_d_task(struct reader *r, int procfd, int taskfd, struct pi_sweep_proc *p,
			struct pi_sweep_task *t)
{
	pi_xgrow(&r->details, &r->details_cap, r->ndetails + 1, sizeof *r->details);
	struct pi_thread *d = &r->details[r->ndetails];
	r->nchildren = 0;
	if (pi_collect_thread(taskfd, t->facts.tid, &r->run->clock, &r->run->pool, &r->buf, d,
			      &r->children, &r->nchildren, &r->children_cap) != 0)
		return;
	/* Not root, another user's wchan reads "0" as if it waited on
	 * nothing: distrust an empty one when its syscall file was denied. */
	if (!r->run->root && !d->wchan_err && !d->facts.wchan[0]
	    && (d->syscall_err == -EACCES || d->syscall_err == -EPERM))
		d->wchan_err = d->syscall_err;
	/* Its system call's name depends on the process's ABI. */
	if (!p->abi_known && !d->syscall_err && d->syscall.kind == PI_SYSCALL_IN)
		p->abi_known = pi_exe_abi(procfd, &p->abi) == 0;
	t->detail = (int32_t)r->ndetails++;
}

/* Does a waiter name an owner that is none of the process's TIDs? Then
 * the process may see other numbers than ours: a container. */
static bool names_a_stranger(const struct reader *r, const struct pi_sweep_proc *p)
{
	const struct pi_sweep_task *tasks = r->tasks + p->first_task;
	for (uint32_t i = 0; i < p->ntasks; i++) {
		if (tasks[i].futex < 0)
			continue;
		enum pi_lock_kind kind;
		pid_t owner = pi_futex_named_owner(&r->futexes[tasks[i].futex], &kind);
		bool found = false;
		for (uint32_t k = 0; k < p->ntasks && !found; k++)
			found = tasks[k].facts.tid == owner;
		if (owner > 0 && !found)
			return true;
	}
	return false;
}

/* A process in a PID namespace below ours: each task's own TID, from
 * the last NSpid of its status. */
static void read_ns_tids(struct reader *r, int procfd, int taskfd, struct pi_sweep_proc *p)
{
	struct stat st;
	if (!r->run->our_pid_ns || fstatat(procfd, "ns/pid", &st, 0) != 0
	    || st.st_ino == r->run->our_pid_ns)
		return;
	p->own_pid_namespace = true;
	struct pi_sweep_task *tasks = r->tasks + p->first_task;
	for (uint32_t i = 0; i < p->ntasks; i++) {
		char name[32];
		struct pi_status status;
		snprintf(name, sizeof name, "%d/status", (int)tasks[i].facts.tid);
		if (pi_read_at(taskfd, name, &r->buf) == 0
		    && pi_status_parse(r->buf.data, r->buf.len, &status) == 0 && status.nspid_levels)
			tasks[i].ns_tid = status.nspid[status.nspid_levels - 1];
	}
}

static void read_process(struct reader *r, struct slot *slot, pid_t pid)
{
	struct run *run = r->run;
	struct pi_sweep_proc *p = &slot->proc;
	size_t ntids;

	int procfd = pi_proc_open(pid);
	if (procfd < 0)
		return;			/* gone already */
	int taskfd = pi_proc_open_dir(procfd, "task");
	int err = taskfd < 0 ? taskfd : list_ids(dup(taskfd), &r->tids, &ntids, &r->tids_cap);
	if (err) {
		if (!pi_err_gone(err))
			r->unreadable++;
		if (taskfd >= 0)
			close(taskfd);
		close(procfd);
		return;
	}

	/* The main thread first: what it says about the process (a kernel
	 * thread? whose locks to read?) applies to the others. */
	for (size_t i = 0; i < ntids; i++) {
		if (r->tids[i] == pid) {
			memmove(r->tids + 1, r->tids, i * sizeof *r->tids);
			r->tids[0] = pid;
			break;
		}
	}
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->first_task = (uint32_t)r->ntasks;
	p->locks_err = PI_SWEEP_NOT_READ;
	bool have_main = false, denied = false;
	for (size_t i = 0; i < ntids; i++) {
		char name[32];
		struct pi_stat st;
		snprintf(name, sizeof name, "%d/stat", (int)r->tids[i]);
		err = pi_read_at(taskfd, name, &r->buf);
		if (err || pi_stat_parse(r->buf.data, r->buf.len, &st) != 0) {
			denied |= err == -EACCES || err == -EPERM;
			continue;	/* a thread that exited meanwhile */
		}
		if (r->tids[i] == pid) {
			have_main = true;
			p->ppid = st.ppid;
			p->state = st.state;
			p->starttime = st.starttime;
			p->kernel_thread = st.flags & PI_PF_KTHREAD;
			memcpy(p->comm, st.comm, sizeof p->comm);
			if ((run->what & PI_SWEEP_LOCKS) && !p->kernel_thread)
				p->locks_err = 0;
		}
		pi_xgrow(&r->tasks, &r->tasks_cap, r->ntasks + 1, sizeof *r->tasks);
		struct pi_sweep_task *t = &r->tasks[r->ntasks++];
		memset(t, 0, sizeof *t);
		t->facts.tid = r->tids[i];
		t->facts.state = st.state;
		pi_facts_set_comm(&t->facts, st.comm);	/* a thread's name fits */
		t->facts.known = PI_FACT_STAT;
		t->syscall_err = PI_SWEEP_NOT_READ;
		t->futex = -1;
		t->detail = -1;
		if (t->facts.state == 'D' && (run->what & PI_SWEEP_D_TASKS))
			read_d_task(r, procfd, taskfd, p, t);
		else if (t->facts.state == 'S' && p->locks_err == 0 && !(st.flags & PI_PF_KTHREAD))
			read_futex_wait(r, procfd, taskfd, p, t);
	}
	p->ntasks = (uint32_t)(r->ntasks - p->first_task);
	if (p->locks_err == 0 && names_a_stranger(r, p))
		read_ns_tids(r, procfd, taskfd, p);
	close(taskfd);
	close(procfd);
	/* The main thread back to its place by TID (the others are in
	 * order), for pi_sweep_find_task. */
	struct pi_sweep_task *mine = r->tasks + p->first_task;
	uint32_t at = 0;
	while (at + 1 < p->ntasks && mine[at + 1].facts.tid < mine[0].facts.tid)
		at++;
	if (at) {
		struct pi_sweep_task main_task = mine[0];
		memmove(mine, mine + 1, at * sizeof *mine);
		mine[at] = main_task;
	}
	if (!have_main) {
		/* It exited while being read (or its main thread's stat is
		 * hidden): leave it out, as ps does. */
		if (denied)
			r->unreadable++;
		r->ntasks = p->first_task;
		return;
	}
	slot->present = true;
	slot->reader = (int)(r - run->readers);
}

static void *read_some(void *arg)
{
	struct reader *r = arg;
	struct run *run = r->run;

	for (;;) {
		size_t i = atomic_fetch_add(&run->next, 1);
		if (i >= run->npids)
			break;
		read_process(r, &run->slots[i], run->pids[i]);
	}
	return NULL;
}

static double clock_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Joins the readers' arrays in PID order. */
static void join(struct pi_sweep *s, struct run *run, size_t nreaders)
{
	size_t ntasks = 0, nfutexes = 0, ndetails = 0;
	size_t *futex_base = pi_xcalloc(nreaders, sizeof *futex_base);
	size_t *detail_base = pi_xcalloc(nreaders, sizeof *detail_base);

	for (size_t i = 0; i < nreaders; i++) {
		futex_base[i] = nfutexes;
		detail_base[i] = ndetails;
		ntasks += run->readers[i].ntasks;
		nfutexes += run->readers[i].nfutexes;
		ndetails += run->readers[i].ndetails;
		s->unreadable += run->readers[i].unreadable;
	}
	s->tasks = pi_xcalloc(ntasks ? ntasks : 1, sizeof *s->tasks);
	s->futexes = pi_xcalloc(nfutexes ? nfutexes : 1, sizeof *s->futexes);
	s->details = pi_xcalloc(ndetails ? ndetails : 1, sizeof *s->details);
	s->procs = pi_xcalloc(run->npids ? run->npids : 1, sizeof *s->procs);
	for (size_t i = 0; i < nreaders; i++) {
		struct reader *r = &run->readers[i];
		if (r->nfutexes)
			memcpy(s->futexes + futex_base[i], r->futexes, r->nfutexes * sizeof *r->futexes);
		if (r->ndetails)
			memcpy(s->details + detail_base[i], r->details, r->ndetails * sizeof *r->details);
	}
	s->nfutexes = nfutexes;
	s->ndetails = ndetails;

	for (size_t i = 0; i < run->npids; i++) {
		struct slot *slot = &run->slots[i];
		if (!slot->present)
			continue;
		struct reader *r = &run->readers[slot->reader];
		struct pi_sweep_proc *p = &s->procs[s->nprocs++];
		*p = slot->proc;
		if (p->ntasks)
			memcpy(s->tasks + s->ntasks, r->tasks + p->first_task, p->ntasks * sizeof *s->tasks);
		p->first_task = (uint32_t)s->ntasks;
		for (uint32_t k = 0; k < p->ntasks; k++) {
			struct pi_sweep_task *t = &s->tasks[s->ntasks + k];
			if (t->futex >= 0)
				t->futex += (int32_t)futex_base[slot->reader];
			if (t->detail >= 0)
				t->detail += (int32_t)detail_base[slot->reader];
		}
		s->ntasks += p->ntasks;
	}
	free(futex_base);
	free(detail_base);
}

static int sweep(struct pi_sweep *s, unsigned what, pid_t only)
{
	struct run run;
	pid_t *pids = NULL;
	size_t npids = 0, cap = 0;
	struct pi_buf buf = PI_BUF_INIT;
	double started = clock_seconds(CLOCK_MONOTONIC);

	memset(s, 0, sizeof *s);
	s->clock_ticks = sysconf(_SC_CLK_TCK);
	s->root = geteuid() == 0;
	s->uptime_seconds = clock_seconds(CLOCK_BOOTTIME);
	s->hung_task_timeout_secs = -1;
	int secs;
	if (pi_proc_sysctl_int("kernel/hung_task_timeout_secs", &secs) == 0)
		s->hung_task_timeout_secs = secs;
	pi_buf_free(&buf);

	int procfd = pi_proc_open_root();
	int err = procfd < 0 ? procfd : 0;
	if (!err && only > 0) {
		/* One process: the others are not even listed. */
		close(procfd);
		pids = pi_xcalloc(1, sizeof *pids);
		pids[0] = only;
		npids = 1;
	} else if (!err) {
		err = list_ids(procfd, &pids, &npids, &cap);
	}
	if (err)
		return err;

	/* Not ourselves: our readers would show up as running tasks. */
	pid_t self = getpid();
	for (size_t i = 0; i < npids; i++) {
		if (pids[i] == self) {
			memmove(pids + i, pids + i + 1, (npids - i - 1) * sizeof *pids);
			npids--;
			break;
		}
	}
	memset(&run, 0, sizeof run);
	run.what = what;
	run.root = s->root;
	uint64_t ns;
	if (pi_proc_own_ns("pid", &ns) == 0)
		run.our_pid_ns = ns;
	run.pids = pids;
	run.npids = npids;
	run.slots = pi_xcalloc(npids ? npids : 1, sizeof *run.slots);
	pi_sched_clock_init(&run.clock);
	run.pool.pool = &s->strings;
	pthread_mutex_init(&run.pool.lock, NULL);

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nreaders = cpus > 1 ? (size_t)cpus : 1;
	if (nreaders > MAX_READERS)
		nreaders = MAX_READERS;
	if (nreaders > npids)
		nreaders = npids ? npids : 1;
	run.readers = pi_xcalloc(nreaders, sizeof *run.readers);
	for (size_t i = 0; i < nreaders; i++)
		run.readers[i].run = &run;
	/* The calling thread is reader 0; if a thread cannot be started,
	 * the others simply do more. */
	size_t started_readers = 1;
	for (size_t i = 1; i < nreaders; i++) {
		if (pthread_create(&run.readers[i].thread, NULL, read_some, &run.readers[i]) != 0)
			break;
		started_readers = i + 1;
	}
	read_some(&run.readers[0]);
	for (size_t i = 1; i < started_readers; i++)
		pthread_join(run.readers[i].thread, NULL);

	join(s, &run, started_readers);

	for (size_t i = 0; i < nreaders; i++) {
		struct reader *r = &run.readers[i];
		pi_buf_free(&r->buf);
		free(r->tasks);
		free(r->futexes);
		free(r->details);
		free(r->tids);
		free(r->children);
	}
	free(run.readers);
	free(run.slots);
	pi_sched_clock_done(&run.clock);
	pthread_mutex_destroy(&run.pool.lock);
	free(pids);
	s->seconds = clock_seconds(CLOCK_MONOTONIC) - started;
	return 0;
}

void pi_sweep_free(struct pi_sweep *s)
{
	for (size_t i = 0; i < s->ndetails; i++)
		free(s->details[i].regs.all);
	free(s->procs);
	free(s->tasks);
	free(s->futexes);
	free(s->details);
	pi_strpool_free(&s->strings);
	memset(s, 0, sizeof *s);
}

const struct pi_sweep_proc *pi_sweep_find_proc(const struct pi_sweep *s, pid_t pid)
{
	size_t lo = 0, hi = s->nprocs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->procs[mid].pid == pid)
			return &s->procs[mid];
		if (s->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct pi_sweep_task *pi_sweep_find_task(const struct pi_sweep *s,
					       const struct pi_sweep_proc *p, pid_t tid)
{
	const struct pi_sweep_task *tasks = s->tasks + p->first_task;
	size_t lo = 0, hi = p->ntasks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tasks[mid].facts.tid == tid)
			return &tasks[mid];
		if (tasks[mid].facts.tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct pi_sweep_task *pi_sweep_find_ns_task(const struct pi_sweep *s,
						  const struct pi_sweep_proc *p, pid_t ns_tid)
{
	if (!p->own_pid_namespace)
		return pi_sweep_find_task(s, p, ns_tid);
	for (uint32_t i = 0; i < p->ntasks; i++)
		if (s->tasks[p->first_task + i].ns_tid == ns_tid)
			return &s->tasks[p->first_task + i];
	return NULL;
}

double pi_sweep_age(const struct pi_sweep *s, uint64_t starttime)
{
	if (s->clock_ticks <= 0)
		return 0;
	double age = s->uptime_seconds - (double)starttime / (double)s->clock_ticks;
	return age > 0 ? age : 0;
}

int pi_sweep_run(struct pi_sweep *s, unsigned what)
{
	return sweep(s, what, 0);
}

int pi_sweep_run_one(struct pi_sweep *s, unsigned what, pid_t pid)
{
	return sweep(s, what, pid);
}

const char *pi_sweep_task_comm(const struct pi_sweep_proc *p, const struct pi_thread *t)
{
	if (!pi_fact_known(&t->facts, PI_FACT_STAT))
		return NULL;
	return t->facts.tid == p->pid && p->comm[0] ? p->comm : t->facts.comm;
}
