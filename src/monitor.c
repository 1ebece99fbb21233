#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "proc/reader.h"
#include "proc/status.h"
#include "table/columns.h"
#include "util/xalloc.h"

/* --top given a thread's ID watches its process, as `pinspect TID`
 * shows its process. Returns 0, or an exit status after a message. */
static int resolve_top(pid_t *pid)
{
	struct pi_buf buf = PI_BUF_INIT;
	struct pi_status st;
	char path[48];
	int status = 0;

	snprintf(path, sizeof path, "/proc/%d/status", (int)*pid);
	int err = pi_read_at(AT_FDCWD, path, &buf);
	if (!err)
		err = pi_status_parse(buf.data, buf.len, &st);
	pi_buf_free(&buf);
	if (pi_err_gone(err)) {
		fprintf(stderr, "pinspect: PID %d: no such process\n", (int)*pid);
		status = PI_EXIT_NOPROC;
	} else if (err == -EACCES || err == -EPERM) {
		fprintf(stderr, "pinspect: PID %d: permission denied (is /proc mounted with hidepid=?); "
			"run pinspect as root\n", (int)*pid);
		status = PI_EXIT_DENIED;
	} else if (!err && (st.have & PI_STATUS_TGID) && st.tgid != *pid) {
		fprintf(stderr, "pinspect: %d is a thread of process %d; watching the process\n",
			(int)*pid, (int)st.tgid);
		*pid = st.tgid;
	}
	return status;
}

int pi_monitor_init(struct pi_monitor *m, const struct pi_options *opt)
{
	struct pi_table_options to = { opt->top_pid, opt->hung_after_seconds };

	memset(m, 0, sizeof *m);
	if (to.only_pid) {
		int status = resolve_top(&to.only_pid);
		if (status)
			return status;
	}
	int err = pi_table_init(&m->table, &to);
	if (err) {
		fprintf(stderr, "pinspect: libproc2 could not be set up: %s\n", strerror(-err));
		return PI_EXIT_FAILURE;
	}
	/* --top shows the threads: that is what watching one process means. */
	m->vo.threads = opt->threads || to.only_pid;
	m->vo.problems_only = opt->problems_only;
	m->vo.sort = PI_COL_CPU;
	m->vo.descending = true;
	return 0;
}

void pi_monitor_done(struct pi_monitor *m)
{
	pi_view_free(&m->view);
	pi_table_done(&m->table);
	free(m->filter);
	memset(m, 0, sizeof *m);
}

int pi_monitor_sample(struct pi_monitor *m)
{
	bool first = m->table.samples == 0;
	int err = pi_table_sample(&m->table);
	if (!err)
		return 0;
	if (err == -ESRCH && m->table.opt.only_pid) {
		snprintf(m->error, sizeof m->error, first ? "PID %d: no such process"
							  : "process %d has exited",
			 (int)m->table.opt.only_pid);
		m->gone = true;
		return PI_EXIT_NOPROC;
	}
	snprintf(m->error, sizeof m->error, "reading the task list from /proc failed: %s "
		 "(is /proc mounted?)", strerror(-err));
	return PI_EXIT_FAILURE;
}

void pi_monitor_build(struct pi_monitor *m)
{
	unsigned need = pi_column(m->vo.sort)->detail;
	if (need) {
		pi_table_read_all(&m->table, need);
		pi_table_classify(&m->table);
	}
	pi_view_build(&m->view, &m->table, &m->vo);
}

void pi_monitor_read_rows(struct pi_monitor *m, size_t from, size_t n, bool cmdlines)
{
	if (from >= m->view.n)
		return;
	if (n > m->view.n - from)
		n = m->view.n - from;
	struct pi_task **tasks = pi_xcalloc(n ? n : 1, sizeof *tasks);
	for (size_t i = 0; i < n; i++)
		tasks[i] = m->view.rows[from + i].task;
	pi_table_read(&m->table, tasks, n, PI_MONITOR_ROW_DETAIL);
	if (cmdlines)
		pi_table_read_cmdlines(&m->table, tasks, n);
	free(tasks);
	pi_table_classify(&m->table);
}

void pi_monitor_set_filter(struct pi_monitor *m, const char *text)
{
	free(m->filter);
	m->filter = text && *text ? pi_xstrdup(text) : NULL;
	m->vo.filter = m->filter;
}
