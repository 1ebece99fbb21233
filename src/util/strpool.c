#include "util/strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Every entry starts with a header: blobs and strings live in one table,
 * told apart by their kind. */
struct entry {
	size_t len;
	int blob;
	_Alignas(16) unsigned char data[];
};

static uint64_t hash(const void *data, size_t len, int blob)
{
	const unsigned char *p = data;
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)blob;	/* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static struct entry *entry_of(char *slot)
{
	return (struct entry *)slot;
}

static void grow(struct pi_strpool *pool)
{
	size_t cap = pool->cap ? pool->cap * 2 : 256;
	char **slots = pi_xcalloc(cap, sizeof *slots);
	for (size_t i = 0; i < pool->cap; i++) {
		char *s = pool->slots[i];
		if (!s)
			continue;
		struct entry *e = entry_of(s);
		size_t k = hash(e->data, e->len, e->blob) & (cap - 1);
		while (slots[k])
			k = (k + 1) & (cap - 1);
		slots[k] = s;
	}
	free(pool->slots);
	pool->slots = slots;
	pool->cap = cap;
}

static const void *intern(struct pi_strpool *pool, const void *data, size_t len, int blob)
{
	if ((pool->count + 1) * 2 > pool->cap)
		grow(pool);
	size_t k = hash(data, len, blob) & (pool->cap - 1);
	while (pool->slots[k]) {
		struct entry *e = entry_of(pool->slots[k]);
		if (e->blob == blob && e->len == len && memcmp(e->data, data, len) == 0)
			return e->data;
		k = (k + 1) & (pool->cap - 1);
	}
	/* Strings keep their NUL. */
	struct entry *e = pi_xmalloc(sizeof *e + len + !blob);
	e->len = len;
	e->blob = blob;
	memcpy(e->data, data, len);
	if (!blob)
		e->data[len] = '\0';
	pool->slots[k] = (char *)e;
	pool->count++;
	return e->data;
}

const char *pi_strpool_intern(struct pi_strpool *pool, const char *s)
{
	return s ? intern(pool, s, strlen(s), 0) : NULL;
}

const void *pi_strpool_intern_blob(struct pi_strpool *pool, const void *data, size_t len)
{
	return intern(pool, data, len, 1);
}

void pi_strpool_free(struct pi_strpool *pool)
{
	for (size_t i = 0; i < pool->cap; i++)
		free(pool->slots[i]);
	free(pool->slots);
	memset(pool, 0, sizeof *pool);
}
