#include "tui/live.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "collect/sched_clock.h"
#include "exitcodes.h"
#include "settings.h"
#include "sys/names.h"
#include "sys/same_task.h"
#include "table/columns.h"
#include "tui/help.h"
#include "tui/replay.h"
#include "record/replay.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define CTRL(c) ((c) & 0x1f)

static void say(struct pi_live *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct pi_live *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->message, sizeof l->message, fmt, ap);
	va_end(ap);
}

/* After the rows changed: find the selected task again, keep it on
 * screen, read the expensive files of the rows on screen (and, after a
 * sample, their command lines), and remember who is selected. */
static void settle(struct pi_live *l, bool sampled)
{
	struct pi_monitor *m = l->m;
	size_t body = pi_live_body_rows(l);

	pi_monitor_build(m);
	/* Until a key moves it, the selection is the top row of whatever
	 * order the refreshes make (the first sample has no %CPU yet: its
	 * top is not the next one's). */
	long found = l->sel_chosen ? pi_view_find(&m->view, l->sel_tid, l->sel_pid) : 0;
	if (found >= 0)
		l->sel = (size_t)found;
	if (l->sel >= m->view.n)
		l->sel = m->view.n ? m->view.n - 1 : 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + body)
		l->top = l->sel + 1 - body;
	/* No empty space below the last row when it could be filled. */
	if (l->top + body > m->view.n)
		l->top = m->view.n > body ? m->view.n - body : 0;
	pi_monitor_read_rows(m, l->top, body, sampled);
	if (l->sel < m->view.n) {
		l->sel_tid = m->view.rows[l->sel].task->facts.tid;
		l->sel_pid = m->view.rows[l->sel].proc->pid;
	}
}

static void select_row(struct pi_live *l, long row)
{
	size_t n = l->m->view.n;
	if (!n)
		return;
	if (row < 0)
		row = 0;
	if ((size_t)row >= n)
		row = (long)n - 1;
	l->sel = (size_t)row;
	l->sel_chosen = true;
	l->sel_tid = l->m->view.rows[row].task->facts.tid;
	l->sel_pid = l->m->view.rows[row].proc->pid;
}

static int sample(struct pi_live *l)
{
	int64_t now = pi_monotonic_ns();
	l->next_sample_ns = now + (int64_t)(l->delay_seconds * 1e9);
	if (l->gone)
		return 0;
	int status = pi_monitor_sample(l->m);
	pi_meters_read(&l->meters);
	if (status == PI_EXIT_NOPROC && l->m->gone) {
		l->gone = true;
		say(l, "process %d has exited; q quits", (int)l->m->table.opt.only_pid);
		status = 0;
	}
	l->refreshes++;
	if (l->iterations && l->refreshes >= l->iterations)
		l->quit = true;
	return status;
}

/* The next row (from `from`, going round; backwards when back) whose
 * command holds text. */
static long find_match(struct pi_live *l, const char *text, size_t from, bool back)
{
	struct pi_view *v = &l->m->view;
	struct pi_buf b = PI_BUF_INIT;
	long found = -1;

	for (size_t k = 0; k < v->n && found < 0; k++) {
		size_t i = back ? (from + v->n - k % v->n) % v->n : (from + k) % v->n;
		pi_buf_reset(&b);
		pi_row_command(&v->rows[i], &b);
		if (b.data && strcasestr(b.data, text))
			found = (long)i;
	}
	pi_buf_free(&b);
	return found;
}

static void search_to(struct pi_live *l, const char *text, size_t from, bool back)
{
	struct pi_buf shown = PI_BUF_INIT;
	if (!text[0])
		return;
	long found = find_match(l, text, from, back);
	if (found >= 0) {
		select_row(l, found);
		return;
	}
	pi_escape_text(&shown, text, strlen(text));
	say(l, "no command holds \"%s\"", shown.data);
	pi_buf_free(&shown);
}

static void send_signal(struct pi_live *l, const char *text);
static void choose_user(struct pi_live *l, const char *text);

