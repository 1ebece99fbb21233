/* threadlist — glibc's list of a process's threads, walked in its memory
 * without libthread_db, for a process whose architecture is not
 * pinspect's own (an i386 process on an x86-64 host): the libthread_db
 * pinspect links is the host's, and reads only processes of its own ABI.
 *
 * libthread_db's own walk, done by hand: glibc's ld.so keeps two lists of
 * threads in _rtld_global (_dl_stack_user: the main thread and threads on
 * stacks the program gave; _dl_stack_used: the rest), circular lists of
 * list_t links inside each struct pthread; glibc describes where those
 * fields lie in the target's own ABI with its _thread_db_* descriptors
 * (three 32-bit words: size in bits, elements, byte offset), in libc's
 * dynamic symbols. Each entry gives a struct pthread and its kernel TID;
 * src/tls/layout.h turns the first into the thread pointer.
 *
 * Everything here is the target's to forge: the descriptors are held to
 * what glibc's structures can be for the process's word size, the walk to
 * tls/bounds.h's entry limit and read budget and to the time budget, and
 * a thread it names is believed only where its TID is one of the
 * process's threads and its TCB then passes the check of layout.h. Pure
 * but for the reader it is handed: tested on memory images. */
#ifndef PI_TLS_THREADLIST_H
#define PI_TLS_THREADLIST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tls/layout.h"
#include "util/deadline.h"

/* Where the walk's symbols lie in the target (0: not found). */
struct pi_tls_list_syms {
	uint64_t rtld_global;		/* _rtld_global, in ld.so */
	/* The _thread_db_* descriptors, in libc. */
	uint64_t stack_user;		/* rtld_global__dl_stack_user */
	uint64_t stack_used;		/* rtld_global__dl_stack_used */
	uint64_t pthread_list;		/* pthread_list: the link in struct pthread */
	uint64_t pthread_tid;		/* pthread_tid */
	uint64_t list_next;		/* list_t_next */
	uint64_t sizeof_pthread;	/* sizeof_pthread: one 32-bit word */
};

/* The descriptor symbols' names, in the order of the fields above after
 * rtld_global, for a symbol lookup to fill them. */
extern const char *const pi_tls_list_descriptor_names[6];

/* Called for each entry: its kernel TID (as the target wrote it) and its
 * thread pointer. */
typedef void pi_tls_list_fn(void *arg, pid_t tid, uint64_t tp);

/* Walks the lists of a process of row a with about ntasks threads,
 * reading its memory through read. Returns 0, -ENOENT when a symbol is
 * missing (not glibc 2.34 or later, or a static program), -EIO when its
 * memory could not be read, -PI_ERR_THREAD_LIST_LAYOUT for a descriptor
 * no glibc of its word size has, or why the walk was stopped
 * (-PI_ERR_THREAD_LIST_LOOP, _LONG, -PI_ERR_THREAD_DB_BUDGET,
 * -PI_ERR_TIMEOUT); the threads reported before a stop stand. */
int pi_tls_list_walk(const struct pi_arch *a, const struct pi_tls_list_syms *syms, size_t ntasks,
		     const struct pi_deadline *deadline, pi_tls_read_fn *read, void *read_arg,
		     pi_tls_list_fn *fn, void *arg);

#endif
