/* The stacks' sandboxed child: what it does with the process it is
 * given (collect/stack_child.h). Everything here runs confined. */
#include "collect/stack_child.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "arch/arch.h"
#include "collect/locks.h"
#include "collect/stack_go.h"
#include "collect/stack_python.h"
#include "proc/memory.h"
#include "runtime/frames.h"
#include "runtime/go.h"
#include "runtime/jvm.h"
#include "sandbox/wire.h"
#include "tls/threaddb.h"
#include "tls/threadlist.h"
#include "tls/tls.h"
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

struct child {
	const struct pi_stack_decode *d;
	const struct pi_stack_batch *b;
	struct pi_sandbox_child *sc;
	/* The session's batch: its memfd, and where each job's copy lies
	 * there; a copy is read when its job comes, into stack_buf, so that
	 * the child never holds (nor maps) the whole batch. */
	int batch_fd;
	uint64_t *stack_off;
	uint8_t *stack_buf;
	size_t stack_buf_cap;
	/* Each different stack sent, by the hash of its records: a thread
	 * parked where an earlier one is (a pool's idle workers) is sent as
	 * PI_STACK_REC_SAME_AS that job, not as its frames again. */
	struct sent_stack {
		uint64_t hash;
		size_t job, off, len;	/* its records: bytes off..off+len of sent_bytes */
	} *stacks_sent;
	size_t stacks_cap, nstacks;
	struct pi_buf sent_bytes, records;
	int memfd;
	struct pi_stack_module_fd *modules;	/* opened before the fork */
	size_t nmodules;
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
		if (x->nsent >= PI_STACK_MAX_STRINGS)
			return 0;
		size_t len = strlen(s);
		if (len > PI_STACK_MAX_STRING)
			len = PI_STACK_MAX_STRING;
		pi_wire_put(&x->sc->out, PI_STACK_REC_STRING, s, len);
		x->sent[k] = s;
		x->sent_id[k] = (uint32_t)++x->nsent;
	}
	return x->sent_id[k];
}

