/* intern — one copy of each string.
 *
 * Ten thousand threads blocked in the same kernel function all name it:
 * the table keeps one copy of each wait channel and hands out pointers
 * that stay valid until the set is freed. */
#ifndef PI_UTIL_INTERN_H
#define PI_UTIL_INTERN_H

#include <stddef.h>

struct pi_intern {
	char **slots;	/* open addressing; NULL is empty */
	size_t cap, count;
};

#define PI_INTERN_INIT { NULL, 0, 0 }

/* The set's copy of s (added if new). */
const char *pi_intern(struct pi_intern *set, const char *s);
void pi_intern_free(struct pi_intern *set);

#endif
