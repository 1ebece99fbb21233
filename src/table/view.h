/* view — the rows to show from a table: a process per row or a thread
 * per row, as a list or a tree, filtered and sorted. Pure: it reads
 * nothing, so a caller that sorts by a column of the expensive files
 * reads them first (pi_column(c)->detail, pi_table_read_all). */
#ifndef PI_TABLE_VIEW_H
#define PI_TABLE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table/table.h"

/* The columns (their registry is table/columns.c). The order is the
 * JSON's key order, and the order --list-columns lists them in. */
enum pi_column {
	PI_COL_PID,
	PI_COL_TID,
	PI_COL_PPID,
	PI_COL_USER,
	PI_COL_STATE,
	PI_COL_CPU,
	PI_COL_MEM,
	PI_COL_VCSW,
	PI_COL_IVCSW,
	PI_COL_VCSW_TOTAL,
	PI_COL_IVCSW_TOTAL,
	PI_COL_LAST_RAN,
	PI_COL_WCHAN,
	PI_COL_SYSCALL,
	PI_COL_WAITS,
	PI_COL_TRACER,
	PI_COL_COMM,
	PI_COL_CMDLINE,
	PI_COL_COMMAND,
	PI_COL_CMDLINE_CUT,
	PI_COL_CMDLINE_BYTES,
	PI_COL_THREADS,
	PI_COL_KTHREAD,
	PI_COL_FLAGS,
	PI_COL_ZOMBIES,
	PI_COL_ZOMBIE_AGE,
	PI_COL_PRIORITY,	/* htop's PRI NI VIRT SHR MEM% TIME+ */
	PI_COL_NICE,
	PI_COL_VIRT,
	PI_COL_SHARED,
	PI_COL_MEM_PERCENT,
	PI_COL_TIME,
	PI_COL_COUNT
};

/* Columns chosen, in the order shown; each at most once. */
struct pi_column_set {
	unsigned n;
	enum pi_column ids[PI_COL_COUNT];
};

struct pi_row {
	struct pi_task *task;	/* the thread, or the process's main thread */
	struct pi_proc *proc;
	bool thread_row;	/* one thread, rather than a whole process */
	bool last;		/* in a tree: the last of its siblings */
	uint16_t depth;		/* in a tree: 0 for a root */
	uint64_t more;		/* in a tree: bit k set when the ancestor at depth k
				 * has siblings below (its line goes on) */
};

struct pi_view_options {
	bool threads;		/* a row per thread */
	bool tree;		/* children under their parents, threads under their process */
	bool problems_only;	/* D, hung, deadlocked, Z, T, t, zombie parents */
	bool hide_kernel;	/* no kernel threads (htop's K) */
	bool only_user;		/* only the tasks of user (htop's u) */
	uid_t user;
	const char *filter;	/* rows whose command holds this text (any case); NULL: all */
	enum pi_column sort;
	bool descending;
	/* The columns shown (-o, the chooser); NULL: the defaults (text:
	 * pi_columns_default; JSON: every column). */
	const struct pi_column_set *columns;
};

struct pi_view {
	struct pi_row *rows;
	size_t n, cap;
};

void pi_view_build(struct pi_view *v, struct pi_table *t, const struct pi_view_options *o);
void pi_view_free(struct pi_view *v);

/* The flags of a row: its thread's, or all of its process's threads'. */
unsigned pi_row_flags(const struct pi_row *r);
/* Does the row hold zombies (it is a process, or a main thread)? */
bool pi_row_holds_zombies(const struct pi_row *r);
/* Is it one of the problems the "problems only" filter keeps? */
bool pi_row_is_problem(const struct pi_row *r);
/* The row's command, raw: the command line, or [name] when there is none;
 * a named thread as "name: command line". */
void pi_row_command(const struct pi_row *r, struct pi_buf *out);

/* The index of the row showing this task (or, for process rows, this
 * task's process), or -1. */
long pi_view_find(const struct pi_view *v, pid_t tid, pid_t pid);

#endif
