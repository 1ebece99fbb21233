#include "collect/stack_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "analysis/vma.h"
#include "collect/stack_child.h"
#include "collect/stack_reply.h"
#include "proc/memory.h"
#include "proc/target_open.h"
#include "runtime/jvm.h"
#include "sandbox/sandbox.h"
#include "unwind/debugpaths.h"
#include "unwind/demangle.h"
#include "util/deadline.h"
#include "util/xalloc.h"

/* Writes all of len bytes at off. */
static int pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
	const char *p = data;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

void pi_stack_batch_add(struct pi_stack_batch *b, struct pi_thread *t,
			const struct pi_unwind_start *start, uint8_t *stack)
{
	pi_xgrow(&b->jobs, &b->cap, b->n + 1, sizeof *b->jobs);
	struct pi_stack_job *job = &b->jobs[b->n++];
	*job = (struct pi_stack_job){ t, *start, stack, NULL, false, 0 };
	if (!stack)
		return;
	b->stack_bytes += start->stack_len;
	if (b->has_file && start->stack
	    && pwrite_all(b->file, start->stack, start->stack_len, b->file_len) == 0) {
		job->in_file = true;
		job->file_off = b->file_len;
		b->file_len += start->stack_len;
		free(stack);
		job->stack = NULL;
		job->start.stack = NULL;
	}
}

int pi_stack_batch_use_file(struct pi_stack_batch *b)
{
	if (b->has_file)
		return 0;
	int fd = memfd_create("pinspect-stacks", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	b->has_file = true;
	b->file = fd;
	b->file_len = 0;
	return 0;
}

/* The copies in the file back in memory, and no file any more (a child
 * that inherits them, or a later batch). */
static void batch_leave_file(struct pi_stack_batch *b)
{
	if (!b->has_file)
		return;
	for (size_t i = 0; i < b->n; i++) {
		struct pi_stack_job *job = &b->jobs[i];
		if (!job->in_file)
			continue;
		job->in_file = false;
		job->stack = pi_xmalloc(job->start.stack_len ? job->start.stack_len : 1);
		ssize_t n = pread(b->file, job->stack, job->start.stack_len, (off_t)job->file_off);
		job->start.stack = job->stack;
		job->start.stack_len = n > 0 ? (size_t)n : 0;
	}
	close(b->file);
	b->has_file = false;
}

void pi_stack_batch_free(struct pi_stack_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->jobs[i].stack);
	free(b->jobs);
	if (b->has_file)
		close(b->file);
	memset(b, 0, sizeof *b);
}

/* ---- On the root side ---- */

struct policy {
	const struct pi_process *p;
	struct pi_process *out;		/* where what could not be opened is said */
	int rootfd;
	/* The opens of the process's files: a mount that does not answer
	 * costs one wait (proc/target_open.h), in the broker's thread or
	 * before the fork. */
	struct pi_target_files files;
	const char **modules;		/* the file-backed mappings' paths */
	size_t nmodules;
	int batch_fd;			/* the session's batch, -1 until written */
	bool batch_given;
	/* The modules' files opened before the fork, which the child
	 * inherits (pi_stack_child_arg.modules), so that it does not wait
	 * for the root side to answer a request for each; and the
	 * descriptors it keeps: these and the process's mem. */
	struct pi_stack_module_fd *opened;
	size_t nopened;
	int *keep;
	size_t nkeep;
};

static const struct pi_vma *vma_exactly(const struct pi_process *p, uint64_t start, uint64_t end)
{
	long i = pi_vma_find(p->vmas, p->nvmas, start);
	const struct pi_vma *v = i >= 0 ? &p->vmas[i] : NULL;
	return v && v->start == start && v->end == end ? v : NULL;
}

/* The broker's policy: a module's file is the file mapped at a range of
 * the process, exactly (map_files, or its path in the process's root, by
 * device and inode); a debug file is a regular file in the root's debug
 * directories (unwind/debugpaths), opened with proc/target_open. */
