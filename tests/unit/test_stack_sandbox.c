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

#include "collect/stack_sandbox.h"
#include "model.h"
#include "proc/reader.h"
#include "sandbox/filter.h"
#include "sandbox/wire.h"
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

	for (kind = 1; kind <= 9; kind++) {
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

Suite *stack_sandbox_suite(void)
{
	Suite *s = suite_create("stack_sandbox");
	TCase *tc = tcase_create("child");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, timeout_costs_the_stacks);
	tcase_add_test(tc, crash_costs_the_stacks);
	tcase_add_test(tc, child_is_confined);
	tcase_add_test(tc, forged_replies_rejected);
	suite_add_tcase(s, tc);
	return s;
}
