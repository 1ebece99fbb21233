#include "render/waits.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/reasons.h"
#include "render/json_util.h"
#include "render/text_util.h"
#include "render/sections.h"
#include "proc/filelocks.h"

/* For each thing a waiter needs of the other side: its JSON key, and the
 * words before the list of processes that can give it. */
static const struct {
	const char *key;
	const char *words;
} needs[] = {
	[PI_NEED_WRITER] = { "writer", "waits for data; the write end is held by" },
	[PI_NEED_READER] = { "reader", "waits for room; the read end is held by" },
	[PI_NEED_PEER] = { "peer", "the other end is held by" },
	[PI_NEED_CLIENT] = { "client", "waits for a connection" },
	[PI_NEED_SERVER] = { "server", "waits for the server, held by" },
	[PI_NEED_HOLDER] = { "holder", "held by" },
	[PI_NEED_CHILD] = { "child", "waits for one to exit or stop:" },
	[PI_NEED_NOBODY] = { "nobody", NULL },
	[PI_NEED_KERNEL_LOCK] = { "kernel_lock", "probably held by (a guess: who is now in a system call on it)" },
	[PI_NEED_OWNER] = { "owner", "locked by" },
};

/* How a chain of waits ends: its JSON key, and the words after its last
 * process. */
static const struct {
	const char *key;
	const char *words;
} chain_ends[] = {
	[PI_CHAIN_DEADLOCK] = { "deadlock", "DEADLOCK: the chain comes back to a process in it, and every "
					    "process of the cycle waits, with no timeout, only on the others" },
	[PI_CHAIN_CYCLE] = { "cycle", "the chain comes back to a process in it, but a process of the "
				      "cycle may yet be woken from outside it (a timeout, another thread)" },
	[PI_CHAIN_STOPPED] = { "stopped", "it is stopped: until it is continued, nothing moves" },
	[PI_CHAIN_RUNNING] = { "running", "it is running: it may yet wake the one before" },
	[PI_CHAIN_OTHER_WAIT] = { "other_wait", "it waits on something pinspect does not follow (a timer, "
						"the kernel, a timeout)" },
	[PI_CHAIN_SEVERAL] = { "several", "several processes can wake it" },
	[PI_CHAIN_UNKNOWN] = { "unknown", NULL },
	[PI_CHAIN_TOO_LONG] = { "too_long", "the chain goes on (only the first processes are followed)" },
	[PI_CHAIN_GONE] = { "gone", "it exited while being read" },
	[PI_CHAIN_OWNER_DIED] = { "owner_died", "the owner of the mutex it waits for died holding it: "
						"nothing will wake it" },
};

static const char *const on_keys[] = {
	[PI_WAIT_ON_FD] = "fd",
	[PI_WAIT_ON_POLL] = "poll",
	[PI_WAIT_ON_FILE_LOCK] = "file_lock",
	[PI_WAIT_ON_CHILD] = "child",
	[PI_WAIT_ON_MUTEX] = "mutex",
};

/* What a peer's state means for the waiter: a stopped peer is the cause. */
static const char *state_words(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "in D (uninterruptible)";
	case 'T':
		return "STOPPED (cannot wake it until continued)";
	case 't':
		return "TRACED, stopped by a debugger (cannot wake it until resumed)";
	case 'Z':
		return "a zombie (exited)";
	case 'I':
		return "idle";
	default:
		return "state unknown";
	}
}

/* A peer of o (NULL: of a held lock). */
static void put_peer(struct pi_buf *b, const struct pi_wait_peer *pe, const struct pi_wait_object *o)
{
	pi_buf_printf(b, "%d (", (int)pe->pid);
	put_escaped(b, pe->comm[0] ? pe->comm : "?");
	pi_buf_printf(b, ") %s", state_words(pe->state));
	if (pe->wchan && pe->wchan[0] && pe->state != 'R') {
		pi_buf_puts(b, " in ");
		put_escaped(b, pe->wchan);
	}
	if (pe->fd >= 0)
		pi_buf_printf(b, ", fd %d", pe->fd);
	if (pe->tid > 0 && pe->tid != pe->pid && (pe->syscall || (o && o->need == PI_NEED_OWNER)))
		pi_buf_printf(b, ", thread %d", (int)pe->tid);
	if (pe->syscall) {
		pi_buf_printf(b, ", in %s on the same %s", pe->syscall,
			      o && o->what && strncmp(o->what, "pipe:", 5) == 0 ? "pipe" : "file");
	}
	if (pe->same_process)
		pi_buf_puts(b, ", this process");
}

