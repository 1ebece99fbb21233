/* reader — --replay FILE: a recording's members found, checked and
 * indexed once, then each refresh decoded when it is shown.
 *
 * Opening reads the whole file once, a member at a time, and decodes
 * every chunk (record/codec.h): a file that is not a recording, is of a
 * newer format, or holds a malformed chunk is refused whole, with the
 * reason. A member that does not decompress (cut short by a SIGKILL,
 * damaged) is skipped to the next gzip member, and counted: only its
 * refresh is lost. What is kept is an index (file offset and time per
 * refresh), and one decompressed member at a time, at most
 * PI_RECORD_CHUNK_MAX bytes: memory does not grow with the file. */
#ifndef PI_RECORD_READER_H
#define PI_RECORD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record/codec.h"

struct pi_replay_frame {
	off_t offset;		/* its member's, in the file */
	double realtime;	/* the refresh's time (CLOCK_REALTIME) */
	size_t header;		/* the header of its run */
};

struct pi_replay {
	int fd;
	struct pi_record_header *headers;
	size_t nheaders, headers_cap;
	struct pi_replay_frame *frames;
	size_t nframes, frames_cap;
	size_t damaged;		/* stretches that did not decompress, skipped */
	bool cut;		/* the last of them ran to the end of the file */
};

/* Opens and indexes path (or an open fd, which it then owns). Returns
 * 0, or an exit status (PI_EXIT_BADFILE, PI_EXIT_FAILURE) with the
 * reason in why. */
int pi_replay_open(struct pi_replay *r, const char *path, char *why, size_t why_size);
int pi_replay_open_fd(struct pi_replay *r, int fd, char *why, size_t why_size);
void pi_replay_close(struct pi_replay *r);

/* Decodes refresh i into t (pi_table_done it) and m (NULL: skipped).
 * Returns 0, or -1 with why (the file changed since it was opened). */
int pi_replay_load(struct pi_replay *r, size_t i, struct pi_table *t, struct pi_meters *m,
		   char *why, size_t why_size);

/* Does the file at fd begin with a recording's header? 0, or -1 with
 * why. */
int pi_replay_probe(int fd, char *why, size_t why_size);

/* The first refresh at or after time (the last one if none is), and
 * the last at or before it (the first if none is). */
size_t pi_replay_at_or_after(const struct pi_replay *r, double time);
size_t pi_replay_at_or_before(const struct pi_replay *r, double time);

/* A time as typed in --begin, --end and the b key: "HH:MM[:SS]" (local
 * time, on the day of ref, a time of the recording), "YYYY-MM-DD
 * HH:MM[:SS]", "YYYYMMDDHHMM" (atop's), or "@SECONDS" since the epoch.
 * Pure but for the time zone. Returns false when it is none of them. */
bool pi_replay_parse_time(const char *text, double ref, double *out);

#endif