static void prompt_key(struct pi_live *l, int key)
{
	struct pi_prompt *p = &l->prompt;
	enum pi_prompt_result r = pi_prompt_key(p, key);

	switch (p->kind) {
	case PI_PROMPT_SEARCH:
		/* While typing, F3 and Down go to the next match, Shift-F3
		 * and Up to the one before (the text stays). */
		if (key == KEY_F(3) || key == KEY_DOWN || key == KEY_F(15) || key == KEY_UP) {
			bool back = key == KEY_F(15) || key == KEY_UP;
			if (l->sel < l->m->view.n)
				search_to(l, p->text, back ? l->sel - 1 + (l->sel == 0) * l->m->view.n
							   : l->sel + 1, back);
			l->search_from = l->sel;
			break;
		}
		if (r == PI_PROMPT_CANCEL)
			select_row(l, (long)l->search_from);
		else
			search_to(l, p->text, l->search_from, false);
		if (r != PI_PROMPT_EDITING) {
			if (r == PI_PROMPT_DONE)
				snprintf(l->search, sizeof l->search, "%s", p->text);
			p->kind = PI_PROMPT_NONE;
		}
		break;
	case PI_PROMPT_FILTER:
		/* The rows follow the text as it is typed. */
		if (r == PI_PROMPT_CANCEL)
			pi_monitor_set_filter(l->m, NULL);
		else
			pi_monitor_set_filter(l->m, p->text);
		if (r != PI_PROMPT_EDITING)
			p->kind = PI_PROMPT_NONE;
		break;
	case PI_PROMPT_DELAY:
		if (r == PI_PROMPT_DONE) {
			double d;
			if (pi_parse_seconds(p->text, &d) && d >= PI_DELAY_MIN && d <= 86400) {
				l->delay_seconds = d;
				l->next_sample_ns = pi_monotonic_ns() + (int64_t)(d * 1e9);
				say(l, "refreshing every %g s", d);
			} else {
				say(l, "not a refresh interval: give seconds from %g to 86400", PI_DELAY_MIN);
			}
		}
		if (r != PI_PROMPT_EDITING)
			p->kind = PI_PROMPT_NONE;
		break;
	case PI_PROMPT_USER:
		if (r == PI_PROMPT_DONE)
			choose_user(l, p->text);
		if (r != PI_PROMPT_EDITING)
			p->kind = PI_PROMPT_NONE;
		break;
	case PI_PROMPT_SIGNAL:
		if (r == PI_PROMPT_DONE)
			send_signal(l, p->text);
		else if (r == PI_PROMPT_CANCEL)
			say(l, "no signal sent");
		if (r != PI_PROMPT_EDITING)
			p->kind = PI_PROMPT_NONE;
		break;
	case PI_PROMPT_TIME:
		if (r == PI_PROMPT_DONE)
			pi_live_replay_goto(l, p->text);
		if (r != PI_PROMPT_EDITING)
			p->kind = PI_PROMPT_NONE;
		break;
	case PI_PROMPT_NONE:
		break;
	}
}

/* The column shown `by` places right of the sort column (left when
 * negative), going round; the first shown when it is not shown. */
static enum pi_column next_sort(const struct pi_monitor *m, int by)
{
	const struct pi_column_set *set = &m->columns;
	int at = -1;
	for (unsigned i = 0; i < set->n; i++)
		if (set->ids[i] == m->vo.sort)
			at = (int)i;
	if (at < 0)
		return set->ids[0];
	int n = (int)set->n;
	return set->ids[((at + by) % n + n) % n];
}

/* A new order shows its top, the first row selected (as one looks at a
 * sorted list: what is biggest now), not the old selection wherever it
 * went. */
static void show_top(struct pi_live *l)
{
	l->sel = 0;
	l->top = 0;
	l->sel_tid = 0;
	l->sel_pid = 0;
	l->sel_chosen = false;
}

static void sort_by(struct pi_live *l, enum pi_column c)
{
	struct pi_view_options *vo = &l->m->vo;
	vo->sort = c;
	vo->descending = pi_column(c)->descending;
	show_top(l);
	say(l, "sorted by %s, %s first", pi_column(c)->title, vo->descending ? "biggest" : "smallest");
}

/* --- Tags (space, c, U): processes chosen for k and the renice keys. */

