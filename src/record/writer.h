/* writer — --record FILE: a recording's chunks (record/format.h)
 * appended to a file as gzip members, one per chunk, each written whole
 * with one write(): a run killed mid-write leaves at most one member cut
 * short, which a replay skips (record/reader.h).
 *
 * The file is made 0600 (command lines can hold secrets), never
 * followed through a symbolic link, and must be a regular file; a file
 * that is there already must be a recording, which is appended to. */
#ifndef PI_RECORD_WRITER_H
#define PI_RECORD_WRITER_H

#include "table/table.h"
#include "tui/meters.h"

struct pi_record_writer {
	int fd;
	long refreshes;		/* written by this run */
	size_t last_bytes;	/* the last refresh's member, compressed */
	size_t last_raw;	/* ... and before compression */
};

/* Opens path and writes a header for this run (top_pid: --top's
 * process; threads: -H). Returns 0, or an exit status after a message
 * on stderr. */
int pi_record_open(struct pi_record_writer *w, const char *path, pid_t top_pid, bool threads);
/* Appends a refresh. Returns 0, or -errno. */
int pi_record_write(struct pi_record_writer *w, struct pi_table *t, const struct pi_meters *m);
void pi_record_close(struct pi_record_writer *w);

/* Compresses len bytes into one gzip member (out is reset first). */
void pi_record_gzip(const void *data, size_t len, struct pi_buf *out);

#endif
