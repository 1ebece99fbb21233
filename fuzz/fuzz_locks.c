/* The lock analysis (analysis/locks.c) over lock words a process wrote
 * itself: a futex word, a mutex's __owner, __kind and __nusers are plain
 * memory any thread may scribble on, so they may name any thread, form
 * any graph, or name threads of other processes. The input drives a whole
 * process: its threads (unique TIDs, in order, as collect/ builds them),
 * their states, names and futex words, the held locks found among its
 * symbols, and threads of other processes. The analysis must end, and
 * its messages show names only escaped. */
#include <linux/futex.h>
#include <stdbool.h>

#include "analysis/locks.h"
#include "fuzz.h"
#include "model.h"

enum { MAX_THREADS = 12, MAX_HELD = 4, MAX_OTHERS = 4, MAX_NAME = 20 };

struct scenario {
	pid_t tids[MAX_THREADS + MAX_OTHERS];
	size_t ntids;
	char *strings[4 * MAX_THREADS + 2 * MAX_HELD + 2 * MAX_OTHERS];
	size_t nstrings;
};

/* Mostly a TID that exists (in the process or outside), sometimes any. */
static pid_t some_tid(struct fz *f, const struct scenario *sc)
{
	uint8_t how = (uint8_t)fz_take(f, 1);
	if (how < 0xe0 && sc->ntids)
		return sc->tids[how % sc->ntids];
	return (pid_t)fz_take(f, 4);
}

static char *name(struct fz *f, struct scenario *sc)
{
	char *s = fz_string(f, MAX_NAME);
	sc->strings[sc->nstrings++] = s;
	return s;
}

static char some_state(struct fz *f)
{
	static const char states[] = "RSDZTtXI";
	uint8_t b = (uint8_t)fz_take(f, 1);
	return b < 0xf0 ? states[b % (sizeof states - 1)] : (char)b;
}

