#include "unwind/unwinder.h"

#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "proc/memory.h"
#include "proc/target_open.h"
#include "unwind/debugfile.h"
#include "util/xalloc.h"

/* What pinspect keeps about each module whose file it opened. */
struct module_file {
	Dwfl_Module *mod;
	Elf *elf;		/* the main ELF (libdwfl owns it) */
	struct stat st;		/* its file */
	bool dwarf_checked;	/* its DWARF's alt file was settled */
	Dwarf *alt;		/* a dwz alt file pinspect opened, and its ELF and fd */
	Elf *alt_elf;
	int alt_fd;
};

/* libdw's own mark for "the alt file was looked for and is absent"
 * (dwarf_getalt): set, it keeps libdw from ever searching for the file
 * itself, with plain open() on paths the module names. */
#define NO_ALT_FILE ((Dwarf *)-1)

struct pi_unwinder {
	Dwfl *dwfl;
	pid_t pid;
	const struct pi_vma *vmas;
	size_t nvmas;
	const void *vdso_image;
	size_t vdso_size;
	bool attached;
	int rootfd;		/* /proc/PID/root, or -errno (pi_unwinder_new) */
	struct pi_unwind_access access;
	struct pi_debug_opener debug_opener;
	struct module_file *files;
	size_t nfiles, files_cap;

	/* The unwind in progress: libdwfl's memory_read callback is not told
	 * which thread it reads for. */
	const struct pi_unwind_start *current;
	struct pi_unwind_result *result;
	size_t max_frames;
	bool last_frame_lacks_rbp;
	/* Why an unwind stopped for want of the frame pointer, in the words
	 * of the current unwind's architecture (its register's name). */
	char no_fp_reason[2][192];
	const struct pi_arch *reasons_arch;
};

static const struct pi_vma *vma_at(const struct pi_unwinder *u, uint64_t addr)
{
	long i = pi_vma_find(u->vmas, u->nvmas, addr);
	return i >= 0 ? &u->vmas[i] : NULL;
}

static struct module_file *file_of(struct pi_unwinder *u, Dwfl_Module *mod)
{
	for (size_t i = 0; i < u->nfiles; i++)
		if (u->files[i].mod == mod)
			return &u->files[i];
	return NULL;
}

static bool is_mapped_file(const struct pi_vma *v, const struct stat *st)
{
	return st->st_ino == v->inode && major(st->st_dev) == v->dev_major
	       && minor(st->st_dev) == v->dev_minor;
}

/* Opens a module's file: the mapping itself through /proc/PID/map_files
 * (root only), which is the mapped file whatever its path names now; else
 * the path inside the process's root (proc/target_open), so that a process
 * in a container gets its own libraries and never the host's. Either way
 * the file must be the one mapped, by device and inode: a path the process
 * replaced (a symbolic link, another file), or a file upgraded since it
 * was mapped, is not taken for the module. */
int pi_unwind_open_mapped(pid_t pid, int rootfd, const struct pi_vma *v, struct stat *st)
{
	int fd = pi_target_open_mapping(pid, v->start, v->end, st);
	if (fd >= 0 && !is_mapped_file(v, st)) {
		close(fd);
		fd = -ESTALE;
	}
	if (fd < 0 && !v->deleted && rootfd >= 0 && v->path) {
		fd = pi_target_open(rootfd, v->path, st);
		if (fd >= 0 && !is_mapped_file(v, st)) {
			close(fd);
			fd = -ESTALE;
		}
	}
	return fd;
}

int pi_unwind_open_mapped_in(struct pi_target_files *tf, const struct pi_vma *v, struct stat *st)
{
	int fd = pi_target_files_open_mapping(tf, v->start, v->end, v->dev_major, v->dev_minor, st);
	if (fd >= 0 && !is_mapped_file(v, st)) {
		close(fd);
		fd = -ESTALE;
	}
	/* A mount that did not answer is not asked again by path. */
	if (fd < 0 && fd != -ETIMEDOUT && !v->deleted && v->path) {
		fd = pi_target_files_open(tf, v->path, st);
		if (fd >= 0 && !is_mapped_file(v, st)) {
			close(fd);
			fd = -ESTALE;
		}
	}
	return fd;
}

