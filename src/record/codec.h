/* codec — a recording's chunks (record/format.h) to and from bytes:
 * the header, and a refresh of the live table with its meters.
 *
 * Decoding is pure and made for hostile bytes: every count is checked
 * against the bytes left before anything is allocated, every string
 * against its limit, every index into the table against the table, so
 * that what it hands back keeps the invariants the view and the
 * renderers rely on (tasks grouped by process and sorted, processes
 * sorted by PID, indexes in range, hz above 0). A chunk that breaks one
 * is refused with a reason, never half used. What follows from the
 * facts (the flags, the counts) is classified again on decoding, as
 * live, rather than trusted. */
#ifndef PI_RECORD_CODEC_H
#define PI_RECORD_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record/format.h"
#include "table/table.h"
#include "tui/meters.h"
#include "util/buf.h"

/* Where and by what a run of --record was made. */
struct pi_record_header {
	unsigned version;		/* the format's */
	char host[PI_RECORD_NAME_MAX + 1];
	char boot_id[64];
	char kernel[PI_RECORD_NAME_MAX + 1];	/* uname's release and version */
	char pinspect[64];		/* pinspect's version */
	uint32_t page_size, hz;
	double started;			/* CLOCK_REALTIME when it began */
	pid_t top_pid;			/* --top's process; 0: every task */
	bool threads;			/* recorded with -H */
};

/* Appends a whole chunk (magic, kind, version, payload) to out. */
void pi_record_encode_header(struct pi_buf *out, const struct pi_record_header *h);
/* The table after a refresh, with its meters (NULL: not known). Looks
 * up the name of every task's user first, so that a replay never asks
 * its own machine. */
void pi_record_encode_frame(struct pi_buf *out, struct pi_table *t, const struct pi_meters *m);

/* A chunk's kind and version. Returns 0, or -1 with why (not a chunk,
 * or a newer version). */
int pi_record_chunk_kind(const uint8_t *p, size_t n, int *kind, unsigned *version, char *why,
			 size_t why_size);

/* Decode a chunk (from its magic on). Returns 0, or -1 with why.
 * decode_frame fills a table zeroed here (free it with pi_table_done,
 * even on failure) and *m (NULL: skipped). */
int pi_record_decode_header(const uint8_t *p, size_t n, struct pi_record_header *h, char *why,
			    size_t why_size);
int pi_record_decode_frame(const uint8_t *p, size_t n, struct pi_table *t, struct pi_meters *m,
			   char *why, size_t why_size);

#endif