static uint64_t hash_bytes(const void *data, size_t len)
{
	const unsigned char *c = data;
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

/* Sends the records of job (in x->records: its frames and end), or, when
 * an earlier job's were the same bytes, a reference to that job. */
static void send_or_refer(struct child *x, size_t job)
{
	const struct pi_buf *rec = &x->records;
	uint64_t h = hash_bytes(rec->data, rec->len);
	size_t k = 0;
	if (x->stacks_cap) {
		k = h & (x->stacks_cap - 1);
		for (; x->stacks_sent[k].len; k = (k + 1) & (x->stacks_cap - 1)) {
			const struct sent_stack *e = &x->stacks_sent[k];
			if (e->hash == h && e->len == rec->len
			    && memcmp(x->sent_bytes.data + e->off, rec->data, rec->len) == 0) {
				pi_wire_put_u64(&x->sc->out, PI_STACK_REC_SAME_AS, e->job);
				pi_buf_reset(&x->records);
				return;
			}
		}
	}
	pi_buf_append(&x->sc->out, rec->data, rec->len);
	if (2 * (x->nstacks + 1) > x->stacks_cap) {
		struct sent_stack *old = x->stacks_sent;
		size_t old_cap = x->stacks_cap;
		x->stacks_cap = old_cap ? 2 * old_cap : 256;
		x->stacks_sent = pi_xcalloc(x->stacks_cap, sizeof *x->stacks_sent);
		for (size_t i = 0; i < old_cap; i++) {
			if (!old[i].len)
				continue;
			size_t j = old[i].hash & (x->stacks_cap - 1);
			while (x->stacks_sent[j].len)
				j = (j + 1) & (x->stacks_cap - 1);
			x->stacks_sent[j] = old[i];
		}
		free(old);
		k = h & (x->stacks_cap - 1);
		while (x->stacks_sent[k].len)
			k = (k + 1) & (x->stacks_cap - 1);
	}
	x->stacks_sent[k] = (struct sent_stack){ h, job, x->sent_bytes.len, rec->len };
	pi_buf_append(&x->sent_bytes, rec->data, rec->len);
	x->nstacks++;
	pi_buf_reset(&x->records);
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
static void send_frames(struct child *x, size_t job, const struct pi_unwind_result *r,
			bool fp_found)
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
			pi_wire_put(&x->records, PI_STACK_REC_FRAME, &w, sizeof w);
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
	pi_wire_put(&x->records, PI_STACK_REC_JOB_END, &e, sizeof e);
	send_or_refer(x, job);
}

static void unwind_job(struct child *x, size_t index)
{
	const struct pi_stack_job *job = &x->b->jobs[index];
	struct pi_unwind_start s = job->start;
	const struct pi_process *p = x->d->p;
	struct pi_unwind_result r;

	pi_wire_put_u64(&x->sc->out, PI_STACK_REC_JOB, index);
	if (x->batch_fd >= 0 && s.stack_len) {
		pi_xgrow(&x->stack_buf, &x->stack_buf_cap, s.stack_len, 1);
		ssize_t n = pread(x->batch_fd, x->stack_buf, s.stack_len, (off_t)x->stack_off[index]);
		s.stack = x->stack_buf;
		s.stack_len = n > 0 ? (size_t)n : 0;
	}
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
	send_frames(x, index, &r, found);
	pi_unwind_result_free(&r);
}

/* The module's file the root side opened before the fork, if it did:
 * taken once (libdwfl closes it). */
static int take_opened(struct child *x, const struct pi_vma *v)
{
	for (size_t i = 0; i < x->nmodules; i++) {
		struct pi_stack_module_fd *m = &x->modules[i];
		if (m->start == v->start && m->end == v->end && m->fd >= 0) {
			int fd = m->fd;
			m->fd = -1;
			return fd;
		}
	}
	return -ENOENT;
}

static int child_open_module(void *arg, const struct pi_vma *v, struct stat *st)
{
	struct child *x = arg;
	uint64_t range[2] = { v->start, v->end };
	int fd = take_opened(x, v);
	if (fd < 0)
		fd = pi_broker_request(x->sc->broker_fd, PI_BROKER_MAPPING, range, sizeof range);
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

static int child_fetch_debuginfo(void *arg, const struct pi_vma *v, const unsigned char *build_id,
				 size_t build_id_len)
{
	struct child *x = arg;
	/* The module's range and its build-id, which the root side asks
	 * debuginfod by without reading the module itself. */
	unsigned char req[16 + 64];
	uint64_t range[2] = { v->start, v->end };
	if (build_id_len == 0 || build_id_len > 64)
		return -ENOENT;
	memcpy(req, range, sizeof range);
	memcpy(req + sizeof range, build_id, build_id_len);
	int fd = pi_broker_request(x->sc->broker_fd, PI_BROKER_DEBUGINFOD, req,
				   sizeof range + build_id_len);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}


static int child_begin(struct child *x, struct pi_sandbox_child *sc, const struct pi_stack_child_arg *a)
{
	memset(x, 0, sizeof *x);
	x->batch_fd = -1;
	x->d = a->d;
	x->sc = sc;
	x->memfd = a->memfd;
	x->modules = a->modules;
	x->nmodules = a->nmodules;
	x->jvm = a->jvm;
	if (a->perf_map && a->perf_map->len)
		pi_perfmap_parse(a->perf_map->data, a->perf_map->len, &x->perfmap);
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
	for (size_t i = 0; i < x->nmodules; i++)
		if (x->modules[i].fd >= 0)
			close(x->modules[i].fd);
	if (x->sym)
		pi_symbolizer_free(x->sym);
	if (x->u)
		pi_unwinder_free(x->u);
	pi_strpool_free(&x->pool);
	pi_perfmap_free(&x->perfmap);
	free(x->sent);
	free(x->sent_id);
	free(x->stack_off);
	free(x->stack_buf);
	free(x->stacks_sent);
	pi_buf_free(&x->sent_bytes);
	pi_buf_free(&x->records);
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

static ssize_t read_for_list(void *arg, uint64_t addr, void *buf, size_t len)
{
	return read_target(arg, addr, buf, len) ? (ssize_t)len : -1;
}

static void send_listed_thread(void *arg, pid_t tid, uint64_t tp)
{
	send_tls_thread(arg, tid, tp, 0);
}

/* libthread_db's walk over the target's memory (through the mem
 * descriptor), or for a process of another architecture than pinspect's
 * (i386), glibc's thread list walked by hand (tls/threadlist.h); the
 * modules' TLS segments, the executable's TLS variables. */
static int work_tls(struct child *x)
{
	const struct pi_process *p = x->d->p;
	Dwfl *dwfl = pi_unwinder_dwfl(x->u);
	pi_tls_find_modules(dwfl, send_tls_module, x);
	int err;
	if (p->arch && p->arch != pi_arch_host()) {
		struct pi_tls_list_syms syms;
		pi_tls_find_list_syms(dwfl, &syms);
		err = pi_tls_list_walk(p->arch, &syms, p->nthreads, &p->deadline, read_for_list, x,
				       send_listed_thread, x);
	} else {
		err = pi_threaddb_walk(p->pid, x->memfd, dwfl, p->nthreads, &p->deadline,
				       send_tls_thread, x);
	}
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

/* Is the executable (the module at the entry point) a Go program? Only
 * Go's linker writes its sections (runtime/go.h). */
static bool exe_is_go(const struct pi_process *p, Dwfl *dwfl)
{
	if (p->auxv_err || !p->auxv.entry)
		return false;
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, p->auxv.entry);
	GElf_Addr bias;
	Elf *elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	size_t shstrndx;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	Elf_Scn *scn = NULL;
	/* A bounded look: Go's sections come among the first few dozen. */
	for (int i = 0; i < 256 && (scn = elf_nextscn(elf, scn)) != NULL; i++) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && pi_go_section_name(elf_strptr(elf, shstrndx, sh.sh_name)))
			return true;
	}
	return false;
}

/* A Go program: said (its threads have no glibc TCB to check), and its
 * goroutines (collect/stack_go.h). */
static int work_go(struct child *x)
{
	const struct pi_process *p = x->d->p;
	Dwfl *dwfl = pi_unwinder_dwfl(x->u);
	if (!exe_is_go(p, dwfl))
		return 0;
	pi_wire_put(&x->sc->out, PI_STACK_REC_GO_EXE, NULL, 0);
	struct pi_go_result go;
	if (pi_deadline_passed(&p->deadline) || !pi_stack_go_collect(dwfl, p, x->memfd, &x->pool, &go))
		return flush_if_full(x);
	struct pi_stack_wire_go_info info = { go.err, string_id(x, go.version), string_id(x, go.layout),
					      go.timers < 0 || go.timers >= UINT32_MAX ? UINT32_MAX
										: (uint32_t)go.timers,
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
			wf.flags = f->inlined ? PI_STACK_FRAME_INLINED : 0;
			pi_wire_put(&x->sc->out, PI_STACK_REC_GO_FRAME, &wf, sizeof wf);
		}
		err = flush_if_full(x);
	}
	pi_go_result_free(&go);
	return err;
}

