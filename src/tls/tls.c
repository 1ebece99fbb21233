#include "tls/tls.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "proc/memory.h"
#include "tls/layout.h"
#include "tls/threadlist.h"
#include "util/xalloc.h"

static bool tls_segment(Elf *elf, GElf_Phdr *out)
{
	size_t n;
	if (!elf || elf_getphdrnum(elf, &n) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(elf, (int)i, out) && out->p_type == PT_TLS)
			return true;
	return false;
}

struct modules_ctx {
	pi_tls_module_fn *fn;
	void *arg;
};

static int each_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		       void *arg)
{
	struct modules_ctx *c = arg;
	GElf_Addr bias;
	GElf_Phdr ph;
	(void)userdata;
	(void)start;

	if (name && tls_segment(dwfl_module_getelf(mod, &bias), &ph))
		c->fn(c->arg, name, ph.p_memsz, ph.p_filesz, ph.p_align);
	return DWARF_CB_OK;
}

void pi_tls_find_modules(Dwfl *dwfl, pi_tls_module_fn *fn, void *arg)
{
	struct modules_ctx c = { fn, arg };
	dwfl_getmodules(dwfl, each_module, &c, 0);
}

void pi_tls_find_exe_vars(Dwfl *dwfl, uint64_t entry, struct pi_strpool *pool,
			  struct pi_tls_exe_vars *out)
{
	memset(out, 0, sizeof *out);
	if (!entry)
		return;
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, entry);
	GElf_Addr bias;
	Elf *elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	GElf_Phdr tls;
	if (!elf || !tls_segment(elf, &tls))
		return;
	out->known = true;
	out->block_size = tls.p_memsz;
	out->align = tls.p_align;

	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL && out->nvars < PI_TLS_MAX_VARS) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		/* As many symbols as the section's data holds: its header's
		 * size and entry size are the file's word (an entry size of 1
		 * would make a loop of a byte per symbol). */
		size_t sym_size = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
		size_t nsyms = data && sym_size ? data->d_size / sym_size : 0;
		if (nsyms > INT_MAX)
			nsyms = INT_MAX;
		for (size_t i = 0; i < nsyms && out->nvars < PI_TLS_MAX_VARS; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_TLS
			    || sym.st_shndx == SHN_UNDEF)
				continue;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			struct pi_tls_exe_var *v = &out->vars[out->nvars++];
			v->name = pi_strpool_intern(pool, name);
			v->offset = sym.st_value;
			v->size = sym.st_size;
		}
	}
}

struct list_syms_ctx {
	struct pi_tls_list_syms *out;
	size_t found;
};

/* Records sym at addr where it is one of the walk's, the first module to
 * define one winning (as the dynamic linker's search order would). */
static void note_list_sym(struct list_syms_ctx *c, const char *name, uint64_t addr)
{
	uint64_t *fields[] = { &c->out->stack_user, &c->out->stack_used, &c->out->pthread_list,
			       &c->out->pthread_tid, &c->out->list_next, &c->out->sizeof_pthread };
	size_t len = strcspn(name, "@");	/* a version suffix is not the name */
	if (len == 12 && memcmp(name, "_rtld_global", 12) == 0) {
		if (!c->out->rtld_global) {
			c->out->rtld_global = addr;
			c->found++;
		}
		return;
	}
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *want = pi_tls_list_descriptor_names[i];
		if (strlen(want) == len && memcmp(name, want, len) == 0 && !*fields[i]) {
			*fields[i] = addr;
			c->found++;
		}
	}
}

static int each_module_syms(Dwfl_Module *mod, void **userdata, const char *name,
			    Dwarf_Addr start, void *arg)
{
	struct list_syms_ctx *c = arg;
	(void)userdata;
	(void)name;
	(void)start;
	int n = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n && c->found < 7; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (s && s[0] == '_' && sym.st_shndx != SHN_UNDEF)
			note_list_sym(c, s, addr);
	}
	return c->found < 7 ? DWARF_CB_OK : DWARF_CB_ABORT;
}

void pi_tls_find_list_syms(Dwfl *dwfl, struct pi_tls_list_syms *out)
{
	memset(out, 0, sizeof *out);
	struct list_syms_ctx c = { out, 0 };
	dwfl_getmodules(dwfl, each_module_syms, &c, 0);
}

void pi_tls_apply_thread(struct pi_process *p, pid_t tid, uint64_t tcb, uint64_t exe_block)
{
	struct pi_thread *t = (struct pi_thread *)pi_process_find_thread(p, tid);
	if (!t)
		return;
	t->tls.exe_block = exe_block;
	if (t->tls.source)	/* already read from its registers */
		return;
	t->tls.err = 0;
	t->tls.fs_base = tcb;
	/* libthread_db reads processes of pinspect's own architecture;
	 * another's list was walked by hand (tls/threadlist.h). */
	t->tls.source = !p->arch || p->arch == pi_arch_host() ? "libthread_db" : "thread_list";
}

