#include "tui/snapview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/kinds.h"
#include "analysis/reasons.h"
#include "collect/collect.h"
#include "collect/locks.h"
#include "collect/snapshot.h"
#include "collect/stacks.h"
#include "collect/waits.h"
#include "model.h"
#include "options.h"
#include "render/sections.h"
#include "render/text.h"
#include "tui/line.h"
#include "util/escape.h"
#include "util/xalloc.h"

/* Each line's section, found by the titles render/sections.h gives the
 * text renderer: 0 before the first, else its enum pi_section + 1. */
enum {
	SEC_MEMORY = PI_SECTION_MEMORY + 1,
	SEC_THREADS = PI_SECTION_THREADS + 1,
	SEC_FINDINGS = PI_SECTION_FINDINGS + 1,
};

static int section_of_title(const char *line)
{
	for (int i = 0; i < PI_SECTION_COUNT; i++) {
		const char *title = pi_section_title((enum pi_section)i);
		if (title && strcmp(line, title) == 0)
			return i + 1;
	}
	return -1;
}

/* A section's title, by its number here. */
static const char *section_title(int sec)
{
	return sec > 0 ? pi_section_title((enum pi_section)(sec - 1)) : NULL;
}

static void free_text(struct pi_snapview *d)
{
	pi_strv_free(&d->lines);
	free(d->section);
	d->section = NULL;
}

static const char *why(int err, pid_t pid, char *out, size_t size)
{
	snprintf(out, size, "process %d: %s", (int)pid, pi_reason_process_words(err));
	return out;
}

/* Shows a thread's own line in THREADS first, when a thread was picked. */
static void point_at_thread(struct pi_snapview *d)
{
	char prefix[24];
	snprintf(prefix, sizeof prefix, "  %d ", (int)d->tid);
	for (size_t i = 0; i < d->lines.n; i++) {
		if (d->section[i] == SEC_THREADS && strncmp(d->lines.v[i], prefix, strlen(prefix)) == 0) {
			d->top = i > 2 ? i - 2 : 0;
			snprintf(d->message, sizeof d->message,
				 "thread %d is on the highlighted line; Home goes to the top", (int)d->tid);
			return;
		}
	}
}

static int load(struct pi_snapview *d)
{
	struct pi_process p;
	struct pi_buf text = PI_BUF_INIT;
	/* The keys wait for this read: it keeps to the budget (--timeout),
	 * and the page says what it left unread. A TID shows its process,
	 * as `pinspect TID` does. */
	struct pi_snapshot_options so = {
		.timeout_seconds = d->timeout_seconds,
		.hung_after_seconds = d->hung_after_seconds,
		.depth = d->stacks ? PI_SNAPSHOT_STACKS : PI_SNAPSHOT_LOCKS,
		.stacks = d->stack_options,
		.waits = true,
		.d_waits = true,
		.follow_thread = true,
	};
	int err = pi_snapshot_read(d->pid, &so, &p);
	if (p.selected_tid)
		d->pid = p.pid;
	if (err) {
		pi_process_free(&p);
		why(err, d->pid, d->message, sizeof d->message);
		return err;
	}
	/* Without the stacks, the lock words all the same: they are read
	 * from memory without stopping anything, and they are what names a
	 * deadlock the table flagged (or a wait chain). The locks' symbols
	 * need the modules that u opens; until then, their addresses. A
	 * kernel thread or a zombie has no memory to read (as in
	 * pi_collect_stacks). */
	d->perf_err = p.perf_err;
	pi_render_text(&text, &p);
	pi_process_free(&p);

	free_text(d);
	const char *s = text.data ? text.data : "";
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		pi_strv_push(&d->lines, s, n);
		s += n + (nl ? 1 : 0);
	}
	pi_buf_free(&text);
	d->section = pi_xcalloc(d->lines.n ? d->lines.n : 1, 1);
	int current = 0;
	for (size_t i = 0; i < d->lines.n; i++) {
		int sec = section_of_title(d->lines.v[i]);
		if (sec > 0)
			current = sec;
		d->section[i] = (unsigned char)current;
	}
	return 0;
}

int pi_snapview_open(struct pi_snapview *d, pid_t pid, pid_t tid, double hung_after_seconds,
		     double timeout_seconds, const struct pi_stack_options *stack_options)
{
	memset(d, 0, sizeof *d);
	d->pid = pid;
	d->tid = tid;
	d->hung_after_seconds = hung_after_seconds;
	d->timeout_seconds = timeout_seconds;
	d->stack_options = *stack_options;
	int err = load(d);
	if (!err && tid && tid != d->pid)
		point_at_thread(d);
	return err;
}