static int open_for_child(void *arg, uint32_t kind, const unsigned char *data, size_t len)
{
	struct policy *pol = arg;
	switch (kind) {
	case PI_BROKER_MAPPING: {
		uint64_t range[2];
		if (len != sizeof range)
			return -EINVAL;
		memcpy(range, data, sizeof range);
		const struct pi_vma *v = vma_exactly(pol->p, range[0], range[1]);
		if (!v || !v->path || v->path[0] != '/' || !v->inode)
			return -EACCES;
		struct stat st;
		int fd = pi_unwind_open_mapped_in(&pol->files, v, &st);
		if (fd == -ETIMEDOUT)
			pi_target_files_note_unread(&pol->files, v->path);
		return fd;
	}
	case PI_BROKER_DEBUG_FILE: {
		char path[4096];
		if (len == 0 || len >= sizeof path || memchr(data, '\0', len))
			return -EINVAL;
		memcpy(path, data, len);
		path[len] = '\0';
		if (pol->rootfd < 0)
			return -EBADF;
		if (!pi_debug_path_allowed(path, pol->modules, pol->nmodules))
			return -EACCES;
		int fd = pi_target_files_open(&pol->files, path, NULL);
		if (fd == -ETIMEDOUT)
			pi_target_files_note_unread(&pol->files, path);
		return fd;
	}
	case PI_BROKER_DEBUGINFOD: {
		/* The module's range, then its build-id as the child read it:
		 * debuginfod is asked by that alone, and nothing of the
		 * target's is opened or parsed here. */
		uint64_t range[2];
		const char *urls = getenv("DEBUGINFOD_URLS");
		if (len <= sizeof range || len > sizeof range + 64 || !urls || !*urls)
			return -ENOENT;
		memcpy(range, data, sizeof range);
		if (!vma_exactly(pol->p, range[0], range[1]))
			return -ENOENT;
		return pi_debuginfod_fetch(data + sizeof range, len - sizeof range);
	}
	case PI_BROKER_STACK_BATCH: {
		if (len != 0 || pol->batch_given)
			return -EINVAL;
		if (pol->batch_fd < 0)
			return -ENOENT;	/* none: the child ends */
		pol->batch_given = true;
		/* A copy: the broker closes what it passes on. */
		int fd = fcntl(pol->batch_fd, F_DUPFD_CLOEXEC, 3);
		return fd >= 0 ? fd : -errno;
	}
	default:
		return -EINVAL;
	}
}

static void policy_init(struct policy *pol, struct pi_process *p)
{
	memset(pol, 0, sizeof *pol);
	pol->p = p;
	pol->out = p;
	pol->rootfd = pi_target_root_open(p->pid);
	pi_target_files_init(&pol->files, p->pid, pol->rootfd);
	pol->batch_fd = -1;
	pol->modules = pi_xcalloc(p->nvmas + 1, sizeof *pol->modules);
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].path && p->vmas[i].path[0] == '/' && p->vmas[i].inode)
			pol->modules[pol->nmodules++] = p->vmas[i].path;
}

/* Closes pinspect's copies of the modules' files (once the child has
 * its own, or will not be started). */
static void close_opened(struct policy *pol)
{
	for (size_t i = 0; i < pol->nopened; i++)
		if (pol->opened[i].fd >= 0)
			close(pol->opened[i].fd);
	free(pol->opened);
	pol->opened = NULL;
	pol->nopened = 0;
	free(pol->keep);
	pol->keep = NULL;
	pol->nkeep = 0;
}

static bool same_file(const struct pi_vma *a, const struct pi_vma *b)
{
	return a->inode == b->inode && a->dev_major == b->dev_major && a->dev_minor == b->dev_minor
	       && b->path && strcmp(a->path, b->path) == 0;
}

/* Opens each module's file as the broker would be asked for it: the
 * mapping where its consecutive mappings of one file begin (as the
 * unwinder reports modules), with the broker's own checks
 * (pi_unwind_open_mapped: the mapped file, by device and inode). One
 * that cannot be opened here is asked for as before. */
static void open_modules(struct policy *pol)
{
	const struct pi_process *p = pol->p;
	pol->opened = pi_xcalloc(PI_STACK_MAX_PREOPENED, sizeof *pol->opened);
	for (size_t i = 0; i < p->nvmas && pol->nopened < PI_STACK_MAX_PREOPENED;) {
		const struct pi_vma *v = &p->vmas[i++];
		if (!v->path || v->path[0] != '/' || !v->inode)
			continue;
		while (i < p->nvmas && same_file(v, &p->vmas[i]))
			i++;
		struct stat st;
		int fd = pi_unwind_open_mapped_in(&pol->files, v, &st);
		if (fd == -ETIMEDOUT)
			pi_target_files_note_unread(&pol->files, v->path);
		if (fd >= 0 && fd <= 2) {
			close(fd);	/* the child closes the standard ones */
			fd = -1;
		}
		if (fd >= 0)
			pol->opened[pol->nopened++] = (struct pi_stack_module_fd){ v->start, v->end, fd };
	}
}

