/* pi-lockchain N [chain|cycle|pipe]
 *
 * N threads waiting on each other, for the tests and the benchmark of the
 * lock analysis on many threads (threads are named "w0", "w1", ...):
 *   chain   (the default) thread i holds mutex i and waits for mutex i+1,
 *           held by thread i+1; the last thread holds its mutex and sleeps
 *           in nanosleep(): one wait chain N threads long, not a deadlock
 *   cycle   thread i holds mutex i and waits for mutex (i+1) mod N: one
 *           deadlock of N threads
 *   pipe    every thread waits in read() on a pipe nobody writes: the same
 *           number of threads, no locks (the benchmark's baseline)
 * Prints "ready" once every thread is in its system call, then, on its own
 * line, the TIDs of the first and the last thread. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "helper.h"

enum mode { CHAIN, CYCLE, PIPE };

static enum mode mode;
static long nthreads;
static pthread_mutex_t *mutexes;
static atomic_int *tids;		/* written by each thread, read by main */
static pthread_barrier_t holding;	/* every thread holds its own mutex */
static int pipe_fds[2];

static void *worker(void *arg)
{
	long i = (long)arg;
	char name[16];
	snprintf(name, sizeof name, "w%ld", i);
	pthread_setname_np(pthread_self(), name);
	atomic_store(&tids[i], (int)syscall(SYS_gettid));

	if (mode == PIPE) {
		char c;
		for (;;)
			if (read(pipe_fds[0], &c, 1) < 0 && errno != EINTR)
				helper_die("read");
	}
	pthread_mutex_lock(&mutexes[i]);
	pthread_barrier_wait(&holding);
	if (mode == CHAIN && i == nthreads - 1) {
		for (;;) {
			struct timespec ts = { 3600, 0 };
			nanosleep(&ts, NULL);
		}
	}
	pthread_mutex_lock(&mutexes[(i + 1) % nthreads]);
	return NULL;
}

/* The system call a thread of ours is in (its syscall file's first
 * field), or -1. */
static long syscall_of(pid_t tid)
{
	char path[64], text[64] = "";
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long nr = -1;
	if (fgets(text, sizeof text, f))
		nr = strtol(text, NULL, 10);
	fclose(f);
	return nr;
}

static bool in_place(long i)
{
	long nr = syscall_of((pid_t)atomic_load(&tids[i]));
	if (mode == PIPE)
		return nr == SYS_read;
	if (mode == CHAIN && i == nthreads - 1)
		return nr == SYS_nanosleep || nr == SYS_clock_nanosleep;
	return nr == SYS_futex;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pi-lockchain N [chain|cycle|pipe]\n");
		return 2;
	}
	nthreads = strtol(argv[1], NULL, 10);
	if (nthreads < 2 || nthreads > 100000) {
		fprintf(stderr, "pi-lockchain: N is 2 to 100000\n");
		return 2;
	}
	const char *m = argc == 3 ? argv[2] : "chain";
	if (strcmp(m, "chain") == 0)
		mode = CHAIN;
	else if (strcmp(m, "cycle") == 0)
		mode = CYCLE;
	else if (strcmp(m, "pipe") == 0)
		mode = PIPE;
	else {
		fprintf(stderr, "pi-lockchain: unknown mode %s\n", m);
		return 2;
	}
	mutexes = calloc((size_t)nthreads, sizeof *mutexes);
	tids = calloc((size_t)nthreads, sizeof *tids);
	if (!mutexes || !tids)
		helper_die("calloc");
	for (long i = 0; i < nthreads; i++)
		pthread_mutex_init(&mutexes[i], NULL);
	if (pipe(pipe_fds) != 0)
		helper_die("pipe");
	pthread_barrier_init(&holding, NULL, (unsigned)nthreads);

	/* Small stacks: ten thousand threads of the default 8 MiB would ask
	 * for 80 GB of address space. */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 << 10);
	for (long i = 0; i < nthreads; i++) {
		pthread_t t;
		int err = pthread_create(&t, &attr, worker, (void *)i);
		if (err) {
			errno = err;
			helper_die("pthread_create");
		}
	}
	/* Ready once every thread sleeps where it should. */
	for (long i = 0; i < nthreads; i++) {
		while (!atomic_load(&tids[i]) || !in_place(i)) {
			struct timespec ts = { 0, 2000000 };
			nanosleep(&ts, NULL);
		}
	}
	helper_ready();
	printf("%d %d\n", atomic_load(&tids[0]), atomic_load(&tids[nthreads - 1]));
	fflush(stdout);
	helper_wait_forever();
}
