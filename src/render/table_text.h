/* table_text — batch mode's text, like top -b: the summary lines, a line
 * saying what the rows are, the column titles, and a line per row with
 * every column (the command to PI_COMMAND_MAX bytes, shorter in a
 * process's rows after its first: table/columns.h). */
#ifndef PI_RENDER_TABLE_TEXT_H
#define PI_RENDER_TABLE_TEXT_H

#include "table/table.h"
#include "table/view.h"
#include "util/buf.h"

void pi_render_table_text(struct pi_buf *out, struct pi_table *t, const struct pi_view *v,
			  const struct pi_view_options *o);

/* "Showing 12 of 170 processes, by %CPU (biggest first); problems only":
 * shared with the live view's status line. */
void pi_render_view_line(struct pi_buf *out, const struct pi_table *t, const struct pi_view *v,
			 const struct pi_view_options *o);

#endif
