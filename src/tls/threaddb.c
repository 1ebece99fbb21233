#include "tls/threaddb.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <proc_service.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <thread_db.h>
#include <unistd.h>

#include "arch/arch.h"
#include "model.h"
#include "proc/memory.h"
#include "tls/bounds.h"
#include "tls/layout.h"
#include "util/xalloc.h"

enum { MAX_DESCRIPTORS = 128 };	/* glibc 2.36 has 50 */

/* The handle libthread_db passes back to every callback. */
struct ps_prochandle {
	pid_t pid;
	int memfd;		/* /proc/PID/mem, or -1: process_vm_readv */
	Dwfl *dwfl;
	/* Every defined symbol of every module, by name (version cut), in a
	 * hash table built on the first lookup: libthread_db asks for a few
	 * dozen symbols, and scanning glibc's ten thousand for each one took
	 * milliseconds. */
	struct symbol {
		const char *name;	/* NULL: an empty slot */
		size_t len;
		GElf_Addr addr;
	} *symbols;
	size_t nsymbols, cap;	/* cap: a power of two */
	bool indexed;

	/* Where libthread_db was told each _thread_db_* descriptor lies in
	 * the target, with the same descriptor in pinspect's own glibc:
	 * every read there is checked against it. */
	struct descriptor {
		psaddr_t addr;
		const void *own;	/* NULL: pinspect's glibc has none */
	} descriptors[MAX_DESCRIPTORS];
	size_t ndescriptors;

	struct pi_tdb_budget budget;
	const struct pi_deadline *deadline;	/* --timeout */
	int verdict;		/* the first bound hit: 0 or -PI_ERR_THREAD_* */
};

/* Only the first bound hit is the reason: what follows is its echo. */
static void stop_for(struct ps_prochandle *ph, int why)
{
	if (!ph->verdict)
		ph->verdict = why;
}

static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct symbol *slot_for(struct ps_prochandle *ph, const char *name, size_t len)
{
	size_t k = name_hash(name, len) & (ph->cap - 1);
	while (ph->symbols[k].name
	       && (ph->symbols[k].len != len || memcmp(ph->symbols[k].name, name, len) != 0))
		k = (k + 1) & (ph->cap - 1);
	return &ph->symbols[k];
}

static void insert(struct ps_prochandle *ph, const char *name, size_t len, GElf_Addr addr)
{
	if ((ph->nsymbols + 1) * 2 > ph->cap) {
		struct symbol *old = ph->symbols;
		size_t old_cap = ph->cap;
		ph->cap = ph->cap ? ph->cap * 2 : 4096;
		ph->symbols = pi_xcalloc(ph->cap, sizeof *ph->symbols);
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].name)
				*slot_for(ph, old[i].name, old[i].len) = old[i];
		free(old);
	}
	struct symbol *e = slot_for(ph, name, len);
	if (e->name)
		return;		/* the first module to define a name wins */
	e->name = name;
	e->len = len;
	e->addr = addr;
	ph->nsymbols++;
}

static int index_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
			void *arg)
{
	struct ps_prochandle *ph = arg;
	(void)userdata;
	(void)name;
	(void)start;
	int n = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (!s || !*s || sym.st_shndx == SHN_UNDEF)
			continue;
		/* The name lives as long as the module's ELF. */
		insert(ph, s, strcspn(s, "@"), addr);
	}
	return DWARF_CB_OK;
}

/* A symbol of a module's dynamic symbol table, found through its GNU hash
 * table as the dynamic linker finds it: a few pages read, where walking the
 * full symbol table reads them all. */
