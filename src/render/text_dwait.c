/* The words for a wait in D: whether SIGKILL ends it, and the vfork
 * child a vfork parent waits for. Shared by the summary, STATE and
 * THREADS. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "analysis/dwait.h"
#include "analysis/state.h"
#include "collect/dwait.h"
#include "render/text_util.h"

void pi_text_killable(struct pi_buf *b, const struct pi_d_wait *w)
{
	const char *ev = w->evidence;
	int evlen = ev ? (int)strcspn(ev, "+") : 0;

	switch (w->killable) {
	case PI_KILLABLE_YES:
		pi_buf_puts(b, "killable: SIGKILL ends the wait (a vfork parent's wait is killable)");
		return;
	case PI_KILLABLE_LIKELY:
		if (w->vfork) {
			pi_buf_puts(b, "likely killable (the vfork wait, but its vfork child was not confirmed)");
			return;
		}
		pi_buf_puts(b, "likely killable (waits in ");
		pi_escape_text_max(b, ev, (size_t)evlen, PI_TEXT_NAME_MAX);
		pi_buf_puts(b, ", a wait that accepts SIGKILL)");
		return;
	default:
		pi_buf_puts(b, "unknown: nothing in its wait channel");
		pi_buf_puts(b, " or kernel stack names a killable wait; SIGKILL may have to wait"
			    " for the wait to end");
		return;
	}
}

void pi_text_vfork_child(struct pi_buf *b, const struct pi_process *p, const struct pi_d_wait *w)
{
	const struct pi_vfork_child *c = &w->child;

	if (!w->child_found) {
		if (w->children_err == -PI_ERR_TIMEOUT)
			pi_buf_puts(b, "not looked for: the time (--timeout) ran out");
		else if (w->children_err == -E2BIG)
			pi_buf_printf(b, "not looked for: only %d threads' vfork children are",
				      PI_DWAIT_LOOKUPS_MAX);
		else if (w->children_err)
			pi_buf_puts(b, "not found (its children file could not be read)");
		else
			pi_buf_puts(b, "not found (it may have exec'd or exited since)");
		return;
	}
	pi_buf_printf(b, "%d (", (int)c->pid);
	put_escaped(b, c->comm);
	pi_buf_puts(b, ")");
	if (c->shares_memory)
		pi_buf_puts(b, ", its vfork child (it runs in the parent's memory)");
	else
		pi_buf_puts(b, ", its youngest child: likely the vfork child (whether it shares the"
			    " parent's memory could not be checked)");
	pi_buf_printf(b, ": %c %s", c->state, pi_state_name(c->state));
	if (!c->syscall_err && c->syscall.kind == PI_SYSCALL_IN) {
		pi_buf_puts(b, " in ");
		pi_text_syscall(b, p->abi_known, p->abi, &c->syscall, 0);
		pi_buf_puts(b, "()");
	} else if (!c->syscall_err && c->syscall.kind == PI_SYSCALL_RUNNING) {
		pi_buf_puts(b, ", running");
	}
	if (!c->wchan_err && c->wchan[0]) {
		pi_buf_puts(b, ", waiting in ");
		put_escaped(b, c->wchan);
	}
	pi_buf_puts(b, "; the parent resumes when it execs or exits");
}

void pi_text_d_wait_lines(struct pi_buf *b, const struct pi_process *p, const struct pi_d_wait *w,
			  const char *indent, bool compact)
{
	if (!w)
		return;
	/* Compact: the labels of the lines under a thread's row. */
	int width = compact ? 7 : PI_TEXT_LABEL;
	pi_buf_printf(b, "%s%-*s", indent, width, compact ? "kill" : "Killable");
	pi_text_killable(b, w);
	pi_buf_putc(b, '\n');
	if (w->vfork) {
		pi_buf_printf(b, "%s%-*s", indent, width, compact ? "child" : "Waits for");
		pi_text_vfork_child(b, p, w);
		pi_buf_putc(b, '\n');
	}
}
