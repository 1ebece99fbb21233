/* frames — where a user stack truly ends, whatever the unwind tables say.
 *
 * Unwinding past a runtime's outermost frame, or through a stack the
 * thread has since reused, reads stale words as return addresses: a data
 * address shown as a frame, or code that never called anything. Two rules
 * end a stack there. Pure: mappings and names in. */
#ifndef PI_RUNTIME_FRAMES_H
#define PI_RUNTIME_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/maps.h"

/* Does pc lie in an executable mapping of vmas[0..n) (sorted)? A return
 * address that does not is not a frame: the stack ends before it. */
bool pi_frame_pc_executable(const struct pi_vma *vmas, size_t n, uint64_t pc);

/* Is function a runtime's outermost frame, past which nothing is a
 * caller (Go's: runtime/go.h)? A stack that reaches one is complete. */
bool pi_frame_is_outermost(const char *function);

#endif
