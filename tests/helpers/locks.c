/* pi-locks MODE
 *
 * Threads stuck on locks in known ways, for the lock analysis tests. The
 * mutexes are named globals (pi_lock_a, pi_lock_b, pi_lock_c) so that
 * their symbols can be checked. Prints "ready" once every thread is in
 * place, then, on its own line, the TIDs of the threads named below in
 * the order given.
 *   deadlock2   t1 holds a, wants b; t2 holds b, wants a
 *   deadlock3   t1 a->b, t2 b->c, t3 c->a
 *   pi          as deadlock2, with priority-inheritance mutexes
 *   recursive   t1 holds recursive mutex a twice and sleeps; t2 wants a
 *   chain       t1 wants a, held by t2; t2 wants b, held by t3; t3 sleeps
 *   condvar     t1 waits forever on a condition variable
 *   semaphore   t1 waits forever on a semaphore
 *   join        t1 joins t2 (pthread_join); t2 sleeps
 *   joincycle   t1 holds a and joins t2; t2 wants a
 *   shared      a process-shared mutex: a child process holds it and
 *               sleeps; t1, in the parent, wants it (prints t1, then the
 *               child's PID)
 * Threads are named "t1", "t2", ... */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "helper.h"

pthread_mutex_t pi_lock_a, pi_lock_b, pi_lock_c;
pthread_cond_t pi_cond = PTHREAD_COND_INITIALIZER;
pthread_mutex_t pi_cond_lock = PTHREAD_MUTEX_INITIALIZER;
sem_t pi_sem;

static pthread_barrier_t holding;	/* everyone holds their first lock */
static atomic_int tids[4];
static atomic_int placed;

struct plan {
	int index;
	pthread_mutex_t *first, *second;
};

static void name_self(int index)
{
	char name[16];
	snprintf(name, sizeof name, "t%d", index);
	pthread_setname_np(pthread_self(), name);
	tids[index - 1] = (int)syscall(SYS_gettid);
}

__attribute__((noinline)) static void pi_sleep_forever(void)
{
	atomic_fetch_add(&placed, 1);
	for (;;) {
		struct timespec ts = { 3600, 0 };
		nanosleep(&ts, NULL);
	}
}

/* Lock first, wait for everybody, lock second: a cycle if the plans make
 * one. */
static void *cycle_member(void *arg)
{
	struct plan *p = arg;
	name_self(p->index);
	pthread_mutex_lock(p->first);
	pthread_barrier_wait(&holding);
	atomic_fetch_add(&placed, 1);
	pthread_mutex_lock(p->second);
	return NULL;
}

static void init_mutex(pthread_mutex_t *m, int protocol, int type, int pshared)
{
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setprotocol(&attr, protocol);
	pthread_mutexattr_settype(&attr, type);
	pthread_mutexattr_setpshared(&attr, pshared);
	if (pthread_mutex_init(m, &attr) != 0)
		helper_die("pthread_mutex_init");
}

static void start(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	if (pthread_create(&t, NULL, fn, arg) != 0)
		helper_die("pthread_create");
}

static void cycle(int n, int protocol)
{
	static struct plan plans[3];
	pthread_mutex_t *locks[3] = { &pi_lock_a, &pi_lock_b, &pi_lock_c };
	for (int i = 0; i < n; i++)
		init_mutex(locks[i], protocol, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_PRIVATE);
	pthread_barrier_init(&holding, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		plans[i].index = i + 1;
		plans[i].first = locks[i];
		plans[i].second = locks[(i + 1) % n];
		start(cycle_member, &plans[i]);
	}
}

static void *hold_twice_and_sleep(void *arg)
{
	(void)arg;
	name_self(1);
	pthread_mutex_lock(&pi_lock_a);
	pthread_mutex_lock(&pi_lock_a);
	pi_sleep_forever();
	return NULL;
}

static void *want_a(void *arg)
{
	name_self((int)(long)arg);
	atomic_fetch_add(&placed, 1);
	pthread_mutex_lock(&pi_lock_a);
	return NULL;
}

static void *chain_t2(void *arg)
{
	(void)arg;
	name_self(2);
	pthread_mutex_lock(&pi_lock_a);
	atomic_fetch_add(&placed, 1);
	pthread_mutex_lock(&pi_lock_b);
	return NULL;
}

static void *chain_t3(void *arg)
{
	(void)arg;
	name_self(3);
	pthread_mutex_lock(&pi_lock_b);
	pi_sleep_forever();
	return NULL;
}

static pthread_mutex_t *shared_lock;

static void *want_shared(void *arg)
{
	(void)arg;
	name_self(1);
	atomic_fetch_add(&placed, 1);
	pthread_mutex_lock(shared_lock);
	return NULL;
}

