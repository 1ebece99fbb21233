#include "render/check_json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/kinds.h"
#include "analysis/reasons.h"
#include "render/json.h"
#include "render/json_util.h"

static void states(struct pi_jw *w, const struct pi_check_states *n)
{
	pi_jw_key(w, "states");
	pi_jw_object(w);
	pi_jw_ku64(w, "running", n->running);
	pi_jw_ku64(w, "sleeping", n->sleeping);
	pi_jw_ku64(w, "uninterruptible", n->disk_sleep);
	pi_jw_ku64(w, "stopped", n->stopped);
	pi_jw_ku64(w, "traced", n->traced);
	pi_jw_ku64(w, "zombie", n->zombie);
	pi_jw_ku64(w, "dead", n->dead);
	pi_jw_ku64(w, "idle", n->idle);
	pi_jw_ku64(w, "parked", n->parked);
	pi_jw_ku64(w, "other", n->other);
	pi_jw_object_end(w);
}

static void hung_details(struct pi_jw *w, const struct pi_check_item *it)
{
	const struct pi_thread *t = it->task;
	pi_jw_kstring(w, "comm", pi_sweep_task_comm(it->proc, t));
	pi_jw_kstring(w, "process_comm", it->proc->comm);
	pi_jw_kseconds(w, "off_cpu_seconds", pi_fact_known(&t->facts, PI_FACT_OFF_CPU) ? t->facts.off_cpu_seconds : -1);
	pi_jw_kstring(w, "wchan", t->wchan_err ? NULL : t->facts.wchan);
	pi_json_syscall(w, t, it->proc->abi_known, it->proc->abi);
	pi_json_kernel_stack(w, t);
	pi_jw_key(w, "voluntary_ctxt_switches");
	bool cs = !t->status_err && (t->status.have & PI_STATUS_CTXT);
	cs ? pi_jw_u64(w, t->facts.nvcsw) : pi_jw_null(w);
	pi_jw_key(w, "nonvoluntary_ctxt_switches");
	cs ? pi_jw_u64(w, t->facts.nivcsw) : pi_jw_null(w);
}

