#include "proc/maps.h"

#include <stdlib.h>
#include <string.h>

#include "proc/scan.h"
#include "util/xalloc.h"

static const char deleted_suffix[] = " (deleted)";

const char *const pi_vmflag_names[] = {
	"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "dw", "lo", "io", "sr",
	"rr", "dc", "de", "ac", "nr", "ht", "sf", "nl", "ar", "wf", "dd", "sd", "mm", "hg",
	"nh", "mg", "um", "uw", "ss", "sl", "bt", "mt", "gu", NULL,
};

static uint64_t parse_vmflags(struct pi_scan line)
{
	uint64_t bits = 0;
	struct pi_scan tok;
	while (pi_scan_token(&line, &tok))
		for (int i = 0; pi_vmflag_names[i]; i++)
			if (pi_scan_equals(&tok, pi_vmflag_names[i]))
				bits |= 1ULL << i;
	return bits;
}

/* "start-end perms offset major:minor inode [path]" */
static bool parse_header(struct pi_scan line, struct pi_vma *v)
{
	struct pi_scan perms;
	uint64_t major, minor;

	memset(v, 0, sizeof *v);
	if (!pi_scan_hex(&line, &v->start) || !pi_scan_char(&line, '-')
	    || !pi_scan_hex(&line, &v->end) || !pi_scan_token(&line, &perms)
	    || pi_scan_left(&perms) != 4 || !pi_scan_hex(&line, &v->offset)
	    || !pi_scan_hex(&line, &major) || !pi_scan_char(&line, ':')
	    || !pi_scan_hex(&line, &minor) || !pi_scan_u64(&line, &v->inode))
		return false;
	if (v->end < v->start)
		return false;
	memcpy(v->perms, perms.p, 4);
	v->dev_major = (unsigned)major;
	v->dev_minor = (unsigned)minor;

	pi_scan_blank(&line);
	if (!pi_scan_done(&line)) {
		size_t n = pi_scan_left(&line), sn = sizeof deleted_suffix - 1;
		if (n > sn && memcmp(line.end - sn, deleted_suffix, sn) == 0) {
			v->deleted = true;
			n -= sn;
		}
		v->path = pi_xstrndup(line.p, n);
	}
	return true;
}

static void parse_size_line(struct pi_scan line, struct pi_vma *v)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
		{ "Rss:", offsetof(struct pi_vma, rss) },
		{ "Pss:", offsetof(struct pi_vma, pss) },
		{ "Swap:", offsetof(struct pi_vma, swap) },
	};
	if (pi_scan_prefix(&line, "VmFlags:")) {
		v->vmflags = parse_vmflags(line);
		return;
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		uint64_t kb;
		if (!pi_scan_prefix(&line, keys[i].key))
			continue;
		if (pi_scan_u64(&line, &kb) && kb <= UINT64_MAX / 1024) {
			*(uint64_t *)((char *)v + keys[i].offset) = kb * 1024;
			if (i == 0)
				v->have_smaps = true;
		}
		return;
	}
}

void pi_maps_feed(struct pi_maps_parser *p, const char *text, size_t len)
{
	struct pi_scan s = pi_scan_of(text, len), line;
	struct pi_vma v;

	while (pi_scan_line(&s, &line)) {
		if (parse_header(line, &v)) {
			pi_xgrow(&p->vmas, &p->cap, p->count + 1, sizeof *p->vmas);
			p->vmas[p->count++] = v;
		} else if (p->count > 0) {
			parse_size_line(line, &p->vmas[p->count - 1]);
		}
	}
}

int pi_maps_parse(const char *text, size_t len, struct pi_vma **out, size_t *count)
{
	struct pi_maps_parser p = { NULL, 0, 0 };
	pi_maps_feed(&p, text, len);
	*out = p.vmas;
	*count = p.count;
	return 0;
}

void pi_vmas_free(struct pi_vma *vmas, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(vmas[i].path);
	free(vmas);
}
