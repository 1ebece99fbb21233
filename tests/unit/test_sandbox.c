/* The sandbox (src/sandbox/): the record stream fed hostile bytes, and
 * real confined children proving, from inside and from outside, what they
 * can no longer do. Every child is reaped by pi_sandbox_run; the tests
 * check that too. */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analyze.h"
#include "model.h"
#include "proc/reader.h"
#include "sandbox/broker.h"
#include "sandbox/confine.h"
#include "sandbox/filter.h"
#include "sandbox/sandbox.h"
#include "sandbox/wire.h"
#include "unit.h"
#include "util/xalloc.h"

/* A sanitizer build: the memory test checks that malloc returns NULL
 * under RLIMIT_AS, not the sanitizer's report of it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

/* ---- the record stream ---- */

START_TEST(wire_round_trip)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_wire_put_u64(&b, 7, UINT64_C(0x1122334455667788));
	pi_wire_put_i32(&b, 8, -22);
	pi_wire_put_str(&b, 9, "clock_gettime");
	pi_wire_put(&b, 10, NULL, 0);

	struct pi_wire_reader r;
	struct pi_wire_record rec;
	uint64_t u;
	int32_t i;
	char s[32];
	pi_wire_reader_init(&r, b.data, b.len, 64);
	ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	ck_assert_uint_eq(rec.type, 7);
	ck_assert_int_eq(pi_wire_get_u64(&rec, &u), 0);
	ck_assert_uint_eq(u, UINT64_C(0x1122334455667788));
	ck_assert_int_eq(pi_wire_get_i32(&rec, &i), -EBADMSG);	/* 8 bytes are no i32 */
	ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	ck_assert_int_eq(pi_wire_get_i32(&rec, &i), 0);
	ck_assert_int_eq(i, -22);
	ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	ck_assert_int_eq(pi_wire_get_str(&rec, 1, sizeof s - 1, s), 0);
	ck_assert_str_eq(s, "clock_gettime");
	ck_assert_int_eq(pi_wire_get_str(&rec, 1, 5, s), -EBADMSG);	/* longer than allowed */
	ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	ck_assert_uint_eq(rec.len, 0);
	ck_assert_int_eq(pi_wire_get_str(&rec, 1, 5, s), -EBADMSG);	/* shorter than allowed */
	ck_assert_int_eq(pi_wire_next(&r, &rec), 0);
	ck_assert_int_eq(pi_wire_next(&r, &rec), 0);
	pi_buf_free(&b);
}
END_TEST

START_TEST(wire_hostile_records)
{
	struct pi_wire_reader r;
	struct pi_wire_record rec;
	unsigned char raw[64];
	uint32_t h[2];

	/* A header cut short. */
	memset(raw, 0, sizeof raw);
	pi_wire_reader_init(&r, raw, 5, 64);
	ck_assert_int_eq(pi_wire_next(&r, &rec), -EBADMSG);
	/* A length that runs past the data: rejected, and the reader stays
	 * poisoned. */
	h[0] = 1;
	h[1] = 40;
	memcpy(raw, h, sizeof h);
	pi_wire_reader_init(&r, raw, 8 + 39, 64);
	ck_assert_int_eq(pi_wire_next(&r, &rec), -EBADMSG);
	ck_assert_int_eq(pi_wire_next(&r, &rec), -EBADMSG);
	/* The same record whole is fine... */
	pi_wire_reader_init(&r, raw, 8 + 40, 64);
	ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	/* ...unless it is longer than the caller accepts. */
	pi_wire_reader_init(&r, raw, 8 + 40, 39);
	ck_assert_int_eq(pi_wire_next(&r, &rec), -EBADMSG);
	/* Lengths that would wrap an addition. */
	h[1] = UINT32_MAX;
	memcpy(raw, h, sizeof h);
	pi_wire_reader_init(&r, raw, sizeof raw, SIZE_MAX);
	ck_assert_int_eq(pi_wire_next(&r, &rec), -EBADMSG);
	h[1] = UINT32_MAX - 7;
	memcpy(raw, h, sizeof h);
	pi_wire_reader_init(&r, raw, sizeof raw, SIZE_MAX);
	ck_assert_int_eq(pi_wire_next(&r, &rec), -EBADMSG);
	/* A string with a NUL inside. */
	struct pi_buf b = PI_BUF_INIT;
	pi_wire_put(&b, 3, "ab\0cd", 5);
	pi_wire_reader_init(&r, b.data, b.len, 64);
	ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	ck_assert_int_eq(pi_wire_get_str(&rec, 1, 16, NULL), -EBADMSG);
	pi_buf_free(&b);
}
END_TEST

