/* gopclntab — a Go program's pc-value tables (its .gopclntab section), Go
 * 1.18 and later: from a program counter to its function, the function's
 * frame size there, and its source file and line, as the Go runtime's own
 * traceback finds them.
 *
 * The section is the target's file, so hostile: every offset is checked
 * against the table it points into, every name must end within its table,
 * and a pc-value table is decoded for at most a bounded number of steps.
 * Pure: the section's bytes in, answers out (names point into them). */
#ifndef PI_RUNTIME_GOPCLNTAB_H
#define PI_RUNTIME_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pi_gopcln {
	const uint8_t *data;
	size_t len;
	int version;			/* 118 (Go 1.18, 1.19) or 120 (1.20 and later) */
	uint64_t text_start;		/* where function entry offsets count from */
	uint32_t nfunc;
	size_t funcnametab, cutab, filetab, pctab, pclntab;	/* offsets into data */
	size_t funcnametab_end, cutab_end, filetab_end, pctab_end;
};

/* Go's funcFlag_TOPFRAME: the function is a goroutine's or a thread's
 * outermost frame. */
enum { PI_GOFUNC_FLAG_TOPFRAME = 1 };

struct pi_gofunc {
	uint64_t entry;
	const char *name;		/* NULL when its offset is bad */
	uint32_t pcsp, pcfile, pcln, cu;
	uint8_t funcid, flag;
};

/* Reads the header of a .gopclntab of len bytes. text_start is the
 * address of the program's text as loaded, for a header that leaves it 0
 * (the table then counts from it); else the header's is taken plus bias
 * (0 for a program that is not position-independent). Returns 0, -ENOTSUP
 * for a table of Go before 1.18 (or another architecture's), -EINVAL for
 * a header that does not hold together. */
int pi_gopcln_init(struct pi_gopcln *t, const uint8_t *data, size_t len, uint64_t bias,
		   uint64_t text_start);

/* The function holding pc; false when none does. */
bool pi_gopcln_func(const struct pi_gopcln *t, uint64_t pc, struct pi_gofunc *f);

/* The value of f's pc-value table at table_off (f->pcsp, pcfile, pcln)
 * for pc; false when it cannot be read or does not cover pc. */
bool pi_gopcln_value(const struct pi_gopcln *t, const struct pi_gofunc *f, uint32_t table_off,
		     uint64_t pc, int32_t *value);

/* f's source file at pc, or NULL. */
const char *pi_gopcln_file(const struct pi_gopcln *t, const struct pi_gofunc *f, uint64_t pc);

#endif
