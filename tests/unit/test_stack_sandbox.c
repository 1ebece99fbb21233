/* The stacks' sandbox (src/collect/stack_sandbox.c): a child that hangs,
 * crashes or forges its reply costs the batch's stacks with the reason
 * named; a forged reply is never half taken; and the child, seen from
 * inside, is nobody (as root) and can open nothing. The child's work is
 * replaced by a stub (child_hook), which writes the records under test. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "collect/stack_child.h"
#include "collect/stack_go.h"
#include "collect/stack_sandbox.h"
#include "model.h"
#include "proc/reader.h"
#include "sandbox/filter.h"
#include "sandbox/wire.h"
#include "tls/bounds.h"
#include "unit.h"
#include "util/deadline.h"

struct fixture {
	struct pi_process p;
	struct pi_thread threads[2];
	struct pi_stack_batch batch;
	struct pi_stack_decode d;
};

/* This very process, two "threads" with a job each (their stacks are
 * never read: the stub replaces the decoder). */
static void setup(struct fixture *f, int (*hook)(struct pi_sandbox_child *, void *), int jobs)
{
	memset(f, 0, sizeof *f);
	f->p.pid = getpid();
	f->p.threads = f->threads;
	f->p.nthreads = 2;
	for (int i = 0; i < jobs; i++) {
		struct pi_unwind_start s;
		memset(&s, 0, sizeof s);
		f->threads[i].facts.tid = getpid();
		pi_stack_batch_add(&f->batch, &f->threads[i], &s, NULL);
	}
	f->d.p = &f->p;
	f->d.procfd = pi_proc_open(getpid());
	ck_assert_int_ge(f->d.procfd, 0);
	f->d.max_frames = 8;
	f->d.child_hook = hook;
	f->d.timeout_ms = 5000;
}

static void teardown(struct fixture *f)
{
	close(f->d.procfd);
	pi_stack_batch_free(&f->batch);
	pi_strpool_free(&f->p.strings);
}

static double seconds(void)
{
	return (double)pi_monotonic_ns() / 1e9;
}

static int hang(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	/* A wait that never ends and uses no CPU (a futex: sleeping calls
	 * are not on the filter's list). */
	static int never;
	for (;;)
		if (syscall(SYS_futex, &never, FUTEX_WAIT, 0, NULL, NULL, 0) == 12345)
			return 0;
}

START_TEST(timeout_costs_the_stacks)
{
	/* The bound is generous: the point is that it does not hang. */
	struct fixture f;
	setup(&f, hang, 2);
	f.d.timeout_ms = 300;
	double t0 = seconds();
	ck_assert_int_eq(pi_stack_batch_decode(&f.d, &f.batch), -PI_ERR_SANDBOX_TIMEOUT);
	ck_assert_double_lt(seconds() - t0, 10.0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(f.threads[i].ustack.err, -PI_ERR_SANDBOX_TIMEOUT);
		ck_assert_uint_eq(f.threads[i].ustack.nframes, 0);
	}
	ck_assert_uint_eq(f.batch.n, 0);
	teardown(&f);
}
END_TEST

static int crash(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	raise(SIGBUS);
	return 0;
}

START_TEST(crash_costs_the_stacks)
{
	struct fixture f;
	setup(&f, crash, 1);
	ck_assert_int_eq(pi_stack_batch_decode(&f.d, &f.batch), -PI_ERR_SANDBOX_CRASHED);
	ck_assert_int_eq(f.threads[0].ustack.err, -PI_ERR_SANDBOX_CRASHED);
	teardown(&f);
}
END_TEST

/* From inside: nobody when pinspect is root, and no open succeeds. */
static int look_around(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	if (*(const bool *)arg && (geteuid() != 65534 || getuid() != 65534))
		return -EXDEV;
	/* Under valgrind the child runs without its filter (filter.h). */
	if (!pi_sandbox_filter_possible())
		return 0;
	int fd = open("/etc/passwd", O_RDONLY);
	if (fd >= 0 || errno != EPERM)
		return -ENOTRECOVERABLE;
	fd = openat(AT_FDCWD, "/proc/self/status", O_RDONLY);
	if (fd >= 0 || errno != EPERM)
		return -ENOTRECOVERABLE;
	return 0;
}

