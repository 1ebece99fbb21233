/* A Go program's goroutines read from its memory (runtime/goroutines.c):
 * runtime.allgs, every g it points to, and each g's stack, all the
 * target's. The input is: two bytes, the length of a .gopclntab that
 * follows (tried as it is; the committed seed holds a real one), then
 * runtime.g's offsets (as DWARF may give them: any below 4096), the
 * address of allgs, and the memory image, read at any address as the
 * bytes at that address modulo its length. Properties: the walk returns
 * within its bounds (goroutines, frames), every name it gives is
 * NUL-terminated inside the table, and a status is one the runtime sets. */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "runtime/goroutines.h"

enum { MAX_GOROUTINES = 64, MAX_FRAMES = 16 };

static const uint8_t *mem, *table;
static size_t mem_len, table_len, seen;

static bool read_mem(void *arg, uint64_t addr, void *buf, size_t len)
{
	(void)arg;
	if (!mem_len)
		return false;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = mem[(addr + i) % mem_len];
	return true;
}

static void in_table(const char *s)
{
	if (!s)
		return;
	fz_require((const uint8_t *)s >= table && (const uint8_t *)s < table + table_len);
	fz_require(memchr(s, '\0', table_len - (size_t)((const uint8_t *)s - table)) != NULL);
}

static bool each(void *arg, const struct pi_go_goroutine *g)
{
	(void)arg;
	fz_require(++seen <= MAX_GOROUTINES);
	fz_require(pi_go_status_name(g->status) != NULL);
	fz_require(g->nframes <= MAX_FRAMES);
	for (size_t i = 0; i < g->nframes; i++) {
		in_table(g->frames[i].function);
		in_table(g->frames[i].file);
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t tlen = (size_t)fz_take(&f, 2);
	if (tlen > f.n)
		tlen = f.n;
	table = f.p;
	table_len = tlen;
	f.p += tlen;
	f.n -= tlen;
	struct pi_gopcln t;
	if (pi_gopcln_init(&t, table, table_len, 0, 0x401000) != 0)
		memset(&t, 0, sizeof t);	/* no table: every pc in no function */
	struct pi_go_walk w;
	memset(&w, 0, sizeof w);
	struct pi_go_layout *l = &w.layout;
	uint32_t *fields[] = { &l->goid, &l->atomicstatus, &l->waitreason, &l->waitsince,
			       &l->sched_sp, &l->sched_pc, &l->syscallsp, &l->syscallpc };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		*fields[i] = (uint32_t)(fz_take(&f, 2) % 4096);
	l->source = "fuzz";
	w.allgs = fz_take(&f, 8);
	mem = f.p;
	mem_len = f.n;
	w.read = read_mem;
	w.pcln = &t;
	w.max_goroutines = MAX_GOROUTINES;
	w.max_frames = MAX_FRAMES;
	w.each = each;
	seen = 0;
	size_t total;
	int err = pi_go_walk(&w, &total);
	fz_require(err == 0 || err == -EFAULT || err == -EINVAL);
	fz_require(seen <= total);
	return 0;
}
