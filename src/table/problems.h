/* problems — the table's flagged tasks as findings: the same kinds, the
 * same JSON (pi_json_finding) and the same manual sections as a
 * snapshot's, each in one sentence. */
#ifndef PI_TABLE_PROBLEMS_H
#define PI_TABLE_PROBLEMS_H

#include <stddef.h>

#include "model.h"
#include "table/table.h"

/* Every hung or D thread, lock cycle (those handed over to the table,
 * table/deadlocks.h), zombie, zombie-holding parent, stopped or traced
 * process, and process whose main thread exited, in PID order (the whole
 * table, whatever a view shows). Returns the count; free with
 * pi_table_findings_free. */
size_t pi_table_findings(struct pi_table *t, struct pi_finding **out);
void pi_table_findings_free(struct pi_finding *f, size_t n);

#endif
