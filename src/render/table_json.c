#include "render/table_json.h"

#include <stdlib.h>
#include <string.h>

#include "render/json.h"
#include "table/columns.h"
#include "util/xalloc.h"

static void counts(struct pi_jw *w, const struct pi_table *t)
{
	const struct pi_table_counts *c = &t->counts;
	pi_jw_key(w, "counts");
	pi_jw_object(w);
	pi_jw_ku64(w, "processes", c->processes);
	pi_jw_ku64(w, "threads", c->threads);
	pi_jw_ku64(w, "running", c->running);
	pi_jw_ku64(w, "sleeping", c->sleeping);
	pi_jw_ku64(w, "uninterruptible", c->uninterruptible);
	pi_jw_ku64(w, "hung", c->hung);
	pi_jw_ku64(w, "stopped", c->stopped);
	pi_jw_ku64(w, "traced", c->traced);
	pi_jw_ku64(w, "zombie", c->zombie);
	pi_jw_ku64(w, "idle", c->idle);
	pi_jw_ku64(w, "other", c->other);
	pi_jw_ku64(w, "zombie_parents", c->zombie_parents);
	pi_jw_ku64(w, "deadlocks", c->deadlocks);
	pi_jw_ku64(w, "deadlocked_threads", c->deadlocked);
	pi_jw_ku64(w, "locks_not_checked", t->deadlocks.not_checked);
	pi_jw_object_end(w);
}

/* A row: its columns' keys and values, as the registry writes them
 * (table/columns.c), in the order chosen. */
static void row_object(struct pi_jw *w, struct pi_table *t, const struct pi_row *r,
		       const struct pi_column_set *cols, bool repeat)
{
	/* The command line as the table keeps it (PI_CMDLINE_KEEP bytes),
	 * shorter in a process's rows after its first. */
	struct pi_cell_context cx = { repeat ? PI_COMMAND_REPEAT_MAX : PI_COMMAND_MAX };

	pi_jw_object(w);
	for (unsigned i = 0; i < cols->n; i++)
		pi_column_json(cols->ids[i], w, t, r, &cx);
	pi_jw_object_end(w);
}

void pi_render_table_json(struct pi_jw *w, struct pi_table *t, const struct pi_view *v,
			  const struct pi_view_options *o, const struct pi_finding *findings,
			  size_t nfindings)
{
	pi_jw_object(w);
	pi_jw_ki64(w, "schema_version", PI_JSON_SCHEMA_VERSION);
	pi_jw_kseconds(w, "snapshot_time", t->realtime_seconds);
	pi_jw_kseconds(w, "uptime_seconds", t->uptime_seconds);
	pi_jw_key(w, "load_average");
	if (t->load_known) {
		pi_jw_array(w);
		for (int i = 0; i < 3; i++)
			pi_jw_number(w, t->load[i], 2);
		pi_jw_array_end(w);
	} else {
		pi_jw_null(w);
	}
	pi_jw_kseconds(w, "hung_after_seconds", t->opt.hung_after_seconds);
	pi_jw_key(w, "hung_task_timeout_secs");
	t->hung_task_timeout_secs >= 0 ? pi_jw_i64(w, t->hung_task_timeout_secs) : pi_jw_null(w);

	pi_jw_key(w, "view");
	pi_jw_object(w);
	pi_jw_kbool(w, "threads", o->threads);
	pi_jw_kbool(w, "problems_only", o->problems_only);
	pi_jw_key(w, "top_pid");
	t->opt.only_pid ? pi_jw_i64(w, t->opt.only_pid) : pi_jw_null(w);
	pi_jw_kstring(w, "sort", pi_column(o->sort)->key);
	pi_jw_kbool(w, "descending", o->descending);
	pi_jw_object_end(w);
	counts(w, t);

	pi_jw_key(w, "tasks");
	pi_jw_array(w);
	const struct pi_column_set *cols = o->columns ? o->columns : pi_columns_all();
	bool *shown = pi_xcalloc(t->nprocs ? t->nprocs : 1, sizeof *shown);
	for (size_t i = 0; i < v->n; i++) {
		size_t proc = (size_t)(v->rows[i].proc - t->procs);
		row_object(w, t, &v->rows[i], cols, shown[proc]);
		shown[proc] = true;
	}
	free(shown);
	pi_jw_array_end(w);

	pi_jw_key(w, "findings");
	pi_jw_array(w);
	for (size_t i = 0; i < nfindings; i++)
		pi_json_finding(w, &findings[i]);
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}
