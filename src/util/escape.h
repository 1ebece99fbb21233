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
 * UTF-8 \xNN, and C1 controls and bidirectional overrides \u{XXXX}. */
void pi_escape_text(struct pi_buf *b, const char *s, size_t len);

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
