#include "proc/scan.h"

#include <string.h>

bool pi_scan_line(struct pi_scan *s, struct pi_scan *line)
{
	if (pi_scan_done(s))
		return false;
	const char *nl = memchr(s->p, '\n', pi_scan_left(s));
	line->p = s->p;
	line->end = nl ? nl : s->end;
	s->p = nl ? nl + 1 : s->end;
	return true;
}

void pi_scan_blank(struct pi_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
}

bool pi_scan_prefix(struct pi_scan *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (pi_scan_left(s) < n || memcmp(s->p, prefix, n) != 0)
		return false;
	s->p += n;
	return true;
}

bool pi_scan_char(struct pi_scan *s, char c)
{
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

bool pi_scan_u64(struct pi_scan *s, uint64_t *v)
{
	struct pi_scan t = *s;
	uint64_t x = 0;

	pi_scan_blank(&t);
	if (t.p >= t.end || *t.p < '0' || *t.p > '9')
		return false;
	while (t.p < t.end && *t.p >= '0' && *t.p <= '9') {
		unsigned d = (unsigned)(*t.p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
		t.p++;
	}
	*v = x;
	*s = t;
	return true;
}

bool pi_scan_i64(struct pi_scan *s, int64_t *v)
{
	struct pi_scan t = *s;
	uint64_t x;
	bool neg;

	pi_scan_blank(&t);
	neg = pi_scan_char(&t, '-');
	if (!pi_scan_u64(&t, &x) || x > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	*s = t;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool pi_scan_hex(struct pi_scan *s, uint64_t *v)
{
	struct pi_scan t = *s;
	uint64_t x = 0;
	int d;

	pi_scan_blank(&t);
	if (!pi_scan_prefix(&t, "0x"))
		pi_scan_prefix(&t, "0X");
	if (t.p >= t.end || hex_digit(*t.p) < 0)
		return false;
	while (t.p < t.end && (d = hex_digit(*t.p)) >= 0) {
		if (x >> 60)
			return false;
		x = (x << 4) | (unsigned)d;
		t.p++;
	}
	*v = x;
	*s = t;
	return true;
}

bool pi_scan_ms_as_ns(struct pi_scan *s, int64_t *ns)
{
	struct pi_scan t = *s;
	uint64_t ms, frac = 0;
	bool neg;

	pi_scan_blank(&t);
	neg = pi_scan_char(&t, '-');
	if (!pi_scan_u64(&t, &ms) || ms > (uint64_t)INT64_MAX / 1000000)
		return false;
	if (pi_scan_char(&t, '.')) {
		/* The kernel prints the remainder as exactly six digits of ns. */
		int digits = 0;
		while (t.p < t.end && *t.p >= '0' && *t.p <= '9') {
			if (digits < 6) {
				frac = frac * 10 + (unsigned)(*t.p - '0');
				digits++;
			}
			t.p++;
		}
		while (digits++ < 6)
			frac *= 10;
	}
	int64_t v = (int64_t)(ms * 1000000 + frac);
	*ns = neg ? -v : v;
	*s = t;
	return true;
}

bool pi_scan_token(struct pi_scan *s, struct pi_scan *tok)
{
	pi_scan_blank(s);
	if (pi_scan_done(s))
		return false;
	tok->p = s->p;
	while (s->p < s->end && *s->p != ' ' && *s->p != '\t' && *s->p != '\n')
		s->p++;
	tok->end = s->p;
	return tok->end > tok->p;
}

bool pi_scan_past(struct pi_scan *s, char c)
{
	const char *at = memchr(s->p, c, pi_scan_left(s));
	if (!at)
		return false;
	s->p = at + 1;
	return true;
}

bool pi_scan_equals(const struct pi_scan *tok, const char *word)
{
	size_t n = strlen(word);
	return pi_scan_left(tok) == n && memcmp(tok->p, word, n) == 0;
}

void pi_scan_rtrim(struct pi_scan *s)
{
	while (s->end > s->p && (s->end[-1] == ' ' || s->end[-1] == '\t' || s->end[-1] == '\n'))
		s->end--;
}

size_t pi_scan_copy(const struct pi_scan *s, char *out, size_t size)
{
	size_t n = pi_scan_left(s);
	if (size == 0)
		return 0;
	if (n >= size)
		n = size - 1;
	memcpy(out, s->p, n);
	out[n] = '\0';
	return n;
}
