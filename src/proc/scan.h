/* scan — a bounds-checked cursor over /proc text.
 *
 * /proc files are text that a hostile process partly controls (its name,
 * its paths) and that may be cut short by a process exiting mid-read. The
 * parsers walk them with this cursor, which never reads past the end and
 * never trusts a NUL terminator, so that no input can crash a parser. */
#ifndef PI_PROC_SCAN_H
#define PI_PROC_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pi_scan {
	const char *p;
	const char *end;
};

static inline struct pi_scan pi_scan_of(const char *text, size_t len)
{
	struct pi_scan s = { text, text + len };
	return s;
}

static inline bool pi_scan_done(const struct pi_scan *s)
{
	return s->p >= s->end;
}

static inline size_t pi_scan_left(const struct pi_scan *s)
{
	return (size_t)(s->end - s->p);
}

/* Takes the next line (without its '\n') from s into *line. False at end. */
bool pi_scan_line(struct pi_scan *s, struct pi_scan *line);
/* Skips spaces and tabs. */
void pi_scan_blank(struct pi_scan *s);
/* If s starts with the literal prefix, consumes it and returns true. */
bool pi_scan_prefix(struct pi_scan *s, const char *prefix);
/* If s starts with c, consumes it and returns true. */
bool pi_scan_char(struct pi_scan *s, char c);
/* Unsigned decimal after optional blanks. False (s unchanged) on no digits
 * or overflow. */
bool pi_scan_u64(struct pi_scan *s, uint64_t *v);
/* Signed decimal after optional blanks. */
bool pi_scan_i64(struct pi_scan *s, int64_t *v);
/* Hexadecimal after optional blanks, with or without "0x". */
bool pi_scan_hex(struct pi_scan *s, uint64_t *v);
/* A decimal with a fractional part, as the scheduler prints nanoseconds in
 * milliseconds ("67525.917771", or "-3.000001"): returns nanoseconds. */
bool pi_scan_ms_as_ns(struct pi_scan *s, int64_t *ns);
/* The next run of non-blank bytes after optional blanks. */
bool pi_scan_token(struct pi_scan *s, struct pi_scan *tok);
/* Skips to the first byte after the next occurrence of c; false if none. */
bool pi_scan_past(struct pi_scan *s, char c);
/* True if tok holds exactly the NUL-terminated string word. */
bool pi_scan_equals(const struct pi_scan *tok, const char *word);
/* Removes trailing blanks. */
void pi_scan_rtrim(struct pi_scan *s);
/* Copies s into out (size bytes, NUL-terminated, cut if longer). Returns the
 * number of bytes copied. */
size_t pi_scan_copy(const struct pi_scan *s, char *out, size_t size);

#endif
