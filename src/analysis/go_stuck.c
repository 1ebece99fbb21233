#include "analysis/go_stuck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/detectors.h"
#include "collect/stack_go.h"
#include "runtime/goroutines.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/fmt.h"
#include "util/xalloc.h"

/* Goroutine IDs named in a sentence before "and N more". */
/* Lock sites told apart: goroutines at more sites than this are left out
 * (each is compared with every site). */
enum { IDS_NAMED = 8, NAME_MAX_SHOWN = 256, MAX_SITES = 256 };

/* The wait reasons (the runtime's own strings, which name them alike
 * from Go 1.19 on) that only another goroutine can end. */
static const char *const program_waits[] = {
	"chan receive", "chan send", "chan receive (nil chan)", "chan send (nil chan)",
	"select", "select (no cases)", "semacquire", "sync.Cond.Wait", "sync.Mutex.Lock",
	"sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.WaitGroup.Wait",
};

static bool starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The frames of goroutine i, or NULL (none, or out of the array). */
static const struct pi_user_frame *frames_of(const struct pi_go_runtime *go, size_t i, size_t *n)
{
	const struct pi_goroutine *g = &go->goroutines[i];
	*n = 0;
	if (!g->nframes || g->first_frame > go->nframes || g->nframes > go->nframes - g->first_frame)
		return NULL;
	*n = g->nframes;
	return go->frames + g->first_frame;
}

/* Go's own rule (isSystemGoroutine): a goroutine the runtime started, by
 * a runtime function other than runtime.main. Its start function is the
 * frame below runtime.goexit; a stack cut short is the runtime's when
 * every frame read is. */
static bool runtimes_own(const struct pi_go_runtime *go, size_t i)
{
	size_t n;
	const struct pi_user_frame *f = frames_of(go, i, &n);
	if (!f)
		return false;
	if (!go->goroutines[i].truncated_reason && n >= 2) {
		const char *start = f[n - 2].function;
		return starts(start, "runtime.") && strcmp(start, "runtime.main") != 0;
	}
	for (size_t k = 0; k < n; k++)
		if (!starts(f[k].function, "runtime."))
			return false;
	return true;
}

enum pi_go_wait_class pi_go_wait_class(const struct pi_go_runtime *go, size_t i)
{
	const struct pi_goroutine *g = &go->goroutines[i];
	if (runtimes_own(go, i))
		return PI_GO_WAIT_RUNTIME;
	if (g->status != PI_G_WAITING || !g->wait_reason)
		return PI_GO_WAIT_OUTSIDE;
	for (size_t k = 0; k < sizeof program_waits / sizeof program_waits[0]; k++)
		if (strcmp(g->wait_reason, program_waits[k]) == 0)
			return PI_GO_WAIT_PROGRAM;
	return PI_GO_WAIT_OUTSIDE;
}

const char *pi_go_lock_wait(const struct pi_go_runtime *go, size_t i, size_t *site)
{
	if (pi_go_wait_class(go, i) != PI_GO_WAIT_PROGRAM)
		return NULL;
	size_t n;
	const struct pi_user_frame *f = frames_of(go, i, &n);
	const char *lock = NULL;
	size_t k = 0;
	/* Past the runtime's frames (gopark, semacquire1), sync's own
	 * (lockSlow, Lock, inlined or not); the outermost names the lock. */
	while (k < n && (starts(f[k].function, "runtime.") || starts(f[k].function, "sync.runtime_")
			 || starts(f[k].function, "internal/sync.")))
		k++;
	for (; k < n; k++) {
		const char *fn = f[k].function;
		if (starts(fn, "sync.(*Mutex)."))
			lock = "sync.Mutex.Lock";
		else if (starts(fn, "sync.(*RWMutex).RLock") || starts(fn, "sync.(*RWMutex).rLock"))
			lock = "sync.RWMutex.RLock";
		else if (starts(fn, "sync.(*RWMutex).Lock"))
			lock = "sync.RWMutex.Lock";
		else
			break;
	}
	if (!lock || k >= n)
		return NULL;
	*site = go->goroutines[i].first_frame + k;
	return lock;
}

