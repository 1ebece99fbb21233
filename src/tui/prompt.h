/* prompt — a line of text typed at the bottom of the screen: the search,
 * the filter, the refresh interval. */
#ifndef PI_TUI_PROMPT_H
#define PI_TUI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

enum pi_prompt_kind { PI_PROMPT_NONE, PI_PROMPT_SEARCH, PI_PROMPT_FILTER, PI_PROMPT_DELAY,
		      PI_PROMPT_SIGNAL, PI_PROMPT_USER,
		      PI_PROMPT_TIME /* a replay's b: go to a time */ };

struct pi_prompt {
	enum pi_prompt_kind kind;
	char text[128];
	size_t len;
	char label[192];	/* the signal prompt's, naming its target */
};

enum pi_prompt_result {
	PI_PROMPT_EDITING,	/* the text changed, or nothing happened */
	PI_PROMPT_DONE,		/* Enter */
	PI_PROMPT_CANCEL,	/* Esc */
};

void pi_prompt_start(struct pi_prompt *p, enum pi_prompt_kind kind, const char *initial);
/* Feeds one key (a curses key code). */
enum pi_prompt_result pi_prompt_key(struct pi_prompt *p, int key);
/* "Search: ", "Filter: ", "Refresh every (seconds): ". */
const char *pi_prompt_label(const struct pi_prompt *p);

#endif
