#include "table/columns.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analysis/classify.h"
#include "collect/waits.h"
#include "analysis/kinds.h"
#include "analysis/reasons.h"
#include "analysis/findings.h"
#include "analysis/state.h"
#include "model.h"
#include "sys/names.h"
#include "util/escape.h"

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
		if (d && d->across_processes) {
			pi_buf_printf(out, "deadlock with process %d", (int)d->waits_for_pid);
			return;
		}
		for (size_t k = 0; d && k < d->ntids; k++)
			if (d->tids[k] == r->task->facts.tid) {
				pi_buf_printf(out, "deadlock with %d", (int)d->tids[(k + 1) % d->ntids]);
				return;
			}
		pi_buf_puts(out, pi_kind_of(PI_FIND_DEADLOCK)->flag_word);
		return;
	}
	const struct pi_task *tasks = t->tasks + r->proc->first_task;
	unsigned n = 0;
	const struct pi_deadlock *d = pi_table_first_deadlock(t, r->proc->pid);
	if (d && d->across_processes) {	/* a cycle of processes: the one it waits for */
		pi_buf_printf(out, "deadlock with process %d", (int)d->waits_for_pid);
		return;
	}
	for (uint32_t i = 0; i < r->proc->ntasks; i++)
		n += (tasks[i].facts.flags & PI_TASK_DEADLOCKED) != 0;
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
	bool other = !r->thread_row && task->facts.tid != r->proc->pid;

	/* Hung and deadlocked rank alike: the worst thread says which. */
	if ((flags & PI_TASK_DEADLOCKED) && !(task->facts.flags & PI_TASK_HUNG)) {
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
			pi_buf_printf(out, " (thread %d)", (int)task->facts.tid);
		if (pi_fact_known(&task->facts, PI_FACT_OFF_CPU))
			pi_buf_printf(out, " %s", pi_short_duration(d, sizeof d, task->facts.off_cpu_seconds));
		break;
	case PI_FIND_ZOMBIE:
		pi_buf_printf(out, " of %d", (int)r->proc->ppid);
		break;
	case PI_FIND_ZOMBIE_PARENT:
		pi_buf_printf(out, " %u zombie%s %s", r->proc->zombies, r->proc->zombies == 1 ? "" : "s",
			      pi_short_duration(d, sizeof d, r->proc->oldest_zombie_seconds));
		break;
	case PI_FIND_TRACED:
		if (task->status_err == 0 && task->facts.tracer_pid > 0)
			pi_buf_printf(out, " by %d", (int)task->facts.tracer_pid);
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
	if (task->syscall_err || task->facts.syscall_kind != PI_SYSCALL_IN)
		return NULL;
	/* Unknown ABI: most likely native, but a wrong name is worse than
	 * a number. */
	if (r->proc->abi < 0)
		return NULL;
	return pi_syscall_name((enum pi_abi)r->proc->abi, task->facts.syscall_nr);
}

static enum pi_style syscall_words(struct pi_table *t, const struct pi_row *r, struct pi_buf *out)
{
	const struct pi_task *task = r->task;
	int e = -task->syscall_err;

	if (task->syscall_err) {
		pi_buf_puts(out, pi_reason_not_applicable(e) ? "-" : "?");
		return PI_STYLE_DIM;
	}
	switch (task->facts.syscall_kind) {
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
		pi_buf_printf(out, "syscall_%d", task->facts.syscall_nr);
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
	return pi_fact_known(&t->facts, PI_FACT_OFF_CPU) ? t->facts.off_cpu_seconds : NAN;
}

/* The rank of the table of kinds (analysis/kinds.h), holding zombies
 * included: the order the flags cell picks its words in. */
static int row_rank(const struct pi_row *r)
{
	return pi_kind_rank(pi_row_flags(r), pi_row_holds_zombies(r));
}


/* --- Each column's cell, JSON value and order. A "-" is unknown or not
 * applicable (dim), a "?" not readable. ------------------------------ */

static enum pi_style dash(struct pi_buf *out)
{
	pi_buf_puts(out, "-");
	return PI_STYLE_DIM;
}

/* "-" for a file not read (yet), "?" for one that could not be. */
static enum pi_style unread(int err, struct pi_buf *out)
{
	pi_buf_puts(out, err == PI_NOT_READ ? "-" : "?");
	return PI_STYLE_DIM;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static pid_t row_id(const struct pi_row *r)
{
	return r->thread_row ? r->task->facts.tid : r->proc->pid;
}

/* pid: the process's ID; the text's PID column of a row per thread
 * shows the thread's (titled TID), as top -H does. */
static enum pi_style pid_text(struct pi_table *t, const struct pi_row *r,
			      const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	pi_buf_printf(out, "%d", (int)row_id(r));
	return PI_STYLE_NORMAL;
}

static void pid_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		     const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_i64(w, r->proc->pid);
}

static int pid_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(row_id(a), row_id(b));
}

static enum pi_style tid_text(struct pi_table *t, const struct pi_row *r,
			      const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	if (!r->thread_row)
		return dash(out);
	pi_buf_printf(out, "%d", (int)r->task->facts.tid);
	return PI_STYLE_NORMAL;
}

static void tid_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		     const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	r->thread_row ? pi_jw_i64(w, r->task->facts.tid) : pi_jw_null(w);
}

static int tid_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(a->thread_row ? a->task->facts.tid : -1, b->thread_row ? b->task->facts.tid : -1);
}

static enum pi_style ppid_text(struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	pi_buf_printf(out, "%d", (int)r->proc->ppid);
	return PI_STYLE_NORMAL;
}

static void ppid_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		      const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_i64(w, r->proc->ppid);
}

static int ppid_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(a->proc->ppid, b->proc->ppid);
}

static enum pi_style user_text(struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	const char *name = pi_table_user_name(t, r->task->euid);
	if (name)
		put_escaped(out, name);
	else
		pi_buf_printf(out, "%u", (unsigned)r->task->euid);
	return PI_STYLE_NORMAL;
}

static void user_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		      const struct pi_cell_context *cx)
{
	(void)cx;
	pi_jw_object(w);
	pi_jw_ku64(w, "id", r->task->euid);
	pi_jw_kstring(w, "name", pi_table_user_name(t, r->task->euid));
	pi_jw_object_end(w);
}

static int user_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(a->task->euid, b->task->euid);
}

