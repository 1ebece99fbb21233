#include "tls/threaddb.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <proc_service.h>
#include <string.h>
#include <thread_db.h>

#include "proc/memory.h"

/* The handle libthread_db passes back to every callback. */
struct ps_prochandle {
	pid_t pid;
	Dwfl *dwfl;
	const char *wanted;
	psaddr_t found;
};

static int find_symbol(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		       void *arg)
{
	struct ps_prochandle *ph = arg;
	(void)userdata;
	(void)name;
	(void)start;
	int n = dwfl_module_getsymtab(mod);
	size_t len = strlen(ph->wanted);
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		/* Names may carry a version: "_thread_db_sizeof_pthread@@GLIBC_PRIVATE". */
		if (s && strncmp(s, ph->wanted, len) == 0 && (s[len] == '\0' || s[len] == '@')
		    && sym.st_shndx != SHN_UNDEF) {
			ph->found = (psaddr_t)addr;
			return DWARF_CB_ABORT;
		}
	}
	return DWARF_CB_OK;
}

ps_err_e ps_pglobal_lookup(struct ps_prochandle *ph, const char *object_name,
			   const char *sym_name, psaddr_t *sym_addr)
{
	/* glibc moved its thread symbols from libpthread into libc over the
	 * years: look in every module rather than the one named. */
	(void)object_name;
	ph->wanted = sym_name;
	ph->found = 0;
	dwfl_getmodules(ph->dwfl, find_symbol, ph, 0);
	if (!ph->found)
		return PS_NOSYM;
	*sym_addr = ph->found;
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
	struct ps_prochandle ph = { pid, dwfl, NULL, 0 };
	struct walk w = { fn, arg };
	td_thragent_t *ta;

	if (!initialised++ && td_init() != TD_OK)
		return -ENOSYS;
	td_err_e err = td_ta_new(&ph, &ta);
	if (err != TD_OK)
		return err == TD_NOLIBTHREAD ? -ENOENT : err == TD_VERSION ? -EPROTO : -EIO;
	err = td_ta_thr_iter(ta, each_thread, &w, TD_THR_ANY_STATE, TD_THR_LOWEST_PRIORITY,
			     TD_SIGNO_MASK, TD_THR_ANY_USER_FLAGS);
	td_ta_delete(ta);
	return err == TD_OK ? 0 : -EIO;
}
