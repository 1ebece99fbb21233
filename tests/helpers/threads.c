/* pi-threads [-n THREADS] [-d DEPTH] [-m MODE] [-c] [-g FILE]
 *
 * Starts THREADS threads (default 4) named "worker-N". Each calls DEPTH
 * nested functions, pi_depth_1 ... pi_depth_DEPTH (1 to 8, default 3: known
 * names for the stack tests), then pi_wait_here, which waits as MODE says:
 *   pipe   blocked in read() on a pipe nobody writes (default)
 *   spin   running in user space, never blocking
 *   mutex  blocked in pthread_mutex_lock() on pi_held_mutex, which the main
 *          thread holds
 *   varied as pipe, but worker N nests N % 8 + 1 deep (DEPTH is ignored):
 *          up to eight distinct stacks, for the stack groups' tests
 * The main thread waits in pause(), or with -c keeps starting threads that
 * exit at once, so that threads come and go while pinspect reads.
 * Thread-local pi_tls_value is 42 in the main thread and 1000 + N in
 * worker N.
 *
 * With -g FILE, one more thread ("gapper") runs in user space reading the
 * clock in a loop and writes to FILE the longest gap, in microseconds,
 * between two reads in which it was stopped (a voluntary switch, not a
 * preemption): how long a tool that stopped it kept it from running. It runs on the last CPU. SIGUSR1 starts a new
 * measurement. Prints "pipe FD" (the descriptor the
 * workers read) and "ready" once every worker is in place. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "helper.h"

static const char *mode = "pipe";
pthread_mutex_t pi_held_mutex = PTHREAD_MUTEX_INITIALIZER;
static int pipe_fd[2];
static atomic_int arrived;

/* Thread-local variables with known values: 42 in the main thread, 1000 +
 * N in worker N (for the TLS tests). */
__thread long pi_tls_value = 42;
__thread char pi_tls_tag[8] = "main";

int pi_wait_here(void);
int pi_depth_1(int left);
int pi_depth_2(int left);
int pi_depth_3(int left);
int pi_depth_4(int left);
int pi_depth_5(int left);
int pi_depth_6(int left);
int pi_depth_7(int left);
int pi_depth_8(int left);

