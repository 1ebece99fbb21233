#include "tui/prompt.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

void pi_prompt_start(struct pi_prompt *p, enum pi_prompt_kind kind, const char *initial)
{
	p->kind = kind;
	snprintf(p->text, sizeof p->text, "%s", initial ? initial : "");
	p->len = strlen(p->text);
}

enum pi_prompt_result pi_prompt_key(struct pi_prompt *p, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return PI_PROMPT_DONE;
	case 27:	/* Esc */
		return PI_PROMPT_CANCEL;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* Remove one whole UTF-8 sequence. */
		while (p->len > 0) {
			unsigned char c = (unsigned char)p->text[--p->len];
			if ((c & 0xc0) != 0x80)
				break;
		}
		p->text[p->len] = '\0';
		return PI_PROMPT_EDITING;
	case 21:	/* Ctrl-U */
		p->len = 0;
		p->text[0] = '\0';
		return PI_PROMPT_EDITING;
	}
	/* Printable bytes, including those of UTF-8 sequences. */
	if (key >= 0x20 && key <= 0xff && key != 0x7f && p->len + 1 < sizeof p->text) {
		p->text[p->len++] = (char)key;
		p->text[p->len] = '\0';
	}
	return PI_PROMPT_EDITING;
}

const char *pi_prompt_label(const struct pi_prompt *p)
{
	switch (p->kind) {
	case PI_PROMPT_SEARCH:
		return "Search (Enter: keep; then n/N: next/previous; F3: next; Esc: cancel): ";
	case PI_PROMPT_FILTER:
		return "Filter (Enter: keep, Esc: clear): ";
	case PI_PROMPT_DELAY:
		return "Refresh every (seconds): ";
	case PI_PROMPT_SIGNAL:
		return p->label;
	case PI_PROMPT_USER:
		return "Only the tasks of user (name or number; empty: everyone): ";
	case PI_PROMPT_TIME:
		return "Go to the time (HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS]): ";
	default:
		return "";
	}
}
