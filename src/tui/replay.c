#include "tui/replay.h"

#include <stdio.h>
#include <string.h>

#include "record/replay.h"
#include "table/columns.h"
#include "table/problems.h"
#include "util/escape.h"
#include "util/xalloc.h"

#define CTRL(c) ((c) & 0x1f)

static void say(struct pi_live *l, const char *text)
{
	snprintf(l->message, sizeof l->message, "%s", text);
}

/* Shows refresh i (within the chosen ones). */
static bool show(struct pi_live *l, size_t i)
{
	if (i < l->first_frame)
		i = l->first_frame;
	if (i > l->last_frame)
		i = l->last_frame;
	if (pi_monitor_replay_load(l->m, l->replay, i, &l->meters) != 0) {
		snprintf(l->message, sizeof l->message, "%s", l->m->error);
		/* The table was kept: show the refresh that is there. */
		pi_monitor_replay_load(l->m, l->replay, l->frame, &l->meters);
		return false;
	}
	l->frame = i;
	return true;
}

int pi_live_replay_start(struct pi_live *l)
{
	int status = pi_monitor_replay_load(l->m, l->replay, l->frame, &l->meters);
	if (!status && l->replay->damaged)
		say(l, "damaged refreshes were skipped (see the warning on stderr)");
	return status;
}

static void step(struct pi_live *l, long by)
{
	if (by < 0 && l->frame == l->first_frame) {
		say(l, "this is the first refresh of the replay");
		return;
	}
	if (by > 0 && l->frame == l->last_frame) {
		say(l, "this is the last refresh of the replay");
		return;
	}
	show(l, by < 0 ? l->frame - 1 : l->frame + 1);
}

void pi_live_replay_goto(struct pi_live *l, const char *text)
{
	double t;
	if (!pi_replay_parse_time(text, l->replay->frames[l->frame].realtime, &t)) {
		say(l, "not a time: give HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS]");
		return;
	}
	/* The last refresh taken by then, in the second named (or the
	 * first, before it). */
	if (t == (double)(long long)t)
		t += 0.999999;
	size_t i = pi_replay_at_or_before(l->replay, t);
	if (show(l, i) && l->replay->frames[l->frame].realtime > t + 1)
		say(l, "the replay begins after that time: its first refresh");
}

/* The snapshot page, from the recording: the row's every column, and
 * the findings about its process. */
static void open_detail(struct pi_live *l)
{
	struct pi_monitor *m = l->m;
	if (l->sel >= m->view.n) {
		say(l, "no task selected");
		return;
	}
	const struct pi_row *r = &m->view.rows[l->sel];
	struct pi_snapview *d = &l->snap;
	struct pi_buf text = PI_BUF_INIT, cell = PI_BUF_INIT;
	char when[64];

	memset(d, 0, sizeof *d);
	d->pid = r->proc->pid;
	d->tid = r->thread_row ? r->task->facts.tid : 0;
	pi_replay_format_time(m->table.realtime_seconds, when, sizeof when);
	pi_buf_printf(&text, "pinspect: %s %d (", r->thread_row ? "thread" : "process",
		      (int)(r->thread_row ? r->task->facts.tid : r->proc->pid));
	const char *comm = pi_task_comm(&m->table, r->task);
	pi_escape_text(&text, comm, strlen(comm));
	pi_buf_printf(&text, "), as recorded at %s (refresh %zu of %zu)\n\n", when, l->frame + 1,
		      l->replay->nframes);
	pi_buf_puts(&text, "COLUMNS\n");
	const struct pi_column_set *every = pi_columns_every();
	struct pi_cell_context cx = { PI_COMMAND_MAX };
	for (unsigned i = 0; i < every->n; i++) {
		enum pi_column c = every->ids[i];
		if (c == PI_COL_WAITS)
			continue;
		pi_buf_reset(&cell);
		pi_column_format_in(c, &m->table, r, &cx, &cell);
		pi_buf_printf(&text, "  %-14s %s\n", pi_column_title(c, r->thread_row),
			      cell.data ? cell.data : "");
	}
	pi_buf_puts(&text, "\nFINDINGS\n");
	struct pi_finding *f;
	size_t nf = pi_table_findings(&m->table, &f), shown = 0;
	for (size_t i = 0; i < nf; i++) {
		if (f[i].pid != r->proc->pid || !f[i].message)
			continue;
		pi_buf_puts(&text, "  ");
		pi_escape_text(&text, f[i].message, strlen(f[i].message));
		pi_buf_putc(&text, '\n');
		shown++;
	}
	pi_table_findings_free(f, nf);
	if (!shown)
		pi_buf_puts(&text, "  none\n");
	pi_buf_puts(&text, "\nA replay shows what the recording holds: the stacks, memory map and "
		    "locks of a snapshot are not recorded.\n");

	const char *s = text.data;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		pi_strv_push(&d->lines, s, n);
		s += n + (nl ? 1 : 0);
	}
	d->section = pi_xcalloc(d->lines.n ? d->lines.n : 1, 1);
	pi_buf_free(&text);
	pi_buf_free(&cell);
	l->page = PI_PAGE_DETAIL;
}

bool pi_live_replay_detail_key(struct pi_live *l, int key)
{
	switch (key) {
	case 27: case 'q': case KEY_BACKSPACE: case KEY_UP: case KEY_DOWN: case KEY_PPAGE:
	case 'b': case KEY_NPAGE: case ' ': case KEY_HOME: case 'g': case KEY_END: case 'G':
	case KEY_LEFT: case KEY_RIGHT: case '\t': case KEY_BTAB: case KEY_RESIZE:
		return true;
	default:
		snprintf(l->snap.message, sizeof l->snap.message,
			 "a replay reads nothing: this page is what was recorded (q goes back)");
		return false;
	}
}

bool pi_live_replay_key(struct pi_live *l, int key, bool *rebuild)
{
	*rebuild = false;
	switch (key) {
	case 't':
		step(l, -1);
		break;
	case 'T':
		step(l, 1);
		break;
	case KEY_HOME:
		show(l, l->first_frame);
		break;
	case KEY_END:
		show(l, l->last_frame);
		break;
	case 'b':
		pi_prompt_start(&l->prompt, PI_PROMPT_TIME, "");
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		open_detail(l);
		return true;
	case 'k':
	case KEY_F(9):
	case KEY_F(7):
	case KEY_F(8):
	case ']':
	case '[':
		say(l, "a replay acts on no process: k and renice do nothing here");
		return true;
	case 'd':
	case 's':
	case 'Z':
		say(l, "a replay does not refresh: t and T step through it, b goes to a time");
		return true;
	default:
		return false;
	}
	*rebuild = true;
	return true;
}

void pi_live_replay_status(const struct pi_live *l, struct pi_buf *out)
{
	char when[64];
	pi_replay_format_time(l->replay->frames[l->frame].realtime, when, sizeof when);
	pi_buf_printf(out, "; REPLAY %zu of %zu, %s (t T b Home End)", l->frame + 1,
		      l->replay->nframes, when);
}
