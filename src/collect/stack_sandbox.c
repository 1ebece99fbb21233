#include "collect/stack_sandbox.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "proc/memory.h"
#include "collect/stack_go.h"
#include "proc/target_open.h"
#include "runtime/frames.h"
#include "runtime/jvm.h"
#include "sandbox/sandbox.h"
#include "sandbox/wire.h"
#include "unwind/debugpaths.h"
#include "unwind/demangle.h"
#include "unwind/symbolize.h"
#include "util/deadline.h"
#include "util/xalloc.h"

enum {
	FP_SCAN_LIMIT = 64 << 10,	/* how far above sp a frame pointer is sought */
	/* How many plausible frame pointers are tried when none is sure:
	 * stale return addresses in a frame's locals come before the real
	 * one, and each try is one more unwind. */
	FP_CANDIDATES = 4,
	FLUSH_BYTES = 256 << 10,	/* records the child holds before it sends them */
};

/* Strings (ids from 1; 0 is "unknown"). A C++ name a template expands
 * can be kilobytes; a longer one is cut by the child. */
#define MAX_STRING 16384
#define MAX_STRINGS ((size_t)1 << 22)
#define MAX_BUILD_ID 128		/* hex digits: a 64-byte build-id */

void pi_stack_batch_add(struct pi_stack_batch *b, struct pi_thread *t,
			const struct pi_unwind_start *start, uint8_t *stack)
{
	pi_xgrow(&b->jobs, &b->cap, b->n + 1, sizeof *b->jobs);
	b->jobs[b->n++] = (struct pi_stack_job){ t, *start, stack, NULL };
	if (stack)
		b->stack_bytes += start->stack_len;
}

void pi_stack_batch_free(struct pi_stack_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->jobs[i].stack);
	free(b->jobs);
	memset(b, 0, sizeof *b);
}

/* ---- In the child ---- */

struct child {
	const struct pi_stack_decode *d;
	const struct pi_stack_batch *b;
	struct pi_sandbox_child *sc;
	int memfd;
	struct pi_unwinder *u;
	struct pi_symbolizer *sym;
	struct pi_strpool pool;
	/* The ids of the strings sent: interned pointer -> id. */
	const char **sent;
	uint32_t *sent_id;
	size_t sent_cap, nsent;
	/* A JVM: its code's frames are labelled, or named from its perf
	 * map (runtime/jvm.h). */
	bool jvm;
	struct pi_perfmap perfmap;
};

static const struct pi_vma *vma_at(const struct pi_process *p, uint64_t addr)
{
	long i = pi_vma_find(p->vmas, p->nvmas, addr);
	return i >= 0 ? &p->vmas[i] : NULL;
}

static bool read_target(const struct child *x, uint64_t addr, void *buf, size_t len)
{
	if (addr > INT64_MAX - len)
		return false;
	ssize_t n = x->memfd >= 0 ? pread(x->memfd, buf, len, (off_t)addr)
				  : pi_mem_read(x->d->p->pid, addr, buf, len);
	return n == (ssize_t)len;
}

/* A stack slot (a pointer of the target's size) of the copy. */
static uint64_t word_at(const struct pi_unwind_start *s, uint64_t addr, bool *ok)
{
	unsigned size = s->arch->ptr_size;
	*ok = addr >= s->stack_start && addr - s->stack_start + size <= s->stack_len;
	return *ok ? pi_arch_word(s->arch, s->stack + (addr - s->stack_start)) : 0;
}

/* How the code before a return address called (src/arch decodes it): not
 * at all (it is no return address), a call we cannot follow (indirect, or
 * through the PLT), or a direct call to a known function. */
static enum pi_call_kind call_before(const struct child *x, const struct pi_arch *a, uint64_t ra,
				     uint64_t *target)
{
	uint8_t code[16];
	if (ra < a->call_window || a->call_window > sizeof code
	    || !read_target(x, ra - a->call_window, code, a->call_window))
		return PI_NOT_A_CALL;
	return a->call_before(code, ra, target);
}

/* Is ra the signal trampoline (the rt_sigreturn call), which the kernel
 * pushes as a signal handler's return address? */
static bool is_sigreturn(const struct child *x, const struct pi_arch *a, uint64_t ra)
{
	uint8_t code[16];
	return a->sigreturn_window <= sizeof code && read_target(x, ra, code, a->sigreturn_window)
	       && a->is_sigreturn(code);
}

/* Where the function holding pc starts, or 0 if no symbol says. */
static uint64_t function_start(const struct child *x, const struct pi_raw_frame *f)
{
	uint64_t pc = f->activation ? f->pc : f->pc - 1;
	Dwfl_Module *mod = dwfl_addrmodule(pi_unwinder_dwfl(x->u), pc);
	GElf_Off off;
	GElf_Sym sym;
	if (!mod || !dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL))
		return 0;
	return pc - off;
}

