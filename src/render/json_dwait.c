/* The JSON of a wait in D: "d_wait" in each thread. */
#include <string.h>

#include "analysis/dwait.h"
#include "render/json_util.h"

static void vfork_child(struct pi_jw *w, const struct pi_process *p, const struct pi_d_wait *d)
{
	const struct pi_vfork_child *c = &d->child;

	pi_jw_key(w, "vfork_child");
	if (!d->child_found) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_ki64(w, "pid", c->pid);
	pi_jw_kstring(w, "comm", c->comm);
	pi_json_state(w, "state", c->state);
	pi_jw_kstring(w, "wchan", c->wchan_err ? NULL : c->wchan);
	pi_jw_key(w, "syscall");
	if (c->syscall_err) {
		pi_jw_null(w);
	} else if (c->syscall.kind == PI_SYSCALL_IN) {
		const char *name = p->abi_known ? pi_syscall_name(p->abi, c->syscall.nr) : NULL;
		pi_jw_object(w);
		pi_jw_kstring(w, "state", "in_syscall");
		pi_jw_ki64(w, "number", c->syscall.nr);
		pi_jw_kstring(w, "name", name);
		pi_jw_object_end(w);
	} else {
		pi_jw_object(w);
		pi_jw_kstring(w, "state", c->syscall.kind == PI_SYSCALL_RUNNING ? "running" : "blocked");
		pi_jw_object_end(w);
	}
	/* null: kcmp(2) could not say (no CONFIG_KCMP, or not allowed). */
	pi_jw_key(w, "shares_memory");
	c->kcmp_err ? pi_jw_null(w) : pi_jw_bool(w, c->shares_memory);
	pi_jw_object_end(w);
}

void pi_json_d_wait(struct pi_jw *w, const struct pi_process *p, const struct pi_thread *t)
{
	const struct pi_d_wait *d = pi_process_d_wait(p, t->facts.tid);

	pi_jw_key(w, "d_wait");
	if (!d) {
		pi_jw_null(w);
		return;
	}
	pi_jw_object(w);
	pi_jw_kstring(w, "killable", pi_killable_name(d->killable));
	pi_jw_key(w, "evidence");
	if (d->evidence)
		pi_jw_string_len(w, d->evidence, strcspn(d->evidence, "+"));
	else
		pi_jw_null(w);
	pi_jw_kbool(w, "vfork", d->vfork);
	if (d->vfork)
		vfork_child(w, p, d);
	else
		pi_jw_knull(w, "vfork_child");
	pi_jw_object_end(w);
}
