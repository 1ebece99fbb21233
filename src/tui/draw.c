/* The table page: the meters, the summary lines, a line saying what is
 * shown, the column titles, the rows, a line for the selection, a prompt
 * or a message, and the F-key bar at the bottom; and the sort menu. */
#include <stdio.h>
#include <string.h>

#include "render/table_text.h"
#include "table/columns.h"
#include "table/summary.h"
#include "tui/line.h"
#include "tui/live.h"
#include "tui/replay.h"
#include "tui/meters.h"
#include "util/escape.h"

enum { SUMMARY_ROWS = PI_SUMMARY_LINES, BELOW = 2, MIN_COMMAND = 20, FLEX_MAX = 60,
       METER_LINES_MAX = 5 };

/* Meters take two lines on an 80x24 screen, up to five on a tall one
 * (for many CPUs), none on a tiny one. */
static unsigned meter_lines(const struct pi_live *l, struct pi_buf *lines)
{
	unsigned max = l->screen.rows >= 40 ? METER_LINES_MAX : l->screen.rows >= 20 ? 2 : 0;
	struct pi_buf scratch[METER_LINES_MAX] = { PI_BUF_INIT };
	unsigned n = pi_meters_lines(&l->meters, l->screen.cols, max, lines ? lines : scratch);
	for (unsigned i = 0; i < METER_LINES_MAX; i++)
		pi_buf_free(&scratch[i]);
	return n;
}

int pi_live_rows_above(const struct pi_live *l)
{
	return (int)meter_lines(l, NULL) + SUMMARY_ROWS + 2;
}

