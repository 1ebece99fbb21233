#include "tls/threadlist.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "analysis/reasons.h"
#include "tls/bounds.h"

const char *const pi_tls_list_descriptor_names[6] = {
	"_thread_db_rtld_global__dl_stack_user",
	"_thread_db_rtld_global__dl_stack_used",
	"_thread_db_pthread_list",
	"_thread_db_pthread_tid",
	"_thread_db_list_t_next",
	"_thread_db_sizeof_pthread",
};

/* The bytes from the start of struct rtld_global to its last field: about
 * 4 KiB in glibc 2.36 on x86-64; a larger offset is forged. */
enum { MAX_RTLD_GLOBAL = 64 * 1024 };

struct walker {
	const struct pi_arch *a;
	pi_tls_read_fn *read;
	void *read_arg;
	const struct pi_deadline *deadline;
	struct pi_tdb_budget budget;
	struct pi_tdb_walk_guard guard;
};

/* Every read: counted against the walk's budget and the deadline. */
static int take(struct walker *w, uint64_t addr, void *buf, size_t len)
{
	if (pi_deadline_passed(w->deadline))
		return -PI_ERR_TIMEOUT;
	int why = pi_tdb_budget_take(&w->budget, len);
	if (why)
		return why;
	return w->read(w->read_arg, addr, buf, len) == (ssize_t)len ? 0 : -EIO;
}

static int word(struct walker *w, uint64_t addr, uint64_t *out)
{
	uint8_t bytes[8];
	int err = take(w, addr, bytes, w->a->ptr_size);
	if (!err)
		*out = pi_arch_word(w->a, bytes);
	return err;
}

/* A field's descriptor at addr: its byte offset, when it is one field
 * (not an array) of bits bits at an offset below max. */
static int field(struct walker *w, uint64_t addr, uint32_t bits, uint32_t max, uint32_t *offset)
{
	uint32_t d[3];
	if (!addr)
		return -ENOENT;
	int err = take(w, addr, d, sizeof d);
	if (err)
		return err;
	if (d[0] != bits || d[1] != 1 || d[2] >= max)
		return -PI_ERR_THREAD_LIST_LAYOUT;
	*offset = d[2];
	return 0;
}

/* One circular list whose head lies at head: each entry's struct pthread
 * is the link's address less the link's offset in it. */
static int walk_list(struct walker *w, uint64_t head, uint32_t next_off, uint32_t link_off,
		     uint32_t tid_off, uint32_t sizeof_pthread, pi_tls_list_fn *fn, void *arg)
{
	uint64_t mask = w->a->ptr_size == 4 ? 0xffffffffu : UINT64_MAX;
	uint64_t entry;
	int err = word(w, (head + next_off) & mask, &entry);
	if (err)
		return err;
	/* Before glibc has set its lists up (the first instants of a
	 * process) the head is still zero: no entries yet. */
	if (!entry)
		return 0;
	while (entry != head) {
		if (!entry || entry < link_off)
			return -EIO;	/* a link to nowhere: the list ends here */
		err = pi_tdb_guard_visit(&w->guard, entry);
		if (err)
			return err;
		uint64_t pd = entry - link_off;
		int32_t tid;
		err = take(w, (pd + tid_off) & mask, &tid, sizeof tid);
		if (err)
			return err;
		/* A thread that has ended but is not joined yet keeps its
		 * entry, its TID cleared by the kernel: nothing to report. */
		if (tid > 0)
			fn(arg, (pid_t)tid, pi_tls_tp_of_pthread(w->a, pd, sizeof_pthread));
		err = word(w, (entry + next_off) & mask, &entry);
		if (err)
			return err;
	}
	return 0;
}

int pi_tls_list_walk(const struct pi_arch *a, const struct pi_tls_list_syms *syms, size_t ntasks,
		     const struct pi_deadline *deadline, pi_tls_read_fn *read, void *read_arg,
		     pi_tls_list_fn *fn, void *arg)
{
	struct walker w = { .a = a, .read = read, .read_arg = read_arg, .deadline = deadline };
	uint32_t ptr_bits = 8 * a->ptr_size;
	uint32_t user_off = 0, used_off = 0, link_off = 0, tid_off = 0, next_off = 0;
	uint32_t sizeof_pthread = 0;
	int err;

	if (!syms->rtld_global)
		return -ENOENT;
	pi_tdb_budget_init(&w.budget, ntasks);
	/* list_t is two pointers, next and prev; struct pthread is about
	 * 2 KiB, a read libthread_db itself is allowed (bounds.h). */
	if ((err = field(&w, syms->stack_user, 2 * ptr_bits, MAX_RTLD_GLOBAL, &user_off))
	    || (err = field(&w, syms->stack_used, 2 * ptr_bits, MAX_RTLD_GLOBAL, &used_off))
	    || (err = field(&w, syms->list_next, ptr_bits, 2 * a->ptr_size, &next_off))
	    || (err = field(&w, syms->pthread_list, 2 * ptr_bits, PI_TDB_MAX_READ, &link_off))
	    || (err = field(&w, syms->pthread_tid, 32, PI_TDB_MAX_READ, &tid_off)))
		return err;
	if (a->tls_variant == PI_TLS_VARIANT_I) {
		/* Only variant I needs struct pthread's size (the thread
		 * pointer follows it). */
		if (!syms->sizeof_pthread)
			return -ENOENT;
		if ((err = take(&w, syms->sizeof_pthread, &sizeof_pthread, sizeof sizeof_pthread)))
			return err;
		if (sizeof_pthread == 0 || sizeof_pthread > PI_TDB_MAX_READ)
			return -PI_ERR_THREAD_LIST_LAYOUT;
	}
	pi_tdb_guard_init(&w.guard, ntasks);
	uint64_t mask = a->ptr_size == 4 ? 0xffffffffu : UINT64_MAX;
	err = walk_list(&w, (syms->rtld_global + user_off) & mask, next_off, link_off, tid_off,
			sizeof_pthread, fn, arg);
	if (!err)
		err = walk_list(&w, (syms->rtld_global + used_off) & mask, next_off, link_off,
				tid_off, sizeof_pthread, fn, arg);
	pi_tdb_guard_free(&w.guard);
	return err;
}
