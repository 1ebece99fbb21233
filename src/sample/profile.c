#include "sample/profile.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void pi_profile_init(struct pi_profile *p)
{
	memset(p, 0, sizeof *p);
}

const char *pi_sampled_state_key(enum pi_sampled_state s)
{
	switch (s) {
	case PI_SAMPLED_ON_CPU:
		return "on-cpu";
	case PI_SAMPLED_D:
		return "D";
	case PI_SAMPLED_OFF_CPU:
	default:
		return "off-cpu";
	}
}

/* A name as kept: at most PI_PROFILE_MAX_NAME bytes, "" for unknown. */
static size_t name_len(const char *s)
{
	return s ? strnlen(s, PI_PROFILE_MAX_NAME) : 0;
}

static uint64_t hash_bytes(uint64_t h, const char *s)
{
	size_t n = name_len(s);
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	/* A separator no name holds within its length. */
	h ^= 0x100 + n;
	h *= 1099511628211ULL;
	return h;
}

static size_t capped(size_t n)
{
	return n > PI_PROFILE_MAX_FRAMES ? PI_PROFILE_MAX_FRAMES : n;
}

static uint64_t record_hash(const struct pi_profile_record *r)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)r->state;
	h = hash_bytes(h, r->comm);
	h = hash_bytes(h, r->wchan);
	h = hash_bytes(h, r->syscall);
	for (size_t i = 0; i < capped(r->nframes); i++)
		h = hash_bytes(h, r->frames[i]);
	h ^= 0x200 + capped(r->nframes);
	for (size_t i = 0; i < capped(r->nkframes); i++)
		h = hash_bytes(h, r->kframes[i]);
	return h;
}

static bool same_name(const char *kept, const char *s)
{
	size_t n = name_len(s);
	return strlen(kept) == n && memcmp(kept, s ? s : "", n) == 0;
}

static bool same_list(char **kept, size_t nkept, const char *const *v, size_t n)
{
	if (nkept != capped(n))
		return false;
	for (size_t i = 0; i < nkept; i++)
		if (!same_name(kept[i], v[i]))
			return false;
	return true;
}

static bool stack_is(const struct pi_profile_stack *s, uint64_t h, const struct pi_profile_record *r)
{
	return s->hash == h && s->state == r->state && same_name(s->comm, r->comm)
	       && same_name(s->wchan, r->wchan) && same_name(s->syscall, r->syscall)
	       && same_list(s->frames, s->nframes, r->frames, r->nframes)
	       && same_list(s->kframes, s->nkframes, r->kframes, r->nkframes);
}

static char *keep(const char *s)
{
	size_t n = name_len(s);
	char *c = pi_xmalloc(n + 1);
	memcpy(c, s ? s : "", n);
	c[n] = '\0';
	return c;
}

