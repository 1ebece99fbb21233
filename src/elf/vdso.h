/* vdso — decoding the vDSO image copied out of a process.
 *
 * The kernel maps a small shared library, the vDSO, into every process so
 * that clock_gettime() and friends need no system call. Its pages hold a
 * complete ELF image: libelf reads the exported functions and the GNU
 * build-id straight from a copy in memory. */
#ifndef PI_ELF_VDSO_H
#define PI_ELF_VDSO_H

#include <stddef.h>

#include "model.h"

/* Decodes image[0..size) into v's symbols, build_id and soname. Returns 0,
 * or -EINVAL when the bytes are not an ELF image libelf can read. Pure: it
 * neither reads the process nor keeps a pointer into image. */
int pi_vdso_decode(void *image, size_t size, struct pi_vdso *v);

#endif