static void put_name(struct pi_buf *b, const char *s)
{
	if (s)
		pi_escape_text_max(b, s, strlen(s), NAME_MAX_SHOWN);
	else
		pi_buf_puts(b, "??");
}

/* "goroutine 7" or "3 goroutines (7, 8, 9)". */
static void put_goroutines(struct pi_buf *b, const struct pi_go_runtime *go, const size_t *which, size_t n)
{
	if (n == 1) {
		pi_buf_printf(b, "goroutine %" PRIu64, go->goroutines[which[0]].goid);
		return;
	}
	pi_buf_printf(b, "%zu goroutines (", n);
	for (size_t k = 0; k < n && k < IDS_NAMED; k++)
		pi_buf_printf(b, "%s%" PRIu64, k ? ", " : "", go->goroutines[which[k]].goid);
	if (n > IDS_NAMED)
		pi_buf_printf(b, " and %zu more", n - IDS_NAMED);
	pi_buf_putc(b, ')');
}

/* "function (file:line)" of a frame. */
static void put_site(struct pi_buf *b, const struct pi_user_frame *f)
{
	put_name(b, f->function);
	if (!f->file)
		return;
	pi_buf_puts(b, " (");
	put_name(b, f->file);
	if (f->line > 0)
		pi_buf_printf(b, ":%d", f->line);
	pi_buf_putc(b, ')');
}

/* Counts of distinct wait reasons, for "3 chan receive, 1 select". */
struct reason_count {
	const char *reason;
	size_t n;
};

static void deadlock(struct pi_finding_list *l, const struct pi_finding_proc *p, const size_t *blocked,
		     size_t nblocked)
{
	const struct pi_go_runtime *go = p->go;
	struct reason_count counts[sizeof program_waits / sizeof program_waits[0]];
	size_t ncounts = 0;
	for (size_t k = 0; k < nblocked; k++) {
		const char *r = go->goroutines[blocked[k]].wait_reason;
		size_t c = 0;
		while (c < ncounts && strcmp(counts[c].reason, r) != 0)
			c++;
		if (c == ncounts)
			counts[ncounts++] = (struct reason_count){ r, 0 };
		counts[c].n++;
	}
	struct pi_buf m = PI_BUF_INIT;
	if (nblocked == 1)
		pi_buf_puts(&m, "the program's one goroutine is blocked (");
	else
		pi_buf_printf(&m, "all %zu goroutines of the program are blocked (", nblocked);
	for (size_t c = 0; c < ncounts; c++) {
		pi_buf_printf(&m, "%s%zu ", c ? ", " : "", counts[c].n);
		put_name(&m, counts[c].reason);
	}
	pi_buf_puts(&m, nblocked == 1 ? "): nothing else in the program can wake it"
				      : "), waiting for each other: none can wake another");
	if (go->timers == 0)
		pi_buf_puts(&m, "; a deadlock: Go's runtime stops such a program (\"all goroutines are "
				"asleep - deadlock!\") unless, as here, C code or a thread outside Go keeps it "
				"running");
	else if (go->timers > 0)
		pi_buf_printf(&m, "; only a timer can (%ld pending: time.After, AfterFunc, a Ticker), and "
				  "it keeps Go's own \"all goroutines are asleep\" check from firing",
			      go->timers);
	else
		pi_buf_puts(&m, "; only a timer could, if one is pending (the runtime's timers were not "
				"read), or C code");
	pi_finding_list_add(l, PI_FIND_GO_DEADLOCK, p->pid, 0, -1, &m);
}

/* Goroutines waiting at one lock site. */
struct site {
	const char *lock;
	const struct pi_user_frame *frame;
	size_t *members;
	size_t n, cap;
	double longest;			/* the longest known wait; < 0 none known */
};

static bool same_site(const struct site *s, const char *lock, const struct pi_user_frame *f)
{
	const struct pi_user_frame *o = s->frame;
	return s->lock == lock && o->line == f->line
	       && (o->function == f->function || (o->function && f->function && strcmp(o->function, f->function) == 0))
	       && (o->file == f->file || (o->file && f->file && strcmp(o->file, f->file) == 0));
}

