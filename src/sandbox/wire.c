#include "sandbox/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pi_wire_put(struct pi_buf *out, uint32_t type, const void *data, size_t len)
{
	if (len > UINT32_MAX)
		abort();
	uint32_t header[2] = { type, (uint32_t)len };
	pi_buf_append(out, header, sizeof header);
	if (len)
		pi_buf_append(out, data, len);
}

void pi_wire_put_u64(struct pi_buf *out, uint32_t type, uint64_t value)
{
	pi_wire_put(out, type, &value, sizeof value);
}

void pi_wire_put_i32(struct pi_buf *out, uint32_t type, int32_t value)
{
	pi_wire_put(out, type, &value, sizeof value);
}

void pi_wire_put_str(struct pi_buf *out, uint32_t type, const char *s)
{
	pi_wire_put(out, type, s, strlen(s));
}

void pi_wire_reader_init(struct pi_wire_reader *r, const void *data, size_t len,
			 size_t max_record)
{
	r->data = data;
	r->len = len;
	r->off = 0;
	r->max_record = max_record;
}

int pi_wire_next(struct pi_wire_reader *r, struct pi_wire_record *rec)
{
	if (r->off > r->len)
		return -EBADMSG;
	size_t left = r->len - r->off;
	if (left == 0)
		return 0;
	uint32_t header[2];
	if (left < sizeof header)
		goto bad;
	memcpy(header, r->data + r->off, sizeof header);
	/* Compared without adding, so that no length can wrap around. */
	if (header[1] > r->max_record || header[1] > left - sizeof header)
		goto bad;
	rec->type = header[0];
	rec->len = header[1];
	rec->data = r->data + r->off + sizeof header;
	r->off += sizeof header + header[1];
	return 1;
bad:
	/* Poisoned: a stream that lied once is not read any further. */
	r->off = r->len + 1;
	return -EBADMSG;
}

int pi_wire_get_u64(const struct pi_wire_record *rec, uint64_t *value)
{
	if (rec->len != sizeof *value)
		return -EBADMSG;
	memcpy(value, rec->data, sizeof *value);
	return 0;
}

int pi_wire_get_i32(const struct pi_wire_record *rec, int32_t *value)
{
	if (rec->len != sizeof *value)
		return -EBADMSG;
	memcpy(value, rec->data, sizeof *value);
	return 0;
}

int pi_wire_get_str(const struct pi_wire_record *rec, size_t min_len, size_t max_len, char *dst)
{
	if (rec->len < min_len || rec->len > max_len || memchr(rec->data, '\0', rec->len))
		return -EBADMSG;
	if (dst) {
		memcpy(dst, rec->data, rec->len);
		dst[rec->len] = '\0';
	}
	return 0;
}
