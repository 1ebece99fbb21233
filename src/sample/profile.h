/* profile — sampled stacks counted over time (pinspect --sample).
 *
 * A pure aggregator: each tick, the sampler hands it one record per
 * thread (its state, wait channel, system call, user frames and kernel
 * frames, already turned into names); it counts identical stacks and
 * each thread's samples. Everything in a record came from the target, so
 * it is bounded here: at most PI_PROFILE_MAX_STACKS distinct stacks
 * holding PI_PROFILE_MAX_BYTES of names in all (samples of any further
 * one are counted as dropped, never lost from the totals),
 * PI_PROFILE_MAX_FRAMES frames a stack and PI_PROFILE_MAX_NAME bytes a
 * name; at most PI_PROFILE_MAX_THREADS threads are told apart. Strings are kept raw: renderers escape them. */
#ifndef PI_SAMPLE_PROFILE_H
#define PI_SAMPLE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum pi_sampled_state {
	PI_SAMPLED_ON_CPU,	/* running or runnable (R), or caught running by the sample */
	PI_SAMPLED_OFF_CPU,	/* asleep (S, I), stopped (T, t): by wait channel and system call */
	PI_SAMPLED_D,		/* uninterruptible sleep */
	PI_SAMPLED_NSTATES,
};

#define PI_PROFILE_MAX_STACKS 20000
#define PI_PROFILE_MAX_FRAMES 128
#define PI_PROFILE_MAX_NAME 512
#define PI_PROFILE_MAX_THREADS 65536
#define PI_PROFILE_MAX_BYTES ((size_t)64 << 20)

/* One thread at one tick. Strings may be NULL (unknown). */
struct pi_profile_record {
	pid_t tid;
	const char *comm;
	enum pi_sampled_state state;
	const char *wchan;		/* off the CPU: the kernel function it waits in */
	const char *syscall;		/* the system call it is in */
	const char *const *frames;	/* user frames, innermost first */
	size_t nframes;
	const char *const *kframes;	/* kernel frames, innermost first (off the CPU only) */
	size_t nkframes;
	double stopped_us;		/* how long it was stopped for this sample; < 0 never */
};

/* One distinct stack, and how many samples had it. */
struct pi_profile_stack {
	uint64_t hash;
	size_t count;
	enum pi_sampled_state state;
	char *comm, *wchan, *syscall;
	char **frames;
	size_t nframes;
	char **kframes;
	size_t nkframes;
};

struct pi_profile_thread {
	pid_t tid;
	char *comm;			/* the name last seen */
	size_t samples;
	size_t by_state[PI_SAMPLED_NSTATES];
	size_t stops;			/* samples for which it was stopped */
	double held_us;			/* in all */
	double longest_stop_us;
};

struct pi_profile {
	size_t ticks;
	size_t samples;			/* thread samples: records added */
	size_t by_state[PI_SAMPLED_NSTATES];
	size_t dropped;			/* samples of stacks past PI_PROFILE_MAX_STACKS or _BYTES */
	size_t bytes;			/* of names the stacks hold */
	size_t threads_untracked;	/* samples of threads past PI_PROFILE_MAX_THREADS */

	struct pi_profile_stack *stacks;
	size_t nstacks;
	size_t *slots;			/* open addressing: index + 1 into stacks, 0 empty */
	size_t nslots;

	struct pi_profile_thread *threads;	/* in the order first seen */
	size_t nthreads;
	size_t thread_cursor;		/* where the next thread is looked for first */
};

void pi_profile_init(struct pi_profile *p);
/* Counts one record. */
void pi_profile_add(struct pi_profile *p, const struct pi_profile_record *r);
/* The stacks, most samples first (ties: by thread name, then frames):
 * an array of nstacks pointers the caller frees. */
const struct pi_profile_stack **pi_profile_sorted(const struct pi_profile *p);
void pi_profile_free(struct pi_profile *p);

/* The short word for a state: "on-cpu", "off-cpu", "D". */
const char *pi_sampled_state_key(enum pi_sampled_state s);

#endif
