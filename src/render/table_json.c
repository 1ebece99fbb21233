#include "render/table_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/classify.h"
#include "analysis/findings.h"
#include "analysis/state.h"
#include "render/json.h"
#include "table/columns.h"

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *i64(int64_t v)
{
	return json_object_new_int64(v);
}

/* A rate or a percentage: null when unknown, else to 0.01, written as
 * people write it ("12.5", not "12.5000000000000002"). */
static json_object *number(double v)
{
	char text[48];
	if (isnan(v) || isinf(v))
		return NULL;
	int n = snprintf(text, sizeof text, "%.2f", v);
	while (n > 1 && text[n - 1] == '0')
		text[--n] = '\0';
	if (text[n - 1] == '.')
		text[--n] = '\0';
	return json_object_new_double_s(v, text);
}

static json_object *counts(const struct pi_table *t)
{
	const struct pi_table_counts *c = &t->counts;
	json_object *o = json_object_new_object();
	put(o, "processes", i64((int64_t)c->processes));
	put(o, "threads", i64((int64_t)c->threads));
	put(o, "running", i64((int64_t)c->running));
	put(o, "sleeping", i64((int64_t)c->sleeping));
	put(o, "uninterruptible", i64((int64_t)c->uninterruptible));
	put(o, "hung", i64((int64_t)c->hung));
	put(o, "stopped", i64((int64_t)c->stopped));
	put(o, "traced", i64((int64_t)c->traced));
	put(o, "zombie", i64((int64_t)c->zombie));
	put(o, "idle", i64((int64_t)c->idle));
	put(o, "other", i64((int64_t)c->other));
	put(o, "zombie_parents", i64((int64_t)c->zombie_parents));
	return o;
}

/* The row's flags by the names of the findings they correspond to. */
static json_object *flags_array(const struct pi_row *r)
{
	static const struct {
		unsigned flag;
		enum pi_finding_kind kind;
	} map[] = {
		{ PI_TASK_HUNG, PI_FIND_HUNG },
		{ PI_TASK_UNINTERRUPTIBLE, PI_FIND_UNINTERRUPTIBLE },
		{ PI_TASK_ZOMBIE, PI_FIND_ZOMBIE },
		{ PI_TASK_STOPPED, PI_FIND_STOPPED },
		{ PI_TASK_TRACED, PI_FIND_TRACED },
		{ PI_TASK_LEADER_EXITED, PI_FIND_LEADER_EXITED },
	};
	json_object *a = json_object_new_array();
	unsigned flags = pi_row_flags(r);
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (flags & map[i].flag)
			json_object_array_add(a, json_object_new_string(pi_finding_kind_name(map[i].kind)));
	if (pi_row_holds_zombies(r))
		json_object_array_add(a, json_object_new_string(pi_finding_kind_name(PI_FIND_ZOMBIE_PARENT)));
	return a;
}

static json_object *syscall_object(const struct pi_row *r)
{
	const struct pi_task *task = r->task;
	if (task->syscall_err)
		return NULL;
	static const char *const kinds[] = { "running", "not_in_syscall", "in_syscall" };
	json_object *o = json_object_new_object();
	put(o, "state", json_object_new_string(kinds[task->syscall_kind]));
	if (task->syscall_kind == PI_SYSCALL_IN) {
		const char *name = r->proc->abi >= 0
				   ? pi_syscall_name((enum pi_abi)r->proc->abi, task->syscall_nr) : NULL;
		put(o, "number", i64(task->syscall_nr));
		put(o, "name", name ? json_object_new_string(name) : NULL);
	} else {
		put(o, "number", NULL);
		put(o, "name", NULL);
	}
	return o;
}

static json_object *state_object(char code)
{
	char letter[2] = { code, 0 };
	json_object *o = json_object_new_object();
	put(o, "code", pi_json_string(letter));
	put(o, "name", json_object_new_string(pi_state_name(code)));
	return o;
}

