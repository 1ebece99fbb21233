/* columns — the live table's columns: titles, widths, what each cell
 * says (escaped, in words where it flags something) and how rows sort by
 * it. The ncurses screen and batch text both show these cells, so both
 * say the same things. */
#ifndef PI_TABLE_COLUMNS_H
#define PI_TABLE_COLUMNS_H

#include <stdbool.h>

#include "table/view.h"
#include "util/buf.h"

/* How a cell wants to be shown; the screen maps styles to colours, and
 * the words say the same without them. */
enum pi_style {
	PI_STYLE_NORMAL,
	PI_STYLE_DIM,		/* unknown or not applicable */
	PI_STYLE_HUNG,		/* or deadlocked: as stuck */
	PI_STYLE_D,		/* uninterruptible, not (yet) hung */
	PI_STYLE_ZOMBIE,
	PI_STYLE_ZOMBIE_PARENT,
	PI_STYLE_STOPPED,
	PI_STYLE_TRACED,
	PI_STYLE_COUNT
};

struct pi_column_info {
	const char *title;	/* in the header line */
	const char *key;	/* in JSON and messages: "cpu_percent" */
	int width;		/* 0: the rest of the line */
	bool right;		/* numbers line up on the right */
	bool descending;	/* sort biggest first when first chosen */
	unsigned detail;	/* PI_DETAIL_* sorting by it needs for every task */
	int drop;		/* narrow screens hide columns of higher drop first; 0 never */
};

const struct pi_column_info *pi_column(enum pi_column c);

/* Appends the cell's text, escaped (safe to show on a terminal), to out
 * and returns its style. The command cell of a tree row begins with the
 * tree's lines. */
enum pi_style pi_column_format(enum pi_column c, struct pi_table *t, const struct pi_row *r,
			       struct pi_buf *out);

/* A row's command cell holds at most this many bytes of escaped text,
 * then says how big the command line was ("… [2,097,152 bytes, cut]").
 * Batch output, where a process's threads are rows of their own, shows
 * a command line whole (to that cap) once per process and refresh, and
 * its first PI_COMMAND_REPEAT_MAX bytes in its other rows. */
enum { PI_COMMAND_MAX = 4096, PI_COMMAND_REPEAT_MAX = 256 };

/* The command cell (as pi_column_format's) with at most max bytes of the
 * command; a cut says so. */
void pi_column_command(const struct pi_row *r, size_t max, struct pi_buf *out);

/* Orders two rows by a column, ascending; unknown values first. */
int pi_column_compare(enum pi_column c, const struct pi_row *a, const struct pi_row *b);

/* The flag of a row in words ("hung 5m12s", "deadlock with 1235",
 * "zombie of 1234"), or "" for none; returns its style. */
enum pi_style pi_row_flag_text(struct pi_table *t, const struct pi_row *r, struct pi_buf *out);

/* Appends text (escaped already) padded with spaces, or cut with a '+'
 * at its end, to width columns (one per code point); right-aligned when
 * right. width 0 appends it whole. */
void pi_cell_fit(struct pi_buf *out, const char *text, int width, bool right);

/* "812K", "12.3M", "1.5G"; "5m02s", "3.2s", "2h03m", "4d02h". */
char *pi_short_bytes(char *out, size_t size, uint64_t bytes);
char *pi_short_duration(char *out, size_t size, double seconds);

#endif