static long tag_index(const struct pi_live *l, pid_t pid)
{
	size_t lo = 0, hi = l->ntags;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->tags[mid].pid == pid)
			return (long)mid;
		if (l->tags[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

bool pi_live_tagged(const struct pi_live *l, const struct pi_proc *p)
{
	if (!p)
		return false;
	long i = tag_index(l, p->pid);
	return i >= 0 && l->tags[i].starttime == p->starttime;
}

static void tag(struct pi_live *l, const struct pi_proc *p, bool on)
{
	long i = tag_index(l, p->pid);
	if (i >= 0) {
		if (on) {
			l->tags[i].starttime = p->starttime;
		} else {
			memmove(&l->tags[i], &l->tags[i + 1], (l->ntags - (size_t)i - 1) * sizeof *l->tags);
			l->ntags--;
		}
		return;
	}
	if (!on)
		return;
	size_t at = (size_t)(-i - 1);
	pi_xgrow(&l->tags, &l->tags_cap, l->ntags + 1, sizeof *l->tags);
	memmove(&l->tags[at + 1], &l->tags[at], (l->ntags - at) * sizeof *l->tags);
	l->tags[at] = (struct pi_tag){ p->pid, p->starttime };
	l->ntags++;
}

/* Tags of processes gone (or whose PID now names another) are dropped:
 * nothing is sent to a process that was not tagged. */
static void prune_tags(struct pi_live *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->ntags; i++) {
		const struct pi_proc *p = pi_table_find_proc(&l->m->table, l->tags[i].pid);
		if (p && p->starttime == l->tags[i].starttime)
			l->tags[n++] = l->tags[i];
	}
	l->ntags = n;
}

static int compare_tags(const void *a, const void *b)
{
	pid_t x = ((const struct pi_tag *)a)->pid, y = ((const struct pi_tag *)b)->pid;
	return (x > y) - (x < y);
}

static int compare_ppid(const void *a, const void *b, void *arg)
{
	const struct pi_proc *procs = arg;
	pid_t x = procs[*(const uint32_t *)a].ppid, y = procs[*(const uint32_t *)b].ppid;
	return (x > y) - (x < y);
}

/* c: the selected process and every process under it: a walk down from
 * it over the processes ordered by parent, each visited once (a hostile
 * chain of thousands of forks costs n log n, not n squared). */
static void tag_with_children(struct pi_live *l, const struct pi_proc *top)
{
	struct pi_table *t = &l->m->table;
	size_t n = t->nprocs;
	uint32_t *by_parent = pi_xcalloc(n ? n : 1, sizeof *by_parent);
	pid_t *queue = pi_xcalloc(n + 1, sizeof *queue);
	bool *seen = pi_xcalloc(n ? n : 1, sizeof *seen);
	size_t head = 0, tail = 0;

	prune_tags(l);
	size_t before = l->ntags;
	for (size_t i = 0; i < n; i++)
		by_parent[i] = (uint32_t)i;
	if (n > 1)
		qsort_r(by_parent, n, sizeof *by_parent, compare_ppid, t->procs);
	tag(l, top, true);
	queue[tail++] = top->pid;
	while (head < tail) {
		pid_t parent = queue[head++];
		/* The first process whose parent is this one. */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (t->procs[by_parent[mid]].ppid < parent)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && t->procs[by_parent[lo]].ppid == parent; lo++) {
			uint32_t k = by_parent[lo];
			const struct pi_proc *p = &t->procs[k];
			if (seen[k] || p->pid == top->pid || p->pid == parent || tail > n)
				continue;
			seen[k] = true;
			/* Added unsorted, sorted once below: tagging a whole
			 * machine's tree stays n log n. */
			pi_xgrow(&l->tags, &l->tags_cap, l->ntags + 1, sizeof *l->tags);
			l->tags[l->ntags++] = (struct pi_tag){ p->pid, p->starttime };
			queue[tail++] = p->pid;
		}
	}
	if (l->ntags > 1)
		qsort(l->tags, l->ntags, sizeof *l->tags, compare_tags);
	/* A process tagged before is kept once (stale tags were pruned
	 * first, so both entries are the same). */
	size_t kept = 0;
	for (size_t i = 0; i < l->ntags; i++) {
		if (kept && l->tags[kept - 1].pid == l->tags[i].pid)
			l->tags[kept - 1] = l->tags[i];
		else
			l->tags[kept++] = l->tags[i];
	}
	l->ntags = kept;
	free(by_parent);
	free(queue);
	free(seen);
	say(l, "tagged %d and the processes under it: %zu newly, %zu tagged in all", (int)top->pid,
	    l->ntags - before, l->ntags);
}

/* "1234 (sleep), 1235 (sleep) and 3 more" */
static void name_tagged(struct pi_live *l, struct pi_buf *out)
{
	enum { NAMED = 3 };
	for (size_t i = 0; i < l->ntags && i < NAMED; i++) {
		const struct pi_proc *p = pi_table_find_proc(&l->m->table, l->tags[i].pid);
		pi_buf_puts(out, i == 0 ? "" : i + 1 == l->ntags ? " and " : ", ");
		pi_buf_printf(out, "%d (", (int)l->tags[i].pid);
		const char *comm = p ? p->comm : "?";
		pi_escape_text(out, comm, strlen(comm));
		pi_buf_putc(out, ')');
	}
	if (l->ntags > NAMED)
		pi_buf_printf(out, " and %zu more", l->ntags - NAMED);
}

/* k and F9: the selected task's process (or every tagged one), and a
 * signal to send. The prompt, which names them, is the confirmation:
 * Enter sends, Esc does not. A row per thread sends to the thread's
 * process, as kill(1). */
static void ask_signal(struct pi_live *l)
{
	prune_tags(l);
	if (l->ntags) {
		struct pi_buf names = PI_BUF_INIT;
		name_tagged(l, &names);
		l->signal_pid = 0;
		pi_prompt_start(&l->prompt, PI_PROMPT_SIGNAL, "TERM");
		snprintf(l->prompt.label, sizeof l->prompt.label,
			 "Send a signal to %zu tagged process%s: %.100s? Enter sends, Esc cancels: ",
			 l->ntags, l->ntags == 1 ? "" : "es", names.data);
		pi_buf_free(&names);
		return;
	}
	if (l->sel >= l->m->view.n) {
		say(l, "no task selected");
		return;
	}
	const struct pi_row *r = &l->m->view.rows[l->sel];
	struct pi_buf name = PI_BUF_INIT;
	pi_escape_text(&name, r->proc->comm, strlen(r->proc->comm));
	l->signal_pid = r->proc->pid;
	l->signal_starttime = r->proc->starttime;
	pi_prompt_start(&l->prompt, PI_PROMPT_SIGNAL, "TERM");
	snprintf(l->prompt.label, sizeof l->prompt.label,
		 "Send a signal to process %d (%.60s)? Enter sends, Esc cancels: ", (int)r->proc->pid,
		 name.data ? name.data : "");
	pi_buf_free(&name);
}

