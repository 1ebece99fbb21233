/* pi-stacks MODE [ARG]
 *
 * Threads whose user stacks have a known shape, for the stack tests:
 *   recurse N    a thread named "recurser" N calls deep in pi_recurse(),
 *                blocked in read()
 *   altstack     a thread named "handler" inside a signal handler
 *                (pi_on_signal) running on an alternate signal stack,
 *                blocked in read(); the signal interrupted
 *                pi_before_signal()
 *   epoll FILE   a thread named "epoller" in epoll_wait() and one named
 *                "sigwaiter" in sigwaitinfo(), each counting the EINTRs it
 *                sees and writing the total to FILE
 *   spin N       N threads named "spinner" running in user space
 *                (pi_spin), never blocking
 *   spinwait FILE  a thread named "spin-epoll" and one named
 *                "spin-sigwait", each in a loop: ~1 ms running in user
 *                space (pi_spin_briefly), then ~2 ms blocked in
 *                epoll_wait() or sigtimedwait(); each counts the EINTRs
 *                it sees and writes the total to FILE. SIGURG, which only
 *                these two threads take (its handler does nothing, without
 *                SA_RESTART), interrupts their waits: the tests' control
 *   kbusy        a thread named "zero-reader" running nearly all the time
 *                inside the kernel: read() of 16 MiB at a time from
 *                /dev/zero, in a loop (pi_read_zero)
 *   bigframe     a thread named "bigframe" blocked in read() from
 *                pi_big_frame(), whose frame holds a 256 KiB array: too far
 *                for the frame pointer to be found on a copy of the stack
 * Prints "ready" once in place. Built with and without frame pointers,
 * with and without debug information, and stripped. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "helper.h"

static int pipe_fd[2];
static atomic_int in_place;
static const char *eintr_file;
static atomic_long eintrs;

__attribute__((noinline)) static void block_here(void)
{
	atomic_store(&in_place, 1);
	char c;
	while (read(pipe_fd[0], &c, 1) < 0 && errno == EINTR)
		;
}

__attribute__((noinline)) int pi_recurse(int left);
__attribute__((noinline)) int pi_recurse(int left)
{
	if (left <= 1)
		block_here();
	else
		pi_recurse(left - 1);
	__asm__ volatile("" ::: "memory");	/* no tail call */
	return left;
}

static void *recurser(void *arg)
{
	pthread_setname_np(pthread_self(), "recurser");
	pi_recurse((int)(long)arg);
	return NULL;
}

__attribute__((noinline)) void pi_on_signal(int sig);
__attribute__((noinline)) void pi_on_signal(int sig)
{
	(void)sig;
	block_here();
}

__attribute__((noinline)) void pi_before_signal(void);
__attribute__((noinline)) void pi_before_signal(void)
{
	raise(SIGUSR1);
	__asm__ volatile("" ::: "memory");
}

static void *handler_thread(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "handler");
	stack_t ss = { .ss_sp = malloc(256 * 1024), .ss_size = 256 * 1024 };
	if (sigaltstack(&ss, NULL) != 0)
		helper_die("sigaltstack");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pi_on_signal;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	pi_before_signal();
	return NULL;
}

static void count_eintr(void)
{
	long n = atomic_fetch_add(&eintrs, 1) + 1;
	int fd = open(eintr_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dprintf(fd, "%ld\n", n);
		close(fd);
	}
}

__attribute__((noinline)) void pi_epoll_loop(void);
__attribute__((noinline)) void pi_epoll_loop(void)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, pipe_fd[0], &ev);
	atomic_fetch_add(&in_place, 1);
	for (;;) {
		struct epoll_event out;
		if (epoll_wait(ep, &out, 1, -1) < 0 && errno == EINTR)
			count_eintr();
	}
}

static void *epoller(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "epoller");
	pi_epoll_loop();
	return NULL;
}

__attribute__((noinline)) void pi_sigwait_loop(void);
__attribute__((noinline)) void pi_sigwait_loop(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	atomic_fetch_add(&in_place, 1);
	for (;;) {
		siginfo_t si;
		if (sigwaitinfo(&set, &si) < 0 && errno == EINTR)
			count_eintr();
	}
}

static void *sigwaiter(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "sigwaiter");
	pi_sigwait_loop();
	return NULL;
}

__attribute__((noinline)) void pi_spin(void);
__attribute__((noinline)) void pi_spin(void)
{
	atomic_fetch_add(&in_place, 1);
	volatile unsigned long n = 0;
	for (;;)
		n++;
}

static void *spinner(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "spinner");
	pi_spin();
	return NULL;
}

