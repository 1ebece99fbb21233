#include "render/check_text.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "analysis/findings.h"
#include "analysis/locks.h"
#include "analysis/reasons.h"
#include "render/text_util.h"
#include "util/escape.h"
#include "util/fmt.h"

enum {
	COMM_WIDTH = 16,
	WCHAN_WIDTH = 24,
	FRAMES_SHOWN = 3,	/* of a deadlocked thread's stack, from the program's own code */
	PIDS_SHOWN = 10,
};

/* A name from the target, escaped and padded to width columns. */
static void put_cell(struct pi_buf *b, const char *s, size_t width)
{
	size_t before = b->len;
	put_escaped(b, s ? s : "?");
	size_t shown = pi_text_width(b->data + before);
	pi_buf_pad(b, shown < width ? width - shown : 1);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void headline(struct pi_buf *b, const struct pi_check *c)
{
	const struct pi_check_states *n = &c->states;
	char when[32];

	pi_buf_printf(b, "pinspect: health check of %zu tasks in %zu processes, %s (read in %.2f s)\n",
		      c->sweep.ntasks, c->sweep.nprocs,
		      pi_fmt_localtime(when, sizeof when, time(NULL)), c->seconds);
	pi_buf_printf(b, "Tasks: %zu running, %zu sleeping, %zu in D, %zu stopped, %zu traced, "
		      "%zu zombie, %zu idle", n->running, n->sleeping, n->disk_sleep, n->stopped,
		      n->traced, n->zombie, n->idle);
	if (n->parked + n->dead + n->other)
		pi_buf_printf(b, ", %zu other", n->parked + n->dead + n->other);
	pi_buf_putc(b, '\n');
	if (c->sweep.unreadable)
		pi_buf_printf(b, "Not readable: %zu process%s (is /proc mounted with hidepid=?)\n",
			      c->sweep.unreadable, plural(c->sweep.unreadable, "", "es"));
}

static void put_syscall(struct pi_buf *b, const struct pi_sweep_proc *p, const struct pi_thread *t)
{
	if (t->syscall_err && pi_reason_not_applicable(t->syscall_err))
		pi_buf_printf(b, "- (%s)", pi_reason_brief(t->syscall_err));
	else if (t->syscall_err)
		pi_buf_puts(b, "unavailable");
	else
		pi_text_syscall(b, p->abi_known, p->abi, &t->syscall, 3);
}

static void hung_tasks(struct pi_buf *b, const struct pi_check *c)
{
	char dur[32], limit[32];

	pi_buf_puts(b, "\nHUNG TASKS\n");
	pi_fmt_duration(limit, sizeof limit, c->hung_after_seconds);
	if (!c->hung) {
		pi_buf_printf(b, "  none: no task has been in D for longer than --hung-after %s", limit);
		if (c->uninterruptible)
			pi_buf_printf(b, " (%zu %s in D for less)", c->uninterruptible,
				      plural(c->uninterruptible, "is", "are"));
		pi_buf_putc(b, '\n');
		return;
	}
	pi_buf_printf(b, "  %zu %s in D, off the CPU for longer than --hung-after %s", c->hung,
		      plural(c->hung, "task", "tasks"), limit);
	if (c->sweep.hung_task_timeout_secs >= 0)
		pi_buf_printf(b, " (the kernel's hung_task_timeout_secs is %d)",
			      c->sweep.hung_task_timeout_secs);
	pi_buf_puts(b, ":\n");
	pi_buf_printf(b, "  %-8s %-8s %-*s %-12s %-*s %s\n", "PID", "TID", COMM_WIDTH, "COMMAND",
		      "IN D FOR", WCHAN_WIDTH, "WCHAN", "SYSCALL");
	for (size_t i = 0; i < c->nitems; i++) {
		const struct pi_check_item *it = &c->items[i];
		if (it->finding.kind != PI_FIND_HUNG)
			continue;
		const struct pi_thread *t = it->task;
		pi_buf_printf(b, "  %-8d %-8d ", (int)it->proc->pid, (int)t->facts.tid);
		put_cell(b, pi_sweep_task_comm(it->proc, t), COMM_WIDTH + 1);
		pi_buf_printf(b, "%-12s ", pi_fact_known(&t->facts, PI_FACT_OFF_CPU)
				   ? pi_fmt_duration(dur, sizeof dur, t->facts.off_cpu_seconds) : "?");
		const char *wchan = t->wchan_err ? "unavailable" : t->facts.wchan[0] ? t->facts.wchan : "-";
		pi_buf_printf(b, "%-*s ", WCHAN_WIDTH, wchan);
		put_syscall(b, it->proc, t);
		pi_buf_putc(b, '\n');
		if (t->kstack_err)
			pi_buf_printf(b, "  %-8s kernel stack unavailable%s\n", "",
				      c->sweep.root ? "" : " (root only)");
		for (size_t k = 0; k < t->kstack.n; k++)
			pi_buf_printf(b, "  %-8s %s %s\n", "", k ? "      " : "kernel", t->kstack.v[k]);
	}
}

static void zombies(struct pi_buf *b, const struct pi_check *c)
{
	char dur[32];

	pi_buf_puts(b, "\nZOMBIES\n");
	if (!c->zombies) {
		pi_buf_puts(b, "  none\n");
		return;
	}
	pi_buf_printf(b, "  %zu %s, held by %zu %s that %s not reaped them with wait():\n",
		      c->zombies, plural(c->zombies, "zombie", "zombies"), c->zombie_parents,
		      plural(c->zombie_parents, "parent", "parents"),
		      plural(c->zombie_parents, "has", "have"));
	pi_buf_printf(b, "  %-8s %-*s %7s  %-12s %s\n", "PARENT", COMM_WIDTH, "COMMAND", "ZOMBIES",
		      "OLDEST", "ZOMBIE PIDS");
	for (size_t i = 0; i < c->nitems; i++) {
		const struct pi_check_item *it = &c->items[i];
		if (it->finding.kind != PI_FIND_ZOMBIE_PARENT)
			continue;
		pi_buf_printf(b, "  %-8d ", (int)it->finding.pid);
		put_cell(b, it->proc ? it->proc->comm : "?", COMM_WIDTH + 1);
		pi_buf_printf(b, "%7zu  %-12s", it->nzombies,
			      pi_fmt_duration(dur, sizeof dur, it->zombies[0].age_seconds));
		for (size_t k = 0; k < it->finding.npids && k < PIDS_SHOWN; k++)
			pi_buf_printf(b, " %d", (int)it->finding.pids[k]);
		if (it->finding.npids > PIDS_SHOWN)
			pi_buf_printf(b, " and %zu more", it->finding.npids - PIDS_SHOWN);
		pi_buf_putc(b, '\n');
	}
}

/* Where a deadlocked thread is: its innermost frames in the program's own
 * code (the libc frames above them only say "taking a lock"). */
static void put_where(struct pi_buf *b, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_user_stack *u = &t->ustack;
	size_t first = 0;

	if (u->err || !u->nframes) {
		pi_buf_puts(b, "?");
		return;
	}
	/* A Python program's own code is its Python frames. */
	while (first < u->nframes && !u->frames[first].python)
		first++;
	if (first == u->nframes)
		first = 0;
	while (first < u->nframes && !u->frames[first].python
	       && !pi_module_is_programs_own(u->frames[first].module, p->exe))
		first++;
	if (first == u->nframes)
		first = 0;
	for (size_t k = 0; k < FRAMES_SHOWN && first + k < u->nframes; k++) {
		const struct pi_user_frame *f = &u->frames[first + k];
		if (k)
			pi_buf_puts(b, " <- ");
		if (f->function)
			put_escaped(b, f->function);
		else
			pi_buf_printf(b, "%#" PRIx64, f->pc);
	}
}

static void put_lock_name(struct pi_buf *b, const struct pi_futex *f)
{
	size_t before = b->len;
	if (f->symbol)
		put_escaped(b, f->symbol);
	else
		pi_buf_printf(b, "%#" PRIx64, f->addr);
	size_t shown = b->len - before;
	pi_buf_pad(b, shown < 25 ? 26 - shown : 1);
}

/* Processes whose locks could not be read, and why: as non-root, other
 * users'; as root, the few a security policy shields. */
static void not_checked(struct pi_buf *b, const struct pi_check *c)
{
	int e = -c->locks_unchecked_err;
	size_t n = c->nlocks_unchecked;

	pi_buf_puts(b, "  not checked: the locks of ");
	if (n <= 3) {
		for (size_t i = 0; i < n; i++) {
			const struct pi_sweep_proc *p = pi_sweep_find_proc(&c->sweep, c->locks_unchecked[i]);
			pi_buf_puts(b, i == 0 ? "" : i + 1 == n ? " and " : ", ");
			pi_buf_printf(b, "process %d (", (int)c->locks_unchecked[i]);
			put_escaped(b, p ? p->comm : "?");
			pi_buf_putc(b, ')');
		}
	} else {
		pi_buf_printf(b, "%zu processes (PIDs", n);
		for (size_t i = 0; i < n && i < PIDS_SHOWN; i++)
			pi_buf_printf(b, " %d", (int)c->locks_unchecked[i]);
		if (n > PIDS_SHOWN)
			pi_buf_printf(b, " and %zu more", n - PIDS_SHOWN);
		pi_buf_putc(b, ')');
	}
	pi_buf_puts(b, ": ");
	pi_reason_put(b, e, NULL);
	if ((e == EACCES || e == EPERM) && !c->sweep.root)
		pi_buf_puts(b, ", they are another user's; run as root to check every process");
	pi_buf_putc(b, '\n');
}

/* Cycles of processes (pipes, sockets, file locks, children, shared
 * mutexes): each one's
 * sentence, then a line per process: what it waits in, and on what. */
static void process_deadlocks(struct pi_buf *b, const struct pi_check *c)
{
	if (!c->process_deadlocks) {
		pi_buf_puts(b, "  none across processes: no processes wait for each other (pipes, sockets, "
			       "file locks, children, shared mutexes)\n");
		if (c->waits.err) {
			pi_buf_puts(b, "  (not every process was looked at: ");
			pi_reason_put(b, c->waits.err, NULL);
			pi_buf_puts(b, ")\n");
		}
		return;
	}
	pi_buf_printf(b, "  %zu %s of processes waiting for each other for good:\n", c->process_deadlocks,
		      plural(c->process_deadlocks, "cycle", "cycles"));
	for (size_t i = 0; i < c->nitems; i++) {
		const struct pi_check_item *it = &c->items[i];
		if (it->finding.kind != PI_FIND_PROCESS_DEADLOCK || !it->cross)
			continue;
		pi_buf_printf(b, "  %s\n", it->finding.message);
		pi_buf_printf(b, "    %-8s %-*s %-12s %s\n", "PID", COMM_WIDTH, "NAME", "WAITS IN", "ON");
		for (size_t k = 0; k < it->cross->nsteps; k++) {
			const struct pi_wait_step *st = &it->cross->steps[k];
			pi_buf_printf(b, "    %-8d ", (int)st->pid);
			put_cell(b, st->comm, COMM_WIDTH + 1);
			pi_buf_printf(b, "%-12s ", st->syscall ? st->syscall : "?");
			put_escaped(b, st->what ? st->what : "?");
			pi_buf_putc(b, '\n');
		}
	}
}

static void deadlocks(struct pi_buf *b, const struct pi_check *c)
{
	pi_buf_puts(b, "\nDEADLOCKS\n");
	if (!c->deadlocks) {
		pi_buf_printf(b, "  none: no threads wait for each other's locks");
	} else {
		pi_buf_printf(b, "  %zu lock %s, threads waiting for each other for good:\n",
			      c->deadlocks, plural(c->deadlocks, "cycle", "cycles"));
	}
	for (size_t i = 0; i < c->nitems; i++) {
		const struct pi_check_item *it = &c->items[i];
		if (it->finding.kind != PI_FIND_DEADLOCK)
			continue;
		const struct pi_process *p = it->snapshot;
		pi_buf_printf(b, "  process %d (", (int)p->pid);
		put_escaped(b, p->stat.comm);
		pi_buf_printf(b, "): %s\n", it->finding.message);
		pi_buf_printf(b, "    %-8s %-*s %-25s %-8s %s\n", "TID", COMM_WIDTH, "NAME", "WAITS FOR",
			      "HELD BY", "AT");
		for (size_t k = 0; k < it->finding.npids; k++) {
			const struct pi_thread *t = pi_process_find_thread(p, it->finding.pids[k]);
			if (!t)
				continue;
			pi_buf_printf(b, "    %-8d ", (int)t->facts.tid);
			put_cell(b, pi_thread_comm(p, t), COMM_WIDTH + 1);
			put_lock_name(b, &t->futex);
			pi_buf_printf(b, "%-8d ", (int)t->futex.owner);
			put_where(b, p, t);
			pi_buf_putc(b, '\n');
		}
	}
	if (!c->deadlocks)
		pi_buf_putc(b, '\n');
	process_deadlocks(b, c);
	if (c->nlocks_unchecked)
		not_checked(b, c);
	/* Suspects the budget (--timeout) left unconfirmed. */
	if (c->nlocks_timed_out) {
		pi_buf_printf(b, "  not checked within --timeout %g s: the locks of PIDs", c->timeout_seconds);
		for (size_t i = 0; i < c->nlocks_timed_out && i < PIDS_SHOWN; i++)
			pi_buf_printf(b, " %d", (int)c->locks_timed_out[i]);
		if (c->nlocks_timed_out > PIDS_SHOWN)
			pi_buf_printf(b, " and %zu more", c->nlocks_timed_out - PIDS_SHOWN);
		pi_buf_putc(b, '\n');
	}
}

void pi_render_check_text(struct pi_buf *b, const struct pi_check *c)
{
	headline(b, c);
	if (c->scans & PI_CHECK_HUNG)
		hung_tasks(b, c);
	if (c->scans & PI_CHECK_ZOMBIES)
		zombies(b, c);
	if (c->scans & PI_CHECK_DEADLOCKS)
		deadlocks(b, c);

	/* Where to read on: the manual's section for each kind found. */
	const char *sections[PI_FIND_KIND_COUNT];
	size_t nsections = 0;
	pi_buf_printf(b, "\n%zu %s", c->nitems, plural(c->nitems, "finding", "findings"));
	for (size_t i = 0; i < c->nitems; i++) {
		const char *see = pi_finding_see(c->items[i].finding.kind);
		size_t k = 0;
		while (k < nsections && strcmp(sections[k], see) != 0)
			k++;
		if (k < nsections)
			continue;
		pi_buf_printf(b, "%s%s", nsections ? ", " : "; pinspect(1) explains: ", see);
		sections[nsections++] = see;
	}
	pi_buf_putc(b, '\n');
}
