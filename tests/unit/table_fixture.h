/* The table the table tests share, made by hand, and ways into it. */
#ifndef PI_TEST_TABLE_FIXTURE_H
#define PI_TEST_TABLE_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model.h"
#include "table/columns.h"
#include "table/table.h"
#include "table/view.h"

/* A table by hand, classified:
 *   1 init (S)
 *   +- 10 server (S), threads 10, 11 (D for 30 s in io_schedule), 12 "worker"
 *   |  +- 30 stopped (T)
 *   +- 20 leaky (S), holding zombies 21 and 22 (Z)
 *   +- 40 traced (t), named with an escape sequence
 * Free it with pi_table_done. */
void make_table(struct pi_table *t);

/* The row of process (or, with thread, task) id, or -1. */
long row_of(const struct pi_view *v, pid_t id, bool thread);
/* A cell of that row (the test fails if there is none), to free. */
char *cell_at(struct pi_table *t, const struct pi_view *v, pid_t id, bool thread,
	      enum pi_column c, enum pi_style *style);
/* The finding of that kind about process pid, or NULL. */
const struct pi_finding *finding(const struct pi_finding *f, size_t n, enum pi_finding_kind kind,
				 pid_t pid);

/* test_table_deadlocks.c: the deadlocks a scan hands over. */
void add_deadlock_tests(TCase *tc);

#endif
