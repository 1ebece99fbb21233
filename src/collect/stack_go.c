#include "collect/stack_go.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/reasons.h"
#include "runtime/go.h"
#include "runtime/goroutines.h"
#include "unwind/symbolize.h"
#include "unwind/unwinder.h"
#include "util/deadline.h"
#include "util/xalloc.h"

/* DIEs looked at for runtime.g's layout: the runtime's compilation unit
 * has a few thousand at its top level. */
enum { MAX_DIES = 1 << 20, MAX_SYMBOLS = 1 << 22, MAX_WAIT_REASONS = 128, MAX_GO_STRING = 128 };

struct mem {
	int fd;
};

static bool read_mem(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct mem *m = arg;
	if (m->fd < 0 || addr > (uint64_t)INT64_MAX - len)
		return false;
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(m->fd, (char *)buf + got, len - got, (off_t)(addr + got));
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* A Go string (pointer, length) at addr, cut at MAX_GO_STRING bytes. */
static const char *go_string(struct mem *m, uint64_t addr, struct pi_strpool *pool)
{
	uint64_t hdr[2];
	char s[MAX_GO_STRING + 1];
	if (!read_mem(m, addr, hdr, sizeof hdr) || !hdr[1])
		return NULL;
	size_t len = hdr[1] < MAX_GO_STRING ? (size_t)hdr[1] : MAX_GO_STRING;
	if (!read_mem(m, hdr[0], s, len))
		return NULL;
	s[len] = '\0';
	if (strlen(s) != len)
		return NULL;
	return pi_strpool_intern(pool, s);
}

struct symbols {
	uint64_t allgs, build_version, wait_reasons;
	uint64_t gofunc;		/* go:func.*, where func-data offsets count from */
	uint64_t allp;			/* runtime.allp, a []*p */
	size_t nwait_reasons;
};

static void find_symbols(Dwfl_Module *mod, struct symbols *s)
{
	int n = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n && i < MAX_SYMBOLS; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (name && (strcmp(name, "go:func.*") == 0 || strcmp(name, "go.func.*") == 0))
			s->gofunc = addr;
		if (!name || strncmp(name, "runtime.", 8) != 0)
			continue;
		if (strcmp(name + 8, "allgs") == 0) {
			s->allgs = addr;
		} else if (strcmp(name + 8, "allp") == 0) {
			s->allp = addr;
		} else if (strcmp(name + 8, "buildVersion") == 0) {
			s->build_version = addr;
		} else if (strcmp(name + 8, "waitReasonStrings") == 0) {
			s->wait_reasons = addr;
			s->nwait_reasons = (size_t)(sym.st_size / 16);
		}
	}
}

/* The .gopclntab section's bytes, and the text's address. */
static bool find_pclntab(Elf *elf, GElf_Addr bias, struct pi_gopcln *t, int *err)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	Elf_Scn *scn = NULL;
	Elf_Data *pcln = NULL;
	uint64_t text = 0;
	for (int i = 0; i < 1024 && (scn = elf_nextscn(elf, scn)) != NULL; i++) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (strcmp(name, ".gopclntab") == 0 && sh.sh_type != SHT_NOBITS)
			pcln = elf_getdata(scn, NULL);
		else if (strcmp(name, ".text") == 0)
			text = sh.sh_addr + bias;
	}
	if (!pcln || !pcln->d_buf)
		return false;
	*err = pi_gopcln_init(t, pcln->d_buf, pcln->d_size, bias, text);
	return true;
}

/* A member's offset in a structure DIE, and (type not NULL) its type's
 * DIE; false when it has none. */
static bool member_of(Dwarf_Die *type, const char *member, uint32_t *out, Dwarf_Die *mtype)
{
	Dwarf_Die m;
	if (dwarf_child(type, &m) != 0)
		return false;
	int count = 0;
	do {
		const char *name = dwarf_diename(&m);
		Dwarf_Attribute attr;
		Dwarf_Word off;
		if (dwarf_tag(&m) == DW_TAG_member && name && strcmp(name, member) == 0
		    && dwarf_attr(&m, DW_AT_data_member_location, &attr)
		    && dwarf_formudata(&attr, &off) == 0 && off < 65536) {
			*out = (uint32_t)off;
			Dwarf_Attribute ta;
			return !mtype || (dwarf_attr(&m, DW_AT_type, &ta) && dwarf_formref_die(&ta, mtype));
		}
	} while (++count < 4096 && dwarf_siblingof(&m, &m) == 0);
	return false;
}

static bool member_offset(Dwarf_Die *type, const char *member, uint32_t *out)
{
	return member_of(type, member, out, NULL);
}

