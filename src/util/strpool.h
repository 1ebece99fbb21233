/* strpool — interned strings and blobs.
 *
 * Stacks repeat the same function, module and file names thousands of
 * times, and a thousand threads often have the very same stack; each
 * distinct string or blob is stored once and shared, and lives as long as
 * the pool. */
#ifndef PI_UTIL_STRPOOL_H
#define PI_UTIL_STRPOOL_H

#include <stddef.h>

struct pi_strpool {
	char **slots;		/* open addressing; NULL = empty */
	size_t cap;		/* a power of two */
	size_t count;
};

/* The pool's copy of s (NULL for NULL). */
const char *pi_strpool_intern(struct pi_strpool *pool, const char *s);

/* The pool's copy of len bytes at data (which may hold NUL bytes, and
 * pointers to interned strings): threads parked in the same place share
 * one copy of their stack. Aligned for any type. */
const void *pi_strpool_intern_blob(struct pi_strpool *pool, const void *data, size_t len);
void pi_strpool_free(struct pi_strpool *pool);

#endif
