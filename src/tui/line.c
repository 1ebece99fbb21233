#include "tui/line.h"

#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xalloc.h"

void pi_line_reset(struct pi_line *l)
{
	l->n = 0;
}

void pi_line_free(struct pi_line *l)
{
	free(l->cells);
	memset(l, 0, sizeof *l);
}

static void add_cell(struct pi_line *l, const char *bytes, size_t len, attr_t attr)
{
	pi_xgrow(&l->cells, &l->cap, l->n + 1, sizeof *l->cells);
	struct pi_cell *c = &l->cells[l->n++];
	memcpy(c->ch, bytes, len);
	c->ch[len] = '\0';
	c->attr = attr;
}

void pi_line_add(struct pi_line *l, const char *text, attr_t attr)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = pi_utf8_decode(p + i, len - i, &cp);
		/* Escaped text is valid UTF-8 without controls or invisible
		 * code points; anything else would be a bug, shown as '?'
		 * rather than sent raw. */
		if (n == 0 || cp < 0x20 || cp == 0x7f || pi_is_invisible_code_point(cp)) {
			add_cell(l, "?", 1, attr);
			i += n ? n : 1;
			continue;
		}
		add_cell(l, text + i, n, attr);
		i += n;
	}
}

void pi_line_add_fit(struct pi_line *l, const char *text, int width, int right, attr_t attr)
{
	size_t start = l->n;
	pi_line_add(l, text, attr);
	size_t w = l->n - start;
	if (width <= 0)
		return;
	if (w > (size_t)width) {
		l->n = start + (size_t)width;
		if (width > 0)
			memcpy(l->cells[l->n - 1].ch, "+", 2);
		return;
	}
	size_t pad = (size_t)width - w;
	if (!pad)
		return;
	for (size_t i = 0; i < pad; i++)
		add_cell(l, " ", 1, attr);
	if (right) {
		/* Move the text to the end: rotate the padding to the front. */
		struct pi_cell *c = l->cells + start;
		struct pi_cell *tmp = pi_xcalloc(w ? w : 1, sizeof *tmp);
		memcpy(tmp, c, w * sizeof *tmp);
		for (size_t i = 0; i < pad; i++)
			c[i] = (struct pi_cell){ " ", attr };
		memcpy(c + pad, tmp, w * sizeof *tmp);
		free(tmp);
	}
}

void pi_line_add_char(struct pi_line *l, enum pi_line_char c, attr_t attr)
{
	/* A control byte: never in escaped text, so never mistaken. */
	char ch = (char)c;
	add_cell(l, &ch, 1, attr);
}

void pi_line_attr(struct pi_line *l, attr_t attr)
{
	for (size_t i = 0; i < l->n; i++)
		l->cells[i].attr |= attr;
}

void pi_line_draw(const struct pi_line *l, int y, size_t offset, int width, attr_t fill)
{
	int x = 0;
	move(y, 0);
	for (size_t i = offset; i < l->n && x < width; i++, x++) {
		attrset(l->cells[i].attr);
		switch (l->cells[i].ch[0]) {
		case PI_LINE_VERTICAL:
			addch(ACS_VLINE);
			break;
		case PI_LINE_TEE:
			addch(ACS_LTEE);
			break;
		case PI_LINE_CORNER:
			addch(ACS_LLCORNER);
			break;
		case PI_LINE_HORIZONTAL:
			addch(ACS_HLINE);
			break;
		default:
			addstr(l->cells[i].ch);
		}
	}
	attrset(fill);
	for (; x < width; x++)
		addch(' ');
	attrset(A_NORMAL);
}
