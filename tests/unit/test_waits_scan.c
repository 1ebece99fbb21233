/* The scan for deadlocks across processes (collect/waits.c): real
 * processes forked here, in a pipe cycle, a chain into it, and a pipe
 * whose writer only sleeps; each is killed and reaped whatever happens. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/waits.h"
#include "collect/waits_run.h"
#include "sys/sockdiag.h"
#include "unit.h"

static pid_t kids[4];
static size_t nkids;

static void reap_all(void)
{
	for (size_t i = 0; i < nkids; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	nkids = 0;
}

/* A child that reads `in` for ever, holding `hold` open (its other
 * descriptors closed by the caller's choice of what to pass). */
static pid_t reader(int in, int hold, int close1, int close2)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char c;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(close1);
		close(close2);
		(void)hold;
		for (;;)
			if (read(in, &c, 1) <= 0)
				_exit(1);
	}
	kids[nkids++] = pid;
	return pid;
}

/* Waits until every child is blocked in read (its syscall file says so). */
static void settle(void)
{
	for (int tries = 0; tries < 200; tries++) {
		bool all = true;
		for (size_t i = 0; i < nkids; i++) {
			char path[64], buf[64] = "";
			snprintf(path, sizeof path, "/proc/%d/syscall", (int)kids[i]);
			FILE *f = fopen(path, "r");
			if (f) {
				if (!fgets(buf, sizeof buf, f))
					buf[0] = '\0';
				fclose(f);
			}
			all &= strncmp(buf, "0 ", 2) == 0;	/* read is 0 on x86-64 */
		}
		if (all)
			return;
		usleep(20000);
	}
}

static const struct pi_cross_deadlock *deadlock_with(const struct pi_waits_scan *s, pid_t a, pid_t b)
{
	for (size_t i = 0; i < s->ndeadlocks; i++) {
		bool has_a = false, has_b = false;
		for (size_t j = 0; j < s->deadlocks[i].nsteps; j++) {
			has_a |= s->deadlocks[i].steps[j].pid == a;
			has_b |= s->deadlocks[i].steps[j].pid == b;
		}
		if (has_a && has_b)
			return &s->deadlocks[i];
	}
	return NULL;
}

static bool in_any_deadlock(const struct pi_waits_scan *s, pid_t a)
{
	return deadlock_with(s, a, a) != NULL;
}

START_TEST(pipe_cycle_found)
{
	int p[2], q[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	/* a reads p and holds q's write end; b reads q and holds p's. */
	pid_t a = reader(p[0], q[1], p[1], q[0]);
	pid_t b = reader(q[0], p[1], q[1], p[0]);
	/* A third process reads p too: stuck behind the cycle, not in it. */
	pid_t c = reader(p[0], -1, p[1], q[1]);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	settle();

	struct pi_waits_scan s;
	ck_assert_int_eq(pi_scan_waits(NULL, &s), 0);
	const struct pi_cross_deadlock *d = deadlock_with(&s, a, b);
	ck_assert_msg(d != NULL, "the cycle of %d and %d was not found (%zu deadlocks)", (int)a, (int)b,
		      s.ndeadlocks);
	ck_assert_uint_eq(d->nsteps, 2);
	ck_assert_str_eq(d->steps[0].syscall, "read");
	ck_assert(!in_any_deadlock(&s, c));
	pi_waits_scan_free(&s);
	reap_all();
}
END_TEST

START_TEST(sleeping_writer_is_no_deadlock)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t a = reader(p[0], -1, p[1], -1);
	pid_t w = fork();	/* holds the write end, sleeps with a timeout */
	ck_assert_int_ge(w, 0);
	if (w == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		for (;;)
			sleep(60);
	}
	kids[nkids++] = w;
	close(p[0]);
	close(p[1]);
	settle();

	struct pi_waits_scan s;
	ck_assert_int_eq(pi_scan_waits(NULL, &s), 0);
	ck_assert(!in_any_deadlock(&s, a));
	ck_assert(!in_any_deadlock(&s, w));
	pi_waits_scan_free(&s);
	reap_all();
}
END_TEST

