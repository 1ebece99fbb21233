#include "table/columns.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/kinds.h"
#include "analysis/reasons.h"
#include "model.h"
#include "sys/names.h"
#include "util/escape.h"

/* Widths fit the usual values: TIDs up to 4194304, "5m02s", kernel
 * functions most waits are in. Narrow screens drop the columns with the
 * highest `drop` first; the command always stays. */
static const struct pi_column_info columns[PI_COL_COUNT] = {
	[PI_COL_PID] = { "PID", "pid", 7, true, false, 0, 0 },
	[PI_COL_USER] = { "USER", "user", 8, false, false, 0, 4 },
	[PI_COL_STATE] = { "S", "state", 1, false, false, 0, 0 },
	[PI_COL_CPU] = { "%CPU", "cpu_percent", 5, true, true, 0, 0 },
	[PI_COL_MEM] = { "RES", "rss_bytes", 6, true, true, 0, 5 },
	[PI_COL_VCSW] = { "VCSW/s", "voluntary_ctxt_switches_per_second", 6, true, true,
			  PI_DETAIL_SCHED, 8 },
	[PI_COL_IVCSW] = { "ICSW/s", "nonvoluntary_ctxt_switches_per_second", 6, true, true,
			   PI_DETAIL_SCHED, 9 },
	[PI_COL_LAST_RAN] = { "LASTRAN", "off_cpu_seconds", 7, true, true, PI_DETAIL_SCHED, 6 },
	[PI_COL_WCHAN] = { "WCHAN", "wchan", 18, false, false, PI_DETAIL_WCHAN, 3 },
	[PI_COL_SYSCALL] = { "SYSCALL", "syscall", 13, false, false, PI_DETAIL_SYSCALL, 7 },
	[PI_COL_FLAGS] = { "FLAGS", "flags", 22, false, true, 0, 0 },
	[PI_COL_COMMAND] = { "COMMAND", "command", 0, false, false, 0, 0 },
};

const struct pi_column_info *pi_column(enum pi_column c)
{
	return &columns[c < PI_COL_COUNT ? c : PI_COL_PID];
}

char *pi_short_bytes(char *out, size_t size, uint64_t bytes)
{
	double k = (double)bytes / 1024;
	if (k < 1000)
		snprintf(out, size, "%.0fK", k);
	else if (k < 10 * 1024)
		snprintf(out, size, "%.1fM", k / 1024);
	else if (k < 1000 * 1024)
		snprintf(out, size, "%.0fM", k / 1024);
	else if (k < 10.0 * 1024 * 1024)
		snprintf(out, size, "%.1fG", k / 1024 / 1024);
	else
		snprintf(out, size, "%.0fG", k / 1024 / 1024);
	return out;
}

