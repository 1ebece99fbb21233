#include "collect/thread.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc/reader.h"

int pi_collect_thread(int taskfd, pid_t tid, struct pi_sched_clock *clock,
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
	int64_t read_at = pi_monotonic_ns();
	t->sched_err = err ? err : pi_sched_parse(buf->data, buf->len, &t->sched);
	/* exec_start is in the clock of the CPU the task last ran on. */
	if (!t->sched_err)
		t->sched_clock_ns = pi_sched_clock_at(clock, t->stat_err ? -1 : t->stat.processor,
						      read_at);

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
