/* locks — what each thread asleep in futex() waits on, and which of the
 * program's mutexes are held, read from the target's memory (which does
 * not stop it).
 *
 * A thread blocked in futex() shows the futex's address, operation and
 * expected value in its syscall file. For a glibc mutex the word there is
 * the lock (2: locked, with waiters) and the owner's TID sits 8 bytes
 * further (__owner; where __kind is depends on the architecture, see
 * src/arch); a priority-inheritance futex word holds its owner's
 * TID itself. What it all means is decided in analysis/locks.c. */
#ifndef PI_COLLECT_LOCKS_H
#define PI_COLLECT_LOCKS_H

#include "model.h"
#include "sys/abi.h"

struct Dwfl;

/* A word of the target's memory and the variable it lies in. */
struct pi_named_word {
	uint64_t addr;
	const char *name;		/* "pi_lock_a", "pi::m+0x8"; NULL: none */
};

/* What the stacks' sandboxed child (collect/stack_sandbox.h) found in
 * the program's symbol tables, for pi_collect_locks: the root side never
 * parses the target's files itself. */
struct pi_lock_symbols {
	/* By thread index: the futex the thread waited on when the child
	 * looked, named (a thread that moved since gets no name). */
	struct pi_named_word *futex;
	size_t nthreads;
	/* The program's own mutex-sized variables (the program and its own
	 * libraries): their words are read, and a held one is listed. */
	struct pi_named_word *mutexes;
	size_t nmutexes, mutexes_cap;
};

enum { PI_LOCK_MAX_MUTEXES = 65536 };

void pi_lock_symbols_free(struct pi_lock_symbols *s);

/* futex()'s system call number in a process of this ABI. */
long pi_futex_nr(enum pi_abi abi, bool abi_known);
/* When sc is a futex() call a thread sleeps in (a wait, or taking a
 * priority-inheritance lock), fills f's address, operation and expected
 * value and returns true; otherwise clears f and returns false. */
bool pi_futex_from_syscall(const struct pi_syscall *sc, long futex_nr, struct pi_futex *f);
/* Reads the futex word at f->addr in pid, and the pthread_mutex_t fields
 * that would follow it, laid out as arch says (src/arch; NULL: x32, as
 * x86-64). Returns 0, or -errno (also left in f->read_err). */
int pi_futex_read(pid_t pid, const struct pi_arch *arch, struct pi_futex *f);

/* Fills each thread's futex, p->held_locks, and p->other_tasks (lock
 * holders in other processes), reading memory. syms, when not NULL, names
 * the variables. */
void pi_collect_locks(struct pi_process *p, const struct pi_lock_symbols *syms);

/* In the sandboxed child: names each waiting thread's futex word and
 * lists the program's mutex variables, from dwfl's symbol tables; names
 * are interned in pool. out is allocated here (pi_lock_symbols_free). */
void pi_lock_symbols_find(const struct pi_process *p, struct Dwfl *dwfl, struct pi_strpool *pool,
			  struct pi_lock_symbols *out);

#endif