/* The kernel-lock matcher, on wait channels and kernel stacks captured
 * from real tasks: a pipe reader in D behind a writer holding the pipe's
 * mutex (6.18, where the stack leaves the mutex's own frames out, and an
 * older kernel that shows them); a read behind a shared file's position
 * lock; a write behind the inode lock; and waits that are no lock. */
START_TEST(kernel_lock_matcher)
{
	static const char *const pipe_618[] = { "anon_pipe_read+0x54/0x410", "vfs_read+0x32c/0x360",
						"ksys_read+0xba/0xe0", "do_syscall_64+0x71/0x280" };
	static const char *const pipe_old[] = { "__mutex_lock.constprop.0+0x49f/0x8a0", "pipe_write+0x3c/0x6a0",
						"vfs_write+0x2a8/0x3f0", "ksys_write+0x6b/0xf0" };
	static const char *const fpos[] = { "__mutex_lock.constprop.0+0x49f/0x8a0", "__fdget_pos+0x4a/0x60",
					    "ksys_read+0x25/0xf0", "do_syscall_64+0x5b/0x110" };
	static const char *const inode[] = { "rwsem_down_write_slowpath+0x23b/0x5a0", "down_write+0x5b/0x60",
					     "ext4_buffered_write_iter+0x3c/0x160", "vfs_write+0x2a8/0x3f0" };
	static const char *const pagelock[] = { "folio_wait_bit_common+0x13d/0x350",
						"filemap_fault+0x5b2/0xa80", "__do_fault+0x33/0x130" };
	static const char *const holder[] = { "handle_userfault+0x366/0x840", "__handle_mm_fault+0xa1e/0xf40",
					      "_copy_from_iter+0x80/0x6c0", "anon_pipe_write+0x1d3/0x6c0" };

	ck_assert_int_eq(pi_waits_kernel_lock('D', "anon_pipe_read", pipe_618, 4), PI_KLOCK_PIPE);
	ck_assert_int_eq(pi_waits_kernel_lock('D', "pipe_write", pipe_old, 4), PI_KLOCK_PIPE);
	ck_assert_int_eq(pi_waits_kernel_lock('D', "__fdget_pos", fpos, 4), PI_KLOCK_FILE_POS);
	ck_assert_int_eq(pi_waits_kernel_lock('D', "ext4_buffered_write_iter", inode, 4), PI_KLOCK_INODE);
	/* No stack (not root): the wait channel alone. */
	ck_assert_int_eq(pi_waits_kernel_lock('D', "anon_pipe_write", NULL, 0), PI_KLOCK_PIPE);
	ck_assert_int_eq(pi_waits_kernel_lock('D', "__fdget_pos", NULL, 0), PI_KLOCK_FILE_POS);
	/* A pipe's own wait for data is interruptible: S is no lock. */
	ck_assert_int_eq(pi_waits_kernel_lock('S', "anon_pipe_read", pipe_618, 4), PI_KLOCK_NONE);
	/* D, but on a page or a fault: no lock of the file named. */
	ck_assert_int_eq(pi_waits_kernel_lock('D', "folio_wait_bit_common", pagelock, 3), PI_KLOCK_NONE);
	ck_assert_int_eq(pi_waits_kernel_lock('D', "handle_userfault", holder, 4), PI_KLOCK_NONE);
	ck_assert_int_eq(pi_waits_kernel_lock('D', NULL, NULL, 0), PI_KLOCK_NONE);
	ck_assert_int_eq(pi_waits_kernel_lock('D', "", NULL, 0), PI_KLOCK_NONE);
	/* A hostile-looking name: long, no offset. */
	char longname[400];
	memset(longname, 'p', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	const char *const weird[] = { longname };
	ck_assert_int_eq(pi_waits_kernel_lock('D', longname, weird, 1), PI_KLOCK_NONE);
}
END_TEST

/* /proc/locks is every user's to fill: 100,000 POSIX locks the target
 * holds, each with a waiter listed after them all. Its waiters are
 * matched to its locks by the lock's number looked up, not by a pass
 * over every lock per held one (that took minutes: 10^10 steps). The
 * bound on time is Check's timeout, only "does not hang". */
START_TEST(locks_wanted_linear)
{
	enum { HELD = 100000 };
	struct pi_process *p = calloc(1, sizeof *p);
	ck_assert_ptr_nonnull(p);
	p->pid = getpid();
	struct run r;
	memset(&r, 0, sizeof r);
	r.target = p;
	r.locks_read = true;
	r.nlocks = r.locks_cap = 2 * HELD;
	r.locks = calloc(r.nlocks, sizeof *r.locks);
	ck_assert_ptr_nonnull(r.locks);
	for (size_t i = 0; i < HELD; i++) {
		r.locks[i] = (struct pi_file_lock){ .id = i + 1, .kind = PI_FLOCK_POSIX,
						    .access = PI_FLOCK_ACCESS_WRITE, .pid = p->pid,
						    .have_file = true, .inode = 1000 + i };
		r.locks[HELD + i] = r.locks[i];
		r.locks[HELD + i].wait_depth = 1;
		r.locks[HELD + i].pid = (pid_t)(1000000 + i);
	}
	int procfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(procfd, 0);
	pi_waits_locks_wanted(&r, procfd);
	close(procfd);
	ck_assert_int_eq(p->locks_wanted_err, 0);
	ck_assert_uint_eq(p->locks_wanted_total, HELD);
	ck_assert_uint_eq(p->nlocks_wanted, PI_WAIT_MAX_OBJECTS);
	for (size_t i = 0; i < p->nlocks_wanted; i++) {
		const struct pi_lock_wanted *lw = &p->locks_wanted[i];
		ck_assert_uint_eq(lw->inode, 1000 + i);
		ck_assert(lw->write);
		ck_assert_uint_eq(lw->nwaiters, 1);
		ck_assert_uint_eq(lw->waiters_total, 1);
		ck_assert_int_eq(lw->waiters[0].pid, 1000000 + (int)i);
		free(lw->waiters);
	}
	free(p->locks_wanted);
	free(r.locks);
	pi_buf_free(&r.buf);
	pi_buf_free(&r.link);
	free(p);
}
END_TEST

/* A signal caught while pinspect waits for the child that enters a
 * network namespace (the live view's SIGWINCH, say) is no time-out: the
 * wait goes on for what is left of its time. A timer interrupts it here
 * every 100 microseconds. */
static void on_alarm(int sig)
{
	(void)sig;
}

START_TEST(sockdiag_child_signalled)
{
	int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(nsfd, 0);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;	/* no SA_RESTART: poll(2) says EINTR */
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, off;
	memset(&off, 0, sizeof off);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &every, NULL), 0);
	int failed = 0, first_err = 0;
	for (int i = 0; i < 40; i++) {
		struct pi_sockdiag *d = NULL;
		int err = pi_sockdiag_open_in(nsfd, 5000, &d);
		if (err && !failed++)
			first_err = err;
		pi_sockdiag_close(d);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	/* A SIGALRM may still be pending from the timer's last tick. Check's
	 * own SIGALRM handler (its time-out) would take it, and without fork
	 * mode (under valgrind) it SIGKILLs its process group: make and
	 * everything it runs. Ignoring the signal discards it. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGALRM, &old, NULL);
	close(nsfd);
	ck_assert_msg(failed == 0, "%d of 40 failed, the first with %d", failed, first_err);
}
END_TEST

static void teardown(void)
{
	reap_all();
}

/* The words of a shared futex wait, as a hostile process may write them. */
static struct pi_futex words(unsigned op, uint32_t expected, uint32_t word, int32_t owner, uint32_t nusers,
			     int32_t kind)
{
	struct pi_futex f = { .waiting = true, .op = op, .expected = expected, .word = word,
			      .owner_field = owner, .nusers = nusers, .mutex_kind = kind };
	return f;
}

START_TEST(shared_mutex_words)
{
	pid_t owner;
	bool died;
	/* A process-shared glibc mutex, locked with waiters: __owner. */
	struct pi_futex f = words(0 /* FUTEX_WAIT */, 2, 2, 4321, 1, 128);
	ck_assert(pi_waits_mutex_owner(&f, &owner, &died));
	ck_assert_int_eq(owner, 4321);
	ck_assert(!died);
	/* A condition variable's or semaphore's words: no owner. */
	f = words(0, 0, 0, 0, 0, 0);
	ck_assert(!pi_waits_mutex_owner(&f, &owner, &died));
	f = words(9 /* FUTEX_WAIT_BITSET */, 5, 5, 77, 0, 0);
	ck_assert(!pi_waits_mutex_owner(&f, &owner, &died));
	/* Hostile: a negative owner, a __kind with unknown bits. */
	f = words(0, 2, 2, -5, 1, 128);
	ck_assert(!pi_waits_mutex_owner(&f, &owner, &died));
	f = words(0, 2, 2, 4321, 1, 0x4000);
	ck_assert(!pi_waits_mutex_owner(&f, &owner, &died));
	f = words(0, 0x80000000u | 555, 0x80000000u | 555, 555, 1, -1);
	ck_assert(!pi_waits_mutex_owner(&f, &owner, &died));
	/* Robust: the word holds the owner, with FUTEX_WAITERS. */
	f = words(0, 0x80000000u | 555, 0x80000000u | 555, 555, 1, 128 | 16);
	ck_assert(pi_waits_mutex_owner(&f, &owner, &died));
	ck_assert_int_eq(owner, 555);
	ck_assert(!died);
	/* ... and its owner marked dead by the kernel. */
	f = words(0, 0xc0000000u, 0xc0000000u, 555, 1, 128 | 16);
	ck_assert(pi_waits_mutex_owner(&f, &owner, &died));
	ck_assert(died);
	/* Priority inheritance: the word is the kernel's, owner and all. */
	f = words(6 /* FUTEX_LOCK_PI */, 0, 0x80000000u | 777, 0, 1, 128 | 32);
	ck_assert(pi_waits_mutex_owner(&f, &owner, &died));
	ck_assert_int_eq(owner, 777);
	ck_assert(!died);
	f = words(6, 0, 0xc0000000u | 777, 0, 1, 128 | 32);
	ck_assert(pi_waits_mutex_owner(&f, &owner, &died));
	ck_assert(died);
}
END_TEST

START_TEST(shared_mutex_same_object)
{
	struct pi_vma like = { .start = 0x1000, .end = 0x3000, .offset = 0x2000, .perms = "rw-s",
			       .dev_major = 0, .dev_minor = 1, .inode = 42 };
	struct pi_vma theirs[] = {
		{ .start = 0x7000, .end = 0x8000, .offset = 0x2000, .perms = "rw-p", .dev_minor = 1, .inode = 42 },
		{ .start = 0x9000, .end = 0xa000, .offset = 0x2000, .perms = "rw-s", .dev_minor = 2, .inode = 42 },
		{ .start = 0xb000, .end = 0xc000, .offset = 0x3000, .perms = "rw-s", .dev_minor = 1, .inode = 42 },
	};
	/* A private copy, another device's inode 42: not the same memory. */
	ck_assert(!pi_waits_maps_same_object(theirs, 2, &like, 0x2010));
	/* The same object, at the offset: yes; just past its end: no. */
	ck_assert(pi_waits_maps_same_object(theirs, 3, &like, 0x3010));
	ck_assert(pi_waits_maps_same_object(theirs, 3, &like, 0x3fff));
	ck_assert(!pi_waits_maps_same_object(theirs, 3, &like, 0x4000));
	ck_assert(!pi_waits_maps_same_object(theirs, 3, &like, 0x2fff));
	ck_assert(!pi_waits_maps_same_object(NULL, 0, &like, 0x3010));
}
END_TEST

Suite *waits_scan_suite(void)
{
	Suite *s = suite_create("waits_scan");
	TCase *tc = tcase_create("scan");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pipe_cycle_found);
	tcase_add_test(tc, sleeping_writer_is_no_deadlock);
	suite_add_tcase(s, tc);
	TCase *kl = tcase_create("kernel_lock");
	tcase_add_test(kl, kernel_lock_matcher);
	tcase_add_test(kl, locks_wanted_linear);
	tcase_add_test(kl, sockdiag_child_signalled);
	tcase_add_test(kl, shared_mutex_words);
	tcase_add_test(kl, shared_mutex_same_object);
	suite_add_tcase(s, kl);
	return s;
}