/* The modules whose mount did not answer, in the process's unavailable
 * list (analysis/analyze.c turns the text into its line). */
static void say_unread(struct policy *pol)
{
	struct pi_target_files *tf = &pol->files;
	if (!tf->nunread)
		return;
	struct pi_buf b = PI_BUF_INIT;
	if (pol->out->files_unread) {
		pi_buf_puts(&b, pol->out->files_unread);
		pi_buf_puts(&b, "; ");
		free(pol->out->files_unread);
	}
	pi_buf_puts(&b, tf->unread.data);
	if (tf->nunread > 4)
		pi_buf_printf(&b, "; and %zu more", tf->nunread - 4);
	pol->out->files_unread = pi_buf_steal(&b);
}

static void policy_free(struct policy *pol)
{
	say_unread(pol);
	pi_target_files_free(&pol->files);
	close_opened(pol);
	if (pol->rootfd >= 0)
		close(pol->rootfd);
	if (pol->batch_fd >= 0)
		close(pol->batch_fd);
	free(pol->modules);
}

/* As long as the budget (--timeout) leaves, and a little more: the child
 * cuts its own work at the budget. Without a budget, five minutes: a
 * decoder looping on a crafted image does not hold pinspect for good. */
static int child_timeout_ms(const struct pi_stack_decode *d)
{
	if (d->timeout_ms > 0)
		return d->timeout_ms;
	double left = pi_deadline_remaining(&d->p->deadline);
	if (left < 0)
		return 300 * 1000;
	return (int)(left * 1000) + 2000;
}

static void config_for(const struct pi_stack_decode *d, struct policy *pol, int *memfd,
		       struct pi_sandbox_config *cfg)
{
	policy_init(pol, d->p);
	/* Read access is checked at the open, here, by the root side. */
	*memfd = pi_mem_open(d->procfd);
	if (*memfd >= 0 && *memfd <= 2) {
		close(*memfd);
		*memfd = -1;
	}
	pi_sandbox_config_init(cfg);
	/* DWARF of big libraries, mapped (the mapped files count) and
	 * decompressed, with --lines=all; and the session's batch. */
	cfg->mem_budget = (size_t)1 << 30;
	cfg->timeout_ms = child_timeout_ms(d);
	cfg->max_reply = (size_t)256 << 20;
	cfg->max_record = PI_STACK_MAX_STRING + 64;
	open_modules(pol);
	pol->keep = pi_xcalloc(pol->nopened + 1, sizeof *pol->keep);
	for (size_t i = 0; i < pol->nopened; i++)
		pol->keep[pol->nkeep++] = pol->opened[i].fd;
	if (*memfd >= 0)
		pol->keep[pol->nkeep++] = *memfd;
	cfg->keep_fds = pol->keep;
	cfg->nkeep = pol->nkeep;
	cfg->policy = open_for_child;
	cfg->policy_arg = pol;
	/* Each module once, its debug file candidates (three debug-link
	 * places, the build-id, the alt file's two), debuginfod's file and
	 * alt file, the batch, and what libdwfl holds open at once. */
	cfg->max_requests = (unsigned)(10 * pol->nmodules + 64);
	cfg->max_fds = (unsigned)(8 * pol->nmodules + 64);
}

/* A JVM's perf map: read here (inside its root, a regular file, without
 * blocking), parsed by the child, which inherits it with the fork. */
