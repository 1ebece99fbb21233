#include "runtime/goroutines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* More gs than this in allgs is not a list but garbage. */
enum { MAX_ALLGS = 1 << 24, G_READ = 256, PTR_CHUNK = 512 };

static const char too_many_frames[] = "too many frames: the stack is cut here";
#define BUDGET_SPENT "the frames kept for all goroutines are spent: the stack is cut here"

bool pi_go_layout_for_version(const char *version, struct pi_go_layout *l)
{
	int minor = 0;
	if (!version || sscanf(version, "go1.%d", &minor) != 1 || minor < 19 || minor > 23)
		return false;
	/* runtime.g: stack (16), stackguard0, stackguard1, _panic, _defer, m,
	 * sched (a gobuf of 7 words: sp, pc, ...), syscallsp, syscallpc,
	 * [syscallbp: 1.23], stktopsp, param, atomicstatus, stackLock, goid,
	 * schedlink, waitsince, waitreason. */
	uint32_t extra = minor >= 23 ? 8 : 0;
	l->sched_sp = 56;
	l->sched_pc = 64;
	l->syscallsp = 112;
	l->syscallpc = 120;
	l->atomicstatus = 144 + extra;
	l->goid = 152 + extra;
	l->waitsince = 168 + extra;
	l->waitreason = 176 + extra;
	l->source = minor >= 23 ? "go1.23 offsets" : "go1.19-1.22 offsets";
	return true;
}

