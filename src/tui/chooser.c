#include "tui/chooser.h"

#include <stdio.h>
#include <string.h>

#include "table/columns.h"
#include "tui/line.h"

/* The title line and the keys above the list, the message below it. */
enum { ABOVE = 3, BELOW = 1 };

void pi_chooser_open(struct pi_chooser *c, const struct pi_column_set *shown)
{
	int n = 0;
	memset(c, 0, sizeof *c);
	for (unsigned i = 0; i < shown->n; i++) {
		c->order[n] = shown->ids[i];
		c->on[n++] = true;
	}
	for (int col = 0; col < PI_COL_COUNT; col++)
		if (!pi_columns_has(shown, (enum pi_column)col))
			c->order[n++] = (enum pi_column)col;
}

void pi_chooser_columns(const struct pi_chooser *c, struct pi_column_set *out)
{
	out->n = 0;
	for (int i = 0; i < PI_COL_COUNT; i++)
		if (c->on[i])
			out->ids[out->n++] = c->order[i];
}

static int body_rows(const struct pi_screen *s)
{
	int rows = s->rows - ABOVE - BELOW;
	return rows > 1 ? rows : 1;
}

void pi_chooser_draw(const struct pi_chooser *c, struct pi_screen *s)
{
	struct pi_line l = { 0 };
	char text[512];
	int body = body_rows(s);

	erase();
	pi_line_add(&l, "Columns: the table shows the checked ones, in this order", A_BOLD);
	pi_line_draw(&l, 0, 0, s->cols, A_NORMAL);
	pi_line_reset(&l);
	pi_line_add(&l, "space: show/hide  [ ]: move up/down  s: save for next time  Esc q: back",
		    pi_screen_bar(s));
	pi_line_draw(&l, 1, 0, s->cols, pi_screen_bar(s));
	for (int y = 0; y < body && c->top + y < PI_COL_COUNT; y++) {
		int i = c->top + y;
		const struct pi_column_info *ci = pi_column(c->order[i]);
		snprintf(text, sizeof text, "%s %-14s %-8s %s", c->on[i] ? "[x]" : "[ ]", ci->name,
			 ci->title, ci->help);
		pi_line_reset(&l);
		pi_line_add(&l, text, i == c->cursor ? A_REVERSE : A_NORMAL);
		pi_line_draw(&l, ABOVE + y, 0, s->cols, i == c->cursor ? A_REVERSE : A_NORMAL);
	}
	if (c->message[0]) {
		pi_line_reset(&l);
		pi_line_add(&l, c->message, A_BOLD);
		pi_line_draw(&l, s->rows - 1, 0, s->cols, A_NORMAL);
	}
	pi_line_free(&l);
}

static int shown_count(const struct pi_chooser *c)
{
	int n = 0;
	for (int i = 0; i < PI_COL_COUNT; i++)
		n += c->on[i];
	return n;
}

/* Swaps the column under the cursor with its neighbour (by), within the
 * columns shown or within those hidden. */
static bool move_column(struct pi_chooser *c, int by)
{
	int to = c->cursor + by;
	if (to < 0 || to >= PI_COL_COUNT || c->on[to] != c->on[c->cursor])
		return false;
	enum pi_column col = c->order[to];
	c->order[to] = c->order[c->cursor];
	c->order[c->cursor] = col;
	c->cursor = to;
	return true;
}

/* Shows or hides the column under the cursor: a column shown goes to the
 * end of those shown, one hidden to the top of those hidden. */
static bool toggle(struct pi_chooser *c)
{
	int i = c->cursor;
	if (c->on[i] && shown_count(c) == 1) {
		snprintf(c->message, sizeof c->message, "the table needs one column at least");
		return false;
	}
	enum pi_column col = c->order[i];
	bool on = !c->on[i];
	int shown = shown_count(c);
	/* Take it out, then put it back where it now belongs. */
	memmove(&c->order[i], &c->order[i + 1], (size_t)(PI_COL_COUNT - 1 - i) * sizeof c->order[0]);
	memmove(&c->on[i], &c->on[i + 1], (size_t)(PI_COL_COUNT - 1 - i) * sizeof c->on[0]);
	int at = on ? shown : shown - 1;
	memmove(&c->order[at + 1], &c->order[at], (size_t)(PI_COL_COUNT - 1 - at) * sizeof c->order[0]);
	memmove(&c->on[at + 1], &c->on[at], (size_t)(PI_COL_COUNT - 1 - at) * sizeof c->on[0]);
	c->order[at] = col;
	c->on[at] = on;
	c->cursor = at;
	snprintf(c->message, sizeof c->message, "%s %s", pi_column(col)->title,
		 on ? "shown" : "hidden");
	return true;
}

enum pi_chooser_result pi_chooser_key(struct pi_chooser *c, const struct pi_screen *s, int key)
{
	enum pi_chooser_result r = PI_CHOOSER_NOTHING;
	int body = body_rows(s);

	c->message[0] = '\0';
	switch (key) {
	case 27:	/* Esc */
	case 'q':
	case KEY_F(2):
	case KEY_F(10):
		return PI_CHOOSER_CLOSE;
	case KEY_UP:
	case 'k':
		if (c->cursor > 0)
			c->cursor--;
		break;
	case KEY_DOWN:
	case 'j':
		if (c->cursor + 1 < PI_COL_COUNT)
			c->cursor++;
		break;
	case KEY_HOME:
		c->cursor = 0;
		break;
	case KEY_END:
		c->cursor = PI_COL_COUNT - 1;
		break;
	case ' ':
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (toggle(c))
			r = PI_CHOOSER_CHANGED;
		break;
	case '[':
	case '-':
	case KEY_F(7):
		if (move_column(c, -1))
			r = PI_CHOOSER_CHANGED;
		break;
	case ']':
	case '+':
	case KEY_F(8):
		if (move_column(c, 1))
			r = PI_CHOOSER_CHANGED;
		break;
	case 's':
	case 'S':
		return PI_CHOOSER_SAVE;
	default:
		break;
	}
	if (c->cursor < c->top)
		c->top = c->cursor;
	if (c->cursor >= c->top + body)
		c->top = c->cursor + 1 - body;
	return r;
}
