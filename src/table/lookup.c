/* Finding tasks and processes in a table, and the names of users. */
#include "table/table.h"

#include "sys/names.h"
#include "util/xalloc.h"

struct pi_proc *pi_table_find_proc(const struct pi_table *t, pid_t pid)
{
	size_t lo = 0, hi = t->nprocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->procs[mid].pid == pid)
			return &t->procs[mid];
		if (t->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct pi_task *pi_table_find_task(const struct pi_table *t, pid_t tid)
{
	/* A main thread's TID is its PID: the common case is quick. */
	struct pi_proc *p = pi_table_find_proc(t, tid);
	if (p)
		for (uint32_t i = 0; i < p->ntasks; i++)
			if (t->tasks[p->first_task + i].facts.tid == tid)
				return &t->tasks[p->first_task + i];
	for (size_t i = 0; i < t->ntasks; i++)
		if (t->tasks[i].facts.tid == tid)
			return &t->tasks[i];
	return NULL;
}

struct pi_task *pi_task_search(const struct pi_task *v, size_t n, pid_t tid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].facts.tid == tid)
			return (struct pi_task *)&v[mid];
		if (v[mid].facts.tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct pi_task *pi_proc_main_task(const struct pi_table *t, const struct pi_proc *p)
{
	for (uint32_t i = 0; i < p->ntasks; i++)
		if (t->tasks[p->first_task + i].facts.tid == p->pid)
			return &t->tasks[p->first_task + i];
	return p->ntasks ? &t->tasks[p->first_task] : NULL;
}

const char *pi_table_user_name(struct pi_table *t, uid_t uid)
{
	for (size_t i = 0; i < t->nusers; i++)
		if (t->users[i].uid == uid)
			return t->users[i].name;
	pi_xgrow(&t->users, &t->users_cap, t->nusers + 1, sizeof *t->users);
	struct pi_user_name *u = &t->users[t->nusers++];
	u->uid = uid;
	u->name = pi_user_name(uid);
	return u->name;
}

double pi_table_age(const struct pi_table *t, uint64_t starttime)
{
	double age = t->uptime_seconds - (double)starttime / (double)t->hz;
	return age > 0 ? age : 0;
}
