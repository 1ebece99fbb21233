#include "table/table.h"

#include "collect/waits.h"

#include <errno.h>
#include <fcntl.h>
#include <libproc2/misc.h>
#include <libproc2/pids.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/sched_clock.h"
#include "proc/system.h"
#include "proc/reader.h"
#include "util/xalloc.h"

/* A process none of whose threads used a clock tick of CPU is re-read
 * anyway after this long: threads that ran for less may have changed
 * state. Short enough to catch a thread that went into D well before
 * the default --hung-after calls it hung. */
#define STALE_SECONDS 10.0

/* libproc2 keeps the stacks of its largest fetch for good: after a
 * select of more threads than this (the first sample, mostly), the
 * context is let go, so that 10,000 threads' stacks are not kept. */
#define THREAD_INFO_KEEP 4096

/* The libproc2 items: all from stat, or free (EUID comes from stat(2) of
 * the task's directory). No PIDS_NS_*: those stat eight files per task. */
static enum pids_item items[] = {
	PIDS_ID_PID, PIDS_ID_TGID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_STATE,
	PIDS_TICS_ALL, PIDS_TICS_BEGAN, PIDS_RSS, PIDS_CMD, PIDS_PROCESSOR,
	PIDS_NLWP, PIDS_FLAGS, PIDS_PRIORITY, PIDS_NICE, PIDS_VSIZE_BYTES,
};
enum { I_PID, I_TGID, I_PPID, I_EUID, I_STATE, I_TICKS, I_BEGAN, I_RSS, I_CMD, I_CPU, I_NLWP,
       I_FLAGS, I_PRIORITY, I_NICE, I_VSIZE, I_COUNT };

#define VAL(i, type, stack) ((stack)->head[i].result.type)

static double clock_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int pi_table_init(struct pi_table *t, const struct pi_table_options *opt)
{
	memset(t, 0, sizeof *t);
	t->opt = *opt;
	t->hz = sysconf(_SC_CLK_TCK);
	if (t->hz <= 0)
		t->hz = 100;
	t->page_size = sysconf(_SC_PAGESIZE);
	t->hung_task_timeout_secs = -1;
	long pages = sysconf(_SC_PHYS_PAGES);
	t->mem_total_bytes = pages > 0 && t->page_size > 0 ? (uint64_t)pages * (uint64_t)t->page_size : 0;
	t->root = geteuid() == 0;
	_Static_assert(sizeof items / sizeof items[0] == I_COUNT, "items and their indexes agree");
	int err = procps_pids_new(&t->info, items, I_COUNT);
	if (err < 0) {
		t->info = NULL;
		return err;
	}
	return 0;
}

static void free_cmdlines(struct pi_proc *procs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(procs[i].cmdline);
		procs[i].cmdline = NULL;
	}
}

void pi_table_done(struct pi_table *t)
{
	pi_waits_session_free(t->waits);
	t->waits = NULL;
	if (t->info)
		procps_pids_unref(&t->info);
	if (t->thread_info)
		procps_pids_unref(&t->thread_info);
	free_cmdlines(t->procs, t->nprocs);
	free_cmdlines(t->old_procs, t->old_nprocs);
	free(t->procs);
	free(t->tasks);
	free(t->old_procs);
	free(t->old_tasks);
	pi_strpool_free(&t->strings);
	pi_deadlocks_free(&t->deadlocks);
	for (size_t i = 0; i < t->nusers; i++)
		free(t->users[i].name);
	free(t->users);
	pi_buf_free(&t->buf);
	free(t->select_pids);
	memset(t, 0, sizeof *t);
}

static int compare_procs(const void *a, const void *b)
{
	pid_t x = ((const struct pi_proc *)a)->pid, y = ((const struct pi_proc *)b)->pid;
	return (x > y) - (x < y);
}

/* Fresh thread rows carry their TGID in .proc until they are placed. */
static int compare_fresh(const void *a, const void *b)
{
	const struct pi_task *x = a, *y = b;
	if (x->proc != y->proc)
		return x->proc > y->proc ? 1 : -1;
	return (x->facts.tid > y->facts.tid) - (x->facts.tid < y->facts.tid);
}

/* Copies a name, cut to size (a thread's name is 15 bytes at most;
 * only kernel threads, whole processes, have longer ones). */
static void copy_name(char *out, size_t size, const char *name)
{
	size_t n = strnlen(name, size - 1);
	memcpy(out, name, n);
	out[n] = '\0';
}