static int find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	struct pi_unwinder *u = *userdata;
	Dwarf_Addr low, high;
	struct stat st;

	(void)base;
	if (strcmp(name, "[vdso]") == 0) {
		/* libelf reads the copy in place; it outlives the session. */
		if (!u->vdso_image)
			return -1;
		*elfp = elf_memory((char *)u->vdso_image, u->vdso_size);
		*file_name = NULL;
		return -1;
	}
	if (name[0] != '/')
		return -1;
	dwfl_module_info(mod, NULL, &low, &high, NULL, NULL, NULL, NULL);
	const struct pi_vma *v = vma_at(u, low);
	if (!v)
		return -1;

	int fd = u->access.open_module(u->access.arg, v, &st);
	if (fd < 0)
		return -1;
	/* libdwfl takes the handle (and the fd); pinspect keeps a pointer
	 * to tell the module's own debug link from other lookups. */
	Elf *elf = elf_begin(fd, u->access.map_files ? ELF_C_READ_MMAP_PRIVATE : ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		close(fd);
		return -1;
	}
	pi_xgrow(&u->files, &u->files_cap, u->nfiles + 1, sizeof *u->files);
	u->files[u->nfiles++] = (struct module_file){ .mod = mod, .elf = elf, .st = st, .alt_fd = -1 };
	*elfp = elf;
	*file_name = pi_xstrdup(name);
	return fd;
}

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* debuginfod, when DEBUGINFOD_URLS is set. elfutils' search is handed
 * no file name and no debug link, and an empty debuginfo_path (below), so
 * that it looks for nothing on the host's disk and only asks the server.
 * A server that does not answer must not hang pinspect: the first lookup
 * that fails slowly turns it off for the rest of the run. */
static int ask_debuginfod(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			  char **debuginfo_file)
{
	struct pi_unwinder *u = *userdata;
	const char *urls = getenv("DEBUGINFOD_URLS");
	if (!urls || !*urls)
		return -1;
	if (!u->access.debuginfod) {
		/* No network here (the sandbox): the opener asks for us. */
		Dwarf_Addr low;
		dwfl_module_info(mod, NULL, &low, NULL, NULL, NULL, NULL, NULL);
		const struct pi_vma *v = vma_at(u, low);
		const unsigned char *id = NULL;
		GElf_Addr id_vaddr;
		int id_len = dwfl_module_build_id(mod, &id, &id_vaddr);
		/* debuginfod knows a file by its build-id only. */
		int fd = v && id_len > 0 && u->access.fetch_debuginfo
				 ? u->access.fetch_debuginfo(u->access.arg, v, id, (size_t)id_len)
				 : -1;
		return fd >= 0 ? fd : -1;
	}
	double start = seconds_now();
	/* elfutils reads a leftover errno as its local search's failure,
	 * and then would not ask the server. */
	errno = 0;
	int fd = dwfl_standard_find_debuginfo(mod, userdata, modname, base, NULL, NULL, 0,
					      debuginfo_file);
	if (fd < 0 && seconds_now() - start > 2.0) {
		fprintf(stderr, "pinspect: debuginfod did not answer within %.0f s; not asking it "
			"again (set DEBUGINFOD_TIMEOUT to wait longer)\n", seconds_now() - start);
		unsetenv("DEBUGINFOD_URLS");
	}
	return fd;
}

/* Separate debug information: by build-id, then by .gnu_debuglink, in the
 * debug directories of the process's own root (unwind/debugfile); then
 * from debuginfod, only when DEBUGINFOD_URLS is set (elfutils' own search
 * starts up its debuginfod client, with libcurl and TLS, whenever a module
 * has no local debug file, which costs megabytes and milliseconds for
 * nothing).
 *
 * libdwfl also calls this for a module's dwz alt file, with the alt link's
 * name as debuglink: that lookup is refused here, and made by
 * pi_unwinder_module_dwarf instead, which is sure to settle it. */
static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			  Dwarf_Addr base, const char *file, const char *debuglink, GElf_Word crc,
			  char **debuginfo_file)
{
	struct pi_unwinder *u = *userdata;
	struct module_file *f = file_of(u, mod);
	GElf_Word own_crc = 0;
	const char *own = f ? dwelf_elf_gnu_debuglink(f->elf, &own_crc) : NULL;

	if (debuglink && (!own || strcmp(debuglink, own) != 0 || crc != own_crc))
		return -1;
	int fd = pi_debugfile_find(&u->debug_opener, f ? f->elf : NULL, f ? &f->st : NULL, file,
				   debuglink, crc, debuginfo_file);
	if (fd >= 0)
		return fd;
	return ask_debuginfod(mod, userdata, modname, base, debuginfo_file);
}