static enum pi_style state_text(struct pi_table *t, const struct pi_row *r,
				const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	pi_buf_putc(out, r->task->facts.state ? r->task->facts.state : '?');
	return PI_STYLE_NORMAL;
}

static void state_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		       const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	char letter[2] = { r->task->facts.state, 0 };
	pi_jw_object(w);
	pi_jw_kstring(w, "code", letter);
	pi_jw_kstring(w, "name", pi_state_name(r->task->facts.state));
	pi_jw_object_end(w);
}

static int state_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(a->task->facts.state, b->task->facts.state);
}

static double row_cpu(const struct pi_row *r)
{
	return r->thread_row ? r->task->cpu_percent : r->proc->cpu_percent;
}

static enum pi_style cpu_text(struct pi_table *t, const struct pi_row *r,
			      const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	double cpu = row_cpu(r);
	if (isnan(cpu))
		return dash(out);
	pi_buf_printf(out, "%.1f", cpu);
	return PI_STYLE_NORMAL;
}

/* A rate or a percentage, to 0.01; null when unknown. */
static void cpu_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		     const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_number(w, row_cpu(r), 2);
}

static int cpu_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_double(row_cpu(a), row_cpu(b));
}

static bool rss_known(const struct pi_row *r)
{
	return !r->proc->kernel_thread && r->task->facts.state != 'Z';
}

static enum pi_style rss_text(struct pi_table *t, const struct pi_row *r,
			      const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	char tmp[32];
	if (!rss_known(r))
		return dash(out);
	pi_buf_puts(out, pi_short_bytes(tmp, sizeof tmp, r->proc->rss_bytes));
	return PI_STYLE_NORMAL;
}

static void rss_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		     const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	rss_known(r) ? pi_jw_u64(w, r->proc->rss_bytes) : pi_jw_null(w);
}

static int rss_compare(const struct pi_row *a, const struct pi_row *b)
{
	uint64_t x = a->proc->rss_bytes, y = b->proc->rss_bytes;
	return (x > y) - (x < y);
}

static enum pi_style rate_text(double rate, struct pi_buf *out)
{
	if (isnan(rate))
		return dash(out);
	pi_buf_printf(out, rate < 9.95 && rate > 0 ? "%.1f" : "%.0f", rate);
	return PI_STYLE_NORMAL;
}

static enum pi_style vcsw_text(struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	return rate_text(r->task->vcsw_rate, out);
}

static void vcsw_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		      const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_number(w, r->task->vcsw_rate, 2);
}

static int vcsw_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_double(a->task->vcsw_rate, b->task->vcsw_rate);
}

static enum pi_style ivcsw_text(struct pi_table *t, const struct pi_row *r,
				const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	return rate_text(r->task->ivcsw_rate, out);
}

static void ivcsw_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		       const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_number(w, r->task->ivcsw_rate, 2);
}

static int ivcsw_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_double(a->task->ivcsw_rate, b->task->ivcsw_rate);
}

/* The switch counts are known once sched was read. */
static bool switches_known(const struct pi_task *task)
{
	return task->sched_err == 0 && task->sched_ns;
}

static enum pi_style count_text(const struct pi_task *task, uint64_t n, struct pi_buf *out)
{
	if (!switches_known(task))
		return unread(task->sched_err ? task->sched_err : PI_NOT_READ, out);
	pi_buf_printf(out, "%" PRIu64, n);
	return PI_STYLE_NORMAL;
}

static double switch_count(const struct pi_task *task, bool voluntary)
{
	if (!switches_known(task))
		return NAN;
	return (double)(voluntary ? task->facts.nvcsw : task->facts.nivcsw);
}

static enum pi_style vcsw_total_text(struct pi_table *t, const struct pi_row *r,
				     const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	return count_text(r->task, r->task->facts.nvcsw, out);
}

static void vcsw_total_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			    const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	switches_known(r->task) ? pi_jw_u64(w, r->task->facts.nvcsw) : pi_jw_null(w);
}

static int vcsw_total_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_double(switch_count(a->task, true), switch_count(b->task, true));
}

static enum pi_style ivcsw_total_text(struct pi_table *t, const struct pi_row *r,
				      const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	return count_text(r->task, r->task->facts.nivcsw, out);
}

static void ivcsw_total_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			     const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	switches_known(r->task) ? pi_jw_u64(w, r->task->facts.nivcsw) : pi_jw_null(w);
}

static int ivcsw_total_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_double(switch_count(a->task, false), switch_count(b->task, false));
}

static enum pi_style last_ran_text(struct pi_table *t, const struct pi_row *r,
				   const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	char tmp[32];
	const struct pi_task *task = r->task;
	if (!pi_fact_known(&task->facts, PI_FACT_OFF_CPU))
		return dash(out);
	pi_buf_puts(out, task->facts.off_cpu_seconds == 0 ? "now"
		    : pi_short_duration(tmp, sizeof tmp, task->facts.off_cpu_seconds));
	return PI_STYLE_NORMAL;
}

static void last_ran_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			  const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	const struct pi_task *task = r->task;
	double s = pi_fact_known(&task->facts, PI_FACT_OFF_CPU) ? task->facts.off_cpu_seconds : -1;
	s < 0 ? pi_jw_null(w) : pi_jw_number(w, s, 6);
}

static int last_ran_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_double(off_cpu(a->task), off_cpu(b->task));
}

static enum pi_style wchan_text(struct pi_table *t, const struct pi_row *r,
				const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	const struct pi_task *task = r->task;
	if (task->wchan_err) {
		pi_buf_puts(out, "?");
		return PI_STYLE_DIM;
	}
	if (!task->facts.wchan || !task->facts.wchan[0])
		return dash(out);
	put_escaped(out, task->facts.wchan);
	return PI_STYLE_NORMAL;
}

static void wchan_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		       const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_string(w, r->task->wchan_err ? NULL : r->task->facts.wchan);
}

static int wchan_compare(const struct pi_row *a, const struct pi_row *b)
{
	const struct pi_task *x = a->task, *y = b->task;
	return cmp_str(x->wchan_err ? NULL : x->facts.wchan, y->wchan_err ? NULL : y->facts.wchan);
}

static enum pi_style syscall_text(struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	return syscall_words(t, r, out);
}