void pi_tls_apply_walk(struct pi_process *p, int err)
{
	if (err == -PI_ERR_THREAD_LIST_LOOP || err == -PI_ERR_THREAD_LIST_LONG
	    || err == -PI_ERR_THREAD_DB_ALTERED || err == -PI_ERR_THREAD_DB_BUDGET
	    || err == -PI_ERR_THREAD_LIST_LAYOUT)
		p->thread_list_err = err;
	for (size_t i = 0; i < p->nthreads; i++)
		if (!p->threads[i].tls.source && !p->threads[i].tls.fs_base)
			p->threads[i].tls.err = err ? err : -ENOENT;
}

void pi_tls_reset_modules(struct pi_process *p)
{
	free(p->tls_modules);
	p->tls_modules = NULL;
	p->ntls_modules = 0;
}

void pi_tls_add_module(struct pi_process *p, const char *path, uint64_t size, uint64_t init_size,
		       uint64_t align)
{
	p->tls_modules = pi_xrealloc(p->tls_modules, (p->ntls_modules + 1) * sizeof *p->tls_modules);
	struct pi_tls_module *m = &p->tls_modules[p->ntls_modules++];
	memset(m, 0, sizeof *m);
	m->path = pi_strpool_intern(&p->strings, path);
	m->size = size;
	m->init_size = init_size;
	m->align = align;
}

/* The executable's thread-local variables, read in every thread. */
static void read_exe_variables(struct pi_process *p, const struct pi_tls_exe_vars *exe)
{
	if (!exe || !exe->known || !exe->nvars || p->auxv_err || !p->auxv.entry)
		return;
	size_t nvars = exe->nvars;
	uint64_t align = exe->align ? exe->align : 1;
	/* One allocation for every thread's variables: owned by the first
	 * thread that has any (see model.c). */
	struct pi_tls_var *all = pi_xcalloc(p->nthreads * nvars, sizeof *all);
	bool owned = false;
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_thread *t = &p->threads[i];
		if (t->tls.err || !t->tls.fs_base)
			continue;
		/* Without libthread_db's answer: where the row's TLS variant
		 * puts it (tls/layout.h). */
		uint64_t block = t->tls.exe_block;
		if (!block && p->arch)
			block = pi_tls_exe_block(p->arch, t->tls.fs_base, exe->block_size, align);
		if (!block)
			continue;
		t->tls.exe_block = block;
		t->tls.vars = all + i * nvars;
		t->tls.owns_vars = !owned;
		owned = true;
		for (size_t k = 0; k < nvars; k++) {
			struct pi_tls_var *v = &t->tls.vars[t->tls.nvars];
			v->name = pi_strpool_intern(&p->strings, exe->vars[k].name);
			v->address = block + exe->vars[k].offset;
			v->size = exe->vars[k].size;
			size_t want = v->size < sizeof v->bytes ? (size_t)v->size : sizeof v->bytes;
			ssize_t n = want ? pi_mem_read(p->pid, v->address, v->bytes, want) : 0;
			v->nbytes = n > 0 ? (size_t)n : 0;
			t->tls.nvars++;
		}
	}
	if (!owned)
		free(all);
}

static ssize_t read_target(void *arg, uint64_t addr, void *buf, size_t len)
{
	return pi_mem_read(*(const pid_t *)arg, addr, buf, len);
}

void pi_tls_finish(struct pi_process *p, const struct pi_tls_exe_vars *exe)
{
	/* Said plainly rather than read with another architecture's layout
	 * (src/arch: tls_checked). */
	if (p->arch && !p->arch->tls_checked) {
		for (size_t i = 0; i < p->nthreads; i++)
			p->threads[i].tls.err = -PI_ERR_TLS_NOT_CHECKED;
		return;
	}
	read_exe_variables(p, exe);
	/* Whether the executable is Go's came from the stacks' child
	 * (collect/stack_child.c, runtime/go.h). */
	bool go = p->runtime_go;
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_tls *tls = &p->threads[i].tls;
		if (tls->err || !tls->fs_base || !p->arch)
			continue;
		/* glibc's tcbhead_t points at itself twice on x86; on aarch64
		 * its DTV holds the executable's block, which must be where
		 * the layout puts it (tls/layout.h): libthread_db's own
		 * answer came from that DTV, so is no check of it. */
		uint64_t block = exe && exe->known ? pi_tls_exe_block(p->arch, tls->fs_base,
								      exe->block_size, exe->align)
						   : 0;
		enum pi_tcb_verdict v = pi_tls_check_tcb(p->arch, tls->fs_base, block, read_target,
							 &p->pid);
		tls->self_checked = v != PI_TCB_UNCHECKED;
		tls->self_ok = v == PI_TCB_OK;
		/* A Go program's own threads point fs_base into the runtime's
		 * m, not at a TCB: no verdict is due. (A cgo program's threads
		 * that glibc started have a TCB, and pass.) */
		if (go && !tls->self_ok) {
			tls->self_checked = false;
			tls->go_runtime = true;
		}
	}
}
