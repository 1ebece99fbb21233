#include "render/table_json.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/findings.h"
#include "analysis/kinds.h"
#include "analysis/state.h"
#include "render/json.h"
#include "table/columns.h"
#include "util/xalloc.h"

static void counts(struct pi_jw *w, const struct pi_table *t)
{
	const struct pi_table_counts *c = &t->counts;
	pi_jw_key(w, "counts");
	pi_jw_object(w);
	pi_jw_ku64(w, "processes", c->processes);
	pi_jw_ku64(w, "threads", c->threads);
	pi_jw_ku64(w, "running", c->running);
	pi_jw_ku64(w, "sleeping", c->sleeping);
	pi_jw_ku64(w, "uninterruptible", c->uninterruptible);
	pi_jw_ku64(w, "hung", c->hung);
	pi_jw_ku64(w, "stopped", c->stopped);
	pi_jw_ku64(w, "traced", c->traced);
	pi_jw_ku64(w, "zombie", c->zombie);
	pi_jw_ku64(w, "idle", c->idle);
	pi_jw_ku64(w, "other", c->other);
	pi_jw_ku64(w, "zombie_parents", c->zombie_parents);
	pi_jw_ku64(w, "deadlocks", c->deadlocks);
	pi_jw_ku64(w, "deadlocked_threads", c->deadlocked);
	pi_jw_ku64(w, "locks_not_checked", t->deadlocks.not_checked);
	pi_jw_object_end(w);
}

/* The row's flags by the names of the findings they correspond to, in
 * the order of the table of kinds. */
static void flags_array(struct pi_jw *w, const struct pi_row *r)
{
	unsigned flags = pi_row_flags(r);
	bool holds = pi_row_holds_zombies(r);
	pi_jw_key(w, "flags");
	pi_jw_array(w);
	for (size_t i = 0; i < pi_nkinds; i++) {
		const struct pi_kind *k = &pi_kinds[i];
		if (pi_kind_marks(k, flags, holds))
			pi_jw_string(w, k->name);
	}
	pi_jw_array_end(w);
}

static void syscall_object(struct pi_jw *w, const struct pi_row *r)
{
	static const char *const kinds[] = { "running", "not_in_syscall", "in_syscall" };
	const struct pi_task *task = r->task;

	pi_jw_key(w, "syscall");
	if (task->syscall_err) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "state", kinds[task->syscall_kind]);
	if (task->syscall_kind == PI_SYSCALL_IN) {
		const char *name = r->proc->abi >= 0
				   ? pi_syscall_name((enum pi_abi)r->proc->abi, task->syscall_nr) : NULL;
		pi_jw_ki64(w, "number", task->syscall_nr);
		pi_jw_kstring(w, "name", name);
	} else {
		pi_jw_knull(w, "number");
		pi_jw_knull(w, "name");
	}
	pi_jw_object_end(w);
}

static void state_object(struct pi_jw *w, char code)
{
	char letter[2] = { code, 0 };
	pi_jw_key(w, "state");
	pi_jw_object(w);
	pi_jw_kstring(w, "code", letter);
	pi_jw_kstring(w, "name", pi_state_name(code));
	pi_jw_object_end(w);
}

/* A rate or a percentage, to 0.01; null when unknown. */
static void knumber(struct pi_jw *w, const char *key, double v)
{
	pi_jw_key(w, key);
	pi_jw_number(w, v, 2);
}

