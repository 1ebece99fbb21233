#include "runtime/frames.h"

#include "analysis/vma.h"
#include "runtime/go.h"

bool pi_frame_pc_executable(const struct pi_vma *vmas, size_t n, uint64_t pc)
{
	long i = pi_vma_find(vmas, n, pc);
	return i >= 0 && vmas[i].perms[2] == 'x';
}

bool pi_frame_is_outermost(const char *function)
{
	return pi_go_is_outermost(function);
}
