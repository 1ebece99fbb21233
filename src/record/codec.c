#include "record/codec.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "proc/syscall.h"
#include "sys/names.h"
#include "util/xalloc.h"

/* ---- writing ---- */

static void put_u8(struct pi_buf *b, unsigned v)
{
	pi_buf_putc(b, (char)(uint8_t)v);
}

static void put_u16(struct pi_buf *b, unsigned v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	pi_buf_append(b, x, 2);
}

static void put_u32(struct pi_buf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	pi_buf_append(b, x, 4);
}

static void put_u64(struct pi_buf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	pi_buf_append(b, x, 8);
}

static void put_i64(struct pi_buf *b, int64_t v)
{
	put_u64(b, (uint64_t)v);
}

static void put_f64(struct pi_buf *b, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	put_u64(b, bits);
}

/* A string cut to max bytes; NULL is written as a length of all ones. */
static void put_str(struct pi_buf *b, const char *s, size_t max)
{
	if (!s) {
		put_u32(b, UINT32_MAX);
		return;
	}
	size_t n = strnlen(s, max);
	put_u32(b, (uint32_t)n);
	pi_buf_append(b, s, n);
}

static void put_chunk_start(struct pi_buf *b, enum pi_record_kind kind)
{
	pi_buf_append(b, PI_RECORD_MAGIC, PI_RECORD_MAGIC_LEN);
	put_u8(b, kind);
	put_u16(b, PI_RECORD_VERSION);
}

void pi_record_encode_header(struct pi_buf *out, const struct pi_record_header *h)
{
	put_chunk_start(out, PI_RECORD_HEADER);
	put_str(out, h->host, sizeof h->host - 1);
	put_str(out, h->boot_id, sizeof h->boot_id - 1);
	put_str(out, h->kernel, sizeof h->kernel - 1);
	put_str(out, h->pinspect, sizeof h->pinspect - 1);
	put_u32(out, h->page_size);
	put_u32(out, h->hz);
	put_f64(out, h->started);
	put_u32(out, (uint32_t)h->top_pid);
	put_u8(out, h->threads);
}

static void put_counts(struct pi_buf *b, const struct pi_table_counts *c)
{
	const size_t v[] = { c->processes, c->threads, c->running, c->sleeping, c->uninterruptible,
			     c->stopped, c->traced, c->zombie, c->idle, c->other, c->hung,
			     c->zombie_parents, c->deadlocks, c->deadlocked };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		put_u64(b, v[i]);
}

static void put_meters(struct pi_buf *b, const struct pi_meters *m)
{
	put_u8(b, m != NULL);
	if (!m)
		return;
	put_u8(b, m->stat_known);
	put_f64(b, m->all_percent);
	put_u32(b, m->ncpus);
	for (unsigned i = 0; i < m->ncpus; i++) {
		put_u32(b, m->cpu_id[i]);
		put_f64(b, m->cpu_percent[i]);
	}
	put_u8(b, m->mem_known);
	put_u64(b, m->mem_total);
	put_u64(b, m->mem_used);
	put_u64(b, m->swap_total);
	put_u64(b, m->swap_used);
}

static void put_proc(struct pi_buf *b, const struct pi_proc *p)
{
	put_u32(b, (uint32_t)p->pid);
	put_u32(b, (uint32_t)p->ppid);
	put_u32(b, p->euid);
	put_u8(b, (uint8_t)p->state);
	put_u8(b, p->kernel_thread);
	put_u32(b, (uint32_t)p->processor);
	put_u32(b, (uint32_t)p->nlwp);
	put_u64(b, p->starttime);
	put_u64(b, p->ticks);
	put_i64(b, p->ticks_ns);
	put_f64(b, p->cpu_percent);
	put_u64(b, p->rss_bytes);
	put_u64(b, p->vsize_bytes);
	put_u8(b, (uint8_t)p->priority);
	put_u8(b, (uint8_t)p->nice);
	put_str(b, p->comm, PI_COMM_MAX);
	put_str(b, p->cmdline, PI_CMDLINE_KEEP);
	put_u32(b, (uint32_t)p->cmdline_err);
	put_u8(b, p->cmdline_cut);
	put_u8(b, p->cmdline_bytes_more);
	put_u64(b, p->cmdline_bytes);
	put_u32(b, (uint32_t)p->abi);
	put_u32(b, p->first_task);
	put_u32(b, p->ntasks);
	put_u32(b, p->flags);
	put_u32(b, p->worst_task);
	put_u32(b, p->zombies);
	put_f64(b, p->oldest_zombie_seconds);
}

