#include "runtime/python.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum {
	FRAME_READ = 80,		/* bytes of a _PyInterpreterFrame read */
	TSTATE_READ = 512,		/* ... of a PyThreadState */
	MAX_LINETABLE = 256 << 10,	/* a longer location table: line unknown */
	MAX_STRING_LEN = 1 << 20,	/* a longer "name" is no name */
	MAX_OFFSET = 1 << 16,		/* a published offset beyond this is garbage */
	CODE_CACHE = 256,		/* code objects remembered during a walk */
};

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool read_u64(const struct pi_py_walk *w, uint64_t addr, uint64_t *v)
{
	uint8_t b[8];
	if (!addr || !w->read(w->arg, addr, b, sizeof b))
		return false;
	*v = le64(b);
	return true;
}

bool pi_py_layout_for_version(unsigned minor, struct pi_py_layout *l)
{
	memset(l, 0, sizeof *l);
	l->minor = minor;
	l->runtime_interpreters_head = 40;	/* after five ints and _finalizing, mutex */
	l->interp_next = 0;
	l->ts_next = 8;
	l->ts_cframe = true;
	l->ts_frame = 56;			/* tstate->cframe */
	l->code_filename = 112;
	l->code_name = 120;
	l->code_linetable = 136;
	l->unicode_length = 16;
	l->unicode_state = 32;
	switch (minor) {
	case 11:
		/* ceval.gil.last_holder, .locked */
		l->gil_in_runtime = true;
		l->runtime_gil = 360;
		l->gil_holder = 8;
		l->gil_locked = 16;
		l->interp_threads_head = 16;
		l->ts_native_thread_id = 160;
		l->cframe_current_frame = 8;	/* after use_tracing */
		/* f_func, f_globals, f_builtins, f_locals, f_code, frame_obj,
		 * previous, prev_instr, stacktop, is_entry, owner */
		l->frame_code = 32;
		l->frame_previous = 48;
		l->frame_instr = 56;
		l->frame_has_is_entry = true;
		l->frame_is_entry = 68;
		l->frame_owner = 69;
		l->code_firstlineno = 72;
		l->code_adaptive = 184;
		l->ascii_size = 48;		/* with wstr */
		l->compact_size = 72;
		l->source = "CPython 3.11 offsets";
		return true;
	case 12:
		/* The GIL moved into the interpreter: interp->ceval.gil
		 * points at it. */
		l->gil_via_interp_ptr = true;
		l->interp_gil = 384;
		l->gil_holder = 8;
		l->gil_locked = 16;
		l->interp_threads_head = 72;
		l->ts_native_thread_id = 144;
		l->cframe_current_frame = 0;
		/* f_code, previous, f_funcobj, f_globals, f_builtins,
		 * f_locals, frame_obj, prev_instr, stacktop, return_offset,
		 * owner */
		l->frame_code = 0;
		l->frame_previous = 8;
		l->frame_instr = 56;
		l->frame_owner = 70;
		l->code_firstlineno = 68;
		l->code_adaptive = 192;
		l->ascii_size = 40;		/* wstr is gone */
		l->compact_size = 56;
		l->source = "CPython 3.12 offsets";
		return true;
	default:
		return false;
	}
}

