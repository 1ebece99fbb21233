/* Golden tests: the snapshot's text and JSON of a process model built here
 * (every section filled: threads in D, in a deadlock, waiting on another
 * process, a user stack, mappings, a zombie child, something unavailable)
 * compared byte for byte with tests/expected/, as util-linux's
 * tests/expected do, so that a rendering change shows in review.
 *
 * After an intended change: PINSPECT_GOLDEN_UPDATE=1 make check
 * TESTS=tests/unit/unit CK_RUN_SUITE=golden rewrites the expected files;
 * read their diff before committing it. */
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analyze.h"
#include "model.h"
#include "render/json.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "unit.h"
#include "util/xalloc.h"

#define EXPECTED PI_FIXTURES "/../expected/"

static struct pi_user_frame frames[3];

static void thread(struct pi_process *p, size_t i, pid_t tid, char state, const char *comm, long nr,
		   const char *wchan)
{
	struct pi_thread *t = &p->threads[i];
	t->facts.tid = tid;
	t->facts.state = state;
	pi_facts_set_comm(&t->facts, comm);
	t->facts.known |= PI_FACT_STAT | PI_FACT_WCHAN | PI_FACT_TRACER | PI_FACT_SWITCHES;
	t->stat.utime = 120;
	t->stat.stime = 30;
	t->stat.processor = (int)i;
	t->status.have = PI_STATUS_CTXT;
	t->facts.nvcsw = 10 + i;
	t->facts.nivcsw = 2;
	t->sched.have = PI_SCHED_EXEC_START;
	t->sched.exec_start_ns = 5000000000LL;
	t->sched_clock_ns = 5000000000LL + 30000000000LL;	/* 30 s off the CPU */
	t->syscall.kind = PI_SYSCALL_IN;
	t->syscall.nr = nr;
	t->syscall.args[0] = 3;
	t->syscall.sp = 0x7ffd00001000;
	t->syscall.pc = 0x401000;
	t->facts.wchan = pi_strpool_intern(&p->strings, wchan);
	t->kstack_err = -EACCES;
	t->ustack.err = -PI_ERR_NOT_ASKED;
	t->tls.err = -PI_ERR_NOT_ASKED;
}

static void build(struct pi_process *p)
{
	memset(p, 0, sizeof *p);
	p->pid = 4242;
	p->clock_ticks = 100;
	p->uptime_seconds = 10000;
	p->realtime_seconds = 1795939200;	/* 2026-11-29 08:00:00 UTC */
	p->hung_task_timeout_secs = 120;
	p->ptrace_scope = -1;
	p->perf_paranoid = -2;
	p->abi = PI_ABI_NATIVE;
	p->abi_known = true;
	p->inspector_root = true;
	p->stat.pid = 4242;
	strcpy(p->stat.comm, "golden");
	p->stat.state = 'S';
	p->stat.ppid = 1;
	p->stat.pgrp = 4242;
	p->stat.session = 4242;
	p->stat.starttime = 100 * 9000;		/* 1,000 s ago */
	p->stat.num_threads = 3;
	p->stat.priority = 20;
	p->status_err = -ENOENT;
	pi_strv_push(&p->cmdline, "/usr/bin/golden", 15);
	pi_strv_push(&p->cmdline, "--serve", 7);
	p->exe = pi_xstrdup("/usr/bin/golden");
	p->cgroup_err = -ENOENT;
	p->auxv_err = -ENOENT;
	p->parent_comm = pi_xstrdup("systemd");
	p->vsyscall = PI_VSYSCALL_NONE;
	p->vdso.err = -PI_ERR_NO_VDSO;

	p->vmas = pi_xcalloc(2, sizeof *p->vmas);
	p->nvmas = 2;
	p->vmas[0] = (struct pi_vma){ .start = 0x400000, .end = 0x402000, .perms = "r-xp",
				     .dev_major = 8, .inode = 77, .path = pi_xstrdup("/usr/bin/golden"),
				     .have_smaps = true, .rss = 8192, .pss = 8192 };
	p->vmas[1] = (struct pi_vma){ .start = 0x7ffd00000000, .end = 0x7ffd00021000, .perms = "rw-p",
				     .path = pi_xstrdup("[stack]"), .have_smaps = true, .rss = 16384,
				     .pss = 16384 };

	p->threads = pi_xcalloc(3, sizeof *p->threads);
	p->nthreads = 3;
	thread(p, 0, 4242, 'S', "golden", 0, "anon_pipe_read");		/* read */
	thread(p, 1, 4243, 'S', "locker", 202, "futex_wait_queue");	/* futex */
	thread(p, 2, 4244, 'D', "flusher", 74, "folio_wait_bit_common");	/* fsync */

	/* The main thread: a user stack, and a wait on another process. */
	frames[0] = (struct pi_user_frame){ .pc = 0x401000, .function = "read", .offset = 16,
					    .have_offset = true, .module = "/usr/lib/libc.so.6" };
	frames[1] = (struct pi_user_frame){ .pc = 0x401234, .function = "serve", .offset = 52,
					    .have_offset = true, .module = "/usr/bin/golden",
					    .file = "serve.c", .line = 42 };
	frames[2] = (struct pi_user_frame){ .pc = 0x401300, .function = "main", .offset = 8,
					    .have_offset = true, .module = "/usr/bin/golden" };
	p->stacks_collected = true;
	p->threads[0].ustack = (struct pi_user_stack){ .method = PI_UNWIND_COPY, .stopped_us = -1,
						       .frames = frames, .nframes = 3 };
	struct pi_wait_for *w = pi_xcalloc(1, sizeof *w);
	w->on = PI_WAIT_ON_FD;
	w->syscall = "read";
	w->forever = true;
	w->nobjects = w->objects_total = 1;
	w->objects = pi_xcalloc(1, sizeof *w->objects);
	w->objects[0] = (struct pi_wait_object){ .fd = 3, .what = "pipe:[5150]", .need = PI_NEED_WRITER,
						 .npeers = 1, .peers_total = 1 };
	w->objects[0].peers = pi_xcalloc(1, sizeof *w->objects[0].peers);
	w->objects[0].peers[0] = (struct pi_wait_peer){ .pid = 5000, .comm = "producer", .state = 'T',
							.wchan = "do_signal_stop", .fd = 1 };
	w->chain = pi_xcalloc(2, sizeof *w->chain);
	w->nchain = 2;
	w->chain[0] = (struct pi_wait_step){ .pid = 4242, .tid = 4242, .comm = "golden", .state = 'S',
					     .syscall = "read", .what = "pipe:[5150]" };
	w->chain[1] = (struct pi_wait_step){ .pid = 5000, .tid = 5000, .comm = "producer", .state = 'T',
					     .wchan = "do_signal_stop" };
	w->chain_end = PI_CHAIN_STOPPED;
	p->threads[0].wait = w;
	p->waits_collected = true;

	/* The second thread waits for a mutex the third holds. */
	p->locks_collected = true;
	struct pi_futex *f = &p->threads[1].futex;
	f->waiting = true;
	f->addr = 0x601040;
	f->op = FUTEX_WAIT;
	f->private_op = true;
	f->expected = 2;
	f->word = 2;
	f->owner_field = 4244;
	f->nusers = 1;
	f->mutex_kind = 0;
	f->symbol = "journal_lock";

	p->zombies = pi_xcalloc(1, sizeof *p->zombies);
	p->nzombies = 1;
	p->zombies[0] = (struct pi_zombie_child){ .pid = 4300, .comm = "child", .age_seconds = 90 };
}