size_t pi_live_body_rows(const struct pi_live *l)
{
	int rows = l->screen.rows - pi_live_rows_above(l) - BELOW;
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

/* The meters, from the top; returns how many lines they took. */
static int draw_meters(struct pi_live *l, struct pi_line *line)
{
	struct pi_buf lines[METER_LINES_MAX] = { PI_BUF_INIT };
	unsigned n = meter_lines(l, lines);
	for (unsigned i = 0; i < n && (int)i < l->screen.rows; i++) {
		pi_line_reset(line);
		pi_line_add(line, lines[i].data ? lines[i].data : "", A_NORMAL);
		pi_line_draw(line, (int)i, 0, l->screen.cols, A_NORMAL);
	}
	for (unsigned i = 0; i < METER_LINES_MAX; i++)
		pi_buf_free(&lines[i]);
	return (int)n;
}

static void draw_summary(struct pi_live *l, struct pi_line *line, int y0)
{
	struct pi_summary s = { 0 };
	pi_table_summary_fit(&l->m->table, &s, l->screen.cols > 0 ? (size_t)l->screen.cols : 0);
	for (size_t i = 0; i < s.n && y0 + (int)i < l->screen.rows; i++) {
		pi_line_reset(line);
		attr_t a = i == 0 ? A_BOLD : pi_screen_attr(&l->screen, s.style[i]);
		pi_line_add(line, s.line[i].data, a);
		pi_line_draw(line, y0 + (int)i, 0, l->screen.cols, A_NORMAL);
	}
	pi_summary_free(&s);
}

static void draw_view_line(struct pi_live *l, struct pi_line *line, int y)
{
	struct pi_buf b = PI_BUF_INIT;
	char d[32];

	pi_render_view_line(&b, &l->m->table, &l->m->view, &l->m->vo);
	if (l->replay)
		pi_live_replay_status(l, &b);
	else
		pi_buf_printf(&b, "; refresh every %s", pi_short_duration(d, sizeof d, l->delay_seconds));
	if (l->gone)
		pi_buf_puts(&b, "; PROCESS EXITED");
	else if (l->paused)
		pi_buf_puts(&b, "; PAUSED (Z resumes)");
	pi_line_reset(line);
	pi_line_add(line, b.data, A_NORMAL);
	pi_line_draw(line, y, 0, l->screen.cols, A_NORMAL);
	pi_buf_free(&b);
}

/* The titles, and where each column is for the mouse. */
static void draw_titles(struct pi_live *l, struct pi_line *line, const struct layout *lay, int y)
{
	attr_t bar = pi_screen_bar(&l->screen);
	struct pi_hit_layout *h = &l->hits;
	pi_line_reset(line);
	h->n = 0;
	h->titles_y = y;
	h->hscroll = l->hscroll;
	for (unsigned i = 0; i < lay->set->n; i++) {
		if (!lay->on[i])
			continue;
		enum pi_column c = lay->set->ids[i];
		attr_t a = bar | (c == l->m->vo.sort ? A_BOLD | A_UNDERLINE : 0);
		if (line->n)
			pi_line_add(line, " ", bar);
		h->id[h->n] = c;
		h->x[h->n] = (int)line->n;
		h->w[h->n] = lay->width[i];
		h->n++;
		pi_line_add_fit(line, pi_column_title(c, l->m->vo.threads), lay->width[i],
				pi_column(c)->right, a);
	}
	pi_line_draw(line, y, l->hscroll, l->screen.cols, bar);
}

struct pi_hit pi_live_hit(const struct pi_hit_layout *h, int x, int y)
{
	struct pi_hit hit = { .kind = PI_HIT_NONE };
	if (x < 0 || y < 0)
		return hit;
	if (y == h->titles_y) {
		long at = (long)x + (long)h->hscroll;
		for (unsigned i = 0; i < h->n; i++) {
			/* A click on the space before a column is its. */
			long from = i ? h->x[i] - 1 : 0;
			if (at >= from && (h->w[i] == 0 || at < h->x[i] + h->w[i])) {
				hit.kind = PI_HIT_TITLE;
				hit.column = h->id[i];
				return hit;
			}
		}
		return hit;
	}
	if (y >= h->rows_y && (size_t)(y - h->rows_y) < h->body) {
		size_t r = h->top + (size_t)(y - h->rows_y);
		if (r < h->nrows) {
			hit.kind = PI_HIT_ROW;
			hit.row = r;
		}
	}
	return hit;
}

/* The tree's lines as pi_column_format writes them ("| |- ", "`- "). */
static void ascii_tree_prefix(const struct pi_row *r, struct pi_buf *out)
{
	for (unsigned k = 1; k < r->depth; k++)
		pi_buf_puts(out, k < 64 && (r->more >> k) & 1 ? "| " : "  ");
	pi_buf_puts(out, r->last ? "`- " : "|- ");
}

/* One piece of the tree's lines: box-drawing characters where the
 * locale is UTF-8, else the terminal's line-drawing set (ACS). */
static void tree_char(struct pi_line *line, bool utf8, enum pi_line_char c, attr_t attr)
{
	static const char *const box[] = {
		[PI_LINE_VERTICAL] = "\u2502", [PI_LINE_TEE] = "\u251c",
		[PI_LINE_CORNER] = "\u2514", [PI_LINE_HORIZONTAL] = "\u2500",
	};
	if (utf8)
		pi_line_add(line, box[c], attr);
	else
		pi_line_add_char(line, c, attr);
}

/* A tree row's command cell with lines (|- as a tee, `- as a corner) in
 * place of the ASCII ones. Returns false when the cell does not begin
 * with them (another column). */
static bool add_tree_cell(struct pi_line *line, bool utf8, const struct pi_row *r, const char *cell,
			  int width, attr_t attr)
{
	struct pi_buf ascii = PI_BUF_INIT;
	ascii_tree_prefix(r, &ascii);
	bool ours = strncmp(cell, ascii.data, ascii.len) == 0;
	if (ours) {
		size_t start = line->n;
		for (unsigned k = 1; k < r->depth; k++) {
			if (k < 64 && (r->more >> k) & 1)
				tree_char(line, utf8, PI_LINE_VERTICAL, attr);
			else
				pi_line_add(line, " ", attr);
			pi_line_add(line, " ", attr);
		}
		tree_char(line, utf8, r->last ? PI_LINE_CORNER : PI_LINE_TEE, attr);
		tree_char(line, utf8, PI_LINE_HORIZONTAL, attr);
		pi_line_add(line, " ", attr);
		int used = (int)(line->n - start);
		/* A column narrower than its lines keeps them cut. */
		if (width > 0 && used >= width)
			line->n = start + (size_t)width;
		else
			pi_line_add_fit(line, cell + ascii.len, width > 0 ? width - used : 0, 0, attr);
	}
	pi_buf_free(&ascii);
	return ours;
}

static void draw_rows(struct pi_live *l, struct pi_line *line, const struct layout *lay, int y0)
{
	struct pi_monitor *m = l->m;
	struct pi_buf cell = PI_BUF_INIT;
	size_t body = pi_live_body_rows(l);

	l->hits.rows_y = y0;
	l->hits.body = body;
	l->hits.top = l->top;
	l->hits.nrows = m->view.n;
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
				attr_t a = pi_screen_attr(&l->screen, st);
				const struct pi_row *row = &m->view.rows[r];
				bool lines = l->screen.line_chars || l->screen.utf8;
				if (!(lines && row->depth &&
				      add_tree_cell(line, l->screen.utf8, row, cell.data ? cell.data : "",
						    lay->width[i], a)))
					pi_line_add_fit(line, cell.data ? cell.data : "", lay->width[i],
							pi_column(c)->right, a);
			}
			/* A tagged process: a '*' first (in words, as htop's
			 * colour would say), and bold. */
			if (pi_live_tagged(l, m->view.rows[r].proc)) {
				pi_line_attr(line, A_BOLD);
				if (line->n && !strcmp(line->cells[0].ch, " "))
					memcpy(line->cells[0].ch, "*", 2);
			}
			if (r == l->sel)
				pi_line_attr(line, A_REVERSE);
		} else if (r == 0 && y == 0) {
			pi_line_add(line, m->vo.problems_only
					  ? "  (no problems: nothing in D, Z, T or t, no deadlock)"
					  : "  (no task matches)", A_DIM);
		}
		pi_line_draw(line, y0 + (int)y, r < m->view.n ? l->hscroll : 0, l->screen.cols,
			     r == l->sel && r < m->view.n ? A_REVERSE : A_NORMAL);
	}
	pi_buf_free(&cell);
}

