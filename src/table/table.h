/* table — every task on the system (or of one process), refreshed in
 * samples, for the live view, batch mode and the system-wide scans. It
 * knows nothing of screens: it reads, remembers and classifies.
 *
 * What it costs is the point of its shape (doc/design.md, "What
 * things cost"). Each sample reaps the processes with libproc2, stat items
 * only (one read per process). A process whose CPU time, thread count and
 * state did not move had no thread run, so its threads are carried over
 * from the last sample; only the others are re-read, with
 * procps_pids_select. A process is re-read anyway once its threads are
 * STALE_SECONDS old, in case threads ran for less than a clock tick and
 * changed state. The expensive files (sched, wchan, syscall, status) are
 * read by pi_table_read only for the tasks the caller names — the rows on
 * screen, the sort column's — and for every task in D, whose time off the
 * CPU decides whether it is hung. Deadlocks are not found here but
 * handed over (table/deadlocks.h): looking for them costs more than a
 * sample. */
#ifndef PI_TABLE_TABLE_H
#define PI_TABLE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analysis/classify.h"
#include "proc/stat.h"
#include "proc/syscall.h"
#include "table/deadlocks.h"
#include "util/buf.h"
#include "util/strpool.h"

struct pids_info;

/* The expensive files of a task (bits of pi_task.have). */
enum pi_detail {
	PI_DETAIL_STAT = 1u << 0,	/* a fresh stat: the state now */
	PI_DETAIL_SCHED = 1u << 1,	/* switch counts and time off the CPU */
	PI_DETAIL_WCHAN = 1u << 2,
	PI_DETAIL_SYSCALL = 1u << 3,
	PI_DETAIL_STATUS = 1u << 4,	/* the tracer */
	PI_DETAIL_STATM = 1u << 5,	/* shared memory (SHR) */
	PI_DETAIL_ALL = (1u << 6) - 1,
};

/* How much of a command line the table keeps and shows (a process may
 * pass megabytes of arguments), and how far it counts the rest: past
 * what execve allows (6 MiB), only a process that pointed its argument
 * area elsewhere in its memory. */
enum { PI_CMDLINE_KEEP = 4096, PI_CMDLINE_COUNT_MAX = 16 << 20 };

/* An item never read yet (stored in the *_err fields, beside -errno). */
enum { PI_NOT_READ = 1 };

/* Ten thousand of these live twice (this sample and the last): the
 * fields are packed, and what only the rows on screen need is small. */
struct pi_task {
	/* tid, state and comm from stat, each sample (PI_FACT_STAT); the
	 * rest as the expensive files are read (PI_DETAIL_*); flags from
	 * pi_table_classify. A main thread's name is its process's
	 * (pi_task_comm). */
	struct pi_task_facts facts;
	uint32_t proc;		/* its process: index into pi_table.procs */
	uid_t euid;
	uint8_t have;		/* PI_DETAIL_* read since the last sample */
	int8_t priority, nice;	/* from stat, each sample */
	int processor;		/* the CPU it last ran on */
	/* Each expensive file's result: 0, -errno (or -PI_ERR_* from
	 * model.h), or PI_NOT_READ. */
	int16_t sched_err, wchan_err, syscall_err, status_err, statm_err;
	uint32_t shared_pages;	/* statm's third field (PI_DETAIL_STATM) */
	float cpu_percent;	/* over the last interval; NaN before there is one */
	float vcsw_rate, ivcsw_rate;	/* switches per second between two reads; NaN unknown */
	uint64_t starttime;	/* clock ticks after boot; with tid, names the task */
	uint64_t ticks;		/* utime + stime */
	int64_t ticks_ns;	/* when ticks was read (CLOCK_MONOTONIC) */
	int64_t sched_ns;	/* when facts' switch counts were read (0: never) */
};

struct pi_proc {
	pid_t pid, ppid;
	uid_t euid;
	char state;		/* its main thread's */
	bool kernel_thread;
	int processor;		/* the CPU its main thread last ran on */
	int nlwp;		/* threads, as the kernel counts them */
	uint64_t starttime;
	uint64_t ticks;		/* the whole process's utime + stime */
	int64_t ticks_ns;
	double cpu_percent;	/* NaN before a second sample */
	uint64_t rss_bytes;
	uint64_t vsize_bytes;	/* virtual memory (VIRT) */
	int8_t priority, nice;	/* its main thread's */
	char comm[PI_COMM_MAX + 1];
	/* Arguments joined by spaces, raw, at most PI_CMDLINE_KEEP bytes of
	 * them (cut on a UTF-8 boundary); NULL unknown. Kept once per
	 * process, whatever its number of threads. */
	char *cmdline;
	int cmdline_err;
	bool cmdline_cut;	/* cmdline is the start of a longer one */
	bool cmdline_bytes_more; /* it has more than cmdline_bytes (counting stopped) */
	size_t cmdline_bytes;	/* the size of the whole command line (its file's) */
	int abi;		/* enum pi_abi of its system calls; -1 unknown */
	bool abi_read;		/* tried already (the executable may be unreadable) */

	uint32_t first_task, ntasks;	/* its threads in pi_table.tasks, by TID */
	int64_t next_full_read_ns;	/* re-read its threads by then, changed or not */

	/* pi_table_classify */
	unsigned flags;		/* every flag of its threads */
	uint32_t worst_task;	/* the thread whose flag matters most */
	unsigned zombies;	/* children that exited and were not reaped */
	double oldest_zombie_seconds;
};