static void *wait_on_condvar(void *arg)
{
	(void)arg;
	name_self(1);
	pthread_mutex_lock(&pi_cond_lock);
	atomic_fetch_add(&placed, 1);
	for (;;)
		pthread_cond_wait(&pi_cond, &pi_cond_lock);
	return NULL;
}

static void *wait_on_semaphore(void *arg)
{
	(void)arg;
	name_self(1);
	atomic_fetch_add(&placed, 1);
	while (sem_wait(&pi_sem) != 0 && errno == EINTR)
		;
	return NULL;
}

static pthread_t joined;
static atomic_int joined_started;

static void *sleep_as_t2(void *arg)
{
	(void)arg;
	name_self(2);
	atomic_fetch_add(&placed, 1);
	atomic_store(&joined_started, 1);
	pi_sleep_forever();
	return NULL;
}

static void *want_a_as_t2(void *arg)
{
	(void)arg;
	name_self(2);
	atomic_store(&joined_started, 1);
	atomic_fetch_add(&placed, 1);
	pthread_mutex_lock(&pi_lock_a);
	return NULL;
}

/* t1: optionally takes a, starts t2 and joins it. */
static void *join_t2(void *arg)
{
	bool take_a = arg != NULL;
	name_self(1);
	if (take_a)
		pthread_mutex_lock(&pi_lock_a);
	if (pthread_create(&joined, NULL, take_a ? want_a_as_t2 : sleep_as_t2, NULL) != 0)
		helper_die("pthread_create");
	while (!atomic_load(&joined_started))
		usleep(1000);
	atomic_fetch_add(&placed, 1);
	pthread_join(joined, NULL);
	return NULL;
}

/* Waits until the threads are asleep in the kernel, not about to be. */
static void settle(int want)
{
	while (atomic_load(&placed) < want)
		usleep(1000);
	usleep(100000);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int threads = 0;
	pid_t child = 0;

	if (strcmp(mode, "deadlock2") == 0) {
		cycle(2, PTHREAD_PRIO_NONE);
		threads = 2;
	} else if (strcmp(mode, "deadlock3") == 0) {
		cycle(3, PTHREAD_PRIO_NONE);
		threads = 3;
	} else if (strcmp(mode, "pi") == 0) {
		cycle(2, PTHREAD_PRIO_INHERIT);
		threads = 2;
	} else if (strcmp(mode, "recursive") == 0) {
		init_mutex(&pi_lock_a, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_RECURSIVE, PTHREAD_PROCESS_PRIVATE);
		start(hold_twice_and_sleep, NULL);
		while (atomic_load(&placed) < 1)
			usleep(1000);
		start(want_a, (void *)2L);
		threads = 2;
	} else if (strcmp(mode, "chain") == 0) {
		init_mutex(&pi_lock_a, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_PRIVATE);
		init_mutex(&pi_lock_b, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_PRIVATE);
		start(chain_t3, NULL);
		while (atomic_load(&placed) < 1)
			usleep(1000);
		start(chain_t2, NULL);
		while (atomic_load(&placed) < 2)
			usleep(1000);
		start(want_a, (void *)1L);
		threads = 3;
	} else if (strcmp(mode, "condvar") == 0) {
		start(wait_on_condvar, NULL);
		threads = 1;
	} else if (strcmp(mode, "semaphore") == 0) {
		sem_init(&pi_sem, 0, 0);
		start(wait_on_semaphore, NULL);
		threads = 1;
	} else if (strcmp(mode, "join") == 0 || strcmp(mode, "joincycle") == 0) {
		init_mutex(&pi_lock_a, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_PRIVATE);
		start(join_t2, strcmp(mode, "joincycle") == 0 ? (void *)1L : NULL);
		threads = 2;
	} else if (strcmp(mode, "shared") == 0) {
		pthread_mutex_t *m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			helper_die("mmap");
		init_mutex(m, PTHREAD_PRIO_NONE, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_SHARED);
		int ready[2];
		if (pipe(ready) != 0)
			helper_die("pipe");
		pid_t parent = getpid();
		child = fork();
		if (child == 0) {
			helper_die_with_parent(parent);
			pthread_mutex_lock(m);
			char c = 'x';
			if (write(ready[1], &c, 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		char c;
		if (read(ready[0], &c, 1) != 1)
			helper_die("read");
		shared_lock = m;
		start(want_shared, NULL);
		threads = 1;
	} else {
		fprintf(stderr, "usage: pi-locks deadlock2|deadlock3|pi|recursive|chain|condvar|semaphore|join|joincycle|shared\n");
		return 2;
	}
	settle(threads);
	helper_ready();
	for (int i = 0; i < threads; i++)
		printf("%s%d", i ? " " : "", tids[i]);
	if (child)
		printf(" %d", (int)child);
	printf("\n");
	fflush(stdout);
	helper_wait_forever();
}
