/* vdso_sandbox — decoding a target's vDSO image in the sandbox.
 *
 * The image is copied out of the target's memory, which the target can
 * write (a process may patch its own vDSO through /proc/self/mem), so
 * libelf reads it in a sandboxed child (src/sandbox/). The child sends the
 * build-id, the soname and the exported functions back as records; the
 * root side checks each (hex only, lengths and counts capped, no NUL)
 * before it fills struct pi_vdso. */
#ifndef PI_ELF_VDSO_SANDBOX_H
#define PI_ELF_VDSO_SANDBOX_H

#include <stddef.h>

#include "model.h"
#include "sandbox/sandbox.h"

enum {
	PI_VDSO_MAX_SYMBOLS = 1024,	/* the kernel's vDSO exports about a dozen */
	PI_VDSO_MAX_NAME = 255,		/* bytes of a symbol's name; longer ones are left out */
};

/* pi_vdso_decode (vdso.h), run in the sandbox. Returns what it returns
 * (0, or -EINVAL for bytes that are not ELF), or a PI_ERR_SANDBOX_*
 * reason; v is filled only on 0. */
int pi_vdso_decode_sandboxed(void *image, size_t size, struct pi_vdso *v);

/* The same in two halves: start forks the decoder, finish waits for it
 * and fills v (returning what pi_vdso_decode_sandboxed returns), so that
 * the root side can read the rest of the process meanwhile. A job that
 * start returned must be finished; when start fails, nothing runs and
 * its error is the vDSO's. */
struct pi_vdso_job;
int pi_vdso_decode_start(void *image, size_t size, struct pi_vdso_job **job);
int pi_vdso_decode_finish(struct pi_vdso_job *job, struct pi_vdso *v);

/* The same with the sandbox's settings and the decoder given, for tests:
 * decode stands for pi_vdso_decode. */
int pi_vdso_decode_sandboxed_with(const struct pi_sandbox_config *cfg,
				  int (*decode)(void *image, size_t size, struct pi_vdso *v),
				  void *image, size_t size, struct pi_vdso *v);

#endif
