/* screen — the terminal while the live view owns it: ncurses set up and
 * torn down, colours (or none: NO_COLOR, monochrome terminals), waiting
 * for a key, a signal or the next refresh, and giving the terminal back
 * whatever way pinspect ends: quitting, an error exit, SIGINT, SIGTERM,
 * SIGHUP, or a crash. Clicks of the first button and the wheel are
 * asked for (as htop does; Shift still selects text in most terminals). */
#ifndef PI_TUI_SCREEN_H
#define PI_TUI_SCREEN_H

#include <curses.h>
#include <stdbool.h>

#include "table/columns.h"

struct pi_screen {
	SCREEN *scr;
	bool colour;
	bool line_chars;	/* the terminal draws lines (ACS): the tree uses them */
	bool utf8;		/* the locale's characters are UTF-8 (LANG, LC_ALL, LC_CTYPE) */
	bool mouse;		/* clicks are reported (KEY_MOUSE) */
	int rows, cols;
};

/* Takes over the terminal. Returns 0, or -errno / -ENOTTY (after a
 * message on stderr) when it cannot. */
int pi_screen_open(struct pi_screen *s);
/* Gives the terminal back as it was; safe to call twice. */
void pi_screen_close(struct pi_screen *s);

/* The attributes a style is drawn with (colour when there is colour,
 * else bold, underline or dim: the words say what the colour would). */
attr_t pi_screen_attr(const struct pi_screen *s, enum pi_style style);
/* Titles and the bars above and below the table. */
attr_t pi_screen_bar(const struct pi_screen *s);

enum pi_wait {
	PI_WAIT_TIMEOUT,	/* the time is up */
	PI_WAIT_INPUT,		/* a key (or a resize) may be read */
	PI_WAIT_SIGNAL,		/* SIGINT, SIGTERM or SIGHUP: leave */
};

/* Waits up to timeout_ms (-1: for ever) for input or a signal. */
enum pi_wait pi_screen_wait(struct pi_screen *s, int timeout_ms);
/* The signal that asked us to leave, or 0. */
int pi_screen_signal(void);

/* Refreshes rows and cols after a resize. */
void pi_screen_size(struct pi_screen *s);

#endif