/* The alt file of a module's DWARF (dwz puts what several debug files
 * share in one file, which each names in .gnu_debugaltlink): found in the
 * process's root, or from debuginfod, or marked absent; never left for
 * libdw to look for. */
static void settle_alt_file(struct pi_unwinder *u, Dwfl_Module *mod, struct module_file *f,
			    Dwarf *dw)
{
	const char *altname, *mainfile, *debugfile;
	const void *id;
	if (dwelf_dwarf_gnu_debugaltlink(dw, &altname, &id) <= 0)
		return;
	void **userdata;
	Dwarf_Addr base;
	const char *modname = dwfl_module_info(mod, &userdata, &base, NULL, NULL, NULL, &mainfile,
					       &debugfile);
	f->alt_fd = pi_debugfile_find_alt(&u->debug_opener, dw, debugfile ? debugfile : mainfile,
					  &f->alt_elf);
	if (f->alt_fd < 0) {
		char *name = NULL;
		f->alt_fd = ask_debuginfod(mod, userdata, modname, base, &name);
		free(name);
		f->alt_elf = f->alt_fd >= 0 ? elf_begin(f->alt_fd, u->debug_opener.elf_cmd, NULL) : NULL;
	}
	f->alt = f->alt_elf ? dwarf_begin_elf(f->alt_elf, DWARF_C_READ, NULL) : NULL;
	dwarf_setalt(dw, f->alt ? f->alt : NO_ALT_FILE);
}

Dwarf *pi_unwinder_module_dwarf(Dwfl_Module *mod, Dwarf_Addr *bias)
{
	void **userdata;
	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	struct pi_unwinder *u = *userdata;
	Dwarf *dw = dwfl_module_getdwarf(mod, bias);
	struct module_file *f = file_of(u, mod);
	if (dw && f && !f->dwarf_checked) {
		f->dwarf_checked = true;
		settle_alt_file(u, mod, f, dw);
	}
	/* A module pinspect did not open (the vDSO) has no file to name an
	 * alt file: its DWARF, if any, would still be refused one. */
	if (dw && !f)
		dwarf_setalt(dw, NO_ALT_FILE);
	return dw;
}

/* Empty: elfutils' searches (debuginfod's aside) look in no directory of
 * the host. */
static char no_directories[] = "";
static char *debuginfo_path = no_directories;

