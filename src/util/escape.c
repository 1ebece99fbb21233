#include "util/escape.h"

#include <stdint.h>
#include <stdio.h>
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

/* Unicode's format characters (category Cf) as of Unicode 15, with the
 * C1 controls and the line and paragraph separators: a terminal either
 * acts on them or shows nothing, so a name could hide or reorder what
 * follows it. */
bool pi_is_invisible_code_point(unsigned cp)
{
	static const struct { unsigned lo, hi; } ranges[] = {
		{ 0x0080, 0x009f },	/* C1 controls (0x9b is CSI to some terminals) */
		{ 0x00ad, 0x00ad },	/* soft hyphen */
		{ 0x0600, 0x0605 },	/* Arabic number signs */
		{ 0x061c, 0x061c },	/* Arabic letter mark */
		{ 0x06dd, 0x06dd },
		{ 0x070f, 0x070f },
		{ 0x0890, 0x0891 },
		{ 0x08e2, 0x08e2 },
		{ 0x180e, 0x180e },	/* Mongolian vowel separator */
		{ 0x200b, 0x200f },	/* zero-width space, joiners, directional marks */
		{ 0x2028, 0x202e },	/* line and paragraph separators, bidi embeddings and overrides */
		{ 0x2060, 0x2064 },	/* word joiner, invisible operators */
		{ 0x2066, 0x206f },	/* bidi isolates, deprecated format characters */
		{ 0xfeff, 0xfeff },	/* zero-width no-break space (BOM) */
		{ 0xfff9, 0xfffb },	/* interlinear annotation */
		{ 0x110bd, 0x110bd },
		{ 0x110cd, 0x110cd },
		{ 0x13430, 0x1343f },	/* Egyptian hieroglyph format controls */
		{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
		{ 0x1d173, 0x1d17a },	/* musical symbol format controls */
		{ 0xe0001, 0xe0001 },	/* language tag */
		{ 0xe0020, 0xe007f },	/* tag characters */
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (cp >= ranges[i].lo && cp <= ranges[i].hi)
			return true;
	return false;
}

/* Appends the escaped form of the item at p[0..len) (a run of plain
 * ASCII, one escape, or one UTF-8 sequence), at most room bytes of it;
 * returns the input bytes it stands for, 0 when it did not fit. */
static size_t escape_one(struct pi_buf *b, const unsigned char *p, size_t len, size_t room)
{
	char tmp[16];
	unsigned cp;
	size_t n, run = 0;

	/* The longest run that needs no escaping goes in one piece. */
	while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\')
		run++;
	if (run) {
		if (run > room)
			run = room;
		pi_buf_append(b, p, run);
		return run;
	}
	const char *fixed = p[0] == '\\' ? "\\\\" : p[0] == '\n' ? "\\n" : p[0] == '\t' ? "\\t"
			  : p[0] == '\r' ? "\\r" : p[0] == 0x1b ? "\\e" : NULL;
	if (fixed) {
		snprintf(tmp, sizeof tmp, "%s", fixed);
		n = 1;
	} else if (p[0] < 0x20 || p[0] == 0x7f || (n = pi_utf8_decode(p, len, &cp)) == 0) {
		snprintf(tmp, sizeof tmp, "\\x%02x", p[0]);
		n = 1;
	} else if (pi_is_invisible_code_point(cp)) {
		snprintf(tmp, sizeof tmp, "\\u{%04x}", cp);
	} else {
		if (n > room)
			return 0;
		pi_buf_append(b, p, n);
		return n;
	}
	size_t out = strlen(tmp);
	if (out > room)
		return 0;
	pi_buf_append(b, tmp, out);
	return n;
}

size_t pi_escape_text_max(struct pi_buf *b, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, used = 0;

	pi_buf_reserve(b, len < max ? len : max);
	while (i < len && used < max) {
		size_t before = b->len;
		size_t n = escape_one(b, p + i, len - i, max - used);
		if (n == 0)
			break;
		used += b->len - before;
		i += n;
	}
	return i;
}

void pi_escape_text(struct pi_buf *b, const char *s, size_t len)
{
	pi_escape_text_max(b, s, len, SIZE_MAX);
}

void pi_escape_cut_note(struct pi_buf *b, size_t total, bool more_than)
{
	char digits[32], grouped[48];
	size_t n = (size_t)snprintf(digits, sizeof digits, "%zu", total), k = 0;

	/* 2,097,152: a size people read at a glance. */
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	pi_buf_printf(b, " \xe2\x80\xa6 [%s%s bytes, cut]", more_than ? "more than " : "", grouped);
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