static void fill_futex(struct fz *f, const struct scenario *sc, struct pi_futex *x)
{
	uint8_t flags = (uint8_t)fz_take(f, 1);
	x->waiting = flags & 1;
	x->private_op = flags & 2;
	x->own_stack = flags & 4;
	x->read_err = flags & 8 ? -14 : 0;
	static const unsigned ops[] = { FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI,
					FUTEX_LOCK_PI2, FUTEX_WAIT_REQUEUE_PI, FUTEX_WAKE };
	x->op = ops[(flags >> 4) % (sizeof ops / sizeof ops[0])];
	x->addr = fz_take(f, 2) << 3;
	x->expected = (uint32_t)fz_take(f, 1) % 4;
	/* The word: a TID with the kernel's flag bits, or a small value. */
	uint8_t w = (uint8_t)fz_take(f, 1);
	x->word = w & 0x80 ? (uint32_t)some_tid(f, sc) | ((uint32_t)(w & 3) << 30) : w % 4;
	x->count = (uint32_t)fz_take(f, 1);
	x->owner_field = some_tid(f, sc);
	x->nusers = (uint32_t)fz_take(f, 1);
	uint16_t kind = (uint16_t)fz_take(f, 2);
	x->mutex_kind = kind & 0x8000 ? (int32_t)((uint32_t)kind << 16) : kind & 0x3ff;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct scenario sc = { .ntids = 0, .nstrings = 0 };
	struct pi_process p;
	memset(&p, 0, sizeof p);

	size_t n = 1 + fz_take(&f, 1) % MAX_THREADS;
	size_t nothers = fz_take(&f, 1) % (MAX_OTHERS + 1);
	pid_t tid = 100;
	for (size_t i = 0; i < n + nothers; i++) {
		tid += 1 + (pid_t)(fz_take(&f, 1) % 3);
		sc.tids[sc.ntids++] = tid;
	}

	uint8_t pflags = (uint8_t)fz_take(&f, 1);
	p.pid = sc.tids[0];
	p.locks_collected = true;
	p.abi_known = pflags & 1;
	p.abi = (enum pi_abi)((pflags >> 1) % 3);
	/* A process in a PID namespace of its own: the words hold its TIDs. */
	p.status.nspid_levels = pflags & 8 ? 2 : 1;
	p.status_err = pflags & 16 ? -13 : 0;

	p.threads = calloc(n, sizeof *p.threads);
	p.nthreads = n;
	for (size_t i = 0; i < n; i++) {
		struct pi_thread *t = &p.threads[i];
		uint8_t tflags = (uint8_t)fz_take(&f, 1);
		t->facts.tid = sc.tids[i];
		t->stat_err = tflags & 1 ? -2 : 0;
		t->facts.state = some_state(&f);
		const char *comm = tflags & 2 ? NULL : name(&f, &sc);
		if (comm)
			pi_facts_set_comm(&t->facts, comm);
		pi_fact_set_known(&t->facts, PI_FACT_STAT, !t->stat_err);
		t->status_err = tflags & 4 ? -2 : 0;
		t->status.ns_tid = tflags & 8 ? (pid_t)(1 + i) : 0;
		t->syscall_err = tflags & 16 ? -2 : 0;
		t->syscall.kind = (enum pi_syscall_kind)((tflags >> 5) % 3);
		t->syscall.nr = (long)(int16_t)fz_take(&f, 2);
		t->facts.wchan = "futex_wait_queue";
		t->facts.known |= PI_FACT_WCHAN;
		fill_futex(&f, &sc, &t->futex);
		t->futex.symbol = tflags & 128 ? name(&f, &sc) : NULL;
	}

	p.nheld_locks = fz_take(&f, 1) % (MAX_HELD + 1);
	p.held_locks = calloc(p.nheld_locks ? p.nheld_locks : 1, sizeof *p.held_locks);
	for (size_t i = 0; i < p.nheld_locks; i++) {
		struct pi_held_lock *h = &p.held_locks[i];
		h->addr = fz_take(&f, 2) << 3;
		h->owner = some_tid(&f, &sc);
		h->pi = fz_take(&f, 1) & 1;
		h->depth = (uint32_t)fz_take(&f, 1);
		h->symbol = name(&f, &sc);
	}

	p.nother_tasks = nothers;
	p.other_tasks = calloc(nothers ? nothers : 1, sizeof *p.other_tasks);
	for (size_t i = 0; i < nothers; i++) {
		struct pi_other_task *o = &p.other_tasks[i];
		o->tid = sc.tids[n + i];
		o->tgid = (pid_t)fz_take(&f, 2);
		char *comm = name(&f, &sc);
		snprintf(o->comm, sizeof o->comm, "%s", comm);
		o->state = some_state(&f);
		o->syscall_nr = (long)(int16_t)fz_take(&f, 2);
		o->wchan = "";
		o->err = fz_take(&f, 1) & 1;
	}

	for (size_t i = 0; i < n; i++) {
		enum pi_lock_kind kind;
		pi_futex_named_owner(&p.threads[i].futex, &kind);
		fz_require(kind <= PI_LOCK_UNKNOWN);
		pi_lock_kind_name(kind);
		pi_futex_op_name(p.threads[i].futex.op);
	}
	pi_locks_analyze(&p);

	for (size_t i = 0; i < p.nfindings; i++) {
		const char *m = p.findings[i].message;
		fz_require(m != NULL);
		for (; *m; m++)
			fz_require((unsigned char)*m >= 0x20 && *m != 0x7f);
	}
	/* A thread is only ever said to wait for a thread that lives. */
	for (size_t i = 0; i < n; i++) {
		pid_t owner = p.threads[i].futex.owner;
		if (owner <= 0)
			continue;
		bool known = false;
		for (size_t k = 0; k < sc.ntids; k++)
			known |= sc.tids[k] == owner;
		for (size_t k = 0; k < p.nheld_locks; k++)
			known |= p.held_locks[k].owner == owner;
		fz_require(known);
	}

	for (size_t i = 0; i < sc.nstrings; i++)
		free(sc.strings[i]);
	pi_process_free(&p);
	return 0;
}