START_TEST(wire_random_bytes)
{
	/* Whatever the bytes, the reader ends (each step advances or
	 * fails for good) and every record lies inside the data. */
	unsigned seed = 12345;
	unsigned char raw[256];
	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof raw);
		for (size_t i = 0; i < len; i++)
			raw[i] = (unsigned char)rand_r(&seed);
		/* Small lengths now and then, so that some records parse. */
		if (len >= 8 && round % 2)
			raw[4] = (unsigned char)(rand_r(&seed) % 16), raw[5] = raw[6] = raw[7] = 0;
		struct pi_wire_reader r;
		struct pi_wire_record rec;
		pi_wire_reader_init(&r, raw, len, 64);
		int got, steps = 0;
		while ((got = pi_wire_next(&r, &rec)) == 1) {
			ck_assert(rec.data >= raw && rec.data + rec.len <= raw + len);
			ck_assert_int_lt(++steps, 64);
		}
		ck_assert(got == 0 || got == -EBADMSG);
	}
}
END_TEST

/* ---- confined children ---- */

/* No child is left behind: the test process has none to wait for. */
static void assert_all_reaped(void)
{
	errno = 0;
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

static int run(const struct pi_sandbox_config *cfg, pi_sandbox_fn *fn, void *arg,
	       struct pi_buf *reply, struct pi_sandbox_outcome *o)
{
	int err = pi_sandbox_run(cfg, fn, arg, reply, o);
	assert_all_reaped();
	return err;
}

static struct pi_sandbox_config config(void)
{
	struct pi_sandbox_config cfg;
	pi_sandbox_config_init(&cfg);
	return cfg;
}

/* The n-th record's i32 or u64 (as int64), n from 0. */
static int64_t nth_number(const struct pi_buf *reply, int n)
{
	struct pi_wire_reader r;
	struct pi_wire_record rec;
	pi_wire_reader_init(&r, reply->data, reply->len, 4096);
	for (int i = 0; i <= n; i++)
		ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	if (rec.len == 4) {
		int32_t v;
		pi_wire_get_i32(&rec, &v);
		return v;
	}
	uint64_t v;
	ck_assert_int_eq(pi_wire_get_u64(&rec, &v), 0);
	return (int64_t)v;
}

static int say_hello(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	pi_wire_put_str(&c->out, 1, "hello");
	return -ENOENT;
}

START_TEST(runs_and_returns)
{
	struct pi_sandbox_config cfg = config();
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	ck_assert_int_eq(run(&cfg, say_hello, NULL, &reply, &o), 0);
	ck_assert_int_eq(o.status, -ENOENT);
	ck_assert_int_eq(o.signal, 0);
	ck_assert_int_eq(o.exit_code, 0);
	ck_assert_int_eq(o.dropped_user, geteuid() == 0);
	/* The sandbox's own END record is not part of the reply. */
	ck_assert_uint_eq(reply.len, PI_WIRE_HEADER + 5);
	ck_assert(memcmp(reply.data + PI_WIRE_HEADER, "hello", 5) == 0);
	pi_buf_free(&reply);
}
END_TEST

static int report_identity(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	uint64_t caps = UINT64_MAX;
	memset(d, 0, sizeof d);	/* valgrind marks only the first half written */
	if (syscall(SYS_capget, &h, d) == 0)
		caps = (uint64_t)d[0].effective | d[0].permitted | d[0].inheritable
		       | (uint64_t)(d[1].effective | d[1].permitted | d[1].inheritable) << 32;
	gid_t groups[8];
	pi_wire_put_u64(&c->out, 1, getuid());
	pi_wire_put_u64(&c->out, 2, geteuid());
	pi_wire_put_u64(&c->out, 3, getgid());
	pi_wire_put_i32(&c->out, 4, getgroups(8, groups));
	pi_wire_put_u64(&c->out, 5, caps);
	static const int limits[] = { RLIMIT_AS, RLIMIT_CPU, RLIMIT_CORE, RLIMIT_FSIZE, RLIMIT_NOFILE };
	for (size_t i = 0; i < 5; i++) {
		struct rlimit rl = { 0, 0 };
		getrlimit(limits[i], &rl);
		pi_wire_put_u64(&c->out, 6, rl.rlim_cur);
	}
	return 0;
}

START_TEST(drops_user_and_capabilities)
{
	struct pi_sandbox_config cfg = config();
	struct pi_buf reply = PI_BUF_INIT;
	cfg.timeout_ms = 1500;
	ck_assert_int_eq(run(&cfg, report_identity, NULL, &reply, NULL), 0);
	uid_t want_uid = geteuid() == 0 ? PI_SANDBOX_UID : getuid();
	ck_assert_int_eq(nth_number(&reply, 0), (int64_t)want_uid);
	ck_assert_int_eq(nth_number(&reply, 1), (int64_t)want_uid);
	if (geteuid() == 0) {
		ck_assert_int_eq(nth_number(&reply, 2), PI_SANDBOX_GID);
		ck_assert_int_eq(nth_number(&reply, 3), 0);	/* no supplementary group */
	}
	ck_assert_int_eq(nth_number(&reply, 4), 0);		/* no capability at all */
	ck_assert_int_gt(nth_number(&reply, 5), 0);		/* RLIMIT_AS: set, finite */
	ck_assert(nth_number(&reply, 5) != (int64_t)RLIM_INFINITY);
	ck_assert_int_eq(nth_number(&reply, 6), 2);		/* RLIMIT_CPU: 1.5 s rounded up */
	ck_assert_int_eq(nth_number(&reply, 7), 0);		/* no core dump */
	ck_assert_int_eq(nth_number(&reply, 8), 0);		/* no file written */
	ck_assert_int_eq(nth_number(&reply, 9), PI_SANDBOX_NOFILE);
	pi_buf_free(&reply);
}
END_TEST

/* The child seen from outside, while it waits for the broker: the policy
 * runs in the test process and reads the child's /proc files. */
struct seen {
	int ok;
	char status[4096];
	uid_t dir_owner;
};

static int look_at_child(void *arg, uint32_t kind, const unsigned char *data, size_t len)
{
	struct seen *seen = arg;
	int32_t pid;
	if (kind != 99 || len != sizeof pid)
		return -EINVAL;
	memcpy(&pid, data, sizeof pid);
	int dir = pi_proc_open(pid);
	if (dir < 0)
		return dir;
	struct stat st;
	struct pi_buf b = PI_BUF_INIT;
	if (fstatat(dir, "status", &st, 0) == 0 && pi_read_at(dir, "status", &b) == 0) {
		seen->dir_owner = st.st_uid;
		snprintf(seen->status, sizeof seen->status, "%s", b.data);
		seen->ok = 1;
	}
	pi_buf_free(&b);
	close(dir);
	return -ENOENT;
}

static int show_yourself(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	int32_t pid = getpid();
	return pi_broker_request(c->broker_fd, 99, &pid, sizeof pid);
}

static void assert_status_line(const char *status, const char *key, const char *want)
{
	const char *line = strstr(status, key);
	ck_assert_msg(line, "no %s in %s", key, status);
	line += strlen(key);
	while (*line == ' ' || *line == '\t')
		line++;
	ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s %.40s, not %s", key, line, want);
}

START_TEST(confined_as_seen_from_outside)
{
	struct pi_sandbox_config cfg = config();
	struct seen seen = { 0 };
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	cfg.policy = look_at_child;
	cfg.policy_arg = &seen;
	ck_assert_int_eq(run(&cfg, show_yourself, NULL, &reply, &o), 0);
	ck_assert_int_eq(o.status, -ENOENT);	/* the policy's answer reached it */
	ck_assert_int_eq(o.requests, 1);
	ck_assert_int_eq(o.refused, 1);
	ck_assert(seen.ok);
	assert_status_line(seen.status, "NoNewPrivs:", "1");
	if (pi_sandbox_filter_possible())
		assert_status_line(seen.status, "Seccomp:", "2");
	assert_status_line(seen.status, "CapEff:", "0000000000000000");
	assert_status_line(seen.status, "CapPrm:", "0000000000000000");
	assert_status_line(seen.status, "CapAmb:", "0000000000000000");
	if (geteuid() == 0) {
		assert_status_line(seen.status, "CapBnd:", "0000000000000000");
		assert_status_line(seen.status, "Uid:", "65534\t65534\t65534\t65534");
		assert_status_line(seen.status, "Gid:", "65534\t65534\t65534\t65534");
		assert_status_line(seen.status, "Groups:", "\n");
		/* Not dumpable: the files in its /proc directory belong to
		 * root, not to nobody, and no process of nobody may ptrace
		 * it. */
		ck_assert_int_eq(seen.dir_owner, 0);
	}
	pi_buf_free(&reply);
}
END_TEST

static int spin(struct pi_sandbox_child *c, void *arg);

/* The tracer waits for any child (waitpid(-1, __WALL)): it may reap a
 * sandbox child before pi_sandbox_run does. */
static volatile int stop_reaping;

static void *reap_anything(void *arg)
{
	int *reaped = arg;
	while (!stop_reaping)
		if (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			++*reaped;
	return NULL;
}

START_TEST(child_reaped_by_someone_else)
{
	struct pi_sandbox_config cfg = config();
	struct pi_buf reply = PI_BUF_INIT;
	int reaped = 0, ok = 0;
	pthread_t t;
	stop_reaping = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, reap_anything, &reaped), 0);
	for (int i = 0; i < 100; i++)
		ok += pi_sandbox_run(&cfg, say_hello, NULL, &reply, NULL) == 0 && reply.len > 0;
	stop_reaping = 1;
	pthread_join(t, NULL);
	/* Whoever reaped it, a whole reply is believed. */
	ck_assert_int_eq(ok, 100);
	assert_all_reaped();
	pi_buf_free(&reply);
}
END_TEST