static void send_signal(struct pi_live *l, const char *text)
{
	char name[16];
	int sig = pi_signal_parse(text);
	if (!sig) {
		struct pi_buf b = PI_BUF_INIT;
		pi_escape_text(&b, text, strlen(text));
		say(l, "not a signal: %.60s (a name as TERM or KILL, or a number from 1 to 64); none sent",
		    b.data ? b.data : "");
		pi_buf_free(&b);
		return;
	}
	pi_signal_name(sig, name, sizeof name);
	if (!l->signal_pid) {
		/* The tagged processes, each checked again: one that exited
		 * since is not signalled (its PID may be another's now), by
		 * the last refresh and again as it is sent (sys/same_task). */
		prune_tags(l);
		size_t sent = 0, failed = 0;
		pid_t first_failed = 0;
		int first_err = 0;
		for (size_t i = 0; i < l->ntags; i++) {
			int err = pi_signal_same(l->tags[i].pid, l->tags[i].starttime, sig);
			if (err == 0) {
				sent++;
			} else if (!failed++) {
				first_failed = l->tags[i].pid;
				first_err = -err;
			}
		}
		if (!failed)
			say(l, "%s sent to %zu process%s", name, sent, sent == 1 ? "" : "es");
		else
			say(l, "%s sent to %zu of %zu processes; not to %d%s: %s", name, sent, sent + failed,
			    (int)first_failed, failed > 1 ? " and others" : "", strerror(first_err));
		return;
	}
	int err = pi_signal_same(l->signal_pid, l->signal_starttime, sig);
	if (err == -ESRCH)
		say(l, "%s not sent: process %d has exited (its PID may be another's now)", name,
		    (int)l->signal_pid);
	else if (err)
		say(l, "%s not sent to process %d: %s", name, (int)l->signal_pid, strerror(-err));
	else
		say(l, "%s sent to process %d", name, (int)l->signal_pid);
}

/* Every thread of a process by one step of nice (Linux sets the nice of
 * a thread: setpriority of a PID alone would change the main thread's).
 * Returns 0 or an errno; *from and *to are the main thread's. */
static int renice_proc(struct pi_live *l, const struct pi_proc *p, int step, int *from, int *to)
{
	struct pi_table *t = &l->m->table;
	int err = 0;
	*from = *to = 0;
	for (uint32_t i = 0; i < p->ntasks; i++) {
		pid_t tid = t->tasks[p->first_task + i].facts.tid;
		uint64_t started = t->tasks[p->first_task + i].starttime;
		errno = 0;
		int nice = getpriority(PRIO_PROCESS, (id_t)tid);
		if (nice == -1 && errno) {
			if (!err && errno != ESRCH)
				err = errno;
			continue;
		}
		int want = nice + step;
		want = want < -20 ? -20 : want > 19 ? 19 : want;
		if (tid == p->pid || i == 0) {
			*from = nice;
			*to = want;
		}
		/* A thread that exited since (its TID another's now) is left. */
		int rc = want != nice ? pi_setpriority_same(p->pid, tid, started, want) : 0;
		if (rc && !err && rc != -ESRCH)
			err = -rc;
	}
	if (err && *to != *from)
		*to = *from;
	return err;
}

/* F7 and ], F8 and [: nice one step down (more CPU) or up, for the
 * selected process or every tagged one; a thread row, that thread. Not
 * permitted (lowering nice needs CAP_SYS_NICE; another user's process,
 * root) is said in words, as htop. */
static void renice(struct pi_live *l, int step)
{
	const char *what = step < 0 ? "nice -1 (more CPU)" : "nice +1 (less CPU)";
	int from, to;
	prune_tags(l);
	if (l->ntags) {
		size_t done = 0, failed = 0;
		int first_err = 0;
		pid_t first_failed = 0;
		for (size_t i = 0; i < l->ntags; i++) {
			const struct pi_proc *p = pi_table_find_proc(&l->m->table, l->tags[i].pid);
			int err = p ? renice_proc(l, p, step, &from, &to) : ESRCH;
			if (!err) {
				done++;
			} else if (!failed++) {
				first_err = err;
				first_failed = l->tags[i].pid;
			}
		}
		if (!failed)
			say(l, "%s: %zu tagged process%s reniced", what, done, done == 1 ? "" : "es");
		else
			say(l, "%s: %zu of %zu tagged processes reniced; not %d%s: %s", what, done,
			    done + failed, (int)first_failed, failed > 1 ? " and others" : "",
			    strerror(first_err));
		return;
	}
	if (l->sel >= l->m->view.n) {
		say(l, "no task selected");
		return;
	}
	const struct pi_row *r = &l->m->view.rows[l->sel];
	int err;
	if (r->thread_row) {
		errno = 0;
		from = getpriority(PRIO_PROCESS, (id_t)r->task->facts.tid);
		err = from == -1 && errno ? errno : 0;
		to = from + step < -20 ? -20 : from + step > 19 ? 19 : from + step;
		if (!err && to != from)
			err = -pi_setpriority_same(r->proc->pid, r->task->facts.tid, r->task->starttime, to);
	} else {
		err = renice_proc(l, r->proc, step, &from, &to);
	}
	pid_t id = r->thread_row ? r->task->facts.tid : r->proc->pid;
	const char *kind = r->thread_row ? "thread" : "process";
	if (err)
		say(l, "nice of %s %d not changed: %s", kind, (int)id, strerror(err));
	else if (from == to)
		say(l, "%s %d: nice is %d already, the %s", kind, (int)id, from,
		    step < 0 ? "least there is" : "most there is");
	else
		say(l, "%s %d: nice %d -> %d", kind, (int)id, from, to);
}

