/* sampler — pinspect --sample: every thread of one process, at each tick
 * of --rate, read as a snapshot reads it (state, wait channel, system
 * call, kernel stack, user stack), and counted (sample/profile.h).
 *
 * Each tick is one lean read (pi_collect_process_lean: each thread's
 * stat and syscall, from files kept open across ticks, proc/taskfiles.h)
 * and the stacks (pi_collect_stacks_start, stacks only): blocked threads
 * are copied while they wait, running ones sampled with a one-shot perf
 * event, and the copies are unwound and symbolized in the tick's
 * sandboxed child, which decodes while the next tick is read (at most two
 * ticks alive). The wait channel and kernel stack of threads off the CPU
 * are read right after their copies. Decoding each tick, rather than
 * holding every tick's copies for one decode at the end, keeps pinspect's
 * memory to two ticks' copies whatever the duration (a 100-thread process
 * at 20 Hz would otherwise hold gigabytes of stack copies within a
 * minute); the price is one child (and its module loading) per tick,
 * which bounds the rate reached: the report says how many ticks were
 * taken of those asked.
 *
 * Only where perf events are denied are running threads stopped, for
 * microseconds (never with --no-ptrace); the report says for how long in
 * all, thread by thread. */
#ifndef PI_SAMPLE_SAMPLER_H
#define PI_SAMPLE_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "proc/stat.h"
#include "sample/profile.h"
#include "unwind/symbolize.h"

enum pi_sample_end {
	PI_SAMPLE_COMPLETED,		/* the whole duration */
	PI_SAMPLE_INTERRUPTED,		/* SIGINT or SIGTERM ended it early */
	PI_SAMPLE_TARGET_EXITED,	/* the process exited (or could no longer be read) */
};

struct pi_sample_config {
	pid_t pid;
	double seconds;			/* --sample=SECONDS */
	double rate_hz;			/* --rate */
	bool allow_stop;		/* false with --no-ptrace */
	size_t max_frames;
	enum pi_lines lines;
	/* --timeout: the most one tick may take reading the process, its
	 * stacks' symbolizing included (0: no limit); a tick that runs
	 * long only delays the next. */
	double timeout_seconds;
	/* Set from a signal handler (or another thread): ends the sampling
	 * after the tick under way (the ticks still decoding are dropped:
	 * their children may have been interrupted too). */
	volatile sig_atomic_t *stop;
	/* Called after each tick (NULL: none). */
	void (*progress)(void *arg, double seconds_left, size_t ticks, size_t samples);
	void *progress_arg;
};

struct pi_sample_run {
	pid_t pid;
	char comm[PI_COMM_MAX + 1];	/* raw, as last read */
	double seconds_asked, seconds_taken, rate_hz;
	size_t ticks_asked;
	enum pi_sample_end end;
	int end_err;			/* TARGET_EXITED: the read's -errno */
	int perf_err;			/* why perf sampling was denied (0: it worked, or was not needed) */
	bool stops_allowed;
	struct pi_profile profile;
};

/* Samples cfg->pid into *run (freed with pi_sample_run_free in every
 * case). Returns 0 when at least one tick was taken, else the -errno of
 * the first read (-ENOENT, -ESRCH, -EACCES, -EINVAL for a thread: see
 * collect/collect.h). */
int pi_sample_process(const struct pi_sample_config *cfg, struct pi_sample_run *run);
void pi_sample_run_free(struct pi_sample_run *run);

#endif
