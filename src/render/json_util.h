/* json_util — helpers the JSON renderers share (render/json.c for the
 * process, render/json_threads.c for its threads). */
#ifndef PI_RENDER_JSON_UTIL_H
#define PI_RENDER_JSON_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "render/jsonw.h"

/* Clock ticks in seconds; -1 (null) when the tick rate is unknown. */
double pi_json_ticks(const struct pi_process *p, uint64_t n);
/* key: {code, name, meaning} */
void pi_json_state(struct pi_jw *w, const char *key, char code);
/* key: [strings], or null when not known. */
void pi_json_strings(struct pi_jw *w, const char *key, const struct pi_strv *sv, bool known);
/* key: [signal names] of a mask, or null. */
void pi_json_signals(struct pi_jw *w, const char *key, uint64_t mask, bool known);

/* A thread as in "threads" (also the scans' deadlocked threads). */
void pi_json_thread(struct pi_jw *w, const struct pi_process *p, const struct pi_thread *t);
/* "syscall": {state, number, name, args, sp, pc} or null. */
void pi_json_syscall(struct pi_jw *w, const struct pi_thread *t, bool abi_known, enum pi_abi abi);
/* "kernel_stack": [frames] or null. */
void pi_json_kernel_stack(struct pi_jw *w, const struct pi_thread *t);

/* "d_wait": {killable, evidence, vfork, vfork_child} or null (not in D). */
void pi_json_d_wait(struct pi_jw *w, const struct pi_process *p, const struct pi_thread *t);

/* "threads" and "zombie_children"; "stack_groups". */
void pi_json_threads(struct pi_jw *w, const struct pi_process *p);
void pi_json_stack_groups(struct pi_jw *w, const struct pi_process *p);

#endif