START_TEST(child_is_confined)
{
	struct fixture f;
	bool root = geteuid() == 0;
	setup(&f, look_around, 0);
	f.d.child_hook_arg = &root;
	ck_assert_int_eq(pi_stack_batch_decode(&f.d, &f.batch), 0);
	teardown(&f);
}
END_TEST

static void put_frame(struct pi_buf *out, uint32_t function, uint32_t build_id, int32_t line)
{
	struct pi_stack_wire_frame w;
	memset(&w, 0, sizeof w);
	w.pc = 0x401000;
	w.offset = 0x10;
	w.flags = PI_STACK_FRAME_HAVE_OFFSET;
	w.function = function;
	w.build_id = build_id;
	w.line = line;
	pi_wire_put(out, PI_STACK_REC_FRAME, &w, sizeof w);
}

static void put_end(struct pi_buf *out, uint32_t reason)
{
	struct pi_stack_wire_job_end e = { reason, 0 };
	pi_wire_put(out, PI_STACK_REC_JOB_END, &e, sizeof e);
}

/* The forged replies, by number: a good one first. */
static int forge(struct pi_sandbox_child *c, void *arg)
{
	int kind = *(const int *)arg;
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "main");
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "0123abcd");
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "not hex!");
	switch (kind) {
	case 0:		/* well formed: both jobs, the second cut short */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_frame(&c->out, 1, 2, 7);
		put_end(&c->out, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 1);
		put_frame(&c->out, 1, 0, 0);
		put_end(&c->out, 1);
		break;
	case 1:		/* a string id never sent */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_frame(&c->out, 9, 0, 0);
		put_end(&c->out, 0);
		break;
	case 2:		/* a build-id that is not hex */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_frame(&c->out, 1, 3, 0);
		put_end(&c->out, 0);
		break;
	case 3:		/* a job that does not exist */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 7);
		put_end(&c->out, 0);
		break;
	case 4:		/* one job twice, the other never */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_end(&c->out, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_end(&c->out, 0);
		break;
	case 5:		/* more frames than max_frames */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		for (int i = 0; i < 9; i++)
			put_frame(&c->out, 1, 0, 0);
		put_end(&c->out, 0);
		break;
	case 6:		/* a NUL inside a string */
		pi_wire_put(&c->out, PI_STACK_REC_STRING, "a\0b", 3);
		break;
	case 7:		/* a frame outside any job */
		put_frame(&c->out, 1, 0, 0);
		break;
	case 8:		/* a negative line */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_frame(&c->out, 1, 0, -1);
		put_end(&c->out, 0);
		break;
	case 9:		/* the first job only: the second is never answered */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_end(&c->out, 0);
		break;
	case 10:	/* the same stack as itself */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_SAME_AS, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 1);
		put_end(&c->out, 0);
		break;
	case 11:	/* the same stack as a job not answered yet */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_SAME_AS, 1);
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 1);
		put_end(&c->out, 0);
		break;
	case 12:	/* frames of its own, then the same stack as another */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_end(&c->out, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 1);
		put_frame(&c->out, 1, 0, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_SAME_AS, 0);
		break;
	case 13:	/* the same stack, outside any job */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_end(&c->out, 0);
		pi_wire_put_u64(&c->out, PI_STACK_REC_SAME_AS, 0);
		break;
	case 14:	/* well formed: the second job's stack is the first's */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_frame(&c->out, 1, 2, 7);
		put_end(&c->out, 1);
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 1);
		pi_wire_put_u64(&c->out, PI_STACK_REC_SAME_AS, 0);
		break;
	}
	return 0;
}

