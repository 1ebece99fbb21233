/* xalloc — allocation that cannot fail quietly.
 *
 * pinspect is a short-lived command: when memory runs out there is nothing
 * useful left to do but say so and leave (detaching any tracee first, which
 * the kernel does for us on exit). So allocation failures end the program
 * with a message instead of threading ENOMEM through every parser. */
#ifndef PI_UTIL_XALLOC_H
#define PI_UTIL_XALLOC_H

#include <stddef.h>

/* Replaces what running out of memory does (NULL: the default, a message
 * and exit). A sandboxed child sets its own, which ends it at once: it has
 * nowhere to print, and pinspect's exit handlers are not its own. */
void pi_xalloc_on_failure(void (*fn)(size_t size));

void *pi_xmalloc(size_t size);
void *pi_xcalloc(size_t count, size_t size);
void *pi_xrealloc(void *ptr, size_t size);
/* Grows *ptr (an array of elem_size elements with *cap slots) so that it
 * holds at least need elements. */
void pi_xgrow(void *ptr_to_array, size_t *cap, size_t need, size_t elem_size);
char *pi_xstrdup(const char *s);
char *pi_xstrndup(const char *s, size_t n);
char *pi_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