/* u: the tasks of one user, by name or number; empty: everyone's. */
static void choose_user(struct pi_live *l, const char *text)
{
	struct pi_view_options *vo = &l->m->vo;
	if (!text[0]) {
		vo->only_user = false;
		say(l, "every user's tasks");
		return;
	}
	uid_t uid;
	if (!pi_user_by_name(text, &uid)) {
		struct pi_buf b = PI_BUF_INIT;
		pi_escape_text(&b, text, strlen(text));
		say(l, "no such user: %.60s", b.data ? b.data : "");
		pi_buf_free(&b);
		return;
	}
	vo->only_user = true;
	vo->user = uid;
	say(l, "only the tasks of user %u (u, then Enter on an empty line: everyone's)", (unsigned)uid);
}

static void open_detail(struct pi_live *l)
{
	if (l->sel >= l->m->view.n) {
		say(l, "no task selected");
		return;
	}
	const struct pi_row *r = &l->m->view.rows[l->sel];
	pid_t tid = r->thread_row ? r->task->facts.tid : 0;
	/* User stacks as the command line would have them read (u). */
	struct pi_stack_options so = {
		.allow_stop = !l->opt->no_ptrace,
		.sample_running = true,
		.stop_blocked = l->opt->stop_blocked,
		.consistent = l->opt->consistent,
		.max_frames = l->opt->max_frames,
		.stop_timeout_seconds = 5,
		.lines = (enum pi_lines)l->opt->lines,
	};
	if (pi_snapview_open(&l->snap, r->proc->pid, tid, l->m->table.opt.hung_after_seconds,
			     l->opt->timeout_seconds, &so) != 0) {
		say(l, "%s", l->snap.message);
		pi_snapview_close(&l->snap);
		return;
	}
	l->page = PI_PAGE_DETAIL;
}

/* F6: every column, the sort column's first under the cursor. */
static void open_sort_menu(struct pi_live *l)
{
	const struct pi_column_set *all = pi_columns_all();
	l->sort_cursor = 0;
	for (unsigned i = 0; i < all->n; i++)
		if (all->ids[i] == l->m->vo.sort)
			l->sort_cursor = (int)i;
	l->sort_top = 0;
	l->page = PI_PAGE_SORT;
}

static bool sort_menu_key(struct pi_live *l, int key)
{
	const struct pi_column_set *all = pi_columns_all();
	int n = (int)all->n, page = l->screen.rows > 4 ? l->screen.rows - 3 : 1;
	switch (key) {
	case KEY_UP:
		l->sort_cursor -= l->sort_cursor > 0;
		return false;
	case KEY_DOWN:
		l->sort_cursor += l->sort_cursor + 1 < n;
		return false;
	case KEY_PPAGE:
		l->sort_cursor = l->sort_cursor > page ? l->sort_cursor - page : 0;
		return false;
	case KEY_NPAGE:
		l->sort_cursor = l->sort_cursor + page < n ? l->sort_cursor + page : n - 1;
		return false;
	case KEY_HOME:
		l->sort_cursor = 0;
		return false;
	case KEY_END:
		l->sort_cursor = n - 1;
		return false;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		enum pi_column c = all->ids[l->sort_cursor];
		if (c == l->m->vo.sort) {
			l->m->vo.descending = !l->m->vo.descending;
			show_top(l);
			say(l, "sorted by %s, %s first", pi_column(c)->title,
			    l->m->vo.descending ? "biggest" : "smallest");
		} else {
			sort_by(l, c);
		}
		l->page = PI_PAGE_TABLE;
		return true;
	}
	case 27:
	case 'q':
	case KEY_F(6):
	case KEY_F(10):
		l->page = PI_PAGE_TABLE;
		return true;
	default:
		return false;
	}
}

/* A click: on a title, sort by its column (the same one again: the
 * other way round, as htop); on a row, select it; the wheel scrolls. */