START_TEST(forged_replies_rejected)
{
	struct fixture f;
	int kind = 0;
	setup(&f, forge, 2);
	f.d.child_hook_arg = &kind;
	ck_assert_int_eq(pi_stack_batch_decode(&f.d, &f.batch), 0);
	const struct pi_user_stack *a = &f.threads[0].ustack, *b = &f.threads[1].ustack;
	ck_assert_int_eq(a->err, 0);
	ck_assert_uint_eq(a->nframes, 1);
	ck_assert_str_eq(a->frames[0].function, "main");
	ck_assert_str_eq(a->frames[0].build_id, "0123abcd");
	ck_assert_int_eq(a->frames[0].line, 7);
	ck_assert(a->frames[0].have_offset);
	ck_assert_ptr_null(a->truncated_reason);
	ck_assert_uint_eq(b->nframes, 1);
	ck_assert_str_eq(b->truncated_reason, "main");
	teardown(&f);

	/* A thread parked where another is: its stack by reference. */
	kind = 14;
	setup(&f, forge, 2);
	f.d.child_hook_arg = &kind;
	ck_assert_int_eq(pi_stack_batch_decode(&f.d, &f.batch), 0);
	ck_assert_uint_eq(b->nframes, 1);
	ck_assert_ptr_eq(b->frames, a->frames);
	ck_assert_str_eq(b->frames[0].function, "main");
	ck_assert_str_eq(b->truncated_reason, "main");
	teardown(&f);

	for (kind = 1; kind <= 13; kind++) {
		setup(&f, forge, 2);
		f.d.child_hook_arg = &kind;
		ck_assert_msg(pi_stack_batch_decode(&f.d, &f.batch) == -PI_ERR_SANDBOX_REPLY,
			      "forged reply %d accepted", kind);
		/* Not half taken: no thread keeps frames of a rejected reply. */
		for (int i = 0; i < 2; i++) {
			ck_assert_int_eq(f.threads[i].ustack.err, -PI_ERR_SANDBOX_REPLY);
			ck_assert_uint_eq(f.threads[i].ustack.nframes, 0);
			ck_assert_ptr_null(f.threads[i].ustack.frames);
		}
		teardown(&f);
	}
}
END_TEST

static void put_named(struct pi_buf *out, uint32_t type, uint64_t a, uint64_t b, uint32_t name)
{
	struct pi_stack_wire_named w = { a, b, name, 0 };
	pi_wire_put(out, type, &w, sizeof w);
}

static void put_tls_thread(struct pi_buf *out, int32_t tid, uint64_t tcb)
{
	struct pi_stack_wire_tls_thread w = { tcb, tcb - 0x40, tid, 0 };
	pi_wire_put(out, PI_STACK_REC_TLS_THREAD, &w, sizeof w);
}

static void put_tls_module(struct pi_buf *out, uint32_t path)
{
	struct pi_stack_wire_tls_module w = { 0x40, 0x10, 8, path, 0 };
	pi_wire_put(out, PI_STACK_REC_TLS_MODULE, &w, sizeof w);
}

enum { TCB = 0x7f0000001000ULL, FUTEX = 0x404040 };

/* The test's own PID, as the child (which has its own) sends it. */
static pid_t test_pid;

/* The forged replies of the TLS and lock work, by number: a good one
 * first. Strings: 1 a module's path, 2 a variable, 3 a lock. */
