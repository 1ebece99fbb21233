/* The stacks' child's reply, checked and applied (collect/stack_reply.h). */
#include "collect/stack_reply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect/stack_go.h"
#include "sandbox/wire.h"
#include "tls/bounds.h"
#include "util/xalloc.h"

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

void pi_stack_reader_init(struct pi_stack_reply *r, const struct pi_stack_decode *d,
			  struct pi_stack_batch *b)
{
	memset(r, 0, sizeof *r);
	r->p = d->p;
	r->b = b;
	r->work = d->work;
	r->max_frames = d->max_frames;
	r->answered = pi_xcalloc(b->n + 1, sizeof *r->answered);
	if (r->work & PI_STACK_WORK_LOCKS) {
		r->f.locks.nthreads = d->p->nthreads;
		r->f.locks.futex = pi_xcalloc(d->p->nthreads + 1, sizeof *r->f.locks.futex);
	}
}

/* The next part of a session's reply: the stacks of b, no facts. */
void pi_stack_reader_next_part(struct pi_stack_reply *r, struct pi_stack_batch *b)
{
	free(r->answered);
	r->answered = pi_xcalloc(b->n + 1, sizeof *r->answered);
	r->b = b;
	r->work = 0;
}

void pi_stack_reader_free(struct pi_stack_reply *r)
{
	free(r->answered);
	free(r->strings);
	free(r->frames);
	free(r->f.modules);
	free(r->f.threads);
	pi_lock_symbols_free(&r->f.locks);
	free(r->f.go.goroutines);
	free(r->f.go.frames);
	pi_py_reply_free(&r->py);
}

static int string_of(const struct pi_stack_reply *r, uint32_t id, const char **out)
{
	if (id > r->nstrings)
		return -PI_ERR_SANDBOX_REPLY;
	*out = id ? r->strings[id - 1] : NULL;
	return 0;
}

/* A string that must be there. */
static int name_of(const struct pi_stack_reply *r, uint32_t id, const char **out)
{
	return id == 0 || string_of(r, id, out) ? -PI_ERR_SANDBOX_REPLY : 0;
}

static int read_frame(struct pi_stack_reply *r, const struct pi_wire_record *rec)
{
	struct pi_stack_wire_frame w;
	struct pi_user_frame f;
	if (rec->len != sizeof w || r->nframes >= r->max_frames)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	/* Whole, padding included: stacks are compared byte for byte. */
	memset(&f, 0, sizeof f);
	f.pc = w.pc;
	f.offset = w.offset;
	f.module_vaddr = w.module_vaddr;
	f.line = w.line;
	f.have_offset = w.flags & PI_STACK_FRAME_HAVE_OFFSET;
	f.inlined = w.flags & PI_STACK_FRAME_INLINED;
	if (w.line < 0 || (w.flags & ~(uint32_t)(PI_STACK_FRAME_HAVE_OFFSET | PI_STACK_FRAME_INLINED))
	    || string_of(r, w.function, &f.function) || string_of(r, w.module, &f.module)
	    || string_of(r, w.build_id, &f.build_id) || string_of(r, w.file, &f.file))
		return -PI_ERR_SANDBOX_REPLY;
	if (f.build_id && (strlen(f.build_id) % 2 || strlen(f.build_id) > PI_STACK_MAX_BUILD_ID
			   || !is_hex(f.build_id)))
		return -PI_ERR_SANDBOX_REPLY;
	pi_xgrow(&r->frames, &r->frames_cap, r->nframes + 1, sizeof *r->frames);
	r->frames[r->nframes++] = f;
	return 0;
}

/* Job's stack: nframes frames (interned), ending for reason with flags,
 * as the child sent it. */
static void set_stack(struct pi_stack_reply *r, size_t job, const struct pi_user_frame *frames,
		      size_t nframes, const char *reason, uint32_t flags)
{
	struct pi_user_stack *us = &r->b->jobs[job].t->ustack;
	us->frames = frames;
	us->nframes = nframes;
	us->truncated_reason = reason;
	if (reason && r->b->jobs[job].short_copy_reason && nframes < r->max_frames)
		us->truncated_reason = pi_strpool_intern(&r->p->strings,
							 r->b->jobs[job].short_copy_reason);
	us->frame_pointer_found = flags & PI_STACK_JOB_FRAME_POINTER_FOUND;
	r->answered[job] = (struct pi_stack_answer){ true, reason, flags };
}