static char **keep_list(const char *const *v, size_t n)
{
	n = capped(n);
	char **c = pi_xcalloc(n ? n : 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = keep(v[i]);
	return c;
}

/* What keeping r's stack costs, in bytes of names and pointers. */
static size_t record_bytes(const struct pi_profile_record *r)
{
	size_t n = name_len(r->comm) + name_len(r->wchan) + name_len(r->syscall) + 3
		   + sizeof(struct pi_profile_stack);
	for (size_t i = 0; i < capped(r->nframes); i++)
		n += name_len(r->frames[i]) + 1 + sizeof(char *);
	for (size_t i = 0; i < capped(r->nkframes); i++)
		n += name_len(r->kframes[i]) + 1 + sizeof(char *);
	return n;
}

static void grow_slots(struct pi_profile *p)
{
	size_t n = p->nslots ? p->nslots * 2 : 1024;
	size_t *slots = pi_xcalloc(n, sizeof *slots);
	for (size_t i = 0; i < p->nstacks; i++) {
		size_t j = (size_t)p->stacks[i].hash & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = i + 1;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = n;
}

static void count_stack(struct pi_profile *p, const struct pi_profile_record *r)
{
	uint64_t h = record_hash(r);
	if (p->nslots == 0 || (p->nstacks + 1) * 2 > p->nslots)
		grow_slots(p);
	size_t j = (size_t)h & (p->nslots - 1);
	while (p->slots[j]) {
		struct pi_profile_stack *s = &p->stacks[p->slots[j] - 1];
		if (stack_is(s, h, r)) {
			s->count++;
			return;
		}
		j = (j + 1) & (p->nslots - 1);
	}
	size_t cost = record_bytes(r);
	if (p->nstacks >= PI_PROFILE_MAX_STACKS || p->bytes + cost > PI_PROFILE_MAX_BYTES) {
		p->dropped++;
		return;
	}
	p->bytes += cost;
	if ((p->nstacks & (p->nstacks - 1)) == 0)	/* 0, 1, 2, 4...: double */
		p->stacks = pi_xrealloc(p->stacks, (p->nstacks ? p->nstacks * 2 : 64) * sizeof *p->stacks);
	struct pi_profile_stack *s = &p->stacks[p->nstacks];
	*s = (struct pi_profile_stack){
		.hash = h,
		.count = 1,
		.state = r->state,
		.comm = keep(r->comm),
		.wchan = keep(r->wchan),
		.syscall = keep(r->syscall),
		.frames = keep_list(r->frames, r->nframes),
		.nframes = capped(r->nframes),
		.kframes = keep_list(r->kframes, r->nkframes),
		.nkframes = capped(r->nkframes),
	};
	p->slots[j] = ++p->nstacks;
}

static void count_thread(struct pi_profile *p, const struct pi_profile_record *r)
{
	struct pi_profile_thread *t = NULL;
	/* Threads come in the same order each tick: the search starts
	 * after the thread found last, so a tick costs one step a thread. */
	for (size_t k = 0; k < p->nthreads; k++) {
		size_t i = (p->thread_cursor + k) % p->nthreads;
		if (p->threads[i].tid == r->tid) {
			t = &p->threads[i];
			p->thread_cursor = i + 1;
			break;
		}
	}
	if (!t) {
		if (p->nthreads >= PI_PROFILE_MAX_THREADS) {
			p->threads_untracked++;
			return;
		}
		if ((p->nthreads & (p->nthreads - 1)) == 0)
			p->threads = pi_xrealloc(p->threads,
						 (p->nthreads ? p->nthreads * 2 : 16) * sizeof *p->threads);
		t = &p->threads[p->nthreads++];
		p->thread_cursor = p->nthreads;
		*t = (struct pi_profile_thread){ .tid = r->tid, .comm = keep(r->comm) };
	} else if (!same_name(t->comm, r->comm)) {
		free(t->comm);
		t->comm = keep(r->comm);
	}
	t->samples++;
	t->by_state[r->state]++;
	if (r->stopped_us >= 0) {
		t->stops++;
		t->held_us += r->stopped_us;
		if (r->stopped_us > t->longest_stop_us)
			t->longest_stop_us = r->stopped_us;
	}
}

void pi_profile_add(struct pi_profile *p, const struct pi_profile_record *r)
{
	if ((unsigned)r->state >= PI_SAMPLED_NSTATES)
		return;
	p->samples++;
	p->by_state[r->state]++;
	count_stack(p, r);
	count_thread(p, r);
}

static int compare_names(char **a, size_t na, char **b, size_t nb)
{
	for (size_t i = 0; i < na && i < nb; i++) {
		int c = strcmp(a[i], b[i]);
		if (c)
			return c;
	}
	return na < nb ? -1 : na > nb;
}

static int by_count(const void *x, const void *y)
{
	const struct pi_profile_stack *a = *(const struct pi_profile_stack *const *)x;
	const struct pi_profile_stack *b = *(const struct pi_profile_stack *const *)y;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	int c = strcmp(a->comm, b->comm);
	if (!c)
		c = (int)a->state - (int)b->state;
	if (!c)
		c = strcmp(a->wchan, b->wchan);
	if (!c)
		c = compare_names(a->frames, a->nframes, b->frames, b->nframes);
	if (!c)
		c = compare_names(a->kframes, a->nkframes, b->kframes, b->nkframes);
	return c;
}

const struct pi_profile_stack **pi_profile_sorted(const struct pi_profile *p)
{
	const struct pi_profile_stack **v = pi_xcalloc(p->nstacks ? p->nstacks : 1, sizeof *v);
	for (size_t i = 0; i < p->nstacks; i++)
		v[i] = &p->stacks[i];
	qsort(v, p->nstacks, sizeof *v, by_count);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void pi_profile_free(struct pi_profile *p)
{
	for (size_t i = 0; i < p->nstacks; i++) {
		struct pi_profile_stack *s = &p->stacks[i];
		free(s->comm);
		free(s->wchan);
		free(s->syscall);
		free_list(s->frames, s->nframes);
		free_list(s->kframes, s->nkframes);
	}
	free(p->stacks);
	free(p->slots);
	for (size_t i = 0; i < p->nthreads; i++)
		free(p->threads[i].comm);
	free(p->threads);
	pi_profile_init(p);
}
