#include "util/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"

static void (*failure_handler)(size_t size);

void pi_xalloc_on_failure(void (*fn)(size_t size))
{
	failure_handler = fn;
}

static void out_of_memory(size_t size)
{
	if (failure_handler)
		failure_handler(size);
	fprintf(stderr, "pinspect: out of memory (allocating %zu bytes)\n", size);
	exit(PI_EXIT_FAILURE);
}

void *pi_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *pi_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	return p;
}

void *pi_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void pi_xgrow(void *ptr_to_array, size_t *cap, size_t need, size_t elem_size)
{
	void **array = ptr_to_array;
	if (need <= *cap)
		return;
	size_t new_cap = *cap ? *cap : 8;
	while (new_cap < need) {
		if (new_cap > SIZE_MAX / 2 / elem_size)
			out_of_memory(SIZE_MAX);
		new_cap *= 2;
	}
	*array = pi_xrealloc(*array, new_cap * elem_size);
	*cap = new_cap;
}

char *pi_xstrdup(const char *s)
{
	return pi_xstrndup(s, strlen(s));
}

char *pi_xstrndup(const char *s, size_t n)
{
	char *p = pi_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pi_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory(strlen(fmt));
	return s;
}
