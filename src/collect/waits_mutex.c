/* The third part of collect/waits: a thread asleep in futex() on a
 * process-shared mutex whose owner is a thread of another process. The
 * lock word names the owner; it is memory the target (and every other
 * process mapping it) writes, so the TID is believed only for a thread
 * of a process that maps the same object (device, inode) at the same
 * offset. A wait on memory no other process can map (a private mapping:
 * pthread_join's wait on a thread's TID, a private futex) is not a wait
 * across processes, and is left to the lock analysis. See waits_run.h. */
#include "collect/waits.h"
#include "collect/waits_run.h"

#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/locks.h"
#include "collect/locks.h"
#include "proc/maps.h"
#include "proc/reader.h"
#include "proc/status.h"
#include "sys/abi.h"
#include "util/xalloc.h"

enum {
	FUTEX_TID = 0x3fffffff,		/* FUTEX_TID_MASK */
	OWNER_DIED = 0x40000000,	/* FUTEX_OWNER_DIED: the kernel saw the owner exit */
	MUTEX_KIND_ROBUST = 16,		/* pthread_mutex_t.__kind flags */
	MUTEX_KIND_PI = 32,
	MUTEX_KIND_KNOWN = 3 | 16 | 32 | 64 | 128 | 256 | 512,
	MAX_MAPS_BYTES = 16 << 20,	/* a maps file bigger than this is not searched */
};

bool pi_waits_futex_call(const char *name)
{
	return name && (strcmp(name, "futex") == 0 || strcmp(name, "futex_time64") == 0);
}

/* A shared futex wait (or PI lock) with no timeout: only whoever holds
 * the lock can end it. f is filled when it is a futex wait at all. */
static bool shared_futex_wait(const struct pi_syscall *sc, enum pi_abi abi, struct pi_futex *f, bool *forever)
{
	if (!pi_futex_from_syscall(sc, pi_futex_nr(abi, true), f) || f->private_op)
		return false;
	/* arg 3 is the timeout for every waiting command; NULL: for ever. */
	*forever = sc->args[3] == 0;
	return true;
}

bool pi_waits_futex_forever(const struct pi_syscall *sc, enum pi_abi abi)
{
	struct pi_futex f;
	bool forever = false;
	return sc->kind == PI_SYSCALL_IN && shared_futex_wait(sc, abi, &f, &forever) && forever;
}

/* The mappings of a process, parsed from its maps file (fd: its /proc
 * directory). Returns 0 or -errno; *out is the caller's to free. */
static int read_maps(struct pi_buf *buf, int fd, struct pi_vma **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int err = pi_read_at(fd, "maps", buf);
	if (err)
		return err;
	if (buf->len > MAX_MAPS_BYTES)
		return -E2BIG;
	return pi_maps_parse(buf->data, buf->len, out, n);
}

static const struct pi_vma *vma_at(const struct pi_vma *v, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (addr >= v[i].start && addr < v[i].end)
			return &v[i];
	return NULL;
}

bool pi_waits_maps_same_object(const struct pi_vma *v, size_t n, const struct pi_vma *like, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].perms[3] == 's' && v[i].inode == like->inode && v[i].dev_major == like->dev_major
		    && v[i].dev_minor == like->dev_minor && off >= v[i].offset
		    && off - v[i].offset < v[i].end - v[i].start)
			return true;
	return false;
}

/* The target's mappings and PID namespace, read once per process. */
static void read_target(struct ctx *c)
{
	if (c->maps_read)
		return;
	c->maps_read = true;
	c->maps_err = read_maps(&c->r->buf, c->procfd, &c->vmas, &c->nvmas);
	struct pi_status st;
	c->own_pidns = pi_read_at(c->procfd, "status", &c->r->buf) == 0
		       && pi_status_parse(c->r->buf.data, c->r->buf.len, &st) == 0 && st.nspid_levels > 1;
}

