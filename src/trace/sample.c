#include "trace/sample.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__aarch64__)
#include <asm/perf_regs.h>
#endif

#include "arch/host.h"
#include "util/deadline.h"
#include "util/xalloc.h"

enum {
	/* A sample record's size is a 16-bit field: the kernel cuts the
	 * stack copy so that the record fits in 64 KiB, and asks for a
	 * multiple of 8 below 65535. */
	STACK_ASKED = 65528,
	DATA_PAGES = 16,		/* 64 KiB: one record of at most 65535 bytes */
	MAX_OPEN = 128,			/* events open at once (file descriptors, 8.5 MiB of locked pages) */
	SAMPLE_PERIOD_NS = 100000,	/* of the thread's own CPU time */
	RECHECK_US = 2000,		/* how often to ask whether a thread still runs */
};

/* The registers a sample holds, and where each goes: perf's register
 * index (the bit in sample_regs_user; the sample lists them in that
 * order) and its place in user_regs_struct, ptrace's layout, which the
 * architecture table (src/arch) reads for the unwinder and for people. A
 * 32-bit task's sample comes in the same layout, zero-extended. Another
 * host architecture would add its own table here. */
struct reg_map {
	int perf;
	size_t uregs_offset;
};

#if defined(__x86_64__)
#define REG(perf, field) { PERF_REG_X86_##perf, offsetof(struct user_regs_struct, field) }
static const struct reg_map reg_map[] = {
	REG(AX, rax), REG(BX, rbx), REG(CX, rcx), REG(DX, rdx),
	REG(SI, rsi), REG(DI, rdi), REG(BP, rbp), REG(SP, rsp),
	REG(IP, rip), REG(FLAGS, eflags), REG(CS, cs), REG(SS, ss),
	/* ds, es, fs and gs: the kernel refuses them for a 64-bit task. */
	REG(R8, r8), REG(R9, r9), REG(R10, r10), REG(R11, r11),
	REG(R12, r12), REG(R13, r13), REG(R14, r14), REG(R15, r15),
};
#undef REG
enum { NATIVE_ABI = PERF_SAMPLE_REGS_ABI_64 };
#elif defined(__aarch64__)
/* x0-x30 (x29 the frame pointer, x30 the link register), sp, pc: perf's
 * indexes are their places in user_pt_regs. */
#define REG(n) { n, offsetof(struct user_regs_struct, regs) + 8 * (n) }
static const struct reg_map reg_map[] = {
	REG(0), REG(1), REG(2), REG(3), REG(4), REG(5), REG(6), REG(7), REG(8), REG(9),
	REG(10), REG(11), REG(12), REG(13), REG(14), REG(15), REG(16), REG(17), REG(18),
	REG(19), REG(20), REG(21), REG(22), REG(23), REG(24), REG(25), REG(26), REG(27),
	REG(28), REG(29), REG(30),
	{ PERF_REG_ARM64_SP, offsetof(struct user_regs_struct, sp) },
	{ PERF_REG_ARM64_PC, offsetof(struct user_regs_struct, pc) },
};
#undef REG
enum { NATIVE_ABI = PERF_SAMPLE_REGS_ABI_64 };
#else
static const struct reg_map reg_map[] = { { -1, 0 } };
enum { NATIVE_ABI = -1 };
#endif
enum { NREGS = sizeof reg_map / sizeof reg_map[0] };

static uint64_t regs_mask(void)
{
	uint64_t mask = 0;
	for (size_t i = 0; i < NREGS; i++)
		if (reg_map[i].perf >= 0)
			mask |= 1ULL << reg_map[i].perf;
	return mask;
}

bool pi_sample_is_denial(int err)
{
	return err == -EACCES || err == -EPERM || err == -ENOENT || err == -ENOSYS
	       || err == -EOPNOTSUPP;
}

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

bool pi_sample_privileged(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	bool perfmon = d[CAP_PERFMON / 32].effective & (1u << (CAP_PERFMON % 32));
	bool sys_admin = d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
	return perfmon || sys_admin;
}