/* Code built with frame pointers finds its caller's frame through rbp,
 * which a thread blocked in a system call does not reveal. In such a
 * frame, rbp points at the slot holding the caller's saved rbp, right
 * below the return address into the caller. So rbp is sought among the
 * slots above the frame whose unwind stopped that are followed by an
 * address in executable memory right after a call instruction (or the
 * signal trampoline, for a signal handler). Stale return addresses linger
 * in uninitialised locals; the slot whose return address follows a direct
 * call to this very function is the one (*sure). Failing that (a call
 * through a pointer or the PLT, a stripped binary), every plausible slot
 * is a candidate, lowest first, up to max: the caller tries them in turn.
 * The saved rbp itself proves nothing: the caller may not use one.
 * Returns how many candidates were found. */
static size_t find_frame_pointers(const struct child *x, const struct pi_unwind_start *s,
				  const struct pi_unwind_result *r, uint64_t *rbp, size_t max,
				  bool *sure)
{
	const struct pi_raw_frame *last = &r->frames[r->nframes - 1];
	const struct pi_arch *a = s->arch;
	const uint64_t w = a->ptr_size;
	*sure = false;
	if (!last->sp_known)
		return 0;
	uint64_t func = function_start(x, last);
	uint64_t end = s->stack_start + s->stack_len;
	uint64_t limit = last->sp + FP_SCAN_LIMIT < end ? last->sp + FP_SCAN_LIMIT : end;
	size_t n = 0;
	for (uint64_t slot = (last->sp + w - 1) & ~(w - 1); slot + 2 * w <= limit; slot += w) {
		bool ok;
		uint64_t ra = word_at(s, slot + w, &ok), target = 0;
		if (!ok)
			break;
		const struct pi_vma *v = vma_at(x->d->p, ra);
		if (!v || v->perms[2] != 'x')
			continue;
		enum pi_call_kind kind = call_before(x, a, ra, &target);
		if ((kind == PI_DIRECT_CALL && func && target == func) || is_sigreturn(x, a, ra)) {
			rbp[0] = slot;
			*sure = true;
			return 1;
		}
		if (kind != PI_NOT_A_CALL && n < max)
			rbp[n++] = slot;
	}
	return n;
}

/* The id of string s (an interned pointer), sending it first if new. */
static uint32_t string_id(struct child *x, const char *s)
{
	if (!s || !*s)
		return 0;
	if (2 * (x->nsent + 1) > x->sent_cap) {
		size_t old_cap = x->sent_cap;
		const char **old = x->sent;
		uint32_t *old_id = x->sent_id;
		x->sent_cap = old_cap ? 2 * old_cap : 1024;
		x->sent = pi_xcalloc(x->sent_cap, sizeof *x->sent);
		x->sent_id = pi_xcalloc(x->sent_cap, sizeof *x->sent_id);
		for (size_t i = 0; i < old_cap; i++) {
			if (!old[i])
				continue;
			size_t k = ((uintptr_t)old[i] >> 4) & (x->sent_cap - 1);
			while (x->sent[k])
				k = (k + 1) & (x->sent_cap - 1);
			x->sent[k] = old[i];
			x->sent_id[k] = old_id[i];
		}
		free(old);
		free(old_id);
	}
	size_t k = ((uintptr_t)s >> 4) & (x->sent_cap - 1);
	while (x->sent[k] && x->sent[k] != s)
		k = (k + 1) & (x->sent_cap - 1);
	if (!x->sent[k]) {
		if (x->nsent >= MAX_STRINGS)
			return 0;
		size_t len = strlen(s);
		pi_wire_put(&x->sc->out, PI_STACK_REC_STRING, s, len > MAX_STRING ? MAX_STRING : len);
		x->sent[k] = s;
		x->sent_id[k] = (uint32_t)++x->nsent;
	}
	return x->sent_id[k];
}

/* A frame in a JVM's own code: named from its perf map, else labelled. */
static void java_frame(struct child *x, const struct pi_user_frame *f, bool activation,
		       struct pi_user_frame *out)
{
	memcpy(out, f, sizeof *out);
	uint64_t offset;
	const char *name = pi_perfmap_lookup(&x->perfmap, activation ? f->pc : f->pc - 1, &offset);
	out->function = pi_strpool_intern(&x->pool, name ? name : PI_JVM_CODE_LABEL);
	out->have_offset = name != NULL;
	out->offset = name ? offset + (activation ? 0 : 1) : 0;
}

