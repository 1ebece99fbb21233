/* format — the layout of a recording (--record FILE), shared by its
 * writer and its reader.
 *
 * A recording is a gzip stream of independently compressed members, one
 * chunk each, so that `zcat` reads it, a second --record appends to it,
 * and a member cut short (pinspect killed mid-write) costs that chunk
 * alone. A chunk is
 *
 *   "PIRC"  kind (1 byte: 'H' header, 'F' refresh)  version (u16)  payload
 *
 * A header begins every run of --record (so an appended file has several)
 * and says where it was made: host name, boot ID, kernel, page size,
 * clock ticks per second, pinspect's version. A refresh holds what the
 * live table was after it (table/table.h): the header figures, every
 * process and task with the typed values the columns are made from, the
 * lock cycles handed over, the user names, and the meters; the findings
 * and every column's cell follow from these by the same code as live.
 *
 * Integers are little-endian; a double is its IEEE-754 bits (u64); a
 * string is a u32 length and its bytes (no NUL). Every count and length
 * is checked against the bytes left and the limits below before anything
 * is allocated (record/codec.h). */
#ifndef PI_RECORD_FORMAT_H
#define PI_RECORD_FORMAT_H

#include <stdint.h>

#define PI_RECORD_MAGIC "PIRC"
#define PI_RECORD_MAGIC_LEN 4
/* The format's version: a reader refuses chunks of a newer one. */
enum { PI_RECORD_VERSION = 1 };

enum pi_record_kind { PI_RECORD_HEADER = 'H', PI_RECORD_FRAME = 'F' };

/* Limits a reader holds a file to, whoever wrote it. */
enum {
	PI_RECORD_CHUNK_MAX = 256u << 20,	/* one chunk, uncompressed */
	PI_RECORD_NAME_MAX = 256,		/* host, kernel, version, user names */
	PI_RECORD_MESSAGE_MAX = 8192,		/* a lock cycle's sentence */
	PI_RECORD_CYCLE_MAX = 4096,		/* threads or processes in one cycle */
	PI_RECORD_USERS_MAX = 65536,
};
/* The largest figure (a time in seconds, a percentage), count or size
 * (ticks, switches, bytes), and CLOCK_MONOTONIC time taken. */
#define PI_RECORD_FIGURE_MAX 1e10
#define PI_RECORD_COUNT_MAX ((uint64_t)1 << 62)
#define PI_RECORD_TICKS_MAX ((uint64_t)1000000000000000)
#define PI_RECORD_NS_MAX ((int64_t)1 << 62)

#endif
