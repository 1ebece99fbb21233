#include "collect/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "collect/threads.h"
#include "elf/vdso.h"
#include "elf/vdso_sandbox.h"
#include "proc/system.h"
#include "proc/memory.h"
#include "proc/reader.h"
#include "sys/abi.h"
#include "util/deadline.h"
#include "util/xalloc.h"

static double clock_seconds(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static void read_identity(int procfd, struct pi_process *p, struct pi_buf *buf)
{
	int err = pi_read_at(procfd, "cmdline", buf);
	p->cmdline_err = err ? err : pi_cmdline_parse(buf->data, buf->len, &p->cmdline);

	err = pi_readlink_at(procfd, "exe", buf);
	if (!err) {
		static const char deleted[] = " (deleted)";
		size_t n = sizeof deleted - 1;
		if (buf->len > n && memcmp(buf->data + buf->len - n, deleted, n) == 0) {
			p->exe_deleted = true;
			buf->data[buf->len -= n] = '\0';
		}
		p->exe = pi_xstrdup(buf->data);
	}
	p->exe_err = err;

	err = pi_read_at(procfd, "cgroup", buf);
	p->cgroup_err = err ? err : pi_cgroup_parse(buf->data, buf->len, &p->cgroup);

	/* The executable's ELF header tells 64-bit, 32-bit and x32
	 * processes apart, and with them what system call numbers mean. */
	p->abi_known = pi_exe_abi_arch(procfd, &p->abi, &p->arch) == 0;
	if (!p->abi_known)
		p->arch = pi_arch_host();
}

/* The directory whose maps describe the address space: the process's own,
 * unless its main thread has exited (leaving a zombie leader whose maps
 * read empty) while other threads still run. */
static int memory_dirfd(int procfd, const struct pi_process *p, bool *opened)
{
	*opened = false;
	if (p->stat.state != 'Z' || p->nthreads < 2)
		return procfd;
	for (size_t i = 0; i < p->nthreads; i++) {
		if (p->threads[i].stat_err || p->threads[i].facts.state == 'Z')
			continue;
		char path[32];
		snprintf(path, sizeof path, "task/%d", (int)p->threads[i].facts.tid);
		int fd = pi_proc_open_dir(procfd, path);
		if (fd >= 0) {
			*opened = true;
			return fd;
		}
	}
	return procfd;
}

/* Is image, byte for byte, the vDSO the kernel maps into pinspect itself?
 * Then it is the kernel's, not the target's: only a vDSO the process has
 * rewritten (or another ABI's) differs. Our own is read like the
 * target's, so a size that differs fails the read instead of faulting. */
static bool is_kernels_own_vdso(const uint8_t *image, size_t size)
{
	uint64_t own = getauxval(AT_SYSINFO_EHDR);
	if (!own)
		return false;
	uint8_t *copy = pi_xmalloc(size);
	bool same = pi_mem_read(getpid(), own, copy, size) == (ssize_t)size
		    && memcmp(copy, image, size) == 0;
	free(copy);
	return same;
}

static void read_vdso(struct pi_process *p)
{
	struct pi_vdso *v = &p->vdso;
	const struct pi_vma *vma = NULL;

	for (size_t i = 0; i < p->nvmas; i++)
		if (p->vmas[i].path && strcmp(p->vmas[i].path, "[vdso]") == 0)
			vma = &p->vmas[i];
	if (!vma) {
		v->err = p->maps_err ? p->maps_err : -PI_ERR_NO_VDSO;
		return;
	}
	v->start = vma->start;
	v->end = vma->end;
	v->auxv_matches = !p->auxv_err && p->auxv.have_sysinfo_ehdr && p->auxv.sysinfo_ehdr == vma->start;

	size_t size = (size_t)(vma->end - vma->start);
	if (size == 0 || size > 1 << 20) {
		v->err = -EINVAL;
		return;
	}
	uint8_t *image = pi_xmalloc(size);
	ssize_t n = pi_mem_read(p->pid, vma->start, image, size);
	if (n < 0) {
		v->err = (int)n;
		free(image);
		return;
	}
	/* The image is the target's to write: unless it is the kernel's
	 * own, libelf reads it in the sandbox, and a crash or a hang there
	 * costs only this section. The sandbox's fork and exit take about a
	 * millisecond, a tenth of a small snapshot: the rest of the process
	 * is read meanwhile, and pi_collect_finish collects it. */
	if (is_kernels_own_vdso(image, (size_t)n))
		v->err = pi_vdso_decode(image, (size_t)n, v);
	else
		v->err = pi_vdso_decode_start(image, (size_t)n, &v->pending);
	/* Kept: the unwinder reads the vDSO's unwind tables from it. */
	v->image = image;
	v->image_size = (size_t)n;
}

static void feed_maps(void *parser, const char *text, size_t len)
{
	pi_maps_feed(parser, text, len);
}

static void read_memory(int procfd, struct pi_process *p, struct pi_buf *buf, bool lean)
{
	if (p->kernel_thread || (p->stat.state == 'Z' && p->nthreads < 2)) {
		int why = p->kernel_thread ? -PI_ERR_KERNEL_THREAD : -PI_ERR_ZOMBIE;
		p->maps_err = p->auxv_err = p->vdso.err = why;
		p->vsyscall = PI_VSYSCALL_UNKNOWN;
		return;
	}
	bool opened;
	int fd = memory_dirfd(procfd, p, &opened);

	struct pi_maps_parser parser = { NULL, 0, 0 };
	/* maps is smaps without the sizes, at a fraction of the kernel's
	 * work (no page walk): a lean read needs no sizes. */
	p->maps_err = pi_read_lines_at(fd, lean ? "maps" : "smaps", buf, feed_maps, &parser);
	p->vmas = parser.vmas;
	p->nvmas = parser.count;
	int err = pi_read_at(fd, "auxv", buf);
	unsigned word = p->arch ? p->arch->ptr_size : 4;	/* x32: 4 */
	p->auxv_err = err ? err : pi_auxv_parse(buf->data, buf->len, word, &p->auxv);
	if (opened)
		close(fd);

	read_vdso(p);
}

static void read_zombie_children(struct pi_process *p, pid_t *children, size_t n,
				 struct pi_buf *buf)
{
	size_t cap = 0;

	if (n > 1)	/* children is NULL when there are none */
		qsort(children, n, sizeof *children, compare_pids);
	for (size_t i = 0; i < n; i++) {
		struct pi_stat st;
		if (i > 0 && children[i] == children[i - 1])
			continue;
		int fd = pi_proc_open(children[i]);
		if (fd < 0)
			continue;
		int err = pi_read_at(fd, "stat", buf);
		close(fd);
		if (err || pi_stat_parse(buf->data, buf->len, &st) != 0)
			continue;
		if (st.state != 'Z' || st.ppid != p->pid)
			continue;
		pi_xgrow(&p->zombies, &cap, p->nzombies + 1, sizeof *p->zombies);
		struct pi_zombie_child *z = &p->zombies[p->nzombies++];
		z->pid = children[i];
		memcpy(z->comm, st.comm, sizeof z->comm);
		z->age_seconds = p->uptime_seconds - (double)st.starttime / (double)p->clock_ticks;
	}
}

static char *read_comm_of(pid_t pid, struct pi_buf *buf)
{
	if (pid <= 0)
		return NULL;
	int fd = pi_proc_open(pid);
	if (fd < 0)
		return NULL;
	int err = pi_read_at(fd, "comm", buf);
	close(fd);
	if (err)
		return NULL;
	if (buf->len && buf->data[buf->len - 1] == '\n')
		buf->data[--buf->len] = '\0';
	return pi_xstrndup(buf->data, buf->len);
}

static void read_names(struct pi_process *p, struct pi_buf *buf)
{
	if (!p->stat_err)
		p->parent_comm = read_comm_of(p->stat.ppid, buf);
	/* ptrace is per thread: strace -f or gdb trace them all, but a
	 * tracer may hold just one. */
	if (!p->status_err)
		p->tracer_pid = p->status.tracer_pid;
	for (size_t i = 0; i < p->nthreads && !p->tracer_pid; i++)
		if (!p->threads[i].status_err)
			p->tracer_pid = p->threads[i].facts.tracer_pid;
	if (p->tracer_pid)
		p->tracer_comm = read_comm_of(p->tracer_pid, buf);
	for (int i = 0; i < 4; i++) {
		if (p->status.have & PI_STATUS_UID)
			p->user_name[i] = pi_user_name(p->status.uid[i]);
		if (p->status.have & PI_STATUS_GID)
			p->group_name[i] = pi_group_name(p->status.gid[i]);
	}
}

/* wchan reads "0" both for a task that is not blocked and for a reader
 * the kernel will not tell (no ptrace read access): the two look alike.
 * When access was refused, "0" means unknown, not "not waiting". */
static void distrust_hidden_wchan(int procfd, struct pi_process *p, struct pi_buf *buf)
{
	int denied;
	if (p->kernel_thread) {
		/* No maps to go by: personality has the same access check. */
		denied = pi_read_at(procfd, "personality", buf);
	} else {
		denied = p->maps_err;
	}
	if (denied != -EACCES && denied != -EPERM)
		return;
	for (size_t i = 0; i < p->nthreads; i++)
		if (!p->threads[i].wchan_err && !*p->threads[i].facts.wchan)
			p->threads[i].wchan_err = denied;
}

static int read_hung_task_timeout(struct pi_buf *buf)
{
	int secs;
	(void)buf;
	return pi_proc_sysctl_int("kernel/hung_task_timeout_secs", &secs) == 0 ? secs : -1;
}

void pi_collect_finish(struct pi_process *p)
{
	if (p->vdso.pending) {
		p->vdso.err = pi_vdso_decode_finish(p->vdso.pending, &p->vdso);
		p->vdso.pending = NULL;
	}
}

int pi_collect_process(pid_t pid, struct pi_process *out)
{
	return pi_collect_process_within(pid, out, NULL);
}

static int collect_process(pid_t pid, struct pi_process *out, const struct pi_deadline *deadline, bool lean,
			   struct pi_task_files *files)
{
	struct pi_buf buf = PI_BUF_INIT;
	pid_t *children = NULL;
	size_t nchildren = 0;
	int procfd, err;

	memset(out, 0, sizeof *out);
	if (deadline)
		out->deadline = *deadline;
	out->pid = pid;
	out->clock_ticks = sysconf(_SC_CLK_TCK);
	out->inspector_root = geteuid() == 0;

	procfd = pi_proc_open(pid);
	if (procfd < 0)
		return procfd;

	err = pi_read_at(procfd, "stat", &buf);
	out->stat_err = err ? err : pi_stat_parse(buf.data, buf.len, &out->stat);
	if (out->stat_err) {
		err = pi_err_gone(out->stat_err) ? -ENOENT : out->stat_err;
		goto done;
	}
	err = pi_read_at(procfd, "status", &buf);
	out->status_err = err ? err : pi_status_parse(buf.data, buf.len, &out->status);
	if (pi_err_gone(out->status_err)) {
		err = -ESRCH;
		goto done;
	}
	if (!out->status_err && (out->status.have & PI_STATUS_TGID) && out->status.tgid != pid) {
		err = -EINVAL;
		goto done;
	}
	out->kernel_thread = (out->stat.flags & PI_PF_KTHREAD)
			     || (!out->status_err && out->status.kthread);
	out->uptime_seconds = clock_seconds(CLOCK_BOOTTIME);
	out->realtime_seconds = clock_seconds(CLOCK_REALTIME);
	out->snapshot_mono_ns = pi_monotonic_ns();

	if (lean) {
		/* The executable's ABI only: what the stacks need. */
		out->cmdline_err = out->exe_err = out->cgroup_err = -ENODATA;
		out->abi_known = pi_exe_abi_arch(procfd, &out->abi, &out->arch) == 0;
		if (!out->abi_known)
			out->arch = pi_arch_host();
		out->task_files = files;
		out->threads_err = pi_collect_threads_lean(procfd, out, files);
		read_memory(procfd, out, &buf, true);
		out->hung_task_timeout_secs = -1;
	} else {
		read_identity(procfd, out, &buf);
		out->threads_err = pi_collect_threads(procfd, out, &children, &nchildren);
		read_memory(procfd, out, &buf, false);
		distrust_hidden_wchan(procfd, out, &buf);
		read_zombie_children(out, children, nchildren, &buf);
		read_names(out, &buf);
		out->hung_task_timeout_secs = read_hung_task_timeout(&buf);
	}

	/* Did it exit while we read? A process that is gone, or became a
	 * zombie, was read partly alive and partly dead: not worth showing. */
	struct pi_stat again;
	err = pi_read_at(procfd, "stat", &buf);
	if (err || pi_stat_parse(buf.data, buf.len, &again) != 0
	    || (again.state == 'Z' && out->stat.state != 'Z'))
		err = -ESRCH;
	else if (out->nthreads == 0 && !out->threads_err)
		err = -ESRCH;
	else
		err = 0;
done:
	free(children);
	pi_buf_free(&buf);
	close(procfd);
	return err;
}

int pi_collect_process_within(pid_t pid, struct pi_process *out, const struct pi_deadline *deadline)
{
	return collect_process(pid, out, deadline, false, NULL);
}

int pi_collect_process_lean(pid_t pid, struct pi_process *out, const struct pi_deadline *deadline,
			    struct pi_task_files *files)
{
	return collect_process(pid, out, deadline, true, files);
}
