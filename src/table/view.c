#include "table/view.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/classify.h"
#include "table/columns.h"
#include "util/xalloc.h"

unsigned pi_row_flags(const struct pi_row *r)
{
	return r->thread_row ? r->task->facts.flags : r->proc->flags;
}

bool pi_row_holds_zombies(const struct pi_row *r)
{
	return r->proc->zombies && (!r->thread_row || r->task->facts.tid == r->proc->pid);
}

bool pi_row_is_problem(const struct pi_row *r)
{
	return (pi_row_flags(r) & (PI_TASK_HUNG | PI_TASK_UNINTERRUPTIBLE | PI_TASK_DEADLOCKED
				   | PI_TASK_ZOMBIE | PI_TASK_STOPPED | PI_TASK_TRACED))
	       || pi_row_holds_zombies(r);
}

void pi_row_command(const struct pi_row *r, struct pi_buf *out)
{
	const struct pi_proc *p = r->proc;
	const struct pi_task *task = r->task;

	/* A thread that named itself says so; one that did not is known by
	 * its process's command, as in htop. */
	if (r->thread_row && task->facts.tid != p->pid
	    && strncmp(task->facts.comm, p->comm, sizeof task->facts.comm - 1) != 0) {
		pi_buf_puts(out, task->facts.comm);
		pi_buf_puts(out, ": ");
	}
	if (p->cmdline && p->cmdline[0]) {
		pi_buf_puts(out, p->cmdline);
	} else {
		pi_buf_putc(out, '[');
		pi_buf_puts(out, p->comm);
		pi_buf_putc(out, ']');
	}
}

struct build {
	struct pi_view *v;
	struct pi_table *t;
	const struct pi_view_options *o;
	struct pi_buf text;
};

static bool keep(struct build *b, const struct pi_row *r)
{
	if (b->o->problems_only && !pi_row_is_problem(r))
		return false;
	if (b->o->hide_kernel && r->proc->kernel_thread)
		return false;
	if (b->o->only_user && r->task->euid != b->o->user)
		return false;
	if (b->o->filter && b->o->filter[0]) {
		pi_buf_reset(&b->text);
		pi_row_command(r, &b->text);
		if (!b->text.data || !strcasestr(b->text.data, b->o->filter))
			return false;
	}
	return true;
}

static void push(struct build *b, const struct pi_row *r)
{
	if (!keep(b, r))
		return;
	pi_xgrow(&b->v->rows, &b->v->cap, b->v->n + 1, sizeof *b->v->rows);
	b->v->rows[b->v->n++] = *r;
}

static int compare_rows(const void *pa, const void *pb, void *arg)
{
	const struct pi_view_options *o = arg;
	const struct pi_row *a = pa, *b = pb;
	int c = pi_column_compare(o->sort, a, b);
	if (c)
		return o->descending ? -c : c;
	/* Ties in a fixed order, so that rows do not dance between frames. */
	if (a->proc->pid != b->proc->pid)
		return a->proc->pid > b->proc->pid ? 1 : -1;
	return (a->task->facts.tid > b->task->facts.tid) - (a->task->facts.tid < b->task->facts.tid);
}

static struct pi_row proc_row(struct build *b, struct pi_proc *p)
{
	struct pi_row r = { 0 };
	r.proc = p;
	r.task = pi_proc_main_task(b->t, p);
	r.thread_row = b->o->threads;
	return r;
}

static void build_flat(struct build *b)
{
	struct pi_table *t = b->t;
	if (b->o->threads) {
		for (size_t i = 0; i < t->ntasks; i++) {
			struct pi_row r = { .task = &t->tasks[i], .proc = pi_task_proc(t, &t->tasks[i]),
					    .thread_row = true };
			push(b, &r);
		}
	} else {
		for (size_t i = 0; i < t->nprocs; i++) {
			struct pi_row r = proc_row(b, &t->procs[i]);
			if (r.task)
				push(b, &r);
		}
	}
	if (b->v->n > 1)
		qsort_r(b->v->rows, b->v->n, sizeof *b->v->rows, compare_rows, (void *)b->o);
}

/* The tree: processes under their parents, siblings in the sort order;
 * with threads, a process's other threads right under its main one. */
struct node {
	uint32_t proc;
	uint16_t depth;
	bool last;
	uint64_t more;
};

struct tree {
	struct build *b;
	struct pi_row *rows;	/* a row per process, by process index */
	uint32_t *rank;		/* each process's place in the sort order */
	uint32_t *kids;		/* processes by (parent, rank) */
	bool *seen;
	struct node *stack;
	size_t nstack;
};

static int compare_kids(const void *pa, const void *pb, void *arg)
{
	const struct tree *tr = arg;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	pid_t x = tr->rows[a].proc->ppid, y = tr->rows[b].proc->ppid;
	if (x != y)
		return x > y ? 1 : -1;
	return (tr->rank[a] > tr->rank[b]) - (tr->rank[a] < tr->rank[b]);
}

/* The children of pid, as a range of tr->kids. */
static void children(const struct tree *tr, pid_t pid, size_t *from, size_t *to)
{
	size_t n = tr->b->t->nprocs, lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tr->rows[tr->kids[mid]].proc->ppid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (lo < n && tr->rows[tr->kids[lo]].proc->ppid == pid)
		lo++;
	*to = lo;
}

