#include "tui/help.h"

#include <stddef.h>
#include <stdio.h>

#include "tui/line.h"

/* Kept in step with pinspect(1), LIVE VIEW. A '*' marks a title. Every
 * line fits 80 columns (tests/unit/test_live.c), so the page reads whole
 * on an 80x24 terminal, scrolled. */
static const char *const lines[] = {
	"*pinspect live view: every task, with the stuck ones flagged in words",
	"",
	"*Moving",
	"  Up Down PgUp PgDn Home End",
	"                 move the selection",
	"  Left Right     scroll sideways",
	"  mouse          click a row: select it; click a title: sort by it (again:",
	"                 the other way round); the wheel scrolls",
	"  Enter          the selected task's full snapshot (as pinspect PID)",
	"",
	"*Showing",
	"  p  !           problems only: D, hung, Z, T, t, deadlocks, zombies' parents",
	"  H              a row per thread, or per process",
	"  K              hide or show kernel threads",
	"  u              only one user's tasks (by name or number; empty: all)",
	"  t  V  F5       tree: children under their parent, threads under their process",
	"  /  F3          search the commands (typing: F3 or Down next, Up before)",
	"  n  N           after Enter: the next match, the one before",
	"  Esc            forget the search (N sorts by PID again)",
	"  \\  F4          filter: only commands holding the text (Esc clears)",
	"  F2  C  S       choose the columns: space shows/hides, [ ] move, s saves",
	"",
	"*Tagging and acting",
	"  space          tag or untag the selected process, then go down",
	"  c              tag the selected process and every process under it",
	"  U              untag them all",
	"  k  F9          send a signal to the selected process, or to every tagged",
	"                 one (the prompt names them: Enter sends, Esc cancels)",
	"  ]  F7          nice -1: more CPU (lowering nice needs root)",
	"  [  F8          nice +1: less CPU (the selected process's threads, or every",
	"                 tagged process's)",
	"",
	"*Sorting",
	"  F6             the sort menu: every column",
	"  <  >           sort by the column to the left or right",
	"  I  R           reverse the order",
	"  P  M  N  F  T  sort by %CPU, memory, PID, flags, time",
	"",
	"*Refreshing",
	"  d  s           change the refresh interval",
	"  Z              pause or resume",
	"  Ctrl-L         redraw the screen and refresh now",
	"",
	"*Replaying a recording (pinspect --replay FILE)",
	"  t  T           one refresh back, one forward (the tree is V or F5 there)",
	"  b              go to a time: HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS]",
	"  Home  End      the first refresh, the last",
	"  k F7 F8 d Z    act on processes or refresh live: they do nothing there",
	"",
	"  ?  h  F1       this help",
	"  q  F10         quit",
	"",
	"At the top: each CPU's use over the last refresh (their average when they",
	"do not fit), memory in use (less what is available) and swap in use, of the",
	"total. Tagged processes are bold, with a * first.",
	"",
	"In a snapshot: Up Down PgUp PgDn Home End scroll, Tab and Shift-Tab jump",
	"between sections, m the memory map, t the threads and their kernel stacks,",
	"f the findings, r reads it again, u reads it with user stacks (running",
	"threads sampled, never stopped, where perf events are allowed), S samples",
	"the process for 5 s (as pinspect --sample=5 PID: the hottest stacks by",
	"state and by thread group; Esc cancels, the view answers keys meanwhile),",
	"Esc or q goes back to the table.",
	"",
	"Flags: hung (in D longer than --hung-after), deadlock with TID (waits for a",
	"lock of TID's, in a cycle; looked for every 10 s), deadlock with process N",
	"(processes waiting for each other), in D (uninterruptible), zombie of PPID,",
	"holds N zombies (and the oldest one's age), stopped, traced.",
	"",
	"Columns: VCSW/s and ICSW/s voluntary and involuntary context switches per",
	"second, LASTRAN time since the task last ran, WCHAN the kernel function it",
	"waits in, SYSCALL the call it is in, PRI NI the priority and nice, VIRT SHR",
	"virtual and shared memory, MEM% resident memory of the total, TIME+ CPU",
	"time used (minutes:seconds.hundredths); F2 lists every column with what it",
	"shows (and so does pinspect --list-columns). A - is unknown or not yet",
	"measured (rates need two refreshes), ? is not readable.",
};
enum { LINES_COUNT = sizeof lines / sizeof lines[0] };

size_t pi_help_lines(const char *const **out)
{
	*out = lines;
	return LINES_COUNT;
}

/* The last line is the footer: where the page is, and how to leave. */
static int body_rows(int rows)
{
	return rows > 1 ? rows - 1 : 1;
}

static int top_max(int rows)
{
	int max = LINES_COUNT - body_rows(rows);
	return max > 0 ? max : 0;
}

void pi_help_draw(struct pi_screen *s, int top)
{
	struct pi_line l = { 0 };
	char footer[160];
	int body = body_rows(s->rows);
	if (top > top_max(s->rows))
		top = top_max(s->rows);
	erase();
	for (int y = 0; y < body && y < s->rows && top + y < LINES_COUNT; y++) {
		const char *text = lines[top + y];
		bool title = text[0] == '*';
		text += title;
		pi_line_reset(&l);
		pi_line_add(&l, text, title ? A_BOLD : A_NORMAL);
		pi_line_draw(&l, y, 0, s->cols, A_NORMAL);
	}
	if (s->rows > 1) {
		int last = top + body < LINES_COUNT ? top + body : LINES_COUNT;
		snprintf(footer, sizeof footer, "q Esc: back  Up Down PgUp PgDn: scroll  lines %d-%d of %d%s",
			 top + 1, last, LINES_COUNT, last < LINES_COUNT ? ", more below" : "");
		pi_line_reset(&l);
		pi_line_add(&l, footer, pi_screen_bar(s));
		pi_line_draw(&l, s->rows - 1, 0, s->cols, pi_screen_bar(s));
	}
	pi_line_free(&l);
}

bool pi_help_key(int key, int *top, int rows)
{
	int page = body_rows(rows), max = top_max(rows);
	if (*top > max)
		*top = max;
	switch (key) {
	case KEY_DOWN:
	case 'j':
		*top += *top < max;
		return true;
	case KEY_UP:
	case 'k':
		*top -= *top > 0;
		return true;
	case KEY_NPAGE:
	case ' ':
		*top = *top + page < max ? *top + page : max;
		return true;
	case KEY_PPAGE:
		*top = *top > page ? *top - page : 0;
		return true;
	case KEY_HOME:
		*top = 0;
		return true;
	case KEY_END:
		*top = max;
		return true;
	case KEY_RESIZE:
		return true;
	default:
		return false;
	}
}
