/* thread — starting pinspect's helper threads (the live view's look for
 * deadlocks, its sampler) so that signals stay the main thread's. */
#ifndef PI_UTIL_THREAD_H
#define PI_UTIL_THREAD_H

#include <pthread.h>

/* pthread_create, with the new thread blocking every signal but those a
 * fault raises: a terminal's resize, an interrupt or SIGCHLD then always
 * reach the main thread, which handles them. Returns pthread_create's
 * result. */
int pi_thread_start_quiet(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