static int forge_facts(struct pi_sandbox_child *c, void *arg)
{
	int kind = *(const int *)arg;
	uint64_t block[2] = { 0x40, 8 };
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "/usr/lib/libc.so.6");
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "counter");
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "big_lock");
	switch (kind) {
	case 0:		/* well formed */
		put_tls_module(&c->out, 1);
		put_tls_thread(&c->out, (int32_t)test_pid, TCB);
		put_tls_thread(&c->out, 999999, TCB);	/* a thread since gone: ignored */
		pi_wire_put_i32(&c->out, PI_STACK_REC_TLS_WALK, 0);
		pi_wire_put(&c->out, PI_STACK_REC_TLS_EXE, block, sizeof block);
		put_named(&c->out, PI_STACK_REC_TLS_VAR, 0x8, 4, 2);
		put_named(&c->out, PI_STACK_REC_FUTEX_NAME, FUTEX, 1, 3);
		put_named(&c->out, PI_STACK_REC_MUTEX, FUTEX, 0, 3);
		return 0;
	case 1:		/* a module without a path */
		put_tls_module(&c->out, 0);
		break;
	case 2:		/* a path never sent */
		put_tls_module(&c->out, 9);
		break;
	case 3:		/* a thread numbered 0 */
		put_tls_thread(&c->out, 0, TCB);
		break;
	case 4:		/* the walk ended in a way it cannot */
		pi_wire_put_i32(&c->out, PI_STACK_REC_TLS_WALK, -12345);
		return 0;
	case 5:		/* the walk's end said twice */
		pi_wire_put_i32(&c->out, PI_STACK_REC_TLS_WALK, 0);
		break;
	case 6:		/* its end never said */
		return 0;
	case 7:		/* a thread after the walk ended */
		pi_wire_put_i32(&c->out, PI_STACK_REC_TLS_WALK, 0);
		put_tls_thread(&c->out, (int32_t)test_pid, TCB);
		return 0;
	case 8:		/* more threads than the walk may visit */
		for (size_t i = 0; i <= pi_tdb_entry_limit(2); i++)
			put_tls_thread(&c->out, (int32_t)test_pid, TCB);
		break;
	case 9:		/* a variable before its block */
		put_named(&c->out, PI_STACK_REC_TLS_VAR, 0x8, 4, 2);
		break;
	case 10:	/* more variables than are read */
		pi_wire_put(&c->out, PI_STACK_REC_TLS_EXE, block, sizeof block);
		for (int i = 0; i <= PI_TLS_MAX_VARS; i++)
			put_named(&c->out, PI_STACK_REC_TLS_VAR, 0x8, 4, 2);
		break;
	case 11:	/* a futex of a thread the process does not have */
		put_named(&c->out, PI_STACK_REC_FUTEX_NAME, FUTEX, 5, 3);
		break;
	case 12:	/* one thread's futex named twice */
		put_named(&c->out, PI_STACK_REC_FUTEX_NAME, FUTEX, 0, 3);
		put_named(&c->out, PI_STACK_REC_FUTEX_NAME, FUTEX, 0, 2);
		break;
	case 13:	/* a mutex without a name */
		put_named(&c->out, PI_STACK_REC_MUTEX, FUTEX, 0, 0);
		break;
	case 14:	/* a fact inside a job */
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, 0);
		put_named(&c->out, PI_STACK_REC_MUTEX, FUTEX, 0, 3);
		put_end(&c->out, 0);
		break;
	case 15:	/* a record of work not asked for (only the locks were) */
		put_tls_module(&c->out, 1);
		return 0;
	}
	pi_wire_put_i32(&c->out, PI_STACK_REC_TLS_WALK, 0);
	return 0;
}

static void setup_facts(struct fixture *f, int *kind, struct pi_vma *vma,
			struct pi_tls_exe_vars *exe, struct pi_lock_symbols *locks)
{
	setup(f, forge_facts, *kind == 14 ? 1 : 0);
	f->d.child_hook_arg = kind;
	/* One mapping: the most modules with a TLS segment there can be. */
	memset(vma, 0, sizeof *vma);
	f->p.vmas = vma;
	f->p.nvmas = 1;
	test_pid = getpid();
	f->p.threads[0].facts.tid = test_pid;
	f->p.threads[1].facts.tid = getpid() + 1;
	memset(exe, 0, sizeof *exe);
	memset(locks, 0, sizeof *locks);
	f->d.work = *kind == 15 ? PI_STACK_WORK_LOCKS : PI_STACK_WORK_TLS | PI_STACK_WORK_LOCKS;
	f->d.tls_exe = exe;
	f->d.locks = locks;
}

