/* rows — the rows of the architecture table (arch.c), each defined with
 * its decoders in the file of its CPU family. Only arch.c includes this. */
#ifndef PI_ARCH_ROWS_H
#define PI_ARCH_ROWS_H

#include "arch/arch.h"

extern const struct pi_arch pi_arch_x86_64;
extern const struct pi_arch pi_arch_i386;
extern const struct pi_arch pi_arch_aarch64;

#endif