static int read_job_end(struct pi_stack_reply *r, size_t job, const struct pi_wire_record *rec)
{
	struct pi_stack_wire_job_end e;
	const char *reason;
	if (rec->len != sizeof e)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&e, rec->data, sizeof e);
	if ((e.flags & ~(uint32_t)PI_STACK_JOB_FRAME_POINTER_FOUND) || string_of(r, e.reason, &reason))
		return -PI_ERR_SANDBOX_REPLY;
	/* Threads parked in the same place share one copy of their frames. */
	const struct pi_user_frame *frames =
		r->nframes ? pi_strpool_intern_blob(&r->p->strings, r->frames,
						    r->nframes * sizeof *r->frames)
			   : NULL;
	set_stack(r, job, frames, r->nframes, reason, e.flags);
	r->nframes = 0;
	return 0;
}

/* A job whose stack is an earlier job's: that one must have been
 * answered in this reply, and this one have no frames of its own. */
static int read_same_as(struct pi_stack_reply *r, size_t job, const struct pi_wire_record *rec)
{
	uint64_t earlier;
	if (pi_wire_get_u64(rec, &earlier) != 0 || earlier >= job || !r->answered[earlier].done
	    || r->nframes)
		return -PI_ERR_SANDBOX_REPLY;
	const struct pi_user_stack *src = &r->b->jobs[earlier].t->ustack;
	set_stack(r, job, src->frames, src->nframes, r->answered[earlier].reason,
		  r->answered[earlier].flags);
	return 0;
}