static const Dwfl_Callbacks callbacks = {
	.find_elf = find_elf,
	.find_debuginfo = find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/* The thread callbacks: libdwfl asks for exactly the thread pi_unwind
 * names, and reads memory from the copy of its stack. */
static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_arg)
{
	(void)dwfl;
	(void)arg;
	(void)thread_arg;
	return 0;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_arg)
{
	(void)dwfl;
	(void)tid;
	*thread_arg = arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct pi_unwinder *u = arg;
	const struct pi_unwind_start *s = u->current;
	(void)dwfl;
	/* A word is a pointer of the target's size: 4 bytes for i386. */
	size_t size = s && s->arch ? s->arch->ptr_size : 8;

	if (s && s->stack && addr >= s->stack_start && addr - s->stack_start + size <= s->stack_len) {
		uint64_t w = 0;
		memcpy(&w, s->stack + (addr - s->stack_start), size);
		*result = w;
		return true;
	}
	/* Outside the stack copy (a signal frame's saved state on an
	 * alternate stack, static data): read the live process, which
	 * reading does not disturb. */
	uint64_t word = 0;
	ssize_t got = addr > INT64_MAX ? -1
		      : u->access.memfd >= 0 ? pread(u->access.memfd, &word, size, (off_t)addr)
					     : pi_mem_read(u->pid, addr, &word, size);
	if (got == (ssize_t)size) {
		*result = word;
		return true;
	}
	return false;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct pi_unwinder *u = arg;
	const struct pi_unwind_start *s = u->current;

	const struct pi_arch *a = s->arch;
	/* Hand over each run of known registers the architecture's unwinder
	 * takes (on x86 the program counter is one of them). */
	int n = (int)a->dwarf_nregs + (a->pc_is_dwarf && a->dwarf_pc >= (int)a->dwarf_nregs);
	for (int r = 0; r < n && r < PI_ARCH_MAX_REGS;) {
		if (!(s->known & (1ULL << r))) {
			r++;
			continue;
		}
		int first = r;
		while (r < n && r < PI_ARCH_MAX_REGS && (s->known & (1ULL << r)))
			r++;
		if (!dwfl_thread_state_registers(thread, first, (unsigned)(r - first), &s->regs[first]))
			return false;
	}
	if (!a->pc_is_dwarf && (s->known & (1ULL << a->dwarf_pc)))
		dwfl_thread_state_register_pc(thread, s->regs[a->dwarf_pc]);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static void report_modules(struct pi_unwinder *u, const struct pi_vma *vmas, size_t n)
{
	/* Consecutive mappings of one file are one module, as libdwfl's own
	 * /proc/PID/maps reader groups them. */
	for (size_t i = 0; i < n;) {
		const struct pi_vma *v = &vmas[i];
		bool vdso = v->path && strcmp(v->path, "[vdso]") == 0;
		bool file = v->path && v->path[0] == '/' && v->inode != 0;
		if (!vdso && !file) {
			i++;
			continue;
		}
		uint64_t low = v->start, high = v->end;
		size_t j = i + 1;
		while (file && j < n && vmas[j].inode == v->inode && vmas[j].dev_major == v->dev_major
		       && vmas[j].dev_minor == v->dev_minor && vmas[j].path
		       && strcmp(vmas[j].path, v->path) == 0)
			high = vmas[j++].end;
		Dwfl_Module *mod = dwfl_report_module(u->dwfl, v->path, low, high);
		if (mod) {
			void **userdata;
			dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
			*userdata = u;
		}
		i = j;
	}
}

static int open_module_direct(void *arg, const struct pi_vma *v, struct stat *st)
{
	struct pi_unwinder *u = arg;
	return pi_unwind_open_mapped(u->pid, u->rootfd, v, st);
}

static int open_debug_direct(void *arg, const char *path, struct stat *st)
{
	struct pi_unwinder *u = arg;
	return u->rootfd >= 0 ? pi_target_open(u->rootfd, path, st) : -EBADF;
}

/* A session; access->arg NULL stands for the session itself, which the
 * openers need from the first module on (dwfl_attach_state opens one). */
static int create(pid_t pid, const struct pi_vma *vmas, size_t nvmas, const void *vdso_image,
		  size_t vdso_size, const struct pi_unwind_access *access, int rootfd,
		  struct pi_unwinder **out)
{
	struct pi_unwinder *u = pi_xcalloc(1, sizeof *u);

	/* debuginfod's own default is to wait 90 s for a silent server. */
	if (access->debuginfod && getenv("DEBUGINFOD_URLS"))
		setenv("DEBUGINFOD_TIMEOUT", "5", 0);
	u->pid = pid;
	u->vmas = vmas;
	u->nvmas = nvmas;
	u->vdso_image = vdso_image;
	u->vdso_size = vdso_size;
	u->rootfd = rootfd;
	u->access = *access;
	if (!u->access.arg)
		u->access.arg = u;
	u->debug_opener = (struct pi_debug_opener){ access->open_debug, u->access.arg,
						    access->map_files ? ELF_C_READ_MMAP : ELF_C_READ };
	u->dwfl = dwfl_begin(&callbacks);
	if (!u->dwfl) {
		if (rootfd >= 0)
			close(rootfd);
		free(u);
		return -ENOMEM;
	}
	dwfl_report_begin(u->dwfl);
	report_modules(u, vmas, nvmas);
	dwfl_report_end(u->dwfl, NULL, NULL);
	u->attached = dwfl_attach_state(u->dwfl, NULL, pid, &thread_callbacks, u);
	*out = u;
	return 0;
}

int pi_unwinder_new_with(pid_t pid, const struct pi_vma *vmas, size_t nvmas, const void *vdso_image,
			 size_t vdso_size, const struct pi_unwind_access *access,
			 struct pi_unwinder **out)
{
	return create(pid, vmas, nvmas, vdso_image, vdso_size, access, -EBADF, out);
}

int pi_unwinder_new(pid_t pid, const struct pi_vma *vmas, size_t nvmas, const void *vdso_image,
		    size_t vdso_size, struct pi_unwinder **out)
{
	const struct pi_unwind_access access = { open_module_direct, open_debug_direct, NULL, -1,
						 false, true, NULL };
	return create(pid, vmas, nvmas, vdso_image, vdso_size, &access, pi_target_root_open(pid),
		      out);
}

void pi_unwinder_free(struct pi_unwinder *u)
{
	if (!u)
		return;
	/* The modules' DWARF first: each points at its alt file. */
	dwfl_end(u->dwfl);
	for (size_t i = 0; i < u->nfiles; i++) {
		struct module_file *f = &u->files[i];
		if (f->alt)
			dwarf_end(f->alt);
		elf_end(f->alt_elf);
		if (f->alt_fd >= 0)
			close(f->alt_fd);
	}
	free(u->files);
	if (u->rootfd >= 0)
		close(u->rootfd);
	free(u);
}

/* A session of no file: one module known by its build-id alone. */
static int no_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		  char **file_name, Elf **elfp)
{
	(void)mod;
	(void)userdata;
	(void)name;
	(void)base;
	*file_name = NULL;
	*elfp = NULL;
	return -1;
}

