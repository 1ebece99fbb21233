#include "util/intern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static char **find_slot(char **slots, size_t cap, const char *s)
{
	size_t i = (size_t)hash(s) & (cap - 1);
	while (slots[i] && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void grow(struct pi_intern *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64;
	char **slots = pi_xcalloc(cap, sizeof *slots);
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i])
			*find_slot(slots, cap, set->slots[i]) = set->slots[i];
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
}

const char *pi_intern(struct pi_intern *set, const char *s)
{
	/* At most half full, so that probes stay short. */
	if ((set->count + 1) * 2 > set->cap)
		grow(set);
	char **slot = find_slot(set->slots, set->cap, s);
	if (!*slot) {
		*slot = pi_xstrdup(s);
		set->count++;
	}
	return *slot;
}

void pi_intern_free(struct pi_intern *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	set->slots = NULL;
	set->cap = set->count = 0;
}
