/* help — the live view's keys, on a page of their own (? or h or F1):
 * it scrolls (Up Down PgUp PgDn Home End, space), and its last line
 * always says how to leave it, whatever the screen's height. */
#ifndef PI_TUI_HELP_H
#define PI_TUI_HELP_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/screen.h"

/* The page's lines (a leading '*' marks a title); returns how many. */
size_t pi_help_lines(const char *const **lines);

/* Draws the help page scrolled by `top` lines. */
void pi_help_draw(struct pi_screen *s, int top);
/* Handles a key on the help page, on a screen rows high: returns false
 * when it closes it (q, Esc, ?, F1, F10, Enter, or any key that does
 * not scroll). */
bool pi_help_key(int key, int *top, int rows);

#endif
