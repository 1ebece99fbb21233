/* proc/taskfiles: a thread's files kept open across reads, read afresh
 * each time, given up when the thread exits, bounded in number. Run on
 * threads of the test process itself. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/taskfiles.h"
#include "unit.h"

struct waiter {
	pthread_t thread;
	pid_t tid;
	sem_t ready, go;
};

static void *wait_then_exit(void *arg)
{
	struct waiter *w = arg;
	w->tid = (pid_t)syscall(SYS_gettid);
	sem_post(&w->ready);
	while (sem_wait(&w->go) != 0)
		;
	return NULL;
}

static void waiter_start(struct waiter *w)
{
	sem_init(&w->ready, 0, 0);
	sem_init(&w->go, 0, 0);
	ck_assert_int_eq(pthread_create(&w->thread, NULL, wait_then_exit, w), 0);
	while (sem_wait(&w->ready) != 0)
		;
}

static void waiter_end(struct waiter *w)
{
	sem_post(&w->go);
	pthread_join(w->thread, NULL);
	sem_destroy(&w->ready);
	sem_destroy(&w->go);
}

START_TEST(read_afresh_from_one_descriptor)
{
	struct pi_task_files *c;
	struct pi_buf b = PI_BUF_INIT;
	struct waiter w;
	waiter_start(&w);
	ck_assert_int_eq(pi_task_files_open(getpid(), 0, &c), 0);
	pthread_setname_np(w.thread, "before");
	ck_assert_int_eq(pi_task_files_read(c, w.tid, PI_TASK_STAT, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "(before)"));
	ck_assert_uint_eq(pi_task_files_held(c), 1);
	/* The same descriptor, the file formatted anew: the new name. */
	pthread_setname_np(w.thread, "after");
	ck_assert_int_eq(pi_task_files_read(c, w.tid, PI_TASK_STAT, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "(after)"));
	ck_assert_uint_eq(pi_task_files_held(c), 1);
	ck_assert_int_eq(pi_task_files_read(c, w.tid, PI_TASK_SYSCALL, &b), 0);
	ck_assert_uint_eq(pi_task_files_held(c), 2);
	/* A kernel stack is many lines: read whole. */
	ck_assert_int_eq(pi_task_files_read(c, w.tid, PI_TASK_STACK, &b), 0);
	ck_assert_uint_eq(b.len, strlen(b.data));
	waiter_end(&w);
	pi_task_files_close(c);
	pi_buf_free(&b);
}
END_TEST

START_TEST(an_exited_thread_is_let_go)
{
	struct pi_task_files *c;
	struct pi_buf b = PI_BUF_INIT;
	struct waiter w, other;
	waiter_start(&w);
	waiter_start(&other);
	ck_assert_int_eq(pi_task_files_open(getpid(), 0, &c), 0);
	ck_assert_int_eq(pi_task_files_read(c, w.tid, PI_TASK_STAT, &b), 0);
	ck_assert_int_eq(pi_task_files_read(c, other.tid, PI_TASK_STAT, &b), 0);
	ck_assert_uint_eq(pi_task_files_held(c), 2);
	pi_task_files_sweep(c);
	ck_assert_uint_eq(pi_task_files_held(c), 2);
	waiter_end(&w);
	/* Its descriptor reads an error: closed, and the file is not there
	 * to open again. (A joined thread's task may linger a moment in
	 * the kernel: up to 2 s for it to go.) */
	int err = 0;
	for (int i = 0; i < 2000 && err == 0; i++) {
		err = pi_task_files_read(c, w.tid, PI_TASK_STAT, &b);
		if (err == 0)
			usleep(1000);
	}
	ck_assert_msg(err == -ESRCH || err == -ENOENT, "err %d", err);
	ck_assert_uint_eq(pi_task_files_held(c), 1);
	/* A sweep after a tick that read only the other one closes the
	 * rest; one after a tick that read none, everything. */
	ck_assert_int_eq(pi_task_files_read(c, other.tid, PI_TASK_STAT, &b), 0);
	pi_task_files_sweep(c);
	ck_assert_uint_eq(pi_task_files_held(c), 1);
	pi_task_files_sweep(c);
	ck_assert_uint_eq(pi_task_files_held(c), 0);
	waiter_end(&other);
	pi_task_files_close(c);
	pi_buf_free(&b);
}
END_TEST

START_TEST(threads_past_the_cap_are_read_without_keeping)
{
	struct pi_task_files *c;
	struct pi_buf b = PI_BUF_INIT;
	struct waiter w, other;
	waiter_start(&w);
	waiter_start(&other);
	ck_assert_int_eq(pi_task_files_open(getpid(), 1, &c), 0);
	ck_assert_int_eq(pi_task_files_read(c, w.tid, PI_TASK_STAT, &b), 0);
	ck_assert_int_eq(pi_task_files_read(c, other.tid, PI_TASK_STAT, &b), 0);
	ck_assert_uint_eq(pi_task_files_held(c), 1);
	ck_assert_int_eq(pi_task_files_read(c, other.tid, PI_TASK_SYSCALL, &b), 0);
	ck_assert_uint_eq(pi_task_files_held(c), 1);
	/* No such thread: an error, nothing kept. */
	ck_assert_int_ne(pi_task_files_read(c, 0x7ffffff0, PI_TASK_STAT, &b), 0);
	ck_assert_uint_eq(pi_task_files_held(c), 1);
	waiter_end(&w);
	waiter_end(&other);
	pi_task_files_close(c);
	pi_buf_free(&b);
}
END_TEST

/* More threads than the first table holds: it grows, and shrinks
 * again once they are gone, each thread keeping its descriptor. */
START_TEST(many_threads_then_few)
{
	enum { N = 100 };
	static struct waiter w[N];
	struct pi_task_files *c;
	struct pi_buf b = PI_BUF_INIT;
	for (int i = 0; i < N; i++)
		waiter_start(&w[i]);
	ck_assert_int_eq(pi_task_files_open(getpid(), 0, &c), 0);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++)
			ck_assert_int_eq(pi_task_files_read(c, w[i].tid, PI_TASK_STAT, &b), 0);
		ck_assert_uint_eq(pi_task_files_held(c), N);
		pi_task_files_sweep(c);
	}
	/* A tick that reads only the first three: the rest are closed. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pi_task_files_read(c, w[i].tid, PI_TASK_STAT, &b), 0);
	pi_task_files_sweep(c);
	ck_assert_uint_eq(pi_task_files_held(c), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pi_task_files_read(c, w[i].tid, PI_TASK_STAT, &b), 0);
	ck_assert_uint_eq(pi_task_files_held(c), 3);
	for (int i = 0; i < N; i++)
		waiter_end(&w[i]);
	pi_task_files_close(c);
	pi_buf_free(&b);
}
END_TEST

START_TEST(no_such_process)
{
	struct pi_task_files *c = (struct pi_task_files *)1;
	ck_assert_int_eq(pi_task_files_open(0x7ffffff0, 0, &c), -ENOENT);
	ck_assert_ptr_null(c);
}
END_TEST

Suite *taskfiles_suite(void)
{
	Suite *s = suite_create("taskfiles");
	TCase *tc = tcase_create("taskfiles");
	tcase_add_test(tc, read_afresh_from_one_descriptor);
	tcase_add_test(tc, an_exited_thread_is_let_go);
	tcase_add_test(tc, threads_past_the_cap_are_read_without_keeping);
	tcase_add_test(tc, many_threads_then_few);
	tcase_add_test(tc, no_such_process);
	suite_add_tcase(s, tc);
	return s;
}
