#include "collect/stacks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "collect/locks.h"
#include "collect/stack_sandbox.h"
#include "proc/memory.h"
#include "proc/reader.h"
#include "proc/system.h"
#include "proc/taskfiles.h"
#include "tls/tls.h"
#include "arch/host.h"
#include "trace/sample.h"
#include "trace/tracer.h"
#include "unwind/unwinder.h"
#include "util/deadline.h"
#include "util/xalloc.h"

enum {
	MAX_STACK_COPY = 8 << 20,	/* the usual main-stack limit */
	SAMPLE_ROUNDS = 8,		/* a thread blocking and running again, sampled anew */
};

struct stack_ctx {
	struct pi_process *p;
	const struct pi_stack_options *opt;
	int procfd;
	struct pi_stack_batch batch;	/* the copies, for the sandbox */
	struct pi_buf buf;
	/* The process's sandboxed child, started before the copies: it
	 * finds the TLS pointers and the locks' names, then decodes the
	 * first batch. */
	struct pi_stack_decode decode;
	struct pi_stack_session *session;
	struct pi_tls_exe_vars tls_exe;
	struct pi_lock_symbols locks;
	/* The session's batch is being decoded (pi_collect_stacks_start
	 * handed it over; pi_collect_stacks_finish waits for it). */
	bool decoding;
	struct pi_thread **stop, **run;
};

struct pi_stacks_pending {
	struct stack_ctx c;
};

/* Unwinds and symbolizes the stacks copied so far, in the sandbox: the
 * session's child for the first batch, a child of their own for any
 * later one. */
static void decode_batch(struct stack_ctx *c)
{
	if (c->session) {
		pi_stack_session_decode(c->session, &c->batch);
		pi_stack_session_end(c->session);
		c->session = NULL;
		return;
	}
	struct pi_stack_decode d = c->decode;
	d.work = 0;
	pi_stack_batch_decode(&d, &c->batch);
}

static const struct pi_vma *vma_at(const struct pi_process *p, uint64_t addr)
{
	long i = pi_vma_find(p->vmas, p->nvmas, addr);
	return i >= 0 ? &p->vmas[i] : NULL;
}

static uint64_t stack_top(void *arg, uint64_t sp)
{
	const struct pi_vma *v = vma_at(arg, sp);
	return v ? v->end : 0;
}

/* Queues thread t's unwind from s, whose stack copy is stack (taken).
 * Past PI_STACK_BATCH_MAX_BYTES of copies, the batch is decoded at once,
 * so that a process of many deep stacks does not hold them all. */
static void queue_unwind(struct stack_ctx *c, struct pi_thread *t, const struct pi_unwind_start *s,
			 uint8_t *stack, const char *short_copy_reason)
{
	pi_stack_batch_add(&c->batch, t, s, stack);
	c->batch.jobs[c->batch.n - 1].short_copy_reason = short_copy_reason;
	if (c->batch.stack_bytes > PI_STACK_BATCH_MAX_BYTES)
		decode_batch(c);
}

static bool same_syscall(const struct pi_syscall *a, const struct pi_syscall *b)
{
	return a->kind == b->kind && a->nr == b->nr && a->sp == b->sp && a->pc == b->pc
	       && memcmp(a->args, b->args, sizeof a->args) == 0;
}

static int reread_syscall(struct stack_ctx *c, pid_t tid, struct pi_syscall *out)
{
	char path[48];
	snprintf(path, sizeof path, "task/%d/syscall", (int)tid);
	/* --sample's ticks: from the file kept open since the last. */
	int err = c->p->task_files ? pi_task_files_read(c->p->task_files, tid, PI_TASK_SYSCALL, &c->buf)
				   : pi_read_at(c->procfd, path, &c->buf);
	return err ? err : pi_syscall_parse(c->buf.data, c->buf.len, out);
}

/* A blocked thread: copy its stack while it waits, and make sure it was
 * still waiting in the same place once the copy was taken. Returns true
 * when the thread turned out to be running and should be stopped. */
