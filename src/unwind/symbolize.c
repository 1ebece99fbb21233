#include "unwind/symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unwind/demangle.h"
#include "unwind/unwinder.h"
#include "util/xalloc.h"

/* Threads share their return addresses: a thousand threads parked in the
 * same place have one set of distinct pcs. Each is resolved once (libdwfl's
 * address-to-symbol lookup scans the symbol table on every call). */
struct cache_entry {
	uint64_t pc;
	int kind;		/* 0: empty slot; 1: a return address; 2: an exact pc */
	size_t first, count;	/* into symbolizer.frames */
};

struct pi_symbolizer {
	Dwfl *dwfl;
	struct pi_strpool *pool;
	enum pi_lines lines;
	const char *program;
	struct cache_entry *table;
	size_t cap, used;
	struct pi_user_frame *frames;
	size_t nframes, frames_cap;
};

struct pi_symbolizer *pi_symbolizer_new(Dwfl *dwfl, struct pi_strpool *pool, enum pi_lines lines,
					const char *program)
{
	struct pi_symbolizer *s = pi_xcalloc(1, sizeof *s);
	s->dwfl = dwfl;
	s->pool = pool;
	s->lines = lines;
	s->program = program;
	s->cap = 1024;
	s->table = pi_xcalloc(s->cap, sizeof *s->table);
	return s;
}

void pi_symbolizer_free(struct pi_symbolizer *s)
{
	if (!s)
		return;
	free(s->table);
	free(s->frames);
	free(s);
}

static struct cache_entry *lookup(struct pi_symbolizer *s, uint64_t pc, int kind)
{
	size_t k = (size_t)(((pc + (uint64_t)kind) * 0x9e3779b97f4a7c15ULL) >> 20) & (s->cap - 1);
	while (s->table[k].kind && (s->table[k].pc != pc || s->table[k].kind != kind))
		k = (k + 1) & (s->cap - 1);
	return &s->table[k];
}

static void grow_table(struct pi_symbolizer *s)
{
	struct cache_entry *old = s->table;
	size_t old_cap = s->cap;
	s->cap *= 2;
	s->table = pi_xcalloc(s->cap, sizeof *s->table);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].kind)
			*lookup(s, old[i].pc, old[i].kind) = old[i];
	free(old);
}

/* "name@@GLIBC_2.34" -> "name"; C++ names demangled. Interned. */
static const char *clean_name(struct pi_symbolizer *s, const char *name)
{
	if (!name)
		return NULL;
	char *plain = NULL;
	const char *at = strchr(name, '@');
	if (at && at != name)
		name = plain = pi_xstrndup(name, (size_t)(at - name));
	char *demangled = pi_demangle(name);
	const char *out = pi_strpool_intern(s->pool, demangled ? demangled : name);
	free(demangled);
	free(plain);
	return out;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr)
	    || dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
		name = dwarf_formstring(&attr);
	if (!name && dwarf_attr_integrate(die, DW_AT_name, &attr))
		name = dwarf_formstring(&attr);
	return name;
}

/* Frames are compared byte for byte when stacks are shared, padding
 * included: they are copied whole, never member by member. */
static void push(struct pi_symbolizer *s, const struct pi_user_frame *f)
{
	pi_xgrow(&s->frames, &s->frames_cap, s->nframes + 1, sizeof *s->frames);
	memcpy(&s->frames[s->nframes++], f, sizeof *f);
}

/* The call site of an inlined function: where, in its caller, it was
 * inlined. */
