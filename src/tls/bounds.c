#include "tls/bounds.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util/xalloc.h"

enum {
	ENTRY_SLACK = 64,
	/* Per entry of the list: its struct pthread copied by the walk and
	 * by td_thr_get_info, then td_thr_tlsbase's allowance. */
	READS_PER_ENTRY = 2 + PI_TDB_CALL_READS,
	/* td_ta_new, the lists' heads and the descriptors (a few dozen),
	 * read once per walk. */
	READS_FIXED = 256,
};

size_t pi_tdb_entry_limit(size_t ntasks)
{
	/* No process has anywhere near SIZE_MAX / 4 threads; the cap keeps
	 * the sums below from wrapping. */
	if (ntasks > SIZE_MAX / 4 / READS_PER_ENTRY)
		ntasks = SIZE_MAX / 4 / READS_PER_ENTRY;
	return 2 * ntasks + ENTRY_SLACK;
}

size_t pi_tdb_read_limit(size_t ntasks)
{
	return READS_FIXED + pi_tdb_entry_limit(ntasks) * READS_PER_ENTRY;
}

void pi_tdb_guard_init(struct pi_tdb_walk_guard *g, size_t ntasks)
{
	memset(g, 0, sizeof *g);
	g->limit = pi_tdb_entry_limit(ntasks);
	g->cap = 16;
	while (g->cap < 2 * g->limit)
		g->cap *= 2;
	g->seen = pi_xcalloc(g->cap, sizeof *g->seen);
}

void pi_tdb_guard_free(struct pi_tdb_walk_guard *g)
{
	free(g->seen);
	g->seen = NULL;
}

int pi_tdb_guard_visit(struct pi_tdb_walk_guard *g, uint64_t entry)
{
	size_t k = 0;
	if (entry == 0) {
		/* libthread_db's stand-in for a main thread whose list is not
		 * set up yet: once at most. */
		if (g->saw_zero)
			return -PI_ERR_THREAD_LIST_LOOP;
	} else {
		/* Entries are aligned structures: the multiply spreads the
		 * bits above the alignment over the slot number. */
		k = (size_t)((entry * 0x9e3779b97f4a7c15ULL) >> 32) & (g->cap - 1);
		while (g->seen[k] && g->seen[k] != entry)
			k = (k + 1) & (g->cap - 1);
		if (g->seen[k] == entry)
			return -PI_ERR_THREAD_LIST_LOOP;
	}
	if (g->count >= g->limit)
		return -PI_ERR_THREAD_LIST_LONG;
	/* count <= limit <= cap / 2: the table never fills. */
	if (entry == 0)
		g->saw_zero = true;
	else
		g->seen[k] = entry;
	g->count++;
	return 0;
}

void pi_tdb_budget_init(struct pi_tdb_budget *b, size_t ntasks)
{
	b->reads = 0;
	b->limit = pi_tdb_read_limit(ntasks);
	b->call_limit = SIZE_MAX;
}

int pi_tdb_budget_take(struct pi_tdb_budget *b, size_t size)
{
	if (size > PI_TDB_MAX_READ)
		return -PI_ERR_THREAD_DB_ALTERED;
	if (b->reads >= b->limit || b->reads >= b->call_limit)
		return -PI_ERR_THREAD_DB_BUDGET;
	b->reads++;
	return 0;
}

void pi_tdb_budget_open_call(struct pi_tdb_budget *b, size_t reads)
{
	b->call_limit = reads < SIZE_MAX - b->reads ? b->reads + reads : SIZE_MAX;
}

void pi_tdb_budget_close_call(struct pi_tdb_budget *b)
{
	b->call_limit = SIZE_MAX;
}

bool pi_tdb_is_descriptor(const char *symbol)
{
	return strncmp(symbol, "_thread_db_", strlen("_thread_db_")) == 0;
}

int pi_tdb_check_descriptor(const void *target, size_t size, const void *own)
{
	if (!own || size == 0 || size > PI_TDB_DESCRIPTOR_SIZE)
		return -PI_ERR_THREAD_DB_ALTERED;
	return memcmp(target, own, size) == 0 ? 0 : -PI_ERR_THREAD_DB_ALTERED;
}
