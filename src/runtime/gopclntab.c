#include "runtime/gopclntab.h"

#include <errno.h>
#include <string.h>

/* Steps of one pc-value table: a function of a million instructions is
 * far beyond any real one. */
enum { MAX_STEPS = 1 << 20 };

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t u64(const uint8_t *p)
{
	return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
}

int pi_gopcln_init(struct pi_gopcln *t, const uint8_t *data, size_t len, uint64_t bias,
		   uint64_t text_start)
{
	memset(t, 0, sizeof *t);
	/* magic, two pads, minLC, ptrSize, then nfunc, nfiles, textStart and
	 * five offsets of 8 bytes each */
	if (!data || len < 8 + 8 * 8)
		return -EINVAL;
	uint32_t magic = u32(data);
	if (magic == 0xfffffff0)
		t->version = 118;
	else if (magic == 0xfffffff1)
		t->version = 120;
	else
		return -ENOTSUP;
	/* x86-64: one-byte instruction quantum, 8-byte pointers */
	if (data[4] != 0 || data[5] != 0 || data[6] != 1 || data[7] != 8)
		return -ENOTSUP;
	uint64_t nfunc = u64(data + 8);
	uint64_t header_text = u64(data + 24);
	uint64_t off[5];
	for (int i = 0; i < 5; i++)
		off[i] = u64(data + 32 + 8 * i);
	/* funcnametab < cutab < filetab < pctab < pclntab <= len */
	for (int i = 0; i < 5; i++)
		if (off[i] < 72 || off[i] > len || (i && off[i] < off[i - 1]))
			return -EINVAL;
	t->funcnametab = (size_t)off[0];
	t->funcnametab_end = t->cutab = (size_t)off[1];
	t->cutab_end = t->filetab = (size_t)off[2];
	t->filetab_end = t->pctab = (size_t)off[3];
	t->pctab_end = t->pclntab = (size_t)off[4];
	/* the function table: nfunc + 1 pairs of u32 */
	if (len - t->pclntab < 16 || nfunc == 0 || nfunc > (len - t->pclntab) / 8 - 1)
		return -EINVAL;
	t->nfunc = (uint32_t)nfunc;
	t->data = data;
	t->len = len;
	t->text_start = header_text ? header_text + bias : text_start;
	return 0;
}

/* Is [off, off + n) inside the function table's part of data? */
static bool in_pclntab(const struct pi_gopcln *t, uint64_t off, size_t n)
{
	return off <= t->len - t->pclntab && n <= t->len - t->pclntab - off;
}

/* A NUL-terminated string at off in [start, end), or NULL. */
static const char *string_at(const struct pi_gopcln *t, size_t start, size_t end, uint64_t off)
{
	if (off >= end - start)
		return NULL;
	const char *s = (const char *)t->data + start + off;
	return memchr(s, '\0', end - start - off) ? s : NULL;
}

