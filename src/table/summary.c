#include "table/summary.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/kinds.h"
#include "util/escape.h"
#include "util/fmt.h"
#include "util/xalloc.h"

/* A line about a kind of finding takes its colour. */
static enum pi_style kind_style(enum pi_finding_kind kind)
{
	return (enum pi_style)pi_kind_of(kind)->style;
}

static void first_line(struct pi_table *t, struct pi_buf *b)
{
	char when[32], up[32];
	struct tm tm;
	time_t now = (time_t)t->realtime_seconds;

	if (localtime_r(&now, &tm))
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	else
		snprintf(when, sizeof when, "?");
	pi_buf_printf(b, "pinspect %s, up %s", when, pi_short_duration(up, sizeof up, t->uptime_seconds));
	if (t->load_known)
		pi_buf_printf(b, ", load average %.2f %.2f %.2f", t->load[0], t->load[1], t->load[2]);
	if (t->opt.only_pid) {
		const struct pi_proc *p = pi_table_find_proc(t, t->opt.only_pid);
		pi_buf_printf(b, "; watching process %d", (int)t->opt.only_pid);
		if (p) {
			pi_buf_puts(b, " (");
			pi_escape_text(b, p->comm, strlen(p->comm));
			pi_buf_puts(b, ")");
		}
	}
}

static void tasks_line(const struct pi_table *t, struct pi_buf *b, bool brief)
{
	const struct pi_table_counts *c = &t->counts;
	if (brief) {
		/* By state letter, as the S column shows them. */
		pi_buf_printf(b, "Tasks: %zu proc, %zu thr: %zu R, %zu S, %zu D, %zu T, %zu t, %zu Z, %zu I",
			      c->processes, c->threads, c->running, c->sleeping, c->uninterruptible,
			      c->stopped, c->traced, c->zombie, c->idle);
		if (c->other)
			pi_buf_printf(b, ", %zu other", c->other);
		return;
	}
	pi_buf_printf(b, "Tasks: %zu process%s, %zu thread%s: %zu running, %zu sleeping, "
		      "%zu in D, %zu stopped, %zu traced, %zu zombie, %zu idle",
		      c->processes, c->processes == 1 ? "" : "es", c->threads,
		      c->threads == 1 ? "" : "s", c->running, c->sleeping, c->uninterruptible,
		      c->stopped, c->traced, c->zombie, c->idle);
	if (c->other)
		pi_buf_printf(b, ", %zu other", c->other);
}

static enum pi_style hung_line(const struct pi_table *t, struct pi_buf *b, bool brief)
{
	char limit[32];
	const char *after = pi_short_duration(limit, sizeof limit, t->opt.hung_after_seconds);
	if (brief) {
		if (t->counts.hung)
			pi_buf_printf(b, "Hung: %zu in D > %s", t->counts.hung, after);
		else
			pi_buf_printf(b, "Hung: none in D > %s", after);
		if (t->hung_task_timeout_secs >= 0)
			pi_buf_printf(b, " (--hung-after; kernel's: %ds)", t->hung_task_timeout_secs);
		else
			pi_buf_puts(b, " (--hung-after; kernel's: unknown)");
		return t->counts.hung ? kind_style(PI_FIND_HUNG) : PI_STYLE_NORMAL;
	}
	if (t->counts.hung)
		pi_buf_printf(b, "Hung: %zu thread%s in D longer than --hung-after %s", t->counts.hung,
			      t->counts.hung == 1 ? "" : "s", after);
	else
		pi_buf_printf(b, "Hung: none in D longer than --hung-after %s", after);
	if (t->hung_task_timeout_secs >= 0)
		pi_buf_printf(b, " (the kernel's hung_task_timeout_secs: %d)", t->hung_task_timeout_secs);
	else
		pi_buf_puts(b, " (the kernel's hung_task_timeout_secs: unknown)");
	return t->counts.hung ? kind_style(PI_FIND_HUNG) : PI_STYLE_NORMAL;
}

