/* classify — the one rule book for "is this task in trouble?".
 *
 * The snapshot, the live monitor and the system-wide scans all ask it, so
 * that a task flagged hung in one is flagged hung in all. It works on the
 * few facts every mode has for a task: one struct, pi_task_facts, that is
 * a member of each mode's model of a task (a snapshot's pi_thread, the
 * live table's pi_task, a sweep's pi_sweep_task), filled where that model
 * reads the task, and read in place by the classifier and the findings
 * builder (analysis/findings.h). doc/design.md, "Rule book", says where
 * each model fills it. */
#ifndef PI_ANALYSIS_CLASSIFY_H
#define PI_ANALYSIS_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A thread's name as the kernel keeps it (TASK_COMM_LEN). A main
 * thread's process name may be longer (kernel workers'): that one is a
 * fact of the process. */
enum { PI_TASK_COMM_LEN = 16 };

/* Which facts were read: the one convention for "not read". A fact whose
 * bit is clear was not read (or could not be: why is the model's
 * business, in its *_err fields), and its value is then zero, NULL or
 * "" — never to be printed as a value. One bit per file the facts come
 * from, so one read sets it. */
enum pi_fact_known {
	PI_FACT_STAT = 1u << 0,		/* state, comm */
	PI_FACT_OFF_CPU = 1u << 1,	/* off_cpu_seconds */
	PI_FACT_SWITCHES = 1u << 2,	/* nvcsw, nivcsw */
	PI_FACT_WCHAN = 1u << 3,	/* wchan */
	PI_FACT_TRACER = 1u << 4,	/* tracer_pid */
	PI_FACT_SYSCALL = 1u << 5,	/* syscall_kind, syscall_nr: the live table's (a
					 * snapshot keeps the whole record, pi_thread.syscall) */
};

/* What every mode knows of a task. Packed: the live table holds two of
 * these per task (this sample and the last), for every task on the
 * system. */
struct pi_task_facts {
	double off_cpu_seconds;		/* since it last ran; 0 while running */
	uint64_t nvcsw, nivcsw;		/* voluntary and involuntary switches so far */
	const char *wchan;		/* pooled; "": not waiting in the kernel */
	pid_t tid;			/* always known: it names the task */
	pid_t tracer_pid;		/* 0: not traced */
	int32_t syscall_nr;		/* with syscall_kind PI_SYSCALL_IN (proc/syscall.h) */
	uint8_t syscall_kind;		/* enum pi_syscall_kind */
	uint8_t known;			/* PI_FACT_* */
	uint8_t flags;			/* PI_TASK_*: pi_classify_task's, once asked */
	char state;			/* the stat letter */
	char comm[PI_TASK_COMM_LEN];	/* the thread's name, raw */
};

static inline bool pi_fact_known(const struct pi_task_facts *f, unsigned fact)
{
	return (f->known & fact) == fact;
}

/* Records whether a fact was read (its value set beforehand). */
static inline void pi_fact_set_known(struct pi_task_facts *f, unsigned fact, bool known)
{
	f->known = (uint8_t)(known ? f->known | fact : f->known & ~fact);
}

/* Sets the thread's name (cut to what the kernel keeps for a thread). */
void pi_facts_set_comm(struct pi_task_facts *f, const char *comm);

enum pi_task_flag {
	PI_TASK_HUNG = 1u << 0,		/* D and off the CPU longer than the threshold */
	PI_TASK_UNINTERRUPTIBLE = 1u << 1,	/* D, not (known to be) hung */
	PI_TASK_ZOMBIE = 1u << 2,
	PI_TASK_STOPPED = 1u << 3,
	PI_TASK_TRACED = 1u << 4,
	PI_TASK_LEADER_EXITED = 1u << 5,	/* a Z main thread whose process lives on */
	/* In a lock cycle: waits for a mutex whose owner waits, directly or
	 * not, for one this thread holds. Not one of pi_classify_task's
	 * letter rules: the monitor sets it from a deadlock scan
	 * (health/check.h), which reads the lock words the letters lack. */
	PI_TASK_DEADLOCKED = 1u << 6,
	PI_TASK_FLAGS_ALL = (1u << 7) - 1,
};
/* They are kept in pi_task_facts.flags, a byte: widen it before adding
 * a ninth. */
_Static_assert(PI_TASK_FLAGS_ALL <= UINT8_MAX, "pi_task_facts.flags is a byte");

/* The kernel's khungtaskd rule: a task in D whose context-switch count did
 * not change for longer than the threshold. Time off the CPU, measured in
 * one snapshot, is the same fact: a task that has not run has not switched.
 *
 * pid and process_threads are facts of its process: its PID, and how
 * many of its threads live (0: not known) — a main thread in Z with
 * others living on has exited, and its process is no zombie yet. */
unsigned pi_classify_task(const struct pi_task_facts *t, pid_t pid, unsigned process_threads,
			  double hung_after_seconds);

/* The default --hung-after: long enough that ordinary disk I/O does not
 * trip it, short enough to flag a stuck task while someone is looking. */
#define PI_HUNG_AFTER_DEFAULT 10.0

#endif
