#include "analysis/vma.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

const char *pi_vma_kind_name(enum pi_vma_kind kind)
{
	static const char *const names[PI_VMA_KIND_COUNT] = {
		[PI_VMA_UNCLASSIFIED] = "unclassified",
		[PI_VMA_TEXT] = "text",
		[PI_VMA_DATA] = "data",
		[PI_VMA_HEAP] = "heap",
		[PI_VMA_MAIN_STACK] = "main_stack",
		[PI_VMA_THREAD_STACK] = "thread_stack",
		[PI_VMA_GUARD] = "guard",
		[PI_VMA_ANON] = "anon",
		[PI_VMA_FILE] = "file",
		[PI_VMA_SHM] = "shm",
		[PI_VMA_VDSO] = "vdso",
		[PI_VMA_VVAR] = "vvar",
		[PI_VMA_VSYSCALL] = "vsyscall",
		[PI_VMA_OTHER] = "other",
	};
	return kind < PI_VMA_KIND_COUNT ? names[kind] : "unclassified";
}

const char *pi_vsyscall_mode_name(enum pi_vsyscall_mode mode)
{
	switch (mode) {
	case PI_VSYSCALL_NONE: return "none";
	case PI_VSYSCALL_XONLY: return "xonly";
	case PI_VSYSCALL_EMULATE: return "emulate";
	case PI_VSYSCALL_NATIVE: return "native";
	default: return "unknown";
	}
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static enum pi_vma_kind kernel_named_kind(const char *path)
{
	if (strcmp(path, "[heap]") == 0)
		return PI_VMA_HEAP;
	if (strcmp(path, "[stack]") == 0)
		return PI_VMA_MAIN_STACK;
	if (strcmp(path, "[vdso]") == 0)
		return PI_VMA_VDSO;
	if (starts_with(path, "[vvar"))		/* [vvar], and [vvar_vclock] since 6.13 */
		return PI_VMA_VVAR;
	if (strcmp(path, "[vsyscall]") == 0)
		return PI_VMA_VSYSCALL;
	if (starts_with(path, "[anon_shmem:"))
		return PI_VMA_SHM;
	if (starts_with(path, "[anon:"))	/* named with PR_SET_VMA_ANON_NAME */
		return PI_VMA_ANON;
	return PI_VMA_OTHER;
}

static bool is_shared_memory_path(const char *path)
{
	return starts_with(path, "/dev/shm/") || starts_with(path, "/memfd:")
	       || starts_with(path, "/SYSV") || starts_with(path, "/dev/zero");
}

/* Mappings of one file, the same as its device, inode and path. */
static int by_file(const void *a, const void *b)
{
	const struct pi_vma *x = *(const struct pi_vma *const *)a;
	const struct pi_vma *y = *(const struct pi_vma *const *)b;
	if (x->dev_major != y->dev_major)
		return x->dev_major < y->dev_major ? -1 : 1;
	if (x->dev_minor != y->dev_minor)
		return x->dev_minor < y->dev_minor ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* An object with an executable mapping is an ELF object (program or
 * library): its other mappings are its data. texts holds the executable
 * file mappings sorted by file: a process may have 65530 mappings, and
 * comparing each with every other took minutes. */
static bool object_has_text(const struct pi_vma *const *texts, size_t ntexts, const struct pi_vma *v)
{
	return bsearch(&v, texts, ntexts, sizeof *texts, by_file) != NULL;
}

static enum pi_vma_kind classify_one(const struct pi_vma *vmas, size_t i,
				     const struct pi_vma *const *texts, size_t ntexts)
{
	const struct pi_vma *v = &vmas[i];

	if (v->path && v->path[0] == '[')
		return kernel_named_kind(v->path);
	if (v->perms[3] == 's' && (!v->path || is_shared_memory_path(v->path)))
		return PI_VMA_SHM;
	if (v->path && v->inode != 0)
		return v->perms[2] == 'x' ? PI_VMA_TEXT
		       : object_has_text(texts, ntexts, v) ? PI_VMA_DATA : PI_VMA_FILE;
	if (v->path)
		return PI_VMA_FILE;
	if (strncmp(v->perms, "---", 3) == 0)
		return PI_VMA_GUARD;
	/* Writable anonymous memory right after an object's data is that
	 * object's .bss. */
	if (i > 0 && vmas[i - 1].end == v->start && vmas[i - 1].kind == PI_VMA_DATA
	    && v->perms[1] == 'w')
		return PI_VMA_DATA;
	return PI_VMA_ANON;
}

void pi_vmas_classify(struct pi_vma *vmas, size_t count, const struct pi_thread *threads,
		      size_t nthreads)
{
	const struct pi_vma **texts = pi_xcalloc(count ? count : 1, sizeof *texts);
	size_t ntexts = 0;
	for (size_t i = 0; i < count; i++)
		if (vmas[i].perms[2] == 'x' && vmas[i].path && vmas[i].inode != 0)
			texts[ntexts++] = &vmas[i];
	qsort(texts, ntexts, sizeof *texts, by_file);
	for (size_t i = 0; i < count; i++) {
		vmas[i].kind = classify_one(vmas, i, texts, ntexts);
		vmas[i].stack_tid = 0;
	}
	free(texts);
	for (size_t t = 0; t < nthreads; t++) {
		const struct pi_thread *th = &threads[t];
		if (th->syscall_err || th->syscall.kind == PI_SYSCALL_RUNNING) {
			/* A thread stopped for its stack has its sp anyway. */
			if (!th->regs.all)
				continue;
		}
		uint64_t sp = th->regs.known ? th->regs.rsp : th->syscall.sp;
		long at = pi_vma_find(vmas, count, sp);
		if (at < 0)
			continue;
		struct pi_vma *v = &vmas[at];
		if (v->kind == PI_VMA_ANON || v->kind == PI_VMA_DATA)
			v->kind = PI_VMA_THREAD_STACK;
		if ((v->kind == PI_VMA_THREAD_STACK || v->kind == PI_VMA_MAIN_STACK) && !v->stack_tid)
			v->stack_tid = th->facts.tid;
	}
}

long pi_vma_find(const struct pi_vma *vmas, size_t count, uint64_t addr)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (vmas[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < count && addr >= vmas[lo].start ? (long)lo : -1;
}

enum pi_vsyscall_mode pi_vsyscall_mode(const struct pi_vma *vmas, size_t count, int maps_err)
{
	if (maps_err)
		return PI_VSYSCALL_UNKNOWN;
	for (size_t i = 0; i < count; i++) {
		if (!vmas[i].path || strcmp(vmas[i].path, "[vsyscall]") != 0)
			continue;
		if (strncmp(vmas[i].perms, "--x", 3) == 0)
			return PI_VSYSCALL_XONLY;
		if (strncmp(vmas[i].perms, "r-x", 3) == 0)
			return PI_VSYSCALL_EMULATE;
		return PI_VSYSCALL_NATIVE;
	}
	return PI_VSYSCALL_NONE;
}