static const Dwfl_Callbacks build_id_only = {
	.find_elf = no_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

int pi_debuginfod_fetch(const unsigned char *id, size_t len)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	if (!urls || !*urls || len == 0 || len > 64)
		return -ENOENT;
	/* debuginfod's own default is to wait 90 s for a silent server. */
	setenv("DEBUGINFOD_TIMEOUT", "5", 0);
	Dwfl *dwfl = dwfl_begin(&build_id_only);
	if (!dwfl)
		return -ENOMEM;
	int fd = -ENOENT;
	dwfl_report_begin(dwfl);
	Dwfl_Module *mod = dwfl_report_module(dwfl, "build-id", 0x1000, 0x2000);
	dwfl_report_end(dwfl, NULL, NULL);
	if (mod && dwfl_module_report_build_id(mod, id, len, 0) == 0) {
		void **userdata;
		Dwarf_Addr base;
		const char *modname = dwfl_module_info(mod, &userdata, &base, NULL, NULL, NULL, NULL,
						       NULL);
		double start = seconds_now();
		/* elfutils reads a leftover errno as its local search's
		 * failure, and then would not ask the server. */
		errno = 0;
		char *name = NULL;
		fd = dwfl_standard_find_debuginfo(mod, userdata, modname, base, NULL, NULL, 0, &name);
		free(name);
		if (fd < 0 && seconds_now() - start > 2.0) {
			fprintf(stderr, "pinspect: debuginfod did not answer within %.0f s; not asking "
				"it again (set DEBUGINFOD_TIMEOUT to wait longer)\n",
				seconds_now() - start);
			unsetenv("DEBUGINFOD_URLS");
		}
		if (fd < 0)
			fd = -ENOENT;
	}
	dwfl_end(dwfl);
	return fd;
}

Dwfl *pi_unwinder_dwfl(struct pi_unwinder *u)
{
	return u->dwfl;
}

