#include "collect/threads.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/thread.h"
#include "proc/reader.h"
#include "util/xalloc.h"

enum {
	CHUNK = 32,		/* threads a reader takes at a time */
	MAX_READERS = 4,	/* beyond this, /proc's own locks are the limit */
	PARALLEL_FROM = 64,	/* fewer threads are not worth starting readers */
};

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int read_task_ids(int procfd, pid_t pid, pid_t **tids, size_t *count)
{
	int taskfd = pi_proc_open_dir(procfd, "task");
	size_t cap = 0;

	*tids = NULL;
	*count = 0;
	if (taskfd < 0)
		return taskfd;
	DIR *dir = fdopendir(taskfd);
	if (!dir) {
		int err = -errno;
		close(taskfd);
		return err;
	}
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (*end || tid <= 0)
			continue;
		pi_xgrow(tids, &cap, *count + 1, sizeof **tids);
		(*tids)[(*count)++] = (pid_t)tid;
	}
	closedir(dir);
	if (*count > 1)
		qsort(*tids, *count, sizeof **tids, compare_pids);
	/* The main thread first, whatever its number. */
	for (size_t i = 0; i < *count; i++) {
		if ((*tids)[i] == pid) {
			memmove(*tids + 1, *tids, i * sizeof **tids);
			(*tids)[0] = pid;
			break;
		}
	}
	return 0;
}

struct shared {
	int taskfd;
	const pid_t *tids;
	size_t count;
	struct pi_thread *slots;	/* one per TID, in TID order */
	bool *read;			/* slot i holds a thread that was read */
	atomic_size_t next;
	struct pi_sched_clock clock;
	struct pi_shared_pool pool;
	bool lean;			/* pi_collect_thread_lean */
	struct pi_task_files *files;	/* its files kept open (one reader only) */
};

struct reader {
	struct shared *sh;
	pthread_t thread;
	struct pi_buf buf;
	pid_t *children;
	size_t nchildren, children_cap;
};

static void *read_some(void *arg)
{
	struct reader *r = arg;
	struct shared *sh = r->sh;

	for (;;) {
		size_t first = atomic_fetch_add(&sh->next, CHUNK);
		if (first >= sh->count)
			break;
		size_t end = first + CHUNK < sh->count ? first + CHUNK : sh->count;
		for (size_t i = first; i < end; i++) {
			struct pi_thread *t = &sh->slots[i];
			/* A thread that exits while we read is simply not shown. */
			int err = sh->lean ? pi_collect_thread_lean(sh->taskfd, sh->tids[i], sh->files, &r->buf, t)
					   : pi_collect_thread(sh->taskfd, sh->tids[i], &sh->clock, &sh->pool,
							       &r->buf, t, &r->children, &r->nchildren,
							       &r->children_cap);
			if (err == 0)
				sh->read[i] = true;
		}
	}
	return NULL;
}

static int collect_threads(int procfd, struct pi_process *p, pid_t **children, size_t *nchildren,
			   bool lean, struct pi_task_files *files)
{
	struct shared sh;
	size_t count;
	pid_t *tids;

	*children = NULL;
	*nchildren = 0;
	int err = read_task_ids(procfd, p->pid, &tids, &count);
	if (err)
		return err;
	memset(&sh, 0, sizeof sh);
	sh.taskfd = pi_proc_open_dir(procfd, "task");
	if (sh.taskfd < 0) {
		free(tids);
		return sh.taskfd;
	}
	sh.tids = tids;
	sh.count = count;
	sh.lean = lean;
	sh.files = files;
	sh.slots = pi_xcalloc(count ? count : 1, sizeof *sh.slots);
	sh.read = pi_xcalloc(count ? count : 1, sizeof *sh.read);
	pi_sched_clock_init(&sh.clock);
	sh.clock.as_of_mono_ns = p->snapshot_mono_ns;
	sh.pool.pool = &p->strings;
	pthread_mutex_init(&sh.pool.lock, NULL);

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/* The kept-open files are one reader's: a read from one is a
	 * pread, a fraction of an open, and the CPU is what --sample
	 * counts. */
	size_t nreaders = count >= PARALLEL_FROM && cpus > 1 && !files ? (size_t)cpus : 1;
	if (nreaders > MAX_READERS)
		nreaders = MAX_READERS;
	struct reader *readers = pi_xcalloc(nreaders, sizeof *readers);
	size_t started = 1;
	for (size_t i = 0; i < nreaders; i++)
		readers[i].sh = &sh;
	/* The calling thread is reader 0; if a thread cannot be started,
	 * the others simply do more. */
	for (size_t i = 1; i < nreaders; i++)
		if (pthread_create(&readers[i].thread, NULL, read_some, &readers[i]) == 0)
			started = i + 1;
		else
			break;
	read_some(&readers[0]);
	for (size_t i = 1; i < started; i++)
		pthread_join(readers[i].thread, NULL);

	/* Keep the order (main thread first, then by TID), without the
	 * threads that were gone. */
	p->threads = sh.slots;
	p->nthreads = 0;
	for (size_t i = 0; i < count; i++)
		if (sh.read[i])
			p->threads[p->nthreads++] = sh.slots[i];
	size_t cap = 0;
	for (size_t i = 0; i < started; i++) {
		struct reader *r = &readers[i];
		pi_xgrow(children, &cap, *nchildren + r->nchildren, sizeof **children);
		if (r->nchildren)
			memcpy(*children + *nchildren, r->children, r->nchildren * sizeof **children);
		*nchildren += r->nchildren;
		free(r->children);
		pi_buf_free(&r->buf);
	}
	free(readers);
	free(sh.read);
	pi_sched_clock_done(&sh.clock);
	pthread_mutex_destroy(&sh.pool.lock);
	close(sh.taskfd);
	free(tids);
	return 0;
}

int pi_collect_threads(int procfd, struct pi_process *p, pid_t **children, size_t *nchildren)
{
	return collect_threads(procfd, p, children, nchildren, false, NULL);
}

int pi_collect_threads_lean(int procfd, struct pi_process *p, struct pi_task_files *files)
{
	pid_t *children;
	size_t n;
	int err = collect_threads(procfd, p, &children, &n, true, files);
	free(children);
	return err;
}
