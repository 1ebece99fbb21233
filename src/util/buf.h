/* buf — a growable byte buffer.
 *
 * Used to read /proc files (whose size stat() does not tell) and to build
 * output in memory so that a whole report reaches stdout in one write. */
#ifndef PI_UTIL_BUF_H
#define PI_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct pi_buf {
	char *data;	/* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

#define PI_BUF_INIT { NULL, 0, 0 }

void pi_buf_reserve(struct pi_buf *b, size_t extra);
void pi_buf_append(struct pi_buf *b, const void *data, size_t len);
void pi_buf_puts(struct pi_buf *b, const char *s);
void pi_buf_putc(struct pi_buf *b, char c);
void pi_buf_printf(struct pi_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pi_buf_vprintf(struct pi_buf *b, const char *fmt, va_list ap);
/* Appends n spaces. */
void pi_buf_pad(struct pi_buf *b, size_t n);
void pi_buf_reset(struct pi_buf *b);
void pi_buf_free(struct pi_buf *b);
/* Hands the contents to the caller (NUL-terminated, never NULL) and empties b. */
char *pi_buf_steal(struct pi_buf *b);

#endif
