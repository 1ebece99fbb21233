/* pi-phases [many N]
 *
 * Threads that spend known shares of their wall-clock time in known
 * places, for pinspect --sample (tests/cli/sample.sh):
 *   "spin"    always running in user space, in pi_phase_spin()
 *   "piper"   always blocked in read() of a pipe nobody writes to
 *             (pi_phase_read_forever)
 *   "phases"  a cycle of four equal phases of PHASE_MS each: running in
 *             pi_phase_busy(), waiting for a mutex the main thread holds
 *             (pthread_mutex_timedlock, in pi_phase_mutex), blocked in
 *             read() of a pipe the "writer" thread answers after
 *             PHASE_MS (pi_phase_pipe), and asleep in nanosleep()
 *             (pi_phase_sleep): 25% on the CPU, 25% in each wait
 *   "writer"  answers "phases"' pipe requests (asleep or reading)
 * The main thread holds the mutex and waits in pause().
 *
 *   many N    N threads named "worker", each in a loop: a fixed unit of
 *             work in pi_phase_work() (a few ms of CPU), then ~2 ms
 *             asleep; SIGUSR1 prints the units done so far (for the bench)
 * Prints "ready" once in place. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "helper.h"

#define PHASE_MS 100

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int request_pipe[2], answer_pipe[2], silent_pipe[2];
static atomic_int started;
static atomic_ulong work_done;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

__attribute__((noinline)) void pi_phase_spin(void);
__attribute__((noinline)) void pi_phase_spin(void)
{
	volatile unsigned long n = 0;
	for (;;)
		n++;
}

static void *spin_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "spin");
	atomic_fetch_add(&started, 1);
	pi_phase_spin();
	return NULL;
}

__attribute__((noinline)) void pi_phase_read_forever(void);
__attribute__((noinline)) void pi_phase_read_forever(void)
{
	char c;
	for (;;)
		if (read(silent_pipe[0], &c, 1) == 0)
			helper_wait_forever();
}

static void *piper_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "piper");
	atomic_fetch_add(&started, 1);
	pi_phase_read_forever();
	return NULL;
}

__attribute__((noinline)) void pi_phase_busy(void);
__attribute__((noinline)) void pi_phase_busy(void)
{
	volatile unsigned long n = 0;
	double end = now_ms() + PHASE_MS;
	while (now_ms() < end)
		n++;
}

__attribute__((noinline)) void pi_phase_mutex(void);
__attribute__((noinline)) void pi_phase_mutex(void)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += PHASE_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	/* The main thread holds it for good: this times out. */
	if (pthread_mutex_timedlock(&held, &until) == 0)
		pthread_mutex_unlock(&held);
}

__attribute__((noinline)) void pi_phase_pipe(void);
__attribute__((noinline)) void pi_phase_pipe(void)
{
	char c = 'r';
	if (write(request_pipe[1], &c, 1) != 1)
		helper_die("write");
	while (read(answer_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
}

__attribute__((noinline)) void pi_phase_sleep(void);
__attribute__((noinline)) void pi_phase_sleep(void)
{
	sleep_ms(PHASE_MS);
}

static void *phases_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "phases");
	atomic_fetch_add(&started, 1);
	for (;;) {
		pi_phase_busy();
		pi_phase_mutex();
		pi_phase_pipe();
		pi_phase_sleep();
	}
	return NULL;
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "writer");
	atomic_fetch_add(&started, 1);
	for (;;) {
		char c;
		if (read(request_pipe[0], &c, 1) != 1)
			continue;
		sleep_ms(PHASE_MS);
		if (write(answer_pipe[1], &c, 1) != 1)
			helper_die("write");
	}
	return NULL;
}

/* A fixed unit of work (a couple of milliseconds of one CPU): the
 * process's throughput is the units done, whatever the scheduler does
 * with its threads. */
__attribute__((noinline)) void pi_phase_work(void);
__attribute__((noinline)) void pi_phase_work(void)
{
	volatile unsigned long n = 0;
	for (unsigned long i = 0; i < 2000000; i++)
		n += i;
	atomic_fetch_add(&work_done, 1);
}

static void *worker_main(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "worker");
	atomic_fetch_add(&started, 1);
	for (;;) {
		pi_phase_work();
		sleep_ms(2);
	}
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	char line[32];
	int n = snprintf(line, sizeof line, "work %lu\n", atomic_load(&work_done));
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(1);
}

static void start(void *(*fn)(void *))
{
	pthread_t t;
	if (pthread_create(&t, NULL, fn, NULL) != 0)
		helper_die("pthread_create");
}

int main(int argc, char **argv)
{
	int want;
	if (argc == 3 && strcmp(argv[1], "many") == 0) {
		want = atoi(argv[2]);
		if (want < 1 || want > 10000) {
			fprintf(stderr, "pi-phases: many N: N from 1 to 10000\n");
			return 2;
		}
		signal(SIGUSR1, on_usr1);
		for (int i = 0; i < want; i++)
			start(worker_main);
	} else if (argc == 1) {
		if (pipe(request_pipe) || pipe(answer_pipe) || pipe(silent_pipe))
			helper_die("pipe");
		pthread_mutex_lock(&held);
		start(spin_main);
		start(piper_main);
		start(phases_main);
		start(writer_main);
		want = 4;
	} else {
		fprintf(stderr, "usage: pi-phases [many N]\n");
		return 2;
	}
	while (atomic_load(&started) < want)
		sleep_ms(1);
	helper_ready();
	helper_wait_forever();
}
