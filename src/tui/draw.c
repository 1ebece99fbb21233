/* The table page: the summary lines, a line saying what is shown, the
 * column titles, the rows, and a line at the bottom for the selection,
 * a prompt or a message. */
#include <stdio.h>
#include <string.h>

#include "render/table_text.h"
#include "table/columns.h"
#include "table/summary.h"
#include "tui/line.h"
#include "tui/live.h"
#include "util/escape.h"

enum { SUMMARY_ROWS = PI_SUMMARY_LINES, ABOVE = SUMMARY_ROWS + 2, BELOW = 1, MIN_COMMAND = 20 };

size_t pi_live_body_rows(const struct pi_live *l)
{
	int rows = l->screen.rows - ABOVE - BELOW;
	return rows > 1 ? (size_t)rows : 1;
}

/* Narrow screens hide the columns that matter least (the highest drop)
 * until the command has room; the flags never go. */
static void choose_columns(int cols, bool shown[PI_COL_COUNT])
{
	int width = MIN_COMMAND;
	for (int c = 0; c < PI_COL_COUNT; c++) {
		shown[c] = true;
		width += pi_column((enum pi_column)c)->width + 1;
	}
	while (width > cols) {
		int drop = -1;
		for (int c = 0; c < PI_COL_COUNT; c++)
			if (shown[c] && pi_column((enum pi_column)c)->drop > 0
			    && (drop < 0 || pi_column((enum pi_column)c)->drop
					    > pi_column((enum pi_column)drop)->drop))
				drop = c;
		if (drop < 0)
			break;
		shown[drop] = false;
		width -= pi_column((enum pi_column)drop)->width + 1;
	}
}

static void draw_summary(struct pi_live *l, struct pi_line *line)
{
	struct pi_summary s = { 0 };
	pi_table_summary(&l->m->table, &s);
	for (size_t i = 0; i < s.n && (int)i < l->screen.rows; i++) {
		pi_line_reset(line);
		attr_t a = i == 0 ? A_BOLD : pi_screen_attr(&l->screen, s.style[i]);
		pi_line_add(line, s.line[i].data, a);
		pi_line_draw(line, (int)i, 0, l->screen.cols, A_NORMAL);
	}
	pi_summary_free(&s);
}

static void draw_view_line(struct pi_live *l, struct pi_line *line)
{
	struct pi_buf b = PI_BUF_INIT;
	char d[32];

	pi_render_view_line(&b, &l->m->table, &l->m->view, &l->m->vo);
	pi_buf_printf(&b, "; refresh every %s", pi_short_duration(d, sizeof d, l->delay_seconds));
	if (l->gone)
		pi_buf_puts(&b, "; PROCESS EXITED");
	else if (l->paused)
		pi_buf_puts(&b, "; PAUSED (Z resumes)");
	pi_line_reset(line);
	pi_line_add(line, b.data, A_NORMAL);
	pi_line_draw(line, SUMMARY_ROWS, 0, l->screen.cols, A_NORMAL);
	pi_buf_free(&b);
}

static void draw_titles(struct pi_live *l, struct pi_line *line, const bool shown[])
{
	attr_t bar = pi_screen_bar(&l->screen);
	pi_line_reset(line);
	for (int c = 0; c < PI_COL_COUNT; c++) {
		if (!shown[c])
			continue;
		const struct pi_column_info *ci = pi_column((enum pi_column)c);
		const char *title = c == PI_COL_PID && l->m->vo.threads ? "TID" : ci->title;
		attr_t a = bar | (c == (int)l->m->vo.sort ? A_BOLD | A_UNDERLINE : 0);
		if (line->n)
			pi_line_add(line, " ", bar);
		pi_line_add_fit(line, title, ci->width, ci->right, a);
	}
	pi_line_draw(line, SUMMARY_ROWS + 1, l->hscroll, l->screen.cols, bar);
}

static void draw_rows(struct pi_live *l, struct pi_line *line, const bool shown[])
{
	struct pi_monitor *m = l->m;
	struct pi_buf cell = PI_BUF_INIT;
	size_t body = pi_live_body_rows(l);

	for (size_t y = 0; y < body; y++) {
		size_t r = l->top + y;
		pi_line_reset(line);
		if (r < m->view.n) {
			for (int c = 0; c < PI_COL_COUNT; c++) {
				if (!shown[c])
					continue;
				const struct pi_column_info *ci = pi_column((enum pi_column)c);
				pi_buf_reset(&cell);
				enum pi_style st = pi_column_format((enum pi_column)c, &m->table,
								    &m->view.rows[r], &cell);
				if (line->n)
					pi_line_add(line, " ", A_NORMAL);
				pi_line_add_fit(line, cell.data ? cell.data : "", ci->width, ci->right,
						pi_screen_attr(&l->screen, st));
			}
			if (r == l->sel)
				pi_line_attr(line, A_REVERSE);
		} else if (r == 0 && y == 0) {
			pi_line_add(line, m->vo.problems_only
					  ? "  (no problems: nothing in D, Z, T or t, no deadlock)"
					  : "  (no task matches)", A_DIM);
		}
		pi_line_draw(line, ABOVE + (int)y, r < m->view.n ? l->hscroll : 0, l->screen.cols,
			     r == l->sel && r < m->view.n ? A_REVERSE : A_NORMAL);
	}
	pi_buf_free(&cell);
}

static void draw_footer(struct pi_live *l, struct pi_line *line)
{
	struct pi_buf b = PI_BUF_INIT;
	int y = l->screen.rows - 1;

	pi_line_reset(line);
	if (l->prompt.kind != PI_PROMPT_NONE) {
		pi_line_add(line, pi_prompt_label(&l->prompt), A_BOLD);
		pi_escape_text(&b, l->prompt.text, strlen(l->prompt.text));
		pi_line_add(line, b.data ? b.data : "", A_NORMAL);
		pi_line_add(line, "_", A_BLINK);
	} else if (l->message[0]) {
		pi_line_add(line, l->message, A_BOLD);
	} else {
		if (l->sel < l->m->view.n) {
			const struct pi_row *r = &l->m->view.rows[l->sel];
			pi_buf_printf(&b, "Selected: %s %d (", r->thread_row ? "TID" : "PID",
				      (int)(r->thread_row ? r->task->tid : r->proc->pid));
			const char *comm = pi_task_comm(&l->m->table, r->task);
			pi_escape_text(&b, comm, strlen(comm));
			pi_buf_puts(&b, ")  ");
		}
		pi_buf_puts(&b, "Enter: snapshot  /: search  \\: filter  p: problems  H: threads  "
				"t: tree  < >: sort  ?: help  q: quit");
		pi_line_add(line, b.data, pi_screen_bar(&l->screen));
	}
	pi_line_draw(line, y, 0, l->screen.cols,
		     l->prompt.kind == PI_PROMPT_NONE && !l->message[0] ? pi_screen_bar(&l->screen)
									: A_NORMAL);
	pi_buf_free(&b);
}

void pi_live_draw_table(struct pi_live *l)
{
	struct pi_line line = { 0 };
	bool shown[PI_COL_COUNT];

	erase();
	choose_columns(l->screen.cols, shown);
	draw_summary(l, &line);
	if (l->screen.rows > SUMMARY_ROWS + 1)
		draw_view_line(l, &line);
	if (l->screen.rows > SUMMARY_ROWS + 2)
		draw_titles(l, &line, shown);
	if (l->screen.rows > ABOVE + BELOW)
		draw_rows(l, &line, shown);
	draw_footer(l, &line);
	pi_line_free(&line);
}
