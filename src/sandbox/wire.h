/* wire — the record stream a sandboxed decoder sends back.
 *
 * A decoder that parsed hostile bytes may itself have been subverted, so
 * what it sends is hostile too. The stream is a plain sequence of records,
 * each a 4-byte type, a 4-byte length and that many bytes of payload
 * (host byte order: both ends are the same binary on the same machine).
 * The reader checks every length against the bytes actually received and
 * against a bound the caller chooses before it hands a record out, and the
 * typed views check that a payload is exactly what its type claims. */
#ifndef PI_SANDBOX_WIRE_H
#define PI_SANDBOX_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum { PI_WIRE_HEADER = 8 };	/* type and length */

struct pi_wire_record {
	uint32_t type;
	uint32_t len;
	const unsigned char *data;	/* len bytes, inside the reader's data */
};

struct pi_wire_reader {
	const unsigned char *data;
	size_t len;
	size_t off;			/* the next record's header */
	size_t max_record;		/* the largest payload accepted */
};

/* Appends one record. len above UINT32_MAX is a bug in the caller
 * (aborts). */
void pi_wire_put(struct pi_buf *out, uint32_t type, const void *data, size_t len);
void pi_wire_put_u64(struct pi_buf *out, uint32_t type, uint64_t value);
void pi_wire_put_i32(struct pi_buf *out, uint32_t type, int32_t value);
/* A string record: its bytes without the NUL. */
void pi_wire_put_str(struct pi_buf *out, uint32_t type, const char *s);

void pi_wire_reader_init(struct pi_wire_reader *r, const void *data, size_t len,
			 size_t max_record);
/* The next record in *rec. Returns 1, 0 at the end of the data (exactly
 * on a record boundary), or -EBADMSG for a header cut short, a length
 * above max_record, or a payload running past the data; after -EBADMSG
 * every later call returns -EBADMSG too. */
int pi_wire_next(struct pi_wire_reader *r, struct pi_wire_record *rec);

/* Typed views: 0, or -EBADMSG when the payload is not exactly that. */
int pi_wire_get_u64(const struct pi_wire_record *rec, uint64_t *value);
int pi_wire_get_i32(const struct pi_wire_record *rec, int32_t *value);
/* A string of min_len..max_len bytes with no NUL among them. Copies it,
 * NUL-terminated, to dst (which holds max_len + 1 bytes) when dst is not
 * NULL. */
int pi_wire_get_str(const struct pi_wire_record *rec, size_t min_len, size_t max_len, char *dst);

#endif
