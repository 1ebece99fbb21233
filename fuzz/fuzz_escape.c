/* The escaping of untrusted names (util/escape.c), by its properties:
 * - pi_escape_text's output holds no control byte (C0, DEL), is valid
 *   UTF-8 without C1 controls or bidirectional overrides, and unescapes
 *   back to exactly the input (so two names never look the same);
 * - pi_utf8_sanitize's output is valid UTF-8, and valid UTF-8 passes
 *   through unchanged;
 * - pi_text_width counts the code points of escaped text. */
#include <stdbool.h>

#include "fuzz.h"
#include "util/buf.h"
#include "util/escape.h"

static bool dangerous(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e)
	       || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

static size_t count_code_points(const unsigned char *s, size_t len, bool *valid)
{
	size_t n = 0;
	*valid = true;
	for (size_t i = 0; i < len; n++) {
		unsigned cp;
		size_t k = pi_utf8_decode(s + i, len - i, &cp);
		if (!k) {
			*valid = false;
			return n;
		}
		i += k;
	}
	return n;
}

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void put_utf8(struct pi_buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	pi_buf_append(b, u, n);
}

/* The inverse of pi_escape_text; aborts on an escape it never writes. */
static void unescape(struct pi_buf *b, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		if (s[i] != '\\') {
			pi_buf_append(b, s + i++, 1);
			continue;
		}
		fz_require(i + 1 < len);
		switch (s[i + 1]) {
		case '\\': pi_buf_putc(b, '\\'); i += 2; continue;
		case 'n': pi_buf_putc(b, '\n'); i += 2; continue;
		case 't': pi_buf_putc(b, '\t'); i += 2; continue;
		case 'r': pi_buf_putc(b, '\r'); i += 2; continue;
		case 'e': pi_buf_putc(b, 0x1b); i += 2; continue;
		case 'x':
			fz_require(i + 3 < len && hex(s[i + 2]) >= 0 && hex(s[i + 3]) >= 0);
			pi_buf_putc(b, (char)(hex(s[i + 2]) << 4 | hex(s[i + 3])));
			i += 4;
			continue;
		case 'u': {
			fz_require(i + 2 < len && s[i + 2] == '{');
			unsigned cp = 0;
			size_t k = i + 3;
			while (k < len && hex(s[k]) >= 0 && k - i < 12)
				cp = cp << 4 | (unsigned)hex(s[k++]);
			/* Escaped as \u{...}: exactly the code points the escape
			 * keeps from a terminal (a wider set than dangerous(),
			 * which is this target's own floor, checked below). */
			fz_require(k < len && s[k] == '}' && pi_is_invisible_code_point(cp));
			put_utf8(b, cp);
			i = k + 1;
			continue;
		}
		default:
			fz_require(!"an escape pi_escape_text does not write");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct pi_buf esc = PI_BUF_INIT, back = PI_BUF_INIT, san = PI_BUF_INIT;
	bool valid;

	pi_escape_text(&esc, in, size);
	const unsigned char *e = (const unsigned char *)(esc.data ? esc.data : "");
	for (size_t i = 0; i < esc.len; i++)
		fz_require(e[i] >= 0x20 && e[i] != 0x7f);
	size_t cps = count_code_points(e, esc.len, &valid);
	fz_require(valid);
	for (size_t i = 0; i < esc.len;) {
		unsigned cp;
		i += pi_utf8_decode(e + i, esc.len - i, &cp);
		fz_require(!dangerous(cp));
	}
	fz_require(pi_text_width((const char *)e) == cps);
	unescape(&back, e, esc.len);
	fz_require(back.len == size && (size == 0 || memcmp(back.data, in, size) == 0));

	pi_utf8_sanitize(&san, in, size);
	count_code_points((const unsigned char *)san.data, san.len, &valid);
	fz_require(valid);
	count_code_points(data, size, &valid);
	if (valid)
		fz_require(san.len == size && (size == 0 || memcmp(san.data, in, size) == 0));

	pi_buf_free(&esc);
	pi_buf_free(&back);
	pi_buf_free(&san);
	return 0;
}
