#include "collect/stack_python.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/reasons.h"
#include "collect/stack_sandbox.h"
#include "util/deadline.h"
#include "util/xalloc.h"

enum { MAX_SYMBOLS = 1 << 22, MAX_CANDIDATES = 8 };

struct mem {
	int fd;
	const struct pi_deadline *deadline;
};

static bool read_mem(void *arg, uint64_t addr, void *buf, size_t len)
{
	const int *fd = &((const struct mem *)arg)->fd;
	if (*fd < 0 || addr > (uint64_t)INT64_MAX - len)
		return false;
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(*fd, (char *)buf + got, len - got, (off_t)(addr + got));
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

struct symbols {
	uint64_t runtime, version;
};

static void find_symbols(Dwfl_Module *mod, struct symbols *s)
{
	int n = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n && i < MAX_SYMBOLS && !(s->runtime && s->version); i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (!name || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_shndx == SHN_UNDEF)
			continue;
		if (strcmp(name, "_PyRuntime") == 0)
			s->runtime = addr;
		else if (strcmp(name, "Py_Version") == 0)
			s->version = addr;
	}
}

/* "3.N" from a module's file name (libpython3.10.so.1.0, python3.9),
 * for Pythons before 3.11, which have no Py_Version. */
static bool version_from_name(const char *path, unsigned *minor)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path;
	const char *at = base ? strstr(base, "python3.") : NULL;
	return at && sscanf(at + 8, "%u", minor) == 1 && *minor < 100;
}

static bool expired(void *arg)
{
	return pi_deadline_passed(((const struct mem *)arg)->deadline);
}

/* Is path's file name that of a Python (python3.11, libpython3.12.so)?
 * Only such modules' symbols are searched: a program of another name
 * need not pay for a look through its symbol table. */
static bool python_named(const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path;
	return base && (strncmp(base, "python", 6) == 0 || strncmp(base, "libpython", 9) == 0);
}

/* The modules _PyRuntime may be in: the executable, and libpython. */
static size_t candidates(Dwfl *dwfl, const struct pi_process *p, Dwfl_Module **mods,
			 const char **paths)
{
	size_t n = 0;
	Dwfl_Module *exe = !p->auxv_err && p->auxv.entry ? dwfl_addrmodule(dwfl, p->auxv.entry) : NULL;
	if (exe && python_named(p->exe)) {
		mods[n] = exe;
		paths[n++] = p->exe;
	}
	for (size_t i = 0; i < p->nvmas && n < MAX_CANDIDATES; i++) {
		const char *path = p->vmas[i].path;
		const char *base = path ? strrchr(path, '/') : NULL;
		if (!base || strncmp(base + 1, "libpython", 9) != 0)
			continue;
		Dwfl_Module *m = dwfl_addrmodule(dwfl, p->vmas[i].start);
		bool dup = !m;
		for (size_t k = 0; k < n && !dup; k++)
			dup = mods[k] == m;
		if (!dup) {
			mods[n] = m;
			paths[n++] = path;
		}
	}
	return n;
}

bool pi_stack_python_collect(Dwfl *dwfl, const struct pi_process *p, int memfd,
			     struct pi_strpool *pool, struct pi_py_result *out)
{
	memset(out, 0, sizeof *out);
	Dwfl_Module *mods[MAX_CANDIDATES];
	const char *paths[MAX_CANDIDATES];
	size_t n = candidates(dwfl, p, mods, paths);
	struct symbols sym = { 0, 0 };
	const char *path = NULL;
	for (size_t i = 0; i < n && !sym.runtime; i++) {
		memset(&sym, 0, sizeof sym);
		find_symbols(mods[i], &sym);
		path = paths[i];
	}
	if (!sym.runtime)
		return false;	/* not CPython */
	struct mem mem = { memfd, &p->deadline };
	unsigned major = 3, minor = 0;
	uint8_t v[4];
	bool have_version = false;
	if (sym.version && read_mem(&mem, sym.version, v, sizeof v)) {
		uint32_t hex = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16
			       | (uint32_t)v[3] << 24;
		major = hex >> 24;
		minor = (hex >> 16) & 0xff;
		have_version = true;
	} else {
		have_version = version_from_name(path, &minor);
	}
	char version[32];
	if (have_version) {
		snprintf(version, sizeof version, "%u.%u", major, minor);
		out->version = pi_strpool_intern(pool, version);
	}
	if (memfd < 0) {
		out->err = -EACCES;
		return true;
	}
	struct pi_py_layout layout;
	uint8_t dbg[PI_PY_DEBUG_OFFSETS_SIZE];
	uint64_t hex = 0;
	bool known = false;
	if (have_version && major == 3 && (minor == 11 || minor == 12))
		known = pi_py_layout_for_version(minor, &layout);
	else if (have_version && major == 3 && minor >= 13 && read_mem(&mem, sym.runtime, dbg, sizeof dbg))
		known = pi_py_layout_from_debug_offsets(dbg, sizeof dbg, &layout, &hex) == 0;
	if (!known) {
		out->err = -PI_ERR_PY_VERSION;
		return true;
	}
	out->layout = pi_strpool_intern(pool, layout.source);
	struct pi_py_walk w = { read_mem, &mem, &layout, sym.runtime,
				p->nthreads ? p->nthreads : 1, PI_PY_MAX_FRAMES, pool, expired };
	int err = pi_py_walk(&w, &out->snap);
	pi_py_by_os_thread(&out->snap);
	if (err)
		out->err = err == -EFAULT ? -EFAULT : -PI_ERR_PY_UNREADABLE;
	else if (out->snap.expired)
		out->err = -PI_ERR_TIMEOUT;	/* the threads read are kept */
	return true;
}

