#include "sandbox/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "sandbox/confine.h"
#include "sandbox/filter.h"
#include "sandbox/wire.h"
#include "util/deadline.h"
#include "util/xalloc.h"

/* The sandbox's own records, after the function's. */
#define REC_END (PI_SANDBOX_REC_RESERVED + 0)		/* i32: the function's status */
#define REC_SETUP_STEP (PI_SANDBOX_REC_RESERVED + 1)	/* string: the step that failed */
#define REC_SETUP_ERRNO (PI_SANDBOX_REC_RESERVED + 2)	/* i32: its -errno */
#define REC_MARK (PI_SANDBOX_REC_RESERVED + 3)		/* empty: pi_sandbox_mark */

/* The child's exit statuses other than 0. */
enum {
	EXIT_SETUP = 120,	/* confinement failed (REC_SETUP_*) */
	EXIT_NOMEM = 121,	/* an allocation failed: its RLIMIT_AS */
	EXIT_SEND = 122,	/* its records could not be written */
};

/* How long a SIGKILLed child gets to die before it is left for later: a
 * child in uninterruptible sleep (a read from a hung file system) cannot
 * die until the kernel lets it, and pinspect must not wait for that. */
enum { KILL_GRACE_MS = 1000 };

void pi_sandbox_config_init(struct pi_sandbox_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->uid = PI_SANDBOX_UID;
	cfg->gid = PI_SANDBOX_GID;
	/* 256 MiB: decoding reads data already in memory; what it builds is
	 * a fraction of that, and libelf's tables of an image of a few
	 * megabytes are a few megabytes. Small enough that a decompression
	 * bomb cannot push the machine into swap. */
	cfg->mem_budget = (size_t)256 << 20;
	cfg->timeout_ms = 2000;
	cfg->max_reply = (size_t)16 << 20;
	cfg->max_record = (size_t)1 << 20;
	cfg->max_requests = 64;
}

/* Children that did not die within KILL_GRACE_MS of SIGKILL: reaped by a
 * later run, or by init once pinspect exits. */
static pthread_mutex_t leftover_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t leftovers[16];

static void reap_leftovers(void)
{
	pthread_mutex_lock(&leftover_lock);
	for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++)
		if (leftovers[i] > 0 && waitpid(leftovers[i], NULL, WNOHANG) != 0)
			leftovers[i] = 0;
	pthread_mutex_unlock(&leftover_lock);
}

void pi_sandbox_leave(pid_t pid)
{
	reap_leftovers();
	pthread_mutex_lock(&leftover_lock);
	for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++)
		if (leftovers[i] <= 0) {
			leftovers[i] = pid;
			break;
		}
	pthread_mutex_unlock(&leftover_lock);
}

static int64_t now_ms(void)
{
	return pi_monotonic_ns() / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000 };
	nanosleep(&ts, NULL);
}

/* Moves fd above the standard descriptors (the child closes those). */
static int above_stdio(int fd)
{
	if (fd > 2)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	int err = errno;
	close(fd);
	return moved >= 0 ? moved : -err;
}