static void jvm_arg(const struct pi_stack_decode *d, struct policy *pol,
		    struct pi_stack_child_arg *a, struct pi_buf *perf_map)
{
	const struct pi_process *p = d->p;
	a->jvm = pi_jvm_mapped(p->vmas, p->nvmas);
	a->perf_map = perf_map;
	if (!a->jvm || pol->rootfd < 0)
		return;
	pid_t nspid = p->status.nspid_levels ? p->status.nspid[p->status.nspid_levels - 1] : p->pid;
	char path[64];
	snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)nspid);
	struct stat st;
	int fd = pi_target_files_open(&pol->files, path, &st);
	if (fd == -ETIMEDOUT)
		pi_target_files_note_unread(&pol->files, path);
	if (fd < 0)
		return;
	/* Read here, by the root side: not from a mount that may block. */
	if (pi_target_files_may_block(&pol->files, &st)) {
		close(fd);
		return;
	}
	pi_perfmap_read_fd(fd, &st, perf_map);
}

/* One child for the batch and the work asked. *mangled: it met names it
 * could not demangle (the demangler was not loaded). */
static int decode_once(const struct pi_stack_decode *d, struct pi_stack_batch *b, bool *mangled)
{
	struct policy pol;
	struct pi_sandbox_config cfg;
	int memfd;
	config_for(d, &pol, &memfd, &cfg);
	struct pi_stack_child_arg a = { d, b, memfd, false, NULL, pol.opened, pol.nopened };
	struct pi_buf perf_map = PI_BUF_INIT;
	jvm_arg(d, &pol, &a, &perf_map);
	struct pi_buf reply = PI_BUF_INIT;
	struct pi_sandbox_outcome o;
	int err = pi_sandbox_run(&cfg, pi_stack_child_decode, &a, &reply, &o);
	pi_buf_free(&perf_map);
	if (memfd >= 0)
		close(memfd);
	policy_free(&pol);
	if (!err && o.status != 0)
		err = o.status;
	if (!err) {
		struct pi_stack_reply r;
		pi_stack_reader_init(&r, d, b);
		err = pi_stack_read_reply(&r, &reply, cfg.max_record);
		*mangled = r.mangled;
		if (!err)
			pi_stack_apply_facts(d, &r);
		pi_stack_reader_free(&r);
	}
	pi_buf_free(&reply);
	return err;
}

/* libstdc++ is mapped: C++ names are likely. */
static bool maps_libstdcxx(const struct pi_process *p)
{
	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].path && strstr(p->vmas[i].path, "/libstdc++"))
			return true;
	return false;
}

static void empty_batch_copies(struct pi_stack_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->jobs[i].stack);
		b->jobs[i].stack = NULL;
		b->jobs[i].start.stack = NULL;
		b->jobs[i].in_file = false;
	}
	b->stack_bytes = 0;
}

static void empty_batch(struct pi_stack_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->jobs[i].stack);
	b->n = 0;
	b->stack_bytes = 0;
}

int pi_stack_batch_decode(const struct pi_stack_decode *d, struct pi_stack_batch *b)
{
	if (b->n == 0 && !d->child_hook && !d->work)
		return 0;
	/* The demangler is loaded here, from the host's own libraries (the
	 * child cannot): up front for a process that maps libstdc++, else
	 * only once a child met a mangled name (a static C++ program), and
	 * the batch is decoded again with it. Loading it costs
	 * milliseconds, which a C program need not pay. */
	bool had_demangler = maps_libstdcxx(d->p) && pi_demangle_load();
	bool mangled = false;
	int err = decode_once(d, b, &mangled);
	if (!err && mangled && !had_demangler && pi_demangle_load())
		err = decode_once(d, b, &mangled);
	if (err) {
		pi_stack_fail_all(b, pi_stack_sandbox_reason(err));
		pi_stack_fail_facts(d, pi_stack_sandbox_reason(err));
	}
	empty_batch(b);
	return err;
}

/* ---- The session ---- */

struct pi_stack_session {
	const struct pi_stack_decode *d;
	struct policy pol;
	struct pi_sandbox_config cfg;
	int memfd;
	struct pi_stack_child_arg a;
	struct pi_buf perf_map;		/* a JVM's, for the child */
	struct pi_sandbox_job *job;	/* NULL once finished */
	struct pi_stack_batch none;	/* the first part's: no jobs */
	struct pi_stack_reply r;
	bool had_demangler, mangled;
	int err;			/* the child failed: its reason */
	/* The batch being decoded (pi_stack_session_decode_start): a thread
	 * of pinspect's serves the child's broker and gathers its records
	 * (pi_sandbox_finish) while the caller reads the rest of the
	 * process; decode_finish joins it and reads them. */
	pthread_t waiter;
	struct pi_sandbox_job *handed;	/* the job it finishes */
	bool waiting;			/* the thread runs */
	bool decoding;			/* a batch was handed over, not read yet */
	int decoded_err;		/* decided without the thread (no session, no file) */
	int batch_fd;			/* the batch file, for a second (demangled) pass */
	bool facts_done;		/* the first part read and applied (or failed) */
	bool got_mark;			/* the waiter got the first part: facts_reply */
	struct pi_buf facts_reply;
	struct pi_buf finished;		/* what pi_sandbox_finish gave */
	struct pi_sandbox_outcome outcome;
	int finish_err;
};

