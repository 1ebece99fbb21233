#include "analysis/dwait.h"

#include <string.h>

/* Kernel frames are "func+0x1a/0x40", or "func.constprop.0+0x..": the
 * function is the part before either. */
static size_t function_len(const char *frame)
{
	return strcspn(frame, "+.");
}

static bool is_function(const char *frame, const char *name)
{
	size_t n = function_len(frame);
	return n == strlen(name) && strncmp(frame, name, n) == 0;
}

static bool is_vfork_wait(const char *name)
{
	/* wait_for_vfork_done is inlined into kernel_clone (5.10 on), or
	 * _do_fork and do_fork before it: wchan names the caller then. */
	return is_function(name, "wait_for_vfork_done") || is_function(name, "kernel_clone")
	       || is_function(name, "_do_fork") || is_function(name, "do_fork");
}

bool pi_d_wait_is_vfork(const char *wchan, const struct pi_strlist *kstack)
{
	if (wchan && *wchan)
		return is_vfork_wait(wchan);
	return kstack && kstack->n && is_vfork_wait(kstack->v[0]);
}

/* How deep into the kernel stack a wait's name is looked for: the wait
 * itself is among the innermost frames; further out are the system call
 * and the code that asked for the wait. */
enum { KILLABLE_FRAMES = 8 };

static bool names_killable_wait(const char *name)
{
	size_t n = function_len(name);
	/* FUSE waits for its daemon's answer interruptibly, then killably. */
	if (is_function(name, "request_wait_answer"))
		return true;
	for (size_t i = 0; i + 8 <= n; i++)
		if (strncmp(name + i, "killable", 8) == 0)
			return true;
	return false;
}

enum pi_killable pi_d_wait_killable(const char *wchan, const struct pi_strlist *kstack,
				    bool vfork, bool vfork_child_found, const char **evidence)
{
	*evidence = NULL;
	if (vfork) {
		/* The vfork wait sleeps TASK_KILLABLE (kernel/fork.c). */
		*evidence = "vfork";
		return vfork_child_found ? PI_KILLABLE_YES : PI_KILLABLE_LIKELY;
	}
	if (wchan && *wchan && names_killable_wait(wchan)) {
		*evidence = wchan;
		return PI_KILLABLE_LIKELY;
	}
	for (size_t i = 0; kstack && i < kstack->n && i < KILLABLE_FRAMES; i++) {
		if (names_killable_wait(kstack->v[i])) {
			*evidence = kstack->v[i];
			return PI_KILLABLE_LIKELY;
		}
	}
	return PI_KILLABLE_UNKNOWN;
}

const char *pi_killable_name(enum pi_killable k)
{
	switch (k) {
	case PI_KILLABLE_YES:
		return "yes";
	case PI_KILLABLE_LIKELY:
		return "likely";
	default:
		return "unknown";
	}
}
