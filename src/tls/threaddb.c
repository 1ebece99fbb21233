#include "tls/threaddb.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <proc_service.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <thread_db.h>

#include "proc/memory.h"
#include "util/xalloc.h"

/* The handle libthread_db passes back to every callback. */
struct ps_prochandle {
	pid_t pid;
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
};

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

ps_err_e ps_pglobal_lookup(struct ps_prochandle *ph, const char *object_name,
			   const char *sym_name, psaddr_t *sym_addr)
{
	/* glibc moved its thread symbols from libpthread into libc over the
	 * years: look in every module rather than the one named. */
	(void)object_name;
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

ps_err_e ps_pdread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t size)
{
	return pi_mem_read(ph->pid, (uint64_t)(uintptr_t)addr, buf, size) == (ssize_t)size ? PS_OK
											   : PS_ERR;
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
	pi_threaddb_fn fn;
	void *arg;
};

static int each_thread(const td_thrhandle_t *th, void *arg)
{
	struct walk *w = arg;
	td_thrinfo_t info;
	psaddr_t base = 0;

	if (td_thr_get_info(th, &info) != TD_OK)
		return 0;
	/* The executable is TLS module 1. */
	if (td_thr_tlsbase(th, 1, &base) != TD_OK)
		base = 0;
	w->fn(w->arg, info.ti_lid, (uint64_t)(uintptr_t)th->th_unique, (uint64_t)(uintptr_t)base);
	return 0;
}

int pi_threaddb_walk(pid_t pid, Dwfl *dwfl, pi_threaddb_fn fn, void *arg)
{
	static int initialised;
	struct ps_prochandle ph = { pid, dwfl, NULL, 0, 0, false };
	struct walk w = { fn, arg };
	td_thragent_t *ta;

	if (!initialised++ && td_init() != TD_OK)
		return -ENOSYS;
	td_err_e err = td_ta_new(&ph, &ta);
	if (err != TD_OK) {
		free(ph.symbols);
		return err == TD_NOLIBTHREAD ? -ENOENT : err == TD_VERSION ? -EPROTO : -EIO;
	}
	err = td_ta_thr_iter(ta, each_thread, &w, TD_THR_ANY_STATE, TD_THR_LOWEST_PRIORITY,
			     TD_SIGNO_MASK, TD_THR_ANY_USER_FLAGS);
	td_ta_delete(ta);
	free(ph.symbols);
	return err == TD_OK ? 0 : -EIO;
}
