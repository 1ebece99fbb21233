/* pi-waits MODE
 *
 * Two processes in a real wait across the process boundary: the helper
 * (the waiter) blocks on something only its child (the peer) can give.
 * Prints "peer PID" and "ready", then blocks for good; the child dies
 * with it.
 *   pipe    read() on a pipe whose write end the child holds
 *   fifo    read() on a FIFO (in DIR, the second argument) the child holds open for writing
 *   full    write() on a full pipe whose read end the child holds
 *   unix    recv() on a connected UNIX stream socket whose peer the child holds
 *   tcp     recv() on a loopback TCP connection that the child's listener never accepted
 *   flock   flock(LOCK_EX) on a file (DIR/lock) the child holds locked
 *   posix   fcntl(F_SETLKW) on a file (DIR/lock) the child holds locked
 *   ofd     fcntl(F_OFD_SETLKW) on a file (DIR/lock) the child holds an OFD lock on
 *   wait    wait4() for the child, which sleeps
 *   epoll   epoll_wait() on the read end of a pipe the child holds the write end of
 *   poll    poll() on the same
 *   busy    read() on a pipe whose writer, the child, is running (spinning)
 *   threads N [FDS]  N threads: the even ones read() a pipe, the odd ones recv() a
 *           UNIX socket; the child holds the pipe's write end and the socket's
 *           peer; FDS more descriptors (copies of the pipe's read end) held open
 *   cycle   a deadlock across processes: the helper reads a pipe only the child
 *           writes, the child a pipe only the helper writes
 *   cyclechild  the cycle, but the helper catches SIGCHLD and has one more child,
 *           which sleeps (prints "sleeper PID"): that child's exit can end the
 *           helper's wait, so it is no deadlock
 *   flockcycle DIR  a deadlock of flock(2) locks: each holds one, wants the other's
 *   pipelock   a kernel lock between processes: the child write()s a page to a
 *           pipe from memory a userfaultfd of its own never fills, so it waits
 *           holding the pipe's mutex; the helper then read()s the pipe, in D
 *           on that mutex (exits 77, saying why, without userfaultfd)
 *   chain DIR  the helper reads a pipe written by the child, which waits in
 *           flock() for a lock held by a grandchild, which is stopped
 *           (prints "peer CHILD" and "holder GRANDCHILD")
 *   mutexcycle  a deadlock of process-shared mutexes in a shm_open region
 *           (unlinked once mapped): the helper holds m1 and wants m2, the
 *           child holds m2 and wants m1
 *   mutexchain DIR  the helper wants a process-shared mutex (in DIR/mutex,
 *           a MAP_SHARED file) held by a second thread of the child, which
 *           reads a pipe written only by a grandchild, which is stopped
 *           (prints "peer CHILD", "owner TID" and "holder GRANDCHILD")
 *   mutexdead DIR  the helper wants a process-shared mutex (in DIR/mutex)
 *           that a child locked and then exited without unlocking, reaped
 *           (prints "owner TID": the child's)
 *   mutexforged DIR TID  a hostile lock word: the helper sleeps in futex() on
 *           a mutex (in DIR/mutex, MAP_SHARED) whose words it wrote by hand to
 *           say that thread TID, of a process that does not map it, holds it
 *   threadwait  a second thread waits in wait4() for a child the main thread
 *           forked, which sleeps (prints "peer CHILD" and "waiter TID") */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/userfaultfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "helper.h"

static pid_t parent;

/* The child: die with the helper, close what it must not hold, say its
 * PID, sleep. */
static pid_t peer(int close_fd, void (*before)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid < 0)
		helper_die("fork");
	if (pid == 0) {
		helper_die_with_parent(parent);
		if (close_fd >= 0)
			close(close_fd);
		if (before)
			before(arg);
		helper_wait_forever();
	}
	printf("peer %d\n", (int)pid);
	fflush(stdout);
	return pid;
}

static void lock_file(void *arg)
{
	const char *how = arg;
	int fd = open(how + 1, O_RDWR);
	if (fd < 0)
		helper_die("open lock");
	if (how[0] == 'f' && flock(fd, LOCK_EX) != 0)
		helper_die("flock");
	if (how[0] == 'p' || how[0] == 'o') {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		if (fcntl(fd, how[0] == 'o' ? F_OFD_SETLK : F_SETLK, &fl) != 0)
			helper_die("fcntl");
	}
	/* Tell the waiter the lock is taken: it must not try first. */
	if (kill(parent, SIGUSR1) != 0)
		helper_die("kill");
}

