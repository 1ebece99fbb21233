#include "util/escape.h"

#include <string.h>

size_t pi_utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0];
	size_t n;
	unsigned min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past Unicode are
	 * not valid UTF-8, whatever their bit pattern. */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/* Code points that change how a terminal shows what follows them. */
static bool is_dangerous_code_point(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f)		/* C1 controls */
	    || (cp >= 0x202a && cp <= 0x202e)		/* bidi embeddings, overrides */
	    || (cp >= 0x2066 && cp <= 0x2069)		/* bidi isolates */
	    || cp == 0x200e || cp == 0x200f		/* directional marks */
	    || cp == 0x061c;
}

void pi_escape_text(struct pi_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	pi_buf_reserve(b, len);
	while (i < len) {
		unsigned cp;
		size_t n;

		/* Copy the longest run that needs no escaping in one go. */
		size_t run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\')
			run++;
		if (run > i) {
			pi_buf_append(b, p + i, run - i);
			i = run;
			continue;
		}
		switch (p[i]) {
		case '\\': pi_buf_puts(b, "\\\\"); i++; continue;
		case '\n': pi_buf_puts(b, "\\n"); i++; continue;
		case '\t': pi_buf_puts(b, "\\t"); i++; continue;
		case '\r': pi_buf_puts(b, "\\r"); i++; continue;
		case 0x1b: pi_buf_puts(b, "\\e"); i++; continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			pi_buf_printf(b, "\\x%02x", p[i]);
			i++;
			continue;
		}
		n = pi_utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			pi_buf_printf(b, "\\x%02x", p[i]);
			i++;
		} else if (is_dangerous_code_point(cp)) {
			pi_buf_printf(b, "\\u{%04x}", cp);
			i += n;
		} else {
			pi_buf_append(b, p + i, n);
			i += n;
		}
	}
}

void pi_utf8_sanitize(struct pi_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	pi_buf_reserve(b, len);
	while (i < len) {
		unsigned cp;
		size_t n = pi_utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			pi_buf_append(b, "\xef\xbf\xbd", 3);
			i++;
		} else {
			pi_buf_append(b, p + i, n);
			i += n;
		}
	}
}

size_t pi_text_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			w++;
	return w;
}