static void lock_site(struct pi_finding_list *l, const struct pi_finding_proc *p, const struct site *s)
{
	char dur[32], limit[32];
	bool known = s->longest >= 0;
	/* Waits known and none as long as the threshold: busy, not stuck.
	 * None known: several at one site is the hint; one alone, nothing. */
	if (known ? s->longest <= p->hung_after_seconds : s->n < 2)
		return;
	struct pi_buf m = PI_BUF_INIT;
	put_goroutines(&m, p->go, s->members, s->n);
	pi_buf_printf(&m, " blocked in %s at ", s->lock);
	put_site(&m, s->frame);
	if (known) {
		pi_buf_printf(&m, ", %sfor about %s (as the runtime counts it, from a garbage "
				  "collection), longer than --hung-after %s",
			      s->n > 1 ? "the longest " : "", pi_fmt_duration(dur, sizeof dur, s->longest),
			      pi_fmt_duration(limit, sizeof limit, p->hung_after_seconds));
		pi_buf_puts(&m, ": a lock held that long is held by a goroutine stuck itself, or never "
				"unlocked");
	} else {
		pi_buf_puts(&m, ", for how long unknown (the runtime records it only after a garbage "
				"collection): several goroutines parked at one lock hint at a deadlock, or "
				"at a lock held too long");
	}
	pi_buf_puts(&m, "; sync.Mutex records no owner: GOROUTINES shows what each holds and waits for");
	pi_finding_list_add(l, PI_FIND_GO_LOCK_WAIT, p->pid, 0, known ? s->longest : -1, &m);
}

void pi_detect_go(struct pi_finding_list *l, const struct pi_finding_proc *p, unsigned kinds)
{
	const struct pi_go_runtime *go = p->go;
	if (!go || !go->read || !go->ngoroutines
	    || !(kinds & (PI_FIND_BIT(PI_FIND_GO_DEADLOCK) | PI_FIND_BIT(PI_FIND_GO_LOCK_WAIT))))
		return;
	size_t *blocked = pi_xcalloc(go->ngoroutines, sizeof *blocked);
	size_t nblocked = 0, outside = 0;
	for (size_t i = 0; i < go->ngoroutines; i++) {
		enum pi_go_wait_class c = pi_go_wait_class(go, i);
		if (c == PI_GO_WAIT_PROGRAM)
			blocked[nblocked++] = i;
		else if (c == PI_GO_WAIT_OUTSIDE)
			outside++;
	}
	/* Only when every goroutine was read: one not read could be the
	 * one that wakes the rest. */
	bool all_read = !go->err && go->total <= PI_GO_MAX_GOROUTINES;
	bool stuck = all_read && nblocked && !outside;
	if (stuck && (kinds & PI_FIND_BIT(PI_FIND_GO_DEADLOCK)))
		deadlock(l, p, blocked, nblocked);
	if (!stuck && (kinds & PI_FIND_BIT(PI_FIND_GO_LOCK_WAIT))) {
		struct site *sites = NULL;
		size_t nsites = 0, cap = 0;
		for (size_t k = 0; k < nblocked; k++) {
			size_t at;
			const char *lock = pi_go_lock_wait(go, blocked[k], &at);
			if (!lock)
				continue;
			const struct pi_user_frame *f = &go->frames[at];
			size_t s = 0;
			while (s < nsites && !same_site(&sites[s], lock, f))
				s++;
			if (s == nsites && nsites == MAX_SITES)
				continue;
			if (s == nsites) {
				pi_xgrow(&sites, &cap, nsites + 1, sizeof *sites);
				sites[nsites++] = (struct site){ lock, f, NULL, 0, 0, -1 };
			}
			struct site *st = &sites[s];
			pi_xgrow(&st->members, &st->cap, st->n + 1, sizeof *st->members);
			st->members[st->n++] = blocked[k];
			double w = go->goroutines[blocked[k]].wait_seconds;
			if (w >= 0 && w > st->longest)
				st->longest = w;
		}
		for (size_t s = 0; s < nsites; s++) {
			lock_site(l, p, &sites[s]);
			free(sites[s].members);
		}
		free(sites);
	}
	free(blocked);
}
