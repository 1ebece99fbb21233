#include "tui/help.h"

#include <stddef.h>

#include "tui/line.h"

/* Kept in step with pinspect(1), LIVE VIEW. A '*' marks a title. */
static const char *const lines[] = {
	"*pinspect live view: every task, with the stuck ones flagged in words",
	"",
	"*Moving",
	"  Up Down PgUp PgDn Home End   move the selection",
	"  Left Right                   scroll sideways",
	"  Enter                        the selected task's full snapshot (as pinspect PID)",
	"",
	"*Showing",
	"  p  !                         problems only: D, hung, Z, T, t, deadlocks, zombies' parents",
	"  H                            a row per thread, or per process",
	"  K                            hide or show kernel threads",
	"  u                            only one user's tasks (by name or number; empty: all)",
	"  t  V  F5                     tree: children under their parent, threads under their process",
	"  /  F3                        search the commands; n: next match",
	"  \\  F4                        filter: only commands holding the text (Esc clears)",
	"  F2  C  S                     choose the columns: space shows/hides, [ ] move, s saves",
	"",
	"*Acting",
	"  k  F9                        send a signal to the selected process (the prompt",
	"                               names it: Enter sends, Esc cancels)",
	"",
	"*Sorting",
	"  <  >                         sort by the column to the left or right",
	"  I  R                         reverse the order",
	"  P  M  N  F                   sort by %CPU, memory, PID, flags",
	"",
	"*Refreshing",
	"  d  s                         change the refresh interval",
	"  Z                            pause or resume",
	"  space                        refresh now",
	"  Ctrl-L                       redraw the screen",
	"",
	"  ?  h  F1                     this help",
	"  q  F10                       quit",
	"",
	"In a snapshot: Up Down PgUp PgDn Home End scroll, Tab and Shift-Tab jump between",
	"sections, m the memory map, t the threads and their kernel stacks, f the findings,",
	"r reads it again, u reads it with user stacks (running threads sampled, never",
	"stopped, where perf events are allowed), Esc or q goes back to the table.",
	"",
	"Flags: hung (in D longer than --hung-after), deadlock with TID (waits for a lock of",
	"TID's, in a cycle; looked for every 10 s), in D (uninterruptible), zombie of PPID,",
	"holds N zombies (and the oldest one's age), stopped, traced. Columns: VCSW/s and",
	"ICSW/s voluntary and involuntary context switches per second, LASTRAN time since the",
	"task last ran, WCHAN the kernel function it waits in, SYSCALL the call it is in;",
	"F2 lists every column with what it shows (and so does pinspect --list-columns).",
	"A - is unknown or not yet measured (rates need two refreshes), ? is not readable.",
	"",
	"Press any key to go back.",
};
enum { LINES_COUNT = sizeof lines / sizeof lines[0] };

void pi_help_draw(struct pi_screen *s, int top)
{
	struct pi_line l = { 0 };
	erase();
	for (int y = 0; y < s->rows && top + y < LINES_COUNT; y++) {
		const char *text = lines[top + y];
		bool title = text[0] == '*';
		text += title;
		pi_line_reset(&l);
		pi_line_add(&l, text, title ? A_BOLD : A_NORMAL);
		pi_line_draw(&l, y, 0, s->cols, A_NORMAL);
	}
	pi_line_free(&l);
}

bool pi_help_key(int key, int *top)
{
	switch (key) {
	case KEY_DOWN:
		if (*top + 1 < LINES_COUNT)
			(*top)++;
		return true;
	case KEY_UP:
		if (*top > 0)
			(*top)--;
		return true;
	case KEY_RESIZE:
		return true;
	default:
		return false;
	}
}
