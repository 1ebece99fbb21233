/* sandbox — parsing hostile data in a child with no privileges.
 *
 * pinspect runs as root and reads memory and files its targets control.
 * The code that parses them (libelf, libdw, libthread_db, the demangler,
 * pinspect's own decoders) is large and written in C; one bug reached
 * by a crafted image must not hand root to the target, nor end the run.
 * So, as systemd-coredump does for untrusted ELF, the parsing runs in a
 * forked child that, before it touches any target data, gives up
 * everything the root side has (confine.h): other descriptors, its user
 * and groups, every capability, the ability to gain any back, and, through
 * a seccomp filter (filter.h), every system call that would open, execute,
 * connect or touch another process; with limits on memory and CPU time.
 * The root side only opens, reads and ptraces; it waits for the child's
 * records (wire.h) with a deadline, kills and reaps it when it is late or
 * crashes, and validates every record it gets. A child that needs a file
 * asks the root side for it (broker.h), which decides.
 *
 * A failure of the child costs what it was decoding, never the run: the
 * caller gets one of the PI_ERR_SANDBOX_* reasons of model.h.
 *
 * As root the child becomes PI_SANDBOX_UID (nobody). Without root there is
 * no user to give up, but the rest applies just the same: the child still
 * drops any capability pinspect was given (file capabilities), sets no new
 * privileges, installs the filter and the limits, and a crash still costs
 * only the item. */
#ifndef PI_SANDBOX_SANDBOX_H
#define PI_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/broker.h"
#include "util/buf.h"

enum {
	PI_SANDBOX_UID = 65534,		/* nobody */
	PI_SANDBOX_GID = 65534,		/* nogroup */
};

/* Record types at and above this are the sandbox's own. */
#define PI_SANDBOX_REC_RESERVED 0xffff0000u

/* What the child function gets: where its records go, and its broker. */
struct pi_sandbox_child {
	struct pi_buf out;		/* records for the root side (pi_wire_put*) */
	int result_fd;
	int broker_fd;			/* -1 without a broker */
};

/* Runs in the child, confined. Its return value (0 or -errno) reaches the
 * caller of pi_sandbox_run with the records. */
typedef int pi_sandbox_fn(struct pi_sandbox_child *c, void *arg);

struct pi_sandbox_config {
	uid_t uid;			/* the user the child becomes when pinspect is root */
	gid_t gid;
	/* Address space the child may add to what it shares with pinspect
	 * when forked (RLIMIT_AS is that total plus this). */
	size_t mem_budget;
	int timeout_ms;			/* wall clock; RLIMIT_CPU is the same, rounded up */
	size_t max_reply;		/* bytes of records, beyond which the child is killed */
	size_t max_record;		/* the largest single record accepted */
	const int *keep_fds;		/* descriptors the child keeps (all > 2) */
	size_t nkeep;
	pi_sandbox_policy_fn *policy;	/* NULL: no broker */
	void *policy_arg;
	unsigned max_requests;		/* broker requests per run; more are refused */
	unsigned max_fds;		/* RLIMIT_NOFILE; 0: PI_SANDBOX_NOFILE (confine.h) */
};

/* The defaults: nobody, 256 MiB, 2 s, 16 MiB of replies, records up to
 * 1 MiB, no descriptors kept, no broker. */
void pi_sandbox_config_init(struct pi_sandbox_config *cfg);

/* How a run went, for messages and tests. */
struct pi_sandbox_outcome {
	int32_t status;			/* what the function returned */
	int signal;			/* the signal that ended the child, 0 if none */
	int exit_code;			/* its exit status, -1 when a signal ended it */
	bool timed_out;			/* killed at the deadline */
	bool dropped_user;		/* it ran as cfg->uid */
	char setup_step[32];		/* the confinement step that failed, "" */
	int setup_errno;
	unsigned requests, refused;	/* broker requests, and how many were refused */
};

/* Runs fn(c, arg) in a confined child and waits at most cfg->timeout_ms.
 * Returns 0 with the function's records in reply (replacing its contents;
 * the framing already checked against cfg->max_record, the sandbox's own
 * records removed) and its return value in outcome->status; or a negative
 * PI_ERR_SANDBOX_* reason (model.h): crashed, timed out, killed by the
 * filter, out of memory, a malformed reply, or confinement that could not
 * be set up; or -errno when no child could be started. The child is
 * always killed and reaped before it returns. outcome may be NULL. */
int pi_sandbox_run(const struct pi_sandbox_config *cfg, pi_sandbox_fn *fn, void *arg,
		   struct pi_buf *reply, struct pi_sandbox_outcome *outcome);

/* The same in two halves, so that the root side can go on with its work
 * while the child decodes: start forks the child (its deadline runs from
 * here) and returns a job; finish waits for it and returns what
 * pi_sandbox_run would. Every job must be finished (that reaps the
 * child). The broker answers only while finish waits. */
struct pi_sandbox_job;
int pi_sandbox_start(const struct pi_sandbox_config *cfg, pi_sandbox_fn *fn, void *arg,
		     struct pi_sandbox_job **job);
int pi_sandbox_finish(struct pi_sandbox_job *job, struct pi_buf *reply,
		      struct pi_sandbox_outcome *outcome);

/* In the child: sends the records in c->out so far (the rest go when the
 * function returns). 0 or -errno. */
int pi_sandbox_flush(struct pi_sandbox_child *c);

/* A child that works in two steps, the root side doing its own work in
 * between (the stacks' child: what it decodes before the stack copies are
 * taken, then the copies): the child sends its first records and a mark
 * (pi_sandbox_mark: 0 or -errno), and the root side, with
 * pi_sandbox_wait_mark, serves the broker and waits (within the job's
 * deadline) for that mark. Returns 1 with the records before the mark in
 * reply (their framing checked; the mark itself removed), or 0 when the
 * child ended, failed or ran out of time without one: pi_sandbox_finish
 * then says why. The records after the mark go to pi_sandbox_finish.
 * Only the first mark counts; a second is a malformed reply. */
int pi_sandbox_mark(struct pi_sandbox_child *c);
int pi_sandbox_wait_mark(struct pi_sandbox_job *job, struct pi_buf *reply);

/* Leaves a child of pinspect's that could not be reaped now (one asleep
 * in D on a hung file system, SIGKILL sent) to be reaped by a later call
 * here or a later run, or by init once pinspect exits. */
void pi_sandbox_leave(pid_t pid);

#endif