static bool gnu_hash_lookup(Elf *elf, const char *name, GElf_Addr *value)
{
	Elf_Scn *scn = NULL, *dynsym = NULL;
	Elf_Data *hash = NULL;
	GElf_Shdr sh, dynsym_sh = { 0 };

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_GNU_HASH)
			hash = elf_getdata(scn, NULL);
		else if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsym_sh = sh;
		}
	}
	if (!hash || !dynsym || hash->d_size < 16 || gelf_getclass(elf) != ELFCLASS64)
		return false;
	Elf_Data *syms = elf_getdata(dynsym, NULL);
	const uint32_t *h = hash->d_buf;
	uint32_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2];
	size_t words = hash->d_size / 4;
	size_t buckets_at = 4 + (size_t)bloom_size * 2;	/* 64-bit bloom words */
	if (!syms || nbuckets == 0 || buckets_at + nbuckets > words)
		return false;
	const uint32_t *buckets = h + buckets_at, *chain = buckets + nbuckets;
	size_t nchain = words - (buckets_at + nbuckets);

	uint32_t hv = 5381;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		hv = hv * 33 + *c;
	for (uint32_t i = buckets[hv % nbuckets]; i >= symoffset && i - symoffset < nchain; i++) {
		uint32_t h2 = chain[i - symoffset];
		GElf_Sym sym;
		if ((h2 | 1) == (hv | 1) && gelf_getsym(syms, (int)i, &sym)) {
			const char *s = elf_strptr(elf, dynsym_sh.sh_link, sym.st_name);
			if (s && strcmp(s, name) == 0 && sym.st_shndx != SHN_UNDEF) {
				*value = sym.st_value;
				return true;
			}
		}
		if (h2 & 1)
			break;
	}
	return false;
}

struct dynsym_search {
	const char *name;
	GElf_Addr addr;
	bool found;
};

static int search_dynsym(Dwfl_Module *mod, void **userdata, const char *modname,
			 Dwarf_Addr start, void *arg)
{
	struct dynsym_search *ds = arg;
	GElf_Addr bias, value;
	(void)userdata;
	(void)modname;
	(void)start;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	if (elf && gnu_hash_lookup(elf, ds->name, &value)) {
		ds->addr = value + bias;
		ds->found = true;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

/* A descriptor's address, as libthread_db is about to read it. */
static ps_err_e note_descriptor(struct ps_prochandle *ph, const char *name, psaddr_t addr)
{
	const void *own = dlsym(RTLD_DEFAULT, name);
	for (size_t i = 0; i < ph->ndescriptors; i++)
		if (ph->descriptors[i].addr == addr && ph->descriptors[i].own == own)
			return PS_OK;
	if (ph->ndescriptors == MAX_DESCRIPTORS) {
		/* One that could not be checked is not read at all. */
		stop_for(ph, -PI_ERR_THREAD_DB_ALTERED);
		return PS_ERR;
	}
	ph->descriptors[ph->ndescriptors++] = (struct descriptor){ addr, own };
	return PS_OK;
}

static ps_err_e lookup(struct ps_prochandle *ph, const char *sym_name, psaddr_t *sym_addr)
{
	/* glibc moved its thread symbols from libpthread into libc over the
	 * years: look in every module rather than the one named, first in
	 * the dynamic symbols (where glibc exports them), then in the full
	 * symbol tables. */
	struct dynsym_search ds = { sym_name, 0, false };
	dwfl_getmodules(ph->dwfl, search_dynsym, &ds, 0);
	if (ds.found) {
		*sym_addr = (psaddr_t)ds.addr;
		return PS_OK;
	}
	if (!ph->indexed) {
		ph->indexed = true;
		dwfl_getmodules(ph->dwfl, index_module, ph, 0);
	}
	if (!ph->nsymbols)
		return PS_NOSYM;
	struct symbol *hit = slot_for(ph, sym_name, strlen(sym_name));
	if (!hit->name)
		return PS_NOSYM;
	*sym_addr = (psaddr_t)hit->addr;
	return PS_OK;
}

ps_err_e ps_pglobal_lookup(struct ps_prochandle *ph, const char *object_name,
			   const char *sym_name, psaddr_t *sym_addr)
{
	(void)object_name;
	ps_err_e err = lookup(ph, sym_name, sym_addr);
	if (err == PS_OK && pi_tdb_is_descriptor(sym_name))
		err = note_descriptor(ph, sym_name, *sym_addr);
	return err;
}

/* Whether addr is where a descriptor lies (a few names may share one
 * address: glibc merges equal constants): 0, or why the size bytes read
 * there are not to be believed. */
static int check_descriptors_at(const struct ps_prochandle *ph, psaddr_t addr, const void *value,
				size_t size, bool *is_descriptor)
{
	*is_descriptor = false;
	for (size_t i = 0; i < ph->ndescriptors; i++) {
		if (ph->descriptors[i].addr != addr)
			continue;
		*is_descriptor = true;
		int why = pi_tdb_check_descriptor(value, size, ph->descriptors[i].own);
		if (why)
			return why;
	}
	return 0;
}

/* Every read libthread_db makes: counted, capped in size, and, where it
 * reads a descriptor, checked before libthread_db sees (and caches) the
 * value. A read that fails leaves zeros, never the target's bytes: a
 * struct size libthread_db cached as read would be used on its next
 * call. */
ps_err_e ps_pdread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t size)
{
	int why = pi_deadline_passed(ph->deadline) ? -PI_ERR_TIMEOUT
						  : pi_tdb_budget_take(&ph->budget, size);
	if (why) {
		/* Only the whole walk's budget is a verdict on the process;
		 * one call's is a list of TLS modules too long for it. */
		if (why != -PI_ERR_THREAD_DB_BUDGET || ph->budget.reads >= ph->budget.limit)
			stop_for(ph, why);
		return PS_ERR;
	}
	uint8_t small[PI_TDB_DESCRIPTOR_SIZE];
	bool small_read = size <= sizeof small;
	void *to = small_read ? small : buf;	/* descriptors are read aside first */
	uint64_t at = (uint64_t)(uintptr_t)addr;
	ssize_t got = ph->memfd < 0 ? pi_mem_read(ph->pid, at, to, size)
		      : at > INT64_MAX - size ? -1 : pread(ph->memfd, to, size, (off_t)at);
	if (got != (ssize_t)size) {
		memset(buf, 0, size);
		return PS_ERR;
	}
	bool is_descriptor;
	why = check_descriptors_at(ph, addr, to, size, &is_descriptor);
	if (!why && is_descriptor && !small_read)
		why = -PI_ERR_THREAD_DB_ALTERED;
	if (why) {
		stop_for(ph, why);
		memset(buf, 0, size);
		return PS_ERR;
	}
	if (small_read)
		memcpy(buf, small, size);
	return PS_OK;
}

ps_err_e ps_ptread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t size)
{
	return ps_pdread(ph, addr, buf, size);
}