/* Parents by how many zombies they hold, most first. */
static int compare_parents(const void *a, const void *b)
{
	const struct pi_proc *x = *(const struct pi_proc *const *)a;
	const struct pi_proc *y = *(const struct pi_proc *const *)b;
	if (x->zombies != y->zombies)
		return x->zombies < y->zombies ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static enum pi_style zombie_line(const struct pi_table *t, struct pi_buf *b)
{
	const struct pi_table_counts *c = &t->counts;
	enum { SHOWN = 3 };
	char age[32];

	if (!c->zombie_parents) {
		pi_buf_puts(b, "Zombies: none");
		return PI_STYLE_NORMAL;
	}
	const struct pi_proc **parents = pi_xcalloc(c->zombie_parents, sizeof *parents);
	size_t n = 0, zombies = 0;
	for (size_t i = 0; i < t->nprocs && n < c->zombie_parents; i++) {
		if (!t->procs[i].zombies)
			continue;
		zombies += t->procs[i].zombies;
		parents[n++] = &t->procs[i];
	}
	if (n > 1)
		qsort(parents, n, sizeof *parents, compare_parents);
	pi_buf_printf(b, "Zombies: %zu, held by", zombies);
	for (size_t i = 0; i < n && i < SHOWN; i++) {
		const struct pi_proc *p = parents[i];
		pi_buf_printf(b, "%s %d (", i ? ";" : "", (int)p->pid);
		pi_escape_text(b, p->comm, strlen(p->comm));
		pi_buf_printf(b, ") %u, oldest %s", p->zombies,
			      pi_short_duration(age, sizeof age, p->oldest_zombie_seconds));
	}
	if (n > SHOWN)
		pi_buf_printf(b, "; and %zu more parent%s", n - SHOWN, n - SHOWN == 1 ? "" : "s");
	free(parents);
	return kind_style(PI_FIND_ZOMBIE_PARENT);
}

/* The deadlocked processes (by PID) with how many threads each, and
 * how old the scan is: its cycles are kept until the next. */
static enum pi_style deadlock_line(struct pi_table *t, struct pi_buf *b, bool brief)
{
	const struct pi_deadlocks *d = &t->deadlocks;
	enum { SHOWN = 3 };
	char ago[32];

	if (!d->checked) {
		pi_buf_puts(b, "Deadlocks: not looked for yet");
		return PI_STYLE_NORMAL;
	}
	/* Lock cycles within a process, and processes in cycles of
	 * processes (one entry each), are said apart. */
	size_t nlock = 0, ncross = 0, lock_threads = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].across_processes) {
			ncross++;
		} else {
			nlock++;
			lock_threads += d->v[i].ntids;
		}
	}
	if (!d->n) {
		pi_buf_puts(b, "Deadlocks: none");
	} else if (nlock) {
		pi_buf_printf(b, "Deadlocks: %zu thread%s in %zu lock cycle%s, in", lock_threads,
			      lock_threads == 1 ? "" : "s", nlock, nlock == 1 ? "" : "s");
		size_t procs = 0;
		for (size_t i = 0; i < d->n;) {
			size_t threads = 0, end = i;
			for (; end < d->n && d->v[end].pid == d->v[i].pid; end++)
				threads += d->v[end].across_processes ? 0 : d->v[end].ntids;
			if (!threads) {
				i = end;
				continue;
			}
			if (procs++ < SHOWN) {
				const struct pi_proc *p = pi_table_find_proc(t, d->v[i].pid);
				pi_buf_printf(b, "%s %d (", procs > 1 ? ";" : "", (int)d->v[i].pid);
				if (p)
					pi_escape_text(b, p->comm, strlen(p->comm));
				pi_buf_printf(b, ") %zu", threads);
			}
			i = end;
		}
		if (procs > SHOWN)
			pi_buf_printf(b, "; and %zu more process%s", procs - SHOWN,
				      procs - SHOWN == 1 ? "" : "es");
	}
	if (ncross) {
		pi_buf_printf(b, "%s%zu process%s in cycles of processes waiting for each other:", nlock ? "; " : "Deadlocks: ", ncross,
			      ncross == 1 ? "" : "es");
		size_t shown = 0;
		for (size_t i = 0; i < d->n; i++) {
			if (!d->v[i].across_processes || shown++ >= SHOWN)
				continue;
			const struct pi_proc *p = pi_table_find_proc(t, d->v[i].pid);
			pi_buf_printf(b, "%s %d (", shown > 1 ? "," : "", (int)d->v[i].pid);
			if (p)
				pi_escape_text(b, p->comm, strlen(p->comm));
			pi_buf_puts(b, ")");
		}
		if (ncross > SHOWN)
			pi_buf_printf(b, " and %zu more", ncross - SHOWN);
	}
	double seconds = t->sample_ns > d->checked_ns ? (double)(t->sample_ns - d->checked_ns) / 1e9 : 0;
	pi_buf_printf(b, brief ? " (%s ago" : " (looked for %s ago",
		      pi_short_duration(ago, sizeof ago, seconds));
	if (d->not_checked) {
		/* Which: "1234 (name), 1235 (name) and 3 more". */
		if (brief)
			pi_buf_printf(b, "; %zu unreadable", d->not_checked);
		else
			pi_buf_printf(b, "; locks of %zu process%s not readable", d->not_checked,
				      d->not_checked == 1 ? "" : "es");
		for (size_t i = 0; i < d->nunchecked; i++) {
			pi_buf_puts(b, i == 0 ? ": " : i + 1 == d->not_checked ? " and " : ", ");
			pi_buf_printf(b, "%d (", (int)d->unchecked[i].pid);
			pi_escape_text(b, d->unchecked[i].comm, strlen(d->unchecked[i].comm));
			pi_buf_putc(b, ')');
		}
		if (d->nunchecked && d->not_checked > d->nunchecked)
			pi_buf_printf(b, " and %zu more", d->not_checked - d->nunchecked);
		if (!t->root)
			pi_buf_puts(b, d->nunchecked ? "; run as root" : ": run as root");
	}
	pi_buf_puts(b, ")");
	return d->n ? kind_style(PI_FIND_DEADLOCK) : PI_STYLE_NORMAL;
}