static bool copy_and_unwind(struct stack_ctx *c, struct pi_thread *t)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		uint64_t sp = t->syscall.sp;
		uint64_t top = stack_top(c->p, sp);
		if (!top) {
			t->ustack.err = -PI_ERR_NO_STACK_MAP;
			return false;
		}
		/* The thread's control block sits above its frames (see the
		 * tracer): not needed. */
		if (!t->tls.err && t->tls.fs_base > sp && t->tls.fs_base < top)
			top = t->tls.fs_base;
		unsigned red_zone = c->p->arch->red_zone;	/* below sp: a leaf's data */
		uint64_t start = sp >= red_zone ? sp - red_zone : 0;
		size_t len = top - start > MAX_STACK_COPY ? MAX_STACK_COPY : (size_t)(top - start);
		uint8_t *copy = pi_xmalloc(len ? len : 1);
		ssize_t n = pi_mem_read(c->p->pid, start, copy, len);
		if (n < 0) {
			free(copy);
			t->ustack.err = (int)n;
			return false;
		}
		struct pi_syscall now;
		int err = reread_syscall(c, t->facts.tid, &now);
		if (err) {
			free(copy);
			t->ustack.err = err;
			return false;
		}
		if (!same_syscall(&now, &t->syscall)) {
			free(copy);
			/* It moved: the copy may mix two states. Start over
			 * from where it is now. */
			t->syscall = now;
			if (now.kind == PI_SYSCALL_RUNNING)
				return true;
			continue;
		}
		struct pi_unwind_start s;
		memset(&s, 0, sizeof s);
		const struct pi_arch *a = c->p->arch;
		s.arch = a;
		s.regs[a->dwarf_sp] = sp;
		s.regs[a->dwarf_pc] = t->syscall.pc;
		s.known = (1ULL << a->dwarf_sp) | (1ULL << a->dwarf_pc);
		s.stack = copy;
		s.stack_start = start;
		s.stack_len = (size_t)n;
		t->regs.known = true;
		t->regs.rsp = sp;
		t->regs.rip = t->syscall.pc;
		t->ustack.method = PI_UNWIND_COPY;
		t->ustack.err = 0;
		queue_unwind(c, t, &s, copy, NULL);
		return false;
	}
	t->ustack.err = -PI_ERR_MOVED;
	return false;
}

static void regs_to_dwarf(const struct pi_arch *a, const struct user_regs_struct *r,
			  struct pi_unwind_start *s)
{
	s->arch = a;
	pi_arch_regs_to_dwarf(a, r, sizeof *r, s->regs, &s->known);
}

/* A thread's registers, as a stop or a perf sample gave them. */
static void keep_registers(struct pi_thread *t, const struct user_regs_struct *r, bool sampled)
{
	t->regs.known = true;
	t->regs.rip = pi_host_regs_pc(r);
	t->regs.rsp = pi_host_regs_sp(r);
	free(t->regs.all);
	t->regs.all = pi_xmalloc(sizeof *t->regs.all);
	*t->regs.all = *r;
	t->regs.sampled = sampled;
}

/* Stops the threads in list (as a batch), then unwinds each from its
 * registers and stack copy. */
static void stop_and_unwind(struct stack_ctx *c, struct pi_thread **list, size_t n,
			    enum pi_unwind_method method)
{
	if (!n)
		return;
	struct pi_stop_batch b;
	memset(&b, 0, sizeof b);
	b.threads = pi_xcalloc(n, sizeof *b.threads);
	b.count = n;
	b.stack_top = stack_top;
	b.stack_top_arg = c->p;
	b.max_stack_copy = MAX_STACK_COPY;
	b.red_zone = c->p->arch->red_zone;
	b.hold_all = method == PI_UNWIND_CONSISTENT;
	b.timeout_seconds = c->opt->stop_timeout_seconds;
	for (size_t i = 0; i < n; i++)
		b.threads[i].tid = list[i]->facts.tid;

	pi_trace_stop_batch(&b);
	if (b.hold_all)
		c->p->held_us = b.held_us;

