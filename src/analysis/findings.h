/* findings — the noteworthy conditions of a process, each explained in a
 * sentence and tied to the section of pinspect(1) that says what to do.
 *
 * One builder for the snapshot, the live table and the scans: each
 * describes a process in the facts below and points at its tasks'
 * pi_task_facts (analysis/classify.h), members of whichever model read
 * them, and pi_findings_of runs the detectors of the kinds asked for, in the
 * order of the table of kinds (analysis/kinds.h). */
#ifndef PI_ANALYSIS_FINDINGS_H
#define PI_ANALYSIS_FINDINGS_H

#include "analysis/classify.h"
#include "model.h"
#include "util/buf.h"


/* A lock cycle found elsewhere (the live table's, handed over): its
 * sentence and its threads in order. */
struct pi_finding_cycle {
	const char *message;
	const pid_t *tids;
	size_t ntids;
};

/* A process. */
struct pi_finding_proc {
	pid_t pid;
	const char *comm;
	bool subject;			/* a snapshot of it: its sentences need not name it */
	size_t nthreads;		/* threads listed (tasks[] may be fewer) */
	size_t live_threads;		/* threads the kernel counts */
	pid_t ppid;
	const char *parent_comm;	/* NULL: ask comm_of */
	pid_t tracer_pid;		/* 0: the first traced task's */
	const char *tracer_comm;	/* of tracer_pid; NULL: ask comm_of */
	/* The name of another process (parent, tracer), or NULL. */
	const char *(*comm_of)(const void *arg, pid_t pid);
	const void *comm_of_arg;
	const pid_t *zombies;		/* unreaped children */
	size_t nzombies;
	double oldest_zombie_seconds;
	const struct pi_finding_cycle *cycles;
	size_t ncycles;
	/* Across processes (collect/waits.c): cycles of processes, their
	 * PIDs in tids; and chains that end at a stopped process, the
	 * waiting threads in tids. */
	const struct pi_finding_cycle *process_cycles;
	size_t nprocess_cycles;
	const struct pi_finding_cycle *stopped_chains;
	size_t nstopped_chains;
	/* Chains that end at a shared mutex whose owner died holding it:
	 * the waiting thread first in tids, then the chain's other PIDs. */
	const struct pi_finding_cycle *owner_died_chains;
	size_t nowner_died_chains;
	double hung_after_seconds;
	int hung_task_timeout_secs;	/* the kernel's; -1 unknown */
	/* A Go program's goroutines, as read (a snapshot's); NULL: none. */
	const struct pi_go_runtime *go;
	/* Its tasks' facts, in place in the model, classified (flags set). */
	const struct pi_task_facts *const *tasks;
	size_t ntasks;
};

struct pi_finding_list {
	struct pi_finding *v;
	size_t n, cap;
};

/* The kinds to look for: bits 1u << PI_FIND_*. */
#define PI_FIND_BIT(kind) (1u << (kind))
#define PI_FIND_ALL ((1u << PI_FIND_KIND_COUNT) - 1)

/* Appends the findings of p of the given kinds to l. */
void pi_findings_of(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);

/* Appends one finding (the message is taken from msg). */
struct pi_finding *pi_finding_list_add(struct pi_finding_list *l, enum pi_finding_kind kind,
				       pid_t pid, pid_t tid, double seconds, struct pi_buf *msg);
void pi_finding_add_pid(struct pi_finding *f, pid_t pid);
void pi_finding_list_free(struct pi_finding_list *l);

/* Fills p->findings from the threads (their off-CPU times must be known:
 * see pi_analyze_process). */
void pi_findings_build(struct pi_process *p);

/* Appends a finding about thread tid of p (analysis/locks.c). */
struct pi_finding *pi_findings_add(struct pi_process *p, enum pi_finding_kind kind, pid_t tid,
				   double seconds, struct pi_buf *msg);

/* The kind's name ("hung", "zombie_parent", ...) and the section of
 * pinspect(1) that explains it ("HUNG TASKS"): from the table of kinds. */
const char *pi_finding_kind_name(enum pi_finding_kind kind);
const char *pi_finding_see(enum pi_finding_kind kind);

#endif