/* Turns physical frames into the frames people read, and sends them. */
static void send_frames(struct child *x, const struct pi_unwind_result *r, bool fp_found)
{
	const struct pi_process *p = x->d->p;
	size_t max = x->d->max_frames, sent = 0;
	const char *reason = r->stop_reason;
	bool last_java = false;
	for (size_t i = 0; i < r->nframes && sent < max; i++) {
		const struct pi_user_frame *f;
		size_t n;
		if (pi_deadline_passed(&p->deadline)) {
			reason = "not symbolized within --timeout: the stack is cut here";
			break;
		}
		/* A return address outside executable memory is a stale word,
		 * not a frame (runtime/frames.h). */
		if (i > 0 && !pi_frame_pc_executable(p->vmas, p->nvmas, r->frames[i].pc)) {
			reason = "the next return address lies in no executable mapping: the stack "
				 "ends or is overwritten here";
			break;
		}
		pi_symbolize(x->sym, r->frames[i].pc, r->frames[i].activation, &f, &n);
		struct pi_user_frame java;
		if (x->jvm && n == 1 && !f[0].function && !f[0].module
		    && pi_jvm_code_at(p->vmas, p->nvmas, f[0].pc)) {
			java_frame(x, &f[0], r->frames[i].activation, &java);
			f = &java;
			last_java = true;
		} else {
			last_java = false;
		}
		/* A runtime's outermost frame (Go's runtime.goexit, mstart...)
		 * ends the stack, complete: what lies past it is no caller. */
		bool outermost = n > 0 && pi_frame_is_outermost(f[n - 1].function);
		/* Inlined calls count as frames for --max-frames too. */
		if (sent + n > max) {
			n = max - sent;
			reason = "too many frames: the stack is cut here";
			outermost = false;
		}
		for (size_t k = 0; k < n; k++, sent++) {
			struct pi_stack_wire_frame w;
			memset(&w, 0, sizeof w);
			w.pc = f[k].pc;
			w.offset = f[k].offset;
			w.module_vaddr = f[k].module_vaddr;
			w.line = f[k].line > 0 ? f[k].line : 0;
			w.flags = (f[k].have_offset ? PI_STACK_FRAME_HAVE_OFFSET : 0)
				  | (f[k].inlined ? PI_STACK_FRAME_INLINED : 0);
			w.function = string_id(x, f[k].function);
			w.module = string_id(x, f[k].module);
			w.build_id = string_id(x, f[k].build_id);
			w.file = string_id(x, f[k].file);
			pi_wire_put(&x->sc->out, PI_STACK_REC_FRAME, &w, sizeof w);
		}
		if (outermost) {
			reason = NULL;
			break;
		}
	}
	/* Java frames have no unwind tables: past the first, only the JVM
	 * knows the stack. */
	if (last_java && reason)
		reason = "Java frames (JIT-compiled or interpreted) have no unwind tables: "
			 "jcmd PID Thread.print shows them";
	struct pi_stack_wire_job_end e = { string_id(x, pi_strpool_intern(&x->pool, reason)),
				  fp_found ? PI_STACK_JOB_FRAME_POINTER_FOUND : 0 };
	pi_wire_put(&x->sc->out, PI_STACK_REC_JOB_END, &e, sizeof e);
}

static void unwind_job(struct child *x, size_t index)
{
	const struct pi_stack_job *job = &x->b->jobs[index];
	struct pi_unwind_start s = job->start;
	const struct pi_process *p = x->d->p;
	struct pi_unwind_result r;

	pi_wire_put_u64(&x->sc->out, PI_STACK_REC_JOB, index);
	pi_unwind(x->u, job->t->facts.tid, &s, x->d->max_frames, &r);
	uint64_t rbp[FP_CANDIDATES];
	bool sure;
	size_t n = 0;
	/* A second unwind is not started once the budget has run out. */
	if (r.needs_rbp && r.nframes > 0 && !pi_deadline_passed(&p->deadline))
		n = find_frame_pointers(x, &s, &r, rbp, FP_CANDIDATES, &sure);
	/* No frame below the one that stopped saved rbp (or the unwinder
	 * would have restored it), so it is the same register all the way
	 * down to the first frame. Of several candidates, the first whose
	 * unwind reaches the outermost frame is taken; if none does, the
	 * first that goes further than without it. */
	bool found = false;
	size_t without = r.nframes;
	for (size_t i = 0; i < n && !pi_deadline_passed(&p->deadline); i++) {
		struct pi_unwind_result again;
		s.regs[s.arch->dwarf_fp] = rbp[i];
		s.known |= 1ULL << s.arch->dwarf_fp;
		pi_unwind(x->u, job->t->facts.tid, &s, x->d->max_frames, &again);
		bool complete = !again.stop_reason;
		if (again.nframes > without && (!found || complete)) {
			pi_unwind_result_free(&r);
			r = again;
			found = true;
		} else {
			pi_unwind_result_free(&again);
		}
		if (found && (sure || complete))
			break;
	}
	send_frames(x, &r, found);
	pi_unwind_result_free(&r);
}