static void put_object(struct pi_buf *b, const struct pi_process *p, const struct pi_wait_object *o)
{
	pi_buf_puts(b, "    ");
	if (o->fd >= 0)
		pi_buf_printf(b, "fd %d ", o->fd);
	put_escaped(b, o->what ? o->what : "?");
	if (o->where) {
		pi_buf_puts(b, ": ");
		put_escaped(b, o->where);
	}
	const char *words = needs[o->need].words;
	if (o->err) {
		char *why = pi_unavailable_reason(p, "waits", o->err);
		pi_buf_printf(b, "; who can wake it is unknown: %s\n", why);
		free(why);
		return;
	}
	if (!words || (o->need == PI_NEED_OWNER && o->owner_check != PI_OWNER_VERIFIED)) {
		pi_buf_putc(b, '\n');	/* a mutex's owner not believed, or dead: where said it */
		return;
	}
	if (o->need == PI_NEED_CLIENT) {
		pi_buf_printf(b, "; %s\n", words);
		return;
	}
	if (o->peers_total == 0 && o->need == PI_NEED_KERNEL_LOCK) {
		pi_buf_puts(b, "; no other task is now in a system call on it: its holder is not known\n");
		return;
	}
	if (o->peers_total == 0) {
		pi_buf_printf(b, "; %s no other process\n", words);
		return;
	}
	pi_buf_printf(b, "; %s\n", words);
	for (size_t i = 0; i < o->npeers; i++) {
		pi_buf_puts(b, "      ");
		put_peer(b, &o->peers[i], o);
		pi_buf_putc(b, '\n');
	}
	if (o->peers_total > o->npeers)
		pi_buf_printf(b, "      and %zu more\n", o->peers_total - o->npeers);
	if (o->peers_partial)
		pi_buf_puts(b, "      and perhaps processes pinspect may not read\n");
}

static void put_step(struct pi_buf *b, const struct pi_wait_step *s)
{
	pi_buf_printf(b, "%d (", (int)s->pid);
	put_escaped(b, s->comm[0] ? s->comm : "?");
	pi_buf_puts(b, ")");
	if (s->tid != s->pid)
		pi_buf_printf(b, " thread %d", (int)s->tid);
	if (s->syscall) {
		pi_buf_printf(b, " in %s", s->syscall);
		if (s->what) {
			pi_buf_puts(b, " on ");
			put_escaped(b, s->what);
		}
	} else {
		pi_buf_printf(b, " %s", state_words(s->state));
		if (s->wchan && s->wchan[0] && s->state != 'R') {
			pi_buf_puts(b, " in ");
			put_escaped(b, s->wchan);
		}
	}
}

/* The chain, when it goes beyond the thread itself. */
static void put_chain(struct pi_buf *b, const struct pi_wait_for *w)
{
	if (w->nchain < 2)
		return;
	pi_buf_puts(b, "    chain:\n");
	for (size_t i = 0; i < w->nchain; i++) {
		pi_buf_printf(b, "      %s ", i == 0 ? "  " : "->");
		put_step(b, &w->chain[i]);
		pi_buf_putc(b, '\n');
	}
	if (chain_ends[w->chain_end].words)
		pi_buf_printf(b, "      %s\n", chain_ends[w->chain_end].words);
}