/* A CPython's threads and Python frames (collect/stack_python.h), sent
 * after the batch's stacks, into which the root side merges them. */
static int send_python(struct child *x)
{
	struct pi_py_result py;
	if (pi_deadline_passed(&x->d->p->deadline)
	    || !pi_stack_python_collect(pi_unwinder_dwfl(x->u), x->d->p, x->memfd, &x->pool, &py))
		return 0;
	const struct pi_py_snapshot *s = &py.snap;
	uint64_t gil_tid = 0;
	for (size_t i = 0; i < s->nthreads && !gil_tid; i++)
		if (s->threads[i].holds_gil && s->threads[i].native_tid <= INT32_MAX)
			gil_tid = s->threads[i].native_tid;
	struct pi_stack_wire_py_info info = { py.err, string_id(x, py.version), string_id(x, py.layout),
					      s->gil_known ? PI_PY_WIRE_GIL_KNOWN : 0, gil_tid, s->nthreads,
					      (uint32_t)s->ninterpreters, (uint32_t)s->ngils };
	pi_wire_put(&x->sc->out, PI_STACK_REC_PY_INFO, &info, sizeof info);
	int err = 0;
	for (size_t i = 0; i < s->nthreads && !err; i++) {
		const struct pi_py_thread *t = &s->threads[i];
		bool tid_ok = t->native_tid <= INT32_MAX;
		struct pi_stack_wire_py_thread w = { tid_ok ? t->native_tid : 0, (uint32_t)t->nframes,
						     string_id(x, pi_strpool_intern(&x->pool, t->stop_reason)),
						     s->gil_known && tid_ok && t->native_tid && t->holds_gil
						     ? PI_PY_WIRE_HOLDS_GIL : 0, 0 };
		pi_wire_put(&x->sc->out, PI_STACK_REC_PY_THREAD, &w, sizeof w);
		for (size_t k = 0; k < t->nframes; k++) {
			const struct pi_py_frame *f = &s->frames[t->first_frame + k];
			struct pi_stack_wire_py_frame wf = { string_id(x, f->function), string_id(x, f->file),
							     f->line, f->entry ? PI_PY_WIRE_ENTRY : 0 };
			pi_wire_put(&x->sc->out, PI_STACK_REC_PY_FRAME, &wf, sizeof wf);
		}
		err = flush_if_full(x);
	}
	pi_py_result_free(&py);
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
	/* The Python frames of the threads just unwound. */
	if (!err && b->n)
		err = send_python(x);
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
		{ PI_STACK_WORK_GO, work_go },
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
int pi_stack_child_decode(struct pi_sandbox_child *sc, void *arg)
{
	const struct pi_stack_child_arg *a = arg;
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

/* The session's batch, from the memfd the root side wrote: its entries,
 * each checked against the file (the root side wrote it, but a check
 * costs nothing); the copies are read as their jobs come (unwind_job). */
static int read_batch(struct child *x, int fd, struct pi_stack_batch *b)
{
	const struct pi_process *p = x->d->p;
	struct stat st;
	struct pi_stack_batch_header h;
	const size_t entry = sizeof(struct pi_stack_batch_entry);
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < sizeof h
	    || pread(fd, &h, sizeof h, st.st_size - (off_t)sizeof h) != (ssize_t)sizeof h
	    || h.size != (uint64_t)st.st_size || h.entries_off > h.size - sizeof h
	    || h.njobs != (h.size - sizeof h - h.entries_off) / entry
	    || h.njobs * entry != h.size - sizeof h - h.entries_off)
		return -EBADMSG;
	size_t entries_len = h.njobs * entry;
	struct pi_stack_batch_entry *e = pi_xcalloc(h.njobs + 1, sizeof *e);
	if (entries_len
	    && pread(fd, e, entries_len, (off_t)h.entries_off) != (ssize_t)entries_len) {
		free(e);
		return -EBADMSG;
	}
	b->jobs = pi_xcalloc(h.njobs + 1, sizeof *b->jobs);
	x->stack_off = pi_xcalloc(h.njobs + 1, sizeof *x->stack_off);
	for (size_t i = 0; i < h.njobs; i++) {
		if (e[i].thread >= p->nthreads || e[i].stack_off > h.entries_off
		    || e[i].stack_len > h.entries_off - e[i].stack_off) {
			free(e);
			return -EBADMSG;
		}
		struct pi_stack_job *job = &b->jobs[b->n++];
		job->t = (struct pi_thread *)&p->threads[e[i].thread];
		memcpy(job->start.regs, e[i].regs, sizeof e[i].regs);
		job->start.known = e[i].known;
		job->start.arch = p->arch ? p->arch : pi_arch_host();
		job->start.stack_start = e[i].stack_start;
		job->start.stack_len = (size_t)e[i].stack_len;
		x->stack_off[i] = e[i].stack_off;
	}
	free(e);
	x->batch_fd = fd;
	return 0;
}

/* The session: the work asked, a mark, then the batch asked for. */
int pi_stack_child_serve(struct pi_sandbox_child *sc, void *arg)
{
	const struct pi_stack_child_arg *a = arg;
	if (a->d->session_hook)
		return a->d->session_hook(sc, a->d->child_hook_arg);
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
		memset(&b, 0, sizeof b);
		err = read_batch(&x, fd, &b);
		if (!err)
			err = work_stacks(&x, &b);
		if (!err)
			say_if_mangled(&x);
		free(b.jobs);
		close(fd);
	}
	child_end(&x);
	return err;
}