static json_object *row_object(struct pi_table *t, const struct pi_row *r)
{
	const struct pi_task *task = r->task;
	const struct pi_proc *p = r->proc;
	json_object *o = json_object_new_object();
	json_object *user = json_object_new_object();
	struct pi_buf b = PI_BUF_INIT;
	bool sw = task->sched_err == 0 && task->sched_ns;

	put(o, "pid", i64(p->pid));
	put(o, "tid", r->thread_row ? i64(task->tid) : NULL);
	put(o, "ppid", i64(p->ppid));
	put(user, "id", i64(task->euid));
	put(user, "name", pi_json_string(pi_table_user_name(t, task->euid)));
	put(o, "user", user);
	put(o, "state", state_object(task->state));
	put(o, "cpu_percent", number(r->thread_row ? task->cpu_percent : p->cpu_percent));
	put(o, "rss_bytes", p->kernel_thread || task->state == 'Z' ? NULL
			    : json_object_new_uint64(p->rss_bytes));
	put(o, "voluntary_ctxt_switches_per_second", number(task->vcsw_rate));
	put(o, "nonvoluntary_ctxt_switches_per_second", number(task->ivcsw_rate));
	put(o, "voluntary_ctxt_switches", sw ? json_object_new_uint64(task->nvcsw) : NULL);
	put(o, "nonvoluntary_ctxt_switches", sw ? json_object_new_uint64(task->nivcsw) : NULL);
	put(o, "off_cpu_seconds", task->off_cpu_known ? pi_json_seconds(task->off_cpu_seconds) : NULL);
	put(o, "wchan", task->wchan_err || !task->wchan ? NULL : json_object_new_string(task->wchan));
	put(o, "syscall", syscall_object(r));
	put(o, "tracer_pid", task->status_err ? NULL : i64(task->tracer_pid));
	put(o, "comm", pi_json_string(pi_task_comm(t, task)));
	put(o, "cmdline", pi_json_string(p->cmdline_err ? NULL : p->cmdline));
	pi_row_command(r, &b);
	put(o, "command", pi_json_string(b.data ? b.data : ""));
	pi_buf_free(&b);
	put(o, "threads", i64(p->nlwp));
	put(o, "kernel_thread", json_object_new_boolean(p->kernel_thread));
	put(o, "flags", flags_array(r));
	bool holds = pi_row_holds_zombies(r);
	put(o, "zombie_children", i64(holds ? p->zombies : 0));
	put(o, "oldest_zombie_seconds", holds ? pi_json_seconds(p->oldest_zombie_seconds) : NULL);
	return o;
}

json_object *pi_render_table_json(struct pi_table *t, const struct pi_view *v,
				  const struct pi_view_options *o,
				  const struct pi_finding *findings, size_t nfindings)
{
	json_object *root = json_object_new_object();
	json_object *view = json_object_new_object();

	put(root, "schema_version", json_object_new_int(PI_JSON_SCHEMA_VERSION));
	put(root, "snapshot_time", pi_json_seconds(t->realtime_seconds));
	put(root, "uptime_seconds", pi_json_seconds(t->uptime_seconds));
	if (t->load_known) {
		json_object *load = json_object_new_array_ext(3);
		for (int i = 0; i < 3; i++)
			json_object_array_add(load, number(t->load[i]));
		put(root, "load_average", load);
	} else {
		put(root, "load_average", NULL);
	}
	put(root, "hung_after_seconds", pi_json_seconds(t->opt.hung_after_seconds));
	put(root, "hung_task_timeout_secs", t->hung_task_timeout_secs >= 0
						 ? i64(t->hung_task_timeout_secs) : NULL);
	put(view, "threads", json_object_new_boolean(o->threads));
	put(view, "problems_only", json_object_new_boolean(o->problems_only));
	put(view, "top_pid", t->opt.only_pid ? i64(t->opt.only_pid) : NULL);
	put(view, "sort", json_object_new_string(pi_column(o->sort)->key));
	put(view, "descending", json_object_new_boolean(o->descending));
	put(root, "view", view);
	put(root, "counts", counts(t));

	json_object *tasks = json_object_new_array_ext((int)v->n);
	for (size_t i = 0; i < v->n; i++)
		json_object_array_add(tasks, row_object(t, &v->rows[i]));
	put(root, "tasks", tasks);

	json_object *f = json_object_new_array_ext((int)nfindings);
	for (size_t i = 0; i < nfindings; i++)
		json_object_array_add(f, pi_json_finding(&findings[i]));
	put(root, "findings", f);
	return root;
}