START_TEST(forged_facts_rejected)
{
	struct fixture f;
	struct pi_vma vma;
	struct pi_tls_exe_vars exe;
	struct pi_lock_symbols locks;
	int kind = 0;

	setup_facts(&f, &kind, &vma, &exe, &locks);
	ck_assert_int_eq(pi_stack_batch_decode(&f.d, &f.batch), 0);
	ck_assert_uint_eq(f.p.ntls_modules, 1);
	ck_assert_str_eq(f.p.tls_modules[0].path, "/usr/lib/libc.so.6");
	ck_assert_uint_eq(f.p.tls_modules[0].size, 0x40);
	ck_assert_int_eq(f.threads[0].tls.err, 0);
	ck_assert_uint_eq(f.threads[0].tls.fs_base, TCB);
	ck_assert_str_eq(f.threads[0].tls.source, "libthread_db");
	/* The walk did not report it: unknown, and why. */
	ck_assert_int_eq(f.threads[1].tls.err, -ENOENT);
	ck_assert(exe.known);
	ck_assert_uint_eq(exe.nvars, 1);
	ck_assert_str_eq(exe.vars[0].name, "counter");
	ck_assert_uint_eq(locks.nthreads, 2);
	ck_assert_ptr_null(locks.futex[0].name);
	ck_assert_str_eq(locks.futex[1].name, "big_lock");
	ck_assert_uint_eq(locks.futex[1].addr, FUTEX);
	ck_assert_uint_eq(locks.nmutexes, 1);
	ck_assert_str_eq(locks.mutexes[0].name, "big_lock");
	free(f.p.tls_modules);
	pi_lock_symbols_free(&locks);
	teardown(&f);

	for (kind = 1; kind <= 15; kind++) {
		setup_facts(&f, &kind, &vma, &exe, &locks);
		ck_assert_msg(pi_stack_batch_decode(&f.d, &f.batch) == -PI_ERR_SANDBOX_REPLY,
			      "forged facts %d accepted", kind);
		/* Not half taken: nothing of it reaches the process. */
		ck_assert_uint_eq(f.p.ntls_modules, 0);
		/* TLS work asked (all but the last): unknown, and why. */
		ck_assert_int_eq(f.p.tls_modules_err, kind == 15 ? 0 : -PI_ERR_SANDBOX_REPLY);
		for (int i = 0; i < 2 && kind != 15; i++) {
			ck_assert_int_eq(f.threads[i].tls.err, -PI_ERR_SANDBOX_REPLY);
			ck_assert_uint_eq(f.threads[i].tls.fs_base, 0);
			ck_assert_ptr_null(f.threads[i].tls.source);
		}
		ck_assert(!exe.known);
		ck_assert_uint_eq(locks.nthreads, 0);
		ck_assert_uint_eq(locks.nmutexes, 0);
		free(f.p.tls_modules);
		teardown(&f);
	}
}
END_TEST

/* A Go program's facts (PI_STACK_WORK_GO): a well-formed set, then
 * forged ones, each rejected whole. */
static int forge_go(struct pi_sandbox_child *c, void *arg)
{
	int kind = *(int *)arg;
	struct pi_stack_wire_go_info info = { 0, 1, 0, 0, 3 };
	struct pi_stack_wire_goroutine g = { 17, 2500000, 4, 2, 0, 1 };
	struct pi_stack_wire_frame fr;
	memset(&fr, 0, sizeof fr);
	fr.pc = 0x401000;
	fr.line = 42;
	fr.function = 3;
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "go1.19.8");
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "chan receive");
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "main.worker");
	if (kind != 1)
		pi_wire_put(&c->out, PI_STACK_REC_GO_EXE, NULL, 0);
	switch (kind) {
	case 2:		/* said twice */
		pi_wire_put(&c->out, PI_STACK_REC_GO_EXE, NULL, 0);
		break;
	case 3:		/* an error a reader cannot end with */
		info.err = -12345;
		break;
	case 4:		/* a status Go has not */
		g.status = 99;
		break;
	case 5:		/* more frames than a goroutine is read with */
		g.nframes = PI_GO_MAX_FRAMES + 1;
		break;
	case 6:		/* a frame with a module (Go's have none) */
		fr.module = 1;
		break;
	case 7:		/* a wait reason never sent */
		g.wait_reason = 9;
		break;
	}
	pi_wire_put(&c->out, PI_STACK_REC_GO_INFO, &info, sizeof info);
	pi_wire_put(&c->out, PI_STACK_REC_GOROUTINE, &g, sizeof g);
	if (kind != 8)		/* 8: its frame never comes */
		pi_wire_put(&c->out, PI_STACK_REC_GO_FRAME, &fr, sizeof fr);
	if (kind == 9)		/* a frame of no goroutine */
		pi_wire_put(&c->out, PI_STACK_REC_GO_FRAME, &fr, sizeof fr);
	return 0;
}