void pi_py_result_free(struct pi_py_result *r)
{
	pi_py_snapshot_free(&r->snap);
	memset(r, 0, sizeof *r);
}

/* ---- On the root side ---- */

static int string_of(const char *const *strings, size_t n, uint32_t id, const char **out)
{
	if (id > n)
		return -1;
	*out = id ? strings[id - 1] : NULL;
	return 0;
}

int pi_py_reply_record(struct pi_py_reply *r, uint32_t type, const struct pi_wire_record *rec,
		       const char *const *strings, size_t nstrings)
{
	const int bad = -PI_ERR_SANDBOX_REPLY;
	switch (type) {
	case PI_STACK_REC_PY_INFO: {
		struct pi_stack_wire_py_info w;
		if (r->info || rec->len != sizeof w)
			return bad;
		memcpy(&w, rec->data, sizeof w);
		static const int known[] = { 0, -EACCES, -EFAULT, -PI_ERR_TIMEOUT, -PI_ERR_PY_VERSION,
					     -PI_ERR_PY_UNREADABLE };
		bool ok = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			ok |= w.err == known[i];
		if (!ok || (w.flags & ~(uint32_t)PI_PY_WIRE_GIL_KNOWN) || w.gil_tid > INT32_MAX
		    || w.nthreads > PI_PY_MAX_THREADS || w.ninterpreters > PI_PY_MAX_INTERPRETERS
		    || w.ngils > w.ninterpreters
		    || string_of(strings, nstrings, w.version, &r->rt.version)
		    || string_of(strings, nstrings, w.layout, &r->rt.layout))
			return bad;
		r->info = true;
		r->rt.read = true;
		r->rt.err = w.err;
		r->rt.gil_known = w.flags & PI_PY_WIRE_GIL_KNOWN;
		r->rt.gil_tid = (pid_t)w.gil_tid;
		r->rt.ninterpreters = w.ninterpreters;
		r->rt.ngils = w.ngils;
		r->rt.nthreads = (size_t)w.nthreads;
		r->threads_due = (size_t)w.nthreads;
		return 0;
	}
	case PI_STACK_REC_PY_THREAD: {
		struct pi_stack_wire_py_thread w;
		if (!r->info || !r->threads_due || r->frames_due || rec->len != sizeof w)
			return bad;
		memcpy(&w, rec->data, sizeof w);
		struct pi_py_reply_thread t = { (pid_t)w.tid, r->nframes, w.nframes, NULL,
						w.flags & PI_PY_WIRE_HOLDS_GIL };
		/* A GIL held by a thread of no TID is no thread's. */
		if (w.tid > INT32_MAX || w.nframes > PI_PY_MAX_FRAMES
		    || (w.flags & ~(uint32_t)PI_PY_WIRE_HOLDS_GIL) || w.pad || (t.holds_gil && !r->rt.gil_known)
		    || string_of(strings, nstrings, w.reason, &t.reason))
			return bad;
		pi_xgrow(&r->threads, &r->threads_cap, r->nthreads + 1, sizeof t);
		r->threads[r->nthreads++] = t;
		r->threads_due--;
		r->frames_due = w.nframes;
		return 0;
	}
	case PI_STACK_REC_PY_FRAME: {	/* of the thread before */
		struct pi_stack_wire_py_frame w;
		struct pi_py_frame f;
		if (!r->frames_due || rec->len != sizeof w)
			return bad;
		memcpy(&w, rec->data, sizeof w);
		memset(&f, 0, sizeof f);
		if (w.line < 0 || (w.flags & ~(uint32_t)PI_PY_WIRE_ENTRY)
		    || string_of(strings, nstrings, w.function, &f.function)
		    || string_of(strings, nstrings, w.file, &f.file))
			return bad;
		f.line = w.line;
		f.entry = w.flags & PI_PY_WIRE_ENTRY;
		pi_xgrow(&r->frames, &r->frames_cap, r->nframes + 1, sizeof f);
		r->frames[r->nframes++] = f;
		r->frames_due--;
		return 0;
	}
	default:
		return bad;
	}
}