static long elapsed_ns(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

/* About 1 ms in user space: a thread a snapshot sees running, which may
 * block a moment later. */
__attribute__((noinline)) void pi_spin_briefly(void);
__attribute__((noinline)) void pi_spin_briefly(void)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	volatile unsigned long n = 0;
	do {
		for (int i = 0; i < 4096; i++)
			n++;
	} while (elapsed_ns(&start) < 1000000);
}

__attribute__((noinline)) void pi_spin_epoll_loop(void);
__attribute__((noinline)) void pi_spin_epoll_loop(void)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, pipe_fd[0], &ev);
	atomic_fetch_add(&in_place, 1);
	for (;;) {
		pi_spin_briefly();
		struct epoll_event out;
		if (epoll_wait(ep, &out, 1, 2) < 0 && errno == EINTR)
			count_eintr();
	}
}

static void ignore_signal(int sig)
{
	(void)sig;
}

static void *spin_epoller(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "spin-epoll");
	pi_spin_epoll_loop();
	return NULL;
}

__attribute__((noinline)) void pi_spin_sigwait_loop(void);
__attribute__((noinline)) void pi_spin_sigwait_loop(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	atomic_fetch_add(&in_place, 1);
	for (;;) {
		pi_spin_briefly();
		struct timespec two_ms = { 0, 2000000 };
		if (sigtimedwait(&set, NULL, &two_ms) < 0 && errno == EINTR)
			count_eintr();
	}
}

static void *spin_sigwaiter(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "spin-sigwait");
	pi_spin_sigwait_loop();
	return NULL;
}

__attribute__((noinline)) void pi_read_zero(void);
__attribute__((noinline)) void pi_read_zero(void)
{
	enum { CHUNK = 16 << 20 };
	int fd = open("/dev/zero", O_RDONLY);
	char *buf = malloc(CHUNK);
	if (fd < 0 || !buf)
		helper_die("/dev/zero");
	atomic_fetch_add(&in_place, 1);
	for (;;)
		if (read(fd, buf, CHUNK) < 0 && errno != EINTR)
			helper_die("read");
}

static void *zero_reader(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "zero-reader");
	pi_read_zero();
	return NULL;
}

__attribute__((noinline)) void pi_big_frame(void);
__attribute__((noinline)) void pi_big_frame(void)
{
	volatile char big[256 * 1024];
	memset((char *)big, 0, sizeof big);
	/* read() straight from here: the frame pointer lies beyond the
	 * array, further than pinspect looks for it on a copy. */
	atomic_store(&in_place, 1);
	char c;
	while (read(pipe_fd[0], &c, 1) < 0 && errno == EINTR)
		;
	big[0] = c;
}

static void *bigframe(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "bigframe");
	pi_big_frame();
	return NULL;
}

static void start(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	if (pthread_create(&t, NULL, fn, arg) != 0)
		helper_die("pthread_create");
}

int main(int argc, char **argv)
{
	int want = 1;

	if (argc < 2 || pipe(pipe_fd) != 0)
		return 2;
	/* sigwaitinfo needs SIGUSR2 blocked in every thread. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (strcmp(argv[1], "recurse") == 0) {
		start(recurser, (void *)(long)(argc > 2 ? atoi(argv[2]) : 100));
	} else if (strcmp(argv[1], "altstack") == 0) {
		start(handler_thread, NULL);
	} else if (strcmp(argv[1], "epoll") == 0 && argc > 2) {
		eintr_file = argv[2];
		start(epoller, NULL);
		start(sigwaiter, NULL);
		want = 2;
	} else if (strcmp(argv[1], "spinwait") == 0 && argc > 2) {
		eintr_file = argv[2];
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = ignore_signal;
		sigaction(SIGURG, &sa, NULL);
		sigaddset(&set, SIGURG);	/* not the main thread's */
		start(spin_epoller, NULL);
		start(spin_sigwaiter, NULL);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		want = 2;
	} else if (strcmp(argv[1], "kbusy") == 0) {
		start(zero_reader, NULL);
	} else if (strcmp(argv[1], "bigframe") == 0) {
		start(bigframe, NULL);
	} else if (strcmp(argv[1], "spin") == 0) {
		want = argc > 2 ? atoi(argv[2]) : 1;
		for (int i = 0; i < want; i++)
			start(spinner, NULL);
	} else {
		fprintf(stderr, "usage: pi-stacks recurse N | altstack | epoll FILE | spin N | spinwait FILE | kbusy | bigframe\n");
		return 2;
	}
	while (atomic_load(&in_place) < want)
		usleep(1000);
	usleep(20000);
	helper_ready();
	helper_wait_forever();
}
