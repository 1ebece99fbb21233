/* finding_text — the sentence that explains each kind of finding.
 *
 * The snapshot, the task table of the live view and batch mode, and the
 * system-wide scans find hung tasks, zombies and stopped processes each
 * from its own reads, through the one builder (analysis/findings.h),
 * whose detectors word them here: a finding reads the same wherever it
 * was found. Names come from the tasks themselves and are escaped. */
#ifndef PI_ANALYSIS_FINDING_TEXT_H
#define PI_ANALYSIS_FINDING_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"

/* "thread 1235 (worker)", "process 42 (nginx)". */
void pi_text_task(struct pi_buf *b, const char *what, pid_t id, const char *comm);

/* What is known of a task in D. */
struct pi_d_task_text {
	pid_t tid;
	const char *comm;
	pid_t pid;
	const char *process_comm;	/* NULL: leave the process out (a snapshot is about it) */
	bool off_cpu_known;
	double off_cpu_seconds;
	const char *wchan;		/* NULL or "": unknown, or not waiting */
	bool hung;			/* past the threshold */
	double hung_after_seconds;
	int hung_task_timeout_secs;	/* the kernel's; -1 unknown */
};

/* "thread 12 (x) of process 10 (y) has been in D (uninterruptible) for
 * 5 min 2 s, waiting in folio_wait_bit; hung: longer than ...". */
void pi_text_d_task(struct pi_buf *b, const struct pi_d_task_text *t);

/* "process 43 (sh) is a zombie: it has exited, and its parent 42 (make)
 * has not reaped it with wait()". parent_comm may be NULL (unknown). */
void pi_text_zombie(struct pi_buf *b, pid_t pid, const char *comm, pid_t ppid,
		    const char *parent_comm);

/* "[process 42 (make)] holds 3 unreaped zombie children (the oldest
 * started 2 min ago): pid 43 44 45". comm NULL: no subject (the snapshot
 * of the parent itself). At most ten PIDs are listed. */
void pi_text_zombie_parent(struct pi_buf *b, pid_t pid, const char *comm, const pid_t *zombies,
			   size_t n, double oldest_seconds);

/* One process of a chain of waits across processes: "100 (a) in read on
 * pipe:[1]", or, where it does not wait on another, its state. */
struct pi_wait_step;
void pi_text_wait_step(struct pi_buf *b, const struct pi_wait_step *s);

/* A cycle of processes waiting for each other (steps[0..n-1], the last
 * waiting on the first): "processes 100 (a) and 200 (b) wait for each
 * other, with no timeout: 100 (a) in read on pipe:[1] -> 200 (b) in
 * flock on /x -> back to 100: none will go on". */
void pi_text_process_cycle(struct pi_buf *b, const struct pi_wait_step *steps, size_t n);

/* A chain of waits that ends at a stopped or traced process (the last
 * step), with how many threads of the process wait along it. */
/* A chain of waits steps[0..n) that ends at a shared mutex whose owner
 * (owner_tid; 0 unknown) died holding it. */
void pi_text_mutex_owner_died(struct pi_buf *b, const struct pi_wait_step *steps, size_t n, pid_t owner_tid);
void pi_text_waits_on_stopped(struct pi_buf *b, const struct pi_wait_step *steps, size_t n,
			      size_t threads);

/* "the main thread 42 has exited; the process lives on in 3 other threads". */
void pi_text_leader_exited(struct pi_buf *b, pid_t pid, size_t other_threads);

/* Stopped (T) or traced (t, or a tracer attached) threads of a process. */
struct pi_stop_text {
	bool traced;			/* traced, not stopped by a signal */
	pid_t pid;
	const char *comm;
	size_t hit, nthreads;		/* threads concerned, of how many */
	bool name_process;		/* "of process 42" when not every thread is */
	pid_t tracer;			/* 0: unknown */
	const char *tracer_comm;	/* NULL: unknown */
	bool held;			/* a thread sits in a ptrace stop (t) */
};

void pi_text_stopped(struct pi_buf *b, const struct pi_stop_text *s);

#endif