int pi_sandbox_flush(struct pi_sandbox_child *c)
{
	size_t off = 0;
	while (off < c->out.len) {
		ssize_t n = write(c->result_fd, c->out.data + off, c->out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	pi_buf_reset(&c->out);
	return 0;
}

int pi_sandbox_mark(struct pi_sandbox_child *c)
{
	pi_wire_put(&c->out, REC_MARK, NULL, 0);
	return pi_sandbox_flush(c);
}

static void out_of_memory_in_child(size_t size)
{
	(void)size;
	_exit(EXIT_NOMEM);
}

static void __attribute__((noreturn))
child_main(const struct pi_sandbox_config *cfg, pi_sandbox_fn *fn, void *arg, pid_t parent,
	   int result_fd, int broker_fd)
{
	struct pi_sandbox_child c = { PI_BUF_INIT, result_fd, broker_fd };
	int keep[cfg->nkeep + 1];
	const char *step = "";
	bool dropped;

	pi_xalloc_on_failure(out_of_memory_in_child);
	if (cfg->nkeep)
		memcpy(keep, cfg->keep_fds, cfg->nkeep * sizeof *keep);
	keep[cfg->nkeep] = result_fd;
	int err = pi_sandbox_confine(cfg, parent, keep, cfg->nkeep + 1, broker_fd, &step, &dropped);
	if (err) {
		pi_wire_put_str(&c.out, REC_SETUP_STEP, step);
		pi_wire_put_i32(&c.out, REC_SETUP_ERRNO, err);
		pi_sandbox_flush(&c);
		_exit(EXIT_SETUP);
	}
	int status = fn(&c, arg);
	pi_wire_put_i32(&c.out, REC_END, status);
	/* _exit: the exit handlers (and the leak checker of a sanitizer
	 * build) belong to pinspect, not to this copy of it. */
	_exit(pi_sandbox_flush(&c) ? EXIT_SEND : 0);
}

/* Reads what is there without blocking. Returns 1 while the pipe is open,
 * 0 at its end, -EMSGSIZE past max. */
static int drain(int fd, struct pi_buf *reply, size_t max)
{
	for (;;) {
		size_t room = max - reply->len + 1;	/* one byte more tells "too much" */
		if (room > 65536)
			room = 65536;
		pi_buf_reserve(reply, room);
		ssize_t n = read(fd, reply->data + reply->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 1 : -errno;
		if (n == 0)
			return 0;
		reply->len += (size_t)n;
		reply->data[reply->len] = '\0';
		if (reply->len > max)
			return -EMSGSIZE;
	}
}

/* Waits for the child to end, at most until deadline; it is reaped if it
 * did, and its wait status is in *status (-1 when somebody else reaped
 * it: the tracer waits for any child, so it can take ours). */
static bool reap(pid_t pid, int pidfd, int64_t deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r < 0 && errno == ECHILD)
			*status = -1;
		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return false;
		if (pidfd >= 0) {
			struct pollfd p = { pidfd, POLLIN, 0 };
			poll(&p, 1, (int)left);
		} else {
			sleep_ms(left < 1 ? (int)left : 1);
		}
	}
}

/* The records of a child that exited with 0: the function's, then exactly
 * one REC_END, last. */
static int check_reply(const struct pi_sandbox_config *cfg, struct pi_buf *reply,
		       struct pi_sandbox_outcome *o)
{
	struct pi_wire_reader r;
	struct pi_wire_record rec;
	size_t end_at = 0;
	bool ended = false;
	int got;

	pi_wire_reader_init(&r, reply->data, reply->len, cfg->max_record);
	while ((got = pi_wire_next(&r, &rec)) == 1) {
		if (ended || (rec.type >= PI_SANDBOX_REC_RESERVED && rec.type != REC_END))
			return -PI_ERR_SANDBOX_REPLY;
		if (rec.type == REC_END) {
			if (pi_wire_get_i32(&rec, &o->status) != 0 || o->status > 0 || o->status < -4095)
				return -PI_ERR_SANDBOX_REPLY;
			ended = true;
			end_at = (size_t)(rec.data - PI_WIRE_HEADER - (const unsigned char *)reply->data);
		}
	}
	if (got < 0 || !ended)
		return -PI_ERR_SANDBOX_REPLY;
	reply->len = end_at;
	reply->data[end_at] = '\0';
	return 0;
}

static void read_setup_failure(const struct pi_sandbox_config *cfg, const struct pi_buf *reply,
			       struct pi_sandbox_outcome *o)
{
	struct pi_wire_reader r;
	struct pi_wire_record rec;
	int32_t e;

	pi_wire_reader_init(&r, reply->data, reply->len, cfg->max_record);
	while (pi_wire_next(&r, &rec) == 1) {
		if (rec.type == REC_SETUP_STEP
		    && pi_wire_get_str(&rec, 1, sizeof o->setup_step - 1, NULL) == 0)
			pi_wire_get_str(&rec, 1, sizeof o->setup_step - 1, o->setup_step);
		else if (rec.type == REC_SETUP_ERRNO && pi_wire_get_i32(&rec, &e) == 0
			 && e < 0 && e >= -4095)
			o->setup_errno = -e;
	}
}

static int verdict(const struct pi_sandbox_config *cfg, int wstatus, struct pi_buf *reply,
		   struct pi_sandbox_outcome *o)
{
	if (wstatus == -1) {
		/* Reaped by somebody else: a reply whole to its END record is
		 * as good as an exit status of 0; anything less is a crash. */
		return check_reply(cfg, reply, o) == 0 ? 0 : -PI_ERR_SANDBOX_CRASHED;
	}
	if (WIFSIGNALED(wstatus)) {
		o->signal = WTERMSIG(wstatus);
		if (o->signal == SIGSYS)
			return -PI_ERR_SANDBOX_SYSCALL;
		if (o->signal == SIGXCPU)
			return -PI_ERR_SANDBOX_TIMEOUT;
		return -PI_ERR_SANDBOX_CRASHED;
	}
	o->exit_code = WEXITSTATUS(wstatus);
	switch (o->exit_code) {
	case 0:
		return check_reply(cfg, reply, o);
	case EXIT_SETUP:
		read_setup_failure(cfg, reply, o);
		return -PI_ERR_SANDBOX_SETUP;
	case EXIT_NOMEM:
		return -PI_ERR_SANDBOX_MEMORY;
	default:
		return -PI_ERR_SANDBOX_CRASHED;
	}
}

struct pi_sandbox_job {
	struct pi_sandbox_config cfg;	/* keep_fds not used past the fork */
	pid_t pid;
	int pidfd;			/* -1 without one */
	int result;			/* the read end of the records' pipe */
	int broker;			/* the root side of the broker, or -1 */
	int64_t deadline;		/* CLOCK_MONOTONIC, ms */
	unsigned budget;		/* broker requests left */
	bool pipe_open;
	struct pi_sandbox_outcome o;	/* requests and refusals so far */
	/* The records read and not handed out yet. */
	struct pi_buf pending;
	int ended;			/* how pump last ended (enum pump_end), -1: not yet */
	int wstatus;			/* once reaped */
	int err;			/* why it is to be killed, 0 */
};

int pi_sandbox_start(const struct pi_sandbox_config *cfg, pi_sandbox_fn *fn, void *arg,
		     struct pi_sandbox_job **out)
{
	int res[2] = { -1, -1 }, broker[2] = { -1, -1 };
	int err = 0;

	*out = NULL;
	for (size_t i = 0; i < cfg->nkeep; i++)
		if (cfg->keep_fds[i] <= 2)
			return -EINVAL;
	reap_leftovers();

	if (pipe2(res, O_CLOEXEC) != 0)
		return -errno;
	if (cfg->policy && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, broker) != 0)
		err = -errno;
	for (int i = 0; i < 2 && !err; i++) {
		if ((res[i] = above_stdio(res[i])) < 0)
			err = res[i];
		else if (broker[i] >= 0 && (broker[i] = above_stdio(broker[i])) < 0)
			err = broker[i];
	}
	pid_t parent = getpid();
	pid_t pid = err ? -1 : fork();
	if (pid == 0)
		child_main(cfg, fn, arg, parent, res[1], broker[1]);
	if (pid < 0 && !err)
		err = -errno;
	if (res[1] >= 0)
		close(res[1]);
	if (broker[1] >= 0)
		close(broker[1]);
	if (err) {
		if (res[0] >= 0)
			close(res[0]);
		if (broker[0] >= 0)
			close(broker[0]);
		return err;
	}

	struct pi_sandbox_job *job = pi_xcalloc(1, sizeof *job);
	job->cfg = *cfg;
	job->cfg.keep_fds = NULL;
	job->cfg.nkeep = 0;
	job->pid = pid;
	job->result = res[0];
	job->broker = broker[0];
	job->deadline = now_ms() + cfg->timeout_ms;
	job->budget = cfg->max_requests;
	job->pipe_open = true;
	job->ended = -1;
	job->o.exit_code = -1;
	fcntl(job->result, F_SETFL, O_NONBLOCK);
	/* A pidfd says when the child has exited, even one that closed its
	 * pipe and went on; without one (kernels before 5.3, and valgrind,
	 * which does not know the call and says so) the pipe's end and then
	 * short sleeps do. */
	job->pidfd = pi_sandbox_under_valgrind() ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
	*out = job;
	return 0;
}