const char *pi_go_status_name(uint32_t status)
{
	switch (status) {
	case PI_G_IDLE: return "idle";
	case PI_G_RUNNABLE: return "runnable";
	case PI_G_RUNNING: return "running";
	case PI_G_SYSCALL: return "syscall";
	case PI_G_WAITING: return "waiting";
	case PI_G_DEAD: return "dead";
	case PI_G_COPYSTACK: return "copystack";
	case PI_G_PREEMPTED: return "preempted";
	default: return NULL;
	}
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The calls inlined at at in function f (physical pc): each a frame
 * into frames from *n on (below max), innermost first, named from the
 * inline tree with the file and line of the pc it stands at; the pc
 * left is the call site in f itself, whose file and line are f's. A tree
 * that cannot be read or does not hold together ends the expansion
 * where it stands: what follows is the physical frame. */
static uint64_t inlined_frames(const struct pi_go_walk *w, const struct pi_gofunc *f, uint64_t pc,
			       uint64_t at, struct pi_go_frame *frames, size_t max, size_t *n)
{
	uint32_t tree;
	if (!w->gofunc || !pi_gopcln_funcdata(w->pcln, f, PI_GO_FUNCDATA_INLTREE, &tree))
		return at;
	struct pi_go_inl_layout il;
	pi_gopcln_inl_layout(w->pcln, &il);
	for (int depth = 0; depth < PI_GO_MAX_INLINE_DEPTH && *n < max; depth++) {
		int32_t index;
		if (!pi_gopcln_pcdata(w->pcln, f, PI_GO_PCDATA_INLTREEINDEX, at, &index) || index < 0
		    || index >= PI_GO_MAX_INLINE_INDEX)
			return at;
		uint8_t call[20];
		uint64_t addr = w->gofunc + tree + (uint64_t)index * il.size;
		if (addr < w->gofunc || !w->read(w->arg, addr, call, il.size))
			return at;
		uint32_t name_off, parent;
		memcpy(&name_off, call + il.name_off, 4);
		memcpy(&parent, call + il.parent_pc, 4);
		/* The call site must lie in f, and before where it was
		 * called from no other inlined call can be its own parent
		 * forever: the depth bounds that. */
		struct pi_gofunc in;
		uint64_t site = f->entry + parent;
		if (parent > INT32_MAX || !pi_gopcln_func(w->pcln, site, &in) || in.entry != f->entry)
			return at;
		struct pi_go_frame *fr = &frames[(*n)++];
		fr->pc = pc;
		fr->function = pi_gopcln_name(w->pcln, name_off);
		fr->file = pi_gopcln_file(w->pcln, f, at);
		int32_t line = 0;
		fr->line = pi_gopcln_value(w->pcln, f, f->pcln, at, &line) && line > 0 ? line : 0;
		fr->inlined = true;
		at = site;
	}
	return at;
}

size_t pi_go_unwind(const struct pi_go_walk *w, uint64_t sp, uint64_t pc, bool is_return,
		    struct pi_go_frame *frames, size_t max, const char **stop_reason)
{
	size_t n = 0;
	*stop_reason = too_many_frames;
	while (n < max) {
		struct pi_gofunc f;
		if (!pi_gopcln_func(w->pcln, pc, &f)) {
			*stop_reason = n ? "a return address lies in no Go function: the stack is cut here"
					 : "its saved pc lies in no Go function";
			return n;
		}
		/* Lines of a return address are those of its call. */
		uint64_t at = is_return && pc > f.entry ? pc - 1 : pc;
		at = inlined_frames(w, &f, pc, at, frames, max, &n);
		if (n >= max)
			return n;
		struct pi_go_frame *fr = &frames[n++];
		fr->pc = pc;
		fr->function = f.name;
		fr->file = pi_gopcln_file(w->pcln, &f, at);
		int32_t line = 0;
		fr->line = pi_gopcln_value(w->pcln, &f, f.pcln, at, &line) && line > 0 ? line : 0;
		fr->inlined = false;
		if ((f.flag & PI_GOFUNC_FLAG_TOPFRAME)
		    || (f.name && (strcmp(f.name, "runtime.goexit") == 0 || strcmp(f.name, "runtime.goexit.abi0") == 0))) {
			*stop_reason = NULL;
			return n;
		}
		int32_t spdelta;
		if (!pi_gopcln_value(w->pcln, &f, f.pcsp, pc, &spdelta) || spdelta < 0) {
			*stop_reason = "no frame size for a function: the stack is cut here";
			return n;
		}
		/* x86-64: the call pushed the return address right above the
		 * frame */
		uint64_t fp = sp + (uint64_t)spdelta + 8;
		uint8_t ret[8];
		if (fp < sp || !w->read(w->arg, fp - 8, ret, sizeof ret)) {
			*stop_reason = "its stack could not be read: the stack is cut here";
			return n;
		}
		sp = fp;
		pc = le64(ret);
		is_return = true;
		if (!pc) {
			*stop_reason = NULL;	/* a goroutine's first frame returns to 0 */
			return n;
		}
	}
	return n;
}

int pi_go_walk(const struct pi_go_walk *w, size_t *total)
{
	uint8_t hdr[24];
	*total = 0;
	if (!w->read(w->arg, w->allgs, hdr, sizeof hdr))
		return -EFAULT;
	uint64_t ptr = le64(hdr), len = le64(hdr + 8), cap = le64(hdr + 16);
	if (len > cap || len > MAX_ALLGS || (len && !ptr))
		return -EINVAL;
	*total = (size_t)len;
	size_t n = len < w->max_goroutines ? (size_t)len : w->max_goroutines;
	struct pi_go_frame *frames = pi_xcalloc(w->max_frames ? w->max_frames : 1, sizeof *frames);
	uint8_t chunk[8 * PTR_CHUNK];
	const struct pi_go_layout *l = &w->layout;
	uint32_t need = l->waitreason + 1;
	uint32_t fields[] = { l->goid + 8, l->atomicstatus + 4, l->waitsince + 8, l->sched_sp + 8,
			      l->sched_pc + 8, l->syscallsp + 8, l->syscallpc + 8 };
	for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
		if (fields[k] > need)
			need = fields[k];
	uint8_t g[G_READ];
	int err = 0;
	size_t spent = 0;	/* frames given so far, against max_total_frames */
	if (need > sizeof g)
		err = -EINVAL;
	for (size_t base = 0; !err && base < n; base += PTR_CHUNK) {
		size_t count = n - base < PTR_CHUNK ? n - base : PTR_CHUNK;
		if (!w->read(w->arg, ptr + 8 * base, chunk, 8 * count))
			break;	/* the list moved (it grew): what was read stands */
		for (size_t i = 0; i < count; i++) {
			uint64_t gaddr = le64(chunk + 8 * i);
			if (!gaddr || !w->read(w->arg, gaddr, g, need))
				continue;
			struct pi_go_goroutine gr;
			memset(&gr, 0, sizeof gr);
			gr.g = gaddr;
			uint32_t status;
			memcpy(&status, g + l->atomicstatus, 4);
			gr.status = status & ~(uint32_t)PI_G_SCAN;
			if (gr.status == PI_G_DEAD || gr.status == PI_G_IDLE || !pi_go_status_name(gr.status))
				continue;
			gr.goid = le64(g + l->goid);
			gr.waitreason = g[l->waitreason];
			gr.waitsince = (int64_t)le64(g + l->waitsince);
			bool in_syscall = gr.status == PI_G_SYSCALL;
			uint64_t sp = le64(g + (in_syscall ? l->syscallsp : l->sched_sp));
			uint64_t pc = le64(g + (in_syscall ? l->syscallpc : l->sched_pc));
			if (gr.status == PI_G_RUNNING) {
				gr.stop_reason = "running: its stack is that of the thread it runs on";
			} else if (!sp || !pc) {
				gr.stop_reason = "no saved stack pointer";
			} else {
				size_t room = w->max_frames;
				bool budget = w->max_total_frames && w->max_total_frames - spent < room;
				if (budget)
					room = w->max_total_frames - spent;
				gr.frames = frames;
				gr.nframes = room ? pi_go_unwind(w, sp, pc, true, frames, room, &gr.stop_reason) : 0;
				if (budget && (!room || gr.stop_reason == too_many_frames))
					gr.stop_reason = BUDGET_SPENT;
				spent += gr.nframes;
			}
			if (!w->each(w->each_arg, &gr)) {
				free(frames);
				return 0;
			}
		}
	}
	free(frames);
	return err;
}