static void mouse(struct pi_live *l)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		long step = ev.bstate & BUTTON4_PRESSED ? -3 : 3;
		select_row(l, (long)l->sel + step);
		return;
	}
	/* A press (or a click); its release is no second click. */
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	struct pi_hit hit = pi_live_hit(&l->hits, ev.x, ev.y);
	if (hit.kind == PI_HIT_TITLE) {
		if (hit.column == l->m->vo.sort) {
			l->m->vo.descending = !l->m->vo.descending;
			show_top(l);
			say(l, "sorted by %s, %s first", pi_column(hit.column)->title,
			    l->m->vo.descending ? "biggest" : "smallest");
		} else {
			sort_by(l, hit.column);
		}
	} else if (hit.kind == PI_HIT_ROW) {
		select_row(l, (long)hit.row);
	}
}

/* Keys on the table page. Returns true when the rows must be rebuilt. */
static bool table_key(struct pi_live *l, int key)
{
	struct pi_view_options *vo = &l->m->vo;
	long page = (long)pi_live_body_rows(l);
	long sel = (long)l->sel;

	switch (key) {
	case 'q':
	case KEY_F(10):
		l->quit = true;
		return false;
	case KEY_UP:
		select_row(l, sel - 1);
		return true;
	case KEY_DOWN:
		select_row(l, sel + 1);
		return true;
	case KEY_PPAGE:
		select_row(l, sel - page);
		if (l->top >= (size_t)page)
			l->top -= (size_t)page;
		return true;
	case KEY_NPAGE:
		select_row(l, sel + page);
		l->top += (size_t)page;
		return true;
	case KEY_HOME:
		select_row(l, 0);
		return true;
	case KEY_END:
		select_row(l, (long)l->m->view.n - 1);
		return true;
	case KEY_LEFT:
		l->hscroll = l->hscroll > 8 ? l->hscroll - 8 : 0;
		return false;
	case KEY_RIGHT:
		l->hscroll += 8;
		return false;
	case '\n':
	case '\r':
	case KEY_ENTER:
		open_detail(l);
		return false;
	case '/':
	case KEY_F(3):
		l->search_from = l->sel;
		pi_prompt_start(&l->prompt, PI_PROMPT_SEARCH, "");
		return false;
	case 'n':
		if (!l->search[0])
			say(l, "no search yet: / starts one");
		else
			search_to(l, l->search, l->sel + 1, false);
		return true;
	case 27:	/* Esc: forget the search (N sorts by PID again), the tags stay */
		if (l->search[0])
			say(l, "search forgotten");
		l->search[0] = '\0';
		return false;
	case '\\':
	case KEY_F(4):
		pi_prompt_start(&l->prompt, PI_PROMPT_FILTER, l->m->filter);
		return false;
	case 'p':
	case '!':
		vo->problems_only = !vo->problems_only;
		say(l, vo->problems_only ? "problems only: D, hung, Z, T, t, deadlocks, zombies' parents"
					 : "every task");
		return true;
	case 'H':
		vo->threads = !vo->threads;
		say(l, vo->threads ? "a row per thread" : "a row per process");
		return true;
	case 't':
	case 'V':
	case KEY_F(5):
		vo->tree = !vo->tree;
		say(l, vo->tree ? "tree: children under their parents" : "list");
		return true;
	case '<':
	case ',':
		sort_by(l, next_sort(l->m, -1));
		return true;
	case '>':
	case '.':
		sort_by(l, next_sort(l->m, 1));
		return true;
	case KEY_F(6):
		open_sort_menu(l);
		return false;
	case 'I':
	case 'R':
		vo->descending = !vo->descending;
		show_top(l);
		say(l, "%s first", vo->descending ? "biggest" : "smallest");
		return true;
	case 'P':
		sort_by(l, PI_COL_CPU);
		return true;
	case 'M':
		sort_by(l, PI_COL_MEM);
		return true;
	case 'N':
		/* The match before, while a search is kept; else htop's N. */
		if (l->search[0] && l->m->view.n)
			search_to(l, l->search, l->sel ? l->sel - 1 : l->m->view.n - 1, true);
		else
			sort_by(l, PI_COL_PID);
		return true;
	case 'F':
		sort_by(l, PI_COL_FLAGS);
		return true;
	case 'T':
		sort_by(l, PI_COL_TIME);
		return true;
	case 'd':
	case 's':
		pi_prompt_start(&l->prompt, PI_PROMPT_DELAY, "");
		return false;
	case KEY_F(2):
	case 'C':
	case 'S':
		pi_chooser_open(&l->chooser, &l->m->columns);
		l->page = PI_PAGE_COLUMNS;
		return false;
	case 'k':
	case KEY_F(9):
		ask_signal(l);
		return false;
	case 'u':
		pi_prompt_start(&l->prompt, PI_PROMPT_USER, "");
		return false;
	case KEY_F(7):
	case ']':
		renice(l, -1);
		return true;
	case KEY_F(8):
	case '[':
		renice(l, 1);
		return true;
	case ' ':
		/* Tag or untag, then the next row (as htop). */
		if (l->sel < l->m->view.n) {
			const struct pi_proc *p = l->m->view.rows[l->sel].proc;
			tag(l, p, !pi_live_tagged(l, p));
			select_row(l, sel + 1);
		}
		return true;
	case 'c':
		if (l->sel < l->m->view.n)
			tag_with_children(l, l->m->view.rows[l->sel].proc);
		return true;
	case 'U':
		say(l, "%zu untagged", l->ntags);
		l->ntags = 0;
		return true;
	case KEY_MOUSE:
		mouse(l);
		return true;
	case 'K':
		vo->hide_kernel = !vo->hide_kernel;
		say(l, vo->hide_kernel ? "kernel threads hidden (K shows them)" : "kernel threads shown");
		return true;
	case 'Z':
		l->paused = !l->paused;
		if (!l->paused)
			l->next_sample_ns = 0;
		say(l, l->paused ? "paused: Z resumes" : "resumed");
		return false;
	default:
		return false;
	}
}

