#include "tls/tls.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "proc/memory.h"
#include "runtime/go.h"
#include "tls/threaddb.h"
#include "util/xalloc.h"

enum { MAX_TLS_VARS = 16 };

struct tls_ctx {
	struct pi_process *p;
	Dwfl *dwfl;
	size_t modules_cap;
};

static struct pi_thread *thread_of(struct pi_process *p, pid_t tid)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].facts.tid == tid)
			return &p->threads[i];
	return NULL;
}

static void on_thread(void *arg, pid_t tid, uint64_t tcb, uint64_t exe_block)
{
	struct pi_thread *t = thread_of(arg, tid);
	if (!t)
		return;
	t->tls.exe_block = exe_block;
	if (t->tls.source)	/* already read from its registers */
		return;
	t->tls.err = 0;
	t->tls.fs_base = tcb;
	t->tls.source = "libthread_db";
}

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

static int each_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		       void *arg)
{
	struct tls_ctx *c = arg;
	struct pi_process *p = c->p;
	GElf_Addr bias;
	GElf_Phdr ph;
	(void)userdata;
	(void)start;

	if (!tls_segment(dwfl_module_getelf(mod, &bias), &ph))
		return DWARF_CB_OK;
	pi_xgrow(&p->tls_modules, &c->modules_cap, p->ntls_modules + 1, sizeof *p->tls_modules);
	struct pi_tls_module *m = &p->tls_modules[p->ntls_modules++];
	m->path = pi_strpool_intern(&p->strings, name);
	m->size = ph.p_memsz;
	m->init_size = ph.p_filesz;
	m->align = ph.p_align;
	return DWARF_CB_OK;
}

/* The executable's thread-local variables (STT_TLS symbols: their value is
 * an offset into the module's TLS block), read in every thread. */
static void read_exe_variables(struct pi_process *p, Dwfl *dwfl)
{
	if (p->auxv_err || !p->auxv.entry)
		return;
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, p->auxv.entry);
	GElf_Addr bias;
	Elf *elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	GElf_Phdr tls;
	if (!elf || !tls_segment(elf, &tls))
		return;

	struct { const char *name; uint64_t offset, size; } vars[MAX_TLS_VARS];
	size_t nvars = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL && nvars < MAX_TLS_VARS) {
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
		for (size_t i = 0; i < nsyms && nvars < MAX_TLS_VARS; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_TLS
			    || sym.st_shndx == SHN_UNDEF)
				continue;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			vars[nvars].name = pi_strpool_intern(&p->strings, name);
			vars[nvars].offset = sym.st_value;
			vars[nvars].size = sym.st_size;
			nvars++;
		}
	}
	if (!nvars)
		return;

	uint64_t align = tls.p_align ? tls.p_align : 1;
	/* One allocation for every thread's variables: owned by the first
	 * thread that has any (see model.c). */
	struct pi_tls_var *all = pi_xcalloc(p->nthreads * nvars, sizeof *all);
	bool owned = false;
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_thread *t = &p->threads[i];
		if (t->tls.err || !t->tls.fs_base)
			continue;
		/* Without libthread_db's answer: in the "variant II" layout
		 * (x86, src/arch) the executable's block lies right below the
		 * thread pointer, rounded up to its alignment; another
		 * layout's is not guessed. */
		uint64_t block = t->tls.exe_block;
		if (!block && p->arch && p->arch->tls_variant == PI_TLS_VARIANT_II)
			block = t->tls.fs_base - ((tls.p_memsz + align - 1) / align * align);
		if (!block)
			continue;
		t->tls.exe_block = block;
		t->tls.vars = all + i * nvars;
		t->tls.owns_vars = !owned;
		owned = true;
		for (size_t k = 0; k < nvars; k++) {
			struct pi_tls_var *v = &t->tls.vars[t->tls.nvars];
			v->name = vars[k].name;
			v->address = block + vars[k].offset;
			v->size = vars[k].size;
			size_t want = v->size < sizeof v->bytes ? (size_t)v->size : sizeof v->bytes;
			ssize_t n = want ? pi_mem_read(p->pid, v->address, v->bytes, want) : 0;
			v->nbytes = n > 0 ? (size_t)n : 0;
			t->tls.nvars++;
		}
	}
	if (!owned)
		free(all);
}

void pi_tls_collect(struct pi_process *p, Dwfl *dwfl)
{
	struct tls_ctx c = { p, dwfl, 0 };

	/* Said plainly rather than read with another architecture's layout
	 * (src/arch: tls_checked). */
	if (p->arch && !p->arch->tls_checked) {
		for (size_t i = 0; i < p->nthreads; i++)
			p->threads[i].tls.err = -PI_ERR_TLS_NOT_CHECKED;
		return;
	}

	dwfl_getmodules(dwfl, each_module, &c, 0);
	int err = pi_threaddb_walk(p->pid, dwfl, p->nthreads, &p->deadline, on_thread, p);
	if (err == -PI_ERR_THREAD_LIST_LOOP || err == -PI_ERR_THREAD_LIST_LONG
	    || err == -PI_ERR_THREAD_DB_ALTERED || err == -PI_ERR_THREAD_DB_BUDGET)
		p->thread_list_err = err;
	for (size_t i = 0; i < p->nthreads; i++)
		if (!p->threads[i].tls.source && !p->threads[i].tls.fs_base)
			p->threads[i].tls.err = err ? err : -ENOENT;
}

/* Is the executable a Go program? Only Go's linker writes its sections
 * (runtime/go.h). */
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

void pi_tls_finish(struct pi_process *p, Dwfl *dwfl)
{
	if (p->arch && !p->arch->tls_checked)
		return;
	read_exe_variables(p, dwfl);
	bool go = exe_is_go(p, dwfl);
	p->runtime_go = go;
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_tls *tls = &p->threads[i].tls;
		uint64_t tcb[3];
		if (tls->err || !tls->fs_base)
			continue;
		/* glibc's tcbhead_t starts with two pointers to itself: tcb
		 * (offset 0) and self (offset 16). */
		if (pi_mem_read(p->pid, tls->fs_base, tcb, sizeof tcb) == (ssize_t)sizeof tcb) {
			tls->self_checked = true;
			tls->self_ok = tcb[0] == tls->fs_base && tcb[2] == tls->fs_base;
		}
		/* A Go program's own threads point fs_base into the runtime's
		 * m, not at a TCB: no verdict is due. (A cgo program's threads
		 * that glibc started have a TCB, and pass.) */
		if (go && !tls->self_ok) {
			tls->self_checked = false;
			tls->go_runtime = true;
		}
	}
}
