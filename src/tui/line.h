/* line — one screen line built as cells (a code point and its
 * attributes each), so that it can be cut and scrolled sideways at any
 * column and drawn in one pass. Text must be escaped already. */
#ifndef PI_TUI_LINE_H
#define PI_TUI_LINE_H

#include <curses.h>
#include <stddef.h>

struct pi_cell {
	char ch[5];	/* one UTF-8 sequence, NUL-terminated */
	attr_t attr;
};

struct pi_line {
	struct pi_cell *cells;
	size_t n, cap;
};

void pi_line_reset(struct pi_line *l);
void pi_line_free(struct pi_line *l);
/* Appends text, a cell per code point. */
void pi_line_add(struct pi_line *l, const char *text, attr_t attr);
/* Appends text padded or cut to width cells (right-aligned if right). */
void pi_line_add_fit(struct pi_line *l, const char *text, int width, int right, attr_t attr);
/* Line-drawing cells, drawn as the terminal's (ACS) lines. */
enum pi_line_char { PI_LINE_VERTICAL = 1, PI_LINE_TEE, PI_LINE_CORNER, PI_LINE_HORIZONTAL };
void pi_line_add_char(struct pi_line *l, enum pi_line_char c, attr_t attr);

/* Adds attr to every cell (e.g. A_REVERSE for the selected row). */
void pi_line_attr(struct pi_line *l, attr_t attr);

/* Draws cells [offset, offset + width) at row y, filling the rest of the
 * row with spaces drawn with fill. */
void pi_line_draw(const struct pi_line *l, int y, size_t offset, int width, attr_t fill);

#endif