static volatile sig_atomic_t locked;
static void on_usr1(int sig)
{
	(void)sig;
	locked = 1;
}

static void spin(void *arg)
{
	(void)arg;
	for (volatile unsigned long i = 0;; i++)
		;
}

static int bench_pipe[2], bench_sock[2];

static void *bench_thread(void *arg)
{
	char c;
	if ((uintptr_t)arg % 2 == 0)
		while (read(bench_pipe[0], &c, 1) > 0)
			;
	else
		while (recv(bench_sock[0], &c, 1, 0) > 0)
			;
	return NULL;
}

/* The child of pipelock: writes to the pipe from a page its userfaultfd
 * never fills. The fault comes in the kernel's copy, while the pipe's
 * mutex is held, and lasts until the child dies. */
static void write_unfilled(void *arg)
{
	int wfd = *(int *)arg;
	long page = sysconf(_SC_PAGESIZE);
	int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	struct uffdio_api api = { .api = UFFD_API };
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0)
		_exit(77);
	char *mem = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(1);
	struct uffdio_register reg = { .range = { (uintptr_t)mem, (uint64_t)page },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0)
		_exit(77);
	if (write(wfd, mem, (size_t)page) < 0)
		_exit(1);
	_exit(1);	/* the write ended: not what was promised */
}

/* Waits until task pid's wchan is want (10 s at most); false when it
 * exits first or never gets there. */
static bool wait_wchan(pid_t pid, const char *want)
{
	char path[64], wchan[128];
	snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, wchan, sizeof wchan - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			wchan[n] = 0;
			if (strcmp(wchan, want) == 0)
				return true;
		}
		usleep(10000);
	}
	return false;
}

/* Process-shared mutexes, count of them, in memory fd maps shared. */
static pthread_mutex_t *shared_mutexes(int fd, int count)
{
	size_t size = (size_t)count * sizeof(pthread_mutex_t);
	if (ftruncate(fd, (off_t)size) != 0)
		helper_die("ftruncate");
	pthread_mutex_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		helper_die("mmap");
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	for (int i = 0; i < count; i++)
		pthread_mutex_init(&m[i], &attr);
	pthread_mutexattr_destroy(&attr);
	return m;
}

static pthread_mutex_t *mutex_file(const char *dir, int count)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/mutex", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		helper_die("open mutex file");
	pthread_mutex_t *m = shared_mutexes(fd, count);
	close(fd);
	return m;
}

static void say_byte(int fd)
{
	char c = 'x';
	if (write(fd, &c, 1) != 1)
		_exit(1);
}

static void hear_byte(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		helper_die("read");
}

struct owner_thread {
	pthread_mutex_t *m;
	int ready, pipe_in;
};

/* The child's second thread in mutexchain: takes the mutex, says its TID,
 * then reads a pipe nobody running writes. */
static void *own_then_read(void *arg)
{
	struct owner_thread *o = arg;
	char c;
	pthread_mutex_lock(o->m);
	int tid = (int)syscall(SYS_gettid);
	if (write(o->ready, &tid, sizeof tid) != sizeof tid)
		_exit(1);
	for (;;)
		if (read(o->pipe_in, &c, 1) <= 0)
			_exit(1);
	return NULL;
}

static void *reap_any(void *arg)
{
	int *tid = arg;
	*tid = (int)syscall(SYS_gettid);
	for (;;)
		if (wait4(-1, NULL, 0, NULL) < 0)
			helper_wait_forever();
	return NULL;
}

