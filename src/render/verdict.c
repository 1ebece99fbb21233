/* The SUMMARY section: the verdict before the detail. Who the process is,
 * its state, each finding in one line, the D waits with whether SIGKILL
 * ends them, and what to do next: what a person at the terminal reads
 * first, with the sections below as the evidence. */
#include <stdio.h>
#include <string.h>

#include "analysis/findings.h"
#include "analysis/state.h"
#include "render/text_util.h"
#include "render/sections.h"
#include "util/fmt.h"

/* More than this many findings or D waits are counted, not listed: the
 * FINDINGS and THREADS sections have them all. */
enum { SUMMARY_FINDINGS_MAX = 8, SUMMARY_D_WAITS_MAX = 4 };

static void put_task(struct pi_buf *b, pid_t id, const char *comm)
{
	pi_buf_printf(b, "%d", (int)id);
	if (comm) {
		pi_buf_puts(b, " (");
		put_escaped(b, comm);
		pi_buf_puts(b, ")");
	}
}

static void process_line(struct pi_buf *b, const struct pi_process *p)
{
	char dur[32];

	label(b, "Process");
	put_task(b, p->pid, p->stat.comm);
	if (p->threads_err)
		pi_buf_puts(b, ", threads unavailable");
	else
		pi_buf_printf(b, ", %zu thread%s", p->nthreads, p->nthreads == 1 ? "" : "s");
	if (p->kernel_thread)
		pi_buf_puts(b, ", a kernel thread");
	pi_buf_printf(b, ", started %s ago\n", pi_fmt_duration(dur, sizeof dur, p->age_seconds));

	if (p->selected_tid) {
		const struct pi_thread *t = pi_process_find_thread(p, p->selected_tid);
		label(b, "Thread");
		put_task(b, p->selected_tid, t ? pi_thread_comm(p, t) : NULL);
		pi_buf_puts(b, ", the thread asked for, of process ");
		put_task(b, p->pid, p->stat.comm);
		if (t)
			pi_buf_puts(b, "; THREADS shows it first, marked >\n");
		else
			pi_buf_puts(b, "; it exited before its threads were read\n");
	}

	label(b, "State");
	pi_buf_printf(b, "%c  %s\n", p->stat.state, pi_state_meaning(p->stat.state));
}

static void d_waits(struct pi_buf *b, const struct pi_process *p)
{
	for (size_t i = 0; i < p->nd_waits && i < SUMMARY_D_WAITS_MAX; i++) {
		const struct pi_d_wait *w = &p->d_waits[i];
		const struct pi_thread *t = pi_process_find_thread(p, w->tid);
		label(b, "In D");
		pi_buf_puts(b, "thread ");
		put_task(b, w->tid, t && !t->stat_err ? pi_thread_comm(p, t) : NULL);
		if (t && !t->wchan_err && t->facts.wchan && *t->facts.wchan) {
			pi_buf_puts(b, ", waiting in ");
			put_escaped(b, t->facts.wchan);
		}
		pi_buf_putc(b, '\n');
		pi_text_d_wait_lines(b, p, w, "    ", false);
	}
	if (p->nd_waits > SUMMARY_D_WAITS_MAX) {
		label(b, "");
		pi_buf_printf(b, "... %zu more threads in D: see THREADS\n",
			      p->nd_waits - SUMMARY_D_WAITS_MAX);
	}
}

static void findings(struct pi_buf *b, const struct pi_process *p)
{
	label(b, "Findings");
	if (!p->nfindings) {
		pi_buf_puts(b, p->nunavailable ? "none found (some items could not be read: see UNAVAILABLE)\n"
					       : "none\n");
		return;
	}
	pi_buf_printf(b, "%zu\n", p->nfindings);
	for (size_t i = 0; i < p->nfindings && i < SUMMARY_FINDINGS_MAX; i++) {
		const struct pi_finding *f = &p->findings[i];
		/* The message is escaped where it is made (analysis/). */
		pi_buf_printf(b, "    %-16s %s\n", pi_finding_kind_name(f->kind), f->message);
	}
	if (p->nfindings > SUMMARY_FINDINGS_MAX)
		pi_buf_printf(b, "    ... %zu more: see FINDINGS\n", p->nfindings - SUMMARY_FINDINGS_MAX);
}

/* What to do: the steps that follow from the facts themselves, then the
 * sections of pinspect(1) the findings point to. */
static void next_steps(struct pi_buf *b, const struct pi_process *p)
{
	bool any = false;
	const char *seen[PI_FIND_KIND_COUNT];
	size_t nseen = 0;

	for (size_t i = 0; i < p->nd_waits; i++) {
		const struct pi_d_wait *w = &p->d_waits[i];
		if (w->vfork && w->child_found) {
			label(b, any ? "" : "Next");
			pi_buf_printf(b, "look at the vfork child: pinspect %d\n", (int)w->child.pid);
			any = true;
			break;
		}
	}
	for (size_t i = 0; i < p->nd_waits; i++) {
		if (p->d_waits[i].killable == PI_KILLABLE_UNKNOWN)
			continue;
		label(b, any ? "" : "Next");
		pi_buf_printf(b, "to end it: kill -KILL %d (its wait in D %saccepts SIGKILL)\n", (int)p->pid,
			      p->d_waits[i].killable == PI_KILLABLE_LIKELY ? "likely " : "");
		any = true;
		break;
	}
	if (p->stat.state == 'T') {
		label(b, any ? "" : "Next");
		pi_buf_printf(b, "to resume it: kill -CONT %d\n", (int)p->pid);
		any = true;
	}
	for (size_t i = 0; i < p->nfindings; i++) {
		const char *see = pi_finding_see(p->findings[i].kind);
		bool dup = false;
		for (size_t k = 0; k < nseen; k++)
			dup |= strcmp(seen[k], see) == 0;
		if (dup || nseen == PI_FIND_KIND_COUNT)
			continue;
		seen[nseen++] = see;
		label(b, any ? "" : "Next");
		pi_buf_printf(b, "read pinspect(1), %s\n", see);
		any = true;
	}
	if (!any && !p->nfindings) {
		label(b, "Next");
		pi_buf_puts(b, "nothing to do; the sections below have the detail\n");
	}
}

void pi_text_summary(struct pi_buf *b, const struct pi_process *p, const struct pi_text_view *view)
{
	(void)view;
	section(b, pi_section_title(PI_SECTION_SUMMARY));
	process_line(b, p);
	d_waits(b, p);
	findings(b, p);
	next_steps(b, p);
}