/* Keys on the columns page: each change shows at once (the rows are
 * read again for what a new column needs). */
static bool chooser_key(struct pi_live *l, int key)
{
	struct pi_chooser *c = &l->chooser;
	struct pi_column_set set;

	switch (pi_chooser_key(c, &l->screen, key)) {
	case PI_CHOOSER_NOTHING:
		return false;
	case PI_CHOOSER_CHANGED:
		pi_chooser_columns(c, &set);
		if (l->replay && pi_replay_columns(&set))
			snprintf(c->message, sizeof c->message, "WAITS FOR is not recorded: not shown");
		pi_monitor_set_columns(l->m, &set);
		return true;
	case PI_CHOOSER_SAVE: {
		struct pi_buf path = PI_BUF_INIT, why = PI_BUF_INIT;
		pi_chooser_columns(c, &set);
		if (pi_settings_save(&set, &path, &why) == 0) {
			pi_escape_text(&why, path.data, path.len);
			snprintf(c->message, sizeof c->message, "saved in %s", why.data);
		} else {
			snprintf(c->message, sizeof c->message, "not saved: %s", why.data);
		}
		pi_buf_free(&path);
		pi_buf_free(&why);
		return false;
	}
	case PI_CHOOSER_CLOSE:
		l->page = PI_PAGE_TABLE;
		return true;
	}
	return false;
}

/* Handles one key on whichever page is up. Returns true when the rows
 * must be rebuilt (or the table sampled, *now set). */
static bool handle_key(struct pi_live *l, int key, bool *now)
{
	/* A message lasts until the next key. */
	if (key != KEY_RESIZE)
		l->message[0] = '\0';
	if (key == KEY_RESIZE) {
		pi_screen_size(&l->screen);
		return true;
	}
	if (key == CTRL('l')) {
		/* Redrawn, and refreshed now. */
		clearok(curscr, TRUE);
		*now = true;
		return true;
	}
	if (l->page == PI_PAGE_HELP) {
		if (!pi_help_key(key, &l->help_top, l->screen.rows))
			l->page = l->help_from;
		return false;
	}
	if (l->page == PI_PAGE_SORT)
		return sort_menu_key(l, key);
	if (key == '?' || key == KEY_F(1) || (key == 'h' && l->prompt.kind == PI_PROMPT_NONE)) {
		if (l->prompt.kind == PI_PROMPT_NONE) {
			l->help_from = l->page;
			l->help_top = 0;
			l->page = PI_PAGE_HELP;
			return false;
		}
	}
	if (l->page == PI_PAGE_COLUMNS)
		return chooser_key(l, key);
	if (l->page == PI_PAGE_DETAIL && l->replay && !pi_live_replay_detail_key(l, key))
		return false;
	if (l->page == PI_PAGE_DETAIL) {
		enum pi_snapview_result r = pi_snapview_key(&l->snap, &l->screen, key);
		if (r == PI_SNAPVIEW_QUIT)
			l->quit = true;
		if (r == PI_SNAPVIEW_CLOSE) {
			pi_snapview_close(&l->snap);
			l->page = PI_PAGE_TABLE;
			return true;
		}
		return false;
	}
	if (l->prompt.kind != PI_PROMPT_NONE) {
		prompt_key(l, key);
		return true;
	}
	bool rebuild;
	if (l->replay && pi_live_replay_key(l, key, &rebuild))
		return rebuild;
	return table_key(l, key);
}

static void draw(struct pi_live *l)
{
	switch (l->page) {
	case PI_PAGE_DETAIL:
		pi_snapview_draw(&l->snap, &l->screen);
		break;
	case PI_PAGE_HELP:
		pi_help_draw(&l->screen, l->help_top);
		break;
	case PI_PAGE_COLUMNS:
		pi_chooser_draw(&l->chooser, &l->screen);
		break;
	case PI_PAGE_SORT:
		pi_live_draw_sort_menu(l);
		break;
	case PI_PAGE_TABLE:
		pi_live_draw_table(l);
		break;
	}
	refresh();
}

/* While a look for deadlocks runs on its own thread, how often to see
 * whether it is done: its result is shown then, not a refresh later (a
 * long refresh interval would hold it back as long). */
enum { LOOK_POLL_MS = 50 };
/* While the snapshot page samples its process (S): how often its
 * countdown is drawn. */