	for (size_t i = 0; i < n; i++) {
		struct pi_thread *t = list[i];
		struct pi_stop *st = &b.threads[i];
		memset(&t->ustack, 0, sizeof t->ustack);
		t->ustack.stopped_us = st->stopped_us;
		if (st->err) {
			t->ustack.err = st->err;
			continue;
		}
		keep_registers(t, &st->regs, false);
		/* The row's thread pointer register (i386: gs_base), where the
		 * host's set holds one. */
		uint64_t tp = pi_arch_thread_pointer(c->p->arch, &st->regs, sizeof st->regs);
		if (c->p->arch->tls_checked && tp) {
			t->tls.err = 0;
			t->tls.fs_base = tp;
			t->tls.source = "ptrace";
		}
		t->ustack.method = method;
		t->ustack.interrupted_syscall = st->interrupted_syscall;
		struct pi_unwind_start s;
		memset(&s, 0, sizeof s);
		regs_to_dwarf(c->p->arch, &st->regs, &s);
		s.stack = st->stack;
		s.stack_start = st->stack_start;
		s.stack_len = st->stack_len;
		queue_unwind(c, t, &s, st->stack, NULL);
		st->stack = NULL;
	}
	pi_stop_batch_free(&b);
	free(b.threads);
}

/* No thread is stopped once the budget (--timeout) has run out: those
 * that would have been are marked unread. Returns how many to stop. */
static size_t keep_within_budget(struct pi_process *p, struct pi_thread **stop, size_t n)
{
	if (!n || !pi_deadline_passed(&p->deadline))
		return n;
	for (size_t i = 0; i < n; i++) {
		stop[i]->ustack.err = -PI_ERR_TIMEOUT;
		stop[i]->ustack.stopped_us = -1;
	}
	return 0;
}

static double seconds_now(void)
{
	return (double)pi_monotonic_ns() / 1e9;
}

struct sample_ctx {
	struct stack_ctx *c;
	struct pi_thread **list;
};

/* For the sampler, while a thread gives no sample: has it blocked? Its
 * syscall file is read again, and kept for copying its stack. */
static bool still_running(void *arg, size_t i)
{
	struct sample_ctx *sc = arg;
	struct pi_thread *t = sc->list[i];
	struct pi_syscall now;
	if (reread_syscall(sc->c, t->facts.tid, &now) != 0)
		return false;	/* gone: the caller finds out why */
	t->syscall = now;
	return now.kind == PI_SYSCALL_RUNNING;
}

static void unwind_sample(struct stack_ctx *c, struct pi_thread *t, struct pi_sample *sm)
{
	memset(&t->ustack, 0, sizeof t->ustack);
	t->ustack.stopped_us = -1;
	t->ustack.method = PI_UNWIND_SAMPLED;
	if (sm->abi32 != (c->p->arch->ptr_size == 4)) {
		/* The task runs in another mode than its executable's (a far
		 * jump): its registers are not the row's. */
		t->ustack.err = -PI_ERR_NOT_X86_64;
		return;
	}
	keep_registers(t, &sm->regs, true);
	struct pi_unwind_start s;
	memset(&s, 0, sizeof s);
	regs_to_dwarf(c->p->arch, &sm->regs, &s);
	s.stack = sm->stack;
	s.stack_start = sm->stack_start;
	s.stack_len = sm->stack_len;

	/* The kernel copies at most 64 KiB of stack into a sample: a deeper
	 * stack ends there, and should say so. (Its frames above the copy
	 * are not read from memory afterwards: by then the thread has run
	 * on, and they may be gone.) */
	uint64_t top = stack_top(c->p, sm->stack_start);
	if (!t->tls.err && t->tls.fs_base > sm->stack_start && t->tls.fs_base < top)
		top = t->tls.fs_base;
	const char *cut = NULL;
	if (sm->stack_cut && sm->stack_start + sm->stack_len < top)
		cut = "the perf sample holds the innermost 64 KiB of the stack only: the stack is "
		      "cut there";
	queue_unwind(c, t, &s, sm->stack, cut);
	sm->stack = NULL;
}

/* A running thread that cannot be sampled: stopped for microseconds, if
 * stopping is allowed. */
