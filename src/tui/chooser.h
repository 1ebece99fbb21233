/* chooser — the live view's column chooser (F2, as htop's setup screen,
 * or C): every column, those shown first in their order, with what each
 * shows. Space or Enter shows or hides the column under the cursor, [ and
 * ] (or - and +, F7 and F8) move it left or right in the table, s saves
 * the choice for the next start (settings.h), Esc or q goes back. Each
 * change applies at once. Keys in pinspect(1), LIVE VIEW. */
#ifndef PI_TUI_CHOOSER_H
#define PI_TUI_CHOOSER_H

#include <stdbool.h>

#include "table/view.h"
#include "tui/screen.h"

struct pi_chooser {
	enum pi_column order[PI_COL_COUNT];	/* every column: those shown first */
	bool on[PI_COL_COUNT];			/* by position in order */
	int cursor, top;
	char message[256];
};

enum pi_chooser_result {
	PI_CHOOSER_NOTHING,	/* a key that moved the cursor, or none */
	PI_CHOOSER_CHANGED,	/* the columns shown changed: pi_chooser_columns */
	PI_CHOOSER_SAVE,	/* save them */
	PI_CHOOSER_CLOSE,
};

void pi_chooser_open(struct pi_chooser *c, const struct pi_column_set *shown);
void pi_chooser_draw(const struct pi_chooser *c, struct pi_screen *s);
enum pi_chooser_result pi_chooser_key(struct pi_chooser *c, const struct pi_screen *s, int key);
/* The columns shown, in their order. */
void pi_chooser_columns(const struct pi_chooser *c, struct pi_column_set *out);

#endif
