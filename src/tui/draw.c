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

enum { SUMMARY_ROWS = PI_SUMMARY_LINES, ABOVE = SUMMARY_ROWS + 2, BELOW = 1, MIN_COMMAND = 20,
       FLEX_MAX = 60 };

size_t pi_live_body_rows(const struct pi_live *l)
{
	int rows = l->screen.rows - ABOVE - BELOW;
	return rows > 1 ? (size_t)rows : 1;
}

/* Where the table's columns go on this screen: which are shown, and how
 * wide each is. */
struct layout {
	const struct pi_column_set *set;
	bool on[PI_COL_COUNT];
	int width[PI_COL_COUNT];	/* 0: the rest of the line (the last column) */
};

/* A column that takes the rest of the line (the command). */
static bool flexible(enum pi_column c)
{
	return pi_column(c)->width == 0;
}

/* What a column would take with room to spare: what its title and the
 * rows on screen need, up to its cap; a flexible column not at the end
 * of the line gets a share of its own. */
static void measure(struct pi_live *l, const struct pi_column_set *set, int want[])
{
	struct pi_monitor *m = l->m;
	struct pi_buf cell = PI_BUF_INIT;
	size_t body = pi_live_body_rows(l);

	for (unsigned i = 0; i < set->n; i++) {
		const struct pi_column_info *ci = pi_column(set->ids[i]);
		int w = (int)pi_text_width(pi_column_title(set->ids[i], m->vo.threads));
		want[i] = w > ci->min_width ? w : ci->min_width;
		int cap = ci->max_width ? ci->max_width : flexible(set->ids[i]) ? FLEX_MAX : 0;
		for (size_t r = l->top; r < m->view.n && r < l->top + body; r++) {
			pi_buf_reset(&cell);
			pi_column_format(set->ids[i], &m->table, &m->view.rows[r], &cell);
			int cw = (int)pi_text_width(cell.data ? cell.data : "");
			if (cap && cw > cap)
				cw = cap;
			if (cw > want[i])
				want[i] = cw;
		}
	}
	pi_buf_free(&cell);
}

/* The width a column keeps before others are dropped: its usual one, or
 * less when it needs less. */
static int keep_width(enum pi_column c, int want)
{
	const struct pi_column_info *ci = pi_column(c);
	int keep = flexible(c) ? MIN_COMMAND : ci->width;
	if (keep < ci->min_width)
		keep = ci->min_width;
	return keep < want ? keep : want;
}

/* Every column takes what it wants when there is room. When there is
 * not, the columns that matter least (the highest drop) shrink first, to
 * their usual width and then to their least; then they are dropped, one
 * at a time, until the last column (the command) keeps MIN_COMMAND. A
 * column of drop 0 is never dropped: a screen too narrow for those is
 * cut at its edge, and scrolls sideways. */
static void choose_columns(struct pi_live *l, struct layout *lay)
{
	const struct pi_column_set *set = lay->set;
	int cols = l->screen.cols;
	int want[PI_COL_COUNT];

	measure(l, set, want);
	for (unsigned i = 0; i < set->n; i++)
		lay->on[i] = true;
	for (;;) {
		int last = -1, need = 0;
		for (unsigned i = 0; i < set->n; i++)
			if (lay->on[i])
				last = (int)i;
		for (unsigned i = 0; i < set->n; i++) {
			if (!lay->on[i])
				continue;
			bool rest = (int)i == last && flexible(set->ids[i]);
			lay->width[i] = rest ? 0 : want[i];
			need += (rest ? MIN_COMMAND : want[i]) + ((int)i != last);
		}
		for (int pass = 0; pass < 2 && need > cols; pass++)
			for (int d = 10; d >= 0 && need > cols; d--)
				for (int i = (int)set->n - 1; i >= 0 && need > cols; i--) {
					const struct pi_column_info *ci = pi_column(set->ids[i]);
					if (!lay->on[i] || ci->drop != d || lay->width[i] == 0)
						continue;
					/* Never narrower than its title. */
					int title = (int)pi_text_width(pi_column_title(set->ids[i],
										  l->m->vo.threads));
					int floor = pass == 0 ? keep_width(set->ids[i], want[i]) : ci->min_width;
					if (floor < title)
						floor = title;
					int cut = lay->width[i] - floor;
					if (cut > need - cols)
						cut = need - cols;
					if (cut > 0) {
						lay->width[i] -= cut;
						need -= cut;
					}
				}
		if (need <= cols)
			return;
		int drop = -1;
		for (unsigned i = 0; i < set->n; i++) {
			int d = pi_column(set->ids[i])->drop;
			if (lay->on[i] && d > 0 && (drop < 0 || d >= pi_column(set->ids[drop])->drop))
				drop = (int)i;
		}
		if (drop < 0)
			return;
		lay->on[drop] = false;
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

static void draw_titles(struct pi_live *l, struct pi_line *line, const struct layout *lay)
{
	attr_t bar = pi_screen_bar(&l->screen);
	pi_line_reset(line);
	for (unsigned i = 0; i < lay->set->n; i++) {
		if (!lay->on[i])
			continue;
		enum pi_column c = lay->set->ids[i];
		attr_t a = bar | (c == l->m->vo.sort ? A_BOLD | A_UNDERLINE : 0);
		if (line->n)
			pi_line_add(line, " ", bar);
		pi_line_add_fit(line, pi_column_title(c, l->m->vo.threads), lay->width[i],
				pi_column(c)->right, a);
	}
	pi_line_draw(line, SUMMARY_ROWS + 1, l->hscroll, l->screen.cols, bar);
}

static void draw_rows(struct pi_live *l, struct pi_line *line, const struct layout *lay)
{
	struct pi_monitor *m = l->m;
	struct pi_buf cell = PI_BUF_INIT;
	size_t body = pi_live_body_rows(l);

	for (size_t y = 0; y < body; y++) {
		size_t r = l->top + y;
		pi_line_reset(line);
		if (r < m->view.n) {
			for (unsigned i = 0; i < lay->set->n; i++) {
				if (!lay->on[i])
					continue;
				enum pi_column c = lay->set->ids[i];
				pi_buf_reset(&cell);
				enum pi_style st = pi_column_format(c, &m->table, &m->view.rows[r], &cell);
				if (line->n)
					pi_line_add(line, " ", A_NORMAL);
				pi_line_add_fit(line, cell.data ? cell.data : "", lay->width[i],
						pi_column(c)->right, pi_screen_attr(&l->screen, st));
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
				"t: tree  < >: sort  F2: columns  ?: help  q: quit");
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
	struct layout lay = { .set = &l->m->columns };

	erase();
	choose_columns(l, &lay);
	draw_summary(l, &line);
	if (l->screen.rows > SUMMARY_ROWS + 1)
		draw_view_line(l, &line);
	if (l->screen.rows > SUMMARY_ROWS + 2)
		draw_titles(l, &line, &lay);
	if (l->screen.rows > ABOVE + BELOW)
		draw_rows(l, &line, &lay);
	draw_footer(l, &line);
	pi_line_free(&line);
}