START_TEST(forged_go_rejected)
{
	struct fixture f;
	for (int kind = 0; kind <= 10; kind++) {
		setup(&f, forge_go, 0);
		f.d.child_hook_arg = &kind;
		/* 10: well formed, but Go's work was not asked for. */
		f.d.work = kind == 10 ? PI_STACK_WORK_LOCKS : PI_STACK_WORK_GO;
		int err = pi_stack_batch_decode(&f.d, &f.batch);
		if (kind == 0) {
			ck_assert_int_eq(err, 0);
			ck_assert(f.p.runtime_go);
			ck_assert(f.p.go.read);
			ck_assert_str_eq(f.p.go.version, "go1.19.8");
			ck_assert_uint_eq(f.p.go.total, 3);
			ck_assert_uint_eq(f.p.go.ngoroutines, 1);
			ck_assert_uint_eq(f.p.go.goroutines[0].goid, 17);
			ck_assert_str_eq(f.p.go.goroutines[0].wait_reason, "chan receive");
			ck_assert_double_eq(f.p.go.goroutines[0].wait_seconds, 2.5);
			ck_assert_uint_eq(f.p.go.nframes, 1);
			ck_assert_str_eq(f.p.go.frames[0].function, "main.worker");
			ck_assert_int_eq(f.p.go.frames[0].line, 42);
			free(f.p.go.goroutines);
			free(f.p.go.frames);
		} else {
			ck_assert_msg(err == -PI_ERR_SANDBOX_REPLY, "forged Go facts %d accepted", kind);
			/* Nothing of it reaches the process. */
			ck_assert(!f.p.runtime_go);
			ck_assert(!f.p.go.read);
			ck_assert_uint_eq(f.p.go.ngoroutines, 0);
		}
		teardown(&f);
	}
}
END_TEST

/* The session: its first part (TLS, lock names) is read only once the
 * copies were handed over, and a waiter thread serves the child while
 * the caller reads the rest of the process. Its child (session_serve, by
 * kind: 0 good facts, 1 forged facts, CRASH_FIRST a crash before any)
 * answers each job of the batch it gets with one frame named "counter";
 * a child of their own (answer_alone) names them "alone". */
enum { CRASH_FIRST = 100 };

static int session_serve(struct pi_sandbox_child *c, void *arg)
{
	if (*(const int *)arg == CRASH_FIRST)
		raise(SIGBUS);
	forge_facts(c, arg);
	int err = pi_sandbox_mark(c);
	int fd = err ? err : pi_broker_request(c->broker_fd, PI_BROKER_STACK_BATCH, NULL, 0);
	if (fd < 0)
		return fd;
	struct pi_stack_batch_header h;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < (off_t)sizeof h || pread(fd, &h, sizeof h, size - (off_t)sizeof h) != sizeof h)
		return -EBADMSG;
	close(fd);
	for (uint64_t i = 0; i < h.njobs; i++) {
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, i);
		put_frame(&c->out, 2, 0, 0);
		put_end(&c->out, 0);
	}
	return 0;
}

static int answer_alone(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	pi_wire_put_str(&c->out, PI_STACK_REC_STRING, "alone");
	for (uint64_t i = 0; i < 2; i++) {
		pi_wire_put_u64(&c->out, PI_STACK_REC_JOB, i);
		put_frame(&c->out, 1, 0, 0);
		put_end(&c->out, 0);
	}
	return 0;
}