static void syscall_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			 const struct pi_cell_context *cx)
{
	(void)cx;
	static const char *const kinds[] = { "running", "not_in_syscall", "in_syscall" };
	const struct pi_task *task = r->task;

	if (task->syscall_err) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "state", kinds[task->facts.syscall_kind]);
	if (task->facts.syscall_kind == PI_SYSCALL_IN) {
		pi_jw_ki64(w, "number", task->facts.syscall_nr);
		pi_jw_kstring(w, "name", syscall_name(t, r));
	} else {
		pi_jw_knull(w, "number");
		pi_jw_knull(w, "name");
	}
	pi_jw_object_end(w);
}

static long syscall_number(const struct pi_task *x)
{
	return !x->syscall_err && x->facts.syscall_kind == PI_SYSCALL_IN ? x->facts.syscall_nr : -1;
}

static int syscall_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(syscall_number(a->task), syscall_number(b->task));
}

/* TracerPid: 0 is the kernel's "not traced". */
static enum pi_style tracer_text(struct pi_table *t, const struct pi_row *r,
				 const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	if (r->task->status_err)
		return unread(r->task->status_err, out);
	pi_buf_printf(out, "%d", (int)r->task->facts.tracer_pid);
	return r->task->facts.tracer_pid ? PI_STYLE_TRACED : PI_STYLE_NORMAL;
}

static void tracer_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	r->task->status_err ? pi_jw_null(w) : pi_jw_i64(w, r->task->facts.tracer_pid);
}

static int tracer_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(a->task->status_err ? -1 : a->task->facts.tracer_pid,
		       b->task->status_err ? -1 : b->task->facts.tracer_pid);
}

static enum pi_style comm_text(struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	put_escaped(out, pi_task_comm(t, r->task));
	return PI_STYLE_NORMAL;
}

static void comm_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		      const struct pi_cell_context *cx)
{
	(void)cx;
	pi_jw_string(w, pi_task_comm(t, r->task));
}

static const char *row_comm(const struct pi_row *r)
{
	const struct pi_task *task = r->task;
	return task->facts.tid == r->proc->pid ? r->proc->comm : task->facts.comm;
}

static int comm_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_str(row_comm(a), row_comm(b));
}

static size_t command_cap(const struct pi_cell_context *cx)
{
	return cx && cx->command_max ? cx->command_max : PI_COMMAND_MAX;
}

/* The length of s[0..len) cut to at most max bytes, not inside a UTF-8
 * sequence. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static bool cmdline_known(const struct pi_proc *p)
{
	return !p->cmdline_err && p->cmdline;
}

/* The command line is shown cut: the table kept only its start, or the
 * cap cuts it here. */
static bool cmdline_cut(const struct pi_row *r, const struct pi_cell_context *cx)
{
	const struct pi_proc *p = r->proc;
	if (!cmdline_known(p))
		return false;
	size_t len = strlen(p->cmdline);
	return p->cmdline_cut || utf8_prefix(p->cmdline, len, command_cap(cx)) < len;
}

static enum pi_style cmdline_text(struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t;
	const struct pi_proc *p = r->proc;
	if (!cmdline_known(p))
		return unread(p->cmdline_err ? p->cmdline_err : PI_NOT_READ, out);
	size_t len = strlen(p->cmdline);
	size_t done = pi_escape_text_max(out, p->cmdline, len, command_cap(cx));
	if (done < len || p->cmdline_cut)
		pi_escape_cut_note(out, p->cmdline_bytes, p->cmdline_bytes_more);
	return PI_STYLE_NORMAL;
}

/* The command line as the table keeps it (PI_CMDLINE_KEEP bytes),
 * shorter in a process's rows after its first. */
static void cmdline_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			 const struct pi_cell_context *cx)
{
	(void)t;
	const struct pi_proc *p = r->proc;
	if (!cmdline_known(p)) {
		pi_jw_null(w);
		return;
	}
	pi_jw_string_len(w, p->cmdline, utf8_prefix(p->cmdline, strlen(p->cmdline), command_cap(cx)));
}

static int cmdline_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_str(cmdline_known(a->proc) ? a->proc->cmdline : NULL,
		       cmdline_known(b->proc) ? b->proc->cmdline : NULL);
}

static enum pi_style command_text(struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t;
	pi_column_command(r, command_cap(cx), out);
	return PI_STYLE_NORMAL;
}

static void command_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			 const struct pi_cell_context *cx)
{
	(void)t;
	struct pi_buf b = PI_BUF_INIT;
	pi_row_command(r, &b);
	pi_jw_string_len(w, b.data ? b.data : "",
			 b.data ? utf8_prefix(b.data, b.len, command_cap(cx)) : 0);
	pi_buf_free(&b);
}

static int command_compare(const struct pi_row *a, const struct pi_row *b)
{
	struct pi_buf ca = PI_BUF_INIT, cb = PI_BUF_INIT;
	pi_row_command(a, &ca);
	pi_row_command(b, &cb);
	int r = cmp_str(ca.data ? ca.data : "", cb.data ? cb.data : "");
	pi_buf_free(&ca);
	pi_buf_free(&cb);
	return r;
}

static enum pi_style yes_no(bool v, struct pi_buf *out)
{
	pi_buf_puts(out, v ? "yes" : "no");
	return v ? PI_STYLE_NORMAL : PI_STYLE_DIM;
}

static enum pi_style cmdline_cut_text(struct pi_table *t, const struct pi_row *r,
				      const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t;
	return yes_no(cmdline_cut(r, cx), out);
}

static void cmdline_cut_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			     const struct pi_cell_context *cx)
{
	(void)t;
	pi_jw_bool(w, cmdline_cut(r, cx));
}

static int cmdline_cut_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(cmdline_cut(a, NULL), cmdline_cut(b, NULL));
}

/* Its size when counted to the end; unknown past the counting limit. */
static bool cmdline_bytes_known(const struct pi_proc *p)
{
	return cmdline_known(p) && !p->cmdline_bytes_more;
}

static enum pi_style cmdline_bytes_text(struct pi_table *t, const struct pi_row *r,
					const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	const struct pi_proc *p = r->proc;
	if (!cmdline_known(p))
		return unread(p->cmdline_err ? p->cmdline_err : PI_NOT_READ, out);
	pi_buf_printf(out, p->cmdline_bytes_more ? ">%zu" : "%zu", p->cmdline_bytes);
	return PI_STYLE_NORMAL;
}