struct pi_table_counts {
	size_t processes, threads;
	size_t running, sleeping, uninterruptible, stopped, traced, zombie, idle, other;
	size_t hung;			/* threads in D past the threshold */
	size_t zombie_parents;
	size_t deadlocks;		/* lock cycles (table/deadlocks.h) */
	size_t deadlocked;		/* threads in them */
};

struct pi_table_options {
	pid_t only_pid;			/* 0: every process; else that one's threads */
	double hung_after_seconds;
};

struct pi_user_name {
	uid_t uid;
	char *name;		/* NULL: the ID has no name */
};

struct pi_table {
	struct pi_table_options opt;
	struct pids_info *info;		/* reaps the processes */
	struct pids_info *thread_info;	/* selects the threads of some; NULL until needed */

	struct pi_proc *procs;		/* by PID */
	size_t nprocs, procs_cap;
	struct pi_task *tasks;		/* grouped by process, by TID within */
	size_t ntasks, tasks_cap;
	struct pi_proc *old_procs;	/* the previous sample */
	size_t old_nprocs, old_procs_cap;
	struct pi_task *old_tasks;
	size_t old_ntasks, old_tasks_cap;

	unsigned samples;		/* taken so far */
	int64_t sample_ns;		/* CLOCK_MONOTONIC of the last sample */
	double uptime_seconds;		/* CLOCK_BOOTTIME then */
	double realtime_seconds;	/* CLOCK_REALTIME then */
	bool load_known;
	double load[3];
	int hung_task_timeout_secs;	/* -1 unknown */
	uint64_t mem_total_bytes;	/* physical memory, for MEM% (0 unknown) */
	long hz, page_size;
	struct pi_table_counts counts;
	struct pi_deadlocks deadlocks;	/* the last scan's cycles still there */

	/* What the last sample and reads cost, for the curious (and the
	 * benchmark): processes whose threads were re-read, and tasks
	 * whose expensive files were. */
	size_t reread_procs, detail_reads;

	struct pi_strpool strings;	/* wait channels */
	struct pi_user_name *users;
	size_t nusers, users_cap;
	bool root;			/* we may read everyone's wchan and syscall */
	struct pi_buf buf;
	unsigned *select_pids;
	size_t select_cap;
	/* What tasks wait for in other processes, for the WAITS FOR column:
	 * made when a cell first asks, dropped at the next sample. */
	struct pi_waits_session *waits;
};

/* A refresh spends at most this long looking across processes. */
#define PI_TABLE_WAITS_SECONDS 2.0

/* The session of this sample (made on first use). */
struct pi_waits_session *pi_table_waits(struct pi_table *t);

/* Returns 0, or -errno when libproc2 cannot be set up. */
int pi_table_init(struct pi_table *t, const struct pi_table_options *opt);
void pi_table_done(struct pi_table *t);

/* Takes a sample: every process (or opt.only_pid's), their threads when
 * they may have changed, the expensive files of tasks in D, and the
 * classification. Returns 0, -ESRCH when only_pid does not exist (any
 * more), or -errno when /proc cannot be read. */
int pi_table_sample(struct pi_table *t);

/* Reads the expensive files in `what` (PI_DETAIL_*) of the given tasks,
 * skipping what was already read since the sample. Call
 * pi_table_classify afterwards: the flags may change. */
void pi_table_read(struct pi_table *t, struct pi_task *const *tasks, size_t n, unsigned what);
/* The same for every task. */
void pi_table_read_all(struct pi_table *t, unsigned what);
/* Reads a process's command line (new processes get theirs in the
 * sample), and those of the processes of these tasks again (a process
 * may rewrite its arguments). */
void pi_table_read_cmdline(struct pi_table *t, struct pi_proc *p);
void pi_table_read_cmdlines(struct pi_table *t, struct pi_task *const *tasks, size_t n);

/* Flags every task with the shared classifier and the deadlocks handed
 * over, and counts. */
void pi_table_classify(struct pi_table *t);

/* How much a task's flags matter: the rank of the table of kinds
 * (analysis/kinds.h): hung or deadlocked (equally: both are stuck), D,
 * zombie, stopped, traced, leader exited; 0 for none. */
int pi_task_flag_rank(unsigned flags);

static inline struct pi_proc *pi_task_proc(const struct pi_table *t, const struct pi_task *task)
{
	return &t->procs[task->proc];
}

/* A task's name: its own, or for a main thread its process's (which
 * may be longer: kernel threads' names are). */
static inline const char *pi_task_comm(const struct pi_table *t, const struct pi_task *task)
{
	const struct pi_proc *p = &t->procs[task->proc];
	return task->facts.tid == p->pid ? p->comm : task->facts.comm;
}

/* The process with this PID, or NULL. */
struct pi_proc *pi_table_find_proc(const struct pi_table *t, pid_t pid);
/* The task with this TID, or NULL. */
struct pi_task *pi_table_find_task(const struct pi_table *t, pid_t tid);
/* The task with this TID among v[0..n), sorted by TID (a process's
 * threads), or NULL. */
struct pi_task *pi_task_search(const struct pi_task *v, size_t n, pid_t tid);
/* A process's main thread (or its first, if the main one is gone). */
struct pi_task *pi_proc_main_task(const struct pi_table *t, const struct pi_proc *p);

/* The user's name (NULL when the ID has none), looked up once. */
const char *pi_table_user_name(struct pi_table *t, uid_t uid);

/* How long ago, in seconds, a task started. */
double pi_table_age(const struct pi_table *t, uint64_t starttime);

#endif