/* How libthread_db's walk may have ended (tls/threaddb.h). */
static bool is_walk_outcome(int32_t err)
{
	static const int32_t known[] = {
		0, -ENOENT, -EPROTO, -EIO, -ENOSYS, -PI_ERR_TIMEOUT,
		-PI_ERR_THREAD_LIST_LOOP, -PI_ERR_THREAD_LIST_LONG,
		-PI_ERR_THREAD_DB_ALTERED, -PI_ERR_THREAD_DB_BUDGET,
		-PI_ERR_THREAD_LIST_LAYOUT,
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (err == known[i])
			return true;
	return false;
}

static int read_go_info(struct pi_stack_reply *r, const struct pi_wire_record *rec)
{
	struct facts *f = &r->f;
	struct pi_stack_wire_go_info w;
	if (!f->go_exe || f->go_info || rec->len != sizeof w)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	static const int known[] = { 0, -EACCES, -EFAULT, -PI_ERR_TIMEOUT, -PI_ERR_GO_VERSION,
				     -PI_ERR_GO_STRIPPED, -PI_ERR_GO_OLD, -PI_ERR_GO_UNREADABLE };
	bool ok = false;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		ok |= w.err == known[i];
	if (!ok || string_of(r, w.version, &f->go.version) || string_of(r, w.layout, &f->go.layout))
		return -PI_ERR_SANDBOX_REPLY;
	f->go_info = true;
	f->go.read = true;
	f->go.err = w.err;
	f->go.total = (size_t)w.total;
	f->go.timers = w.timers == UINT32_MAX ? -1 : (long)w.timers;
	return 1;
}

static int read_goroutine(struct pi_stack_reply *r, const struct pi_wire_record *rec)
{
	struct facts *f = &r->f;
	struct pi_stack_wire_goroutine w;
	if (!f->go_info || f->go_frames_due || rec->len != sizeof w
	    || f->go.ngoroutines >= PI_GO_MAX_GOROUTINES)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	struct pi_goroutine g;
	memset(&g, 0, sizeof g);
	if (w.status > 9 || w.nframes > PI_GO_MAX_FRAMES
	    || f->go.nframes + w.nframes > PI_GO_MAX_TOTAL_FRAMES || string_of(r, w.wait_reason, &g.wait_reason)
	    || string_of(r, w.reason, &g.truncated_reason))
		return -PI_ERR_SANDBOX_REPLY;
	g.goid = w.goid;
	g.status = w.status;
	g.wait_seconds = w.wait_us < 0 ? -1 : (double)w.wait_us / 1e6;
	g.first_frame = f->go.nframes;
	g.nframes = w.nframes;
	pi_xgrow(&f->go.goroutines, &f->go_cap, f->go.ngoroutines + 1, sizeof g);
	f->go.goroutines[f->go.ngoroutines++] = g;
	f->go_frames_due = w.nframes;
	return 1;
}

static int read_go_frame(struct pi_stack_reply *r, const struct pi_wire_record *rec)
{
	struct facts *fa = &r->f;
	struct pi_stack_wire_frame w;
	if (!fa->go_frames_due || rec->len != sizeof w)
		return -PI_ERR_SANDBOX_REPLY;
	memcpy(&w, rec->data, sizeof w);
	struct pi_user_frame f;
	memset(&f, 0, sizeof f);
	f.pc = w.pc;
	f.line = w.line;
	f.inlined = w.flags & PI_STACK_FRAME_INLINED;
	if (w.line < 0 || (w.flags & ~(uint32_t)PI_STACK_FRAME_INLINED) || w.offset || w.module_vaddr || w.module || w.build_id
	    || string_of(r, w.function, &f.function) || string_of(r, w.file, &f.file))
		return -PI_ERR_SANDBOX_REPLY;
	pi_xgrow(&fa->go.frames, &fa->go_frames_cap, fa->go.nframes + 1, sizeof f);
	fa->go.frames[fa->go.nframes++] = f;
	fa->go_frames_due--;
	return 1;
}

/* Goroutines with the same stack (function and line, frame by frame)
 * form a group: a server has thousands parked in a few places. */
static void group_goroutines(struct pi_go_runtime *go)
{
	size_t cap = 16;
	while (cap < 2 * go->ngoroutines)
		cap *= 2;
	size_t *table = pi_xcalloc(cap, sizeof *table);	/* index + 1 of a group's first */
	for (size_t i = 0; i < go->ngoroutines; i++) {
		struct pi_goroutine *g = &go->goroutines[i];
		const struct pi_user_frame *f = go->frames + g->first_frame;
		uint64_t h = g->nframes;
		for (size_t k = 0; k < g->nframes; k++)
			h = (h ^ (uintptr_t)f[k].function ^ ((uint64_t)(uint32_t)f[k].line << 32))
			    * 0x9e3779b97f4a7c15ULL;
		size_t slot = (size_t)(h >> 17) & (cap - 1);
		for (;; slot = (slot + 1) & (cap - 1)) {
			if (!table[slot]) {
				table[slot] = i + 1;
				g->group = i;
				g->group_size = 1;
				break;
			}
			struct pi_goroutine *first = &go->goroutines[table[slot] - 1];
			const struct pi_user_frame *ff = go->frames + first->first_frame;
			bool same = first->nframes == g->nframes;
			for (size_t k = 0; same && k < g->nframes; k++)
				same = ff[k].function == f[k].function && ff[k].line == f[k].line;
			if (same) {
				g->group = table[slot] - 1;
				first->group_size++;
				break;
			}
		}
	}
	free(table);
}

/* The records of the work besides the stacks: each checked for its size,
 * its count, its references. 1 when rec was one of them, 0 when not, or
 * -PI_ERR_SANDBOX_REPLY. */
static int read_fact(struct pi_stack_reply *r, const struct pi_wire_record *rec)
{
	struct facts *f = &r->f;
	const struct pi_process *p = r->p;
	bool tls = r->work & PI_STACK_WORK_TLS, locks = r->work & PI_STACK_WORK_LOCKS;
	bool go = r->work & PI_STACK_WORK_GO;
	const int bad = -PI_ERR_SANDBOX_REPLY;
	struct pi_stack_wire_named n;
	const char *name;

	switch (rec->type) {
	case PI_STACK_REC_TLS_MODULE: {
		struct pi_stack_wire_tls_module w;
		if (!tls || rec->len != sizeof w || f->nmodules >= p->nvmas)
			return bad;
		memcpy(&w, rec->data, sizeof w);
		if (w.zero || name_of(r, w.path, &name))
			return bad;
		pi_xgrow(&f->modules, &f->modules_cap, f->nmodules + 1, sizeof *f->modules);
		f->modules[f->nmodules++] = (struct tls_module){ name, w.size, w.init_size, w.align };
		return 1;
	}
	case PI_STACK_REC_TLS_THREAD: {
		struct pi_stack_wire_tls_thread w;
		if (!tls || rec->len != sizeof w || f->walked
		    || f->nthreads >= pi_tdb_entry_limit(p->nthreads))
			return bad;
		memcpy(&w, rec->data, sizeof w);
		if (w.zero || w.tid <= 0)
			return bad;
		pi_xgrow(&f->threads, &f->threads_cap, f->nthreads + 1, sizeof *f->threads);
		f->threads[f->nthreads++] = w;
		return 1;
	}
	case PI_STACK_REC_TLS_WALK:
		if (!tls || f->walked || pi_wire_get_i32(rec, &f->walk_err) != 0
		    || !is_walk_outcome(f->walk_err))
			return bad;
		f->walked = true;
		return 1;
	case PI_STACK_REC_TLS_EXE: {
		uint64_t block[2];
		if (!tls || f->exe.known || rec->len != sizeof block)
			return bad;
		memcpy(block, rec->data, sizeof block);
		f->exe.known = true;
		f->exe.block_size = block[0];
		f->exe.align = block[1];
		return 1;
	}
	case PI_STACK_REC_TLS_VAR:
		if (!tls || !f->exe.known || f->exe.nvars >= PI_TLS_MAX_VARS || rec->len != sizeof n)
			return bad;
		memcpy(&n, rec->data, sizeof n);
		if (n.zero || name_of(r, n.name, &name))
			return bad;
		f->exe.vars[f->exe.nvars++] = (struct pi_tls_exe_var){ name, n.a, n.b };
		return 1;
	case PI_STACK_REC_FUTEX_NAME:
		if (!locks || rec->len != sizeof n)
			return bad;
		memcpy(&n, rec->data, sizeof n);
		/* Once per thread, for a thread of the process. */
		if (n.zero || n.b >= f->locks.nthreads || f->locks.futex[n.b].name
		    || name_of(r, n.name, &name))
			return bad;
		f->locks.futex[n.b] = (struct pi_named_word){ n.a, name };
		return 1;
	case PI_STACK_REC_MUTEX:
		if (!locks || rec->len != sizeof n || f->locks.nmutexes >= PI_LOCK_MAX_MUTEXES)
			return bad;
		memcpy(&n, rec->data, sizeof n);
		if (n.zero || n.b || name_of(r, n.name, &name))
			return bad;
		pi_xgrow(&f->locks.mutexes, &f->locks.mutexes_cap, f->locks.nmutexes + 1,
			 sizeof *f->locks.mutexes);
		f->locks.mutexes[f->locks.nmutexes++] = (struct pi_named_word){ n.a, name };
		return 1;
	case PI_STACK_REC_GO_EXE:
		if (!go || f->go_exe || rec->len != 0)
			return bad;
		f->go_exe = true;
		return 1;
	case PI_STACK_REC_GO_INFO:
		return go ? read_go_info(r, rec) : bad;
	case PI_STACK_REC_GOROUTINE:
		return go ? read_goroutine(r, rec) : bad;
	case PI_STACK_REC_GO_FRAME:
		return go ? read_go_frame(r, rec) : bad;
	default:
		return 0;
	}
}

/* Every record checked; any bad one rejects the whole reply. */
int pi_stack_read_reply(struct pi_stack_reply *r, const struct pi_buf *reply, size_t max_record)
{
	struct pi_wire_reader wr;
	struct pi_wire_record rec;
	char *s = pi_xmalloc(PI_STACK_MAX_STRING + 1);
	uint64_t job = 0;
	bool in_job = false, any_job = false;
	int got, err = 0;

	pi_wire_reader_init(&wr, reply->data, reply->len, max_record);
	while (!err && (got = pi_wire_next(&wr, &rec)) == 1) {
		switch (rec.type) {
		case PI_STACK_REC_STRING:
			if (r->nstrings >= PI_STACK_MAX_STRINGS
			    || pi_wire_get_str(&rec, 1, PI_STACK_MAX_STRING, s) != 0) {
				err = -PI_ERR_SANDBOX_REPLY;
				break;
			}
			pi_xgrow(&r->strings, &r->strings_cap, r->nstrings + 1, sizeof *r->strings);
			r->strings[r->nstrings++] = pi_strpool_intern(&r->p->strings, s);
			break;
		case PI_STACK_REC_JOB: {
			uint64_t next = 0;
			/* Each job once, in order. */
			if (in_job || pi_wire_get_u64(&rec, &next) != 0 || next >= r->b->n
			    || (any_job && next <= job)) {
				err = -PI_ERR_SANDBOX_REPLY;
				break;
			}
			job = next;
			in_job = any_job = true;
			break;
		}
		case PI_STACK_REC_FRAME:
			err = in_job ? read_frame(r, &rec) : -PI_ERR_SANDBOX_REPLY;
			break;
		case PI_STACK_REC_JOB_END:
			err = in_job ? read_job_end(r, (size_t)job, &rec) : -PI_ERR_SANDBOX_REPLY;
			in_job = false;
			break;
		case PI_STACK_REC_SAME_AS:
			err = in_job ? read_same_as(r, (size_t)job, &rec) : -PI_ERR_SANDBOX_REPLY;
			in_job = false;
			break;
		case PI_STACK_REC_MANGLED:
			if (rec.len != 0)
				err = -PI_ERR_SANDBOX_REPLY;
			r->mangled = true;
			break;
		case PI_STACK_REC_PY_INFO:
		case PI_STACK_REC_PY_THREAD:
		case PI_STACK_REC_PY_FRAME:
			/* After the jobs they belong to, never inside one. */
			err = in_job || !any_job ? -PI_ERR_SANDBOX_REPLY
						 : pi_py_reply_record(&r->py, rec.type, &rec, r->strings,
								      r->nstrings);
			break;
		default:
			/* Facts come before any job. */
			err = in_job ? -PI_ERR_SANDBOX_REPLY : read_fact(r, &rec);
			if (err == 0)
				err = -PI_ERR_SANDBOX_REPLY;	/* no such record */
			else if (err == 1)
				err = 0;
		}
	}
	free(s);
	if (!err && (got < 0 || in_job || r->f.go_frames_due || !pi_py_reply_complete(&r->py)))
		err = -PI_ERR_SANDBOX_REPLY;
	/* The walk's outcome is always said when it was asked for. */
	if (!err && (r->work & PI_STACK_WORK_TLS) && !r->f.walked)
		err = -PI_ERR_SANDBOX_REPLY;
	for (size_t i = 0; !err && i < r->b->n; i++)
		if (!r->answered[i].done)
			err = -PI_ERR_SANDBOX_REPLY;
	/* A good part's Python frames, into the stacks just set. */
	if (!err && r->py.info)
		pi_py_reply_apply(&r->py, r->p, r->b);
	pi_py_reply_free(&r->py);
	memset(&r->py, 0, sizeof r->py);
	return err;
}

/* A good reply's facts, to the process and the caller. */
void pi_stack_apply_facts(const struct pi_stack_decode *d, struct pi_stack_reply *r)
{
	struct pi_process *p = d->p;
	if (r->work & PI_STACK_WORK_TLS) {
		pi_tls_reset_modules(p);
		p->tls_modules_err = 0;
		for (size_t i = 0; i < r->f.nmodules; i++)
			pi_tls_add_module(p, r->f.modules[i].path, r->f.modules[i].size,
					  r->f.modules[i].init_size, r->f.modules[i].align);
		for (size_t i = 0; i < r->f.nthreads; i++)
			pi_tls_apply_thread(p, r->f.threads[i].tid, r->f.threads[i].tcb,
					    r->f.threads[i].exe_block);
		pi_tls_apply_walk(p, r->f.walk_err);
		if (d->tls_exe)
			*d->tls_exe = r->f.exe;
	}
	if ((r->work & PI_STACK_WORK_LOCKS) && d->locks) {
		pi_lock_symbols_free(d->locks);
		*d->locks = r->f.locks;
		memset(&r->f.locks, 0, sizeof r->f.locks);
	}
	if (r->work & PI_STACK_WORK_GO) {
		p->runtime_go = r->f.go_exe;
		if (r->f.go_info) {
			group_goroutines(&r->f.go);
			free(p->go.goroutines);
			free(p->go.frames);
			p->go = r->f.go;
			memset(&r->f.go, 0, sizeof r->f.go);
		}
	}
}

/* The child failed: what it was to find is unknown, for that reason. */
void pi_stack_fail_facts(const struct pi_stack_decode *d, int err)
{
	struct pi_process *p = d->p;
	if (d->work & PI_STACK_WORK_TLS) {
		pi_tls_reset_modules(p);
		p->tls_modules_err = err;
		pi_tls_apply_walk(p, err);
		if (d->tls_exe)
			memset(d->tls_exe, 0, sizeof *d->tls_exe);
	}
	if ((d->work & PI_STACK_WORK_LOCKS) && d->locks)
		pi_lock_symbols_free(d->locks);
}

void pi_stack_fail_all(struct pi_stack_batch *b, int err)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pi_user_stack *us = &b->jobs[i].t->ustack;
		us->err = err;
		us->frames = NULL;
		us->nframes = 0;
		us->truncated_reason = NULL;
		us->frame_pointer_found = false;
	}
}

/* A decoder error of the child's own (an allocation refused below its
 * limit, say) is no reason of the sandbox's. */
int pi_stack_sandbox_reason(int err)
{
	return err <= -PI_ERR_SANDBOX_CRASHED && err >= -PI_ERR_SANDBOX_SETUP ? err
									: -PI_ERR_SANDBOX_CRASHED;
}