static void stop_instead(struct stack_ctx *c, struct pi_thread *t, struct pi_thread **stop,
			 size_t *nstop)
{
	if (c->opt->allow_stop) {
		stop[(*nstop)++] = t;
		c->p->perf_stopped_instead = c->p->perf_err != 0;
	} else
		t->ustack.err = -PI_ERR_RUNNING;
}

/* Threads seen running in user space: a perf event sample of each
 * (trace/sample.h), taken without stopping them. A thread that blocks
 * before its sample comes has its stack copied while it waits, as any
 * blocked thread (and is sampled again should it run on before the copy
 * is done). Where perf events are denied, the threads go to stop[] for
 * the tracer, and the process records why (perf_err). */
static void sample_and_unwind(struct stack_ctx *c, struct pi_thread **run, size_t nrun,
			      struct pi_thread **stop, size_t *nstop)
{
	double deadline = seconds_now() + c->opt->stop_timeout_seconds;
	/* The budget (--timeout) bounds the wait for samples too. */
	double budget = pi_deadline_remaining(&c->p->deadline);
	if (budget >= 0 && seconds_now() + budget < deadline)
		deadline = seconds_now() + budget;
	c->p->sample_wait_seconds = deadline - seconds_now();
	if (!c->opt->sample_running) {
		for (size_t i = 0; i < nrun; i++)
			stop_instead(c, run[i], stop, nstop);
		return;
	}
	for (int round = 0; nrun > 0; round++) {
		double left = deadline - seconds_now();
		if (round == SAMPLE_ROUNDS || left <= 0) {
			int err = pi_deadline_passed(&c->p->deadline) ? -PI_ERR_TIMEOUT : -PI_ERR_MOVED;
			for (size_t i = 0; i < nrun; i++)
				run[i]->ustack.err = err;
			return;
		}
		struct sample_ctx sc = { c, run };
		struct pi_sample_batch b;
		memset(&b, 0, sizeof b);
		b.threads = pi_xcalloc(nrun, sizeof *b.threads);
		b.count = nrun;
		b.timeout_seconds = left;
		b.still_running = still_running;
		b.still_running_arg = &sc;
		for (size_t i = 0; i < nrun; i++)
			b.threads[i].tid = run[i]->facts.tid;
		pi_sample_batch(&b);
		if (b.denied && !c->p->perf_err)
			c->p->perf_err = b.denied;

		size_t again = 0;
		for (size_t i = 0; i < nrun; i++) {
			struct pi_thread *t = run[i];
			struct pi_sample *sm = &b.threads[i];
			if (sm->err == 0) {
				unwind_sample(c, t, sm);
			} else if (pi_sample_is_denial(sm->err)) {
				if (!c->p->perf_err)
					c->p->perf_err = sm->err;
				stop_instead(c, t, stop, nstop);
			} else if (sm->err == -EAGAIN) {
				/* No sample in user space: it blocked. */
				int err = reread_syscall(c, t->facts.tid, &t->syscall);
				if (err)
					t->ustack.err = err;
				else if (t->syscall.kind == PI_SYSCALL_RUNNING || copy_and_unwind(c, t))
					run[again++] = t;
			} else if (sm->err == -ETIMEDOUT) {
				/* The wait was cut to what --timeout left: only a
				 * full wait says the thread never ran in user space. */
				t->ustack.err = pi_deadline_passed(&c->p->deadline) ? -PI_ERR_TIMEOUT
										   : -PI_ERR_NO_USER_SAMPLE;
			} else {
				t->ustack.err = sm->err == -ENOEXEC ? -PI_ERR_NOT_X86_64 : sm->err;
			}
		}
		pi_sample_batch_free(&b);
		free(b.threads);
		nrun = again;
	}
}

static int why_no_stacks(const struct pi_process *p)
{
	if (p->kernel_thread)
		return -PI_ERR_KERNEL_THREAD;
	if (p->stat.state == 'Z' && p->nthreads < 2)
		return -PI_ERR_ZOMBIE;
	if (p->maps_err)
		return p->maps_err;
	if (!p->arch)
		return -PI_ERR_NOT_X86_64;	/* x32: no row in the table */
	return 0;
}