char *pi_short_duration(char *out, size_t size, double s)
{
	if (s < 0)
		s = 0;
	if (s < 10)
		snprintf(out, size, "%.1fs", s);
	else if (s < 60)
		snprintf(out, size, "%.0fs", s);
	else if (s < 3600)
		snprintf(out, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else if (s < 86400)
		snprintf(out, size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else
		snprintf(out, size, "%lldd%02dh", (long long)(s / 86400), (int)(s / 3600) % 24);
	return out;
}

void pi_cell_fit(struct pi_buf *out, const char *text, int width, bool right)
{
	size_t w = pi_text_width(text);
	if (width <= 0) {
		pi_buf_puts(out, text);
		return;
	}
	if (w <= (size_t)width) {
		if (right)
			pi_buf_pad(out, (size_t)width - w);
		pi_buf_puts(out, text);
		if (!right)
			pi_buf_pad(out, (size_t)width - w);
		return;
	}
	/* Cut after width - 1 code points, and say so. */
	const unsigned char *p = (const unsigned char *)text;
	size_t cps = 0, i = 0;
	for (; p[i]; i++) {
		if ((p[i] & 0xc0) != 0x80 && cps++ == (size_t)width - 1)
			break;
	}
	pi_buf_append(out, text, i);
	pi_buf_putc(out, '+');
}

static void put_escaped(struct pi_buf *out, const char *s)
{
	pi_escape_text(out, s, strlen(s));
}

/* The task whose flag a row shows: the thread itself, or the process's
 * worst thread. */
static const struct pi_task *flag_task(const struct pi_table *t, const struct pi_row *r)
{
	return r->thread_row ? r->task : &t->tasks[r->proc->worst_task];
}

/* A thread in a lock cycle names the thread it waits for; a process
 * says how many of its threads are in one. */
static void deadlock_text(struct pi_table *t, const struct pi_row *r, struct pi_buf *out)
{
	if (r->thread_row) {
		const struct pi_deadlock *d = pi_table_deadlock_of(t, r->task);
		for (size_t k = 0; d && k < d->ntids; k++)
			if (d->tids[k] == r->task->tid) {
				pi_buf_printf(out, "deadlock with %d", (int)d->tids[(k + 1) % d->ntids]);
				return;
			}
		pi_buf_puts(out, pi_kind_of(PI_FIND_DEADLOCK)->flag_word);
		return;
	}
	const struct pi_task *tasks = t->tasks + r->proc->first_task;
	unsigned n = 0;
	for (uint32_t i = 0; i < r->proc->ntasks; i++)
		n += (tasks[i].flags & PI_TASK_DEADLOCKED) != 0;
	pi_buf_printf(out, "%s (%u threads)", pi_kind_of(PI_FIND_DEADLOCK)->flag_word, n);
}

/* A flag's first word, from the table of kinds; its colour. */
static enum pi_style flag_word(struct pi_buf *out, enum pi_finding_kind kind)
{
	const struct pi_kind *k = pi_kind_of(kind);
	pi_buf_puts(out, k->flag_word);
	return (enum pi_style)k->style;
}

enum pi_style pi_row_flag_text(struct pi_table *t, const struct pi_row *r, struct pi_buf *out)
{
	unsigned flags = pi_row_flags(r);
	const struct pi_task *task = flag_task(t, r);
	char d[24];
	/* In a process row, a flag that is not the main thread's names the
	 * thread. */
	bool other = !r->thread_row && task->tid != r->proc->pid;

	/* Hung and deadlocked rank alike: the worst thread says which. */
	if ((flags & PI_TASK_DEADLOCKED) && !(task->flags & PI_TASK_HUNG)) {
		deadlock_text(t, r, out);
		return (enum pi_style)pi_kind_of(PI_FIND_DEADLOCK)->style;
	}
	enum pi_finding_kind top = pi_kind_top(flags & ~PI_TASK_DEADLOCKED, pi_row_holds_zombies(r));
	if (top == PI_FIND_KIND_COUNT)
		return PI_STYLE_NORMAL;
	enum pi_style style = flag_word(out, top);
	switch (top) {
	case PI_FIND_HUNG:
	case PI_FIND_UNINTERRUPTIBLE:
		if (other)
			pi_buf_printf(out, " (thread %d)", (int)task->tid);
		if (task->off_cpu_known)
			pi_buf_printf(out, " %s", pi_short_duration(d, sizeof d, task->off_cpu_seconds));
		break;
	case PI_FIND_ZOMBIE:
		pi_buf_printf(out, " of %d", (int)r->proc->ppid);
		break;
	case PI_FIND_ZOMBIE_PARENT:
		pi_buf_printf(out, " %u zombie%s %s", r->proc->zombies, r->proc->zombies == 1 ? "" : "s",
			      pi_short_duration(d, sizeof d, r->proc->oldest_zombie_seconds));
		break;
	case PI_FIND_TRACED:
		if (task->status_err == 0 && task->tracer_pid > 0)
			pi_buf_printf(out, " by %d", (int)task->tracer_pid);
		break;
	default:
		break;
	}
	return style;
}

static const char *syscall_name(const struct pi_table *t, const struct pi_row *r)
{
	(void)t;
	const struct pi_task *task = r->task;
	if (task->syscall_err || task->syscall_kind != PI_SYSCALL_IN)
		return NULL;
	/* Unknown ABI: most likely native, but a wrong name is worse than
	 * a number. */
	if (r->proc->abi < 0)
		return NULL;
	return pi_syscall_name((enum pi_abi)r->proc->abi, task->syscall_nr);
}

static enum pi_style syscall_text(struct pi_table *t, const struct pi_row *r, struct pi_buf *out)
{
	const struct pi_task *task = r->task;
	int e = -task->syscall_err;

	if (task->syscall_err) {
		pi_buf_puts(out, pi_reason_not_applicable(e) ? "-" : "?");
		return PI_STYLE_DIM;
	}
	switch (task->syscall_kind) {
	case PI_SYSCALL_RUNNING:
		pi_buf_puts(out, "running");
		return PI_STYLE_NORMAL;
	case PI_SYSCALL_NONE:
		pi_buf_puts(out, "none");
		return PI_STYLE_DIM;
	case PI_SYSCALL_IN:
		break;
	}
	const char *name = syscall_name(t, r);
	if (name)
		pi_buf_puts(out, name);
	else
		pi_buf_printf(out, "syscall_%d", task->syscall_nr);
	return PI_STYLE_NORMAL;
}

/* "| |- " and "`- ": the tree's lines before a row's command. */
static void tree_prefix(const struct pi_row *r, struct pi_buf *out)
{
	if (!r->depth)
		return;
	for (unsigned k = 1; k < r->depth; k++)
		pi_buf_puts(out, k < 64 && (r->more >> k) & 1 ? "| " : "  ");
	pi_buf_puts(out, r->last ? "`- " : "|- ");
}

void pi_column_command(const struct pi_row *r, size_t max, struct pi_buf *out)
{
	const struct pi_proc *p = r->proc;
	struct pi_buf raw = PI_BUF_INIT;

	tree_prefix(r, out);
	pi_row_command(r, &raw);
	size_t done = pi_escape_text_max(out, raw.data ? raw.data : "", raw.len, max);
	/* Cut here, or when the table read it (its size is the whole
	 * command line's either way). */
	if (done < raw.len || (p->cmdline && p->cmdline_cut))
		pi_escape_cut_note(out, p->cmdline ? p->cmdline_bytes : raw.len,
				   p->cmdline && p->cmdline_bytes_more);
	pi_buf_free(&raw);
}

static enum pi_style rate_text(double rate, struct pi_buf *out)
{
	if (isnan(rate)) {
		pi_buf_puts(out, "-");
		return PI_STYLE_DIM;
	}
	pi_buf_printf(out, rate < 9.95 && rate > 0 ? "%.1f" : "%.0f", rate);
	return PI_STYLE_NORMAL;
}

enum pi_style pi_column_format(enum pi_column c, struct pi_table *t, const struct pi_row *r,
			       struct pi_buf *out)
{
	const struct pi_task *task = r->task;
	const struct pi_proc *p = r->proc;
	char tmp[32];

	switch (c) {
	case PI_COL_PID:
		pi_buf_printf(out, "%d", (int)(r->thread_row ? task->tid : p->pid));
		return PI_STYLE_NORMAL;
	case PI_COL_USER: {
		const char *name = pi_table_user_name(t, task->euid);
		if (name)
			put_escaped(out, name);
		else
			pi_buf_printf(out, "%u", (unsigned)task->euid);
		return PI_STYLE_NORMAL;
	}
	case PI_COL_STATE:
		pi_buf_putc(out, task->state ? task->state : '?');
		return PI_STYLE_NORMAL;
	case PI_COL_CPU: {
		double cpu = r->thread_row ? task->cpu_percent : p->cpu_percent;
		if (isnan(cpu)) {
			pi_buf_puts(out, "-");
			return PI_STYLE_DIM;
		}
		pi_buf_printf(out, "%.1f", cpu);
		return PI_STYLE_NORMAL;
	}
	case PI_COL_MEM:
		if (p->kernel_thread || task->state == 'Z') {
			pi_buf_puts(out, "-");
			return PI_STYLE_DIM;
		}
		pi_buf_puts(out, pi_short_bytes(tmp, sizeof tmp, p->rss_bytes));
		return PI_STYLE_NORMAL;
	case PI_COL_VCSW:
		return rate_text(task->vcsw_rate, out);
	case PI_COL_IVCSW:
		return rate_text(task->ivcsw_rate, out);
	case PI_COL_LAST_RAN:
		if (!task->off_cpu_known) {
			pi_buf_puts(out, "-");
			return PI_STYLE_DIM;
		}
		pi_buf_puts(out, task->off_cpu_seconds == 0 ? "now"
			    : pi_short_duration(tmp, sizeof tmp, task->off_cpu_seconds));
		return PI_STYLE_NORMAL;
	case PI_COL_WCHAN:
		if (task->wchan_err) {
			pi_buf_puts(out, "?");
			return PI_STYLE_DIM;
		}
		if (!task->wchan || !task->wchan[0]) {
			pi_buf_puts(out, "-");
			return PI_STYLE_DIM;
		}
		put_escaped(out, task->wchan);
		return PI_STYLE_NORMAL;
	case PI_COL_SYSCALL:
		return syscall_text(t, r, out);
	case PI_COL_FLAGS:
		return pi_row_flag_text(t, r, out);
	case PI_COL_COMMAND:
		pi_column_command(r, PI_COMMAND_MAX, out);
		return PI_STYLE_NORMAL;
	case PI_COL_COUNT:
		break;
	}
	return PI_STYLE_NORMAL;
}

/* Unknown (NaN) below every number. */
static int cmp_double(double a, double b)
{
	bool na = isnan(a), nb = isnan(b);
	if (na || nb)
		return (int)nb - (int)na;
	return (a > b) - (a < b);
}

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static double off_cpu(const struct pi_task *t)
{
	return t->off_cpu_known ? t->off_cpu_seconds : NAN;
}

/* The rank of the table of kinds (analysis/kinds.h), holding zombies
 * included: the order the flags cell picks its words in. */
static int row_rank(const struct pi_row *r)
{
	return pi_kind_rank(pi_row_flags(r), pi_row_holds_zombies(r));
}

int pi_column_compare(enum pi_column c, const struct pi_row *a, const struct pi_row *b)
{
	const struct pi_task *x = a->task, *y = b->task;
	pid_t ia = a->thread_row ? x->tid : a->proc->pid, ib = b->thread_row ? y->tid : b->proc->pid;

	switch (c) {
	case PI_COL_PID:
		return (ia > ib) - (ia < ib);
	case PI_COL_USER:
		return (x->euid > y->euid) - (x->euid < y->euid);
	case PI_COL_STATE:
		return (x->state > y->state) - (x->state < y->state);
	case PI_COL_CPU:
		return cmp_double(a->thread_row ? x->cpu_percent : a->proc->cpu_percent,
				  b->thread_row ? y->cpu_percent : b->proc->cpu_percent);
	case PI_COL_MEM:
		return (a->proc->rss_bytes > b->proc->rss_bytes) - (a->proc->rss_bytes < b->proc->rss_bytes);
	case PI_COL_VCSW:
		return cmp_double(x->vcsw_rate, y->vcsw_rate);
	case PI_COL_IVCSW:
		return cmp_double(x->ivcsw_rate, y->ivcsw_rate);
	case PI_COL_LAST_RAN:
		return cmp_double(off_cpu(x), off_cpu(y));
	case PI_COL_WCHAN:
		return cmp_str(x->wchan_err ? NULL : x->wchan, y->wchan_err ? NULL : y->wchan);
	case PI_COL_SYSCALL: {
		long nx = !x->syscall_err && x->syscall_kind == PI_SYSCALL_IN ? x->syscall_nr : -1;
		long ny = !y->syscall_err && y->syscall_kind == PI_SYSCALL_IN ? y->syscall_nr : -1;
		return (nx > ny) - (nx < ny);
	}
	case PI_COL_FLAGS: {
		int ra = row_rank(a), rb = row_rank(b);
		if (ra != rb)
			return (ra > rb) - (ra < rb);
		return cmp_double(off_cpu(x), off_cpu(y));
	}
	case PI_COL_COMMAND: {
		struct pi_buf ca = PI_BUF_INIT, cb = PI_BUF_INIT;
		pi_row_command(a, &ca);
		pi_row_command(b, &cb);
		int r = cmp_str(ca.data ? ca.data : "", cb.data ? cb.data : "");
		pi_buf_free(&ca);
		pi_buf_free(&cb);
		return r;
	}
	case PI_COL_COUNT:
		break;
	}
	return 0;
}
