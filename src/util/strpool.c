#include "util/strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void grow(struct pi_strpool *pool)
{
	size_t cap = pool->cap ? pool->cap * 2 : 256;
	char **slots = pi_xcalloc(cap, sizeof *slots);
	for (size_t i = 0; i < pool->cap; i++) {
		char *s = pool->slots[i];
		if (!s)
			continue;
		size_t k = hash(s) & (cap - 1);
		while (slots[k])
			k = (k + 1) & (cap - 1);
		slots[k] = s;
	}
	free(pool->slots);
	pool->slots = slots;
	pool->cap = cap;
}

const char *pi_strpool_intern(struct pi_strpool *pool, const char *s)
{
	if (!s)
		return NULL;
	if ((pool->count + 1) * 2 > pool->cap)
		grow(pool);
	size_t k = hash(s) & (pool->cap - 1);
	while (pool->slots[k]) {
		if (strcmp(pool->slots[k], s) == 0)
			return pool->slots[k];
		k = (k + 1) & (pool->cap - 1);
	}
	pool->slots[k] = pi_xstrdup(s);
	pool->count++;
	return pool->slots[k];
}

void pi_strpool_free(struct pi_strpool *pool)
{
	for (size_t i = 0; i < pool->cap; i++)
		free(pool->slots[i]);
	free(pool->slots);
	memset(pool, 0, sizeof *pool);
}