int pi_stack_session_start(const struct pi_stack_decode *d, struct pi_stack_session **out)
{
	struct pi_stack_session *s = pi_xcalloc(1, sizeof *s);
	s->d = d;
	config_for(d, &s->pol, &s->memfd, &s->cfg);
	s->a = (struct pi_stack_child_arg){ d, NULL, s->memfd, false, NULL, s->pol.opened,
					    s->pol.nopened };
	jvm_arg(d, &s->pol, &s->a, &s->perf_map);
	pi_stack_reader_init(&s->r, d, &s->none);
	/* Before the fork: the child cannot load it (see
	 * pi_stack_batch_decode). */
	s->had_demangler = maps_libstdcxx(d->p) && pi_demangle_load();
	int err = pi_sandbox_start(&s->cfg, pi_stack_child_serve, &s->a, &s->job);
	/* The child has its own copies of the modules' files now. */
	close_opened(&s->pol);
	s->a.modules = NULL;
	s->a.nmodules = 0;
	if (err) {
		s->job = NULL;
		s->err = pi_stack_sandbox_reason(err);
	}
	*out = s;
	return err ? s->err : 0;
}

/* Reads what the child sent after its first part (pi_sandbox_finish
 * gave reply, err and o) as b's stacks; 0 or why it failed. */
static int session_read_rest(struct pi_stack_session *s, struct pi_stack_batch *b,
			     struct pi_buf *reply, int err, const struct pi_sandbox_outcome *o)
{
	if (!err && o->status != 0)
		err = o->status;
	if (!err) {
		pi_stack_reader_next_part(&s->r, b);
		err = pi_stack_read_reply(&s->r, reply, s->cfg.max_record);
		s->mangled |= s->r.mangled;
	}
	return err;
}

/* Finishes the child; 0 or why it failed. The records it sent after the
 * first part are read as b's stacks. */
static int session_finish(struct pi_stack_session *s, struct pi_stack_batch *b)
{
	struct pi_buf reply = PI_BUF_INIT;
	struct pi_sandbox_outcome o;
	int err = pi_sandbox_finish(s->job, &reply, &o);
	s->job = NULL;
	err = session_read_rest(s, b, &reply, err, &o);
	pi_buf_free(&reply);
	return err;
}

int pi_stack_session_facts(struct pi_stack_session *s)
{
	s->facts_done = true;
	if (!s->job)
		goto failed;
	struct pi_buf reply = PI_BUF_INIT;
	int err = 0;
	if (pi_sandbox_wait_mark(s->job, &reply) == 1)
		err = pi_stack_read_reply(&s->r, &reply, s->cfg.max_record);
	else
		err = session_finish(s, &s->none);	/* why */
	pi_buf_free(&reply);
	if (!err && !s->job)
		err = -PI_ERR_SANDBOX_REPLY;	/* ended without its first part */
	if (err) {
		if (s->job) {
			struct pi_buf ignored = PI_BUF_INIT;
			pi_sandbox_finish(s->job, &ignored, NULL);
			pi_buf_free(&ignored);
			s->job = NULL;
		}
		s->err = pi_stack_sandbox_reason(err);
		goto failed;
	}
	s->mangled = s->r.mangled;
	pi_stack_apply_facts(s->d, &s->r);
	return 0;
failed:
	pi_stack_fail_facts(s->d, s->err);
	return s->err;
}

/* Completes the batch file for the child: the copies still in memory,
 * then an entry per job, then the header (written with writev: no page of
 * it mapped in pinspect). Returns a descriptor of it, or -errno. */
