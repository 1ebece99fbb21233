#include "collect/stack_sandbox.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "proc/memory.h"
#include "proc/target_open.h"
#include "sandbox/sandbox.h"
#include "sandbox/wire.h"
#include "tls/bounds.h"
#include "tls/threaddb.h"
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

static uint64_t word_at(const struct pi_unwind_start *s, uint64_t addr, bool *ok)
{
	uint64_t w = 0;
	*ok = addr >= s->stack_start && addr - s->stack_start + 8 <= s->stack_len;
	if (*ok)
		memcpy(&w, s->stack + (addr - s->stack_start), 8);
	return w;
}

/* How the code before a return address called: not at all (it is no
 * return address), a call we cannot follow (indirect, or through the PLT),
 * or a direct call to a known function. */
enum call_kind { NOT_A_CALL, SOME_CALL, DIRECT_CALL };

static enum call_kind call_before(const struct child *x, uint64_t ra, uint64_t *target)
{
	uint8_t code[8];
	if (ra < 8 || !read_target(x, ra - 8, code, 8))
		return NOT_A_CALL;
	if (code[3] == 0xe8) {	/* call rel32 */
		int32_t rel;
		memcpy(&rel, code + 4, 4);
		*target = ra + (uint64_t)(int64_t)rel;
		return DIRECT_CALL;
	}
	for (int k = 2; k <= 7; k++)	/* call r/m: opcode ff, /2 */
		if (code[8 - k] == 0xff && ((code[9 - k] >> 3) & 7) == 2)
			return SOME_CALL;
	return NOT_A_CALL;
}

/* Is ra the signal trampoline (sa_restorer: "mov $15, %rax; syscall", the
 * rt_sigreturn call), which the kernel pushes as a signal handler's return
 * address? */