/* Priority and nice fit a byte (the kernel's range is -100..39). */
static int8_t clamp8(int v)
{
	return (int8_t)(v < INT8_MIN ? INT8_MIN : v > INT8_MAX ? INT8_MAX : v);
}

static void task_from_stack(struct pi_task *task, const struct pids_stack *s)
{
	memset(task, 0, sizeof *task);
	task->facts.tid = VAL(I_PID, s_int, s);
	task->proc = (uint32_t)VAL(I_TGID, s_int, s);
	task->facts.state = (char)VAL(I_STATE, s_ch, s);
	task->processor = VAL(I_CPU, s_int, s);
	task->euid = VAL(I_EUID, u_int, s);
	task->starttime = VAL(I_BEGAN, ull_int, s);
	task->ticks = VAL(I_TICKS, ull_int, s);
	task->priority = clamp8(VAL(I_PRIORITY, s_int, s));
	task->nice = clamp8(VAL(I_NICE, s_int, s));
	const char *cmd = VAL(I_CMD, str, s);
	copy_name(task->facts.comm, sizeof task->facts.comm, cmd ? cmd : "");
	task->facts.known = PI_FACT_STAT;
}

static void proc_from_stack(struct pi_table *t, struct pi_proc *p, const struct pids_stack *s)
{
	memset(p, 0, sizeof *p);
	p->pid = VAL(I_PID, s_int, s);
	p->ppid = VAL(I_PPID, s_int, s);
	p->euid = VAL(I_EUID, u_int, s);
	p->state = (char)VAL(I_STATE, s_ch, s);
	p->kernel_thread = (VAL(I_FLAGS, ul_int, s) & PI_PF_KTHREAD) != 0;
	p->processor = VAL(I_CPU, s_int, s);
	p->nlwp = VAL(I_NLWP, s_int, s);
	p->starttime = VAL(I_BEGAN, ull_int, s);
	p->ticks = VAL(I_TICKS, ull_int, s);
	p->rss_bytes = (uint64_t)VAL(I_RSS, ul_int, s) * (uint64_t)t->page_size;
	p->vsize_bytes = VAL(I_VSIZE, ul_int, s);
	p->priority = clamp8(VAL(I_PRIORITY, s_int, s));
	p->nice = clamp8(VAL(I_NICE, s_int, s));
	const char *cmd = VAL(I_CMD, str, s);
	copy_name(p->comm, sizeof p->comm, cmd ? cmd : "");
	p->cmdline_err = PI_NOT_READ;
	p->abi = -1;
	p->cpu_percent = NAN;
}

static double percent(const struct pi_table *t, uint64_t ticks, uint64_t old_ticks,
		      int64_t ns, int64_t old_ns)
{
	if (ns <= old_ns || ticks < old_ticks)
		return NAN;
	double seconds = (double)(ns - old_ns) / 1e9;
	return (double)(ticks - old_ticks) / (double)t->hz / seconds * 100.0;
}

static void forget_details(struct pi_task *task)
{
	task->have = 0;
	task->sched_err = task->wchan_err = task->syscall_err = task->status_err = PI_NOT_READ;
	task->statm_err = PI_NOT_READ;
	task->vcsw_rate = task->ivcsw_rate = NAN;
	/* Of its facts, only the stat's are known. */
	task->facts.known = PI_FACT_STAT;
	task->facts.off_cpu_seconds = 0;
	task->facts.nvcsw = task->facts.nivcsw = 0;
	task->facts.wchan = NULL;
	task->facts.tracer_pid = 0;
	task->facts.syscall_nr = 0;
	task->facts.syscall_kind = 0;
}

/* A task read just now inherits, from the same task in the last sample,
 * what its expensive files said (for rates, and for rows that are not
 * read again) and its CPU rate. */
static void inherit(const struct pi_table *t, struct pi_task *task, const struct pi_task *old,
		    int64_t now)
{
	uint64_t ticks = task->ticks;
	char state = task->facts.state;
	int processor = task->processor;
	int8_t priority = task->priority, nice = task->nice;
	char comm[sizeof task->facts.comm];
	memcpy(comm, task->facts.comm, sizeof comm);

	if (old && old->starttime == task->starttime) {
		uint32_t proc = task->proc;
		double cpu = percent(t, ticks, old->ticks, now, old->ticks_ns);
		*task = *old;
		task->proc = proc;
		task->cpu_percent = cpu;
		task->have = 0;
	} else {
		forget_details(task);
		task->cpu_percent = NAN;
	}
	task->ticks = ticks;
	task->ticks_ns = now;
	task->facts.state = state;
	task->processor = processor;
	task->priority = priority;
	task->nice = nice;
	memcpy(task->facts.comm, comm, sizeof comm);
}

