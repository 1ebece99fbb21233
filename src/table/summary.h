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

/* Fills s (whose buffers it reuses) from the last sample, in full words
 * (batch text prints them whole). */
void pi_table_summary(struct pi_table *t, struct pi_summary *s);
/* The same, for a screen width columns wide: a line that would be cut
 * there says the same in brief words (state letters, "> 10s"), so an
 * 80-column terminal still shows every count. */
void pi_table_summary_fit(struct pi_table *t, struct pi_summary *s, size_t width);
void pi_summary_free(struct pi_summary *s);

#endif
