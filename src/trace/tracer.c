#include "trace/tracer.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#include "arch/host.h"
#include "proc/memory.h"
#include "util/xalloc.h"

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
enum { NFATAL = sizeof fatal_signals / sizeof fatal_signals[0] };

/* How long to poll for the next stop before sleeping until it comes. */
enum { SPIN_US = 2000 };

/* Threads in a ptrace stop right now: what a fatal signal must let go.
 * Written only with those signals blocked. */
static pid_t *held;
static volatile sig_atomic_t held_count;
static struct sigaction saved_actions[NFATAL];

static void on_fatal_signal(int sig)
{
	for (sig_atomic_t i = 0; i < held_count; i++)
		ptrace(PTRACE_DETACH, held[i], NULL, NULL);
	held_count = 0;
	/* Die of the signal, as the user asked, now that nothing is held. */
	for (int i = 0; i < NFATAL; i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &saved_actions[i], NULL);
	raise(sig);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void install_handlers(sigset_t *fatal_set)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(fatal_set);
	for (int i = 0; i < NFATAL; i++) {
		sigaddset(&sa.sa_mask, fatal_signals[i]);
		sigaddset(fatal_set, fatal_signals[i]);
	}
	for (int i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &sa, &saved_actions[i]);
}

static void restore_handlers(void)
{
	for (int i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &saved_actions[i], NULL);
}