/* The PID may have been reused since pi_collect_process read it: the same
 * start time proves it is the same process. */
static int reopen_same_process(const struct pi_process *p, struct pi_buf *buf)
{
	struct pi_stat st;
	int fd = pi_proc_open(p->pid);
	if (fd < 0)
		return -ESRCH;
	if (pi_read_at(fd, "stat", buf) != 0 || pi_stat_parse(buf->data, buf->len, &st) != 0
	    || st.starttime != p->stat.starttime) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* kernel.yama.ptrace_scope, -1 without Yama. */
static int read_ptrace_scope(void)
{
	int v;
	return pi_proc_sysctl_int("kernel/yama/ptrace_scope", &v) == 0 ? v : -1;
}

/* kernel.perf_event_paranoid, -2 when unknown. */
static int read_perf_paranoid(void)
{
	int v;
	return pi_proc_sysctl_int("kernel/perf_event_paranoid", &v) == 0 ? v : -2;
}

int pi_collect_stacks_start(struct pi_process *p, const struct pi_stack_options *opt,
			    struct pi_stacks_pending **out)
{
	*out = NULL;
	p->stacks_collected = true;
	p->stop_wait_seconds = opt->stop_timeout_seconds;
	p->ptrace_scope = read_ptrace_scope();
	p->stacks_err = why_no_stacks(p);
	if (p->stacks_err) {
		/* Locks are read from memory too, and say why they cannot be. */
		if (p->stacks_err != -PI_ERR_KERNEL_THREAD && p->stacks_err != -PI_ERR_ZOMBIE)
			pi_collect_locks(p, NULL);
		return 0;
	}
	struct pi_stacks_pending *pending = pi_xcalloc(1, sizeof *pending);
	struct stack_ctx *c = &pending->c;
	c->p = p;
	c->opt = opt;
	c->procfd = reopen_same_process(p, &c->buf);
	if (c->procfd < 0) {
		int err = c->procfd;
		pi_buf_free(&c->buf);
		free(pending);
		return err;
	}
	c->decode = (struct pi_stack_decode){
		.p = p, .procfd = c->procfd, .max_frames = opt->max_frames, .lines = opt->lines,
		/* TLS is not read with another architecture's layout
		 * (src/arch: tls_checked; pi_tls_finish says so). */
		.work = opt->stacks_only ? 0
			: (p->arch->tls_checked ? PI_STACK_WORK_TLS : 0) | PI_STACK_WORK_LOCKS
				  | PI_STACK_WORK_GO,
		.tls_exe = &c->tls_exe, .locks = &c->locks,
	};
	*out = pending;
	/* The child starts (its confinement, the modules, TLS and lock
	 * names) while the copies are taken: they are not trimmed by its
	 * TLS pointers (a thread's control block above its frames), which
	 * come later; the unwinder never reads that far. */
	pi_stack_session_start(&c->decode, &c->session);
	/* The copies go straight to the file the child reads them from:
	 * pinspect does not hold them all. */
	pi_stack_batch_use_file(&c->batch);

	c->stop = pi_xcalloc(p->nthreads, sizeof *c->stop);
	c->run = pi_xcalloc(p->nthreads, sizeof *c->run);
	struct pi_thread **stop = c->stop, **run = c->run;
	size_t nstop = 0, nrun = 0;
	if (opt->consistent) {
		for (size_t i = 0; i < p->nthreads; i++)
			if (!p->threads[i].stat_err && p->threads[i].facts.state != 'Z')
				stop[nstop++] = &p->threads[i];
		nstop = keep_within_budget(p, stop, nstop);
		stop_and_unwind(c, stop, nstop, PI_UNWIND_CONSISTENT);
	} else {
		for (size_t i = 0; i < p->nthreads; i++) {
			struct pi_thread *t = &p->threads[i];
			t->ustack.stopped_us = -1;
			if (pi_deadline_passed(&p->deadline)) {
				/* Out of time (--timeout): the rest are said to be
				 * unread, not waited for. */
				t->ustack.err = -PI_ERR_TIMEOUT;
			} else if (!t->stat_err && (t->facts.state == 'Z' || t->facts.state == 'X')) {
				t->ustack.err = -PI_ERR_ZOMBIE;
			} else if (t->syscall_err) {
				t->ustack.err = t->syscall_err;
			} else if (t->syscall.kind == PI_SYSCALL_RUNNING || copy_and_unwind(c, t)) {
				run[nrun++] = t;
			}
		}
		sample_and_unwind(c, run, nrun, stop, &nstop);
		nstop = keep_within_budget(p, stop, nstop);
		stop_and_unwind(c, stop, nstop, PI_UNWIND_STOPPED);
	}
	if (c->session && !(opt->stop_blocked && opt->allow_stop && !opt->consistent)) {
		/* Decoded while the caller reads the rest of the process:
		 * nothing stops a thread after this. */
		pi_stack_session_decode_start(c->session, &c->batch);
		c->decoding = true;
		return 0;
	}
	/* Decoded now: which blocked threads stopped short is known only
	 * from their frames. */
	decode_batch(c);
	if (!opt->consistent) {
		/* Blocked threads whose stack stopped short: only when asked. */
		nstop = 0;
		if (opt->stop_blocked && opt->allow_stop)
			for (size_t i = 0; i < p->nthreads; i++)
				if (p->threads[i].ustack.method == PI_UNWIND_COPY
				    && p->threads[i].ustack.truncated_reason)
					stop[nstop++] = &p->threads[i];
		/* Out of time, they keep the stack their copy gave. */
		if (pi_deadline_passed(&p->deadline))
			nstop = 0;
		stop_and_unwind(c, stop, nstop, PI_UNWIND_STOPPED_BLOCKED);
		decode_batch(c);
	}
	return 0;
}

void pi_collect_stacks_finish(struct pi_stacks_pending *pending)
{
	if (!pending)
		return;
	struct stack_ctx *c = &pending->c;
	struct pi_process *p = c->p;
	if (c->decoding) {
		pi_stack_session_decode_finish(c->session, &c->batch);
		pi_stack_session_end(c->session);
		c->session = NULL;
	}
	free(c->run);
	free(c->stop);
	if (p->perf_err) {
		p->perf_paranoid = read_perf_paranoid();
		p->perf_privileged = pi_sample_privileged();
	}
	/* No batch at all (every thread failed before its copy): the child
	 * has done its part. */
	pi_stack_session_end(c->session);
	pi_tls_finish(p, &c->tls_exe);
	pi_collect_locks(p, c->locks.nthreads ? &c->locks : NULL);
	pi_lock_symbols_free(&c->locks);
	pi_stack_batch_free(&c->batch);
	pi_buf_free(&c->buf);
	close(c->procfd);
	free(pending);
}

int pi_collect_stacks(struct pi_process *p, const struct pi_stack_options *opt)
{
	struct pi_stacks_pending *pending;
	int err = pi_collect_stacks_start(p, opt, &pending);
	pi_collect_stacks_finish(pending);
	return err;
}

int pi_collect_named_locks(struct pi_process *p)
{
	int why = why_no_stacks(p);
	if (why == -PI_ERR_KERNEL_THREAD || why == -PI_ERR_ZOMBIE)
		return 0;
	if (why) {
		/* The lock words can still be read; their names cannot. */
		pi_collect_locks(p, NULL);
		return 0;
	}
	struct pi_buf buf = PI_BUF_INIT;
	int procfd = reopen_same_process(p, &buf);
	pi_buf_free(&buf);
	if (procfd < 0)
		return procfd;
	/* The names, from the symbol tables, in a sandboxed child. */
	struct pi_lock_symbols locks;
	memset(&locks, 0, sizeof locks);
	struct pi_stack_decode d = { .p = p, .procfd = procfd, .max_frames = 1,
				     .work = PI_STACK_WORK_LOCKS, .locks = &locks };
	struct pi_stack_batch none;
	memset(&none, 0, sizeof none);
	pi_stack_batch_decode(&d, &none);
	close(procfd);
	pi_collect_locks(p, locks.nthreads ? &locks : NULL);
	pi_lock_symbols_free(&locks);
	pi_stack_batch_free(&none);
	return 0;
}
