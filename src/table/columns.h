/* columns — the registry of the table's columns: one entry per column
 * with its name (as typed in -o), title, widths, alignment, priority on
 * a narrow screen, JSON key and type, what it needs read, help text, how
 * its cell is written (escaped, in words where it flags something), its
 * JSON value, and how rows sort by it. The live view, batch text and
 * batch JSON all render from it, so all three say the same things; a new
 * column is one entry here and its three small functions. */
#ifndef PI_TABLE_COLUMNS_H
#define PI_TABLE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "render/jsonw.h"
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

/* A column's JSON value, when known (unknown is always null). */
enum pi_json_type {
	PI_JSON_INT,
	PI_JSON_NUMBER,
	PI_JSON_STRING,
	PI_JSON_BOOL,
	PI_JSON_OBJECT,
	PI_JSON_ARRAY,
};

/* Where a cell is written: how much of a command line it may show
 * (batch output shows a process's command line whole once per refresh,
 * and shorter in its other rows). */
struct pi_cell_context {
	size_t command_max;
};

struct pi_column_info {
	const char *name;	/* as typed in -o and listed by --list-columns */
	const char *title;	/* in the header line */
	const char *key;	/* its JSON key: "cpu_percent" */
	enum pi_json_type type;
	int min_width;		/* a narrow screen shrinks it to this, no less */
	int width;		/* it keeps this much before others are dropped; 0: the
				 * rest of the line (the command) */
	int max_width;		/* the live view gives it at most this (0: no cap) */
	bool right;		/* numbers line up on the right */
	bool descending;	/* sort biggest first when first chosen */
	unsigned detail;	/* PI_DETAIL_* its cell needs read (and sorting by it, for every task) */
	int drop;		/* narrow screens drop columns of higher drop first; 0 never */
	const char *help;	/* one line, for --list-columns, the chooser and pinspect(1) */
	/* It costs a pass over the machine's descriptors: shown only when
	 * named, never in JSON's every-column rows. */
	bool on_demand;
	enum pi_style (*text)(struct pi_table *t, const struct pi_row *r,
			      const struct pi_cell_context *cx, struct pi_buf *out);
	void (*json)(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		     const struct pi_cell_context *cx);
	int (*compare)(const struct pi_row *a, const struct pi_row *b);
};

const struct pi_column_info *pi_column(enum pi_column c);

/* The column of a name as typed in -o, in any case: its name or its JSON
 * key. Returns false when there is none. */
bool pi_column_by_name(const char *name, size_t len, enum pi_column *out);

/* The text table's columns without -o, and every column (the JSON
 * document's rows without -o). */
const struct pi_column_set *pi_columns_default(void);
const struct pi_column_set *pi_columns_all(void);
/* Every column, the on-demand ones too (the names -o takes). */
const struct pi_column_set *pi_columns_every(void);

/* Parses an -o list: names separated by commas ("pid,state,wchan"); a
 * list beginning with '+' adds its columns to base. Names in any case;
 * a column named twice is shown once. Returns 0, or -1 with a message
 * (naming what is wrong, and the valid names for an unknown one) in
 * why. Pure; bounded by the list's length. */
int pi_columns_parse(const char *list, const struct pi_column_set *base,
		     struct pi_column_set *out, struct pi_buf *why);

/* The names of a set, comma-separated ("pid,state,command"). */
void pi_columns_format(const struct pi_column_set *set, struct pi_buf *out);
/* Is c in the set? */
bool pi_columns_has(const struct pi_column_set *set, enum pi_column c);
/* What the set's cells need read (PI_DETAIL_*). */
unsigned pi_columns_detail(const struct pi_column_set *set);

/* --list-columns: a line per column ("pid  PID  process ID ..."), in
 * the registry's order; or an array of objects with name, title, key,
 * type and help. */
void pi_columns_list_text(struct pi_buf *out);
void pi_columns_list_json(struct pi_jw *w);

/* "integer", "number", "string", "boolean", "object", "array". */
const char *pi_json_type_name(enum pi_json_type type);

/* The title of a column in these rows ("TID" for the PID column of a
 * row per thread). */
const char *pi_column_title(enum pi_column c, bool threads);

/* Appends the cell's text, escaped (safe to show on a terminal), to out
 * and returns its style. The command cell of a tree row begins with the
 * tree's lines. pi_column_format shows the command to PI_COMMAND_MAX. */
enum pi_style pi_column_format(enum pi_column c, struct pi_table *t, const struct pi_row *r,
			       struct pi_buf *out);
enum pi_style pi_column_format_in(enum pi_column c, struct pi_table *t, const struct pi_row *r,
				  const struct pi_cell_context *cx, struct pi_buf *out);
/* Writes the column's key and value (null when unknown). */
void pi_column_json(enum pi_column c, struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		    const struct pi_cell_context *cx);

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