/* Reads a record field by field, never past its end. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool take(struct cursor *c, void *out, size_t n)
{
	if (n > c->left)
		return false;
	memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

int pi_sample_parse(const uint8_t *rec, size_t len, pid_t tid, size_t stack_asked,
		    struct pi_sample *s)
{
	struct perf_event_header h;
	struct cursor c = { rec, len };
	uint32_t ids[2];
	uint64_t abi, size, dyn_size;

	if (NATIVE_ABI < 0)
		return -ENOEXEC;
	if (!take(&c, &h, sizeof h) || h.type != PERF_RECORD_SAMPLE || h.size < sizeof h
	    || h.size > len)
		return -EPROTO;
	c.left = h.size - sizeof h;
	if (!take(&c, ids, sizeof ids) || (pid_t)ids[1] != tid || !take(&c, &abi, sizeof abi))
		return -EPROTO;
	if (abi == PERF_SAMPLE_REGS_ABI_NONE)
		return -EAGAIN;		/* not in user space */
	if (abi != (uint64_t)NATIVE_ABI && abi != PERF_SAMPLE_REGS_ABI_32)
		return -EPROTO;
	s->abi32 = abi == PERF_SAMPLE_REGS_ABI_32;

	memset(&s->regs, 0, sizeof s->regs);
	for (size_t i = 0; i < NREGS; i++) {
		uint64_t v;
		if (!take(&c, &v, sizeof v))
			return -EPROTO;
		memcpy((uint8_t *)&s->regs + reg_map[i].uregs_offset, &v, sizeof v);
	}

	if (!take(&c, &size, sizeof size) || size > stack_asked)
		return -EPROTO;
	s->stack = NULL;
	s->stack_len = 0;
	s->stack_start = pi_host_regs_sp(&s->regs);
	s->stack_cut = false;
	if (size == 0)
		return c.left == 0 ? 0 : -EPROTO;	/* nothing copied: the first frame only */
	/* The copy, then how much of it the kernel could read. */
	if (size > c.left || c.left - size != sizeof dyn_size)
		return -EPROTO;
	const uint8_t *data = c.p;
	c.p += size;
	c.left -= size;
	if (!take(&c, &dyn_size, sizeof dyn_size) || dyn_size > size)
		return -EPROTO;
	s->stack_len = (size_t)dyn_size;
	s->stack = pi_xmalloc(s->stack_len ? s->stack_len : 1);
	memcpy(s->stack, data, s->stack_len);
	s->stack_cut = dyn_size == size;
	return 0;
}

/* One thread's event. */
struct event {
	int fd;			/* -1: not open */
	void *ring;
	size_t ring_size;
};

static size_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);
	return n > 0 ? (size_t)n : 4096;
}

static void close_event(struct event *e)
{
	if (e->ring)
		munmap(e->ring, e->ring_size);
	if (e->fd >= 0)
		close(e->fd);
	e->ring = NULL;
	e->fd = -1;
}

/* Opens, maps and enables thread tid's event. *at_mmap tells a failure to
 * map the ring (a locked-memory limit) from one to open the event. */
static int open_event(pid_t tid, bool user_only, struct event *e, bool *at_mmap)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = SAMPLE_PERIOD_NS;
	a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	a.sample_regs_user = regs_mask();
	a.sample_stack_user = STACK_ASKED;
	a.disabled = 1;
	/* A sample taken while the thread runs in the kernel (in a system
	 * call, a page fault) holds its user registers as it entered the
	 * kernel, which stay put until it returns: just as good. Without
	 * CAP_PERFMON, perf_event_paranoid 2 forbids that: then user space
	 * only, and a sample landing in the kernel is dropped. */
	a.exclude_kernel = user_only;
	a.exclude_hv = 1;
	a.wakeup_events = 1;
	e->fd = -1;
	e->ring = NULL;
	int fd = (int)syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	e->fd = fd;
	/* Writable, so that the kernel keeps the first sample rather than
	 * writing later ones over it. */
	e->ring_size = (1 + DATA_PAGES) * page_size();
	void *ring = mmap(NULL, e->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		int err = -errno;
		*at_mmap = true;
		close_event(e);
		return err;
	}
	e->ring = ring;
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) {
		int err = -errno;
		close_event(e);
		return err;
	}
	return 0;
}

/* Copies n bytes at offset off of the data ring (which wraps). */
static void ring_copy(const uint8_t *data, uint64_t data_size, uint64_t off, void *out, size_t n)
{
	uint64_t at = off % data_size;
	size_t first = n < data_size - at ? n : (size_t)(data_size - at);
	memcpy(out, data + at, first);
	memcpy((uint8_t *)out + first, data, n - first);
}

/* The first sample in the ring: 0 (s filled), -EINPROGRESS (none yet), or
 * an error from pi_sample_parse. */
