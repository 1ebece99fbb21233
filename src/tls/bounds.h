/* bounds — the limits on libthread_db's work for one process.
 *
 * libthread_db walks glibc's list of threads in the target's memory, and
 * takes the layout of glibc's structures (the _thread_db_* descriptors:
 * struct sizes, field offsets) from there too. All of it is the target's
 * to forge: a list entry that points back at itself keeps the walk going
 * forever, and a forged struct size becomes the size of an alloca in
 * pinspect. threaddb.c holds libthread_db to these bounds through the
 * callbacks it serves (every read of memory, every symbol looked up, every
 * thread reported); they are pure, so they are tested on their own. */
#ifndef PI_TLS_BOUNDS_H
#define PI_TLS_BOUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	/* The largest single read libthread_db may make: struct pthread,
	 * the largest thing it copies, is about 2 KiB. */
	PI_TDB_MAX_READ = 64 * 1024,
	/* A descriptor: three 32-bit words (size in bits, elements,
	 * offset); a struct size is one. */
	PI_TDB_DESCRIPTOR_SIZE = 12,
	/* Reads one td_thr_tlsbase may make: it follows the loader's list
	 * of TLS modules, a list in the target's memory too. */
	PI_TDB_CALL_READS = 64,
};

/* How many entries of the thread list a walk may visit for a process
 * with ntasks threads: as many again for threads that started after the
 * task list was read, or ended but are not yet joined (they stay on the
 * list), and some. */
size_t pi_tdb_entry_limit(size_t ntasks);

/* How many reads of memory libthread_db may make for such a process, all
 * calls together: a few per entry of the list, the descriptors, and every
 * td_thr_tlsbase's own allowance. A safety net: the entry limit should
 * stop a bad list first. */
size_t pi_tdb_read_limit(size_t ntasks);

/* The entries (struct pthread addresses) one walk has visited. */
struct pi_tdb_walk_guard {
	uint64_t *seen;		/* open addressing; 0: an empty slot */
	size_t cap;		/* a power of two, at least twice limit */
	size_t count, limit;
	bool saw_zero;		/* the main thread before glibc set its list up */
};

void pi_tdb_guard_init(struct pi_tdb_walk_guard *g, size_t ntasks);
void pi_tdb_guard_free(struct pi_tdb_walk_guard *g);

/* Records one more entry: 0, -PI_ERR_THREAD_LIST_LOOP when it was
 * visited before, -PI_ERR_THREAD_LIST_LONG when the walk has visited its
 * limit already. */
int pi_tdb_guard_visit(struct pi_tdb_walk_guard *g, uint64_t entry);

/* Reads left, all calls together and in the current call. */
struct pi_tdb_budget {
	size_t reads, limit;
	size_t call_limit;	/* reads may not pass this either; SIZE_MAX: no call open */
};

void pi_tdb_budget_init(struct pi_tdb_budget *b, size_t ntasks);
/* One more read of size bytes: 0, or why it may not be made:
 * -PI_ERR_THREAD_DB_BUDGET, or -PI_ERR_THREAD_DB_ALTERED for a read larger
 * than PI_TDB_MAX_READ (only a forged struct size asks for one). */
int pi_tdb_budget_take(struct pi_tdb_budget *b, size_t size);
/* A call with an allowance of its own starts, or ends. */
void pi_tdb_budget_open_call(struct pi_tdb_budget *b, size_t reads);
void pi_tdb_budget_close_call(struct pi_tdb_budget *b);

/* Whether libthread_db takes the symbol as a descriptor: its value comes
 * from the target, and is checked. */
bool pi_tdb_is_descriptor(const char *symbol);

/* A descriptor as read from the target (size bytes) against the same
 * descriptor in the glibc pinspect runs with (own; NULL when that glibc
 * has none by that name). libthread_db insists that the target's glibc is
 * its own version, so the layouts it describes are the same: any
 * difference is forged (or another build of glibc, not worth trusting
 * either). 0, or -PI_ERR_THREAD_DB_ALTERED. */
int pi_tdb_check_descriptor(const void *target, size_t size, const void *own);

#endif
