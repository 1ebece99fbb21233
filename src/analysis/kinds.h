/* kinds — the one table of finding kinds.
 *
 * For each kind: its name (the JSON "kind", the live table's JSON
 * flags, the text's FINDINGS), the section of pinspect(1) that says what
 * to do, the word its live-view flag starts with, what it means in one
 * sentence, its rank and colour in the live view, where it is found, and
 * the scans' JSON count key and Prometheus metric. The one findings
 * builder (analysis/findings.h) runs each kind's detector in the table's
 * order, and every renderer takes names, words, ranks and colours from
 * here: adding a kind is a row here and its detector.
 *
 * Colours are the live view's styles (enum pi_style, table/columns.h),
 * kept as numbers so that analysis/ does not depend on the screen's
 * headers; the test checks they are in range. */
#ifndef PI_ANALYSIS_KINDS_H
#define PI_ANALYSIS_KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* Where a kind is found (bits). */
enum pi_kind_where {
	PI_KIND_SNAPSHOT = 1u << 0,	/* pinspect PID */
	PI_KIND_LIVE = 1u << 1,		/* the live view and batch mode: it flags rows */
	PI_KIND_SCAN = 1u << 2,		/* --hung, --zombies, --deadlocks: an item of the scan */
};

struct pi_finding_proc;
struct pi_finding_list;

struct pi_kind {
	enum pi_finding_kind kind;
	const char *name;		/* "hung" */
	const char *see;		/* the section of pinspect(1): "HUNG TASKS" */
	const char *flag_word;		/* the live view's flag: "hung"; NULL when not LIVE */
	const char *sentence;		/* what it means, in one line */
	unsigned where;			/* PI_KIND_* */
	unsigned task_flag;		/* the PI_TASK_* (analysis/classify.h) that marks a
					 * task; 0: a kind of a process, not of a task */
	int rank;			/* the live view: the highest flag of a row decides
					 * its words, colour and place in a flag sort */
	int style;			/* its colour there: an enum pi_style */
	const char *json_count;		/* the scans' JSON key counting it; NULL: not counted */
	const char *metric;		/* the Prometheus family counting it; NULL: none */
	const char *metric_help;
	/* Appends its findings of one process (analysis/findings.c); NULL
	 * for a kind found by another's detector (as noted in its row) or
	 * outside the builder (locks.c: wait chains, deadlocks read from
	 * memory). */
	void (*detect)(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds);
};

/* The table, in the builder's order; and its size. */
extern const struct pi_kind pi_kinds[];
extern const size_t pi_nkinds;

/* The row of kind (never NULL for a valid kind). */
const struct pi_kind *pi_kind_of(enum pi_finding_kind kind);

/* Does kind k mark a row with these PI_TASK_* flags, holding zombies or
 * not? */
bool pi_kind_marks(const struct pi_kind *k, unsigned task_flags, bool holds_zombies);

/* A row's rank from a task's (or a process's OR-ed) PI_TASK_* flags, and
 * whether it holds zombies (a process's zombie_parent): 0 when no flag. */
int pi_kind_rank(unsigned task_flags, bool holds_zombies);

/* The highest-ranked kind of those flags; PI_FIND_KIND_COUNT when none. */
enum pi_finding_kind pi_kind_top(unsigned task_flags, bool holds_zombies);

#endif
