#include "collect/locks.h"

#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "proc/memory.h"
#include "proc/reader.h"
#include "unwind/demangle.h"
#include "util/xalloc.h"

enum {
	/* The most bytes of a mutex's fields any row of src/arch spans. */
	MUTEX_FIELDS_MAX = 32,
	FUTEX_TID = 0x3fffffff,	/* FUTEX_TID_MASK: the owner in a PI futex word */
	X32_SYSCALL_BIT = 0x40000000,	/* x32: x86-64's numbers, with this bit */
};

/* x32 has no row of its own: its calls are x86-64's with a bit set, its
 * mutex is laid out as x86-64's. */
static const struct pi_arch *row_or_x86_64(const struct pi_arch *a)
{
	return a ? a : pi_arch_get(PI_ARCH_X86_64);
}

long pi_futex_nr(enum pi_abi abi, bool abi_known)
{
	const struct pi_arch *a = pi_abi_arch(abi, abi_known);
	return a ? a->nr_futex : pi_arch_get(PI_ARCH_X86_64)->nr_futex | X32_SYSCALL_BIT;
}

static bool is_wait(unsigned op)
{
	return op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET || op == FUTEX_LOCK_PI
	       || op == FUTEX_LOCK_PI2 || op == FUTEX_WAIT_REQUEUE_PI;
}

bool pi_futex_from_syscall(const struct pi_syscall *sc, long futex_nr, struct pi_futex *f)
{
	memset(f, 0, sizeof *f);
	if (sc->kind != PI_SYSCALL_IN || sc->nr != futex_nr
	    || !is_wait((unsigned)sc->args[1] & FUTEX_CMD_MASK))
		return false;
	f->waiting = true;
	f->addr = sc->args[0];
	f->op = (unsigned)sc->args[1] & FUTEX_CMD_MASK;
	f->private_op = sc->args[1] & FUTEX_PRIVATE_FLAG;
	f->expected = (uint32_t)sc->args[2];
	return true;
}

int pi_futex_read(pid_t pid, const struct pi_arch *arch, struct pi_futex *f)
{
	const struct pi_arch *a = row_or_x86_64(arch);
	uint8_t bytes[MUTEX_FIELDS_MAX];
	size_t want = a->mutex.span < sizeof bytes ? a->mutex.span : sizeof bytes;
	ssize_t n = pi_mem_read(pid, f->addr, bytes, want);
	struct pi_mutex_words m;
	if (n < 4 || !pi_arch_mutex_decode(a, bytes, (size_t)n, &m)) {
		f->read_err = n < 0 ? (int)n : -EFAULT;
		return f->read_err;
	}
	f->word = m.lock;
	f->count = m.count;
	f->owner_field = m.owner;
	f->nusers = m.nusers;
	f->mutex_kind = m.kind;
	return 0;
}

/* A variable's name as people write it: version cut, C++ demangled
 * ("pi::lock_a"), and "+0x8" inside a bigger object. Pooled. */
static const char *named(struct pi_strpool *pool, const char *name, uint64_t off)
{
	char buf[512];
	char *plain = pi_xstrndup(name, strcspn(name, "@"));
	char *demangled = pi_demangle(plain);
	const char *shown = demangled ? demangled : plain;
	if (off)
		snprintf(buf, sizeof buf, "%s+%#llx", shown, (unsigned long long)off);
	else
		snprintf(buf, sizeof buf, "%s", shown);
	free(demangled);
	free(plain);
	return pi_strpool_intern(pool, buf);
}

/* "pi_lock_a", or "pi_lock_a+0x8" inside a bigger object. */
static const char *symbol_at(struct pi_strpool *pool, Dwfl *dwfl, uint64_t addr)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);
	GElf_Off off;
	GElf_Sym sym;
	const char *name = mod ? dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL) : NULL;
	if (!name || (sym.st_size && off >= sym.st_size) || GELF_ST_TYPE(sym.st_info) == STT_FUNC)
		return NULL;
	return named(pool, name, off);
}

struct scan {
	const struct pi_process *p;
	struct pi_strpool *pool;
	struct pi_lock_symbols *out;
};