static void cmdline_bytes_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	cmdline_bytes_known(r->proc) ? pi_jw_u64(w, r->proc->cmdline_bytes) : pi_jw_null(w);
}

static int cmdline_bytes_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(cmdline_known(a->proc) ? (int64_t)a->proc->cmdline_bytes : -1,
		       cmdline_known(b->proc) ? (int64_t)b->proc->cmdline_bytes : -1);
}

static enum pi_style threads_text(struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	pi_buf_printf(out, "%d", r->proc->nlwp);
	return PI_STYLE_NORMAL;
}

static void threads_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			 const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_i64(w, r->proc->nlwp);
}

static int threads_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(a->proc->nlwp, b->proc->nlwp);
}

static enum pi_style kthread_text(struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	return yes_no(r->proc->kernel_thread, out);
}

static void kthread_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			 const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_bool(w, r->proc->kernel_thread);
}

static int kthread_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(a->proc->kernel_thread, b->proc->kernel_thread);
}

static enum pi_style flags_text(struct pi_table *t, const struct pi_row *r,
				const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	return pi_row_flag_text(t, r, out);
}

/* The row's flags by the names of the findings they correspond to. */
/* The row's flags by the names of the findings they stand for, in the
 * order of the table of kinds. */
static void flags_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		       const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	unsigned flags = pi_row_flags(r);
	bool holds = pi_row_holds_zombies(r);
	pi_jw_array(w);
	for (size_t i = 0; i < pi_nkinds; i++)
		if (pi_kind_marks(&pi_kinds[i], flags, holds))
			pi_jw_string(w, pi_kinds[i].name);
	pi_jw_array_end(w);
}

static int flags_compare(const struct pi_row *a, const struct pi_row *b)
{
	int ra = row_rank(a), rb = row_rank(b);
	if (ra != rb)
		return (ra > rb) - (ra < rb);
	return cmp_double(off_cpu(a->task), off_cpu(b->task));
}

static unsigned zombies_held(const struct pi_row *r)
{
	return pi_row_holds_zombies(r) ? r->proc->zombies : 0;
}

static enum pi_style zombies_text(struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	unsigned n = zombies_held(r);
	pi_buf_printf(out, "%u", n);
	return n ? PI_STYLE_ZOMBIE_PARENT : PI_STYLE_NORMAL;
}

static void zombies_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			 const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	pi_jw_u64(w, zombies_held(r));
}

static int zombies_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(zombies_held(a), zombies_held(b));
}

static double zombie_age(const struct pi_row *r)
{
	return pi_row_holds_zombies(r) ? r->proc->oldest_zombie_seconds : NAN;
}

static enum pi_style zombie_age_text(struct pi_table *t, const struct pi_row *r,
				     const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	char tmp[32];
	double s = zombie_age(r);
	if (isnan(s))
		return dash(out);
	pi_buf_puts(out, pi_short_duration(tmp, sizeof tmp, s));
	return PI_STYLE_ZOMBIE_PARENT;
}

static void zombie_age_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			    const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	double s = zombie_age(r);
	isnan(s) || s < 0 ? pi_jw_null(w) : pi_jw_number(w, s, 6);
}

static int zombie_age_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_double(zombie_age(a), zombie_age(b));
}

/* --- The registry. Widths fit the usual values: TIDs up to 4194304,
 * "5m02s". A column whose values vary in length (WCHAN, SYSCALL, FLAGS)
 * takes what the rows on screen need when there is room; narrow screens
 * shrink the columns of the highest `drop` first, then drop them; the
 * PID, state, %CPU and command always stay. --------------------------- */

/* A column's text, JSON and order functions, named after it. */
/* waits: the table's session says what each task waits on in another
 * process (collect/waits.h). */
static const struct pi_wait_for *task_wait(struct pi_table *t, const struct pi_row *r)
{
	if (r->proc->kernel_thread || r->task->facts.state == 'R' || r->task->facts.state == 'Z')
		return NULL;
	return pi_waits_session_task(pi_table_waits(t), r->proc->pid, r->task->facts.tid);
}

static enum pi_style waits_text(struct pi_table *t, const struct pi_row *r,
				const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	const struct pi_wait_for *w = task_wait(t, r);
	if (!w)
		return dash(out);
	pi_buf_printf(out, "%s", w->syscall);
	if (w->nobjects == 0) {
		pi_buf_puts(out, w->err ? " ?" : "");
		return PI_STYLE_NORMAL;
	}
	const struct pi_wait_object *o = &w->objects[0];
	pi_buf_putc(out, ' ');
	put_escaped(out, o->what ? o->what : "?");
	if (w->objects_total > 1)
		pi_buf_printf(out, " +%zu", w->objects_total - 1);
	enum pi_style style = PI_STYLE_NORMAL;
	for (size_t k = 0; k < o->npeers && k < 2; k++) {
		const struct pi_wait_peer *pe = &o->peers[k];
		if (k == 0 && o->need == PI_NEED_KERNEL_LOCK)
			pi_buf_printf(out, " <- probably %d", (int)pe->pid);	/* a kernel lock's holder is a guess */
		else
			pi_buf_printf(out, k ? ", %d" : " <- %d", (int)pe->pid);
		if (pe->same_process)
			continue;
		pi_buf_putc(out, ' ');
		put_escaped(out, pe->comm);
		if (pe->state == 'T' || pe->state == 't') {
			pi_buf_puts(out, pe->state == 'T' ? " STOPPED" : " TRACED");
			style = pe->state == 'T' ? PI_STYLE_STOPPED : PI_STYLE_TRACED;
		}
	}
	if (o->peers_total > 2)
		pi_buf_printf(out, " +%zu", o->peers_total - 2);
	/* A shared mutex's owner: the thread, or what became of it. */
	if (o->need == PI_NEED_OWNER && !o->err && o->owner_check == PI_OWNER_VERIFIED && o->npeers
	    && o->peers[0].tid != o->peers[0].pid)
		pi_buf_printf(out, " thread %d", (int)o->peers[0].tid);
	else if (o->need == PI_NEED_OWNER && !o->err && o->owner_check == PI_OWNER_DIED)
		pi_buf_puts(out, " <- owner died");
	else if (o->need == PI_NEED_OWNER && !o->err)
		pi_buf_printf(out, " <- %d? (unverified)", (int)o->owner_tid);
	if (o->err)
		pi_buf_puts(out, " ?");
	return style;
}