static int shared_mutex_mode(const char *mode, int argc, char **argv)
{
	int ready[2];
	if (pipe(ready) != 0)
		helper_die("pipe");
	if (strcmp(mode, "mutexcycle") == 0) {
		char name[64];
		snprintf(name, sizeof name, "/pi-waits-%d", (int)getpid());
		int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			helper_die("shm_open");
		pthread_mutex_t *m = shared_mutexes(fd, 2);
		shm_unlink(name);	/* nothing left behind, however the helper ends */
		close(fd);
		pthread_mutex_lock(&m[0]);
		pid_t pid = fork();
		if (pid < 0)
			helper_die("fork");
		if (pid == 0) {
			helper_die_with_parent(parent);
			pthread_mutex_lock(&m[1]);
			say_byte(ready[1]);
			pthread_mutex_lock(&m[0]);
			_exit(1);
		}
		hear_byte(ready[0]);
		printf("peer %d\n", (int)pid);
		helper_ready();
		pthread_mutex_lock(&m[1]);
		return 1;
	}
	if (strcmp(mode, "mutexchain") == 0 && argc > 2) {
		pthread_mutex_t *m = mutex_file(argv[2], 1);
		int p[2];
		if (pipe(p) != 0)
			helper_die("pipe");
		pid_t holder = fork();	/* the pipe's only writer, stopped */
		if (holder < 0)
			helper_die("fork");
		if (holder == 0) {
			helper_die_with_parent(parent);
			close(p[0]);
			raise(SIGSTOP);
			helper_wait_forever();
		}
		pid_t child = fork();
		if (child < 0)
			helper_die("fork");
		if (child == 0) {
			helper_die_with_parent(parent);
			close(p[1]);
			struct owner_thread o = { m, ready[1], p[0] };
			pthread_t t;
			if (pthread_create(&t, NULL, own_then_read, &o) != 0)
				_exit(1);
			helper_wait_forever();
		}
		close(p[0]);
		close(p[1]);
		int tid;
		if (read(ready[0], &tid, sizeof tid) != sizeof tid)
			helper_die("read");
		printf("peer %d\nowner %d\nholder %d\n", (int)child, tid, (int)holder);
		helper_ready();
		pthread_mutex_lock(m);
		return 1;
	}
	if (strcmp(mode, "mutexdead") == 0 && argc > 2) {
		pthread_mutex_t *m = mutex_file(argv[2], 1);
		pid_t pid = fork();
		if (pid < 0)
			helper_die("fork");
		if (pid == 0) {
			pthread_mutex_lock(m);
			_exit(0);	/* without unlocking it */
		}
		if (waitpid(pid, NULL, 0) != pid)
			helper_die("waitpid");
		printf("owner %d\n", (int)pid);
		helper_ready();
		pthread_mutex_lock(m);
		return 1;
	}
	if (strcmp(mode, "mutexforged") == 0 && argc > 3) {
		pthread_mutex_t *m = mutex_file(argv[2], 1);
		/* glibc's x86-64 and aarch64 layout: __lock, __count, __owner,
		 * __nusers, __kind (process-shared). */
		int32_t *words = (int32_t *)m;
		words[0] = 2;
		words[1] = 0;
		words[2] = atoi(argv[3]);
		words[3] = 1;
		words[4] = 128;
		helper_ready();
		for (;;)
			syscall(SYS_futex, &words[0], 0 /* FUTEX_WAIT, shared */, 2, NULL, NULL, 0);
	}
	if (strcmp(mode, "threadwait") == 0) {
		pid_t pid = peer(-1, NULL, NULL);
		static int tid;
		pthread_t t;
		if (pthread_create(&t, NULL, reap_any, &tid) != 0)
			helper_die("pthread_create");
		while (!__atomic_load_n(&tid, __ATOMIC_SEQ_CST))
			usleep(1000);
		printf("waiter %d\n", tid);
		(void)pid;
		helper_ready();
		helper_wait_forever();
	}
	return -1;
}

static void open_fifo(void *arg)
{
	if (open(arg, O_WRONLY) < 0)
		helper_die("open fifo");
}