int pi_py_layout_from_debug_offsets(const void *buf, size_t len, struct pi_py_layout *l,
				    uint64_t *version_hex)
{
	const uint8_t *b = buf;
	*version_hex = 0;
	if (len < PI_PY_DEBUG_OFFSETS_SIZE || memcmp(b, "xdebugpy", 8) != 0)
		return -ENOENT;
	uint64_t word[PI_PY_DEBUG_OFFSETS_SIZE / 8];
	for (size_t i = 0; i < sizeof word / sizeof word[0]; i++)
		word[i] = le64(b + 8 * i);
	*version_hex = word[1];
	/* 3.13 only: 3.14 added fields in the middle. A free-threaded
	 * build's structures (its GIL, its reference counts) differ. */
	if ((word[1] >> 24) != 3 || ((word[1] >> 16) & 0xff) != 13 || word[2] != 0)
		return -ENOTSUP;
	/* cookie, version, free_threaded; then each part starts with its
	 * structure's size. */
	static const uint8_t used[] = { 5, 8, 9, 17, 18, 21, 23, 25, 29, 30, 31, 33,
					35, 36, 38, 39, 43 };
	for (size_t i = 0; i < sizeof used; i++)
		if (word[used[i]] >= MAX_OFFSET)
			return -EINVAL;
	memset(l, 0, sizeof *l);
	l->minor = 13;
	l->runtime_interpreters_head = (uint32_t)word[5];
	l->interp_next = (uint32_t)word[8];
	l->interp_threads_head = (uint32_t)word[9];
	/* The main interpreter's own GIL (interp->_gil): its fields'
	 * offsets are published as the interpreter's. */
	l->gil_in_interp = true;
	l->gil_locked = (uint32_t)word[17];
	l->gil_holder = (uint32_t)word[18];
	l->ts_next = (uint32_t)word[21];
	l->ts_frame = (uint32_t)word[23];
	l->ts_native_thread_id = (uint32_t)word[25];
	l->frame_previous = (uint32_t)word[29];
	l->frame_code = (uint32_t)word[30];
	l->frame_instr = (uint32_t)word[31];
	l->frame_owner = (uint32_t)word[33];
	l->code_filename = (uint32_t)word[35];
	l->code_name = (uint32_t)word[36];
	l->code_linetable = (uint32_t)word[38];
	l->code_firstlineno = (uint32_t)word[39];
	l->code_adaptive = (uint32_t)word[43];
	l->unicode_length = 16;
	l->unicode_state = 32;
	l->ascii_size = 40;
	l->compact_size = 56;
	l->source = "_Py_DebugOffsets";
	/* Fields read from a frame or a thread state must lie in what is
	 * read of them. */
	if (l->frame_previous + 8 > FRAME_READ || l->frame_code + 8 > FRAME_READ
	    || l->frame_instr + 8 > FRAME_READ || l->frame_owner + 1 > FRAME_READ
	    || l->ts_next + 8 > TSTATE_READ || l->ts_frame + 8 > TSTATE_READ
	    || l->ts_native_thread_id + 8 > TSTATE_READ)
		return -EINVAL;
	return 0;
}

/* A location table's varint: 6-bit chunks, least significant first,
 * 0x40 set while more follow. */
static bool varint(const uint8_t *t, size_t len, size_t *pos, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift < 32; shift += 6) {
		if (*pos >= len)
			return false;
		uint8_t b = t[(*pos)++];
		v |= (uint32_t)(b & 0x3f) << shift;
		if (!(b & 0x40)) {
			*out = v;
			return true;
		}
	}
	return false;
}

int pi_py_line_for(const uint8_t *t, size_t len, int firstlineno, int64_t addrq)
{
	if (addrq < 0)
		return firstlineno > 0 ? firstlineno : 0;
	int64_t line = firstlineno, addr = 0;
	size_t pos = 0;
	/* Each entry takes at least a byte: the loop ends. */
	while (pos < len) {
		uint8_t first = t[pos++];
		if (!(first & 0x80))
			return 0;
		unsigned code = (first >> 3) & 15, length = (first & 7) + 1u;
		int64_t delta = 0;
		bool has_line = true;
		uint32_t v;
		switch (code) {
		case 15:	/* no location */
			has_line = false;
			break;
		case 14:	/* long form: line delta, end line, columns */
		case 13:	/* no columns: line delta */
			if (!varint(t, len, &pos, &v))
				return 0;
			delta = (v & 1) ? -(int64_t)(v >> 1) : (int64_t)(v >> 1);
			for (int k = 0; code == 14 && k < 3; k++)
				if (!varint(t, len, &pos, &v))
					return 0;
			break;
		case 10: case 11: case 12:	/* one line: delta in the code, two columns */
			delta = code - 10;
			pos += 2;
			break;
		default:	/* short form: same line, one column byte */
			pos += 1;
			break;
		}
		line += delta;
		if (addrq >= addr && addrq < addr + length)
			return has_line && line > 0 && line <= INT32_MAX ? (int)line : 0;
		addr += length;
	}
	return 0;
}

/* Appends code point c as UTF-8; NUL, surrogates and what is no code
 * point become '?'. */
static size_t put_utf8(char *o, uint32_t c)
{
	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		o[0] = '?';
		return 1;
	}
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A compact str object (ASCII, latin-1, UCS-2 or UCS-4), as UTF-8 cut at
 * PI_PY_MAX_NAME code points, interned; NULL when it is none. */