static void put_wait(struct pi_buf *b, const struct pi_process *p, const struct pi_wait_for *w)
{
	pi_buf_printf(b, "in %s", w->syscall);
	if (w->err) {
		char *why = pi_unavailable_reason(p, "waits", w->err);
		pi_buf_printf(b, ": what it waits on is unknown: %s\n", why);
		free(why);
		return;
	}
	if (w->on == PI_WAIT_ON_POLL)
		pi_buf_printf(b, " on %zu descriptor%s%s", w->objects_total, w->objects_total == 1 ? "" : "s",
			      w->objects_total > w->nobjects ? " (the first shown)" : "");
	pi_buf_putc(b, '\n');
	for (size_t i = 0; i < w->nobjects; i++)
		put_object(b, p, &w->objects[i]);
	put_chain(b, w);
}

/* A wait only this process can end (a thread reading a pipe its own
 * process writes: an event loop's self-pipe), with nothing unknown about
 * it: the text leaves it out, as it is not a wait across processes
 * (JSON has it; a process stuck on itself is a finding). */
static bool only_own_process(const struct pi_wait_for *w)
{
	if (w->err || w->nobjects == 0 || w->chain_end == PI_CHAIN_DEADLOCK)
		return false;
	for (size_t i = 0; i < w->nobjects; i++) {
		const struct pi_wait_object *o = &w->objects[i];
		if (o->err || o->peers_partial || o->npeers == 0 || o->peers_total > o->npeers)
			return false;
		for (size_t k = 0; k < o->npeers; k++)
			if (!o->peers[k].same_process)
				return false;
	}
	return true;
}

static const char *lock_kind_key(int kind)
{
	static const char *const keys[] = { [PI_FLOCK_POSIX] = "posix", [PI_FLOCK_FLOCK] = "flock",
					    [PI_FLOCK_OFD] = "ofd", [PI_FLOCK_LEASE] = "lease",
					    [PI_FLOCK_DELEG] = "delegation", [PI_FLOCK_ACCESS] = "access" };
	return kind >= 0 && kind < PI_FLOCK_UNKNOWN ? keys[kind] : "unknown";
}

/* The file locks the process holds that others wait for, each with its
 * waiters: who this process keeps waiting. */
static void put_locks_wanted(struct pi_buf *b, const struct pi_process *p)
{
	if (p->locks_wanted_err) {
		char *why = pi_unavailable_reason(p, "waits", p->locks_wanted_err);
		pi_buf_printf(b, "  the file locks it holds were not all looked at: %s\n", why);
		free(why);
	}
	for (size_t i = 0; i < p->nlocks_wanted; i++) {
		const struct pi_lock_wanted *lw = &p->locks_wanted[i];
		const char *kind = pi_flock_kind_name((enum pi_flock_kind)lw->kind);
		pi_buf_printf(b, "  holds %s %s %s lock on ", strchr("AEIOU", kind[0]) ? "an" : "a", kind,
			      lw->write ? "write" : "read");
		if (lw->path)
			put_escaped(b, lw->path);
		else
			pi_buf_printf(b, "inode %llu", (unsigned long long)lw->inode);
		if (lw->fd >= 0)
			pi_buf_printf(b, " (fd %d)", lw->fd);
		pi_buf_puts(b, "; wanted by\n");
		for (size_t k = 0; k < lw->nwaiters; k++) {
			pi_buf_puts(b, "      ");
			put_peer(b, &lw->waiters[k], NULL);
			pi_buf_putc(b, '\n');
		}
		if (lw->waiters_total > lw->nwaiters)
			pi_buf_printf(b, "      and %zu more\n", lw->waiters_total - lw->nwaiters);
		if (lw->waiters_unnamed)
			pi_buf_printf(b, "      %s%zu waiter%s /proc/locks names by no process (OFD locks)\n",
				      lw->nwaiters ? "and " : "", lw->waiters_unnamed, lw->waiters_unnamed == 1 ? "" : "s");
	}
	if (p->locks_wanted_total > p->nlocks_wanted)
		pi_buf_printf(b, "  and %zu more locks others wait for\n", p->locks_wanted_total - p->nlocks_wanted);
}