bool pi_waits_mutex_owner(const struct pi_futex *f, pid_t *owner, bool *died)
{
	enum pi_lock_kind kind;
	*owner = pi_futex_named_owner(f, &kind);
	*died = (kind == PI_LOCK_PI_MUTEX) && (f->word & OWNER_DIED);
	if (kind == PI_LOCK_MUTEX || kind == PI_LOCK_PI_MUTEX)
		return true;
	if (kind == PI_LOCK_NOT_MUTEX && (f->op == FUTEX_WAIT || f->op == FUTEX_WAIT_BITSET)
	    && f->mutex_kind >= 0 && (f->mutex_kind & ~MUTEX_KIND_KNOWN) == 0
	    && (f->mutex_kind & MUTEX_KIND_ROBUST) && !(f->mutex_kind & MUTEX_KIND_PI)
	    && f->expected == f->word && (f->word & (FUTEX_TID | OWNER_DIED))) {
		*owner = (pid_t)(f->word & FUTEX_TID);
		*died = f->word & OWNER_DIED;
		return true;
	}
	return false;
}

static void set_owner(struct pi_wait_object *o, pid_t pid, pid_t tid)
{
	o->owner_check = PI_OWNER_VERIFIED;
	o->peers[0] = (struct pi_wait_peer){ .pid = pid, .fd = -1, .tid = tid, .state = '?' };
	o->npeers = o->peers_total = 1;
}

/* Checks the owner tid against the mutex's object (the target's mapping
 * v, offset off in it) and fills o's peer, owner_check and where. */
static void check_owner(struct ctx *c, struct pi_wait_object *o, pid_t tid, const struct pi_vma *v, uint64_t off,
			bool robust)
{
	struct run *r = c->r;
	char where[256];

	o->owner_tid = tid;
	o->owner_check = PI_OWNER_UNVERIFIED;
	if (c->own_pidns) {
		snprintf(where, sizeof where, "the lock word names thread %d, a number in the process's own "
			 "PID namespace: its owner is not looked up", (int)tid);
		o->where = pi_strpool_intern(&r->target->strings, where);
		return;
	}
	int fd = pi_proc_open(tid);
	struct pi_status st;
	int err = fd < 0 ? fd : pi_read_at(fd, "status", &r->buf);
	if (!err)
		err = pi_status_parse(r->buf.data, r->buf.len, &st);
	if (!err && (!(st.have & PI_STATUS_TGID) || st.pid != tid))
		err = -EINVAL;	/* not a thread's own record */
	if (pi_err_gone(err) || (!err && (st.state == 'Z' || st.state == 'X'))) {
		if (fd >= 0)
			close(fd);
		o->owner_check = PI_OWNER_DIED;
		snprintf(where, sizeof where, robust ? "its owner, thread %d, has exited; the next to lock it gets "
						       "EOWNERDEAD (a robust mutex)"
						     : "its owner, thread %d, has exited without unlocking it: "
						       "nothing will wake this wait",
			 (int)tid);
		o->where = pi_strpool_intern(&r->target->strings, where);
		return;
	}
	if (err) {
		if (fd >= 0)
			close(fd);
		o->err = err;
		return;
	}
	if (st.tgid == c->pid) {
		close(fd);
		set_owner(o, st.tgid, tid);	/* its own thread: the lock analysis's to tell */
		return;
	}
	struct pi_vma *theirs;
	size_t ntheirs;
	err = read_maps(&r->buf, fd, &theirs, &ntheirs);
	close(fd);
	if (err) {
		o->err = err;
		return;
	}
	bool same = pi_waits_maps_same_object(theirs, ntheirs, v, off);
	pi_vmas_free(theirs, ntheirs);
	if (!same) {
		snprintf(where, sizeof where, "the lock word names thread %d of process %d, which does not map "
			 "this memory: not believed (its owner may have exited and the number been reused, or the "
			 "word is not a mutex's)", (int)tid, (int)st.tgid);
		o->where = pi_strpool_intern(&r->target->strings, where);
		return;
	}
	set_owner(o, st.tgid, tid);
}

