/* waits — what blocked threads wait for beyond their process
 * (collect/waits.c), as the snapshot's WAITS FOR section and as each
 * thread's "waits_for" in JSON; one table of words for both. */
#ifndef PI_RENDER_WAITS_H
#define PI_RENDER_WAITS_H

#include "model.h"
#include "render/jsonw.h"
#include "util/buf.h"

/* The WAITS FOR section: a line per wait, threads with the same wait
 * together. Nothing when no thread waits for another process. */
void pi_text_waits(struct pi_buf *b, const struct pi_process *p);

/* "waits_for": {...} or null, for thread t. */
void pi_json_waits_for(struct pi_jw *w, const struct pi_process *p, const struct pi_thread *t);

/* "waits_network_namespace": "net:[N]" when p is in another network
 * namespace than pinspect's (its sockets looked up in it), else null;
 * "file_locks_wanted": the file locks p holds that other processes wait
 * for, with their waiters; null when waits were not looked at. */
void pi_json_locks_wanted(struct pi_jw *w, const struct pi_process *p);

#endif
