/* escape — making untrusted bytes safe to show.
 *
 * A process chooses its own name, arguments and paths, and may fill them
 * with terminal escape sequences, newlines or bytes that are not UTF-8.
 * Text output shows such bytes as visible escapes; JSON output needs valid
 * UTF-8 (json-c escapes control characters itself). */
#ifndef PI_UTIL_ESCAPE_H
#define PI_UTIL_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends s[0..len) to b so that a terminal shows it literally: backslash
 * becomes \\, control bytes \n \t \r \e or \xNN, bytes that are not valid
 * UTF-8 \xNN, and the code points pi_is_invisible_code_point names
 * \u{XXXX}. The result is valid UTF-8 with no control character. */
void pi_escape_text(struct pi_buf *b, const char *s, size_t len);

/* As pi_escape_text, but stops before the escaped text would pass max
 * bytes (never inside an escape or a UTF-8 sequence). Returns how many
 * bytes of s it escaped: len when all of it fitted. */
size_t pi_escape_text_max(struct pi_buf *b, const char *s, size_t len, size_t max);

/* Appends " … [2,097,152 bytes, cut]": what a capped string says after
 * the part shown. total is its whole size; more_than says that size is a
 * lower bound (reading stopped there). */
void pi_escape_cut_note(struct pi_buf *b, size_t total, bool more_than);

/* Code points that change how a terminal shows what follows them, or that
 * show as nothing: C1 controls, bidirectional embeddings, overrides,
 * isolates and marks, zero-width and other format characters (Unicode
 * category Cf), line and paragraph separators. Text shows them as
 * \u{XXXX}; JSON writes them as \uXXXX, which decodes to the same string. */
bool pi_is_invisible_code_point(unsigned cp);

/* Appends s[0..len) with every byte that is not part of valid UTF-8
 * replaced by U+FFFD. */
void pi_utf8_sanitize(struct pi_buf *b, const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s[0] does not
 * start one within len bytes. Sets *cp to the code point. */
size_t pi_utf8_decode(const unsigned char *s, size_t len, unsigned *cp);

/* The number of terminal columns s takes once escaped (one per code point;
 * pinspect does not try to measure wide characters). */
size_t pi_text_width(const char *s);

#endif