static void collect_json(const char *data, size_t len);
static struct pi_buf json_out;
static void collect_json(const char *data, size_t len)
{
	pi_buf_append(&json_out, data, len);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct pi_buf b = PI_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		pi_buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data ? b.data : pi_xstrdup("");
}

/* Compares out with the expected file; rewrites it when asked to. */
static void golden(const char *name, const struct pi_buf *out)
{
	char path[4096];
	snprintf(path, sizeof path, "%s%s", EXPECTED, name);
	if (getenv("PINSPECT_GOLDEN_UPDATE")) {
		FILE *f = fopen(path, "wb");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		fwrite(out->data, 1, out->len, f);
		fclose(f);
	}
	size_t len = 0;
	char *want = slurp(path, &len);
	ck_assert_msg(want != NULL, "no %s (PINSPECT_GOLDEN_UPDATE=1 writes it)", path);
	size_t at = 0;
	while (at < len && at < out->len && want[at] == out->data[at])
		at++;
	if (at != len || at != out->len) {
		size_t from = at > 60 ? at - 60 : 0;
		ck_abort_msg("%s differs at byte %zu: expected \"%.120s\", got \"%.120s\" (if the change is "
			     "meant: PINSPECT_GOLDEN_UPDATE=1, then review the diff)",
			     name, at, want + from, out->data ? out->data + from : "");
	}
	free(want);
}

START_TEST(snapshot_text_and_json)
{
	setenv("TZ", "UTC", 1);
	tzset();
	struct pi_process p;
	build(&p);
	pi_analyze_process(&p, 10);

	struct pi_buf text = PI_BUF_INIT;
	pi_render_text(&text, &p);
	golden("snapshot.txt", &text);

	struct pi_jw w;
	pi_buf_reset(&json_out);
	pi_jw_init(&w, collect_json);
	pi_render_json(&w, &p);
	pi_jw_finish(&w);
	golden("snapshot.json", &json_out);

	pi_buf_free(&text);
	pi_buf_free(&json_out);
	p.threads[0].ustack.frames = NULL;
	pi_process_free(&p);
}
END_TEST

Suite *golden_suite(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("render");
	tcase_add_test(tc, snapshot_text_and_json);
	suite_add_tcase(s, tc);
	return s;
}