static int write_batch(const struct pi_process *p, struct pi_stack_batch *b)
{
	int err = b->has_file ? 0 : pi_stack_batch_use_file(b);
	if (err)
		return err;
	size_t niov = b->n + 2, at = 0;
	struct iovec *iov = pi_xcalloc(niov, sizeof *iov);
	struct pi_stack_batch_entry *e = pi_xcalloc(b->n + 1, sizeof *e);
	uint64_t off = b->file_len;
	for (size_t i = 0; i < b->n; i++) {
		const struct pi_stack_job *job = &b->jobs[i];
		memcpy(e[i].regs, job->start.regs, sizeof e[i].regs);
		e[i].known = job->start.known;
		e[i].thread = (uint32_t)(job->t - p->threads);
		e[i].stack_start = job->start.stack_start;
		if (job->in_file) {
			e[i].stack_off = job->file_off;
			e[i].stack_len = job->start.stack_len;
		} else if (job->start.stack) {
			e[i].stack_off = off;
			e[i].stack_len = job->start.stack_len;
			iov[at++] = (struct iovec){ (void *)job->start.stack, job->start.stack_len };
			off += job->start.stack_len;
		}
	}
	struct pi_stack_batch_header h = { b->n, 0, off };
	iov[at++] = (struct iovec){ e, b->n * sizeof *e };
	h.size = off + b->n * sizeof *e + sizeof h;
	iov[at++] = (struct iovec){ &h, sizeof h };
	niov = at;
	err = lseek(b->file, (off_t)b->file_len, SEEK_SET) < 0 ? -errno : 0;
	for (size_t k = 0; k < niov && !err;) {
		int chunk = niov - k > IOV_MAX ? IOV_MAX : (int)(niov - k);
		ssize_t n = writev(b->file, iov + k, chunk);
		if (n < 0) {
			if (errno != EINTR)
				err = -errno;
			continue;
		}
		/* Past what was written; a piece cut short goes again. */
		while (k < niov && (size_t)n >= iov[k].iov_len)
			n -= (ssize_t)iov[k++].iov_len;
		if (k < niov) {
			iov[k].iov_base = (char *)iov[k].iov_base + n;
			iov[k].iov_len -= (size_t)n;
		}
	}
	free(iov);
	free(e);
	if (err)
		return err;
	int fd = fcntl(b->file, F_DUPFD_CLOEXEC, 3);
	return fd >= 0 ? fd : -errno;
}

/* Names the session's child could not demangle (the demangler was not
 * loaded, and the process maps no libstdc++: a static C++ program): all
 * again with it, in a new session given the same batch file. */
static int decode_again_demangled(const struct pi_stack_decode *d, struct pi_stack_batch *b,
				  int batch_fd)
{
	struct pi_stack_session *again;
	pi_stack_session_start(d, &again);
	int err = pi_stack_session_facts(again);
	if (!err) {
		again->pol.batch_fd = fcntl(batch_fd, F_DUPFD_CLOEXEC, 3);
		err = again->pol.batch_fd < 0 ? -errno : session_finish(again, b);
	}
	pi_stack_session_end(again);
	return err;
}

/* The waiter thread: only the sandbox's job (the broker's policy opens
 * files and reads the process's maps, which nothing changes meanwhile);
 * nothing of the process is written here. */
static void *wait_for_child(void *arg)
{
	struct pi_stack_session *s = arg;
	if (!s->facts_done)
		s->got_mark = pi_sandbox_wait_mark(s->handed, &s->facts_reply) == 1;
	s->finish_err = pi_sandbox_finish(s->handed, &s->finished, &s->outcome);
	return NULL;
}