static bool is_sigreturn(const struct child *x, uint64_t ra)
{
	static const uint8_t restorer[] = { 0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	uint8_t code[sizeof restorer];
	return read_target(x, ra, code, sizeof code) && memcmp(code, restorer, sizeof code) == 0;
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
	*sure = false;
	if (!last->sp_known)
		return 0;
	uint64_t func = function_start(x, last);
	uint64_t end = s->stack_start + s->stack_len;
	uint64_t limit = last->sp + FP_SCAN_LIMIT < end ? last->sp + FP_SCAN_LIMIT : end;
	size_t n = 0;
	for (uint64_t slot = (last->sp + 7) & ~7ULL; slot + 16 <= limit; slot += 8) {
		bool ok;
		uint64_t ra = word_at(s, slot + 8, &ok), target = 0;
		if (!ok)
			break;
		const struct pi_vma *v = vma_at(x->d->p, ra);
		if (!v || v->perms[2] != 'x')
			continue;
		enum call_kind kind = call_before(x, ra, &target);
		if ((kind == DIRECT_CALL && func && target == func) || is_sigreturn(x, ra)) {
			rbp[0] = slot;
			*sure = true;
			return 1;
		}
		if (kind != NOT_A_CALL && n < max)
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

/* Turns physical frames into the frames people read, and sends them. */
static void send_frames(struct child *x, const struct pi_unwind_result *r, bool fp_found)
{
	const struct pi_process *p = x->d->p;
	size_t max = x->d->max_frames, sent = 0;
	const char *reason = r->stop_reason;
	for (size_t i = 0; i < r->nframes && sent < max; i++) {
		const struct pi_user_frame *f;
		size_t n;
		if (pi_deadline_passed(&p->deadline)) {
			reason = "not symbolized within --timeout: the stack is cut here";
			break;
		}
		pi_symbolize(x->sym, r->frames[i].pc, r->frames[i].activation, &f, &n);
		/* Inlined calls count as frames for --max-frames too. */
		if (sent + n > max) {
			n = max - sent;
			reason = "too many frames: the stack is cut here";
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
	}
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
	pi_unwind(x->u, job->t->tid, &s, x->d->max_frames, &r);
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
		s.regs[PI_DWARF_RBP] = rbp[i];
		s.known |= 1u << PI_DWARF_RBP;
		pi_unwind(x->u, job->t->tid, &s, x->d->max_frames, &again);
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

/* The batch as the session's child gets it (PI_BROKER_STACK_BATCH): a
 * header, an entry per job, then the stack copies the entries point at. */
struct batch_header {
	uint64_t njobs, size;
};

struct batch_entry {
	uint64_t regs[PI_DWARF_NREGS];
	uint64_t stack_start, stack_len, stack_off;
	uint32_t thread, known;		/* the thread's index in the process */
};

struct child_arg {
	const struct pi_stack_decode *d;
	const struct pi_stack_batch *b;	/* one-shot: inherited; NULL: asked for */
	int memfd;
};

static int child_begin(struct child *x, struct pi_sandbox_child *sc, const struct child_arg *a)
{
	memset(x, 0, sizeof *x);
	x->d = a->d;
	x->sc = sc;
	x->memfd = a->memfd;
	const struct pi_process *p = a->d->p;
	/* Files may be mapped here: a SIGBUS costs this child only. */
	struct pi_unwind_access access = { child_open_module, child_open_debug, x, a->memfd,
					   true, false, child_fetch_debuginfo };
	return pi_unwinder_new_with(p->pid, p->vmas, p->nvmas, p->vdso.image, p->vdso.image_size,
				    &access, &x->u);
}

/* Freed although the child ends next: under valgrind, the child's own
 * leak check would count it. */
static void child_end(struct child *x)
{
	if (x->sym)
		pi_symbolizer_free(x->sym);
	if (x->u)
		pi_unwinder_free(x->u);
	pi_strpool_free(&x->pool);
	free(x->sent);
	free(x->sent_id);
}

/* Sent as it goes, so the child's buffer stays small; but in pieces of
 * some size, not a write (and a wake-up of the root side) per record. */
static int flush_if_full(struct child *x)
{
	return x->sc->out.len >= FLUSH_BYTES ? pi_sandbox_flush(x->sc) : 0;
}

static uint32_t path_id(struct child *x, const char *s)
{
	return string_id(x, pi_strpool_intern(&x->pool, s));
}

static void put_named(struct child *x, uint32_t type, uint64_t a, uint64_t b, const char *name)
{
	struct pi_stack_wire_named w = { a, b, string_id(x, name), 0 };
	pi_wire_put(&x->sc->out, type, &w, sizeof w);
}

static void send_tls_module(void *arg, const char *path, uint64_t size, uint64_t init_size,
			    uint64_t align)
{
	struct child *x = arg;
	struct pi_stack_wire_tls_module w = { size, init_size, align, path_id(x, path), 0 };
	pi_wire_put(&x->sc->out, PI_STACK_REC_TLS_MODULE, &w, sizeof w);
}

static void send_tls_thread(void *arg, pid_t tid, uint64_t tcb, uint64_t exe_block)
{
	struct child *x = arg;
	struct pi_stack_wire_tls_thread w = { tcb, exe_block, (int32_t)tid, 0 };
	pi_wire_put(&x->sc->out, PI_STACK_REC_TLS_THREAD, &w, sizeof w);
}

/* libthread_db's walk over the target's memory (through the mem
 * descriptor), the modules' TLS segments, the executable's TLS
 * variables. */
static int work_tls(struct child *x)
{
	const struct pi_process *p = x->d->p;
	Dwfl *dwfl = pi_unwinder_dwfl(x->u);
	pi_tls_find_modules(dwfl, send_tls_module, x);
	int err = pi_threaddb_walk(p->pid, x->memfd, dwfl, p->nthreads, &p->deadline,
				   send_tls_thread, x);
	pi_wire_put_i32(&x->sc->out, PI_STACK_REC_TLS_WALK, err);
	struct pi_tls_exe_vars exe;
	pi_tls_find_exe_vars(dwfl, p->auxv_err ? 0 : p->auxv.entry, &x->pool, &exe);
	if (exe.known) {
		uint64_t block[2] = { exe.block_size, exe.align };
		pi_wire_put(&x->sc->out, PI_STACK_REC_TLS_EXE, block, sizeof block);
		for (size_t i = 0; i < exe.nvars; i++)
			put_named(x, PI_STACK_REC_TLS_VAR, exe.vars[i].offset, exe.vars[i].size,
				  exe.vars[i].name);
	}
	return flush_if_full(x);
}

/* The waiters' futex words and the program's mutexes, named. */
static int work_locks(struct child *x)
{
	struct pi_lock_symbols syms;
	pi_lock_symbols_find(x->d->p, pi_unwinder_dwfl(x->u), &x->pool, &syms);
	int err = 0;
	for (size_t i = 0; i < syms.nthreads && !err; i++)
		if (syms.futex[i].name) {
			put_named(x, PI_STACK_REC_FUTEX_NAME, syms.futex[i].addr, i, syms.futex[i].name);
			err = flush_if_full(x);
		}
	for (size_t i = 0; i < syms.nmutexes && !err; i++) {
		put_named(x, PI_STACK_REC_MUTEX, syms.mutexes[i].addr, 0, syms.mutexes[i].name);
		err = flush_if_full(x);
	}
	pi_lock_symbols_free(&syms);
	return err;
}

static int work_stacks(struct child *x, const struct pi_stack_batch *b)
{
	const struct pi_process *p = x->d->p;
	int err = 0;
	x->b = b;
	if (b->n && !x->sym)
		x->sym = pi_symbolizer_new(pi_unwinder_dwfl(x->u), &x->pool, x->d->lines, p->exe);
	for (size_t i = 0; i < b->n && !err; i++) {
		unwind_job(x, i);
		err = flush_if_full(x);
	}
	return err;
}

/* The work asked besides the stacks, one function per kind: a new kind
 * of work is a PI_STACK_WORK_* bit, a function here that sends its
 * records, and their reading in read_reply. */
static int do_work(struct child *x)
{
	static const struct {
		unsigned kind;
		int (*fn)(struct child *x);
	} kinds[] = {
		{ PI_STACK_WORK_TLS, work_tls },
		{ PI_STACK_WORK_LOCKS, work_locks },
	};
	int err = 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !err; i++)
		if (x->d->work & kinds[i].kind)
			err = kinds[i].fn(x);
	return err;
}

static void say_if_mangled(struct child *x)
{
	if (pi_demangle_missed())
		pi_wire_put(&x->sc->out, PI_STACK_REC_MANGLED, NULL, 0);
}

/* One-shot: the work asked, then the batch it inherited with the fork. */
static int decode_in_child(struct pi_sandbox_child *sc, void *arg)
{
	const struct child_arg *a = arg;
	if (a->d->child_hook)
		return a->d->child_hook(sc, a->d->child_hook_arg);
	struct child x;
	int err = child_begin(&x, sc, a);
	if (!err)
		err = do_work(&x);
	if (!err)
		err = work_stacks(&x, a->b);
	if (!err)
		say_if_mangled(&x);
	child_end(&x);
	return err;
}

/* The session's batch, from the memfd the root side wrote: every entry
 * checked against the mapping (the root side wrote it, but a check costs
 * nothing). */
static int map_batch(const struct child *x, int fd, struct pi_stack_batch *b, void **map,
		     size_t *map_len)
{
	const struct pi_process *p = x->d->p;
	struct stat st;
	struct batch_header h;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof h)
		return -EBADMSG;
	size_t size = (size_t)st.st_size;
	const uint8_t *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	*map = (void *)m;
	*map_len = size;
	memcpy(&h, m, sizeof h);
	if (h.size != size || h.njobs > (size - sizeof h) / sizeof(struct batch_entry))
		return -EBADMSG;
	size_t data_at = sizeof h + h.njobs * sizeof(struct batch_entry);
	b->jobs = pi_xcalloc(h.njobs + 1, sizeof *b->jobs);
	for (size_t i = 0; i < h.njobs; i++) {
		struct batch_entry e;
		memcpy(&e, m + sizeof h + i * sizeof e, sizeof e);
		if (e.thread >= p->nthreads || e.stack_off < data_at || e.stack_off > size
		    || e.stack_len > size - e.stack_off)
			return -EBADMSG;
		struct pi_stack_job *job = &b->jobs[b->n++];
		job->t = (struct pi_thread *)&p->threads[e.thread];
		memcpy(job->start.regs, e.regs, sizeof e.regs);
		job->start.known = e.known;
		job->start.stack = e.stack_len ? m + e.stack_off : NULL;
		job->start.stack_start = e.stack_start;
		job->start.stack_len = (size_t)e.stack_len;
	}
	return 0;
}

/* The session: the work asked, a mark, then the batch asked for. */
static int serve_in_child(struct pi_sandbox_child *sc, void *arg)
{
	const struct child_arg *a = arg;
	struct child x;
	int err = child_begin(&x, sc, a);
	if (!err)
		err = do_work(&x);
	if (!err) {
		say_if_mangled(&x);
		err = pi_sandbox_mark(sc);
	}
	int fd = err ? -1 : pi_broker_request(sc->broker_fd, PI_BROKER_STACK_BATCH, NULL, 0);
	if (fd >= 0) {
		struct pi_stack_batch b;
		void *map = NULL;
		size_t map_len = 0;
		memset(&b, 0, sizeof b);
		err = map_batch(&x, fd, &b, &map, &map_len);
		close(fd);
		if (!err)
			err = work_stacks(&x, &b);
		if (!err)
			say_if_mangled(&x);
		free(b.jobs);
		if (map)
			munmap(map, map_len);
	}
	child_end(&x);
	return err;
}

/* ---- On the root side ---- */

struct policy {
	const struct pi_process *p;
	int rootfd;
	const char **modules;		/* the file-backed mappings' paths */
	size_t nmodules;
	/* pinspect's own libdwfl session, made only when a child asks for
	 * debuginfod's file (DEBUGINFOD_URLS set): the one parse of a
	 * target's files left in the root process, for the build-id that
	 * debuginfod is asked by. */
	struct pi_unwinder *debuginfod_session;
	bool debuginfod_tried;
	int batch_fd;			/* the session's batch, -1 until written */
	bool batch_given;
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
	struct policy *pol = arg;
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
		const char *urls = getenv("DEBUGINFOD_URLS");
		if (len != sizeof range || !urls || !*urls)
			return -ENOENT;
		memcpy(range, data, sizeof range);
		const struct pi_vma *v = vma_exactly(pol->p, range[0], range[1]);
		if (!v)
			return -ENOENT;
		if (!pol->debuginfod_tried) {
			pol->debuginfod_tried = true;
			const struct pi_process *p = pol->p;
			if (pi_unwinder_new(p->pid, p->vmas, p->nvmas, p->vdso.image, p->vdso.image_size,
					    &pol->debuginfod_session) != 0)
				pol->debuginfod_session = NULL;
		}
		if (!pol->debuginfod_session)
			return -ENOENT;
		return pi_unwinder_fetch_debuginfo(pol->debuginfod_session, v);
	}
	case PI_BROKER_STACK_BATCH: {
		if (len != 0 || pol->batch_given)
			return -EINVAL;
		if (pol->batch_fd < 0)
			return -ENOENT;	/* none: the child ends */
		pol->batch_given = true;
		/* A copy: the broker closes what it passes on. */
		int fd = fcntl(pol->batch_fd, F_DUPFD_CLOEXEC, 3);
		return fd >= 0 ? fd : -errno;
	}
	default:
		return -EINVAL;
	}
}

static void policy_init(struct policy *pol, const struct pi_process *p)
{
	memset(pol, 0, sizeof *pol);
	pol->p = p;
	pol->rootfd = pi_target_root_open(p->pid);
	pol->batch_fd = -1;
	pol->modules = pi_xcalloc(p->nvmas + 1, sizeof *pol->modules);
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].path && p->vmas[i].path[0] == '/' && p->vmas[i].inode)
			pol->modules[pol->nmodules++] = p->vmas[i].path;
}

