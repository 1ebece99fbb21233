#include "render/table_text.h"

#include <stdlib.h>
#include <string.h>

#include "sys/names.h"
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
	if (o->hide_kernel)
		pi_buf_puts(out, "; kernel threads hidden");
	if (o->only_user) {
		char *name = pi_user_name(o->user);
		pi_buf_puts(out, "; user ");
		if (name)
			pi_escape_text(out, name, strlen(name));
		else
			pi_buf_printf(out, "%u", (unsigned)o->user);
		free(name);
	}
	if (o->filter && o->filter[0]) {
		pi_buf_puts(out, "; filter \"");
		pi_escape_text(out, o->filter, strlen(o->filter));
		pi_buf_puts(out, "\"");
	}
}

/* A row's cell, as batch text shows it: a process's command line whole
 * (to its cap) in its first row, shorter in its other rows (a process
 * with thousands of threads would repeat it in every one). */
static void cell_text(struct pi_table *t, const struct pi_row *row, enum pi_column c, bool repeat,
		      struct pi_buf *cell)
{
	struct pi_cell_context cx = { repeat ? PI_COMMAND_REPEAT_MAX : PI_COMMAND_MAX };
	pi_buf_reset(cell);
	pi_column_format_in(c, t, row, &cx, cell);
}

void pi_render_table_text(struct pi_buf *out, struct pi_table *t, const struct pi_view *v,
			  const struct pi_view_options *o)
{
	const struct pi_column_set *cols = o->columns ? o->columns : pi_columns_default();
	struct pi_summary s = { 0 };
	struct pi_buf cell = PI_BUF_INIT;
	size_t width[PI_COL_COUNT];

	pi_table_summary(t, &s);
	for (size_t i = 0; i < s.n; i++)
		pi_buf_printf(out, "%s\n", s.line[i].data);
	pi_summary_free(&s);
	pi_render_view_line(out, t, v, o);
	pi_buf_puts(out, "\n\n");

	/* Every column whole: as wide as its widest cell, its title, or its
	 * usual width, whichever is more; the last is not padded. */
	bool *shown = pi_xcalloc(t->nprocs ? t->nprocs : 1, sizeof *shown);
	for (unsigned c = 0; c < cols->n; c++) {
		const struct pi_column_info *ci = pi_column(cols->ids[c]);
		size_t w = pi_text_width(pi_column_title(cols->ids[c], o->threads));
		if ((size_t)ci->width > w)
			w = (size_t)ci->width;
		width[c] = w;
	}
	/* A last column on the left is not padded: it needs no measure. */
	unsigned last = cols->n - 1;
	unsigned measured = cols->n && !pi_column(cols->ids[last])->right ? last : cols->n;
	for (size_t r = 0; r < v->n && measured; r++) {
		size_t proc = (size_t)(v->rows[r].proc - t->procs);
		for (unsigned c = 0; c < measured; c++) {
			cell_text(t, &v->rows[r], cols->ids[c], shown[proc], &cell);
			size_t w = pi_text_width(cell.data ? cell.data : "");
			if (w > width[c])
				width[c] = w;
		}
		shown[proc] = true;
	}
	memset(shown, 0, (t->nprocs ? t->nprocs : 1) * sizeof *shown);

	for (unsigned c = 0; c < cols->n; c++) {
		const struct pi_column_info *ci = pi_column(cols->ids[c]);
		if (c)
			pi_buf_putc(out, ' ');
		pi_cell_fit(out, pi_column_title(cols->ids[c], o->threads),
			    c < measured ? (int)width[c] : 0, ci->right);
	}
	pi_buf_putc(out, '\n');
	for (size_t r = 0; r < v->n; r++) {
		const struct pi_row *row = &v->rows[r];
		size_t proc = (size_t)(row->proc - t->procs);
		for (unsigned c = 0; c < cols->n; c++) {
			const struct pi_column_info *ci = pi_column(cols->ids[c]);
			cell_text(t, row, cols->ids[c], shown[proc], &cell);
			if (c)
				pi_buf_putc(out, ' ');
			pi_cell_fit(out, cell.data ? cell.data : "", c < measured ? (int)width[c] : 0,
				    ci->right);
		}
		pi_buf_putc(out, '\n');
		shown[proc] = true;
	}
	free(shown);
	pi_buf_free(&cell);
}
