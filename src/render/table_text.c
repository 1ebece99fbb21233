#include "render/table_text.h"

#include <stdlib.h>
#include <string.h>

#include "table/columns.h"
#include "table/summary.h"
#include "util/escape.h"
#include "util/xalloc.h"

void pi_render_view_line(struct pi_buf *out, const struct pi_table *t, const struct pi_view *v,
			 const struct pi_view_options *o)
{
	size_t total = o->threads ? t->ntasks : t->nprocs;
	const struct pi_column_info *sort = pi_column(o->sort);

	pi_buf_printf(out, "Showing %zu of %zu %s", v->n, total,
		      o->threads ? (total == 1 ? "thread" : "threads")
				 : (total == 1 ? "process" : "processes"));
	if (o->tree)
		pi_buf_puts(out, " as a tree");
	pi_buf_printf(out, ", by %s (%s first)", sort->title,
		      o->descending ? "biggest" : "smallest");
	if (o->problems_only)
		pi_buf_puts(out, "; problems only");
	if (o->filter && o->filter[0]) {
		pi_buf_puts(out, "; filter \"");
		pi_escape_text(out, o->filter, strlen(o->filter));
		pi_buf_puts(out, "\"");
	}
}

void pi_render_table_text(struct pi_buf *out, struct pi_table *t, const struct pi_view *v,
			  const struct pi_view_options *o)
{
	struct pi_summary s = { 0 };
	struct pi_buf cell = PI_BUF_INIT;

	pi_table_summary(t, &s);
	for (size_t i = 0; i < s.n; i++)
		pi_buf_printf(out, "%s\n", s.line[i].data);
	pi_summary_free(&s);
	pi_render_view_line(out, t, v, o);
	pi_buf_puts(out, "\n\n");

	for (int c = 0; c < PI_COL_COUNT; c++) {
		const struct pi_column_info *ci = pi_column((enum pi_column)c);
		const char *title = c == PI_COL_PID && o->threads ? "TID" : ci->title;
		if (c)
			pi_buf_putc(out, ' ');
		pi_cell_fit(out, title, ci->width, ci->right);
	}
	pi_buf_putc(out, '\n');
	/* A process's command line in full (to its cap) once; a process
	 * with thousands of threads would repeat it in every row. */
	bool *shown = pi_xcalloc(t->nprocs ? t->nprocs : 1, sizeof *shown);
	for (size_t r = 0; r < v->n; r++) {
		const struct pi_row *row = &v->rows[r];
		size_t proc = (size_t)(row->proc - t->procs);
		for (int c = 0; c < PI_COL_COUNT; c++) {
			const struct pi_column_info *ci = pi_column((enum pi_column)c);
			pi_buf_reset(&cell);
			if (c == PI_COL_COMMAND)
				pi_column_command(row, shown[proc] ? PI_COMMAND_REPEAT_MAX : PI_COMMAND_MAX,
						  &cell);
			else
				pi_column_format((enum pi_column)c, t, row, &cell);
			if (c)
				pi_buf_putc(out, ' ');
			pi_cell_fit(out, cell.data ? cell.data : "", ci->width, ci->right);
		}
		pi_buf_putc(out, '\n');
		shown[proc] = true;
	}
	free(shown);
	pi_buf_free(&cell);
}
