#include "analysis/finding_text.h"

#include <string.h>

#include "model.h"
#include "util/escape.h"
#include "util/fmt.h"

void pi_text_task(struct pi_buf *b, const char *what, pid_t id, const char *comm)
{
	pi_buf_printf(b, "%s %d (", what, (int)id);
	if (comm)
		pi_escape_text(b, comm, strlen(comm));
	else
		pi_buf_putc(b, '?');
	pi_buf_putc(b, ')');
}

static void put_name(struct pi_buf *b, const char *comm)
{
	if (!comm)
		return;
	pi_buf_puts(b, " (");
	pi_escape_text(b, comm, strlen(comm));
	pi_buf_putc(b, ')');
}

void pi_text_d_task(struct pi_buf *b, const struct pi_d_task_text *t)
{
	char dur[32], limit[32];

	pi_text_task(b, "thread", t->tid, t->comm);
	if (t->process_comm && t->tid != t->pid)
		pi_text_task(b, " of process", t->pid, t->process_comm);
	if (t->off_cpu_known)
		pi_buf_printf(b, " has been in D (uninterruptible) for %s",
			      pi_fmt_duration(dur, sizeof dur, t->off_cpu_seconds));
	else
		pi_buf_puts(b, " is in D (uninterruptible)");
	if (t->wchan && t->wchan[0])
		pi_buf_printf(b, ", waiting in %s", t->wchan);
	if (t->hung) {
		pi_buf_printf(b, "; hung: longer than --hung-after %s",
			      pi_fmt_duration(limit, sizeof limit, t->hung_after_seconds));
		if (t->hung_task_timeout_secs >= 0)
			pi_buf_printf(b, " (the kernel's hung_task_timeout_secs is %d)",
				      t->hung_task_timeout_secs);
	}
}

void pi_text_zombie(struct pi_buf *b, pid_t pid, const char *comm, pid_t ppid,
		    const char *parent_comm)
{
	pi_text_task(b, "process", pid, comm);
	pi_buf_printf(b, " is a zombie: it has exited, and its parent %d", (int)ppid);
	put_name(b, parent_comm);
	pi_buf_puts(b, " has not reaped it with wait()");
}

void pi_text_zombie_parent(struct pi_buf *b, pid_t pid, const char *comm, const pid_t *zombies,
			   size_t n, double oldest_seconds)
{
	char dur[32];

	if (comm) {
		pi_text_task(b, "process", pid, comm);
		pi_buf_putc(b, ' ');
	}
	pi_buf_printf(b, "holds %zu unreaped zombie child%s (the oldest started %s ago): pid",
		      n, n == 1 ? "" : "ren", pi_fmt_duration(dur, sizeof dur, oldest_seconds));
	for (size_t i = 0; i < n && i < 10; i++)
		pi_buf_printf(b, " %d", (int)zombies[i]);
	if (n > 10)
		pi_buf_printf(b, " and %zu more", n - 10);
}

void pi_text_leader_exited(struct pi_buf *b, pid_t pid, size_t other_threads)
{
	pi_buf_printf(b, "the main thread %d has exited; the process lives on in %zu other thread%s",
		      (int)pid, other_threads, other_threads == 1 ? "" : "s");
}

void pi_text_stopped(struct pi_buf *b, const struct pi_stop_text *s)
{
	bool all = s->hit == s->nthreads;

	if (all) {
		pi_text_task(b, "process", s->pid, s->comm);
	} else {
		pi_buf_printf(b, "%zu of %zu threads", s->hit, s->nthreads);
		if (s->name_process)
			pi_buf_printf(b, " of process %d", (int)s->pid);
	}
	if (!s->traced) {
		pi_buf_printf(b, " %s stopped by a job-control signal; kill -CONT %d resumes it",
			      all ? "is" : "are", (int)s->pid);
		return;
	}
	pi_buf_printf(b, " %s traced", all ? "is" : "are");
	if (s->tracer > 0) {
		pi_buf_printf(b, " by %d", (int)s->tracer);
		put_name(b, s->tracer_comm);
	}
	if (s->held)
		pi_buf_puts(b, ", and held at a ptrace stop until the tracer lets it go");
}