__attribute__((noinline)) int pi_wait_here(void)
{
	atomic_fetch_add(&arrived, 1);
	if (strcmp(mode, "spin") == 0) {
		volatile unsigned long spins = 0;
		for (;;)
			spins++;
	}
	if (strcmp(mode, "mutex") == 0) {
		pthread_mutex_lock(&pi_held_mutex);
		return 0;
	}
	char c;
	while (read(pipe_fd[0], &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

__attribute__((noinline)) int pi_depth_8(int left)
{
	int r = pi_wait_here();
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

__attribute__((noinline)) int pi_depth_7(int left)
{
	int r = (left > 1 ? pi_depth_8(left - 1) : pi_wait_here());
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

__attribute__((noinline)) int pi_depth_6(int left)
{
	int r = (left > 1 ? pi_depth_7(left - 1) : pi_wait_here());
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

__attribute__((noinline)) int pi_depth_5(int left)
{
	int r = (left > 1 ? pi_depth_6(left - 1) : pi_wait_here());
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

__attribute__((noinline)) int pi_depth_4(int left)
{
	int r = (left > 1 ? pi_depth_5(left - 1) : pi_wait_here());
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

__attribute__((noinline)) int pi_depth_3(int left)
{
	int r = (left > 1 ? pi_depth_4(left - 1) : pi_wait_here());
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

__attribute__((noinline)) int pi_depth_2(int left)
{
	int r = (left > 1 ? pi_depth_3(left - 1) : pi_wait_here());
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

__attribute__((noinline)) int pi_depth_1(int left)
{
	int r = (left > 1 ? pi_depth_2(left - 1) : pi_wait_here());
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return r + 1;
}

static int depth = 3;
static const char *gap_file;
static atomic_int gap_reset;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_store(&gap_reset, 1);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *gapper(void *arg)
{
	(void)arg;
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	pthread_setname_np(pthread_self(), "gapper");
	/* On a CPU of its own (the last one), so that the tool being measured
	 * (kept on the others) can only delay it by stopping it. */
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) - 1, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus);
	/* Only gaps in which the thread switched out voluntarily count: a
	 * ptrace stop is one; being preempted, or a virtual CPU losing its
	 * physical one, is not (and would drown the stops in noise). */
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	long voluntary = ru.ru_nvcsw;
	long long last = now_ns(), worst = 0;
	for (;;) {
		long long t = now_ns();
		if (atomic_exchange(&gap_reset, 0)) {
			worst = 0;
			unlink(gap_file);
			getrusage(RUSAGE_THREAD, &ru);
			voluntary = ru.ru_nvcsw;
			t = now_ns();
		} else if (t - last > 2000) {
			getrusage(RUSAGE_THREAD, &ru);
			if (ru.ru_nvcsw != voluntary && t - last > worst) {
				worst = t - last;
				FILE *f = fopen(gap_file, "w");
				if (f) {
					fprintf(f, "%lld\n", worst / 1000);
					fclose(f);
				}
			}
			getrusage(RUSAGE_THREAD, &ru);
			voluntary = ru.ru_nvcsw;
			t = now_ns();	/* writing the file is not a gap */
		}
		last = t;
	}
	return NULL;
}

static void *short_lived(void *arg)
{
	return arg;
}

static void churn(void)
{
	for (;;) {
		pthread_t t[8];
		for (int i = 0; i < 8; i++)
			if (pthread_create(&t[i], NULL, short_lived, NULL) != 0)
				helper_die("pthread_create");
		for (int i = 0; i < 8; i++)
			pthread_join(t[i], NULL);
	}
}

static void *worker(void *arg)
{
	char name[16];
	snprintf(name, sizeof name, "worker-%d", (int)(long)arg);
	pthread_setname_np(pthread_self(), name);
	pi_tls_value = 1000 + (long)arg;
	snprintf(pi_tls_tag, sizeof pi_tls_tag, "w%d", (int)(long)arg);
	pi_depth_1(strcmp(mode, "varied") == 0 ? (int)((long)arg % 8) + 1 : depth);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = 4, opt;
	bool churning = false;

	while ((opt = getopt(argc, argv, "n:d:m:cg:")) != -1) {
		switch (opt) {
		case 'c': churning = true; break;
		case 'g': gap_file = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'd': depth = atoi(optarg); break;
		case 'm': mode = optarg; break;
		default:
			fprintf(stderr, "usage: pi-threads [-n THREADS] [-d DEPTH 1-8] [-m pipe|spin|mutex|varied] [-c] [-g FILE]\n");
			return 2;
		}
	}
	if (depth < 1 || depth > 8 || n < 0)
		return 2;
	if (pipe(pipe_fd) != 0)
		helper_die("pipe");
	if (strcmp(mode, "mutex") == 0)
		pthread_mutex_lock(&pi_held_mutex);

	/* Only the gapper takes SIGUSR1, so that no worker's read() sees it. */
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	/* Small stacks: a thousand threads should not need 8 GiB of
	 * address space. */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, &attr, worker, (void *)(long)i) != 0)
			helper_die("pthread_create");
	}
	if (gap_file) {
		pthread_t t;
		if (pthread_create(&t, &attr, gapper, NULL) != 0)
			helper_die("pthread_create");
	}
	while (atomic_load(&arrived) < n)
		usleep(1000);
	/* Arrived is counted just before blocking; give the last ones a
	 * moment to get into read(). */
	usleep(20000);
	printf("pipe %d\n", pipe_fd[0]);
	fflush(stdout);
	helper_ready();
	if (churning)
		churn();
	helper_wait_forever();
}