static int child_open_module(void *arg, const struct pi_vma *v, struct stat *st)
{
	struct child *x = arg;
	uint64_t range[2] = { v->start, v->end };
	int fd = pi_broker_request(x->sc->broker_fd, PI_BROKER_MAPPING, range, sizeof range);
	if (fd < 0)
		return fd;
	/* The root side checked it is the mapped file; so does the child,
	 * which trusts nothing it did not see. */
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_ino != v->inode
	    || major(st->st_dev) != v->dev_major || minor(st->st_dev) != v->dev_minor) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

static int child_open_debug(void *arg, const char *path, struct stat *st)
{
	struct child *x = arg;
	int fd = pi_broker_request(x->sc->broker_fd, PI_BROKER_DEBUG_FILE, path, strlen(path));
	if (fd < 0)
		return fd;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static int child_fetch_debuginfo(void *arg, const struct pi_vma *v)
{
	struct child *x = arg;
	uint64_t range[2] = { v->start, v->end };
	int fd = pi_broker_request(x->sc->broker_fd, PI_BROKER_DEBUGINFOD, range, sizeof range);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

struct child_arg {
	const struct pi_stack_decode *d;
	const struct pi_stack_batch *b;
	int memfd;
	bool jvm;
	const struct pi_buf *perf_map;	/* the JVM's perf map, unparsed (may be empty) */
	bool want_goroutines;		/* a Go program's, not yet read */
};

/* A Go program's goroutines (collect/stack_go.h), after the jobs. */
static int send_goroutines(struct child *x)
{
	struct pi_go_result go;
	if (pi_deadline_passed(&x->d->p->deadline)
	    || !pi_stack_go_collect(pi_unwinder_dwfl(x->u), x->d->p, x->memfd, &x->pool, &go))
		return 0;
	struct pi_stack_wire_go_info info = { go.err, string_id(x, go.version), string_id(x, go.layout), 0,
					      go.total };
	pi_wire_put(&x->sc->out, PI_STACK_REC_GO_INFO, &info, sizeof info);
	int err = 0;
	for (size_t i = 0; i < go.n && !err; i++) {
		const struct pi_goroutine *g = &go.g[i];
		struct pi_stack_wire_goroutine w = {
			g->goid, g->wait_seconds < 0 ? -1 : (int64_t)(g->wait_seconds * 1e6), g->status,
			string_id(x, g->wait_reason), string_id(x, g->truncated_reason), (uint32_t)g->nframes
		};
		pi_wire_put(&x->sc->out, PI_STACK_REC_GOROUTINE, &w, sizeof w);
		for (size_t k = 0; k < g->nframes; k++) {
			const struct pi_user_frame *f = &go.frames[g->first_frame + k];
			struct pi_stack_wire_frame wf;
			memset(&wf, 0, sizeof wf);
			wf.pc = f->pc;
			wf.line = f->line > 0 ? f->line : 0;
			wf.function = string_id(x, f->function);
			wf.file = string_id(x, f->file);
			pi_wire_put(&x->sc->out, PI_STACK_REC_GO_FRAME, &wf, sizeof wf);
		}
		if (x->sc->out.len >= FLUSH_BYTES)
			err = pi_sandbox_flush(x->sc);
	}
	pi_go_result_free(&go);
	return err;
}

static int decode_in_child(struct pi_sandbox_child *sc, void *arg)
{
	const struct child_arg *a = arg;
	if (a->d->child_hook)
		return a->d->child_hook(sc, a->d->child_hook_arg);

	struct child x;
	memset(&x, 0, sizeof x);
	x.d = a->d;
	x.b = a->b;
	x.sc = sc;
	x.memfd = a->memfd;
	x.jvm = a->jvm;
	if (a->perf_map && a->perf_map->len)
		pi_perfmap_parse(a->perf_map->data, a->perf_map->len, &x.perfmap);
	const struct pi_process *p = a->d->p;
	/* Files may be mapped here: a SIGBUS costs this child only. */
	struct pi_unwind_access access = { child_open_module, child_open_debug, &x, a->memfd,
					   true, false, child_fetch_debuginfo };
	int err = pi_unwinder_new_with(p->pid, p->vmas, p->nvmas, p->vdso.image,
				       p->vdso.image_size, &access, &x.u);
	if (err)
		return err;
	x.sym = pi_symbolizer_new(pi_unwinder_dwfl(x.u), &x.pool, a->d->lines, p->exe);
	for (size_t i = 0; i < a->b->n && !err; i++) {
		unwind_job(&x, i);
		/* Sent as it goes, so the child's buffer stays small; but in
		 * pieces of some size, not a write (and a wake-up of the root
		 * side) per stack. */
		if (sc->out.len >= FLUSH_BYTES)
			err = pi_sandbox_flush(sc);
	}
	if (!err && pi_demangle_missed())
		pi_wire_put(&sc->out, PI_STACK_REC_MANGLED, NULL, 0);
	if (!err && a->want_goroutines)
		err = send_goroutines(&x);
	/* Freed although the child ends next: under valgrind, the child's
	 * own leak check would count it. */
	pi_symbolizer_free(x.sym);
	pi_unwinder_free(x.u);
	pi_strpool_free(&x.pool);
	pi_perfmap_free(&x.perfmap);
	free(x.sent);
	free(x.sent_id);
	return err;
}

/* ---- On the root side ---- */

struct policy {
	const struct pi_process *p;
	struct pi_unwinder *own_session;
	int rootfd;
	const char **modules;		/* the file-backed mappings' paths */
	size_t nmodules;
};

static const struct pi_vma *vma_exactly(const struct pi_process *p, uint64_t start, uint64_t end)
{
	const struct pi_vma *v = vma_at(p, start);
	return v && v->start == start && v->end == end ? v : NULL;
}

/* The broker's policy: a module's file is the file mapped at a range of
 * the process, exactly (map_files, or its path in the process's root, by
 * device and inode); a debug file is a regular file in the root's debug
 * directories (unwind/debugpaths), opened with proc/target_open. */
static int open_for_child(void *arg, uint32_t kind, const unsigned char *data, size_t len)
{
	const struct policy *pol = arg;
	switch (kind) {
	case PI_BROKER_MAPPING: {
		uint64_t range[2];
		if (len != sizeof range)
			return -EINVAL;
		memcpy(range, data, sizeof range);
		const struct pi_vma *v = vma_exactly(pol->p, range[0], range[1]);
		if (!v || !v->path || v->path[0] != '/' || !v->inode)
			return -EACCES;
		struct stat st;
		return pi_unwind_open_mapped(pol->p->pid, pol->rootfd, v, &st);
	}
	case PI_BROKER_DEBUG_FILE: {
		char path[4096];
		if (len == 0 || len >= sizeof path || memchr(data, '\0', len))
			return -EINVAL;
		memcpy(path, data, len);
		path[len] = '\0';
		if (pol->rootfd < 0)
			return -EBADF;
		if (!pi_debug_path_allowed(path, pol->modules, pol->nmodules))
			return -EACCES;
		return pi_target_open(pol->rootfd, path, NULL);
	}
	case PI_BROKER_DEBUGINFOD: {
		uint64_t range[2];
		if (len != sizeof range)
			return -EINVAL;
		memcpy(range, data, sizeof range);
		const struct pi_vma *v = vma_exactly(pol->p, range[0], range[1]);
		if (!v || !pol->own_session)
			return -ENOENT;
		return pi_unwinder_fetch_debuginfo(pol->own_session, v);
	}
	default:
		return -EINVAL;
	}
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

struct reader {
	struct pi_process *p;
	struct pi_stack_batch *b;
	const char **strings;		/* by id - 1, interned in the process's pool */
	size_t nstrings, strings_cap;
	bool *answered;
	struct pi_user_frame *frames;
	size_t nframes, frames_cap;
	size_t max_frames;
	bool mangled;			/* PI_STACK_REC_MANGLED */
	/* A Go program's goroutines (PI_STACK_REC_GO_*) */
	bool go_info;
	struct pi_go_runtime go;
	size_t go_cap, go_frames_cap, go_frames_due;
};

static int string_of(const struct reader *r, uint32_t id, const char **out)
{
	if (id > r->nstrings)
		return -PI_ERR_SANDBOX_REPLY;
	*out = id ? r->strings[id - 1] : NULL;
	return 0;
}

static int read_frame(struct reader *r, const struct pi_wire_record *rec)
{
	struct pi_stack_wire_frame w;
	struct pi_user_frame f;
	if (rec->len != sizeof w || r->nframes >= r->max_frames)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	/* Whole, padding included: stacks are compared byte for byte. */
	memset(&f, 0, sizeof f);
	f.pc = w.pc;
	f.offset = w.offset;
	f.module_vaddr = w.module_vaddr;
	f.line = w.line;
	f.have_offset = w.flags & PI_STACK_FRAME_HAVE_OFFSET;
	f.inlined = w.flags & PI_STACK_FRAME_INLINED;
	if (w.line < 0 || (w.flags & ~(uint32_t)(PI_STACK_FRAME_HAVE_OFFSET | PI_STACK_FRAME_INLINED))
	    || string_of(r, w.function, &f.function) || string_of(r, w.module, &f.module)
	    || string_of(r, w.build_id, &f.build_id) || string_of(r, w.file, &f.file))
		return -PI_ERR_SANDBOX_REPLY;
	if (f.build_id && (strlen(f.build_id) % 2 || strlen(f.build_id) > MAX_BUILD_ID
			   || !is_hex(f.build_id)))
		return -PI_ERR_SANDBOX_REPLY;
	pi_xgrow(&r->frames, &r->frames_cap, r->nframes + 1, sizeof *r->frames);
	r->frames[r->nframes++] = f;
	return 0;
}

static int read_job_end(struct reader *r, size_t job, const struct pi_wire_record *rec)
{
	struct pi_stack_wire_job_end e;
	const char *reason;
	if (rec->len != sizeof e)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&e, rec->data, sizeof e);
	if ((e.flags & ~(uint32_t)PI_STACK_JOB_FRAME_POINTER_FOUND) || string_of(r, e.reason, &reason))
		return -PI_ERR_SANDBOX_REPLY;
	struct pi_user_stack *us = &r->b->jobs[job].t->ustack;
	/* Threads parked in the same place share one copy of their frames. */
	us->frames = r->nframes ? pi_strpool_intern_blob(&r->p->strings, r->frames,
							 r->nframes * sizeof *r->frames)
				: NULL;
	us->nframes = r->nframes;
	us->truncated_reason = reason;
	if (reason && r->b->jobs[job].short_copy_reason && r->nframes < r->max_frames)
		us->truncated_reason = pi_strpool_intern(&r->p->strings,
							 r->b->jobs[job].short_copy_reason);
	us->frame_pointer_found = e.flags & PI_STACK_JOB_FRAME_POINTER_FOUND;
	r->answered[job] = true;
	r->nframes = 0;
	return 0;
}

static int read_go_info(struct reader *r, const struct pi_wire_record *rec)
{
	struct pi_stack_wire_go_info w;
	if (r->go_info || rec->len != sizeof w)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	static const int known[] = { 0, -EACCES, -EFAULT, -PI_ERR_TIMEOUT, -PI_ERR_GO_VERSION,
				     -PI_ERR_GO_STRIPPED, -PI_ERR_GO_OLD, -PI_ERR_GO_UNREADABLE };
	bool ok = false;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		ok |= w.err == known[i];
	if (!ok || w.pad || string_of(r, w.version, &r->go.version) || string_of(r, w.layout, &r->go.layout))
		return -PI_ERR_SANDBOX_REPLY;
	r->go_info = true;
	r->go.read = true;
	r->go.err = w.err;
	r->go.total = (size_t)w.total;
	return 0;
}

static int read_goroutine(struct reader *r, const struct pi_wire_record *rec)
{
	struct pi_stack_wire_goroutine w;
	if (!r->go_info || r->go_frames_due || rec->len != sizeof w
	    || r->go.ngoroutines >= PI_GO_MAX_GOROUTINES)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	struct pi_goroutine g;
	memset(&g, 0, sizeof g);
	if (w.status > 9 || w.nframes > PI_GO_MAX_FRAMES || string_of(r, w.wait_reason, &g.wait_reason)
	    || string_of(r, w.reason, &g.truncated_reason))
		return -PI_ERR_SANDBOX_REPLY;
	g.goid = w.goid;
	g.status = w.status;
	g.wait_seconds = w.wait_us < 0 ? -1 : (double)w.wait_us / 1e6;
	g.first_frame = r->go.nframes;
	g.nframes = w.nframes;
	pi_xgrow(&r->go.goroutines, &r->go_cap, r->go.ngoroutines + 1, sizeof g);
	r->go.goroutines[r->go.ngoroutines++] = g;
	r->go_frames_due = w.nframes;
	return 0;
}

static int read_go_frame(struct reader *r, const struct pi_wire_record *rec)
{
	struct pi_stack_wire_frame w;
	if (!r->go_frames_due || rec->len != sizeof w)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	struct pi_user_frame f;
	memset(&f, 0, sizeof f);
	f.pc = w.pc;
	f.line = w.line;
	if (w.line < 0 || w.flags || w.offset || w.module_vaddr || w.module || w.build_id
	    || string_of(r, w.function, &f.function) || string_of(r, w.file, &f.file))
		return -PI_ERR_SANDBOX_REPLY;
	pi_xgrow(&r->go.frames, &r->go_frames_cap, r->go.nframes + 1, sizeof f);
	r->go.frames[r->go.nframes++] = f;
	r->go_frames_due--;
	return 0;
}

/* Goroutines with the same stack (function and line, frame by frame)
 * form a group: a server has thousands parked in a few places. */
static void group_goroutines(struct pi_go_runtime *go)
{
	size_t cap = 16;
	while (cap < 2 * go->ngoroutines)
		cap *= 2;
	size_t *table = pi_xcalloc(cap, sizeof *table);	/* index + 1 of a group's first */
	for (size_t i = 0; i < go->ngoroutines; i++) {
		struct pi_goroutine *g = &go->goroutines[i];
		const struct pi_user_frame *f = go->frames + g->first_frame;
		uint64_t h = g->nframes;
		for (size_t k = 0; k < g->nframes; k++)
			h = (h ^ (uintptr_t)f[k].function ^ ((uint64_t)(uint32_t)f[k].line << 32))
			    * 0x9e3779b97f4a7c15ULL;
		size_t slot = (size_t)(h >> 17) & (cap - 1);
		for (;; slot = (slot + 1) & (cap - 1)) {
			if (!table[slot]) {
				table[slot] = i + 1;
				g->group = i;
				g->group_size = 1;
				break;
			}
			struct pi_goroutine *first = &go->goroutines[table[slot] - 1];
			const struct pi_user_frame *ff = go->frames + first->first_frame;
			bool same = first->nframes == g->nframes;
			for (size_t k = 0; same && k < g->nframes; k++)
				same = ff[k].function == f[k].function && ff[k].line == f[k].line;
			if (same) {
				g->group = table[slot] - 1;
				first->group_size++;
				break;
			}
		}
	}
	free(table);
}

/* Every record checked; any bad one rejects the whole reply. */
static int read_reply(struct reader *r, const struct pi_buf *reply, size_t max_record)
{
	struct pi_wire_reader wr;
	struct pi_wire_record rec;
	char *s = pi_xmalloc(MAX_STRING + 1);
	uint64_t job = 0;
	bool in_job = false, any_job = false;
	int got, err = 0;

	pi_wire_reader_init(&wr, reply->data, reply->len, max_record);
	while (!err && (got = pi_wire_next(&wr, &rec)) == 1) {
		switch (rec.type) {
		case PI_STACK_REC_STRING:
			if (r->nstrings >= MAX_STRINGS || pi_wire_get_str(&rec, 1, MAX_STRING, s) != 0) {
				err = -PI_ERR_SANDBOX_REPLY;
				break;
			}
			pi_xgrow(&r->strings, &r->strings_cap, r->nstrings + 1, sizeof *r->strings);
			r->strings[r->nstrings++] = pi_strpool_intern(&r->p->strings, s);
			break;
		case PI_STACK_REC_JOB: {
			uint64_t next = 0;
			/* Each job once, in order. */
			if (in_job || pi_wire_get_u64(&rec, &next) != 0 || next >= r->b->n
			    || (any_job && next <= job)) {
				err = -PI_ERR_SANDBOX_REPLY;
				break;
			}
			job = next;
			in_job = any_job = true;
			break;
		}
		case PI_STACK_REC_FRAME:
			err = in_job ? read_frame(r, &rec) : -PI_ERR_SANDBOX_REPLY;
			break;
		case PI_STACK_REC_JOB_END:
			err = in_job ? read_job_end(r, (size_t)job, &rec) : -PI_ERR_SANDBOX_REPLY;
			in_job = false;
			break;
		case PI_STACK_REC_MANGLED:
			if (rec.len != 0)
				err = -PI_ERR_SANDBOX_REPLY;
			r->mangled = true;
			break;
		case PI_STACK_REC_GO_INFO:
			err = in_job ? -PI_ERR_SANDBOX_REPLY : read_go_info(r, &rec);
			break;
		case PI_STACK_REC_GOROUTINE:
			err = in_job ? -PI_ERR_SANDBOX_REPLY : read_goroutine(r, &rec);
			break;
		case PI_STACK_REC_GO_FRAME:
			err = in_job ? -PI_ERR_SANDBOX_REPLY : read_go_frame(r, &rec);
			break;
		default:
			err = -PI_ERR_SANDBOX_REPLY;
		}
	}
	free(s);
	if (!err && (got < 0 || in_job || r->go_frames_due))
		err = -PI_ERR_SANDBOX_REPLY;
	for (size_t i = 0; !err && i < r->b->n; i++)
		if (!r->answered[i])
			err = -PI_ERR_SANDBOX_REPLY;
	return err;
}

/* As long as the budget (--timeout) leaves, and a little more: the child
 * cuts its own work at the budget. Without a budget, five minutes: a
 * decoder looping on a crafted image does not hold pinspect for good. */
static int child_timeout_ms(const struct pi_stack_decode *d)
{
	if (d->timeout_ms > 0)
		return d->timeout_ms;
	double left = pi_deadline_remaining(&d->p->deadline);
	if (left < 0)
		return 300 * 1000;
	return (int)(left * 1000) + 2000;
}

static void fail_all(struct pi_stack_batch *b, int err)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pi_user_stack *us = &b->jobs[i].t->ustack;
		us->err = err;
		us->frames = NULL;
		us->nframes = 0;
		us->truncated_reason = NULL;
		us->frame_pointer_found = false;
	}
}

