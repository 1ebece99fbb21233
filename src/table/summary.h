/* summary — the lines above the table: time, uptime and load; tasks by
 * state; hung tasks against both thresholds; zombies and the parents
 * holding them; deadlocks, and when they were looked for. The live view
 * and batch text print the same lines. */
#ifndef PI_TABLE_SUMMARY_H
#define PI_TABLE_SUMMARY_H

#include <stddef.h>

#include "table/columns.h"
#include "table/table.h"

enum { PI_SUMMARY_LINES = 5 };

struct pi_summary {
	struct pi_buf line[PI_SUMMARY_LINES];	/* escaped: safe to show */
	enum pi_style style[PI_SUMMARY_LINES];	/* a problem line stands out */
	size_t n;
};

/* Fills s (whose buffers it reuses) from the last sample. */
void pi_table_summary(struct pi_table *t, struct pi_summary *s);
void pi_summary_free(struct pi_summary *s);

#endif
