/* text_util — the layout the text renderer's sections share: section
 * titles at column 0, "label  value" lines indented by 2 with labels
 * padded to PI_TEXT_LABEL, tables indented by 2. */
#ifndef PI_RENDER_TEXT_UTIL_H
#define PI_RENDER_TEXT_UTIL_H

#include <string.h>

#include "analysis/reasons.h"
#include "model.h"
#include "util/buf.h"
#include "util/escape.h"

enum {
	PI_TEXT_LABEL = 14,
	PI_TEXT_EACH_THREAD_MAX = 16,	/* more threads are shown grouped by stack */
	PI_TEXT_COMMAND_MAX = 4096,	/* bytes of the command line shown */
	PI_TEXT_NAME_MAX = 4096,	/* bytes of any one name or path shown */
};

static inline void section(struct pi_buf *b, const char *title)
{
	pi_buf_printf(b, "\n%s\n", title);
}

static inline void label(struct pi_buf *b, const char *name)
{
	pi_buf_printf(b, "  %-*s", PI_TEXT_LABEL, name);
}

/* Bytes that came from the target, made safe for a terminal, and cut
 * (saying so) past PI_TEXT_NAME_MAX bytes: a symbol or file name in the
 * target's own ELF or DWARF may be as long as it likes, and is printed
 * once per frame. */
static inline void put_escaped(struct pi_buf *b, const char *s)
{
	size_t len = strlen(s);
	if (pi_escape_text_max(b, s, len, PI_TEXT_NAME_MAX) < len)
		pi_escape_cut_note(b, len, false);
}

/* Inline, a missing item gets a word; the UNAVAILABLE section says why. */
static inline const char *unavailable_text(int err)
{
	const char *none = pi_reason_none(err);
	return none ? none : "unavailable (see UNAVAILABLE)";
}

#include "render/sections.h"

/* The THREADS section (render/text_threads.c): the stacks only when the
 * view shows them, the stack groups cut on a terminal, the thread asked
 * for (view->selected_tid) first and marked. */
void pi_text_threads(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view);

/* The SUMMARY section (render/verdict.c). */
void pi_text_summary(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view);

/* A wait in D (render/text_dwait.c): "killable: ...", "likely killable
 * (waits in X, ...)" or "unknown: ..."; the vfork child and what it does;
 * both as label lines, each prefixed with indent; compact: with the short
 * labels of the lines under a thread's row. */
void pi_text_killable(struct pi_buf *b, const struct pi_d_wait *w);
void pi_text_vfork_child(struct pi_buf *b, const struct pi_process *p, const struct pi_d_wait *w);
void pi_text_d_wait_lines(struct pi_buf *b, const struct pi_process *p, const struct pi_d_wait *w,
			  const char *indent, bool compact);

/* A thread's system call, from its syscall file: its name (by the
 * process's ABI) with its first nargs arguments (0: the name alone;
 * fewer than 6: then ", ..."), "running", or "none" when it is blocked
 * outside one. A syscall file that could not be read is the caller's to
 * word. */
void pi_text_syscall(struct pi_buf *b, bool abi_known, enum pi_abi abi,
		     const struct pi_syscall *sc, int nargs);

#endif
