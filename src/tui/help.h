/* help — the live view's keys, on a page of their own (? or h or F1). */
#ifndef PI_TUI_HELP_H
#define PI_TUI_HELP_H

#include <stdbool.h>

#include "tui/screen.h"

/* Draws the help page scrolled by `top` lines. */
void pi_help_draw(struct pi_screen *s, int top);
/* Handles a key on the help page: returns false when it closes it. */
bool pi_help_key(int key, int *top);

#endif
