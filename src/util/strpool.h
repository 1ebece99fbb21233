/* strpool — interned strings.
 *
 * Stacks repeat the same function, module and file names thousands of
 * times; each distinct string is stored once and shared, and lives as long
 * as the pool. */
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
void pi_strpool_free(struct pi_strpool *pool);

#endif