static int frame_callback(Dwfl_Frame *state, void *arg)
{
	struct pi_unwinder *u = arg;
	struct pi_unwind_result *r = u->result;
	Dwarf_Addr pc;
	bool activation;
	Dwarf_Word fp;
	const struct pi_arch *a = u->current->arch;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	/* Grown by doubling (room for 8, 16, 32, ... frames, so a full array
	 * has a power of two of them): --max-frames=100000 on a stack that
	 * loops would otherwise copy the array at every frame. */
	if (r->nframes == 0 || (r->nframes >= 8 && (r->nframes & (r->nframes - 1)) == 0))
		r->frames = pi_xrealloc(r->frames, (r->nframes ? 2 * r->nframes : 8) * sizeof *r->frames);
	Dwarf_Word sp;
	r->frames[r->nframes].pc = pc;
	r->frames[r->nframes].activation = activation;
	r->frames[r->nframes].sp_known = dwfl_frame_reg(state, (unsigned)a->dwarf_sp, &sp) == 0;
	r->frames[r->nframes].sp = r->frames[r->nframes].sp_known ? sp : 0;
	r->nframes++;
	u->last_frame_lacks_rbp = dwfl_frame_reg(state, (unsigned)a->dwarf_fp, &fp) != 0;
	if (r->nframes >= u->max_frames) {
		r->stop_reason = "too many frames: the stack is cut here";
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

/* Why did the unwind end after frame last? libdwfl ends quietly both when
 * the unwind tables say the stack ends there (clone3, _start: the return
 * address is "undefined") and when it cannot compute the caller's frame;
 * only the first is a complete stack. */
static const char *why_it_ended(struct pi_unwinder *u, const struct pi_raw_frame *last,
				bool rbp_known, bool *needs_rbp)
{
	const struct pi_arch *a = u->current->arch;
	if (u->reasons_arch != a) {
		u->reasons_arch = a;
		snprintf(u->no_fp_reason[0], sizeof u->no_fp_reason[0],
			 "no unwind information for the last frame's code, and the frame pointer "
			 "(%s) to walk without it is not known (--stop-blocked stops the thread to "
			 "read it)", a->fp_name);
		snprintf(u->no_fp_reason[1], sizeof u->no_fp_reason[1],
			 "the next frame needs the frame pointer (%s), which a thread blocked in a "
			 "system call does not reveal (--stop-blocked stops the thread to read it)",
			 a->fp_name);
	}
	uint64_t pc = last->activation ? last->pc : last->pc - 1;
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, pc);
	if (!mod)
		return "the last frame's code lies in no module";
	Dwarf_Addr bias;
	Dwarf_CFI *cfi = dwfl_module_eh_cfi(mod, &bias);
	if (!cfi)
		cfi = dwfl_module_dwarf_cfi(mod, &bias);
	Dwarf_Frame *frame;
	if (!cfi || dwarf_cfi_addrframe(cfi, pc - bias, &frame) != 0) {
		/* Without unwind tables libdwfl walks frame pointers, which
		 * needs rbp too. */
		if (!rbp_known) {
			*needs_rbp = true;
			return u->no_fp_reason[0];
		}
		return "no unwind information for the last frame's code";
	}

	const char *reason = "the unwinder could not find the last frame's caller";
	Dwarf_Op mem[3], *ops;
	size_t nops;
	int ra = dwarf_frame_info(frame, NULL, NULL, NULL);
	if (ra >= 0 && dwarf_frame_register(frame, ra, mem, &ops, &nops) == 0 && nops == 0
	    && ops == mem) {
		reason = NULL;	/* the outermost frame */
	} else if (!rbp_known && dwarf_frame_cfa(frame, &ops, &nops) == 0 && nops > 0
		   && ((a->dwarf_fp < 32 && ops[0].atom == DW_OP_breg0 + a->dwarf_fp)
		       || (ops[0].atom == DW_OP_bregx && ops[0].number == (Dwarf_Word)a->dwarf_fp))) {
		*needs_rbp = true;
		reason = u->no_fp_reason[1];
	}
	free(frame);
	return reason;
}

void pi_unwind(struct pi_unwinder *u, pid_t tid, const struct pi_unwind_start *start,
	       size_t max_frames, struct pi_unwind_result *out)
{
	memset(out, 0, sizeof *out);
	if (!start->arch) {
		out->stop_reason = "the process's architecture is not known";
		return;
	}
	if (!u->attached) {
		out->stop_reason = "no module of the process could be opened";
		return;
	}
	u->current = start;
	u->result = out;
	u->max_frames = max_frames;
	u->last_frame_lacks_rbp = false;
	int rc = dwfl_getthread_frames(u->dwfl, tid, frame_callback, u);
	if (out->stop_reason)
		;	/* too many frames */
	else if (out->nframes == 0)
		out->stop_reason = rc ? dwfl_errmsg(-1) : "no frame could be read";
	else
		out->stop_reason = why_it_ended(u, &out->frames[out->nframes - 1],
						!u->last_frame_lacks_rbp, &out->needs_rbp);
	u->current = NULL;
	u->result = NULL;
}

void pi_unwind_result_free(struct pi_unwind_result *r)
{
	free(r->frames);
	memset(r, 0, sizeof *r);
}