static void decode_in_session(struct fixture *f)
{
	struct pi_stack_session *s;
	pi_stack_session_start(&f->d, &s);
	ck_assert_int_eq(pi_stack_batch_use_file(&f->batch), 0);
	ck_assert_int_eq(pi_stack_session_decode_start(s, &f->batch), 0);
	/* The caller's own work would be here; the threads are not touched
	 * until decode_finish. */
	pi_stack_session_decode_finish(s, &f->batch);
	pi_stack_session_end(s);
	ck_assert_uint_eq(f->batch.n, 0);
}

START_TEST(session_facts_after_the_copies)
{
	struct fixture f;
	struct pi_vma vma;
	struct pi_tls_exe_vars exe;
	struct pi_lock_symbols locks;
	int kind = 0;

	setup_facts(&f, &kind, &vma, &exe, &locks);
	for (int i = 0; i < 2; i++) {
		struct pi_unwind_start none;
		memset(&none, 0, sizeof none);
		pi_stack_batch_add(&f.batch, &f.threads[i], &none, NULL);
	}
	f.d.session_hook = session_serve;
	f.d.child_hook = answer_alone;
	decode_in_session(&f);
	/* The facts came, after the stacks were handed over. */
	ck_assert_int_eq(f.threads[0].tls.err, 0);
	ck_assert_uint_eq(f.threads[0].tls.fs_base, TCB);
	ck_assert_str_eq(f.threads[0].tls.source, "libthread_db");
	ck_assert_str_eq(locks.futex[1].name, "big_lock");
	/* And the stacks, from the session's child. */
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(f.threads[i].ustack.err, 0);
		ck_assert_uint_eq(f.threads[i].ustack.nframes, 1);
		ck_assert_str_eq(f.threads[i].ustack.frames[0].function, "counter");
	}
	free(f.p.tls_modules);
	pi_lock_symbols_free(&locks);
	teardown(&f);
}
END_TEST

START_TEST(session_failing_first_part)
{
	/* A forged first part, or a crash before it: no fact of it is
	 * taken, each thread's TLS says why, and the stacks are decoded by
	 * a child of their own. */
	static const int kinds[] = { 1, CRASH_FIRST };
	static const int why[] = { -PI_ERR_SANDBOX_REPLY, -PI_ERR_SANDBOX_CRASHED };
	for (size_t k = 0; k < 2; k++) {
		struct fixture f;
		struct pi_vma vma;
		struct pi_tls_exe_vars exe;
		struct pi_lock_symbols locks;
		int kind = kinds[k];

		setup_facts(&f, &kind, &vma, &exe, &locks);
		for (int i = 0; i < 2; i++) {
			struct pi_unwind_start none;
			memset(&none, 0, sizeof none);
			pi_stack_batch_add(&f.batch, &f.threads[i], &none, NULL);
		}
		f.d.session_hook = session_serve;
		f.d.child_hook = answer_alone;
		decode_in_session(&f);
		ck_assert_uint_eq(f.p.ntls_modules, 0);
		ck_assert_int_eq(f.p.tls_modules_err, why[k]);
		ck_assert(!exe.known);
		ck_assert_uint_eq(locks.nthreads, 0);
		for (int i = 0; i < 2; i++) {
			ck_assert_int_eq(f.threads[i].tls.err, why[k]);
			ck_assert_ptr_null(f.threads[i].tls.source);
			ck_assert_int_eq(f.threads[i].ustack.err, 0);
			ck_assert_uint_eq(f.threads[i].ustack.nframes, 1);
			ck_assert_str_eq(f.threads[i].ustack.frames[0].function, "alone");
		}
		free(f.p.tls_modules);
		teardown(&f);
	}
}
END_TEST

Suite *stack_sandbox_suite(void)
{
	Suite *s = suite_create("stack_sandbox");
	TCase *tc = tcase_create("child");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, timeout_costs_the_stacks);
	tcase_add_test(tc, crash_costs_the_stacks);
	tcase_add_test(tc, child_is_confined);
	tcase_add_test(tc, forged_replies_rejected);
	tcase_add_test(tc, forged_facts_rejected);
	tcase_add_test(tc, forged_go_rejected);
	tcase_add_test(tc, session_facts_after_the_copies);
	tcase_add_test(tc, session_failing_first_part);
	suite_add_tcase(s, tc);
	return s;
}