void pi_text_wait_step(struct pi_buf *b, const struct pi_wait_step *s)
{
	pi_buf_printf(b, "%d (", (int)s->pid);
	pi_escape_text(b, s->comm, strlen(s->comm));
	pi_buf_putc(b, ')');
	if (s->syscall) {
		pi_buf_printf(b, " in %s", s->syscall);
		if (s->what) {
			pi_buf_puts(b, " on ");
			pi_escape_text(b, s->what, strlen(s->what));
		}
	} else if (s->state == 'T') {
		pi_buf_puts(b, " stopped (T)");
	} else if (s->state == 't') {
		pi_buf_puts(b, " traced, held by a debugger (t)");
	} else if (s->wchan && s->wchan[0]) {
		pi_buf_puts(b, " in ");
		pi_escape_text(b, s->wchan, strlen(s->wchan));
	}
}

void pi_text_process_cycle(struct pi_buf *b, const struct pi_wait_step *steps, size_t n)
{
	pi_buf_puts(b, n == 1 ? "process " : "processes ");
	for (size_t i = 0; i < n; i++) {
		pi_buf_puts(b, i == 0 ? "" : i + 1 == n ? " and " : ", ");
		pi_buf_printf(b, "%d (", (int)steps[i].pid);
		pi_escape_text(b, steps[i].comm, strlen(steps[i].comm));
		pi_buf_putc(b, ')');
	}
	pi_buf_puts(b, n == 1 ? " waits for itself" : " wait for each other");
	pi_buf_puts(b, ", with no timeout: ");
	for (size_t i = 0; i < n; i++) {
		pi_buf_puts(b, i ? " -> " : "");
		pi_text_wait_step(b, &steps[i]);
	}
	pi_buf_printf(b, " -> back to %d: none will go on", (int)steps[0].pid);
}

void pi_text_mutex_owner_died(struct pi_buf *b, const struct pi_wait_step *steps, size_t n, pid_t owner_tid)
{
	const struct pi_wait_step *last = &steps[n - 1];
	pi_buf_printf(b, "thread %d (", (int)steps[0].tid);
	pi_escape_text(b, steps[0].comm, strlen(steps[0].comm));
	pi_buf_puts(b, ") waits");
	if (n > 1) {
		pi_buf_printf(b, ", through process %d (", (int)last->pid);
		pi_escape_text(b, last->comm, strlen(last->comm));
		pi_buf_puts(b, "),");
	}
	pi_buf_puts(b, " for a process-shared mutex whose owner");
	if (owner_tid > 0)
		pi_buf_printf(b, ", thread %d,", (int)owner_tid);
	pi_buf_puts(b, " exited holding it: ");
	for (size_t i = 0; i < n; i++) {
		pi_buf_puts(b, i ? " -> " : "");
		pi_text_wait_step(b, &steps[i]);
	}
	pi_buf_puts(b, "; nothing will unlock it (a robust mutex would go to the next locker, with "
		       "EOWNERDEAD): restart the processes that use it");
}

void pi_text_waits_on_stopped(struct pi_buf *b, const struct pi_wait_step *steps, size_t n,
			      size_t threads)
{
	const struct pi_wait_step *last = &steps[n - 1];
	pi_buf_printf(b, "thread %d (", (int)steps[0].tid);
	pi_escape_text(b, steps[0].comm, strlen(steps[0].comm));
	pi_buf_putc(b, ')');
	if (threads > 1)
		pi_buf_printf(b, " and %zu more threads", threads - 1);
	pi_buf_printf(b, " wait%s on process %d (", threads > 1 ? "" : "s", (int)last->pid);
	pi_escape_text(b, last->comm, strlen(last->comm));
	pi_buf_printf(b, "), which is %s: ", last->state == 't' ? "traced (held by a debugger)" : "stopped");
	for (size_t i = 0; i < n; i++) {
		pi_buf_puts(b, i ? " -> " : "");
		pi_text_wait_step(b, &steps[i]);
	}
	if (last->state == 't')
		pi_buf_puts(b, "; nothing moves until the debugger lets it go");
	else
		pi_buf_printf(b, "; nothing moves until it is continued (kill -CONT %d)", (int)last->pid);
}
