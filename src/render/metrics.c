#include "render/metrics.h"

#include <string.h>

#include "analysis/kinds.h"
#include "util/escape.h"

static void family(struct pi_buf *b, const char *name, const char *help)
{
	pi_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The family that counts a kind of finding, from the table of kinds,
 * and its one sample. */
static void kind_count(struct pi_buf *b, enum pi_finding_kind kind, size_t count)
{
	const struct pi_kind *k = pi_kind_of(kind);
	family(b, k->metric, k->metric_help);
	pi_buf_printf(b, "%s %zu\n", k->metric, count);
}

/* A sample: %g keeps integers integers and seconds to the microsecond. */
static void sample(struct pi_buf *b, const char *name, double value)
{
	pi_buf_printf(b, "%s %.9g\n", name, value);
}

void pi_metrics_label_value(struct pi_buf *b, const char *s, size_t len)
{
	struct pi_buf text = PI_BUF_INIT;

	/* The name as the text output shows it (valid UTF-8, nothing a
	 * terminal acts on, nothing invisible), then quoted for the format. */
	pi_escape_text(&text, s, len);
	for (size_t i = 0; i < text.len; i++) {
		if (text.data[i] == '\\' || text.data[i] == '"')
			pi_buf_putc(b, '\\');
		pi_buf_putc(b, text.data[i]);
	}
	pi_buf_free(&text);
}

static void label(struct pi_buf *b, const char *sep, const char *name, const char *value)
{
	pi_buf_printf(b, "%s%s=\"", sep, name);
	pi_metrics_label_value(b, value, strlen(value));
	pi_buf_putc(b, '"');
}

/* name{pid="42",comm="nginx"[,...]} */
static void task_sample(struct pi_buf *b, const char *name, pid_t pid, pid_t tid, const char *comm,
			const char *wchan, double value)
{
	pi_buf_printf(b, "%s{pid=\"%d\"", name, (int)pid);
	if (tid)
		pi_buf_printf(b, ",tid=\"%d\"", (int)tid);
	label(b, ",", "comm", comm ? comm : "");
	if (wchan)
		label(b, ",", "wchan", wchan);
	pi_buf_printf(b, "} %.9g\n", value);
}

static void tasks(struct pi_buf *b, const struct pi_check *c)
{
	const struct pi_check_states *n = &c->states;
	const struct {
		const char *state;
		size_t count;
	} by_state[] = {
		{ "running", n->running },	{ "sleeping", n->sleeping },
		{ "uninterruptible", n->disk_sleep }, { "stopped", n->stopped },
		{ "traced", n->traced },	{ "zombie", n->zombie },
		{ "dead", n->dead },		{ "idle", n->idle },
		{ "parked", n->parked },	{ "other", n->other },
	};

	family(b, "pinspect_tasks", "Tasks (threads) on the system, by state.");
	for (size_t i = 0; i < sizeof by_state / sizeof by_state[0]; i++)
		pi_buf_printf(b, "pinspect_tasks{state=\"%s\"} %zu\n", by_state[i].state, by_state[i].count);
	family(b, "pinspect_processes", "Processes on the system.");
	sample(b, "pinspect_processes", (double)c->sweep.nprocs);
	family(b, "pinspect_unreadable_processes",
	       "Processes whose tasks could not be read (/proc mounted with hidepid=).");
	sample(b, "pinspect_unreadable_processes", (double)c->sweep.unreadable);
}

static void hung(struct pi_buf *b, const struct pi_check *c)
{
	family(b, "pinspect_hung_after_seconds",
	       "The --hung-after threshold: a task in D off the CPU longer than this is hung.");
	sample(b, "pinspect_hung_after_seconds", c->hung_after_seconds);
	if (c->sweep.hung_task_timeout_secs >= 0) {
		family(b, "pinspect_kernel_hung_task_timeout_seconds",
		       "The kernel's own threshold, kernel.hung_task_timeout_secs (0: its detector is off).");
		sample(b, "pinspect_kernel_hung_task_timeout_seconds", c->sweep.hung_task_timeout_secs);
	}
	kind_count(b, PI_FIND_HUNG, c->hung);
	/* With tasks in D but none of their times known, there is no honest
	 * number: the sample is left out. */
	if (c->longest_d_seconds >= 0 || c->uninterruptible == 0) {
		family(b, "pinspect_uninterruptible_longest_seconds",
		       "The longest time a task in D has been off the CPU (0: no task in D).");
		sample(b, "pinspect_uninterruptible_longest_seconds",
		       c->longest_d_seconds >= 0 ? c->longest_d_seconds : 0);
	}
	family(b, "pinspect_hung_task_seconds", "How long each hung task has been in D.");
	for (size_t i = 0; i < c->nitems; i++) {
		const struct pi_check_item *it = &c->items[i];
		if (it->finding.kind != PI_FIND_HUNG)
			continue;
		const struct pi_thread *t = it->task;
		task_sample(b, "pinspect_hung_task_seconds", it->proc->pid, t->facts.tid, pi_sweep_task_comm(it->proc, t),
			    t->wchan_err ? "" : t->facts.wchan, t->facts.off_cpu_seconds);
	}
}

static void zombies(struct pi_buf *b, const struct pi_check *c)
{
	kind_count(b, PI_FIND_ZOMBIE, c->zombies);
	kind_count(b, PI_FIND_ZOMBIE_PARENT, c->zombie_parents);
	family(b, "pinspect_zombie_parent_zombies", "Zombie children each parent holds.");
	for (size_t i = 0; i < c->nitems; i++) {
		const struct pi_check_item *it = &c->items[i];
		if (it->finding.kind == PI_FIND_ZOMBIE_PARENT)
			task_sample(b, "pinspect_zombie_parent_zombies", it->finding.pid, 0,
				    it->proc ? it->proc->comm : "", NULL, (double)it->nzombies);
	}
	family(b, "pinspect_zombie_parent_oldest_seconds",
	       "How long ago each parent's oldest zombie child started.");
	for (size_t i = 0; i < c->nitems; i++) {
		const struct pi_check_item *it = &c->items[i];
		if (it->finding.kind == PI_FIND_ZOMBIE_PARENT)
			task_sample(b, "pinspect_zombie_parent_oldest_seconds", it->finding.pid, 0,
				    it->proc ? it->proc->comm : "", NULL, it->zombies[0].age_seconds);
	}
}

static void deadlocks(struct pi_buf *b, const struct pi_check *c)
{
	kind_count(b, PI_FIND_DEADLOCK, c->deadlocks);
	kind_count(b, PI_FIND_PROCESS_DEADLOCK, c->process_deadlocks);
	family(b, "pinspect_deadlocked_threads", "Threads in a lock cycle.");
	sample(b, "pinspect_deadlocked_threads", (double)c->deadlocked_threads);
	family(b, "pinspect_process_deadlocked_threads", "Threads in a lock cycle, per process.");
	for (size_t i = 0; i < c->nsnapshots; i++) {
		const struct pi_process *p = c->snapshots[i];
		size_t threads = 0;
		for (size_t k = 0; k < c->nitems; k++)
			if (c->items[k].snapshot == p)
				threads += c->items[k].finding.npids;
		task_sample(b, "pinspect_process_deadlocked_threads", p->pid, 0, p->stat.comm, NULL,
			    (double)threads);
	}
	family(b, "pinspect_locks_not_checked_processes",
	       "Processes whose locks could not be read (another user's, when not root).");
	sample(b, "pinspect_locks_not_checked_processes", (double)c->nlocks_unchecked);
}

void pi_render_metrics(struct pi_buf *b, const struct pi_check *c)
{
	tasks(b, c);
	if (c->scans & PI_CHECK_HUNG)
		hung(b, c);
	if (c->scans & PI_CHECK_ZOMBIES)
		zombies(b, c);
	if (c->scans & PI_CHECK_DEADLOCKS)
		deadlocks(b, c);
	family(b, "pinspect_scan_duration_seconds", "How long the scan took.");
	sample(b, "pinspect_scan_duration_seconds", c->seconds);
	pi_buf_puts(b, "# EOF\n");
}
