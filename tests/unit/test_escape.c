#include <stdlib.h>
#include <string.h>

#include "render/jsonw.h"
#include "util/escape.h"
#include "util/fmt.h"
#include "unit.h"

static char *escaped(const char *s, size_t n)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_escape_text(&b, s, n);
	return pi_buf_steal(&b);
}

static char *sanitized(const char *s, size_t n)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_utf8_sanitize(&b, s, n);
	return pi_buf_steal(&b);
}

START_TEST(terminal_escapes_are_shown_not_sent)
{
	const char evil[] = "a\x1b[31mred\n\tb\\c\x7f\x01";
	char *e = escaped(evil, sizeof evil - 1);
	ck_assert_str_eq(e, "a\\e[31mred\\n\\tb\\\\c\\x7f\\x01");
	free(e);
}
END_TEST

START_TEST(utf8_passes_invalid_bytes_do_not)
{
	const char text[] = "caf\xc3\xa9 \xe2\x9c\x93 \xff\xc0\xaf \xed\xa0\x80";
	char *e = escaped(text, sizeof text - 1);
	/* é and ✓ stay; 0xff, an overlong '/', and a surrogate are bytes. */
	ck_assert_str_eq(e, "caf\xc3\xa9 \xe2\x9c\x93 \\xff\\xc0\\xaf \\xed\\xa0\\x80");
	free(e);
	char *s = sanitized(text, sizeof text - 1);
	ck_assert_str_eq(s, "caf\xc3\xa9 \xe2\x9c\x93 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}
END_TEST

START_TEST(c1_controls_and_bidi_overrides)
{
	/* U+009B is CSI for terminals that take 8-bit controls; U+202E
	 * reverses the text that follows. */
	const char text[] = "x\xc2\x9b" "1m\xe2\x80\xae" "cod";
	char *e = escaped(text, sizeof text - 1);
	ck_assert_str_eq(e, "x\\u{009b}1m\\u{202e}cod");
	free(e);
}
END_TEST

START_TEST(truncated_sequences)
{
	char *e = escaped("\xe2\x9c", 2);
	ck_assert_str_eq(e, "\\xe2\\x9c");
	free(e);
	char *s = sanitized("\xf0\x9f\x98", 3);
	ck_assert_str_eq(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	e = escaped("a\0b", 3);
	ck_assert_str_eq(e, "a\\x00b");
	free(e);
}
END_TEST

START_TEST(formatting)
{
	char out[32];
	ck_assert_str_eq(pi_fmt_duration(out, sizeof out, 0.0042), "0.0042 s");
	ck_assert_str_eq(pi_fmt_duration(out, sizeof out, 3.25), "3.25 s");
	ck_assert_str_eq(pi_fmt_duration(out, sizeof out, 42), "42 s");
	ck_assert_str_eq(pi_fmt_duration(out, sizeof out, 312), "5 min 12 s");
	ck_assert_str_eq(pi_fmt_duration(out, sizeof out, 7380), "2 h 03 min");
	ck_assert_str_eq(pi_fmt_duration(out, sizeof out, 360000), "4 d 04 h");
	ck_assert_str_eq(pi_fmt_bytes(out, sizeof out, 812), "812 B");
	ck_assert_str_eq(pi_fmt_bytes(out, sizeof out, 4096), "4.0 KiB");
	ck_assert_str_eq(pi_fmt_bytes(out, sizeof out, 12900000), "12 MiB");
	ck_assert_str_eq(pi_fmt_bytes(out, sizeof out, 1610612736), "1.5 GiB");
}
END_TEST

START_TEST(invisible_code_points)
{
	/* Zero-width space, bidi isolate, BOM, a tag character, the line
	 * separator and a soft hyphen hide or reorder text: escaped.
	 * Letters of any script and emoji are text: kept. */
	const char text[] = "a\xe2\x80\x8b" "b\xe2\x81\xa6" "c\xef\xbb\xbf" "d\xf3\xa0\x81\x81"
			    "e\xe2\x80\xa8" "f\xc2\xad" "g \xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80";
	char *e = escaped(text, sizeof text - 1);
	ck_assert_str_eq(e, "a\\u{200b}b\\u{2066}c\\u{feff}d\\u{e0041}e\\u{2028}f\\u{00ad}"
			    "g \xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
	free(e);
	ck_assert(pi_is_invisible_code_point(0x202e));
	ck_assert(pi_is_invisible_code_point(0x9b));
	ck_assert(!pi_is_invisible_code_point(0x2026));
	ck_assert(!pi_is_invisible_code_point('a'));
}
END_TEST

START_TEST(escape_to_a_size)
{
	struct pi_buf b = PI_BUF_INIT;
	/* "abc\e" is 5 bytes: it fits in 5, not in 4, and an escape is
	 * never split. */
	ck_assert_uint_eq(pi_escape_text_max(&b, "abc\x1b" "def", 7, 5), 4);
	ck_assert_str_eq(b.data, "abc\\e");
	pi_buf_reset(&b);
	ck_assert_uint_eq(pi_escape_text_max(&b, "abc\x1b" "def", 7, 4), 3);
	ck_assert_str_eq(b.data, "abc");
	pi_buf_reset(&b);
	/* Nor a UTF-8 sequence, nor a \u{...}. */
	ck_assert_uint_eq(pi_escape_text_max(&b, "x\xc3\xa9", 3, 2), 1);
	ck_assert_str_eq(b.data, "x");
	pi_buf_reset(&b);
	ck_assert_uint_eq(pi_escape_text_max(&b, "x\xe2\x80\xae", 4, 8), 1);
	ck_assert_str_eq(b.data, "x");
	pi_buf_reset(&b);
	/* Everything, when it fits. */
	ck_assert_uint_eq(pi_escape_text_max(&b, "ok\n", 3, 100), 3);
	ck_assert_str_eq(b.data, "ok\\n");
	pi_buf_free(&b);
}
END_TEST

START_TEST(cut_note)
{
	struct pi_buf b = PI_BUF_INIT;
	pi_escape_cut_note(&b, 2097152, false);
	ck_assert_str_eq(b.data, " \xe2\x80\xa6 [2,097,152 bytes, cut]");
	pi_buf_reset(&b);
	pi_escape_cut_note(&b, 999, false);
	ck_assert_str_eq(b.data, " \xe2\x80\xa6 [999 bytes, cut]");
	pi_buf_reset(&b);
	pi_escape_cut_note(&b, 16777216, true);
	ck_assert_str_eq(b.data, " \xe2\x80\xa6 [more than 16,777,216 bytes, cut]");
	pi_buf_free(&b);
}
END_TEST

START_TEST(json_strings_hold_no_raw_control)
{
	struct pi_jw w;
	pi_jw_init(&w, NULL);
	/* DEL, ESC, C1 CSI, the right-to-left override and a tag character
	 * (past U+FFFF: a surrogate pair), and a byte that is not UTF-8. */
	pi_jw_string(&w, "a\x7f\x1b\xc2\x9b\xe2\x80\xae\xf3\xa0\x81\x81\xff\xc3\xa9");
	ck_assert_str_eq(w.buf.data, "\"a\\u007f\\u001b\\u009b\\u202e\\udb40\\udc41\xef\xbf\xbd\xc3\xa9\"");
	pi_buf_free(&w.buf);
}
END_TEST

Suite *escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");
	tcase_add_test(tc, terminal_escapes_are_shown_not_sent);
	tcase_add_test(tc, utf8_passes_invalid_bytes_do_not);
	tcase_add_test(tc, c1_controls_and_bidi_overrides);
	tcase_add_test(tc, truncated_sequences);
	tcase_add_test(tc, formatting);
	tcase_add_test(tc, invisible_code_points);
	tcase_add_test(tc, escape_to_a_size);
	tcase_add_test(tc, cut_note);
	tcase_add_test(tc, json_strings_hold_no_raw_control);
	suite_add_tcase(s, tc);
	return s;
}
