#include <stdlib.h>
#include <string.h>

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

Suite *escape_suite(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");
	tcase_add_test(tc, terminal_escapes_are_shown_not_sent);
	tcase_add_test(tc, utf8_passes_invalid_bytes_do_not);
	tcase_add_test(tc, c1_controls_and_bidi_overrides);
	tcase_add_test(tc, truncated_sequences);
	tcase_add_test(tc, formatting);
	suite_add_tcase(s, tc);
	return s;
}