static void close_sample(struct pi_snapview *d)
{
	if (!d->sample)
		return;
	pi_samplepage_close(d->sample);
	free(d->sample);
	d->sample = NULL;
}

void pi_snapview_close(struct pi_snapview *d)
{
	close_sample(d);
	free_text(d);
	memset(d, 0, sizeof *d);
}

static attr_t line_attr(const struct pi_snapview *d, struct pi_screen *s, size_t i)
{
	const char *line = d->lines.v[i];

	if (section_of_title(line) > 0 || i == 0)
		return A_BOLD;
	/* A finding's first line: "  KIND  sentence", in its kind's colour. */
	if (d->section[i] == SEC_FINDINGS && strncmp(line, "  ", 2) == 0)
		for (size_t k = 0; k < pi_nkinds; k++) {
			size_t n = strlen(pi_kinds[k].name);
			if (pi_kinds[k].flag_word && strncmp(line + 2, pi_kinds[k].name, n) == 0
			    && line[2 + n] == ' ')
				return pi_screen_attr(s, (enum pi_style)pi_kinds[k].style);
		}
	return A_NORMAL;
}

static size_t page(const struct pi_screen *s)
{
	return s->rows > 3 ? (size_t)s->rows - 2 : 1;
}

bool pi_snapview_sampling(const struct pi_snapview *d)
{
	return d->sample && pi_samplepage_busy(d->sample);
}

bool pi_snapview_poll(struct pi_snapview *d)
{
	return d->sample && pi_samplepage_poll(d->sample);
}

void pi_snapview_draw(struct pi_snapview *d, struct pi_screen *s)
{
	struct pi_line l = { 0 };
	char bar[256];
	size_t body = page(s);

	if (d->sample) {
		pi_samplepage_draw(d->sample, s);
		return;
	}
	erase();
	snprintf(bar, sizeof bar, "Snapshot of process %d   Esc: back  Tab: next section  "
		 "m: memory map  t: threads  f: findings  r: read again  u: user stacks  S: sample  ?: help",
		 (int)d->pid);
	pi_line_add(&l, bar, pi_screen_bar(s));
	pi_line_draw(&l, 0, 0, s->cols, pi_screen_bar(s));

	char focus[24];
	snprintf(focus, sizeof focus, "  %d ", (int)d->tid);
	for (size_t y = 0; y < body && d->top + y < d->lines.n; y++) {
		size_t i = d->top + y;
		attr_t a = line_attr(d, s, i);
		if (d->tid && d->tid != d->pid && d->section[i] == SEC_THREADS
		    && strncmp(d->lines.v[i], focus, strlen(focus)) == 0)
			a |= A_REVERSE;
		pi_line_reset(&l);
		pi_line_add(&l, d->lines.v[i], a);
		pi_line_draw(&l, (int)y + 1, d->hscroll, s->cols, A_NORMAL);
	}

	pi_line_reset(&l);
	if (d->message[0]) {
		pi_line_add(&l, d->message, A_BOLD);
	} else {
		size_t at = d->top < d->lines.n ? d->top : 0;
		snprintf(bar, sizeof bar, "lines %zu-%zu of %zu, in %s", at + 1,
			 at + body < d->lines.n ? at + body : d->lines.n, d->lines.n,
			 d->lines.n ? section_title(d->section[at]) ? section_title(d->section[at]) : "the title"
				    : "nothing");
		pi_line_add(&l, bar, A_NORMAL);
	}
	pi_line_draw(&l, s->rows - 1, 0, s->cols, A_NORMAL);
	pi_line_free(&l);
}

static void scroll_to(struct pi_snapview *d, struct pi_screen *s, long line)
{
	long last = (long)d->lines.n - (long)page(s);
	if (line > last)
		line = last;
	if (line < 0)
		line = 0;
	d->top = (size_t)line;
}

static void jump_section(struct pi_snapview *d, struct pi_screen *s, int sec)
{
	for (size_t i = 0; i < d->lines.n; i++) {
		if (d->section[i] == sec) {
			scroll_to(d, s, (long)i);
			return;
		}
	}
	snprintf(d->message, sizeof d->message, "this snapshot has no %s section",
		 section_title(sec) ? section_title(sec) : "such");
}