static const struct pi_task *find_old_task(const struct pi_table *t, const struct pi_proc *old,
					   pid_t tid)
{
	return old ? pi_task_search(t->old_tasks + old->first_task, old->ntasks, tid) : NULL;
}

static struct pi_task *new_task(struct pi_table *t)
{
	pi_xgrow(&t->tasks, &t->tasks_cap, t->ntasks + 1, sizeof *t->tasks);
	return &t->tasks[t->ntasks++];
}

/* A single-threaded process is its own one task: the process row says
 * everything its thread's would. */
static void add_single(struct pi_table *t, struct pi_proc *p, uint32_t pi,
		       const struct pi_proc *old, int64_t now)
{
	struct pi_task *task = new_task(t);
	memset(task, 0, sizeof *task);
	task->facts.tid = p->pid;
	task->proc = pi;
	task->facts.state = p->state;
	task->processor = p->processor;
	task->euid = p->euid;
	task->starttime = p->starttime;
	task->ticks = p->ticks;
	task->priority = p->priority;
	task->nice = p->nice;
	copy_name(task->facts.comm, sizeof task->facts.comm, p->comm);
	task->facts.known = PI_FACT_STAT;
	inherit(t, task, find_old_task(t, old, p->pid), now);
}

/* Threads of a process that did not run: as they were, with no CPU used. */
static void carry_threads(struct pi_table *t, struct pi_proc *p, uint32_t pi,
			  const struct pi_proc *old, int64_t now)
{
	for (uint32_t i = 0; i < old->ntasks; i++) {
		struct pi_task *task = new_task(t);
		*task = t->old_tasks[old->first_task + i];
		task->proc = pi;
		task->have = 0;
		task->cpu_percent = 0;
		task->ticks_ns = now;
		/* The process's own stat is fresh, and its state is the
		 * main thread's. */
		if (task->facts.tid == p->pid) {
			task->facts.state = p->state;
			task->priority = p->priority;
			task->nice = p->nice;
		}
	}
}

/* In thread mode libproc2 reads the main thread from /proc/PID/stat,
 * whose CPU time is the whole process's; its own is in task/PID/stat. */
static void fix_main_thread_ticks(struct pi_table *t, struct pi_task *task)
{
	struct pi_stat st;
	if (pi_proc_read_file(task->facts.tid, task->facts.tid, "stat", &t->buf) == 0
	    && pi_stat_parse(t->buf.data, t->buf.len, &st) == 0 && st.starttime == task->starttime)
		task->ticks = st.utime + st.stime;
}

static void add_fresh_threads(struct pi_table *t, struct pi_proc *p, uint32_t pi,
			      const struct pi_proc *old, struct pi_task *fresh, size_t n,
			      int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct pi_task *task = new_task(t);
		*task = fresh[i];
		task->proc = pi;
		if (task->facts.tid == p->pid && p->nlwp > 1)
			fix_main_thread_ticks(t, task);
		inherit(t, task, find_old_task(t, old, task->facts.tid), now);
	}
}

static void read_system(struct pi_table *t)
{
	double up, idle;
	t->uptime_seconds = procps_uptime(&up, &idle) == 0 ? up : clock_seconds(CLOCK_BOOTTIME);
	t->realtime_seconds = clock_seconds(CLOCK_REALTIME);
	t->load_known = procps_loadavg(&t->load[0], &t->load[1], &t->load[2]) == 0;
	int secs;
	t->hung_task_timeout_secs = pi_proc_sysctl_int("kernel/hung_task_timeout_secs", &secs) == 0 ? secs : -1;
}

/* Threads must be re-read when something shows that one of them ran or
 * came or went, or when the last read is getting old. */
static bool needs_threads(const struct pi_table *t, const struct pi_proc *p,
			  const struct pi_proc *old, int64_t now)
{
	if (p->nlwp <= 1)
		return false;
	if (!old || t->opt.only_pid)
		return true;
	return p->ticks != old->ticks || p->nlwp != old->nlwp || p->state != old->state
	       || old->ntasks != (uint32_t)p->nlwp || now >= old->next_full_read_ns;
}