static const char *read_str(const struct pi_py_walk *w, uint64_t addr)
{
	const struct pi_py_layout *l = w->layout;
	uint8_t hdr[64];
	if (!addr || l->unicode_state + 4 > sizeof hdr || !w->read(w->arg, addr, hdr, l->unicode_state + 4))
		return NULL;
	uint64_t length = le64(hdr + l->unicode_length);
	uint32_t state = le32(hdr + l->unicode_state);
	unsigned kind = (state >> 2) & 7;
	bool compact = state & (1u << 5), ascii = state & (1u << 6);
	if (!compact || length > MAX_STRING_LEN || (kind != 1 && kind != 2 && kind != 4)
	    || (ascii && kind != 1))
		return NULL;
	size_t n = length < PI_PY_MAX_NAME ? (size_t)length : PI_PY_MAX_NAME;
	uint8_t data[4 * PI_PY_MAX_NAME];
	if (n && !w->read(w->arg, addr + (ascii ? l->ascii_size : l->compact_size), data, n * kind))
		return NULL;
	char out[4 * PI_PY_MAX_NAME + 4];
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = kind == 1 ? data[i]
			   : kind == 2 ? (uint32_t)(data[2 * i] | data[2 * i + 1] << 8)
				       : le32(data + 4 * i);
		o += put_utf8(out + o, c);
	}
	if (length > n)
		memcpy(out + o, "...", 3), o += 3;
	out[o] = '\0';
	return o ? pi_strpool_intern(w->pool, out) : NULL;
}

struct code_info {
	uint64_t addr;
	const char *function, *file;
	int firstlineno;
	uint8_t *linetable;		/* NULL: unreadable */
	size_t linetable_len;
};

struct walk_state {
	const struct pi_py_walk *w;
	struct code_info cache[CODE_CACHE];
};

/* A code object's names and location table, read once per walk. */
static const struct code_info *code_info(struct walk_state *s, uint64_t addr)
{
	const struct pi_py_walk *w = s->w;
	const struct pi_py_layout *l = w->layout;
	struct code_info *c = &s->cache[(addr >> 4) % CODE_CACHE];
	if (c->addr == addr)
		return c;
	free(c->linetable);
	memset(c, 0, sizeof *c);
	uint64_t name, file, table;
	uint8_t first[4];
	if (!read_u64(w, addr + l->code_name, &name) || !read_u64(w, addr + l->code_filename, &file)
	    || !w->read(w->arg, addr + l->code_firstlineno, first, sizeof first))
		return NULL;
	c->addr = addr;
	c->function = read_str(w, name);
	c->file = read_str(w, file);
	c->firstlineno = (int)le32(first);
	/* A bytes object: ob_size at 16, the bytes at 32. */
	uint64_t size;
	if (read_u64(w, addr + l->code_linetable, &table) && read_u64(w, table + 16, &size)
	    && size > 0 && size <= MAX_LINETABLE) {
		c->linetable = pi_xmalloc((size_t)size);
		c->linetable_len = (size_t)size;
		if (!w->read(w->arg, table + 32, c->linetable, (size_t)size)) {
			free(c->linetable);
			c->linetable = NULL;
			c->linetable_len = 0;
		}
	}
	return c;
}

