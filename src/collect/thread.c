#include "collect/thread.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc/reader.h"

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int pi_sched_clock_init(struct pi_sched_clock *clock, struct pi_buf *buf)
{
	struct pi_sched self;

	memset(clock, 0, sizeof *clock);
	/* sched_yield() makes the scheduler account our own run time, which
	 * sets our se.exec_start to the scheduler clock's "now". */
	sched_yield();
	int err = pi_read_at(AT_FDCWD, "/proc/thread-self/sched", buf);
	if (!err)
		err = pi_sched_parse(buf->data, buf->len, &self);
	if (err)
		return err;
	clock->base_sched_ns = self.exec_start_ns;
	clock->base_monotonic_ns = monotonic_ns();
	clock->valid = true;
	return 0;
}

int64_t pi_sched_clock_now(const struct pi_sched_clock *clock)
{
	/* The scheduler clock and CLOCK_MONOTONIC both count nanoseconds,
	 * so one reading of our own sched file dates every later read. */
	if (!clock->valid)
		return 0;
	return clock->base_sched_ns + (monotonic_ns() - clock->base_monotonic_ns);
}

int pi_collect_thread(int taskfd, pid_t tid, const struct pi_sched_clock *clock,
		      struct pi_buf *buf, struct pi_thread *t, pid_t **children,
		      size_t *nchildren, size_t *children_cap)
{
	char name[16];
	int fd, err;

	memset(t, 0, sizeof *t);
	t->tid = tid;
	snprintf(name, sizeof name, "%d", (int)tid);
	fd = pi_proc_open_dir(taskfd, name);
	if (fd < 0)
		return fd;

	err = pi_read_at(fd, "stat", buf);
	t->stat_err = err ? err : pi_stat_parse(buf->data, buf->len, &t->stat);
	if (pi_err_gone(t->stat_err)) {
		close(fd);
		return -ESRCH;
	}
	err = pi_read_at(fd, "status", buf);
	t->status_err = err ? err : pi_status_parse(buf->data, buf->len, &t->status);

	err = pi_read_at(fd, "sched", buf);
	t->sched_clock_ns = pi_sched_clock_now(clock);
	t->sched_err = err ? err : pi_sched_parse(buf->data, buf->len, &t->sched);

	err = pi_read_at(fd, "schedstat", buf);
	t->schedstat_err = err ? err : pi_schedstat_parse(buf->data, buf->len, &t->schedstat);

	bool kthread = (!t->stat_err && (t->stat.flags & PI_PF_KTHREAD))
		       || (!t->status_err && t->status.kthread);
	bool zombie = !t->stat_err && (t->stat.state == 'Z' || t->stat.state == 'X');
	if (kthread) {
		/* A kernel thread's syscall file reads "0 0x0 ...", which
		 * looks like read(0, NULL, 0): it means nothing. */
		t->syscall_err = -PI_ERR_KERNEL_THREAD;
	} else if (zombie) {
		t->syscall_err = -PI_ERR_ZOMBIE;
	} else {
		err = pi_read_at(fd, "syscall", buf);
		t->syscall_err = err ? err : pi_syscall_parse(buf->data, buf->len, &t->syscall);
	}

	err = pi_read_at(fd, "wchan", buf);
	t->wchan_err = err ? err : pi_wchan_parse(buf->data, buf->len, t->wchan, sizeof t->wchan);

	err = pi_read_at(fd, "stack", buf);
	t->kstack_err = err ? err : pi_kstack_parse(buf->data, buf->len, &t->kstack);

	err = pi_read_at(fd, "children", buf);
	t->children_err = err ? err : pi_children_parse(buf->data, buf->len, children, nchildren, children_cap);

	close(fd);
	return 0;
}