/* pinspect never changes the target, never stops it, and reads no
 * registers behind the tracer's back: every such request is refused. */
ps_err_e ps_pdwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf, size_t size)
{
	(void)ph, (void)addr, (void)buf, (void)size;
	return PS_ERR;
}

ps_err_e ps_ptwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf, size_t size)
{
	(void)ph, (void)addr, (void)buf, (void)size;
	return PS_ERR;
}

ps_err_e ps_lgetregs(struct ps_prochandle *ph, lwpid_t lwp, prgregset_t regs)
{
	(void)ph, (void)lwp, (void)regs;
	return PS_ERR;
}

ps_err_e ps_lsetregs(struct ps_prochandle *ph, lwpid_t lwp, const prgregset_t regs)
{
	(void)ph, (void)lwp, (void)regs;
	return PS_ERR;
}

ps_err_e ps_lgetfpregs(struct ps_prochandle *ph, lwpid_t lwp, prfpregset_t *regs)
{
	(void)ph, (void)lwp, (void)regs;
	return PS_ERR;
}

ps_err_e ps_lsetfpregs(struct ps_prochandle *ph, lwpid_t lwp, const prfpregset_t *regs)
{
	(void)ph, (void)lwp, (void)regs;
	return PS_ERR;
}

ps_err_e ps_get_thread_area(struct ps_prochandle *ph, lwpid_t lwp, int idx, psaddr_t *addr)
{
	(void)ph, (void)lwp, (void)idx, (void)addr;
	return PS_ERR;
}

ps_err_e ps_pstop(struct ps_prochandle *ph)
{
	(void)ph;
	return PS_ERR;
}

ps_err_e ps_pcontinue(struct ps_prochandle *ph)
{
	(void)ph;
	return PS_OK;
}

ps_err_e ps_lstop(struct ps_prochandle *ph, lwpid_t lwp)
{
	(void)ph, (void)lwp;
	return PS_ERR;
}

ps_err_e ps_lcontinue(struct ps_prochandle *ph, lwpid_t lwp)
{
	(void)ph, (void)lwp;
	return PS_OK;
}