bool pi_gopcln_func(const struct pi_gopcln *t, uint64_t pc, struct pi_gofunc *f)
{
	if (!t->data || pc < t->text_start)
		return false;
	uint64_t rel = pc - t->text_start;
	const uint8_t *ftab = t->data + t->pclntab;
	/* the last entry at or below pc; the table's last pair marks the end
	 * of the text */
	uint32_t lo = 0, hi = t->nfunc;
	if (rel >= u32(ftab + 8 * (size_t)t->nfunc))
		return false;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (u32(ftab + 8 * (size_t)mid) <= rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	uint32_t funcoff = u32(ftab + 8 * (size_t)(lo - 1) + 4);
	/* _func: entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln,
	 * npcdata, cuOffset, [startLine: 1.20], funcID, flag, pad, nfuncdata */
	size_t size = t->version >= 120 ? 44 : 40;
	if (!in_pclntab(t, funcoff, size))
		return false;
	const uint8_t *fn = ftab + funcoff;
	memset(f, 0, sizeof *f);
	f->entry = t->text_start + u32(fn);
	f->name = string_at(t, t->funcnametab, t->funcnametab_end, u32(fn + 4));
	f->pcsp = u32(fn + 16);
	f->pcfile = u32(fn + 20);
	f->pcln = u32(fn + 24);
	f->cu = u32(fn + 32);
	size_t id = t->version >= 120 ? 40 : 36;
	f->funcid = fn[id];
	f->flag = fn[id + 1];
	/* Its tables' offsets follow it, when they lie in the table. */
	uint32_t npcdata = u32(fn + 28);
	uint8_t nfuncdata = fn[id + 3];
	uint64_t tables_len = 4 * ((uint64_t)npcdata + nfuncdata);
	if (npcdata <= 1024 && in_pclntab(t, (uint64_t)funcoff + size, (size_t)tables_len)) {
		f->npcdata = npcdata;
		f->nfuncdata = nfuncdata;
		f->tables = t->pclntab + funcoff + size;
	}
	return f->entry <= pc;
}

/* A varint of at most 5 bytes, as Go writes a uint32. */
static bool varint(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift < 35; shift += 7) {
		if (*p >= end)
			return false;
		uint8_t b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

bool pi_gopcln_value(const struct pi_gopcln *t, const struct pi_gofunc *f, uint32_t table_off,
		     uint64_t pc, int32_t *value)
{
	if (!table_off || table_off >= t->pctab_end - t->pctab)
		return false;
	const uint8_t *p = t->data + t->pctab + table_off, *end = t->data + t->pctab_end;
	uint64_t at = f->entry;
	/* Summed in 64 bits: a sum beyond 32 is no frame size or line. */
	int64_t val = -1;
	for (int step = 0; step < MAX_STEPS; step++) {
		uint32_t uvdelta, pcdelta;
		if (p >= end || (*p == 0 && step > 0))
			return false;	/* the table ended before pc */
		if (!varint(&p, end, &uvdelta) || !varint(&p, end, &pcdelta))
			return false;
		val += (int32_t)(-(uvdelta & 1) ^ (uvdelta >> 1));
		if (val < INT32_MIN || val > INT32_MAX)
			return false;
		at += pcdelta;
		if (pc < at) {
			*value = (int32_t)val;
			return true;
		}
	}
	return false;
}

bool pi_gopcln_pcdata(const struct pi_gopcln *t, const struct pi_gofunc *f, uint32_t table,
		      uint64_t pc, int32_t *value)
{
	if (!f->tables || table >= f->npcdata)
		return false;
	return pi_gopcln_value(t, f, u32(t->data + f->tables + 4 * (size_t)table), pc, value);
}

bool pi_gopcln_funcdata(const struct pi_gopcln *t, const struct pi_gofunc *f, uint32_t index,
			uint32_t *off)
{
	if (!f->tables || index >= f->nfuncdata)
		return false;
	*off = u32(t->data + f->tables + 4 * ((size_t)f->npcdata + index));
	return *off != UINT32_MAX;	/* ^0: the function has none */
}

const char *pi_gopcln_name(const struct pi_gopcln *t, uint64_t off)
{
	return t->data ? string_at(t, t->funcnametab, t->funcnametab_end, off) : NULL;
}

void pi_gopcln_inl_layout(const struct pi_gopcln *t, struct pi_go_inl_layout *l)
{
	/* 1.18-1.19: parent int16, funcID, pad, file, line, func_, parentPc;
	 * 1.20 and later: funcID, 3 pads, nameOff, parentPc, startLine. */
	if (t->version >= 120)
		*l = (struct pi_go_inl_layout){ 16, 4, 8 };
	else
		*l = (struct pi_go_inl_layout){ 20, 12, 16 };
}

const char *pi_gopcln_file(const struct pi_gopcln *t, const struct pi_gofunc *f, uint64_t pc)
{
	int32_t fileno;
	if (!pi_gopcln_value(t, f, f->pcfile, pc, &fileno) || fileno < 0)
		return NULL;
	uint64_t idx = (uint64_t)f->cu + (uint32_t)fileno;
	if (idx >= (t->cutab_end - t->cutab) / 4)
		return NULL;
	uint32_t off = u32(t->data + t->cutab + 4 * idx);
	if (off == UINT32_MAX)
		return NULL;
	return string_at(t, t->filetab, t->filetab_end, off);
}