/* One child for the batch. *mangled: it met names it could not
 * demangle (the demangler was not loaded). */
static int decode_once(const struct pi_stack_decode *d, struct pi_stack_batch *b, bool *mangled)
{
	struct pi_process *p = d->p;

	struct policy pol = { p, d->own_session, pi_target_root_open(p->pid), NULL, 0 };
	pol.modules = pi_xcalloc(p->nvmas + 1, sizeof *pol.modules);
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].path && p->vmas[i].path[0] == '/' && p->vmas[i].inode)
			pol.modules[pol.nmodules++] = p->vmas[i].path;
	/* Read access is checked at the open, here, by the root side. */
	int memfd = pi_mem_open(d->procfd);

	struct pi_sandbox_config cfg;
	pi_sandbox_config_init(&cfg);
	/* DWARF of big libraries, mapped (the mapped files count) and
	 * decompressed, with --lines=all. */
	cfg.mem_budget = (size_t)1 << 30;
	cfg.timeout_ms = child_timeout_ms(d);
	cfg.max_reply = (size_t)256 << 20;
	cfg.max_record = MAX_STRING + 64;
	cfg.keep_fds = memfd > 2 ? &memfd : NULL;
	cfg.nkeep = memfd > 2 ? 1 : 0;
	cfg.policy = open_for_child;
	cfg.policy_arg = &pol;
	/* Each module once, its debug file candidates (three debug-link
	 * places, the build-id, the alt file's two), debuginfod's file and
	 * alt file, and what libdwfl holds open at once. */
	cfg.max_requests = (unsigned)(10 * pol.nmodules + 64);
	cfg.max_fds = (unsigned)(8 * pol.nmodules + 64);

	/* A JVM's perf map: read here (inside its root, a regular file,
	 * without blocking), parsed by the child. */
	struct pi_buf perf_map = PI_BUF_INIT;
	bool jvm = pi_jvm_mapped(p->vmas, p->nvmas);
	if (jvm && pol.rootfd >= 0) {
		pid_t nspid = p->status.nspid_levels ? p->status.nspid[p->status.nspid_levels - 1] : p->pid;
		pi_perfmap_read(pol.rootfd, nspid, &perf_map);
	}
	struct child_arg a = { d, b, memfd > 2 ? memfd : -1, jvm, &perf_map, !p->go.read };
	struct pi_buf reply = PI_BUF_INIT;
	struct pi_sandbox_outcome o;
	int err = pi_sandbox_run(&cfg, decode_in_child, &a, &reply, &o);
	if (memfd >= 0)
		close(memfd);
	if (pol.rootfd >= 0)
		close(pol.rootfd);
	free(pol.modules);
	if (!err && o.status != 0)
		err = o.status;
	if (!err) {
		struct reader r = { .p = p, .b = b, .max_frames = d->max_frames };
		r.answered = pi_xcalloc(b->n + 1, sizeof *r.answered);
		err = read_reply(&r, &reply, cfg.max_record);
		*mangled = r.mangled;
		if (!err && r.go_info) {
			group_goroutines(&r.go);
			p->go = r.go;
		} else {
			free(r.go.goroutines);
			free(r.go.frames);
		}
		free(r.answered);
		free(r.strings);
		free(r.frames);
	}
	pi_buf_free(&reply);
	pi_buf_free(&perf_map);
	return err;
}