static int read_ring(const struct event *e, pid_t tid, struct pi_sample *s, uint8_t *rec)
{
	const struct perf_event_mmap_page *meta = e->ring;
	uint64_t data_offset = page_size(), data_size = DATA_PAGES * page_size();
	uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t pos = 0;	/* data_tail is never moved: this is the start */

	if (head > data_size)
		head = data_size;	/* only the first lap is kept intact */
	const uint8_t *data = (const uint8_t *)e->ring + data_offset;
	while (pos + sizeof(struct perf_event_header) <= head) {
		struct perf_event_header h;
		ring_copy(data, data_size, pos, &h, sizeof h);
		if (h.size < sizeof h || pos + h.size > head)
			return -EPROTO;
		if (h.type == PERF_RECORD_SAMPLE) {
			ring_copy(data, data_size, pos, rec, h.size);
			return pi_sample_parse(rec, h.size, tid, STACK_ASKED, s);
		}
		pos += h.size;	/* lost or throttled: the next record */
	}
	return -EINPROGRESS;
}

static double now_us(void)
{
	return (double)pi_monotonic_ns() / 1e3;
}

int pi_sample_batch(struct pi_sample_batch *b)
{
	struct event *ev = pi_xcalloc(b->count, sizeof *ev);
	struct pollfd *pfd = pi_xcalloc(MAX_OPEN, sizeof *pfd);
	size_t *slot = pi_xcalloc(MAX_OPEN, sizeof *slot);
	uint8_t *rec = pi_xmalloc(1 << 16);
	size_t next = 0, nopen = 0, max_open = MAX_OPEN, done = 0;
	bool user_only = false;
	double deadline = now_us() + b->timeout_seconds * 1e6;
	double next_recheck = now_us() + RECHECK_US;

	b->denied = 0;
	for (size_t i = 0; i < b->count; i++) {
		ev[i].fd = -1;
		b->threads[i].err = -EINPROGRESS;
		b->threads[i].stack = NULL;
	}
	while (done < b->count) {
		/* Open the next threads' events, up to the bound. */
		while (next < b->count && nopen < max_open) {
			struct pi_sample *s = &b->threads[next];
			if (b->denied || now_us() >= deadline) {
				/* No use asking again; or no time left. */
				s->err = b->denied ? b->denied : -ETIMEDOUT;
				next++;
				done++;
				continue;
			}
			bool at_mmap = false;
			int err = open_event(s->tid, user_only, &ev[next], &at_mmap);
			if ((err == -EACCES || err == -EPERM) && !at_mmap && !user_only) {
				user_only = true;	/* not allowed to sample in the kernel */
				err = open_event(s->tid, user_only, &ev[next], &at_mmap);
			}
			if (err && nopen > 0
			    && (at_mmap || err == -EMFILE || err == -ENFILE || err == -ENOMEM)) {
				/* Out of descriptors or of locked memory (not
				 * root): fewer at once, after the open ones. */
				max_open = nopen;
				break;
			}
			if (err) {
				s->err = err;
				if (pi_sample_is_denial(err) && !b->denied)
					b->denied = err;
				next++;
				done++;
				continue;
			}
			next++;
			nopen++;
		}
		if (done == b->count)
			break;

		size_t n = 0;
		for (size_t i = 0; i < next; i++) {
			if (ev[i].fd < 0)
				continue;
			pfd[n].fd = ev[i].fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			slot[n++] = i;
		}
		double now = now_us();
		double wait = next_recheck - now;
		if (deadline - now < wait)
			wait = deadline - now;
		if (wait < 0)
			wait = 0;
		struct timespec ts = { (time_t)(wait / 1e6), (long)((wait - (double)(time_t)(wait / 1e6) * 1e6) * 1e3) };
		if (n > 0)
			ppoll(pfd, n, &ts, NULL);

		now = now_us();
		bool recheck = now >= next_recheck;
		if (recheck)
			next_recheck = now + RECHECK_US;
		for (size_t k = 0; k < n; k++) {
			size_t i = slot[k];
			struct pi_sample *s = &b->threads[i];
			int err = read_ring(&ev[i], s->tid, s, rec);
			if (err == -EINPROGRESS) {
				if (pfd[k].revents & (POLLHUP | POLLERR))
					err = -ESRCH;	/* it exited */
				else if (now >= deadline)
					err = -ETIMEDOUT;
				else if (recheck && b->still_running
					 && !b->still_running(b->still_running_arg, i))
					err = -EAGAIN;
			}
			if (err == -EINPROGRESS)
				continue;
			s->err = err;
			close_event(&ev[i]);
			nopen--;
			done++;
		}
	}
	for (size_t i = 0; i < b->count; i++)
		close_event(&ev[i]);
	free(rec);
	free(slot);
	free(pfd);
	free(ev);
	return 0;
}

void pi_sample_batch_free(struct pi_sample_batch *b)
{
	for (size_t i = 0; i < b->count; i++) {
		free(b->threads[i].stack);
		b->threads[i].stack = NULL;
	}
}