/* Tab and Shift-Tab: the next or previous section's title. */
static void step_section(struct pi_snapview *d, struct pi_screen *s, int dir)
{
	if (!d->lines.n)
		return;
	int here = d->section[d->top];
	if (dir > 0) {
		for (size_t i = d->top + 1; i < d->lines.n; i++)
			if (d->section[i] != here) {
				scroll_to(d, s, (long)i);
				return;
			}
	} else {
		/* The start of this section, or of the one before if at it. */
		size_t i = d->top;
		while (i > 0 && d->section[i - 1] == here)
			i--;
		if (i == d->top && i > 0) {
			int prev = d->section[i - 1];
			while (i > 0 && d->section[i - 1] == prev)
				i--;
		}
		scroll_to(d, s, (long)i);
	}
}

enum pi_snapview_result pi_snapview_key(struct pi_snapview *d, struct pi_screen *s, int key)
{
	long page_len = (long)page(s);
	long top = (long)d->top;

	if (d->sample) {
		switch (pi_samplepage_key(d->sample, s, key)) {
		case PI_SAMPLEPAGE_QUIT:
			close_sample(d);
			return PI_SNAPVIEW_QUIT;
		case PI_SAMPLEPAGE_CLOSE: {
			bool cancelled = pi_samplepage_busy(d->sample);
			close_sample(d);
			snprintf(d->message, sizeof d->message, "%s", cancelled ? "sampling cancelled"
										 : "back from the sample");
			return PI_SNAPVIEW_STAY;
		}
		case PI_SAMPLEPAGE_STAY:
			return PI_SNAPVIEW_STAY;
		}
	}
	d->message[0] = '\0';
	switch (key) {
	case 27:	/* Esc */
	case 'q':
	case KEY_BACKSPACE:
		return PI_SNAPVIEW_CLOSE;
	case KEY_UP:
		scroll_to(d, s, top - 1);
		break;
	case KEY_DOWN:
		scroll_to(d, s, top + 1);
		break;
	case KEY_PPAGE:
	case 'b':
		scroll_to(d, s, top - page_len);
		break;
	case KEY_NPAGE:
	case ' ':
		scroll_to(d, s, top + page_len);
		break;
	case KEY_HOME:
	case 'g':
		scroll_to(d, s, 0);
		break;
	case KEY_END:
	case 'G':
		scroll_to(d, s, (long)d->lines.n);
		break;
	case KEY_LEFT:
		d->hscroll = d->hscroll > 8 ? d->hscroll - 8 : 0;
		break;
	case KEY_RIGHT:
		d->hscroll += 8;
		break;
	case '\t':
		step_section(d, s, 1);
		break;
	case KEY_BTAB:
		step_section(d, s, -1);
		break;
	case 'm':
		jump_section(d, s, SEC_MEMORY);
		break;
	case 't':
		jump_section(d, s, SEC_THREADS);
		break;
	case 'f':
		jump_section(d, s, SEC_FINDINGS);
		break;
	case 'r': {
		size_t keep = d->top;
		if (load(d) == 0) {
			scroll_to(d, s, (long)keep);
			snprintf(d->message, sizeof d->message, "read again%s",
				 d->stacks ? ", with user stacks" : "");
		}
		break;
	}
	case 'u':
		/* User stacks: the snapshot read again with them (collect/
		 * stacks.h), as pinspect PID reads them. Blocked threads are
		 * copied, running ones sampled, none stopped; where perf
		 * events are denied, running ones are stopped for
		 * microseconds, unless --no-ptrace said never. */
		d->stacks = true;
		if (load(d) == 0) {
			if (d->tid && d->tid != d->pid)
				point_at_thread(d);
			else
				jump_section(d, s, SEC_THREADS);
			snprintf(d->message, sizeof d->message, "user stacks under THREADS: %s",
				 !d->perf_err ? "blocked threads copied, running ones sampled; none stopped"
				 : d->stack_options.allow_stop
				 ? "perf events denied: running threads stopped for microseconds"
				 : "perf events denied, --no-ptrace: running threads have none");
		}
		break;
	case 'S':
		/* A short sample of the process (pinspect --sample), on a
		 * thread of its own: the view keeps answering keys. */
		d->sample = pi_xcalloc(1, sizeof *d->sample);
		pi_samplepage_start(d->sample, d->pid, PI_SAMPLEPAGE_SECONDS, PI_SAMPLE_RATE_DEFAULT,
				    d->stack_options.allow_stop, d->stack_options.max_frames,
				    d->stack_options.lines, d->timeout_seconds);
		break;
	default:
		break;
	}
	return PI_SNAPVIEW_STAY;
}