/* When to re-read a process's threads next even if it seems idle. New
 * processes get a point spread over the period, so that the processes
 * found at start are not all re-read in the same refresh. */
static int64_t next_full_read(pid_t pid, int64_t now, bool first)
{
	double fraction = first ? (double)(((uint32_t)pid * 2654435761u) % 1000) / 1000.0 : 1.0;
	return now + (int64_t)(STALE_SECONDS * fraction * 1e9);
}

/* Room for this sample's tasks, and not much more: ten thousand tasks
 * are a few megabytes, kept twice. */
static void reserve_tasks(struct pi_table *t, const struct pi_proc **olds, const bool *need,
			  size_t nfresh)
{
	size_t bound = nfresh;
	for (size_t i = 0; i < t->nprocs; i++)
		bound += need[i] ? 1 : olds[i] && t->procs[i].nlwp > 1 ? olds[i]->ntasks : 1;
	if (t->tasks_cap >= bound && t->tasks_cap <= bound + bound / 4 + 1024)
		return;
	t->tasks_cap = bound + bound / 16 + 64;
	t->tasks = pi_xrealloc(t->tasks, t->tasks_cap * sizeof *t->tasks);
}

static void swap_samples(struct pi_table *t)
{
	struct pi_proc *pp = t->old_procs;
	size_t pcap = t->old_procs_cap;
	struct pi_task *tp = t->old_tasks;
	size_t tcap = t->old_tasks_cap;

	free_cmdlines(t->old_procs, t->old_nprocs);
	t->old_procs = t->procs;
	t->old_nprocs = t->nprocs;
	t->old_procs_cap = t->procs_cap;
	t->old_tasks = t->tasks;
	t->old_ntasks = t->ntasks;
	t->old_tasks_cap = t->tasks_cap;
	t->procs = pp;
	t->procs_cap = pcap;
	t->nprocs = 0;
	t->tasks = tp;
	t->tasks_cap = tcap;
	t->ntasks = 0;
}

static int reap_processes(struct pi_table *t)
{
	struct pids_fetch *f;
	errno = 0;
	if (t->opt.only_pid) {
		unsigned pid = (unsigned)t->opt.only_pid;
		f = procps_pids_select(t->info, &pid, 1, PIDS_SELECT_PID);
	} else {
		f = procps_pids_reap(t->info, PIDS_FETCH_TASKS_ONLY);
	}
	if (!f)
		return errno ? -errno : -EIO;
	size_t n = 0;
	while (f->stacks[n])
		n++;
	pi_xgrow(&t->procs, &t->procs_cap, n, sizeof *t->procs);
	for (size_t i = 0; i < n; i++) {
		struct pi_proc *p = &t->procs[t->nprocs];
		proc_from_stack(t, p, f->stacks[i]);
		/* --top given a thread's ID: /proc shows it as a process. */
		if (VAL(I_TGID, s_int, f->stacks[i]) != p->pid)
			continue;
		t->nprocs++;
	}
	if (t->nprocs > 1)
		qsort(t->procs, t->nprocs, sizeof *t->procs, compare_procs);
	if (t->opt.only_pid && t->nprocs == 0)
		return -ESRCH;
	return 0;
}

/* The threads of the processes that need them, sorted by process. */
static struct pi_task *reap_threads(struct pi_table *t, const bool *need, size_t *count)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nprocs; i++) {
		if (!need[i])
			continue;
		pi_xgrow(&t->select_pids, &t->select_cap, n + 1, sizeof *t->select_pids);
		t->select_pids[n++] = (unsigned)t->procs[i].pid;
	}
	*count = 0;
	t->reread_procs = n;
	if (!n)
		return NULL;
	if (!t->thread_info && procps_pids_new(&t->thread_info, items, I_COUNT) < 0) {
		t->thread_info = NULL;
		return NULL;
	}
	struct pids_fetch *f = procps_pids_select(t->thread_info, t->select_pids, (int)n,
						  PIDS_SELECT_PID_THREADS);
	if (!f)
		return NULL;
	size_t rows = 0;
	while (f->stacks[rows])
		rows++;
	struct pi_task *fresh = pi_xcalloc(rows ? rows : 1, sizeof *fresh);
	for (size_t i = 0; i < rows; i++)
		task_from_stack(&fresh[i], f->stacks[i]);
	if (rows > THREAD_INFO_KEEP)
		procps_pids_unref(&t->thread_info);
	if (rows > 1)
		qsort(fresh, rows, sizeof *fresh, compare_fresh);
	*count = rows;
	return fresh;
}

