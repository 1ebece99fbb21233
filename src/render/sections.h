/* sections — which parts of the text snapshot are printed, and which of
 * the long ones (the memory map, the threads) are printed whole.
 *
 * The snapshot of a big process runs to a thousand lines, most of them
 * its memory map: on a terminal the long sections are summarised (their
 * first entries and a count of the rest), and --sections or --full asks
 * for them whole. A pipe or a file gets every section whole, as before.
 * The JSON document is for programs and always has every key. */
#ifndef PI_RENDER_SECTIONS_H
#define PI_RENDER_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* In the order they are printed. */
enum pi_section {
	PI_SECTION_SUMMARY,	/* the verdict: state, findings, what to do */
	PI_SECTION_IDENTITY,
	PI_SECTION_STATE,
	PI_SECTION_SCHEDULING,
	PI_SECTION_SIGNALS,
	PI_SECTION_MEMORY,	/* the sizes, vDSO, vsyscall, TLS segments */
	PI_SECTION_MAPS,	/* the memory map, under MEMORY */
	PI_SECTION_THREADS,	/* one row per thread (or per stack group) */
	PI_SECTION_STACKS,	/* kernel and user stacks, registers, TLS, under THREADS */
	PI_SECTION_LOCKS,	/* LOCKS HELD, and what each thread waits for */
	PI_SECTION_WAITS,	/* WAITS FOR: what threads wait for in other processes */
	PI_SECTION_FINDINGS,
	PI_SECTION_UNAVAILABLE,
	PI_SECTION_COUNT
};

#define PI_SECTIONS_ALL ((1u << PI_SECTION_COUNT) - 1)
#define PI_SECTION_BIT(s) (1u << (s))
/* Sections that are summarised on a terminal unless asked for whole. */
#define PI_SECTIONS_LONG (PI_SECTION_BIT(PI_SECTION_MAPS) | PI_SECTION_BIT(PI_SECTION_THREADS))

/* What a --sections list (and the short-hands) asked for. */
struct pi_sections {
	unsigned shown;		/* PI_SECTION_BIT()s to print */
	unsigned whole;		/* of those, the ones named: never summarised */
};

/* How one snapshot is printed. */
struct pi_text_view {
	unsigned shown;		/* PI_SECTION_BIT()s */
	unsigned whole;		/* long sections printed in full */
	pid_t selected_tid;	/* pinspect TID of a thread that is not the
				 * main one: shown first and marked; 0 none */
};

/* On a terminal, a summarised section shows this many entries. */
enum { PI_SUMMARY_MAPS = 16, PI_SUMMARY_STACK_GROUPS = 6 };

/* "summary", "maps"...; NULL past the end. */
const char *pi_section_name(enum pi_section s);
/* The title the text prints for it ("LOCKS HELD"); NULL for a part of
 * another section (maps under MEMORY, stacks under THREADS) and past
 * the end. The live view's snapshot page finds sections by these. */
const char *pi_section_title(enum pi_section s);

/* Every section, nothing named. */
void pi_sections_default(struct pi_sections *s);

/* Applies a --sections list to *s: comma-separated names; a list whose
 * first name has no sign replaces what is shown, "+name" adds to it,
 * "-name" removes; "all" stands for every section. A name given (with or
 * without "+") is printed whole. Returns false on an unknown or empty
 * name, with a message naming the valid ones in err. */
bool pi_sections_apply(struct pi_sections *s, const char *list, char *err, size_t errsize);

/* The view for one snapshot: on a terminal (tty) the long sections not
 * named are summarised; full (--full) prints everything whole. */
void pi_text_view_init(struct pi_text_view *v, const struct pi_sections *s, bool tty, bool full);

/* "summary, identity, state, ..." for messages and --help. */
void pi_sections_names(char *out, size_t size);

#endif