/* Where the first mark lies in buf from *scanned on: its offset, -1 while
 * none has come whole, -EBADMSG for a length no reader would take.
 * *scanned moves past the whole records before it. */
static long find_mark(const struct pi_buf *buf, size_t *scanned, size_t max_record)
{
	while (buf->len - *scanned >= PI_WIRE_HEADER) {
		uint32_t type, len;
		memcpy(&type, buf->data + *scanned, 4);
		memcpy(&len, buf->data + *scanned + 4, 4);
		if (len > max_record)
			return -EBADMSG;
		if (buf->len - *scanned - PI_WIRE_HEADER < len)
			return -1;
		if (type == REC_MARK)
			return (long)*scanned;
		*scanned += PI_WIRE_HEADER + len;
	}
	return -1;
}

enum pump_end { PUMP_EXITED, PUMP_MARK, PUMP_KILL };

/* Serves the broker and gathers the child's records in job->pending until
 * the child has exited (reaped: job->wstatus), something calls for
 * killing it (job->err, or the deadline: o.timed_out), or, until_mark,
 * a mark came (*mark_at: its offset in pending). */
static enum pump_end pump(struct pi_sandbox_job *job, bool until_mark, long *mark_at)
{
	const struct pi_sandbox_config *cfg = &job->cfg;
	struct pi_sandbox_outcome *o = &job->o;
	size_t scanned = 0;