static void read_frames(struct walk_state *s, uint64_t frame, struct pi_py_snapshot *out,
			struct pi_py_thread *t)
{
	const struct pi_py_walk *w = s->w;
	const struct pi_py_layout *l = w->layout;
	uint64_t seen[PI_PY_MAX_FRAMES];
	size_t nseen = 0, max = w->max_frames < PI_PY_MAX_FRAMES ? w->max_frames : PI_PY_MAX_FRAMES;
	t->first_frame = out->nframes;
	t->stop_reason = NULL;
	while (frame) {
		if (nseen >= max) {
			t->stop_reason = "too many Python frames: the stack is cut here";
			break;
		}
		for (size_t i = 0; i < nseen; i++)
			if (seen[i] == frame) {
				t->stop_reason = "its Python frames form a loop: the stack is cut here";
				goto done;
			}
		seen[nseen++] = frame;
		uint8_t f[FRAME_READ];
		if (!w->read(w->arg, frame, f, sizeof f)) {
			t->stop_reason = "a Python frame could not be read: the stack is cut here";
			break;
		}
		uint64_t previous = le64(f + l->frame_previous);
		/* 3.12+: a shim frame on the C stack ends one evaluator's
		 * frames; the frame before it was that evaluator's first. */
		if (!l->frame_has_is_entry && f[l->frame_owner] == PI_PY_FRAME_OWNED_BY_CSTACK) {
			if (out->nframes > t->first_frame)
				out->frames[out->nframes - 1].entry = true;
			frame = previous;
			continue;
		}
		uint64_t code = le64(f + l->frame_code), instr = le64(f + l->frame_instr);
		const struct code_info *c = code ? code_info(s, code) : NULL;
		pi_xgrow(&out->frames, &out->frames_cap, out->nframes + 1, sizeof *out->frames);
		struct pi_py_frame *o = &out->frames[out->nframes++];
		memset(o, 0, sizeof *o);
		if (c) {
			o->function = c->function;
			o->file = c->file;
			/* The instruction's index in code units (2 bytes); in
			 * 3.11 and 3.12, prev_instr is one before the next. */
			uint64_t base = code + l->code_adaptive;
			int64_t addrq = -1;
			if (instr >= base)
				addrq = (instr - base) / 2 > INT32_MAX ? INT32_MAX
								    : (int64_t)((instr - base) / 2);
			o->line = c->linetable ? pi_py_line_for(c->linetable, c->linetable_len,
								c->firstlineno, addrq)
					       : 0;
		}
		o->entry = l->frame_has_is_entry && f[l->frame_is_entry];
		frame = previous;
	}
done:
	t->nframes = out->nframes - t->first_frame;
}

/* A GIL at gil (a _gil_runtime_state, or, 3.13, the interpreter holding
 * one): read once however many interpreters share it. */
static void read_gil(const struct pi_py_walk *w, uint64_t gil, uint64_t *gils, size_t *ngils,
		     struct pi_py_snapshot *out)
{
	const struct pi_py_layout *l = w->layout;
	for (size_t i = 0; i < *ngils; i++)
		if (gils[i] == gil)
			return;
	uint64_t holder;
	uint8_t locked[4];
	if (*ngils >= PI_PY_MAX_INTERPRETERS || !read_u64(w, gil + l->gil_holder, &holder)
	    || !w->read(w->arg, gil + l->gil_locked, locked, sizeof locked))
		return;
	gils[(*ngils)++] = gil;
	out->gil_known = true;
	/* A GIL never taken (a 3.13 subinterpreter's own, unused when it
	 * shares the main one's) is no GIL of the program. */
	if (holder || le32(locked))
		out->ngils++;
	if (!le32(locked) || !holder)
		return;
	for (size_t i = 0; i < out->ngil_holders; i++)
		if (out->gil_holders[i] == holder)
			return;
	out->gil_holders[out->ngil_holders++] = holder;
}

static bool seen_tstate(const struct pi_py_snapshot *out, size_t from, uint64_t ts)
{
	for (size_t i = from; i < out->nthreads; i++)
		if (out->threads[i].tstate == ts)
			return true;
	return false;
}

