#include "util/buf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void pi_buf_reserve(struct pi_buf *b, size_t extra)
{
	bool fresh = !b->data;
	pi_xgrow(&b->data, &b->cap, b->len + extra + 1, 1);
	/* Keep the promise of buf.h (NUL-terminated when non-NULL) from the
	 * first allocation on: an empty buffer is "". */
	if (fresh)
		b->data[0] = '\0';
}

void pi_buf_append(struct pi_buf *b, const void *data, size_t len)
{
	pi_buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void pi_buf_puts(struct pi_buf *b, const char *s)
{
	pi_buf_append(b, s, strlen(s));
}

void pi_buf_putc(struct pi_buf *b, char c)
{
	pi_buf_append(b, &c, 1);
}

void pi_buf_vprintf(struct pi_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	pi_buf_reserve(b, 64);
	int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if (n >= 0 && (size_t)n >= b->cap - b->len) {
		pi_buf_reserve(b, (size_t)n);
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
	}
	va_end(again);
	if (n > 0)
		b->len += (size_t)n;
}

void pi_buf_printf(struct pi_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pi_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void pi_buf_pad(struct pi_buf *b, size_t n)
{
	pi_buf_reserve(b, n);
	memset(b->data + b->len, ' ', n);
	b->len += n;
	b->data[b->len] = '\0';
}

void pi_buf_reset(struct pi_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void pi_buf_free(struct pi_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *pi_buf_steal(struct pi_buf *b)
{
	pi_buf_reserve(b, 0);
	char *s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}