pid_t ps_getpid(struct ps_prochandle *ph)
{
	return ph->pid;
}

struct walk {
	struct ps_prochandle *ph;
	struct pi_tdb_walk_guard guard;
	pi_threaddb_fn fn;
	void *arg;
	uint64_t sizeof_pthread;	/* pinspect's glibc's, so the target's too */
};

static int each_thread(const td_thrhandle_t *th, void *arg)
{
	struct walk *w = arg;
	td_thrinfo_t info;
	psaddr_t base = 0;

	int why = pi_tdb_guard_visit(&w->guard, (uint64_t)(uintptr_t)th->th_unique);
	if (why) {
		stop_for(w->ph, why);
		return 1;	/* libthread_db stops the walk */
	}
	pi_tdb_budget_open_call(&w->ph->budget, PI_TDB_CALL_READS);
	td_err_e err = td_thr_get_info(th, &info);
	pi_tdb_budget_close_call(&w->ph->budget);
	if (err != TD_OK)
		return w->ph->verdict != 0;
	/* The executable is TLS module 1. */
	pi_tdb_budget_open_call(&w->ph->budget, PI_TDB_CALL_READS);
	if (td_thr_tlsbase(th, 1, &base) != TD_OK)
		base = 0;
	pi_tdb_budget_close_call(&w->ph->budget);
	/* libthread_db names a thread by its struct pthread; the thread
	 * pointer is that on x86-64, and follows it on aarch64. */
	uint64_t tp = pi_tls_tp_of_pthread(pi_arch_host(), (uint64_t)(uintptr_t)th->th_unique,
					   w->sizeof_pthread);
	w->fn(w->arg, info.ti_lid, tp, (uint64_t)(uintptr_t)base);
	return w->ph->verdict != 0;
}

/* The walk itself cannot be avoided: td_ta_map_lwp2thr finds a thread's
 * descriptor without it, but from its thread pointer, which on x86-64 it
 * asks for through ps_get_thread_area (fs_base), and only a stopped thread
 * gives that. So the walk is bounded instead (tls/bounds.h). */
int pi_threaddb_walk(pid_t pid, int memfd, Dwfl *dwfl, size_t ntasks, const struct pi_deadline *deadline,
		     pi_threaddb_fn fn, void *arg)
{
	static int initialised;
	/* Large (the descriptors): on the heap, not on a stack libthread_db
	 * also allocates from. */
	struct ps_prochandle *ph = pi_xcalloc(1, sizeof *ph);
	struct walk w = { .ph = ph, .fn = fn, .arg = arg };
	td_thragent_t *ta;
	int ret;

	if (!initialised++ && td_init() != TD_OK) {
		free(ph);
		return -ENOSYS;
	}
	ph->pid = pid;
	ph->memfd = memfd;
	ph->dwfl = dwfl;
	ph->deadline = deadline;
	pi_tdb_budget_init(&ph->budget, ntasks);
	td_err_e err = td_ta_new(ph, &ta);
	if (err != TD_OK) {
		if (ph->verdict)
			ret = ph->verdict;
		else if (err == TD_NOLIBTHREAD)
			ret = -ENOENT;
		else
			ret = err == TD_VERSION ? -EPROTO : -EIO;
		goto out;
	}
	/* libthread_db insists that the target's glibc is pinspect's own
	 * (and the descriptors it read were checked against pinspect's):
	 * struct pthread has the size pinspect's glibc says. */
	const uint32_t *own_size = dlsym(RTLD_DEFAULT, "_thread_db_sizeof_pthread");
	w.sizeof_pthread = own_size ? *own_size : 0;
	pi_tdb_guard_init(&w.guard, ntasks);
	err = td_ta_thr_iter(ta, each_thread, &w, TD_THR_ANY_STATE, TD_THR_LOWEST_PRIORITY,
			     TD_SIGNO_MASK, TD_THR_ANY_USER_FLAGS);
	td_ta_delete(ta);
	pi_tdb_guard_free(&w.guard);
	ret = ph->verdict ? ph->verdict : err == TD_OK ? 0 : -EIO;
out:
	free(ph->symbols);
	free(ph);
	return ret;
}
