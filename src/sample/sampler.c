#include "sample/sampler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/collect.h"
#include "collect/stacks.h"
#include "model.h"
#include "proc/lists.h"
#include "proc/reader.h"
#include "proc/taskfiles.h"
#include "proc/syscall.h"
#include "sys/names.h"
#include "util/buf.h"
#include "util/deadline.h"
#include "util/xalloc.h"

/* The names of one thread's frames, for one record. */
struct frame_names {
	struct pi_buf text;		/* the names, NUL-separated */
	size_t offsets[PI_PROFILE_MAX_FRAMES];
	const char *v[PI_PROFILE_MAX_FRAMES];
	size_t n;
};

static void names_reset(struct frame_names *f)
{
	pi_buf_reset(&f->text);
	f->n = 0;
}

static void names_add(struct frame_names *f, const char *s, size_t len)
{
	if (f->n >= PI_PROFILE_MAX_FRAMES)
		return;
	if (len > PI_PROFILE_MAX_NAME)
		len = PI_PROFILE_MAX_NAME;
	f->offsets[f->n++] = f->text.len;
	pi_buf_append(&f->text, s, len);
	pi_buf_putc(&f->text, '\0');
}

/* After the last names_add: the pointers (the buffer no longer moves). */
static void names_done(struct frame_names *f)
{
	for (size_t i = 0; i < f->n; i++)
		f->v[i] = f->text.data + f->offsets[i];
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* A frame by its function; one in no known function by its module
 * ("[libc.so.6]"), so that the samples of one unknown piece of code
 * count as one stack rather than one per address. */
static void name_user_frame(struct frame_names *f, const struct pi_user_frame *fr)
{
	if (fr->function && *fr->function) {
		names_add(f, fr->function, strlen(fr->function));
		return;
	}
	char tmp[PI_PROFILE_MAX_NAME + 3];
	int n = snprintf(tmp, sizeof tmp, "[%s]", fr->module && *fr->module ? base_name(fr->module) : "unknown");
	names_add(f, tmp, n < 0 ? 0 : (size_t)n >= sizeof tmp ? sizeof tmp - 1 : (size_t)n);
}

/* "futex_wait_queue+0x52/0x90" counts as "futex_wait_queue": the same
 * kernel function, wherever in it. */
static void name_kernel_frame(struct frame_names *f, const char *s)
{
	size_t len = strcspn(s, "+ ");
	names_add(f, s, len);
}

static enum pi_sampled_state state_of(const struct pi_thread *t)
{
	if (t->ustack.method == PI_UNWIND_SAMPLED || t->ustack.method == PI_UNWIND_STOPPED)
		return PI_SAMPLED_ON_CPU;
	bool known = pi_fact_known(&t->facts, PI_FACT_STAT);
	if (known && t->facts.state == 'D')
		return PI_SAMPLED_D;
	if (known && t->facts.state == 'R')
		return PI_SAMPLED_ON_CPU;
	return PI_SAMPLED_OFF_CPU;
}

static bool same_place(const struct pi_syscall *a, const struct pi_syscall *b)
{
	return a->kind == b->kind && a->nr == b->nr && a->sp == b->sp && a->pc == b->pc;
}

/* Where a thread off the CPU waits, as one coherent fact. The snapshot
 * reads a thread's wait channel and kernel stack before its user stack,
 * and a thread that moved in between (its stack is then copied where it
 * went) would pair one wait's user stack with another's kernel side. So
 * they are read again now, between two reads of the system call file:
 * when both say the thread still waits where its user stack was copied,
 * they belong to it; when not, its wait channel and kernel stack are
 * left unknown rather than mixed. */
struct kernel_side {
	char wchan[PI_WCHAN_MAX];
	bool wchan_known;
	struct pi_strv kstack;
	bool kstack_known;
};

/* One of the thread's files: from those kept open across ticks, else
 * opened under its directory fd. */
static int read_task_file(struct pi_task_files *files, int fd, pid_t tid, enum pi_task_file f,
			  const char *name, struct pi_buf *buf)
{
	return files ? pi_task_files_read(files, tid, f, buf) : pi_read_at(fd, name, buf);
}

static void read_kernel_side(int procfd, struct pi_task_files *files, const struct pi_thread *t,
			     struct pi_buf *buf, struct kernel_side *k)
{
	char dir[32];
	struct pi_syscall before, after;
	pid_t tid = t->facts.tid;
	pi_strv_free(&k->kstack);
	k->wchan_known = k->kstack_known = false;
	int fd = -1;
	if (!files) {
		snprintf(dir, sizeof dir, "task/%d", (int)tid);
		fd = procfd >= 0 ? pi_proc_open_dir(procfd, dir) : -1;
		if (fd < 0)
			return;
	}
	if (read_task_file(files, fd, tid, PI_TASK_SYSCALL, "syscall", buf)
	    || pi_syscall_parse(buf->data, buf->len, &before) || !same_place(&before, &t->syscall))
		goto out;
	k->wchan_known = read_task_file(files, fd, tid, PI_TASK_WCHAN, "wchan", buf) == 0
			 && pi_wchan_parse(buf->data, buf->len, k->wchan, sizeof k->wchan) == 0;
	k->kstack_known = read_task_file(files, fd, tid, PI_TASK_STACK, "stack", buf) == 0
			  && pi_kstack_parse(buf->data, buf->len, &k->kstack) == 0;
	if (read_task_file(files, fd, tid, PI_TASK_SYSCALL, "syscall", buf)
	    || pi_syscall_parse(buf->data, buf->len, &after) || !same_place(&after, &before))
		k->wchan_known = k->kstack_known = false;
out:
	if (fd >= 0)
		close(fd);
}

static void add_thread(struct pi_profile *prof, const struct pi_process *p, const struct pi_thread *t,
		       struct frame_names *user, struct frame_names *kernel, const struct kernel_side *k)
{
	struct pi_profile_record r = { .tid = t->facts.tid, .stopped_us = -1 };
	r.comm = pi_thread_comm(p, t);
	r.state = state_of(t);
	names_reset(user);
	names_reset(kernel);
	if (t->ustack.err == 0)
		for (size_t i = 0; i < t->ustack.nframes; i++)
			name_user_frame(user, &t->ustack.frames[i]);
	else
		names_add(user, "[no user stack]", strlen("[no user stack]"));
	if (r.state != PI_SAMPLED_ON_CPU) {
		if (t->syscall_err == 0 && t->syscall.kind == PI_SYSCALL_IN)
			r.syscall = pi_syscall_name(p->abi, t->syscall.nr);
		if (k->wchan_known && k->wchan[0])
			r.wchan = k->wchan;
		if (k->kstack_known)
			for (size_t i = 0; i < k->kstack.n; i++)
				name_kernel_frame(kernel, k->kstack.v[i]);
	}
	names_done(user);
	names_done(kernel);
	r.frames = user->v;
	r.nframes = user->n;
	r.kframes = kernel->v;
	r.nkframes = kernel->n;
	if (t->ustack.stopped_us >= 0 && t->ustack.method != PI_UNWIND_NONE)
		r.stopped_us = t->ustack.stopped_us;
	pi_profile_add(prof, &r);
}

/* A tick whose stacks are being decoded by its sandboxed child while the
 * sampler goes on: the next tick is read meanwhile (at most two are
 * alive, so the memory is two ticks' copies), and the child's fork,
 * confinement and module loading are off the ticks' path. */
struct pending_tick {
	bool active;
	struct pi_process p;
	struct pi_stacks_pending *stacks;
	struct kernel_side *k;		/* per thread: read at once, not when decoded */
};

/* A tick's first half: reads the process, takes every stack copy (and
 * sample) and hands them to the child, then reads the kernel side of
 * the threads off the CPU now, next to their copies. Returns 0 or the
 * read's -errno (then t is not active). */
static int tick_start(const struct pi_sample_config *cfg, struct pi_task_files *files, struct pi_buf *buf,
		      struct pending_tick *t)
{
	struct pi_deadline budget;
	memset(t, 0, sizeof *t);
	pi_deadline_start(&budget, cfg->timeout_seconds);
	int err = pi_collect_process_lean(cfg->pid, &t->p, &budget, files);
	/* A zombie has exited: what is left is its exit status. */
	if (!err && t->p.stat_err == 0 && t->p.stat.state == 'Z')
		err = -ESRCH;
	if (!err) {
		struct pi_stack_options so = {
			.allow_stop = cfg->allow_stop,
			.sample_running = true,
			.max_frames = cfg->max_frames,
			.stop_timeout_seconds = 1,
			.lines = cfg->lines,
			.stacks_only = true,
		};
		err = pi_collect_stacks_start(&t->p, &so, &t->stacks);
	}
	if (err) {
		pi_collect_stacks_finish(t->stacks);
		pi_process_free(&t->p);
		return err;
	}
	t->active = true;
	/* Only the threads' syscall and how their stacks were taken are
	 * read here (collect/stacks.h: nothing the decoding writes). */
	t->k = pi_xcalloc(t->p.nthreads ? t->p.nthreads : 1, sizeof *t->k);
	int procfd = files ? -1 : pi_proc_open(cfg->pid);
	for (size_t i = 0; i < t->p.nthreads; i++) {
		const struct pi_thread *th = &t->p.threads[i];
		if (state_of(th) != PI_SAMPLED_ON_CPU && th->syscall_err == 0)
			read_kernel_side(procfd, files, th, buf, &t->k[i]);
	}
	if (procfd >= 0)
		close(procfd);
	return 0;
}

/* Its second half: waits for the child and counts the threads (unless
 * drop: a stop was asked, and the tick's children may have taken the
 * signal too). */
static void tick_finish(struct pi_sample_run *run, struct frame_names *user, struct frame_names *kernel,
			struct pending_tick *t, bool drop)
{
	if (!t->active)
		return;
	pi_collect_stacks_finish(t->stacks);
	pi_collect_finish(&t->p);
	if (!drop) {
		struct pi_process *p = &t->p;
		size_t n = p->stat.comm_len < PI_COMM_MAX ? p->stat.comm_len : PI_COMM_MAX;
		memcpy(run->comm, p->stat.comm, n);
		run->comm[n] = '\0';
		if (p->perf_err && !run->perf_err)
			run->perf_err = p->perf_err;
		for (size_t i = 0; i < p->nthreads; i++)
			add_thread(&run->profile, p, &p->threads[i], user, kernel, &t->k[i]);
		run->profile.ticks++;
	}
	for (size_t i = 0; i < t->p.nthreads; i++)
		pi_strv_free(&t->k[i].kstack);
	free(t->k);
	pi_process_free(&t->p);
	t->active = false;
}

static void sleep_until(int64_t when_ns, volatile sig_atomic_t *stop)
{
	for (;;) {
		if (stop && *stop)
			return;
		int64_t left = when_ns - pi_monotonic_ns();
		if (left <= 0)
			return;
		struct timespec ts = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
		/* A signal wakes it early (EINTR): the loop looks at stop. */
		nanosleep(&ts, NULL);
	}
}

int pi_sample_process(const struct pi_sample_config *cfg, struct pi_sample_run *run)
{
	memset(run, 0, sizeof *run);
	pi_profile_init(&run->profile);
	run->pid = cfg->pid;
	run->seconds_asked = cfg->seconds;
	run->rate_hz = cfg->rate_hz;
	run->stops_allowed = cfg->allow_stop;
	double asked = cfg->seconds * cfg->rate_hz;
	run->ticks_asked = asked < 1 ? 1 : (size_t)(asked + 0.5);

	struct frame_names user = { .text = PI_BUF_INIT }, kernel = { .text = PI_BUF_INIT };
	int64_t period_ns = (int64_t)(1e9 / cfg->rate_hz);
	int64_t start = pi_monotonic_ns();
	int64_t end = start + (int64_t)(cfg->seconds * 1e9);
	int64_t next = start;
	int first_err = 0;
	/* Each thread's files, kept open from tick to tick; without them
	 * (no task/ directory: the first tick says why), opened each time. */
	struct pi_task_files *files = NULL;
	pi_task_files_open(cfg->pid, 0, &files);

	/* The sampling lasts the time asked: ticks that run long (a busy
	 * machine, many threads) make fewer ticks, which the report says.
	 * Each tick's decoding overlaps the next tick's reading and the wait
	 * between them: tick i is finished after tick i + 1 started. */
	struct pending_tick ticks[2] = { { .active = false }, { .active = false } };
	struct pi_buf buf = PI_BUF_INIT;
	for (size_t i = 0; i < run->ticks_asked && (i == 0 || pi_monotonic_ns() < end); i++) {
		struct pending_tick *now_t = &ticks[i % 2], *before = &ticks[(i + 1) % 2];
		if (cfg->stop && *cfg->stop) {
			run->end = PI_SAMPLE_INTERRUPTED;
			break;
		}
		int err = tick_start(cfg, files, &buf, now_t);
		tick_finish(run, &user, &kernel, before, cfg->stop && *cfg->stop);
		/* The files of threads that exited go. */
		pi_task_files_sweep(files);
		if (err) {
			if (run->profile.ticks == 0)
				first_err = err;
			run->end = PI_SAMPLE_TARGET_EXITED;
			run->end_err = err;
			break;
		}
		if (cfg->stop && *cfg->stop) {
			run->end = PI_SAMPLE_INTERRUPTED;
			break;
		}
		int64_t now = pi_monotonic_ns();
		if (cfg->progress)
			cfg->progress(cfg->progress_arg, (double)(end - now) / 1e9, run->profile.ticks,
				      run->profile.samples);
		/* Ticks keep to the rate's grid; one that ran late is not
		 * made up for with a burst, the next one simply follows. */
		next += period_ns;
		if (next < now)
			next = now;
		if (i + 1 < run->ticks_asked)
			sleep_until(next < end ? next : end, cfg->stop);
	}
	/* The tick still decoding; dropped when a stop was asked. */
	for (int k = 0; k < 2; k++)
		tick_finish(run, &user, &kernel, &ticks[k], cfg->stop && *cfg->stop);
	pi_buf_free(&buf);
	if (run->end == PI_SAMPLE_COMPLETED && cfg->stop && *cfg->stop)
		run->end = PI_SAMPLE_INTERRUPTED;
	/* Every tick taken early: the last one stands for the time up to
	 * the end, which the report's duration then covers. */
	if (run->end == PI_SAMPLE_COMPLETED)
		sleep_until(end, cfg->stop);
	run->seconds_taken = (double)(pi_monotonic_ns() - start) / 1e9;
	pi_task_files_close(files);
	pi_buf_free(&user.text);
	pi_buf_free(&kernel.text);
	return first_err;
}

void pi_sample_run_free(struct pi_sample_run *run)
{
	pi_profile_free(&run->profile);
}
