#include "collect/dwait.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "analysis/dwait.h"
#include "proc/lists.h"
#include "proc/reader.h"
#include "util/xalloc.h"

#ifndef KCMP_VM
#define KCMP_VM 0
#endif

/* 0: a and b run in one address space; 1: they do not; -errno: unknown
 * (no CONFIG_KCMP, or not allowed to look at one of them). */
static int same_memory(pid_t a, pid_t b)
{
#ifdef SYS_kcmp
	long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0UL, 0UL);
	if (r < 0)
		return -errno;
	return r == 0 ? 0 : 1;
#else
	(void)a;
	(void)b;
	return -ENOSYS;
#endif
}

/* Reads what child is doing. Returns false when it is gone, or not the
 * process's child (any more). */
static bool read_child(pid_t parent, pid_t pid, struct pi_vfork_child *c, struct pi_buf *buf)
{
	struct pi_stat st;
	int fd = pi_proc_open(pid);
	if (fd < 0)
		return false;
	int err = pi_read_at(fd, "stat", buf);
	if (err || pi_stat_parse(buf->data, buf->len, &st) != 0 || st.ppid != parent) {
		close(fd);
		return false;
	}
	memset(c, 0, sizeof *c);
	c->pid = pid;
	memcpy(c->comm, st.comm, sizeof c->comm);
	c->state = st.state;
	err = pi_read_at(fd, "wchan", buf);
	c->wchan_err = err ? err : pi_wchan_parse(buf->data, buf->len, c->wchan, sizeof c->wchan);
	if (c->wchan_err)
		c->wchan[0] = '\0';
	err = pi_read_at(fd, "syscall", buf);
	c->syscall_err = err ? err : pi_syscall_parse(buf->data, buf->len, &c->syscall);
	close(fd);
	return true;
}

/* The child thread tid waits for: the one sharing its memory, or, when
 * that cannot be checked, its youngest child (kcmp_err says so). */
static void find_vfork_child(int taskfd, const struct pi_process *p, struct pi_d_wait *w,
			     struct pi_buf *buf)
{
	char name[16];
	pid_t *children = NULL;
	size_t n = 0, cap = 0;

	snprintf(name, sizeof name, "%d", (int)w->tid);
	int fd = taskfd >= 0 ? pi_proc_open_dir(taskfd, name) : taskfd;
	if (fd < 0) {
		w->children_err = fd;
		return;
	}
	int err = pi_read_at(fd, "children", buf);
	close(fd);
	w->children_err = err ? err : pi_children_parse(buf->data, buf->len, &children, &n, &cap);
	for (size_t i = n, looked = 0; i > 0 && looked < PI_DWAIT_CHILDREN_MAX; i--, looked++) {
		struct pi_vfork_child c;
		if (!read_child(p->pid, children[i - 1], &c, buf))
			continue;
		int same = same_memory(w->tid, c.pid);
		if (same == 1)
			continue;
		if (same == 0) {
			c.shares_memory = true;
			w->child = c;
			w->child_found = true;
			break;
		}
		c.kcmp_err = same;
		if (!w->child_found) {
			w->child = c;
			w->child_found = true;
		}
	}
	free(children);
}

void pi_collect_d_waits(struct pi_process *p)
{
	struct pi_buf buf = PI_BUF_INIT;
	int procfd = -1, taskfd = -1;
	size_t cap = 0, lookups = 0;

	p->d_waits_collected = true;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct pi_thread *t = &p->threads[i];
		if (t->stat_err || t->facts.state != 'D')
			continue;
		pi_xgrow(&p->d_waits, &cap, p->nd_waits + 1, sizeof *p->d_waits);
		struct pi_d_wait *w = &p->d_waits[p->nd_waits++];
		memset(w, 0, sizeof *w);
		w->tid = t->facts.tid;
		const char *wchan = t->wchan_err ? NULL : t->facts.wchan;
		const struct pi_strlist *kstack = t->kstack_err ? NULL : &t->kstack;
		w->vfork = pi_d_wait_is_vfork(wchan, kstack);
		if (w->vfork && pi_deadline_passed(&p->deadline)) {
			w->children_err = -PI_ERR_TIMEOUT;
		} else if (w->vfork && lookups == PI_DWAIT_LOOKUPS_MAX) {
			w->children_err = -E2BIG;
		} else if (w->vfork) {
			lookups++;
			if (procfd < 0) {
				procfd = pi_proc_open(p->pid);
				taskfd = procfd >= 0 ? pi_proc_open_dir(procfd, "task") : procfd;
			}
			find_vfork_child(taskfd, p, w, &buf);
		}
		w->killable = pi_d_wait_killable(wchan, kstack, w->vfork,
						 w->child_found && w->child.shares_memory, &w->evidence);
	}
	if (taskfd >= 0)
		close(taskfd);
	if (procfd >= 0)
		close(procfd);
	pi_buf_free(&buf);
}