	for (;;) {
		if (until_mark) {
			long m = find_mark(&job->pending, &scanned, cfg->max_record);
			if (m == -EBADMSG) {
				job->err = -PI_ERR_SANDBOX_REPLY;
				return PUMP_KILL;
			}
			if (m >= 0) {
				*mark_at = m;
				return PUMP_MARK;
			}
		}
		/* Past the deadline, one look without waiting still: the root
		 * side may come to finish a job long after the child is done. */
		int64_t left = job->deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd p[3];
		int n = 0, ip = -1, ib = -1, id = -1;
		if (job->pipe_open)
			p[ip = n++] = (struct pollfd){ job->result, POLLIN, 0 };
		if (job->broker >= 0)
			p[ib = n++] = (struct pollfd){ job->broker, POLLIN, 0 };
		if (job->pidfd >= 0)
			p[id = n++] = (struct pollfd){ job->pidfd, POLLIN, 0 };
		if (n == 0 || (job->pidfd < 0 && !job->pipe_open)) {
			if (reap(job->pid, -1, now_ms() + 1, &job->wstatus))
				return PUMP_EXITED;
			if (left == 0) {
				o->timed_out = true;
				return PUMP_KILL;
			}
			continue;
		}
		int ready = poll(p, (nfds_t)n, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0) {
			job->err = -errno;
			return PUMP_KILL;
		}
		if (ready == 0) {
			if (left == 0) {
				o->timed_out = true;
				return PUMP_KILL;
			}
			continue;
		}
		if (ip >= 0 && p[ip].revents) {
			int d = drain(job->result, &job->pending, cfg->max_reply);
			if (d < 0) {
				job->err = d == -EMSGSIZE ? -PI_ERR_SANDBOX_REPLY : d;
				return PUMP_KILL;
			}
			job->pipe_open = d == 1;
			/* A mark may be in what came: the requests the child
			 * makes after it are for the caller's next step. */
			if (until_mark)
				continue;
		}
		if (ib >= 0 && p[ib].revents) {
			int s = (p[ib].revents & POLLIN) ? pi_broker_serve(job->broker, cfg->policy,
									   cfg->policy_arg, &job->budget)
							 : -EPIPE;
			if (s < 0) {
				/* The child closed its end (or died): no more requests. */
				close(job->broker);
				job->broker = -1;
			} else {
				o->requests++;
				o->refused += s == 0;
			}
		}
		if (id >= 0 && (p[id].revents & POLLIN)) {
			/* What it wrote before it exited is still in the pipe. */
			if (job->pipe_open) {
				int d = drain(job->result, &job->pending, cfg->max_reply);
				if (d < 0) {
					job->err = d == -EMSGSIZE ? -PI_ERR_SANDBOX_REPLY : d;
					return PUMP_KILL;
				}
				job->pipe_open = d == 1;
				if (until_mark)
					continue;	/* a mark may be in what came */
			}
			if (reap(job->pid, job->pidfd, job->deadline, &job->wstatus))
				return PUMP_EXITED;
		}
	}
}