static void call_site(Dwarf_Die *cudie, Dwarf_Die *inlined, const char **file, int *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx, l;
	Dwarf_Files *files;
	size_t nfiles;

	*file = NULL;
	*line = 0;
	if (dwarf_attr(inlined, DW_AT_call_line, &attr) && dwarf_formudata(&attr, &l) == 0)
		*line = (int)l;
	if (dwarf_attr(inlined, DW_AT_call_file, &attr) && dwarf_formudata(&attr, &idx) == 0
	    && dwarf_getsrcfiles(cudie, &files, &nfiles) == 0 && idx < nfiles)
		*file = dwarf_filesrc(files, idx, NULL, NULL);
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

bool pi_module_is_programs_own(const char *module, const char *program)
{
	if (!module || module[0] != '/')
		return false;
	if (program && strcmp(module, program) == 0)
		return true;
	static const char *const system_dirs[] = { "/lib", "/lib64", "/usr/lib", "/usr/lib64",
						   "/usr/libexec", "/lib32", "/usr/lib32" };
	for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
		if (under(module, system_dirs[i]))
			return false;
	return true;
}

/* Is this module's DWARF read, by the --lines policy? */
static bool wants_lines(const struct pi_symbolizer *s, const char *module)
{
	if (s->lines != PI_LINES_PROGRAM)
		return s->lines == PI_LINES_ALL;
	return pi_module_is_programs_own(module, s->program);
}

static void resolve(struct pi_symbolizer *s, uint64_t pc, bool activation)
{
	uint64_t lookup_pc = activation ? pc : pc - 1;
	struct pi_user_frame f;
	memset(&f, 0, sizeof f);
	f.pc = pc;

	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, lookup_pc);
	if (!mod) {
		push(s, &f);
		return;
	}
	Dwarf_Addr bias = 0;
	dwfl_module_getelf(mod, &bias);
	f.module_vaddr = pc - bias;
	const char *modname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	f.module = pi_strpool_intern(s->pool, modname);
	const unsigned char *bits;
	GElf_Addr id_vaddr;
	int idlen = dwfl_module_build_id(mod, &bits, &id_vaddr);
	if (idlen > 0) {
		char hex[2 * 64 + 1];
		for (int i = 0; i < idlen && i < 64; i++)
			snprintf(hex + 2 * i, 3, "%02x", bits[i]);
		f.build_id = pi_strpool_intern(s->pool, hex);
	}

	GElf_Off off = 0;
	GElf_Sym sym;
	const char *symname = dwfl_module_addrinfo(mod, lookup_pc, &off, &sym, NULL, NULL, NULL);
	if (symname) {
		f.function = clean_name(s, symname);
		f.offset = off + (pc - lookup_pc);
		f.have_offset = true;
	}

	if (!wants_lines(s, modname)) {
		push(s, &f);
		return;
	}
	/* The module's DWARF, with its alt file settled, before libdw reads
	 * any of it. (pinspect asks libdw nothing that would look for split
	 * DWARF .dwo files, which libdw opens by the path the DWARF names.) */
	Dwarf_Addr dwbias;
	if (!pi_unwinder_module_dwarf(mod, &dwbias)) {
		push(s, &f);
		return;
	}
	Dwfl_Line *line = dwfl_module_getsrc(mod, lookup_pc);
	if (line) {
		int lineno = 0;
		const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		f.file = pi_strpool_intern(s->pool, file);
		f.line = lineno;
	}

	/* Inlined calls. The innermost DWARF scope at pc tells whether pc is
	 * in inlined code; its chain of parents in the compilation unit then
	 * runs through each inlined call out to the real function, every
	 * inlined call a frame of its own whose caller continues at the
	 * inline's call site (as addr2line -i does). */
	Dwarf_Addr cubias;
	Dwarf_Die *cudie = dwfl_module_addrdie(mod, lookup_pc, &cubias);
	Dwarf_Die *scopes = NULL, *chain = NULL;
	int nscopes = cudie ? dwarf_getscopes(cudie, lookup_pc - cubias, &scopes) : 0;
	bool inlined = false;
	for (int i = 0; i < nscopes && !inlined; i++)
		inlined = dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine;
	int nchain = inlined ? dwarf_getscopes_die(&scopes[0], &chain) : 0;
	if (nchain <= 0) {
		free(scopes);
		free(chain);
		push(s, &f);
		return;
	}
	const char *file = f.file;
	int lineno = f.line;
	for (int i = 0; i < nchain; i++) {
		int tag = dwarf_tag(&chain[i]);
		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
			continue;
		struct pi_user_frame g;
		memcpy(&g, &f, sizeof g);
		g.file = pi_strpool_intern(s->pool, file);
		g.line = lineno;
		if (tag == DW_TAG_inlined_subroutine) {
			g.inlined = true;
			g.function = clean_name(s, die_name(&chain[i]));
			g.have_offset = false;
			push(s, &g);
			call_site(cudie, &chain[i], &file, &lineno);
		} else {
			/* The function the inlined code sits in: the symbol
			 * table's name and offset, where there is one. */
			if (!g.function)
				g.function = clean_name(s, die_name(&chain[i]));
			push(s, &g);
			break;
		}
	}
	free(scopes);
	free(chain);
}

void pi_symbolize(struct pi_symbolizer *s, uint64_t pc, bool activation,
		  const struct pi_user_frame **frames, size_t *count)
{
	int kind = activation ? 2 : 1;
	struct cache_entry *e = lookup(s, pc, kind);
	if (!e->kind) {
		size_t first = s->nframes;
		resolve(s, pc, activation);
		if ((s->used + 1) * 2 > s->cap) {
			grow_table(s);
			e = lookup(s, pc, kind);
		}
		e->pc = pc;
		e->kind = kind;
		e->first = first;
		e->count = s->nframes - first;
		s->used++;
	}
	/* Frames are appended, so a pointer handed out earlier may move:
	 * callers copy them at once. */
	*frames = s->frames + e->first;
	*count = e->count;
}