void pi_text_waits(struct pi_buf *b, const struct pi_process *p)
{
	if (!p->waits_collected)
		return;
	/* Each thread's text, then threads with the same text together: a
	 * thousand workers blocked on one pipe are one entry. */
	char **texts = calloc(p->nthreads, sizeof *texts);
	bool any = false;
	if (!texts)
		return;
	for (size_t i = 0; i < p->nthreads; i++) {
		if (!p->threads[i].wait || only_own_process(p->threads[i].wait))
			continue;
		struct pi_buf t = { 0 };
		put_wait(&t, p, p->threads[i].wait);
		texts[i] = t.data;
		any = true;
	}
	if (any || p->waits_err || p->nlocks_wanted || p->locks_wanted_err) {
		section(b, pi_section_title(PI_SECTION_WAITS));
		if (p->waits_netns && any)
			pi_buf_printf(b, "  in network namespace %s, not pinspect's\n",
				      p->waits_netns);
		if (p->waits_err) {
			char *why = pi_unavailable_reason(p, "waits", p->waits_err);
			pi_buf_printf(b, "  other processes were not all looked through: %s\n", why);
			free(why);
		}
	}
	for (size_t i = 0; i < p->nthreads; i++) {
		if (!texts[i])
			continue;
		size_t same = 0;
		for (size_t j = i + 1; j < p->nthreads; j++)
			same += texts[j] && strcmp(texts[j], texts[i]) == 0;
		const struct pi_thread *t = &p->threads[i];
		pi_buf_printf(b, "  thread %d (", (int)t->facts.tid);
		put_escaped(b, t->stat_err ? "?" : pi_thread_comm(p, t));
		pi_buf_puts(b, ")");
		if (same)
			pi_buf_printf(b, " and %zu more thread%s", same, same == 1 ? "" : "s");
		pi_buf_printf(b, " %s", texts[i]);
		for (size_t j = i + 1; same && j < p->nthreads; j++)
			if (texts[j] && strcmp(texts[j], texts[i]) == 0) {
				free(texts[j]);
				texts[j] = NULL;
			}
		free(texts[i]);
		texts[i] = NULL;
	}
	free(texts);
	put_locks_wanted(b, p);
}

/* "unavailable": the words, "unavailable_code": the reason's key; both
 * null when err is 0. */
static void unavailable_keys(struct pi_jw *w, const struct pi_process *p, int err)
{
	pi_jw_key(w, "unavailable");
	if (err) {
		char *why = pi_unavailable_reason(p, "waits", err);
		pi_jw_string(w, why);
		free(why);
	} else {
		pi_jw_null(w);
	}
	pi_jw_kstring(w, "unavailable_code", err ? pi_reason_key(err, "waits") : NULL);
}

static void json_peer(struct pi_jw *w, const struct pi_wait_peer *pe)
{
	pi_jw_object(w);
	pi_jw_ki64(w, "pid", pe->pid);
	pi_jw_kstring(w, "comm", pe->comm[0] ? pe->comm : NULL);
	if (pe->state != '?')
		pi_json_state(w, "state", pe->state);
	else
		pi_jw_knull(w, "state");
	pi_jw_kstring(w, "wchan", pe->wchan);
	pi_jw_key(w, "fd");
	pe->fd >= 0 ? pi_jw_i64(w, pe->fd) : pi_jw_null(w);
	pi_jw_kbool(w, "same_process", pe->same_process);
	pi_jw_key(w, "tid");
	pe->tid > 0 ? pi_jw_i64(w, pe->tid) : pi_jw_null(w);
	pi_jw_kstring(w, "syscall", pe->syscall);
	pi_jw_object_end(w);
}