struct pi_waits_session *pi_table_waits(struct pi_table *t)
{
	if (!t->waits)
		t->waits = pi_waits_session_new(PI_TABLE_WAITS_SECONDS);
	return t->waits;
}

int pi_table_sample(struct pi_table *t)
{
	/* What tasks waited for belongs to the last sample. */
	pi_waits_session_free(t->waits);
	t->waits = NULL;
	swap_samples(t);
	int64_t now = pi_monotonic_ns();
	int err = reap_processes(t);
	if (err)
		return err;

	/* Match each process with itself in the last sample (both are
	 * sorted by PID; a reused PID has another start time). */
	const struct pi_proc **olds = pi_xcalloc(t->nprocs, sizeof *olds);
	bool *need = pi_xcalloc(t->nprocs, sizeof *need);
	for (size_t i = 0, j = 0; i < t->nprocs; i++) {
		while (j < t->old_nprocs && t->old_procs[j].pid < t->procs[i].pid)
			j++;
		if (j < t->old_nprocs && t->old_procs[j].pid == t->procs[i].pid
		    && t->old_procs[j].starttime == t->procs[i].starttime)
			olds[i] = &t->old_procs[j];
		need[i] = needs_threads(t, &t->procs[i], olds[i], now);
	}

	size_t nfresh;
	struct pi_task *fresh = reap_threads(t, need, &nfresh);
	size_t f = 0;
	reserve_tasks(t, olds, need, nfresh);
	for (size_t i = 0; i < t->nprocs; i++) {
		struct pi_proc *p = &t->procs[i];
		const struct pi_proc *old = olds[i];
		uint32_t pi = (uint32_t)i;

		p->first_task = (uint32_t)t->ntasks;
		if (old) {
			p->cpu_percent = percent(t, p->ticks, old->ticks, now, old->ticks_ns);
			p->cmdline = old->cmdline;
			p->cmdline_err = old->cmdline_err;
			p->cmdline_cut = old->cmdline_cut;
			p->cmdline_bytes_more = old->cmdline_bytes_more;
			p->cmdline_bytes = old->cmdline_bytes;
			p->abi = old->abi;
			p->abi_read = old->abi_read;
			((struct pi_proc *)old)->cmdline = NULL;
		}
		p->ticks_ns = now;

		while (f < nfresh && (pid_t)fresh[f].proc < p->pid)
			f++;
		size_t start = f;
		while (f < nfresh && (pid_t)fresh[f].proc == p->pid)
			f++;
		if (need[i] && f > start) {
			add_fresh_threads(t, p, pi, old, fresh + start, f - start, now);
			p->next_full_read_ns = next_full_read(p->pid, now, false);
		} else if (p->nlwp > 1 && old && !need[i]) {
			carry_threads(t, p, pi, old, now);
			p->next_full_read_ns = old->next_full_read_ns;
		} else {
			add_single(t, p, pi, old, now);
			p->next_full_read_ns = old ? old->next_full_read_ns
						   : next_full_read(p->pid, now, true);
		}
		if (!old && p->nlwp > 1 && need[i])
			p->next_full_read_ns = next_full_read(p->pid, now, true);
		p->ntasks = (uint32_t)t->ntasks - p->first_task;
		if (p->cmdline_err == PI_NOT_READ)
			pi_table_read_cmdline(t, p);
	}
	free(fresh);
	free(olds);
	free(need);

	t->sample_ns = now;
	t->samples++;
	t->detail_reads = 0;
	read_system(t);

	/* Tasks in D: their time off the CPU says whether they are hung. */
	size_t nd = 0;
	struct pi_task **d = NULL;
	size_t dcap = 0;
	for (size_t i = 0; i < t->ntasks; i++) {
		if (t->tasks[i].facts.state != 'D')
			continue;
		pi_xgrow(&d, &dcap, nd + 1, sizeof *d);
		d[nd++] = &t->tasks[i];
	}
	pi_table_read(t, d, nd, PI_DETAIL_STAT | PI_DETAIL_SCHED | PI_DETAIL_WCHAN | PI_DETAIL_SYSCALL);
	free(d);
	pi_table_classify(t);
	return 0;
}
