/* dwait — what a wait in D is: the vfork wait, and whether SIGKILL ends it.
 *
 * /proc shows "D" alike for TASK_UNINTERRUPTIBLE and TASK_KILLABLE (the
 * kernel's hung-task detector tells them apart and skips killable waits,
 * but nothing in /proc says which a task is in). What is left to go by is
 * the name of the function it waits in: the vfork wait, waits named
 * *_killable (NFS's rpc_wait_bit_killable, folio_wait_bit_killable,
 * mutex_lock_killable...) and FUSE's request wait accept SIGKILL. A name
 * is evidence, not proof, so only a vfork wait whose child was found is
 * called killable outright; the others are "likely", and anything else is
 * "unknown", never "not killable". Pure functions over the model. */
#ifndef PI_ANALYSIS_DWAIT_H
#define PI_ANALYSIS_DWAIT_H

#include <stdbool.h>

#include "model.h"

/* The wait of a vfork parent (vfork(), or clone with CLONE_VFORK as
 * posix_spawn uses): its wchan, or its innermost kernel frame, is
 * wait_for_vfork_done or the clone function it is inlined into. */
bool pi_d_wait_is_vfork(const char *wchan, const struct pi_strlist *kstack);

/* Whether the wait accepts SIGKILL, from its wchan and kernel stack (either
 * may be NULL or empty: unknown). vfork_child_found: the wait is the vfork
 * wait and the child sharing its memory was found. *evidence is set to the
 * name it was told by (a static string, or one of wchan and kstack's). */
enum pi_killable pi_d_wait_killable(const char *wchan, const struct pi_strlist *kstack,
				    bool vfork, bool vfork_child_found, const char **evidence);

/* "yes", "likely", "unknown" (the JSON's words). */
const char *pi_killable_name(enum pi_killable k);

#endif