void pi_json_waits_for(struct pi_jw *w, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_wait_for *wf = t->wait;
	pi_jw_key(w, "waits_for");
	if (!wf) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "syscall", wf->syscall);
	pi_jw_kstring(w, "on", on_keys[wf->on]);
	pi_jw_ku64(w, "objects_total", wf->objects_total);
	pi_jw_kbool(w, "forever", wf->forever);
	unavailable_keys(w, p, wf->err);
	pi_jw_key(w, "objects");
	pi_jw_array(w);
	for (size_t i = 0; i < wf->nobjects; i++) {
		const struct pi_wait_object *o = &wf->objects[i];
		pi_jw_object(w);
		pi_jw_key(w, "fd");
		o->fd >= 0 ? pi_jw_i64(w, o->fd) : pi_jw_null(w);
		pi_jw_kstring(w, "what", o->what);
		pi_jw_kstring(w, "where", o->where);
		pi_jw_kstring(w, "needs", needs[o->need].key);
		unavailable_keys(w, p, o->err);
		pi_jw_ku64(w, "peers_total", o->peers_total);
		pi_jw_kbool(w, "peers_partial", o->peers_partial);
		if (o->need == PI_NEED_OWNER) {
			/* A shared mutex's: the TID its word names, and whether
			 * that thread is believed (it maps the same memory). */
			static const char *const checks[] = { [PI_OWNER_VERIFIED] = "verified",
							      [PI_OWNER_UNVERIFIED] = "unverified",
							      [PI_OWNER_DIED] = "died" };
			pi_jw_key(w, "owner_tid");
			o->owner_tid > 0 ? pi_jw_i64(w, o->owner_tid) : pi_jw_null(w);
			pi_jw_kstring(w, "owner", o->err ? NULL : checks[o->owner_check]);
		}
		pi_jw_key(w, "peers");
		pi_jw_array(w);
		for (size_t k = 0; k < o->npeers; k++)
			json_peer(w, &o->peers[k]);
		pi_jw_array_end(w);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
	pi_jw_key(w, "chain");
	pi_jw_array(w);
	for (size_t i = 0; i < wf->nchain; i++) {
		const struct pi_wait_step *s = &wf->chain[i];
		pi_jw_object(w);
		pi_jw_ki64(w, "pid", s->pid);
		pi_jw_ki64(w, "tid", s->tid);
		pi_jw_kstring(w, "comm", s->comm[0] ? s->comm : NULL);
		if (s->state != '?')
			pi_json_state(w, "state", s->state);
		else
			pi_jw_knull(w, "state");
		pi_jw_kstring(w, "syscall", s->syscall);
		pi_jw_kstring(w, "what", s->what);
		pi_jw_kstring(w, "wchan", s->wchan);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
	pi_jw_kstring(w, "chain_end", chain_ends[wf->chain_end].key);
	pi_jw_object_end(w);
}

void pi_json_locks_wanted(struct pi_jw *w, const struct pi_process *p)
{
	pi_jw_kstring(w, "waits_network_namespace", p->waits_netns);
	pi_jw_key(w, "file_locks_wanted");
	if (!p->waits_collected) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_ku64(w, "total", p->locks_wanted_total);
	unavailable_keys(w, p, p->locks_wanted_err);
	pi_jw_key(w, "locks");
	pi_jw_array(w);
	for (size_t i = 0; i < p->nlocks_wanted; i++) {
		const struct pi_lock_wanted *lw = &p->locks_wanted[i];
		pi_jw_object(w);
		pi_jw_kstring(w, "path", lw->path);
		pi_jw_ku64(w, "inode", lw->inode);
		pi_jw_key(w, "fd");
		lw->fd >= 0 ? pi_jw_i64(w, lw->fd) : pi_jw_null(w);
		pi_jw_kstring(w, "kind", lock_kind_key(lw->kind));
		pi_jw_kstring(w, "access", lw->write ? "write" : "read");
		pi_jw_ku64(w, "waiters_total", lw->waiters_total);
		pi_jw_ku64(w, "waiters_unnamed", lw->waiters_unnamed);
		pi_jw_key(w, "waiters");
		pi_jw_array(w);
		for (size_t k = 0; k < lw->nwaiters; k++)
			json_peer(w, &lw->waiters[k]);
		pi_jw_array_end(w);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}