bool pi_py_reply_complete(const struct pi_py_reply *r)
{
	return !r->threads_due && !r->frames_due;
}

void pi_py_merge(const struct pi_user_frame *native, size_t nnative, const struct pi_py_frame *py,
		 size_t npy, struct pi_user_frame **out, size_t *nout)
{
	*out = pi_xcalloc(nnative + npy + 1, sizeof **out);
	size_t n = 0, k = 0;
	for (size_t i = 0; i < nnative; i++) {
		(*out)[n++] = native[i];
		if (!native[i].function || strcmp(native[i].function, PI_PY_EVAL_FUNCTION) != 0)
			continue;
		/* This evaluator runs the Python frames from here to the
		 * next entry frame. */
		while (k < npy) {
			struct pi_user_frame *f = &(*out)[n++];
			memset(f, 0, sizeof *f);
			f->python = true;
			f->function = py[k].function;
			f->file = py[k].file;
			f->line = py[k].line;
			if (py[k++].entry)
				break;
		}
	}
	*nout = n;
}

static int compare_py_thread(const void *a, const void *b)
{
	pid_t x = ((const struct pi_py_reply_thread *)a)->tid, y = ((const struct pi_py_reply_thread *)b)->tid;
	return (x > y) - (x < y);
}

void pi_py_reply_apply(struct pi_py_reply *r, struct pi_process *p, const struct pi_stack_batch *b)
{
	p->python = r->rt;
	/* Found by TID in a sorted copy: a process of thousands of threads
	 * must not cost jobs times Python threads. */
	if (r->nthreads > 1)
		qsort(r->threads, r->nthreads, sizeof *r->threads, compare_py_thread);
	/* Each interpreter's GIL holder (a subinterpreter may have a GIL of
	 * its own): a thread of the process, or none. */
	for (size_t i = 0; i < p->nthreads; i++) {
		struct pi_py_reply_thread key = { .tid = p->threads[i].facts.tid };
		const struct pi_py_reply_thread *pt =
			r->nthreads ? bsearch(&key, r->threads, r->nthreads, sizeof *r->threads, compare_py_thread)
				    : NULL;
		p->threads[i].holds_gil = r->rt.gil_known && pt && pt->holds_gil;
	}
	/* Only the batch's stacks are new: another batch's were merged. */
	for (size_t i = 0; i < b->n; i++) {
		struct pi_thread *t = b->jobs[i].t;
		struct pi_py_reply_thread key = { .tid = t->facts.tid };
		const struct pi_py_reply_thread *pt =
			r->nthreads ? bsearch(&key, r->threads, r->nthreads, sizeof *r->threads, compare_py_thread)
				    : NULL;
		if (!pt || !pt->nframes || t->ustack.err || !t->ustack.nframes)
			continue;
		struct pi_user_frame *merged;
		size_t n;
		pi_py_merge(t->ustack.frames, t->ustack.nframes, r->frames + pt->first_frame, pt->nframes,
			    &merged, &n);
		if (n != t->ustack.nframes)
			t->ustack.frames = pi_strpool_intern_blob(&p->strings, merged, n * sizeof *merged);
		t->ustack.nframes = n;
		free(merged);
	}
	/* The GIL's holder is a thread of the process, or unknown; the
	 * holders are counted as the process's threads. */
	bool found = false;
	p->python.ngil_holders = 0;
	for (size_t i = 0; i < p->nthreads; i++) {
		found |= p->threads[i].holds_gil && p->threads[i].facts.tid == p->python.gil_tid;
		p->python.ngil_holders += p->threads[i].holds_gil;
	}
	if (!found)
		p->python.gil_tid = 0;
	for (size_t i = 0; i < p->nthreads && !p->python.gil_tid; i++)
		if (p->threads[i].holds_gil)
			p->python.gil_tid = p->threads[i].facts.tid;
}

void pi_py_reply_free(struct pi_py_reply *r)
{
	free(r->threads);
	free(r->frames);
	memset(r, 0, sizeof *r);
}
