/* jsonw — a streaming JSON writer.
 *
 * A 1,000-thread snapshot is a few megabytes of JSON; building it as a
 * tree of objects first (as json-c does) costs ten times that in memory
 * and most of the run's time. This writer appends to a buffer and hands
 * full chunks to the output as it goes. Strings are escaped per RFC 8259
 * and made valid UTF-8 (invalid bytes become U+FFFD); DEL and the code
 * points util/escape.h calls invisible (C1 controls, bidi overrides) are
 * written as \uXXXX too, so the document itself holds none raw. */
#ifndef PI_RENDER_JSONW_H
#define PI_RENDER_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum { PI_JW_MAX_DEPTH = 32 };

struct pi_jw {
	struct pi_buf buf;
	/* Called with each full chunk (and the rest at pi_jw_finish); NULL
	 * keeps everything in buf. */
	void (*flush)(const char *data, size_t len);
	size_t flush_at;
	int depth;
	bool first[PI_JW_MAX_DEPTH];	/* nothing written yet at this level */
	bool after_key;
};

void pi_jw_init(struct pi_jw *w, void (*flush)(const char *, size_t));
/* Flushes what is left (and a newline) and frees the buffer. */
void pi_jw_finish(struct pi_jw *w);

void pi_jw_object(struct pi_jw *w);
void pi_jw_object_end(struct pi_jw *w);
void pi_jw_array(struct pi_jw *w);
void pi_jw_array_end(struct pi_jw *w);
void pi_jw_key(struct pi_jw *w, const char *key);

/* Values. A NULL string is written as null. */
void pi_jw_string(struct pi_jw *w, const char *s);
void pi_jw_string_len(struct pi_jw *w, const char *s, size_t len);
void pi_jw_u64(struct pi_jw *w, uint64_t v);
void pi_jw_i64(struct pi_jw *w, int64_t v);
/* A number with at most that many decimals, trailing zeros dropped
 * ("0.075935", "10"); NaN and infinities are null. */
void pi_jw_number(struct pi_jw *w, double v, int decimals);
void pi_jw_bool(struct pi_jw *w, bool v);
void pi_jw_null(struct pi_jw *w);

/* key: value, in one call. */
void pi_jw_kstring(struct pi_jw *w, const char *key, const char *s);
void pi_jw_ku64(struct pi_jw *w, const char *key, uint64_t v);
void pi_jw_ki64(struct pi_jw *w, const char *key, int64_t v);
void pi_jw_kbool(struct pi_jw *w, const char *key, bool v);
void pi_jw_knull(struct pi_jw *w, const char *key);
/* Seconds to the microsecond; a negative or NaN time is null. */
void pi_jw_kseconds(struct pi_jw *w, const char *key, double seconds);

#endif