int pi_stack_session_decode_start(struct pi_stack_session *s, struct pi_stack_batch *b)
{
	const struct pi_stack_decode *d = s->d;
	int err = 0;
	if (!s->job && !s->facts_done)
		pi_stack_session_facts(s);	/* no child: the facts say why */
	s->decoding = true;
	s->decoded_err = 0;
	s->batch_fd = -1;
	for (size_t i = 0; i < b->n; i++)
		if (b->jobs[i].t < d->p->threads || b->jobs[i].t >= d->p->threads + d->p->nthreads)
			err = -EINVAL;	/* a job for no thread of the process */
	int fd = !s->job || err ? -1 : write_batch(d->p, b);
	if (fd < 0) {
		/* No session (any more), or no batch file: a child of its
		 * own, which inherits the copies, decodes them now. */
		batch_leave_file(b);
		struct pi_stack_decode stacks_only = *d;
		stacks_only.work = 0;
		s->decoded_err = err ? err : pi_stack_batch_decode(&stacks_only, b);
		return s->decoded_err;
	}
	/* The file holds the copies now; pinspect's own go once the child
	 * has answered (should it fail before its first part, they are
	 * decoded by a child of their own). */
	s->pol.batch_fd = fd;
	s->batch_fd = fd;
	s->handed = s->job;
	s->job = NULL;	/* the waiter's now, or finished below */
	s->finished = (struct pi_buf)PI_BUF_INIT;
	/* Signals stay the main thread's (a terminal's resize, an
	 * interrupt): the waiter starts with all of them blocked. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->waiting = pthread_create(&s->waiter, NULL, wait_for_child, s) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->waiting)
		wait_for_child(s);	/* no thread: waited for here */
	return 0;
}

int pi_stack_session_decode_finish(struct pi_stack_session *s, struct pi_stack_batch *b)
{
	if (!s->decoding)
		return 0;
	s->decoding = false;
	if (s->batch_fd < 0)
		return s->decoded_err;	/* decoded by a child of its own, or refused */
	if (s->waiting) {
		pthread_join(s->waiter, NULL);
		s->waiting = false;
	}
	const struct pi_stack_decode *d = s->d;
	if (!s->facts_done) {
		/* The first part, which the copies did not wait for: the TLS
		 * pointers, the locks' names. */
		s->facts_done = true;
		int why = s->got_mark ? pi_stack_read_reply(&s->r, &s->facts_reply, s->cfg.max_record)
				      : s->finish_err ? s->finish_err
				      : s->outcome.status ? s->outcome.status
				      : -PI_ERR_SANDBOX_REPLY;	/* ended without its first part */
		pi_buf_free(&s->facts_reply);
		if (why) {
			s->err = pi_stack_sandbox_reason(why);
			pi_stack_fail_facts(d, s->err);
			pi_buf_free(&s->finished);
			/* The stacks: a child of their own, which inherits the
			 * copies. */
			batch_leave_file(b);
			struct pi_stack_decode stacks_only = *d;
			stacks_only.work = 0;
			return pi_stack_batch_decode(&stacks_only, b);
		}
		s->mangled = s->r.mangled;
		pi_stack_apply_facts(d, &s->r);
	}
	int err = session_read_rest(s, b, &s->finished, s->finish_err, &s->outcome);
	pi_buf_free(&s->finished);
	/* The file has served: a later batch is held in memory (its child
	 * inherits it). */
	empty_batch_copies(b);
	if (b->has_file) {
		close(b->file);
		b->has_file = false;
	}
	if (!err && s->mangled && !s->had_demangler && pi_demangle_load())
		err = decode_again_demangled(d, b, s->batch_fd);
	if (err)
		pi_stack_fail_all(b, pi_stack_sandbox_reason(err));
	empty_batch(b);
	return err;
}

int pi_stack_session_decode(struct pi_stack_session *s, struct pi_stack_batch *b)
{
	int err = pi_stack_session_decode_start(s, b);
	int done = pi_stack_session_decode_finish(s, b);
	return err ? err : done;
}

void pi_stack_session_end(struct pi_stack_session *s)
{
	if (!s)
		return;
	if (s->waiting) {
		/* Handed a batch and never asked for it: the thread ends with
		 * the child (its deadline bounds it). */
		pthread_join(s->waiter, NULL);
		s->waiting = false;
	}
	pi_buf_free(&s->finished);
	pi_buf_free(&s->facts_reply);
	if (s->job && !s->facts_done)
		pi_stack_session_facts(s);	/* never handed a batch: its first part all the same */
	if (s->job) {
		/* It gets no batch (the policy says -ENOENT) and ends. */
		struct pi_buf ignored = PI_BUF_INIT;
		pi_sandbox_finish(s->job, &ignored, NULL);
		pi_buf_free(&ignored);
	}
	if (s->memfd >= 0)
		close(s->memfd);
	policy_free(&s->pol);
	pi_stack_reader_free(&s->r);
	pi_buf_free(&s->perf_map);
	free(s);
}