/* The mutexes among the program's named variables: only the program and
 * its own libraries are looked through (the same modules as for source
 * lines), which keeps it to a few reads. */
static int scan_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		       void *arg)
{
	struct scan *sc = arg;
	const struct pi_process *p = sc->p;
	struct pi_lock_symbols *out = sc->out;
	const struct pi_arch *a = row_or_x86_64(p->arch);
	(void)userdata;
	(void)start;

	if (!pi_module_is_programs_own(name, p->exe))
		return DWARF_CB_OK;
	int n = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n && !pi_deadline_passed(&p->deadline); i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (!s || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size != a->mutex.size
		    || sym.st_shndx == SHN_UNDEF)
			continue;
		if (out->nmutexes >= PI_LOCK_MAX_MUTEXES)
			return DWARF_CB_ABORT;
		pi_xgrow(&out->mutexes, &out->mutexes_cap, out->nmutexes + 1, sizeof *out->mutexes);
		out->mutexes[out->nmutexes++] = (struct pi_named_word){ addr, named(sc->pool, s, 0) };
	}
	return DWARF_CB_OK;
}

void pi_lock_symbols_find(const struct pi_process *p, Dwfl *dwfl, struct pi_strpool *pool,
			  struct pi_lock_symbols *out)
{
	long nr = p->arch ? p->arch->nr_futex : pi_futex_nr(p->abi, p->abi_known);
	memset(out, 0, sizeof *out);
	out->nthreads = p->nthreads;
	out->futex = pi_xcalloc(p->nthreads + 1, sizeof *out->futex);
	for (size_t i = 0; i < p->nthreads && !pi_deadline_passed(&p->deadline); i++) {
		const struct pi_thread *t = &p->threads[i];
		struct pi_futex f;
		if (t->syscall_err || !pi_futex_from_syscall(&t->syscall, nr, &f))
			continue;
		out->futex[i].addr = f.addr;
		out->futex[i].name = symbol_at(pool, dwfl, f.addr);
	}
	struct scan sc = { p, pool, out };
	dwfl_getmodules(dwfl, scan_module, &sc, 0);
}

void pi_lock_symbols_free(struct pi_lock_symbols *s)
{
	free(s->futex);
	free(s->mutexes);
	memset(s, 0, sizeof *s);
}

/* The words of a waiter's futex, where they lie and what they are called. */
static void describe_futex(struct pi_process *p, const struct pi_lock_symbols *syms, size_t i)
{
	struct pi_thread *t = &p->threads[i];
	struct pi_futex *f = &t->futex;
	if (pi_futex_read(p->pid, p->arch, f))
		return;
	long at = pi_vma_find(p->vmas, p->nvmas, f->addr);
	if (at >= 0) {
		const struct pi_vma *v = &p->vmas[at];
		f->mapping = pi_strpool_intern(&p->strings, v->path);
		f->own_stack = t->syscall.sp >= v->start && t->syscall.sp < v->end;
	}
	if (syms && i < syms->nthreads && syms->futex[i].name && syms->futex[i].addr == f->addr)
		f->symbol = pi_strpool_intern(&p->strings, syms->futex[i].name);
}

static bool is_own_thread(const struct pi_process *p, pid_t tid)
{
	return pi_process_find_thread(p, tid) != NULL;
}

/* The program's mutexes that are held, and who holds them: an owner is
 * shown even when nobody waits. */
static void read_mutexes(struct pi_process *p, const struct pi_lock_symbols *syms)
{
	size_t cap = 0;
	const struct pi_arch *a = row_or_x86_64(p->arch);
	size_t span = a->mutex.span < MUTEX_FIELDS_MAX ? a->mutex.span : MUTEX_FIELDS_MAX;
	for (size_t i = 0; i < syms->nmutexes && !pi_deadline_passed(&p->deadline); i++) {
		uint64_t addr = syms->mutexes[i].addr;
		uint8_t bytes[MUTEX_FIELDS_MAX];
		struct pi_mutex_words m;
		if (pi_mem_read(p->pid, addr, bytes, span) != (ssize_t)span
		    || !pi_arch_mutex_decode(a, bytes, span, &m) || m.lock == 0)
			continue;
		bool pi = m.kind >= 0 && (m.kind & 32);
		pid_t owner = pi_process_global_tid(p, pi ? (pid_t)(m.lock & FUTEX_TID) : (pid_t)m.owner);
		if (owner <= 0 || !is_own_thread(p, owner))
			continue;
		pi_xgrow(&p->held_locks, &cap, p->nheld_locks + 1, sizeof *p->held_locks);
		struct pi_held_lock *h = &p->held_locks[p->nheld_locks++];
		h->addr = addr;
		h->symbol = pi_strpool_intern(&p->strings, syms->mutexes[i].name);
		h->owner = owner;
		h->pi = pi;
		h->depth = m.count ? m.count : 1;
	}
}

