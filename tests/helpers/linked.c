/* libpi-linked.so: a small shared library for the tests of the files a
 * target names (tests/cli/debuglink_fifo.sh, container_files.sh). The
 * tests strip it and give it a .gnu_debuglink of their choosing; its
 * functions are exported, so that their names stay in .dynsym.
 *
 * pi_linked_deadlock(ready): two threads, t1 and t2, each holding one
 * mutex and waiting for the other's; calls ready() once both wait, then
 * waits for good in pi_linked_wait. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

pthread_mutex_t pi_linked_lock_a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t pi_linked_lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t holding;
static atomic_int placed;

__attribute__((noinline)) void *pi_linked_take_ab(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "t1");
	pthread_mutex_lock(&pi_linked_lock_a);
	pthread_barrier_wait(&holding);
	atomic_fetch_add(&placed, 1);
	pthread_mutex_lock(&pi_linked_lock_b);
	return NULL;
}

__attribute__((noinline)) void *pi_linked_take_ba(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "t2");
	pthread_mutex_lock(&pi_linked_lock_b);
	pthread_barrier_wait(&holding);
	atomic_fetch_add(&placed, 1);
	pthread_mutex_lock(&pi_linked_lock_a);
	return NULL;
}

__attribute__((noinline)) void pi_linked_wait(void)
{
	for (;;)
		pause();
}

void pi_linked_deadlock(void (*ready)(void))
{
	pthread_t t;
	pthread_barrier_init(&holding, NULL, 2);
	if (pthread_create(&t, NULL, pi_linked_take_ab, NULL) != 0
	    || pthread_create(&t, NULL, pi_linked_take_ba, NULL) != 0)
		_exit(1);
	while (atomic_load(&placed) < 2)
		usleep(1000);
	/* Asleep in the kernel, not about to be. */
	usleep(100000);
	ready();
	pi_linked_wait();
}
