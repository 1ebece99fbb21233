/* The cursor every /proc parser walks its text with: whatever the bytes,
 * it stays inside them, and a number it fails to read leaves it where it
 * was. The first byte picks the operations' order. */
#include "fuzz.h"
#include "proc/scan.h"

static void check_inside(const struct pi_scan *s, const char *text, size_t len)
{
	fz_require(s->p >= text && s->p <= text + len);
	fz_require(s->end >= text && s->end <= text + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned program = data[0];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	struct pi_scan s = pi_scan_of(text, len), line, tok;
	char out[16];

	for (unsigned step = 0; step < 64 && !pi_scan_done(&s); step++) {
		struct pi_scan before = s;
		uint64_t u;
		int64_t i;
		bool ok = true;
		switch ((program + step * 7) % 12) {
		case 0: ok = pi_scan_u64(&s, &u); break;
		case 1: ok = pi_scan_i64(&s, &i); break;
		case 2: ok = pi_scan_hex(&s, &u); break;
		case 3: ok = pi_scan_ms_as_ns(&s, &i); break;
		case 4:
			if (pi_scan_token(&s, &tok)) {
				check_inside(&tok, text, len);
				fz_require(pi_scan_copy(&tok, out, sizeof out) < sizeof out);
				fz_require(fz_terminated(out, sizeof out));
			}
			break;
		case 5:
			if (pi_scan_line(&s, &line)) {
				check_inside(&line, text, len);
				fz_require(!memchr(line.p, '\n', pi_scan_left(&line)));
				pi_scan_rtrim(&line);
				check_inside(&line, text, len);
				pi_scan_equals(&line, "running");
			}
			break;
		case 6: pi_scan_blank(&s); break;
		case 7: pi_scan_past(&s, ':'); break;
		case 8: pi_scan_prefix(&s, "0x"); break;
		case 9: pi_scan_char(&s, '('); break;
		case 10: pi_scan_rtrim(&s); break;
		case 11: pi_scan_copy(&s, out, 1); break;
		}
		if (!ok)
			fz_require(s.p == before.p && s.end == before.end);
		check_inside(&s, text, len);
		if (s.p == before.p && s.end == before.end && !ok)
			s.p++;	/* move on, so that every operation meets every byte */
	}
	return 0;
}