enum { SAMPLE_POLL_MS = 100 };

/* How long to wait for a key; *poll: only to see whether the look is
 * done (a wait that then times out has nothing new to draw). */
static int wait_ms(const struct pi_live *l, bool *poll)
{
	*poll = false;
	bool sampling = l->page == PI_PAGE_DETAIL && pi_snapview_sampling(&l->snap);
	if (sampling)
		*poll = true;
	if (l->paused || l->gone || l->replay)
		return sampling ? SAMPLE_POLL_MS : -1;
	int64_t left = l->next_sample_ns - pi_monotonic_ns();
	if (left <= 0)
		return 0;
	int ms = (int)(left / 1000000) + 1;
	if (pi_monitor_looking(l->m) && ms > LOOK_POLL_MS) {
		*poll = true;
		return LOOK_POLL_MS;
	}
	return sampling && ms > SAMPLE_POLL_MS ? SAMPLE_POLL_MS : ms;
}

static int run(struct pi_monitor *m, const struct pi_options *opt, struct pi_replay *rec,
	       size_t first, size_t last)
{
	struct pi_live l;
	int status = 0;

	memset(&l, 0, sizeof l);
	l.replay = rec;
	l.frame = l.first_frame = first;
	l.last_frame = last;
	l.m = m;
	l.opt = opt;
	l.delay_seconds = opt->delay_seconds;
	/* (A replay takes no refreshes: -n counts the ones it prints.) */
	l.iterations = rec ? 0 : opt->iterations;
	l.refreshes = 1;	/* the caller took the first sample */
	l.next_sample_ns = pi_monotonic_ns() + (int64_t)(l.delay_seconds * 1e9);
	if (l.iterations && l.refreshes >= l.iterations)
		l.quit = true;
	/* The columns saved last time, unless -o chose them. A file that
	 * cannot be used is said on stderr (seen after the view) and at the
	 * bottom of the screen, and the defaults shown. */
	if (!opt->columns_given) {
		struct pi_settings saved;
		struct pi_buf why = PI_BUF_INIT;
		int r = pi_settings_load(&saved, &why);
		if (r != 0) {
			fprintf(stderr, "pinspect: warning: %s\n", why.data);
			say(&l, "%s", why.data);
		}
		if (r >= 0 && saved.have_columns) {
			/* (A replay cannot show WAITS FOR: it asks the system now.) */
			if (rec)
				pi_replay_columns(&saved.columns);
			pi_monitor_set_columns(m, &saved.columns);
		}
		pi_buf_free(&why);
	}
	if (rec) {
		/* Said on a plain terminal, as live a PID that does not exist. */
		status = pi_live_replay_start(&l);
		if (status) {
			fprintf(stderr, "pinspect: %s\n", m->error);
			return status;
		}
	} else {
		pi_meters_read(&l.meters);
	}
	if (pi_screen_open(&l.screen) != 0)
		return PI_EXIT_FAILURE;
	settle(&l, true);
	draw(&l);

	while (!l.quit && !status) {
		bool poll;
		enum pi_wait woke = pi_screen_wait(&l.screen, wait_ms(&l, &poll));
		if (woke == PI_WAIT_SIGNAL)
			break;
		bool changed = !(poll && woke == PI_WAIT_TIMEOUT);
		bool now = false;
		/* Read keys even when the wait timed out: a resize that came
		 * while we were busy is only reported by getch (KEY_RESIZE).
		 * Each key sees the rows the keys before it made: "F Home"
		 * selects the first row of the new order. */
		int key;
		while (!l.quit && (key = getch()) != ERR) {
			changed = true;
			if (handle_key(&l, key, &now))
				settle(&l, false);
		}
		/* (Paused, the rows stay as they are.) */
		if (!l.quit && l.page == PI_PAGE_DETAIL && pi_snapview_poll(&l.snap))
			changed = true;
		if (!l.paused && !l.gone && !l.quit && pi_monitor_take_deadlocks(m)) {
			settle(&l, false);
			changed = true;
		}
		bool due = !l.paused && !l.gone && !l.replay && pi_monotonic_ns() >= l.next_sample_ns;
		if ((due || now) && !l.quit && !l.replay) {
			status = sample(&l);
			if (status)
				break;
			settle(&l, true);
			changed = true;
		}
		if (!l.quit && changed)
			draw(&l);
	}

	if (l.page == PI_PAGE_DETAIL)
		pi_snapview_close(&l.snap);
	pi_screen_close(&l.screen);
	free(l.tags);
	/* Said now that the terminal is back to lines of text. */
	if (status)
		fprintf(stderr, "pinspect: %s\n", m->error);
	int sig = pi_screen_signal();
	if (sig)
		return 128 + sig;
	return status;
}

int pi_live_run(struct pi_monitor *m, const struct pi_options *opt)
{
	return run(m, opt, NULL, 0, 0);
}

int pi_live_run_replay(struct pi_monitor *m, const struct pi_options *opt, struct pi_replay *r,
		       size_t first, size_t last)
{
	return run(m, opt, r, first, last);
}