static void policy_free(struct policy *pol)
{
	if (pol->rootfd >= 0)
		close(pol->rootfd);
	if (pol->batch_fd >= 0)
		close(pol->batch_fd);
	if (pol->debuginfod_session)
		pi_unwinder_free(pol->debuginfod_session);
	free(pol->modules);
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* What the child found besides the stacks, held until its whole reply
 * is found good (a forged reply is never half taken). */
struct facts {
	struct tls_module {
		const char *path;
		uint64_t size, init_size, align;
	} *modules;
	size_t nmodules, modules_cap;
	struct pi_stack_wire_tls_thread *threads;
	size_t nthreads, threads_cap;
	bool walked;
	int32_t walk_err;
	struct pi_tls_exe_vars exe;
	struct pi_lock_symbols locks;
};

struct reader {
	struct pi_process *p;
	struct pi_stack_batch *b;
	unsigned work;			/* the facts this reply may hold */
	const char **strings;		/* by id - 1, interned in the process's pool */
	size_t nstrings, strings_cap;
	bool *answered;
	struct pi_user_frame *frames;
	size_t nframes, frames_cap;
	size_t max_frames;
	bool mangled;			/* PI_STACK_REC_MANGLED */
	struct facts f;
};

static void reader_init(struct reader *r, const struct pi_stack_decode *d, struct pi_stack_batch *b)
{
	memset(r, 0, sizeof *r);
	r->p = d->p;
	r->b = b;
	r->work = d->work;
	r->max_frames = d->max_frames;
	r->answered = pi_xcalloc(b->n + 1, sizeof *r->answered);
	if (r->work & PI_STACK_WORK_LOCKS) {
		r->f.locks.nthreads = d->p->nthreads;
		r->f.locks.futex = pi_xcalloc(d->p->nthreads + 1, sizeof *r->f.locks.futex);
	}
}

/* The next part of a session's reply: the stacks of b, no facts. */
static void reader_next_part(struct reader *r, struct pi_stack_batch *b)
{
	free(r->answered);
	r->answered = pi_xcalloc(b->n + 1, sizeof *r->answered);
	r->b = b;
	r->work = 0;
}

static void reader_free(struct reader *r)
{
	free(r->answered);
	free(r->strings);
	free(r->frames);
	free(r->f.modules);
	free(r->f.threads);
	pi_lock_symbols_free(&r->f.locks);
}

static int string_of(const struct reader *r, uint32_t id, const char **out)
{
	if (id > r->nstrings)
		return -PI_ERR_SANDBOX_REPLY;
	*out = id ? r->strings[id - 1] : NULL;
	return 0;
}

/* A string that must be there. */
static int name_of(const struct reader *r, uint32_t id, const char **out)
{
	return id == 0 || string_of(r, id, out) ? -PI_ERR_SANDBOX_REPLY : 0;
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

/* How libthread_db's walk may have ended (tls/threaddb.h). */
static bool is_walk_outcome(int32_t err)
{
	static const int32_t known[] = {
		0, -ENOENT, -EPROTO, -EIO, -ENOSYS, -PI_ERR_TIMEOUT,
		-PI_ERR_THREAD_LIST_LOOP, -PI_ERR_THREAD_LIST_LONG,
		-PI_ERR_THREAD_DB_ALTERED, -PI_ERR_THREAD_DB_BUDGET,
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (err == known[i])
			return true;
	return false;
}

/* The records of the work besides the stacks: each checked for its size,
 * its count, its references. 1 when rec was one of them, 0 when not, or
 * -PI_ERR_SANDBOX_REPLY. */
static int read_fact(struct reader *r, const struct pi_wire_record *rec)
{
	struct facts *f = &r->f;
	const struct pi_process *p = r->p;
	bool tls = r->work & PI_STACK_WORK_TLS, locks = r->work & PI_STACK_WORK_LOCKS;
	const int bad = -PI_ERR_SANDBOX_REPLY;
	struct pi_stack_wire_named n;
	const char *name;

	switch (rec->type) {
	case PI_STACK_REC_TLS_MODULE: {
		struct pi_stack_wire_tls_module w;
		if (!tls || rec->len != sizeof w || f->nmodules >= p->nvmas)
			return bad;
		memcpy(&w, rec->data, sizeof w);
		if (w.zero || name_of(r, w.path, &name))
			return bad;
		pi_xgrow(&f->modules, &f->modules_cap, f->nmodules + 1, sizeof *f->modules);
		f->modules[f->nmodules++] = (struct tls_module){ name, w.size, w.init_size, w.align };
		return 1;
	}
	case PI_STACK_REC_TLS_THREAD: {
		struct pi_stack_wire_tls_thread w;
		if (!tls || rec->len != sizeof w || f->walked
		    || f->nthreads >= pi_tdb_entry_limit(p->nthreads))
			return bad;
		memcpy(&w, rec->data, sizeof w);
		if (w.zero || w.tid <= 0)
			return bad;
		pi_xgrow(&f->threads, &f->threads_cap, f->nthreads + 1, sizeof *f->threads);
		f->threads[f->nthreads++] = w;
		return 1;
	}
	case PI_STACK_REC_TLS_WALK:
		if (!tls || f->walked || pi_wire_get_i32(rec, &f->walk_err) != 0
		    || !is_walk_outcome(f->walk_err))
			return bad;
		f->walked = true;
		return 1;
	case PI_STACK_REC_TLS_EXE: {
		uint64_t block[2];
		if (!tls || f->exe.known || rec->len != sizeof block)
			return bad;
		memcpy(block, rec->data, sizeof block);
		f->exe.known = true;
		f->exe.block_size = block[0];
		f->exe.align = block[1];
		return 1;
	}
	case PI_STACK_REC_TLS_VAR:
		if (!tls || !f->exe.known || f->exe.nvars >= PI_TLS_MAX_VARS || rec->len != sizeof n)
			return bad;
		memcpy(&n, rec->data, sizeof n);
		if (n.zero || name_of(r, n.name, &name))
			return bad;
		f->exe.vars[f->exe.nvars++] = (struct pi_tls_exe_var){ name, n.a, n.b };
		return 1;
	case PI_STACK_REC_FUTEX_NAME:
		if (!locks || rec->len != sizeof n)
			return bad;
		memcpy(&n, rec->data, sizeof n);
		/* Once per thread, for a thread of the process. */
		if (n.zero || n.b >= f->locks.nthreads || f->locks.futex[n.b].name
		    || name_of(r, n.name, &name))
			return bad;
		f->locks.futex[n.b] = (struct pi_named_word){ n.a, name };
		return 1;
	case PI_STACK_REC_MUTEX:
		if (!locks || rec->len != sizeof n || f->locks.nmutexes >= PI_LOCK_MAX_MUTEXES)
			return bad;
		memcpy(&n, rec->data, sizeof n);
		if (n.zero || n.b || name_of(r, n.name, &name))
			return bad;
		pi_xgrow(&f->locks.mutexes, &f->locks.mutexes_cap, f->locks.nmutexes + 1,
			 sizeof *f->locks.mutexes);
		f->locks.mutexes[f->locks.nmutexes++] = (struct pi_named_word){ n.a, name };
		return 1;
	default:
		return 0;
	}
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
		default:
			/* Facts come before any job. */
			err = in_job ? -PI_ERR_SANDBOX_REPLY : read_fact(r, &rec);
			if (err == 0)
				err = -PI_ERR_SANDBOX_REPLY;	/* no such record */
			else if (err == 1)
				err = 0;
		}
	}
	free(s);
	if (!err && (got < 0 || in_job))
		err = -PI_ERR_SANDBOX_REPLY;
	/* The walk's outcome is always said when it was asked for. */
	if (!err && (r->work & PI_STACK_WORK_TLS) && !r->f.walked)
		err = -PI_ERR_SANDBOX_REPLY;
	for (size_t i = 0; !err && i < r->b->n; i++)
		if (!r->answered[i])
			err = -PI_ERR_SANDBOX_REPLY;
	return err;
}

/* A good reply's facts, to the process and the caller. */
static void apply_facts(const struct pi_stack_decode *d, struct reader *r)
{
	struct pi_process *p = d->p;
	if (r->work & PI_STACK_WORK_TLS) {
		pi_tls_reset_modules(p);
		p->tls_modules_err = 0;
		for (size_t i = 0; i < r->f.nmodules; i++)
			pi_tls_add_module(p, r->f.modules[i].path, r->f.modules[i].size,
					  r->f.modules[i].init_size, r->f.modules[i].align);
		for (size_t i = 0; i < r->f.nthreads; i++)
			pi_tls_apply_thread(p, r->f.threads[i].tid, r->f.threads[i].tcb,
					    r->f.threads[i].exe_block);
		pi_tls_apply_walk(p, r->f.walk_err);
		if (d->tls_exe)
			*d->tls_exe = r->f.exe;
	}
	if ((r->work & PI_STACK_WORK_LOCKS) && d->locks) {
		pi_lock_symbols_free(d->locks);
		*d->locks = r->f.locks;
		memset(&r->f.locks, 0, sizeof r->f.locks);
	}
}

/* The child failed: what it was to find is unknown, for that reason. */
static void fail_facts(const struct pi_stack_decode *d, int err)
{
	struct pi_process *p = d->p;
	if (d->work & PI_STACK_WORK_TLS) {
		pi_tls_reset_modules(p);
		p->tls_modules_err = err;
		pi_tls_apply_walk(p, err);
		if (d->tls_exe)
			memset(d->tls_exe, 0, sizeof *d->tls_exe);
	}
	if ((d->work & PI_STACK_WORK_LOCKS) && d->locks)
		pi_lock_symbols_free(d->locks);
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

/* A decoder error of the child's own (an allocation refused below its
 * limit, say) is no reason of the sandbox's. */
static int sandbox_reason(int err)
{
	return err <= -PI_ERR_SANDBOX_CRASHED && err >= -PI_ERR_SANDBOX_SETUP ? err
									: -PI_ERR_SANDBOX_CRASHED;
}

static void config_for(const struct pi_stack_decode *d, struct policy *pol, int *memfd,
		       struct pi_sandbox_config *cfg)
{
	policy_init(pol, d->p);
	/* Read access is checked at the open, here, by the root side. */
	*memfd = pi_mem_open(d->procfd);
	if (*memfd >= 0 && *memfd <= 2) {
		close(*memfd);
		*memfd = -1;
	}
	pi_sandbox_config_init(cfg);
	/* DWARF of big libraries, mapped (the mapped files count) and
	 * decompressed, with --lines=all; and the session's batch. */
	cfg->mem_budget = (size_t)1 << 30;
	cfg->timeout_ms = child_timeout_ms(d);
	cfg->max_reply = (size_t)256 << 20;
	cfg->max_record = MAX_STRING + 64;
	cfg->keep_fds = *memfd >= 0 ? memfd : NULL;
	cfg->nkeep = *memfd >= 0 ? 1 : 0;
	cfg->policy = open_for_child;
	cfg->policy_arg = pol;
	/* Each module once, its debug file candidates (three debug-link
	 * places, the build-id, the alt file's two), debuginfod's file and
	 * alt file, the batch, and what libdwfl holds open at once. */
	cfg->max_requests = (unsigned)(10 * pol->nmodules + 64);
	cfg->max_fds = (unsigned)(8 * pol->nmodules + 64);
}

/* One child for the batch and the work asked. *mangled: it met names it
 * could not demangle (the demangler was not loaded). */
static int decode_once(const struct pi_stack_decode *d, struct pi_stack_batch *b, bool *mangled)
{
	struct policy pol;
	struct pi_sandbox_config cfg;
	int memfd;
	config_for(d, &pol, &memfd, &cfg);
	struct child_arg a = { d, b, memfd };
	struct pi_buf reply = PI_BUF_INIT;
	struct pi_sandbox_outcome o;
	int err = pi_sandbox_run(&cfg, decode_in_child, &a, &reply, &o);
	if (memfd >= 0)
		close(memfd);
	policy_free(&pol);
	if (!err && o.status != 0)
		err = o.status;
	if (!err) {
		struct reader r;
		reader_init(&r, d, b);
		err = read_reply(&r, &reply, cfg.max_record);
		*mangled = r.mangled;
		if (!err)
			apply_facts(d, &r);
		reader_free(&r);
	}
	pi_buf_free(&reply);
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

static void empty_batch(struct pi_stack_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->jobs[i].stack);
	b->n = 0;
	b->stack_bytes = 0;
}

int pi_stack_batch_decode(const struct pi_stack_decode *d, struct pi_stack_batch *b)
{
	if (b->n == 0 && !d->child_hook && !d->work)
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
		fail_all(b, sandbox_reason(err));
		fail_facts(d, sandbox_reason(err));
	}
	empty_batch(b);
	return err;
}

/* ---- The session ---- */

struct pi_stack_session {
	const struct pi_stack_decode *d;
	struct policy pol;
	struct pi_sandbox_config cfg;
	int memfd;
	struct child_arg a;
	struct pi_sandbox_job *job;	/* NULL once finished */
	struct pi_stack_batch none;	/* the first part's: no jobs */
	struct reader r;
	bool had_demangler, mangled;
	int err;			/* the child failed: its reason */
};

int pi_stack_session_start(const struct pi_stack_decode *d, struct pi_stack_session **out)
{
	struct pi_stack_session *s = pi_xcalloc(1, sizeof *s);
	s->d = d;
	config_for(d, &s->pol, &s->memfd, &s->cfg);
	s->a = (struct child_arg){ d, NULL, s->memfd };
	reader_init(&s->r, d, &s->none);
	/* Before the fork: the child cannot load it (see
	 * pi_stack_batch_decode). */
	s->had_demangler = maps_libstdcxx(d->p) && pi_demangle_load();
	int err = pi_sandbox_start(&s->cfg, serve_in_child, &s->a, &s->job);
	if (err) {
		s->job = NULL;
		s->err = sandbox_reason(err);
	}
	*out = s;
	return err ? s->err : 0;
}

/* Finishes the child; 0 or why it failed. The records it sent after the
 * first part are read as b's stacks. */
static int session_finish(struct pi_stack_session *s, struct pi_stack_batch *b)
{
	struct pi_buf reply = PI_BUF_INIT;
	struct pi_sandbox_outcome o;
	int err = pi_sandbox_finish(s->job, &reply, &o);
	s->job = NULL;
	if (!err && o.status != 0)
		err = o.status;
	if (!err) {
		reader_next_part(&s->r, b);
		err = read_reply(&s->r, &reply, s->cfg.max_record);
		s->mangled |= s->r.mangled;
	}
	pi_buf_free(&reply);
	return err;
}

int pi_stack_session_facts(struct pi_stack_session *s)
{
	if (!s->job)
		goto failed;
	struct pi_buf reply = PI_BUF_INIT;
	int err = 0;
	if (pi_sandbox_wait_mark(s->job, &reply) == 1)
		err = read_reply(&s->r, &reply, s->cfg.max_record);
	else
		err = session_finish(s, &s->none);	/* why */
	pi_buf_free(&reply);
	if (!err && !s->job)
		err = -PI_ERR_SANDBOX_REPLY;	/* ended without its first part */
	if (err) {
		if (s->job) {
			struct pi_buf ignored = PI_BUF_INIT;
			pi_sandbox_finish(s->job, &ignored, NULL);
			pi_buf_free(&ignored);
			s->job = NULL;
		}
		s->err = sandbox_reason(err);
		goto failed;
	}
	s->mangled = s->r.mangled;
	apply_facts(s->d, &s->r);
	return 0;
failed:
	fail_facts(s->d, s->err);
	return s->err;
}

/* Writes b to a memfd for the child: a header, the entries, the copies
 * (writev: the copies are not mapped, nor counted, twice here). */
static int write_batch(const struct pi_process *p, const struct pi_stack_batch *b)
{
	int fd = memfd_create("pinspect-stacks", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t niov = b->n + 2, at = 0;
	struct iovec *iov = pi_xcalloc(niov, sizeof *iov);
	struct batch_entry *e = pi_xcalloc(b->n + 1, sizeof *e);
	struct batch_header h = { b->n, 0 };
	uint64_t off = sizeof h + b->n * sizeof *e;
	iov[at++] = (struct iovec){ &h, sizeof h };
	iov[at++] = (struct iovec){ e, b->n * sizeof *e };
	for (size_t i = 0; i < b->n; i++) {
		const struct pi_stack_job *job = &b->jobs[i];
		memcpy(e[i].regs, job->start.regs, sizeof e[i].regs);
		e[i].known = job->start.known;
		e[i].thread = (uint32_t)(job->t - p->threads);
		e[i].stack_start = job->start.stack_start;
		e[i].stack_len = job->start.stack ? job->start.stack_len : 0;
		e[i].stack_off = off;
		iov[at++] = (struct iovec){ (void *)job->start.stack, (size_t)e[i].stack_len };
		off += e[i].stack_len;
	}
	h.size = off;
	int err = 0;
	for (size_t k = 0; k < niov && !err;) {
		int chunk = niov - k > IOV_MAX ? IOV_MAX : (int)(niov - k);
		ssize_t n = writev(fd, iov + k, chunk);
		if (n < 0) {
			if (errno != EINTR)
				err = -errno;
			continue;
		}
		/* Past what was written; a piece cut short goes again. */
		while (k < niov && (size_t)n >= iov[k].iov_len)
			n -= (ssize_t)iov[k++].iov_len;
		if (k < niov) {
			iov[k].iov_base = (char *)iov[k].iov_base + n;
			iov[k].iov_len -= (size_t)n;
		}
	}
	free(iov);
	free(e);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int pi_stack_session_decode(struct pi_stack_session *s, struct pi_stack_batch *b)
{
	const struct pi_stack_decode *d = s->d;
	if (!s->job) {
		/* No session (any more): a child of its own. */
		struct pi_stack_decode stacks_only = *d;
		stacks_only.work = 0;
		return pi_stack_batch_decode(&stacks_only, b);
	}
	int err = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->jobs[i].t < d->p->threads || b->jobs[i].t >= d->p->threads + d->p->nthreads)
			err = -EINVAL;	/* a job for no thread of the process */
	int fd = err ? err : write_batch(d->p, b);
	if (fd >= 0)
		s->pol.batch_fd = fd;
	else
		err = fd;
	if (!err)
		err = session_finish(s, b);
	if (!err && s->mangled && !s->had_demangler && pi_demangle_load()) {
		/* Names it could not demangle: all again, with the
		 * demangler. */
		return pi_stack_batch_decode(d, b);
	}
	if (err)
		fail_all(b, sandbox_reason(err));
	empty_batch(b);
	return err;
}

void pi_stack_session_end(struct pi_stack_session *s)
{
	if (!s)
		return;
	if (s->job) {
		/* It gets no batch (the policy says -ENOENT) and ends. */
		struct pi_buf ignored = PI_BUF_INIT;
		pi_sandbox_finish(s->job, &ignored, NULL);
		pi_buf_free(&ignored);
	}
	if (s->memfd >= 0)
		close(s->memfd);
	policy_free(&s->pol);
	reader_free(&s->r);
	free(s);
}