int pi_sandbox_wait_mark(struct pi_sandbox_job *job, struct pi_buf *reply)
{
	pi_buf_reset(reply);
	if (job->ended != PUMP_MARK && job->ended >= 0)
		return 0;
	long at = 0;
	job->ended = pump(job, true, &at);
	if (job->ended != PUMP_MARK)
		return 0;
	size_t mark = (size_t)at, after = mark + PI_WIRE_HEADER;
	pi_buf_append(reply, job->pending.data, mark);
	memmove(job->pending.data, job->pending.data + after, job->pending.len - after);
	job->pending.len -= after;
	job->pending.data[job->pending.len] = '\0';
	return 1;
}

int pi_sandbox_finish(struct pi_sandbox_job *job, struct pi_buf *reply,
		      struct pi_sandbox_outcome *outcome)
{
	struct pi_sandbox_outcome local;
	struct pi_sandbox_outcome *o = outcome ? outcome : &local;
	const struct pi_sandbox_config job_cfg = job->cfg;	/* outlives job */
	const struct pi_sandbox_config *cfg = &job_cfg;
	long unused;

	if (job->ended < 0 || job->ended == PUMP_MARK)
		job->ended = pump(job, false, &unused);
	*o = job->o;
	o->exit_code = -1;
	int err = job->err, wstatus = job->wstatus;
	if (job->ended != PUMP_EXITED) {
		/* Through the pidfd when there is one: it names this child even
		 * if somebody else reaped it and its PID was reused. */
		/* Never kill(0) or kill(-1): those are pinspect's own process
		 * group, or every process it may signal. */
		if ((job->pidfd < 0 || syscall(SYS_pidfd_send_signal, job->pidfd, SIGKILL, NULL, 0) != 0)
		    && job->pid > 0)
			kill(job->pid, SIGKILL);
		if (!reap(job->pid, job->pidfd, now_ms() + KILL_GRACE_MS, &wstatus))
			pi_sandbox_leave(job->pid);
	}
	close(job->result);
	if (job->broker >= 0)
		close(job->broker);
	if (job->pidfd >= 0)
		close(job->pidfd);
	/* The records are handed over whole, not copied. */
	pi_buf_free(reply);
	*reply = job->pending;
	free(job);

	if (o->timed_out)
		return -PI_ERR_SANDBOX_TIMEOUT;
	if (err)
		return err;
	err = verdict(cfg, wstatus, reply, o);
	if (err == 0 && geteuid() == 0)
		o->dropped_user = true;
	return err;
}

int pi_sandbox_run(const struct pi_sandbox_config *cfg, pi_sandbox_fn *fn, void *arg,
		   struct pi_buf *reply, struct pi_sandbox_outcome *outcome)
{
	struct pi_sandbox_job *job;
	int err = pi_sandbox_start(cfg, fn, arg, &job);
	if (err) {
		if (outcome) {
			memset(outcome, 0, sizeof *outcome);
			outcome->exit_code = -1;
		}
		pi_buf_reset(reply);
		return err;
	}
	return pi_sandbox_finish(job, reply, outcome);
}