static void put_task(struct pi_buf *b, const struct pi_task *t)
{
	const struct pi_task_facts *f = &t->facts;
	put_f64(b, f->off_cpu_seconds);
	put_u64(b, f->nvcsw);
	put_u64(b, f->nivcsw);
	put_str(b, f->wchan, PI_WCHAN_MAX);
	put_u32(b, (uint32_t)f->tid);
	put_u32(b, (uint32_t)f->tracer_pid);
	put_u32(b, (uint32_t)f->syscall_nr);
	put_u8(b, f->syscall_kind);
	put_u8(b, f->known);
	put_u8(b, f->flags);
	put_u8(b, (uint8_t)f->state);
	put_str(b, f->comm, sizeof f->comm - 1);
	put_u32(b, t->proc);
	put_u32(b, t->euid);
	put_u8(b, t->have);
	put_u8(b, (uint8_t)t->priority);
	put_u8(b, (uint8_t)t->nice);
	put_u32(b, (uint32_t)t->processor);
	const int16_t errs[] = { t->sched_err, t->wchan_err, t->syscall_err, t->status_err, t->statm_err };
	for (size_t i = 0; i < sizeof errs / sizeof *errs; i++)
		put_u16(b, (uint16_t)errs[i]);
	put_u32(b, t->shared_pages);
	put_f64(b, t->cpu_percent);
	put_f64(b, t->vcsw_rate);
	put_f64(b, t->ivcsw_rate);
	put_u64(b, t->starttime);
	put_u64(b, t->ticks);
	put_i64(b, t->ticks_ns);
	put_i64(b, t->sched_ns);
}

static void put_pids(struct pi_buf *b, const pid_t *v, size_t n)
{
	put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		put_u32(b, (uint32_t)v[i]);
}

static void put_deadlocks(struct pi_buf *b, const struct pi_deadlocks *d)
{
	put_u8(b, d->checked);
	put_i64(b, d->checked_ns);
	put_u32(b, d->handed_at);
	put_u64(b, d->not_checked);
	put_u8(b, (unsigned)d->nunchecked);
	for (size_t i = 0; i < d->nunchecked; i++) {
		put_u32(b, (uint32_t)d->unchecked[i].pid);
		put_str(b, d->unchecked[i].comm, sizeof d->unchecked[i].comm - 1);
	}
	put_u32(b, (uint32_t)d->n);
	for (size_t i = 0; i < d->n; i++) {
		const struct pi_deadlock *c = &d->v[i];
		put_u32(b, (uint32_t)c->pid);
		put_u64(b, c->starttime);
		put_pids(b, c->tids, c->ntids);
		put_str(b, c->message, PI_RECORD_MESSAGE_MAX);
		put_u8(b, c->across_processes);
		put_u32(b, (uint32_t)c->waits_for_pid);
		put_pids(b, c->cycle_pids, c->ncycle_pids);
	}
}

void pi_record_encode_frame(struct pi_buf *out, struct pi_table *t, const struct pi_meters *m)
{
	/* Every user's name, looked up here (each once). */
	for (size_t i = 0; i < t->ntasks; i++)
		pi_table_user_name(t, t->tasks[i].euid);

	put_chunk_start(out, PI_RECORD_FRAME);
	put_f64(out, t->realtime_seconds);
	put_f64(out, t->uptime_seconds);
	put_i64(out, t->sample_ns);
	put_u32(out, t->samples);
	put_u8(out, t->load_known);
	for (int i = 0; i < 3; i++)
		put_f64(out, t->load[i]);
	put_u32(out, (uint32_t)t->hung_task_timeout_secs);
	put_u64(out, t->mem_total_bytes);
	put_u32(out, (uint32_t)t->hz);
	put_u32(out, (uint32_t)t->page_size);
	put_u32(out, (uint32_t)t->opt.only_pid);
	put_f64(out, t->opt.hung_after_seconds);
	put_u8(out, t->root);
	put_counts(out, &t->counts);
	put_meters(out, m);
	put_u32(out, (uint32_t)t->nusers);
	for (size_t i = 0; i < t->nusers; i++) {
		put_u32(out, t->users[i].uid);
		put_str(out, t->users[i].name, PI_RECORD_NAME_MAX);
	}
	put_u32(out, (uint32_t)t->nprocs);
	for (size_t i = 0; i < t->nprocs; i++)
		put_proc(out, &t->procs[i]);
	put_u32(out, (uint32_t)t->ntasks);
	for (size_t i = 0; i < t->ntasks; i++)
		put_task(out, &t->tasks[i]);
	put_deadlocks(out, &t->deadlocks);
}