int pi_py_walk(const struct pi_py_walk *w, struct pi_py_snapshot *out)
{
	const struct pi_py_layout *l = w->layout;
	memset(out, 0, sizeof *out);
	uint64_t interp;
	if (!read_u64(w, w->runtime + l->runtime_interpreters_head, &interp))
		return -EFAULT;
	if (!interp)
		return -EINVAL;
	struct walk_state *s = pi_xcalloc(1, sizeof *s);
	s->w = w;
	uint64_t interps[PI_PY_MAX_INTERPRETERS], gils[PI_PY_MAX_INTERPRETERS];
	size_t ninterps = 0, ngils = 0;
	while (interp) {
		bool again = false;
		for (size_t i = 0; i < ninterps; i++)
			again |= interps[i] == interp;
		if (again || ninterps >= PI_PY_MAX_INTERPRETERS) {
			out->interpreters_cut = true;
			break;
		}
		interps[ninterps++] = interp;
		/* Its GIL: the runtime's (3.11), where interp->ceval.gil
		 * points (3.12: its own or the main one's), its own (3.13). */
		uint64_t gil = 0;
		if (l->gil_in_runtime)
			gil = w->runtime + l->runtime_gil;
		else if (l->gil_via_interp_ptr && !read_u64(w, interp + l->interp_gil, &gil))
			gil = 0;
		else if (l->gil_in_interp)
			gil = interp;
		if (gil)
			read_gil(w, gil, gils, &ngils, out);
		uint64_t ts;
		if (!read_u64(w, interp + l->interp_threads_head, &ts))
			ts = 0;
		size_t first = out->nthreads;
		while (ts) {
			if (w->expired && w->expired(w->arg)) {
				out->expired = true;
				break;
			}
			/* Each interpreter has at most a thread state per
			 * thread of the process; a repeat is a loop. */
			if (out->nthreads - first >= w->max_threads || seen_tstate(out, first, ts)) {
				out->threads_cut = true;
				break;
			}
			uint8_t b[TSTATE_READ];
			size_t need = l->ts_native_thread_id + 8;
			if (l->ts_next + 8 > need)
				need = l->ts_next + 8;
			if (l->ts_frame + 8 > need)
				need = l->ts_frame + 8;
			if (need > sizeof b || !w->read(w->arg, ts, b, need))
				break;
			pi_xgrow(&out->threads, &out->threads_cap, out->nthreads + 1, sizeof *out->threads);
			struct pi_py_thread *t = &out->threads[out->nthreads++];
			memset(t, 0, sizeof *t);
			t->tstate = ts;
			t->native_tid = le64(b + l->ts_native_thread_id);
			t->interp = (uint32_t)(ninterps - 1);
			uint64_t frame = le64(b + l->ts_frame);
			if (l->ts_cframe && !(frame && read_u64(w, frame + l->cframe_current_frame, &frame)))
				frame = 0;
			read_frames(s, frame, out, t);
			ts = le64(b + l->ts_next);
		}
		if (out->expired || !read_u64(w, interp + l->interp_next, &interp))
			break;
	}
	out->ninterpreters = ninterps;
	for (size_t i = 0; i < out->nthreads; i++)
		for (size_t k = 0; k < out->ngil_holders; k++)
			out->threads[i].holds_gil |= out->threads[i].tstate == out->gil_holders[k];
	for (size_t i = 0; i < CODE_CACHE; i++)
		free(s->cache[i].linetable);
	free(s);
	return 0;
}

struct tid_order {
	uint64_t tid;
	size_t index;			/* in the order read */
};

static int by_tid_then_order(const void *a, const void *b)
{
	const struct tid_order *x = a, *y = b;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

void pi_py_by_os_thread(struct pi_py_snapshot *s)
{
	if (s->nthreads < 2)
		return;
	/* Sorted by TID, ties in the order read; then each run of one TID
	 * becomes one thread. A native TID of 0 (a thread state not bound
	 * to a thread) stays apart. */
	struct tid_order *order = pi_xcalloc(s->nthreads, sizeof *order);
	for (size_t i = 0; i < s->nthreads; i++)
		order[i] = (struct tid_order){ s->threads[i].native_tid, i };
	qsort(order, s->nthreads, sizeof *order, by_tid_then_order);
	struct pi_py_thread *threads = pi_xcalloc(s->nthreads, sizeof *threads);
	struct pi_py_frame *frames = pi_xcalloc(s->nframes + 1, sizeof *frames);
	size_t n = 0, nf = 0;
	for (size_t k = 0; k < s->nthreads; k++) {
		const struct pi_py_thread *cur = &s->threads[order[k].index];
		bool same = n && cur->native_tid && threads[n - 1].native_tid == cur->native_tid;
		struct pi_py_thread *o = same ? &threads[n - 1] : &threads[n++];
		if (!same) {
			*o = *cur;
			o->first_frame = nf;
			o->nframes = 0;
		} else {
			o->holds_gil |= cur->holds_gil;
			if (!o->stop_reason)
				o->stop_reason = cur->stop_reason;
		}
		if (cur->nframes)	/* frames is NULL when none was read */
			memcpy(frames + nf, s->frames + cur->first_frame, cur->nframes * sizeof *frames);
		nf += cur->nframes;
		o->nframes += cur->nframes;
	}
	free(order);
	free(s->threads);
	free(s->frames);
	s->threads = threads;
	s->threads_cap = s->nthreads;
	s->frames = frames;
	s->frames_cap = s->nframes + 1;
	s->nframes = nf;
	s->nthreads = n;
}

void pi_py_snapshot_free(struct pi_py_snapshot *s)
{
	free(s->threads);
	free(s->frames);
	memset(s, 0, sizeof *s);
}
