/* reasons — the one table of why something is unavailable: every reason
 * pinspect names, with its stable code, a short key for JSON and the
 * metrics, and its words. Every renderer (text, JSON, the scans, the live
 * view and its snapshot page) words a reason through here, so no two of
 * them can say it differently.
 *
 * A reason is an errno or one of the PI_ERR_* codes below, stored negated
 * in the model's *_err fields. Some words depend on the read (the budget
 * it had, how many threads the process has, why it was refused): they
 * are completed from a pi_reason_ctx. */
#ifndef PI_ANALYSIS_REASONS_H
#define PI_ANALYSIS_REASONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"

/* Reasons beyond errno (stored negated, like errnos). The numbers are
 * stable: they are above every errno, and scripts may have seen them. */
enum {
	PI_ERR_KERNEL_THREAD = 4097,	/* kernel threads have no user address space */
	PI_ERR_ZOMBIE = 4098,		/* an exited task: its memory is gone */
	PI_ERR_NO_VDSO = 4099,		/* the process has no [vdso] mapping */
	PI_ERR_RUNNING = 4100,		/* running, and --no-ptrace forbids stopping it */
	PI_ERR_MOVED = 4101,		/* it kept moving while its stack was copied */
	PI_ERR_NOT_ASKED = 4102,	/* user stacks were not asked for */
	PI_ERR_NO_STACK_MAP = 4103,	/* its stack pointer is in no mapping */
	PI_ERR_NOT_X86_64 = 4104,	/* an ABI src/arch has no row for (x32) */
	PI_ERR_TIMEOUT = 4105,		/* not reached within the time budget (--timeout) */
	PI_ERR_NO_USER_SAMPLE = 4106,	/* it ran, but never in user space when sampled */
	PI_ERR_TLS_NOT_CHECKED = 4107,	/* its architecture's TLS is not read (src/arch) */
	/* A sandboxed decoder (src/sandbox/) failed; only its item is lost. */
	PI_ERR_SANDBOX_CRASHED = 4120,	/* it died of a signal or exited with an error */
	PI_ERR_SANDBOX_TIMEOUT = 4121,	/* killed at its deadline, or its CPU time limit */
	PI_ERR_SANDBOX_SYSCALL = 4122,	/* killed by its seccomp filter */
	PI_ERR_SANDBOX_MEMORY = 4123,	/* ran out of its address space limit */
	PI_ERR_SANDBOX_REPLY = 4124,	/* sent records that failed validation */
	PI_ERR_SANDBOX_SETUP = 4125,	/* its confinement could not be set up */
	/* Why libthread_db's walk of glibc's thread list, which lies in the
	 * process's memory and so is the process's to forge, was stopped
	 * short or refused (tls/bounds.h). */
	PI_ERR_THREAD_LIST_LOOP = 4130,	/* an entry already seen came round again */
	PI_ERR_THREAD_LIST_LONG = 4131,	/* far more entries than the process has threads */
	PI_ERR_THREAD_DB_ALTERED = 4132,	/* a _thread_db_* descriptor is not glibc's */
	PI_ERR_THREAD_DB_BUDGET = 4133,	/* libthread_db read more than the threads justify */
	PI_ERR_THREAD_LIST_LAYOUT = 4134,	/* a descriptor no glibc of its word size has */
	/* Who can wake a thread that waits on another process could not be
	 * known (collect/waits.c). */
	PI_ERR_OTHER_NETNS = 4140,	/* the socket is in another network namespace */
	PI_ERR_LOCK_NOT_LISTED = 4141,	/* /proc/locks shows no wait of this process on the file */
	PI_ERR_REMOTE_PEER = 4142,	/* the other end is not on this machine (or not in its namespace) */
	PI_ERR_LOCK_HOLDER_UNSEEN = 4143,	/* no descriptor pinspect can read holds the flock/OFD lock */
	/* A runtime pinspect recognises but does not read (src/runtime/):
	 * what is missing, and which tool shows it. */
	PI_ERR_JAVA_FRAMES = 4150,	/* a JVM: Java frames and Java-level deadlocks */
	PI_ERR_GO_GOROUTINES = 4151,	/* a Go program: its goroutines were not read */
	PI_ERR_GO_VERSION = 4152,	/* runtime.g's layout is not known for its Go version */
	PI_ERR_GO_STRIPPED = 4153,	/* no runtime.allgs symbol: stripped */
	PI_ERR_GO_OLD = 4154,		/* a .gopclntab of Go before 1.18 */
	PI_ERR_GO_UNREADABLE = 4155,	/* its .gopclntab or goroutine list does not hold together */
	PI_ERR_PY_VERSION = 4160,	/* a CPython whose structures pinspect does not know */
	PI_ERR_PY_UNREADABLE = 4161,	/* its interpreter list does not hold together */
};