/* Where a runtime.p keeps the length of its timer heap: p.timers, a
 * []*timer up to Go 1.22, a runtime.timers holding it as heap since. */
static bool timers_len_offset(Dwarf_Die *p, uint32_t *out)
{
	uint32_t timers, heap, len, cap;
	Dwarf_Die t, h;
	if (!member_of(p, "timers", &timers, &t))
		return false;
	if (member_offset(&t, "len", &len) && member_offset(&t, "cap", &cap)) {
		*out = timers + len;
		return true;
	}
	if (!member_of(&t, "heap", &heap, &h) || !member_offset(&h, "len", &len))
		return false;
	*out = timers + heap + len;
	return true;
}

/* runtime.g's layout from the program's DWARF, where it has DWARF. */
static bool layout_from_dwarf(Dwfl_Module *mod, struct pi_go_layout *l, uint32_t *timers_len)
{
	Dwarf_Addr bias;
	Dwarf *dw = pi_unwinder_module_dwarf(mod, &bias);
	if (!dw)
		return false;
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwarf_Die g, gobuf, pstruct;
	bool have_g = false, have_gobuf = false, have_p = false;
	int dies = 0;
	while (!(have_g && have_gobuf && have_p) && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_diename(&cu)
		    && strcmp(dwarf_diename(&cu), "runtime") == 0 && dwarf_child(&cu, &die) == 0) {
			do {
				const char *name = dwarf_diename(&die);
				if (dwarf_tag(&die) != DW_TAG_structure_type || !name)
					continue;
				if (!have_g && strcmp(name, "runtime.g") == 0)
					g = die, have_g = true;
				else if (!have_gobuf && strcmp(name, "runtime.gobuf") == 0)
					gobuf = die, have_gobuf = true;
				else if (!have_p && strcmp(name, "runtime.p") == 0)
					pstruct = die, have_p = true;
			} while (!(have_g && have_gobuf && have_p) && ++dies < MAX_DIES && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
		if (++dies >= MAX_DIES)
			break;
	}
	if (!have_p || !timers_len_offset(&pstruct, timers_len))
		*timers_len = 0;
	uint32_t sched, sp, pc;
	if (!have_g || !have_gobuf || !member_offset(&g, "goid", &l->goid)
	    || !member_offset(&g, "atomicstatus", &l->atomicstatus)
	    || !member_offset(&g, "waitreason", &l->waitreason)
	    || !member_offset(&g, "waitsince", &l->waitsince) || !member_offset(&g, "sched", &sched)
	    || !member_offset(&g, "syscallsp", &l->syscallsp)
	    || !member_offset(&g, "syscallpc", &l->syscallpc) || !member_offset(&gobuf, "sp", &sp)
	    || !member_offset(&gobuf, "pc", &pc))
		return false;
	l->sched_sp = sched + sp;
	l->sched_pc = sched + pc;
	l->source = "DWARF";
	return true;
}

/* More Ps than this in allp is garbage (GOMAXPROCS is the CPUs'). */
enum { MAX_PS = 1 << 14, MAX_TIMERS = 1 << 30 };

/* The timers pending in every P (the length of each P's timer heap,
 * as Go's own deadlock check counts them), or -1 when unreadable. */
static long pending_timers(struct mem *m, uint64_t allp, uint32_t len_off)
{
	uint64_t hdr[2];
	if (!read_mem(m, allp, hdr, sizeof hdr) || hdr[1] > MAX_PS || (hdr[1] && !hdr[0]))
		return -1;
	long sum = 0;
	for (uint64_t i = 0; i < hdr[1]; i++) {
		uint64_t p, len;
		if (!read_mem(m, hdr[0] + 8 * i, &p, sizeof p) || !p)
			return -1;
		if (!read_mem(m, p + len_off, &len, sizeof len) || len > MAX_TIMERS)
			return -1;
		sum += (long)len;
		if (sum > MAX_TIMERS)
			return -1;
	}
	return sum;
}

struct collect {
	struct pi_go_result *out;
	struct pi_strpool *pool;
	struct mem *mem;
	const struct symbols *sym;
	const char *reasons[MAX_WAIT_REASONS];
	bool reason_read[MAX_WAIT_REASONS];
	int64_t now_ns;
	const struct pi_deadline *deadline;
};

static bool each_goroutine(void *arg, const struct pi_go_goroutine *g)
{
	struct collect *c = arg;
	struct pi_go_result *r = c->out;
	/* The budget (--timeout) ends the walk: the thread stacks, decoded
	 * already, are not lost to a child killed at its deadline. */
	if (pi_deadline_passed(c->deadline)) {
		r->err = -PI_ERR_TIMEOUT;
		return false;
	}
	pi_xgrow(&r->g, &r->cap, r->n + 1, sizeof *r->g);
	struct pi_goroutine *o = &r->g[r->n++];
	memset(o, 0, sizeof *o);
	o->goid = g->goid;
	o->status = g->status;
	o->wait_seconds = -1;
	if (g->status == PI_G_WAITING && g->waitreason < c->sym->nwait_reasons
	    && g->waitreason < MAX_WAIT_REASONS) {
		if (!c->reason_read[g->waitreason]) {
			c->reason_read[g->waitreason] = true;
			c->reasons[g->waitreason] =
				go_string(c->mem, c->sym->wait_reasons + 16 * (uint64_t)g->waitreason, c->pool);
		}
		o->wait_reason = c->reasons[g->waitreason];
	}
	if (g->status == PI_G_WAITING && g->waitsince > 0 && g->waitsince <= c->now_ns)
		o->wait_seconds = (double)(c->now_ns - g->waitsince) / 1e9;
	o->truncated_reason = g->stop_reason ? pi_strpool_intern(c->pool, g->stop_reason) : NULL;
	o->first_frame = r->nframes;
	o->nframes = g->nframes;
	pi_xgrow(&r->frames, &r->frames_cap, r->nframes + g->nframes, sizeof *r->frames);
	for (size_t i = 0; i < g->nframes; i++) {
		struct pi_user_frame *f = &r->frames[r->nframes++];
		memset(f, 0, sizeof *f);
		f->pc = g->frames[i].pc;
		f->function = g->frames[i].function ? pi_strpool_intern(c->pool, g->frames[i].function) : NULL;
		f->file = g->frames[i].file ? pi_strpool_intern(c->pool, g->frames[i].file) : NULL;
		f->line = g->frames[i].line;
		f->inlined = g->frames[i].inlined;
	}
	return true;
}

bool pi_stack_go_collect(Dwfl *dwfl, const struct pi_process *p, int memfd, struct pi_strpool *pool,
			 struct pi_go_result *out)
{
	memset(out, 0, sizeof *out);
	out->timers = -1;
	if (p->auxv_err || !p->auxv.entry)
		return false;
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, p->auxv.entry);
	GElf_Addr bias;
	Elf *elf = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	struct pi_gopcln pcln;
	int err = 0;
	if (!elf || !find_pclntab(elf, bias, &pcln, &err))
		return false;	/* not Go */
	struct mem mem = { memfd };
	struct symbols sym = { 0, 0, 0, 0, 0, 0 };
	find_symbols(mod, &sym);
	out->version = sym.build_version ? go_string(&mem, sym.build_version, pool) : NULL;
	if (err) {
		out->err = err == -ENOTSUP ? -PI_ERR_GO_OLD : -PI_ERR_GO_UNREADABLE;
		return true;
	}
	if (!sym.allgs) {
		out->err = -PI_ERR_GO_STRIPPED;
		return true;
	}
	if (memfd < 0) {
		out->err = -EACCES;
		return true;
	}
	struct pi_go_walk w;
	memset(&w, 0, sizeof w);
	uint32_t timers_len = 0;
	if (!layout_from_dwarf(mod, &w.layout, &timers_len)
	    && !pi_go_layout_for_version(out->version, &w.layout)) {
		out->err = -PI_ERR_GO_VERSION;
		return true;
	}
	out->layout = pi_strpool_intern(pool, w.layout.source);
	out->timers = timers_len && sym.allp ? pending_timers(&mem, sym.allp, timers_len) : -1;
	struct collect c;
	memset(&c, 0, sizeof c);
	c.out = out;
	c.pool = pool;
	c.mem = &mem;
	c.sym = &sym;
	c.deadline = &p->deadline;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c.now_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	w.read = read_mem;
	w.arg = &mem;
	w.pcln = &pcln;
	w.allgs = sym.allgs;
	w.gofunc = sym.gofunc;
	w.max_goroutines = PI_GO_MAX_GOROUTINES;
	w.max_frames = PI_GO_MAX_FRAMES;
	w.max_total_frames = PI_GO_MAX_TOTAL_FRAMES;
	w.each = each_goroutine;
	w.each_arg = &c;
	int werr = pi_go_walk(&w, &out->total);
	if (werr && !out->err)
		out->err = werr == -EFAULT ? -EFAULT : -PI_ERR_GO_UNREADABLE;
	return true;
}

void pi_go_result_free(struct pi_go_result *r)
{
	free(r->g);
	free(r->frames);
	memset(r, 0, sizeof *r);
}
