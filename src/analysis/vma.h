/* vma — what each mapping of an address space is. */
#ifndef PI_ANALYSIS_VMA_H
#define PI_ANALYSIS_VMA_H

#include <stddef.h>

#include "model.h"

/* Sets kind and stack_tid of every VMA. The threads' user stack pointers
 * (from their syscall files) mark which anonymous mappings are thread
 * stacks; threads running on a CPU have none to offer. */
void pi_vmas_classify(struct pi_vma *vmas, size_t count, const struct pi_thread *threads,
		      size_t nthreads);

/* The index of the mapping holding addr, or -1. */
long pi_vma_find(const struct pi_vma *vmas, size_t count, uint64_t addr);

/* The vsyscall page's mode, from its permissions in maps. */
enum pi_vsyscall_mode pi_vsyscall_mode(const struct pi_vma *vmas, size_t count, int maps_err);

/* "text", "data", "heap", "main_stack", "thread_stack", "guard", "anon",
 * "file", "shm", "vdso", "vvar", "vsyscall", "other". */
const char *pi_vma_kind_name(enum pi_vma_kind kind);
const char *pi_vsyscall_mode_name(enum pi_vsyscall_mode mode);

#endif