/* libstdc++ is mapped: C++ names are likely. */
static bool maps_libstdcxx(const struct pi_process *p)
{
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].path && strstr(p->vmas[i].path, "/libstdc++"))
			return true;
	return false;
}

int pi_stack_batch_decode(const struct pi_stack_decode *d, struct pi_stack_batch *b)
{
	if (b->n == 0 && !d->child_hook)
		return 0;
	/* The demangler is loaded here, from the host's own libraries (the
	 * child cannot): up front for a process that maps libstdc++, else
	 * only once a child met a mangled name (a static C++ program), and
	 * the batch is decoded again with it. Loading it costs
	 * milliseconds, which a C program need not pay. */
	bool had_demangler = maps_libstdcxx(d->p) && pi_demangle_load();
	bool mangled = false;
	int err = decode_once(d, b, &mangled);
	if (!err && mangled && !had_demangler && pi_demangle_load())
		err = decode_once(d, b, &mangled);
	if (err) {
		/* A decoder error of the child's own (an allocation refused
		 * below its limit, say) is no reason of the sandbox's. */
		fail_all(b, err <= -PI_ERR_SANDBOX_CRASHED && err >= -PI_ERR_SANDBOX_SETUP
				    ? err : -PI_ERR_SANDBOX_CRASHED);
	}
	for (size_t i = 0; i < b->n; i++)
		free(b->jobs[i].stack);
	b->n = 0;
	b->stack_bytes = 0;
	return err;
}
