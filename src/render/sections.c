#include "render/sections.h"

#include <stdio.h>
#include <string.h>

static const char *const names[PI_SECTION_COUNT] = {
	[PI_SECTION_SUMMARY] = "summary",
	[PI_SECTION_IDENTITY] = "identity",
	[PI_SECTION_STATE] = "state",
	[PI_SECTION_SCHEDULING] = "scheduling",
	[PI_SECTION_SIGNALS] = "signals",
	[PI_SECTION_MEMORY] = "memory",
	[PI_SECTION_MAPS] = "maps",
	[PI_SECTION_THREADS] = "threads",
	[PI_SECTION_STACKS] = "stacks",
	[PI_SECTION_LOCKS] = "locks",
	[PI_SECTION_WAITS] = "waits",
	[PI_SECTION_FINDINGS] = "findings",
	[PI_SECTION_UNAVAILABLE] = "unavailable",
};

static const char *const titles[PI_SECTION_COUNT] = {
	[PI_SECTION_SUMMARY] = "SUMMARY",
	[PI_SECTION_IDENTITY] = "IDENTITY",
	[PI_SECTION_STATE] = "STATE",
	[PI_SECTION_SCHEDULING] = "SCHEDULING",
	[PI_SECTION_SIGNALS] = "SIGNALS",
	[PI_SECTION_MEMORY] = "MEMORY",
	[PI_SECTION_THREADS] = "THREADS",
	[PI_SECTION_LOCKS] = "LOCKS HELD",
	[PI_SECTION_WAITS] = "WAITS FOR",
	[PI_SECTION_FINDINGS] = "FINDINGS",
	[PI_SECTION_UNAVAILABLE] = "UNAVAILABLE",
};

const char *pi_section_title(enum pi_section s)
{
	return (unsigned)s < PI_SECTION_COUNT ? titles[s] : NULL;
}

const char *pi_section_name(enum pi_section s)
{
	return (unsigned)s < PI_SECTION_COUNT ? names[s] : NULL;
}

void pi_sections_default(struct pi_sections *s)
{
	s->shown = PI_SECTIONS_ALL;
	s->whole = 0;
}

void pi_sections_names(char *out, size_t size)
{
	size_t used = 0;
	if (size)
		out[0] = '\0';
	for (int i = 0; i < PI_SECTION_COUNT && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", names[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* The bits a name stands for; 0 when it names nothing. */
static unsigned bits_of(const char *name, size_t len)
{
	if (len == 3 && memcmp(name, "all", 3) == 0)
		return PI_SECTIONS_ALL;
	for (int i = 0; i < PI_SECTION_COUNT; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return PI_SECTION_BIT(i);
	return 0;
}

bool pi_sections_apply(struct pi_sections *s, const char *list, char *err, size_t errsize)
{
	struct pi_sections next = *s;
	bool first = true;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		char sign = len && (*p == '+' || *p == '-') ? *p : 0;
		const char *name = sign ? p + 1 : p;
		size_t nlen = sign ? len - 1 : len;
		unsigned bits = bits_of(name, nlen);
		if (!bits) {
			char valid[256];
			pi_sections_names(valid, sizeof valid);
			/* The name is the user's own argument: printed as given,
			 * cut to keep the message one line. */
			if (nlen)
				snprintf(err, errsize, "'%.*s' is not a section (valid: all, %s)",
					 (int)(nlen > 64 ? 64 : nlen), name, valid);
			else
				snprintf(err, errsize, "an empty section name (valid: all, %s)", valid);
			return false;
		}
		if (first && !sign) {
			/* A plain list says exactly what to print. */
			next.shown = 0;
			next.whole = 0;
		}
		/* Stacks are printed under their threads' rows: without the
		 * threads there are none, and asking for them brings the rows. */
		unsigned threads = PI_SECTION_BIT(PI_SECTION_THREADS), stacks = PI_SECTION_BIT(PI_SECTION_STACKS);
		if (sign == '-') {
			if (bits & threads)
				bits |= stacks;
			next.shown &= ~bits;
			next.whole &= ~bits;
		} else {
			next.shown |= bits;
			next.whole |= bits;
			if (bits & stacks)
				next.shown |= threads;
		}
		first = false;
		if (!p[len])
			break;
		p += len + 1;
	}
	*s = next;
	return true;
}

void pi_text_view_init(struct pi_text_view *v, const struct pi_sections *s, bool tty, bool full)
{
	memset(v, 0, sizeof *v);
	v->shown = s->shown;
	v->whole = full || !tty ? PI_SECTIONS_ALL : s->whole;
}