struct pi_wait_for *pi_waits_mutex(struct ctx *c, struct pi_thread *t)
{
	struct pi_futex f;
	bool forever = false;
	if (!shared_futex_wait(&t->syscall, c->abi, &f, &forever))
		return NULL;
	read_target(c);
	const struct pi_vma *v = c->maps_err ? NULL : vma_at(c->vmas, c->nvmas, f.addr);
	/* Only a shared mapping can be mapped by another process too. */
	if (!v || v->perms[3] != 's')
		return NULL;
	int err = pi_futex_read(c->pid, pi_abi_arch(c->abi, true), &f);
	pid_t owner = 0;
	bool died = false;
	if (!err && !pi_waits_mutex_owner(&f, &owner, &died))
		return NULL;	/* a condition variable, a semaphore: no owner to follow */

	struct pi_wait_for *w = pi_xcalloc(1, sizeof *w);
	w->syscall = pi_strpool_intern(&c->r->target->strings, pi_syscall_name(c->abi, t->syscall.nr));
	w->on = PI_WAIT_ON_MUTEX;
	w->forever = forever;
	w->chain_end = PI_CHAIN_UNKNOWN;
	w->objects = pi_xcalloc(1, sizeof *w->objects);
	w->objects[0].peers = pi_xcalloc(PI_WAIT_MAX_PEERS, sizeof *w->objects[0].peers);
	w->nobjects = w->objects_total = 1;
	struct pi_wait_object *o = &w->objects[0];
	o->fd = -1;
	o->need = PI_NEED_OWNER;
	uint64_t off = v->offset + (f.addr - v->start);
	char what[4096 + 96];
	snprintf(what, sizeof what, "shared mutex at %#llx (%s%s, offset %#llx)", (unsigned long long)f.addr,
		 v->path ? v->path : "shared memory", v->deleted ? ", deleted" : "", (unsigned long long)off);
	o->what = pi_strpool_intern(&c->r->target->strings, what);
	if (err) {
		o->err = err;
		return w;
	}
	bool robust = f.mutex_kind >= 0 && (f.mutex_kind & MUTEX_KIND_ROBUST);
	if (!died && owner <= 0) {
		o->owner_check = PI_OWNER_UNVERIFIED;
		o->where = pi_strpool_intern(&c->r->target->strings, "the lock word names no owner");
		return w;
	}
	if (died) {
		o->owner_tid = owner > 0 ? owner : 0;
		o->owner_check = PI_OWNER_DIED;
		o->where = pi_strpool_intern(&c->r->target->strings,
					     "its owner died holding it (the kernel marked it); a robust mutex "
					     "goes to the next to lock it, with EOWNERDEAD");
		return w;
	}
	if (c->checked_tid == owner && c->checked_addr == f.addr) {
		struct pi_wait_peer *peers = o->peers;
		*o = c->checked;
		o->peers = peers;
		memcpy(peers, c->checked.peers, o->npeers * sizeof *peers);
	} else {
		check_owner(c, o, owner, v, off, robust);
		free(c->checked.peers);
		c->checked = *o;
		c->checked.peers = pi_xcalloc(PI_WAIT_MAX_PEERS, sizeof *c->checked.peers);
		memcpy(c->checked.peers, o->peers, o->npeers * sizeof *o->peers);
		c->checked_tid = owner;
		c->checked_addr = f.addr;
	}
	/* Held by a thread of this very process: not a wait across
	 * processes (the lock analysis names it). */
	if (o->npeers == 1 && o->peers[0].pid == c->pid) {
		free(o->peers);
		free(w->objects);
		free(w);
		return NULL;
	}
	return w;
}

void pi_waits_ctx_free(struct ctx *c)
{
	free(c->inet);
	free(c->unix_socks);
	free(c->described);
	free(c->kids.peers);
	pi_vmas_free(c->vmas, c->nvmas);
	free(c->checked.peers);
	c->checked.peers = NULL;
	c->checked_tid = 0;
	c->inet = NULL;
	c->unix_socks = NULL;
	c->described = NULL;
	c->kids.peers = NULL;
	c->vmas = NULL;
	c->nvmas = 0;
}