/* The length of s[0..len) cut to at most max bytes, not inside a UTF-8
 * sequence. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static void row_object(struct pi_jw *w, struct pi_table *t, const struct pi_row *r, bool repeat)
{
	const struct pi_task *task = r->task;
	const struct pi_proc *p = r->proc;
	struct pi_buf b = PI_BUF_INIT;
	bool switches = task->sched_err == 0 && task->sched_ns;
	bool holds = pi_row_holds_zombies(r);

	pi_jw_object(w);
	pi_jw_ki64(w, "pid", p->pid);
	pi_jw_key(w, "tid");
	r->thread_row ? pi_jw_i64(w, task->tid) : pi_jw_null(w);
	pi_jw_ki64(w, "ppid", p->ppid);
	pi_jw_key(w, "user");
	pi_jw_object(w);
	pi_jw_ku64(w, "id", task->euid);
	pi_jw_kstring(w, "name", pi_table_user_name(t, task->euid));
	pi_jw_object_end(w);
	state_object(w, task->state);
	knumber(w, "cpu_percent", r->thread_row ? task->cpu_percent : p->cpu_percent);
	pi_jw_key(w, "rss_bytes");
	p->kernel_thread || task->state == 'Z' ? pi_jw_null(w) : pi_jw_u64(w, p->rss_bytes);
	knumber(w, "voluntary_ctxt_switches_per_second", task->vcsw_rate);
	knumber(w, "nonvoluntary_ctxt_switches_per_second", task->ivcsw_rate);
	pi_jw_key(w, "voluntary_ctxt_switches");
	switches ? pi_jw_u64(w, task->nvcsw) : pi_jw_null(w);
	pi_jw_key(w, "nonvoluntary_ctxt_switches");
	switches ? pi_jw_u64(w, task->nivcsw) : pi_jw_null(w);
	pi_jw_kseconds(w, "off_cpu_seconds", task->off_cpu_known ? task->off_cpu_seconds : -1);
	pi_jw_kstring(w, "wchan", task->wchan_err ? NULL : task->wchan);
	syscall_object(w, r);
	pi_jw_key(w, "tracer_pid");
	task->status_err ? pi_jw_null(w) : pi_jw_i64(w, task->tracer_pid);
	pi_jw_kstring(w, "comm", pi_task_comm(t, task));
	/* The command line as the table keeps it (PI_CMDLINE_KEEP bytes),
	 * shorter in a process's rows after its first. */
	size_t cap = repeat ? PI_COMMAND_REPEAT_MAX : PI_COMMAND_MAX;
	bool cut = false;
	pi_jw_key(w, "cmdline");
	if (p->cmdline_err || !p->cmdline) {
		pi_jw_null(w);
	} else {
		size_t len = utf8_prefix(p->cmdline, strlen(p->cmdline), cap);
		cut = p->cmdline_cut || p->cmdline[len];
		pi_jw_string_len(w, p->cmdline, len);
	}
	pi_row_command(r, &b);
	pi_jw_key(w, "command");
	pi_jw_string_len(w, b.data ? b.data : "", b.data ? utf8_prefix(b.data, b.len, cap) : 0);
	pi_buf_free(&b);
	pi_jw_kbool(w, "cmdline_truncated", cut);
	pi_jw_key(w, "cmdline_bytes");
	p->cmdline_err || !p->cmdline || p->cmdline_bytes_more ? pi_jw_null(w)
							       : pi_jw_u64(w, p->cmdline_bytes);
	pi_jw_ki64(w, "threads", p->nlwp);
	pi_jw_kbool(w, "kernel_thread", p->kernel_thread);
	flags_array(w, r);
	pi_jw_ku64(w, "zombie_children", holds ? p->zombies : 0);
	pi_jw_kseconds(w, "oldest_zombie_seconds", holds ? p->oldest_zombie_seconds : -1);
	pi_jw_object_end(w);
}

void pi_render_table_json(struct pi_jw *w, struct pi_table *t, const struct pi_view *v,
			  const struct pi_view_options *o, const struct pi_finding *findings,
			  size_t nfindings)
{
	pi_jw_object(w);
	pi_jw_ki64(w, "schema_version", PI_JSON_SCHEMA_VERSION);
	pi_jw_kseconds(w, "snapshot_time", t->realtime_seconds);
	pi_jw_kseconds(w, "uptime_seconds", t->uptime_seconds);
	pi_jw_key(w, "load_average");
	if (t->load_known) {
		pi_jw_array(w);
		for (int i = 0; i < 3; i++)
			pi_jw_number(w, t->load[i], 2);
		pi_jw_array_end(w);
	} else {
		pi_jw_null(w);
	}
	pi_jw_kseconds(w, "hung_after_seconds", t->opt.hung_after_seconds);
	pi_jw_key(w, "hung_task_timeout_secs");
	t->hung_task_timeout_secs >= 0 ? pi_jw_i64(w, t->hung_task_timeout_secs) : pi_jw_null(w);

	pi_jw_key(w, "view");
	pi_jw_object(w);
	pi_jw_kbool(w, "threads", o->threads);
	pi_jw_kbool(w, "problems_only", o->problems_only);
	pi_jw_key(w, "top_pid");
	t->opt.only_pid ? pi_jw_i64(w, t->opt.only_pid) : pi_jw_null(w);
	pi_jw_kstring(w, "sort", pi_column(o->sort)->key);
	pi_jw_kbool(w, "descending", o->descending);
	pi_jw_object_end(w);
	counts(w, t);

	pi_jw_key(w, "tasks");
	pi_jw_array(w);
	bool *shown = pi_xcalloc(t->nprocs ? t->nprocs : 1, sizeof *shown);
	for (size_t i = 0; i < v->n; i++) {
		size_t proc = (size_t)(v->rows[i].proc - t->procs);
		row_object(w, t, &v->rows[i], shown[proc]);
		shown[proc] = true;
	}
	free(shown);
	pi_jw_array_end(w);

	pi_jw_key(w, "findings");
	pi_jw_array(w);
	for (size_t i = 0; i < nfindings; i++)
		pi_json_finding(w, &findings[i]);
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}