/* Fills line i in its full words, and again in brief ones when those do
 * not fit in width (0: any width). */
static void fill(struct pi_table *t, struct pi_summary *s, size_t i, size_t width)
{
	for (int brief = 0; brief < 2; brief++) {
		pi_buf_reset(&s->line[i]);
		switch (i) {
		case 1:
			tasks_line(t, &s->line[i], brief);
			break;
		case 2:
			s->style[i] = hung_line(t, &s->line[i], brief);
			break;
		case 4:
			s->style[i] = deadlock_line(t, &s->line[i], brief);
			break;
		default:
			return;
		}
		if (!width || s->line[i].len <= width)
			return;
	}
}

void pi_table_summary_fit(struct pi_table *t, struct pi_summary *s, size_t width)
{
	for (size_t i = 0; i < PI_SUMMARY_LINES; i++) {
		pi_buf_reset(&s->line[i]);
		s->style[i] = PI_STYLE_NORMAL;
	}
	first_line(t, &s->line[0]);
	fill(t, s, 1, width);
	fill(t, s, 2, width);
	s->style[3] = zombie_line(t, &s->line[3]);
	fill(t, s, 4, width);
	s->n = 5;
}

void pi_table_summary(struct pi_table *t, struct pi_summary *s)
{
	pi_table_summary_fit(t, s, 0);
}

void pi_summary_free(struct pi_summary *s)
{
	for (size_t i = 0; i < PI_SUMMARY_LINES; i++)
		pi_buf_free(&s->line[i]);
}