/* What a reason's words may need besides its code. */
enum pi_reason_arg {
	PI_REASON_ARG_NONE,
	PI_REASON_ARG_TIMEOUT,		/* %g: --timeout's seconds */
	PI_REASON_ARG_SAMPLE_WAIT,	/* %s: how long running threads were waited for */
	PI_REASON_ARG_STOP_WAIT,	/* %s: how long a stop was waited for */
	PI_REASON_ARG_THREADS,		/* %zu: the process's threads */
};

struct pi_reason {
	int code;			/* positive: an errno or a PI_ERR_* */
	const char *item;		/* NULL: any item; else words for that item only */
	const char *key;		/* short, stable, [a-z_]: JSON "code", metric label */
	const char *words;		/* a format when arg asks for a value */
	enum pi_reason_arg arg;
	/* Of a task that has no such thing (not a failure): a cell shows
	 * "-", not "unavailable"; a few words for a parenthesis; and what a
	 * snapshot's line says instead of the item. */
	bool not_applicable;
	const char *brief;		/* "a kernel thread" */
	const char *none;		/* "none (kernel thread)" */
};

/* The table, for its test; callers use the functions. */
extern const struct pi_reason pi_reasons[];
extern const size_t pi_nreasons;

/* What the words of a reason may be completed with. Zero is "not known"
 * for each field. */
struct pi_reason_ctx {
	const char *item;		/* "kernel_stack", "tls", "locks", ... */
	double timeout_seconds;		/* the --timeout of the read; 0: none */
	double sample_wait_seconds;	/* the wait for perf samples actually allowed */
	double stop_wait_seconds;	/* the wait for a thread to stop */
	size_t nthreads;
	int perf_err;			/* perf events refused: why (positive errno) */
	bool perf_privileged;		/* ... although CAP_PERFMON or CAP_SYS_ADMIN held */
	bool perf_stopped_instead;	/* ... and running threads were stopped instead */
	int perf_paranoid;
	bool root;			/* pinspect runs as root */
	int ptrace_scope;		/* yama's; 0 or unknown: no limit */
	pid_t tracer_pid;		/* the process is already traced by */
	const char *tracer_comm;
};

/* The row for err (either sign) and item, or NULL when none: an errno
 * without words of its own. */
const struct pi_reason *pi_reason_find(int err, const char *item);

/* The short key: the row's, or "error" for an errno without one. */
const char *pi_reason_key(int err, const char *item);

/* The words, completed from ctx (NULL: only what needs nothing), appended
 * to b. An errno without a row is strerror's words. */
void pi_reason_put(struct pi_buf *b, int err, const struct pi_reason_ctx *ctx);

/* Is err the task's having no such thing (a kernel thread, a zombie),
 * rather than a failure to read it? */
bool pi_reason_not_applicable(int err);

/* A few words for a parenthesis ("a kernel thread"), or NULL when the
 * reason has none: say "see UNAVAILABLE" then. */
const char *pi_reason_brief(int err);

/* What a snapshot's line says for an item the task has none of ("none
 * (kernel thread)"), or NULL when err is a failure. */
const char *pi_reason_none(int err);

/* The same, as a string to free. */
char *pi_reason_text(int err, const struct pi_reason_ctx *ctx);

/* Why a whole process could not be read (collect's error): the code
 * JSON's "error" object carries ("no_such_process", "exited",
 * "permission_denied", "failed") and the sentence. */
const char *pi_reason_process_key(int err);
const char *pi_reason_process_words(int err);

#endif