static void waits_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		       const struct pi_cell_context *cx)
{
	(void)cx;
	const struct pi_wait_for *wf = task_wait(t, r);
	if (!wf) {
		pi_jw_null(w);
		return;
	}
	const struct pi_wait_object *o = wf->nobjects ? &wf->objects[0] : NULL;
	pi_jw_object(w);
	pi_jw_kstring(w, "syscall", wf->syscall);
	pi_jw_kstring(w, "what", o ? o->what : NULL);
	pi_jw_ku64(w, "objects_total", wf->objects_total);
	pi_jw_key(w, "peers");
	pi_jw_array(w);
	for (size_t k = 0; o && k < o->npeers; k++)
		pi_jw_i64(w, o->peers[k].pid);
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}

static int waits_compare(const struct pi_row *a, const struct pi_row *b)
{
	/* By system call: what is in reach without the session. */
	return cmp_i64(a->task->facts.syscall_kind == PI_SYSCALL_IN ? a->task->facts.syscall_nr : -1,
		       b->task->facts.syscall_kind == PI_SYSCALL_IN ? b->task->facts.syscall_nr : -1);
}

/* --- The columns htop users sort by: PRI, NI, VIRT, SHR, MEM%, TIME+.
 * A thread row shows its thread's priority, nice and time; a process
 * row its main thread's priority and nice, and the whole process's time. */

static int row_priority(const struct pi_row *r)
{
	return r->thread_row ? r->task->priority : r->proc->priority;
}

static int row_nice(const struct pi_row *r)
{
	return r->thread_row ? r->task->nice : r->proc->nice;
}

/* Zombies have no priority worth showing (nor memory). */
static bool alive(const struct pi_row *r)
{
	return r->task->facts.state != 'Z';
}

static enum pi_style priority_text(struct pi_table *t, const struct pi_row *r,
				   const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	if (!alive(r))
		return dash(out);
	/* Real-time priorities are negative: htop writes RT for -100. */
	if (row_priority(r) <= -100)
		pi_buf_puts(out, "RT");
	else
		pi_buf_printf(out, "%d", row_priority(r));
	return PI_STYLE_NORMAL;
}

static void priority_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			  const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	alive(r) ? pi_jw_i64(w, row_priority(r)) : pi_jw_null(w);
}

static int priority_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(row_priority(a), row_priority(b));
}

static enum pi_style nice_text(struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	if (!alive(r))
		return dash(out);
	pi_buf_printf(out, "%d", row_nice(r));
	return PI_STYLE_NORMAL;
}

static void nice_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		      const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	alive(r) ? pi_jw_i64(w, row_nice(r)) : pi_jw_null(w);
}

static int nice_compare(const struct pi_row *a, const struct pi_row *b)
{
	return cmp_i64(row_nice(a), row_nice(b));
}

static enum pi_style virt_text(struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)t, (void)cx;
	char tmp[32];
	if (!rss_known(r))
		return dash(out);
	pi_buf_puts(out, pi_short_bytes(tmp, sizeof tmp, r->proc->vsize_bytes));
	return PI_STYLE_NORMAL;
}

static void virt_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		      const struct pi_cell_context *cx)
{
	(void)t, (void)cx;
	rss_known(r) ? pi_jw_u64(w, r->proc->vsize_bytes) : pi_jw_null(w);
}

static int virt_compare(const struct pi_row *a, const struct pi_row *b)
{
	uint64_t x = a->proc->vsize_bytes, y = b->proc->vsize_bytes;
	return (x > y) - (x < y);
}

/* SHR: from statm, read for the rows shown (PI_DETAIL_STATM). */
static bool shared_known(const struct pi_row *r)
{
	return rss_known(r) && r->task->statm_err == 0;
}

static uint64_t shared_bytes(const struct pi_table *t, const struct pi_row *r)
{
	return (uint64_t)r->task->shared_pages * (uint64_t)(t->page_size > 0 ? t->page_size : 4096);
}

static enum pi_style shared_text(struct pi_table *t, const struct pi_row *r,
				 const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	char tmp[32];
	if (!rss_known(r))
		return dash(out);
	if (r->task->statm_err)
		return unread(r->task->statm_err, out);
	pi_buf_puts(out, pi_short_bytes(tmp, sizeof tmp, shared_bytes(t, r)));
	return PI_STYLE_NORMAL;
}

static void shared_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			const struct pi_cell_context *cx)
{
	(void)cx;
	shared_known(r) ? pi_jw_u64(w, shared_bytes(t, r)) : pi_jw_null(w);
}

static int shared_compare(const struct pi_row *a, const struct pi_row *b)
{
	if (shared_known(a) != shared_known(b))
		return shared_known(a) ? 1 : -1;
	uint32_t x = a->task->shared_pages, y = b->task->shared_pages;
	return (x > y) - (x < y);
}

static double mem_percent(const struct pi_table *t, const struct pi_row *r)
{
	if (!rss_known(r) || !t->mem_total_bytes)
		return NAN;
	return 100.0 * (double)r->proc->rss_bytes / (double)t->mem_total_bytes;
}

static enum pi_style mem_percent_text(struct pi_table *t, const struct pi_row *r,
				      const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	double p = mem_percent(t, r);
	if (isnan(p))
		return dash(out);
	pi_buf_printf(out, "%.1f", p);
	return PI_STYLE_NORMAL;
}

static void mem_percent_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
			     const struct pi_cell_context *cx)
{
	(void)cx;
	pi_jw_number(w, mem_percent(t, r), 2);
}

/* In the order of RES: the same total divides both. */
static int mem_percent_compare(const struct pi_row *a, const struct pi_row *b)
{
	return rss_compare(a, b);
}

static uint64_t row_ticks(const struct pi_row *r)
{
	return r->thread_row ? r->task->ticks : r->proc->ticks;
}

static double row_cpu_seconds(const struct pi_table *t, const struct pi_row *r)
{
	return (double)row_ticks(r) / (double)(t->hz > 0 ? t->hz : 100);
}

/* TIME+ as htop: "12:34.56" (minutes, seconds, hundredths), "3h05:07"
 * past an hour, "1234h" past a hundred hours. */