static void hold(const sigset_t *fatal_set, pid_t tid)
{
	sigset_t old;
	sigprocmask(SIG_BLOCK, fatal_set, &old);
	held[held_count] = tid;
	held_count = held_count + 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void release(const sigset_t *fatal_set, pid_t tid, int signal_to_deliver)
{
	sigset_t old;
	sigprocmask(SIG_BLOCK, fatal_set, &old);
	ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)signal_to_deliver);
	for (sig_atomic_t i = 0; i < held_count; i++) {
		if (held[i] == tid) {
			held[i] = held[held_count - 1];
			held_count = held_count - 1;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void copy_stack(const struct pi_stop_batch *b, pid_t pid, struct pi_stop *t)
{
	/* The red zone below sp, where a leaf function may keep data without
	 * moving sp. (A 32-bit task's registers come in this layout too.) */
	uint64_t sp = pi_host_regs_sp(&t->regs);
	uint64_t start = sp >= b->red_zone ? sp - b->red_zone : 0;
	uint64_t top = b->stack_top ? b->stack_top(b->stack_top_arg, sp) : 0;
	/* glibc keeps a thread's control block (where fs_base points) at the
	 * top of its stack mapping, above every frame: no need to copy it
	 * while the thread waits. */
	uint64_t tp = pi_host_regs_thread_pointer(&t->regs);
	if (tp > sp && tp < top)
		top = tp;
	size_t len = top > start ? (size_t)(top - start) : 64 * 1024;
	if (len > b->max_stack_copy)
		len = b->max_stack_copy;
	t->stack = pi_xmalloc(len);
	ssize_t n = pi_mem_read(pid, start, t->stack, len);
	if (n <= 0) {
		free(t->stack);
		t->stack = NULL;
		return;
	}
	t->stack_start = start;
	t->stack_len = (size_t)n;
}

static struct pi_stop *find_thread(struct pi_stop_batch *b, pid_t tid)
{
	for (size_t i = 0; i < b->count; i++)
		if (b->threads[i].tid == tid)
			return &b->threads[i];
	return NULL;
}

/* While threads are held, pinspect must not wait for a CPU behind the very
 * threads it stopped (or the target's other busy threads): as root it runs
 * as a real-time task for that window. */
struct saved_policy {
	bool raised;
	int policy;
	struct sched_param param;
};

static void raise_priority(struct saved_policy *s)
{
	struct sched_param fifo = { .sched_priority = 1 };
	s->policy = sched_getscheduler(0);
	s->raised = s->policy >= 0 && sched_getparam(0, &s->param) == 0
		    && sched_setscheduler(0, SCHED_FIFO, &fifo) == 0;
}

static void restore_priority(const struct saved_policy *s)
{
	if (s->raised)
		sched_setscheduler(0, s->policy, &s->param);
}

int pi_trace_stop_batch(struct pi_stop_batch *b)
{
	struct saved_policy policy;
	sigset_t chld, old_mask, fatal_set;
	size_t pending = 0;
	double *stopped_at = pi_xcalloc(b->count, sizeof *stopped_at);
	int *deliver = pi_xcalloc(b->count, sizeof *deliver);

	held = pi_xcalloc(b->count + 1, sizeof *held);
	held_count = 0;
	b->held_us = 0;

	/* Stops are announced by SIGCHLD: block it and wait for it with a
	 * timeout instead of sleeping in waitpid forever. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	install_handlers(&fatal_set);
	raise_priority(&policy);

	for (size_t i = 0; i < b->count; i++) {
		struct pi_stop *t = &b->threads[i];
		t->err = -EINPROGRESS;
		t->stopped_us = -1;
		if (ptrace(PTRACE_SEIZE, t->tid, NULL, NULL) != 0) {
			t->err = -errno;
			continue;
		}
		if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) != 0) {
			/* Seized but running: the kernel lets it go when we
			 * exit; there is nothing else to undo. */
			t->err = -errno;
			continue;
		}
		pending++;
	}

	double deadline = now_us() + b->timeout_seconds * 1e6;
	double last_event = now_us();
	double first_stop = 0;
	while (pending > 0) {
		int status;
		pid_t got = waitpid(-1, &status, __WALL | WNOHANG);
		if (got == 0) {
			/* A stopped thread waits for us: poll for a moment rather
			 * than sleep, since waking an idle CPU (slow on a virtual
			 * machine) would add to every thread's stop. */
			double now = now_us(), left = deadline - now;
			if (left <= 0)
				break;
			if (now - last_event < SPIN_US)
				continue;
			struct timespec ts = { (time_t)(left / 1e6),
					       (long)((left - (double)(time_t)(left / 1e6) * 1e6) * 1e3) };
			sigtimedwait(&chld, NULL, &ts);
			last_event = now_us();
			continue;
		}
		last_event = now_us();
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct pi_stop *t = find_thread(b, got);
		if (!t || t->err != -EINPROGRESS)
			continue;
		size_t idx = (size_t)(t - b->threads);
		if (!WIFSTOPPED(status)) {
			t->err = -ESRCH;	/* it exited */
			pending--;
			continue;
		}
		stopped_at[idx] = now_us();
		if (!first_stop)
			first_stop = stopped_at[idx];
		hold(&fatal_set, t->tid);
		/* A signal that arrived at the same moment was caught by our
		 * stop: hand it back when letting go. */
		if ((status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP)
			deliver[idx] = WSTOPSIG(status);
		int err = pi_host_regs_read(t->tid, &t->regs);
		if (err) {
			t->err = err;
		} else {
			t->interrupted_syscall = pi_host_regs_interrupted_syscall(&t->regs);
			copy_stack(b, t->tid, t);
			t->err = t->stack ? 0 : -EFAULT;
		}
		if (!b->hold_all) {
			release(&fatal_set, t->tid, deliver[idx]);
			t->stopped_us = now_us() - stopped_at[idx];
		}
		pending--;
	}
	if (b->hold_all) {
		for (size_t i = 0; i < b->count; i++) {
			struct pi_stop *t = &b->threads[i];
			if (stopped_at[i] == 0)
				continue;
			release(&fatal_set, t->tid, deliver[i]);
			t->stopped_us = now_us() - stopped_at[i];
		}
		if (first_stop)
			b->held_us = now_us() - first_stop;
	}
	for (size_t i = 0; i < b->count; i++)
		if (b->threads[i].err == -EINPROGRESS)
			b->threads[i].err = -ETIMEDOUT;

	restore_priority(&policy);
	restore_handlers();
	/* Reap the SIGCHLD our stops raised, so the caller never sees it. */
	struct timespec zero = { 0, 0 };
	while (sigtimedwait(&chld, NULL, &zero) > 0)
		;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	free(held);
	held = NULL;
	held_count = 0;
	free(stopped_at);
	free(deliver);
	return 0;
}

void pi_stop_batch_free(struct pi_stop_batch *b)
{
	for (size_t i = 0; i < b->count; i++) {
		free(b->threads[i].stack);
		b->threads[i].stack = NULL;
	}
}