/* htop's F-key bar: each key, then what it does, in eight columns. */
static void draw_fkeys(struct pi_live *l, struct pi_line *line)
{
	static const char *const keys[][2] = {
		{ "F1", "Help" }, { "F2", "Setup" }, { "F3", "Search" }, { "F4", "Filter" },
		{ "F5", "Tree" }, { "F6", "SortBy" }, { "F7", "Nice -" }, { "F8", "Nice +" },
		{ "F9", "Kill" }, { "F10", "Quit" },
	};
	attr_t bar = pi_screen_bar(&l->screen);
	pi_line_reset(line);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		pi_line_add(line, keys[i][0], A_BOLD);
		pi_line_add_fit(line, keys[i][1], 6, 0, bar);
	}
	pi_line_draw(line, l->screen.rows - 1, 0, l->screen.cols, A_NORMAL);
}

static void draw_footer(struct pi_live *l, struct pi_line *line)
{
	struct pi_buf b = PI_BUF_INIT;
	int y = l->screen.rows - 2;

	pi_line_reset(line);
	if (l->prompt.kind != PI_PROMPT_NONE) {
		pi_line_add(line, pi_prompt_label(&l->prompt), A_BOLD);
		pi_escape_text(&b, l->prompt.text, strlen(l->prompt.text));
		pi_line_add(line, b.data ? b.data : "", A_NORMAL);
		pi_line_add(line, "_", A_BLINK);
	} else if (l->message[0]) {
		pi_line_add(line, l->message, A_BOLD);
	} else {
		size_t tagged = 0;
		for (size_t i = 0; i < l->ntags; i++)
			tagged += pi_live_tagged(l, pi_table_find_proc(&l->m->table, l->tags[i].pid));
		if (l->sel < l->m->view.n) {
			const struct pi_row *r = &l->m->view.rows[l->sel];
			pi_buf_printf(&b, "Selected: %s %d (", r->thread_row ? "TID" : "PID",
				      (int)(r->thread_row ? r->task->facts.tid : r->proc->pid));
			const char *comm = pi_task_comm(&l->m->table, r->task);
			pi_escape_text(&b, comm, strlen(comm));
			pi_buf_puts(&b, ")  ");
		}
		if (tagged)
			pi_buf_printf(&b, "%zu tagged (k: signal them, F7 F8: renice, U: untag)  ", tagged);
		/* A search kept: what n and N look for. */
		if (l->search[0]) {
			pi_buf_puts(&b, "n/N: next/previous \"");
			pi_escape_text(&b, l->search, strlen(l->search));
			pi_buf_puts(&b, "\" (Esc forgets)  ");
		}
		if (l->replay)
			pi_buf_puts(&b, "t T: a refresh back, forward  b: go to a time  Home End: first, last  "
					"Enter: recorded row  V: tree  ?: help  q: quit");
		else
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
	int above = pi_live_rows_above(l);

	erase();
	choose_columns(l, &lay);
	int y = draw_meters(l, &line);
	draw_summary(l, &line, y);
	y += SUMMARY_ROWS;
	l->hits.titles_y = l->hits.rows_y = -1;
	l->hits.body = 0;
	if (l->screen.rows > y + 1)
		draw_view_line(l, &line, y);
	if (l->screen.rows > y + 2)
		draw_titles(l, &line, &lay, y + 1);
	if (l->screen.rows > above + BELOW)
		draw_rows(l, &line, &lay, above);
	if (l->screen.rows > 1)
		draw_footer(l, &line);
	draw_fkeys(l, &line);
	pi_line_free(&line);
}

void pi_live_draw_sort_menu(struct pi_live *l)
{
	struct pi_line line = { 0 };
	const struct pi_column_set *all = pi_columns_all();
	struct pi_buf b = PI_BUF_INIT;
	enum { TOP = 2 };
	int body = l->screen.rows - TOP - 1;

	erase();
	pi_line_add(&line, "Sort by: Up Down choose, Enter sorts (again: the other way round), "
			   "Esc goes back", A_BOLD);
	pi_line_draw(&line, 0, 0, l->screen.cols, A_NORMAL);
	pi_line_reset(&line);
	pi_line_add(&line, "   NAME          TITLE      WHAT IT SHOWS", pi_screen_bar(&l->screen));
	pi_line_draw(&line, 1, 0, l->screen.cols, pi_screen_bar(&l->screen));
	if (body < 1)
		body = 1;
	if (l->sort_cursor < l->sort_top)
		l->sort_top = l->sort_cursor;
	if (l->sort_cursor >= l->sort_top + body)
		l->sort_top = l->sort_cursor - body + 1;
	for (int y = 0; y < body && l->sort_top + y < (int)all->n; y++) {
		int i = l->sort_top + y;
		enum pi_column c = all->ids[i];
		pi_buf_reset(&b);
		pi_buf_printf(&b, "%s %-13s %-10s %s", c == l->m->vo.sort ? "*" : " ", pi_column(c)->name,
			      pi_column(c)->title, pi_column(c)->help);
		pi_line_reset(&line);
		pi_line_add(&line, b.data, A_NORMAL);
		if (i == l->sort_cursor)
			pi_line_attr(&line, A_REVERSE);
		pi_line_draw(&line, TOP + y, 0, l->screen.cols,
			     i == l->sort_cursor ? A_REVERSE : A_NORMAL);
	}
	pi_buf_free(&b);
	pi_line_free(&line);
}