static void zombie_details(struct pi_jw *w, const struct pi_check_item *it)
{
	pi_jw_kstring(w, "comm", it->proc ? it->proc->comm : NULL);
	pi_jw_key(w, "zombies");
	pi_jw_array(w);
	for (size_t i = 0; i < it->nzombies; i++) {
		pi_jw_object(w);
		pi_jw_ki64(w, "pid", it->zombies[i].pid);
		pi_jw_kstring(w, "comm", it->zombies[i].comm);
		pi_jw_kseconds(w, "age_seconds", it->zombies[i].age_seconds);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
}

static void deadlock_details(struct pi_jw *w, const struct pi_check_item *it)
{
	const struct pi_process *p = it->snapshot;
	pi_jw_kstring(w, "comm", p->stat.comm);
	pi_jw_key(w, "threads");
	pi_jw_array(w);
	for (size_t i = 0; i < it->finding.npids; i++) {
		const struct pi_thread *t = pi_process_find_thread(p, it->finding.pids[i]);
		if (t)
			pi_json_thread(w, p, t);
	}
	pi_jw_array_end(w);
}

static void process_deadlock_details(struct pi_jw *w, const struct pi_check_item *it)
{
	pi_jw_key(w, "processes");
	pi_jw_array(w);
	for (size_t k = 0; it->cross && k < it->cross->nsteps; k++) {
		const struct pi_wait_step *st = &it->cross->steps[k];
		pi_jw_object(w);
		pi_jw_ki64(w, "pid", st->pid);
		pi_jw_ki64(w, "tid", st->tid);
		pi_jw_kstring(w, "comm", st->comm[0] ? st->comm : NULL);
		pi_jw_kstring(w, "syscall", st->syscall);
		pi_jw_kstring(w, "what", st->what);
		pi_jw_object_end(w);
	}
	pi_jw_array_end(w);
}

static void finding(struct pi_jw *w, const struct pi_check_item *it)
{
	pi_jw_object(w);
	pi_json_finding_keys(w, &it->finding);
	pi_jw_key(w, "details");
	pi_jw_object(w);
	switch (it->finding.kind) {
	case PI_FIND_HUNG:
		hung_details(w, it);
		break;
	case PI_FIND_ZOMBIE_PARENT:
		zombie_details(w, it);
		break;
	case PI_FIND_DEADLOCK:
		deadlock_details(w, it);
		break;
	case PI_FIND_PROCESS_DEADLOCK:
		process_deadlock_details(w, it);
		break;
	default:
		break;
	}
	pi_jw_object_end(w);
	pi_jw_object_end(w);
}

void pi_render_check_json(struct pi_jw *w, const struct pi_check *c)
{
	const struct pi_sweep *s = &c->sweep;
	static const struct {
		unsigned bit;
		const char *name;
	} scans[] = {
		{ PI_CHECK_HUNG, "hung" },
		{ PI_CHECK_ZOMBIES, "zombies" },
		{ PI_CHECK_DEADLOCKS, "deadlocks" },
	};

	pi_jw_object(w);
	pi_jw_ki64(w, "schema_version", PI_JSON_SCHEMA_VERSION);
	pi_jw_key(w, "scans");
	pi_jw_array(w);
	for (size_t i = 0; i < sizeof scans / sizeof scans[0]; i++)
		if (c->scans & scans[i].bit)
			pi_jw_string(w, scans[i].name);
	pi_jw_array_end(w);
	pi_jw_key(w, "time");
	pi_jw_number(w, (double)time(NULL), 0);
	pi_jw_kseconds(w, "duration_seconds", c->seconds);
	pi_jw_ku64(w, "processes", s->nprocs);
	pi_jw_ku64(w, "tasks", s->ntasks);
	pi_jw_ku64(w, "unreadable_processes", s->unreadable);
	states(w, &c->states);

	pi_jw_kseconds(w, "hung_after_seconds", c->hung_after_seconds);
	pi_jw_key(w, "hung_task_timeout_secs");
	s->hung_task_timeout_secs >= 0 ? pi_jw_i64(w, s->hung_task_timeout_secs) : pi_jw_null(w);
	pi_jw_ku64(w, pi_kind_of(PI_FIND_HUNG)->json_count, c->hung);
	pi_jw_ku64(w, pi_kind_of(PI_FIND_UNINTERRUPTIBLE)->json_count, c->uninterruptible);
	pi_jw_kseconds(w, "longest_uninterruptible_seconds", c->longest_d_seconds);
	pi_jw_ku64(w, pi_kind_of(PI_FIND_ZOMBIE)->json_count, c->zombies);
	pi_jw_ku64(w, pi_kind_of(PI_FIND_ZOMBIE_PARENT)->json_count, c->zombie_parents);
	pi_jw_key(w, pi_kind_of(PI_FIND_DEADLOCK)->json_count);
	(c->scans & PI_CHECK_DEADLOCKS) ? pi_jw_u64(w, c->deadlocks) : pi_jw_null(w);
	pi_jw_key(w, pi_kind_of(PI_FIND_PROCESS_DEADLOCK)->json_count);
	(c->scans & PI_CHECK_DEADLOCKS) ? pi_jw_u64(w, c->process_deadlocks) : pi_jw_null(w);
	pi_jw_key(w, "deadlocked_threads");
	(c->scans & PI_CHECK_DEADLOCKS) ? pi_jw_u64(w, c->deadlocked_threads) : pi_jw_null(w);
	pi_jw_key(w, "locks_not_checked");
	if (c->scans & PI_CHECK_DEADLOCKS) {
		pi_jw_object(w);
		pi_jw_key(w, "pids");
		pi_jw_array(w);
		for (size_t i = 0; i < c->nlocks_unchecked; i++)
			pi_jw_i64(w, c->locks_unchecked[i]);
		pi_jw_array_end(w);
		int e = c->locks_unchecked_err;
		pi_jw_kstring(w, "code", c->nlocks_unchecked ? pi_reason_key(e, "locks") : NULL);
		char *reason = c->nlocks_unchecked ? pi_reason_text(e, NULL) : NULL;
		pi_jw_kstring(w, "reason", reason);
		free(reason);
		pi_jw_object_end(w);
	} else {
		pi_jw_null(w);
	}
	/* Suspects the budget (--timeout) left unconfirmed. */
	pi_jw_key(w, "locks_timed_out");
	if (c->scans & PI_CHECK_DEADLOCKS) {
		pi_jw_array(w);
		for (size_t i = 0; i < c->nlocks_timed_out; i++)
			pi_jw_i64(w, c->locks_timed_out[i]);
		pi_jw_array_end(w);
	} else {
		pi_jw_null(w);
	}

	pi_jw_key(w, "findings");
	pi_jw_array(w);
	for (size_t i = 0; i < c->nitems; i++)
		finding(w, &c->items[i]);
	pi_jw_array_end(w);
	pi_jw_object_end(w);
}
