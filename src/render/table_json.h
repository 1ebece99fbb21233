/* table_json — batch mode's JSON: one document per refresh, on one line,
 * written as it is produced (render/jsonw.h). The keys are documented in
 * pinspect(1), BATCH MODE; they follow the snapshot's conventions
 * (render/json.h): null for anything unknown, never a made-up 0; seconds
 * and bytes; findings as in a snapshot. */
#ifndef PI_RENDER_TABLE_JSON_H
#define PI_RENDER_TABLE_JSON_H

#include "model.h"
#include "render/jsonw.h"
#include "table/table.h"
#include "table/view.h"

/* Writes the document (pi_jw_finish ends its line). */
void pi_render_table_json(struct pi_jw *w, struct pi_table *t, const struct pi_view *v,
			  const struct pi_view_options *o, const struct pi_finding *findings,
			  size_t nfindings);

#endif