START_TEST(finished_late_is_not_late)
{
	/* The root side reads the rest of the process before it finishes
	 * the job: a child done in time is not a timeout for that. */
	struct pi_sandbox_config cfg = config();
	struct pi_sandbox_job *job;
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	cfg.timeout_ms = 200;
	ck_assert_int_eq(pi_sandbox_start(&cfg, say_hello, NULL, &job), 0);
	struct timespec wait = { 0, 600 * 1000 * 1000 };
	nanosleep(&wait, NULL);
	ck_assert_int_eq(pi_sandbox_finish(job, &reply, &o), 0);
	ck_assert(!o.timed_out);
	ck_assert_int_eq(o.status, -ENOENT);
	ck_assert_uint_eq(reply.len, PI_WIRE_HEADER + 5);
	assert_all_reaped();
	/* Late and still running: that is one. */
	ck_assert_int_eq(pi_sandbox_start(&cfg, spin, NULL, &job), 0);
	nanosleep(&wait, NULL);
	ck_assert_int_eq(pi_sandbox_finish(job, &reply, &o), -PI_ERR_SANDBOX_TIMEOUT);
	assert_all_reaped();
	pi_buf_free(&reply);
}
END_TEST

static int try_open(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	int fd = open("/etc/passwd", O_RDONLY);
	pi_wire_put_i32(&c->out, 1, fd < 0 ? -errno : fd);
	fd = openat(AT_FDCWD, "/etc/passwd", O_RDONLY);
	pi_wire_put_i32(&c->out, 2, fd < 0 ? -errno : fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	pi_wire_put_i32(&c->out, 3, fd < 0 ? -errno : fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	pi_wire_put_i32(&c->out, 4, fd < 0 ? -errno : fd);
	struct stat st;
	pi_wire_put_i32(&c->out, 5, stat("/etc/passwd", &st) < 0 ? -errno : 0);
	return 0;
}

START_TEST(cannot_open_or_connect)
{
	/* Under valgrind there is no filter (filter.h). */
	if (!pi_sandbox_filter_possible())
		return;
	struct pi_sandbox_config cfg = config();
	struct pi_buf reply = PI_BUF_INIT;
	/* A file anybody may read: what stops it is the filter. */
	ck_assert_int_eq(access("/etc/passwd", R_OK), 0);
	ck_assert_int_eq(run(&cfg, try_open, NULL, &reply, NULL), 0);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(nth_number(&reply, i), -EPERM);
	pi_buf_free(&reply);
}
END_TEST

static int try_fds(struct pi_sandbox_child *c, void *arg)
{
	const int *fds = arg;
	struct stat st;
	for (int i = 0; i < 5; i++)
		pi_wire_put_i32(&c->out, 1, fstat(fds[i], &st) < 0 ? -errno : 0);
	return 0;
}

START_TEST(closes_other_descriptors)
{
	int kept = open("/dev/null", O_RDONLY);
	int other = open("/dev/null", O_RDONLY);
	ck_assert_int_gt(kept, 2);
	ck_assert_int_gt(other, 2);
	int fds[5] = { 0, 1, 2, kept, other };
	struct pi_sandbox_config cfg = config();
	struct pi_buf reply = PI_BUF_INIT;
	cfg.keep_fds = &kept;
	cfg.nkeep = 1;
	ck_assert_int_eq(run(&cfg, try_fds, fds, &reply, NULL), 0);
	ck_assert_int_eq(nth_number(&reply, 0), -EBADF);	/* stdin */
	ck_assert_int_eq(nth_number(&reply, 1), -EBADF);	/* stdout */
	ck_assert_int_eq(nth_number(&reply, 2), -EBADF);	/* stderr */
	ck_assert_int_eq(nth_number(&reply, 3), 0);
	ck_assert_int_eq(nth_number(&reply, 4), -EBADF);
	/* Standard descriptors cannot be kept. */
	int stdin_fd = 0;
	cfg.keep_fds = &stdin_fd;
	ck_assert_int_eq(pi_sandbox_run(&cfg, try_fds, fds, &reply, NULL), -EINVAL);
	close(kept);
	close(other);
	pi_buf_free(&reply);
}
END_TEST

static int do_execve(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	char *argv[] = { "true", NULL };
	execve("/bin/true", argv, argv + 1);
	return -errno;
}

static int do_ptrace(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
	return -errno;
}

static int do_kill_parent(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	kill(*(pid_t *)arg, SIGTERM);
	return -errno;
}

static int do_read_parent(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	char buf[8];
	struct iovec local = { buf, sizeof buf }, remote = { arg, sizeof buf };
	process_vm_readv(getppid(), &local, 1, &remote, 1, 0);
	return -errno;
}

static int do_exec_memory(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? -errno : 0;
}

static int do_fork(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	return pid < 0 ? -errno : 0;
}

START_TEST(forbidden_calls_kill_it)
{
	struct { pi_sandbox_fn *fn; const char *what; } calls[] = {
		{ do_execve, "execve" }, { do_ptrace, "ptrace" },
		{ do_kill_parent, "kill of its parent" }, { do_read_parent, "process_vm_readv" },
		{ do_exec_memory, "executable mmap" }, { do_fork, "fork" },
	};
	if (!pi_sandbox_filter_possible())
		return;
	pid_t self = getpid();
	struct pi_sandbox_config cfg = config();
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		int err = run(&cfg, calls[i].fn, &self, &reply, &o);
		ck_assert_msg(err == -PI_ERR_SANDBOX_SYSCALL, "%s: %d", calls[i].what, err);
		ck_assert_int_eq(o.signal, SIGSYS);
	}
	pi_buf_free(&reply);
}
END_TEST

static int spin(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	for (volatile unsigned long n = 0;; n++)
		;
	return 0;
}

static int block_forever(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	static int word;
	for (;;)
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return 0;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(deadline_kills_it)
{
	/* A loop on the CPU and a wait that uses none: the wall-clock
	 * deadline ends both. The bound is generous: the point is that it
	 * does not hang. */
	pi_sandbox_fn *fns[] = { spin, block_forever };
	struct pi_sandbox_config cfg = config();
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	cfg.timeout_ms = 300;
	for (size_t i = 0; i < 2; i++) {
		double t0 = seconds();
		ck_assert_int_eq(run(&cfg, fns[i], NULL, &reply, &o), -PI_ERR_SANDBOX_TIMEOUT);
		ck_assert(o.timed_out);
		ck_assert_double_lt(seconds() - t0, 10.0);
	}
	pi_buf_free(&reply);
}
END_TEST

static int segfault(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	pi_wire_put_str(&c->out, 1, "before the crash");
	pi_sandbox_flush(c);
	*(volatile int *)arg = 1;	/* NULL */
	return 0;
}

static int do_abort(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	abort();
}

static int exit_early(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	_exit(0);	/* no END record: a reply cut short */
}

START_TEST(crash_is_reported)
{
	struct pi_sandbox_config cfg = config();
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	ck_assert_int_eq(run(&cfg, segfault, NULL, &reply, &o), -PI_ERR_SANDBOX_CRASHED);
	ck_assert_int_eq(o.signal, SIGSEGV);
	ck_assert_int_eq(run(&cfg, do_abort, NULL, &reply, &o), -PI_ERR_SANDBOX_CRASHED);
	ck_assert_int_eq(o.signal, SIGABRT);
	ck_assert_int_eq(run(&cfg, exit_early, NULL, &reply, &o), -PI_ERR_SANDBOX_REPLY);
	pi_buf_free(&reply);
}
END_TEST

static int huge_malloc(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	void *p = malloc((size_t)2 << 30);
	pi_wire_put_i32(&c->out, 1, p == NULL);
	free(p);
	void *m = mmap(NULL, (size_t)2 << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pi_wire_put_i32(&c->out, 2, m == MAP_FAILED ? -errno : 0);
	/* A small one still works. */
	void *q = malloc(1 << 20);
	pi_wire_put_i32(&c->out, 3, q != NULL);
	free(q);
	return 0;
}

static int huge_xmalloc(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	pi_xmalloc((size_t)2 << 30);
	return 0;
}

START_TEST(memory_is_limited)
{
	struct pi_sandbox_config cfg = config();
	struct pi_buf reply = PI_BUF_INIT;
	cfg.mem_budget = (size_t)64 << 20;
	ck_assert_int_eq(run(&cfg, huge_malloc, NULL, &reply, NULL), 0);
	ck_assert_int_eq(nth_number(&reply, 0), 1);
	ck_assert_int_eq(nth_number(&reply, 1), -ENOMEM);
	ck_assert_int_eq(nth_number(&reply, 2), 1);
	/* pinspect's allocator, which exits when memory runs out. */
	ck_assert_int_eq(run(&cfg, huge_xmalloc, NULL, &reply, NULL), -PI_ERR_SANDBOX_MEMORY);
	pi_buf_free(&reply);
}
END_TEST

/* Subverted children: what they send is not believed. */
static int lying_length(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	uint32_t h[2] = { 1, 1000 };
	pi_buf_append(&c->out, h, sizeof h);
	pi_buf_append(&c->out, "0123456789", 10);
	return 0;
}

static int fake_end(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	pi_wire_put_i32(&c->out, PI_SANDBOX_REC_RESERVED, 0);	/* an END of its own */
	pi_wire_put_str(&c->out, 1, "after the end");
	return 0;
}

static int odd_status(struct pi_sandbox_child *c, void *arg)
{
	(void)c;
	(void)arg;
	return 4099;	/* would read as one of pinspect's own reasons */
}

static int too_much(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	char block[4096];
	memset(block, 'x', sizeof block);
	for (int i = 0; i < 1024; i++) {
		pi_wire_put(&c->out, 1, block, sizeof block);
		pi_sandbox_flush(c);
	}
	return 0;
}

static int huge_record(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	static char block[8192];
	pi_wire_put(&c->out, 1, block, sizeof block);
	return 0;
}

START_TEST(subverted_replies_rejected)
{
	struct pi_sandbox_config cfg = config();
	struct pi_buf reply = PI_BUF_INIT;
	cfg.max_reply = 64 << 10;
	cfg.max_record = 4096;
	ck_assert_int_eq(run(&cfg, lying_length, NULL, &reply, NULL), -PI_ERR_SANDBOX_REPLY);
	ck_assert_int_eq(run(&cfg, fake_end, NULL, &reply, NULL), -PI_ERR_SANDBOX_REPLY);
	ck_assert_int_eq(run(&cfg, odd_status, NULL, &reply, NULL), -PI_ERR_SANDBOX_REPLY);
	ck_assert_int_eq(run(&cfg, too_much, NULL, &reply, NULL), -PI_ERR_SANDBOX_REPLY);
	ck_assert_int_eq(run(&cfg, huge_record, NULL, &reply, NULL), -PI_ERR_SANDBOX_REPLY);
	pi_buf_free(&reply);
}
END_TEST

/* ---- the broker ---- */

struct files {
	const char *allowed;		/* the one path the policy grants */
};

static int grant_one(void *arg, uint32_t kind, const unsigned char *data, size_t len)
{
	const struct files *f = arg;
	if (kind != PI_BROKER_PATH || len != strlen(f->allowed) || memcmp(data, f->allowed, len) != 0)
		return -EACCES;
	return pi_broker_open_regular(f->allowed);
}

static int read_through_broker(struct pi_sandbox_child *c, void *arg)
{
	const char *path = arg;
	char text[64];
	/* By itself: refused. */
	int fd = open(path, O_RDONLY);
	pi_wire_put_i32(&c->out, 1, fd < 0 ? -errno : 0);
	/* Through the broker: granted, and readable. */
	fd = pi_broker_request(c->broker_fd, PI_BROKER_PATH, path, strlen(path));
	pi_wire_put_i32(&c->out, 2, fd < 0 ? fd : 0);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof text) : -1;
	pi_wire_put(&c->out, 3, text, n > 0 ? (size_t)n : 0);
	if (fd >= 0)
		close(fd);
	/* Anything else: the policy's refusal. */
	pi_wire_put_i32(&c->out, 4, pi_broker_request(c->broker_fd, PI_BROKER_PATH, "/etc/passwd", 11));
	/* A request too big to be one. */
	static char big[PI_BROKER_MAX_REQUEST + 1];
	pi_wire_put_i32(&c->out, 5, pi_broker_request(c->broker_fd, PI_BROKER_PATH, big, sizeof big));
	return 0;
}

START_TEST(broker_passes_what_policy_grants)
{
	char path[] = "/tmp/pi-sandbox-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "granted", 7), 7);
	close(fd);
	/* Readable by the sandbox's user too: what stops open() is the
	 * filter, not the file's mode. */
	chmod(path, 0644);

	struct files f = { path };
	struct pi_sandbox_config cfg = config();
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	cfg.policy = grant_one;
	cfg.policy_arg = &f;
	ck_assert_int_eq(run(&cfg, read_through_broker, path, &reply, &o), 0);
	if (pi_sandbox_filter_possible())
		ck_assert_int_eq(nth_number(&reply, 0), -EPERM);
	ck_assert_int_eq(nth_number(&reply, 1), 0);
	struct pi_wire_reader r;
	struct pi_wire_record rec;
	pi_wire_reader_init(&r, reply.data, reply.len, 4096);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pi_wire_next(&r, &rec), 1);
	ck_assert_uint_eq(rec.len, 7);
	ck_assert(memcmp(rec.data, "granted", 7) == 0);
	ck_assert_int_eq(nth_number(&reply, 3), -EACCES);
	ck_assert_int_eq(nth_number(&reply, 4), -EMSGSIZE);
	ck_assert_uint_eq(o.requests, 2);
	ck_assert_uint_eq(o.refused, 1);
	unlink(path);
	pi_buf_free(&reply);
}
END_TEST

/* The root side's step between the two halves: until it is done, the
 * policy says -EAGAIN, after it -EALREADY. */
static int step_policy(void *arg, uint32_t kind, const unsigned char *data, size_t len)
{
	(void)kind, (void)data, (void)len;
	return *(const int *)arg ? -EALREADY : -EAGAIN;
}

/* 0: a first record, a mark, a request, a second record. 1: no mark.
 * 2: a crash before the mark. 3: two marks. */
static int in_two_steps(struct pi_sandbox_child *c, void *arg)
{
	int kind = *(const int *)arg;
	pi_wire_put_str(&c->out, 1, "first");
	if (kind == 2)
		raise(SIGSEGV);
	if (kind != 1 && pi_sandbox_mark(c) != 0)
		return -EIO;
	if (kind == 3 && pi_sandbox_mark(c) != 0)
		return -EIO;
	pi_wire_put_i32(&c->out, 2, pi_broker_request(c->broker_fd, PI_BROKER_PATH, "x", 1));
	return 0;
}

START_TEST(two_steps_with_a_mark)
{
	struct pi_sandbox_config cfg = config();
	struct pi_buf reply = PI_BUF_INIT;
	struct pi_sandbox_outcome o;
	struct pi_sandbox_job *job;
	int ready = 0, kind = 0;
	cfg.policy = step_policy;
	cfg.policy_arg = &ready;

	/* The first half comes at the mark; the request the child makes
	 * after it is answered by finish, after the root side's step. */
	ck_assert_int_eq(pi_sandbox_start(&cfg, in_two_steps, &kind, &job), 0);
	ck_assert_int_eq(pi_sandbox_wait_mark(job, &reply), 1);
	ck_assert_uint_eq(reply.len, PI_WIRE_HEADER + 5);
	ck_assert(memcmp(reply.data + PI_WIRE_HEADER, "first", 5) == 0);
	ready = 1;
	ck_assert_int_eq(pi_sandbox_finish(job, &reply, &o), 0);
	assert_all_reaped();
	ck_assert_int_eq(nth_number(&reply, 0), -EALREADY);
	ck_assert_uint_eq(reply.len, PI_WIRE_HEADER + 4);
	ck_assert_uint_eq(o.requests, 1);

	/* No mark: wait_mark says so, finish has everything. */
	kind = 1;
	ready = 0;
	ck_assert_int_eq(pi_sandbox_start(&cfg, in_two_steps, &kind, &job), 0);
	ck_assert_int_eq(pi_sandbox_wait_mark(job, &reply), 0);
	ck_assert_uint_eq(reply.len, 0);
	ck_assert_int_eq(pi_sandbox_finish(job, &reply, &o), 0);
	assert_all_reaped();
	ck_assert_int_eq(nth_number(&reply, 1), -EAGAIN);

	/* A crash before the mark: finish tells. */
	kind = 2;
	ck_assert_int_eq(pi_sandbox_start(&cfg, in_two_steps, &kind, &job), 0);
	ck_assert_int_eq(pi_sandbox_wait_mark(job, &reply), 0);
	ck_assert_int_eq(pi_sandbox_finish(job, &reply, &o), -PI_ERR_SANDBOX_CRASHED);
	assert_all_reaped();

	/* A second mark is a malformed reply. */
	kind = 3;
	ck_assert_int_eq(pi_sandbox_start(&cfg, in_two_steps, &kind, &job), 0);
	ck_assert_int_eq(pi_sandbox_wait_mark(job, &reply), 1);
	ck_assert_int_eq(pi_sandbox_finish(job, &reply, &o), -PI_ERR_SANDBOX_REPLY);
	assert_all_reaped();
	pi_buf_free(&reply);
}
END_TEST

/* A subverted child talking to the broker directly. */
static int32_t raw_request(int sock, const void *req, size_t len)
{
	if (send(sock, req, len, 0) < 0)
		return -errno;
	int32_t status = 1;
	struct iovec iov = { &status, sizeof status };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	return recvmsg(sock, &msg, 0) == sizeof status ? status : -EIO;
}

static int hostile_requests(struct pi_sandbox_child *c, void *arg)
{
	(void)arg;
	static unsigned char big[PI_WIRE_HEADER + PI_BROKER_MAX_REQUEST + 100];
	uint32_t h[2] = { PI_BROKER_PATH, sizeof big - PI_WIRE_HEADER };
	memcpy(big, h, sizeof h);
	pi_wire_put_i32(&c->out, 1, raw_request(c->broker_fd, big, sizeof big));
	h[1] = 100;	/* claims more than it sends */
	memcpy(big, h, sizeof h);
	pi_wire_put_i32(&c->out, 2, raw_request(c->broker_fd, big, PI_WIRE_HEADER + 10));
	/* Past the budget of requests. */
	int32_t last = 0;
	for (int i = 0; i < 5; i++)
		last = pi_broker_request(c->broker_fd, PI_BROKER_PATH, "x", 1);
	pi_wire_put_i32(&c->out, 3, last);
	return 0;
}

START_TEST(broker_refuses_hostile_requests)
{
	struct files f = { "/nonexistent" };
	struct pi_sandbox_config cfg = config();
	struct pi_sandbox_outcome o;
	struct pi_buf reply = PI_BUF_INIT;
	cfg.policy = grant_one;
	cfg.policy_arg = &f;
	cfg.max_requests = 3;
	ck_assert_int_eq(run(&cfg, hostile_requests, NULL, &reply, &o), 0);
	ck_assert_int_eq(nth_number(&reply, 0), -EMSGSIZE);
	ck_assert_int_eq(nth_number(&reply, 1), -EBADMSG);
	ck_assert_int_eq(nth_number(&reply, 2), -EMFILE);
	ck_assert_uint_eq(o.requests, 7);
	ck_assert_uint_eq(o.refused, 7);
	pi_buf_free(&reply);
}
END_TEST

START_TEST(open_regular_policy)
{
	ck_assert_int_eq(pi_broker_open_regular("/tmp"), -EINVAL);		/* a directory */
	ck_assert_int_eq(pi_broker_open_regular("/dev/null"), -EINVAL);	/* a device */
	ck_assert_int_eq(pi_broker_open_regular("/nonexistent/x"), -ENOENT);
	char dir[] = "/tmp/pi-sandbox-XXXXXX", link[64], fifo[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(link, sizeof link, "%s/link", dir);
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	ck_assert_int_eq(symlink("/etc/passwd", link), 0);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(pi_broker_open_regular(link), -ELOOP);	/* not followed */
	ck_assert_int_eq(pi_broker_open_regular(fifo), -EINVAL);	/* and no wait for a writer */
	int fd = pi_broker_open_regular("/etc/passwd");
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
}
END_TEST

START_TEST(reasons_are_worded)
{
	struct pi_process p;
	memset(&p, 0, sizeof p);
	int codes[] = { PI_ERR_SANDBOX_CRASHED, PI_ERR_SANDBOX_TIMEOUT, PI_ERR_SANDBOX_SYSCALL,
			PI_ERR_SANDBOX_MEMORY, PI_ERR_SANDBOX_REPLY, PI_ERR_SANDBOX_SETUP };
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char *why = pi_unavailable_reason(&p, "vdso", -codes[i]);
		ck_assert_msg(strstr(why, "decoder"), "%d: %s", codes[i], why);
		free(why);
	}
}
END_TEST

Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *wire = tcase_create("wire");
	tcase_add_test(wire, wire_round_trip);
	tcase_add_test(wire, wire_hostile_records);
	tcase_add_test(wire, wire_random_bytes);
	suite_add_tcase(s, wire);

	TCase *tc = tcase_create("confined");
	/* Children are slow under valgrind. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, runs_and_returns);
	tcase_add_test(tc, drops_user_and_capabilities);
	tcase_add_test(tc, confined_as_seen_from_outside);
	tcase_add_test(tc, cannot_open_or_connect);
	tcase_add_test(tc, closes_other_descriptors);
	tcase_add_test(tc, forbidden_calls_kill_it);
	tcase_add_test(tc, deadline_kills_it);
	tcase_add_test(tc, crash_is_reported);
	tcase_add_test(tc, memory_is_limited);
	tcase_add_test(tc, subverted_replies_rejected);
	tcase_add_test(tc, reasons_are_worded);
	tcase_add_test(tc, child_reaped_by_someone_else);
	tcase_add_test(tc, finished_late_is_not_late);
	tcase_add_test(tc, two_steps_with_a_mark);
	suite_add_tcase(s, tc);

	TCase *broker = tcase_create("broker");
	tcase_set_timeout(broker, 60);
	tcase_add_test(broker, broker_passes_what_policy_grants);
	tcase_add_test(broker, broker_refuses_hostile_requests);
	tcase_add_test(broker, open_regular_policy);
	suite_add_tcase(s, broker);
	return s;
}