static uint64_t child_more(const struct node *parent)
{
	uint64_t more = parent->more;
	if (parent->depth >= 1 && parent->depth < 64 && !parent->last)
		more |= 1ULL << parent->depth;
	return more;
}

static void emit_threads(struct tree *tr, const struct node *n, bool kids_follow)
{
	struct build *b = tr->b;
	struct pi_proc *p = tr->rows[n->proc].proc;
	struct pi_row *threads = NULL;
	size_t count = 0;

	if (p->ntasks < 2)
		return;
	threads = pi_xcalloc(p->ntasks, sizeof *threads);
	for (uint32_t i = 0; i < p->ntasks; i++) {
		struct pi_task *task = &b->t->tasks[p->first_task + i];
		if (task == tr->rows[n->proc].task)
			continue;
		threads[count++] = (struct pi_row){ .task = task, .proc = p, .thread_row = true };
	}
	if (count > 1)
		qsort_r(threads, count, sizeof *threads, compare_rows, (void *)b->o);
	for (size_t i = 0; i < count; i++) {
		threads[i].depth = (uint16_t)(n->depth + 1);
		threads[i].last = i + 1 == count && !kids_follow;
		threads[i].more = child_more(n);
		push(b, &threads[i]);
	}
	free(threads);
}

static void walk(struct tree *tr, uint32_t root)
{
	tr->nstack = 0;
	tr->stack[tr->nstack++] = (struct node){ root, 0, true, 0 };
	while (tr->nstack) {
		struct node n = tr->stack[--tr->nstack];
		if (tr->seen[n.proc])
			continue;
		tr->seen[n.proc] = true;
		struct pi_row r = tr->rows[n.proc];
		r.depth = n.depth;
		r.last = n.last;
		r.more = n.more;
		push(tr->b, &r);

		size_t from, to;
		children(tr, r.proc->pid, &from, &to);
		/* A process is not its own child (PID 0's children are roots). */
		while (from < to && tr->kids[from] == n.proc)
			from++;
		if (tr->b->o->threads)
			emit_threads(tr, &n, from < to);
		/* Pushed last first, so that the first pops first. */
		for (size_t k = to; k > from; k--) {
			uint32_t kid = tr->kids[k - 1];
			if (kid == n.proc || tr->seen[kid])
				continue;
			tr->stack[tr->nstack++] = (struct node){
				kid, (uint16_t)(n.depth + 1 < 65535 ? n.depth + 1 : n.depth), k == to,
				child_more(&n) };
		}
	}
}

static void build_tree(struct build *b)
{
	struct pi_table *t = b->t;
	size_t n = t->nprocs;
	struct tree tr = { .b = b };
	uint32_t *order = pi_xcalloc(n, sizeof *order);

	tr.rows = pi_xcalloc(n, sizeof *tr.rows);
	tr.rank = pi_xcalloc(n, sizeof *tr.rank);
	tr.kids = pi_xcalloc(n, sizeof *tr.kids);
	tr.seen = pi_xcalloc(n, sizeof *tr.seen);
	tr.stack = pi_xcalloc(n + 1, sizeof *tr.stack);

	/* Sort the process rows; their order is each one's rank. */
	struct pi_row *sorted = pi_xcalloc(n, sizeof *sorted);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		tr.rows[i] = proc_row(b, &t->procs[i]);
		if (tr.rows[i].task)
			sorted[m++] = tr.rows[i];
		else
			tr.seen[i] = true;	/* no task left to show */
	}
	if (m > 1)
		qsort_r(sorted, m, sizeof *sorted, compare_rows, (void *)b->o);
	for (size_t i = 0; i < m; i++) {
		uint32_t index = (uint32_t)(sorted[i].proc - t->procs);
		order[i] = index;
		tr.rank[index] = (uint32_t)i;
	}
	for (size_t i = 0; i < n; i++)
		tr.kids[i] = (uint32_t)i;
	if (n > 1)
		qsort_r(tr.kids, n, sizeof *tr.kids, compare_kids, &tr);

	/* Roots: processes whose parent is not in the table (PID 1 and 2,
	 * or any process when watching one). */
	for (size_t i = 0; i < m; i++) {
		const struct pi_proc *p = &t->procs[order[i]];
		const struct pi_proc *parent = pi_table_find_proc(t, p->ppid);
		if (!parent || parent == p)
			walk(&tr, order[i]);
	}
	/* Anything left (a parent read after its child was re-parented) is
	 * shown as a root rather than lost. */
	for (size_t i = 0; i < m; i++)
		if (!tr.seen[order[i]])
			walk(&tr, order[i]);

	free(sorted);
	free(order);
	free(tr.rows);
	free(tr.rank);
	free(tr.kids);
	free(tr.seen);
	free(tr.stack);
}

void pi_view_build(struct pi_view *v, struct pi_table *t, const struct pi_view_options *o)
{
	struct build b = { v, t, o, PI_BUF_INIT };
	v->n = 0;
	if (o->tree)
		build_tree(&b);
	else
		build_flat(&b);
	pi_buf_free(&b.text);
}

void pi_view_free(struct pi_view *v)
{
	free(v->rows);
	memset(v, 0, sizeof *v);
}

long pi_view_find(const struct pi_view *v, pid_t tid, pid_t pid)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct pi_row *r = &v->rows[i];
		if (r->thread_row ? r->task->facts.tid == tid : r->proc->pid == pid)
			return (long)i;
	}
	return -1;
}