/* A lock holder outside the process (a process-shared mutex): enough of it
 * to say what it is doing. */
static void read_other_task(struct pi_process *p, pid_t tid, size_t *cap)
{
	for (size_t i = 0; i < p->nother_tasks; i++)
		if (p->other_tasks[i].tid == tid)
			return;
	pi_xgrow(&p->other_tasks, cap, p->nother_tasks + 1, sizeof *p->other_tasks);
	struct pi_other_task *o = &p->other_tasks[p->nother_tasks++];
	memset(o, 0, sizeof *o);
	o->tid = tid;
	o->syscall_nr = -1;
	o->wchan = "";

	struct pi_buf buf = PI_BUF_INIT;
	struct pi_status st;
	struct pi_stat stat;
	int fd = pi_proc_open(tid);
	if (fd < 0) {
		o->err = fd;
		return;
	}
	o->err = pi_read_at(fd, "status", &buf);
	if (!o->err)
		o->err = pi_status_parse(buf.data, buf.len, &st);
	if (!o->err && pi_read_at(fd, "stat", &buf) == 0 && pi_stat_parse(buf.data, buf.len, &stat) == 0) {
		o->tgid = st.tgid;
		o->state = stat.state;
		memcpy(o->comm, stat.comm, sizeof o->comm);
	} else if (!o->err) {
		o->err = -EINVAL;
	}
	struct pi_syscall sc;
	if (pi_read_at(fd, "syscall", &buf) == 0 && pi_syscall_parse(buf.data, buf.len, &sc) == 0
	    && sc.kind == PI_SYSCALL_IN)
		o->syscall_nr = sc.nr;
	char wchan[PI_WCHAN_MAX];
	if (pi_read_at(fd, "wchan", &buf) == 0) {
		pi_wchan_parse(buf.data, buf.len, wchan, sizeof wchan);
		o->wchan = pi_strpool_intern(&p->strings, wchan);
	}
	close(fd);
	pi_buf_free(&buf);
}

void pi_collect_locks(struct pi_process *p, const struct pi_lock_symbols *syms)
{
	size_t others_cap = 0;
	long nr = p->arch ? p->arch->nr_futex : pi_futex_nr(p->abi, p->abi_known);

	p->locks_collected = true;
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_thread *t = &p->threads[i];
		memset(&t->futex, 0, sizeof t->futex);
		if (t->syscall_err || !pi_futex_from_syscall(&t->syscall, nr, &t->futex))
			continue;
		/* Out of time (--timeout): it waits in futex(), on words
		 * left unread. */
		if (pi_deadline_passed(&p->deadline))
			t->futex.read_err = -PI_ERR_TIMEOUT;
		else
			describe_futex(p, syms, i);
	}
	if (syms)
		read_mutexes(p, syms);
	/* Holders outside the process: only a shared lock can have one. */
	for (size_t i = 0; i < p->nthreads && !pi_deadline_passed(&p->deadline); i++) {
		const struct pi_futex *f = &p->threads[i].futex;
		if (!f->waiting || f->read_err || f->private_op)
			continue;
		bool pi = f->op == FUTEX_LOCK_PI || f->op == FUTEX_LOCK_PI2;
		/* In a container of its own, a number that is none of its
		 * threads' cannot be looked up here: it stays unknown. */
		pid_t owner = pi_process_global_tid(p, pi ? (pid_t)(f->word & FUTEX_TID) : f->owner_field);
		if (owner > 0 && !is_own_thread(p, owner))
			read_other_task(p, owner, &others_cap);
	}
}
