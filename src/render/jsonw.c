#include "render/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/escape.h"

void pi_jw_init(struct pi_jw *w, void (*flush)(const char *, size_t))
{
	memset(w, 0, sizeof *w);
	w->flush = flush;
	w->flush_at = 16 * 1024;
	w->first[0] = true;
}

static void maybe_flush(struct pi_jw *w)
{
	if (w->flush && w->buf.len >= w->flush_at) {
		w->flush(w->buf.data, w->buf.len);
		pi_buf_reset(&w->buf);
	}
}

void pi_jw_finish(struct pi_jw *w)
{
	pi_buf_putc(&w->buf, '\n');
	if (w->flush)
		w->flush(w->buf.data, w->buf.len);
	pi_buf_free(&w->buf);
}

/* The separator a value needs before it: none after a key, a comma after
 * a sibling. */
static void before_value(struct pi_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		pi_buf_putc(&w->buf, ',');
	w->first[w->depth] = false;
}

static void open_container(struct pi_jw *w, char c)
{
	before_value(w);
	pi_buf_putc(&w->buf, c);
	if (w->depth + 1 < PI_JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_container(struct pi_jw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	pi_buf_putc(&w->buf, c);
	maybe_flush(w);
}

void pi_jw_object(struct pi_jw *w) { open_container(w, '{'); }
void pi_jw_object_end(struct pi_jw *w) { close_container(w, '}'); }
void pi_jw_array(struct pi_jw *w) { open_container(w, '['); }
void pi_jw_array_end(struct pi_jw *w) { close_container(w, ']'); }

static void put_string(struct pi_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	pi_buf_reserve(b, len + 2);
	pi_buf_putc(b, '"');
	while (i < len) {
		/* Runs of plain ASCII are copied at once. */
		size_t run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			pi_buf_append(b, p + i, run - i);
			i = run;
			continue;
		}
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			pi_buf_append(b, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': pi_buf_puts(b, "\\n"); break;
			case '\t': pi_buf_puts(b, "\\t"); break;
			case '\r': pi_buf_puts(b, "\\r"); break;
			case '\b': pi_buf_puts(b, "\\b"); break;
			case '\f': pi_buf_puts(b, "\\f"); break;
			default: pi_buf_printf(b, "\\u%04x", c);
			}
			i++;
		} else {
			unsigned cp;
			size_t n = pi_utf8_decode(p + i, len - i, &cp);
			if (n == 0) {
				pi_buf_append(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
				i++;
			} else if (pi_is_invisible_code_point(cp)) {
				/* The same string once decoded, but `cat` of
				 * the document shows no raw C1 control or bidi
				 * override. */
				if (cp >= 0x10000)
					pi_buf_printf(b, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
						      0xdc00 + ((cp - 0x10000) & 0x3ff));
				else
					pi_buf_printf(b, "\\u%04x", cp);
				i += n;
			} else {
				pi_buf_append(b, p + i, n);
				i += n;
			}
		}
	}
	pi_buf_putc(b, '"');
}

void pi_jw_key(struct pi_jw *w, const char *key)
{
	before_value(w);
	put_string(&w->buf, key, strlen(key));
	pi_buf_putc(&w->buf, ':');
	w->after_key = true;
}

void pi_jw_string_len(struct pi_jw *w, const char *s, size_t len)
{
	before_value(w);
	put_string(&w->buf, s, len);
	maybe_flush(w);
}

void pi_jw_string(struct pi_jw *w, const char *s)
{
	if (!s)
		pi_jw_null(w);
	else
		pi_jw_string_len(w, s, strlen(s));
}

void pi_jw_u64(struct pi_jw *w, uint64_t v)
{
	before_value(w);
	pi_buf_printf(&w->buf, "%" PRIu64, v);
}

void pi_jw_i64(struct pi_jw *w, int64_t v)
{
	before_value(w);
	pi_buf_printf(&w->buf, "%" PRId64, v);
}

void pi_jw_number(struct pi_jw *w, double v, int decimals)
{
	char text[48];
	if (isnan(v) || isinf(v)) {
		pi_jw_null(w);
		return;
	}
	int n = snprintf(text, sizeof text, "%.*f", decimals, v);
	if (memchr(text, '.', (size_t)n)) {
		while (n > 1 && text[n - 1] == '0')
			text[--n] = '\0';
		if (text[n - 1] == '.')
			text[--n] = '\0';
	}
	if (strcmp(text, "-0") == 0)
		strcpy(text, "0");
	before_value(w);
	pi_buf_puts(&w->buf, text);
}

void pi_jw_bool(struct pi_jw *w, bool v)
{
	before_value(w);
	pi_buf_puts(&w->buf, v ? "true" : "false");
}

void pi_jw_null(struct pi_jw *w)
{
	before_value(w);
	pi_buf_puts(&w->buf, "null");
}

void pi_jw_kstring(struct pi_jw *w, const char *key, const char *s)
{
	pi_jw_key(w, key);
	pi_jw_string(w, s);
}

void pi_jw_ku64(struct pi_jw *w, const char *key, uint64_t v)
{
	pi_jw_key(w, key);
	pi_jw_u64(w, v);
}

void pi_jw_ki64(struct pi_jw *w, const char *key, int64_t v)
{
	pi_jw_key(w, key);
	pi_jw_i64(w, v);
}

void pi_jw_kbool(struct pi_jw *w, const char *key, bool v)
{
	pi_jw_key(w, key);
	pi_jw_bool(w, v);
}

void pi_jw_knull(struct pi_jw *w, const char *key)
{
	pi_jw_key(w, key);
	pi_jw_null(w);
}

void pi_jw_kseconds(struct pi_jw *w, const char *key, double seconds)
{
	pi_jw_key(w, key);
	if (seconds < 0)
		pi_jw_null(w);
	else
		pi_jw_number(w, seconds, 6);
}