int main(int argc, char **argv)
{
	char buf[1 << 16];
	const char *mode = argc > 1 ? argv[1] : "";
	int p[2];

	setvbuf(stdout, NULL, _IONBF, 0);
	parent = getpid();
	if (strcmp(mode, "pipe") == 0 || strcmp(mode, "epoll") == 0 || strcmp(mode, "poll") == 0
	    || strcmp(mode, "busy") == 0) {
		if (pipe(p) != 0)
			helper_die("pipe");
		peer(p[0], strcmp(mode, "busy") == 0 ? spin : NULL, NULL);
		close(p[1]);
		helper_ready();
		if (mode[0] == 'e') {
			int ep = epoll_create1(0);
			struct epoll_event ev = { .events = EPOLLIN, .data.fd = p[0] };
			if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0)
				helper_die("epoll");
			for (;;)
				epoll_wait(ep, &ev, 1, -1);
		}
		if (strcmp(mode, "poll") == 0) {
			struct pollfd pf = { .fd = p[0], .events = POLLIN };
			for (;;)
				poll(&pf, 1, -1);
		}
		for (;;)
			if (read(p[0], buf, sizeof buf) <= 0)
				return 1;
	}
	if (strcmp(mode, "full") == 0) {
		if (pipe(p) != 0)
			helper_die("pipe");
		peer(p[1], NULL, NULL);
		close(p[0]);
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		while (write(p[1], buf, sizeof buf) > 0)
			;
		fcntl(p[1], F_SETFL, 0);
		helper_ready();
		for (;;)
			if (write(p[1], buf, sizeof buf) < 0)
				return 1;
	}
	if (strcmp(mode, "fifo") == 0 && argc > 2) {
		char path[4096];
		snprintf(path, sizeof path, "%s/fifo", argv[2]);
		if (mkfifo(path, 0600) != 0)
			helper_die("mkfifo");
		peer(-1, open_fifo, path);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			helper_die("open fifo");
		helper_ready();
		for (;;)
			if (read(fd, buf, sizeof buf) <= 0)
				return 1;
	}
	if (strcmp(mode, "unix") == 0) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) != 0)
			helper_die("socketpair");
		peer(p[0], NULL, NULL);
		close(p[1]);
		helper_ready();
		for (;;)
			if (recv(p[0], buf, sizeof buf, 0) <= 0)
				return 1;
	}
	if (strcmp(mode, "tcp") == 0) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof a;
		int l = socket(AF_INET, SOCK_STREAM, 0);
		if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 4) != 0
		    || getsockname(l, (struct sockaddr *)&a, &len) != 0)
			helper_die("listen");
		peer(-1, NULL, NULL);
		close(l);	/* only the child holds the listener */
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) != 0)
			helper_die("connect");
		helper_ready();
		for (;;)
			if (recv(c, buf, sizeof buf, 0) <= 0)
				return 1;
	}
	if ((strcmp(mode, "flock") == 0 || strcmp(mode, "posix") == 0 || strcmp(mode, "ofd") == 0) && argc > 2) {
		char how[4096];
		snprintf(how, sizeof how, "%c%s/lock", mode[0], argv[2]);
		int fd = open(how + 1, O_RDWR | O_CREAT, 0600);
		if (fd < 0)
			helper_die("open lock");
		signal(SIGUSR1, on_usr1);
		peer(-1, lock_file, how);
		while (!locked)
			usleep(1000);
		helper_ready();
		if (mode[0] == 'f')
			return flock(fd, LOCK_EX);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		return fcntl(fd, mode[0] == 'o' ? F_OFD_SETLKW : F_SETLKW, &fl);
	}
	if (strcmp(mode, "pipelock") == 0) {
		if (pipe(p) != 0)
			helper_die("pipe");
		pid_t holder = peer(p[0], write_unfilled, &p[1]);
		if (!wait_wchan(holder, "handle_userfault")) {
			int status = 0;
			kill(holder, SIGKILL);
			waitpid(holder, &status, 0);
			fprintf(stderr, "pi-waits pipelock: no userfaultfd wait (%s)\n",
				WIFEXITED(status) && WEXITSTATUS(status) == 77 ? "userfaultfd refused" : "never blocked");
			return 77;
		}
		helper_ready();
		return read(p[0], buf, sizeof buf) < 0;
	}
	if (strcmp(mode, "wait") == 0) {
		pid_t child = peer(-1, NULL, NULL);
		helper_ready();
		return waitpid(child, NULL, 0) < 0;
	}
	if (strcmp(mode, "threads") == 0 && argc > 2) {
		long n = strtol(argv[2], NULL, 10);
		if (pipe(bench_pipe) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, bench_sock) != 0)
			helper_die("pipe");
		pid_t pid = fork();
		if (pid < 0)
			helper_die("fork");
		if (pid == 0) {
			helper_die_with_parent(parent);
			close(bench_pipe[0]);
			close(bench_sock[0]);
			helper_wait_forever();
		}
		printf("peer %d\n", (int)pid);
		close(bench_pipe[1]);
		close(bench_sock[1]);
		long extra = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
		for (long i = 0; i < extra; i++)
			if (dup(bench_pipe[0]) < 0)
				helper_die("dup (raise ulimit -n)");
		for (long i = 0; i < n; i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, bench_thread, (void *)(uintptr_t)i) != 0)
				helper_die("pthread_create");
		}
		usleep(200000);	/* let them reach their system calls */
		helper_ready();
		helper_wait_forever();
	}
	if (strcmp(mode, "cycle") == 0 || strcmp(mode, "cyclechild") == 0) {
		int q[2];
		if (mode[5] == 'c') {
			/* A handler for SIGCHLD, and a child that only sleeps
			 * (no peer of the pipes): its exit would end the wait. */
			struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART: EINTR */
			sigaction(SIGCHLD, &sa, NULL);
			pid_t sleeper = fork();
			if (sleeper < 0)
				helper_die("fork");
			if (sleeper == 0) {
				helper_die_with_parent(parent);
				for (;;)
					sleep(60);
			}
			printf("sleeper %d\n", (int)sleeper);
		}
		if (pipe(p) != 0 || pipe(q) != 0)
			helper_die("pipe");
		pid_t pid = fork();
		if (pid < 0)
			helper_die("fork");
		if (pid == 0) {	/* reads q, holds p's write end */
			helper_die_with_parent(parent);
			close(p[0]);
			close(q[1]);
			for (;;)
				if (read(q[0], buf, 1) <= 0)
					_exit(1);
		}
		printf("peer %d\n", (int)pid);
		close(p[1]);
		close(q[0]);
		helper_ready();
		for (;;)
			if (read(p[0], buf, 1) <= 0)
				return 1;
	}
	if (strcmp(mode, "flockcycle") == 0 && argc > 2) {
		char a[4096], b[4096];
		snprintf(a, sizeof a, "%s/a", argv[2]);
		snprintf(b, sizeof b, "%s/b", argv[2]);
		int fa = open(a, O_RDWR | O_CREAT, 0600), fb = open(b, O_RDWR | O_CREAT, 0600);
		if (fa < 0 || fb < 0 || flock(fa, LOCK_EX) != 0)
			helper_die("lock a");
		signal(SIGUSR1, on_usr1);
		pid_t pid = fork();
		if (pid < 0)
			helper_die("fork");
		if (pid == 0) {
			helper_die_with_parent(parent);
			/* Its own open file for both: flock locks belong to it. */
			int ca = open(a, O_RDWR), cb = open(b, O_RDWR);
			if (ca < 0 || cb < 0 || flock(cb, LOCK_EX) != 0)
				_exit(1);
			kill(parent, SIGUSR1);
			flock(ca, LOCK_EX);
			_exit(1);
		}
		printf("peer %d\n", (int)pid);
		while (!locked)
			usleep(1000);
		helper_ready();
		return flock(fb, LOCK_EX);
	}
	if (strcmp(mode, "chain") == 0 && argc > 2) {
		char lock[4096];
		snprintf(lock, sizeof lock, "%s/lock", argv[2]);
		int fd = open(lock, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			helper_die("lock");
		pid_t holder = fork();	/* keeps the lock (a copy of the open file), stops */
		if (holder < 0)
			helper_die("fork");
		if (holder == 0) {
			helper_die_with_parent(parent);
			raise(SIGSTOP);
			helper_wait_forever();
		}
		close(fd);	/* the lock now held by the holder's copy alone */
		if (pipe(p) != 0)
			helper_die("pipe");
		pid_t child = fork();
		if (child < 0)
			helper_die("fork");
		if (child == 0) {	/* holds the write end; wants the lock */
			helper_die_with_parent(parent);
			close(p[0]);
			int cfd = open(lock, O_RDWR);
			if (cfd < 0)
				_exit(1);
			flock(cfd, LOCK_EX);
			_exit(1);
		}
		printf("peer %d\nholder %d\n", (int)child, (int)holder);
		close(p[1]);
		helper_ready();
		for (;;)
			if (read(p[0], buf, 1) <= 0)
				return 1;
	}
	if (strncmp(mode, "mutex", 5) == 0 || strcmp(mode, "threadwait") == 0) {
		int status = shared_mutex_mode(mode, argc, argv);
		if (status >= 0)
			return status;
	}
	fprintf(stderr, "usage: pi-waits pipe|fifo DIR|full|unix|tcp|flock DIR|posix DIR|ofd DIR|pipelock|wait|epoll|poll|busy|threads N|cycle|cyclechild|flockcycle DIR|chain DIR|mutexcycle|mutexchain DIR|mutexdead DIR|mutexforged DIR TID|threadwait\n");
	return 2;
}