/* ---- reading ---- */

struct rd {
	const uint8_t *p;
	size_t n, off;
	char *why;
	size_t why_size;
	bool bad;
};

static void fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct rd *r, const char *fmt, ...)
{
	if (r->bad)
		return;
	r->bad = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, r->why_size, fmt, ap);
	va_end(ap);
}

static size_t left(const struct rd *r)
{
	return r->bad ? 0 : r->n - r->off;
}

static const uint8_t *take(struct rd *r, size_t n)
{
	if (left(r) < n) {
		fail(r, "it ends in the middle of a field (offset %zu)", r->off);
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t get_le(struct rd *r, unsigned bytes)
{
	const uint8_t *p = take(r, bytes);
	uint64_t v = 0;
	for (unsigned i = 0; p && i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* A count or a size: no machine has more (ticks for 300,000 years at
 * 100 Hz, 4 EiB), and a renderer's arithmetic on it must not overflow. */
static uint64_t get_bounded(struct rd *r, const char *what)
{
	uint64_t v = get_le(r, 8);
	if (v > PI_RECORD_COUNT_MAX) {
		fail(r, "%s is out of range", what);
		return 0;
	}
	return v;
}

/* Clock ticks (a start time, CPU time): TIME+ makes hundredths of a
 * second of them, which must fit 64 bits at 1 tick a second. */
static uint64_t get_ticks(struct rd *r, const char *what)
{
	uint64_t v = get_bounded(r, what);
	if (v > PI_RECORD_TICKS_MAX) {
		fail(r, "%s is out of range", what);
		return 0;
	}
	return v;
}

/* A CLOCK_MONOTONIC time: differences of two must not overflow. */
static int64_t get_ns(struct rd *r, const char *what)
{
	int64_t v = (int64_t)get_le(r, 8);
	if (v > PI_RECORD_NS_MAX || v < -PI_RECORD_NS_MAX) {
		fail(r, "%s is out of range", what);
		return 0;
	}
	return v;
}

static unsigned get_u8(struct rd *r) { return (unsigned)get_le(r, 1); }
static unsigned get_u16(struct rd *r) { return (unsigned)get_le(r, 2); }
static uint32_t get_u32(struct rd *r) { return (uint32_t)get_le(r, 4); }
static uint64_t get_u64(struct rd *r) { return get_le(r, 8); }
static int32_t get_i32(struct rd *r) { return (int32_t)get_u32(r); }

static bool get_bool(struct rd *r, const char *what)
{
	unsigned v = get_u8(r);
	if (v > 1)
		fail(r, "%s is %u, not a yes or no", what, v);
	return v == 1;
}

/* A double that is unknown (NaN) or a figure of sane size: nothing
 * written by pinspect is bigger, and a huge one would overflow the
 * integer conversions of the renderers. */
static double get_double(struct rd *r, const char *what, bool nan_ok)
{
	uint64_t bits = get_u64(r);
	double v;
	memcpy(&v, &bits, sizeof v);
	if (isnan(v) ? !nan_ok : !(fabs(v) <= PI_RECORD_FIGURE_MAX)) {
		fail(r, "%s is out of range", what);
		return 0;
	}
	return v;
}

/* A figure always known live (a time, a load), and one that may be
 * unknown (a rate before there are two readings). */
static double get_f64(struct rd *r, const char *what)
{
	return get_double(r, what, false);
}

static double get_rate(struct rd *r, const char *what)
{
	return get_double(r, what, true);
}

/* A string of at most max bytes into a fresh allocation (NULL for the
 * writer's NULL). Its bytes are kept raw: every renderer escapes them,
 * as it does a live process's. A NUL inside would hide the rest. */
static char *get_str(struct rd *r, size_t max, bool null_ok, const char *what)
{
	uint32_t n = get_u32(r);
	if (r->bad)
		return NULL;
	if (n == UINT32_MAX) {
		if (!null_ok)
			fail(r, "%s is missing", what);
		return NULL;
	}
	if (n > max) {
		fail(r, "%s claims %u bytes, more than the %zu allowed", what, n, max);
		return NULL;
	}
	const uint8_t *p = take(r, n);
	if (!p)
		return NULL;
	if (memchr(p, '\0', n)) {
		fail(r, "%s holds a NUL byte", what);
		return NULL;
	}
	char *s = pi_xmalloc((size_t)n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* The same into a fixed array of size bytes (NULL written: ""). */
static void get_str_into(struct rd *r, char *out, size_t size, const char *what)
{
	char *s = get_str(r, size - 1, true, what);
	out[0] = '\0';
	if (s)
		memcpy(out, s, strlen(s) + 1);
	free(s);
}

/* A count of items of at least min_size bytes each: no more than the
 * bytes left could hold, so a claimed size never allocates more than
 * the chunk is worth. */
static size_t get_count(struct rd *r, size_t min_size, size_t max, const char *what)
{
	uint32_t n = get_u32(r);
	if (r->bad)
		return 0;
	if (n > max || (size_t)n > left(r) / min_size) {
		fail(r, "it claims %u %s, more than it holds", n, what);
		return 0;
	}
	return n;
}

static int check_chunk(struct rd *r, int *kind, unsigned *version)
{
	const uint8_t *magic = take(r, PI_RECORD_MAGIC_LEN);
	if (!magic || memcmp(magic, PI_RECORD_MAGIC, PI_RECORD_MAGIC_LEN) != 0) {
		r->bad = false;
		fail(r, "not a pinspect recording (no PIRC chunk)");
		return -1;
	}
	*kind = (int)get_u8(r);
	*version = get_u16(r);
	if (r->bad)
		return -1;
	if (*version == 0 || *version > PI_RECORD_VERSION) {
		fail(r, "written in format version %u, and this pinspect reads version %d at most "
		     "(a newer pinspect wrote it)", *version, PI_RECORD_VERSION);
		return -1;
	}
	if (*kind != PI_RECORD_HEADER && *kind != PI_RECORD_FRAME) {
		fail(r, "a chunk of unknown kind %u", (unsigned)*kind);
		return -1;
	}
	return 0;
}

int pi_record_chunk_kind(const uint8_t *p, size_t n, int *kind, unsigned *version, char *why,
			 size_t why_size)
{
	struct rd r = { p, n, 0, why, why_size, false };
	return check_chunk(&r, kind, version);
}

int pi_record_decode_header(const uint8_t *p, size_t n, struct pi_record_header *h, char *why,
			    size_t why_size)
{
	struct rd r = { p, n, 0, why, why_size, false };
	int kind;

	memset(h, 0, sizeof *h);
	if (check_chunk(&r, &kind, &h->version))
		return -1;
	if (kind != PI_RECORD_HEADER) {
		fail(&r, "the chunk is not a header");
		return -1;
	}
	get_str_into(&r, h->host, sizeof h->host, "the host name");
	get_str_into(&r, h->boot_id, sizeof h->boot_id, "the boot ID");
	get_str_into(&r, h->kernel, sizeof h->kernel, "the kernel");
	get_str_into(&r, h->pinspect, sizeof h->pinspect, "pinspect's version");
	h->page_size = get_u32(&r);
	h->hz = get_u32(&r);
	h->started = get_f64(&r, "the start time");
	h->top_pid = get_i32(&r);
	h->threads = get_bool(&r, "the threads flag");
	if (!r.bad && (h->hz == 0 || h->page_size == 0))
		fail(&r, "it gives no clock ticks per second or page size");
	if (!r.bad && r.off != r.n)
		fail(&r, "%zu bytes follow the header", r.n - r.off);
	return r.bad ? -1 : 0;
}

static void get_counts(struct rd *r, struct pi_table_counts *c)
{
	size_t *v[] = { &c->processes, &c->threads, &c->running, &c->sleeping, &c->uninterruptible,
			&c->stopped, &c->traced, &c->zombie, &c->idle, &c->other, &c->hung,
			&c->zombie_parents, &c->deadlocks, &c->deadlocked };
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		*v[i] = (size_t)get_bounded(r, "a count");
}

static void get_meters(struct rd *r, struct pi_meters *out)
{
	struct pi_meters m;
	memset(&m, 0, sizeof m);
	m.all_percent = NAN;
	if (get_bool(r, "the meters' flag")) {
		m.stat_known = get_bool(r, "the CPU meters' flag");
		m.all_percent = get_rate(r, "the CPU meter");
		uint32_t n = get_u32(r);
		if (n > PI_METERS_CPUS_MAX)
			fail(r, "it claims %u CPUs, more than the %d shown", n, PI_METERS_CPUS_MAX);
		for (unsigned i = 0; !r->bad && i < n; i++) {
			m.cpu_id[i] = get_u32(r);
			m.cpu_percent[i] = get_rate(r, "a CPU meter");
		}
		m.ncpus = r->bad ? 0 : n;
		m.old_ncpus = m.ncpus;
		m.mem_known = get_bool(r, "the memory meters' flag");
		m.mem_total = get_bounded(r, "a meter");
		m.mem_used = get_bounded(r, "a meter");
		m.swap_total = get_bounded(r, "a meter");
		m.swap_used = get_bounded(r, "a meter");
	}
	if (out)
		*out = m;
}

static bool state_ok(unsigned c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static void get_proc(struct rd *r, struct pi_proc *p)
{
	p->pid = get_i32(r);
	p->ppid = get_i32(r);
	p->euid = get_u32(r);
	unsigned state = get_u8(r);
	if (!r->bad && !state_ok(state))
		fail(r, "process %d has no state letter", (int)p->pid);
	p->state = (char)state;
	p->kernel_thread = get_bool(r, "a kernel-thread flag");
	p->processor = get_i32(r);
	p->nlwp = get_i32(r);
	p->starttime = get_ticks(r, "a start time");
	p->ticks = get_ticks(r, "a CPU time");
	p->ticks_ns = get_ns(r, "a reading's time");
	p->cpu_percent = get_rate(r, "a process's %CPU");
	p->rss_bytes = get_bounded(r, "a resident size");
	p->vsize_bytes = get_bounded(r, "a virtual size");
	p->priority = (int8_t)get_u8(r);
	p->nice = (int8_t)get_u8(r);
	get_str_into(r, p->comm, sizeof p->comm, "a process name");
	p->cmdline = get_str(r, PI_CMDLINE_KEEP, true, "a command line");
	p->cmdline_err = get_i32(r);
	p->cmdline_cut = get_bool(r, "a command line's cut flag");
	p->cmdline_bytes_more = get_bool(r, "a command line's size flag");
	p->cmdline_bytes = (size_t)get_bounded(r, "a command line's size");
	p->abi = get_i32(r);
	if (!r->bad && (p->abi < -1 || p->abi > PI_ABI_X32))
		fail(r, "process %d has an unknown system call table (%d)", (int)p->pid, p->abi);
	p->abi_read = true;
	p->first_task = get_u32(r);
	p->ntasks = get_u32(r);
	p->flags = get_u32(r) & PI_TASK_FLAGS_ALL;
	p->worst_task = get_u32(r);
	p->zombies = get_u32(r);
	p->oldest_zombie_seconds = get_f64(r, "a zombie's age");
}

static void get_task(struct rd *r, struct pi_table *t, struct pi_task *task)
{
	struct pi_task_facts *f = &task->facts;
	f->off_cpu_seconds = get_f64(r, "a time off the CPU");
	f->nvcsw = get_bounded(r, "a switch count");
	f->nivcsw = get_bounded(r, "a switch count");
	char *wchan = get_str(r, PI_WCHAN_MAX, true, "a wait channel");
	f->wchan = pi_strpool_intern(&t->strings, wchan);
	free(wchan);
	f->tid = get_i32(r);
	f->tracer_pid = get_i32(r);
	f->syscall_nr = get_i32(r);
	f->syscall_kind = (uint8_t)get_u8(r);
	if (!r->bad && f->syscall_kind > PI_SYSCALL_IN)
		fail(r, "task %d has an unknown system-call state", (int)f->tid);
	f->known = (uint8_t)get_u8(r);
	f->flags = (uint8_t)(get_u8(r) & PI_TASK_FLAGS_ALL);
	unsigned state = get_u8(r);
	if (!r->bad && !state_ok(state))
		fail(r, "task %d has no state letter", (int)f->tid);
	f->state = (char)state;
	get_str_into(r, f->comm, sizeof f->comm, "a thread name");
	task->proc = get_u32(r);
	task->euid = get_u32(r);
	task->have = (uint8_t)(get_u8(r) & PI_DETAIL_ALL);
	task->priority = (int8_t)get_u8(r);
	task->nice = (int8_t)get_u8(r);
	task->processor = get_i32(r);
	task->sched_err = (int16_t)get_u16(r);
	task->wchan_err = (int16_t)get_u16(r);
	task->syscall_err = (int16_t)get_u16(r);
	task->status_err = (int16_t)get_u16(r);
	task->statm_err = (int16_t)get_u16(r);
	task->shared_pages = get_u32(r);
	task->cpu_percent = (float)get_rate(r, "a task's %CPU");
	task->vcsw_rate = (float)get_rate(r, "a switch rate");
	task->ivcsw_rate = (float)get_rate(r, "a switch rate");
	task->starttime = get_ticks(r, "a start time");
	task->ticks = get_ticks(r, "a CPU time");
	task->ticks_ns = get_ns(r, "a reading's time");
	task->sched_ns = get_ns(r, "a reading's time");
}

static pid_t *get_pids(struct rd *r, size_t *n, const char *what)
{
	*n = get_count(r, 4, PI_RECORD_CYCLE_MAX, what);
	pid_t *v = pi_xcalloc(*n ? *n : 1, sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = get_i32(r);
	return v;
}

static int compare_cycle(const struct pi_deadlock *x, const struct pi_deadlock *y)
{
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->tids[0] > y->tids[0]) - (x->tids[0] < y->tids[0]);
}

static void get_deadlocks(struct rd *r, struct pi_deadlocks *d)
{
	d->checked = get_bool(r, "the deadlocks' flag");
	d->checked_ns = get_ns(r, "the look's time");
	d->handed_at = get_u32(r);
	d->not_checked = (size_t)get_bounded(r, "a count of processes");
	unsigned nu = get_u8(r);
	if (nu > PI_UNCHECKED_NAMED)
		fail(r, "it names %u processes not checked, more than %d", nu, PI_UNCHECKED_NAMED);
	for (unsigned i = 0; !r->bad && i < nu; i++) {
		d->unchecked[i].pid = get_i32(r);
		get_str_into(r, d->unchecked[i].comm, sizeof d->unchecked[i].comm, "a process name");
	}
	d->nunchecked = r->bad ? 0 : nu;
	/* pid, starttime, two counts, a message length, a flag, a PID. */
	size_t n = get_count(r, 4 + 8 + 4 + 4 + 4 + 1 + 4, SIZE_MAX, "lock cycles");
	d->v = pi_xcalloc(n ? n : 1, sizeof *d->v);
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct pi_deadlock *c = &d->v[i];
		d->n = i + 1;
		c->pid = get_i32(r);
		c->starttime = get_ticks(r, "a start time");
		c->tids = get_pids(r, &c->ntids, "threads in a cycle");
		c->message = get_str(r, PI_RECORD_MESSAGE_MAX, false, "a cycle's sentence");
		c->across_processes = get_bool(r, "a cycle's kind");
		c->waits_for_pid = get_i32(r);
		c->cycle_pids = get_pids(r, &c->ncycle_pids, "processes in a cycle");
		if (r->bad)
			break;
		/* As pi_table_set_deadlocks keeps them: two threads at least
		 * (one, across processes), sorted. */
		if (!(c->ntids >= 2 || (c->across_processes && c->ntids == 1)))
			fail(r, "a lock cycle of process %d has %zu threads", (int)c->pid, c->ntids);
		else if (i > 0 && compare_cycle(&d->v[i - 1], c) > 0)
			fail(r, "the lock cycles are out of order");
	}
}

/* What the view and the renderers take for granted of a table. */
static void check_table(struct rd *r, struct pi_table *t)
{
	uint32_t next = 0;
	for (size_t i = 0; i < t->nprocs && !r->bad; i++) {
		struct pi_proc *p = &t->procs[i];
		if (i > 0 && t->procs[i - 1].pid >= p->pid)
			fail(r, "the processes are out of order at PID %d", (int)p->pid);
		else if (p->first_task != next || p->ntasks > t->ntasks - next)
			fail(r, "process %d's threads are not where the table says", (int)p->pid);
		else if (p->ntasks ? (p->worst_task < p->first_task
				      || p->worst_task - p->first_task >= p->ntasks)
				   : p->worst_task != p->first_task)
			fail(r, "process %d's worst thread is not one of its own", (int)p->pid);
		for (uint32_t k = 0; !r->bad && k < p->ntasks; k++) {
			const struct pi_task *task = &t->tasks[p->first_task + k];
			if (task->proc != i)
				fail(r, "task %d is not in its process's place", (int)task->facts.tid);
			else if (k > 0 && t->tasks[p->first_task + k - 1].facts.tid >= task->facts.tid)
				fail(r, "process %d's threads are out of order", (int)p->pid);
		}
		next += p->ntasks;
	}
	if (!r->bad && next != t->ntasks)
		fail(r, "%zu tasks belong to no process", t->ntasks - next);
	/* (A task's age divides by hz.) */
	if (!r->bad && (t->hz <= 0 || t->hz > 1000000))
		fail(r, "it gives no clock ticks per second (or a million and more)");
}

int pi_record_decode_frame(const uint8_t *p, size_t n, struct pi_table *t, struct pi_meters *m,
			   char *why, size_t why_size)
{
	struct rd r = { p, n, 0, why, why_size, false };
	int kind;
	unsigned version;

	memset(t, 0, sizeof *t);
	if (check_chunk(&r, &kind, &version))
		return -1;
	if (kind != PI_RECORD_FRAME) {
		fail(&r, "the chunk is not a refresh");
		return -1;
	}
	t->realtime_seconds = get_f64(&r, "the time");
	t->uptime_seconds = get_f64(&r, "the uptime");
	t->sample_ns = get_ns(&r, "the refresh's time");
	t->samples = get_u32(&r);
	t->load_known = get_bool(&r, "the load's flag");
	for (int i = 0; i < 3; i++)
		t->load[i] = get_f64(&r, "the load average");
	t->hung_task_timeout_secs = get_i32(&r);
	t->mem_total_bytes = get_bounded(&r, "the memory size");
	t->hz = (long)get_u32(&r);
	t->page_size = (long)get_u32(&r);
	t->opt.only_pid = get_i32(&r);
	t->opt.hung_after_seconds = get_f64(&r, "--hung-after");
	t->root = get_bool(&r, "the root flag");
	get_counts(&r, &t->counts);
	get_meters(&r, m);

	size_t nu = get_count(&r, 8, PI_RECORD_USERS_MAX, "users");
	t->users = pi_xcalloc(nu ? nu : 1, sizeof *t->users);
	t->users_cap = nu ? nu : 1;
	for (size_t i = 0; i < nu && !r.bad; i++) {
		t->users[i].uid = get_u32(&r);
		t->users[i].name = get_str(&r, PI_RECORD_NAME_MAX, true, "a user name");
		t->nusers = i + 1;
	}

	/* The smallest encodings of a process and a task. */
	size_t np = get_count(&r, 120, SIZE_MAX, "processes");
	t->procs = pi_xcalloc(np ? np : 1, sizeof *t->procs);
	t->procs_cap = np ? np : 1;
	for (size_t i = 0; i < np && !r.bad; i++) {
		get_proc(&r, &t->procs[i]);
		t->nprocs = i + 1;
	}
	size_t nt = get_count(&r, 130, SIZE_MAX, "tasks");
	t->tasks = pi_xcalloc(nt ? nt : 1, sizeof *t->tasks);
	t->tasks_cap = nt ? nt : 1;
	for (size_t i = 0; i < nt && !r.bad; i++) {
		get_task(&r, t, &t->tasks[i]);
		t->ntasks = i + 1;
	}
	get_deadlocks(&r, &t->deadlocks);
	if (!r.bad)
		check_table(&r, t);
	if (!r.bad && r.off != r.n)
		fail(&r, "%zu bytes follow the refresh", r.n - r.off);
	if (r.bad)
		return -1;
	/* What follows from the facts (flags, counts, each process's worst
	 * thread and zombies) is made again by the same rule book as live,
	 * never taken from the file: the same facts give the same verdicts,
	 * and a forged count cannot size anything. */
	pi_table_classify(t);
	return 0;
}