static enum pi_style time_text(struct pi_table *t, const struct pi_row *r,
			       const struct pi_cell_context *cx, struct pi_buf *out)
{
	(void)cx;
	uint64_t hundredths = (uint64_t)(row_cpu_seconds(t, r) * 100.0);
	uint64_t s = hundredths / 100;
	if (s < 3600)
		pi_buf_printf(out, "%" PRIu64 ":%02" PRIu64 ".%02" PRIu64, s / 60, s % 60, hundredths % 100);
	else if (s < 100 * 3600)
		pi_buf_printf(out, "%" PRIu64 "h%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
	else
		pi_buf_printf(out, "%" PRIu64 "h", s / 3600);
	return PI_STYLE_NORMAL;
}

static void time_json(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		      const struct pi_cell_context *cx)
{
	(void)cx;
	pi_jw_number(w, row_cpu_seconds(t, r), 2);
}

static int time_compare(const struct pi_row *a, const struct pi_row *b)
{
	uint64_t x = row_ticks(a), y = row_ticks(b);
	return (x > y) - (x < y);
}

#define FUNCTIONS(f) .text = f##_text, .json = f##_json, .compare = f##_compare

static const struct pi_column_info columns[PI_COL_COUNT] = {
	[PI_COL_PID] = {
		.name = "pid", .title = "PID", .key = "pid", .type = PI_JSON_INT,
		.min_width = 7, .width = 7, .right = true,
		.drop = 0,
		.help = "process ID (in a row per thread: the thread's ID, titled TID)",
		FUNCTIONS(pid),
	},
	[PI_COL_TID] = {
		.name = "tid", .title = "TID", .key = "tid", .type = PI_JSON_INT,
		.min_width = 7, .width = 7, .right = true,
		.drop = 10,
		.help = "thread ID of a row per thread (- and null in a row per process)",
		FUNCTIONS(tid),
	},
	[PI_COL_PPID] = {
		.name = "ppid", .title = "PPID", .key = "ppid", .type = PI_JSON_INT,
		.min_width = 7, .width = 7, .right = true,
		.drop = 10,
		.help = "parent process ID",
		FUNCTIONS(ppid),
	},
	[PI_COL_USER] = {
		.name = "user", .title = "USER", .key = "user", .type = PI_JSON_OBJECT,
		.min_width = 4, .width = 8, .max_width = 16,
		.drop = 4,
		.help = "effective user (JSON: its id and name)",
		FUNCTIONS(user),
	},
	[PI_COL_STATE] = {
		.name = "state", .title = "S", .key = "state", .type = PI_JSON_OBJECT,
		.min_width = 1, .width = 1,
		.detail = PI_DETAIL_STAT, .drop = 0,
		.help = "state letter: R S D Z T t I X (JSON: its code and name)",
		FUNCTIONS(state),
	},
	[PI_COL_CPU] = {
		.name = "cpu", .title = "%CPU", .key = "cpu_percent", .type = PI_JSON_NUMBER,
		.min_width = 5, .width = 5, .right = true, .descending = true,
		.drop = 0,
		.help = "CPU use over the last refresh, percent of one CPU (- before a second sample)",
		FUNCTIONS(cpu),
	},
	[PI_COL_MEM] = {
		.name = "rss", .title = "RES", .key = "rss_bytes", .type = PI_JSON_INT,
		.min_width = 5, .width = 6, .right = true, .descending = true,
		.drop = 5,
		.help = "resident memory of the process (- for kernel threads and zombies)",
		FUNCTIONS(rss),
	},
	[PI_COL_VCSW] = {
		.name = "vcsw", .title = "VCSW/s",
		.key = "voluntary_ctxt_switches_per_second", .type = PI_JSON_NUMBER,
		.min_width = 6, .width = 6, .right = true, .descending = true,
		.detail = PI_DETAIL_SCHED, .drop = 8,
		.help = "voluntary context switches per second (waits), from two reads",
		FUNCTIONS(vcsw),
	},
	[PI_COL_IVCSW] = {
		.name = "icsw", .title = "ICSW/s",
		.key = "nonvoluntary_ctxt_switches_per_second", .type = PI_JSON_NUMBER,
		.min_width = 6, .width = 6, .right = true, .descending = true,
		.detail = PI_DETAIL_SCHED, .drop = 9,
		.help = "involuntary context switches per second (preemptions), from two reads",
		FUNCTIONS(ivcsw),
	},
	[PI_COL_VCSW_TOTAL] = {
		.name = "vcsw_total", .title = "VCSW", .key = "voluntary_ctxt_switches", .type = PI_JSON_INT,
		.min_width = 6, .width = 8, .right = true, .descending = true,
		.detail = PI_DETAIL_SCHED, .drop = 10,
		.help = "voluntary context switches since the thread started",
		FUNCTIONS(vcsw_total),
	},
	[PI_COL_IVCSW_TOTAL] = {
		.name = "icsw_total", .title = "ICSW", .key = "nonvoluntary_ctxt_switches", .type = PI_JSON_INT,
		.min_width = 6, .width = 8, .right = true, .descending = true,
		.detail = PI_DETAIL_SCHED, .drop = 10,
		.help = "involuntary context switches since the thread started",
		FUNCTIONS(ivcsw_total),
	},
	[PI_COL_LAST_RAN] = {
		.name = "lastran", .title = "LASTRAN", .key = "off_cpu_seconds", .type = PI_JSON_NUMBER,
		.min_width = 5, .width = 7, .right = true, .descending = true,
		.detail = PI_DETAIL_SCHED, .drop = 6,
		.help = "time since the task last ran (now: running; JSON: seconds)",
		FUNCTIONS(last_ran),
	},
	[PI_COL_WCHAN] = {
		.name = "wchan", .title = "WCHAN", .key = "wchan", .type = PI_JSON_STRING,
		.min_width = 6, .width = 18, .max_width = 40,
		.detail = PI_DETAIL_WCHAN, .drop = 3,
		.help = "kernel function the task waits in (- not waiting, ? not readable)",
		FUNCTIONS(wchan),
	},
	[PI_COL_SYSCALL] = {
		.name = "syscall", .title = "SYSCALL", .key = "syscall", .type = PI_JSON_OBJECT,
		.min_width = 7, .width = 13, .max_width = 32,
		.detail = PI_DETAIL_SYSCALL, .drop = 7,
		.help = "system call the task is in, or running or none (JSON: state, number, name)",
		FUNCTIONS(syscall),
	},
	[PI_COL_WAITS] = {
		.name = "waits", .title = "WAITS FOR", .key = "waits_for", .type = PI_JSON_OBJECT,
		.min_width = 9, .width = 30, .max_width = 60,
		.detail = PI_DETAIL_SYSCALL, .drop = 2, .on_demand = true,
		.help = "what a blocked task waits on in another process, and who can wake it",
		FUNCTIONS(waits),
	},
	[PI_COL_TRACER] = {
		.name = "tracer", .title = "TRACER", .key = "tracer_pid", .type = PI_JSON_INT,
		.min_width = 6, .width = 7, .right = true, .descending = true,
		.detail = PI_DETAIL_STATUS, .drop = 10,
		.help = "PID of the task's tracer (0: not traced)",
		FUNCTIONS(tracer),
	},
	[PI_COL_COMM] = {
		.name = "comm", .title = "COMM", .key = "comm", .type = PI_JSON_STRING,
		.min_width = 4, .width = 15, .max_width = 16,
		.drop = 10,
		.help = "the task's name (its process's for a main thread)",
		FUNCTIONS(comm),
	},
	[PI_COL_CMDLINE] = {
		.name = "cmdline", .title = "CMDLINE", .key = "cmdline", .type = PI_JSON_STRING,
		.min_width = 7, .width = 0,
		.drop = 0,
		.help = "the command line alone (? not readable; none for kernel threads)",
		FUNCTIONS(cmdline),
	},
	[PI_COL_COMMAND] = {
		.name = "command", .title = "COMMAND", .key = "command", .type = PI_JSON_STRING,
		.min_width = 7, .width = 0,
		.drop = 0,
		.help = "the command line, or [name]; a thread's own name first; the tree's lines",
		FUNCTIONS(command),
	},
	[PI_COL_CMDLINE_CUT] = {
		.name = "cmdline_cut", .title = "CUT", .key = "cmdline_truncated", .type = PI_JSON_BOOL,
		.min_width = 3, .width = 3, .descending = true,
		.drop = 10,
		.help = "is the command line shown cut (yes or no)",
		FUNCTIONS(cmdline_cut),
	},
	[PI_COL_CMDLINE_BYTES] = {
		.name = "cmdline_bytes", .title = "ARGBYTES", .key = "cmdline_bytes", .type = PI_JSON_INT,
		.min_width = 8, .width = 8, .right = true, .descending = true,
		.drop = 10,
		.help = "size of the whole command line in bytes",
		FUNCTIONS(cmdline_bytes),
	},
	[PI_COL_THREADS] = {
		.name = "threads", .title = "NLWP", .key = "threads", .type = PI_JSON_INT,
		.min_width = 4, .width = 5, .right = true, .descending = true,
		.drop = 10,
		.help = "threads in the process",
		FUNCTIONS(threads),
	},
	[PI_COL_KTHREAD] = {
		.name = "kthread", .title = "KTHREAD", .key = "kernel_thread", .type = PI_JSON_BOOL,
		.min_width = 3, .width = 7, .descending = true,
		.drop = 10,
		.help = "is it a kernel thread (yes or no)",
		FUNCTIONS(kthread),
	},
	[PI_COL_FLAGS] = {
		.name = "flags", .title = "FLAGS", .key = "flags", .type = PI_JSON_ARRAY,
		.min_width = 5, .width = 22, .max_width = 48, .descending = true,
		.detail = PI_DETAIL_STAT | PI_DETAIL_SCHED | PI_DETAIL_STATUS, .drop = 0,
		.help = "the problem, in words: hung, deadlock, in D, zombie, stopped, traced",
		FUNCTIONS(flags),
	},
	[PI_COL_ZOMBIES] = {
		.name = "zombies", .title = "ZOMB", .key = "zombie_children", .type = PI_JSON_INT,
		.min_width = 4, .width = 4, .right = true, .descending = true,
		.drop = 10,
		.help = "children that exited and were not reaped",
		FUNCTIONS(zombies),
	},
	[PI_COL_ZOMBIE_AGE] = {
		.name = "zombie_age", .title = "ZAGE", .key = "oldest_zombie_seconds", .type = PI_JSON_NUMBER,
		.min_width = 5, .width = 5, .right = true, .descending = true,
		.drop = 10,
		.help = "how long the oldest of them has been a zombie",
		FUNCTIONS(zombie_age),
	},
	[PI_COL_PRIORITY] = {
		.name = "pri", .title = "PRI", .key = "priority", .type = PI_JSON_INT,
		.min_width = 3, .width = 3, .right = true,
		.drop = 7,
		.help = "kernel scheduling priority (20 + nice; RT: real-time)",
		FUNCTIONS(priority),
	},
	[PI_COL_NICE] = {
		.name = "nice", .title = "NI", .key = "nice", .type = PI_JSON_INT,
		.min_width = 3, .width = 3, .right = true,
		.drop = 7,
		.help = "nice, -20 (most CPU) to 19 (least); F7 F8 change it",
		FUNCTIONS(nice),
	},
	[PI_COL_VIRT] = {
		.name = "virt", .title = "VIRT", .key = "virt_bytes", .type = PI_JSON_INT,
		.min_width = 5, .width = 6, .right = true, .descending = true,
		.drop = 6,
		.help = "virtual memory of the process (- for kernel threads and zombies)",
		FUNCTIONS(virt),
	},
	[PI_COL_SHARED] = {
		.name = "shr", .title = "SHR", .key = "shared_bytes", .type = PI_JSON_INT,
		.min_width = 5, .width = 6, .right = true, .descending = true,
		.detail = PI_DETAIL_STATM, .drop = 6,
		.help = "resident memory shared with others (files, shared memory; ? not readable)",
		FUNCTIONS(shared),
	},
	[PI_COL_MEM_PERCENT] = {
		.name = "mem", .title = "MEM%", .key = "mem_percent", .type = PI_JSON_NUMBER,
		.min_width = 4, .width = 5, .right = true, .descending = true,
		.drop = 5,
		.help = "resident memory, percent of the machine's",
		FUNCTIONS(mem_percent),
	},
	[PI_COL_TIME] = {
		.name = "time", .title = "TIME+", .key = "cpu_seconds", .type = PI_JSON_NUMBER,
		.min_width = 7, .width = 8, .right = true, .descending = true,
		.drop = 5,
		.help = "CPU time used, minutes:seconds.hundredths (JSON: seconds)",
		FUNCTIONS(time),
	},
};

const struct pi_column_info *pi_column(enum pi_column c)
{
	return &columns[(unsigned)c < PI_COL_COUNT ? c : PI_COL_PID];
}

const char *pi_column_title(enum pi_column c, bool threads)
{
	return c == PI_COL_PID && threads ? "TID" : pi_column(c)->title;
}

enum pi_style pi_column_format_in(enum pi_column c, struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out)
{
	return pi_column(c)->text(t, r, cx, out);
}

enum pi_style pi_column_format(enum pi_column c, struct pi_table *t, const struct pi_row *r,
			       struct pi_buf *out)
{
	return pi_column_format_in(c, t, r, NULL, out);
}

void pi_column_json(enum pi_column c, struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		    const struct pi_cell_context *cx)
{
	const struct pi_column_info *ci = pi_column(c);
	pi_jw_key(w, ci->key);
	ci->json(w, t, r, cx);
}

int pi_column_compare(enum pi_column c, const struct pi_row *a, const struct pi_row *b)
{
	return pi_column(c)->compare(a, b);
}

const char *pi_json_type_name(enum pi_json_type type)
{
	static const char *const names[] = { "integer", "number", "string", "boolean", "object",
					     "array" };
	return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

bool pi_column_by_name(const char *name, size_t len, enum pi_column *out)
{
	for (int c = 0; c < PI_COL_COUNT; c++) {
		const struct pi_column_info *ci = &columns[c];
		if ((strlen(ci->name) == len && strncasecmp(ci->name, name, len) == 0)
		    || (strlen(ci->key) == len && strncasecmp(ci->key, name, len) == 0)) {
			*out = (enum pi_column)c;
			return true;
		}
	}
	return false;
}

/* every_set: every column, on demand ones too (the names -o takes). */
static struct pi_column_set default_set, all_set, every_set;

/* The text table's columns without -o, in their order: the flags just
 * before the command, which takes the rest of the line. */
static const enum pi_column default_columns[] = {
	PI_COL_PID, PI_COL_USER, PI_COL_STATE, PI_COL_CPU, PI_COL_MEM, PI_COL_VCSW, PI_COL_IVCSW,
	PI_COL_LAST_RAN, PI_COL_WCHAN, PI_COL_SYSCALL, PI_COL_FLAGS, PI_COL_COMMAND,
};

static void make_sets(void)
{
	if (all_set.n)
		return;
	for (int c = 0; c < PI_COL_COUNT; c++) {
		every_set.ids[every_set.n++] = (enum pi_column)c;
		if (!columns[c].on_demand)
			all_set.ids[all_set.n++] = (enum pi_column)c;
	}
	for (size_t i = 0; i < sizeof default_columns / sizeof default_columns[0]; i++)
		default_set.ids[default_set.n++] = default_columns[i];
}

const struct pi_column_set *pi_columns_default(void)
{
	make_sets();
	return &default_set;
}

const struct pi_column_set *pi_columns_all(void)
{
	make_sets();
	return &all_set;
}

const struct pi_column_set *pi_columns_every(void)
{
	make_sets();
	return &every_set;
}

bool pi_columns_has(const struct pi_column_set *set, enum pi_column c)
{
	for (unsigned i = 0; i < set->n; i++)
		if (set->ids[i] == c)
			return true;
	return false;
}

unsigned pi_columns_detail(const struct pi_column_set *set)
{
	unsigned need = 0;
	for (unsigned i = 0; i < set->n; i++)
		need |= pi_column(set->ids[i])->detail;
	return need;
}

void pi_columns_format(const struct pi_column_set *set, struct pi_buf *out)
{
	for (unsigned i = 0; i < set->n; i++) {
		if (i)
			pi_buf_putc(out, ',');
		pi_buf_puts(out, pi_column(set->ids[i])->name);
	}
}

static void valid_names(struct pi_buf *why)
{
	pi_buf_puts(why, "; valid columns: ");
	make_sets();
	pi_columns_format(&every_set, why);
}

int pi_columns_parse(const char *list, const struct pi_column_set *base,
		     struct pi_column_set *out, struct pi_buf *why)
{
	struct pi_column_set set = { 0 };
	const char *p = list;

	if (*p == '+') {
		set = *base;
		p++;
	}
	if (!*p) {
		pi_buf_puts(why, "no column named");
		valid_names(why);
		return -1;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		enum pi_column c;
		if (len == 0) {
			pi_buf_puts(why, "an empty column name (two commas, or one at an end)");
			return -1;
		}
		if (!pi_column_by_name(p, len, &c)) {
			pi_buf_puts(why, "unknown column '");
			/* What the user typed, but never a control character,
			 * and not a megabyte of it. */
			pi_escape_text_max(why, p, len, 64);
			pi_buf_puts(why, "'");
			valid_names(why);
			return -1;
		}
		if (!pi_columns_has(&set, c))
			set.ids[set.n++] = c;
		p += len;
		if (!*p)
			break;
		p++;
		if (!*p) {
			pi_buf_puts(why, "an empty column name (two commas, or one at an end)");
			return -1;
		}
	}
	*out = set;
	return 0;
}

void pi_columns_list_text(struct pi_buf *out)
{
	for (int c = 0; c < PI_COL_COUNT; c++) {
		const struct pi_column_info *ci = &columns[c];
		pi_buf_printf(out, "%-14s %-8s %s\n", ci->name, ci->title, ci->help);
	}
}

void pi_columns_list_json(struct pi_jw *w)
{
	pi_jw_array(w);
	for (int c = 0; c < PI_COL_COUNT; c++) {
		const struct pi_column_info *ci = &columns[c];
		pi_jw_object(w);
		pi_jw_kstring(w, "name", ci->name);
		pi_jw_kstring(w, "title", ci->title);
		pi_jw_kstring(w, "key", ci->key);
		pi_jw_kstring(w, "type", pi_json_type_name(ci->type));
		pi_jw_kbool(w, "default", pi_columns_has(pi_columns_default(), (enum pi_column)c));
		pi_jw_kbool(w, "on_demand", ci->on_demand);
		pi_jw_kstring(w, "help", ci->help);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
}
